"""Tokens: real signed JWTs (PyJWT), and the registry that knows which are still good.

A :class:`JwtSigner` signs and checks signatures; it never checks expiry, because PyJWT reads the
system time and would ignore a clock the fake has set or shifted. A :class:`TokenStore` holds
every token the fake issued, as an absolute expiry, and decides on every use against the fake's
:class:`~fakeauth.clock.Clock`: refused when ``now >= expires_at``, when revoked, when unknown
(forged with the right key, or from another fake) and when of the wrong kind (a refresh token
used as an access token). It forgets expired records lazily (see :class:`TokenStore`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError, TokenExpired, TokenInvalid, TokenRevoked
from fakeauth.randomness import RandomStream

__all__ = [
    "ALGORITHMS",
    "SWEEP_AT",
    "JwtSigner",
    "Revocation",
    "TokenRecord",
    "TokenStore",
    "signed_expiry",
]

#: The signing algorithms a fake can use.
ALGORITHMS = ("HS256", "EdDSA")

#: PyJWT's payload encoding (``json.dumps(payload, separators=(",", ":"))``), built once.
_PAYLOAD_JSON = json.JSONEncoder(separators=(",", ":"))

_DECODE_OPTIONS: Any = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


class JwtSigner:
    """Signs and verifies the JWTs of one vendor with one key, made on first use.

    ``random`` is the stream the key is drawn from, or a function that makes it when the key is
    first needed (setting up a stream costs a few microseconds that a fake which never signs
    should not pay).
    """

    def __init__(
        self,
        algorithm: str,
        random: RandomStream | Callable[[], RandomStream],
        *,
        kid: str | None = None,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ConfigurationError(
                f"unsupported token algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}"
            )
        self.algorithm = algorithm
        self.kid = kid
        self._random = random
        self._lock = threading.Lock()
        self._signing_key: Any = None
        self._verifying_key: Any = None
        self._hmac_states: tuple[Any, Any] = (None, None)
        self._secret = b""
        self._header = _header_segment(algorithm, kid)

    def _keys(self) -> tuple[Any, Any]:
        if self._signing_key is None:
            with self._lock:
                if self._signing_key is None:
                    random = self._random
                    secret = (random if isinstance(random, RandomStream) else random()).bytes(32)
                    self._install(secret)
        return self._signing_key, self._verifying_key

    def _install(self, secret: bytes) -> None:
        if self.algorithm == "EdDSA":
            private = Ed25519PrivateKey.from_private_bytes(secret)
            self._verifying_key = private.public_key()
            self._signing_key = private
        else:
            self._hmac_states = _hmac_sha256_states(secret)
            self._verifying_key = secret
            self._signing_key = secret
        self._secret = secret

    def secret(self) -> bytes | None:
        """The key's 32 secret bytes, or ``None`` while no key is drawn (an export holds them,
        so that tokens signed before a restart verify after it)."""
        with self._lock:
            return self._secret if self._signing_key is not None else None

    def load_secret(self, secret: bytes) -> None:
        """Sign and verify with the key of ``secret`` (from :meth:`secret`) from now on."""
        if len(secret) != 32:
            raise ConfigurationError(f"a signing key is 32 bytes, not {len(secret)}")
        with self._lock:
            self._install(secret)

    def rotate(self) -> None:
        """Forget the key: the next one is drawn anew (from where the stream has got to, or from
        a new stream), so no token signed before verifies after. A reset of the fake calls it."""
        with self._lock:
            self._signing_key = self._verifying_key = None
            self._hmac_states = (None, None)

    def encode(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
        """The signed JWT of ``claims``."""
        signing_key, _ = self._keys()
        if self.algorithm == "HS256" and not headers and _plain_claims(claims):
            # PyJWT's own steps for HS256, the same bytes, without its per-call key checks and
            # header building: they cost more than the signature (two tokens per login).
            signing_input = self._header + b"." + _b64(_PAYLOAD_JSON.encode(claims).encode())
            inner_state, outer_state = self._hmac_states
            inner = inner_state.copy()
            inner.update(signing_input)
            outer = outer_state.copy()
            outer.update(inner.digest())
            return (signing_input + b"." + _b64(outer.digest())).decode()
        header = dict(headers or {})
        if self.kid is not None:
            header.setdefault("kid", self.kid)
        return jwt.encode(claims, signing_key, algorithm=self.algorithm, headers=header or None)

    def decode(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` if this signer signed it; raises :class:`TokenInvalid`."""
        _, verifying_key = self._keys()
        try:
            claims: dict[str, Any] = jwt.decode(
                token, verifying_key, algorithms=[self.algorithm], options=_DECODE_OPTIONS
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise TokenInvalid(f"invalid token: {exc}") from None
        return claims

    def public_jwk(self) -> dict[str, str] | None:
        """The public key as a JWK, for an asymmetric algorithm; ``None`` for HS256."""
        if self.algorithm != "EdDSA":
            return None
        _, public = self._keys()
        raw = public.public_bytes_raw()
        jwk = {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
            "alg": "EdDSA",
            "use": "sig",
        }
        if self.kid is not None:
            jwk["kid"] = self.kid
        return jwk


_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


def _hmac_sha256_states(key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256's two keyed hash states (RFC 2104), made once per key.

    A signature then costs two hash copies; a one-shot ``hmac.digest`` makes OpenSSL look the
    algorithm up and key it again on every call, which costs twice as much, and more when the
    caches are cold (inside a test, between the client library's own work).
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    block = key.ljust(64, b"\0")
    return hashlib.sha256(block.translate(_IPAD)), hashlib.sha256(block.translate(_OPAD))


@functools.cache
def _header_segment(algorithm: str, kid: str | None) -> bytes:
    """The encoded JOSE header PyJWT writes for ``algorithm`` and ``kid`` (keys sorted)."""
    header = {"alg": algorithm, "typ": "JWT"} | ({"kid": kid} if kid is not None else {})
    return _b64(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _plain_claims(claims: dict[str, Any]) -> bool:
    """Whether PyJWT would encode ``claims`` as they are (no datetime to convert, no bad iss)."""
    return isinstance(claims, dict) and not (
        isinstance(claims.get("exp"), datetime)
        or isinstance(claims.get("iat"), datetime)
        or isinstance(claims.get("nbf"), datetime)
        or ("iss" in claims and not isinstance(claims["iss"], str))
    )


@dataclass(slots=True)
class TokenRecord:
    """What the fake remembers of one issued token (never the token string itself)."""

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


#: A store sweeps its expired records when it reaches this size, and then when it doubles.
SWEEP_AT = 1024


def signed_expiry(claims: dict[str, Any]) -> float | None:
    """The ``exp`` claim of verified ``claims`` as a number, if it is one."""
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


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
        # What revoked each revoked token, for explanations; a load (an import, a restore) keeps
        # the revoked flags but not their causes.
        self._revocations: dict[str, Revocation] = {}
        self._on_sessions_pruned = on_sessions_pruned
        self._sweep_at = sweep_at
        self._next_sweep = sweep_at
        #: How many expired records the sweeps dropped so far.
        self.pruned = 0

    def add(self, record: TokenRecord) -> TokenRecord:
        """Remember ``record`` (sweeping the expired ones first when the store is due)."""
        if len(self._records) + 1 >= self._next_sweep:
            self.prune()
        with self._lock:
            self._records[record.id] = record
            session = self._by_session.get(record.session)
            if session is None:
                self._by_session[record.session] = [record]
            else:
                session.append(record)
        return record

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
            held = self._records
            self._revocations = {k: v for k, v in self._revocations.items() if k in held}
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
        if record.revoked:
            raise TokenRevoked("the token was revoked")
        return record

    def consume(
        self, token_id: str, kind: str, *, expires_at: float | None = None, by: str = ""
    ) -> TokenRecord:
        """Check ``token_id`` and revoke it in one step: a single-use (refresh) token, exchanged
        by the operation ``by``."""
        with self._lock:
            record = self.check(token_id, kind, expires_at=expires_at)
            record.revoked = True
            self._revocations[token_id] = Revocation(by, self._clock.time(), rotated=True)
            return record

    def revoke(self, token_id: str, *, by: str = "") -> None:
        """Revoke one token (``by`` names what revoked it); unknown ids are ignored."""
        with self._lock:
            record = self._records.get(token_id)
            if record is not None:
                record.revoked = True
                self._revocations.setdefault(token_id, Revocation(by, self._clock.time()))

    def revoke_session(self, session: str, *, by: str = "") -> int:
        """Revoke every token of ``session`` (``by`` names what revoked them); the number
        revoked."""
        with self._lock:
            hits = [r for r in self._by_session.get(session, ()) if not r.revoked]
            self._note_revoked(hits, by)
            return len(hits)

    def revoke_subject(self, subject: str, *, by: str = "") -> int:
        """Revoke every live token of ``subject`` (an account id; ``by`` names what revoked
        them); the number revoked."""
        hits = self.live(subject)
        with self._lock:
            self._note_revoked(hits, by)
        return len(hits)

    def _note_revoked(self, records: list[TokenRecord], by: str) -> None:
        # Under the lock.
        cause = Revocation(by, self._clock.time())
        for record in records:
            record.revoked = True
            self._revocations.setdefault(record.id, cause)

    def get(self, token_id: str) -> TokenRecord | None:
        """The record of ``token_id``, whatever its state (``None``: never issued, or pruned)."""
        return self._records.get(token_id)

    def is_revoked(self, token_id: str) -> bool:
        """Whether ``token_id`` was revoked (``False`` for an unknown id)."""
        record = self._records.get(token_id)
        return record is not None and record.revoked

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
            records = self._by_session.get(session, ())
            return any(not r.revoked and now < r.expires_at for r in records)

    def live(self, subject: str | None = None) -> list[TokenRecord]:
        """The tokens still usable now, of ``subject`` if given."""
        now = self._clock.time()
        with self._lock:
            return [
                r
                for r in self._records.values()
                if not r.revoked
                and now < r.expires_at
                and (subject is None or r.subject == subject)
            ]

    def snapshot(self) -> list[TokenRecord]:
        """A copy of every record, in order of issue (an export holds them: ids, never tokens)."""
        with self._lock:
            return [replace(record) for record in self._records.values()]

    def load(self, records: list[TokenRecord], *, pruned: int = 0) -> None:
        """Hold ``records`` (fresh objects, in order of issue) instead of the current ones."""
        by_session: dict[str, list[TokenRecord]] = {}
        for record in records:
            by_session.setdefault(record.session, []).append(record)
        with self._lock:
            self._records = {record.id: record for record in records}
            self._by_session = by_session
            self._revocations = {}
            self._next_sweep = max(self._sweep_at, 2 * len(self._records))
            self.pruned = pruned

    def __len__(self) -> int:
        return len(self._records)
