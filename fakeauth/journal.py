"""The journal: one entry per request the fake handled, with secrets redacted."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from fakeauth.redaction import redact

__all__ = ["Journal", "JournalEntry", "OperationCalls", "body_value"]

#: The journal keeps at most this much of a body that is not JSON.
_TEXT_LIMIT = 4096


@dataclass(frozen=True, repr=False)
class JournalEntry:
    """One handled request.

    ``operation`` is the stable id of the route that served it (``"ovok.b2b_login"``), or
    ``None`` when no route serves that method and path (then ``served`` is false). The bodies are
    the parsed JSON when they parse, else text, with every password and token replaced by
    :func:`fakeauth.redacted`.

    The response is kept as the bytes that were sent and parsed and redacted when
    :attr:`response` is first read: most entries are never read, and a request is cheaper for it.
    """

    operation: str | None
    vendor: str | None
    method: str
    url: str
    path: str
    status: int
    time: datetime
    request: Any
    #: Without ``_secrets``: the response's JSON-ready body itself. With them: the bytes sent.
    _response: Any = None
    #: The secrets to redact from the bytes sent; ``None`` when ``_response`` is the body itself.
    _secrets: tuple[str, ...] | None = None
    #: Whether the bytes sent are a JSON document (else read as :func:`body_value` reads them).
    _document: bool = False

    @functools.cached_property
    def response(self) -> Any:
        """The response body: parsed JSON, or text, with every secret redacted."""
        if self._secrets is None:
            return self._response
        body: bytes = self._response
        value = json.loads(body) if self._document else body_value(body)
        return redact(value, self._secrets)

    @property
    def served(self) -> bool:
        """Whether a route of the fake served this request."""
        return self.operation is not None

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data (bodies already redacted)."""
        return {
            "operation": self.operation,
            "vendor": self.vendor,
            "method": self.method,
            "url": self.url,
            "path": self.path,
            "status": self.status,
            "time": self.time.isoformat(),
            "request": self.request,
            "response": self.response,
        }

    def __str__(self) -> str:
        name = self.operation or "UNSERVED"
        return f"{self.time.isoformat()} {self.method} {self.url} -> {self.status} ({name})"

    def __repr__(self) -> str:
        return (
            f"JournalEntry(operation={self.operation!r}, vendor={self.vendor!r}, "
            f"method={self.method!r}, url={self.url!r}, path={self.path!r}, "
            f"status={self.status!r}, time={self.time!r}, request={self.request!r}, "
            f"response={self.response!r})"
        )


def body_value(body: bytes) -> Any:
    """How the journal shows a body: parsed JSON when it is (and at most 64 KiB), else text
    (the first 4 KiB, and the length); ``None`` when empty."""
    if not body:
        return None
    if len(body) <= 64 * 1024 and body[:1] in (b"{", b"["):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            pass
    text = body[:_TEXT_LIMIT].decode("utf-8", "replace")
    return text if len(body) <= _TEXT_LIMIT else f"{text}... ({len(body)} bytes)"


class Journal:
    """Every request the fake handled, oldest first; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[JournalEntry] = []
        self._cleared = 0  # entries recorded before the last clear(), for mark()/since()

    def record(self, entry: JournalEntry) -> None:
        """Append ``entry``."""
        with self._lock:
            self._entries.append(entry)

    def mark(self) -> int:
        """A position in the journal's history, for :meth:`since`; survives :meth:`clear`."""
        with self._lock:
            return self._cleared + len(self._entries)

    def since(self, mark: int) -> list[JournalEntry]:
        """The entries recorded after :meth:`mark` returned ``mark`` (and not cleared since)."""
        with self._lock:
            return self._entries[max(0, mark - self._cleared) :]

    def calls(self, operation: str) -> list[JournalEntry]:
        """The entries of one operation id, oldest first."""
        return [e for e in self if e.operation == operation]

    @property
    def unserved(self) -> list[JournalEntry]:
        """The requests on a vendor path that no route serves."""
        return [e for e in self if not e.served]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._cleared += len(self._entries)
            self._entries.clear()

    def __iter__(self) -> Iterator[JournalEntry]:
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> JournalEntry:
        with self._lock:
            return self._entries[index]

    def format(self, *, bodies: bool = False) -> str:
        """One line per entry (and its redacted bodies, with ``bodies``), for failure reports."""
        lines = []
        for entry in self:
            lines.append(str(entry))
            if bodies:
                lines.append(f"    request:  {_compact(entry.request)}")
                lines.append(f"    response: {_compact(entry.response)}")
        return "\n".join(lines) or "(no requests)"

    def __repr__(self) -> str:
        return f"<Journal {len(self)} entr{'y' if len(self) == 1 else 'ies'}>"


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 500 else text[:500] + "..."


class OperationCalls:
    """The calls of one operation, with assertions in ``unittest.mock``'s words.

    >>> fake.calls("ovok.b2b_login").assert_called_once()
    >>> fake.calls("ovok.b2b_login").last.request["email"]
    'max@example.test'

    A failed assertion lists every request the fake saw instead.
    """

    def __init__(self, journal: Journal, operation: str) -> None:
        self._journal = journal
        self.operation = operation

    @property
    def entries(self) -> list[JournalEntry]:
        """Every call, oldest first."""
        return self._journal.calls(self.operation)

    @property
    def call_count(self) -> int:
        """How many times the operation was called."""
        return len(self.entries)

    @property
    def called(self) -> bool:
        """Whether the operation was called at all."""
        return self.call_count > 0

    @property
    def last(self) -> JournalEntry:
        """The newest call; fails with the journal when there is none."""
        entries = self.entries
        if not entries:
            self._fail("to have been called")
        return entries[-1]

    def assert_called(self) -> None:
        """Fail unless called at least once."""
        if not self.called:
            self._fail("to have been called")

    def assert_called_once(self) -> None:
        """Fail unless called exactly once."""
        self.assert_call_count(1)

    def assert_not_called(self) -> None:
        """Fail if called."""
        self.assert_call_count(0)

    def assert_call_count(self, count: int) -> None:
        """Fail unless called exactly ``count`` times."""
        if self.call_count != count:
            times = "once" if count == 1 else f"{count} times"
            self._fail(f"to have been called {times}" if count else "not to have been called")

    def _fail(self, expectation: str) -> NoReturn:
        raise AssertionError(
            f"fakeauth: expected {self.operation} {expectation}; it was called "
            f"{self.call_count} time(s). The fake saw:\n{self._journal.format()}"
        )

    def __len__(self) -> int:
        return self.call_count

    def __repr__(self) -> str:
        return f"<OperationCalls {self.operation}: {self.call_count} call(s)>"
