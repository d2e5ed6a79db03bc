"""Pins for the fidelity entries no other test proved exactly (see ``fakeauth/fidelity/``).

Each test carries ``@pytest.mark.fidelity("<entry id>")`` and asserts the exact answer the entry
describes, through ``werkzeug.test.Client`` on the fake's WSGI app.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from freezegun import freeze_time
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

OVOK = "https://api.dev.ovok.com"
B2CORE = "https://host.name"
WALTID = "https://enterprise-sandbox.waltid.dev"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
EMAIL = "ann@example.test"
PASSWORD = "s3cret"
KIB = 1024


def send(fake: FakeAuth, method: str, path: str, base: str, body: Any = None, **kw: Any) -> Any:
    data = body if body is None or isinstance(body, (str, bytes)) else json.dumps(body)
    kw.setdefault("content_type", JSON)
    response: TestResponse = Client(fake.wsgi_app, use_cookies=False).open(
        path, method=method, data=data, base_url=base, **kw
    )
    return response


def ovok_login(fake: FakeAuth, base: str = OVOK) -> Any:
    body = {"email": EMAIL, "password": PASSWORD, "tenantId": DEFAULT_TENANT_ID}
    return send(fake, "POST", "/auth/b2b/login", base, {**body, "clientId": DEFAULT_CLIENT_ID})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- all vendors ------------------------------------------------------------------------------


@pytest.mark.fidelity("all.hosts")
def test_all_hosts_of_a_vendor_share_one_state() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    token = ovok_login(fake, "https://api.ovok.com").get_json()["accessToken"]

    hosts = ("https://api.dev.ovok.com", "https://api.sandbox.ovok.com", "https://api.ovok.com")
    answers = [send(fake, "GET", "/auth/me", host, headers=bearer(token)) for host in hosts]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert fake.calls("ovok.me").call_count == 3


@pytest.mark.fidelity("all.tokens.keys")
def test_all_a_token_of_one_fake_is_refused_by_another() -> None:
    issuer, other = FakeAuth(), FakeAuth()
    for fake in (issuer, other):
        fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    token = ovok_login(issuer).get_json()["accessToken"]

    mine = send(issuer, "GET", "/auth/me", OVOK, headers=bearer(token))
    theirs = send(other, "GET", "/auth/me", OVOK, headers=bearer(token))

    assert mine.status_code == 200
    assert (theirs.status_code, theirs.get_json()) == (
        401,
        {"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"},
    )


LIMITS = [
    pytest.param(
        OVOK,
        "/auth/b2b/login",
        100 * KIB,
        {
            "statusCode": 413,
            "message": "request entity too large",
            "error": "Request Entity Too Large",
        },
        id="ovok-100-kib",
    ),
    pytest.param(
        B2CORE,
        "/api/v2/my/signin",
        256 * KIB,
        {
            "code": 413,
            "data": {"message": "request entity too large"},
            "done": False,
            "uuid": None,
            "workflow": None,
        },
        id="b2core-256-kib",
    ),
    pytest.param(
        WALTID,
        "/auth/account/emailpass",
        1024 * KIB,
        {
            "exception": True,
            "id": "PayloadTooLargeException",
            "status": "Request Entity Too Large",
            "code": "413",
            "message": "request entity too large",
        },
        id="waltid-1-mib",
    ),
]


def _json_of_length(length: int) -> bytes:
    body = b'{"x": "' + b"a" * (length - 9) + b'"}'
    assert len(body) == length
    return body


@pytest.mark.fidelity("all.body-size")
@pytest.mark.parametrize(("base", "path", "limit", "refusal"), LIMITS)
def test_all_body_size_limits(base: str, path: str, limit: int, refusal: dict[str, Any]) -> None:
    fake = FakeAuth()

    at_limit = send(fake, "POST", path, base, _json_of_length(limit))
    over = send(fake, "POST", path, base, _json_of_length(limit + 1))

    assert at_limit.status_code != 413  # read, then refused by the vendor's own validation
    assert (over.status_code, over.get_json()) == (413, refusal)


# -- Ovok -------------------------------------------------------------------------------------


@pytest.mark.fidelity("ovok.json.too-deep")
def test_ovok_json_nested_too_deep() -> None:
    fake = FakeAuth()

    response = send(fake, "POST", "/auth/b2b/register", OVOK, "[" * 40_000 + "]" * 40_000)

    assert (response.status_code, response.get_json()) == (
        400,
        {"statusCode": 400, "message": "Maximum call stack size exceeded", "error": "Bad Request"},
    )
    assert fake.handler_errors == []


# -- B2Core -----------------------------------------------------------------------------------

#: The older published version of rest-api-reference-front-registration.html, its curl example.
OLDER_DIALECT = {
    "url": "https://host.name/register/{registration}/{code}",
    "utm": {"referral": "29734fc149dc93809d18f49ae970810a"},
}
#: The newer published version: a registration wizard's uuid and every utm field.
NEWER_DIALECT = {
    "wizard": "36f59381-5b54-48bd-a0c7-3b908c476732",
    "utm": {
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring",
        "utm_content": "banner",
        "utm_term": "broker",
        "utm_uri": "https://host.name/landing",
        "utm_referral": "partner",
        "gclid": "EAIaIQobChMI",
        "referral": "29734fc149dc93809d18f49ae970810a",
    },
}


@pytest.mark.fidelity("b2core.signup-wizard.dialects")
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(OLDER_DIALECT, FORM, id="older-url-as-curl-sends-it"),
        pytest.param(OLDER_DIALECT, JSON, id="older-url"),
        pytest.param(NEWER_DIALECT, JSON, id="newer-wizard-and-utm"),
    ],
)
def test_b2core_signup_wizard_takes_both_documented_dialects(
    body: dict[str, Any], content_type: str
) -> None:
    fake = FakeAuth()

    response = send(
        fake, "POST", "/api/v2/my/signup/wizard", B2CORE, body, content_type=content_type
    )

    reply = response.get_json()
    assert (response.status_code, reply) == (
        200,
        {
            "code": 202,
            "data": {"fields": {}},
            "done": True,
            "uuid": reply["uuid"],
            "workflow": "basic_register_form",
        },
    )
    assert reply["uuid"] in fake.b2core.sessions


def _b2core_signin(fake: FakeAuth) -> Any:
    uuid = send(fake, "GET", "/api/v2/my/signin/wizard", B2CORE).get_json()["uuid"]
    form = {"uuid": uuid, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}
    return send(fake, "POST", "/api/v2/my/signin", B2CORE, form)


@pytest.mark.fidelity("b2core.tokens")
def test_b2core_tokens_are_hs256_jwts_with_the_brokers_claims() -> None:
    fake = FakeAuth()
    account = fake.b2core.add_account(email=EMAIL, password=PASSWORD)

    with freeze_time("2026-01-01T00:00:00Z"):
        data = _b2core_signin(fake).get_json()["data"]

    access, refresh = data["accessToken"], data["refreshToken"]
    assert (access["createdAt"], access["expiresAt"]) == (
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:20:00+00:00",
    )
    assert refresh["expiresAt"] == "2026-01-31T00:00:00+00:00"
    assert jwt.get_unverified_header(access["token"]) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(access["token"], options={"verify_signature": False})
    assert claims == {
        "iss": B2CORE,
        "sub": account.id,
        "sid": claims["sid"],
        "typ": "access",
        "jti": claims["jti"],
        "iat": 1767225600,
        "exp": 1767225600 + 20 * 60,
    }
    refresh_claims = jwt.decode(refresh["token"], options={"verify_signature": False})
    assert (refresh_claims["typ"], refresh_claims["sid"]) == ("refresh", claims["sid"])


@pytest.mark.fidelity("b2core.password-policy")
@pytest.mark.parametrize("password", ["x", " ", "1"])
def test_b2core_takes_any_non_empty_password(password: str) -> None:
    fake = FakeAuth()
    uuid = send(fake, "POST", "/api/v2/my/signup/wizard", B2CORE, {}).get_json()["uuid"]
    form = {
        "uuid": uuid,
        "email": EMAIL,
        "password": password,
        "password_confirmation": password,
        "device_fingerprint": "x",
    }

    response = send(fake, "POST", "/api/v2/my/signup", B2CORE, form)

    assert (response.status_code, response.get_json()["code"]) == (200, 202)
    assert fake.b2core.get_account(EMAIL).email == EMAIL


@pytest.mark.fidelity("b2core.length-limits")
@pytest.mark.parametrize(
    ("field", "path", "limit"),
    [
        pytest.param("info", "info.givenName", 4096, id="a-text-field"),
        pytest.param("device_fingerprint", "device_fingerprint", 65536, id="the-fingerprint"),
    ],
)
def test_b2core_length_limits(field: str, path: str, limit: int) -> None:
    fake = FakeAuth()

    def signup(email: str, length: int) -> Any:
        uuid = send(fake, "POST", "/api/v2/my/signup/wizard", B2CORE, {}).get_json()["uuid"]
        value: Any = {"givenName": "g" * length} if field == "info" else "f" * length
        form = {
            "uuid": uuid,
            "email": email,
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "device_fingerprint": "x",
            field: value,
        }
        return uuid, send(fake, "POST", "/api/v2/my/signup", B2CORE, form)

    _, at_limit = signup("at@example.test", limit)
    uuid, over = signup("over@example.test", limit + 1)

    assert at_limit.status_code == 200
    assert (over.status_code, over.get_json()) == (
        400,
        {
            "code": 400,
            "data": {
                "errors": {
                    path: [f"This value is too long. It should have {limit} characters or less."]
                }
            },
            "done": False,
            "uuid": uuid,
            "workflow": "basic_register_form",
        },
    )
    assert [account.email for account in fake.b2core.accounts] == ["at@example.test"]


# -- walt.id ----------------------------------------------------------------------------------


@pytest.mark.fidelity("waltid.superadmin")
def test_waltid_super_admin_is_listed_like_any_account() -> None:
    fake = FakeAuth()
    admin = fake.waltid.superadmin()

    response = send(fake, "GET", "/v1/admin/accounts", WALTID, headers=bearer(admin.token))

    assert (response.status_code, response.get_json()) == (
        200,
        [
            {
                "_id": admin.account.id,
                "type": "USER",
                "profile": {"name": "Super Admin", "email": "superadmin@walt.id"},
                "accountPreferences": {"timeZone": "UTC", "languagePreference": "EN"},
                "flags": [],
                "roles": {},
            }
        ],
    )


@pytest.mark.fidelity("waltid.check-order")
def test_waltid_checks_feature_bearer_role_then_body() -> None:
    fake = FakeAuth()
    fake.waltid.add_account("plain@example.org", "pw")
    plain = bearer(fake.waltid.login("plain@example.org", "pw"))
    admin = bearer(fake.waltid.superadmin().token)
    bad_body = b'{"profile": 1}'

    def register(headers: dict[str, str]) -> tuple[int, str]:
        response = send(
            fake, "POST", "/v1/admin/account/register", WALTID, bad_body, headers=headers
        )
        text = response.get_data(as_text=True)
        return response.status_code, (json.loads(text)["id"] if text.startswith("{") else text)

    answers = [register({}), register(plain), register(admin)]
    fake.features.disable("admin")
    answers.append(register({}))

    assert answers == [
        (401, "Unauthorized (NoCredentials)"),  # the bearer before the body
        (403, "ForbiddenException"),  # the role before the body
        (400, "BadRequestException"),  # then the body
        (404, ""),  # the feature before the bearer
    ]
