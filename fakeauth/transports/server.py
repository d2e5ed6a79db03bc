"""A live HTTP/1.1 server for the fake on loopback: a thread per connection, kept alive.

A test's client and this server share one process and one GIL, so every thread hand-off and every
line of per-request Python is paid on the test's own time. Measured here (see
``benchmarks/README.md``): werkzeug's development server closes the connection after every
response; cheroot and waitress keep it open, but pass each request from a selector thread to a
worker thread and parse it in Python, which left them only 1.1-1.2x faster than werkzeug on a
keep-alive client. This server gives each connection one thread that reads, parses and answers
in turn, with no hand-off, and parses with httptools (llhttp, the parser of Node.js): about 2 us a
request against about 50 for a pure-Python parser (:mod:`fakeauth.transports.connection`).

Limits, none of which reads a clock a test can move (freezegun, time-machine):

- an idle kept-alive connection is never closed by time; at ``max_connections`` the longest idle
  one is closed to admit a new client, and when none is idle the new client gets ``503``;
- a request that stalls inside its head or body is closed after ``request_timeout`` seconds, a
  socket timeout measured by the kernel;
- when a thread cannot be started or ``accept`` runs out of file descriptors or memory, the
  accept loop logs one line, backs off (10 ms doubling to 1 s, a selector timeout) and serves
  again once resources return;
- ``stop()`` returns within a second with idle or stalled clients connected, and cuts off an
  answer still being prepared (a ``delay_next``) after at most 5 s;
- after an early answer (``413``, ``408``, ``431``, ``400``, ``503`` at the cap) the connection
  closes with a lingering close (:mod:`fakeauth.transports.linger`): the server shuts its writing
  side and discards what the client still sends, at most 16 MiB for 5 s, so that the client reads
  the answer rather than a reset.
"""

from __future__ import annotations

import itertools
import selectors
import socket
import threading
from threading import Thread
from types import TracebackType
from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError
from fakeauth.hosts import vendor_url
from fakeauth.transports.accept_limits import CLIENT_ERRORS, Backoff, refuse
from fakeauth.transports.budget import DEFAULT_BODY_BUDGET, BodyBudget
from fakeauth.transports.connection import Connection, shut
from fakeauth.transports.limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT
from fakeauth.transports.linger import Lingerer
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DEFAULT_REQUEST_TIMEOUT", "LiveServer"]

#: The listen backlog: a burst of parallel clients must queue, not be reset.
_BACKLOG = socket.SOMAXCONN
#: How long ``stop()`` lets answers in progress finish before it cuts them off.
_DRAIN_SECONDS = 5.0


