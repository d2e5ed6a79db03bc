"""Fault injection: make the next calls of an operation fail, for a client's error handling."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from fakeauth.errors import FakeAuthError
from fakeauth.lazy import lazy_names

if TYPE_CHECKING:
    from fakeauth.fault import Fault

__all__ = ["Fault", "Faults", "InjectedConnectionError"]

# Fault lives in its own module, imported by the first fault queued (or read from here).
__getattr__, __dir__ = lazy_names(__name__, {"Fault": "fakeauth.fault"})


class InjectedConnectionError(FakeAuthError, ConnectionError):
    """Raised by the seam for a fault that drops the connection.

    The in-process transports turn it into their client library's own error
    (``requests.ConnectionError``, ``httpx.ConnectError``); the live server closes the connection.
    ``delay`` is how long the connection stays open before it drops (the seam does not wait).
    """

    def __init__(self, message: str, *, delay: float = 0.0) -> None:
        super().__init__(message)
        self.delay = delay


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
