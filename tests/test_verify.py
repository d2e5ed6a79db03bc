"""``fakeauth verify``: the contract suite, against a fresh fake, ``fakeauth serve``, a target
that diverges on purpose (declared, then undeclared), and its safety (hosts, secrets)."""

from __future__ import annotations

import io
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from verify_targets import rows

from fakeauth import FakeAuth, cli, redacted, verify
from fakeauth.errors import ConfigurationError
from fakeauth.transports.server import LiveServer
from fakeauth.verify import Answer, Check, Report, Runner, Step, Target, command
from fakeauth.verify.model import shape_of
from fakeauth.verify.targets import VENDORS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DIVERGED = "waltid.logout"  # the registry entry the diverging target switches
DIVERGED_CHECK = "waltid.logout.no-session"
ALL_MATCH = f"{len(verify.CHECKS)} checks: {len(verify.CHECKS)} match, 0 diverge as declared"
TENANT = "0b7c5d55-8d0a-4c3e-9d7e-3a1a4a0d2f10"  # not the documentation's: seeded on both sides
SECRET_PASSWORD = "Sup3r-s3cret-verify-pw"
SECRET_EMAIL = "someone.real@example.org"
STARTUP_SECONDS = 120.0  # a bound for a starved machine; start-up takes about a second


# -- helpers ----------------------------------------------------------------------------------


@contextmanager
def fakeauth_serve(*options: str) -> Iterator[str]:
    """A real ``fakeauth serve`` on a free loopback port; yields its root URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fakeauth.cli", "serve", "--port", "0", "--quiet", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=STARTUP_SECONDS)
        assert ready, "fakeauth serve printed nothing within the start-up time"
        first = process.stdout.readline()
        assert first.startswith("fakeauth "), f"fakeauth serve printed {first!r}"
        yield first.rsplit(" ", 1)[1].strip()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=STARTUP_SECONDS)


def verify_command(*args: str) -> subprocess.CompletedProcess[str]:
    """``fakeauth verify ...`` as a user runs it, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "fakeauth.cli", "verify", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def vendor_urls(root: str, vendors: Iterable[str] = VENDORS) -> list[str]:
    return [arg for vendor in vendors for arg in ("--base-url", f"{vendor}={root}/{vendor}")]


class Rewrite:
    """WSGI middleware: ``change`` rewrites the JSON answers of one path (a target that diverges
    from the fake where no registry entry says it may)."""

    def __init__(self, app: WSGIApplication, path: str, change: Callable[[Any], Any]) -> None:
        self.app, self.path, self.change = app, path, change

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        captured: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return lambda data: None

        body = b"".join(self.app(environ, keep))
        status, headers = captured
        if environ["PATH_INFO"] == self.path and body:
            body = json.dumps(self.change(json.loads(body))).encode()
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


# -- the comparison ---------------------------------------------------------------------------

LOGIN_STEP = Step(method="POST", path="/x", compare=("message",))


@pytest.mark.parametrize(
    ("theirs", "same"),
    [
        ({"accessToken": "other-token", "expiresIn": 7, "message": "ok"}, True),  # values ignored
        ({"accessToken": "t", "expiresIn": "3600", "message": "ok"}, False),  # a type changed
        ({"accessToken": "t", "message": "ok"}, False),  # a key is missing
        ({"accessToken": "t", "expiresIn": 3600, "message": "ok", "more": 1}, False),  # extra
        ({"accessToken": "t", "expiresIn": 3600, "message": "not ok"}, False),  # compared value
    ],
)
def test_answers_compare_by_status_keys_types_and_chosen_values(theirs: Any, same: bool) -> None:
    ours = {"accessToken": "t", "expiresIn": 3600, "message": "ok"}

    mine = shape_of(Answer(200, {}, json.dumps(ours).encode()), LOGIN_STEP)
    other = shape_of(Answer(200, {}, json.dumps(theirs).encode()), LOGIN_STEP)

    assert (mine == other) is same


def test_a_status_a_text_and_no_answer_each_differ() -> None:
    step = Step(method="POST", path="/x", compare_text=True)

    shapes = [
        shape_of(Answer(200, {}, b""), step),
        shape_of(Answer(401, {}, b""), step),
        shape_of(Answer(401, {}, b"Unauthorized (NoCredentials)"), step),
        shape_of(Answer(401, {}, b"Unauthorized (InvalidCredentials)"), step),
        shape_of(Answer(0, {}, b"", "no answer from http://127.0.0.1:9: refused"), step),
    ]

    assert len(set(shapes)) == len(shapes)


