"""A live HTTP/1.1 server for the fake on loopback: a thread per connection, kept alive.

A test's client and this server share one process and one GIL, so every thread hand-off and every
line of per-request Python is paid on the test's own time. Measured here (see
``benchmarks/README.md``): werkzeug's development server closes the connection after every
response; cheroot and waitress keep it open, but pass each request from a selector thread to a
worker thread and parse it in Python, which left them only 1.1-1.2x faster than werkzeug on a
keep-alive client. This server gives each connection one thread that reads, parses and answers
in turn, with no hand-off, and parses with httptools (llhttp, the parser of Node.js): about 2 us a
request against about 50 for a pure-Python parser.

Nothing here reads the clock except the ``Date`` header: no idle reaper, no socket timeouts. A
jump of the test's clock (freezegun, time-machine) therefore never drops a kept-alive connection;
connections end when the client closes them or the server stops.
"""

from __future__ import annotations

import contextlib
import functools
import io
import selectors
import socket
import sys
import threading
import time
import traceback
from email.utils import formatdate
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

import httptools

from fakeauth.faults import InjectedConnectionError

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

__all__ = ["LiveServer"]

#: The listen backlog: a burst of parallel clients must queue, not be reset.
_BACKLOG = socket.SOMAXCONN
#: The most a request line and headers may take together (then 431 and the connection closes).
_MAX_HEAD = 64 * 1024
#: The most of a body kept in memory. A larger body is counted, not kept: the app sees its declared
#: length (or this much of a chunked one) and refuses it (fakeauth answers 413 above 64 MiB).
_MAX_BODY = 64 * 1024 * 1024 + 1
_RECV = 256 * 1024
#: Statuses that carry no body (and so no ``Content-Length`` is added to them).
_NO_BODY = frozenset({204, 304})
_JOIN_SECONDS = 5.0


