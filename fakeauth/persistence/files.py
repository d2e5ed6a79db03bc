"""State documents as files: stable JSON text, atomic writes, and the ``--data`` writer thread."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "DataWriter",
    "DirtyMarker",
    "check_writable",
    "dumps",
    "loads",
    "read_document",
    "write_atomic",
]

#: Methods that never change the state: every other request marks the state as changed.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


#: One JSON value on one line, keys sorted (the C encoder: an indented dump is pure Python).
_LINE = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(", ", ": ")
)


def dumps(document: dict[str, Any]) -> str:
    """The document as stable JSON text that diffs well in git: keys sorted, objects indented
    two spaces a level, and each record of a list (an account, a token record) on a line of its
    own; one trailing newline."""
    return _pretty(document, "") + "\n"


def _pretty(value: Any, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = sorted(value.items())
        body = ",\n".join(f"{inner}{_LINE.encode(k)}: {_pretty(v, inner)}" for k, v in items)
        return f"{{\n{body}\n{indent}}}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        body = ",\n".join(inner + _LINE.encode(item) for item in value)
        return f"[\n{body}\n{indent}]"
    return _LINE.encode(value)


class _NotJson(ValueError):
    """A constant standard JSON has no word for."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


def loads(text: str | bytes, *, source: str = "the state document") -> Any:
    """Parsed JSON of ``text``; raises :class:`ConfigurationError` naming the problem."""
    if not text.strip():
        raise ConfigurationError(f"{source} is empty; export a state into it first")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except _NotJson as exc:
        raise ConfigurationError(
            f"{source} is not standard JSON: {exc}; nothing was loaded"
        ) from None
    except json.JSONDecodeError as exc:
        end = exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")
        why = "it ends too early (truncated?)" if end else "it is corrupted"
        raise ConfigurationError(
            f"{source} is not JSON: {why}: {exc.msg} at line {exc.lineno} column {exc.colno}; "
            "nothing was loaded"
        ) from None
    except (ValueError, RecursionError):  # not UTF-8, an overlong integer, nested too deep
        raise ConfigurationError(
            f"{source} is not JSON text in UTF-8 (nor holds an integer of thousands of digits, "
            "nor nests thousands deep); nothing was loaded"
        ) from None


def read_document(path: str | os.PathLike[str]) -> Any:
    """The parsed JSON of the state file ``path``; raises :class:`ConfigurationError`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the state file {str(path)!r}: {exc.strerror}"
        ) from None
    return loads(data, source=f"the state file {str(path)!r}")


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory, then rename:
    a crash or a kill during the write leaves the previous file whole."""
    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_writable(path: str | os.PathLike[str], what: str) -> None:
    """Raise :class:`ConfigurationError` unless :func:`write_atomic` can write ``path`` (it
    writes a temporary file beside it, then renames it): ``what`` names the file."""
    target = Path(path)
    try:
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write {what} {str(path)!r}: {exc.strerror}; give a file in a directory "
            "that exists and that this process may write to"
        ) from None
    os.close(fd)
    Path(temporary).unlink(missing_ok=True)


class DirtyMarker:
    """WSGI middleware: every request that may change the state (any method but ``GET``,
    ``HEAD`` and ``OPTIONS``) calls ``mark`` once it is answered."""

    def __init__(self, app: WSGIApplication, mark: Callable[[], None]) -> None:
        self.app = app
        self._mark = mark

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        finally:
            if environ.get("REQUEST_METHOD", "GET") not in _READS:
                self._mark()

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        """The wrapped app's body limit (see :class:`~fakeauth.transports.server.LiveServer`)."""
        from fakeauth.transports.connection import body_limit_of

        limit = body_limit_of(self.app)
        return None if limit is None else limit(method, path, host)


class DataWriter:
    """Writes ``render()`` to ``path`` at most every ``interval`` seconds after a change.

    A background thread waits on events (the kernel's monotonic clock, which freezegun and
    time-machine do not move): :meth:`mark` notes a change; within ``interval`` seconds the
    thread writes the file (atomically). :meth:`stop` writes it a last time.
    """

    def __init__(
        self, path: str | os.PathLike[str], render: Callable[[], str], *, interval: float = 1.0
    ) -> None:
        self.path = Path(path)
        self._render = render
        self._interval = interval
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="fakeauth-data-writer", daemon=True)
        #: The last write's error, if it failed (the thread logs it and tries again later).
        self.error: OSError | None = None

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def mark(self) -> None:
        """Note that the state changed: the file is written within ``interval`` seconds."""
        self._changed.set()

    def write(self) -> None:
        """Write the file now."""
        with self._write_lock:
            try:
                write_atomic(self.path, self._render())
                self.error = None
            except OSError as exc:
                self.error = exc
                print(f"fakeauth: cannot write {self.path}: {exc.strerror}", flush=True)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._changed.wait()
            if self._stopping.is_set():
                return
            self._stopping.wait(self._interval)  # gathers the changes of a burst into one write
            self._changed.clear()
            self.write()

    def stop(self) -> None:
        """Stop the thread and write the file a last time."""
        self._stopping.set()
        self._changed.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.write()
