"""Ovok B2B auth through the WSGI app: the documentation's requests, every error path, tokens."""

from __future__ import annotations

import json
import threading
from typing import Any

import jwt
import pytest
from freezegun import freeze_time
from werkzeug.test import Client, TestResponse

from fakeauth import ConfigurationError, FakeAuth, redacted
from fakeauth.seeding import apply_seed
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_PROJECT_ID, DEFAULT_TENANT_ID

BASE_URL = "https://api.dev.ovok.com"
EMAIL = "max.mustermann@example.com"
PASSWORD = "A[.DmUv]2vE|n_+]"
# The documentation's cURL bodies, verbatim.
REGISTER_BODY = """{
"email": "max.mustermann@example.com",
"password": "A[.DmUv]2vE|n_+]",
"name": "Max",
"surname": "Mustermann",
"tenantId": "87ea5dfc-8b8e-384d-8489-79496e706390",
"clientId": "87ea5dfc-8b8e-384d-8489-79496e706390"
}"""
LOGIN_BODY = """{
"email": "max.mustermann@example.com",
"password": "A[.DmUv]2vE|n_+]",
"clientId": "87ea5dfc-8b8e-384d-8489-79496e706390",
"tenantId": "87ea5dfc-8b8e-384d-8489-79496e706390"
}"""
JSON = "application/json"
UNAUTHORIZED = {"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}


@pytest.fixture
def fake() -> FakeAuth:
    return FakeAuth()


@pytest.fixture
def client(fake: FakeAuth) -> Client:
    return Client(fake.wsgi_app)


def post(client: Client, path: str, body: Any, **kwargs: Any) -> TestResponse:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    kwargs.setdefault("content_type", JSON)
    return client.post(path, data=data, base_url=BASE_URL, **kwargs)


def register_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(REGISTER_BODY)
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def login_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(LOGIN_BODY)
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.fidelity("ovok.example-project")
def test_documented_register_request_answers_the_documented_shape(
    fake: FakeAuth, client: Client
) -> None:
    response = post(client, "/auth/b2b/register", REGISTER_BODY)

    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    body = response.json
    assert body is not None
    account = fake.ovok.get_account(EMAIL)
    assert body == {
        "accessToken": body["accessToken"],
        "refreshToken": body["refreshToken"],
        "expiresIn": 3600,
        "project": {"reference": f"Project/{DEFAULT_PROJECT_ID}", "display": "My Medical Project"},
        "profile": {"reference": f"Patient/{account.profile_id}", "display": "Max Mustermann"},
    }
    assert account.email == EMAIL
    assert account.tenant_id == DEFAULT_TENANT_ID


def test_documented_login_request_after_register(client: Client) -> None:
    post(client, "/auth/b2b/register", REGISTER_BODY)

    response = post(client, "/auth/b2b/login", LOGIN_BODY)

    assert response.status_code == 200
    assert response.json is not None
    assert response.json["expiresIn"] == 3600
    assert response.json["profile"]["display"] == "Max Mustermann"


@pytest.mark.fidelity("ovok.tokens.claims")
def test_access_token_is_a_real_hs256_jwt_with_the_documented_claims(
    fake: FakeAuth, client: Client
) -> None:
    with freeze_time("2026-03-01T12:00:00Z"):
        body = post(client, "/auth/b2b/register", REGISTER_BODY).json
    assert body is not None
    account = fake.ovok.get_account(EMAIL)

    header = jwt.get_unverified_header(body["accessToken"])
    claims = jwt.decode(body["accessToken"], options={"verify_signature": False})

    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims["sub"] == account.id
    assert claims["iat"] == 1772366400
    assert claims["exp"] == 1772366400 + 3600
    assert claims["client_id"] == DEFAULT_CLIENT_ID
    assert claims["profile"] == f"Patient/{account.profile_id}"
    assert claims["project"] == f"Project/{DEFAULT_PROJECT_ID}"
    assert claims["login_id"]


@pytest.mark.fidelity("ovok.register.verification-email")
def test_register_sends_a_verification_email(fake: FakeAuth, client: Client) -> None:
    post(client, "/auth/b2b/register", REGISTER_BODY)

    message = fake.outbox.last()

    assert (message.vendor, message.kind, message.to) == ("ovok", "email-verification", EMAIL)
    assert message.data["code"] in message.body


def test_register_ignores_unknown_fields_and_echoes_the_email_as_sent(
    fake: FakeAuth, client: Client
) -> None:
    response = post(
        client, "/auth/b2b/register", register_body(email="Max.Mustermann@Example.TEST", type="x")
    )

    assert response.status_code == 200
    assert fake.ovok.accounts[0].email == "Max.Mustermann@Example.TEST"


def test_login_compares_the_email_case_insensitively(client: Client) -> None:
    post(client, "/auth/b2b/register", REGISTER_BODY)

    response = post(client, "/auth/b2b/login", login_body(email="MAX.Mustermann@EXAMPLE.com"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": None}, "email must be an email"),
        ({"email": "not-an-email"}, "email must be an email"),
        ({"email": "max@localhost"}, "email must be an email"),
        ({"email": 42}, "email must be an email"),
        ({"password": None}, "password must be a string"),
        ({"password": ""}, "password must be longer than or equal to 1 characters"),
        ({"password": "x" * 129}, "password must be shorter than or equal to 128 characters"),
        ({"password": 12345}, "password must be a string"),
        ({"name": None}, "name must be a string"),
        ({"name": "n" * 129}, "name must be shorter than or equal to 128 characters"),
        ({"surname": ""}, "surname must be longer than or equal to 1 characters"),
        ({"surname": ["Mustermann"]}, "surname must be a string"),
        ({"tenantId": None}, "tenantId must be a UUID"),
        ({"tenantId": "tenant-1"}, "tenantId must be a UUID"),
        ({"clientId": 7}, "clientId must be a UUID"),
    ],
)
@pytest.mark.fidelity("ovok.fields.invalid")
def test_register_field_errors_answer_422_naming_the_field(
    fake: FakeAuth, client: Client, changes: dict[str, Any], message: str
) -> None:
    response = post(client, "/auth/b2b/register", register_body(**changes))

    assert response.status_code == 422
    assert response.json == {
        "statusCode": 422,
        "message": message,
        "error": "Unprocessable Entity",
    }
    assert fake.ovok.accounts == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "nope"}, "email must be an email"),
        ({"password": None}, "password must be a string"),
        ({"clientId": None}, "clientId must be a UUID"),
        ({"tenantId": "x"}, "tenantId must be a UUID"),
    ],
)
def test_login_field_errors_answer_422(
    client: Client, changes: dict[str, Any], message: str
) -> None:
    response = post(client, "/auth/b2b/login", login_body(**changes))

    assert response.status_code == 422
    assert response.json == {"statusCode": 422, "message": message, "error": "Unprocessable Entity"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{bad json", "Unexpected token b in JSON at position 1"),
        ('{"email": ', "Unexpected end of JSON input"),
        ("null", "Unexpected token n in JSON at position 0"),
        ('"a string"', 'Unexpected token " in JSON at position 0'),
    ],
)
@pytest.mark.fidelity("ovok.json.malformed")
def test_malformed_json_answers_400(client: Client, body: str, message: str) -> None:
    response = post(client, "/auth/b2b/register", body)

    assert response.status_code == 400
    assert response.json == {"statusCode": 400, "message": message, "error": "Bad Request"}


