"""Loopback targets for the tests of ``fakeauth verify`` against a wrong or hostile target: small
threaded servers on 127.0.0.1, each answering every connection one way; and the rows of a table
report."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DRIP_INTERVAL = 0.05  # far below the tests' --timeout: a bound on each read alone never cuts it
ENDLESS_CHUNK = b"a" * 65536

Handler = Callable[[socket.socket, threading.Event], None]


def rows(table: str) -> dict[str, list[str]]:
    """The report's table rows by check id: [fakeauth, target, result, declared or why]."""
    found = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] != "check":
            found[cells[0]] = cells[1:]
    return found


def read_request(conn: socket.socket) -> None:
    """Read one request (headers, then a Content-Length body), whatever it asks."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


def answering(status: str, body: bytes, *extra: str) -> Handler:
    """A target that gives every request the same answer."""

    def handle(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *extra, "", ""]
        conn.sendall("\r\n".join(head).encode() + body)

    return handle


def garbage(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(b"\x16\x03\x01\x00 this is not HTTP at all\r\n\r\n")


def closes(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)  # then the connection closes, without a word


def silence(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    stop.wait()  # never answers, until the test ends


def drip(conn: socket.socket, stop: threading.Event) -> None:
    """A byte every DRIP_INTERVAL seconds, a header that never ends."""
    read_request(conn)
    stream = iter(b"HTTP/1.1 200 OK\r\nX-Drip: ")
    while not stop.wait(DRIP_INTERVAL):
        conn.sendall(bytes([next(stream, ord("a"))]))


def endless(conn: socket.socket, stop: threading.Event) -> None:
    """A 200 whose body never ends (no Content-Length: it would end when the connection does)."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
    while not stop.is_set():
        conn.sendall(ENDLESS_CHUNK)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # server_close() waits for every handler: none outlives its test
    block_on_close = True

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        super().__init__(("127.0.0.1", 0), _Handle)

    def handle_error(self, request: object, client_address: object) -> None:
        raise AssertionError("unreachable: _Handle catches everything")  # pragma: no cover


class _Handle(socketserver.BaseRequestHandler):
    server: _Server
    request: socket.socket

    def handle(self) -> None:
        try:
            self.server.handler(self.request, self.server.stop)
        except OSError:  # the client gave up and closed: what these targets are for
            pass
        except BaseException as exc:  # pragma: no cover - shown by the test that ran it
            self.server.errors.append(exc)


@contextmanager
def loopback(handler: Handler) -> Iterator[str]:
    """A target answering every connection with ``handler``; yields its root URL."""
    server = _Server(handler)
    thread = threading.Thread(target=server.serve_forever, name="loopback-target")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stop.set()
        server.shutdown()
        thread.join()
        server.server_close()
    assert server.errors == []
