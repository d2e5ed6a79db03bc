"""walt.id Enterprise through the WSGI app: the documented requests, the set-up flow real clients
run, every error path, and the login token (carriers, expiry, logout, forgeries)."""

from __future__ import annotations

import base64
import json
import threading
from datetime import datetime, timezone
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from freezegun import freeze_time
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth, redacted
from fakeauth.apis.waltid import kotlin_duration
from fakeauth.apis.waltid_models import AccountDocument, FeatureState, LoginResponse
from fakeauth.features import Feature
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

BASE_URL = "https://enterprise-sandbox.waltid.dev"
JSON = "application/json"
SUPERADMIN = {"email": "superadmin@walt.id", "password": "super123456"}
REGISTRATION_TOKEN = "1234567890-my-token"
EMAIL = "max.mustermann@example.org"
# The -d body of the documentation's two cURL examples, verbatim.
DOC_BODY = """{
  "profile": {
    "name": "Max Mustermann",
    "email": "max.mustermann@example.org",
    "addressCountry": "AT",
    "address": "Liechtensteinstraße 111/115, 1090 Vienna"
  },
  "preferences": {
    "timeZone": "UTC",
    "languagePreference": "EN"
  },
  "initialAuth": {
    "type": "email",
    "identifier": {
      "type": "email",
      "email": "max.mustermann@example.org"
    },
    "data": {
      "type": "email",
      "password": "password123456"
    }
  }
}"""
# The documented response, without its generated _id.
DOC_RESPONSE = {
    "type": "USER",
    "profile": {
        "name": "Max Mustermann",
        "email": "max.mustermann@example.org",
        "addressCountry": "AT",
        "address": "Liechtensteinstraße 111/115, 1090 Vienna",
    },
    "accountPreferences": {"timeZone": "UTC", "languagePreference": "EN"},
    "flags": [],
    "roles": {},
}
NO_CREDENTIALS = "Unauthorized (NoCredentials)"
INVALID_CREDENTIALS = "Unauthorized (InvalidCredentials)"
EXPLANATION = (
    "Pass authentication credential either as 1) Basic Auth header (`Authorization: Basic "
    '<credentials>`) as per RFC 7617; OR 2) JSON document (`{"email": "<email>", "password": '
    '"<password>"}`); OR 3) Form post (email=<email>&password=<password>)!'
)
REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
REASONS |= {409: "Conflict", 415: "Unsupported Media Type", 501: "Not Implemented"}
WEEK = 7 * 24 * 3600


def exception(status: int, exception_id: str, message: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "exception": True,
        "id": exception_id,
        "status": REASONS[status],
        "code": str(status),
        "message": message,
    }
    if details:
        body["details"] = details
    return body


@pytest.fixture
def fake() -> FakeAuth:
    return FakeAuth()


@pytest.fixture
def client(fake: FakeAuth) -> Client:
    return Client(fake.wsgi_app, use_cookies=False)


def post(
    client: Client,
    path: str,
    body: Any = None,
    *,
    content_type: str | None = JSON,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    data = body if body is None or isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        path, data=data, content_type=content_type, headers=headers or {}, base_url=BASE_URL
    )