@pytest.mark.fidelity("ovok.json.array")
def test_a_json_array_is_refused_by_validation(client: Client) -> None:
    response = post(client, "/auth/b2b/register", "[1, 2]")

    assert response.status_code == 422
    assert response.json is not None
    assert response.json["message"] == "an unknown value was passed to the validate function"


def test_deeply_nested_json_is_refused_not_crashed(fake: FakeAuth, client: Client) -> None:
    response = post(client, "/auth/b2b/register", "[" * 40_000 + "]" * 40_000)

    assert response.status_code == 400
    assert fake.handler_errors == []


def test_an_empty_json_body_is_an_empty_object(client: Client) -> None:
    response = post(client, "/auth/b2b/register", "")

    assert response.status_code == 422
    assert response.json is not None
    assert response.json["message"] == "email must be an email"


def test_a_body_without_json_content_type_is_not_parsed(client: Client) -> None:
    response = post(client, "/auth/b2b/register", REGISTER_BODY, content_type="text/plain")

    assert response.status_code == 422
    assert response.json is not None
    assert response.json["message"] == "email must be an email"


@pytest.mark.fidelity("ovok.body.form")
def test_a_form_post_is_read_as_express_urlencoded_does(fake: FakeAuth, client: Client) -> None:
    response = client.post(
        "/auth/b2b/register", data=register_body(), base_url=BASE_URL
    )  # werkzeug sends a dict as application/x-www-form-urlencoded

    assert response.status_code == 200
    assert fake.ovok.accounts[0].name == "Max"


