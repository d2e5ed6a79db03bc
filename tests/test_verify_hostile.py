"""``fakeauth verify`` against targets that are wrong or hostile: each a small threaded server on
127.0.0.1 written here. Every run ends, prints no traceback, gives each check a row that says why
it could not run, and exits 2 (the target could not be checked)."""

from __future__ import annotations

import io
import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import freezegun
import pytest
from verify_rows import rows

from fakeauth import FakeAuth, cli, verify
from fakeauth.transports.server import LiveServer
from fakeauth.verify import Check, Report, Runner, Step, Target, command
from fakeauth.verify.deadline import monotonic
from fakeauth.verify.model import JsonTooDeepError, json_depth, parse_json

TIMEOUT = 0.5  # --timeout for targets that never finish answering: the deadline must cut them
DRIP_INTERVAL = 0.05  # far below TIMEOUT: a bound on each read alone would never cut the drip
DEEP = 100_000
ENDLESS_CHUNK = b"a" * 65536
OVOK_CHECKS = [check.id for check in verify.checks("ovok")]
LOGIN = "step 1 (POST /auth/b2b/login)"
REGISTER = "step 1 (POST /auth/b2b/register)"
REFRESH_NOT_SENT = (
    "step 2 (POST /auth/refresh-token) not sent: it needs the refresh that step 1 "
    "(POST /auth/b2b/login) gets, and the target's answer ({status}) held none"
)
NOT_RUN = "not run: the run's deadline of 1.2 s (--deadline) passed"
RUN_ENDS_WITHIN = 60.0  # loose: the runs below take a few seconds; a hang takes forever

Handler = Callable[[socket.socket, threading.Event], None]


# -- the loopback targets -----------------------------------------------------------------------


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


def verify_ovok(root: str, *options: str, environ: dict[str, str] | None = None) -> tuple[int, str]:
    """``fakeauth verify --vendor ovok`` against ``root``; the exit status and what it printed.

    Run in a thread joined with a loose limit, so that a run that hangs fails the test instead
    of hanging the suite (the server's end then ends the run).
    """
    out = io.StringIO()
    outcome: list[int] = []
    argv = ["verify", "--vendor", "ovok", "--base-url", f"ovok={root}/ovok", *options]
    args = cli._parser().parse_args(argv)
    worker = threading.Thread(
        target=lambda: outcome.append(command.run(args, out, environ or {})), name="verify-run"
    )
    worker.start()
    worker.join(RUN_ENDS_WITHIN)
    assert not worker.is_alive(), f"fakeauth verify still running after {RUN_ENDS_WITHIN} s"
    return outcome[0], out.getvalue()


# -- targets that answer, but not what a login should -------------------------------------------


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        (answering("401 Unauthorized", b'{"statusCode":401,"message":"Unauthorized"}'), "401"),
        (answering("302 Found", b"", "Location: http://127.0.0.1:9/elsewhere"), "302"),
    ],
    ids=["401", "302"],
)
def test_a_login_that_gives_no_token_makes_a_row_that_says_why_and_exits_2(
    handler: Handler, status: str
) -> None:
    with loopback(handler) as root:
        exit_status, printed = verify_ovok(root)

    table = rows(printed)
    assert exit_status == 2
    assert list(table) == OVOK_CHECKS
    assert table["ovok.login"] == ["200", status, "diverge", "NO"]
    assert table["ovok.refresh"] == [
        "200 > 200",
        status,
        "error",
        REFRESH_NOT_SENT.format(status=status),
    ]
    assert (
        "ovok.refresh: refresh the tokens (snake_case body and reply): error\n"
        f"  could not check: {REFRESH_NOT_SENT.format(status=status)}\n"
    ) in printed
    assert "4 could not be checked" in printed  # refresh, me, logout, logout.repeat
    assert "Traceback" not in printed


