"""Ovok answers as Ovok's own OpenAPI document says.

Ovok publishes an OpenAPI 3.1 document of its platform API: the public repository
``Actimi/ovok-docs``, file ``static/openapi/ovok-api-public.yaml``, spec version 2026.08.29 (commit
586806eb7cbf447f70ad9172a0d944885a37a792). The vendor's file stays out of this repository: what it
says of the auth operations fakeauth serves is written down below, in our words, as small JSON
Schemas (required keys, types, formats, lengths, enums, defaults) and a table of operations
(request DTO, success reply, the error statuses it lists, whether it needs a bearer). Every fact
is checked against (a) the fake's real answers and refusals and (b) fakeauth's own Ovok document,
``openapi_document("ovok")``, which must describe the same shapes for every route.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth
from fakeauth.openapi import openapi_document
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

BASE_URL = "https://api.dev.ovok.com"
EMAIL = "max.mustermann@example.com"
PASSWORD = "?F;Sl<i}NO||OZ3I"
DOCUMENT = openapi_document("ovok")
COMPONENTS: Mapping[str, Any] = DOCUMENT["components"]["schemas"]

# -- what Ovok's document states, in our words -----------------------------------------------


def string(**constraints: Any) -> dict[str, Any]:
    """A string property, with the document's ``format``, ``minLength``, ``maxLength``..."""
    return {"type": "string", **constraints}


def one_of(value: str) -> dict[str, Any]:
    """A string the document allows one value of (``enum: [value]``)."""
    return {"type": "string", "enum": [value]}