def test_non_utf8_bytes_are_replaced_as_body_parser_does(client: Client) -> None:
    body = (
        REGISTER_BODY.replace('"Max"', '"M\\u00e4x"')
        .encode()
        .replace(b'Mustermann"', b'M\xffller"')
    )

    response = post(client, "/auth/b2b/register", body)

    assert response.status_code == 200
    assert response.json is not None
    assert response.json["profile"]["display"] == "Mäx M\ufffdller"


def test_an_oversized_body_answers_413(fake: FakeAuth, client: Client) -> None:
    body = register_body(name="x" * (200 * 1024))

    response = post(client, "/auth/b2b/register", body)

    assert response.status_code == 413
    assert response.json == {
        "statusCode": 413,
        "message": "request entity too large",
        "error": "Request Entity Too Large",
    }
    assert fake.ovok.accounts == []


@pytest.mark.fidelity("ovok.register.duplicate-email")
def test_duplicate_email_answers_400_and_keeps_the_first_account(
    fake: FakeAuth, client: Client
) -> None:
    post(client, "/auth/b2b/register", REGISTER_BODY)
    first = fake.ovok.get_account(EMAIL)

    response = post(
        client,
        "/auth/b2b/register",
        register_body(email=EMAIL.upper(), password="other", name="Erika"),
    )

    assert response.status_code == 400
    assert response.json == {
        "statusCode": 400,
        "message": "Email already registered",
        "error": "Bad Request",
    }
    assert fake.ovok.accounts == [first]
    assert first.name == "Max"
    assert post(client, "/auth/b2b/login", LOGIN_BODY).status_code == 200


@pytest.mark.parametrize(
    "changes",
    [{"password": "wrong"}, {"email": "nobody@example.com"}],
    ids=["wrong-password", "unknown-email"],
)
@pytest.mark.fidelity("ovok.login.bad-credentials")
def test_bad_credentials_answer_401_without_telling_which(
    client: Client, changes: dict[str, Any]
) -> None:
    post(client, "/auth/b2b/register", REGISTER_BODY)

    response = post(client, "/auth/b2b/login", login_body(**changes))

    assert response.status_code == 401
    assert response.json == {
        "statusCode": 401,
        "message": "Email or password is invalid",
        "error": "Unauthorized",
    }


@pytest.mark.parametrize("path", ["/auth/b2b/register", "/auth/b2b/login"])
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tenantId": "00000000-0000-4000-8000-000000000000"}, "Project not found"),
        ({"clientId": "00000000-0000-4000-8000-000000000000"}, "Client not found"),
    ],
)
@pytest.mark.fidelity("ovok.tenant.unknown")
def test_unknown_tenant_or_client_answers_404(
    fake: FakeAuth, client: Client, path: str, changes: dict[str, Any], message: str
) -> None:
    fake.ovok.add_account(EMAIL, PASSWORD)

    response = post(client, path, register_body(**changes))

    assert response.status_code == 404
    assert response.json == {"statusCode": 404, "message": message, "error": "Not Found"}
    assert len(fake.ovok.accounts) == 1