def get(client: Client, path: str, headers: dict[str, str] | None = None) -> TestResponse:
    return client.get(path, headers=headers or {}, base_url=BASE_URL)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register_body(email: str = EMAIL, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(DOC_BODY.replace(EMAIL, email))
    body.update(changes)
    return body


def login(client: Client, email: str, password: str) -> str:
    response = post(client, "/auth/account/emailpass", {"email": email, "password": password})
    assert response.status_code == 200
    return str(response.json["token"])  # type: ignore[index]


# -- the documentation's requests -----------------------------------------------------------------


def test_documented_admin_register_request_answers_the_documented_body(
    fake: FakeAuth, client: Client
) -> None:
    token = fake.waltid.superadmin().token
    headers = {"accept": "*/*", "Authorization": f"Bearer {token}"}

    response = post(client, "/v1/admin/account/register", DOC_BODY, headers=headers)

    assert response.status_code == 201
    assert response.mimetype == JSON
    body = response.json
    assert body is not None
    account = fake.waltid.get_account(EMAIL)
    assert body == {"_id": account.id, **DOC_RESPONSE}
    assert AccountDocument.model_validate(body).id == account.id
    assert login(client, EMAIL, "password123456")


def test_documented_public_register_request_answers_the_documented_body(
    fake: FakeAuth, client: Client
) -> None:
    response = post(client, "/v1/account/register", DOC_BODY, headers={"accept": "*/*"})

    assert response.status_code == 201
    assert response.json == {"_id": fake.waltid.get_account(EMAIL).id, **DOC_RESPONSE}
    assert fake.journal.calls("waltid.account_register")[0].request["initialAuth"]["data"] == {
        "type": "email",
        "password": redacted("password123456"),
    }


@pytest.mark.fidelity("waltid.register.flag-off")
def test_public_register_follows_the_flag_both_ways(fake: FakeAuth, client: Client) -> None:
    fake.features.disable("account-registration")
    disabled = post(client, "/v1/account/register", DOC_BODY)
    fake.features.enable("account-registration")

    enabled = post(client, "/v1/account/register", DOC_BODY)

    assert disabled.status_code == 404
    assert disabled.data == b""
    assert [e.status for e in fake.journal.calls("waltid.account_register")] == [404, 201]
    assert enabled.status_code == 201
    assert len(fake.waltid.accounts) == 1


def test_the_flag_leaves_the_admin_register_alone(fake: FakeAuth, client: Client) -> None:
    fake.features.disable("account-registration")

    response = post(
        client,
        "/v1/admin/account/register",
        DOC_BODY,
        headers=bearer(fake.waltid.superadmin().token),
    )

    assert response.status_code == 201


@pytest.mark.fidelity("waltid.admin.register-and-list")
def test_an_organization_admin_may_use_the_admin_register(fake: FakeAuth, client: Client) -> None:
    fake.waltid.add_organization("acme")
    admin = fake.waltid.add_account("admin@example.org", "pw")
    fake.waltid.grant_role(admin.id, "acme", "acme.admin")

    response = post(
        client,
        "/v1/admin/account/register",
        DOC_BODY,
        headers=bearer(fake.waltid.login("admin@example.org", "pw")),
    )

    assert response.status_code == 201


# -- register: every error, nothing stored --------------------------------------------------------

REGISTER_ERRORS = [
    pytest.param(
        "{}",
        exception(
            400,
            "BadRequestException",
            "Request body is missing required field(s): profile, preferences",
            missingFields=["profile", "preferences"],
            expectedType="AccountRegistrationRequest",
        ),
        id="missing-fields",
    ),
    pytest.param(
        register_body(profile={"name": "Max"}),
        exception(
            400,
            "BadRequestException",
            "Request body is missing required field(s): email",
            missingFields=["email"],
            expectedType="AccountRegistrationRequest",
        ),
        id="missing-nested-field",
    ),
    pytest.param(
        register_body(foo=1),
        exception(
            400,
            "BadRequestException",
            "Request body contains unknown field(s): foo",
            unknownFields=["foo"],
            expectedType="AccountRegistrationRequest",
        ),
        id="unknown-field",
    ),
    pytest.param(
        register_body(preferences={"theme": "dark"}),
        exception(
            400,
            "BadRequestException",
            "Request body contains unknown field(s): theme",
            unknownFields=["theme"],
            expectedType="AccountRegistrationRequest",
        ),
        id="unknown-nested-field",
    ),
    pytest.param(
        '{"profile": ',
        exception(
            400,
            "BadRequestException",
            "Unexpected JSON token at offset 12: Expecting value at path: $",
            expectedType="AccountRegistrationRequest",
        ),
        id="malformed-json",
    ),
    pytest.param(
        "",
        exception(
            400,
            "BadRequestException",
            "Unexpected JSON token at offset 0: Expected start of the object '{', but had 'EOF' "
            "instead at path: $",
            expectedType="AccountRegistrationRequest",
        ),
        id="empty-body",
    ),
    pytest.param(
        "null",
        exception(
            400,
            "BadRequestException",
            "Unexpected JSON token: Expected start of the object '{', but had 'null' instead at "
            "path: $",
            expectedType="AccountRegistrationRequest",
        ),
        id="null",
    ),
    pytest.param(
        "[]",
        exception(
            400,
            "BadRequestException",
            "Unexpected JSON token: Expected start of the object '{', but had '[' instead at "
            "path: $",
            expectedType="AccountRegistrationRequest",
        ),
        id="array",
    ),
    pytest.param(
        register_body(profile="Max"),
        exception(
            400,
            "BadRequestException",
            "Unexpected JSON token: Expected start of the object '{', but had '\"' instead at "
            "path: $.profile",
            expectedType="AccountRegistrationRequest",
        ),
        id="string-for-object",
    ),
    pytest.param(
        register_body(profile={"name": 1, "email": EMAIL}),
        exception(
            400,
            "BadRequestException",
            "Unexpected JSON token: Expected quotation mark '\"', but had '1' instead at path: "
            "$.profile.name",
            expectedType="AccountRegistrationRequest",
        ),
        id="number-for-string",
    ),
    pytest.param(
        register_body(profile={"name": None, "email": EMAIL}),
        exception(
            400,
            "BadRequestException",
            "Unexpected JSON token: Expected string literal but 'null' literal was found at path: "
            "$.profile.name",
            expectedType="AccountRegistrationRequest",
        ),
        id="null-for-string",
    ),
    pytest.param(
        register_body(initialAuth={"identifier": {}, "data": {}}),
        exception(
            400,
            "BadRequestException",
            "Request body is missing required class discriminator for AccountRegistrationRequest",
            expectedType="AccountRegistrationRequest",
        ),
        id="missing-discriminator",
    ),
    pytest.param(
        register_body(initialAuth={"type": "oidc"}),
        exception(
            400,
            "BadRequestException",
            "Serializer for subclass 'oidc' is not found in the "
            "polymorphic scope of 'InitialAuth' at path: $.initialAuth.type",
            expectedType="AccountRegistrationRequest",
        ),
        id="unsupported-method",
    ),
]


@pytest.mark.parametrize(("body", "expected"), REGISTER_ERRORS)
@pytest.mark.parametrize("path", ["/v1/admin/account/register", "/v1/account/register"])
@pytest.mark.fidelity("waltid.body.errors")
def test_register_refuses_a_bad_body_and_stores_nothing(
    fake: FakeAuth, client: Client, path: str, body: Any, expected: dict[str, Any]
) -> None:
    token = fake.waltid.superadmin().token

    response = post(client, path, body, headers=bearer(token))

    assert response.status_code == 400
    assert response.json == expected
    assert len(fake.waltid.accounts) == 1
    assert fake.handler_errors == []


@pytest.mark.parametrize(
    ("content_type", "declared"),
    [("text/plain", "text/plain"), (None, "*/*"), ("application/xml; q=1", "application/xml; q=1")],
)
@pytest.mark.fidelity("waltid.content-type.refused")
def test_register_needs_a_json_content_type(
    fake: FakeAuth, client: Client, content_type: str | None, declared: str
) -> None:
    response = post(client, "/v1/account/register", DOC_BODY, content_type=content_type)

    assert response.status_code == 415
    assert response.json == exception(
        415, "UnsupportedMediaTypeException", f"Content type {declared} is not supported"
    )
    assert fake.waltid.accounts == []


@pytest.mark.fidelity("waltid.register.duplicate-email")
def test_register_refuses_a_taken_email_whatever_its_case(fake: FakeAuth, client: Client) -> None:
    fake.waltid.add_account(EMAIL.upper(), "pw")

    response = post(client, "/v1/account/register", DOC_BODY)

    assert response.status_code == 409
    assert response.json == exception(
        409, "ConflictException", f"An account with email {EMAIL} already exists."
    )
    assert len(fake.waltid.accounts) == 1


def test_admin_register_without_a_bearer_is_plain_text_401(fake: FakeAuth, client: Client) -> None:
    response = post(client, "/v1/admin/account/register", DOC_BODY)

    assert response.status_code == 401
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == NO_CREDENTIALS
    assert fake.waltid.accounts == []


@pytest.mark.parametrize(
    "headers",
    [
        bearer("not-a-jwt"),
        {"Authorization": "Basic c3VwZXJhZG1pbkB3YWx0LmlkOnN1cGVyMTIzNDU2"},
        {"ktor-authnz-auth": ""},
    ],
    ids=["garbage-bearer", "basic", "empty-ktor-header"],
)
def test_admin_register_with_a_bad_token_is_plain_text_401(
    client: Client, headers: dict[str, str]
) -> None:
    response = post(client, "/v1/admin/account/register", DOC_BODY, headers=headers)

    assert response.status_code == 401
    assert response.get_data(as_text=True) == INVALID_CREDENTIALS


@pytest.mark.fidelity("waltid.forbidden")
def test_admin_register_with_a_plain_account_is_403(fake: FakeAuth, client: Client) -> None:
    account = fake.waltid.add_account("plain@example.org", "pw")

    response = post(
        client,
        "/v1/admin/account/register",
        DOC_BODY,
        headers=bearer(fake.waltid.login("plain@example.org", "pw")),
    )

    assert response.status_code == 403
    assert response.json == exception(
        403, "ForbiddenException", f"Account {account.id} is not allowed to perform this operation."
    )
    assert len(fake.waltid.accounts) == 1


# -- login and logout -----------------------------------------------------------------------------


@pytest.mark.fidelity("waltid.login.reply")
@pytest.mark.fidelity("waltid.content-type.charset")
def test_emailpass_login_answers_the_documented_shape_and_sets_the_cookie(
    fake: FakeAuth, client: Client
) -> None:
    account = fake.waltid.add_account(EMAIL, "password123456")

    response = post(
        client,
        "/auth/account/emailpass",
        '{"email": "max.mustermann@example.org", "password": "password123456"}',
        headers={"accept": "*/*"},
    )

    assert response.status_code == 200
    assert response.mimetype == JSON
    body = LoginResponse.model_validate(response.json)
    assert body.status == "OK"
    assert set(response.json or {}) == {"session_id", "status", "token"}
    assert jwt.get_unverified_header(body.token)["alg"] == "EdDSA"
    claims = jwt.decode(body.token, options={"verify_signature": False})
    assert claims["sub"] == account.id
    assert claims["session"] == body.session_id
    assert response.headers["Set-Cookie"] == (
        f"ktor-authnz-auth={body.token}; Path=/; HttpOnly; SameSite=Strict; Secure"
    )
    assert fake.journal[-1].request == {"email": EMAIL, "password": redacted("password123456")}


def test_login_takes_a_form_post_or_a_basic_header(fake: FakeAuth, client: Client) -> None:
    fake.waltid.add_account(EMAIL, "pw:with:colons")
    basic = base64.b64encode(f"{EMAIL}:pw:with:colons".encode()).decode()

    form = post(
        client,
        "/auth/account/emailpass",
        "email=max.mustermann%40example.org&password=pw%3Awith%3Acolons",
        content_type="application/x-www-form-urlencoded",
    )
    header = post(
        client,
        "/auth/account/emailpass",
        content_type=None,
        headers={"Authorization": f"Basic {basic}"},
    )

    assert (form.status_code, header.status_code) == (200, 200)
    assert fake.journal[0].request == {"email": EMAIL, "password": redacted("pw:with:colons")}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "expected"),
    [
        pytest.param(
            {"email": EMAIL, "password": "wrong"},
            JSON,
            401,
            exception(401, "InvalidCredentialsException", "Invalid email or password."),
            id="wrong-password",
        ),
        pytest.param(
            {"email": "nobody@example.org", "password": "pw"},
            JSON,
            404,
            exception(
                404,
                "AccountDataNotFoundException",
                "No stored data found for authentication method: email",
            ),
            id="unknown-email",
        ),
        pytest.param(
            {"password": "pw"},
            JSON,
            400,
            exception(
                400,
                "IllegalArgumentException",
                f"Invalid or missing email in JSON request. {EXPLANATION}",
            ),
            id="missing-email",
        ),
        pytest.param(
            {"email": EMAIL, "password": 12},
            JSON,
            400,
            exception(
                400,
                "IllegalArgumentException",
                f"Invalid or missing password in JSON request. {EXPLANATION}",
            ),
            id="number-password",
        ),
        pytest.param(
            "email=max.mustermann%40example.org",
            "application/x-www-form-urlencoded",
            400,
            exception(
                400,
                "IllegalArgumentException",
                f"Invalid or missing password in form post request. {EXPLANATION}",
            ),
            id="form-without-password",
        ),
        pytest.param(
            "[1]",
            JSON,
            400,
            exception(
                400,
                "BadRequestException",
                "Unexpected JSON token at offset 0: Expected start of the object '{', but had "
                "'[' instead at path: $",
                expectedType="JsonObject",
            ),
            id="array",
        ),
        pytest.param(
            "{",
            JSON,
            400,
            exception(
                400,
                "BadRequestException",
                "Unexpected JSON token at offset 1: Expecting property name enclosed in double "
                "quotes at path: $",
                expectedType="JsonObject",
            ),
            id="malformed-json",
        ),
        pytest.param(
            "superadmin",
            "text/plain",
            400,
            exception(
                400,
                "IllegalArgumentException",
                f"No basic auth credential header found. {EXPLANATION}",
            ),
            id="text-without-basic",
        ),
    ],
)
@pytest.mark.fidelity("waltid.login.unknown-email")
def test_login_errors(
    fake: FakeAuth,
    client: Client,
    body: Any,
    content_type: str,
    status: int,
    expected: dict[str, Any],
) -> None:
    fake.waltid.add_account(EMAIL, "pw")

    response = post(client, "/auth/account/emailpass", body, content_type=content_type)

    assert response.status_code == status
    assert response.json == expected
    assert fake.waltid.sessions == {}


