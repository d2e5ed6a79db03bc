"""A live HTTP server for the fake: cheroot (HTTP/1.1 keep-alive, a thread pool) on loopback.

werkzeug's development server closes the connection after every response; cheroot keeps it open,
which is about 1.6 times the throughput on a keep-alive client. The server's idle-connection reaper
and socket timeout are set far out: under freezegun or time-machine a jump of the test's clock
would otherwise make every idle keep-alive connection look expired and reset it mid-test. (A local
test server has no need to reap idle clients; they close their connections themselves.)
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING

from cheroot.wsgi import Gateway_10
from cheroot.wsgi import Server as CherootServer

from fakeauth.faults import InjectedConnectionError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["LiveServer"]

#: Seconds of idleness before cheroot drops a keep-alive connection: about ten years.
_IDLE_TIMEOUT = 10 * 365 * 24 * 3600
#: The listen backlog. cheroot's default of 5 overflows when a test opens a burst of connections
#: at once (16 clients registering in parallel): the kernel then drops or resets the surplus.
_BACKLOG = socket.SOMAXCONN


class _Gateway(Gateway_10):
    """cheroot's WSGI gateway, closing the connection for an injected connection fault."""

    def respond(self) -> None:
        try:
            super().respond()
        except InjectedConnectionError:
            # No answer at all: the client sees the connection closed, as on a network failure.
            self.req.close_connection = True
            self.req.sent_headers = True
            with contextlib.suppress(OSError):
                self.req.conn.socket.shutdown(socket.SHUT_RDWR)


class LiveServer:
    """Serve a WSGI app on a real socket, in a background thread.

    >>> with LiveServer(fake.wsgi_app) as server:
    ...     requests.get(f"{server.url}/auth/me")
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 16,
    ) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._threads = threads
        self._server: CherootServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the server is started and not yet stopped."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The port the server listens on (known once started)."""
        if self._server is None:
            raise RuntimeError("fakeauth: the server is not started; call start() first")
        bound = self._server.bind_addr
        return int(bound[1]) if isinstance(bound, tuple) else self._requested_port

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:<port>``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _prepare(self) -> CherootServer:
        if self._server is not None:
            raise RuntimeError("fakeauth: the server is already started")
        if self._requested_port:
            _check_bindable(self.host, self._requested_port)
        server = CherootServer(
            (self.host, self._requested_port),
            self.app,
            numthreads=self._threads,
            server_name="fakeauth",
            timeout=_IDLE_TIMEOUT,
            shutdown_timeout=1,
            request_queue_size=_BACKLOG,
        )
        server.gateway = _Gateway
        server.prepare()
        self._server = server
        return server

    def start(self) -> LiveServer:
        """Bind and serve in a daemon thread; returns at once, ready for requests."""
        server = self._prepare()
        self._thread = threading.Thread(
            target=server.serve, name=f"fakeauth-server-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Bind and serve in this thread until interrupted (Ctrl-C) or stopped."""
        server = self._prepare()
        try:
            server.serve()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

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
        where = self.url if self._server is not None else "stopped"
        return f"<LiveServer {where}>"


def _check_bindable(host: str, port: int) -> None:
    """Raise ``OSError`` if ``host:port`` cannot be bound.

    cheroot leaks its socket when the bind fails (a ``ResourceWarning`` later); trying first with
    a socket we close ourselves keeps a busy port a clean error.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
