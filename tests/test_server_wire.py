"""The live server's fast paths put on the wire the very bytes the plain paths put there.

``tests/data/server_wire.json`` holds what the server sent for each case below, recorded from the
code before the fast paths (commit ``25b88f9``: an environ built key by key for every request, a
header's environ key derived anew each time, the answer's head built from a set of its names).
Each case is a connection's bytes, in the chunks the client sent, answered by an app that echoes
its environ (every key, in order) and answers what the request asks for; only the ``Date`` header
is masked. To record anew (only when the wire is meant to change), run this file as a script.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from fakeauth.transports.connection import Connection
from fakeauth.transports.http_message import ENVIRON_KEYS, environ_key

GOLDEN = Path(__file__).resolve().parent / "data" / "server_wire.json"
CLIENT = ("127.0.0.1", 50123)
HOST, PORT = "127.0.0.1", 8123
LOGIN = b'{"email": "max@example.test", "password": "secret-1"}'


def _request(
    first: str, headers: Iterable[str] = (), body: bytes = b"", *, length: bool = True
) -> bytes:
    lines = [first, *headers]
    if body and length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _answer(headers: list[list[str]], status: str = "200 OK") -> str:
    return "X-Answer: " + json.dumps({"status": status, "headers": headers})


JSON_HEADERS = ["Host: 127.0.0.1:8123", "Content-Type: application/json"]
LOGIN_REQUEST = _request("POST /auth/b2b/login HTTP/1.1", JSON_HEADERS, LOGIN)
SPLIT = LOGIN_REQUEST.index(b"\r\n\r\n") + 4

#: name: the chunks one connection receives, in order (then the client closes).
CASES: dict[str, list[bytes]] = {
    "get with a query": [_request("GET /auth/me?x=1&y=%20 HTTP/1.1", ["Host: a.test"])],
    "a login, head and body apart": [LOGIN_REQUEST[:SPLIT], LOGIN_REQUEST[SPLIT:]],
    "a login, byte by byte": [LOGIN_REQUEST[i : i + 1] for i in range(len(LOGIN_REQUEST))],
    "requests' headers and a bearer": [
        _request(
            "GET /auth/me HTTP/1.1",
            [
                "Host: 127.0.0.1:8123",
                "User-Agent: python-requests/2.32.3",
                "Accept-Encoding: gzip, deflate",
                "Accept: */*",
                "Connection: keep-alive",
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
            ],
        )
    ],
    "underscores, duplicates, case": [
        _request(
            "GET / HTTP/1.1",
            [
                "Host: a.test",
                "X_Spoof: 1",
                "x-dup: one",
                "X-Dup: two",
                "Content-Type: text/plain",
                "content-type: application/json",
                "ACCEPT: a",
                "Accept: b",
                "X-Empty: ",
                "X-Latin: caf\xe9",
                "Host: second.test",
            ],
        )
    ],
    "percent-encoded path": [_request("GET /a%20b/%C3%A9/%2F?q=%C3%A9 HTTP/1.1", ["Host: a"])],
    "absolute form": [_request("GET http://example.test:81/p/a?b=c HTTP/1.1", ["Host: x"])],
    "options star": [_request("OPTIONS * HTTP/1.1", ["Host: a"])],
    "a target that is no url": [_request("GET http:// HTTP/1.1", ["Host: a"])],
    "http/1.0": [_request("GET /ten HTTP/1.0")],
    "http/1.0 kept alive, twice": [_request("GET /one HTTP/1.0", ["Connection: keep-alive"]) * 2],
    "connection close": [_request("GET /c HTTP/1.1", ["Host: a", "Connection: close"])],
    "head": [_request("HEAD /h HTTP/1.1", ["Host: a"])],
    "pipelined": [
        _request("GET /1 HTTP/1.1", ["Host: a"])
        + LOGIN_REQUEST
        + _request("DELETE /3?z HTTP/1.1", ["Host: a"])
    ],
    "expect 100-continue": [
        _request("POST /e HTTP/1.1", ["Host: a", "Expect: 100-continue"], LOGIN)[: -len(LOGIN)],
        LOGIN,
    ],
    "chunked body": [
        _request("POST /k HTTP/1.1", ["Host: a", "Transfer-Encoding: chunked"])
        + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    ],
    "app headers: its own length, date, server": [
        _request(
            "GET /own HTTP/1.1",
            [
                "Host: a",
                _answer(
                    [
                        ["Content-Length", "7"],
                        ["date", "Thu, 01 Jan 1970 00:00:00 GMT"],
                        ["SERVER", "mine"],
                    ]
                ),
            ],
        )
    ],
    "app says connection close": [
        _request("GET /x HTTP/1.1", ["Host: a", _answer([["Connection", "Close"]])])
        + _request("GET /never HTTP/1.1", ["Host: a"])
    ],
    "app says connection keep-alive to 1.0": [
        _request("GET /x HTTP/1.0", [_answer([["Connection", "keep-alive"]])])
    ],
    "204 and 304 and 101 drop the body": [
        _request("GET /a HTTP/1.1", ["Host: a", _answer([["X-A", "1"]], "204 No Content")])
        + _request("GET /b HTTP/1.1", ["Host: a", _answer([], "304 Not Modified")])
        + _request("GET /c HTTP/1.1", ["Host: a", _answer([], "101 Switching")])
    ],
    "many app headers": [
        _request(
            "GET /m HTTP/1.1",
            ["Host: a", _answer([[f"X-H{i}", f"v{i}"] for i in range(12)], "418 I'm a teapot")],
        )
    ],
    "malformed": [b"GET / HTTP/1.1\r\nHost a\r\n\r\n"],
    "no version": [b"GET /\r\n\r\n"],
    "upgrade": [_request("GET /u HTTP/1.1", ["Host: a", "Connection: Upgrade", "Upgrade: h2c"])],
}


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Answers what ``X-Answer`` asks (status and headers), with its environ as the body."""
    asked = json.loads(environ.get("HTTP_X_ANSWER", "{}"))
    shown = []
    for key, value in environ.items():
        if key == "wsgi.input":
            value = "<input> " + value.read().decode("latin-1")
        elif key == "wsgi.errors":
            value = f"<errors> {value is sys.stderr}"
        shown.append([key, value])
    body = json.dumps(shown).encode()
    headers = [tuple(pair) for pair in asked.get("headers", [])]
    if not headers:
        headers = [("Content-Type", "application/json")]
    start_response(asked.get("status", "200 OK"), headers)
    return [body]


