"""Every secret, in every place a request can carry it, through every transport: never in clear.

Each case sends one distinctive secret (a password, a live access or refresh token, a walt.id
registration token, a B2Core 2FA code, a cookie value) in one place (a JSON body, a body that does
not parse, a list where a string belongs, a form, a text body, the query string, a header, a
cookie) to one vendor route, through the WSGI app, ``mock_requests()``, ``mock_httpx()`` and the
live server (with ``fakeauth serve``'s request log). Then everything the fake exposes is searched:
the journal (entries, reprs, the failure report), ``GET /_fakeauth/journal``, the server log, and
the repr of the request the vendor module saw.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import requests
from werkzeug.test import Client

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.http import Request
from fakeauth.request_log import RequestLog
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.transports.server import LiveServer
from fakeauth.vendors import DEFAULT_HOSTS

HOSTS = {vendor: urls[0] for vendor, urls in DEFAULT_HOSTS.items()}
IDS = {"tenantId": DEFAULT_TENANT_ID, "clientId": DEFAULT_CLIENT_ID}
PASSWORD = "corpus-Pa55word-q7Xz"
CODE = "908172"
REGISTRATION_TOKEN = "corpus-registration-token-5kQ"


@dataclass(frozen=True)
class Case:
    """One secret in one place of one request."""

    vendor: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = None
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()


def issued_tokens(fake: FakeAuth) -> dict[str, str]:
    """A live Ovok access and refresh token and a walt.id token, issued by ``fake``."""
    fake.ovok.add_account(email="corpus@example.test", password=PASSWORD)
    client = Client(fake.wsgi_app)
    login = client.post(
        "/auth/b2b/login",
        base_url=HOSTS["ovok"],
        json={"email": "corpus@example.test", "password": PASSWORD, **IDS},
    ).get_json()
    fake.waltid.add_account(email="corpus@example.org", password=PASSWORD)
    waltid = client.post(
        "/auth/account/emailpass",
        base_url=HOSTS["waltid"],
        json={"email": "corpus@example.org", "password": PASSWORD},
    ).get_json()
    fake.waltid.add_registration_token(
        REGISTRATION_TOKEN, email="admin@example.org", password=PASSWORD
    )
    return {
        "access": login["accessToken"],
        "refresh": login["refreshToken"],
        "waltid": waltid["token"],
    }


def cases(tokens: dict[str, str]) -> dict[str, tuple[Case, str]]:
    """Case id -> (the case, the secret it carries)."""
    access, refresh, waltid = tokens["access"], tokens["refresh"], tokens["waltid"]
    login = {"email": "corpus@example.test", **IDS}
    json_type, form, text = "application/json", "application/x-www-form-urlencoded", "text/plain"

    def body(value: Any) -> bytes:
        return json.dumps(value).encode()

    return {
        "ovok password, JSON": (
            Case(
                "ovok", "POST", "/auth/b2b/login", body({**login, "password": PASSWORD}), json_type
            ),
            PASSWORD,
        ),
        "ovok password, malformed JSON": (
            Case(
                "ovok",
                "POST",
                "/auth/b2b/login",
                b'{"email": "corpus@example.test", "password": "' + PASSWORD.encode() + b'",',
                json_type,
            ),
            PASSWORD,
        ),
        "ovok password, a list": (
            Case(
                "ovok",
                "POST",
                "/auth/b2b/login",
                body({**login, "password": [PASSWORD]}),
                json_type,
            ),
            PASSWORD,
        ),
        "ovok password, a form": (
            Case(
                "ovok",
                "POST",
                "/auth/b2b/login",
                f"email=corpus%40example.test&password={quote(PASSWORD)}".encode(),
                form,
            ),
            PASSWORD,
        ),
        "ovok password, the query": (
            Case("ovok", "POST", "/auth/b2b/login", query=f"password={PASSWORD}"),
            PASSWORD,
        ),
        "ovok access token, a text body to refresh": (
            Case("ovok", "POST", "/auth/refresh-token", access.encode(), text),
            access,
        ),
        "ovok refresh token, malformed JSON": (
            Case(
                "ovok",
                "POST",
                "/auth/refresh-token",
                b'{"refresh_token": "' + refresh.encode(),
                json_type,
            ),
            refresh,
        ),
        "ovok access token, ?access_token=": (
            Case("ovok", "GET", "/auth/me", query=f"access_token={access}"),
            access,
        ),
        "ovok access token, a header": (
            Case("ovok", "GET", "/auth/me", headers=(("Authorization", f"Bearer {access}"),)),
            access,
        ),
        "ovok access token, an unknown header": (
            Case("ovok", "GET", "/auth/me", headers=(("X-Token", access),)),
            access,
        ),
        "b2core password, malformed JSON": (
            Case(
                "b2core",
                "POST",
                "/api/v2/my/signin",
                b'{"uuid": "x", "password": "' + PASSWORD.encode() + b'"',
                json_type,
            ),
            PASSWORD,
        ),
        "b2core password, a list": (
            Case(
                "b2core",
                "POST",
                "/api/v2/my/signin",
                body({"uuid": "x", "email": "a@b.c", "password": [PASSWORD, 1]}),
                json_type,
            ),
            PASSWORD,
        ),
        "b2core 2FA code, JSON": (
            Case(
                "b2core", "POST", "/api/v2/my/2fa/sms", body({"uuid": "x", "code": CODE}), json_type
            ),
            CODE,
        ),
        "b2core 2FA code, malformed JSON": (
            Case(
                "b2core",
                "POST",
                "/api/v2/my/2fa/google",
                b'{"uuid": "x", "code": "' + CODE.encode(),
                json_type,
            ),
            CODE,
        ),
        "b2core 2FA code, a number": (
            Case(
                "b2core",
                "POST",
                "/api/v2/my/2fa/sms",
                body({"uuid": "x", "code": int(CODE)}),
                json_type,
            ),
            CODE,
        ),
        "b2core refresh token, the query": (
            Case("b2core", "POST", "/api/v2/my/refresh", query=f"refreshToken={refresh}"),
            refresh,
        ),
        "waltid password, malformed JSON": (
            Case(
                "waltid",
                "POST",
                "/auth/account/emailpass",
                b'{"email": "corpus@example.org", "password": "' + PASSWORD.encode() + b'"}}',
                json_type,
            ),
            PASSWORD,
        ),
        "waltid password, a list": (
            Case(
                "waltid",
                "POST",
                "/auth/account/emailpass",
                body({"email": "corpus@example.org", "password": [PASSWORD]}),
                json_type,
            ),
            PASSWORD,
        ),
        "waltid registration token, malformed JSON": (
            Case(
                "waltid",
                "POST",
                "/v1/superadmin/create-by-token",
                b'{"token": "' + REGISTRATION_TOKEN.encode(),
                json_type,
            ),
            REGISTRATION_TOKEN,
        ),
        "waltid token, a cookie": (
            Case(
                "waltid",
                "GET",
                "/v1/admin/accounts",
                headers=(("Cookie", f"ktor-authnz-auth={waltid}"),),
            ),
            waltid,
        ),
        "waltid token, the query": (
            Case("waltid", "GET", "/v1/admin/accounts", query=f"token={waltid}"),
            waltid,
        ),
    }


Send = Callable[[Case, str], None]


def url_of(case: Case, base: str) -> str:
    return f"{base}{case.path}" + (f"?{case.query}" if case.query else "")


def headers_of(case: Case) -> dict[str, str]:
    headers = dict(case.headers)
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    return headers


def send_wsgi(fake: FakeAuth, case: Case) -> None:
    Client(fake.wsgi_app).open(
        case.path,
        method=case.method,
        base_url=HOSTS[case.vendor],
        query_string=case.query,
        data=case.body or b"",
        headers=headers_of(case),
    )


def send_requests(fake: FakeAuth, case: Case) -> None:
    with fake.mock_requests(assert_all_served=False):
        requests.request(
            case.method,
            url_of(case, HOSTS[case.vendor]),
            data=case.body,
            headers=headers_of(case),
            timeout=10,
        )


def send_httpx(fake: FakeAuth, case: Case) -> None:
    with fake.mock_httpx(assert_all_served=False):
        httpx.request(
            case.method,
            url_of(case, HOSTS[case.vendor]),
            content=case.body,
            headers=headers_of(case),
            timeout=10,
        )


TRANSPORTS = ["werkzeug", "requests", "httpx", "live server"]


@pytest.fixture(scope="module")
def exposures() -> dict[tuple[str, str], tuple[str, str]]:
    """(case, transport) -> (the secret, everything the fake exposed after that one request)."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for transport in TRANSPORTS:
        fake = FakeAuth(seed=1)
        corpus = cases(issued_tokens(fake))
        seen: list[Request] = []
        dispatch = fake.wsgi_app.dispatch

        def watching(request: Request, dispatch: Any = dispatch, seen: list[Request] = seen) -> Any:
            seen.append(request)
            return dispatch(request)

        fake.wsgi_app.dispatch = watching  # type: ignore[method-assign]
        log = io.StringIO()
        with LiveServer(RequestLog(fake.wsgi_app, log)) as server:
            for name, (case, secret) in corpus.items():
                fake.journal.clear()
                seen.clear()
                log.seek(0)
                log.truncate()
                if transport == "werkzeug":
                    send_wsgi(fake, case)
                elif transport == "requests":
                    send_requests(fake, case)
                elif transport == "httpx":
                    send_httpx(fake, case)
                else:
                    requests.request(
                        case.method,
                        url_of(case, server.url),
                        data=case.body,
                        headers=headers_of(case),
                        timeout=10,
                    )
                journal = requests.get(f"{server.url}/_fakeauth/journal", timeout=10).text
                places = [
                    journal,
                    fake.journal.format(bodies=True),
                    repr(fake.journal),
                    *(repr(entry) for entry in fake.journal),
                    *(json.dumps(entry.to_dict()) for entry in fake.journal),
                    *(repr(request) for request in seen),
                    log.getvalue() if transport == "live server" else "",
                ]
                assert len(fake.journal) >= 1, (name, transport)
                found[name, transport] = (secret, "\n".join(places))
    return found