@pytest.mark.parametrize(
    "carrier",
    [
        lambda token: {"Authorization": f"Bearer {token}"},
        lambda token: {"ktor-authnz-auth": token},
        lambda token: {"Cookie": f"ktor-authnz-auth={token}"},
        lambda token: {"Cookie": f"auth.token={token}"},
    ],
    ids=["bearer", "ktor-authnz-auth-header", "cookie", "auth-token-cookie"],
)
@pytest.mark.fidelity("waltid.token.carriers")
def test_the_token_is_read_from_every_carrier(fake: FakeAuth, client: Client, carrier: Any) -> None:
    token = fake.waltid.superadmin().token

    response = get(client, "/v1/admin/accounts", headers=carrier(token))

    assert response.status_code == 200


def test_the_login_cookie_carries_the_session_until_logout(fake: FakeAuth) -> None:
    browser = Client(fake.wsgi_app)
    fake.waltid.activate_superadmin(REGISTRATION_TOKEN)
    login(browser, **SUPERADMIN)

    before = get(browser, "/v1/admin/accounts")
    logout = post(browser, "/auth/logout", content_type=None)
    after = get(browser, "/v1/admin/accounts")

    assert before.status_code == 200
    assert logout.status_code == 200
    assert logout.data == b""
    assert logout.headers.getlist("Set-Cookie") == [
        f"{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; "
        "SameSite=Strict; Secure"
        for name in ("ktor-authnz-auth", "auth.token")
    ]
    assert after.get_data(as_text=True) == NO_CREDENTIALS
    assert fake.waltid.sessions == {}


