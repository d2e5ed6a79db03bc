"""``fakeauth run -- COMMAND`` as a user runs it (a real process, a real command), and its exit
paths that only an injected server can provoke (in process)."""

from __future__ import annotations

import json
import os
import pty
import re
import selectors
import shlex
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from serving import REGISTER, TIMEOUT, free_port
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.cli import main
from fakeauth.run import PROBE_PATH, Probe, environment, run
from fakeauth.run.signals import Signals
from fakeauth.transports.server import LiveServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PYTHON = sys.executable
#: A command that prints what it finds of the server: the variables, and an Ovok answer.
PRINTS_THE_SERVER = """
import json, os, urllib.error, urllib.request
try:
    urllib.request.urlopen(os.environ["FAKEAUTH_OVOK_URL"] + "/auth/me")
except urllib.error.HTTPError as exc:
    me = exc.code
print(json.dumps({
    "env": {k: v for k, v in os.environ.items() if k.startswith("FAKEAUTH_")},
    "me": me,
}))
"""
#: A command that registers Ann on Ovok, says "ready" and waits for a signal.
REGISTERS_THEN_WAITS = f"""
import json, os, signal, sys, urllib.request
body = {REGISTER!r}
request = urllib.request.Request(os.environ["FAKEAUTH_OVOK_URL"] + "/auth/b2b/register",
                                 data=json.dumps(body).encode(),
                                 headers={{"Content-Type": "application/json"}})
urllib.request.urlopen(request).close()
if sys.argv[1:] == ["handles-sigterm"]:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(5))
if sys.argv[1:] == ["dies-of-sigint"]:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # no KeyboardInterrupt traceback
print("ready", flush=True)
signal.pause()
"""
#: A command that logs Ann in and prints the status.
LOGS_IN = f"""
import json, os, urllib.request
body = {REGISTER!r}
body.pop("name"), body.pop("surname")
request = urllib.request.Request(os.environ["FAKEAUTH_OVOK_URL"] + "/auth/b2b/login",
                                 data=json.dumps(body).encode(),
                                 headers={{"Content-Type": "application/json"}})
print(urllib.request.urlopen(request).status)
"""
#: A command that registers Ann on Ovok, removes the folder given (if any), exits with the status
#: given.
REGISTERS_THEN_EXITS = f"""
import json, os, sys, urllib.request
body = {REGISTER!r}
request = urllib.request.Request(os.environ["FAKEAUTH_OVOK_URL"] + "/auth/b2b/register",
                                 data=json.dumps(body).encode(),
                                 headers={{"Content-Type": "application/json"}})
urllib.request.urlopen(request).close()
if sys.argv[2:]:
    os.rmdir(sys.argv[2])
sys.exit(int(sys.argv[1]))
"""


