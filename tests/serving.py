"""Helpers of the tests that run ``fakeauth serve`` as a real process."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from typing import IO, Any

#: Seconds for each curl call and each bounded wait (a bound, never an assertion).
TIMEOUT = 10

#: An Ovok registration of the documentation's tenant and client.
REGISTER = {
    "email": "ann@example.test",
    "password": "s3cret-Pa55word",
    "name": "Ann",
    "surname": "Example",
    "tenantId": "87ea5dfc-8b8e-384d-8489-79496e706390",
    "clientId": "87ea5dfc-8b8e-384d-8489-79496e706390",
}


def free_port() -> int:
    """A loopback port no one listens on now (the server binds it next)."""
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


class Serve:
    """One ``fakeauth serve`` process on a free loopback port."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fakeauth.cli", "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.lines = read_banner(self.process.stdout)

    def curl(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        command = ["curl", "-sS", "--max-time", str(TIMEOUT), "-X", method, f"{self.url}{path}"]
        command += ["-w", "\n%{http_code}", "-H", "Content-Type: application/json"]
        if token is not None:
            command += ["-H", f"Authorization: Bearer {token}"]
        if body is not None:
            command += ["--data-binary", json.dumps(body)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=True)
        text, _, status = done.stdout.rpartition("\n")
        return int(status), json.loads(text) if text.strip() else None

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=TIMEOUT)
        finally:
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
