"""The two targets of the schemathesis run, and the hooks that make its requests realistic.

A *world* hands out what a realistic request needs (a live token, a wizard session, an account
id), either from a fake in this process (:class:`InProcessWorld`, through its Python API) or from
a ``fakeauth serve`` subprocess on a loopback port (:class:`LiveWorld`, through HTTP and the
control API only). :func:`make_realistic` swaps those into a generated case the same way for both.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, Protocol

import requests
import schemathesis

from fakeauth import FakeAuth
from fakeauth.seeding import apply_seed
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.state.waltid import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_PASSWORD,
    DEFAULT_SUPERADMIN_TOKEN,
)

Case = schemathesis.Case[Any]

PASSWORD = "Passw0rd!"
OVOK_EMAIL = "ovok.user@example.test"
B2CORE_EMAIL, B2CORE_GOOGLE, B2CORE_SMS = "b2@example.test", "g2@example.test", "s2@example.test"
B2CORE_TOKENS = "tokens@example.test"
WALTID_EMAIL = "waltid.user@example.test"
ORGANIZATION = "acme"
PROTECTED = {
    "ovok.logout",
    "ovok.me",
    "b2core.signout",
    "b2core.2fa_settings",
    "waltid.admin_account_register",
    "waltid.admin_organizations_create",
    "waltid.admin_accounts_list",
    "waltid.admin_account_roles_add",
    "waltid.dev_initial_setup",
    "waltid.admin_initial_setup",
}
#: The seed document of both targets (the live one gets it through ``POST /_fakeauth/seed``).
SEED: dict[str, Any] = {
    "ovok": {"accounts": [{"email": OVOK_EMAIL, "password": PASSWORD}]},
    "b2core": {
        "accounts": [
            {"email": B2CORE_EMAIL, "password": PASSWORD},
            {"email": B2CORE_TOKENS, "password": PASSWORD},
            {"email": B2CORE_GOOGLE, "password": PASSWORD, "two_factor": "google"},
            {"email": B2CORE_SMS, "password": PASSWORD, "two_factor": "sms"},
        ]
    },
}
_WALTID_SEED: dict[str, Any] = {
    "waltid": {
        "organizations": [{"organization": ORGANIZATION}],
        "accounts": [{"email": WALTID_EMAIL, "password": PASSWORD}],
    }
}
#: Every loopback call of the harness itself; a generated case has its own (see the tests).
TIMEOUT = 5


class World(Protocol):
    """What :func:`make_realistic` needs from a target."""

    def ovok_tokens(self) -> tuple[str, str]:
        """A fresh Ovok access and refresh token of the seeded account."""

    def b2core_session(self, kind: str) -> str:
        """The uuid of a fresh ``"signin"`` or ``"signup"`` wizard session."""

    def b2core_tokens(self) -> tuple[str, str]:
        """A fresh B2Core access and refresh token."""

    def b2core_two_factor(self, email: str) -> tuple[str, str] | None:
        """A 2FA step's uuid and the code that passes it (``None``: not obtainable here)."""

    def waltid_world(self) -> tuple[str, str]:
        """The Super Admin's token and the plain account's id (again after a recreate)."""

    def recreate_database(self) -> None:
        """walt.id's database-recreate: the Super Admin can be activated again."""