def test_a_client_of_another_tenant_is_not_found(fake: FakeAuth, client: Client) -> None:
    other = fake.ovok.add_tenant(display="Other")
    other_client = fake.ovok.add_client(tenant_id=other.id)

    response = post(client, "/auth/b2b/register", register_body(clientId=other_client.id))

    assert response.status_code == 404
    assert response.json is not None
    assert response.json["message"] == "Client not found"


def test_the_same_email_may_register_in_two_tenants(fake: FakeAuth, client: Client) -> None:
    other = fake.ovok.add_tenant(display="Second Project")
    other_client = fake.ovok.add_client(tenant_id=other.id)
    post(client, "/auth/b2b/register", REGISTER_BODY)

    response = post(
        client, "/auth/b2b/register", register_body(tenantId=other.id, clientId=other_client.id)
    )

    assert response.status_code == 200
    assert response.json is not None
    assert response.json["project"] == {
        "reference": f"Project/{other.project_id}",
        "display": "Second Project",
    }


def test_seeded_account_logs_in(fake: FakeAuth, client: Client) -> None:
    account = fake.ovok.add_account(email="erika@example.test", password="pw", name="Erika")

    response = post(
        client, "/auth/b2b/login", login_body(email="erika@example.test", password="pw")
    )

    assert response.status_code == 200
    assert response.json is not None
    assert response.json["profile"] == {
        "reference": f"Patient/{account.profile_id}",
        "display": "Erika Mustermann",
    }


# -- /auth/me, logout, refresh ---------------------------------------------------------------


def login(client: Client) -> dict[str, Any]:
    post(client, "/auth/b2b/register", REGISTER_BODY)
    body = post(client, "/auth/b2b/login", LOGIN_BODY).get_json()
    assert isinstance(body, dict)
    return body


@pytest.mark.fidelity("ovok.me.values")
def test_me_answers_the_documented_shape_filled_from_the_account(
    fake: FakeAuth, client: Client
) -> None:
    tokens = login(client)
    account = fake.ovok.get_account(EMAIL)

    response = client.get("/auth/me", headers=bearer(tokens["accessToken"]), base_url=BASE_URL)

    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["project"] == {
        "resourceType": "Project",
        "id": DEFAULT_PROJECT_ID,
        "name": "My Medical Project",
        "strictMode": True,
    }
    assert body["membership"] == {
        "resourceType": "ProjectMembership",
        "id": account.membership_id,
        "user": {"reference": f"User/{account.id}", "display": EMAIL},
    }
    assert body["profile"] == {
        "resourceType": "Patient",
        "id": account.profile_id,
        "name": [{"given": ["Max"], "family": "Mustermann"}],
        "telecom": [{"system": "email", "use": "work", "value": EMAIL}],
    }
    assert body["config"] == {
        "resourceType": "UserConfiguration",
        "menu": [{"title": "Favorites", "link": []}],  # as Ovok's example reply
    }
    assert body["accessPolicy"] == {
        "resourceType": "AccessPolicy",
        "resource": [{"resourceType": "*"}],
        "ipAccessRule": [],
    }
    assert body["security"]["mfaEnrolled"] is False
    assert len(body["security"]["sessions"]) == 2  # the register and the login


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-jwt"},
    ],
    ids=["missing", "basic", "empty", "garbage"],
)
@pytest.mark.fidelity("ovok.bearer.refused")
def test_me_refuses_a_missing_or_malformed_bearer(client: Client, headers: dict[str, str]) -> None:
    response = client.get("/auth/me", headers=headers, base_url=BASE_URL)

    assert response.status_code == 401
    assert response.json == UNAUTHORIZED


def test_me_refuses_forged_tokens(fake: FakeAuth, client: Client) -> None:
    tokens = login(client)
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    forged = [
        jwt.encode(claims, "wrong-key-of-32-bytes-0123456789", algorithm="HS256"),
        jwt.encode(claims, "", algorithm="none"),
        tokens["refreshToken"],
        FakeAuth().ovok.signer.encode(claims),  # another fake's key
    ]

    statuses = [
        client.get("/auth/me", headers=bearer(t), base_url=BASE_URL).status_code for t in forged
    ]

    assert statuses == [401, 401, 401, 401]


