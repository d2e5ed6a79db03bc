"""The live server at the HTTP level: keep-alive, HTTP/1.0, pipelining, 100-continue, chunked
bodies, limits and malformed input, spoken over raw sockets so nothing hides what goes over the
wire; and the clients users run (requests, httpx, curl, Node's fetch)."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import requests
from hardening import EMAIL, PASSWORD

from fakeauth import FakeAuth
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.transports import connection as connection_module
from fakeauth.transports import server as server_module
from fakeauth.transports.server import LiveServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")
WAIT = 10.0  # the most any read or join here waits: a bound, never reached when a test passes
_LOGIN = {
    "email": EMAIL,
    "password": PASSWORD,
    "tenantId": DEFAULT_TENANT_ID,
    "clientId": DEFAULT_CLIENT_ID,
}


def _fake_with_account() -> FakeAuth:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    return fake


def _echo(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Answers what it saw: method, path, query, body and the HTTP_* headers."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "protocol": environ["SERVER_PROTOCOL"],
        "client_port": environ["REMOTE_PORT"],
        "body": body.decode("latin-1"),
        "content_length": environ.get("CONTENT_LENGTH"),
        "headers": {k: v for k, v in environ.items() if k.startswith("HTTP_")},
    }
    reply = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [reply]


@pytest.fixture
def echo() -> Iterator[LiveServer]:
    with LiveServer(_echo) as server:
        yield server


def _exchange(server: LiveServer, data: bytes, *, answers: int | None = None) -> tuple[bytes, bool]:
    """Send raw bytes; everything read until the server closes (``True``), or, when
    ``answers`` is given, until that many whole answers have arrived (``False``: still open).

    It waits for the bytes themselves, never for a quiet spell, so a slow machine cannot cut
    an answer short; WAIT bounds a server that neither answers nor closes (then ``False``).
    """
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
        sock.sendall(data)
        received = b""
        while answers is None or _whole_answers(received) < answers:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                return received, False
            if not chunk:
                return received, True
            received += chunk
        return received, False


def _whole_answers(raw: bytes) -> int:
    """How many whole answers (head and ``Content-Length`` body) ``raw`` holds."""
    count = 0
    while (end := raw.find(b"\r\n\r\n")) >= 0:
        head = raw[:end].lower()
        length = 0
        if b"\r\ncontent-length: " in head:
            length = int(head.split(b"\r\ncontent-length: ", 1)[1].split(b"\r\n", 1)[0])
        if len(raw) < end + 4 + length:
            break
        raw = raw[end + 4 + length :]
        count += 1
    return count


def _answer(raw: bytes) -> Any:
    """The JSON body of the first answer in ``raw``."""
    return json.loads(raw.split(b"\r\n\r\n", 1)[1])


def _statuses(raw: bytes) -> list[int]:
    return [int(code) for code in _STATUS.findall(raw)]


def test_one_connection_serves_many_requests(echo: LiveServer) -> None:
    with requests.Session() as session:
        seen = [session.get(f"{echo.url}/ping").json() for _ in range(5)]
    assert {answer["path"] for answer in seen} == {"/ping"}
    assert len({answer["client_port"] for answer in seen}) == 1


def test_pipelined_requests_are_answered_in_order_and_close_is_honoured(
    echo: LiveServer,
) -> None:
    raw, closed = _exchange(
        echo,
        b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        b"GET /three HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    assert _statuses(raw) == [200, 200]
    assert raw.index(b'"/one"') < raw.index(b'"/two"')
    assert b"/three" not in raw
    assert b"Connection: close" in raw
    assert closed


@pytest.mark.parametrize(
    ("connection", "kept"), [(b"", False), (b"Connection: keep-alive\r\n", True)]
)
def test_http_1_0_closes_unless_asked_to_keep_alive(
    echo: LiveServer, connection: bytes, kept: bool
) -> None:
    raw, closed = _exchange(
        echo, b"GET /old HTTP/1.0\r\n" + connection + b"\r\n", answers=1 if kept else None
    )
    assert _statuses(raw) == [200]
    assert _answer(raw)["protocol"] == "HTTP/1.0"
    assert closed is not kept
    assert (b"Connection: keep-alive" in raw) is kept


def test_expect_100_continue_gets_a_continue_before_the_answer(echo: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", echo.port)) as sock:
        sock.sendall(
            b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        sock.settimeout(WAIT)
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        raw = sock.recv(65536)
    assert _statuses(raw) == [200]
    assert _answer(raw)["body"] == "hello"


def test_a_chunked_body_reaches_the_app_whole(echo: LiveServer) -> None:
    raw, _ = _exchange(
        echo,
        b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        answers=1,
    )
    seen = _answer(raw)
    assert seen["body"] == "hello world"
    assert seen["content_length"] is None


def test_head_answers_headers_only(echo: LiveServer) -> None:
    raw, _ = _exchange(echo, b"HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert _statuses(head) == [200]
    assert b"Content-Length: " in head
    assert body == b""


def test_query_percent_encoding_and_repeated_headers(echo: LiveServer) -> None:
    raw, _ = _exchange(
        echo,
        b"GET /a%20b/%C3%A9?x=1&y=%20 HTTP/1.1\r\nHost: x\r\nX-Tag: one\r\nX-Tag: two\r\n"
        b"Connection: close\r\n\r\n",
    )
    seen = _answer(raw)
    # PEP 3333: PATH_INFO is the decoded path, bytes carried as latin-1
    assert seen["path"].encode("latin-1").decode() == "/a b/é"
    assert seen["query"] == "x=1&y=%20"
    assert seen["headers"]["HTTP_X_TAG"] == "one,two"


def test_a_header_name_with_an_underscore_cannot_pass_for_a_dashed_one(echo: LiveServer) -> None:
    raw, _ = _exchange(
        echo,
        b"GET / HTTP/1.1\r\nHost: x\r\nAuthori_zation: Bearer forged\r\nX_Forwarded_For: 1\r\n"
        b"Connection: close\r\n\r\n",
    )
    headers = _answer(raw)["headers"]
    assert set(headers) == {"HTTP_HOST", "HTTP_CONNECTION"}


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["no method", "two lengths", "bad version", "bad target", "bad chunk"],
)
@pytest.mark.fidelity("all.malformed-http")
def test_malformed_requests_get_400_and_the_connection_closes(
    echo: LiveServer, request_bytes: bytes
) -> None:
    raw, closed = _exchange(echo, request_bytes)
    assert _statuses(raw) == [400]
    assert b"Connection: close" in raw
    assert b"fakeauth: malformed" in raw
    assert closed


def test_an_oversized_head_gets_431(echo: LiveServer) -> None:
    raw, closed = _exchange(
        echo, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    )
    assert _statuses(raw) == [431]
    assert closed


def test_a_body_declared_too_large_is_refused_at_once_in_the_vendors_shape() -> None:
    fake = FakeAuth()
    with fake.serve() as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        # Only the head is sent: the answer must not wait for 100 MB that never come.
        sock.sendall(
            b"POST /auth/b2b/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000000\r\nExpect: 100-continue\r\n\r\n"
        )
        sock.settimeout(WAIT)
        raw = sock.recv(65536)
    assert _statuses(raw) == [413]
    assert _answer(raw)["statusCode"] == 413


def test_a_chunked_body_over_the_hard_limit_is_cut_there(monkeypatch: pytest.MonkeyPatch) -> None:
    # An app with no body_limit of its own gets at most the server's hard limit, plus one byte.
    monkeypatch.setattr(connection_module, "MAX_BODY", 10)
    monkeypatch.setattr(connection_module, "SMALL_BODY", 0)
    seen: list[bytes] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        seen.append(environ["wsgi.input"].read())
        start_response("413 Payload Too Large", [])
        return []

    with LiveServer(app) as server:
        raw, closed = _exchange(
            server,
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
        )
    assert _statuses(raw) == [413]
    assert closed
    assert seen == [b"12345678123"]


@pytest.mark.parametrize("expect", [b"", b"Expect: 100-continue\r\n"], ids=["sent", "expected"])
def test_a_body_over_ovoks_100_kib_is_refused_in_its_shape_without_being_read(
    expect: bytes,
) -> None:
    fake = FakeAuth()
    declared = 60 * 1024 * 1024
    with fake.serve() as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(WAIT)
        sock.sendall(
            b"POST /auth/b2b/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n%s\r\n" % (declared, expect)
        )
        if not expect:
            sock.sendall(b"{" + b" " * 200_000)  # past the limit, and far short of the 60 MiB
        raw = sock.recv(65536)
        after = requests.get(f"{server.url}/auth/me", timeout=WAIT).status_code

    assert _statuses(raw) == [413]
    assert _answer(raw)["statusCode"] == 413
    assert b"Connection: close" in raw
    assert fake.calls("ovok.b2b_login").last.status == 413
    assert after == 401


def test_requests_posting_60_mib_to_ovok_sees_the_413() -> None:
    fake = FakeAuth()
    with fake.serve() as server:
        response = requests.post(
            f"{server.url}/auth/b2b/login",
            data=b"{" + b" " * (60 * 1024 * 1024),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )

    assert response.status_code == 413
    assert response.json()["statusCode"] == 413


def test_an_upgrade_request_is_answered_over_http_1_1_then_closed(echo: LiveServer) -> None:
    raw, closed = _exchange(
        echo,
        b"GET /u HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
    )
    assert _statuses(raw) == [200]
    assert b"Connection: close" in raw
    assert closed


def _app_raising(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    raise ValueError("boom")


def _app_silent(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return [b"no status"]


def _app_writing(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    write = start_response("201 Created", [("Content-Type", "text/plain")])
    write(b"written, ")
    return [b"returned"]


def _app_bad_header(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("X-Currency", "\u20ac")])  # not latin-1: cannot go on the wire
    return [b"never sent"]


@pytest.mark.parametrize(
    ("app", "status", "body"),
    [
        (_app_bad_header, 500, b"fakeauth: the answer could not be sent; see stderr\n"),
        (_app_raising, 500, b"fakeauth: the application raised; see stderr\n"),
        (_app_silent, 500, b"fakeauth: the application gave no status\n"),
        (_app_writing, 201, b"written, returned"),
    ],
    ids=["header not latin-1", "raises", "no start_response", "write callable"],
)
def test_what_a_wsgi_app_does_wrong_or_old_style(
    app: Callable[..., Iterable[bytes]],
    status: int,
    body: bytes,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with LiveServer(app) as server:
        raw, _ = _exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _statuses(raw) == [status]
    assert raw.split(b"\r\n\r\n", 1)[1] == body
    if app is _app_raising:
        assert "ValueError: boom" in capsys.readouterr().err


def test_every_answer_has_date_server_and_a_length(echo: LiveServer) -> None:
    response = requests.get(f"{echo.url}/d", timeout=5)
    assert response.headers["Server"] == "fakeauth"
    assert response.headers["Date"].endswith(" GMT")
    assert int(response.headers["Content-Length"]) == len(response.content)


def test_stop_closes_idle_kept_alive_connections_promptly(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stop that waited for the idle connection to drain would take an hour: one that closes
    # it at once ends well within the join's bound, however busy the machine.
    monkeypatch.setattr(server_module, "_DRAIN_SECONDS", 3600.0)
    server = LiveServer(_echo).start()
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        status = _statuses(sock.recv(65536))
        stopping = threading.Thread(target=server.stop, daemon=True)
        stopping.start()
        stopping.join(WAIT)
        end = sock.recv(100)  # the server closed its end

    assert status == [200]
    assert not stopping.is_alive()
    assert end == b""
    assert not server.running
    server.stop()  # twice is fine


def test_stop_lets_a_request_in_flight_finish() -> None:
    fake = _fake_with_account()
    fake.delay_next("ovok.b2b_login", 0.3)
    arrived = threading.Event()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        arrived.set()  # the delay follows, in this thread: the request is in flight
        return fake.wsgi_app(environ, start_response)

    server = LiveServer(app).start()
    answers: list[int] = []
    client = threading.Thread(
        target=lambda: answers.append(
            requests.post(f"{server.url}/auth/b2b/login", json=_LOGIN, timeout=WAIT).status_code
        )
    )
    client.start()
    in_flight = arrived.wait(WAIT)
    server.stop()
    client.join(WAIT)

    assert in_flight
    assert answers == [200]


def test_a_stopped_server_refuses_connections() -> None:
    server = LiveServer(_echo).start()
    port = server.port
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.port


def test_a_server_starts_once() -> None:
    with LiveServer(_echo) as server, pytest.raises(RuntimeError, match="already started"):
        server.start()


def test_a_busy_port_is_a_clean_oserror() -> None:
    with LiveServer(_echo) as first:
        second = LiveServer(_echo, port=first.port)
        with pytest.raises(OSError, match=r"(?i)address already in use"):
            second.start()
        assert not second.running


def test_serves_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server = LiveServer(_echo, host="::1").start()
    except OSError as exc:  # IPv6 compiled in but not configured
        pytest.skip(f"::1 cannot be bound here: {exc}")
    with server:
        assert server.url.startswith("http://[::1]:")
        assert requests.get(f"{server.url}/six", timeout=5).json()["path"] == "/six"


def test_httpx_keeps_its_connection_too() -> None:
    fake = _fake_with_account()
    with fake.serve() as server, httpx.Client(base_url=server.url) as client:
        statuses = [client.post("/auth/b2b/login", json=_LOGIN).status_code for _ in range(3)]
        me = client.get("/auth/me")
    assert statuses == [200, 200, 200]
    assert me.status_code == 401


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_with_its_defaults_http_1_0_and_expect() -> None:
    fake = _fake_with_account()
    body = json.dumps(_LOGIN)
    json_type = ["-H", "Content-Type: application/json"]
    with fake.serve() as server:
        url = f"{server.url}/auth/b2b/login"
        plain = _run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *json_type, "-d", body, url]
        )
        old = _run(
            [
                "curl",
                "-s",
                "-0",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                *json_type,
                "-d",
                body,
                url,
            ]
        )
        expect = _run(
            [
                "curl",
                "-s",
                "-v",  # its trace shows the 100 Continue it received, if it received one
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                *json_type,
                "-H",
                "Expect: 100-continue",
                "-d",
                body,
                url,
            ]
        )
    assert plain.stdout == "200"
    assert old.stdout == "200"
    assert expect.stdout == "200"
    assert "< HTTP/1.1 100 Continue" in expect.stderr  # not sent on after a second without it


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_nodes_fetch_registers_logs_in_and_reuses_its_connection() -> None:
    fake = FakeAuth()
    script = """