class InProcessWorld:
    """The world of a fake in this process, reached through its Python API."""

    def __init__(self, fake: FakeAuth) -> None:
        self.fake = fake
        apply_seed(fake, SEED)

    def ovok_tokens(self) -> tuple[str, str]:
        """See :class:`World`."""
        tokens = self.fake.ovok.authenticate(
            email=OVOK_EMAIL,
            password=PASSWORD,
            tenant_id=DEFAULT_TENANT_ID,
            client_id=DEFAULT_CLIENT_ID,
        )
        return tokens.access_token, tokens.refresh_token or ""

    def b2core_session(self, kind: str) -> str:
        """See :class:`World`."""
        b2core = self.fake.b2core
        if kind == "signup":
            return b2core.start_signup(b2core.broker())[0].uuid
        return b2core.start_signin(b2core.broker()).uuid

    def _signin(self, email: str) -> Any:
        b2core = self.fake.b2core
        form = {"email": email, "password": PASSWORD, "device_fingerprint": "fp"}
        return b2core.sign_in(b2core.broker(), self.b2core_session("signin"), form)

    def b2core_tokens(self) -> tuple[str, str]:
        """See :class:`World`."""
        tokens = self._signin(B2CORE_TOKENS)
        return tokens.access_token.token, tokens.refresh_token.token

    def b2core_two_factor(self, email: str) -> tuple[str, str] | None:
        """See :class:`World`."""
        step = self._signin(email)
        return step.uuid, self.fake.b2core.two_factor_code(email)

    def waltid_world(self) -> tuple[str, str]:
        """See :class:`World`."""
        waltid = self.fake.waltid
        if ORGANIZATION not in waltid.organizations:
            waltid.add_organization(ORGANIZATION)
        if WALTID_EMAIL not in {a.email for a in waltid.accounts}:
            waltid.add_account(email=WALTID_EMAIL, password=PASSWORD)
        return waltid.superadmin().token, waltid.get_account(WALTID_EMAIL).id

    def recreate_database(self) -> None:
        """See :class:`World`."""
        self.fake.waltid.recreate_database()


class LiveWorld:
    """The world of a ``fakeauth serve`` subprocess, reached through HTTP alone."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self._post("/_fakeauth/seed", SEED)

    def _post(self, path: str, body: Any = None, **headers: str) -> Any:
        response = self.session.post(
            f"{self.url}{path}", json=body, headers=headers, timeout=TIMEOUT
        )
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json() if response.content else None

    def _get(self, path: str) -> Any:
        response = self.session.get(f"{self.url}{path}", timeout=TIMEOUT)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def ovok_tokens(self) -> tuple[str, str]:
        """See :class:`World`."""
        body = {
            "email": OVOK_EMAIL,
            "password": PASSWORD,
            "tenantId": DEFAULT_TENANT_ID,
            "clientId": DEFAULT_CLIENT_ID,
        }
        answer = self._post("/auth/b2b/login", body)
        return answer["accessToken"], answer["refreshToken"]

    def b2core_session(self, kind: str) -> str:
        """See :class:`World`."""
        uuid: str = self._post(f"/api/v2/my/{kind}/wizard", {})["uuid"]
        return uuid

    def _signin(self, email: str) -> Any:
        form = {
            "uuid": self.b2core_session("signin"),
            "email": email,
            "password": PASSWORD,
            "device_fingerprint": "fp",
        }
        return self._post("/api/v2/my/signin", form)

    def b2core_tokens(self) -> tuple[str, str]:
        """See :class:`World`."""
        data = self._signin(B2CORE_TOKENS)["data"]
        return data["accessToken"]["token"], data["refreshToken"]["token"]

    def b2core_two_factor(self, email: str) -> tuple[str, str] | None:
        """See :class:`World`: the SMS code from the outbox; a Google Authenticator code needs
        the account's secret, which no HTTP route hands out."""
        uuid: str = self._signin(email)["uuid"]
        if email != B2CORE_SMS:
            return None
        sent = [m for m in self._get("/_fakeauth/outbox") if m["data"].get("uuid") == uuid]
        return uuid, sent[-1]["data"]["code"]

    def waltid_world(self) -> tuple[str, str]:
        """See :class:`World`."""
        accounts = self._get("/_fakeauth/accounts")["waltid"]
        if not any(a["superadmin"] for a in accounts):
            self._post("/v1/superadmin/create-by-token", {"token": DEFAULT_SUPERADMIN_TOKEN})
        if not any(a["email"] == WALTID_EMAIL for a in accounts):
            self._post("/_fakeauth/seed", _WALTID_SEED)
            accounts = self._get("/_fakeauth/accounts")["waltid"]
        login = {"email": DEFAULT_SUPERADMIN_EMAIL, "password": DEFAULT_SUPERADMIN_PASSWORD}
        token: str = self._post("/auth/account/emailpass", login)["token"]
        return token, next(a["id"] for a in accounts if a["email"] == WALTID_EMAIL)

    def recreate_database(self) -> None:
        """See :class:`World`."""
        self._post("/v1/dev/database-recreate")