@pytest.mark.fidelity("waltid.logout")
def test_a_logged_out_token_is_refused_and_logout_is_idempotent(
    fake: FakeAuth, client: Client
) -> None:
    token = fake.waltid.superadmin().token
    post(client, "/auth/logout", headers=bearer(token), content_type=None)

    again = post(client, "/auth/logout", headers=bearer(token), content_type=None)
    refused = get(client, "/v1/admin/accounts", headers=bearer(token))

    assert again.status_code == 200
    assert refused.status_code == 401
    assert refused.get_data(as_text=True) == INVALID_CREDENTIALS


def _forgeries(fake: FakeAuth) -> dict[str, str]:
    token = fake.waltid.superadmin().token
    claims = jwt.decode(token, options={"verify_signature": False})
    header, _, signature = token.split(".")
    tampered = base64.urlsafe_b64encode(json.dumps({**claims, "exp": 4102444800}).encode())
    fake.ovok.add_account(email="max@example.test", password="s3cret")
    return {
        "alg-none": jwt.encode(claims, "", algorithm="none"),
        "wrong-key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA"),
        "tampered": f"{header}.{tampered.rstrip(b'=').decode()}.{signature}",
        "ovok": fake.ovok.authenticate(
            email="max@example.test",
            password="s3cret",
            tenant_id=DEFAULT_TENANT_ID,
            client_id=DEFAULT_CLIENT_ID,
        ).access_token,
        "other-fake": FakeAuth().waltid.superadmin().token,
    }


