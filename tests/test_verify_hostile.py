"""``fakeauth verify`` against targets that are wrong or hostile (the loopback servers of
``verify_targets``): every run ends, prints no traceback, gives each check that could not run a
row that says why, and exits 2 (the target could not be checked)."""

from __future__ import annotations

import io
import threading

import freezegun
import pytest
from verify_targets import (
    Handler,
    answering,
    closes,
    drip,
    endless,
    garbage,
    loopback,
    rows,
    silence,
)

from fakeauth import FakeAuth, cli, verify
from fakeauth.transports.server import LiveServer
from fakeauth.verify import command
from fakeauth.verify.deadline import monotonic

TIMEOUT = 0.5  # --timeout for targets that never finish answering: the deadline must cut them
#: The same, where only the rows' words are checked: a target that never answers is cut by any
#: timeout, so a short one keeps the test short (every check waits it out once).
NO_ANSWER_TIMEOUT = 0.2
DEEP = 100_000
OVOK_CHECKS = [check.id for check in verify.checks("ovok")]
LOGIN = "step 1 (POST /auth/b2b/login)"
REGISTER = "step 1 (POST /auth/b2b/register)"
REFRESH_NOT_SENT = (
    "step 2 (POST /auth/refresh-token) not sent: it needs the refresh that step 1 "
    "(POST /auth/b2b/login) gets, and the target's answer ({status}) held none"
)
NOT_RUN = "not run: the run's deadline of 1.2 s (--deadline) passed"
RUN_ENDS_WITHIN = 60.0  # loose: the runs below take a few seconds; a hang takes forever


def verify_ovok(root: str, *options: str, environ: dict[str, str] | None = None) -> tuple[int, str]:
    """``fakeauth verify --vendor ovok`` against ``root``; the exit status and what it printed.

    Run in a thread joined with a loose limit, so that a run that hangs fails the test instead
    of hanging the suite (the server's end then ends the run).
    """
    out = io.StringIO()
    outcome: list[int] = []
    argv = ["verify", "--vendor", "ovok", "--base-url", f"ovok={root}/ovok", *options]
    args = cli.command_parser().parse_args(argv)
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
        (silence, f" within {NO_ANSWER_TIMEOUT:g} s"),
        (drip, f" within {NO_ANSWER_TIMEOUT:g} s"),
    ],
    ids=["garbage", "closes", "silence", "drip"],
)
def test_a_target_that_gives_no_answer_makes_every_row_say_why_and_exits_2(
    handler: Handler, why: str
) -> None:
    with loopback(handler) as root:
        exit_status, printed = verify_ovok(root, "--timeout", str(NO_ANSWER_TIMEOUT))

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
