"""``fakeauth serve`` as a user runs it: a real process, a real socket, Ctrl-C."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request

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
        banner = [first]
        while (line := process.stdout.readline()) != "Ctrl-C stops.\n":
            banner.append(line)
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