@pytest.mark.parametrize("kind", ["alg-none", "wrong-key", "tampered", "ovok", "other-fake"])
@pytest.mark.fidelity("waltid.token.refused")
def test_a_forged_or_foreign_token_is_refused(fake: FakeAuth, client: Client, kind: str) -> None:
    forged = _forgeries(fake)[kind]

    response = get(client, "/v1/admin/accounts", headers=bearer(forged))

    assert response.status_code == 401
    assert response.get_data(as_text=True) == INVALID_CREDENTIALS


# -- expiry, to the second ------------------------------------------------------------------------


@pytest.mark.fidelity("waltid.token.expired")
def test_the_token_expires_to_the_second_under_freezegun(client: Client) -> None:
    with freeze_time("2026-01-01T00:00:00Z") as frozen:
        fake = FakeAuth()
        client = Client(fake.wsgi_app, use_cookies=False)
        fake.waltid.superadmin()
        token = login(client, **SUPERADMIN)
        frozen.tick(WEEK - 1)
        last_good = get(client, "/v1/admin/accounts", headers=bearer(token))

        frozen.tick(1)
        at_exp = get(client, "/v1/admin/accounts", headers=bearer(token))
        frozen.tick(90061.25)
        later = get(client, "/v1/admin/accounts", headers=bearer(token))

    assert last_good.status_code == 200
    assert at_exp.status_code == 401
    assert at_exp.json == exception(
        401, "ExpiredTokenException", "JWT Login Token expired since: 0s"
    )
    assert later.json == exception(
        401, "ExpiredTokenException", "JWT Login Token expired since: 1d 1h 1m 1.25s"
    )


def test_the_token_expires_to_the_second_with_the_fake_clock(
    fake: FakeAuth, client: Client
) -> None:
    fake.clock.set(datetime(2026, 1, 1, tzinfo=timezone.utc), frozen=True)
    token = fake.waltid.superadmin().token
    fake.clock.shift(WEEK - 1)
    last_good = get(client, "/v1/admin/accounts", headers=bearer(token))

    fake.clock.shift(1)
    at_exp = get(client, "/v1/admin/accounts", headers=bearer(token))

    assert last_good.status_code == 200
    assert at_exp.status_code == 401
    assert at_exp.json == exception(
        401, "ExpiredTokenException", "JWT Login Token expired since: 0s"
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.25, "250ms"),
        (0.000_5, "500us"),
        (1, "1s"),
        (1.5, "1.5s"),
        (30.34, "30.34s"),
        (30.345, "30.345s"),
        (1.0001, "1.000100s"),
        (3600 + 30.34, "1h 0m 30.34s"),
        (86400, "1d"),
        (86400 + 5, "1d 0h 0m 5s"),
        (2 * 3600 + 60, "2h 1m"),
    ],
)
def test_kotlin_duration(seconds: float, text: str) -> None:
    assert kotlin_duration(seconds) == text


# -- the set-up flow real clients run -------------------------------------------------------------


def run_setup(client: Client, *, first: bool) -> None:
    """The quickstart CLI's steps; ``first=False`` expects the idempotent replies."""
    registered = get(client, "/features/registered")
    state = get(client, "/features/state")
    activated = post(
        client, "/v1/superadmin/create-by-token", REGISTRATION_TOKEN, content_type="text/plain"
    )
    token = login(client, **SUPERADMIN)
    initial = post(client, "/v1/dev/initial-setup", headers=bearer(token), content_type=None)
    org = post(
        client,
        "/v1/admin/organizations",
        {"_id": "acme", "profile": {"name": "acme Organization"}},
        headers=bearer(token),
    )
    created = post(
        client, "/v1/admin/account/register", register_body("admin@acme.org"), headers=bearer(token)
    )
    accounts = get(client, "/v1/admin/accounts", headers=bearer(token))
    admin = next(a for a in accounts.json or [] if a["profile"]["email"] == "admin@acme.org")
    role = post(
        client,
        f"/v1/admin/account/{admin['_id']}/roles/add/acme/acme.admin",
        content_type=None,
        headers={"accept": JSON, **bearer(token)},
    )

    assert (registered.status_code, state.status_code, initial.status_code) == (200, 200, 200)
    assert accounts.status_code == 200
    if first:
        assert (activated.status_code, org.status_code, created.status_code) == (200, 201, 201)
        assert org.json == {"_id": "acme", "profile": {"name": "acme Organization"}}
        assert role.status_code == 200
        assert role.json == {**admin, "roles": {"acme": ["acme.admin"]}}
    else:
        assert activated.json == exception(409, "ConflictException", "Super admin already exists")
        assert org.status_code == 409
        assert '"type":"DuplicateTarget"' in org.get_data(as_text=True)
        assert created.status_code == 409
        assert "already" in created.get_data(as_text=True)
        assert (role.status_code, role.get_data(as_text=True)) == (200, "{}")


