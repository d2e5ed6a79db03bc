"""The bytes of large request bodies one live server reads and answers at once.

A state document to import may be 64 MiB, and reading, parsing and loading it takes several
times that in memory: four at once took a ``fakeauth serve`` past 2 GiB. Each server holds one
:class:`BodyBudget`; a connection takes a body's size from it before it reads a body over
``SMALL_BODY`` and gives it back once the answer is sent, so a body that does not fit waits,
unread (its bytes stay in the client's and the kernel's buffers), until one before it is answered.
"""

from __future__ import annotations

import threading

from fakeauth.errors import ConfigurationError

__all__ = ["DEFAULT_BODY_BUDGET", "BodyBudget"]

#: The default: one body of the largest size the control API takes (64 MiB) at a time, with the
#: vendors' small bodies (1 MiB at most) alongside whatever room it leaves.
DEFAULT_BODY_BUDGET = 64 * 1024 * 1024


class BodyBudget:
    """At most ``total`` bytes of large bodies held at once, by every connection of a server.

    :meth:`take` waits for room, as long as it takes (the bodies before it are being answered,
    and a client that stalls inside one is cut off by the request timeout); a body larger than
    the whole budget takes all of it, and so waits until it is alone. :meth:`wake` ends every
    wait (the server stops). ``peak`` is the most bytes ever held at once, and ``waiting`` the
    bodies waiting now, for tests and measurements.
    """

    def __init__(self, total: int = DEFAULT_BODY_BUDGET) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 1:
            raise ConfigurationError(
                f"body_budget is a positive number of bytes, not {total!r}; for example "
                f"LiveServer(app, body_budget={DEFAULT_BODY_BUDGET})"
            )
        self.total = total
        self.held = 0
        self.peak = 0
        self.waiting = 0
        self._woken = 0  # how many times wake() was called: a wait begun before it ends
        self._room = threading.Condition()

    def take(self, size: int) -> int:
        """Take ``size`` bytes (at most the whole budget) once they fit; the bytes taken, to give
        back with :meth:`give`, or 0 when :meth:`wake` ended the wait (nothing taken)."""
        size = min(size, self.total)
        with self._room:
            woken = self._woken
            self.waiting += 1
            try:
                self._room.wait_for(lambda: self.held + size <= self.total or self._woken != woken)
            finally:
                self.waiting -= 1
            if self._woken != woken:
                return 0
            self.held += size
            self.peak = max(self.peak, self.held)
            return size

    def wake(self) -> None:
        """End every wait now under way, with nothing taken (the server is stopping)."""
        with self._room:
            self._woken += 1
            self._room.notify_all()

    def give(self, size: int) -> None:
        """Give back ``size`` bytes that :meth:`take` returned."""
        if size:
            with self._room:
                self.held -= size
                self._room.notify_all()