def test_a_tampered_payload_is_refused(client: Client) -> None:
    token = login(client)["accessToken"]
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["sub"] = "someone-else"
    tampered_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()

    response = client.get(
        "/auth/me", headers=bearer(f"{header}.{tampered_payload}.{signature}"), base_url=BASE_URL
    )

    assert response.status_code == 401


@pytest.mark.fidelity("ovok.logout.repeat")
def test_logout_answers_204_and_the_token_is_refused_afterwards(client: Client) -> None:
    token = login(client)["accessToken"]

    response = client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL)

    assert response.status_code == 204
    assert response.data == b""
    after = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)
    assert after.status_code == 401
    again = client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL)
    assert (again.status_code, again.data) == (204, b"")  # idempotent, as Ovok's document says


def test_logout_without_a_bearer_answers_401(client: Client) -> None:
    response = client.post("/v1/auth/logout", base_url=BASE_URL)

    assert response.status_code == 401
    assert response.json == UNAUTHORIZED


def test_logout_ends_only_that_token(client: Client) -> None:
    first = login(client)["accessToken"]
    second = post(client, "/auth/b2b/login", LOGIN_BODY).json
    assert second is not None

    client.post("/v1/auth/logout", headers=bearer(first), base_url=BASE_URL)

    response = client.get("/auth/me", headers=bearer(second["accessToken"]), base_url=BASE_URL)
    assert response.status_code == 200


@pytest.mark.fidelity("ovok.logout.repeat")
def test_a_repeated_logout_with_the_same_token_answers_204_and_changes_nothing(
    fake: FakeAuth, client: Client
) -> None:
    tokens = login(client)
    token = tokens["accessToken"]
    client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL)
    before = (len(fake.ovok.tokens), len(fake.ovok.tokens.live()), sorted(fake.ovok.sessions))

    repeats = [
        client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL) for _ in range(3)
    ]

    assert [(r.status_code, r.data) for r in repeats] == [(204, b"")] * 3
    after = (len(fake.ovok.tokens), len(fake.ovok.tokens.live()), sorted(fake.ovok.sessions))
    assert after == before
    me = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)
    assert (me.status_code, me.json) == (401, UNAUTHORIZED)  # the revocation guard stays
    refreshed = post(client, "/auth/refresh-token", {"refresh_token": tokens["refreshToken"]})
    assert refreshed.status_code == 200  # the login's refresh token stays valid


def test_a_logged_out_token_that_expires_is_refused_by_logout(client: Client) -> None:
    with freeze_time("2026-05-04T10:00:00Z") as frozen:
        token = login(client)["accessToken"]
        client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL)
        frozen.tick(3600)

        response = client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL)

    assert (response.status_code, response.json) == (401, UNAUTHORIZED)


def test_logout_still_refuses_forged_and_refresh_tokens(fake: FakeAuth, client: Client) -> None:
    tokens = login(client)
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    client.post("/v1/auth/logout", headers=bearer(tokens["accessToken"]), base_url=BASE_URL)
    refused = [
        jwt.encode(claims, "wrong-key-of-32-bytes-0123456789", algorithm="HS256"),  # forged
        FakeAuth().ovok.signer.encode(claims),  # another fake's key
        tokens["refreshToken"],  # not an access token
    ]

    answers = [
        client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL)
        for token in refused
    ]

    assert [(a.status_code, a.json) for a in answers] == [(401, UNAUTHORIZED)] * 3


@pytest.mark.fidelity("ovok.logout.alias")
def test_post_auth_logout_on_an_ovok_host_is_the_same_logout(
    fake: FakeAuth, client: Client
) -> None:
    token = login(client)["accessToken"]

    first = client.post("/auth/logout", headers=bearer(token), base_url=BASE_URL)
    again = client.post("/v1/auth/logout", headers=bearer(token), base_url=BASE_URL)
    me = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)
    anonymous = client.post("/auth/logout", base_url=BASE_URL)

    assert [(r.status_code, r.data) for r in (first, again)] == [(204, b"")] * 2
    assert (me.status_code, anonymous.status_code, anonymous.json) == (401, 401, UNAUTHORIZED)
    assert [e.operation for e in fake.journal][-4:] == [
        "ovok.auth_logout",
        "ovok.logout",
        "ovok.me",
        "ovok.auth_logout",
    ]
    assert fake.journal.unserved == []


