"""``fakeauth serve`` as a user runs it: a real process, a real socket, Ctrl-C."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import IO

import pytest

from fakeauth.cli import main

REGISTER_BODY = {
    "email": "max.mustermann@example.com",
    "password": "A[.DmUv]2vE|n_+]",
    "name": "Max",
    "surname": "Mustermann",
    "tenantId": "87ea5dfc-8b8e-384d-8489-79496e706390",
    "clientId": "87ea5dfc-8b8e-384d-8489-79496e706390",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_banner(stdout: IO[str]) -> list[str]:
    """The lines up to "Ctrl-C stops."; fails at once if the process ends first."""
    lines: list[str] = []
    while (line := stdout.readline()) != "Ctrl-C stops.\n":
        assert line, f"fakeauth serve ended early after: {lines}"
        lines.append(line)
    return lines


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_prints_the_defaults_serves_logs_and_stops_cleanly(stop: signal.Signals) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fakeauth.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        banner = read_banner(process.stdout)
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
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)

    assert first == f"fakeauth 0.1.0 serving on http://127.0.0.1:{port}\n"
    assert "  tenantId      87ea5dfc-8b8e-384d-8489-79496e706390\n" in banner
    assert status == 200
    assert body["project"]["display"] == "My Medical Project"
    assert log_line.startswith("POST /auth/b2b/register -> 200 (")
    assert process.returncode == 0
    assert "fakeauth: stopping" in out
    assert "Traceback" not in err


def test_serve_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        status = main(["serve", "--port", str(port), "--quiet"])

    assert status == 2
    assert f"fakeauth: cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


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
        process.communicate(timeout=20)

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
