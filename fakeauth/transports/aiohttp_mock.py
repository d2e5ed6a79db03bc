"""Intercept aiohttp (every ``ClientSession``) and answer vendor hosts from the fake.

The interception wraps ``aiohttp.BaseConnector.connect``, the documented coroutine through which
every session gets its connections. For a vendor host it hands back a connection that never
leaves the process: aiohttp writes its request into it as onto a socket, fakeauth parses the
bytes (httptools, as the live server does), answers through the WSGI seam, and feeds the answer
back as bytes to aiohttp's own response parser. So the answer is aiohttp's own
``ClientResponse`` (``.json()``, cookies, ``raise_for_status()``, redirects, ``async with``),
and the session's own timers run as on the network: an injected delay is a timer on the event
loop, never a sleep, and a ``ClientTimeout`` (``total``, ``sock_read``) shorter than it raises
the very error aiohttp raises for that timeout. Any other host goes on to the connector as
before, to the network.

A user's aioresponses mock patches ``ClientSession._request``, above the connector: while a fake
intercepts, each such mock (started before or after the fake) passes the fakes' vendor hosts
and live servers through to aiohttp, and so to the fake; its own routes keep answering.

aiohttp is slow to import, so the pytest fixture does not import it: when it is not imported
yet, the interception waits for its import (an import hook) and patches it then.
"""

from __future__ import annotations

import asyncio
import errno
import importlib.abc
import sys
from collections.abc import Callable, Iterator
from http import HTTPStatus
from types import ModuleType
from typing import TYPE_CHECKING, Any

import httptools

from fakeauth.errors import ConfigurationError
from fakeauth.faults import InjectedConnectionError
from fakeauth.hosts import host_keys
from fakeauth.transports.base import Interceptor
from fakeauth.transports.wrapping import Wrapper, wrapper_of
from fakeauth.wsgi import request_from_parts

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    from fakeauth.fake import FakeAuth
    from fakeauth.http import Response

__all__ = ["AiohttpInterceptor"]

#: The modules the interception patches once they are imported.
_WATCHED = ("aiohttp", "aioresponses")
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def _import_aiohttp() -> ModuleType:
    try:
        import aiohttp
    except ImportError:
        raise ConfigurationError(
            "aiohttp is not installed; install it with: pip install 'fakeauth[aiohttp]'"
        ) from None
    return aiohttp


def _netloc(url: Any) -> str:
    """A yarl URL's ``Host`` header value (the port only when it is not the default)."""
    host = str(url.raw_host or "")
    if ":" in host:
        host = f"[{host}]"
    return host if url.port is None or url.is_default_port() else f"{host}:{url.port}"


