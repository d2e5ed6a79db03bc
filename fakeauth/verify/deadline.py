"""Wall-clock bounds of ``fakeauth verify``: one per request (``--timeout``), one per run
(``--deadline``), both on the kernel's monotonic clock.

freezegun patches ``time.monotonic``; a test that freezes time around a run must not stop its
deadlines from passing (or make them pass at once), so the deadlines read ``clock_gettime``, which
no test library patches.
"""

from __future__ import annotations

import time

__all__ = ["Deadline", "monotonic"]


def monotonic() -> float:
    """Seconds on the kernel's monotonic clock (never patched by freezegun or time-machine)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class Deadline:
    """A moment ``seconds`` from now on :func:`monotonic`: how long is left, whether it passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (0 once it passed)."""
        return max(0.0, self._at - monotonic())

    @property
    def passed(self) -> bool:
        """Whether the moment has come."""
        return monotonic() >= self._at
