"""What concurrent large control bodies cost the live server in memory: ``--clients`` state
documents of about ``--mib`` MiB each, imported at once (``POST /_fakeauth/import``) into one
``fakeauth serve`` child; its peak and end resident memory, read from ``/proc/PID/status``
(``VmHWM``, ``VmRSS``; Linux only).

The document is a real export (Ovok accounts added until it reaches the size), written once and
sent by every client on its own connection. A tool, not a test: nothing here is asserted
(``--smoke`` proves it runs; its figures mean nothing).

    .venv/bin/python benchmarks/control_memory.py             # 4 x 60 MiB: about a minute
    .venv/bin/python benchmarks/control_memory.py --smoke     # 2 x 1 MiB: a few seconds
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from fakeauth import FakeAuth
from fakeauth.persistence.files import dumps

MIB = 1024 * 1024
PASSWORD = "s3cret-Pa55word"
#: Seconds for one import (from the first byte sent to the answer), a bound, not a figure.
TIMEOUT = 600


def document(mib: float) -> bytes:
    """A state document of about ``mib`` MiB: a fake's export, with accounts enough."""
    per_account = 570  # bytes of export per Ovok account, measured
    fake = FakeAuth()  # the options of a plain ``fakeauth serve``: the import takes it as is
    for i in range(max(1, int(mib * MIB / per_account))):
        fake.ovok.add_account(email=f"user{i}@example.test", password=PASSWORD)
    return dumps(fake.export_state()).encode()


def status_of(pid: int) -> dict[str, int]:
    """``VmHWM`` and ``VmRSS`` of process ``pid``, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            found[name] = int(value.split()[0])
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(port: int, body: bytes, answers: list[tuple[int, bytes]]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("POST", "/_fakeauth/import", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        answers.append((response.status, response.read()[:200]))
    finally:
        connection.close()


def measure(clients: int, mib: float) -> dict[str, object]:
    """Start a server, import ``clients`` documents at once; its memory before, at peak, after."""
    body = document(mib)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fakeauth.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        while server.stdout.readline() not in ("Ctrl-C stops.\n", ""):
            pass
        before = status_of(server.pid)
        answers: list[tuple[int, bytes]] = []
        threads = [
            threading.Thread(target=post, args=(port, body, answers)) for _ in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        after = status_of(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
    return {
        "clients": clients,
        "document_mib": round(len(body) / MIB, 1),
        "statuses": sorted(status for status, _ in answers),
        "seconds": round(seconds, 1),
        "rss_before_mib": round(before["VmRSS"] / 1024),
        "peak_mib": round(after["VmHWM"] / 1024),
        "rss_after_mib": round(after["VmRSS"] / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="imports at once (default 4)")
    parser.add_argument("--mib", type=float, default=60.0, help="MiB per document (default 60)")
    parser.add_argument("--smoke", action="store_true", help="2 x 1 MiB: proves it runs")
    args = parser.parse_args(argv)
    clients, mib = (2, 1.0) if args.smoke else (args.clients, args.mib)
    print(json.dumps(measure(clients, mib), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
