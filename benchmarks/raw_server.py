"""The ``server`` group's ceilings: a socket that answers every request with fixed bytes.

It parses nothing but where a request ends (its head's blank line and its ``Content-Length``) and
writes bytes made once: what fakeauth's own server answered, at start, to one Ovok login (for a
``POST``) and one ``GET /auth/me`` (for anything else). No HTTP server can answer faster on the
same machine, so its rows show how much of a client's call is the client's own work.

The second ceiling (``with_app``) also runs the fake's application once per request, on an environ
made once at start (the same request each time), before it writes the same fixed bytes: what a
server that spends nothing of its own would cost while serving this fake. Against it, the ratio to
werkzeug's or waitress's calls per second is the most any server could reach with this fake
behind it, through that client. Both are reported, never judged.

It runs in a child process of its own, as each server of the group does (``live_rows.py
--child raw``): a thread per connection, blocking sockets, stopped when its standard input closes.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import socket
import threading
from collections.abc import Callable
from typing import Any

from contenders import LOGIN, LOGIN_PATH

ME_PATH = "/auth/me"
#: The most bytes one receive asks for (a login's request is about 400).
_RECV = 65536


def _replies(app: Any) -> tuple[bytes, bytes]:
    """The exact bytes fakeauth's server answers to a login and to ``/auth/me`` (a fresh token)."""
    from fakeauth.transports.server import LiveServer

    server = LiveServer(app).start()
    try:
        body = json.dumps(LOGIN).encode()
        login = _raw_exchange(server.port, b"POST", LOGIN_PATH, body, b"")
        token = json.loads(login.partition(b"\r\n\r\n")[2])["accessToken"]
        me = _raw_exchange(server.port, b"GET", ME_PATH, b"", f"Bearer {token}".encode())
    finally:
        server.stop()
    return login, me


def _raw_exchange(port: int, method: bytes, path: str, body: bytes, bearer: bytes) -> bytes:
    """One request on a new connection; the response's bytes exactly as they came."""
    head = [method + b" " + path.encode() + b" HTTP/1.1", b"Host: 127.0.0.1"]
    if body:
        head += [b"Content-Type: application/json", b"Content-Length: %d" % len(body)]
    if bearer:
        head.append(b"Authorization: " + bearer)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        reader = http.client.HTTPResponse(sock)
        reader.begin()  # to know where the answer ends; the bytes are rebuilt below
        answer = reader.read()
        if reader.status != 200:
            raise RuntimeError(
                f"benchmark: the ceiling's {method.decode()} answered {reader.status}"
            )
        lines = [f"HTTP/1.1 {reader.status} {reader.reason}".encode()]
        lines += [f"{name}: {value}".encode() for name, value in reader.getheaders()]
        return b"\r\n".join(lines) + b"\r\n\r\n" + answer


def _app_runs(app: Any, login_reply: bytes) -> tuple[Callable[[], None], Callable[[], None]]:
    """The application's login and ``/auth/me``, each on a copy of an environ made once."""
    token = json.loads(login_reply.partition(b"\r\n\r\n")[2])["accessToken"]
    body = json.dumps(LOGIN).encode()
    common = {
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    login = {
        **common,
        "REQUEST_METHOD": "POST",
        "PATH_INFO": LOGIN_PATH,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
    }
    me = {**common, "REQUEST_METHOD": "GET", "PATH_INFO": ME_PATH}
    me["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def run(environ: dict[str, Any], payload: bytes) -> Callable[[], None]:
        def call() -> None:
            statuses: list[str] = []
            answer = app(
                {**environ, "wsgi.input": io.BytesIO(payload)},
                lambda status, headers, exc_info=None: statuses.append(status),
            )
            for _ in answer:
                pass
            if not statuses[0].startswith("200"):
                raise RuntimeError(f"benchmark: the ceiling's application answered {statuses[0]}")

        return call

    return run(login, body), run(me, b"")


def start_raw(app: Any, *, with_app: bool = False) -> tuple[int, Callable[[], None]]:
    """Serve the fixed replies on a free loopback port (running ``app`` per request first, with
    ``with_app``); returns the port and a stop function."""
    login, me = _replies(app)
    run_login, run_me = _app_runs(app, login) if with_app else (_nothing, _nothing)
    listener = socket.create_server(("127.0.0.1", 0))
    connections: list[socket.socket] = []

    def serve(connection: socket.socket) -> None:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b""
        with connection:
            while True:
                end = pending.find(b"\r\n\r\n")
                if end >= 0:
                    length = _content_length(pending[:end])
                    if len(pending) >= end + 4 + length:
                        is_login = pending.startswith(b"POST")
                        (run_login if is_login else run_me)()
                        reply = login if is_login else me
                        pending = pending[end + 4 + length :]
                        connection.sendall(reply)
                        continue
                try:
                    data = connection.recv(_RECV)
                except OSError:
                    return
                if not data:
                    return
                pending += data

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # the listener closed: stop
                return
            connections.append(connection)
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()

    def stop() -> None:
        listener.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    return listener.getsockname()[1], stop


def _nothing() -> None:
    return None


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0
