"""Shared by the hardening tests: a well-formed request per operation, the state a request may not
change, and the check that an answer is one the OpenAPI document describes."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from jsonschema import Draft202012Validator
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth
from fakeauth.openapi import VENDOR_NAMES, openapi_document
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.state.waltid import DEFAULT_SUPERADMIN_TOKEN
from fakeauth.vendors import DEFAULT_HOSTS

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)
SEED = 7
EMAIL = "max.mustermann@example.test"
PASSWORD = "correct-horse-battery-staple"
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
ORGANIZATION = "acme"
JSON = "application/json"
HOSTS = {vendor: urls[0] for vendor, urls in DEFAULT_HOSTS.items()}
DOCUMENT = openapi_document()
#: Every operation of every vendor (each vendor's own document lists all its routes).
OPERATIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    operation["operationId"]: (method.upper(), path, operation)
    for vendor in VENDOR_NAMES
    for path, item in openapi_document(vendor)["paths"].items()
    for method, operation in item.items()
}


@dataclass(frozen=True)
class Call:
    """A request to send: ``body`` is a JSON value (``None``: no body) sent as ``content_type``."""

    method: str
    path: str
    vendor: str
    body: Any = None
    content_type: str | None = JSON
    headers: Mapping[str, str] = field(default_factory=dict)

    def send(self, fake: FakeAuth, *, headers: Mapping[str, str] | None = None) -> TestResponse:
        """Send it, well-formed, to ``fake`` (with ``headers`` instead of its own, if given)."""
        data = b"" if self.body is None else json.dumps(self.body).encode()
        media = self.content_type if data else None
        return self.send_raw(fake, data, media, headers=headers)

    def send_raw(
        self,
        fake: FakeAuth,
        body: bytes,
        content_type: str | None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> TestResponse:
        """Send it to ``fake`` with this body and content type (``None``: no such header)."""
        sent = dict(self.headers if headers is None else headers)
        if content_type is not None:
            sent["Content-Type"] = content_type
        client = Client(fake.wsgi_app)
        return client.open(
            self.path, method=self.method, base_url=HOSTS[self.vendor], data=body, headers=sent
        )


def new_fake(**options: Any) -> FakeAuth:
    """A seeded fake on a frozen clock: two of them answer the same requests the same way."""
    fake = FakeAuth(seed=SEED, **options)
    fake.clock.set(T0, frozen=True)
    return fake


def bearer(token: str) -> dict[str, str]:
    """An ``Authorization: Bearer`` header."""
    return {"Authorization": f"Bearer {token}"}


def ovok_tokens(fake: FakeAuth) -> Any:
    """A seeded Ovok account's fresh tokens (the account is added on first use)."""
    if not fake.ovok.accounts:
        fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    return fake.ovok.authenticate(
        email=EMAIL, password=PASSWORD, tenant_id=DEFAULT_TENANT_ID, client_id=DEFAULT_CLIENT_ID
    )


def b2core_signin(fake: FakeAuth, email: str = EMAIL, *, two_factor: str | None = None) -> Any:
    """Sign a seeded B2Core account in (added on first use): its tokens, or its 2FA step."""
    if email.casefold() not in fake.b2core.broker().accounts:
        fake.b2core.add_account(email=email, password=PASSWORD, two_factor=two_factor)
    broker = fake.b2core.broker()
    session = fake.b2core.start_signin(broker)
    form = {"email": email, "password": PASSWORD, "device_fingerprint": FINGERPRINT}
    return fake.b2core.sign_in(broker, session.uuid, form)


def waltid_admin(fake: FakeAuth) -> str:
    """The walt.id Super Admin's bearer token, with the organization ``acme``."""
    if ORGANIZATION not in fake.waltid.organizations:
        fake.waltid.add_organization(ORGANIZATION)
    return fake.waltid.superadmin().token


def waltid_registration(email: str = EMAIL, password: str = PASSWORD) -> dict[str, Any]:
    """A walt.id ``AccountRegistrationRequest`` with an email credential."""
    return {
        "profile": {"name": "Max Mustermann", "email": email},
        "preferences": {"timeZone": "UTC", "languagePreference": "EN"},
        "initialAuth": {
            "type": "email",
            "identifier": {"type": "email", "email": email},
            "data": {"type": "email", "password": password},
        },
    }


