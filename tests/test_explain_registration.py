"""``fake.explain`` on walt.id's Super Admin registration tokens: every verdict that applies, in
exact sentences by the fake's frozen clock, and the refusals ``create-by-token`` records."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from test_explain import EMAIL, NOON, PASSWORD, Case, frozen_fake
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.explain import fingerprint
from fakeauth.state.waltid import DEFAULT_SUPERADMIN_TOKEN

WALTID = "https://enterprise-sandbox.waltid.dev"
CREATE_BY_TOKEN = "/v1/superadmin/create-by-token"
OWN_TOKEN = "our-own-registration-token"
NEVER_ISSUED = "a-token-no-line-holds"
UUID_SHAPED = "9b2f4c1e-6a3d-4e8f-9c07-5d1a2b3c4e5f"
SUPERADMIN = "superadmin@walt.id"
RULE = (
    "a registration token activates its Super Admin only while no such account exists, "
    f"and {SUPERADMIN} does"
)
DEFAULT_FP = fingerprint(DEFAULT_SUPERADMIN_TOKEN)


def activate(fake: FakeAuth, token: str = DEFAULT_SUPERADMIN_TOKEN) -> int:
    """Post ``token`` to ``create-by-token`` as raw text; the reply's status."""
    reply = Client(fake.wsgi_app).post(
        CREATE_BY_TOKEN, base_url=WALTID, data=token, content_type="text/plain"
    )
    return reply.status_code


def add_own_token(fake: FakeAuth, *, expires: datetime | None = None) -> None:
    fake.waltid.add_registration_token(
        OWN_TOKEN, email="owner@example.org", password=PASSWORD, expires=expires
    )


def _live(fake: FakeAuth) -> tuple[str, str, str]:
    return (
        DEFAULT_SUPERADMIN_TOKEN,
        "live",
        f"walt.id registration token {DEFAULT_FP} is live, expires at 2029-01-01T00:00:00Z, "
        "in 89,553,600 s",
    )


def _expired(fake: FakeAuth) -> tuple[str, str, str]:
    add_own_token(fake, expires=datetime(2026, 3, 1, 11, 59, 50, tzinfo=timezone.utc))
    return (
        OWN_TOKEN,
        "expired",
        f"walt.id registration token {fingerprint(OWN_TOKEN)} expired at 11:59:50Z, 10 s ago",
    )


def _used_through_the_route(fake: FakeAuth) -> tuple[str, str, str]:
    assert activate(fake) == 200
    fake.clock.shift(5)
    return (
        DEFAULT_SUPERADMIN_TOKEN,
        "rotated",
        f"walt.id registration token {DEFAULT_FP} was already exchanged by "
        f"waltid.superadmin_create_by_token at 12:00:00Z, 5 s ago, journal entry 1: {RULE}",
    )


def _used_by_seeding(fake: FakeAuth) -> tuple[str, str, str]:
    fake.waltid.superadmin()
    return (
        DEFAULT_SUPERADMIN_TOKEN,
        "rotated",
        f"walt.id registration token {DEFAULT_FP} was already exchanged by "
        f"fake.waltid.superadmin() at 12:00:00Z, 0 s ago: {RULE}",
    )


def _live_again_once_its_super_admin_is_removed(fake: FakeAuth) -> tuple[str, str, str]:
    account = fake.waltid.superadmin().account
    fake.waltid.remove_account(account.id)
    return _live(fake)


def _reset(fake: FakeAuth) -> tuple[str, str, str]:
    add_own_token(fake)
    fake.reset()
    fake.clock.set(NOON + 1, frozen=True)
    return (
        OWN_TOKEN,
        "reset",
        f"walt.id registration token {fingerprint(OWN_TOKEN)} was issued before this fake's "
        "reset at 12:00:00Z, 1 s ago, which forgot every credential it held",
    )


