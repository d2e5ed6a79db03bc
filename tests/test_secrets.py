"""Passwords and tokens never leave the fake in the clear.

A full scenario on all three vendors runs through the live server (as ``fakeauth serve`` runs it,
with its request log); every password sent and every token issued is collected, and none may
appear in the reprs of the fake, its states and accounts, the journal, any ``GET /_fakeauth/``
answer, the account export, or the server's log and output.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hardening import waltid_registration

from fakeauth import FakeAuth, redacted
from fakeauth.control import ROUTES
from fakeauth.request_log import RequestLog
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.state.waltid import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_PASSWORD,
    DEFAULT_SUPERADMIN_TOKEN,
)
from fakeauth.transports.server import LiveServer

TIMEOUT = 10
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
OVOK_PASSWORD = "ovok-Secret-4f9c2a71"
OVOK_WRONG_PASSWORD = "ovok-Wrong-77d1e0b3"
B2CORE_PASSWORD = "b2core-Secret-9a8b7c6d"
B2CORE_SMS_PASSWORD = "b2core-Sms-Secret-1e2f3a4b"
WALTID_PASSWORD = "waltid-Secret-5c6d7e8f"
WALTID_WRONG_PASSWORD = "waltid-Wrong-0a1b2c3d"
PASSWORDS = [
    OVOK_PASSWORD,
    OVOK_WRONG_PASSWORD,
    B2CORE_PASSWORD,
    B2CORE_SMS_PASSWORD,
    WALTID_PASSWORD,
    WALTID_WRONG_PASSWORD,
    DEFAULT_SUPERADMIN_PASSWORD,
    DEFAULT_SUPERADMIN_TOKEN,
]


class Scenario:
    """Runs every vendor's flows against a live server and keeps every secret it saw."""

    def __init__(self, fake: FakeAuth, url: str, session: requests.Session) -> None:
        self.fake, self.url, self.session = fake, url, session
        self.secrets: set[str] = set(PASSWORDS)

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, f"{self.url}{path}", timeout=TIMEOUT, **kwargs)
        assert response.status_code < 500, response.text
        self.secrets.update(_tokens_in(response))
        return response

    def ovok(self) -> None:
        ids = {"tenantId": DEFAULT_TENANT_ID, "clientId": DEFAULT_CLIENT_ID}
        credentials = {"email": "max@example.test", "password": OVOK_PASSWORD, **ids}
        register = {**credentials, "name": "Max", "surname": "Mustermann"}
        self.call("POST", "/auth/b2b/register", json=register)
        self.call("POST", "/auth/b2b/login", json={**credentials, "password": OVOK_WRONG_PASSWORD})
        login = self.call("POST", "/auth/b2b/login", data=credentials).json()  # a form post
        refreshed = self.call(
            "POST", "/auth/refresh-token", json={"refresh_token": login["refreshToken"]}
        ).json()
        self.call("POST", "/auth/refresh-token", json={"refresh_token": login["refreshToken"]})
        access = {"Authorization": f"Bearer {refreshed['access_token']}"}
        self.call("GET", "/auth/me", headers=access)
        self.call("POST", "/v1/auth/logout", headers=access)
        self.call("GET", "/auth/me", headers=access)

    def b2core(self) -> None:
        wizard = self.call("POST", "/api/v2/my/signup/wizard", json={}).json()
        form = {
            "uuid": wizard["uuid"],
            "email": "foo@bar.com",
            "password": B2CORE_PASSWORD,
            "password_confirmation": B2CORE_PASSWORD,
            "device_fingerprint": FINGERPRINT,
        }
        self.call("POST", "/api/v2/my/signup", json=form)
        signin = self.call("GET", "/api/v2/my/signin/wizard").json()
        credentials = {"email": "foo@bar.com", "password": B2CORE_PASSWORD}
        body = {"uuid": signin["uuid"], **credentials, "device_fingerprint": FINGERPRINT}
        tokens = self.call("POST", "/api/v2/my/signin", json=body).json()["data"]
        refresh = {"refreshToken": tokens["refreshToken"]["token"]}
        fresh = self.call("POST", "/api/v2/my/refresh", json=refresh).json()
        access = {"Authorization": f"Bearer {fresh['accessToken']['token']}"}
        self.call("GET", "/api/v2/my/2fa", headers=access)
        self.call("POST", "/api/v2/my/signout", headers=access)
        self.call("POST", "/api/v2/my/refresh", json=refresh)
        self.fake.b2core.add_account(
            email="sms@bar.com", password=B2CORE_SMS_PASSWORD, two_factor="sms"
        )
        signin = self.call("POST", "/api/v2/my/signin/wizard", json={}).json()
        body = {
            "uuid": signin["uuid"],
            "email": "sms@bar.com",
            "password": B2CORE_SMS_PASSWORD,
            "device_fingerprint": FINGERPRINT,
        }
        self.call("POST", "/api/v2/my/signin", data=body)  # a form post
        code = self.fake.b2core.two_factor_code("sms@bar.com")
        self.call("POST", "/api/v2/my/2fa/sms", json={"uuid": signin["uuid"], "code": code})

    def waltid(self) -> None:
        self.call(
            "POST",
            "/v1/superadmin/create-by-token",
            data=DEFAULT_SUPERADMIN_TOKEN,
            headers={"Content-Type": "text/plain"},
        )
        superadmin = {"email": DEFAULT_SUPERADMIN_EMAIL, "password": DEFAULT_SUPERADMIN_PASSWORD}
        token = self.call("POST", "/auth/account/emailpass", json=superadmin).json()["token"]
        admin = {"Authorization": f"Bearer {token}"}
        self.call(
            "POST",
            "/v1/admin/organizations",
            headers=admin,
            json={
                "_id": "acme",
                "profile": {"name": "Acme"},
            },
        )
        email = "max.mustermann@example.org"
        registration = waltid_registration(email, WALTID_PASSWORD)
        account = self.call(
            "POST", "/v1/admin/account/register", headers=admin, json=registration
        ).json()
        self.call("POST", "/auth/account/emailpass", data={"email": email, "password": "x"})
        self.call(
            "POST",
            "/auth/account/emailpass",
            json={"email": email, "password": WALTID_WRONG_PASSWORD},
        )
        basic = base64.b64encode(f"{email}:{WALTID_PASSWORD}".encode()).decode()
        login = self.call(
            "POST", "/auth/account/emailpass", headers={"Authorization": f"Basic {basic}"}
        )
        self.call("GET", "/v1/admin/accounts", headers=admin)
        self.call(
            "POST", f"/v1/admin/account/{account['_id']}/roles/add/acme/acme.admin", headers=admin
        )
        self.call("POST", "/v1/dev/initial-setup", headers=admin)
        cookie = {"Cookie": f"ktor-authnz-auth={login.json()['token']}"}
        self.call("POST", "/auth/logout", headers=cookie)
        self.call(
            "POST", "/v1/superadmin/create-by-token", json={"token": DEFAULT_SUPERADMIN_TOKEN}
        )


