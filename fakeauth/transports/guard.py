"""The network guard: while a fake intercepts, no client library reaches one of its vendor hosts.

The in-process interceptions answer ``requests``, httpx and aiohttp (which answer a vendor host
before they look its name up). Any other client (``urllib``, ``http.client``, urllib3 used
directly, aiohttp while only ``mock_requests()`` is active, a library that brings its own HTTP
stack) would still reach the real service. The guard stands where a host name leaves the
process:

- every name-resolution function of the standard library: ``getaddrinfo``, ``gethostbyname``,
  ``gethostbyname_ex`` and ``gethostbyaddr``, in :mod:`socket` and in :mod:`_socket` (so
  ``socket.create_connection``, asyncio's resolver and ``socket.getfqdn`` too);
- ``socket.socket.connect``, ``connect_ex``, ``sendto`` and ``sendmsg``, which resolve a host name
  in an address tuple without those functions;
- ``socket.socket.send``, ``sendall`` and ``sendmsg``: the first line of a request to an HTTP
  proxy (``CONNECT host:port`` or ``GET http://host/...``, see :mod:`fakeauth.transports.proxies`)
  names the host the proxy would reach.

Each decision reads the host through :func:`fakeauth.hosts.host_key`, so every spelling of a
vendor host (case, a trailing dot, IDNA, a port, userinfo) is refused as the host itself, and a
name that cannot be normalised is refused too. A refusal raises :class:`VendorHostRefusedError`
and is kept, so that leaving the interception (and the pytest fixture) fails loudly even if the
client swallowed the error.

The fourteen wrappers are installed by the first guard and then left in place, passing every
call straight on while no guard is started (:class:`GuardWrappers`): a test's start and stop of
its guard is then two updates of a tuple, where patching and unpatching the ``socket`` module and
class cost more than the rest of a test's set-up.

Out of reach: a connection to an address the process already knows (a vendor host given as an
address is refused), a request line written through TLS (an ``https://`` proxy) or through a
socket that is not a ``socket.socket``, a proxy that takes the host name in another form (SOCKS),
a resolver that does not use the standard library (aiodns, a DNS client of its own), and a child
process.
"""

from __future__ import annotations

# CPython's C module behind :mod:`socket`: its resolvers are a side door of their own (a caller of
# ``_socket.getaddrinfo`` never passes ``socket.getaddrinfo``), and no public name reaches them.
# The one module read here by a private name; it is the standard library's, not ours.
import _socket
import collections
import contextlib
import operator
import socket
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

from fakeauth.errors import FakeAuthError
from fakeauth.hosts import canonical_host, host_key
from fakeauth.transports.proxies import proxy_target
from fakeauth.transports.wrapping import Wrapper, wrapper_of

if TYPE_CHECKING:
    from typing_extensions import Self

    from fakeauth.fake import FakeAuth

__all__ = ["GuardWrappers", "NetworkGuard", "VendorHostRefusedError"]


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