def test_the_setup_flow_runs_twice(fake: FakeAuth, client: Client) -> None:
    recreated = post(
        client, "/v1/dev/database-recreate", content_type=None, headers={"accept": "*/*"}
    )

    run_setup(client, first=True)
    run_setup(client, first=False)

    assert recreated.status_code == 200
    assert [a.email for a in fake.waltid.accounts] == ["superadmin@walt.id", "admin@acme.org"]
    admin_token = login(client, "admin@acme.org", "password123456")
    assert (
        post(
            client, "/v1/admin/account/register", DOC_BODY, headers=bearer(admin_token)
        ).status_code
        == 201
    )


@pytest.mark.fidelity("waltid.dev-routes")
def test_database_recreate_resets_walt_id_but_not_the_flags(fake: FakeAuth, client: Client) -> None:
    token = fake.waltid.superadmin().token
    fake.waltid.add_organization("acme")
    fake.features.disable("account-registration")

    response = post(client, "/v1/dev/database-recreate", content_type=None)

    assert response.status_code == 200
    assert fake.waltid.accounts == []
    assert fake.waltid.organizations == {}
    assert get(client, "/v1/admin/accounts", headers=bearer(token)).status_code == 401
    assert not fake.features.is_enabled("account-registration")
    assert (
        post(
            client, "/v1/superadmin/create-by-token", REGISTRATION_TOKEN, content_type="text/plain"
        ).status_code
        == 200
    )


@pytest.mark.fidelity("waltid.create-by-token")
def test_create_by_token_takes_raw_text_json_or_the_documented_braces(client: Client) -> None:
    bodies = [
        (REGISTRATION_TOKEN, "text/plain"),
        (json.dumps({"token": REGISTRATION_TOKEN}), JSON),
        ("{\n    1234567890-my-token\n  }", JSON),
    ]

    statuses = [
        post(client, "/v1/superadmin/create-by-token", b, content_type=t).status_code
        for b, t in bodies
    ]

    assert statuses == [200, 409, 409]


def test_create_by_token_refuses_a_wrong_token_without_saying_exists(
    fake: FakeAuth, client: Client
) -> None:
    response = post(client, "/v1/superadmin/create-by-token", "wrong", content_type="text/plain")

    assert response.status_code == 401
    assert response.json == exception(
        401, "UnauthorizedException", "Invalid superadmin registration token."
    )
    assert "already" not in response.get_data(as_text=True)
    assert "exists" not in response.get_data(as_text=True)
    assert fake.journal[-1].request == redacted("wrong")


@pytest.mark.fidelity("waltid.features.endpoints")
def test_features_reflect_the_registry(fake: FakeAuth, client: Client) -> None:
    fake.features.disable("dev-mode")

    registered = get(client, "/features/registered")
    state = get(client, "/features/state")

    assert registered.json == {f.name: f.description for f in fake.features if f.vendor == "waltid"}
    body = FeatureState.model_validate(state.json)
    assert body.disabled.features == {"dev-mode": "Development mode"}
    assert body.disabled.total == 1
    assert body.enabled.total == len(registered.json or {}) - 1
    assert body.defaultedDisabled.total == 0


@pytest.mark.parametrize(
    ("feature", "method", "path"),
    [
        ("feature-flag-information-endpoint", "GET", "/features/state"),
        ("superadmin-registration", "POST", "/v1/superadmin/create-by-token"),
        ("dev-mode", "POST", "/v1/dev/database-recreate"),
        ("organization-creation", "POST", "/v1/admin/organizations"),
        ("admin", "GET", "/v1/admin/accounts"),
    ],
)
@pytest.mark.fidelity("waltid.features.gated-routes")
def test_a_disabled_feature_hides_its_route(
    fake: FakeAuth, client: Client, feature: str, method: str, path: str
) -> None:
    fake.features.disable(feature)

    response = client.open(path, method=method, base_url=BASE_URL)

    assert (response.status_code, response.data) == (404, b"")
    assert fake.journal[-1].operation is not None


def test_organization_creation_is_for_the_superadmin(fake: FakeAuth, client: Client) -> None:
    fake.waltid.add_account(EMAIL, "pw")
    body = {"_id": "acme", "profile": {"name": "Acme"}}

    response = post(
        client, "/v1/admin/organizations", body, headers=bearer(fake.waltid.login(EMAIL, "pw"))
    )

    assert response.status_code == 403
    assert fake.waltid.organizations == {}