def _fakeauth_run(*argv: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    # A session of its own: no controlling terminal, as in CI (a SIGINT is then passed on).
    return subprocess.Popen(
        [PYTHON, "-m", "fakeauth.cli", "run", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        start_new_session=True,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, out, err


def test_the_command_finds_the_server_in_its_environment_and_its_status_is_the_exit() -> None:
    process = _fakeauth_run("--quiet", "--", PYTHON, "-c", PRINTS_THE_SERVER)

    status, out, err = _finish(process)

    printed = json.loads(out)  # the command's standard output holds nothing of fakeauth's
    url = printed["env"]["FAKEAUTH_URL"]
    assert status == 0
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert printed["env"] == {
        "FAKEAUTH_URL": url,
        "FAKEAUTH_OVOK_URL": f"{url}/ovok",
        "FAKEAUTH_B2CORE_URL": f"{url}/b2core",
        "FAKEAUTH_WALTID_URL": f"{url}/waltid",
    }
    assert printed["me"] == 401  # Ovok answered, on the server of the run
    assert err.splitlines()[0].startswith(f"fakeauth: 0.1.0 serving on {url}; running ")
    assert err.splitlines()[-1].endswith(" exited with 0; the server stopped")


def test_a_server_bound_on_every_interface_is_given_to_the_command_through_loopback() -> None:
    process = _fakeauth_run("--host", "0.0.0.0", "--quiet", "--", PYTHON, "-c", PRINTS_THE_SERVER)

    status, out, _ = _finish(process)

    assert status == 0
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", json.loads(out)["env"]["FAKEAUTH_URL"])
    assert json.loads(out)["me"] == 401


def test_the_commands_nonzero_status_is_the_exit_status() -> None:
    process = _fakeauth_run("--", PYTHON, "-c", "raise SystemExit(3)")

    status, out, err = _finish(process)

    assert status == 3
    assert out == ""
    assert err.splitlines()[-1] == (
        f"fakeauth: {PYTHON} -c 'raise SystemExit(3)' exited with 3; the server stopped"
    )


def test_a_command_that_does_not_exist_exits_127() -> None:
    process = _fakeauth_run("--", "fakeauth-no-such-command", "--flag")

    status, _, err = _finish(process)

    assert status == 127
    assert err.splitlines()[-1] == (
        "fakeauth: cannot run fakeauth-no-such-command --flag: there is no command "
        "'fakeauth-no-such-command'; check its name and PATH"
    )


def test_a_command_that_cannot_be_executed_exits_126(tmp_path: Path) -> None:
    script = tmp_path / "check.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(stat.S_IRUSR | stat.S_IWUSR)  # not executable

    status, _, err = _finish(_fakeauth_run("--", str(script)))

    assert status == 126
    assert err.splitlines()[-1] == (
        f"fakeauth: cannot run {script}: Permission denied; make it executable (chmod +x) or "
        "run it through its interpreter"
    )


def test_a_port_already_taken_exits_125_and_the_command_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    command = [PYTHON, "-c", f"open({str(marker)!r}, 'w')"]
    with socket.socket() as busy:  # another process's server on the port
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        status, out, err = _finish(_fakeauth_run("--port", str(port), "--", *command))

    assert status == 125
    assert out == ""
    assert err == (
        f"fakeauth: cannot listen on 127.0.0.1:{port}: Address already in use; give another "
        f"--port, or leave --port out for a free one. {shlex.join(command)} did not run.\n"
    )
    assert not marker.exists()


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--quiet"])

    assert info.value.code == 2
    assert capsys.readouterr().err.endswith(
        "fakeauth run: error: give the command to run after --: fakeauth run -- npm test\n"
    )


@pytest.mark.parametrize(
    ("handles", "expected", "last"),
    [
        ("dies", 128 + signal.SIGTERM, "died of SIGTERM (exit status 143)"),
        ("handles-sigterm", 5, "exited with 5"),
    ],
)
def test_sigterm_is_passed_on_then_the_state_is_exported(
    tmp_path: Path, handles: str, expected: int, last: str
) -> None:
    export = tmp_path / "state.json"
    process = _fakeauth_run(
        "--quiet", "--export-on-exit", str(export), "--", PYTHON, "-c", REGISTERS_THEN_WAITS,
        handles,
    )  # fmt: skip
    assert process.stdout is not None
    ready = process.stdout.readline()  # the command registered Ann and waits

    process.send_signal(signal.SIGTERM)
    status, _, err = _finish(process)

    assert ready == "ready\n"
    assert status == expected
    assert f"fakeauth: passed SIGTERM on to {PYTHON} -c " in err
    assert err.splitlines()[-1].endswith(f" {handles} {last}; the server stopped")
    assert "ann@example.test" in export.read_text()


def test_ctrl_c_is_passed_on_and_the_exit_is_130() -> None:
    process = _fakeauth_run("--quiet", "--", PYTHON, "-c", REGISTERS_THEN_WAITS, "dies-of-sigint")
    assert process.stdout is not None
    ready = process.stdout.readline()

    process.send_signal(signal.SIGINT)  # no terminal: only fakeauth gets it, and passes it on
    status, _, err = _finish(process)

    assert ready == "ready\n"
    assert status == 128 + signal.SIGINT
    assert f"fakeauth: passed SIGINT on to {PYTHON} -c " in err
    assert err.splitlines()[-1].endswith(" died of SIGINT (exit status 130); the server stopped")
    assert "Traceback" not in err


#: Makes its standard input (a pseudo-terminal) the terminal of its session, then runs fakeauth.
WITH_A_TERMINAL = """
import fcntl, os, sys, termios
fcntl.ioctl(0, termios.TIOCSCTTY, 0)
os.execv(sys.executable, [sys.executable, "-m", "fakeauth.cli", *sys.argv[1:]])
"""


def _read_until(fd: int, wanted: bytes) -> bytes:
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while wanted not in seen and selector.select(TIMEOUT):  # a bound, never an assertion
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: every process holding the terminal has ended
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_ctrl_c_at_a_terminal_reaches_the_command_from_the_terminal_not_twice() -> None:
    # The terminal sends Ctrl-C's SIGINT to its whole foreground process group: fakeauth and the
    # command. Passing it on too would be a second Ctrl-C (which many runners take as "force").
    terminal, child_end = pty.openpty()
    argv = ["run", "--quiet", "--", PYTHON, "-c", REGISTERS_THEN_WAITS, "dies-of-sigint"]
    process = subprocess.Popen(
        [PYTHON, "-c", WITH_A_TERMINAL, *argv],
        stdin=child_end,
        stdout=child_end,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    os.close(child_end)
    try:
        ready = _read_until(terminal, b"ready")

        os.write(terminal, b"\x03")  # Ctrl-C typed at the terminal
        status, _, err = _finish(process)
    finally:
        os.close(terminal)

    assert b"ready" in ready
    assert status == 128 + signal.SIGINT
    assert f"fakeauth: Ctrl-C reached {PYTHON} -c " in err
    assert "passed SIGINT" not in err


def test_the_data_file_keeps_the_state_from_one_run_to_the_next(tmp_path: Path) -> None:
    data = tmp_path / "state.json"
    first = _fakeauth_run("--quiet", "--data", str(data), "--", PYTHON, "-c", REGISTERS_THEN_WAITS)
    assert first.stdout is not None
    first.stdout.readline()
    first.send_signal(signal.SIGTERM)
    _finish(first)

    status, out, _ = _finish(
        _fakeauth_run("--quiet", "--data", str(data), "--", PYTHON, "-c", LOGS_IN)
    )

    assert (status, out) == (0, "200\n")


def test_the_state_is_exported_when_the_command_ends_and_its_status_is_kept(
    tmp_path: Path,
) -> None:
    export = tmp_path / "state.json"
    command = [PYTHON, "-c", REGISTERS_THEN_EXITS, "3"]

    status, out, err = _finish(
        _fakeauth_run("--quiet", "--export-on-exit", str(export), "--", *command)
    )

    assert (status, out) == (3, "")
    assert "ann@example.test" in export.read_text()
    assert err.endswith(  # the command's text spans lines: compare the tail whole
        f"fakeauth: wrote the state to {export}\n"
        f"fakeauth: {shlex.join(command)} exited with 3; the server stopped\n"
    )


def test_an_export_file_that_cannot_be_written_stops_the_run_before_the_command(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "ran"
    export = tmp_path / "no-such-directory" / "state.json"

    status, out, err = _finish(
        _fakeauth_run(
            "--export-on-exit", str(export), "--", PYTHON, "-c", f"open({str(marker)!r}, 'w')"
        )
    )

    assert (status, out) == (2, "")
    assert err == (
        f"fakeauth: cannot write the --export-on-exit file {str(export)!r}: No such file or "
        "directory; give a file in a directory that exists and that this process may write to\n"
    )
    assert not marker.exists()


@pytest.mark.parametrize(("exits", "expected"), [(0, 1), (3, 3)])
def test_an_export_that_fails_when_the_command_ends_is_said_and_fails_the_run(
    tmp_path: Path, exits: int, expected: int
) -> None:
    directory = tmp_path / "exports"
    directory.mkdir()
    export = directory / "state.json"
    command = [PYTHON, "-c", REGISTERS_THEN_EXITS, str(exits), str(directory)]

    status, _, err = _finish(
        _fakeauth_run("--quiet", "--export-on-exit", str(export), "--", *command)
    )

    assert status == expected  # a passing command fails: its state was not kept
    assert err.endswith(
        f"fakeauth: {shlex.join(command)} exited with {exits}; the server stopped\n"
        f"fakeauth: the --export-on-exit file {str(export)!r} could not be written (No such "
        "file or directory): this run's state is not exported; give a file in a directory that "
        "exists and that this process may write to\n"
    )
    assert "Traceback" not in err


# -- in process: the server that does not come up -----------------------------------------------


class _Files:
    """State files that record their calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")

    def stop(self) -> None:
        self.calls.append("stop")


class _Elsewhere:
    """A server that binds nothing: the run finds whatever listens on ``port``."""

    def __init__(self, port: int) -> None:
        self.host = "127.0.0.1"
        self.port = port
        self.stopped = False

    def start(self) -> _Elsewhere:
        return self

    def stop(self) -> None:
        self.stopped = True


def _hello(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_a_server_that_answers_as_another_exits_125_and_the_command_never_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    files = _Files()
    with LiveServer(_hello) as other:  # what a run would find if it probed another's server
        port = other.port
        elsewhere = _Elsewhere(port)

        status = run(
            [PYTHON, "-c", f"open({str(marker)!r}, 'w')"],
            FakeAuth().wsgi_app,
            files,
            lambda app: elsewhere,
            where=f"127.0.0.1:{port}",
        )

    assert status == 125
    assert capsys.readouterr().err.startswith(
        f"fakeauth: the server on http://127.0.0.1:{port} is not serving: it answered, "
        "but not as this run's server (HTTP 200): another process may hold the address. "
    )
    assert not marker.exists()
    assert (files.calls, elsewhere.stopped) == (["start", "stop"], True)


def test_a_server_that_never_answers_exits_125_after_the_ready_timeout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as silent:  # accepts into its backlog, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]

        status = run(
            ["true"],
            FakeAuth().wsgi_app,
            _Files(),
            lambda app: _Elsewhere(port),
            where=f"127.0.0.1:{port}",
            ready_timeout=0.2,
        )

    assert status == 125
    assert capsys.readouterr().err == (
        f"fakeauth: the server on http://127.0.0.1:{port} is not serving: it did not answer "
        "within 0.2 s (timed out). true did not run.\n"
    )


def test_a_server_nothing_listens_for_exits_125(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()

    status = run(
        ["true"],
        FakeAuth().wsgi_app,
        _Files(),
        lambda app: _Elsewhere(port),
        where=f"127.0.0.1:{port}",
        ready_timeout=0.2,
    )

    assert status == 125
    assert capsys.readouterr().err == (
        f"fakeauth: the server on http://127.0.0.1:{port} is not serving: it did not answer "
        "within 0.2 s ([Errno 111] Connection refused). true did not run.\n"
    )


class _SignalledFiles(_Files):
    """State files whose start brings a SIGTERM, as if sent while the server starts."""

    def start(self) -> None:
        super().start()
        signal.raise_signal(signal.SIGTERM)


def test_a_signal_before_the_command_starts_stops_the_run_without_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    files = _SignalledFiles()
    handler = signal.getsignal(signal.SIGTERM)

    status = run(
        [PYTHON, "-c", f"open({str(marker)!r}, 'w')"],
        FakeAuth().wsgi_app,
        files,
        lambda app: LiveServer(app),
        where="127.0.0.1:0",
    )

    assert status == 128 + signal.SIGTERM
    assert capsys.readouterr().err.startswith("fakeauth: stopped by SIGTERM before ")
    assert not marker.exists()
    assert files.calls == ["start", "stop"]
    assert signal.getsignal(signal.SIGTERM) is handler  # put back


# -- the pieces -----------------------------------------------------------------------------------


def test_the_probe_answers_only_its_secret_and_passes_the_rest_on() -> None:
    fake = FakeAuth()
    client = Client(Probe(fake.wsgi_app, "s3cret"))

    mine = client.get(f"{PROBE_PATH}s3cret")
    other = client.get(f"{PROBE_PATH}guess")
    vendor = client.get("/auth/me", headers={"Host": "api.dev.ovok.com"})

    assert (mine.status_code, mine.data) == (200, b"s3cret")
    assert other.status_code == 404
    assert vendor.status_code == 401
    assert len(fake.journal) == 1  # the vendor request alone: the probe is never recorded
    assert Probe(fake.wsgi_app, "x").body_limit("POST", "/auth/b2b/login", "") == 100 * 1024
    assert Probe(_hello, "x").body_limit("GET", "/", "") is None


def test_a_signal_received_while_the_command_starts_is_passed_on_once_it_has() -> None:
    signals = Signals()
    signals.receive(signal.SIGTERM, None)  # after the probe, before the child exists
    child = subprocess.Popen([PYTHON, "-c", "import signal; signal.pause()"])
    try:
        signals.attach(child)
        code = child.wait(timeout=TIMEOUT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    assert code == -signal.SIGTERM
    assert (signals.received, signals.passed_on) == ([signal.SIGTERM], [signal.SIGTERM])
    assert signals.stopping.is_set()


def test_the_environment_names_every_vendors_base_url() -> None:
    assert environment("http://[::1]:9") == {
        "FAKEAUTH_URL": "http://[::1]:9",
        "FAKEAUTH_OVOK_URL": "http://[::1]:9/ovok",
        "FAKEAUTH_B2CORE_URL": "http://[::1]:9/b2core",
        "FAKEAUTH_WALTID_URL": "http://[::1]:9/waltid",
    }
