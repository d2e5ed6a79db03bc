"""One injected fault (:class:`Fault`), apart from the registry that queues it: a dataclass costs
about half a millisecond to define, and a fake that injects no fault (a login) never needs it.
Importable from :mod:`fakeauth.faults` and :mod:`fakeauth` as ever."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Fault"]


@dataclass
class Fault:
    """What the next ``remaining`` calls of ``operation`` do instead of their normal answer.

    ``status`` (with an optional JSON ``body``; else the vendor's own error body) replaces the
    answer; ``drop`` closes the connection without one; ``delay`` waits that many seconds first
    (with neither status nor drop, the normal answer follows the delay); ``headers`` are added to
    the answer (``(("Retry-After", "1"),)`` with a 503).
    """

    operation: str
    status: int | None = None
    body: Any = None
    drop: bool = False
    delay: float = 0.0
    remaining: int = 1
    headers: tuple[tuple[str, str], ...] = ()
