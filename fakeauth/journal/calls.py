"""The calls of one operation in a journal, with assertions in ``unittest.mock``'s words
(what :meth:`fakeauth.FakeAuth.calls` returns)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from fakeauth.journal import Journal, JournalEntry

__all__ = ["OperationCalls"]


class OperationCalls:
    """The calls of one operation, with assertions in ``unittest.mock``'s words.

    >>> fake.calls("ovok.b2b_login").assert_called_once()
    >>> fake.calls("ovok.b2b_login").last.request["email"]
    'max@example.test'

    The counts are exact even when a bounded journal (``FakeAuth(journal_limit=N)``) dropped
    old entries; :attr:`entries` and :attr:`last` show what it kept, and :attr:`dropped` says
    how many it did not. A failed assertion lists every request the fake saw instead.

    ``operations`` counts several ids as one (the ``"b2core.signin_wizard*"`` alias of
    :meth:`fakeauth.FakeAuth.calls`); ``operation`` is then the name shown in messages.
    """

    def __init__(
        self, journal: Journal, operation: str, operations: tuple[str, ...] | None = None
    ) -> None:
        self._journal = journal
        self.operation = operation
        self.operations = operations or (operation,)

    @property
    def entries(self) -> list[JournalEntry]:
        """Every kept call, oldest first (:attr:`dropped` more were dropped by the bound)."""
        if len(self.operations) == 1:
            return self._journal.calls(self.operation)
        found = [e for op in self.operations for e in self._journal.calls(op)]
        return sorted(found, key=lambda entry: entry.seq)

    @property
    def call_count(self) -> int:
        """How many times the operation was called (dropped entries included)."""
        return sum(self._journal.count(op) for op in self.operations)

    @property
    def dropped(self) -> int:
        """How many of the calls the journal's bound dropped (not in :attr:`entries`)."""
        return max(0, self.call_count - len(self.entries))

    @property
    def called(self) -> bool:
        """Whether the operation was called at all."""
        return self.call_count > 0

    @property
    def last(self) -> JournalEntry:
        """The newest call; fails with the journal when there is none (or none is kept)."""
        newest = [e for op in self.operations if (e := self._journal.last(op)) is not None]
        entry = max(newest, key=lambda e: e.seq, default=None)
        if entry is None:
            if self.call_count:
                raise AssertionError(
                    f"fakeauth: {self.operation} was called {self.call_count} time(s), but the "
                    f"journal dropped every one of those entries (it keeps the newest "
                    f"{self._journal.limit}); pass a larger journal_limit to read them"
                )
            self._fail("to have been called")
        return entry

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
        dropped = self.dropped
        note = f", {dropped} dropped from the journal" if dropped else ""
        return f"<OperationCalls {self.operation}: {self.call_count} call(s){note}>"
