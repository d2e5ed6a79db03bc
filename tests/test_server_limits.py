"""The live server under exhausted resources and hostile clients (issue 13, section 4).

Every timeout here is a second or less, every loop is bounded in count and time, and the only
network traffic is on 127.0.0.1. Nothing asserts a wall-clock duration: a back-off is checked by
how few times it retried, a cut-off by what the client saw while the handler still ran.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import resource
import selectors
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from freezegun import freeze_time

from fakeauth.errors import ConfigurationError
from fakeauth.transports import accept_limits
from fakeauth.transports import connection as connection_module
from fakeauth.transports import linger as linger_module
from fakeauth.transports import server as server_module
from fakeauth.transports.server import LiveServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

QUICK = 0.3  # a request timeout short enough for CI
WAIT = 10.0  # the most any read or wait here takes: a bound, never reached when a test passes
#: How long no answer means the rest are queued (only where that is what a test looks for).
QUIET = 1.0
GET = b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"


def _ok(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok %d" % len(body)]


class LimitedApp:
    """A WSGI app with a body limit, like fakeauth's: it answers 413 to a body over it, by its
    length or by the length the server tells it (``CONTENT_LENGTH``)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.asked: list[tuple[str, str, str]] = []
        self.bodies: list[bytes] = []
        self.lengths: list[str | None] = []

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        self.asked.append((method, path, host))
        return self.limit

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read()
        self.bodies.append(body)
        self.lengths.append(environ.get("CONTENT_LENGTH"))
        if max(len(body), int(environ.get("CONTENT_LENGTH") or 0)) > self.limit:
            start_response("413 Payload Too Large", [("Content-Type", "application/json")])
            return [b'{"statusCode":413}']
        start_response("200 OK", [])
        return [b"fine"]


def _connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)


def _read_all(sock: socket.socket) -> tuple[bytes, bool]:
    """What the server sends until it closes (``True``) or is quiet for WAIT (``False``)."""
    received = b""
    for _ in range(1000):
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return received, False
        except ConnectionResetError:
            return received, True
        if not chunk:
            return received, True
        received += chunk
    raise AssertionError("the server kept sending")


def _status(raw: bytes) -> int:
    assert raw.startswith(b"HTTP/1.1 "), raw[:100]
    return int(raw[9:12])


def _ask(sock: socket.socket, request: bytes = GET) -> int:
    """One request on a kept-alive connection; its status (the answer fits one recv)."""
    sock.sendall(request)
    return _status(sock.recv(65536))


@pytest.fixture
def quick() -> Iterator[LiveServer]:
    with LiveServer(_ok, request_timeout=QUICK) as server:
        yield server


# -- timeouts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "partial",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\n",
        b"GET /auth/me\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    ],
    ids=["head", "request line without version", "body", "chunked body"],
)
def test_a_client_stalling_inside_a_request_gets_408_and_is_closed(
    quick: LiveServer, partial: bytes
) -> None:
    with _connect(quick) as sock:
        sock.sendall(partial)
        raw, closed = _read_all(sock)

    assert _status(raw) == 408
    assert raw.endswith(b"fakeauth: the request was not complete after 0.3 s\n")
    assert closed


def test_a_request_line_without_a_version_and_a_blank_line_gets_400(quick: LiveServer) -> None:
    with _connect(quick) as sock:
        sock.sendall(b"GET /auth/me\r\n\r\n")
        raw, closed = _read_all(sock)

    assert _status(raw) == 400
    assert b"the request line has no HTTP/1.x" in raw
    assert closed


@pytest.mark.parametrize("clock", ["freezegun", "time-machine"])
def test_the_request_timeout_runs_while_the_test_clock_is_frozen(clock: str) -> None:
    traveller: Any = (
        freeze_time("2030-01-01")
        if clock == "freezegun"
        else time_machine.travel("2030-01-01", tick=False)
    )

    with traveller, LiveServer(_ok, request_timeout=QUICK) as server, _connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        raw, closed = _read_all(sock)

    assert _status(raw) == 408
    assert closed


