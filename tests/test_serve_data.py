"""``fakeauth serve --data FILE`` (and ``--import``, ``--export-on-exit``) across real restarts,
with curl holding the tokens: a front end's stored credentials keep working after the server
restarts, after a clean stop and after a SIGKILL.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from serving import REGISTER, TIMEOUT, Serve

from fakeauth import FakeAuth
from fakeauth.cli import main
from fakeauth.persistence.files import DataWriter, dumps
from fakeauth.persistence.serve import ServeFiles


def register(server: Serve) -> dict[str, str]:
    status, body = server.curl("POST", "/auth/b2b/register", REGISTER)
    assert status == 200, body
    return {"access": body["accessToken"], "refresh": body["refreshToken"]}


def wait_until(check: Any) -> None:
    """Poll ``check()`` until it is true: at most 100 times in at most TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    for _ in range(100):
        if check():
            return
        if time.monotonic() > deadline:
            break
        threading.Event().wait(0.1)
    raise AssertionError("the condition did not come true in time")


def holds_account(path: Path) -> bool:
    try:
        lane = json.loads(path.read_text())["lanes"]["default"]
    except (OSError, ValueError, KeyError):
        return False
    return [a["email"] for a in lane["ovok"]["accounts"]] == [REGISTER["email"]]


def test_data_survives_a_sigkill(tmp_path: Path, servers: list[Serve]) -> None:
    data = tmp_path / "state.json"
    servers.append(first := Serve("--data", str(data), "--quiet"))
    tokens = register(first)
    wait_until(lambda: holds_account(data))  # written within seconds of the change
    first.stop(signal.SIGKILL)

    servers.append(second := Serve("--data", str(data), "--quiet"))
    me, profile = second.curl("GET", "/auth/me", token=tokens["access"])
    refreshed, _ = second.curl("POST", "/auth/refresh-token", {"refresh_token": tokens["refresh"]})
    again, _ = second.curl("POST", "/auth/refresh-token", {"refresh_token": tokens["refresh"]})

    assert me == 200
    assert REGISTER["email"] in json.dumps(profile)
    assert refreshed == 200
    assert again == 401  # a refresh token is single use, across the restart too
    assert f"fakeauth: loading the state of {data}\n" in second.lines


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_export_on_exit_then_import(tmp_path: Path, servers: list[Serve], stop: int) -> None:
    state = tmp_path / "exported.json"
    servers.append(first := Serve("--export-on-exit", str(state), "--quiet"))
    tokens = register(first)
    status, _ = first.curl("POST", "/v1/auth/logout", token=register_second(first))
    assert status == 204
    assert first.stop(stop) == 0

    servers.append(second := Serve("--import", str(state), "--quiet"))
    me, _ = second.curl("GET", "/auth/me", token=tokens["access"])
    status, exported = second.curl("POST", "/_fakeauth/export")

    assert me == 200
    assert status == 200
    assert exported == json.loads(state.read_text())  # the same document, a process later


def register_second(server: Serve) -> str:
    status, body = server.curl("POST", "/auth/b2b/register", {**REGISTER, "email": "b@x.test"})
    assert status == 200
    return str(body["accessToken"])


def test_a_corrupted_data_file_is_refused_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "state.json"
    data.write_text('{"format": "fakeauth-state", "version": 1, "lanes": {')

    status = main(["serve", "--data", str(data), "--port", "0", "--quiet"])

    assert status == 2
    assert "is not JSON: it ends too early (truncated?)" in capsys.readouterr().err
    assert data.read_text() == '{"format": "fakeauth-state", "version": 1, "lanes": {'


def test_a_5_mb_email_in_a_data_file_is_refused_with_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeAuth()
    fake.ovok.add_account("ann@example.test", "s3cret")
    document = fake.export_state()
    document["lanes"]["default"]["ovok"]["accounts"][0]["email"] = "a" * 5_000_000 + "@x.test"
    data = tmp_path / "state.json"
    data.write_text(dumps(document))

    status = main(["serve", "--data", str(data), "--port", "0", "--quiet"])

    assert status == 2
    assert capsys.readouterr().err == (
        "fakeauth: the state document is not valid at lanes.default.ovok.accounts.0.email: "
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (5,000,007 characters) is not an email "
        "address Ovok accepts (class-validator isEmail); nothing was loaded\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "a.json", "--import", "b.json"], "--data both loads and writes its file"),
        (["--import", "b.json", "--seed", "s.json"], "--import starts from a whole state"),
    ],
)
def test_conflicting_state_options_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["serve", *argv, "--port", "0", "--quiet"])

    assert status == 2
    assert message in capsys.readouterr().err


def test_the_writer_gathers_changes_and_writes_on_stop(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    renders: list[int] = []

    def render() -> str:
        renders.append(1)
        return dumps({"renders": len(renders)})

    writer = DataWriter(path, render, interval=0.05)
    writer.start()
    for _ in range(5):  # a burst of changes: one write
        writer.mark()
    wait_until(path.exists)
    writer.stop()

    assert json.loads(path.read_text()) == {"renders": len(renders)}
    assert len(renders) <= 3  # the burst (one or two writes), then the final write on stop


def test_a_data_file_that_cannot_be_written_is_said_on_the_first_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "no-such-directory" / "state.json"

    status = main(["serve", "--data", str(data), "--port", "0", "--quiet"])

    assert status == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (
        f"fakeauth: cannot write the --data file {str(data)!r}: No such file or directory; give "
        "a file in a directory that exists and that this process may write to"
    )


def test_an_export_file_that_cannot_be_written_is_said_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "no-such-directory" / "state.json"

    status = main(["serve", "--export-on-exit", str(export), "--port", "0", "--quiet"])

    assert status == 2
    assert capsys.readouterr().err == (
        f"fakeauth: cannot write the --export-on-exit file {str(export)!r}: No such file or "
        "directory; give a file in a directory that exists and that this process may write to\n"
    )


def test_an_export_that_fails_at_the_stop_is_said_not_raised(tmp_path: Path) -> None:
    directory = tmp_path / "kept"
    directory.mkdir()
    export = directory / "state.json"
    files = ServeFiles(
        argparse.Namespace(
            import_file=None, export_on_exit=str(export), data=None, export_journal=False,
            seed=None,
        )
    )  # fmt: skip
    assert files.document() is None  # the folder is there at start
    files.attach(FakeAuth())
    files.start()
    directory.rmdir()  # gone during the run

    failure = files.stop()

    assert failure == (
        f"fakeauth: the --export-on-exit file {str(export)!r} could not be written (No such file "
        "or directory): this run's state is not exported; give a file in a directory that exists "
        "and that this process may write to"
    )


def test_a_failed_last_write_of_the_data_file_is_said(tmp_path: Path) -> None:
    directory = tmp_path / "kept"
    directory.mkdir()
    data = directory / "state.json"
    files = ServeFiles(
        argparse.Namespace(
            import_file=None, export_on_exit=None, data=str(data), export_journal=False, seed=None
        )
    )
    files.attach(FakeAuth())
    files.wrap(FakeAuth().wsgi_app)
    files.start()
    data.unlink()
    directory.rmdir()  # where the last write goes is gone (as a full or read-only disk refuses)

    failure = files.stop()

    assert failure == (
        f"fakeauth: the last write of the --data file {str(data)!r} failed (No such file or "
        "directory): the changes since its last good write are lost; free the disk or make the "
        "file writable before the next run"
    )