class _Socket:
    """What a connection reads (the chunks, then the end) and what it sends."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)
        self.sent: list[bytes] = []

    def recv(self, _size: int) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    def sendall(self, data: bytes) -> None:
        self.sent.append(data)

    def settimeout(self, _timeout: float | None) -> None:
        return None

    def shutdown(self, _how: int) -> None:
        return None


def _connection(chunks: list[bytes]) -> tuple[Connection, _Socket]:
    sock = _Socket(chunks)
    connection = Connection(
        echo_app,
        sock,  # type: ignore[arg-type]
        CLIENT,
        HOST,
        PORT,
        request_timeout=5.0,
        tickets=itertools.count(),
    )
    return connection, sock


def wire(chunks: list[bytes]) -> str:
    """Every byte the server sent on one connection (``Date`` masked), as latin-1 text."""
    connection, sock = _connection(chunks)
    connection.run()
    sent = b"".join(sock.sent)
    return re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: <masked>", sent).decode("latin-1")


def plain_environ_key(name: bytes) -> str | None:
    """How the environ's key of a header was derived before it was memoised (commit 25b88f9)."""
    text = name.decode("latin-1")
    if "_" in text:
        return None
    key = text.upper().replace("-", "_")
    if key == "CONTENT_TYPE":
        return key
    if key != "CONTENT_LENGTH":
        return "HTTP_" + key
    return None


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_server_sends_the_bytes_the_plain_paths_sent(name: str) -> None:
    expected = json.loads(GOLDEN.read_text())[name]

    sent = wire(CASES[name])

    assert sent == expected


def test_every_case_has_a_recording_and_the_recordings_show_a_date() -> None:
    recorded = json.loads(GOLDEN.read_text())

    assert set(recorded) == set(CASES)
    assert "Date: <masked>" in recorded["a login, head and body apart"]


NAMES = [b"Host", b"content-type", b"Content-Length", b"CONTENT-LENGTH", b"X_Spoof", b"x-a-b",
         b"caf\xe9", b"Content-Type_", b"", b"-", b"Accept"]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_a_headers_environ_key_is_the_plain_derivation(name: bytes) -> None:
    assert environ_key(name) == plain_environ_key(name)


def test_a_connection_remembers_a_bounded_number_of_header_names_and_reads_the_rest_anew() -> None:
    extra = ENVIRON_KEYS + 20
    requests = b"".join(
        _request("GET /n HTTP/1.1", ["Host: a", f"X-Name-{i}: v{i}"]) for i in range(extra)
    )
    connection, sock = _connection([requests])

    connection.run()

    assert len(connection.environ_keys) == ENVIRON_KEYS
    answers = b"".join(sock.sent).split(b"HTTP/1.1 200 OK")[1:]
    assert len(answers) == extra
    for i, answer in enumerate(answers):
        assert f'["HTTP_X_NAME_{i}", "v{i}"]'.encode() in answer


if __name__ == "__main__":
    import fakeauth

    GOLDEN.write_text(json.dumps({name: wire(c) for name, c in CASES.items()}, indent=1) + "\n")
    print(f"wrote {GOLDEN} from {fakeauth.__file__}")