def test_post_auth_logout_under_the_ovok_base_path_is_ovoks_and_at_the_root_walt_ids(
    fake: FakeAuth, client: Client
) -> None:
    token = login(client)["accessToken"]

    mounted = client.post("/ovok/auth/logout", headers=bearer(token), base_url="http://127.0.0.1")
    root = client.post("/auth/logout", base_url="http://127.0.0.1")

    assert (mounted.status_code, mounted.data) == (204, b"")
    assert root.status_code == 200  # walt.id's logout, which answers without a session
    assert [e.operation for e in fake.journal][-2:] == ["ovok.auth_logout", "waltid.logout"]
    me = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)
    assert me.status_code == 401


# -- tenants and their clients ---------------------------------------------------------------


@pytest.mark.fidelity("ovok.tenant.default-client")
def test_a_new_tenant_has_a_client_so_its_first_login_works(fake: FakeAuth, client: Client) -> None:
    tenant = fake.ovok.add_tenant(display="Second Clinic")
    fake.ovok.add_account(EMAIL, PASSWORD, tenant_id=tenant.id)

    response = post(
        client, "/auth/b2b/login", login_body(tenantId=tenant.id, clientId=tenant.client_id)
    )

    assert tenant.client_id == tenant.id  # as the documentation's tenant is its own client
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["project"] == {
        "reference": f"Project/{tenant.project_id}",
        "display": "Second Clinic",
    }


def test_a_new_tenants_client_may_be_named_and_more_clients_added(
    fake: FakeAuth, client: Client
) -> None:
    tenant = fake.ovok.add_tenant(
        "11111111-1111-4111-8111-111111111111", client_id="22222222-2222-4222-8222-222222222222"
    )
    extra = fake.ovok.add_client(tenant_id=tenant.id)

    answers = [
        post(client, "/auth/b2b/register", register_body(tenantId=tenant.id, clientId=c))
        for c in (tenant.client_id, extra.id, tenant.id)
    ]

    assert [a.status_code for a in answers] == [200, 400, 404]  # the third: no such client
    assert fake.ovok.clients[tenant.client_id].tenant_id == tenant.id


def test_adding_a_tenants_own_client_again_returns_it(fake: FakeAuth) -> None:
    tenant = fake.ovok.add_tenant("11111111-1111-4111-8111-111111111111")

    again = fake.ovok.add_client(tenant.id, tenant_id=tenant.id)
    default = fake.ovok.add_client(DEFAULT_CLIENT_ID, tenant_id=DEFAULT_TENANT_ID)

    assert again is fake.ovok.clients[tenant.id]
    assert default is fake.ovok.clients[DEFAULT_CLIENT_ID]
    assert len(fake.ovok.clients) == 2


def test_a_seed_document_may_name_a_tenants_client_or_list_it_again(
    fake: FakeAuth, client: Client
) -> None:
    first, second = "11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333"
    named = "22222222-2222-4222-8222-222222222222"
    document = {
        "ovok": {
            "tenants": [{"id": first}, {"id": second, "client_id": named}],
            "clients": [{"id": first, "tenant_id": first}],  # as the docs' tenant: one id
        }
    }

    added = apply_seed(fake, document)
    answers = [
        post(client, "/auth/b2b/register", register_body(tenantId=t, clientId=c))
        for t, c in ((first, first), (second, named))
    ]

    assert added == {"ovok.tenants": 2, "ovok.clients": 1}
    assert [a.status_code for a in answers] == [200, 200]


