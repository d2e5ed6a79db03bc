"""A handler answers with what the journal needs of the request it read (the secrets to redact,
the body as it parsed it); the request it was handed is read-only (issue 21, §4).

Before, each handler wrote these onto the :class:`~fakeauth.http.Request` it was handed, and the
seam rewrote the request's path and mount: a request object served twice (a retry of the same
prepared request, or the same request from two threads) was served differently the second time,
and its secrets piled up on it.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any

import pytest

from fakeauth import FakeAuth
from fakeauth.apis import ovok as ovok_api
from fakeauth.apis import waltid as waltid_api
from fakeauth.apis.base import Handled
from fakeauth.http import Request
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, OvokState
from fakeauth.wsgi import request_from_parts

OVOK = "https://api.ovok.com"
WALTID = "https://wallet.walt.id"
LOOPBACK = "http://127.0.0.1:8321"
EMAIL = "handled@example.test"
PASSWORD = "handled-Pa55word-x9Qe"
REGISTRATION_TOKEN = "handled-registration-token-4Rw"
WAIT = 10.0
START = 1_700_000_000.0


def login_request(base: str = OVOK, path: str = "/auth/b2b/login") -> Request:
    body = {
        "email": EMAIL,
        "password": PASSWORD,
        "tenantId": DEFAULT_TENANT_ID,
        "clientId": DEFAULT_CLIENT_ID,
    }
    return request_from_parts(
        "POST",
        f"{base}{path}",
        [("Content-Type", "application/json")],
        json.dumps(body).encode(),
    )


def fields_of(request: Request) -> dict[str, Any]:
    return {field.name: getattr(request, field.name) for field in dataclasses.fields(request)}


def without_seq(entry: Any) -> dict[str, Any]:
    return {key: value for key, value in entry.to_dict().items() if key != "seq"}


def test_a_request_is_read_only() -> None:
    request = login_request()

    with pytest.raises(dataclasses.FrozenInstanceError):
        request.path = "/elsewhere"  # type: ignore[misc]


def test_a_handler_answers_with_the_password_and_the_body_it_read() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    request = login_request()
    before = fields_of(request)

    handled = ovok_api.b2b_login(fake.ovok, request)

    assert isinstance(handled, Handled)
    assert handled.response.status == 200
    assert handled.secrets == (PASSWORD,)
    assert handled.body == json.loads(request.body)
    assert fields_of(request) == before


def test_a_refused_body_is_answered_with_what_was_read_before_the_refusal() -> None:
    fake = FakeAuth()
    body = {"email": "not an email", "password": PASSWORD}
    request = request_from_parts(
        "POST",
        f"{OVOK}/auth/b2b/login",
        [("Content-Type", "application/json")],
        json.dumps(body).encode(),
    )

    handled = ovok_api.b2b_login(fake.ovok, request)

    assert handled.response.status == 422
    assert handled.secrets == (PASSWORD,)
    assert handled.body == body


def test_a_walt_id_registration_token_is_answered_as_a_secret() -> None:
    fake = FakeAuth()
    fake.waltid.add_registration_token(
        REGISTRATION_TOKEN, email="admin@example.org", password=PASSWORD
    )
    request = request_from_parts(
        "POST",
        f"{WALTID}/v1/superadmin/create-by-token",
        [("Content-Type", "application/json")],
        json.dumps({"token": REGISTRATION_TOKEN}).encode(),
    )

    handled = waltid_api.superadmin_create_by_token(fake.waltid, request)

    assert handled.response.status == 200
    assert handled.secrets == (REGISTRATION_TOKEN,)
    assert handled.body == {"token": REGISTRATION_TOKEN}


def test_a_request_served_twice_is_answered_and_journaled_the_same() -> None:
    fake = FakeAuth()
    fake.clock.set(START, frozen=True)
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    # Ovok's own POST /auth/logout, under its base path on the live server's root (walt.id owns
    # that path at the root)
    request = request_from_parts(
        "POST", f"{LOOPBACK}/ovok/auth/logout", [("Authorization", "Bearer not-a-token")], b""
    )
    before = fields_of(request)

    first = fake.wsgi_app.dispatch(request)
    second = fake.wsgi_app.dispatch(request)

    entries = fake.journal.since(0)
    assert [entry.operation for entry in entries] == ["ovok.auth_logout", "ovok.auth_logout"]
    assert (second.status, second.body) == (first.status, first.body)
    assert without_seq(entries[1]) == without_seq(entries[0])
    assert fields_of(request) == before


def test_one_request_served_from_two_threads_at_once_is_served_the_same_in_each() -> None:
    fake = FakeAuth()
    state: OvokState = fake.ovok
    inside, release = threading.Event(), threading.Event()
    logout = state.logout
    calls = 0

    def held_logout(access_token: str, *, by: str = "ovok.logout") -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # the first request waits, inside its handler, for the second to finish
            inside.set()
            assert release.wait(WAIT)
        logout(access_token, by=by)

    state.logout = held_logout  # type: ignore[method-assign]
    request = request_from_parts(
        "POST", f"{LOOPBACK}/ovok/auth/logout", [("Authorization", "Bearer not-a-token")], b""
    )
    first = threading.Thread(target=fake.wsgi_app.dispatch, args=(request,))
    first.start()
    assert inside.wait(WAIT)

    fake.wsgi_app.dispatch(request)
    release.set()
    first.join(WAIT)

    entries = fake.journal.since(0)
    assert not first.is_alive()
    assert [entry.operation for entry in entries] == ["ovok.auth_logout", "ovok.auth_logout"]
    assert {entry.url for entry in entries} == {f"{LOOPBACK}/ovok/auth/logout"}


def test_each_of_two_requests_at_once_journals_only_its_own_password() -> None:
    fake = FakeAuth()
    other_password = "handled-other-Pa55-c1Vb"
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    fake.ovok.add_account(email="other@example.test", password=other_password)
    state: OvokState = fake.ovok
    inside, release = threading.Event(), threading.Event()
    authenticate = state.authenticate

    def held(**kwargs: Any) -> Any:
        if kwargs["password"] == PASSWORD:  # the first waits inside its handler for the second
            inside.set()
            assert release.wait(WAIT)
        return authenticate(**kwargs)

    state.authenticate = held  # type: ignore[method-assign]
    secrets_by_body: dict[str, tuple[str, ...]] = {}
    record = fake.wsgi_app._record  # the seam's one place of recording, watched

    def watching(*args: Any) -> None:
        request, handled = args[1], args[5]
        secrets_by_body[json.loads(request.body)["password"]] = handled.secrets
        record(*args)

    fake.wsgi_app._record = watching  # type: ignore[method-assign, assignment]
    first = threading.Thread(target=fake.wsgi_app.dispatch, args=(login_request(),))
    first.start()
    assert inside.wait(WAIT)
    other = dataclasses.replace(
        login_request(),
        body=json.dumps(
            {
                "email": "other@example.test",
                "password": other_password,
                "tenantId": DEFAULT_TENANT_ID,
                "clientId": DEFAULT_CLIENT_ID,
            }
        ).encode(),
    )

    fake.wsgi_app.dispatch(other)
    release.set()
    first.join(WAIT)

    assert not first.is_alive()
    assert secrets_by_body == {PASSWORD: (PASSWORD,), other_password: (other_password,)}