def _restore(fake: FakeAuth) -> tuple[str, str, str]:
    snapshot = fake.snapshot()
    add_own_token(fake)
    fake.restore(snapshot)
    return (
        OWN_TOKEN,
        "reset",
        f"walt.id registration token {fingerprint(OWN_TOKEN)} was issued before this fake's "
        "restore at 12:00:00Z, 0 s ago, which forgot every credential it held",
    )


def _unknown(token: str) -> Callable[[FakeAuth], tuple[str, str, str]]:
    def act(fake: FakeAuth) -> tuple[str, str, str]:
        return (
            token,
            "unknown",
            f"walt.id registration token {fingerprint(token)} was never issued by this fake: it "
            "is well formed, but no record holds it (another fake, another lane or another run "
            "issued it)",
        )

    return act


def _malformed(token: str, why: str) -> Callable[[FakeAuth], tuple[str, str, str]]:
    def act(fake: FakeAuth) -> tuple[str, str, str]:
        return token, "malformed", f"credential {fingerprint(token)} is malformed: {why}"

    return act


def _sent_as_a_login_token(fake: FakeAuth) -> tuple[str, str, str]:
    return (
        DEFAULT_SUPERADMIN_TOKEN,
        "wrong_kind",
        f"walt.id registration token {DEFAULT_FP} was sent where a login credential is expected",
    )


def _a_login_token_sent_as_one(fake: FakeAuth) -> tuple[str, str, str]:
    token = fake.waltid.login(EMAIL, PASSWORD)
    return (
        token,
        "wrong_kind",
        f"walt.id session token {fingerprint(token)} was sent where a registration credential "
        "is expected",
    )


def _sent_to_another_vendor(fake: FakeAuth) -> tuple[str, str, str]:
    return (
        DEFAULT_SUPERADMIN_TOKEN,
        "wrong_vendor",
        f"walt.id registration token {DEFAULT_FP} was issued by this fake for waltid, and was "
        "sent to ovok",
    )