@pytest.mark.fidelity("waltid.organizations")
def test_organization_creation_refuses_a_bad_body(fake: FakeAuth, client: Client) -> None:
    token = fake.waltid.superadmin().token

    missing = post(
        client, "/v1/admin/organizations", {"profile": {"name": "Acme"}}, headers=bearer(token)
    )
    bad_id = post(
        client,
        "/v1/admin/organizations",
        {"_id": "a/b", "profile": {"name": "A"}},
        headers=bearer(token),
    )

    assert missing.json == exception(
        400,
        "IllegalArgumentException",
        "Request body is missing required field(s): _id",
        missingFields=["_id"],
        expectedType="CreateOrgRequest",
    )
    assert bad_id.json == exception(
        400,
        "IllegalArgumentException",
        "Invalid organization id 'a/b': use letters, digits, '-' and '_'.",
    )
    assert fake.waltid.organizations == {}


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/v1/admin/account/nobody/roles/add/acme/acme.admin", 404, "Account not found: nobody"),
        (
            "/v1/admin/account/{id}/roles/add/other/other.admin",
            404,
            "Organization not found: other",
        ),
        ("/v1/admin/account/{id}/roles/add/acme/acme.nope", 404, "Role not found: acme.nope"),
        (
            "/v1/admin/account/{id}/roles/add/beta/acme.admin",
            400,
            "Role acme.admin does not belong to organization beta.",
        ),
    ],
)
@pytest.mark.fidelity("waltid.roles.add")
def test_role_assignment_errors(
    fake: FakeAuth, client: Client, path: str, status: int, message: str
) -> None:
    fake.waltid.add_organization("acme")
    fake.waltid.add_organization("beta")
    account = fake.waltid.add_account(EMAIL, "pw")
    ids = {404: "NotFoundException", 400: "IllegalArgumentException"}

    response = post(
        client,
        path.format(id=account.id),
        content_type=None,
        headers=bearer(fake.waltid.superadmin().token),
    )

    assert response.json == exception(status, ids[status], message)
    assert account.roles == {}


def test_an_organization_admin_assigns_roles_only_in_its_organization(
    fake: FakeAuth, client: Client
) -> None:
    for org in ("acme", "beta"):
        fake.waltid.add_organization(org)
    fake.waltid.add_role("acme", "viewer")
    admin = fake.waltid.add_account("admin@example.org", "pw")
    fake.waltid.grant_role(admin.id, "acme", "acme.admin")
    account = fake.waltid.add_account(EMAIL, "pw")
    token = fake.waltid.login("admin@example.org", "pw")

    own = post(
        client,
        f"/v1/admin/account/{account.id}/roles/add/acme/acme.viewer",
        content_type=None,
        headers=bearer(token),
    )
    other = post(
        client,
        f"/v1/admin/account/{account.id}/roles/add/beta/beta.admin",
        content_type=None,
        headers=bearer(token),
    )

    assert own.status_code == 200
    assert other.status_code == 403
    assert fake.waltid.account(account.id).roles == {"acme": ("acme.viewer",)}


def test_initial_setup_needs_the_superadmin(fake: FakeAuth, client: Client) -> None:
    fake.waltid.add_account(EMAIL, "pw")

    anonymous = post(client, "/v1/dev/initial-setup", content_type=None)
    plain = post(
        client,
        "/v1/dev/initial-setup",
        content_type=None,
        headers=bearer(fake.waltid.login(EMAIL, "pw")),
    )

    assert anonymous.get_data(as_text=True) == NO_CREDENTIALS
    assert plain.status_code == 403


@pytest.mark.fidelity("waltid.dev-routes.admin-initial-setup")
def test_the_older_quickstart_initial_setup_answers_as_the_dev_route(
    fake: FakeAuth, client: Client
) -> None:
    account = fake.waltid.add_account(EMAIL, "pw")
    plain, admin = fake.waltid.login(EMAIL, "pw"), fake.waltid.superadmin().token
    callers: tuple[dict[str, str], ...] = ({}, bearer(plain), bearer(admin))
    paths = ("/v1/dev/initial-setup", "/v1/admin/initial-setup")

    def answers() -> list[tuple[int, Any]]:
        return [
            (response.status_code, response.json if response.is_json else response.text)
            for path in paths
            for headers in callers
            for response in [post(client, path, content_type=None, headers=headers)]
        ]

    served = answers()
    fake.features.disable("dev-mode")
    hidden = answers()

    forbidden = exception(
        403, "ForbiddenException", f"Account {account.id} is not allowed to perform this operation."
    )
    assert served == 2 * [(401, NO_CREDENTIALS), (403, forbidden), (200, "")]
    assert hidden == 6 * [(404, "")]
    assert fake.calls("waltid.admin_initial_setup").call_count == 6
    assert fake.journal.unserved == []


