"""``fakeauth serve`` as a user runs it: a real process, a real socket, Ctrl-C."""

from __future__ import annotations

import contextlib
import io
import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from serving import free_port, read_banner

from fakeauth import FakeAuth, cli
from fakeauth.cli import loggable, main
from fakeauth.request_log import RequestLog
from fakeauth.transports.server import LiveServer

REGISTER_BODY = {
    "email": "max.mustermann@example.com",
    "password": "A[.DmUv]2vE|n_+]",
    "name": "Max",
    "surname": "Mustermann",
    "tenantId": "87ea5dfc-8b8e-384d-8489-79496e706390",
    "clientId": "87ea5dfc-8b8e-384d-8489-79496e706390",
}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_prints_the_defaults_serves_logs_and_stops_cleanly(stop: signal.Signals) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fakeauth.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready = False
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        banner = read_banner(process.stdout)
        ready = True  # the banner comes after the signal handlers are in place
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/auth/b2b/register",
            data=json.dumps(REGISTER_BODY).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
            body = json.loads(response.read())
        log_line = process.stdout.readline()
    finally:
        if ready:
            process.send_signal(stop)
        else:
            process.kill()  # it never got ready: a signal now would say nothing about stopping
        out, err = process.communicate(timeout=120)

    assert first == f"fakeauth 0.1.0 serving on http://127.0.0.1:{port}\n"
    assert "  tenantId      87ea5dfc-8b8e-384d-8489-79496e706390\n" in banner
    assert status == 200
    assert body["project"]["display"] == "My Medical Project"
    assert log_line.startswith("POST /auth/b2b/register -> 200 (")
    assert process.returncode == 0
    assert "fakeauth: stopping" in out
    assert "Traceback" not in err


#: What an earlier run exported (any text: a run that never listened must not touch it).
EARLIER_EXPORT = '{"an": "earlier run\'s state"}\n'


def test_serve_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        status = main(["serve", "--port", str(port), "--quiet"])

    assert status == 2
    assert f"fakeauth: cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_serve_that_cannot_listen_leaves_the_export_file_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = tmp_path / "state.json"
    earlier.write_text(EARLIER_EXPORT)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        status = main(["serve", "--port", str(port), "--quiet", "--export-on-exit", str(earlier)])

    assert status == 2
    assert earlier.read_text() == EARLIER_EXPORT
    assert "wrote the state" not in capsys.readouterr().out


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])

    assert info.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


def test_serve_starts_from_a_seed_file(tmp_path: Path) -> None:
    seed = tmp_path / "seed.toml"
    seed.write_text(
        '[[ovok.accounts]]\nemail = "ann@example.test"\npassword = "pw"\nname = "Ann"\n'
        '[features]\n"account-registration" = false\n'
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fakeauth.cli", "serve", "--port", str(port), "--seed", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        seeded = process.stdout.readline()
        read_banner(process.stdout)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_fakeauth/accounts") as response:
            accounts = json.loads(response.read())
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)

    assert seeded == (f"fakeauth: seeded from {seed}: 1 features, 1 ovok.accounts\n")
    assert [a["email"] for a in accounts["ovok"]] == ["ann@example.test"]


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("{not json", ".json", "does not parse"),
        ("[1, 2]", ".json", "must hold an object"),
        ('{"ovok": {"accounts": [{"email": "bad"}]}}', ".json", "ovok.accounts[0]: "),
    ],
)
def test_a_bad_seed_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, suffix: str, message: str
) -> None:
    seed = tmp_path / f"seed{suffix}"
    seed.write_text(content)

    status = main(["serve", "--seed", str(seed), "--port", "0"])

    assert status == 2
    assert message in capsys.readouterr().err


def test_a_missing_seed_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["serve", "--seed", str(tmp_path / "nope.json")])

    assert status == 2
    assert "cannot read the seed file" in capsys.readouterr().err


_IGNORING_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, '-m', 'fakeauth.cli', *sys.argv[1:]])"
)


def test_serve_started_in_the_background_stops_on_sigint_with_clients_connected() -> None:
    # A shell starts a background job (`fakeauth serve &`) with SIGINT ignored, and Python then
    # installs no handler of its own: fakeauth serve installs one.
    port = free_port()
    limits = ["--request-timeout", "0.3", "--max-connections", "4"]
    process = subprocess.Popen(
        [sys.executable, "-c", _IGNORING_SIGINT, "serve", "--port", str(port), *limits],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        read_banner(process.stdout)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as stalled:
            stalled.sendall(b"GET /auth/me HTTP/1.1\r\nHost: x\r\n")  # and nothing more
            timed_out = stalled.recv(65536)
        with contextlib.ExitStack() as clients:
            clients.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
            forged = clients.enter_context(
                socket.create_connection(("127.0.0.1", port), timeout=10)
            )
            forged.sendall(b"GET /auth/me%0d%0aPOST%20/forged%20-%3E%20200%1b[2J HTTP/1.1\r\n\r\n")
            forged.recv(65536)
            log_line = process.stdout.readline()
            process.send_signal(signal.SIGINT)  # with an idle and a served client connected
            out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert timed_out.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert log_line.startswith("GET /auth/me%0D%0APOST /forged -> 200%1B[2J -> 501 (")
    assert process.returncode == 0
    assert "fakeauth: stopping" in out
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("/auth/me", "/auth/me"),
        ("/a\r\nGET /forged -> 200", "/a%0D%0AGET /forged -> 200"),
        ("/\x1b[31mred\x7f", "/%1B[31mred%7F"),
        ("/caf\xc3\xa9", "/caf\u00e9"),  # UTF-8 bytes carried as latin-1, shown as UTF-8
        ("/\xc2\x85\xe2\x80\xa8", "/%C2%85%E2%80%A8"),  # NEL and LINE SEPARATOR
        ("/\xff\x9b", "/%FF%9B"),  # not UTF-8 (0x9b is a C1 CSI on some terminals)
    ],
    ids=["plain", "crlf", "escape and del", "utf-8", "unicode line breaks", "not utf-8"],
)
def test_the_request_log_escapes_control_characters(text: str, shown: str) -> None:
    assert loggable(text) == shown


