"""Request events: code that watches a fake's vendor traffic and changes its state as it goes.

A listener sees every request a vendor route serves, twice: :meth:`RequestListener.before`, once
the route is known and before the pending faults are looked up and the vendor answers (so it may
queue a fault for this very request, or change the state the answer is made from), and
:meth:`RequestListener.after`, once the request is answered and journaled. The weather
conditions of the pytest plugin (:mod:`fakeauth.weather`) are built on it.

>>> class Watch:
...     def before(self, event): pass
...     def after(self, event): print(event.operation, event.status)
>>> fake.events.add(Watch())
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from fakeauth.http import Request

__all__ = ["RequestEvent", "RequestEvents", "RequestListener"]


@dataclass(frozen=True)
class RequestEvent:
    """One served request: its operation id, vendor, the request as the vendor sees it and,
    after it was answered, the status (``0``: the connection was dropped; ``None`` before)."""

    operation: str
    vendor: str
    request: Request
    status: int | None = None

    @property
    def succeeded(self) -> bool:
        """Whether it was answered with a 2xx status."""
        return self.status is not None and 200 <= self.status < 300


class RequestListener(Protocol):
    """What :meth:`RequestEvents.add` takes: an object with ``before`` and ``after``."""

    def before(self, event: RequestEvent) -> None:
        """Called before the vendor answers (and before the pending faults are looked up)."""

    def after(self, event: RequestEvent) -> None:
        """Called once the request is answered and journaled."""


class RequestEvents:
    """The listeners of one fake, called in the order they were added; thread-safe.

    A listener runs in the thread that serves the request, and what it raises reaches the
    transport: keep it to state changes that cannot fail. :meth:`fakeauth.FakeAuth.reset`
    removes every listener.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: tuple[RequestListener, ...] = ()

    def add(self, listener: RequestListener) -> RequestListener:
        """Call ``listener`` for every served request from now on; returns it."""
        with self._lock:
            self._listeners = (*self._listeners, listener)
        return listener

    def remove(self, listener: RequestListener) -> None:
        """Stop calling ``listener`` (one that was never added is ignored)."""
        with self._lock:
            self._listeners = tuple(held for held in self._listeners if held is not listener)

    def clear(self) -> None:
        """Remove every listener."""
        with self._lock:
            self._listeners = ()

    @property
    def listeners(self) -> tuple[RequestListener, ...]:
        """The listeners, in the order they are called."""
        return self._listeners

    def before(self, event: RequestEvent) -> None:
        """Tell every listener that ``event``'s request is about to be answered."""
        for listener in self._listeners:  # a tuple: read once, without the lock
            listener.before(event)

    def after(self, event: RequestEvent) -> None:
        """Tell every listener that ``event``'s request was answered."""
        for listener in self._listeners:
            listener.after(event)
