"""A token the fake issued is recognised by its exact text in its token store, which gives the
claims it was issued with (``fakeauth.tokens.token_claims``); any other token is verified in full.

Every answer is the one full verification gives, byte for byte: each request of the forgery corpus
and of the boundaries (reset, restore, import, another lane, expiry by freezegun and by the fake's
clock, pruning) is run twice from the same seed, once as the fake runs and once with the records
out of the way, and the two runs must agree on status, headers, body, journal entry and
explanation. The counts of answers from the records show which path each request took.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import jwt
import pytest
from freezegun import freeze_time
from hardening import (
    EMAIL,
    PASSWORD,
    SEED,
    b2core_signin,
    new_fake,
    ovok_tokens,
    snapshot,
    waltid_admin,
    well_formed,
)
from test_forgery import CASES, FORGERIES, TOKEN_ROUTES, genuine_token, with_token
from werkzeug.test import TestResponse

from fakeauth import FakeAuth
from fakeauth.lanes import Lanes
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore

FROZEN = "2026-05-04T10:00:00Z"
DAY = 24 * 3600
GENUINE = "the genuine token"
HELD_CLAIMS = {"sub": "account", "jti": "token-1", "iat": 10, "exp": 20, "admin": False, "x": None}
#: The forgeries whose token this fake issued to the route's vendor and still holds.
HELD_FORGERIES = {
    GENUINE,
    "an expired token",
    "a revoked token",
    "the other kind of token (refresh for access)",
    "another broker's token",
}
#: The forgeries that sign with a key made anew each time (walt.id's: a new Ed25519 key).
RANDOM_FORGERIES = {"a wrong key"}
#: One bearer route per vendor and the two refresh routes: what the boundaries are tried on.
BOUNDARY_ROUTES = [
    "ovok.me",
    "ovok.logout",
    "ovok.refresh_token",
    "b2core.2fa_settings",
    "b2core.refresh",
    "waltid.admin_accounts_list",
]


class Ticks(Protocol):
    """What ``freeze_time`` hands its block: a frozen system clock that a test moves on."""

    def tick(self, delta: float) -> datetime: ...


@dataclass
class Paths:
    """How many tokens the records answered (``served``) and how many were verified in full."""

    served: int = 0
    verified: int = 0


@contextmanager
def token_paths(*, records: bool) -> Iterator[Paths]:
    """Count the two paths; with ``records=False`` the records answer nothing, so every token
    goes through full verification (what the fake did before it kept them)."""
    paths = Paths()
    issued_claims, decode = TokenStore.issued_claims, JwtSigner.decode

    def counted_claims(store: TokenStore, token: str) -> dict[str, Any] | None:
        claims = issued_claims(store, token) if records else None
        paths.served += claims is not None
        return claims

    def counted_decode(signer: JwtSigner, token: str) -> dict[str, Any]:
        paths.verified += 1
        return decode(signer, token)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TokenStore, "issued_claims", counted_claims)
        patch.setattr(JwtSigner, "decode", counted_decode)
        yield paths


def observed(fake: FakeAuth, response: TestResponse, token: str, vendor: str) -> tuple[Any, ...]:
    """Everything a request leaves to see: its answer, its journal entry, what ``explain`` says
    of its token now, and the state a refusal must leave alone."""
    return (
        response.status_code,
        sorted(response.headers.items()),
        response.data,
        fake.journal[-1].to_dict(),
        fake.explain(token, vendor=vendor).to_dict(),
        snapshot(fake),
    )


def _vendor(operation: str) -> str:
    return operation.split(".")[0]


# -- the forgery corpus, and the genuine token, on every route that takes a token ------------------


def _forgery_run(
    operation: str, forgery: str, paths: Paths, sent: str | None = None
) -> tuple[tuple[Any, ...], int, str]:
    """One case of the corpus on a fresh fake; ``sent``: the token to send instead of the one
    the forgery made (a forgery signed with a new random key differs from run to run)."""
    with freeze_time(FROZEN):
        fake = new_fake()
        call = well_formed(operation, fake)
        genuine = genuine_token(operation, call)
        token = genuine if forgery == GENUINE else FORGERIES[forgery](fake, operation, genuine)
        if sent is not None:
            assert token == sent or forgery in RANDOM_FORGERIES
            token = sent
        paths.served = 0
        response = with_token(operation, call, token).send(fake)
        served = paths.served
        return observed(fake, response, token, _vendor(operation)), served, token


@pytest.mark.parametrize(
    ("operation", "forgery"), CASES + [(operation, GENUINE) for operation in TOKEN_ROUTES]
)
def test_every_token_of_the_forgery_corpus_gets_the_answer_full_verification_gives(
    operation: str, forgery: str
) -> None:
    with token_paths(records=True) as fast:
        through_records, served, token = _forgery_run(operation, forgery, fast)
    with token_paths(records=False) as full:
        verified, _, _ = _forgery_run(operation, forgery, full, token)

    assert through_records == verified
    assert (served > 0) == (forgery in HELD_FORGERIES)
    assert full.served == 0


# -- the boundaries: what was issued before a reset, a restore, an import; other lanes; expiry ---


@dataclass(frozen=True)
class Boundary:
    """``before`` runs before the token is issued, ``after`` after it: the fake to send it to."""

    before: Callable[[FakeAuth], Any]
    after: Callable[[FakeAuth, Any, str, Ticks], FakeAuth]
    held: bool  # whether the records answer the token afterwards


def _nothing(fake: FakeAuth) -> None:
    return None


def _token_id(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return str(claims.get("jti") or claims["session"])


def _store(fake: FakeAuth, token: str) -> TokenStore:
    for state in (fake.ovok, fake.b2core, fake.waltid):
        if state.tokens.get(_token_id(token)) is not None:
            return state.tokens
    raise AssertionError("no vendor of this fake holds the token")


def _reset(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    fake.reset()
    return fake


def _restore_older(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    snap = fake.snapshot()
    ovok_tokens(fake)  # written after the snapshot: copied on write, never into it
    b2core_signin(fake)
    fake.waltid.superadmin()
    fake.restore(snap)
    return fake


def _restore_newer(fake: FakeAuth, snap: Any, token: str, frozen: Ticks) -> FakeAuth:
    fake.restore(snap)
    return fake


def _import_here(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    fake.import_state(fake.export_state())
    return fake


def _import_fresh(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    other = FakeAuth(seed=SEED)
    other.import_state(fake.export_state())
    return other


def _freezegun_expiry(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    frozen.tick(60 * DAY)  # past every lifetime, by the system clock the fake follows
    return fake


def _clock_expiry(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    fake.clock.shift(60 * DAY)
    return fake


def _pruned(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    fake.clock.shift(60 * DAY)
    store = _store(fake, token)
    assert store.prune() > 0  # its record is gone: its own signed exp answers
    return fake


def _expired_now(fake: FakeAuth, _: Any, token: str, frozen: Ticks) -> FakeAuth:
    _store(fake, token).expire(_token_id(token))
    return fake


def _other_lane(fake: FakeAuth, lanes: Any, token: str, frozen: Ticks) -> FakeAuth:
    other: FakeAuth = lanes.get("b")
    return other


BOUNDARIES = {
    "none": Boundary(_nothing, lambda fake, _, token, frozen: fake, held=True),
    "reset": Boundary(_nothing, _reset, held=False),
    "restore of a snapshot taken after the token": Boundary(_nothing, _restore_older, held=True),
    "restore of a snapshot taken before the token": Boundary(
        lambda fake: fake.snapshot(), _restore_newer, held=False
    ),
    "import of its own export": Boundary(_nothing, _import_here, held=False),
    "import into another fake": Boundary(_nothing, _import_fresh, held=False),
    "expiry by freezegun": Boundary(_nothing, _freezegun_expiry, held=True),
    "expiry by the fake's clock": Boundary(_nothing, _clock_expiry, held=True),
    "expired and pruned": Boundary(_nothing, _pruned, held=False),
    "expired by the store": Boundary(_nothing, _expired_now, held=True),
}


def _boundary_run(operation: str, name: str, paths: Paths) -> tuple[tuple[Any, ...], int]:
    boundary = BOUNDARIES[name]
    with freeze_time(FROZEN) as frozen:
        fake = FakeAuth(seed=SEED)  # on the system clock, which freezegun holds
        before = boundary.before(fake)
        call = well_formed(operation, fake)
        token = genuine_token(operation, call)
        target = boundary.after(fake, before, token, frozen)
        paths.served = 0
        response = with_token(operation, call, token).send(target)
        served = paths.served
        return observed(target, response, token, _vendor(operation)), served


@pytest.mark.parametrize("name", list(BOUNDARIES))
@pytest.mark.parametrize("operation", BOUNDARY_ROUTES)
def test_a_token_across_a_boundary_gets_the_answer_full_verification_gives(
    operation: str, name: str
) -> None:
    with token_paths(records=True) as fast:
        through_records, served = _boundary_run(operation, name, fast)
    with token_paths(records=False) as full:
        verified, _ = _boundary_run(operation, name, full)

    assert through_records == verified
    assert (served > 0) == BOUNDARIES[name].held
    assert full.served == 0


def _lane_run(operation: str, paths: Paths) -> tuple[tuple[Any, ...], int]:
    with freeze_time(FROZEN):
        lanes = Lanes(FakeAuth(seed=SEED))
        issuer, other = lanes.get("a"), lanes.get("b")
        call = well_formed(operation, issuer)
        token = genuine_token(operation, call)
        paths.served = 0
        response = with_token(operation, call, token).send(other)
        served = paths.served
        return observed(other, response, token, _vendor(operation)), served


@pytest.mark.parametrize("operation", BOUNDARY_ROUTES)
def test_another_lanes_token_gets_the_answer_full_verification_gives(operation: str) -> None:
    with token_paths(records=True) as fast:
        through_records, served = _lane_run(operation, fast)
    with token_paths(records=False) as full:
        verified, _ = _lane_run(operation, full)

    assert through_records == verified
    assert through_records[0] == 401
    assert served == 0


# -- the claims the records give are the claims the token carries ---------------------------------


def _issued(fake: FakeAuth) -> list[tuple[TokenStore, JwtSigner, str]]:
    ovok, b2core = ovok_tokens(fake), b2core_signin(fake)
    return [
        (fake.ovok.tokens, fake.ovok.signer, ovok.access_token),
        (fake.ovok.tokens, fake.ovok.signer, ovok.refresh_token),
        (fake.b2core.tokens, fake.b2core.signer, b2core.access_token.token),
        (fake.b2core.tokens, fake.b2core.signer, b2core.refresh_token.token),
        (fake.waltid.tokens, fake.waltid.signer, waltid_admin(fake)),
    ]


def test_the_records_give_each_issued_token_the_claims_pyjwt_decodes_from_it() -> None:
    fake = new_fake()

    for store, signer, token in _issued(fake):
        claims = store.issued_claims(token)

        assert claims is not None
        decoded = signer.decode(token)
        assert list(claims.items()) == list(decoded.items())
        assert [type(value) for value in claims.values()] == [type(v) for v in decoded.values()]


def test_the_records_hand_out_a_copy_of_the_claims() -> None:
    fake = new_fake()
    token = ovok_tokens(fake).access_token
    first = fake.ovok.tokens.issued_claims(token)
    assert first is not None

    first["sub"] = "someone else"

    assert fake.ovok.tokens.issued_claims(token) == fake.ovok.signer.decode(token)


# -- never a stale answer -------------------------------------------------------------------------


def test_a_logged_out_token_is_refused_though_the_records_still_know_its_text() -> None:
    fake = new_fake()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    call = well_formed("ovok.me", fake)
    token = genuine_token("ovok.me", call)
    assert call.send(fake).status_code == 200
    logout = with_token("ovok.logout", well_formed("ovok.logout", fake), token)
    assert logout.send(fake).status_code == 204

    response = call.send(fake)

    assert fake.ovok.tokens.issued_claims(token) is not None
    assert response.status_code == 401
    assert fake.explain(token).verdict == "revoked"


def test_a_spent_refresh_token_is_refused_though_the_records_still_know_its_text() -> None:
    fake = new_fake()
    call = well_formed("ovok.refresh_token", fake)
    token = genuine_token("ovok.refresh_token", call)
    assert call.send(fake).status_code == 200

    response = call.send(fake)

    assert fake.ovok.tokens.issued_claims(token) is not None
    assert response.status_code == 401
    assert fake.explain(token).verdict == "rotated"


@pytest.mark.parametrize("boundary", ["reset", "restore", "import"])
def test_no_token_text_outlives_a_reset_a_restore_or_an_import(boundary: str) -> None:
    fake = new_fake()
    snap = fake.snapshot()
    issued = _issued(fake)
    assert all(store.issued_claims(token) is not None for store, _, token in issued)

    if boundary == "reset":
        fake.reset()
    elif boundary == "restore":
        fake.restore(snap)
    else:
        fake.import_state(fake.export_state())

    states = (fake.ovok, fake.b2core, fake.waltid)
    assert [s.tokens.issued_claims(token) for s in states for _, _, token in issued] == [None] * 15


# -- the store: kept, pruned, snapshotted and restored with the records ---------------------------


def _record(token_id: str, expires_at: float = 100.0) -> TokenRecord:
    return TokenRecord(token_id, "access", "account", "session", 0.0, expires_at)


def _store_at(now: float) -> tuple[TokenStore, Any]:
    fake = FakeAuth()
    fake.clock.set(now, frozen=True)
    return TokenStore(fake.clock), fake.clock


def test_a_store_knows_a_token_by_its_exact_text_only() -> None:
    store, _ = _store_at(0.0)

    store.add(_record("token-1"), token="a.b.c", claims=dict(HELD_CLAIMS))

    assert store.issued_claims("a.b.c") == HELD_CLAIMS
    assert store.issued_claims("a.b.c ") is None
    assert store.issued_claims("a.b.C") is None
    assert store.issued_claims("a.b") is None


@pytest.mark.parametrize(
    "changed",
    [{"exp": 20.5}, {"aud": ["a", "b"]}, {"aud": ("a",)}, {"nested": {"a": 1}}, {1: "one"}],
    ids=["float", "list", "tuple", "object", "integer key"],
)
def test_claims_that_json_would_give_back_otherwise_are_not_kept(changed: dict[Any, Any]) -> None:
    store, _ = _store_at(0.0)

    store.add(_record("token-1"), token="a.b.c", claims={**HELD_CLAIMS, **changed})

    assert store.issued_claims("a.b.c") is None
    assert store.get("token-1") is not None


def test_a_record_added_without_its_token_leaves_nothing_to_match() -> None:
    store, _ = _store_at(0.0)

    store.add(_record("token-1"))

    assert store.issued_claims("a.b.c") is None
    assert store.snapshot().issued == {}


def test_a_pruned_record_takes_its_token_text_with_it() -> None:
    store, clock = _store_at(0.0)
    store.add(_record("old", expires_at=10.0), token="old.token.x", claims=dict(HELD_CLAIMS))
    store.add(_record("new", expires_at=1000.0), token="new.token.x", claims=dict(HELD_CLAIMS))
    clock.set(500.0, frozen=True)

    pruned = store.prune()

    assert pruned == 1
    assert store.issued_claims("old.token.x") is None
    assert store.issued_claims("new.token.x") == HELD_CLAIMS


def test_a_store_of_many_tokens_keeps_texts_only_for_the_records_it_keeps() -> None:
    store, clock = _store_at(0.0)
    count = 3000  # past the first sweeps (at 1,024 and then at double)
    for index in range(count):
        expires = 10.0 if index % 2 else 1e9
        token = f"token.{index}.x"
        store.add(_record(str(index), expires_at=expires), token=token, claims=dict(HELD_CLAIMS))
        if index == count // 2:
            clock.set(500.0, frozen=True)  # every odd record so far is now expired

    held = {record.id for record in store.records()}
    texts = store.snapshot().issued

    assert store.pruned > 0
    assert {token_id for token_id, _ in texts.values()} == held
    assert len(texts) == len(store)


@pytest.mark.parametrize("write", ["add", "expire", "revoke", "prune"])
def test_a_snapshot_keeps_the_token_texts_of_its_moment(write: str) -> None:
    store, clock = _store_at(0.0)
    store.add(_record("before", expires_at=50.0), token="before.x.y", claims=dict(HELD_CLAIMS))
    snap = store.snapshot()

    if write == "expire":
        store.expire("before")
    elif write == "revoke":
        store.revoke("before")
    elif write == "prune":
        clock.set(60.0, frozen=True)
        store.prune()
        clock.set(0.0, frozen=True)
    store.add(_record("after"), token="after.x.y", claims=dict(HELD_CLAIMS))

    assert set(snap.issued) == {"before.x.y"}
    store.restore(snap)
    assert store.issued_claims("before.x.y") == HELD_CLAIMS
    assert store.issued_claims("after.x.y") is None


def test_a_restored_store_writes_its_own_copy_not_the_snapshots() -> None:
    store, _ = _store_at(0.0)
    snap = store.snapshot()
    store.restore(snap)

    store.add(_record("later"), token="later.x.y", claims=dict(HELD_CLAIMS))

    assert snap.issued == {}
    store.restore(snap)
    assert store.issued_claims("later.x.y") is None


def test_a_loaded_store_holds_no_token_text() -> None:
    store, _ = _store_at(0.0)
    store.add(_record("token-1"), token="a.b.c", claims=dict(HELD_CLAIMS))

    store.load(store.records())

    assert store.get("token-1") is not None
    assert store.issued_claims("a.b.c") is None