def test_the_request_log_forwards_the_apps_body_limit() -> None:
    fake = FakeAuth()
    log = RequestLog(fake.wsgi_app, io.StringIO())

    assert log.body_limit("POST", "/auth/b2b/login", "") == 100 * 1024
    assert RequestLog(lambda environ, start: [], io.StringIO()).body_limit("GET", "/", "") is None


def test_the_limits_reach_the_server_and_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    made: dict[str, Any] = {}

    class Recording(LiveServer):
        def start(self) -> LiveServer:
            made["server"] = self
            raise OSError(98, "Address already in use")

    def recording_fake(**options: Any) -> FakeAuth:
        fake = FakeAuth(**options)
        made["fake"] = fake
        return fake

    monkeypatch.setattr(cli, "LiveServer", Recording)
    monkeypatch.setattr(cli, "FakeAuth", recording_fake)
    argv = ["serve", "--max-connections", "7", "--request-timeout", "2.5", "--journal-limit", "9"]

    status = main([*argv, "--quiet"])

    assert status == 2
    assert (made["server"].max_connections, made["server"].request_timeout) == (7, 2.5)
    assert made["fake"].journal.limit == 9


def test_the_defaults_of_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    made: dict[str, Any] = {}

    def recording_fake(**options: Any) -> FakeAuth:
        made.update(options)
        return FakeAuth(**options)

    monkeypatch.setattr(cli, "FakeAuth", recording_fake)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()

        main(["serve", "--port", str(busy.getsockname()[1]), "--quiet"])

    assert made == {"journal_limit": 10_000}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-connections", "0"], "argument --max-connections: expected a whole number of 1 "
         "or more, not '0'"),
        (["--journal-limit", "many"], "argument --journal-limit: expected a whole number of 1 "
         "or more, not 'many'"),
        (["--request-timeout", "-1"], "argument --request-timeout: expected a number of seconds "
         "above 0, not '-1'"),
        (["--request-timeout", "inf"], "argument --request-timeout: expected a number of "
         "seconds above 0, not 'inf'"),
        (["--request-timeout", "soon"], "argument --request-timeout: expected a number of "
         "seconds above 0, not 'soon'"),
        (["--max-lanes", "-1"], "argument --max-lanes: expected a whole number of 0 or more, "
         "not '-1'"),
        (["--max-lanes", "many"], "argument --max-lanes: expected a whole number of 0 or more, "
         "not 'many'"),
    ],
)  # fmt: skip
def test_bad_limits_are_a_clear_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", *argv])

    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_allow_host_takes_host_names_only(capsys: pytest.CaptureFixture[str]) -> None:
    from fakeauth.cli import command_parser

    args = command_parser().parse_args(
        ["serve", "--allow-host", "FakeAuth", "--allow-host", "e2e.test"]
    )
    with pytest.raises(SystemExit) as exit_info:
        command_parser().parse_args(["serve", "--allow-host", "http://fakeauth:8080"])

    assert args.allow_host == ["fakeauth", "e2e.test"]
    assert exit_info.value.code == 2
    assert (
        "'http://fakeauth:8080' is not a host name (give the name alone" in capsys.readouterr().err
    )


def test_serve_goes_on_when_the_reader_of_its_output_leaves() -> None:
    # `fakeauth serve | head -3`: the log's reader leaves; the server must go on serving
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fakeauth.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        read_banner(process.stdout)
        process.stdout.close()  # the reader leaves: every later write hits a broken pipe
        statuses = []
        for _ in range(3):  # the first log line breaks the pipe; the others must not matter
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/_fakeauth/status", headers={"Host": "127.0.0.1"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                statuses.append(response.status)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)

    assert statuses == [200, 200, 200]
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "BrokenPipeError" not in err


SERVE_URL = "http://127.0.0.1:8080"
BROKERS = ("https://broker-a.test", "https://Broker-B.test/")


@pytest.mark.parametrize("hosts", [("https://host.name",), BROKERS], ids=["default", "two"])
def test_the_banner_describes_b2core_unbuilt_as_its_built_state_does(
    hosts: tuple[str, ...],
) -> None:
    unbuilt, built = FakeAuth(b2core_hosts=hosts), FakeAuth(b2core_hosts=hosts)
    _ = built.b2core

    text = cli.banner(unbuilt, SERVE_URL)

    assert unbuilt.built_states() == []
    assert text == cli.banner(built, SERVE_URL)


def test_the_banner_describes_a_built_b2core_by_its_brokers() -> None:
    fake = FakeAuth()
    fake.b2core.add_broker("https://captcha.test", recaptcha=True)

    text = cli.banner(fake, SERVE_URL)

    assert "  broker        https://host.name (reCAPTCHA off)\n" in text
    assert "  broker        https://captcha.test (reCAPTCHA on)\n" in text
