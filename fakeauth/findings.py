"""What a vendor's state knows of a credential, for ``fake.explain``: :class:`Finding`, and the
memory of what the fake forgot (:class:`Forgotten`).

Each vendor's state recognises its own credentials by their shape and says what it knows of one as
a :class:`Finding` (its record, its expiry, what revoked it, whether its signature verifies);
:mod:`fakeauth.explain` words the findings of every vendor as one verdict and one sentence.
:class:`Forgotten` keeps a bounded set of short fingerprints of the ids of the credentials a reset,
a restore or an import forgot (never a token, never a secret).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from fakeauth.errors import TokenInvalid
from fakeauth.tokens import JwtSigner, TokenStore, signed_expiry

__all__ = [
    "MAX_LENGTH",
    "VERDICTS",
    "Boundary",
    "Finding",
    "Forgotten",
    "HeldIds",
    "Verdict",
    "credential_key",
    "is_jwt_shaped",
    "token_finding",
    "token_verdict",
    "unverified_claims",
]

#: What became of a credential, in the words ``Explanation.verdict`` uses.
Verdict = Literal[
    "live",
    "expired",
    "revoked",
    "rotated",
    "reset",
    "unknown",
    "forged",
    "wrong_vendor",
    "wrong_kind",
    "malformed",
]
#: Every verdict, in the order of :data:`Verdict`.
VERDICTS: tuple[str, ...] = get_args(Verdict)

#: A credential longer than this is not read (no vendor issues one; a header caps it anyway).
MAX_LENGTH = 16 * 1024
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def is_jwt_shaped(token: str) -> bool:
    """Whether ``token`` has a JWT's three base64url parts (not whether they decode)."""
    return _JWT.fullmatch(token) is not None


