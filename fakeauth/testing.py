"""Small types the pytest plugin's fixtures return (importable for type hints in your tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeAlias

from typing_extensions import TypeVar

from fakeauth.hosts import vendor_url

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth
    from fakeauth.lanes import Lanes
    from fakeauth.state.b2core_brokers import B2CoreAccount
    from fakeauth.state.ovok import OvokAccount
    from fakeauth.state.waltid_accounts import WaltidAccount

#: The account type of a :class:`SeededUser`: ``OvokAccount``, ``B2CoreAccount`` or
#: ``WaltidAccount`` (``Any`` when not given, so a bare ``SeededUser`` hint stays valid).
AccountT = TypeVar("AccountT", default=Any)

__all__ = [
    "SEEDED_PASSWORD",
    "AccountT",
    "B2CoreUser",
    "FakeauthServer",
    "OvokUser",
    "SeededUser",
    "WaltidUser",
]

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
    """The live server of a test: its base URL, each vendor's base URL on it, and the fake it
    serves.

    ``url`` is the server's root, where every vendor is routed by path (walt.id owns
    ``POST /auth/logout`` there); ``url_for("ovok")`` is ``<url>/ovok``, under which every one of
    that vendor's routes answers as on its hosts in process.

    The fake is also served as the lane ``lane`` of the server: a client that sends
    ``headers`` (``{"X-Fakeauth-Lane": lane}``), or calls ``lane_url`` (``<url>/_lanes/LANE``),
    reaches it as well; :meth:`add_lane` serves another fake beside it for the test.
    """

    url: str
    fake: FakeAuth
    lane: str | None = None
    lanes: Lanes | None = field(default=None, repr=False, compare=False)
    added: list[str] = field(default_factory=list, repr=False, compare=False)

    def url_for(self, vendor: str) -> str:
        """``vendor``'s base URL on the server (``"ovok"``, ``"b2core"``, ``"waltid"``)."""
        return vendor_url(self.url, vendor, self._names())

    @property
    def headers(self) -> dict[str, str]:
        """The header that picks this test's lane (empty when the server has no lanes)."""
        return {} if self.lane is None else {"X-Fakeauth-Lane": self.lane}

    def lane_url(self, vendor: str | None = None, *, lane: str | None = None) -> str:
        """The base URL of a lane (``lane``, else this test's) on the server, or of ``vendor``
        in it: ``<url>/_lanes/LANE[/ovok]``, for a browser, which cannot send a header."""
        name = lane or self.lane
        if name is None:
            raise RuntimeError("fakeauth: this server has no lanes; use .url")
        root = f"{self.url}/_lanes/{name}"
        return root if vendor is None else vendor_url(root, vendor, self._names())

    def add_lane(self, name: str, fake: FakeAuth) -> FakeauthServer:
        """Serve ``fake`` as the lane ``name`` for the rest of the test (removed at its end); the
        returned server's ``lane``, ``headers`` and ``lane_url`` reach it."""
        if self.lanes is None:
            raise RuntimeError("fakeauth: this server has no lanes")
        self.lanes.add(name, fake)
        self.added.append(name)
        return FakeauthServer(self.url, fake, name, self.lanes, self.added)

    @property
    def urls(self) -> dict[str, str]:
        """Every vendor's base URL on the server, by vendor name."""
        return {name: f"{self.url}/{name}" for name in self._names()}

    def _names(self) -> list[str]:
        return [vendor.name for vendor in self.fake.vendors]


#: ``fakeauth_ovok_user``'s type: ``def test_x(fakeauth_ovok_user: OvokUser)``.
OvokUser: TypeAlias = SeededUser["OvokAccount"]
#: ``fakeauth_b2core_user``'s type.
B2CoreUser: TypeAlias = SeededUser["B2CoreAccount"]
#: ``fakeauth_waltid_user``'s type.
WaltidUser: TypeAlias = SeededUser["WaltidAccount"]