const [base, body] = process.argv.slice(1);
const post = (path, data) => fetch(base + path, {method: "POST",
  headers: {"content-type": "application/json"}, body: JSON.stringify(data)});
(async () => {
  const login = JSON.parse(body);
  const reg = await post("/auth/b2b/register",
    {...login, name: "Max", surname: "Mustermann"});
  await reg.arrayBuffer();
  const res = await post("/auth/b2b/login", login);
  const token = (await res.json()).accessToken;
  const me = await fetch(base + "/auth/me", {headers: {authorization: "Bearer " + token}});
  const who = (await me.json()).membership.user.display;
  console.log(JSON.stringify([reg.status, res.status, me.status, who]));
})();
"""
    with fake.serve() as server:
        result = _run(["node", "-e", script, server.url, json.dumps(_LOGIN)])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [200, 200, 200, EMAIL]
    assert len(fake.calls("ovok.b2b_login")) == 1


def test_hundreds_of_sequential_connections_leave_no_thread_behind() -> None:
    with LiveServer(_echo) as server:
        before = set(threading.enumerate())
        for _ in range(200):
            with requests.Session() as session:
                assert session.get(f"{server.url}/n", timeout=WAIT).status_code == 200
        for thread in set(threading.enumerate()) - before:
            thread.join(WAIT)  # each connection's thread ends once its socket is closed
        left = set(threading.enumerate()) - before

    assert left == set()