def credential_key(vendor: str, record_id: str) -> str:
    """How :class:`Forgotten` and a :class:`Finding` name a credential: a fingerprint of its
    vendor and its record id (a token id, a session id, a wizard uuid)."""
    return hashlib.sha256(f"{vendor}\x00{record_id}".encode()).hexdigest()[:16]


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The claims of ``token`` if it is a JWT whose header and claims decode, read without
    checking its signature (a state then checks that itself); ``None`` otherwise."""
    if len(token) > MAX_LENGTH or not is_jwt_shaped(token):
        return None
    import jwt  # PyJWT (and cryptography) on the first explanation, as fakeauth.tokens does

    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
        return None
    return claims if isinstance(header, dict) and isinstance(claims, dict) else None


@dataclass(frozen=True)
class Finding:
    """What one vendor's state knows of a credential it recognises by its shape.

    ``verdict`` is one of ``live``, ``expired``, ``revoked``, ``rotated``, ``unknown`` (its shape,
    but no record of it: :class:`Forgotten` may know it) or ``forged`` (a record of it, but its
    signature does not verify). ``label`` names the credential (``"Ovok access token"``), ``key``
    is its :func:`credential_key`; times are POSIX seconds by the fake's clock; ``lifetime`` is how
    long such a credential lives; ``revoked_by`` names what revoked it (an operation id such as
    ``"ovok.logout"``) and ``note`` adds the vendor's rule (``"a wizard uuid serves one
    sign-in"``). ``any_text``: the credential may be any text (walt.id's registration token),
    so an ``unknown`` finding of it says nothing by itself: it counts only where this kind was
    expected, or when the fake forgot that credential at a boundary.
    """

    verdict: Verdict
    vendor: str
    label: str
    kind: str
    key: str
    account: str | None = None
    issued_at: float | None = None
    expires_at: float | None = None
    lifetime: float | None = None
    revoked_by: str | None = None
    revoked_at: float | None = None
    note: str = ""
    any_text: bool = False

    @property
    def issued_here(self) -> bool:
        """Whether the fake holds a record of this credential (a verdict of its record)."""
        return self.verdict in ("live", "expired", "revoked", "rotated", "forged")


def token_verdict(
    *, now: float, known: bool, signed: bool, expires_at: float | None, revoked: bool, rotated: bool
) -> Verdict:
    """The verdict on a token from what its store and signer say, in the order the store checks
    a token on use: expiry before revocation (see :meth:`fakeauth.tokens.TokenStore.check`).

    ``known``: the store holds its record; ``signed``: its signature verifies with the key the
    fake signs with now; ``expires_at``: the record's expiry, or else the token's own ``exp``.
    """
    if not signed:
        return "forged" if known else "unknown"
    if expires_at is not None and now >= expires_at:
        return "expired"  # a pruned record answers from its own signed exp, as the store does
    if not known:
        return "unknown"
    if revoked:
        return "rotated" if rotated else "revoked"
    return "live"


def token_finding(
    token: str,
    claims: dict[str, Any],
    *,
    vendor: str,
    labels: Mapping[str, str],
    kind: str,
    token_id: str,
    store: TokenStore,
    signer: JwtSigner,
    now: float,
) -> Finding:
    """The finding on a JWT a vendor keeps in a :class:`~fakeauth.tokens.TokenStore` under
    ``token_id``: its record (whose kind wins over the ``kind`` its claims suggest), its
    revocation, and whether ``signer`` verifies it. ``labels`` names each kind
    (``{"access": "Ovok access token"}``)."""
    record = store.get(token_id)
    try:
        signer.decode(token)
        signed = True
    except TokenInvalid:
        signed = False
    iat, exp = claims.get("iat"), signed_expiry(claims)
    issued_at = float(iat) if isinstance(iat, (int, float)) and not isinstance(iat, bool) else None
    subject = claims.get("sub")
    account = subject if isinstance(subject, str) else None
    revocation = None
    if record is not None:
        kind, issued_at, exp = record.kind, record.issued_at, record.expires_at
        account = record.subject
        revocation = store.revocation(token_id)
    verdict = token_verdict(
        now=now,
        known=record is not None,
        signed=signed,
        expires_at=exp if record is not None or signed else None,
        revoked=store.is_revoked(token_id),
        rotated=revocation is not None and revocation.rotated,
    )
    return Finding(
        verdict=verdict,
        vendor=vendor,
        label=labels.get(kind, f"{vendor} token"),
        kind=kind,
        key=credential_key(vendor, token_id),
        account=account,
        issued_at=issued_at,
        expires_at=exp,
        lifetime=None if exp is None or issued_at is None else exp - issued_at,
        revoked_by=revocation.by or None if revocation is not None else None,
        revoked_at=revocation.at if revocation is not None else None,
    )


@dataclass(frozen=True)
class HeldIds:
    """The record ids of credentials one vendor's state held at one moment (``ids``: the keys of
    a container no one writes again, such as a token store's snapshot), each named by
    :func:`credential_key` of ``vendor`` and ``prefix`` + its id.

    Counted at once, fingerprinted only when :class:`Forgotten` is first asked about them: a
    reset or a restore stays as cheap as the state makes it (a restore: constant time).
    """

    vendor: str
    ids: Mapping[str, object]
    prefix: str = ""

    def __len__(self) -> int:
        return len(self.ids)

    def newest_keys(self, limit: int) -> list[str]:
        """The :func:`credential_key` of the newest ``limit`` ids, in order of issue."""
        newest = list(self.ids)[-limit:] if limit > 0 else []
        return [credential_key(self.vendor, self.prefix + record_id) for record_id in newest]


@dataclass(eq=False)
class _Forgot:
    """One boundary and what it forgot: ``held`` until first asked, then ``keys`` (the newest
    ``count`` of them, fingerprinted once; ``held`` is then let go)."""

    boundary: Boundary
    count: int
    held: tuple[HeldIds, ...]
    keys: frozenset[str] | None = field(default=None)

    def fingerprints(self) -> frozenset[str]:
        if self.keys is None:
            keys: list[str] = []
            for group in reversed(self.held):  # the newest ids are the last group's last
                keys[:0] = group.newest_keys(self.count - len(keys))
            self.keys, self.held = frozenset(keys), ()
        return self.keys


@dataclass(frozen=True)
class Boundary:
    """A moment the fake forgot every credential it held: a ``reset``, ``restore`` or
    ``import``, at ``at`` (POSIX seconds by the fake's clock then)."""

    event: str
    at: float


class Forgotten:
    """The credentials a fake forgot at its resets, restores and imports, by fingerprint.

    Bounded: it keeps the ids of at most :attr:`LIMIT` credentials over its most recent
    :attr:`BOUNDARIES` boundaries, dropping the oldest boundary first; a credential forgotten
    longer ago is then explained as ``unknown``. It holds fingerprints of record ids
    (:func:`credential_key`), never a token or a key; thread-safe.
    """

    #: The most credential fingerprints kept, over every boundary.
    LIMIT = 65_536
    #: The most boundaries kept.
    BOUNDARIES = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._boundaries: deque[_Forgot] = deque()
        self._held = 0

    def remember(self, event: str, at: float, held: Iterable[HeldIds]) -> None:
        """Note that the fake forgot the credentials of ``held`` at ``event`` (the newest
        :attr:`LIMIT` of them, when there are more); they are fingerprinted only when
        :meth:`boundary_of` first needs them."""
        groups = tuple(held)
        count = min(self.LIMIT, sum(len(group) for group in groups))
        with self._lock:
            self._boundaries.append(_Forgot(Boundary(event, at), count, groups))
            self._held += count
            while self._boundaries and (
                self._held > self.LIMIT or len(self._boundaries) > self.BOUNDARIES
            ):
                self._held -= self._boundaries.popleft().count

    def boundary_of(self, key: str) -> Boundary | None:
        """The newest boundary at which the fake forgot the credential ``key``, if it kept it."""
        with self._lock:
            for forgot in reversed(self._boundaries):
                if key in forgot.fingerprints():
                    return forgot.boundary
        return None

    def __len__(self) -> int:
        return self._held
