"""The fake's one time source.

Every ``FakeAuth`` owns one :class:`Clock`. It reads the system time at the moment of use
(``time.time()``), so freezegun and time-machine control it, and it can also be set or shifted
by the fake itself (the control API uses this). Nothing captures the time at import or in a
default argument.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

__all__ = ["Clock", "to_datetime"]


def to_datetime(timestamp: float) -> datetime:
    """The aware UTC ``datetime`` of a POSIX timestamp."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


class Clock:
    """Time as the fake sees it: the system time, plus an offset, or a fixed instant.

    >>> clock = Clock()
    >>> clock.shift(3600)  # the fake now lives one hour ahead of the system
    >>> clock.reset()  # and follows the system time again
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._fixed: float | None = None

    def time(self) -> float:
        """Seconds since the epoch, read now."""
        fixed = self._fixed
        if fixed is not None:
            return fixed
        return time.time() + self._offset

    def now(self) -> datetime:
        """The current instant as an aware UTC ``datetime``."""
        return to_datetime(self.time())

    def set(self, when: datetime | float, *, frozen: bool = False) -> None:
        """Make ``when`` the current instant.

        The clock keeps running from there unless ``frozen`` is true, in which case it stays at
        ``when`` until it is set, shifted or reset again. A naive ``datetime`` is taken as UTC.
        """
        target = _timestamp(when)
        with self._lock:
            if frozen:
                self._fixed = target
                self._offset = 0.0
            else:
                self._fixed = None
                self._offset = target - time.time()

    def shift(self, seconds: float) -> None:
        """Move the clock by ``seconds`` (negative goes back)."""
        with self._lock:
            if self._fixed is not None:
                self._fixed += seconds
            else:
                self._offset += seconds

    def reset(self) -> None:
        """Follow the system time again."""
        with self._lock:
            self._fixed = None
            self._offset = 0.0

    @property
    def is_shifted(self) -> bool:
        """Whether the clock was set or shifted away from the system time."""
        return self._fixed is not None or self._offset != 0.0

    def __repr__(self) -> str:
        state = "frozen" if self._fixed is not None else f"offset={self._offset:+.3f}s"
        return f"<Clock {self.now().isoformat()} ({state})>"


def _timestamp(when: datetime | float) -> float:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.timestamp()
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        return float(when)
    raise TypeError(
        f"fakeauth: a clock instant is a datetime or a POSIX timestamp, not {type(when).__name__}"
    )
