"""Tokens: the registry of issued JWTs that knows which are still good.

A :class:`TokenStore` holds every token the fake issued, as an absolute expiry, and decides on
every use against the fake's :class:`~fakeauth.clock.Clock`: refused when ``now >= expires_at``,
when revoked, when unknown (forged with the right key, or from another fake) and when of the
wrong kind (a refresh token used as an access token). It forgets expired records lazily (see
:class:`TokenStore`). Signing and verifying live in :mod:`fakeauth.jwt_signer`
(:class:`JwtSigner`, re-exported here).

A store also keeps the exact text and claims of each token handed to it at issue:
:func:`token_claims` recognises a token the fake issued by an exact match there (no signature
check, no decoding) and verifies any other in full; the rules that follow read the records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, cast

from fakeauth.clock import Clock
from fakeauth.errors import TokenExpired, TokenInvalid, TokenRevoked
from fakeauth.jwt_signer import ALGORITHMS, JwtSigner

__all__ = [
    "ALGORITHMS",
    "SWEEP_AT",
    "JwtSigner",
    "Revocation",
    "TokenRecord",
    "TokenStore",
    "TokenStoreSnapshot",
    "signed_expiry",
    "token_claims",
]


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """What the fake remembers of one issued token (never the token string itself).

    Immutable: a store marks a revocation in its own set, so a snapshot may share the records.
    ``revoked`` is what :meth:`TokenStore.records` reports (and a loaded record brings).
    """

    id: str
    kind: str
    subject: str
    session: str
    issued_at: float
    expires_at: float
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Revocation:
    """What revoked a token, for :func:`fakeauth.FakeAuth.explain`: ``by`` names it (an operation
    id such as ``"ovok.logout"``, or a seeding method), ``at`` is when (POSIX seconds by the
    fake's clock) and ``rotated`` says the token was a single-use one, exchanged."""

    by: str
    at: float
    rotated: bool = False


class TokenStoreSnapshot(NamedTuple):
    """A token store's records at one moment (:meth:`TokenStore.snapshot`): containers that
    neither the store nor anyone else writes again. ``revocations`` holds what revoked each
    token revoked since the store was made or loaded (a restore gives back exactly these)."""

    records: Mapping[str, TokenRecord]
    by_session: Mapping[str, list[TokenRecord]]
    revoked: frozenset[str] | set[str]
    revocations: Mapping[str, Revocation]
    pruned: int
    #: token text -> (its record's id, its claims): what :meth:`TokenStore.issued_claims` knows.
    issued: Mapping[str, tuple[str, dict[str, Any]]]


#: A store sweeps its expired records when it reaches this size, and then when it doubles.
SWEEP_AT = 1024

#: The claim value types JSON gives back exactly as they went in (a float may not: NaN, -0.0).
_EXACT_TYPES = frozenset({str, int, bool, type(None)})


def signed_expiry(claims: dict[str, Any]) -> float | None:
    """The ``exp`` claim of verified ``claims`` as a number, if it is one."""
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


def token_claims(token: str, store: TokenStore, signer: JwtSigner) -> dict[str, Any]:
    """The claims of ``token``: from ``store``'s records when it issued exactly this text (the
    signer's own signature, by construction), else verified in full by ``signer`` (raises
    :class:`TokenInvalid`). Either way the caller then checks the token's record on use.

    A store's records and its signer's key change together (reset, restore, import): a token
    the store recognises is one ``signer.decode`` accepts, with the same claims.
    """
    claims = store.issued_claims(token)
    return claims if claims is not None else signer.decode(token)


class TokenStore:
    """The tokens one vendor issued, and the rules for using them.

    Expired records are pruned lazily: when the store reaches :data:`SWEEP_AT` records, and
    then each time it doubles, it drops every record whose expiry has passed by the fake's clock
    (an amortised sweep, so a store holds at most about twice its live records). A pruned token
    answers as an expired one does, from its own signed ``exp`` (``signed_expiry``); it never
    comes back, not even if the clock is then moved back (it is then refused as unknown).
    ``on_sessions_pruned`` hears of the sessions left without any record, to drop them too.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        on_sessions_pruned: Callable[[list[str]], None] | None = None,
        sweep_at: int = SWEEP_AT,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, TokenRecord] = {}
        self._by_session: dict[str, list[TokenRecord]] = {}
        self._revoked: set[str] = set()
        # What revoked each revoked token, for explanations: beside the revoked set, not on the
        # (immutable, exported) record; a load (an import) keeps the revoked flags, not causes.
        self._revocations: dict[str, Revocation] = {}
        # token text -> (record id, claims), for the tokens issued with their claims (add()):
        # kept, pruned, snapshotted and restored with the records (it copies with _records).
        self._issued: dict[str, tuple[str, dict[str, Any]]] = {}
        # Copy-on-write: after a snapshot or a restore the containers are shared with the
        # snapshot, and the first write to each copies it (a session's list too, on its own).
        self._shared_records = self._shared_revoked = self._shared_sessions = False
        self._owned_lists: set[str] = set()
        self._on_sessions_pruned = on_sessions_pruned
        self._sweep_at = sweep_at
        self._next_sweep = sweep_at
        #: How many expired records the sweeps dropped so far.
        self.pruned = 0

    def add(
        self,
        record: TokenRecord,
        *,
        token: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> TokenRecord:
        """Remember ``record`` (sweeping the expired ones first when the store is due).

        ``token`` and ``claims``: the text just signed for it and the claims it was signed from
        (not changed after), for :meth:`issued_claims`; kept only when every claim is a string,
        an integer, a boolean or null, which JSON gives back exactly as they went in.
        """
        if len(self._records) + 1 >= self._next_sweep:
            self.prune()
        with self._lock:
            self._own_records()[record.id] = record
            self._session_list(record.session).append(record)
            if token is not None and claims is not None and _exact_in_json(claims):
                self._issued[token] = (record.id, claims)
        return record

    def add_issued(self, issued: tuple[tuple[TokenRecord, str, dict[str, Any]], ...]) -> None:
        """:meth:`add` of each ``(record, token, claims)`` in turn, the records of one session
        (a login's pair): the same records, issued tokens and sweeps, under one hold of the
        lock with one look at the containers when no sweep is due
        (``tests/test_login_fast_paths.py`` compares the two)."""
        if not issued:
            return
        if len(self._records) + len(issued) >= self._next_sweep:  # a sweep is due: one by one
            for record, token, claims in issued:
                self.add(record, token=token, claims=claims)
            return
        with self._lock:
            records, issued_tokens = self._own_records(), self._issued
            session, kept = None, None
            for record, token, claims in issued:
                if kept is None or record.session != session:
                    session, kept = record.session, self._session_list(record.session)
                records[record.id] = record
                kept.append(record)
                if _exact_in_json(claims):
                    issued_tokens[token] = (record.id, claims)

    def issued_claims(self, token: str) -> dict[str, Any] | None:
        """A copy of the claims ``token`` was issued with, if this store holds exactly this text
        (and so its record); ``None`` otherwise. :meth:`check` says whether it is usable now."""
        entry = self._issued.get(token)
        return None if entry is None else dict(entry[1])

    def _own_records(self) -> dict[str, TokenRecord]:
        """The records, a dict this store may write (under the lock): copied first, with the
        issued tokens, when a snapshot shares them (the two are written together)."""
        if self._shared_records:
            self._records, self._issued = dict(self._records), dict(self._issued)
            self._shared_records = False
        return self._records

    def _session_list(self, session: str) -> list[TokenRecord]:
        """The records of ``session``, a list this store may write (under the lock)."""
        if self._shared_sessions:
            self._by_session, self._shared_sessions = dict(self._by_session), False
        records = self._by_session.get(session)
        if records is None:
            records = self._by_session[session] = []
        elif session not in self._owned_lists:
            records = self._by_session[session] = list(records)
        self._owned_lists.add(session)
        return records

    def _revoke_ids(self, ids: list[str], cause: Revocation) -> None:
        """Mark ``ids`` revoked by ``cause`` (under the lock); a cause already noted stays, so
        a token keeps what revoked it first. ``_revoked`` and ``_revocations`` are shared with
        snapshots together and copied together on the first write after one."""
        if ids:
            if self._shared_revoked:
                self._revoked, self._shared_revoked = set(self._revoked), False
                self._revocations = dict(self._revocations)
            self._revoked.update(ids)
            causes = self._revocations
            for token_id in ids:
                causes.setdefault(token_id, cause)

    def prune(self) -> int:
        """Drop every record expired by the fake's clock now, and tell ``on_sessions_pruned``
        which sessions are left without any; the number of records dropped."""
        now = self._clock.time()
        with self._lock:
            before = len(self._records)
            self._records = {k: r for k, r in self._records.items() if now < r.expires_at}
            gone: list[str] = []
            by_session: dict[str, list[TokenRecord]] = {}
            for session, records in self._by_session.items():
                kept = [r for r in records if now < r.expires_at]
                if kept:
                    by_session[session] = kept
                else:
                    gone.append(session)
            self._by_session = by_session
            self._revoked = {i for i in self._revoked if i in self._records}
            held = self._records
            self._revocations = {k: v for k, v in self._revocations.items() if k in held}
            self._issued = {k: v for k, v in self._issued.items() if v[0] in held}
            self._shared_records = self._shared_revoked = self._shared_sessions = False
            self._owned_lists = set(by_session)
            dropped = before - len(self._records)
            self.pruned += dropped
            self._next_sweep = max(self._sweep_at, 2 * len(self._records))
        if gone and self._on_sessions_pruned is not None:
            self._on_sessions_pruned(gone)
        return dropped

    def check(self, token_id: str, kind: str, *, expires_at: float | None = None) -> TokenRecord:
        """The live record of ``token_id``; raises unless of ``kind``, unexpired and unrevoked.

        ``expires_at`` is the token's own signed expiry (:func:`signed_expiry`): a token whose
        record was pruned is then refused as expired, as it was before the sweep.
        """
        record = self._records.get(token_id)
        now = self._clock.time()
        if record is None:
            if expires_at is not None and now >= expires_at:
                raise TokenExpired("the token expired", expired_at=expires_at)
            raise TokenInvalid("unknown token")
        if record.kind != kind:
            raise TokenInvalid("unknown token")
        # Expiry before revocation: a pruned record (expired, revoked or not) answers the same.
        if now >= record.expires_at:
            raise TokenExpired("the token expired", expired_at=record.expires_at)
        if token_id in self._revoked:
            raise TokenRevoked("the token was revoked")
        return record

    def consume(
        self, token_id: str, kind: str, *, expires_at: float | None = None, by: str = ""
    ) -> TokenRecord:
        """Check ``token_id`` and revoke it in one step: a single-use (refresh) token, exchanged
        by the operation ``by``."""
        with self._lock:
            record = self.check(token_id, kind, expires_at=expires_at)
            self._revoke_ids([token_id], Revocation(by, self._clock.time(), rotated=True))
            return record

    def expire(self, token_id: str) -> None:
        """Make one token expire now, by the fake's clock (its signed ``exp`` stays): its next
        use is refused as expired. Unknown ids, and tokens expired already, are left alone."""
        now = self._clock.time()
        with self._lock:
            record = self._records.get(token_id)
            if record is None or now >= record.expires_at:
                return
            # Records are immutable (a snapshot may share them): a new record replaces the old
            # one in the store's own containers, copied first when they are shared.
            expired = replace(record, expires_at=now)
            self._own_records()[token_id] = expired
            records = self._session_list(record.session)
            records[:] = [expired if r.id == token_id else r for r in records]

    def revoke(self, token_id: str, *, by: str = "") -> None:
        """Revoke one token (``by`` names what revoked it); unknown ids are ignored."""
        with self._lock:
            if token_id in self._records:
                self._revoke_ids([token_id], Revocation(by, self._clock.time()))

    def revoke_session(self, session: str, *, by: str = "") -> int:
        """Revoke every token of ``session`` (``by`` names what revoked them); the number
        revoked."""
        with self._lock:
            revoked = self._revoked
            hits = [r.id for r in self._by_session.get(session, ()) if r.id not in revoked]
            self._revoke_ids(hits, Revocation(by, self._clock.time()))
            return len(hits)

    def revoke_subject(self, subject: str, *, by: str = "") -> int:
        """Revoke every live token of ``subject`` (an account id; ``by`` names what revoked
        them); the number revoked."""
        hits = self.live(subject)
        with self._lock:
            self._revoke_ids([r.id for r in hits], Revocation(by, self._clock.time()))
        return len(hits)

    def get(self, token_id: str) -> TokenRecord | None:
        """The record of ``token_id``, whatever its state (``None``: never issued, or pruned);
        its ``revoked`` field is the one it was issued or loaded with (see :meth:`is_revoked`)."""
        return self._records.get(token_id)

    def is_revoked(self, token_id: str) -> bool:
        """Whether ``token_id`` was revoked (``False`` for an unknown id)."""
        return token_id in self._revoked

    def revocation(self, token_id: str) -> Revocation | None:
        """What revoked ``token_id``, if it was revoked since the store was made or loaded."""
        return self._revocations.get(token_id)

    def ids(self) -> list[str]:
        """The id of every record held, in order of issue."""
        with self._lock:
            return list(self._records)

    def session_live(self, session: str) -> bool:
        """Whether ``session`` still holds a token usable now."""
        now = self._clock.time()
        with self._lock:
            records, revoked = self._by_session.get(session, ()), self._revoked
            return any(r.id not in revoked and now < r.expires_at for r in records)

    def session_liveness(self) -> Callable[[str], bool]:
        """:meth:`session_live` for many sessions at one moment: one clock read and one look at
        the store, for a listing of sessions (``/auth/me``); read it at once, not kept."""
        now = self._clock.time()
        with self._lock:  # the containers as they stand now (a write after copies or adds)
            by_session, revoked = self._by_session, self._revoked

        def live(session: str) -> bool:
            # a loop, not any() over a generator: a generator's frame per session costs more
            # than its two records' checks (/auth/me asks for eleven)
            for r in by_session.get(session, ()):
                if r.id not in revoked and now < r.expires_at:
                    return True
            return False

        return live

    def live(self, subject: str | None = None) -> list[TokenRecord]:
        """The tokens still usable now, of ``subject`` if given."""
        now = self._clock.time()
        with self._lock:
            revoked = self._revoked
            return [
                r
                for r in self._records.values()
                if r.id not in revoked
                and now < r.expires_at
                and (subject is None or r.subject == subject)
            ]

    def records(self) -> list[TokenRecord]:
        """Every record, in order of issue, ``revoked`` as it stands (an export holds them: ids,
        never tokens)."""
        with self._lock:
            revoked = self._revoked
            return [
                replace(r, revoked=True) if r.id in revoked and not r.revoked else r
                for r in self._records.values()
            ]

    def load(self, records: list[TokenRecord], *, pruned: int = 0) -> None:
        """Hold ``records`` (in order of issue) instead of the current ones."""
        by_session: dict[str, list[TokenRecord]] = {}
        for record in records:
            by_session.setdefault(record.session, []).append(record)
        with self._lock:
            self._records = {record.id: record for record in records}
            self._by_session = by_session
            self._revoked = {record.id for record in records if record.revoked}
            self._revocations = {}
            self._issued = {}  # a loaded document holds ids, never a token
            self._shared_records = self._shared_revoked = self._shared_sessions = False
            self._owned_lists = set(by_session)
            self._next_sweep = max(self._sweep_at, 2 * len(self._records))
            self.pruned = pruned

    def snapshot(self) -> TokenStoreSnapshot:
        """The records as they are now, in constant time: the store shares its containers with
        the snapshot and copies each on its next write to it."""
        with self._lock:
            self._shared_records = self._shared_revoked = self._shared_sessions = True
            self._owned_lists = set()
            return TokenStoreSnapshot(
                self._records,
                self._by_session,
                self._revoked,
                self._revocations,
                self.pruned,
                self._issued,
            )

    def restore(self, snapshot: TokenStoreSnapshot) -> None:
        """Hold the records of ``snapshot`` again, in constant time (shared, copied on write)."""
        records, by_session, revoked, revocations, pruned, issued = snapshot
        with self._lock:
            self._records, self._by_session = (
                cast("dict[str, TokenRecord]", records),
                cast("dict[str, list[TokenRecord]]", by_session),
            )
            self._revoked = cast("set[str]", revoked)
            self._revocations = cast("dict[str, Revocation]", revocations)
            self._issued = cast("dict[str, tuple[str, dict[str, Any]]]", issued)
            self._shared_records = self._shared_revoked = self._shared_sessions = True
            self._owned_lists = set()
            self._next_sweep = max(self._sweep_at, 2 * len(records))
            self.pruned = pruned

    def __len__(self) -> int:
        return len(self._records)


def _exact_in_json(claims: dict[str, Any]) -> bool:
    """Whether ``claims`` decode from their JSON as the very same dict."""
    exact = _EXACT_TYPES  # a plain loop: twice as fast as all() over a generator
    for key, value in claims.items():
        if type(key) is not str or type(value) not in exact:
            return False
    return True
