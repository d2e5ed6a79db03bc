"""A system clock that jumps forward at every read of a fake's clock: ``pytest --clock-jumps``.

A test that reads a fake on the system's clock twice, and expects a value worked out at the
first read (a ``Retry-After``, an "N s ago", a token with a second left) to hold at the second,
passes on an idle machine and fails once in a while on a loaded one. With ``--clock-jumps`` it
fails every time: each system-time read of :class:`fakeauth.clock.Clock` is ``JUMP`` seconds
past the one before (on top of the real time that passed), so no two reads share a second.
``.ci/run`` runs the suite so once.

The jump goes into the clock module's view of :mod:`time` (``fakeauth.clock.time``), not into
``time.time`` itself: time-machine patches the C function it finds at ``time.time`` when it
starts to travel, and finding a Python function there crashes the interpreter. A clock a test
library holds is read as it is: freezegun's (it replaces ``time.time`` while it is active) and
time-machine's while it travels (its public ``escape_hatch``).
"""

from __future__ import annotations

import itertools
import sys
import time
from typing import Any

import fakeauth.clock

#: Seconds added at each read, on top of the real time that passed: over one, so that no two
#: reads fall in the same second.
JUMP = 1.1

#: The builtin, in a tuple: freezegun replaces every module-level name bound to it, this
#: module's too, while it freezes.
_BUILTIN = (time.time,)


class JumpingTime:
    """Stands in for the :mod:`time` module; its ``time()`` jumps, all else is :mod:`time`'s."""

    def __init__(self, jump: float = JUMP) -> None:
        self.jump = jump
        self._reads = itertools.count(1)

    def time(self) -> float:
        current = time.time
        if current is not _BUILTIN[0]:  # freezegun (or a test's monkeypatch) holds it
            return current()
        time_machine = sys.modules.get("time_machine")
        if time_machine is not None and time_machine.escape_hatch.is_travelling():
            return current()
        return current() + next(self._reads) * self.jump

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def install(jump: float = JUMP) -> JumpingTime:
    """Make every fake's clock jump ``jump`` seconds at each read of the system's time."""
    jumping = JumpingTime(jump)
    fakeauth.clock.time = jumping  # type: ignore[assignment,attr-defined]
    return jumping