def _wire(response: Response, method: str) -> bytes:
    """``response`` as the bytes a server sends: status line, head, body."""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in response.headers]
    names = {name.lower() for name, _ in response.headers}
    if "content-length" not in names and response.status >= 200 and response.status != 204:
        lines.append(f"Content-Length: {len(response.body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    return head if method == "HEAD" else head + response.body


class _VendorTransport(asyncio.Transport):
    """The in-process connection to one vendor host, for one exchange.

    aiohttp writes its request here; once it is whole, the fake answers it on the next turn of
    the event loop and the answer is fed to aiohttp's protocol, after the injected delay if any
    (a loop timer, cancelled when aiohttp closes the connection on its own timeout).
    """

    def __init__(self, fake: FakeAuth, url: str, protocol: Any, key: Any, aiohttp: Any) -> None:
        super().__init__()
        self._fake, self._url, self._protocol, self._key = fake, url, protocol, key
        self._aiohttp = aiohttp
        self._loop = asyncio.get_running_loop()
        self._closing = False
        self._complete = False
        self._timer: asyncio.TimerHandle | None = None
        self._headers: list[tuple[str, str]] = []
        self._body = bytearray()
        self._parser = httptools.HttpRequestParser(self)

    # -- httptools callbacks ----------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        """One request header, whole."""
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        """The head is whole: a client that waits for ``100 Continue`` before its body gets it,
        as from a server that reads on."""
        if any(n.lower() == "expect" and v.lower() == "100-continue" for n, v in self._headers):
            self._loop.call_soon(self._unless_closed, self._protocol.data_received, _CONTINUE)

    def on_body(self, body: bytes) -> None:
        """A piece of the request body (de-chunked)."""
        self._body += body

    def on_message_complete(self) -> None:
        """The request is whole: answer it on the next turn of the loop."""
        self._complete = True
        self._loop.call_soon(self._answer, self._parser.get_method().decode("ascii"))

    # -- what fakeauth does with the request ------------------------------------------------

    def _answer(self, method: str) -> None:
        if self._closing:
            return
        request = request_from_parts(method, self._url, self._headers, bytes(self._body))
        try:
            response = self._fake.wsgi_app.dispatch(request)
        except InjectedConnectionError as exc:
            self._after(exc.delay, self._drop, str(exc))
            return
        self._after(response.delay, self._protocol.data_received, _wire(response, method))

    def _after(self, delay: float, action: Callable[[Any], None], argument: Any) -> None:
        if delay > 0:
            self._timer = self._loop.call_later(delay, self._unless_closed, action, argument)
        else:
            action(argument)

    def _unless_closed(self, action: Callable[[Any], None], argument: Any) -> None:
        if not self._closing:
            action(argument)

    def _drop(self, why: str) -> None:
        error = OSError(errno.ECONNRESET, why)
        self._protocol.set_exception(self._aiohttp.ClientConnectorError(self._key, error))

    # -- asyncio.Transport --------------------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Take bytes of the request (more after it is whole are ignored: one exchange)."""
        if self._closing or self._complete:
            return
        try:
            self._parser.feed_data(bytes(data))
        except httptools.HttpParserError as exc:
            self._protocol.set_exception(
                self._aiohttp.ClientConnectionError(
                    f"fakeauth: could not read the request aiohttp wrote ({exc}); "
                    "please report it as a bug of fakeauth"
                )
            )

    def is_closing(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closing

    def close(self) -> None:
        """Close: a pending answer is never delivered; the protocol hears of it."""
        if self._closing:
            return
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
        if not self._loop.is_closed():
            self._loop.call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        """As :meth:`close`."""
        self.close()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """No socket, no TLS object: the defaults."""
        return default

    def get_write_buffer_size(self) -> int:
        """Writes are taken at once."""
        return 0

    def pause_reading(self) -> None:
        """Nothing to pause: the answer is one piece."""

    def resume_reading(self) -> None:
        """Nothing to resume."""


class _NeverPooled:
    """The connector of a vendor connection: releasing it closes it, so it is never pooled."""

    #: Read by aiohttp when it writes the request (it then sends ``Connection: close``).
    force_close = True

    def _release(self, key: Any, protocol: Any, *, should_close: bool = False) -> None:
        protocol.close()


class _BridgedPassthrough(list):  # type: ignore[type-arg]
    """An aioresponses mock's ``passthrough`` prefixes, plus those of every fake intercepting
    now (its vendor hosts and live servers), so that the mock passes them on to aiohttp."""

    def __init__(self, own: list[str], aiohttp: Any) -> None:
        super().__init__(own)
        self._aiohttp = aiohttp

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        for patch in _active_patches(self._aiohttp):
            yield from patch.prefixes()


def _active_patches(aiohttp: Any) -> list[_Patch]:
    """The fakes' active patches of ``BaseConnector.connect``, the innermost first."""
    top = wrapper_of(aiohttp.BaseConnector.connect)
    stack = [] if top is None else [top, *top.below()]
    return [w.context for w in stack if w.active and isinstance(w.context, _Patch)]


def _bridge(mock: Any, aiohttp: Any) -> None:
    own = getattr(mock, "_passthrough", None)
    if isinstance(own, list) and not isinstance(own, _BridgedPassthrough):  # an aioresponses
        mock._passthrough = _BridgedPassthrough(own, aiohttp)


class _Patch:
    """One fake's wrappers: ``BaseConnector.connect``, and ``aioresponses.start`` (each as soon
    as its module is imported; see :class:`Wrapper` for the last-in first-out undo)."""

    def __init__(self, fake: FakeAuth) -> None:
        self.fake = fake
        self.wrappers: list[Wrapper] = []
        self._patched: set[str] = set()

    def ensure(self) -> bool:
        """Patch each watched module that is imported and not patched yet; whether all are."""
        aiohttp = sys.modules.get("aiohttp")
        if aiohttp is not None and "aiohttp" not in self._patched:
            self._patched.add("aiohttp")
            connect = Wrapper(aiohttp.BaseConnector, "connect", self._connect, context=self)
            self.wrappers.append(connect)
            request = getattr(aiohttp.ClientSession._request, "side_effect", None)
            if request is not None and hasattr(request, "__self__"):  # aioresponses, active
                _bridge(request.__self__, aiohttp)
        # None while aioresponses is still being imported (it imports aiohttp first)
        mock_class = getattr(sys.modules.get("aioresponses"), "aioresponses", None)
        if aiohttp is not None and mock_class is not None and "aioresponses" not in self._patched:
            self._patched.add("aioresponses")
            self.wrappers.append(Wrapper(mock_class, "start", self._start))
        return self._patched.issuperset(_WATCHED)

    def _connect(self, wrapper: Wrapper) -> Callable[..., Any]:
        async def connect(connector: Any, req: Any, *args: Any, **kwargs: Any) -> Any:
            if wrapper.active and self.fake.vendor_for_host(_netloc(req.url)) is not None:
                return self._open(req)
            return await wrapper.wrapped(connector, req, *args, **kwargs)

        return connect

    def _open(self, req: Any) -> Any:
        aiohttp = sys.modules["aiohttp"]
        loop = asyncio.get_running_loop()
        protocol = aiohttp.client_proto.ResponseHandler(loop)
        transport = _VendorTransport(self.fake, str(req.url), protocol, req.connection_key, aiohttp)
        protocol.connection_made(transport)
        protocol.force_close()
        return aiohttp.connector.Connection(_NeverPooled(), req.connection_key, protocol, loop)

    def _start(self, wrapper: Wrapper) -> Callable[[Any], None]:
        def start(mock: Any) -> None:
            wrapper.wrapped(mock)
            if wrapper.active:
                _bridge(mock, sys.modules["aiohttp"])

        return start

    def prefixes(self) -> Iterator[str]:
        """The URL prefixes of this fake's vendor hosts and running live servers."""
        fake = self.fake
        for url in fake.base_urls():
            for key in host_keys(url):
                for spelled in _with_trailing_dot(key):
                    yield f"http://{spelled}/"
                    yield f"https://{spelled}/"
        for url in fake.live_server_urls():
            yield f"{url}/"

    def undo(self) -> None:
        for wrapper in reversed(self.wrappers):
            wrapper.undo()
        # Each wrapper names this patch as its context: let go of them, so that a stopped
        # interception is no reference cycle keeping its fake for the cycle collector.
        self.wrappers.clear()


def _with_trailing_dot(key: str) -> tuple[str, ...]:
    """A ``Host`` key, and the same name with its trailing dot as yarl keeps it in a URL
    (``api.ovok.com.:443``): aioresponses compares URL prefixes as text."""
    if key.startswith("["):  # an address: no dot to add
        return (key,)
    name, colon, port = key.partition(":")
    return (key, f"{name}.{colon}{port}")


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls ``then()`` each time a watched module has been imported (finding it with the
    finders after this one, whose loader it wraps)."""

    def __init__(self, then: Callable[[], object]) -> None:
        self._then = then

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        """The spec of a watched module, its loader wrapped; ``None`` for any other."""
        if name not in _WATCHED or self not in sys.meta_path:
            return None
        for finder in sys.meta_path[sys.meta_path.index(self) + 1 :]:
            find = getattr(finder, "find_spec", None)
            spec: ModuleSpec | None = find(name, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _ThenLoader(spec.loader, self._then)
                return spec
        return None


class _ThenLoader(importlib.abc.Loader):
    """A module's own loader, and ``then()`` once the module is executed."""

    def __init__(self, loader: Any, then: Callable[[], object]) -> None:
        self._loader, self._then = loader, then

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        """The module the real loader creates."""
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Execute the module with the real loader, put that loader back, then ``then()``."""
        self._loader.exec_module(module)
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._then()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _Active:
    """What :meth:`AiohttpInterceptor._install` leaves in place."""

    def __init__(self, patch: _Patch, hook: _AfterImport | None) -> None:
        self.patch, self.hook = patch, hook


class AiohttpInterceptor(Interceptor):
    """``with fake.mock_aiohttp(): ...`` (also a decorator). See :meth:`FakeAuth.mock_aiohttp`.

    With ``lazy`` (the pytest fixture's way), aiohttp is not imported: it is patched when it is
    imported, if ever, while the interception is active.
    """

    name = "mock_aiohttp()"

    def __init__(
        self, fake: FakeAuth, *, assert_all_served: bool = True, lazy: bool = False
    ) -> None:
        super().__init__(fake, assert_all_served=assert_all_served)
        self._lazy = lazy

    def _install(self) -> _Active:
        if not self._lazy:
            _import_aiohttp()
        patch = _Patch(self._fake)
        hook: _AfterImport | None = None
        if not patch.ensure():
            hook = _AfterImport(patch.ensure)
            sys.meta_path.insert(0, hook)
        return _Active(patch, hook)

    def _uninstall(self, active: _Active) -> None:
        if active.hook is not None and active.hook in sys.meta_path:
            sys.meta_path.remove(active.hook)
        active.patch.undo()
