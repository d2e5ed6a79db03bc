"""``fake.explain(token)``: every verdict, for every vendor where it applies, in exact sentences
by the fake's frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jwt
import pytest
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.errors import ConfigurationError
from fakeauth.explain import VERDICTS, fingerprint
from fakeauth.findings import Boundary, Forgotten, HeldIds, credential_key
from fakeauth.state.b2core import B2CoreTokens
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

NOON = 1_772_366_400  # 2026-03-01T12:00:00Z
EMAIL = "max@example.org"
PASSWORD = "s3cret-Pa55word"
OVOK = "https://api.ovok.com"
FORM = {"email": EMAIL, "password": PASSWORD, "device_fingerprint": "dwqdnNFJBOEBFJEBjq"}


def frozen_fake() -> FakeAuth:
    fake = FakeAuth(seed=7)
    fake.clock.set(NOON, frozen=True)
    fake.ovok.add_account(EMAIL, PASSWORD)
    fake.b2core.add_account(EMAIL, PASSWORD)
    fake.waltid.add_account(EMAIL, PASSWORD)
    return fake


def ovok_login(fake: FakeAuth) -> tuple[str, str]:
    reply = Client(fake.wsgi_app).post(
        "/auth/b2b/login",
        base_url=OVOK,
        json={"email": EMAIL, "password": PASSWORD, "tenantId": DEFAULT_TENANT_ID,
              "clientId": DEFAULT_CLIENT_ID},
    )  # fmt: skip
    body = reply.get_json()
    assert reply.status_code == 200
    assert body is not None
    return body["accessToken"], body["refreshToken"]


def b2core_login(fake: FakeAuth) -> tuple[str, str]:
    broker = fake.b2core.broker()
    wizard = fake.b2core.start_signin(broker)
    tokens = fake.b2core.sign_in(broker, wizard.uuid, FORM)
    assert isinstance(tokens, B2CoreTokens)
    return tokens.access_token.token, tokens.refresh_token.token


def tampered(token: str) -> str:
    """``token`` with its signature's first character changed (its claims untouched)."""
    head, payload, signature = token.split(".")
    return f"{head}.{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


@dataclass(frozen=True)
class Case:
    """A scenario: ``act`` makes the credential (and what happens to it) and returns it with the
    expected verdict and sentence; ``vendor`` and ``kind`` are where it is sent."""

    act: Callable[[FakeAuth], tuple[str, str, str]]
    vendor: str | None = None
    kind: str | None = None


