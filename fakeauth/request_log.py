"""The request log of ``fakeauth serve`` and ``fakeauth run``: one line per request, made safe
for a terminal (no control character, no token)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from fakeauth.console import write_line
from fakeauth.redaction import scrub_text
from fakeauth.transports.connection import body_limit_of

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["RequestLog", "loggable"]


def loggable(text: str) -> str:
    """``text`` safe for a one-line log: control characters (CR, LF, ESC, ...) as ``%XX``.

    The WSGI path is bytes carried as latin-1; it is shown as UTF-8 where it is, and every
    character that is not printable (C0 and C1 controls, DEL, line separators, bytes that are
    not UTF-8) is re-encoded, so a request cannot write a line of its own into the log.
    """
    if text.isascii() and text.isprintable():
        return text
    shown = text.encode("latin-1", "replace").decode("utf-8", "surrogateescape")
    return "".join(
        char
        if char.isprintable()
        else "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogateescape"))
        for char in shown
    )


class RequestLog:
    """WSGI middleware: one line per request, ``METHOD path -> status (ms)``."""

    def __init__(self, app: WSGIApplication, out: TextIO) -> None:
        self.app = app
        self.out = out
        #: Whether the log's reader is still there (``fakeauth serve | head`` leaves).
        self.logging = True

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def capture(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info)

        result = self.app(environ, capture)
        elapsed = (time.perf_counter() - started) * 1000
        code = status[0].split(" ", 1)[0] if status else "---"
        method = loggable(environ.get("REQUEST_METHOD", "?"))
        path = scrub_text(loggable(environ.get("PATH_INFO", "")))  # no token, even in a path
        if self.logging:  # once the reader of the log has left, the server goes on unlogged
            self.logging = write_line(f"{method} {path} -> {code} ({elapsed:.1f} ms)", self.out)
        return result

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        """The wrapped app's body limit (see :class:`~fakeauth.transports.server.LiveServer`)."""
        limit = body_limit_of(self.app)
        return None if limit is None else limit(method, path, host)
