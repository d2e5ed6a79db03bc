"""Requests to a base URL a user names: only there, within a deadline, reading a bounded body.

:class:`HttpTransport` sends a request only to its base URL: a step whose URL would leave it
(another host, port or scheme, a path outside the base path) is refused before anything is sent,
redirects are not followed, and no proxy is used. A target may be wrong or hostile, so every
request has a wall-clock deadline (connecting, sending, the headers and the body together: a
target that drips one byte a second cannot stretch it) and reads at most ``max_body`` bytes of
body; whatever goes wrong is an :class:`~fakeauth.verify.model.Answer` whose ``error`` says why,
never an exception.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Iterable, Mapping
from types import TracebackType
from urllib.parse import unquote, urlsplit

from fakeauth.errors import ConfigurationError
from fakeauth.verify.model import Answer

__all__ = ["MAX_BODY", "HostRefusedError", "HttpTransport", "checked_base_url"]

#: The most bytes of an answer's body that are read (1 MiB), unless told otherwise.
MAX_BODY = 1024 * 1024
_CHUNK = 64 * 1024
_USER_AGENT = "fakeauth-verify"


class HostRefusedError(ValueError):
    """A step's URL would leave the target's base URL; nothing was sent."""


class _Watchdog:
    """Shuts the connection's socket down when ``seconds`` have passed.

    A socket timeout bounds each read alone, and a target that sends a byte just before each one
    expires would hold a request forever; shutting the socket down ends whatever read or write is
    blocked, so the deadline bounds the request as a whole.
    """

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.name = "fakeauth-verify-deadline"
        self._timer.daemon = True
        self._fired = False

    @property
    def fired(self) -> bool:
        with self._lock:
            return self._fired

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        self._timer.join()  # the socket is closed after this: never shut down a reused one

    def _cut(self) -> None:
        with self._lock:
            self._fired = True
            sock = self._connection.sock
        if sock is None:  # still connecting: the connect timeout ends it, and `fired` is seen
            return
        # socket.socket's own shutdown, not ssl.SSLSocket's (which drops its TLS object while
        # another thread may be reading through it): the descriptor is shut down either way
        with contextlib.suppress(OSError):  # already closed by the other end
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class HttpTransport:
    """Sends requests to ``base_url`` only (http.client; no proxy, no redirect, no cookie jar),
    each within ``timeout`` seconds, reading at most ``max_body`` bytes of its body."""

    def __init__(self, base_url: str, *, timeout: float = 10.0, max_body: int = MAX_BODY) -> None:
        self.base_url = checked_base_url(base_url)
        self.timeout = timeout
        self.max_body = max_body
        parts = urlsplit(self.base_url)
        self._origin = (parts.scheme, parts.hostname, parts.port)
        self._base_path = parts.path

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of the base URL."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, path: str) -> str:
        """The URL of ``path``; raises :class:`HostRefusedError` if it is not under the base."""
        url = self.base_url + path
        parts = urlsplit(url)
        try:
            origin = (parts.scheme, parts.hostname, parts.port)
        except ValueError:  # a port that is not a number
            origin = None
        if (
            not path.startswith("/")
            or path.startswith("//")
            or origin != self._origin
            or "@" in parts.netloc
            or not parts.path.startswith(self._base_path)
            or any(segment in (".", "..") for segment in unquote(parts.path).split("/"))
        ):
            raise HostRefusedError(
                f"refused to send to {url!r}: it is not under the base URL {self.base_url!r}, "
                "and fakeauth verify calls only the URLs you name"
            )
        return url

    def send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        timeout: float | None = None,
    ) -> Answer:
        """One request, within ``timeout`` seconds (default: the transport's) from connecting to
        the body's last byte; a refused URL, no answer in time, a body over ``max_body`` or
        anything that is not HTTP is an :class:`Answer` with ``error``."""
        try:
            url = self.url(path)
        except HostRefusedError as exc:
            return Answer(0, {}, b"", str(exc))
        seconds = self.timeout if timeout is None else timeout
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(str(parts.hostname), parts.port, timeout=seconds)
        request_target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"User-Agent": _USER_AGENT, **headers, "Connection": "close"}
        watchdog = _Watchdog(connection, seconds)
        try:
            with watchdog:
                answer = self._exchange(connection, watchdog, (method, request_target, sent, body))
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if watchdog.fired or isinstance(exc, TimeoutError):
                return self._late(seconds)
            return Answer(0, {}, b"", f"no answer from {self.origin}: {_reason(exc)}")
        finally:
            connection.close()
        return self._late(seconds) if watchdog.fired else answer

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        watchdog: _Watchdog,
        request: tuple[str, str, Mapping[str, str], bytes | None],
    ) -> Answer:
        method, target, headers, body = request
        connection.connect()
        if watchdog.fired:  # it fired while connecting, before the socket could be shut down
            raise TimeoutError
        connection.request(method, target, body=body, headers=dict(headers))
        response = connection.getresponse()
        status, received = response.status, _lower(response.getheaders())
        data = _read(response, self.max_body)
        if data is None:
            return Answer(
                status,
                received,
                b"",
                f"the answer's body is larger than {self.max_body} bytes (--max-body); "
                "fakeauth verify read no further",
            )
        return Answer(status, received, data)

    def _late(self, seconds: float) -> Answer:
        return Answer(0, {}, b"", f"no answer from {self.origin} within {seconds:.3g} s")


def _read(response: http.client.HTTPResponse, limit: int) -> bytes | None:
    """The body, or ``None`` when it is longer than ``limit`` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = response.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            if response.length:  # read(amt) ends quietly where the connection did
                raise http.client.IncompleteRead(b"".join(chunks), response.length)
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


def _reason(exc: BaseException) -> str:
    """Why no answer came, as a clause (never the target's bytes, which may be anything)."""
    if isinstance(exc, http.client.RemoteDisconnected):
        return "it closed the connection without answering"
    if isinstance(exc, http.client.IncompleteRead):
        return "it closed the connection before the end of its answer"
    if isinstance(exc, http.client.HTTPException):
        return f"its answer is not HTTP ({type(exc).__name__})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    # http.client refuses a header value with a line break (a hostile target's "token", say)
    return "a value from an earlier answer cannot be sent in a request"


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in items}


def checked_base_url(url: str) -> str:
    """``url`` without a trailing ``/``; ``ConfigurationError`` unless it is http(s) with a
    host and nothing after the path."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        has_port = False
    else:
        has_port = True
    if not has_port or parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigurationError(
            f"{url!r} is not a base URL; give one such as https://api.dev.ovok.com or "
            "http://127.0.0.1:8080/ovok"
        )
    if parts.fragment or "@" in parts.netloc:
        raise ConfigurationError(f"{url!r} is not a base URL; leave out credentials and '#'")
    return url.rstrip("/")