def test_a_client_id_that_is_taken_raises_a_sentence(fake: FakeAuth) -> None:
    tenant = fake.ovok.add_tenant("11111111-1111-4111-8111-111111111111")

    with pytest.raises(ConfigurationError) as other_tenant:
        fake.ovok.add_client(tenant.id, tenant_id=DEFAULT_TENANT_ID)
    with pytest.raises(ConfigurationError) as taken:
        fake.ovok.add_tenant(client_id=DEFAULT_CLIENT_ID)

    assert str(other_tenant.value) == (
        "fakeauth: the Ovok client '11111111-1111-4111-8111-111111111111' exists already "
        "(of tenant '11111111-1111-4111-8111-111111111111')"
    )
    assert str(taken.value) == (
        f"fakeauth: the Ovok client {DEFAULT_CLIENT_ID!r} exists already (of tenant "
        f"{DEFAULT_TENANT_ID!r}); pass add_tenant another client_id"
    )
    assert list(fake.ovok.tenants) == [DEFAULT_TENANT_ID, tenant.id]  # nothing half-added


@pytest.mark.fidelity("ovok.refresh.rotation")
def test_refresh_token_rotates_and_is_single_use(client: Client) -> None:
    tokens = login(client)

    first = post(client, "/auth/refresh-token", {"refresh_token": tokens["refreshToken"]})
    reused = post(client, "/auth/refresh-token", {"refresh_token": tokens["refreshToken"]})

    assert first.status_code == 200
    body = first.json
    assert body is not None
    assert set(body) == {"access_token", "refresh_token", "expires_in"}
    assert body["expires_in"] == 3600
    assert body["refresh_token"] != tokens["refreshToken"]
    assert reused.status_code == 401
    assert reused.json == UNAUTHORIZED
    me = client.get("/auth/me", headers=bearer(body["access_token"]), base_url=BASE_URL)
    assert me.status_code == 200
    second = post(client, "/auth/refresh-token", {"refresh_token": body["refresh_token"]})
    assert second.status_code == 200


def test_refresh_keeps_the_login_session(client: Client) -> None:
    tokens = login(client)
    before = jwt.decode(tokens["accessToken"], options={"verify_signature": False})

    body = post(client, "/auth/refresh-token", {"refresh_token": tokens["refreshToken"]}).json

    assert body is not None
    after = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert after["login_id"] == before["login_id"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 422, "refresh_token should not be empty"),
        ({"refresh_token": ""}, 422, "refresh_token should not be empty"),
        ({"refresh_token": 5}, 422, "refresh_token must be a string"),
        (
            {"refreshToken": "camelCase is not the documented field"},
            422,
            "refresh_token should not be empty",
        ),
        ({"refresh_token": "garbage"}, 401, "Unauthorized"),
    ],
)
def test_refresh_errors(client: Client, body: dict[str, Any], status: int, message: str) -> None:
    response = post(client, "/auth/refresh-token", body)

    assert response.status_code == status
    assert response.json is not None
    assert response.json["message"] == message


def test_an_access_token_is_not_a_refresh_token(client: Client) -> None:
    tokens = login(client)

    response = post(client, "/auth/refresh-token", {"refresh_token": tokens["accessToken"]})

    assert response.status_code == 401


# -- expiry -----------------------------------------------------------------------------------


def test_access_token_expires_to_the_second_under_freezegun(client: Client) -> None:
    with freeze_time("2026-05-04T10:00:00Z") as frozen:
        token = login(client)["accessToken"]

        frozen.tick(3599)
        at_last_second = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)
        frozen.tick(1)
        at_expiry = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)

    assert at_last_second.status_code == 200
    assert at_expiry.status_code == 401
    assert at_expiry.json == UNAUTHORIZED


def test_access_token_expires_under_a_shifted_clock(fake: FakeAuth, client: Client) -> None:
    with freeze_time("2026-05-04T10:00:00Z"):
        token = login(client)["accessToken"]

        fake.clock.shift(3599)
        at_last_second = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)
        fake.clock.shift(1)
        at_expiry = client.get("/auth/me", headers=bearer(token), base_url=BASE_URL)

    assert at_last_second.status_code == 200
    assert at_expiry.status_code == 401


