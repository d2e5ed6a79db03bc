"""Helpers of the tests that run ``fakeauth serve`` as a real process."""

from __future__ import annotations

import socket
from typing import IO


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
