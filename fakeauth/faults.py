"""Fault injection: make the next calls of an operation fail, for a client's error handling."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from fakeauth.errors import FakeAuthError

__all__ = ["Fault", "Faults", "InjectedConnectionError"]


class InjectedConnectionError(FakeAuthError, ConnectionError):
    """Raised by the seam for a fault that drops the connection.

    The in-process transports turn it into their client library's own error
    (``requests.ConnectionError``, ``httpx.ConnectError``); the live server closes the connection.
    ``delay`` is how long the connection stays open before it drops (the seam does not wait).
    """

    def __init__(self, message: str, *, delay: float = 0.0) -> None:
        super().__init__(message)
        self.delay = delay


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


class Faults:
    """The pending faults of one fake, consumed in the order they were added; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Queue ``fault``."""
        with self._lock:
            self._pending.append(fault)
        return fault

    def take(self, operation: str) -> Fault | None:
        """The fault for this call of ``operation``, if one is pending (it counts one use)."""
        if not self._pending:  # the common case, without the lock
            return None
        with self._lock:
            for fault in self._pending:
                if fault.operation == operation:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._pending.remove(fault)
                    return fault
        return None

    @property
    def pending(self) -> list[Fault]:
        """The faults not yet used up."""
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._pending.clear()