def test_a_wrong_password_from_the_environment_exits_2_with_rows_that_say_why() -> None:
    environ = {
        "FAKEAUTH_VERIFY_OVOK_EMAIL": "nobody@example.org",
        "FAKEAUTH_VERIFY_OVOK_PASSWORD": "Wrong-passw0rd",
    }
    with LiveServer(FakeAuth().wsgi_app) as server:  # the target holds no such account
        exit_status, printed = verify_ovok(server.url, environ=environ)

    table = rows(printed)
    assert exit_status == 2
    assert table["ovok.login"][1:] == ["401", "diverge", "NO"]
    assert table["ovok.refresh"][1:] == ["401", "error", REFRESH_NOT_SENT.format(status="401")]
    assert table["ovok.me"][3] == (
        "step 2 (GET /auth/me) not sent: it needs the token that step 1 (POST /auth/b2b/login) "
        "gets, and the target's answer (401) held none"
    )
    assert "Wrong-passw0rd" not in printed


# -- targets that give no answer ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("handler", "why"),
    [
        (garbage, ": its answer is not HTTP (BadStatusLine)"),
        (closes, ": it closed the connection without answering"),
        (silence, f" within {TIMEOUT:g} s"),
        (drip, f" within {TIMEOUT:g} s"),
    ],
    ids=["garbage", "closes", "silence", "drip"],
)
def test_a_target_that_gives_no_answer_makes_every_row_say_why_and_exits_2(
    handler: Handler, why: str
) -> None:
    with loopback(handler) as root:
        exit_status, printed = verify_ovok(root, "--timeout", str(TIMEOUT))

    table = rows(printed)
    assert exit_status == 2
    assert list(table) == OVOK_CHECKS
    assert table["ovok.register"] == [
        "200",
        "no answer",
        "error",
        f"{REGISTER}: no answer from {root}{why}",
    ]
    assert table["ovok.refresh"] == [
        "200 > 200",
        "no answer",
        "error",
        f"{LOGIN}: no answer from {root}{why}",
    ]
    assert {cells[2] for cells in table.values()} == {"error"}
    assert f"{len(OVOK_CHECKS)} could not be checked" in printed


def test_the_run_deadline_ends_the_run_and_later_checks_say_so() -> None:
    deadline = 1.2  # the requests wait TIMEOUT each (the last what is left): three at most

    with loopback(silence) as root:
        started = monotonic()
        exit_status, printed = verify_ovok(
            root, "--timeout", str(TIMEOUT), "--deadline", str(deadline)
        )
        took = monotonic() - started

    table = rows(printed)
    assert exit_status == 2
    assert table["ovok.register"][3].startswith(f"{REGISTER}: no answer from {root} within ")
    assert table["ovok.logout.repeat"] == ["-", "-", "error", NOT_RUN]
    assert {cells[2] for cells in table.values()} == {"error"}
    assert took < RUN_ENDS_WITHIN / 2  # loose: every check after the deadline sends nothing


def test_the_deadlines_pass_while_freezegun_stops_the_clock() -> None:
    with loopback(silence) as root, freezegun.freeze_time("2030-01-01"):
        exit_status, printed = verify_ovok(root, "--timeout", str(TIMEOUT), "--deadline", "1.2")

    assert exit_status == 2
    assert rows(printed)["ovok.logout.repeat"][3] == NOT_RUN


def test_a_body_past_the_bound_is_not_read_and_the_row_says_so() -> None:
    with loopback(endless) as root:
        default = verify_ovok(root, "--timeout", "30")
        bounded = verify_ovok(root, "--timeout", "30", "--max-body", "1000")

    for (exit_status, printed), limit in ((default, 1024 * 1024), (bounded, 1000)):
        table = rows(printed)
        assert exit_status == 2
        assert table["ovok.register"] == [
            "200",
            "200",
            "error",
            f"{REGISTER}: the answer's body is larger than {limit} bytes (--max-body); "
            "fakeauth verify read no further",
        ]


def test_json_nested_100000_deep_is_not_parsed_and_the_row_says_so() -> None:
    deep = b"[" * DEEP + b"]" * DEEP

    with loopback(answering("200 OK", deep, "Content-Type: application/json")) as root:
        exit_status, printed = verify_ovok(root)

    table = rows(printed)
    assert exit_status == 2
    assert table["ovok.login"] == [
        "200",
        "200",
        "error",
        f"{LOGIN}: the answer's JSON nests deeper than 32 levels; fakeauth verify does not "
        "parse it",
    ]