@pytest.mark.fidelity("ovok.tokens.lifetimes")
def test_refresh_token_lives_fourteen_days(fake: FakeAuth, client: Client) -> None:
    with freeze_time("2026-05-04T10:00:00Z") as frozen:
        tokens = login(client)
        frozen.tick(14 * 24 * 3600)

        response = post(client, "/auth/refresh-token", {"refresh_token": tokens["refreshToken"]})

    assert response.status_code == 401


def test_token_lifetimes_are_configurable() -> None:
    fake = FakeAuth(ovok_access_token_ttl=60)
    client = Client(fake.wsgi_app)

    with freeze_time("2026-05-04T10:00:00Z") as frozen:
        body = login(client)
        frozen.tick(60)
        response = client.get("/auth/me", headers=bearer(body["accessToken"]), base_url=BASE_URL)

    assert body["expiresIn"] == 60
    assert response.status_code == 401


# -- determinism, journal, unserved ------------------------------------------------------------


def run_scenario(seed: int) -> list[Any]:
    fake = FakeAuth(seed=seed)
    client = Client(fake.wsgi_app)
    with freeze_time("2026-05-04T10:00:00Z"):
        tokens = login(client)
        refreshed = post(client, "/auth/refresh-token", {"refresh_token": tokens["refreshToken"]})
    return [tokens, refreshed.json, fake.ovok.get_account(EMAIL).id, fake.outbox.last().body]


def test_a_seeded_fake_gives_identical_tokens_in_two_runs_under_frozen_time() -> None:
    assert run_scenario(seed=7) == run_scenario(seed=7)
    assert run_scenario(seed=7) != run_scenario(seed=8)


def test_the_journal_records_each_call_with_secrets_redacted(
    fake: FakeAuth, client: Client
) -> None:
    tokens = login(client)

    entries = fake.journal.calls("ovok.b2b_login")

    assert len(entries) == 1
    entry = entries[0]
    assert (entry.method, entry.url, entry.status) == (
        "POST",
        f"{BASE_URL}/auth/b2b/login",
        200,
    )
    assert entry.request["password"] == redacted(PASSWORD)
    assert entry.request["email"] == EMAIL
    assert entry.response["accessToken"] == redacted(tokens["accessToken"])
    assert PASSWORD not in repr(list(fake.journal))
    assert tokens["accessToken"] not in repr(list(fake.journal))


def test_a_password_in_a_malformed_body_is_still_redacted(fake: FakeAuth, client: Client) -> None:
    post(client, "/auth/b2b/login", login_body(email="nope"))

    entry = fake.journal.calls("ovok.b2b_login")[0]

    assert entry.request["password"] == redacted(PASSWORD)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/auth/b2b/unknown"), ("DELETE", "/auth/session/all")],
)
@pytest.mark.fidelity("ovok.not-served")
def test_an_unserved_ovok_path_answers_501_and_is_recorded(
    fake: FakeAuth, client: Client, method: str, path: str
) -> None:
    response = client.open(path, method=method, base_url=BASE_URL)

    assert response.status_code == 501
    assert response.json == {
        "statusCode": 501,
        "message": f"fakeauth does not implement {method} {path} (ovok); the page "
        '"Ovok B2B auth routes" of fakeauth\'s documentation lists what it serves',
        "error": "Not Implemented",
    }
    assert [(e.method, e.path) for e in fake.journal.unserved] == [(method, path)]


def test_registrations_from_eight_threads_lose_nothing(fake: FakeAuth) -> None:
    client = Client(fake.wsgi_app)

    def register_many(thread: int) -> None:
        for i in range(50):
            response = post(
                client, "/auth/b2b/register", register_body(email=f"u{thread}-{i}@example.test")
            )
            assert response.status_code == 200

    threads = [threading.Thread(target=register_many, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake.ovok.accounts) == 400
    assert len(fake.journal) == 400


def test_sixteen_threads_registering_one_email_make_one_account(fake: FakeAuth) -> None:
    client = Client(fake.wsgi_app)
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def register() -> None:
        barrier.wait()
        statuses.append(post(client, "/auth/b2b/register", REGISTER_BODY).status_code)

    threads = [threading.Thread(target=register) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake.ovok.accounts) == 1
    assert sorted(statuses) == [200] + [400] * 15