def _tokens_in(response: requests.Response) -> Iterator[str]:
    """Every token a response hands out: in its JSON body and in its cookies."""
    for cookie in response.cookies:
        if cookie.value:
            yield cookie.value
    if "json" in response.headers.get("Content-Type", ""):
        yield from _token_values(response.json())


def _token_values(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _token_values(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _token_values(item, key)
    elif isinstance(value, str) and "token" in key.lower():
        yield value


def _reprs(fake: FakeAuth) -> Iterator[str]:
    yield repr(fake)
    for state in (fake.ovok, fake.b2core, fake.waltid):
        yield repr(state)
        yield repr(state.accounts)
        yield repr(state.sessions)
        yield repr(state.tokens)
    yield repr(fake.b2core.brokers)
    yield repr(fake.waltid.organizations)
    yield repr(fake.outbox)
    yield repr(list(fake.outbox))
    yield repr(fake.features)
    yield repr(fake.handler_errors)


def _journal(fake: FakeAuth) -> Iterator[str]:
    yield repr(fake.journal)
    yield fake.journal.format()
    for entry in fake.journal:
        yield repr(entry)
        yield str(entry)
        yield json.dumps(entry.to_dict(), ensure_ascii=False)


def _control_api(url: str) -> Iterator[str]:
    for method, path in ROUTES:
        if method == "GET" and "<" not in path:  # a snapshot's routes need a snapshot
            response = requests.get(f"{url}{path}", timeout=TIMEOUT)
            assert response.status_code == 200, path
            yield response.text


@pytest.fixture
def scenario(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> tuple[Scenario, dict[str, str]]:
    fake = FakeAuth()
    log = io.StringIO()
    places: dict[str, str] = {}
    caplog.set_level(logging.DEBUG)
    with LiveServer(RequestLog(fake.wsgi_app, log)) as server, requests.Session() as session:
        run = Scenario(fake, server.url, session)
        run.ovok()
        run.b2core()
        run.waltid()
        places["control API"] = "\n".join(_control_api(server.url))
    out, err = capfd.readouterr()
    # the entries' own fields, before anything reads a body: what dataclasses.asdict and vars show
    places["journal fields"] = repr([dataclasses.asdict(entry) for entry in fake.journal])
    places["journal fields"] += repr([vars(entry) for entry in fake.journal])
    # a pickled journal (a worker process's, a cache's): its bytes, ASCII secrets as they are
    places["pickled journal"] = pickle.dumps(list(fake.journal)).decode("latin-1")
    places.update(
        {
            "reprs": "\n".join(_reprs(fake)),
            "journal": "\n".join(_journal(fake)),
            "export": json.dumps(fake.export_accounts(), ensure_ascii=False),
            "server log": log.getvalue() + out + err + caplog.text,
        }
    )
    return run, places


def test_the_scenario_issued_tokens_and_was_logged(
    scenario: tuple[Scenario, dict[str, str]],
) -> None:
    run, places = scenario

    # 8 passwords and registration tokens; 6 Ovok, 8 B2Core and 2 walt.id tokens
    assert len(run.secrets) == 24
    assert "POST /auth/b2b/register -> 200" in places["server log"]
    vendor_lines = [
        line
        for line in places["server log"].splitlines()
        if " -> " in line and not line.startswith("GET /_fakeauth/")
    ]
    assert len(vendor_lines) == len(run.fake.journal)
    # the journal did see them: redacted
    assert redacted(OVOK_PASSWORD) in places["journal"]
    assert redacted(DEFAULT_SUPERADMIN_TOKEN) in places["journal"]


@pytest.mark.parametrize(
    "place",
    [
        "reprs",
        "journal",
        "journal fields",
        "pickled journal",
        "control API",
        "export",
        "server log",
    ],
)
def test_no_password_or_token_appears(
    scenario: tuple[Scenario, dict[str, str]], place: str
) -> None:
    run, places = scenario

    leaked = sorted(secret for secret in run.secrets if secret in places[place])

    assert leaked == []