# -- targets ----------------------------------------------------------------------------------


def test_against_a_fresh_fake_every_check_matches_and_exits_0() -> None:
    runner = Runner()

    results = runner.run()
    report = Report("a fresh fake", results, runner.secrets)

    assert [result.check.id for result in results] == [check.id for check in verify.CHECKS]
    assert all(len(r.fakeauth) == len(r.check.steps) == len(r.target) for r in results)
    assert [r.check.id for r in results if not r.matched] == []
    assert report.exit_status == 0
    assert ALL_MATCH in report.table()


@pytest.mark.slow
def test_against_fakeauth_serve_every_check_matches() -> None:
    with fakeauth_serve() as root:
        completed = verify_command(*vendor_urls(root))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert ALL_MATCH in completed.stdout
    assert set(rows(completed.stdout)) == {check.id for check in verify.CHECKS}
    assert {cells[2] for cells in rows(completed.stdout).values()} == {"match"}


@pytest.mark.slow
def test_against_serve_diverging_on_purpose_the_report_marks_it_declared_and_exits_0() -> None:
    with fakeauth_serve("--diverge", DIVERGED) as root:
        completed = verify_command(*vendor_urls(root, ["waltid"]))

    table = rows(completed.stdout)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert table[DIVERGED_CHECK] == ["200", "401", "diverge", f"yes: {DIVERGED}"]
    assert [check for check, cells in table.items() if cells[2] != "match"] == [DIVERGED_CHECK]
    assert (
        f"{DIVERGED_CHECK}: log out without a token: diverge\n"
        "  step 1 (POST /auth/logout): status 200 (fakeauth) vs 401 (target); body empty vs text"
    ) in completed.stdout
    assert "1 diverge as declared, 0 diverge undeclared" in completed.stdout


@pytest.mark.fidelity(DIVERGED)
def test_an_in_process_diverging_fake_diverges_on_that_check_alone() -> None:
    target = Target.in_process(verify.diverge(FakeAuth(), DIVERGED))

    results = Runner(target).run(verify.checks("waltid"))

    diverging = [result for result in results if not result.matched]
    assert [(r.check.id, r.declared, r.ok) for r in diverging] == [(DIVERGED_CHECK, True, True)]


def test_an_undeclared_divergence_exits_1() -> None:
    def drop_expiry(body: Any) -> Any:
        return {key: value for key, value in body.items() if key != "expiresIn"}

    app = Rewrite(FakeAuth().wsgi_app, "/ovok/auth/b2b/login", drop_expiry)
    out = io.StringIO()
    with LiveServer(app) as server:
        args = cli.command_parser().parse_args(["verify", "--base-url", f"ovok={server.url}/ovok"])
        status = command.run(args, out, environ={})

    table = rows(out.getvalue())
    assert status == 1
    assert table["ovok.login"] == ["200", "200", "diverge", "NO"]
    assert "1 diverge undeclared" in out.getvalue()


def test_diverge_names_what_it_can_switch() -> None:
    with pytest.raises(ConfigurationError) as raised:
        verify.diverge(FakeAuth(), "ovok.logout.repeat")

    assert str(raised.value) == (
        "fakeauth: cannot diverge on 'ovok.logout.repeat'; the behaviours it can switch are: "
        "waltid.logout"
    )


def test_accounts_the_run_creates_carry_the_prefix() -> None:
    fake = FakeAuth()

    Runner(Target.in_process(fake)).run()

    created = fake.export_accounts()
    emails = [account["email"] for accounts in created.values() for account in accounts]
    assert len(emails) == 3  # one for each vendor
    assert all(email.startswith(verify.ACCOUNT_PREFIX) for email in emails)


