"""A body with a wrong field name (``pass`` for ``password``): the reply stays the vendor's own,
byte for byte, and the journal entry (and so the failure report) says which field was expected."""

from __future__ import annotations

from typing import Any

import pytest
import werkzeug.test

from fakeauth import FakeAuth, redacted
from fakeauth.apis.base import field_problem

OVOK = "https://api.ovok.com"
B2CORE = "https://host.name"
WALTID = "https://enterprise-sandbox.waltid.dev"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
EMAIL = "ann@example.test"
PASSWORD = "s3cret-pass"
WALTID_HINT = (
    "Pass authentication credential either as 1) Basic Auth header (`Authorization: Basic "
    '<credentials>`) as per RFC 7617; OR 2) JSON document (`{\\"email\\": \\"<email>\\", '
    '\\"password\\": \\"<password>\\"}`); OR 3) Form post (email=<email>&password=<password>)!'
)


@pytest.mark.parametrize(
    ("base_url", "path", "body", "reply", "problem"),
    [
        (
            OVOK,
            "/auth/b2b/login",
            {"email": EMAIL, "pass": PASSWORD, "tenantId": TENANT, "clientId": TENANT},
            b'{"statusCode":422,"message":"password must be a string","error":"Unprocessable '
            b'Entity"}',
            "'password' was expected where the body has 'pass' (the fields are: email, password, "
            "clientId, tenantId)",
        ),
        (
            WALTID,
            "/auth/account/emailpass",
            {"email": EMAIL, "passwort": PASSWORD},
            b'{"exception":true,"id":"IllegalArgumentException","status":"Bad Request",'
            b'"code":"400","message":"Invalid or missing password in JSON request. '
            + WALTID_HINT.encode()
            + b'"}',
            "'password' was expected where the body has 'passwort' (the fields are: email, "
            "password)",
        ),
    ],
)
def test_a_misspelt_field_is_named_in_the_journal_and_the_reply_is_the_vendors(
    base_url: str, path: str, body: dict[str, Any], reply: bytes, problem: str
) -> None:
    fake = FakeAuth()
    client = werkzeug.test.Client(fake.wsgi_app)

    response = client.post(path, base_url=base_url, json=body)

    entry = fake.journal.since(0)[-1]
    assert response.data == reply
    assert entry.problem == problem
    assert entry.to_dict()["problem"] == problem
    assert f"    problem:  {problem}" in fake.journal.format(bodies=True).splitlines()
    assert PASSWORD not in fake.journal.format(bodies=True)  # a password under a wrong name too
    assert entry.request[next(k for k in body if k.startswith("pass"))] == redacted(PASSWORD)


def test_a_b2core_signin_names_the_misspelt_password_beside_its_own_error() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(email=EMAIL, password=PASSWORD)
    client = werkzeug.test.Client(fake.wsgi_app)
    wizard = client.get("/api/v2/my/signin/wizard", base_url=B2CORE).get_json()

    response = client.post(
        "/api/v2/my/signin",
        base_url=B2CORE,
        json={"uuid": wizard["uuid"], "email": EMAIL, "pasword": PASSWORD},
    )

    assert response.status_code == 400
    assert fake.journal.since(0)[-1].problem == (
        "'password' was expected where the body has 'pasword' (the fields are: uuid, email, "
        "password, device_fingerprint, recaptchaResponse)"
    )


def test_a_refusal_with_the_right_names_has_no_problem() -> None:
    fake = FakeAuth()
    client = werkzeug.test.Client(fake.wsgi_app)
    body = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}

    response = client.post("/auth/b2b/login", base_url=OVOK, json=body)

    assert response.status_code == 401
    assert fake.journal.since(0)[-1].problem is None
    assert fake.journal.since(0)[-1].to_dict()["problem"] is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"email": "x"}, "'password' is missing (the fields are: email, password)"),
        (
            {"emial": "x", "pwd": "y"},
            "'email' was expected where the body has 'emial'; 'password' was expected where the "
            "body has 'pwd' (the fields are: email, password)",
        ),
        ({"email": "x", "password": "y", "colour": "red"}, None),  # unknown, like nothing
        (["email", "password"], None),
        ({"email": "x", "p" * 60: "y"}, "'password' is missing (the fields are: email, password)"),
    ],
)
def test_field_problem_names_the_expected_fields(body: Any, problem: str | None) -> None:
    assert field_problem(body, ["email", "password"], ["email", "password"]) == problem


def test_a_long_field_name_is_cut_in_the_problem() -> None:
    given = "recaptchaResponse" + "x" * 30

    problem = field_problem({given: "y"}, ["recaptchaResponse"], [])

    assert problem == (
        "'recaptchaResponse' was expected where the body has "
        "'recaptchaResponsexxxxxxxxxxxxxxxxxxxx...' (the fields are: recaptchaResponse)"
    )
