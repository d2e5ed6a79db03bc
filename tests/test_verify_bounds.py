"""The bounds of ``fakeauth verify`` piece by piece: JSON depth counted without recursion, the
HTTP transport's answers when no answer comes, a check that cannot run, a defect of fakeauth's
own, and the exit statuses in ``--help``."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from verify_targets import closes, loopback, read_request

from fakeauth import cli, verify
from fakeauth.verify import Check, Report, Runner, Step, Target
from fakeauth.verify.model import JsonTooDeepError, json_depth, parse_json

DEEP = 100_000
TIMEOUT = 5.0  # these targets answer at once, or hang up: the deadline is never reached


def cut_short(conn: socket.socket, stop: threading.Event) -> None:
    """A target that promises 100 bytes of body, sends 5 and hangs up."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")


# -- JSON depth ---------------------------------------------------------------------------------


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


# -- the transport ------------------------------------------------------------------------------


def test_a_body_cut_short_is_no_answer() -> None:
    with loopback(cut_short) as root:
        answer = verify.HttpTransport(root, timeout=TIMEOUT).send("GET", "/x", {}, None)

    assert (answer.status, answer.error) == (
        0,
        f"no answer from {root}: it closed the connection before the end of its answer",
    )


def test_a_value_that_cannot_stand_in_a_header_is_no_request() -> None:
    hostile_token = "abc\r\nX-Injected: yes"  # what a hostile target could give as a token

    with loopback(closes) as root:
        answer = verify.HttpTransport(root, timeout=TIMEOUT).send(
            "GET", "/x", {"Authorization": f"Bearer {hostile_token}"}, None
        )

    assert answer.error == (
        f"no answer from {root}: a value from an earlier answer cannot be sent in a request"
    )


# -- checks that cannot run ---------------------------------------------------------------------


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


def test_a_value_no_step_gives_is_a_row_that_names_it() -> None:
    check = Check(
        id="ovok.unknown-value",
        vendor="ovok",
        title="a step that sends a value nothing gives",
        steps=(Step(method="POST", path="/auth/b2b/login", json={"x": "${nothing}"}),),
    )

    result = Runner().run_check(check)

    assert (result.verdict(), result.error) == (
        "error",
        "step 1 (POST /auth/b2b/login) not sent: it needs nothing, which neither the account nor "
        "an earlier step gives (a bug)",
    )


# -- defects of fakeauth's own, and --help --------------------------------------------------------


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
