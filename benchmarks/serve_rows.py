"""The ``startup`` group's row of ``fakeauth serve`` timed from exec to its first answer alone.

``startup.serve`` (in ``contenders.py``) times a child from exec until it has been stopped and
reaped after its first answer: its figure holds the stop and the interpreter's teardown too
(about 60 ms of it before ``fakeauth serve`` froze its start, 15 ms after). This row stops the
clock once the first answer has been read; the children of a batch are stopped and reaped after
it, untimed (the ``exit`` hook), while they sleep idle. The same command, environment and
request as ``startup.serve``: a login with a wrong password, answered 401.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from contenders import LOGIN, LOGIN_PATH, Contender

import fakeauth

#: The command line: ``fakeauth serve`` as its console script runs it, on a free loopback port.
COMMAND = [sys.executable, "-c", "import sys; from fakeauth.cli import main; sys.exit(main())"]
COMMAND += ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet"]
#: Seconds a child may take to print its address and answer, or to stop (a bound, not a figure).
BOUND = 30


class ServeAnswers:
    """Each call starts ``fakeauth serve`` and returns once its first answer has been read; the
    children wait for :meth:`stop` (the row's ``exit`` hook), so their stop is never timed."""

    def __init__(self) -> None:
        # Byte-code caches on, as in an installed package; the fakeauth this run imported.
        self._env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self._cwd = str(Path(fakeauth.__file__).resolve().parent.parent)
        self._running: list[subprocess.Popen[str]] = []

    def call(self) -> None:
        """Start one child and read its first answer."""
        process = subprocess.Popen(
            COMMAND, stdout=subprocess.PIPE, text=True, env=self._env, cwd=self._cwd
        )
        self._running.append(process)
        assert process.stdout is not None
        port = None
        for line in process.stdout:
            found = re.search(r"serving on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        if port is None:
            raise RuntimeError("benchmark: fakeauth serve did not print its address")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=BOUND)
        body = json.dumps({**LOGIN, "password": "not-the-password"})
        connection.request("POST", "/ovok" + LOGIN_PATH, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 401:
            raise RuntimeError(f"benchmark: fakeauth serve answered {response.status}, not 401")

    def stop(self) -> None:
        """Stop and reap every child the batch started."""
        running, self._running = self._running, []
        for process in running:
            process.terminate()
        for process in running:
            process.wait(BOUND)
            if process.stdout is not None:
                process.stdout.close()


def serve_answer_rows() -> list[Contender]:
    """``fakeauth serve`` from exec to its first answer, its stop untimed."""
    answers = ServeAnswers()
    return [
        Contender(
            "startup.serve_answer",
            group="startup",
            label="fakeauth serve, exec to first answer (its stop untimed)",
            call=answers.call,
            exit=answers.stop,
            ref="startup.bare",
            unit="process",
            weight=0.1,
            every=10,
        )
    ]