def test_accounts_from_the_environment_are_seeded_and_nothing_is_registered() -> None:
    environ = {}
    for vendor in VENDORS:
        environ[f"FAKEAUTH_VERIFY_{vendor.upper()}_EMAIL"] = f"given.{vendor}@example.org"
        environ[f"FAKEAUTH_VERIFY_{vendor.upper()}_PASSWORD"] = SECRET_PASSWORD
    runner = Runner(Target.from_env(environ=environ))

    results = runner.run()

    skipped = [result.check.id for result in results if result.skipped]
    assert skipped == ["ovok.register", "b2core.signup", "waltid.register"]
    assert [result.check.id for result in results if not result.matched] == []
    assert runner.secrets.count(SECRET_PASSWORD) >= 3


# -- safety -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "//127.0.0.2:9/auth/me",
        "@127.0.0.2:9/auth/me",
        "/../auth/me",
        "/%2e%2e/auth/me",
        "http://127.0.0.2:9/auth/me",
        ":9/auth/me",
    ],
)
def test_a_url_outside_the_base_url_is_refused(path: str) -> None:
    transport = verify.HttpTransport("http://127.0.0.1:9/ovok")

    with pytest.raises(verify.HostRefusedError, match="fakeauth verify calls only the URLs"):
        transport.url(path)


def test_a_check_that_would_leave_the_target_sends_nothing_there() -> None:
    with socket.socket() as elsewhere, LiveServer(FakeAuth().wsgi_app) as server:
        elsewhere.bind(("127.0.0.1", 0))
        elsewhere.listen()
        elsewhere.setblocking(False)
        port = elsewhere.getsockname()[1]
        check = Check(
            id="ovok.escape",
            vendor="ovok",
            title="a step that names another host",
            steps=(Step(method="GET", path=f"//127.0.0.1:{port}/auth/me"),),
        )
        target = Target("the server", base_urls={"ovok": f"{server.url}/ovok"})

        result = Runner(target).run_check(check)

        with pytest.raises(BlockingIOError):
            elsewhere.accept()  # no connection is waiting: none was made
    assert result.target[0].error.startswith("refused to send to")