# -- the pieces ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[["]', 1),  # brackets in a string
        ('["\\"[[[["]', 1),  # an escaped quote does not end the string
        ('["\\\\", [[]]]', 3),  # an escaped backslash does not escape the closing quote
        ('["\\\\\\"[[", []]', 2),  # a backslash, then an escaped quote
        ('{"\\\\": {"\\"": {}}}', 3),  # in keys too
        ("[[[[", 4),  # not JSON: as deep as json.loads would go before it stops
        ('"\\"' + "[" * 100, 0),  # an unterminated string: json.loads stops at once
    ],
)
def test_json_depth_counts_outside_strings(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_parse_json_refuses_deep_json_without_recursion() -> None:
    limit = verify.MAX_JSON_DEPTH

    assert parse_json(("[" * limit + "]" * limit).encode()) == json.loads("[" * limit + "]" * limit)
    with pytest.raises(JsonTooDeepError):
        parse_json(b"[" * (limit + 1) + b"]" * (limit + 1))
    with pytest.raises(JsonTooDeepError):
        parse_json(b'{"a":' * DEEP + b"1" + b"}" * DEEP)
    with pytest.raises(JsonTooDeepError):
        parse_json(b"[" * DEEP)  # not even JSON: refused before json.loads recurses


def test_an_unreachable_target_exits_2_with_rows_that_say_connection_refused() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        root = f"http://127.0.0.1:{closed.getsockname()[1]}"
        results = Runner(Target("nobody", base_urls={"waltid": f"{root}/waltid"})).run(
            verify.checks("waltid")
        )

    login = next(result for result in results if result.check.id == "waltid.login.wrong-password")
    assert login.verdict() == "error"
    assert login.error == (
        f"step 1 (POST /auth/account/emailpass): no answer from {root}: connection refused"
    )
    document = json.loads(Report("nobody", results).json())
    assert document["exit_status"] == 2
    assert document["checks"][2]["result"] == "error"
    assert document["checks"][2]["error"] == login.error


def test_an_account_fakeauth_refuses_is_a_row_for_each_check_of_that_vendor() -> None:
    environ = {
        "FAKEAUTH_VERIFY_B2CORE_EMAIL": "not an email",
        "FAKEAUTH_VERIFY_B2CORE_PASSWORD": "Passw0rd-given",
    }
    checks = verify.checks("b2core") + verify.checks("waltid")

    results = Runner(Target.from_env(environ=environ)).run(checks)

    b2core, waltid = (
        results[: len(verify.checks("b2core"))],
        results[len(verify.checks("b2core")) :],
    )
    assert {(result.verdict(), result.error) for result in b2core} == {
        (
            "error",
            "the account the environment names: fakeauth: 'not an email' is not an email address "
            "B2Core accepts",
        )
    }
    assert {result.verdict() for result in waltid} == {"match"}  # the run goes on
    assert Report("a fresh fake", results).exit_status == 2


def test_a_defect_in_a_check_is_a_row_not_a_traceback() -> None:
    broken = Check(
        id="ovok.broken",
        vendor="ovok",
        title="a check whose body is not JSON-serialisable",
        steps=(Step(method="POST", path="/auth/b2b/login", json={"x": object()}),),
    )
    after = verify.checks("ovok")[1]
    runner = Runner()

    results = runner.run([broken, after])

    assert results[0].verdict() == "error"
    assert results[0].error.startswith(
        "fakeauth verify failed on this check (TypeError: Object of type object is not JSON "
        "serializable); this is a bug of fakeauth"
    )
    assert results[1].verdict() == "match"  # the run goes on


def test_a_defect_of_fakeauth_is_a_sentence_and_exit_2_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(report: Report) -> str:
        raise RuntimeError("the table could not be drawn")

    monkeypatch.setattr(Report, "table", broken)

    status = cli.main(["verify", "--vendor", "waltid"])

    assert status == 2
    assert capsys.readouterr().err == (
        "fakeauth verify failed (RuntimeError: the table could not be drawn); this is a bug of "
        "fakeauth, please report it\n"
    )


def test_the_exit_statuses_are_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["verify", "--help"])

    printed = capsys.readouterr().out
    assert (
        "exit status:\n"
        "  0  every check matches, or diverges as fakeauth's fidelity registry declares\n"
        "  1  a check diverges where the registry declares nothing\n"
        "  2  the target could not be checked (unreachable, misconfigured, credentials refused: "
        "a check\n"
        "     could not run to its end), or a usage error\n"
    ) in printed
    assert "--deadline S" in printed
    assert "--max-body BYTES" in printed