def test_an_idle_kept_alive_connection_outlives_the_request_timeout(quick: LiveServer) -> None:
    with _connect(quick) as sock:
        first = _ask(sock)
        sock.settimeout(QUICK * 3)  # idle for three request timeouts: nothing may arrive
        with pytest.raises(TimeoutError):
            sock.recv(100)
        second = _ask(sock)

    assert (first, second) == (200, 200)


def test_stalled_clients_hold_no_thread_once_timed_out(quick: LiveServer) -> None:
    before = set(threading.enumerate())
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(_connect(quick)) for _ in range(40)]
        for sock in socks:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        outcomes = [_read_all(sock) for sock in socks]
    for thread in set(threading.enumerate()) - before:
        thread.join(WAIT)  # each ends once the sockets it served are closed
    left = set(threading.enumerate()) - before

    assert {(_status(raw), closed) for raw, closed in outcomes} == {(408, True)}
    assert left == set()


# -- the connection cap ------------------------------------------------------------------------


def test_at_the_cap_the_longest_idle_connection_makes_room() -> None:
    with LiveServer(_ok, max_connections=2) as server, contextlib.ExitStack() as stack:
        oldest = stack.enter_context(_connect(server))
        statuses = [_ask(oldest)]
        newer = stack.enter_context(_connect(server))
        statuses.append(_ask(newer))  # both idle now, the oldest for longest
        newest = stack.enter_context(_connect(server))
        statuses.append(_ask(newest))
        evicted = _read_all(oldest)
        statuses.append(_ask(newer))

    assert statuses == [200, 200, 200, 200]
    assert evicted == (b"", True)


def test_a_connection_is_idle_from_the_moment_its_answer_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A busy machine can leave a connection's thread unscheduled just after it sent its answer;
    # here the oldest connection's thread is held there until the newest client is served.
    held, resume = threading.Event(), threading.Event()
    send = connection_module.Connection._send

    def send_then_hold(connection: connection_module.Connection, data: bytes) -> None:
        send(connection, data)
        if not held.is_set():  # the first answer: the oldest connection's
            held.set()
            resume.wait(WAIT)

    monkeypatch.setattr(connection_module.Connection, "_send", send_then_hold)
    with LiveServer(_ok, max_connections=2) as server, contextlib.ExitStack() as stack:
        stack.callback(resume.set)  # first out: a failing test leaves no thread held
        oldest = stack.enter_context(_connect(server))
        statuses = [_ask(oldest)]
        newer = stack.enter_context(_connect(server))
        statuses.append(_ask(newer))
        newest = stack.enter_context(_connect(server))
        statuses.append(_ask(newest))
        resume.set()
        evicted = _read_all(oldest)
        statuses.append(_ask(newer))

    assert held.is_set()
    assert statuses == [200, 200, 200, 200]
    assert evicted == (b"", True)


def test_at_the_cap_with_no_idle_connection_the_new_client_gets_503() -> None:
    release, entered = threading.Event(), threading.Event()

    def slow(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        entered.set()
        release.wait(WAIT)
        start_response("200 OK", [])
        return [b"done"]

    with LiveServer(slow, max_connections=1) as server, _connect(server) as busy:
        busy.sendall(GET)
        assert entered.wait(WAIT)  # answering: not idle
        with _connect(server) as refused:
            refused.sendall(GET)
            raw, closed = _read_all(refused)
        held = server.connections
        release.set()
        kept = _status(busy.recv(65536))

    assert _status(raw) == 503
    assert b"fakeauth: the server holds its 1 connections, all busy; retry shortly" in raw
    assert closed
    assert (held, kept) == (1, 200)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_connections": 0}, "max_connections must be 1 or more, not 0"),
        ({"max_connections": 1.5}, "max_connections is a whole number of connections, not 1.5"),
        ({"request_timeout": 0}, "request_timeout must be a number of seconds above 0, not 0"),
        ({"request_timeout": "30"}, "request_timeout is a number of seconds, not '30'"),
    ],
)
def test_bad_limits_are_a_clear_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        LiveServer(_ok, **options)

    assert str(info.value) == f"fakeauth: {message}"


# -- bodies over the app's limit ---------------------------------------------------------------


