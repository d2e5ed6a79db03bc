"""A corpus of bad input on every route: the answer is the vendor's 4xx (413 for an oversized
body), or the well-formed request's answer where the vendor accepts that input; a refused request
changes no state, and the fake keeps answering.

Table-driven over ``route_table()``: a new route is covered without a line here (see
``hardening.well_formed``). Each case runs on a fresh seeded fake on a frozen clock, so its answer
is compared with the well-formed request's answer on an identical fake.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from typing import Any, Literal

import pytest
import requests
from hardening import (
    EMAIL,
    JSON,
    OPERATIONS,
    PASSWORD,
    Call,
    assert_documented,
    new_fake,
    snapshot,
    waltid_registration,
    well_formed,
)

from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.wsgi import route_table

Expected = Literal["accepted", "refused", "either", "too large"]
Body = tuple[bytes, "str | None"]

MEGABYTES = 4
NOT_A_STRING = "This value should be of type string."
#: Past Python's int-str limit (4,300 digits): ``json.loads`` raises ``ValueError`` on it.
HUGE_INT = b"7" * 5000
_MARK = "\ue000"  # a private-use character, swapped for raw bytes after encoding


def _json(call: Call) -> Any:
    return {} if call.body is None else call.body


def _encode(value: Any, raw: bytes = b"") -> bytes:
    return json.dumps(value, ensure_ascii=False).encode().replace(_MARK.encode(), raw)


def _every_string_as(well: Any, literal: bytes) -> bytes:
    """``well`` with every string (quotes and all) replaced by the raw JSON text ``literal``."""
    marked = json.dumps(_strings(well, lambda _, v: _MARK), ensure_ascii=False).encode()
    return marked.replace(f'"{_MARK}"'.encode(), literal)


def _with_extra(well: Any, literal: bytes) -> bytes:
    """``well`` (an object) with one more field, ``"extra"``, holding the raw JSON text."""
    if not isinstance(well, dict):
        return _encode(well)
    marked = json.dumps({**well, "extra": _MARK}, ensure_ascii=False).encode()
    return marked.replace(f'"{_MARK}"'.encode(), literal)


def _strings(value: Any, change: Callable[[str, str], str], key: str = "") -> Any:
    """``value`` with every string changed by ``change(key, string)``."""
    if isinstance(value, dict):
        return {k: _strings(v, change, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v, change, key) for v in value]
    return change(key, value) if isinstance(value, str) else value


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _unicode(key: str, value: str) -> str:
    if key == "email" and "@" in value:
        return "zoë.müller+😀@exämple.test"
    return value + " Zoë 😀 東京"


def _mixed_case(key: str, value: str) -> str:
    return value.upper() if key == "email" else value


def _body(name: str, call: Call) -> Body:
    well = _json(call)
    cases: dict[str, Callable[[], Body]] = {
        "malformed JSON": lambda: (b'{"email": "max@example.test", ', JSON),
        "empty body": lambda: (b"", JSON),
        "null": lambda: (b"null", JSON),
        "an array where an object belongs": lambda: (b"[]", JSON),
        "the well-formed object in an array": lambda: (_encode([well]), JSON),
        "a string where an object belongs": lambda: (b'"max@example.test"', JSON),
        "a number where an object belongs": lambda: (b"42", JSON),
        "the well-formed body as text/plain": lambda: (_encode(well), "text/plain"),
        "the well-formed body without a content type": lambda: (_encode(well), None),
        "XML": lambda: (b"<signin><email>max@example.test</email></signin>", "application/xml"),
        "a body of several MB": lambda: (
            b'{"email": "' + b"a" * (MEGABYTES * 1024 * 1024) + b'"}',
            JSON,
        ),
        "JSON nested thousands deep": lambda: (b"[" * 5000 + b"]" * 5000, JSON),
        "a field nested 500 deep": lambda: (_encode({**well, "extra": _nested(500)}), JSON),
        "non-UTF-8 bytes in every string": lambda: (
            _encode(_strings(well, lambda _, v: v + _MARK), b"\xff\xfe"),
            JSON,
        ),
        "a raw NUL byte in every string": lambda: (
            _encode(_strings(well, lambda _, v: v + _MARK), b"\x00"),
            JSON,
        ),
        "an escaped NUL in every string": lambda: (
            _encode(_strings(well, lambda _, v: v + "\x00")),
            JSON,
        ),
        "very long strings": lambda: (
            _encode(_strings(well, lambda _, v: (v * 5000)[:5000])),
            JSON,
        ),
        "unicode in every string": lambda: (_encode(_strings(well, _unicode)), JSON),
        "a lone surrogate in every string": lambda: (
            json.dumps(_strings(well, lambda _, v: v + "\ud800")).encode(),
            JSON,
        ),
        "a mixed-case email": lambda: (_encode(_strings(well, _mixed_case)), JSON),
        # what Python's json reads or refuses where the vendors' parsers do otherwise
        "a 5,000-digit integer for every string": lambda: (_every_string_as(well, HUGE_INT), JSON),
        "a negative 5,000-digit integer in an extra field": lambda: (
            _with_extra(well, b"-" + HUGE_INT),
            JSON,
        ),
        "1e400 for every string": lambda: (_every_string_as(well, b"1e400"), JSON),
        "-1e400 in an extra field": lambda: (_with_extra(well, b"-1e400"), JSON),
        "NaN for every string": lambda: (_every_string_as(well, b"NaN"), JSON),
        "Infinity in an extra field": lambda: (_with_extra(well, b"Infinity"), JSON),
        "-Infinity for every string": lambda: (_every_string_as(well, b"-Infinity"), JSON),
        "a 5,000-digit integer as the whole body": lambda: (HUGE_INT, JSON),
        "NaN as the whole body": lambda: (b"NaN", JSON),
    }
    return cases[name]()


CASES = [
    "malformed JSON",
    "empty body",
    "null",
    "an array where an object belongs",
    "the well-formed object in an array",
    "a string where an object belongs",
    "a number where an object belongs",
    "the well-formed body as text/plain",
    "the well-formed body without a content type",
    "XML",
    "a body of several MB",
    "JSON nested thousands deep",
    "a field nested 500 deep",
    "non-UTF-8 bytes in every string",
    "a raw NUL byte in every string",
    "an escaped NUL in every string",
    "very long strings",
    "unicode in every string",
    "a lone surrogate in every string",
    "a mixed-case email",
    "a 5,000-digit integer for every string",
    "a negative 5,000-digit integer in an extra field",
    "1e400 for every string",
    "-1e400 in an extra field",
    "NaN for every string",
    "Infinity in an extra field",
    "-Infinity for every string",
    "a 5,000-digit integer as the whole body",
    "NaN as the whole body",
]
#: Never a body any vendor takes.
ALWAYS_REFUSED = set(CASES[:7]) | {
    "XML",
    "JSON nested thousands deep",
    "a 5,000-digit integer as the whole body",
    "NaN as the whole body",
}
WRONG_CONTENT_TYPE = {
    "the well-formed body as text/plain",
    "the well-formed body without a content type",
}

TOO_LARGE = {
    "ovok": {
        "statusCode": 413,
        "message": "request entity too large",
        "error": "Request Entity Too Large",
    },
    "b2core": {
        "code": 413,
        "data": {"message": "request entity too large"},
        "done": False,
        "uuid": None,
        "workflow": None,
    },
    "waltid": {
        "exception": True,
        "id": "PayloadTooLargeException",
        "status": "Request Entity Too Large",
        "code": "413",
        "message": "request entity too large",
    },
}


def expected(operation: str, case: str) -> Expected:
    """What the vendor does with this input on this route."""
    if case == "a body of several MB":
        return "too large"
    documented = OPERATIONS[operation][2].get("requestBody")
    if documented is None:  # the route never reads its body
        return "accepted"
    if case == "empty body" and not documented["required"]:
        return "either"  # B2Core takes it as {}; walt.id still parses a JSON body
    if case in ALWAYS_REFUSED:
        return "refused"
    if case in WRONG_CONTENT_TYPE:
        # B2Core reads JSON whatever the content type; create-by-token takes raw text
        reads_any = operation.startswith("b2core.") or "text/plain" in documented["content"]
        return "accepted" if reads_any else "refused"
    return "either"


@functools.cache
def _well_formed_answer(operation: str) -> tuple[int, Any]:
    fake = new_fake()
    response = well_formed(operation, fake).send(fake)
    return response.status_code, _shape(response.get_json(silent=True))


def _shape(document: Any) -> Any:
    return sorted(document) if isinstance(document, dict) else type(document).__name__


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("operation", [op for op, _, _ in route_table()])
def test_bad_input_is_refused_or_answered_as_well_formed(operation: str, case: str) -> None:
    fake = new_fake()
    call = well_formed(operation, fake)
    body, content_type = _body(case, call)
    before = snapshot(fake)
    well_status, well_shape = _well_formed_answer(operation)

    response = call.send_raw(fake, body, content_type)

    outcome = expected(operation, case)
    status = response.status_code
    assert fake.handler_errors == []
    assert_documented(operation, response)
    if outcome == "too large":
        assert (status, response.get_json()) == (413, TOO_LARGE[call.vendor])
    elif outcome == "accepted" or (outcome == "either" and status == well_status):
        assert (status, _shape(response.get_json(silent=True))) == (well_status, well_shape)
    else:
        assert 400 <= status < 500
        assert status != well_status
    if status >= 400:  # refused: nothing changed, and the well-formed request still works
        assert snapshot(fake) == before
        assert call.send(fake).status_code == well_status


# -- exact answers of each vendor's body reader -----------------------------------------------

READERS = {
    "ovok": "ovok.b2b_login",
    "b2core": "b2core.signin",
    "waltid": "waltid.account_register",
}
_OVOK_BAD_JSON = {"statusCode": 400, "error": "Bad Request"}
_OVOK_422 = {"statusCode": 422, "error": "Unprocessable Entity"}
EMAIL_422 = "email must be an email"


def _b2core_body_error(message: str) -> dict[str, Any]:
    return {
        "code": 400,
        "data": {"errors": {"body": [message]}},
        "done": False,
        "uuid": None,
        "workflow": "login",
    }


def _waltid_token_error(message: str) -> dict[str, Any]:
    return {
        "exception": True,
        "id": "BadRequestException",
        "status": "Bad Request",
        "code": "400",
        "message": message,
        "details": {"expectedType": "AccountRegistrationRequest"},
    }


EXACT: list[tuple[str, str, int, dict[str, Any]]] = [
    ("ovok", "malformed JSON", 400, {**_OVOK_BAD_JSON, "message": "Unexpected end of JSON input"}),
    (
        "ovok",
        "null",
        400,
        {**_OVOK_BAD_JSON, "message": "Unexpected token n in JSON at position 0"},
    ),
    (
        "ovok",
        "an array where an object belongs",
        422,
        {**_OVOK_422, "message": "an unknown value was passed to the validate function"},
    ),
    ("ovok", "empty body", 422, {**_OVOK_422, "message": "email must be an email"}),
    ("ovok", "XML", 422, {**_OVOK_422, "message": "email must be an email"}),
    (
        "ovok",
        "JSON nested thousands deep",
        400,
        {**_OVOK_BAD_JSON, "message": "Maximum call stack size exceeded"},
    ),
    (
        "ovok",
        "very long strings",
        422,
        {**_OVOK_422, "message": "email must be an email"},
    ),
    (
        "b2core",
        "malformed JSON",
        400,
        _b2core_body_error("The request body is not valid JSON."),
    ),
    ("b2core", "null", 400, _b2core_body_error("The request body must be a JSON object.")),
    (
        "b2core",
        "non-UTF-8 bytes in every string",
        400,
        _b2core_body_error("The request body is not valid UTF-8."),
    ),
    (
        "b2core",
        "a raw NUL byte in every string",
        400,
        _b2core_body_error("The request body is not valid JSON."),
    ),
    (
        "waltid",
        "malformed JSON",
        400,
        _waltid_token_error(
            "Unexpected JSON token at offset 30: Expecting property name enclosed in double "
            "quotes at path: $"
        ),
    ),
    (
        "waltid",
        "a raw NUL byte in every string",
        400,
        _waltid_token_error(
            "Unexpected JSON token at offset 36: Invalid control character at path: $"
        ),
    ),
    (
        "waltid",
        "null",
        400,
        _waltid_token_error(
            "Unexpected JSON token: Expected start of the object '{', but had 'null' instead "
            "at path: $"
        ),
    ),
    (
        "ovok",
        "NaN for every string",
        400,
        {**_OVOK_BAD_JSON, "message": "Unexpected token N in JSON at position 10"},
    ),
    (
        "ovok",
        "-Infinity for every string",
        400,
        {**_OVOK_BAD_JSON, "message": "Unexpected token I in JSON at position 11"},
    ),
    # JSON.parse reads any number (Infinity past a double): the DTO refuses it
    ("ovok", "a 5,000-digit integer for every string", 422, {**_OVOK_422, "message": EMAIL_422}),
    ("ovok", "1e400 for every string", 422, {**_OVOK_422, "message": EMAIL_422}),
    (
        "b2core",
        "a 5,000-digit integer for every string",
        400,
        _b2core_body_error("The request body is not valid JSON."),
    ),
    (
        "b2core",
        "1e400 for every string",
        400,
        _b2core_body_error("The request body is not valid JSON."),
    ),
    (
        "b2core",
        "NaN for every string",
        400,
        _b2core_body_error("The request body is not valid JSON."),
    ),
    (
        "waltid",
        "a 5,000-digit integer for every string",
        400,
        _waltid_token_error(
            "Unexpected JSON token: Expected quotation mark '\"', but had '7' instead at path: "
            "$.profile.name"
        ),
    ),
    (
        "waltid",
        "1e400 for every string",
        400,
        _waltid_token_error(
            "Unexpected JSON token: Expected quotation mark '\"', but had '1' instead at path: "
            "$.profile.name"
        ),
    ),
    (
        "waltid",
        "NaN for every string",
        400,
        _waltid_token_error(
            "Unexpected JSON token: Expected quotation mark '\"', but had 'N' instead at path: "
            "$.profile.name"
        ),
    ),
    (
        "waltid",
        "XML",
        415,
        {
            "exception": True,
            "id": "UnsupportedMediaTypeException",
            "status": "Unsupported Media Type",
            "code": "415",
            "message": "Content type application/xml is not supported",
        },
    ),
]


@pytest.mark.parametrize(("vendor", "case", "status", "body"), EXACT)
@pytest.mark.fidelity("ovok.json.constants")
@pytest.mark.fidelity("waltid.json.constants")
def test_each_vendor_words_its_refusals_exactly(
    vendor: str, case: str, status: int, body: dict[str, Any]
) -> None:
    fake = new_fake()
    call = well_formed(READERS[vendor], fake)

    response = call.send_raw(fake, *_body(case, call))

    assert (response.status_code, response.get_json()) == (status, body)


def test_the_b2core_reader_takes_the_well_formed_body_as_text_plain() -> None:
    fake = new_fake()
    call = well_formed("b2core.signin", fake)

    response = call.send_raw(fake, *_body("the well-formed body as text/plain", call))

    assert response.status_code == 200
    assert response.get_json()["code"] == 202


def test_a_lone_surrogate_is_echoed_as_an_escape_not_a_500() -> None:
    fake = new_fake()
    call = well_formed("waltid.account_register", fake)
    registration = call.body
    registration["initialAuth"]["type"] = "email\ud800"

    response = call.send_raw(fake, json.dumps(registration).encode(), JSON)

    assert response.status_code == 400
    assert b"'email\\ud800'" in response.data  # written as an escape: UTF-8 cannot hold it
    assert response.get_json()["message"] == (
        "Serializer for subclass 'email\ud800' is not found in the polymorphic scope of "
        "'InitialAuth' at path: $.initialAuth.type"
    )


@pytest.mark.parametrize(
    ("operation", "field", "path", "expected"),
    [
        ("ovok.b2b_register", "name", ["profile", "display"], "Max\ud800 Mustermann"),
        ("waltid.account_register", "profile", ["profile", "name"], "Max\ud800"),
        # PHP's json_decode refuses the body: fakeauth refuses the field
        ("b2core.signup", "info", ["data", "errors"], {"info.givenName": [NOT_A_STRING]}),
    ],
)
def test_a_lone_surrogate_in_a_name_is_taken_where_the_vendor_takes_it(
    operation: str, field: str, path: list[str], expected: Any
) -> None:
    fake = new_fake()
    call = well_formed(operation, fake)
    names = {
        "name": "Max\ud800",
        "info": {"givenName": "Max\ud800", "familyName": "Mustermann"},
        "profile": {**call.body.get("profile", {}), "name": "Max\ud800"},
    }
    body = json.dumps({**call.body, field: names[field]}).encode()

    response = call.send_raw(fake, body, JSON)

    answer = response.get_json()
    for key in path:
        answer = answer[key]
    assert answer == expected
    assert response.status_code == (
        400 if operation == "b2core.signup" else _well_formed_answer(operation)[0]
    )
    assert fake.handler_errors == []


# -- emails: unicode and case ------------------------------------------------------------------

UNICODE_EMAIL = "zoë.müller@exämple.test"
MIXED_CASE_EMAIL = "Max.MUSTERMANN@Example.TEST"


def _register(vendor: str, email: str, fake: Any) -> Call:
    if vendor == "ovok":
        body = {
            "email": email,
            "password": PASSWORD,
            "name": "Zoë",
            "surname": "Müller",
            "tenantId": DEFAULT_TENANT_ID,
            "clientId": DEFAULT_CLIENT_ID,
        }
        return Call("POST", "/auth/b2b/register", "ovok", body)
    if vendor == "b2core":
        signup = well_formed("b2core.signup", fake)
        return Call("POST", signup.path, "b2core", {**signup.body, "email": email})
    return Call("POST", "/v1/account/register", "waltid", waltid_registration(email))


def _seed(vendor: str, fake: Any) -> None:
    {
        "ovok": fake.ovok.add_account,
        "b2core": fake.b2core.add_account,
        "waltid": fake.waltid.add_account,
    }[vendor](email=EMAIL, password=PASSWORD)


@pytest.mark.parametrize("vendor", ["ovok", "b2core", "waltid"])
def test_a_unicode_email_registers_and_is_kept_as_sent(vendor: str) -> None:
    fake = new_fake()

    response = _register(vendor, UNICODE_EMAIL, fake).send(fake)

    assert response.status_code == {"ovok": 200, "b2core": 200, "waltid": 201}[vendor]
    assert [a["email"] for a in fake.export_accounts()[vendor]] == [UNICODE_EMAIL]


@pytest.mark.parametrize(
    ("vendor", "status", "body"),
    [
        (
            "ovok",
            400,
            {"statusCode": 400, "message": "Email already registered", "error": "Bad Request"},
        ),
        ("b2core", 400, {"errors": {"email": ["This value is already used."]}}),
        (
            "waltid",
            409,
            {
                "exception": True,
                "id": "ConflictException",
                "status": "Conflict",
                "code": "409",
                "message": f"An account with email {MIXED_CASE_EMAIL} already exists.",
            },
        ),
    ],
)
def test_a_mixed_case_email_is_the_same_account(
    vendor: str, status: int, body: dict[str, Any]
) -> None:
    fake = new_fake()
    _seed(vendor, fake)
    before = snapshot(fake)

    response = _register(vendor, MIXED_CASE_EMAIL, fake).send(fake)

    answer = response.get_json()
    assert response.status_code == status
    assert (answer["data"] if vendor == "b2core" else answer) == body
    assert snapshot(fake)["accounts"] == before["accounts"]


@pytest.mark.parametrize("operation", ["ovok.b2b_login", "b2core.signin", "waltid.emailpass_login"])
def test_login_takes_the_email_in_any_case(operation: str) -> None:
    fake = new_fake()
    call = well_formed(operation, fake)

    response = call.send_raw(fake, *_body("a mixed-case email", call))

    assert response.status_code == 200
    assert_documented(operation, response)


# -- the live server stays up -----------------------------------------------------------------


def test_the_live_server_refuses_a_huge_and_a_deep_body_and_keeps_serving() -> None:
    fake = new_fake()
    huge = b'{"email": "' + b"a" * (MEGABYTES * 1024 * 1024) + b'"}'
    deep = b"[" * 40_000 + b"]" * 40_000  # under Ovok's 100 KiB

    with fake.serve() as server:
        url = f"{server.url}/auth/b2b/login"
        answers = [
            requests.post(url, data=body, headers={"Content-Type": JSON}, timeout=10).status_code
            for body in (huge, deep, b"\xff\x00\xfe")
        ]
        after = requests.get(f"{server.url}/auth/me", timeout=10)

    assert answers == [413, 400, 400]
    assert after.status_code == 401
    assert fake.handler_errors == []


def test_a_body_declared_over_the_hard_limit_is_refused_without_being_read() -> None:
    fake = new_fake()
    read: list[int] = []

    class Unread(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            read.append(-1 if size is None else size)
            return b""

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/auth/b2b/login",
        "HTTP_HOST": "api.dev.ovok.com",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(70 * 1024 * 1024),
        "wsgi.input": Unread(),
    }

    response = fake.wsgi_app.handle(environ)

    assert response.status == 413
    assert read == []
