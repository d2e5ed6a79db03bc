"""Every refused credential explained in the journal, whatever carried it: a bearer token, a
refresh token in a body, walt.id's session header or cookie, a B2Core wizard uuid (400). The
route declares what it takes (``Route.credential``); the reply stays the vendor's own."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from test_explain import (
    EMAIL,
    FORM,
    NOON,
    OVOK,
    PASSWORD,
    b2core_login,
    frozen_fake,
    ovok_login,
    tampered,
)
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.explain import fingerprint

B2CORE = "https://host.name"
WALTID = "https://enterprise-sandbox.waltid.dev"
WRONG_PASSWORD = "not-the-Pa55word"


def refusal_of_last(fake: FakeAuth) -> tuple[int, str | None, str | None]:
    """The last entry's status, and its refusal's verdict and sentence (``None``: none)."""
    entry = fake.journal[-1]
    if entry.refusal is None:
        return entry.status, None, None
    return entry.status, entry.refusal.verdict, entry.refusal.sentence


def _expired(fake: FakeAuth) -> str:
    access, _ = ovok_login(fake)
    fake.clock.shift(3601)
    return access


def _revoked(fake: FakeAuth) -> str:
    access, _ = ovok_login(fake)
    fake.ovok.logout(access)
    return access


def _reset(fake: FakeAuth) -> str:
    access, _ = ovok_login(fake)
    fake.reset()  # puts the clock back on the system's: the sentence's "s ago" would tick
    fake.clock.set(NOON + 1, frozen=True)
    return access


def _unknown(fake: FakeAuth) -> str:
    other = FakeAuth(seed="another run")
    other.ovok.add_account(EMAIL, PASSWORD)
    return ovok_login(other)[0]


#: A bearer token for each verdict ``GET /auth/me`` can refuse (``rotated`` is a refresh
#: token's, in a body: tested above).
BEARERS: dict[str, Callable[[FakeAuth], str]] = {
    "expired": _expired,
    "revoked": _revoked,
    "reset": _reset,
    "unknown": _unknown,
    "forged": lambda fake: tampered(ovok_login(fake)[0]),
    "wrong_vendor": lambda fake: b2core_login(fake)[0],
    "wrong_kind": lambda fake: ovok_login(fake)[1],
    "malformed": lambda fake: "hello",
}


@pytest.mark.parametrize("verdict", BEARERS)
def test_each_refused_bearer_records_its_verdict_and_the_reply_stays_the_vendors(
    verdict: str,
) -> None:
    fake = frozen_fake()
    token = BEARERS[verdict](fake)

    reply = Client(fake.wsgi_app).get(
        "/auth/me", base_url=OVOK, headers={"Authorization": f"Bearer {token}"}
    )

    assert reply.get_json() == {
        "statusCode": 401,
        "message": "Unauthorized",
        "error": "Unauthorized",
    }
    assert refusal_of_last(fake) == (
        401,
        verdict,
        fake.explain(token, vendor="ovok", kind="access").sentence,
    )


def test_an_exchanged_ovok_refresh_token_in_the_body_is_explained_as_rotated() -> None:
    fake = frozen_fake()
    _, refresh = ovok_login(fake)
    client = Client(fake.wsgi_app)
    client.post("/auth/refresh-token", base_url=OVOK, json={"refresh_token": refresh})

    reply = client.post("/auth/refresh-token", base_url=OVOK, json={"refresh_token": refresh})

    assert reply.get_json() == {
        "statusCode": 401,
        "message": "Unauthorized",
        "error": "Unauthorized",
    }
    assert refusal_of_last(fake) == (
        401,
        "rotated",
        f"Ovok refresh token {fingerprint(refresh)} was already exchanged by ovok.refresh_token at "
        "12:00:00Z, 0 s ago, journal entry 2: a refresh token is single use",
    )


def test_an_access_token_sent_as_a_refresh_token_is_the_wrong_kind() -> None:
    fake = frozen_fake()
    access, _ = ovok_login(fake)

    reply = Client(fake.wsgi_app).post(
        "/auth/refresh-token", base_url=OVOK, json={"refresh_token": access}
    )

    assert reply.status_code == 401
    assert refusal_of_last(fake) == (
        401,
        "wrong_kind",
        f"Ovok access token {fingerprint(access)} was sent where a refresh credential is expected",
    )


def test_a_logout_names_the_route_it_came_through() -> None:
    fake = frozen_fake()
    access, _ = ovok_login(fake)
    client = Client(fake.wsgi_app)
    bearer = {"Authorization": f"Bearer {access}"}
    client.post("/auth/logout", base_url=OVOK, headers=bearer)

    client.get("/auth/me", base_url=OVOK, headers=bearer)

    assert refusal_of_last(fake) == (
        401,
        "revoked",
        f"Ovok access token {fingerprint(access)} was revoked by ovok.auth_logout at 12:00:00Z, "
        "0 s ago, journal entry 2",
    )


def test_a_b2core_refresh_token_of_a_signed_out_session_is_explained_as_revoked() -> None:
    fake = frozen_fake()
    access, refresh = b2core_login(fake)
    client = Client(fake.wsgi_app)
    client.post(
        "/api/v2/my/signout", base_url=B2CORE, headers={"Authorization": f"Bearer {access}"}
    )

    reply = client.post("/api/v2/my/refresh", base_url=B2CORE, json={"refreshToken": refresh})

    assert reply.status_code == 401
    assert refusal_of_last(fake) == (
        401,
        "revoked",
        f"B2Core refresh token {fingerprint(refresh)} was revoked by b2core.signout at "
        "12:00:00Z, 0 s ago, journal entry 1",
    )


def test_a_finished_wizard_uuid_is_explained_and_the_400_stays_the_vendors() -> None:
    fake = frozen_fake()
    broker = fake.b2core.broker()
    uuid = fake.b2core.start_signin(broker).uuid
    fake.b2core.sign_in(broker, uuid, FORM)

    reply = Client(fake.wsgi_app).post(
        "/api/v2/my/signin", base_url=B2CORE, json={**FORM, "uuid": uuid}
    )

    assert reply.status_code == 400
    assert "refusal" not in json.dumps(reply.get_json())
    assert refusal_of_last(fake) == (
        400,
        "revoked",
        f"B2Core sign-in wizard uuid {fingerprint(uuid)} was revoked: a wizard uuid serves one "
        "sign-in, and this one has finished",
    )


def test_an_expired_wizard_uuid_and_one_of_the_other_flow_are_explained() -> None:
    fake = frozen_fake()
    broker = fake.b2core.broker()
    signin = fake.b2core.start_signin(broker).uuid
    signup = fake.b2core.start_signup(broker)[0].uuid
    client = Client(fake.wsgi_app)

    client.post("/api/v2/my/signin", base_url=B2CORE, json={**FORM, "uuid": signup})
    wrong_flow = refusal_of_last(fake)
    fake.clock.shift(1800)
    client.post("/api/v2/my/signin", base_url=B2CORE, json={**FORM, "uuid": signin})
    expired = refusal_of_last(fake)

    assert wrong_flow == (
        400,
        "wrong_kind",
        f"B2Core sign-up wizard uuid {fingerprint(signup)} was sent where a signin wizard "
        "credential is expected",
    )
    assert expired == (
        400,
        "expired",
        f"B2Core sign-in wizard uuid {fingerprint(signin)} expired at 12:30:00Z, 0 s ago: B2Core "
        "sign-in wizard uuids live 1,800 s",
    )


def test_a_400_for_a_wrong_password_with_a_live_wizard_records_no_refusal() -> None:
    fake = frozen_fake()
    uuid = fake.b2core.start_signin(fake.b2core.broker()).uuid

    reply = Client(fake.wsgi_app).post(
        "/api/v2/my/signin",
        base_url=B2CORE,
        json={**FORM, "password": WRONG_PASSWORD, "uuid": uuid},
    )

    assert reply.status_code == 400
    assert refusal_of_last(fake) == (400, None, None)


@pytest.mark.parametrize("carrier", ["cookie", "authorization", "ktor header"])
def test_a_walt_id_session_token_is_explained_whatever_carried_it(carrier: str) -> None:
    fake = frozen_fake()
    token = fake.waltid.login(EMAIL, PASSWORD)
    fake.waltid.logout(token)
    client = Client(fake.wsgi_app)
    headers = {"ktor-authnz-auth": token} if carrier == "ktor header" else {}
    if carrier == "authorization":
        headers = {"Authorization": f"Bearer {token}"}
    elif carrier == "cookie":
        client.set_cookie("ktor-authnz-auth", token, domain="enterprise-sandbox.waltid.dev")

    reply = client.get("/v1/admin/accounts", base_url=WALTID, headers=headers)

    assert reply.status_code == 401
    assert refusal_of_last(fake) == (
        401,
        "revoked",
        f"walt.id session token {fingerprint(token)} was revoked by waltid.logout at 12:00:00Z, "
        "0 s ago",
    )


def test_a_403_for_a_live_token_without_the_role_records_no_refusal() -> None:
    fake = frozen_fake()
    token = fake.waltid.login(EMAIL, PASSWORD)

    reply = Client(fake.wsgi_app).get(
        "/v1/admin/accounts", base_url=WALTID, headers={"Authorization": f"Bearer {token}"}
    )

    assert reply.status_code == 403
    assert refusal_of_last(fake) == (403, None, None)


def test_an_injected_401_refuses_no_credential() -> None:
    fake = frozen_fake()
    access, _ = ovok_login(fake)
    fake.ovok.logout(access)
    fake.fail_next("ovok.me", 401)

    reply = Client(fake.wsgi_app).get(
        "/auth/me", base_url=OVOK, headers={"Authorization": f"Bearer {access}"}
    )

    assert reply.status_code == 401
    assert refusal_of_last(fake) == (401, None, None)


def test_the_journal_document_names_the_credential_never_whole() -> None:
    fake = frozen_fake()
    _, refresh = ovok_login(fake)
    client = Client(fake.wsgi_app)
    client.post("/auth/refresh-token", base_url=OVOK, json={"refresh_token": refresh})
    client.post("/auth/refresh-token", base_url=OVOK, json={"refresh_token": refresh})

    document = client.get("/_fakeauth/journal", base_url=OVOK).get_json()

    assert document[-1]["refusal"]["verdict"] == "rotated"
    assert document[-1]["refusal"]["token"] == f"Ovok refresh token {fingerprint(refresh)}"
    assert refresh not in json.dumps(document)


def test_the_failure_report_prints_why_under_each_refused_request(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import httpx

        FORM = {
            "email": "max@example.org",
            "password": "s3cret-Pa55word",
            "device_fingerprint": "dwqdnNFJBOEBFJEBjq",
        }

        def test_signin_twice(fakeauth):
            fakeauth.b2core.add_account("max@example.org", "s3cret-Pa55word")
            with httpx.Client(base_url="https://host.name") as client:
                uuid = client.get("/api/v2/my/signin/wizard").json()["uuid"]
                client.post("/api/v2/my/signin", json={**FORM, "uuid": uuid})
                again = client.post("/api/v2/my/signin", json={**FORM, "uuid": uuid})
            assert again.status_code == 200
        """
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "* POST https://host.name/api/v2/my/signin -> 200 (b2core.signin)",
            "* POST https://host.name/api/v2/my/signin -> 400 (b2core.signin)",
            "    request: *",
            "    response: *",
            "    refused:  revoked: B2Core sign-in wizard uuid * was revoked: a wizard uuid "
            "serves one sign-in, and this one has finished",
        ]
    )