def obj(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    """An object with these properties, of which ``required`` are required."""
    return {"type": "object", "properties": properties, "required": list(required)}


def array(items: dict[str, Any]) -> dict[str, Any]:
    """An array of ``items``."""
    return {"type": "array", "items": items}


UUID = string(format="uuid")
TEXT = string(minLength=1, maxLength=128)
REFERENCE = obj({"reference": string(), "display": string()}, "reference", "display")

REGISTER_V2 = obj(
    {
        "email": string(format="email"),
        "password": TEXT,
        "name": TEXT,
        "surname": TEXT,
        "tenantId": UUID,
        "clientId": UUID,
    },
    "email",
    "password",
    "name",
    "surname",
    "tenantId",
    "clientId",
)
LOGIN_V2 = obj(
    {"email": string(format="email"), "password": TEXT, "clientId": UUID, "tenantId": UUID},
    "email",
    "password",
    "clientId",
    "tenantId",
)
REFRESH_TOKEN = obj({"refresh_token": string(minLength=1)}, "refresh_token")
REGISTER_LOGIN_REPLY = obj(
    {
        "accessToken": string(),
        "refreshToken": string(),
        "expiresIn": {"type": "integer", "default": 3600},
        "project": REFERENCE,
        "profile": REFERENCE,
    },
    "accessToken",
    "project",
    "profile",
)
TOKEN_REPLY = obj(
    {"access_token": string(), "refresh_token": string(), "expires_in": {"type": "integer"}},
    "access_token",
    "expires_in",
)
ME_REPLY = obj(
    {
        "project": obj(
            {
                "resourceType": one_of("Project"),
                "id": string(),
                "name": string(),
                "strictMode": {"type": "boolean"},
            },
            "resourceType",
            "id",
            "name",
            "strictMode",
        ),
        "membership": obj(
            {"resourceType": one_of("ProjectMembership"), "id": string(), "user": REFERENCE},
            "resourceType",
            "id",
            "user",
        ),
        "profile": obj(
            {
                "resourceType": one_of("Patient"),
                "id": string(),
                "name": array(
                    obj({"given": array(string()), "family": string()}, "given", "family")
                ),
                "telecom": array(
                    obj(
                        {"system": string(), "use": string(), "value": string()},
                        "system",
                        "use",
                        "value",
                    )
                ),
            },
            "resourceType",
            "id",
            "name",
            "telecom",
        ),
        "config": obj(
            {
                "resourceType": one_of("UserConfiguration"),
                "menu": array(
                    obj(
                        {
                            "title": string(),
                            "link": array(
                                obj({"name": string(), "target": string()}, "name", "target")
                            ),
                        },
                        "title",
                        "link",
                    )
                ),
            },
            "resourceType",
            "menu",
        ),
        "accessPolicy": obj(
            {
                "resourceType": one_of("AccessPolicy"),
                "resource": array(obj({"resourceType": string()}, "resourceType")),
                "ipAccessRule": array(obj({"ip": string()}, "ip")),
            },
            "resourceType",
            "resource",
            "ipAccessRule",
        ),
        "security": obj(
            {
                "mfaEnrolled": {"type": "boolean"},
                "sessions": array(
                    obj(
                        {
                            "id": string(),
                            "lastUpdated": string(),
                            "authMethod": string(),
                            "remoteAddress": string(),
                        },
                        "id",
                        "lastUpdated",
                        "authMethod",
                        "remoteAddress",
                    )
                ),
            },
            "mfaEnrolled",
            "sessions",
        ),
    },
    "project",
    "membership",
    "profile",
    "config",
    "accessPolicy",
    "security",
)
#: Every error of every auth operation: NestJS's body, with ``error`` optional.
ERROR = obj(
    {"statusCode": {"type": "number"}, "message": string(), "error": string()},
    "statusCode",
    "message",
)
#: The error statuses the document lists for every auth operation.
ERROR_STATUSES = {400, 401, 404, 422, 500}


@dataclass(frozen=True)
class Operation:
    """One auth operation as the document describes it, and fakeauth's operation id for it."""

    operation: str
    method: str
    path: str
    body: dict[str, Any] | None
    success: int
    reply: dict[str, Any] | None
    bearer: bool


SERVED = (
    Operation(
        "ovok.b2b_register",
        "POST",
        "/auth/b2b/register",
        REGISTER_V2,
        200,
        REGISTER_LOGIN_REPLY,
        False,
    ),
    Operation(
        "ovok.b2b_login", "POST", "/auth/b2b/login", LOGIN_V2, 200, REGISTER_LOGIN_REPLY, False
    ),
    Operation(
        "ovok.refresh_token", "POST", "/auth/refresh-token", REFRESH_TOKEN, 200, TOKEN_REPLY, False
    ),
    # The document keys logout's success '200' and describes it as "204 No Content"; its text
    # says the caller must be authenticated, though it lists no security requirement.
    Operation("ovok.logout", "POST", "/v1/auth/logout", None, 204, None, True),
    Operation("ovok.auth_logout", "POST", "/auth/logout", None, 204, None, True),
    Operation("ovok.me", "GET", "/auth/me", None, 200, ME_REPLY, True),
)
BY_OPERATION = {op.operation: op for op in SERVED}
#: The document's other auth operations: fakeauth answers them 501 (``/auth/session/{option}``
#: with one of its documented options).
UNSERVED = (
    ("DELETE", "/auth/delete"),
    ("POST", "/v2/auth/login"),
    ("POST", "/auth/register"),
    ("GET", "/auth/session"),
    ("DELETE", "/auth/session/other"),
    ("POST", "/auth/tenant/Practitioner/login/start"),
    ("POST", "/auth/tenant/Practitioner/login/token"),
    ("POST", "/auth/tenant/Practitioner/login/mfa"),
    ("POST", "/auth/tenant/Patient/login/start"),
    ("POST", "/auth/tenant/Patient/login/token"),
    ("POST", "/auth/tenant/Patient/login/mfa"),
    ("POST", "/auth/tenant/Patient/register"),
)
#: Keys fakeauth sends beyond the document's (Medplum's own session keys, which the document
#: lists for ``/auth/session``): optional in fakeauth's document, never required.
EXTRA_KEYS = {"security.sessions[].browser", "security.sessions[].os"}

# -- comparing fakeauth's document with the facts ----------------------------------------------


def resolved(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with a top-level ``$ref`` into fakeauth's components replaced by its target
    (keywords beside the reference kept)."""
    result = dict(schema)
    while "$ref" in result:
        target = COMPONENTS[result.pop("$ref").rsplit("/", 1)[1]]
        result = {**target, **result}
    return result


def differences(fake: Mapping[str, Any], vendor: Mapping[str, Any], where: str) -> list[str]:
    """Where fakeauth's schema ``fake`` does not describe the shape ``vendor`` does."""
    fake = resolved(fake)
    found: list[str] = []
    for union in ("anyOf", "oneOf"):
        if union in fake:
            found.append(f"{where}: fakeauth says {union} (nullable?), the document one type")
    fake_type, vendor_type = fake.get("type"), vendor["type"]
    if fake_type != vendor_type and (fake_type, vendor_type) != ("integer", "number"):
        found.append(f"{where}: fakeauth's type is {fake_type}, the document's {vendor_type}")
    enum = [fake["const"]] if "const" in fake else fake.get("enum")
    if enum != vendor.get("enum"):
        found.append(f"{where}: fakeauth allows {enum}, the document {vendor.get('enum')}")
    for keyword in ("format", "minLength", "maxLength", "default"):
        if fake.get(keyword) != vendor.get(keyword):
            found.append(
                f"{where}: fakeauth's {keyword} is {fake.get(keyword)!r}, "
                f"the document's {vendor.get(keyword)!r}"
            )
    if vendor_type == "array":
        found += differences(fake.get("items", {}), vendor["items"], f"{where}[]")
    if vendor_type == "object":
        if sorted(fake.get("required", [])) != sorted(vendor["required"]):
            found.append(
                f"{where}: fakeauth requires {sorted(fake.get('required', []))}, "
                f"the document {sorted(vendor['required'])}"
            )
        properties = fake.get("properties", {})
        for name, expected in vendor["properties"].items():
            if name not in properties:
                found.append(f"{where}.{name}: missing from fakeauth's document")
            else:
                found += differences(properties[name], expected, f"{where}.{name}".lstrip("."))
        extra = {f"{where}.{name}".lstrip(".") for name in properties} - {
            f"{where}.{name}".lstrip(".") for name in vendor["properties"]
        }
        found += [f"{key}: not in the document" for key in sorted(extra - EXTRA_KEYS)]
    return found


def documented(operation: Operation) -> dict[str, Any]:
    """fakeauth's own description of ``operation``."""
    item: dict[str, Any] = DOCUMENT["paths"][operation.path][operation.method.lower()]
    return item


def test_fakeauths_document_lists_exactly_the_served_auth_operations() -> None:
    listed = sorted(
        (op["operationId"], method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        for method, op in item.items()
    )

    assert listed == sorted((op.operation, op.method, op.path) for op in SERVED)


@pytest.mark.parametrize("operation", [op for op in SERVED if op.body], ids=lambda op: op.operation)
def test_each_request_dto_is_described_as_the_document_describes_it(operation: Operation) -> None:
    assert operation.body is not None
    body = documented(operation)["requestBody"]

    assert body["required"] is True
    assert differences(body["content"]["application/json"]["schema"], operation.body, "") == []


@pytest.mark.parametrize("operation", SERVED, ids=lambda op: op.operation)
def test_each_reply_is_described_as_the_document_describes_it(operation: Operation) -> None:
    replies = documented(operation)["responses"]
    errors = {int(status) for status in replies} - {operation.success, 413}

    success = replies[str(operation.success)]
    if operation.reply is None:
        assert "content" not in success  # no body
    else:
        schema = success["content"]["application/json"]["schema"]
        assert differences(schema, operation.reply, "") == []
    assert errors <= ERROR_STATUSES  # the document lists 400, 401, 404, 422 and 500
    assert 500 in errors
    for status in sorted(errors | {413}):
        schema = replies[str(status)]["content"]["application/json"]["schema"]
        assert differences(schema, ERROR, f"{status}") == []


@pytest.mark.parametrize("operation", SERVED, ids=lambda op: op.operation)
def test_only_the_bearer_operations_require_a_bearer(operation: Operation) -> None:
    security = documented(operation).get("security")

    assert security == ([{"ovokBearer": []}] if operation.bearer else None)


def test_the_comparison_sees_every_kind_of_difference() -> None:
    fake = obj(
        {
            "accessToken": {"anyOf": [string(), {"type": "null"}]},
            "expiresIn": {"type": "number", "default": 60},
            "refreshToken": string(maxLength=9),
            "project": {"$ref": "#/components/schemas/Reference"},
            "profile": obj({"reference": string(), "display": string()}, "reference"),
            "token": string(),
        },
        "accessToken",
        "x",
    )

    found = differences(fake, REGISTER_LOGIN_REPLY, "")

    assert found == [
        ": fakeauth requires ['accessToken', 'x'], the document ['accessToken', 'profile', "
        "'project']",
        "accessToken: fakeauth says anyOf (nullable?), the document one type",
        "accessToken: fakeauth's type is None, the document's string",
        "refreshToken: fakeauth's maxLength is 9, the document's None",
        "expiresIn: fakeauth's type is number, the document's integer",
        "expiresIn: fakeauth's default is 60, the document's 3600",
        "profile: fakeauth requires ['reference'], the document ['display', 'reference']",
        "token: not in the document",
    ]


# -- the fake's real answers against the facts ------------------------------------------------


def check(response: TestResponse, status: int, schema: dict[str, Any] | None) -> Any:
    """Fail unless ``response`` has ``status`` and a JSON body valid for ``schema`` (``None``:
    no body); the body."""
    assert response.status_code == status, response.data
    if schema is None:
        assert response.data == b""
        return None
    assert response.mimetype == "application/json"
    body = response.get_json()
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert not errors, f"{body!r}: {errors[0].message}"
    return body


def send(client: Client, method: str, path: str, body: Any = None, token: str = "") -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None if body is None else body if isinstance(body, str) else json.dumps(body)
    kind = None if body is None else "application/json"
    return client.open(
        path, method=method, base_url=BASE_URL, data=data, content_type=kind, headers=headers
    )


CREDENTIALS = {
    "email": EMAIL,
    "password": PASSWORD,
    "tenantId": DEFAULT_TENANT_ID,
    "clientId": DEFAULT_CLIENT_ID,
}
REGISTRATION = {**CREDENTIALS, "name": "Max", "surname": "Mustermann"}


def test_every_success_reply_has_the_documented_shape() -> None:
    client = Client(FakeAuth().wsgi_app)

    registered = check(
        send(client, "POST", "/auth/b2b/register", REGISTRATION), 200, REGISTER_LOGIN_REPLY
    )
    logged_in = check(
        send(client, "POST", "/auth/b2b/login", CREDENTIALS), 200, REGISTER_LOGIN_REPLY
    )
    refreshed = check(
        send(client, "POST", "/auth/refresh-token", {"refresh_token": logged_in["refreshToken"]}),
        200,
        TOKEN_REPLY,
    )
    me = check(send(client, "GET", "/auth/me", token=refreshed["access_token"]), 200, ME_REPLY)
    check(send(client, "POST", "/v1/auth/logout", token=registered["accessToken"]), 204, None)
    check(send(client, "POST", "/auth/logout", token=refreshed["access_token"]), 204, None)

    assert registered["expiresIn"] == refreshed["expires_in"] == 3600
    assert set(refreshed) == set(TOKEN_REPLY["properties"])  # snake_case, nothing else
    # every array of the reply holds an item, so that its items' required keys were checked
    assert all(
        me[part][key]
        for part, key in [
            ("profile", "name"),
            ("profile", "telecom"),
            ("config", "menu"),
            ("accessPolicy", "resource"),
            ("security", "sessions"),
        ]
    )
    assert me["config"]["menu"][0]["link"] == []  # as the document's example: no links
    assert me["security"]["sessions"][0]["lastUpdated"].endswith("Z")  # NestJS writes UTC


def test_every_error_the_fake_answers_has_the_documented_body() -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)
    fake.ovok.add_account(EMAIL, PASSWORD)
    fake.fail_next("ovok.me", 500)
    unknown_tenant = {**CREDENTIALS, "tenantId": "00000000-0000-4000-8000-000000000000"}

    answers = {
        400: send(client, "POST", "/auth/b2b/login", "{not json"),
        401: send(client, "POST", "/auth/b2b/login", {**CREDENTIALS, "password": "wrong"}),
        404: send(client, "POST", "/auth/b2b/login", unknown_tenant),
        422: send(client, "POST", "/auth/b2b/login", {**CREDENTIALS, "email": "nope"}),
        500: send(client, "GET", "/auth/me"),
    }

    for status, response in answers.items():
        body = check(response, status, ERROR)
        assert (body["statusCode"], isinstance(body.get("error"), str)) == (status, True)


def _missing(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A well-formed body without each required field in turn."""
    well_formed = REGISTRATION if schema is REGISTER_V2 else CREDENTIALS
    return [
        (name, {k: v for k, v in well_formed.items() if k != name}) for name in schema["required"]
    ]


def _out_of_bounds(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A well-formed body with each bounded or formatted string of ``schema`` broken in turn."""
    well_formed = REGISTRATION if schema is REGISTER_V2 else CREDENTIALS
    broken: list[tuple[str, dict[str, Any]]] = []
    for name, rule in schema["properties"].items():
        if "maxLength" in rule:
            broken.append(
                (f"{name} too long", {**well_formed, name: "x" * (rule["maxLength"] + 1)})
            )
        if "minLength" in rule:
            broken.append((f"{name} too short", {**well_formed, name: ""}))
        if "format" in rule:
            broken.append((f"{name} not a {rule['format']}", {**well_formed, name: "not-one"}))
        broken.append((f"{name} not a string", {**well_formed, name: 42}))
    return broken


@pytest.mark.parametrize(
    ("path", "schema"), [("/auth/b2b/register", REGISTER_V2), ("/auth/b2b/login", LOGIN_V2)]
)
def test_the_request_dtos_are_enforced_as_documented(path: str, schema: dict[str, Any]) -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)
    longest = {**REGISTRATION, "password": "p" * 128, "name": "n" * 128, "surname": "s" * 128}
    if path == "/auth/b2b/login":
        fake.ovok.add_account(EMAIL, "p" * 128)
    cases = _missing(schema) + _out_of_bounds(schema)

    refused = {case: send(client, "POST", path, body).status_code for case, body in cases}
    accepted = send(client, "POST", path, {k: longest[k] for k in schema["required"]})

    assert refused == dict.fromkeys(refused, 422)
    assert len(refused) == len(cases)  # one answer per case
    check(accepted, 200, REGISTER_LOGIN_REPLY)  # exactly the documented fields, at their limits


def test_the_refresh_token_dto_is_enforced_as_documented() -> None:
    client = Client(FakeAuth().wsgi_app)

    bodies: list[dict[str, Any]] = [{}, {"refresh_token": ""}, {"refresh_token": 7}]

    answers = [send(client, "POST", "/auth/refresh-token", body) for body in bodies]

    for answer in answers:
        check(answer, 422, ERROR)


@pytest.mark.parametrize(("method", "path"), UNSERVED)
@pytest.mark.fidelity("ovok.not-served")
def test_the_documents_other_auth_operations_answer_501_in_ovoks_error_shape(
    method: str, path: str
) -> None:
    fake = FakeAuth()

    response = Client(fake.wsgi_app).open(path, method=method, base_url=BASE_URL)

    body = check(response, 501, ERROR)
    assert body["message"].startswith(f"fakeauth does not implement {method} {path} (ovok)")
    assert [(e.method, e.path) for e in fake.journal.unserved] == [(method, path)]
