"""One client connection of the live server: read, parse (httptools), answer, in turn.

A connection is *idle* between requests, when no byte of a next request has arrived: it then
blocks in ``recv`` with no timeout, so a frozen or travelling test clock can never drop it. Once
a request has begun and until it is complete, the socket carries a timeout of
``request_timeout`` seconds, measured by the kernel (``poll``), which neither freezegun nor
time-machine moves: a client that stalls inside a head or a body gets ``408`` and is closed.
A request that arrives whole in one ``recv`` (nearly all of them) never touches the timeout.

A body larger than the app's own limit (``app.body_limit(method, path, host)``, when the app
has one) is refused as soon as its declared or received length passes it: the app gets what has
arrived (at most ``limit + 1`` bytes) and the declared ``CONTENT_LENGTH`` (``limit + 1`` for a
chunked body), and answers its own ``413``; the rest is never buffered, the connection closes.
Every such early answer (``413``, ``408``, ``431``, ``400``) sets ``answered_early``: the server
then closes with a lingering close (:mod:`fakeauth.transports.linger`), so that a client still
sending reads the answer rather than a reset.

A body over ``SMALL_BODY`` is read only once the server's :class:`~fakeauth.transports.budget.
BodyBudget` has room for it, and holds that room until its answer is sent: a few large bodies
(state documents to import) are read, parsed and loaded at once, the others wait unread.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httptools

from fakeauth.faults import InjectedConnectionError
from fakeauth.transports.budget import BodyBudget
from fakeauth.transports.http_message import (
    Message,
    declared_length,
    environ_base,
    error_response,
    http_date,
    wsgi_environ,
)

if TYPE_CHECKING:
    import threading

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import WSGIApplication

__all__ = ["BodyLimit", "Connection", "body_limit_of", "error_response", "shut"]

#: ``body_limit(method, path, host)``: the most bytes of body the app accepts (``None``: any).
BodyLimit = Callable[[str, str, str], "int | None"]

#: The most a request line and headers may take together (then 431 and the connection closes).
MAX_HEAD = 64 * 1024
#: The most of a body kept when the app states no limit; more is counted, not kept.
MAX_BODY = 64 * 1024 * 1024
#: Bodies up to this size are read whole without asking the app for its limit (it refuses them
#: itself if they are too large): the common small request pays no lookup.
SMALL_BODY = 64 * 1024
#: What one ``recv`` reads at most. Under 128 KiB: glibc serves a larger buffer with a fresh
#: ``mmap`` (and ``munmap``) per call, which cost about 20 us a request here (the bytes object
#: is allocated at this size, then shrunk to what arrived).
_RECV = 64 * 1024
#: Statuses that carry no body (and so no ``Content-Length`` is added to them).
_NO_BODY = frozenset({204, 304})


def shut(sock: socket.socket, how: int = socket.SHUT_RDWR) -> None:
    """Shut ``sock`` down; wakes a thread blocked reading it (recv returns b""), unlike close."""
    with contextlib.suppress(OSError):
        sock.shutdown(how)


def body_limit_of(app: WSGIApplication) -> BodyLimit | None:
    """The app's ``body_limit`` method, if it has one (a middleware may forward its app's)."""
    limit = getattr(app, "body_limit", None)
    return limit if callable(limit) else None


class Connection:
    """One client connection: parse what arrives, answer each complete request in order.

    The parser calls the ``on_*`` methods; a request is answered from ``on_message_complete``
    itself, so pipelined requests are answered in order, and a ``100 Continue`` is never sent
    before the answer of an earlier request. ``idle_since`` is a ticket from ``tickets`` taken
    when the connection last became idle, which is just before a kept-alive answer is sent
    (``None``: a request is under way): the smallest is the longest idle, with no clock read.
    """

    def __init__(
        self,
        app: WSGIApplication,
        sock: socket.socket,
        client: Any,
        host: str,
        port: int,
        *,
        request_timeout: float,
        tickets: Iterator[int],
        body_budget: BodyBudget | None = None,
    ) -> None:
        self.app = app
        self.sock = sock
        self.client = client
        self.host = host
        self.port = port
        self.request_timeout = request_timeout
        self.tickets = tickets
        self.body_budget = body_budget or BodyBudget()
        self.body_limit = body_limit_of(app)
        self.parser = httptools.HttpRequestParser(self)
        self.message = Message()
        self.closing = False
        #: Set by an answer sent before the request was read whole (413, 408, 431, 400, 500):
        #: the server then closes with a lingering close (:mod:`fakeauth.transports.linger`).
        self.answered_early = False
        self.in_message = False
        self.idle_since: int | None = None
        self.thread: threading.Thread | None = None
        #: What each request's environ starts from (copied, never handed out itself).
        self.environ_base = environ_base(host, port, client)
        self.environ_keys: dict[bytes, str | None] = {}

    def run(self) -> None:
        """Serve requests until the client closes, a request says close, or the server stops."""
        try:
            self._serve()
        finally:  # a body cut off by the client or a timeout gives its room back too
            self.body_budget.give(self.message.reserved)
            self.message.reserved = 0

    def _serve(self) -> None:
        sock, parser, tickets = self.sock, self.parser, self.tickets
        timed = False
        while not self.closing:
            if not self.in_message:
                if self.idle_since is None:  # else idle since its last answer was sent
                    self.idle_since = next(tickets)
                if timed:
                    sock.settimeout(None)
                    timed = False
            elif not timed:
                sock.settimeout(self.request_timeout)
                timed = True
            try:
                data = sock.recv(_RECV)
            except TimeoutError:
                self._send_error(
                    408,
                    "Request Timeout",
                    f"the request was not complete after {self.request_timeout:g} s",
                )
                return
            except OSError:
                return
            self.idle_since = None
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
        self.message = Message()
        self.in_message = True
        self.idle_since = None  # a pipelined request after an answer: busy again

    def on_url(self, url: bytes) -> None:
        message = self.message
        message.url += url
        message.head_size += len(url)
        if message.head_size > MAX_HEAD:
            self._refuse_head()

    def on_header(self, name: bytes, value: bytes) -> None:
        message = self.message
        message.headers.append((name, value))
        message.head_size += len(name) + len(value) + 4
        if message.head_size > MAX_HEAD:
            self._refuse_head()

    def on_headers_complete(self) -> None:
        if self.closing:
            return
        message, parser = self.message, self.parser
        message.method = parser.get_method().decode("latin-1")
        message.version = parser.get_http_version()
        message.upgrade = parser.should_upgrade()
        if message.version == "0.9":
            # llhttp reads a request line with no version as HTTP/0.9, which has no headers
            self._send_error(
                400, "Bad Request", "malformed HTTP request: the request line has no HTTP/1.x"
            )
            return
        expects_continue = False
        for name, value in message.headers:
            size = len(name)  # most names are neither: compared by length before lowercased
            if size == 14 and name.lower() == b"content-length":
                message.content_length = value
            elif size == 6 and name.lower() == b"expect":
                expects_continue = value.strip().lower() == b"100-continue"
        declared = declared_length(message.content_length)
        if declared > SMALL_BODY and declared > self._limit(message):
            # Refused from the declared length alone, at once, rather than after the client has
            # sent it all: the body is never buffered (the lingering close discards it).
            self._refuse_body(message)
            return
        if declared > SMALL_BODY and not self._reserve(message, declared):
            return
        if expects_continue and message.version == "1.1":
            self._send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        message = self.message
        if self.closing:
            return
        size = message.body_size + len(body)
        if (  # a chunked body, grown large
            size > SMALL_BODY
            and not message.reserved
            and not self._reserve(message, self._limit(message))
        ):
            return
        message.body.append(body)
        message.body_size = size
        if size > SMALL_BODY and size > self._limit(message):
            self._refuse_body(message)

    def on_message_complete(self) -> None:
        self.in_message = False
        if self.closing:
            return
        message = self.message
        message.keep_alive = self.parser.should_keep_alive() and not message.upgrade
        self._answer(message)

    # -- limits ---------------------------------------------------------------------------------

    def _limit(self, message: Message) -> int:
        """The most bytes of body this request may carry (looked up once, when first needed)."""
        if message.limit < 0:
            limit = None
            if self.body_limit is not None:
                limit = self.body_limit(message.method, message.path(), message.host())
            message.stated = limit is not None
            message.limit = MAX_BODY if limit is None else max(0, limit)
        return message.limit

    def _reserve(self, message: Message, size: int) -> bool:
        """Wait for room for a body of ``size`` bytes in the server's budget; ``False`` (and a
        ``503``, the connection closed) when the server stopped first."""
        message.reserved = self.body_budget.take(size)
        if message.reserved:
            return True
        self._send_error(503, "Service Unavailable", "the server is stopping")
        return False

    def _refuse_body(self, message: Message) -> None:
        """Answer from what has arrived (at most ``limit + 1`` bytes), then close without parsing
        on (the server lingers, reading and discarding what the client still sends).

        The app is told the declared ``Content-Length`` (an app that stated its limit and gets a
        chunked body: ``limit + 1``), never handed bytes that did not arrive, so that it refuses
        the body itself, in its own shape, from its length.
        """
        keep = message.limit + 1
        message.body = [b"".join(message.body)[:keep]]
        message.truncated = message.stated
        message.keep_alive = False
        self._answer(message)
        self.closing = self.answered_early = True

    # -- answering ------------------------------------------------------------------------------

    def _answer(self, message: Message) -> None:
        try:
            self._call_app(message)
        except Exception:  # the app's answer could not be written (a header that is not latin-1)
            traceback.print_exc(file=sys.stderr)
            self._send_error(
                500, "Internal Server Error", "the answer could not be sent; see stderr"
            )
        finally:  # answered: the body's room in the budget goes to the next large body
            self.body_budget.give(message.reserved)
            message.reserved = 0

    def _call_app(self, message: Message) -> None:
        environ = wsgi_environ(message, self.environ_base, self.environ_keys)
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
            shut(self.sock)
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

    def _send_response(
        self, message: Message, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        keep_alive = message.keep_alive
        head = f"HTTP/1.1 {status}\r\n"
        length = date = server = connection = False
        for name, value in headers:  # one pass: the head, and the names the server adds unless set
            head += f"{name}: {value}\r\n"
            lowered = name.lower()
            if lowered == "content-length":
                length = True
            elif lowered == "date":
                date = True
            elif lowered == "server":
                server = True
            elif lowered == "connection":
                connection = True
                if "close" in value.lower():
                    keep_alive = False
        if not connection:  # the app's own Connection header stands alone
            if not keep_alive:
                head += "Connection: close\r\n"
            elif message.version == "1.0":
                head += "Connection: keep-alive\r\n"
        code = int(status[:3])
        if code in _NO_BODY or code < 200:
            body = b""
        elif not length:
            head += f"Content-Length: {len(body)}\r\n"
        if not date:
            head += f"Date: {http_date()}\r\n"
        if not server:
            head += "Server: fakeauth\r\n"
        if message.method == "HEAD":
            body = b""
        data = (head + "\r\n").encode("latin-1") + body
        if keep_alive:
            # Idle from before the answer leaves: a client that has read it and opens another
            # connection finds this one idle, and older than its new one, whatever the
            # scheduler does. Made room for meanwhile, only its reading side is shut (the server
            # evicts with SHUT_RD), so the answer still goes out whole.
            self.idle_since = next(self.tickets)
        self._send(data)
        if not keep_alive:
            self.closing = True

    def _send_error(self, code: int, reason: str, detail: str) -> None:
        self._send(error_response(code, reason, detail))
        self.closing = self.answered_early = True

    def _refuse_head(self) -> None:
        if not self.closing:
            self._send_error(431, "Request Header Fields Too Large", "request head over 64 KiB")

    def _send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError:
            self.closing = True