def _two_factor(kind: str) -> Callable[[FakeAuth], Call]:
    def setup(fake: FakeAuth) -> Call:
        email = f"{kind}@example.test"
        step = b2core_signin(fake, email, two_factor=kind)
        code = fake.b2core.two_factor_code(email)
        return Call("POST", f"/api/v2/my/2fa/{kind}", "b2core", {"uuid": step.uuid, "code": code})

    return setup


def _signup(fake: FakeAuth) -> Call:
    session, _ = fake.b2core.start_signup(fake.b2core.broker())
    form = {
        "uuid": session.uuid,
        "email": EMAIL,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "device_fingerprint": FINGERPRINT,
        "info": {"givenName": "Max", "familyName": "Mustermann"},
    }
    return Call("POST", "/api/v2/my/signup", "b2core", form)


def _signin(fake: FakeAuth) -> Call:
    if EMAIL not in fake.b2core.broker().accounts:
        fake.b2core.add_account(email=EMAIL, password=PASSWORD)
    session = fake.b2core.start_signin(fake.b2core.broker())
    form = {"uuid": session.uuid, "email": EMAIL, "password": PASSWORD}
    return Call("POST", "/api/v2/my/signin", "b2core", {**form, "device_fingerprint": FINGERPRINT})


def _roles_add(fake: FakeAuth) -> Call:
    token = waltid_admin(fake)
    account = fake.waltid.add_account(email=EMAIL, password=PASSWORD)
    path = f"/v1/admin/account/{account.id}/roles/add/{ORGANIZATION}/{ORGANIZATION}.admin"
    return Call("POST", path, "waltid", headers=bearer(token))


def _ovok_credentials(**extra: str) -> dict[str, str]:
    return {
        "email": EMAIL,
        "password": PASSWORD,
        "tenantId": DEFAULT_TENANT_ID,
        "clientId": DEFAULT_CLIENT_ID,
        **extra,
    }


#: A well-formed request of each operation, on a fake it may seed first (by the Python API).
WELL_FORMED: dict[str, Callable[[FakeAuth], Call]] = {
    "ovok.b2b_register": lambda fake: Call(
        "POST", "/auth/b2b/register", "ovok", _ovok_credentials(name="Max", surname="Mustermann")
    ),
    "ovok.b2b_login": lambda fake: (
        fake.ovok.add_account(email=EMAIL, password=PASSWORD),
        Call("POST", "/auth/b2b/login", "ovok", _ovok_credentials()),
    )[1],
    "ovok.refresh_token": lambda fake: Call(
        "POST", "/auth/refresh-token", "ovok", {"refresh_token": ovok_tokens(fake).refresh_token}
    ),
    "ovok.logout": lambda fake: Call(
        "POST", "/v1/auth/logout", "ovok", headers=bearer(ovok_tokens(fake).access_token)
    ),
    "ovok.auth_logout": lambda fake: Call(
        "POST", "/auth/logout", "ovok", headers=bearer(ovok_tokens(fake).access_token)
    ),
    "ovok.me": lambda fake: Call(
        "GET", "/auth/me", "ovok", headers=bearer(ovok_tokens(fake).access_token)
    ),
    "b2core.signup_wizard": lambda fake: Call("POST", "/api/v2/my/signup/wizard", "b2core", {}),
    "b2core.signup": _signup,
    "b2core.signin_wizard": lambda fake: Call("GET", "/api/v2/my/signin/wizard", "b2core"),
    "b2core.signin_wizard_post": lambda fake: Call(
        "POST", "/api/v2/my/signin/wizard", "b2core", {}
    ),
    "b2core.signin": _signin,
    "b2core.2fa_google": _two_factor("google"),
    "b2core.2fa_sms": _two_factor("sms"),
    "b2core.refresh": lambda fake: Call(
        "POST",
        "/api/v2/my/refresh",
        "b2core",
        {"refreshToken": b2core_signin(fake).refresh_token.token},
    ),
    "b2core.signout": lambda fake: Call(
        "POST",
        "/api/v2/my/signout",
        "b2core",
        headers=bearer(b2core_signin(fake).access_token.token),
    ),
    "b2core.2fa_settings": lambda fake: Call(
        "GET", "/api/v2/my/2fa", "b2core", headers=bearer(b2core_signin(fake).access_token.token)
    ),
    "waltid.admin_account_register": lambda fake: Call(
        "POST",
        "/v1/admin/account/register",
        "waltid",
        waltid_registration(),
        headers=bearer(waltid_admin(fake)),
    ),
    "waltid.account_register": lambda fake: Call(
        "POST", "/v1/account/register", "waltid", waltid_registration()
    ),
    "waltid.emailpass_login": lambda fake: (
        fake.waltid.add_account(email=EMAIL, password=PASSWORD),
        Call("POST", "/auth/account/emailpass", "waltid", {"email": EMAIL, "password": PASSWORD}),
    )[1],
    "waltid.logout": lambda fake: Call(
        "POST", "/auth/logout", "waltid", headers=bearer(waltid_admin(fake))
    ),
    "waltid.features_registered": lambda fake: Call("GET", "/features/registered", "waltid"),
    "waltid.features_state": lambda fake: Call("GET", "/features/state", "waltid"),
    "waltid.superadmin_create_by_token": lambda fake: Call(
        "POST", "/v1/superadmin/create-by-token", "waltid", {"token": DEFAULT_SUPERADMIN_TOKEN}
    ),
    "waltid.admin_organizations_create": lambda fake: Call(
        "POST",
        "/v1/admin/organizations",
        "waltid",
        {"_id": "globex", "profile": {"name": "Globex"}},
        headers=bearer(waltid_admin(fake)),
    ),
    "waltid.admin_accounts_list": lambda fake: Call(
        "GET", "/v1/admin/accounts", "waltid", headers=bearer(waltid_admin(fake))
    ),
    "waltid.admin_account_roles_add": _roles_add,
    "waltid.dev_database_recreate": lambda fake: Call(
        "POST", "/v1/dev/database-recreate", "waltid"
    ),
    "waltid.dev_initial_setup": lambda fake: Call(
        "POST", "/v1/dev/initial-setup", "waltid", headers=bearer(waltid_admin(fake))
    ),
    "waltid.admin_initial_setup": lambda fake: Call(
        "POST", "/v1/admin/initial-setup", "waltid", headers=bearer(waltid_admin(fake))
    ),
}


