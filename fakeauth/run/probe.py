"""The probe of ``fakeauth run``: the server of this run answers a secret made for the run, and
the run waits until it does before the command starts (no other process's server can answer)."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from fakeauth.transports.connection import body_limit_of

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["PROBE_PATH", "Probe", "wait_until_ready"]

#: Where the probe asks; the secret of the run follows it.
PROBE_PATH = "/_fakeauth/run/"
#: The pause between two probes while the server does not answer yet.
_PROBE_INTERVAL = 0.05


class Probe:
    """WSGI middleware: answers ``GET /_fakeauth/run/<secret>`` with the secret, and passes every
    other request on.

    It sits outside the request log, the journal and the ``--data`` writer, so the probe is
    neither logged nor recorded. Only the server of this run knows the secret.
    """

    def __init__(self, app: WSGIApplication, secret: str) -> None:
        self.app = app
        self.path = PROBE_PATH + secret
        self._answer = secret.encode()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(self._answer)))],
        )
        return [self._answer]

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        """The wrapped app's body limit (see :class:`~fakeauth.transports.server.LiveServer`)."""
        limit = body_limit_of(self.app)
        return None if limit is None else limit(method, path, host)


def _monotonic() -> float:
    # The kernel's monotonic clock: freezegun patches time.monotonic, not clock_gettime.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def _probe_once(host: str, port: int, path: str, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(256)
    finally:
        connection.close()


def wait_until_ready(
    host: str, port: int, secret: str, timeout: float, stopping: threading.Event
) -> str | None:
    """``None`` once the server of this run answers its probe; else why it did not."""
    deadline = _monotonic() + timeout
    problem = "no answer"
    while not stopping.is_set():
        left = deadline - _monotonic()
        if left <= 0:
            return f"it did not answer within {timeout:g} s ({problem})"
        try:
            status, body = _probe_once(host, port, PROBE_PATH + secret, left)
        except (OSError, http.client.HTTPException) as exc:
            problem = str(exc) or type(exc).__name__
        else:
            if status == 200 and body == secret.encode():
                return None
            return (
                f"it answered, but not as this run's server (HTTP {status}): another process "
                "may hold the address"
            )
        stopping.wait(min(_PROBE_INTERVAL, max(left, 0)))
    return None  # a signal came first: the caller stops without starting the command