class LiveServer:
    """Serve a WSGI app on a real socket, in background threads.

    >>> with LiveServer(fake.wsgi_app) as server:
    ...     requests.get(f"{server.url}/auth/me")

    HTTP/1.1 with keep-alive (and HTTP/1.0, with or without it), pipelining, chunked request
    bodies and ``Expect: 100-continue``. A response body is collected before it is sent, so the
    app's answer always goes out with a ``Content-Length`` (the fake's bodies are small).
    """

    def __init__(self, app: WSGIApplication, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._waker: tuple[socket.socket, socket.socket] | None = None
        self._thread: threading.Thread | None = None
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._port = 0

    @property
    def running(self) -> bool:
        """Whether the server is started and not yet stopped."""
        return self._listener is not None

    @property
    def port(self) -> int:
        """The port the server listens on (known once started)."""
        if self._listener is None:
            raise RuntimeError("fakeauth: the server is not started; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:<port>``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _bind(self) -> socket.socket:
        if self._listener is not None:
            raise RuntimeError("fakeauth: the server is already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # Closes its socket if binding fails: a busy port is a clean OSError, nothing leaks.
        listener = socket.create_server(
            (self.host, self._requested_port), family=family, backlog=_BACKLOG
        )
        self._port = int(listener.getsockname()[1])
        self._waker = socket.socketpair()
        self._listener = listener
        return listener

    def start(self) -> LiveServer:
        """Bind and serve in a daemon thread; returns at once, ready for requests."""
        listener = self._bind()
        self._thread = threading.Thread(
            target=self._accept_loop,
            args=(listener,),
            name=f"fakeauth-server-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Bind and serve in this thread until interrupted (Ctrl-C) or stopped."""
        listener = self._bind()
        try:
            self._accept_loop(listener)
        finally:
            self.stop()

    def _accept_loop(self, listener: socket.socket) -> None:
        waker = self._waker
        assert waker is not None
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(waker[0], selectors.EVENT_READ)
            while True:
                ready = [key.fileobj for key, _ in selector.select()]
                if waker[0] in ready:
                    return
                try:
                    sock, address = listener.accept()
                except OSError:  # the client gave up before we accepted; or we are stopping
                    continue
                self._open(sock, address)

    def _open(self, sock: socket.socket, address: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        thread = threading.Thread(
            target=self._serve_connection,
            args=(sock, address),
            name=f"fakeauth-connection-{self._port}",
            daemon=True,
        )
        with self._lock:
            if self._listener is None:  # stopped meanwhile
                sock.close()
                return
            self._connections[sock] = thread
        thread.start()

    def _serve_connection(self, sock: socket.socket, address: Any) -> None:
        try:
            _Connection(self.app, sock, address, self.host, self._port).run()
        finally:
            with self._lock:
                self._connections.pop(sock, None)
            sock.close()

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call twice."""
        with self._lock:
            listener, self._listener = self._listener, None
            waker, self._waker = self._waker, None
            connections = dict(self._connections)
        if listener is None or waker is None:
            return
        waker[1].send(b"x")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(_JOIN_SECONDS)
        self._thread = None
        listener.close()
        for sock in waker:
            sock.close()
        for sock in connections:
            # Only the reading side: an idle connection's thread wakes (recv returns b"") and
            # closes it; one still answering (a delay fault) sends its answer first.
            _shut(sock, socket.SHUT_RD)
        for thread in connections.values():
            if thread is not threading.current_thread():
                # A handler still answering (a delay fault) finishes first; never wait forever.
                thread.join(_JOIN_SECONDS)

    def __enter__(self) -> LiveServer:
        return self if self.running else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._listener is not None else "stopped"
        return f"<LiveServer {where}>"


def _shut(sock: socket.socket, how: int = socket.SHUT_RDWR) -> None:
    # Wakes a thread blocked reading it (recv returns b""), unlike a bare close.
    with contextlib.suppress(OSError):
        sock.shutdown(how)


def _http_date() -> str:
    """The ``Date`` header's value, from the clock read now (a frozen test clock shows in it)."""
    return _format_date(int(time.time()))


@functools.lru_cache(maxsize=2)
def _format_date(second: int) -> str:
    # A pure function of the second: formatted once a second instead of once an answer.
    return formatdate(second, usegmt=True)


def _declared(content_length: bytes | None) -> int:
    # The parser has checked the value: only digits reach here.
    return int(content_length) if content_length else 0


class _Message:
    """One request as it is parsed."""

    __slots__ = (
        "body",
        "body_size",
        "content_length",
        "head_size",
        "headers",
        "keep_alive",
        "method",
        "upgrade",
        "url",
        "version",
    )

    def __init__(self) -> None:
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_size = 0
        self.body: list[bytes] = []
        self.body_size = 0
        self.method = "GET"
        self.version = "1.1"
        self.keep_alive = True
        self.upgrade = False
        self.content_length: bytes | None = None


class _Connection:
    """One client connection: parse what arrives, answer each complete request in order.

    The parser calls the ``on_*`` methods; a request is answered from ``on_message_complete``
    itself, so pipelined requests are answered in order, and a ``100 Continue`` is never sent
    before the answer of an earlier request.
    """

    def __init__(
        self, app: WSGIApplication, sock: socket.socket, client: Any, host: str, port: int
    ) -> None:
        self.app = app
        self.sock = sock
        self.client = client
        self.host = host
        self.port = port
        self.parser = httptools.HttpRequestParser(self)
        self.message = _Message()
        self.closing = False

    def run(self) -> None:
        sock, parser = self.sock, self.parser
        while not self.closing:
            try:
                data = sock.recv(_RECV)
            except OSError:
                return
            if not data:
                return
            try:
                parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                return  # answered (with Connection: close); what follows is another protocol
            except httptools.HttpParserError as exc:
                if not self.closing:
                    self._send_error(400, "Bad Request", f"malformed HTTP request: {exc}")
                return

    # -- parser callbacks -----------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.message = _Message()

    def on_url(self, url: bytes) -> None:
        message = self.message
        message.url += url
        message.head_size += len(url)
        if message.head_size > _MAX_HEAD:
            self._refuse_head()

    def on_header(self, name: bytes, value: bytes) -> None:
        message = self.message
        message.headers.append((name, value))
        message.head_size += len(name) + len(value) + 4
        if message.head_size > _MAX_HEAD:
            self._refuse_head()

    def on_headers_complete(self) -> None:
        if self.closing:
            return
        message, parser = self.message, self.parser
        message.method = parser.get_method().decode("latin-1")
        message.version = parser.get_http_version()
        message.upgrade = parser.should_upgrade()
        expects_continue = False
        for name, value in message.headers:
            lowered = name.lower()
            if lowered == b"content-length":
                message.content_length = value
            elif lowered == b"expect":
                expects_continue = value.strip().lower() == b"100-continue"
        if _declared(message.content_length) >= _MAX_BODY:
            # Too large to keep: the app answers from the declared length alone (fakeauth: 413)
            # at once, rather than after the client has sent it all; the body is never read.
            message.keep_alive = False
            self._answer(message)
            self.closing = True
        elif expects_continue and message.version == "1.1":
            self._send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        message = self.message
        if message.body_size < _MAX_BODY:
            message.body.append(body[: _MAX_BODY - message.body_size])
        message.body_size += len(body)

    def on_message_complete(self) -> None:
        if self.closing:
            return
        message = self.message
        message.keep_alive = self.parser.should_keep_alive() and not message.upgrade
        self._answer(message)

    # -- answering ------------------------------------------------------------------------------

    def _answer(self, message: _Message) -> None:
        try:
            self._call_app(message)
        except Exception:  # the app's answer could not be written (a header that is not latin-1)
            traceback.print_exc(file=sys.stderr)
            self._send_error(
                500, "Internal Server Error", "the answer could not be sent; see stderr"
            )

    def _call_app(self, message: _Message) -> None:
        environ = self._environ(message)
        if environ is None:
            self._send_error(400, "Bad Request", "malformed request target")
            return
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Any:
            if started and exc_info is None:
                raise AssertionError("start_response called twice without exc_info")
            started[:] = [status, headers]
            return written.append

        try:
            result = self.app(environ, start_response)
            try:
                chunks = [*written, *result]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except InjectedConnectionError:
            # A fault the test asked for: no answer at all, the connection just closes.
            self.closing = True
            _shut(self.sock)
            return
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self._send_error(500, "Internal Server Error", "the application raised; see stderr")
            return
        if not started:
            self._send_error(500, "Internal Server Error", "the application gave no status")
            return
        status, headers = started
        self._send_response(message, status, headers, b"".join(chunks))

    def _environ(self, message: _Message) -> WSGIEnvironment | None:
        try:
            url = httptools.parse_url(message.url)
        except httptools.HttpParserInvalidURLError:
            if message.url != b"*":
                return None
            path, query = b"*", b""
        else:
            path, query = url.path or b"/", url.query or b""
        body = b"".join(message.body)
        client = self.client if isinstance(self.client, tuple) else ("", 0)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": message.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query.decode("latin-1"),
            "REQUEST_URI": message.url.decode("latin-1"),
            "SERVER_NAME": self.host,
            "SERVER_PORT": str(self.port),
            "SERVER_PROTOCOL": f"HTTP/{message.version}",
            "SERVER_SOFTWARE": "fakeauth",
            "REMOTE_ADDR": str(client[0]),
            "REMOTE_PORT": str(client[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if message.content_length is not None:
            environ["CONTENT_LENGTH"] = message.content_length.decode("latin-1")
        for raw_name, raw_value in message.headers:
            name = raw_name.decode("latin-1")
            if "_" in name:
                continue  # it would pass for the same name with "-": a header-spoofing trick
            key = name.upper().replace("-", "_")
            value = raw_value.decode("latin-1")
            if key == "CONTENT_TYPE":
                environ[key] = value
            elif key != "CONTENT_LENGTH":  # taken above, once
                key = "HTTP_" + key
                previous = environ.get(key)
                environ[key] = value if previous is None else f"{previous},{value}"
        return environ

    def _send_response(
        self, message: _Message, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        code = int(status[:3])
        names = {name.lower() for name, _ in headers}
        keep_alive = message.keep_alive
        lines = [f"HTTP/1.1 {status}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if "connection" in names:
            keep_alive = keep_alive and not any(
                name.lower() == "connection" and "close" in value.lower() for name, value in headers
            )
        elif not keep_alive:
            lines.append("Connection: close")
        elif message.version == "1.0":
            lines.append("Connection: keep-alive")
        if code in _NO_BODY or code < 200:
            body = b""
        elif "content-length" not in names:
            lines.append(f"Content-Length: {len(body)}")
        if "date" not in names:
            lines.append("Date: " + _http_date())
        if "server" not in names:
            lines.append("Server: fakeauth")
        if message.method == "HEAD":
            body = b""
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._send(head + body)
        if not keep_alive:
            self.closing = True

    def _send_error(self, code: int, reason: str, detail: str) -> None:
        body = f"fakeauth: {detail}\n".encode()
        head = (
            f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode("latin-1")
        self._send(head + body)
        self.closing = True

    def _refuse_head(self) -> None:
        if not self.closing:
            self._send_error(431, "Request Header Fields Too Large", "request head over 64 KiB")

    def _send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError:
            self.closing = True
