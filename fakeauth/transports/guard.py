"""The network guard: while a fake intercepts, no client library reaches one of its vendor hosts.

The in-process interceptions answer ``requests``, httpx and aiohttp (which answer a vendor host
before they look its name up). Any other client (``urllib``, ``http.client``, urllib3 used
directly, aiohttp while only ``mock_requests()`` is active, a library that brings its own HTTP
stack) would still resolve the vendor's host name and talk to the real service. The guard wraps
``socket.getaddrinfo``, through which every one of them resolves a name
(``socket.create_connection`` and asyncio's resolver included): a lookup of a vendor host is
refused with :class:`VendorHostRefusedError`, and the refusal is kept so that leaving the
interception (and the pytest fixture) fails loudly even if the client swallowed the error.

A client that connects to an IP address it already knows, or goes through an HTTP proxy, does no
such lookup; a vendor host given as an IP address is guarded when the lookup names it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from fakeauth.errors import FakeAuthError
from fakeauth.transports.wrapping import Wrapper

if TYPE_CHECKING:
    from typing_extensions import Self

    from fakeauth.fake import FakeAuth

__all__ = ["NetworkGuard", "VendorHostRefusedError"]


class VendorHostRefusedError(FakeAuthError, ConnectionRefusedError):
    """A client that fakeauth does not intercept tried to reach one of the fake's vendor hosts.

    An ``OSError``, so the client library reports it as its own connection error, with this
    message inside.
    """


def refusal_message(host: str) -> str:
    """The sentence a refused connection to ``host`` carries."""
    return (
        f"fakeauth: refused a connection to {host}, a vendor host of this test's FakeAuth, from "
        "a client that is not intercepted here: fake.mock_requests() answers requests, "
        "fake.mock_httpx() answers httpx, fake.mock_aiohttp() answers aiohttp (the fakeauth "
        "fixture does all three); point any other client at the fake's live server "
        "(fake.serve() or the fakeauth_server fixture)"
    )


class NetworkRefusals:
    """The vendor hosts a fake's guards refused, oldest first; thread-safe.

    A refusal fails the interception's block (and the ``fakeauth`` fixture's test) on leaving,
    unless it happened inside :meth:`expected`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # None: a refusal that expected() excused; kept in place so that marks keep their meaning
        self._hosts: list[str | None] = []
        self._cleared = 0  # refusals forgotten by clear(), so that marks outlive a reset

    def add(self, host: str) -> None:
        """Keep one refusal."""
        with self._lock:
            self._hosts.append(host)

    def mark(self) -> int:
        """A position in the history of refusals, for :meth:`since`; survives :meth:`clear`."""
        return self._cleared + len(self._hosts)

    def since(self, mark: int) -> list[str]:
        """The refusals after :meth:`mark` returned ``mark`` (and not cleared or expected since)."""
        with self._lock:
            return [h for h in self._hosts[max(0, mark - self._cleared) :] if h is not None]

    def __len__(self) -> int:
        return len(self.since(self._cleared))

    @contextlib.contextmanager
    def expected(self) -> Iterator[list[str]]:
        """A block in which the test expects a client to be refused a vendor host: its refusals
        do not fail the block or the test, and leaving it raises :class:`AssertionError` when
        nothing was refused. The list it gives holds the refused hosts once the block is left.

        >>> with fakeauth.network_refusals.expected() as refused:
        ...     with pytest.raises(urllib.error.URLError):
        ...         urllib.request.urlopen("https://api.dev.ovok.com/auth/me")
        >>> refused
        ['api.dev.ovok.com']

        A refusal in another thread while the block runs is excused with it.
        """
        refused: list[str] = []
        start = self.mark()
        yield refused
        with self._lock:
            first = max(0, start - self._cleared)
            refused.extend(h for h in self._hosts[first:] if h is not None)
            self._hosts[first:] = [None] * (len(self._hosts) - first)
        if not refused:
            raise AssertionError(
                "fakeauth: network_refusals.expected(): no client was refused a vendor host in "
                "the block; an intercepted client (requests, httpx, aiohttp) is answered by the "
                "fake instead, so only another client (urllib, http.client, urllib3 used "
                "directly) is refused"
            )

    def clear(self) -> None:
        """Forget every refusal."""
        with self._lock:
            self._cleared += len(self._hosts)
            self._hosts.clear()

    def check(self, mark: int = 0) -> None:
        """Raise :class:`VendorHostRefusedError` if a connection was refused after ``mark``."""
        if self.mark() <= mark:  # nothing refused since: the common case, without a copy
            return
        hosts = self.since(mark)
        if hosts:
            listed = ", ".join(dict.fromkeys(hosts))
            raise VendorHostRefusedError(
                f"{refusal_message(listed)} ({len(hosts)} connection(s) refused); a test that "
                "expects the refusal says so: with fake.network_refusals.expected(): ..."
            )


class NetworkGuard:
    """Refuse name lookups of ``fake``'s vendor hosts while started; stopped last-in first-out,
    or switched off while a later wrapper still wraps it (see :class:`Wrapper`)."""

    def __init__(self, fake: FakeAuth) -> None:
        self._fake = fake
        self._wrapper: Wrapper | None = None
        self._mark = 0

    def start(self) -> Self:
        """Start refusing; returns the guard."""
        self._mark = self._fake.network_refusals.mark()
        self._wrapper = Wrapper(socket, "getaddrinfo", self._make)
        return self

    def _make(self, wrapper: Wrapper) -> Callable[..., Any]:
        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if wrapper.active and self._refuses(host, port):
                name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
                self._fake.network_refusals.add(name)
                raise VendorHostRefusedError(refusal_message(name))
            return wrapper.wrapped(host, port, *args, **kwargs)

        return getaddrinfo

    def _refuses(self, host: Any, port: Any) -> bool:
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if not isinstance(host, str) or not host:
            return False
        host = host.lower()
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address, as a Host header writes it
        fake = self._fake
        if port is not None and fake.vendor_for_host(f"{host}:{port}") is not None:
            return True
        return fake.vendor_for_host(host) is not None

    def stop(self) -> None:
        """Stop refusing (safe to call twice)."""
        wrapper, self._wrapper = self._wrapper, None
        if wrapper is not None:
            wrapper.undo()

    def check(self) -> None:
        """Raise if a lookup was refused while this guard was started."""
        self._fake.network_refusals.check(self._mark)