CASE_IDS = list(cases({"access": "a", "refresh": "r", "waltid": "w"}))


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", CASE_IDS)
def test_no_secret_stands_in_clear_in_anything_the_fake_exposes(
    case: str, transport: str, exposures: dict[tuple[str, str], tuple[str, str]]
) -> None:
    secret, exposed = exposures[case, transport]

    assert secret not in exposed
    if not case.endswith(("header", "cookie")):  # the journal keeps no header to redact
        assert "<redacted:" in exposed  # it was seen, and redacted


@pytest.mark.parametrize(
    "seed",
    [
        lambda fake, secret: fake.ovok.add_account(email="a@example.test", password=secret),
        lambda fake, secret: fake.b2core.add_account(email="a@example.test", password=secret),
        lambda fake, secret: fake.waltid.add_account(email="a@example.org", password=secret),
        lambda fake, secret: fake.waltid.add_registration_token(
            secret, email="a@example.org", password="pw"
        ),
    ],
    ids=["ovok account", "b2core account", "waltid account", "waltid registration token"],
)
@pytest.mark.parametrize("shape", ["number", "list"])
def test_an_error_message_never_echoes_a_secret(seed: Any, shape: str) -> None:
    secret: Any = 908172345 if shape == "number" else ["corpus-secret-in-a-list"]

    with pytest.raises(ConfigurationError) as raised:
        seed(FakeAuth(), secret)

    message = str(raised.value)
    assert "must be a string" in message
    assert "908172345" not in message
    assert "corpus-secret-in-a-list" not in message


def test_the_server_log_shows_no_token_in_a_path() -> None:
    fake = FakeAuth(seed=2)
    token = issued_tokens(fake)["access"]
    log = io.StringIO()

    with LiveServer(RequestLog(fake.wsgi_app, log)) as server:
        requests.get(f"{server.url}/auth/me/{token}", timeout=10)

    assert token not in log.getvalue()
    assert "GET /auth/me/<redacted:" in log.getvalue()
