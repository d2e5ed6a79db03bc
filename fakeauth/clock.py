"""The fake's one time source.

Every ``FakeAuth`` owns one :class:`Clock`. It reads the system time at the moment of use
(``time.time()``), so freezegun and time-machine control it, and it can also be set or shifted
by the fake itself (the control API uses this). Nothing captures the time at import or in a
default argument.

The clock lives between :data:`EARLIEST` (1970-01-01T00:00:00Z) and :data:`LATEST`
(9000-01-01T00:00:00Z), and no token outlives :data:`MAX_LIFETIME` (about 100 years): so every
expiry the fake computes, the clock's latest instant plus the longest lifetime, is still a
``datetime`` and a JWT ``exp``. Setting or shifting the clock outside that range raises
:class:`~fakeauth.errors.ConfigurationError`; a *system* time outside it (freezegun can freeze
the year 1 or 9999) is read as the nearest edge.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from fakeauth.errors import ConfigurationError

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_LIFETIME",
    "Clock",
    "ClockTypeError",
    "checked_lifetime",
    "to_datetime",
]

#: The earliest instant the clock can show, as a POSIX timestamp: 1970-01-01T00:00:00Z.
EARLIEST = 0.0
#: The latest instant the clock can show, as a POSIX timestamp: 9000-01-01T00:00:00Z.
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()
#: The longest token lifetime a fake takes, in seconds: 100 years of 366 days.
MAX_LIFETIME = 100 * 366 * 86_400

_RANGE = "from 1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z"


class ClockTypeError(ConfigurationError, TypeError):
    """A clock value of the wrong type: a :class:`ConfigurationError` that is a ``TypeError``."""


_UTC = timezone.utc


def to_datetime(timestamp: float) -> datetime:
    """The aware UTC ``datetime`` of a POSIX timestamp."""
    return datetime.fromtimestamp(timestamp, _UTC)


def checked_lifetime(seconds: object, name: str) -> None:
    """Raise :class:`ConfigurationError` unless ``seconds`` is a finite number of seconds no
    longer than :data:`MAX_LIFETIME` (positivity is the caller's own check and message)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ConfigurationError(
            f"{name} must be a number of seconds, not {type(seconds).__name__} {seconds!r}"
        )
    if seconds > MAX_LIFETIME or not math.isfinite(seconds):  # no float() of a huge int
        raise ConfigurationError(
            f"{name} must be at most {MAX_LIFETIME:,} seconds (about 100 years), not "
            f"{_shown(seconds)}; every expiry must stay a valid date"
        )


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
        """Seconds since the epoch, read now (a system time outside the range reads as its
        nearest edge)."""
        fixed = self._fixed
        if fixed is not None:
            return fixed
        now = time.time() + self._offset
        if EARLIEST <= now <= LATEST:
            return now
        return EARLIEST if now < EARLIEST else LATEST

    def now(self) -> datetime:
        """The current instant as an aware UTC ``datetime``."""
        # to_datetime(self.time()), one call less: the seam and a login each read it
        return datetime.fromtimestamp(self.time(), _UTC)

    def set(self, when: datetime | float, *, frozen: bool = False) -> None:
        """Make ``when`` the current instant.

        The clock keeps running from there unless ``frozen`` is true, in which case it stays at
        ``when`` until it is set, shifted or reset again. A naive ``datetime`` is taken as UTC.
        Raises :class:`ConfigurationError` for an instant outside the clock's range.
        """
        if not isinstance(frozen, bool):
            raise ClockTypeError(f"frozen is true or false, not {type(frozen).__name__}")
        target = _in_range(_timestamp(when), f"the clock cannot be set to {_shown(when)}")
        with self._lock:
            if frozen:
                self._fixed = target
                self._offset = 0.0
            else:
                self._fixed = None
                self._offset = target - time.time()

    def shift(self, seconds: float) -> None:
        """Move the clock by ``seconds`` (negative goes back).

        Raises :class:`ConfigurationError` for a number that is not finite, or that would move
        the clock outside its range.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ClockTypeError(
                f"a clock shift is a number of seconds, not {type(seconds).__name__}"
            )
        if abs(seconds) > LATEST - EARLIEST or not math.isfinite(seconds):
            raise ConfigurationError(
                f"a clock shift is a finite number of seconds within the clock's range "
                f"({_RANGE}), not {_shown(seconds)}"
            )
        reason = f"shifting the clock by {seconds!r} seconds would leave its range"
        with self._lock:
            if self._fixed is not None:
                self._fixed = _in_range(self._fixed + seconds, reason)
            else:
                _in_range(time.time() + self._offset + seconds, reason)
                self._offset += seconds

    def reset(self) -> None:
        """Follow the system time again."""
        with self._lock:
            self._fixed = None
            self._offset = 0.0

    def to_document(self) -> dict[str, float | None]:
        """The clock's setting as a state document holds it: ``{"frozen_at": POSIX time or
        None, "offset": seconds added to the system time}``."""
        with self._lock:
            return {"frozen_at": self._fixed, "offset": self._offset}

    def load_document(self, document: Mapping[str, Any]) -> None:
        """Take the setting of :meth:`to_document`, checked as :meth:`set` and :meth:`shift`
        check theirs: an instant outside the clock's range, or an offset that takes the clock
        outside it, raises :class:`ConfigurationError` and changes nothing."""
        if not isinstance(document, Mapping) or set(document) != {"frozen_at", "offset"}:
            raise ConfigurationError(
                'a clock setting is {"frozen_at": POSIX time or null, "offset": seconds}'
            )
        frozen_at, offset = document["frozen_at"], document["offset"]
        if frozen_at is not None:
            target = _in_range(
                _number(frozen_at), f"the clock cannot be frozen at {_shown(frozen_at)}"
            )
            with self._lock:
                self._fixed, self._offset = target, 0.0
            return
        shift = _number(offset)
        reason = f"the clock cannot run {_shown(offset)} seconds off the system time"
        if not abs(shift) <= LATEST - EARLIEST:  # also refuses NaN
            raise ConfigurationError(f"{reason}: the clock goes {_RANGE}")
        with self._lock:
            self._fixed, self._offset = None, shift

    @property
    def is_shifted(self) -> bool:
        """Whether the clock was set or shifted away from the system time."""
        return self._fixed is not None or self._offset != 0.0

    def __repr__(self) -> str:
        state = "frozen" if self._fixed is not None else f"offset={self._offset:+.3f}s"
        return f"<Clock {self.now().isoformat()} ({state})>"


def _in_range(timestamp: float, reason: str) -> float:
    if EARLIEST <= timestamp <= LATEST:  # False for NaN
        return timestamp
    raise ConfigurationError(f"{reason}: the clock goes {_RANGE}")


def _shown(value: object) -> str:
    try:
        text = value.isoformat() if isinstance(value, datetime) else repr(value)
    except ValueError:  # an int past Python's int-str limit has no repr
        return f"a number of {value.bit_length() if isinstance(value, int) else '?'} bits"
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ClockTypeError(f"a clock setting is a number of seconds, not {type(value).__name__}")
    return float(value) if abs(value) <= 2 * LATEST else math.nan  # no float() of a huge int


def _timestamp(when: datetime | float) -> float:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        try:
            return when.timestamp()
        except (OverflowError, ValueError):  # an offset pushing it past year 1 or 9999
            return math.nan
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        return float(when) if abs(when) <= LATEST else math.nan  # no float() of a huge int
    raise ClockTypeError(
        f"a clock instant is a datetime or a POSIX timestamp, not {type(when).__name__}"
    )
