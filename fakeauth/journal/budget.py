"""A bound on the entries of several journals together: the lanes of one server share one
:class:`JournalBudget`, and the oldest entry of all is dropped first."""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING

from fakeauth.errors import ConfigurationError

if TYPE_CHECKING:
    from fakeauth.journal import Journal, JournalEntry

__all__ = ["COMPACT_FLOOR", "JournalBudget"]

#: Below this many references the budget never rebuilds its order for stale ones.
COMPACT_FLOOR = 1024


class JournalBudget:
    """A bound on the entries of several journals together (the lanes of one server): when they
    hold more than ``limit`` entries between them, the oldest entry of all is dropped first,
    whichever journal holds it.

    A journal joins a budget with :meth:`Journal.join`; the journals of one budget share its
    lock, so that a request of one lane may drop an entry of another. An entry counts while its
    journal holds it, in the journal or among its unserved requests.
    """

    def __init__(self, limit: int) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ConfigurationError(
                f"journal_budget must be a positive number of entries, not {limit!r}; for "
                "example Lanes(fake, journal_budget=100_000), or None for no bound across lanes"
            )
        #: The most entries the journals of the budget hold between them.
        self.limit = limit
        #: The one lock of every journal in the budget.
        self.lock = threading.Lock()
        #: Every entry held, oldest first, with its journal; with stale ones (entries their
        #: journal let go of since: a clear, its own bound) until they are met or compacted.
        self._order: deque[tuple[Journal, JournalEntry]] = deque()
        self._held = 0

    @property
    def tracked(self) -> int:
        """How many entries the budget keeps a reference to: those held, and stale ones not yet
        dropped (at most ``2 * max(held, COMPACT_FLOOR)``)."""
        return len(self._order)

    @property
    def held(self) -> int:
        """How many entries the journals of the budget hold between them."""
        return self._held

    def admit(self, journal: Journal, entry: JournalEntry) -> None:
        """Count ``entry``, just recorded by ``journal``, and drop the oldest entries of all
        while the journals hold more than :attr:`limit`; called under :attr:`lock`."""
        order = self._order
        order.append((journal, entry))
        self._held += 1
        while self._held > self.limit:
            oldest, held = order.popleft()
            if oldest.let_go(held):
                self._held -= 1
        # Stale references (entries a journal let go of by itself: its own bound, a clear) keep
        # those entries alive: they go as soon as they are the oldest, and the others once they
        # outnumber the entries held, so they never hold more memory than the journals do (a
        # lane at its own journal_limit would otherwise keep up to twice the budget's entries).
        while order and not order[0][0].holds(order[0][1]):
            order.popleft()
        if len(order) > 2 * max(self._held, COMPACT_FLOOR):  # amortised: one rebuild per held
            self._order = deque(ref for ref in order if ref[0].holds(ref[1]))

    def release(self, count: int) -> None:
        """Stop counting ``count`` entries a journal let go of by itself (a clear, its own
        bound); called under :attr:`lock`."""
        self._held -= count

    def __repr__(self) -> str:
        return f"<JournalBudget {self._held} of {self.limit} entries>"
