"""Password storage: salted hashes, checked in constant time.

A fake needs no slow key-derivation function (test suites register thousands of accounts), but it
must never keep a password in the clear: only a salted BLAKE2b digest is stored, and the password
never appears in a response, a repr, a log, the journal or an export.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from fakeauth.randomness import RandomStream

__all__ = ["PasswordHash"]


@dataclass(frozen=True, slots=True)
class PasswordHash:
    """A salted password digest. Its repr shows neither the salt nor the digest."""

    salt: bytes
    digest: bytes

    @classmethod
    def create(cls, password: str, random: RandomStream) -> PasswordHash:
        """Hash ``password`` with a fresh 16-byte salt from ``random``."""
        salt = random.bytes(16)
        return cls(salt, _digest(password, salt))

    @classmethod
    def salted(cls, password: str, salt: bytes) -> PasswordHash:
        """Hash ``password`` with the given ``salt`` (the same password and salt: the same
        hash, so that a state written twice is written the same)."""
        return cls(salt, _digest(password, salt))

    def matches(self, password: str) -> bool:
        """Whether ``password`` is the one hashed, compared in constant time."""
        return hmac.compare_digest(self.digest, _digest(password, self.salt))

    def __repr__(self) -> str:
        return "PasswordHash(<redacted>)"


def _digest(password: str, salt: bytes) -> bytes:
    return hashlib.blake2b(
        password.encode("utf-8", "surrogatepass"), salt=salt, person=b"fakeauth"
    ).digest()
