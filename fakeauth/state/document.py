"""What every vendor state's part of a state document shares: the schema of its common pieces
(password hashes, signing keys, token records, random stream positions), their conversions, and
the errors a part is refused with.

A state writes its own part (``state.to_document()``) and reads it (``state.load_document()``)
in its own ``*_document`` module; a part is validated against its pydantic schema, checked to
agree with itself and with the rules the state's seeding methods apply, and only then held.
"""

from __future__ import annotations

import base64
import random
import struct
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from fakeauth.errors import ConfigurationError, FieldRefused
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import RandomStream
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore, TokenStoreSnapshot

__all__ = [
    "Contradiction",
    "DocumentRefused",
    "Hex",
    "PartDoc",
    "PasswordDoc",
    "Position",
    "Seconds",
    "SignerDoc",
    "TokenDoc",
    "TokensDoc",
    "hash_of",
    "instant",
    "parsed",
    "password_doc",
    "position",
    "positions",
    "refused_field",
    "signer_doc",
    "signer_key",
    "tokens_doc",
    "tokens_snapshot",
    "unique",
    "utc",
]

_WORDS = struct.Struct("<625I")  # a Mersenne Twister's 624 words and its index
_T = TypeVar("_T")
_Model = TypeVar("_Model", bound=BaseModel)

Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]*$")]
Key = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
#: A number of seconds or a POSIX timestamp, kept an int when it is one (the document round-trips).
Seconds = int | Annotated[float, Field(allow_inf_nan=False)]
#: A random stream's position (base64 of its generator's state words), ``None`` before a draw.
Position = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/=]{3336}$")] | None


class PartDoc(BaseModel):
    """A piece of a state document: unknown fields are refused."""

    # defer_build: built by the first export or import, not by importing the state
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


class PasswordDoc(PartDoc):
    """A salted password digest (never the password)."""

    salt: Hex
    digest: Hex


class TokenDoc(PartDoc):
    """One issued token's record: its id (the ``jti``), never the token string."""

    id: str
    kind: str
    subject: str
    session: str
    issued_at: Seconds
    expires_at: Seconds
    revoked: bool


class TokensDoc(PartDoc):
    """A vendor's token records, in order of issue."""

    pruned: int = Field(ge=0)
    records: list[TokenDoc]


class SignerDoc(PartDoc):
    """A vendor's signing key (``None``: not drawn yet)."""

    algorithm: str
    key: Key | None


class DocumentRefused(ConfigurationError):
    """A state document that does not fit its schema or a seeding rule, at ``where`` (the path of
    the field from the part's top; a loader of a whole document puts the lane and vendor before
    it with :meth:`within`)."""

    def __init__(self, where: tuple[str | int, ...], problem: str) -> None:
        shown = ".".join(str(part) for part in where)
        super().__init__(
            f"the state document is not valid at {shown}: {problem}; nothing was loaded"
        )
        #: The path of the field refused.
        self.where = where
        #: What is wrong with it.
        self.problem = problem

    def within(self, *prefix: str | int) -> DocumentRefused:
        """The same refusal, its path under ``prefix`` (``"lanes", "default", "ovok"``)."""
        return DocumentRefused((*prefix, *self.where), self.problem)


class Contradiction(ConfigurationError):
    """A state document that contradicts itself (two accounts with one email, say)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"the state document contradicts itself: {problem}; nothing was loaded")


def parsed(model: type[_Model], document: Any) -> _Model:
    """``document`` validated as ``model``; raises :class:`DocumentRefused` at the first fault."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        raise DocumentRefused(tuple(first["loc"]), first["msg"].lower()) from None


def refused_field(exc: FieldRefused, *where: str | int) -> DocumentRefused:
    """A seeding rule's refusal of a record's field, as a refusal of the document at ``where``
    (``"accounts", 3``) and the field."""
    return DocumentRefused((*where, exc.field), exc.problem)


def password_doc(password: PasswordHash) -> dict[str, str]:
    """A password hash as a document holds it (hex salt and digest)."""
    return {"salt": password.salt.hex(), "digest": password.digest.hex()}


