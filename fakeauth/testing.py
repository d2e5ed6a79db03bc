"""Small types the pytest plugin's fixtures return (importable for type hints in your tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

#: The account type of a :class:`SeededUser`: ``OvokAccount``, ``B2CoreAccount`` or
#: ``WaltidAccount`` (``Any`` when not given, so a bare ``SeededUser`` hint stays valid).
AccountT = TypeVar("AccountT", default=Any)

__all__ = ["SEEDED_PASSWORD", "AccountT", "FakeauthServer", "SeededUser"]

#: The password of every account the plugin's seeding fixtures create.
SEEDED_PASSWORD = "fakeauth-Passw0rd!"


@dataclass(frozen=True)
class SeededUser(Generic[AccountT]):
    """A seeded account, with the email and password to log in with (the repr hides it).

    In a type hint: ``SeededUser[OvokAccount]`` (``fakeauth_ovok_user``),
    ``SeededUser[B2CoreAccount]`` (``fakeauth_b2core_user``), ``SeededUser[WaltidAccount]``
    (``fakeauth_waltid_user``).
    """

    email: str
    password: str = field(repr=False)
    account: AccountT


@dataclass(frozen=True)
class FakeauthServer:
    """The live server of a test: its base URL and the fake it serves."""

    url: str
    fake: FakeAuth
