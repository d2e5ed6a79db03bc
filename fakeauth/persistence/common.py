"""What every vendor's part of a state document shares: hashes, instants, signing keys, token
records, random stream positions, and the check that a document agrees with itself."""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

from fakeauth.errors import ConfigurationError
from fakeauth.passwords import PasswordHash
from fakeauth.persistence.model import PasswordDoc, SignerDoc, TokensDoc
from fakeauth.randomness import RandomStream
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore

__all__ = [
    "Contradiction",
    "hash_of",
    "instant",
    "known",
    "load_signer",
    "load_streams",
    "load_tokens",
    "password_doc",
    "position",
    "signer_doc",
    "signer_stream",
    "tokens_doc",
    "unique",
    "utc",
]

_WORDS = struct.Struct("<625I")  # a Mersenne Twister's 624 words and its index
_T = TypeVar("_T")


class Contradiction(ConfigurationError):
    """A state document that contradicts itself (two accounts with one email, say)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"the state document contradicts itself: {problem}; nothing was loaded")


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
    """A stream's position as base64 (``None``: not drawn from yet)."""
    position = stream.position() if stream is not None else None
    return None if position is None else base64.b64encode(_WORDS.pack(*position)).decode()


def _move(stream: RandomStream, position: str | None, name: str) -> None:
    if position is None:
        return
    try:
        stream.move_to(_WORDS.unpack(base64.b64decode(position)))
    except (ValueError, struct.error, TypeError):
        raise Contradiction(f"the position of the random stream {name!r} is no stream's") from None


def signer_doc(signer: JwtSigner) -> dict[str, Any]:
    """A signer's algorithm and key (``None``: not drawn yet)."""
    secret = signer.secret()
    return {"algorithm": signer.algorithm, "key": None if secret is None else secret.hex()}


def load_signer(signer: JwtSigner, doc: SignerDoc, vendor: str) -> None:
    """Give ``signer`` the document's key (refused when of another algorithm)."""
    if doc.algorithm != signer.algorithm:
        raise Contradiction(
            f"the {vendor} signing key is for {doc.algorithm}, but {vendor} signs with "
            f"{signer.algorithm}"
        )
    if doc.key is not None:
        signer.load_secret(bytes.fromhex(doc.key))


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


def load_tokens(store: TokenStore, doc: TokensDoc, vendor: str) -> None:
    """Fill ``store`` with the document's records (refused when two share an id)."""
    records = [
        TokenRecord(r.id, r.kind, r.subject, r.session, r.issued_at, r.expires_at, r.revoked)
        for r in doc.records
    ]
    unique((r.id for r in records), f"{vendor} token records have the id")
    store.load(records, pruned=doc.pruned)


def unique(keys: Iterable[_T], what: str) -> None:
    """Raise :class:`Contradiction` when two of ``keys`` are equal."""
    seen: set[_T] = set()
    for key in keys:
        if key in seen:
            raise Contradiction(f"two {what} {key!r}; keep one")
        seen.add(key)


def known(key: str, exists: Callable[[str], bool], what: str) -> None:
    """Raise :class:`Contradiction` saying ``what`` unless ``exists(key)``."""
    if not exists(key):
        raise Contradiction(what)


def load_streams(doc: dict[str, str | None], streams: dict[str, RandomStream], vendor: str) -> None:
    """Move each of ``streams`` to the document's position (an exact load: a new process)."""
    unknown = sorted(set(doc) - set(streams))
    if unknown:
        raise Contradiction(
            f"{vendor} has no random stream {unknown[0]!r}; its streams are {sorted(streams)}"
        )
    for name, stream in streams.items():
        _move(stream, doc.get(name), name)


def signer_stream(signer: JwtSigner) -> str | None:
    """The position of the stream a signer draws its keys from, if it keeps one."""
    random = signer._random
    return position(random) if isinstance(random, RandomStream) else None