AS_REGISTRATION = {"vendor": "waltid", "kind": "registration"}
CASES = {
    "live": Case(_live),
    "expired": Case(_expired),
    "used through create-by-token": Case(_used_through_the_route),
    "used by fake.waltid.superadmin()": Case(_used_by_seeding),
    "live again once its super admin is removed": Case(_live_again_once_its_super_admin_is_removed),
    "reset": Case(_reset),
    "restore": Case(_restore),
    "unknown where one is expected": Case(_unknown(NEVER_ISSUED), **AS_REGISTRATION),
    "a uuid where one is expected": Case(_unknown(UUID_SHAPED), **AS_REGISTRATION),
    "never issued, nothing expected": Case(
        _malformed(
            NEVER_ISSUED, "it is neither a JWT nor any other credential this fake's vendors issue"
        )
    ),
    "white space where one is expected": Case(
        _malformed("my token", "it holds white space, which no credential this fake issues does"),
        **AS_REGISTRATION,
    ),
    "sent as a login token": Case(_sent_as_a_login_token, vendor="waltid", kind="login"),
    "a login token sent as one": Case(_a_login_token_sent_as_one, **AS_REGISTRATION),
    "sent to another vendor": Case(_sent_to_another_vendor, vendor="ovok", kind="access"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_verdict_on_a_registration_token_is_one_exact_sentence(case: Case) -> None:
    fake = frozen_fake()
    token, verdict, sentence = case.act(fake)

    explanation = fake.explain(token, vendor=case.vendor, kind=case.kind)

    assert (explanation.verdict, explanation.sentence) == (verdict, sentence)
    assert token not in str(explanation.to_dict())


def test_a_used_registration_token_names_its_super_admin_and_when_it_was_activated() -> None:
    fake = frozen_fake()
    activate(fake)
    account = fake.waltid.get_account(SUPERADMIN).id

    explanation = fake.explain(DEFAULT_SUPERADMIN_TOKEN)

    assert explanation.to_dict() == {
        "verdict": "rotated",
        "sentence": explanation.sentence,
        "token": f"walt.id registration token {DEFAULT_FP}",
        "fingerprint": DEFAULT_FP,
        "vendor": "waltid",
        "kind": "registration",
        "account": account,
        "issued_at": None,
        "expires_at": "2029-01-01T00:00:00+00:00",
        "revoked_by": "waltid.superadmin_create_by_token",
        "revoked_at": "2026-03-01T12:00:00+00:00",
        "journal_entry": 1,
    }


def refusal_of_last(fake: FakeAuth) -> tuple[int, str | None, str | None]:
    entry = fake.journal[-1]
    if entry.refusal is None:
        return entry.status, None, None
    return entry.status, entry.refusal.verdict, entry.refusal.sentence


def test_a_second_activation_records_why_its_token_was_refused_and_the_reply_stays_walt_ids() -> (
    None
):
    fake = frozen_fake()
    client = Client(fake.wsgi_app)
    client.post(CREATE_BY_TOKEN, base_url=WALTID, json={"token": DEFAULT_SUPERADMIN_TOKEN})

    reply = client.post(CREATE_BY_TOKEN, base_url=WALTID, json={"token": DEFAULT_SUPERADMIN_TOKEN})

    assert reply.get_json() == {
        "exception": True,
        "id": "ConflictException",
        "status": "Conflict",
        "code": "409",
        "message": "Super admin already exists",
    }
    assert refusal_of_last(fake) == (
        409,
        "rotated",
        f"walt.id registration token {DEFAULT_FP} was already exchanged by "
        f"waltid.superadmin_create_by_token at 12:00:00Z, 0 s ago, journal entry 1: {RULE}",
    )
    document = client.get("/_fakeauth/journal", base_url=WALTID).get_json()
    assert DEFAULT_SUPERADMIN_TOKEN not in json.dumps(document)


def _refused_unknown(fake: FakeAuth) -> tuple[str, str, str]:
    return NEVER_ISSUED, *_unknown(NEVER_ISSUED)(fake)[1:]


def _refused_expired(fake: FakeAuth) -> tuple[str, str, str]:
    return _expired(fake)


def _refused_after_a_reset(fake: FakeAuth) -> tuple[str, str, str]:
    return _reset(fake)


def _refused_login_token(fake: FakeAuth) -> tuple[str, str, str]:
    return _a_login_token_sent_as_one(fake)


REFUSED = {
    "unknown": _refused_unknown,
    "expired": _refused_expired,
    "reset": _refused_after_a_reset,
    "a login token": _refused_login_token,
}


@pytest.mark.parametrize("act", REFUSED.values(), ids=REFUSED.keys())
def test_create_by_token_records_each_refused_registration_token(
    act: Callable[[FakeAuth], tuple[str, str, str]],
) -> None:
    fake = frozen_fake()
    token, verdict, sentence = act(fake)

    status = activate(fake, token)

    assert status == 401
    assert refusal_of_last(fake) == (401, verdict, sentence)


def test_a_registration_token_sent_as_a_bearer_is_recorded_as_the_wrong_kind() -> None:
    fake = frozen_fake()

    reply = Client(fake.wsgi_app).get(
        "/v1/admin/accounts",
        base_url=WALTID,
        headers={"Authorization": f"Bearer {DEFAULT_SUPERADMIN_TOKEN}"},
    )

    assert reply.status_code == 401
    assert refusal_of_last(fake) == (401, *_sent_as_a_login_token(fake)[1:])


def test_a_live_token_refused_for_an_account_that_holds_its_email_records_no_refusal() -> None:
    fake = frozen_fake()
    fake.waltid.add_account(SUPERADMIN, PASSWORD)  # an ordinary account, not the Super Admin

    status = activate(fake)

    assert status == 409
    assert refusal_of_last(fake) == (409, None, None)
    assert fake.explain(DEFAULT_SUPERADMIN_TOKEN).verdict == "live"


def test_an_empty_body_records_no_refusal_since_no_token_was_sent() -> None:
    fake = frozen_fake()

    status = activate(fake, "")

    assert status == 401
    assert refusal_of_last(fake) == (401, None, None)