@contextlib.contextmanager
def fakeauth_serve() -> Iterator[str]:
    """``fakeauth serve`` in a subprocess on a free loopback port: its base URL; stopped (with
    SIGINT, as Ctrl-C) when the block ends."""
    command = [sys.executable, "-m", "fakeauth.cli", "serve", "--host", "127.0.0.1", "--port", "0"]
    # --quiet: nobody reads the per-request log, and a full pipe would stall the server
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [*command, "--quiet"], stdout=subprocess.PIPE, stderr=errors, text=True
        )
        try:
            assert process.stdout is not None
            first = process.stdout.readline()  # "fakeauth 0.1.0 serving on http://127.0.0.1:N"
            assert " serving on http://127.0.0.1:" in first, first
            yield first.rsplit(" ", 1)[1].strip()
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=120)
            errors.seek(0)
            logged = errors.read()
    assert "Traceback" not in logged, logged


def _bearer(case: Case, token: str) -> None:
    case.headers.pop("ktor-authnz-auth", None)
    case.cookies.clear()
    case.headers["Authorization"] = f"Bearer {token}"


def _with_body(case: Case, **fields: Any) -> None:
    if isinstance(case.body, dict):
        case.body = {**case.body, **fields}


def make_realistic(world: World, operation_id: str, case: Case, serial: int) -> None:
    """Swap in live credentials, sessions and ids, so that the request can succeed."""
    vendor = operation_id.split(".")[0]
    if operation_id in PROTECTED and vendor == "ovok":
        _bearer(case, world.ovok_tokens()[0])
    elif operation_id in PROTECTED and vendor == "b2core":
        _bearer(case, world.b2core_tokens()[0])
    elif operation_id in PROTECTED:
        _bearer(case, world.waltid_world()[0])
    if operation_id in ("ovok.b2b_register", "ovok.b2b_login"):
        _with_body(case, tenantId=DEFAULT_TENANT_ID, clientId=DEFAULT_CLIENT_ID)
        if operation_id == "ovok.b2b_login":
            _with_body(case, email=OVOK_EMAIL, password=PASSWORD)
    elif operation_id == "ovok.refresh_token":
        _with_body(case, refresh_token=world.ovok_tokens()[1])
    elif operation_id == "b2core.signup":
        _with_body(
            case,
            uuid=world.b2core_session("signup"),
            email=f"signup{serial}@example.test",
            password=PASSWORD,
            password_confirmation=PASSWORD,
            device_fingerprint="fp",
        )
    elif operation_id == "b2core.signin":
        uuid = world.b2core_session("signin")
        _with_body(case, uuid=uuid, email=B2CORE_EMAIL, password=PASSWORD, device_fingerprint="x")
    elif operation_id in ("b2core.2fa_google", "b2core.2fa_sms"):
        step = world.b2core_two_factor(
            B2CORE_GOOGLE if operation_id.endswith("google") else B2CORE_SMS
        )
        if step is not None:
            _with_body(case, uuid=step[0], code=step[1])
    elif operation_id == "b2core.refresh":
        _with_body(case, refreshToken=world.b2core_tokens()[1])
    elif operation_id == "waltid.emailpass_login":
        world.waltid_world()
        _with_body(case, email=WALTID_EMAIL, password=PASSWORD)
    elif operation_id == "waltid.superadmin_create_by_token":
        world.recreate_database()
        token = DEFAULT_SUPERADMIN_TOKEN
        case.body = {"token": token} if isinstance(case.body, dict) else token
    elif operation_id == "waltid.admin_account_roles_add":
        _, account_id = world.waltid_world()
        case.path_parameters.update(
            accountId=account_id, organization=ORGANIZATION, roleId=f"{ORGANIZATION}.admin"
        )