def well_formed(operation: str, fake: FakeAuth) -> Call:
    """The well-formed request of ``operation`` on ``fake``.

    An operation added later without an entry in :data:`WELL_FORMED` gets its route with an empty
    JSON object, so that every corpus still runs on it.
    """
    setup = WELL_FORMED.get(operation)
    if setup is not None:
        return setup(fake)
    method, path, _ = OPERATIONS[operation]
    return Call(method, path, operation.split(".")[0], {})


def snapshot(fake: FakeAuth) -> dict[str, Any]:
    """What a refused request must leave as it was: accounts, tokens, sessions, organizations,
    the outbox. (A failed sign-in's lockout counter is meant to change.)"""
    b2core_sessions = {
        uuid: (s.workflow, s.finished, dict(s.form)) for uuid, s in fake.b2core.sessions.items()
    }
    return {
        "accounts": fake.export_accounts(),
        "tokens": {
            name: (len(state.tokens), len(state.tokens.live()))
            for name, state in (
                ("ovok", fake.ovok),
                ("b2core", fake.b2core),
                ("waltid", fake.waltid),
            )
        },
        "ovok_sessions": sorted(fake.ovok.sessions),
        "b2core_sessions": b2core_sessions,
        "waltid_sessions": sorted(fake.waltid.sessions),
        "organizations": sorted(fake.waltid.organizations),
        "roles": dict(fake.waltid.roles),
        "outbox": len(fake.outbox),
    }


def assert_documented(operation: str, response: TestResponse) -> None:
    """Fail unless the OpenAPI document describes this status, content type and body."""
    responses = OPERATIONS[operation][2]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{operation}: {status} is not documented: {response.data!r}"
    content = responses[status].get("content", {})
    if not content:
        assert response.data == b"", f"{operation}: {status} documents no body"
        return
    media = (response.mimetype or "").lower()
    assert media in content, f"{operation}: {status} {media} is not documented"
    body = response.get_json() if media == JSON else response.get_data(as_text=True)
    schema = {**content[media]["schema"], "components": DOCUMENT["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert not errors, f"{operation}: {status} {body!r} does not match: {errors[0].message}"