@pytest.mark.fidelity("waltid.seam-errors")
def test_an_unserved_walt_id_path_is_a_loud_501(fake: FakeAuth, client: Client) -> None:
    response = get(client, "/v1/admin/keys")

    assert response.status_code == 501
    assert response.json == exception(
        501,
        "NotImplementedError",
        'fakeauth does not implement GET /v1/admin/keys (waltid); the page "walt.id Enterprise '
        "routes\" of fakeauth's documentation lists what it serves",
    )


# -- determinism and threads ----------------------------------------------------------------------


def _seeded_run() -> tuple[str, str, str, Any]:
    fake = FakeAuth(seed=1)
    client = Client(fake.wsgi_app, use_cookies=False)
    superadmin = fake.waltid.superadmin()
    created = post(client, "/v1/admin/account/register", DOC_BODY, headers=bearer(superadmin.token))
    return (
        superadmin.account.id,
        superadmin.token,
        login(client, EMAIL, "password123456"),
        created.json,
    )


def test_a_seed_repeats_every_id_and_token() -> None:
    with freeze_time("2026-01-01T00:00:00Z"):
        first = _seeded_run()
        second = _seeded_run()

    assert first == second


def test_sixteen_threads_registering_one_email_get_one_201(fake: FakeAuth) -> None:
    statuses: list[int] = []

    def register() -> None:
        client = Client(fake.wsgi_app, use_cookies=False)
        statuses.append(post(client, "/v1/account/register", DOC_BODY).status_code)

    threads = [threading.Thread(target=register) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] + [409] * 15
    assert len(fake.waltid.accounts) == 1


# -- the corners --------------------------------------------------------------------------------


@pytest.mark.fidelity("waltid.register.request")
def test_an_account_without_initial_auth_cannot_log_in(fake: FakeAuth, client: Client) -> None:
    body = {"profile": {"name": "Max", "email": EMAIL}, "preferences": {"timeZone": None}}

    created = post(client, "/v1/account/register", body)
    attempt = post(client, "/auth/account/emailpass", {"email": EMAIL, "password": "x"})

    assert created.status_code == 201
    assert created.json == {
        "_id": fake.waltid.get_account(EMAIL).id,
        "type": "USER",
        "profile": {"name": "Max", "email": EMAIL},
        "accountPreferences": {},
        "flags": [],
        "roles": {},
    }
    assert attempt.status_code == 404


@pytest.mark.fidelity("waltid.login.cookie")
def test_the_cookie_is_secure_only_over_https(fake: FakeAuth) -> None:
    fake.waltid.add_account(EMAIL, "pw")
    client = Client(fake.wsgi_app, use_cookies=False)

    response = client.post(
        "/auth/account/emailpass",
        json={"email": EMAIL, "password": "pw"},
        base_url="http://127.0.0.1:8080",
    )

    assert response.status_code == 200
    assert response.headers["Set-Cookie"].endswith("; Path=/; HttpOnly; SameSite=Strict")


def test_logout_without_a_token_still_clears_the_cookies(client: Client) -> None:
    response = post(client, "/auth/logout", content_type=None)

    assert response.status_code == 200
    assert len(response.headers.getlist("Set-Cookie")) == 2


def test_features_show_only_walt_id_flags(fake: FakeAuth, client: Client) -> None:
    fake.features.register(Feature("strict-mode", "b2core", "B2Core only", False))

    state = get(client, "/features/state")

    assert "strict-mode" not in json.dumps(state.json)


def test_organization_creation_needs_json(fake: FakeAuth, client: Client) -> None:
    response = post(
        client,
        "/v1/admin/organizations",
        "acme",
        content_type="text/plain",
        headers=bearer(fake.waltid.superadmin().token),
    )

    assert response.json == exception(
        415, "UnsupportedMediaTypeException", "Content type text/plain is not supported"
    )


def test_a_deeply_nested_body_is_a_400(fake: FakeAuth, client: Client) -> None:
    response = post(client, "/v1/account/register", "[" * 100_000 + "]" * 100_000)

    assert response.json == exception(
        400,
        "BadRequestException",
        "Unexpected JSON token: nesting too deep",
        expectedType="AccountRegistrationRequest",
    )
    assert fake.handler_errors == []


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Basic !!!", 400),
        ("Basic " + base64.b64encode(b"no-colon").decode(), 400),
        ("Basic " + base64.b64encode("m\xe4x@example.org:pw".encode("latin-1")).decode(), 200),
    ],
    ids=["bad-base64", "no-colon", "latin-1"],
)
def test_basic_credentials(fake: FakeAuth, client: Client, header: str, status: int) -> None:
    fake.waltid.add_account("m\xe4x@example.org", "pw")

    response = post(
        client, "/auth/account/emailpass", content_type=None, headers={"Authorization": header}
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('"1234567890-my-token"', 200),
        ("{ 1234567890-my-token", 401),
        ("", 401),
        ('{"token": 1}', 401),
    ],
    ids=["json-string", "unclosed-brace", "empty", "number-token"],
)
def test_create_by_token_body_forms(client: Client, body: str, status: int) -> None:
    response = post(client, "/v1/superadmin/create-by-token", body, content_type="text/plain")

    assert response.status_code == status