class LiveServer:
    """Serve a WSGI app on a real socket, in background threads.

    >>> with LiveServer(fake.wsgi_app) as server:
    ...     requests.get(f"{server.url}/auth/me")

    HTTP/1.1 with keep-alive (and HTTP/1.0, with or without it), pipelining, chunked request
    bodies and ``Expect: 100-continue``. A response body is collected before it is sent, so the
    app's answer always goes out with a ``Content-Length`` (the fake's bodies are small).
    ``max_connections`` caps the open connections (the longest idle one makes room for a new
    client); ``request_timeout`` is how long a request may take to arrive once begun (seconds).
    ``body_budget`` is how many bytes of large bodies (over 64 KiB) are read and answered at once
    (see :class:`~fakeauth.transports.budget.BodyBudget`); a body that does not fit waits for the
    ones before it (until the server stops: then ``503``).
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        body_budget: int = DEFAULT_BODY_BUDGET,
    ) -> None:
        if isinstance(max_connections, bool) or not isinstance(max_connections, int):
            raise ConfigurationError(
                f"max_connections is a whole number of connections, not {max_connections!r}"
            )
        if max_connections < 1:
            raise ConfigurationError(f"max_connections must be 1 or more, not {max_connections}")
        if isinstance(request_timeout, bool) or not isinstance(request_timeout, int | float):
            raise ConfigurationError(
                f"request_timeout is a number of seconds, not {request_timeout!r}"
            )
        if not 0 < request_timeout < float("inf"):
            raise ConfigurationError(
                f"request_timeout must be a number of seconds above 0, not {request_timeout}"
            )
        self.app = app
        self.host = host
        self.max_connections = max_connections
        self.request_timeout = float(request_timeout)
        #: The bytes of large bodies this server's connections hold at once.
        self.body_budget = BodyBudget(body_budget)
        self._requested_port = port
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._waker: tuple[socket.socket, socket.socket] | None = None
        self._thread: Thread | None = None
        self._connections: dict[socket.socket, Connection] = {}
        self._lingerer = Lingerer()
        self._drained = threading.Event()
        self._tickets = itertools.count()
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

    def url_for(self, vendor: str) -> str:
        """A vendor's base URL on this server, ``http://127.0.0.1:<port>/<vendor>``: under it,
        every route of that vendor answers as on its in-process hosts."""
        return vendor_url(self.url, vendor, [v.name for v in self._vendors()])

    @property
    def urls(self) -> dict[str, str]:
        """Every vendor's base URL on this server, by vendor name (see :meth:`url_for`)."""
        return {vendor.name: f"{self.url}/{vendor.name}" for vendor in self._vendors()}

    def _vendors(self) -> tuple[Vendor, ...]:
        # The served fake's vendors (a WsgiApp or a LanesApp says; any other app: the default).
        vendors: tuple[Vendor, ...] = getattr(self.app, "vendors", VENDORS)
        return vendors

    @property
    def connections(self) -> int:
        """How many client connections are open now."""
        with self._lock:
            return len(self._connections)

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
        self._lingerer = Lingerer(name=f"fakeauth-linger-{self._port}")
        self._drained.clear()
        self._listener = listener
        return listener

    def start(self) -> LiveServer:
        """Bind and serve in a daemon thread; returns at once, ready for requests."""
        listener = self._bind()
        self._thread = Thread(
            target=self._accept_loop,
            args=(listener,),
            name=f"fakeauth-server-{self._port}",
            daemon=True,
        )
        try:
            self._thread.start()
        except BaseException:
            self.stop()
            raise
        return self

    def serve_forever(self) -> None:
        """Bind and serve in this thread until interrupted (Ctrl-C) or stopped."""
        listener = self._bind()
        try:
            self._accept_loop(listener)
        finally:
            self.stop()

    def _accept(self, listener: socket.socket) -> tuple[socket.socket, Any]:
        return listener.accept()

    def _accept_loop(self, listener: socket.socket) -> None:
        waker = self._waker
        assert waker is not None
        backoff = Backoff()
        # Both made before any error: at EMFILE a selector could not be created.
        with selectors.DefaultSelector() as selector, selectors.DefaultSelector() as pause:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(waker[0], selectors.EVENT_READ)
            pause.register(waker[0], selectors.EVENT_READ)
            while True:
                if backoff.delay and pause.select(backoff.delay):
                    return  # stopped while backing off
                events = selector.select(0) if backoff.logged else []
                if backoff.logged and not events and not backoff.delay:
                    backoff.logged = False  # served every queued client: the episode is over
                ready = [key.fileobj for key, _ in events or selector.select()]
                if waker[0] in ready:
                    return
                try:
                    sock, address = self._accept(listener)
                except OSError as exc:
                    if exc.errno not in CLIENT_ERRORS:
                        # Out of descriptors or memory: the client stays queued in the backlog
                        # (it cannot be accepted to be refused) and is served once they return.
                        backoff.failed(f"cannot accept a connection ({exc.strerror or exc})")
                    continue
                failure = self._admit(sock, address)
                if failure is None:
                    backoff.succeeded()
                else:
                    backoff.failed(failure)

    def _admit(self, sock: socket.socket, address: Any) -> str | None:
        """Serve a new client in a thread of its own; what ran out, if the client was refused
        for lack of resources (``None``: served, or refused because all connections are busy).
        """
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(
                self.app,
                sock,
                address,
                self.host,
                self._port,
                request_timeout=self.request_timeout,
                tickets=self._tickets,
                body_budget=self.body_budget,
            )
            thread = Thread(
                target=self._serve_connection,
                args=(connection, self._lingerer),
                name=f"fakeauth-connection-{self._port}",
                daemon=True,
            )
        except OSError:  # the client is already gone
            sock.close()
            return None
        except MemoryError:
            refuse(sock, "the server is out of memory", self._lingerer)
            return "is out of memory for a connection"
        connection.thread = thread
        connection.idle_since = next(self._tickets)  # idle until its first byte arrives
        with self._lock:
            if self._listener is None:  # stopped meanwhile
                sock.close()
                return None
            if len(self._connections) >= self.max_connections and not self._evict_idle():
                full = True
            else:
                full = False
                self._connections[sock] = connection
                self._drained.clear()
        if full:
            refuse(
                sock,
                f"the server holds its {self.max_connections} connections, all busy",
                self._lingerer,
            )
            return None
        try:
            thread.start()
        except (RuntimeError, MemoryError):  # "can't start new thread"
            self._forget(sock)
            refuse(sock, "the server cannot start a thread now", self._lingerer)
            return "cannot start a thread for a connection"
        return None

    def _evict_idle(self) -> bool:
        """Close the longest-idle connection to make room (under the lock); ``False``: none."""
        idle = [c for c in self._connections.values() if c.idle_since is not None]
        if not idle:
            return False
        victim = min(idle, key=lambda c: c.idle_since or 0)
        del self._connections[victim.sock]
        # Only the reading side: its thread wakes from recv, sees the end and closes the socket,
        # and an answer it is sending still goes out whole (it became idle before sending it).
        shut(victim.sock, socket.SHUT_RD)
        return True

    def _serve_connection(self, connection: Connection, lingerer: Lingerer) -> None:
        try:
            connection.run()
        finally:
            self._forget(connection.sock)
            if connection.answered_early:
                lingerer.linger(connection.sock)  # closes it once the client has had its answer
            else:
                connection.sock.close()

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.pop(sock, None)
            if not self._connections:
                self._drained.set()

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call twice.

        Idle and stalled connections close at once; an answer in progress may finish for up to
        5 s, then its connection is cut off (its thread is a daemon).
        """
        with self._lock:
            listener, self._listener = self._listener, None
            waker, self._waker = self._waker, None
            connections = list(self._connections.values())
            if not connections:
                self._drained.set()
        if listener is None or waker is None:
            return
        self._lingerer.stop()  # closes the lingering sockets; a later one closes at once
        waker[1].send(b"x")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(_DRAIN_SECONDS)
        self._thread = None
        listener.close()
        for sock in waker:
            sock.close()
        self.body_budget.wake()  # a body waiting for room is answered 503 and its thread ends
        for connection in connections:
            # Only the reading side: an idle or stalled connection's thread wakes (recv returns
            # b"") and closes it; one still answering (a delay fault) sends its answer first.
            shut(connection.sock, socket.SHUT_RD)
        if any(c.thread is threading.current_thread() for c in connections):
            return  # stopped from a handler: it cannot wait for itself
        # One wait for them all, timed by the lock (not a clock a test library patches).
        if not self._drained.wait(_DRAIN_SECONDS):
            with self._lock:
                late = list(self._connections)
            for sock in late:
                shut(sock)  # cut off: its answer, when ready, fails to send

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
