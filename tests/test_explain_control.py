"""``POST /_fakeauth/explain``: ``fake.explain`` for clients that are not Python, the token in
the body only, errors in the control API's shape."""

from __future__ import annotations

import json

import pytest
from test_explain import OVOK, frozen_fake, ovok_login
from werkzeug.test import Client

from fakeauth.explain import fingerprint

EXAMPLE = '{"token": "eyJ...", "vendor": "ovok", "kind": "access"}'
ROUTE = "/_fakeauth/explain"


def test_the_control_route_answers_the_explanations_dict_and_never_the_token() -> None:
    fake = frozen_fake()
    access, refresh = ovok_login(fake)
    fake.ovok.logout(access)
    client = Client(fake.wsgi_app)
    entries = len(fake.journal)

    revoked = client.post(ROUTE, base_url=OVOK, json={"token": access})
    wrong_kind = client.post(
        ROUTE, base_url=OVOK, json={"token": refresh, "vendor": "ovok", "kind": "access"}
    )

    assert revoked.status_code == 200
    assert revoked.get_json() == fake.explain(access).to_dict()
    assert revoked.get_json()["verdict"] == "revoked"
    assert revoked.get_json()["token"] == f"Ovok access token {fingerprint(access)}"
    assert access not in revoked.get_data(as_text=True)
    assert wrong_kind.get_json()["verdict"] == "wrong_kind"
    assert len(fake.journal) == entries  # control requests are not journaled: nor is the token


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"token": "x", "tok": "y"},
            f'fakeauth: unknown field "tok"; the fields are "token", "vendor", "kind", as in '
            f"{EXAMPLE}",
        ),
        ({"token": 5}, f'fakeauth: "token" must be a string, as in {EXAMPLE}'),
        ({"tok": "x"}, f'fakeauth: "token" is required, as in {EXAMPLE}'),
        (
            {"token": "x", "vendor": "okta"},
            "fakeauth: this fake serves no vendor 'okta'; it serves ovok, b2core, waltid",
        ),
    ],
)
def test_a_bad_explain_body_gets_a_sentence(body: object, message: str) -> None:
    fake = frozen_fake()

    reply = Client(fake.wsgi_app).post(ROUTE, base_url=OVOK, json=body)

    assert reply.status_code == 400
    assert reply.get_json() == {"error": message}


def test_a_token_in_the_url_is_refused() -> None:
    fake = frozen_fake()
    access, _ = ovok_login(fake)

    reply = Client(fake.wsgi_app).post(f"{ROUTE}?token={access}", base_url=OVOK, json={})

    assert reply.status_code == 400
    assert reply.get_json() == {
        "error": f"fakeauth: send the token in the body, as in POST /_fakeauth/explain {EXAMPLE}, "
        "never in the URL, which logs keep"
    }


def test_explain_takes_only_post() -> None:
    fake = frozen_fake()

    reply = Client(fake.wsgi_app).get(ROUTE, base_url=OVOK)

    assert reply.status_code == 405
    assert json.loads(reply.data) == {"error": "fakeauth: /_fakeauth/explain takes POST, not GET"}
