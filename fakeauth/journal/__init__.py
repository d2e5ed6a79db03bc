"""The journal: one entry per request the fake handled, with secrets redacted."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, overload

from fakeauth.errors import ConfigurationError
from fakeauth.journal.budget import JournalBudget
from fakeauth.journal.calls import OperationCalls
from fakeauth.journal.unread import Unread
from fakeauth.redaction import REQUEST_SECRET_KEYS, redact

if TYPE_CHECKING:
    from fakeauth.explain import Explanation

__all__ = [
    "Journal",
    "JournalBudget",
    "JournalEntry",
    "OperationCalls",
    "Unread",
    "body_value",
    "journal_limit",
]

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
    So is a request body of scalars alone (a login's), kept as a copy of the body as parsed and
    redacted when :attr:`request` is first read; any other is redacted when recorded. A pickled or
    copied entry holds its bodies redacted, never what it keeps to redact.
    """

    operation: str | None
    vendor: str | None
    method: str
    url: str
    path: str
    status: int
    time: datetime
    #: Without ``_request_secrets``: the request's JSON-ready body itself (redacted). With them:
    #: the body as parsed, its values scalars, to redact when :attr:`request` is first read (an
    #: :class:`Unread` holding it and its secrets once the entry is made).
    _request: Any
    #: Without ``_secrets``: the response's JSON-ready body itself. With them: the bytes sent
    #: (an :class:`Unread` holding them and the secrets once the entry is made).
    _response: Any = None
    #: The secrets to redact from the bytes sent (moved into the :class:`Unread`, ``()`` left
    #: here); ``None`` when ``_response`` is the body itself.
    _secrets: tuple[str, ...] | None = None
    #: Whether the bytes sent are a JSON document (else read as :func:`body_value` reads them).
    _document: bool = False
    #: For a refused request, what its body got wrong in its field names, in fakeauth's words
    #: (``"'password' was expected where the body has 'pass' ..."``); the reply stays the
    #: vendor's own. ``None`` when the names are right or the request was not refused.
    problem: str | None = None
    #: For a request refused for its credential (401, 403), why: ``fake.explain`` of the token
    #: it carried, as the fake saw it then. The reply stays the vendor's own; ``None`` otherwise.
    refusal: Explanation | None = None
    #: The secrets to redact from ``_request`` (moved into the :class:`Unread`, ``()`` left
    #: here); ``None`` when ``_request`` is the body itself.
    _request_secrets: tuple[str, ...] | None = None
    #: The entry's place in the fake's history, from 1 (0 until recorded); never reused, not even
    #: after a clear or a reset: ``GET /_fakeauth/journal?after=<seq>`` pages on it. Not a field:
    #: the journal sets it when it records the entry, without the cost of a frozen field's set.
    seq: ClassVar[int] = 0

    def __post_init__(self) -> None:
        # A body kept to redact on first read, and its secrets, stand in the clear: out of sight
        # (Unread) of repr, dataclasses.asdict and vars, which read fields, not these properties.
        request, request_secrets = _held(self._request, self._request_secrets)
        response, secrets = _held(self._response, self._secrets)
        object.__setattr__(self, "_request", request)
        object.__setattr__(self, "_request_secrets", request_secrets)
        object.__setattr__(self, "_response", response)
        object.__setattr__(self, "_secrets", secrets)

    @classmethod
    def made(
        cls,
        operation: str | None,
        vendor: str | None,
        method: str,
        url: str,
        path: str,
        status: int,
        time: datetime,
        request: Any,
        response: Any = None,
        secrets: tuple[str, ...] | None = None,
        document: bool = False,
        problem: str | None = None,
        refusal: Explanation | None = None,
        request_secrets: tuple[str, ...] | None = None,
    ) -> JournalEntry:
        """``JournalEntry(...)`` of the same fields, in the same order: the same entry, its
        ``__dict__`` written in one step. The seam makes one per request, and the frozen
        dataclass's constructor (an ``object.__setattr__`` per field, then ``__post_init__``
        and four more) costs about twice as much (``tests/test_login_fast_paths.py`` compares
        the two)."""
        request, request_secrets = _held(request, request_secrets)
        response, secrets = _held(response, secrets)
        entry = object.__new__(cls)
        object.__setattr__(entry, "__dict__", {
            "operation": operation, "vendor": vendor, "method": method, "url": url, "path": path,
            "status": status, "time": time, "_request": request, "_response": response,
            "_secrets": secrets, "_document": document, "problem": problem, "refusal": refusal,
            "_request_secrets": request_secrets,
        })  # fmt: skip
        return entry

    @functools.cached_property
    def request(self) -> Any:
        """The request body: parsed JSON or form fields, or text, with every secret redacted."""
        kept = self._request
        if type(kept) is not Unread:
            return kept
        return redact(kept.value, kept.secrets, keys=REQUEST_SECRET_KEYS)

    @functools.cached_property
    def response(self) -> Any:
        """The response body: parsed JSON, or text, with every secret redacted."""
        kept = self._response
        if type(kept) is not Unread:
            return kept
        body: bytes = kept.value
        value = json.loads(body) if self._document else body_value(body)
        return redact(value, kept.secrets)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (and copied) as its bodies read, redacted: a kept body and its secrets stand
        in the clear (:class:`Unread`), and a pickle would carry them to wherever it goes. The
        copy shows what the entry shows (``to_dict``, ``seq``); it holds no unread body, so it
        compares equal to other copies of the entry, not to the entry itself."""
        fields = (
            self.operation, self.vendor, self.method, self.url, self.path, self.status,
            self.time, self.request, self.response, None, False, self.problem, self.refusal,
            None,
        )  # fmt: skip
        return (type(self), fields, {"seq": self.seq} if "seq" in self.__dict__ else None)

    @property
    def served(self) -> bool:
        """Whether a route of the fake served this request."""
        return self.operation is not None

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data (bodies already redacted)."""
        return {
            "seq": self.seq,
            "operation": self.operation,
            "vendor": self.vendor,
            "method": self.method,
            "url": self.url,
            "path": self.path,
            "status": self.status,
            "time": self.time.isoformat(),
            "request": self.request,
            "response": self.response,
            "problem": self.problem,
            "refusal": None if self.refusal is None else self.refusal.to_dict(),
        }

    def __str__(self) -> str:
        name = self.operation or "UNSERVED"
        return f"{self.time.isoformat()} {self.method} {self.url} -> {self.status} ({name})"

    def __repr__(self) -> str:
        return (
            f"JournalEntry(seq={self.seq!r}, operation={self.operation!r}, vendor={self.vendor!r}, "
            f"method={self.method!r}, url={self.url!r}, path={self.path!r}, "
            f"status={self.status!r}, time={self.time!r}, request={self.request!r}, "
            f"response={self.response!r})"
        )


