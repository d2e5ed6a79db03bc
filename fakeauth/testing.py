"""Small types the pytest plugin's fixtures return (importable for type hints in your tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["SEEDED_PASSWORD", "FakeauthServer", "SeededUser"]

#: The password of every account the plugin's seeding fixtures create.
SEEDED_PASSWORD = "fakeauth-Passw0rd!"


@dataclass(frozen=True)
class SeededUser:
    """A seeded account, with the email and password to log in with (the repr hides it)."""

    email: str
    password: str = field(repr=False)
    account: Any


@dataclass(frozen=True)
class FakeauthServer:
    """The live server of a test: its base URL and the fake it serves."""

    url: str
    fake: FakeAuth