def _ovok_live(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = ovok_login(fake)
    account = fake.ovok.get_account(EMAIL).id
    return (
        access,
        "live",
        (
            f"Ovok access token {fingerprint(access)} is live (account {account}), expires at "
            "13:00:00Z, in 3,600 s"
        ),
    )


def _ovok_expired(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = ovok_login(fake)
    fake.clock.shift(3603)
    return (
        access,
        "expired",
        (
            f"Ovok access token {fingerprint(access)} expired at 13:00:00Z, 3 s ago: Ovok access "
            "tokens live 3,600 s"
        ),
    )


def _ovok_revoked(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = ovok_login(fake)
    fake.clock.shift(5)
    client = Client(fake.wsgi_app)
    reply = client.post(
        "/v1/auth/logout", base_url=OVOK, headers={"Authorization": f"Bearer {access}"}
    )
    assert reply.status_code == 204
    fake.clock.shift(12)
    return (
        access,
        "revoked",
        (
            f"Ovok access token {fingerprint(access)} was revoked by ovok.logout at 12:00:05Z, "
            "12 s ago, journal entry 2"
        ),
    )


def _ovok_rotated(fake: FakeAuth) -> tuple[str, str, str]:
    _, refresh = ovok_login(fake)
    reply = Client(fake.wsgi_app).post(
        "/auth/refresh-token", base_url=OVOK, json={"refresh_token": refresh}
    )
    assert reply.status_code == 200
    return (
        refresh,
        "rotated",
        (
            f"Ovok refresh token {fingerprint(refresh)} was already exchanged by "
            "ovok.refresh_token at 12:00:00Z, 0 s ago, journal entry 2: a refresh token is "
            "single use"
        ),
    )


def _ovok_reset(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = ovok_login(fake)
    fake.reset()
    fake.clock.set(NOON + 60, frozen=True)
    return (
        access,
        "reset",
        (
            f"Ovok access token {fingerprint(access)} was issued before this fake's reset at "
            "12:00:00Z, 60 s ago, which forgot every credential it held"
        ),
    )


def _ovok_restore(fake: FakeAuth) -> tuple[str, str, str]:
    snapshot = fake.snapshot()
    access, _ = ovok_login(fake)  # after the snapshot: the restore forgets it
    fake.clock.shift(30)
    fake.restore(snapshot)
    return (
        access,
        "reset",
        (
            f"Ovok access token {fingerprint(access)} was issued before this fake's restore at "
            "12:00:30Z, 0 s ago, which forgot every credential it held"
        ),
    )


def _ovok_import(fake: FakeAuth) -> tuple[str, str, str]:
    document = FakeAuth(seed=7).export_state()
    access, _ = ovok_login(fake)
    fake.import_state(document)
    fake.clock.set(NOON, frozen=True)
    return (
        access,
        "reset",
        (
            f"Ovok access token {fingerprint(access)} was issued before this fake's import at "
            "12:00:00Z, 0 s ago, which forgot every credential it held"
        ),
    )


def _ovok_unknown(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = ovok_login(_seeded_other())  # another fake, another seed: another key
    return (
        access,
        "unknown",
        (
            f"Ovok access token {fingerprint(access)} was never issued by this fake: it is well "
            "formed, but no record holds it (another fake, another lane or another run issued it)"
        ),
    )


def _seeded_other() -> FakeAuth:
    other = FakeAuth(seed="another run")
    other.clock.set(NOON, frozen=True)
    other.ovok.add_account(EMAIL, PASSWORD)
    return other


def _ovok_forged(fake: FakeAuth) -> tuple[str, str, str]:
    access = tampered(ovok_login(fake)[0])
    return (
        access,
        "forged",
        (
            f"Ovok access token {fingerprint(access)} is forged: its claims name a credential this "
            "fake issued, but its signature does not verify with this fake's key"
        ),
    )


def _ovok_wrong_vendor(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = ovok_login(fake)
    return (
        access,
        "wrong_vendor",
        (
            f"Ovok access token {fingerprint(access)} was issued by this fake for ovok, and was "
            "sent to b2core"
        ),
    )


def _ovok_wrong_kind(fake: FakeAuth) -> tuple[str, str, str]:
    _, refresh = ovok_login(fake)
    return (
        refresh,
        "wrong_kind",
        (
            f"Ovok refresh token {fingerprint(refresh)} was sent where an access credential is "
            "expected"
        ),
    )


def _b2core_expired(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = b2core_login(fake)
    fake.clock.shift(1201)
    return (
        access,
        "expired",
        (
            f"B2Core access token {fingerprint(access)} expired at 12:20:00Z, 1 s ago: B2Core "
            "access tokens live 1,200 s"
        ),
    )


def _b2core_revoked(fake: FakeAuth) -> tuple[str, str, str]:
    access, refresh = b2core_login(fake)
    fake.b2core.sign_out(fake.b2core.broker(), access)
    return (
        refresh,
        "revoked",
        (
            f"B2Core refresh token {fingerprint(refresh)} was revoked by b2core.signout at "
            "12:00:00Z, 0 s ago"
        ),
    )


def _b2core_rotated(fake: FakeAuth) -> tuple[str, str, str]:
    _, refresh = b2core_login(fake)
    fake.b2core.refresh(fake.b2core.broker(), refresh)
    return (
        refresh,
        "rotated",
        (
            f"B2Core refresh token {fingerprint(refresh)} was already exchanged by b2core.refresh "
            "at 12:00:00Z, 0 s ago: a refresh token is single use"
        ),
    )


def _b2core_reset(fake: FakeAuth) -> tuple[str, str, str]:
    access, _ = b2core_login(fake)
    fake.reset()
    fake.clock.set(NOON, frozen=True)
    return (
        access,
        "reset",
        (
            f"B2Core access token {fingerprint(access)} was issued before this fake's reset at "
            "12:00:00Z, 0 s ago, which forgot every credential it held"
        ),
    )


def _b2core_forged(fake: FakeAuth) -> tuple[str, str, str]:
    access = tampered(b2core_login(fake)[0])
    return (
        access,
        "forged",
        (
            f"B2Core access token {fingerprint(access)} is forged: its claims name a credential "
            "this fake issued, but its signature does not verify with this fake's key"
        ),
    )


def _b2core_wrong_kind(fake: FakeAuth) -> tuple[str, str, str]:
    _, refresh = b2core_login(fake)
    return (
        refresh,
        "wrong_kind",
        (
            f"B2Core refresh token {fingerprint(refresh)} was sent where an access credential is "
            "expected"
        ),
    )


def _wizard_live(fake: FakeAuth) -> tuple[str, str, str]:
    uuid = fake.b2core.start_signin(fake.b2core.broker()).uuid
    return (
        uuid,
        "live",
        (
            f"B2Core sign-in wizard uuid {fingerprint(uuid)} is live, expires at 12:30:00Z, in "
            "1,800 s"
        ),
    )


def _wizard_expired(fake: FakeAuth) -> tuple[str, str, str]:
    uuid = fake.b2core.start_signin(fake.b2core.broker()).uuid
    fake.clock.shift(1800)
    return (
        uuid,
        "expired",
        (
            f"B2Core sign-in wizard uuid {fingerprint(uuid)} expired at 12:30:00Z, 0 s ago: B2Core "
            "sign-in wizard uuids live 1,800 s"
        ),
    )


def _wizard_finished(fake: FakeAuth) -> tuple[str, str, str]:
    broker = fake.b2core.broker()
    uuid = fake.b2core.start_signin(broker).uuid
    fake.b2core.sign_in(broker, uuid, FORM)
    return (
        uuid,
        "revoked",
        (
            f"B2Core sign-in wizard uuid {fingerprint(uuid)} was revoked: a wizard uuid serves one "
            "sign-in, and this one has finished"
        ),
    )


def _wizard_unknown(fake: FakeAuth) -> tuple[str, str, str]:
    uuid = "5b0e7e31-0000-4000-8000-000000000000"
    return (
        uuid,
        "unknown",
        (
            f"B2Core wizard uuid {fingerprint(uuid)} was never issued by this fake: it is well "
            "formed, but no record holds it (another fake, another lane or another run issued it)"
        ),
    )


def _wizard_wrong_kind(fake: FakeAuth) -> tuple[str, str, str]:
    uuid = fake.b2core.start_signup(fake.b2core.broker())[0].uuid
    return (
        uuid,
        "wrong_kind",
        (
            f"B2Core sign-up wizard uuid {fingerprint(uuid)} was sent where a signin wizard "
            "credential is expected"
        ),
    )


def _waltid_live(fake: FakeAuth) -> tuple[str, str, str]:
    token = fake.waltid.login(EMAIL, PASSWORD)
    account = fake.waltid.get_account(EMAIL).id
    return (
        token,
        "live",
        (
            f"walt.id session token {fingerprint(token)} is live (account {account}), expires at "
            "2026-03-08T12:00:00Z, in 604,800 s"
        ),
    )


def _waltid_expired(fake: FakeAuth) -> tuple[str, str, str]:
    token = fake.waltid.login(EMAIL, PASSWORD)
    fake.clock.shift(604_800 + 2)
    return (
        token,
        "expired",
        (
            f"walt.id session token {fingerprint(token)} expired at 12:00:00Z, 2 s ago: "
            "walt.id session tokens live 604,800 s"
        ),
    )


def _waltid_revoked(fake: FakeAuth) -> tuple[str, str, str]:
    token = fake.waltid.login(EMAIL, PASSWORD)
    fake.waltid.remove_account(fake.waltid.get_account(EMAIL).id)
    return (
        token,
        "revoked",
        (
            f"walt.id session token {fingerprint(token)} was revoked by the account's removal at "
            "12:00:00Z, 0 s ago"
        ),
    )


def _waltid_reset(fake: FakeAuth) -> tuple[str, str, str]:
    token = fake.waltid.login(EMAIL, PASSWORD)
    fake.reset()
    fake.clock.set(NOON + 1, frozen=True)
    return (
        token,
        "reset",
        (
            f"walt.id session token {fingerprint(token)} was issued before this fake's reset at "
            "12:00:00Z, 1 s ago, which forgot every credential it held"
        ),
    )


def _waltid_forged(fake: FakeAuth) -> tuple[str, str, str]:
    token = tampered(fake.waltid.login(EMAIL, PASSWORD))
    return (
        token,
        "forged",
        (
            f"walt.id session token {fingerprint(token)} is forged: its claims name a credential "
            "this fake issued, but its signature does not verify with this fake's key"
        ),
    )


def _waltid_wrong_vendor(fake: FakeAuth) -> tuple[str, str, str]:
    token = fake.waltid.login(EMAIL, PASSWORD)
    return (
        token,
        "wrong_vendor",
        (
            f"walt.id session token {fingerprint(token)} was issued by this fake for waltid, and "
            "was sent to ovok"
        ),
    )


def _registration_expired(fake: FakeAuth) -> tuple[str, str, str]:
    fake.clock.set(1_861_920_000 + 10, frozen=True)  # 2029-01-01T00:00:10Z
    token = "1234567890-my-token"
    return (
        token,
        "expired",
        (f"walt.id registration token {fingerprint(token)} expired at 00:00:00Z, 10 s ago"),
    )


def _malformed(text: str, why: str) -> Callable[[FakeAuth], tuple[str, str, str]]:
    def act(fake: FakeAuth) -> tuple[str, str, str]:
        return text, "malformed", f"credential {fingerprint(text)} is malformed: {why}"

    return act


def _foreign_jwt(fake: FakeAuth) -> tuple[str, str, str]:
    token = jwt.encode({"sub": "someone"}, "k" * 32, algorithm="HS256")
    return (
        token,
        "unknown",
        (
            f"JWT {fingerprint(token)} was never issued by this fake: it is a well-formed JWT, but "
            "its claims have the shape of no vendor this fake serves"
        ),
    )


CASES = {
    "ovok live": Case(_ovok_live),
    "ovok expired": Case(_ovok_expired),
    "ovok revoked by logout": Case(_ovok_revoked),
    "ovok refresh rotated": Case(_ovok_rotated),
    "ovok reset": Case(_ovok_reset),
    "ovok restore": Case(_ovok_restore),
    "ovok import": Case(_ovok_import),
    "ovok unknown": Case(_ovok_unknown),
    "ovok forged": Case(_ovok_forged),
    "ovok wrong vendor": Case(_ovok_wrong_vendor, vendor="b2core", kind="access"),
    "ovok wrong kind": Case(_ovok_wrong_kind, vendor="ovok", kind="access"),
    "b2core expired": Case(_b2core_expired),
    "b2core revoked by sign-out": Case(_b2core_revoked),
    "b2core refresh rotated": Case(_b2core_rotated),
    "b2core reset": Case(_b2core_reset),
    "b2core forged": Case(_b2core_forged),
    "b2core wrong kind": Case(_b2core_wrong_kind, vendor="b2core", kind="access"),
    "wizard live": Case(_wizard_live),
    "wizard expired": Case(_wizard_expired),
    "wizard finished": Case(_wizard_finished),
    "wizard unknown": Case(_wizard_unknown),
    "wizard wrong kind": Case(_wizard_wrong_kind, vendor="b2core", kind="signin wizard"),
    "waltid live": Case(_waltid_live),
    "waltid expired": Case(_waltid_expired),
    "waltid revoked": Case(_waltid_revoked),
    "waltid reset": Case(_waltid_reset),
    "waltid forged": Case(_waltid_forged),
    "waltid wrong vendor": Case(_waltid_wrong_vendor, vendor="ovok"),
    "registration expired": Case(_registration_expired),
    "foreign jwt": Case(_foreign_jwt),
    "empty": Case(_malformed("", "it is empty")),
    "white space": Case(
        _malformed("Bearer x", "it holds white space, which no credential this fake issues does")
    ),
    "bad jwt": Case(
        _malformed(
            "a.b.c", "it has a JWT's three parts, but its header or claims are not base64url JSON"
        )
    ),
    "text": Case(
        _malformed(
            "hello", "it is neither a JWT nor any other credential this fake's vendors issue"
        )
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_verdict_is_explained_in_one_exact_sentence(case: Case) -> None:
    fake = frozen_fake()
    token, verdict, sentence = case.act(fake)

    explanation = fake.explain(token, vendor=case.vendor, kind=case.kind)

    assert (explanation.verdict, explanation.sentence) == (verdict, sentence)
    if token:
        assert token not in str(explanation.to_dict())


def test_every_verdict_has_a_case() -> None:
    fake_verdicts = set()
    for case in CASES.values():
        fake_verdicts.add(case.act(frozen_fake())[1])

    assert fake_verdicts == set(VERDICTS)


def test_an_explanation_names_the_token_by_kind_and_fingerprint_never_whole() -> None:
    fake = frozen_fake()
    access, _ = ovok_login(fake)
    account = fake.ovok.get_account(EMAIL).id

    explanation = fake.explain(access)

    assert explanation.to_dict() == {
        "verdict": "live",
        "sentence": explanation.sentence,
        "token": f"Ovok access token {fingerprint(access)}",
        "fingerprint": fingerprint(access),
        "vendor": "ovok",
        "kind": "access",
        "account": account,
        "issued_at": "2026-03-01T12:00:00+00:00",
        "expires_at": "2026-03-01T13:00:00+00:00",
        "revoked_by": None,
        "revoked_at": None,
        "journal_entry": None,
    }
    assert access not in repr(explanation)


def test_a_journal_entry_is_named_only_when_one_request_can_have_revoked_it() -> None:
    fake = frozen_fake()
    first, _ = ovok_login(fake)
    second, _ = ovok_login(fake)
    client = Client(fake.wsgi_app)
    for token in (first, second):  # two logouts at one frozen instant
        client.post("/v1/auth/logout", base_url=OVOK, headers={"Authorization": f"Bearer {token}"})

    explanation = fake.explain(first)

    assert explanation.journal_entry is None
    assert explanation.sentence == (
        f"Ovok access token {fingerprint(first)} was revoked by ovok.logout at 12:00:00Z, 0 s ago"
    )


def test_explain_refuses_what_is_not_a_string_and_a_vendor_the_fake_does_not_serve() -> None:
    fake = FakeAuth()

    with pytest.raises(ConfigurationError) as not_text:
        fake.explain(b"token")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as no_vendor:
        fake.explain("token", vendor="okta")

    assert str(not_text.value) == (
        "fakeauth: explain takes the credential as a string, as a client sends it, not bytes"
    )
    assert str(no_vendor.value) == (
        "fakeauth: this fake serves no vendor 'okta'; it serves ovok, b2core, waltid"
    )


def test_the_memory_of_forgotten_credentials_is_bounded() -> None:
    forgotten = Forgotten()
    forgotten.remember("reset", NOON, [HeldIds("ovok", {"oldest": None})])

    for n in range(Forgotten.BOUNDARIES):
        forgotten.remember("reset", NOON + n, [HeldIds("ovok", {str(n): None})])

    assert forgotten.boundary_of(credential_key("ovok", "oldest")) is None
    assert forgotten.boundary_of(credential_key("ovok", "0")) == Boundary("reset", NOON)
    assert len(forgotten) == Forgotten.BOUNDARIES
    many = dict.fromkeys((str(n) for n in range(70_000)), None)
    forgotten.remember("restore", NOON + 100, [HeldIds("ovok", many)])
    assert len(forgotten) == Forgotten.LIMIT
    newest, dropped = credential_key("ovok", "69999"), credential_key("ovok", str(70_000 - 65_537))
    assert forgotten.boundary_of(newest) == Boundary("restore", NOON + 100)
    assert forgotten.boundary_of(dropped) is None


def test_forgotten_ids_are_fingerprinted_with_their_prefix_newest_group_last() -> None:
    forgotten = Forgotten()
    tokens, wizards = {"t1": None, "t2": None}, {"w1": None}

    forgotten.remember(
        "reset", NOON, [HeldIds("b2core", tokens), HeldIds("b2core", wizards, "wizard:")]
    )

    assert forgotten.boundary_of(credential_key("b2core", "wizard:w1")) == Boundary("reset", NOON)
    assert forgotten.boundary_of(credential_key("b2core", "t1")) == Boundary("reset", NOON)
    assert forgotten.boundary_of(credential_key("b2core", "w1")) is None


def test_a_refused_request_records_why_in_its_journal_entry_and_the_reply_stays_the_vendors() -> (
    None
):
    fake = frozen_fake()
    access, _ = ovok_login(fake)
    client = Client(fake.wsgi_app)
    bearer = {"Authorization": f"Bearer {access}"}
    client.post("/v1/auth/logout", base_url=OVOK, headers=bearer)

    reply = client.get("/auth/me", base_url=OVOK, headers=bearer)

    sentence = (
        f"Ovok access token {fingerprint(access)} was revoked by ovok.logout at 12:00:00Z, "
        "0 s ago, journal entry 2"
    )
    assert reply.get_json() == {
        "statusCode": 401,
        "message": "Unauthorized",
        "error": "Unauthorized",
    }
    entry = fake.journal[-1]
    assert entry.refusal is not None
    assert entry.to_dict()["refusal"] == entry.refusal.to_dict()
    assert entry.refusal.sentence == sentence
    assert fake.journal.format(bodies=True).splitlines()[-1] == f"    refused:  revoked: {sentence}"
    assert fake.journal[0].refusal is None