def _held(body: Any, secrets: tuple[str, ...] | None) -> tuple[Any, tuple[str, ...] | None]:
    """A body kept to redact on first read, and its secrets, as an entry holds them: together in
    an :class:`Unread` (``()`` left for the secrets); a body already redacted (``None``
    secrets) or already held, as it is."""
    if secrets is not None and type(body) is not Unread:
        return Unread(body, secrets), ()
    return body, secrets


def body_value(body: bytes, scrub: Callable[[str], str] | None = None) -> Any:
    """How the journal shows a body: parsed JSON when it is (and at most 64 KiB), else text
    (the first 4 KiB, and the length); ``None`` when empty.

    ``scrub`` redacts a text before it is cut: it sees twice what is kept, so that no secret is
    cut in two at the edge and half of it shown.
    """
    if not body:
        return None
    if len(body) <= 64 * 1024 and body[:1] in (b"{", b"["):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            pass
    if scrub is None:
        text = body[:_TEXT_LIMIT].decode("utf-8", "replace")
    else:
        text = scrub(body[: 2 * _TEXT_LIMIT].decode("utf-8", "replace"))[:_TEXT_LIMIT]
    return text if len(body) <= _TEXT_LIMIT else f"{text}... ({len(body)} bytes)"


def journal_limit(limit: int | None) -> int | None:
    """``limit`` as a journal takes it: a positive number of entries, or ``None`` (no bound);
    raises :class:`~fakeauth.ConfigurationError` otherwise."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigurationError(
            f"journal_limit must be a positive number of entries or None (no bound), not "
            f"{limit!r}; for example FakeAuth(journal_limit=10_000)"
        )
    return limit


class Journal:
    """Every request the fake handled, oldest first; thread-safe.

    With a ``limit`` it keeps the newest ``limit`` entries and counts the older ones it dropped
    (:attr:`dropped`). What the assertions need stays exact whatever was dropped: the number of
    calls of each operation (:meth:`count`), and the requests no route served (:attr:`unserved`,
    kept apart under a bound of their own, also ``limit``). Every entry gets a sequence number
    (:attr:`JournalEntry.seq`) that is never reused, not even after :meth:`clear`.

    A journal that joined a :class:`JournalBudget` (:meth:`join`) also drops its oldest entries
    when the journals of the budget hold more than the budget's limit between them.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = None if limit is None else journal_limit(limit)
        self._lock = threading.Lock()
        # A fresh journal per test: deque() costs a quarter of deque(maxlen=None).
        self._entries: deque[JournalEntry] = deque() if limit is None else deque(maxlen=limit)
        self._counts: dict[str | None, int] = {}
        self._unserved: deque[JournalEntry] = deque() if limit is None else deque(maxlen=limit)
        self._seq = 0  # the last number given; mark() and since() read positions on it
        self._dropped = 0  # since the last clear()
        self._budget: JournalBudget | None = None

    @property
    def budget(self) -> JournalBudget | None:
        """The budget this journal shares with others (:meth:`join`), if any."""
        return self._budget

    def join(self, budget: JournalBudget) -> None:
        """Share ``budget`` with the other journals that joined it, from now on; once, before
        the journal records anything (raises :class:`~fakeauth.ConfigurationError` otherwise)."""
        if self._budget is not None or self._seq:
            raise ConfigurationError(
                "a journal joins a budget once, before it records anything; join the budget "
                "when the fake is made"
            )
        self._budget = budget
        self._lock = budget.lock

    def record(self, entry: JournalEntry) -> JournalEntry:
        """Append ``entry`` (dropping the oldest when full) and give it its sequence number;
        returns the entry as recorded."""
        # Every request's hot path: a few dictionary and deque steps under the lock, no more.
        with self._lock:
            seq = self._seq = self._seq + 1
            if entry.seq:  # the same entry recorded twice: each recording is its own entry
                entry = dataclasses.replace(entry)
            entry.__dict__["seq"] = seq  # frozen for users, numbered here (see JournalEntry.seq)
            entries = self._entries
            budget = self._budget
            if len(entries) == self.limit:
                self._dropped += 1
                if budget is not None and entries[0].operation is not None:
                    budget.release(1)  # gone; an unserved one stays among the unserved
            entries.append(entry)
            operation = entry.operation
            counts = self._counts
            counts[operation] = counts.get(operation, 0) + 1
            if operation is None:
                unserved = self._unserved
                if (
                    budget is not None
                    and len(unserved) == self.limit
                    and unserved[0].seq < entries[0].seq  # in neither deque from now on
                ):
                    budget.release(1)
                unserved.append(entry)
            if budget is not None:
                budget.admit(self, entry)
        return entry

    def holds(self, entry: JournalEntry) -> bool:
        """Whether the journal still holds ``entry``; its budget asks, under the budget's lock."""
        # The kept entries are numbered without gaps and every number
        # is above those of the entries let go of (by a clear, the bound or the budget).
        entries = self._entries
        if entries and entry.seq >= entries[0].seq:
            return True
        unserved = self._unserved
        return entry.operation is None and bool(unserved) and entry.seq >= unserved[0].seq

    def let_go(self, entry: JournalEntry) -> bool:
        """Drop ``entry``, the oldest its budget holds of this journal (so the oldest of each
        deque it is in); whether it was still held. Its budget calls it, under the budget's lock."""
        held = False
        entries = self._entries
        if entries and entries[0] is entry:
            entries.popleft()
            self._dropped += 1
            held = True
        unserved = self._unserved
        if unserved and unserved[0] is entry:
            unserved.popleft()
            held = True
        return held

    def mark(self) -> int:
        """A position in the journal's history, for :meth:`since`; survives :meth:`clear`."""
        return self._seq

    def since(self, mark: int) -> list[JournalEntry]:
        """The entries recorded after :meth:`mark` returned ``mark`` (and not cleared since).

        The unserved ones are all there even if the bound dropped them from the journal (up to
        the bound of the unserved requests): the unserved-request check reads them here.
        """
        with self._lock:
            recent = _after(self._entries, mark)
            if self._dropped and self._unserved:
                oldest = recent[0].seq if recent else self._seq + 1
                recent[:0] = [e for e in _after(self._unserved, mark) if e.seq < oldest]
            return recent

    def page(self, *, after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        """At most ``limit`` kept entries numbered above ``after``, oldest first."""
        with self._lock:
            entries = self._entries
            # The kept entries are numbered without gaps: the first one says where to start.
            start = max(0, after - entries[0].seq + 1) if entries else 0
            stop = None if limit is None else start + limit
            return list(itertools.islice(entries, start, stop))

    def calls(self, operation: str) -> list[JournalEntry]:
        """The kept entries of one operation id, oldest first (see :meth:`count`)."""
        with self._lock:
            return [e for e in self._entries if e.operation == operation]

    def count(self, operation: str | None) -> int:
        """How many times ``operation`` was called since the last :meth:`clear`, dropped entries
        included (``None``: how many requests no route served)."""
        return self._counts.get(operation, 0)

    def last(self, operation: str) -> JournalEntry | None:
        """The newest kept entry of ``operation``, if any (read from the newest end)."""
        with self._lock:
            return next((e for e in reversed(self._entries) if e.operation == operation), None)

    @property
    def unserved(self) -> list[JournalEntry]:
        """The requests on a vendor path that no route serves, oldest first, even those the
        bound dropped from the journal (up to ``limit`` of them)."""
        with self._lock:
            return list(self._unserved)

    @property
    def dropped(self) -> int:
        """How many entries the bound dropped since the last :meth:`clear` (oldest first)."""
        return self._dropped

    @property
    def total(self) -> int:
        """How many requests were recorded since the last :meth:`clear`, dropped ones included."""
        return len(self._entries) + self._dropped

    def clear(self) -> None:
        """Forget every entry, the call counts and the dropped count (not the sequence numbers:
        the next entry still gets the next number)."""
        with self._lock:
            budget = self._budget
            if budget is not None:
                entries = self._entries
                first = entries[0].seq if entries else self._seq + 1
                apart = sum(1 for entry in self._unserved if entry.seq < first)
                budget.release(len(entries) + apart)
            self._entries.clear()
            self._counts.clear()
            self._unserved.clear()
            self._dropped = 0

    def __iter__(self) -> Iterator[JournalEntry]:
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> JournalEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[JournalEntry]: ...

    def __getitem__(self, index: int | slice) -> JournalEntry | list[JournalEntry]:
        with self._lock:
            if isinstance(index, slice):
                return list(self._entries)[index]
            return self._entries[index]

    def dropped_note(self) -> str:
        """A sentence on what the bound dropped (``""`` when nothing was)."""
        if not self._dropped:
            return ""
        dropped = f"{self._dropped} older entr{'y' if self._dropped == 1 else 'ies'} dropped"
        if self._budget is None:
            return (
                f"({dropped}: the journal keeps the newest {self.limit}; pass a larger "
                "journal_limit to keep more)"
            )
        kept = "" if self.limit is None else f"the newest {self.limit} of this lane and "
        return (
            f"({dropped}: the server keeps {kept}the newest {self._budget.limit} of all its "
            "lanes; start fakeauth serve with a larger --journal-limit or --journal-budget to "
            "keep more)"
        )

    def format(self, *, bodies: bool = False) -> str:
        """One line per entry (and its redacted bodies, with ``bodies``), for failure reports;
        the first line says how many older entries were dropped, if any were."""
        note = self.dropped_note()
        lines = [note] if note else []
        for entry in self:
            lines.append(str(entry))
            if bodies:
                lines.append(f"    request:  {_compact(entry.request)}")
                lines.append(f"    response: {_compact(entry.response)}")
                if entry.problem:
                    lines.append(f"    problem:  {entry.problem}")
                if entry.refusal is not None:
                    lines.append(f"    refused:  {entry.refusal}")
        return "\n".join(lines) or "(no requests)"

    def __repr__(self) -> str:
        size = len(self)
        dropped = f", {self._dropped} dropped" if self._dropped else ""
        return f"<Journal {size} entr{'y' if size == 1 else 'ies'}{dropped}>"


def _after(entries: deque[JournalEntry], mark: int) -> list[JournalEntry]:
    """The entries numbered above ``mark``, oldest first, reading from the newest end."""
    found = list(itertools.takewhile(lambda e: e.seq > mark, reversed(entries)))
    found.reverse()
    return found


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 500 else text[:500] + "..."