def hash_of(doc: PasswordDoc) -> PasswordHash:
    """The password hash a document holds."""
    return PasswordHash(bytes.fromhex(doc.salt), bytes.fromhex(doc.digest))


def instant(when: datetime) -> str:
    """An instant as ISO 8601 text."""
    return when.isoformat()


def utc(when: datetime) -> datetime:
    """An aware instant in UTC, as the states keep them."""
    return when.astimezone(timezone.utc)


def position(stream: RandomStream | None) -> str | None:
    """A stream's position as base64 (``None``: not drawn from yet, or no stream)."""
    at = stream.position() if stream is not None else None
    return None if at is None else base64.b64encode(_WORDS.pack(*at)).decode()


def positions(
    document: Mapping[str, str | None], known: Iterable[str], vendor: str
) -> dict[str, tuple[int, ...]]:
    """The positions a part's ``streams`` holds, by stream name, each checked to be a
    generator's (``RandomStream.move_to`` takes them); raises :class:`Contradiction` for a
    stream the state does not have or a position that is no stream's."""
    names = set(known)
    unknown = sorted(set(document) - names)
    if unknown:
        raise Contradiction(
            f"{vendor} has no random stream {unknown[0]!r}; its streams are {sorted(names)}"
        )
    found: dict[str, tuple[int, ...]] = {}
    for name, text in document.items():
        if text is None:
            continue
        try:
            words = _WORDS.unpack(base64.b64decode(text))
            random.Random().setstate((3, words, None))
        except (ValueError, struct.error, TypeError):
            raise Contradiction(
                f"the position of the random stream {name!r} is no stream's"
            ) from None
        found[name] = words
    return found


def signer_doc(signer: JwtSigner) -> dict[str, Any]:
    """A signer's algorithm and key (``None``: not drawn yet)."""
    secret = signer.secret()
    return {"algorithm": signer.algorithm, "key": None if secret is None else secret.hex()}


def signer_key(doc: SignerDoc, algorithm: str, vendor: str) -> bytes | None:
    """The key a document gives a signer of ``algorithm`` (refused when of another one)."""
    if doc.algorithm != algorithm:
        raise Contradiction(
            f"the {vendor} signing key is for {doc.algorithm}, but {vendor} signs with {algorithm}"
        )
    return None if doc.key is None else bytes.fromhex(doc.key)


def tokens_doc(store: TokenStore) -> dict[str, Any]:
    """A token store's records (ids, never tokens), in order of issue."""
    return {
        "pruned": store.pruned,
        "records": [
            {
                "id": r.id,
                "kind": r.kind,
                "subject": r.subject,
                "session": r.session,
                "issued_at": r.issued_at,
                "expires_at": r.expires_at,
                "revoked": r.revoked,
            }
            for r in store.records()
        ],
    }


def tokens_snapshot(doc: TokensDoc, vendor: str) -> TokenStoreSnapshot:
    """The token records a document holds, as a store's snapshot (refused when two share an id)."""
    records: dict[str, TokenRecord] = {}
    by_session: dict[str, list[TokenRecord]] = {}
    for r in doc.records:
        if r.id in records:
            raise Contradiction(f"two {vendor} token records have the id {r.id!r}; keep one")
        record = TokenRecord(
            r.id, r.kind, r.subject, r.session, r.issued_at, r.expires_at, r.revoked
        )
        records[r.id] = record
        by_session.setdefault(r.session, []).append(record)
    revoked = {r.id for r in doc.records if r.revoked}
    # no causes kept, and no token text: a document holds ids, never a token
    return TokenStoreSnapshot(records, by_session, revoked, {}, doc.pruned, {})


def unique(keys: Iterable[_T], what: str) -> None:
    """Raise :class:`Contradiction` when two of ``keys`` are equal."""
    seen: set[_T] = set()
    for key in keys:
        if key in seen:
            raise Contradiction(f"two {what} {key!r}; keep one")
        seen.add(key)