def unreadable_message(host: str, why: str) -> str:
    """The sentence a refused connection to ``host``, a name fakeauth cannot normalise, carries."""
    return (
        f"fakeauth: refused a connection to {host}, a host name fakeauth cannot normalise ({why}),"
        " so it cannot tell it from a vendor host of this test's FakeAuth; write the host as "
        "the URL's own (ASCII or IDNA) name"
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


#: The standard library's name-resolution functions, wrapped in both modules that hold them.
_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr")
#: The address families whose addresses name a host.
_INTERNET = (socket.AF_INET, socket.AF_INET6)
_SEQUENCES = (list, tuple, collections.deque)


class NetworkGuard:
    """Refuse every way out of the process to ``fake``'s vendor hosts while started (see the
    module). Every guard started while the same wrappers stand on top shares them (see
    :class:`GuardWrappers`): starting and stopping one is two updates of a tuple, not fourteen
    patches and fourteen undos."""

    def __init__(self, fake: FakeAuth) -> None:
        self._fake = fake
        self._wrappers: GuardWrappers | None = None
        self._mark = 0

    def start(self) -> Self:
        """Start refusing; returns the guard."""
        self._mark = self._fake.network_refusals.mark()
        wrappers = GuardWrappers.on_top() or GuardWrappers()
        wrappers.add(self)
        self._wrappers = wrappers
        return self

    def decide(self, host: str, key: str, spelled: str) -> None:
        """Refuse ``spelled`` if ``key`` (``host:port``) or its ``host`` alone is a vendor's: a
        vendor host's name is refused on every port."""
        fake = self._fake
        if fake.vendor_for_host(key) is not None or fake.vendor_for_host(host) is not None:
            self.refuse(spelled)

    def refuse(self, host: str, why: str = "") -> NoReturn:
        """Keep the refusal of ``host`` in the fake's :class:`NetworkRefusals` and raise it."""
        self._fake.network_refusals.add(host)
        message = unreadable_message(host, why) if why else refusal_message(host)
        raise VendorHostRefusedError(message)

    def stop(self) -> None:
        """Stop refusing (safe to call twice)."""
        wrappers, self._wrappers = self._wrappers, None
        if wrappers is not None:
            wrappers.remove(self)

    def check(self) -> None:
        """Raise if a lookup was refused while this guard was started."""
        self._fake.network_refusals.check(self._mark)


class GuardWrappers:
    """The fourteen wrappers, installed by the first guard that finds none of them on top and
    left in place: they refuse for the guards started on them (newest first) and pass every
    call straight on while there is none.

    A function someone else puts over one of them (a test's ``monkeypatch`` of
    ``socket.getaddrinfo``, say) is wrapped again by the next guard's own set, so a guard always
    stands above what was in place when it started, as a guard that patched anew would; the set
    underneath keeps serving the guards started on it. A set holds its guards only while they
    are started, so no fake outlives its interception through it.
    """

    __slots__ = ("_functions", "_lock", "_names", "_owners", "guards", "wrappers")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: The guards started on these wrappers, newest first (replaced whole, read without a lock).
        self.guards: tuple[NetworkGuard, ...] = ()
        wrappers = [Wrapper(m, n, self._resolver, context=self) for m in (socket, _socket)
                    for n in _RESOLVERS]  # fmt: skip
        wrappers += [
            Wrapper(socket.socket, "connect", self._addressed, context=self),
            Wrapper(socket.socket, "connect_ex", self._addressed, context=self),
            Wrapper(socket.socket, "sendto", self._sendto, context=self),
            Wrapper(socket.socket, "sendmsg", self._sendmsg, context=self),
            Wrapper(socket.socket, "send", self._send, context=self),
            Wrapper(socket.socket, "sendall", self._send, context=self),
        ]
        #: The wrappers, in the order they were installed.
        self.wrappers: tuple[Wrapper, ...] = tuple(wrappers)
        # What on_top() compares at every guard's start, laid out to be read in C.
        self._owners = tuple(w.owner for w in wrappers)
        self._names = tuple(w.name for w in wrappers)
        self._functions = tuple(w.function for w in wrappers)

    @classmethod
    def on_top(cls) -> GuardWrappers | None:
        """The set whose every wrapper is the function in place, if there is one."""
        found = wrapper_of(socket.getaddrinfo)
        wrappers = found.context if found is not None else None
        return wrappers if isinstance(wrappers, cls) and wrappers.in_place() else None

    def in_place(self) -> bool:
        """Whether each of the fourteen functions in place is its wrapper's (by identity)."""
        # Read in C: a loop of getattr here was a tenth of what the guard adds to a start.
        found = map(getattr, self._owners, self._names)
        return all(map(operator.is_, found, self._functions))

    def add(self, guard: NetworkGuard) -> None:
        """Refuse for ``guard`` too, before the guards started earlier."""
        with self._lock:
            self.guards = (guard, *self.guards)

    def remove(self, guard: NetworkGuard) -> None:
        """Stop refusing for ``guard``."""
        with self._lock:
            self.guards = tuple(g for g in self.guards if g is not guard)

    # -- the wrappers -------------------------------------------------------------------------

    def _resolver(self, wrapper: Wrapper) -> Callable[..., Any]:
        def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
            guards = self.guards
            if guards:
                port = args[0] if args else kwargs.get("port")
                _check_address(guards, host, port)
            return wrapper.wrapped(host, *args, **kwargs)

        return resolve

    def _addressed(self, wrapper: Wrapper) -> Callable[..., Any]:
        def connect(sock: socket.socket, address: Any) -> Any:
            guards = self.guards
            if guards:
                _check_tuple(guards, sock, address)
            return wrapper.wrapped(sock, address)

        return connect

    def _sendto(self, wrapper: Wrapper) -> Callable[..., Any]:
        def sendto(sock: socket.socket, data: Any, *args: Any) -> Any:
            guards = self.guards
            if guards and args:
                # sendto(data, address) or sendto(data, flags, address)
                _check_tuple(guards, sock, args[-1])
            return wrapper.wrapped(sock, data, *args)

        return sendto

    def _sendmsg(self, wrapper: Wrapper) -> Callable[..., Any]:
        def sendmsg(sock: socket.socket, buffers: Any, *args: Any) -> Any:
            guards = self.guards
            if guards:
                if len(args) >= 3:  # sendmsg(buffers, ancdata, flags, address)
                    _check_tuple(guards, sock, args[2])
                # asyncio writes its deque of buffers; a generator is not read (it would be used up)
                first = next(iter(buffers), None) if isinstance(buffers, _SEQUENCES) else None
                _check_request(guards, sock, first)
            return wrapper.wrapped(sock, buffers, *args)

        return sendmsg

    def _send(self, wrapper: Wrapper) -> Callable[..., Any]:
        def send(sock: socket.socket, data: Any, *args: Any) -> Any:
            guards = self.guards
            if guards:
                _check_request(guards, sock, data)
            return wrapper.wrapped(sock, data, *args)

        return send


# -- the decisions: the newest guard refuses first (and keeps the refusal) --------------------


def _check_tuple(guards: tuple[NetworkGuard, ...], sock: socket.socket, address: Any) -> None:
    """Refuse an internet socket's ``(host, port, ...)`` address that names a vendor host
    (another family's tuple, a Bluetooth address say, names no host)."""
    if isinstance(address, tuple) and len(address) >= 2 and sock.family in _INTERNET:
        _check_address(guards, address[0], address[1])


def _check_request(guards: tuple[NetworkGuard, ...], sock: socket.socket, data: Any) -> None:
    """Refuse bytes that ask an HTTP proxy for a vendor host, and shut the connection to the
    proxy down: a client that swallows the error of a write (httpcore does, to read an early
    answer) then reads the end of the connection at once instead of waiting for an answer."""
    target = proxy_target(data)
    if target is None:
        return
    try:
        try:
            key = host_key(target)
        except ValueError as exc:
            guards[0].refuse(target, str(exc))
        host = key if key.endswith("]") else key.rpartition(":")[0] or key
        for guard in guards:
            guard.decide(host, key, target)
    except VendorHostRefusedError:
        with contextlib.suppress(OSError):  # not connected, or closed already
            sock.shutdown(socket.SHUT_RDWR)
        raise


def _check_address(guards: tuple[NetworkGuard, ...], host: Any, port: Any) -> None:
    """Refuse a lookup of, or a connection to, ``host`` (any spelling) on ``port``."""
    if isinstance(host, bytes):
        try:
            host = host.decode("ascii")
        except UnicodeDecodeError:
            guards[0].refuse(repr(host), "not ASCII")
    if not isinstance(host, str) or not host:
        return  # no host at all: the local machine, or a lookup of a service alone
    try:
        name = canonical_host(host.removeprefix("[").removesuffix("]"))
    except ValueError as exc:
        guards[0].refuse(host, str(exc))
    if ":" in name:
        name = f"[{name}]"  # an IPv6 address, as a Host header writes it
    if isinstance(port, bytes):
        port = port.decode("ascii", "replace")
    key = name if port is None else f"{name}:{port}"
    for guard in guards:
        guard.decide(name, key, host)