def test_a_body_declared_over_the_limit_is_refused_at_once_and_discarded_up_to_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(linger_module, "LINGER_BYTES", 1024 * 1024)
    app = LimitedApp(100_000)
    declared = 256 * 1024 * 1024
    with LiveServer(app) as server, _connect(server) as sock:
        sock.sendall(
            b"POST /auth/b2b/login HTTP/1.1\r\nHost: api.test\r\n"
            b"Content-Length: %d\r\n\r\n" % declared
        )
        raw = sock.recv(65536)
        sent = 0
        for _ in range(declared // 65536):  # past the lingering close's bound, sending fails
            try:
                sent += sock.send(b"a" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                break

    assert _status(raw) == 413
    assert app.asked == [("POST", "/auth/b2b/login", "api.test")]
    assert app.bodies == [b""]  # told the declared length, not handed bytes that never came
    assert app.lengths == [str(declared)]
    # What the lingering close discarded, plus what socket buffers hold: not the whole body.
    assert linger_module.LINGER_BYTES <= sent < declared // 4


def test_a_chunked_body_is_cut_as_soon_as_it_passes_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connection_module, "SMALL_BODY", 0)
    app = LimitedApp(10)
    with LiveServer(app) as server, _connect(server) as sock:
        sock.sendall(
            b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"8\r\n12345678\r\n8\r\nabcdefgh\r\n"  # 16 bytes so far, and more to come
        )
        raw, closed = _read_all(sock)

    assert _status(raw) == 413
    assert b"Connection: close" in raw
    assert closed
    assert app.bodies == [b"12345678abc"]
    assert app.lengths == ["11"]  # a chunked body: told it is over the limit


def test_a_body_within_the_limit_is_served_and_the_connection_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connection_module, "SMALL_BODY", 0)
    app = LimitedApp(10)
    with LiveServer(app) as server, _connect(server) as sock:
        statuses = [
            _ask(sock, b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"),
            _ask(sock, b"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"3\r\nabc\r\n0\r\n\r\n"),
        ]  # fmt: skip

    assert statuses == [200, 200]
    assert app.bodies == [b"0123456789", b"abc"]


def test_a_small_body_is_read_without_asking_the_limit() -> None:
    app = LimitedApp(10)
    with LiveServer(app) as server, _connect(server) as sock:
        status = _ask(
            sock, b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n" + b"x" * 20
        )

    assert status == 413  # the app refuses it itself
    assert app.asked == []


# -- resource exhaustion -----------------------------------------------------------------------


class _ThreadFailingTimes(threading.Thread):
    """A Thread whose ``start`` raises like a process out of threads, ``failures`` times."""

    failures = 0

    def start(self) -> None:
        if self.name.startswith("fakeauth-connection") and _ThreadFailingTimes.failures > 0:
            _ThreadFailingTimes.failures -= 1
            raise RuntimeError("can't start new thread")
        super().start()


def test_the_accept_loop_survives_threads_running_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_ThreadFailingTimes, "failures", 3)
    with LiveServer(_ok) as server:
        monkeypatch.setattr(server_module, "Thread", _ThreadFailingTimes)
        statuses: list[int] = []
        for _ in range(10):
            with _connect(server) as sock:
                statuses.append(_ask(sock))
            if statuses[-1] == 200:
                break

    assert statuses == [503, 503, 503, 200]
    log = capsys.readouterr().err
    assert log.count("\n") == 1
    assert log == (
        "fakeauth: the live server cannot start a thread for a connection; it backs off and "
        "serves again when resources return\n"
    )


def test_the_accept_loop_backs_off_when_descriptors_run_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    failing = threading.Event()
    failing.set()
    calls: list[bool] = []
    failed_at: list[float] = []

    with LiveServer(_ok) as server:
        real_accept = server._accept

        def accept(listener: socket.socket) -> tuple[socket.socket, Any]:
            calls.append(failing.is_set())
            if failing.is_set():
                failed_at.append(time.monotonic())
                raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))
            return real_accept(listener)

        monkeypatch.setattr(server, "_accept", accept)
        monkeypatch.setattr(accept_limits, "BACKOFF_MAX", 0.1)
        with _connect(server) as sock:
            sock.sendall(GET)
            # 0.3 s of failures at least: a loop that spins retries thousands of times, one
            # that backs off (10 ms doubling, here to 0.1 s) a few.
            sock.settimeout(QUICK)
            with pytest.raises(TimeoutError):
                sock.recv(100)
            failing.clear()
            sock.settimeout(WAIT)
            status = _status(sock.recv(65536))

    gaps = [later - earlier for earlier, later in itertools.pairwise(failed_at)]
    assert status == 200
    assert calls.count(True) >= 2
    # Each retry waits its back-off (a busy machine only makes the gaps longer); a spinning
    # loop retries within microseconds.
    assert min(gaps) >= 0.009
    assert capsys.readouterr().err == (
        "fakeauth: the live server cannot accept a connection (Too many open files); it backs "
        "off and serves again when resources return\n"
    )


_CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from fakeauth.transports import accept_limits
    from fakeauth.transports.server import LiveServer

    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    accept_limits.BACKOFF_MAX = 0.1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    with LiveServer(app) as server:
        print(server.port, flush=True)
        for line in sys.stdin:
            print(time.process_time(), flush=True)
    """
)


def _answered(socks: list[socket.socket], quiet: float) -> set[socket.socket]:
    """The sockets that got an answer before none came for ``quiet`` seconds (all waited on at
    once)."""
    answered: set[socket.socket] = set()
    with selectors.DefaultSelector() as selector:
        for sock in socks:
            selector.register(sock, selectors.EVENT_READ, sock)
        for _ in range(len(socks)):
            events = selector.select(quiet)
            if not events:
                break
            for key, _ in events:
                ready: socket.socket = key.data
                assert ready.recv(65536).startswith(b"HTTP/1.1 200 ")
                selector.unregister(ready)
                answered.add(ready)
    return answered


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_NOFILE as Linux counts it")
def test_out_of_descriptors_for_real_the_server_idles_then_serves_the_queued_clients() -> None:
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 256:
        pytest.skip("this process itself has too few descriptors to hold the clients")
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    socks: list[socket.socket] = []
    try:
        port = int(child.stdout.readline())
        for _ in range(80):  # more than the child's 64 descriptors
            sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
            sock.sendall(GET)
            socks.append(sock)
        served = _answered(socks, QUIET)  # the rest wait in the backlog
        child.stdin.write("cpu\n")
        child.stdin.flush()
        cpu_before = float(child.stdout.readline())
        threading.Event().wait(0.5)  # the child, out of descriptors, retries in this window
        child.stdin.write("cpu\n")
        child.stdin.flush()
        cpu_spent = float(child.stdout.readline()) - cpu_before
        for sock in served:
            sock.close()  # descriptors return to the child
        waiting = [sock for sock in socks if sock not in served]
        later = _answered(waiting, WAIT)
    finally:
        for sock in socks:
            sock.close()
        _, log = child.communicate(timeout=10)

    assert 20 < len(served) < 80
    assert cpu_spent < 0.2  # a spinning loop burns the whole half second
    assert later == set(waiting)
    assert log.count("cannot accept a connection (Too many open files)") == 1


# -- stopping -----------------------------------------------------------------------------------


def test_stop_cuts_off_an_answer_still_being_prepared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "_DRAIN_SECONDS", 0.2)
    release = threading.Event()
    entered = threading.Event()

    def slow(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        entered.set()
        release.wait(5)  # a delay_next of a few seconds
        start_response("200 OK", [])
        return [b"late"]

    server = LiveServer(slow).start()
    with _connect(server) as busy, _connect(server) as idle, _connect(server) as stalled:
        stalled.sendall(b"GET / HTTP/1.1\r\n")
        busy.sendall(GET)
        assert entered.wait(WAIT)
        server.stop()
        still_preparing = not release.is_set()
        outcomes = [_read_all(sock) for sock in (busy, idle, stalled)]
    release.set()

    assert still_preparing
    assert outcomes == [(b"", True)] * 3


def test_a_stopped_server_can_be_stopped_from_anywhere_twice(quick: LiveServer) -> None:
    quick.stop()
    quick.stop()

    assert not quick.running
    assert json.dumps(repr(quick)) == '"<LiveServer stopped>"'