def test_a_redirect_is_an_answer_not_followed() -> None:
    def redirect(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("302 Found", [("Location", location), ("Content-Length", "0")])
        return [b""]

    with socket.socket() as elsewhere, LiveServer(redirect) as server:
        elsewhere.bind(("127.0.0.1", 0))
        elsewhere.listen()
        elsewhere.setblocking(False)
        location = f"http://127.0.0.1:{elsewhere.getsockname()[1]}/auth/me"

        answer = verify.HttpTransport(server.url).send("GET", "/auth/me", {}, None)

        with pytest.raises(BlockingIOError):
            elsewhere.accept()
    assert answer.status == 302


def test_no_secret_is_printed_even_when_the_target_echoes_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def echo_password(body: Any) -> Any:  # a vendor that writes the password into its error
        if body.get("statusCode") != 401:
            return body
        return {**body, "message": f"wrong password {SECRET_PASSWORD}-wrong"}

    fake = FakeAuth()
    fake.ovok.add_tenant(TENANT)
    fake.ovok.add_client(TENANT, tenant_id=TENANT)
    fake.ovok.add_account(email=SECRET_EMAIL, password=SECRET_PASSWORD, tenant_id=TENANT)
    for name, value in {
        "EMAIL": SECRET_EMAIL,
        "PASSWORD": SECRET_PASSWORD,
        "TENANT": TENANT,
        "CLIENT": TENANT,
    }.items():
        monkeypatch.setenv(f"FAKEAUTH_VERIFY_OVOK_{name}", value)
    outputs = []
    with LiveServer(Rewrite(fake.wsgi_app, "/ovok/auth/b2b/login", echo_password)) as server:
        for form in ("table", "json"):
            out = io.StringIO()
            args = ["verify", "--base-url", f"ovok={server.url}/ovok", "--format", form]
            status = command.run(cli.command_parser().parse_args(args), out)
            outputs.append(out.getvalue())

    table, document = outputs
    assert status == 0  # the rewritten error text diverges, as declared
    assert rows(table)["ovok.register"][3].startswith("the account is given in")
    assert rows(table)["ovok.login"][2] == "match"  # the fresh fake was seeded with the account
    assert rows(table)["ovok.login.wrong-password"][2] == "diverge"
    assert f'"wrong password {redacted(SECRET_PASSWORD)}-wrong"' in table  # reached, redacted
    for output in outputs:
        for secret in (SECRET_PASSWORD, SECRET_EMAIL, TENANT, "eyJ"):
            assert secret not in output
    assert json.loads(document)["exit_status"] == 0


# -- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "environ", "message"),
    [
        (
            ["--base-url", "http://127.0.0.1:9"],
            {},
            "--base-url 'http://127.0.0.1:9': say whose it is, as VENDOR=URL",
        ),
        (
            ["--vendor", "b2core", "--base-url", "ovok=http://127.0.0.1:9/ovok"],
            {},
            "no base URL for b2core: give --base-url b2core=URL",
        ),
        (["--base-url", "ovok=ftp://x"], {}, "'ftp://x' is not a base URL"),
        (
            [],
            {"FAKEAUTH_VERIFY_WALTID_EMAIL": "a@example.org"},
            "set both FAKEAUTH_VERIFY_WALTID_EMAIL and FAKEAUTH_VERIFY_WALTID_PASSWORD",
        ),
        (["--timeout", "0"], {}, "--timeout takes a number of seconds above 0"),
    ],
)
def test_usage_errors_exit_2_with_a_sentence(
    args: list[str], environ: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = command.run(cli.command_parser().parse_args(["verify", *args]), environ=environ)

    assert status == 2
    assert message in capsys.readouterr().err


def test_a_bare_url_with_one_vendor_and_a_url_from_the_environment() -> None:
    outputs = []
    with FakeAuth().serve() as server:
        for args, environ in (
            (["--vendor", "b2core", "--base-url", server.url_for("b2core")], {}),
            ([], {"FAKEAUTH_VERIFY_WALTID_URL": server.url_for("waltid")}),
        ):
            out = io.StringIO()
            status = command.run(cli.command_parser().parse_args(["verify", *args]), out, environ)
            outputs.append((status, list(rows(out.getvalue()))))

    assert outputs == [
        (0, [check.id for check in verify.checks("b2core")]),
        (0, [check.id for check in verify.checks("waltid")]),
    ]


def test_serve_refuses_an_unknown_divergence(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--diverge", "nope", "--port", "0"]) == 2
    assert "fakeauth: cannot diverge on 'nope'" in capsys.readouterr().err


def test_the_default_run_prints_the_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["verify", "--vendor", "b2core"]) == 0
    table = capsys.readouterr().out
    assert cli.main(["verify", "--vendor", "b2core", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)

    assert table.startswith(
        "fakeauth verify: a fresh fake (fakeauth) against a fresh fake (target)\n"
        "No URL is named, so the target is a fresh fake too and every check matches by "
        "construction;\n"
    )
    assert list(rows(table)) == [check.id for check in verify.checks("b2core")]
    assert [item["check"] for item in document["checks"]] == list(rows(table))
    assert document["checks"][1]["declared"] == {"id": "b2core.signin.final", "kind": "SRC"}
    tokens = document["checks"][1]["target"][1]["body"]["data"]["accessToken"]
    assert tokens == {"createdAt": "string", "expiresAt": "string", "token": "string"}


# -- through pytest, as the README shows ----------------------------------------------------


@pytest.fixture(scope="module")
def vendor_runner() -> verify.Runner:
    """One runner for the module: the target your environment names, else a fresh fake."""
    return verify.Runner(verify.Target.from_env(environ={}))  # your suite: from_env()


@pytest.mark.parametrize("check", verify.checks(), ids=str)
def test_vendor_contract(vendor_runner: verify.Runner, check: verify.Check) -> None:
    result = vendor_runner.run_check(check)

    assert result.ok, result.explain()


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    read, write = os.pipe()
    os.close(read)  # no reader at all: the first write fails with EPIPE, every time
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "fakeauth.cli", "verify", "--vendor", "waltid"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)

    assert (completed.returncode, completed.stderr) == (0, "")


def test_python_m_fakeauth_verify_runs_the_command() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FAKEAUTH_")}

    done = subprocess.run(
        [sys.executable, "-m", "fakeauth.verify", "--vendor", "b2core", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environ,
    )

    document = json.loads(done.stdout)
    assert (done.returncode, done.stderr) == (0, "")
    assert (document["target"], document["exit_status"]) == ("a fresh fake", 0)
    assert [item["check"] for item in document["checks"]] == [
        check.id for check in verify.checks("b2core")
    ]
