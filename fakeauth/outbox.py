"""The outbox: messages the real services would have sent (verification emails, SMS codes)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fakeauth.lazy import lazy_names

if TYPE_CHECKING:
    from fakeauth.outbox_message import Message

__all__ = ["Message", "Outbox"]

# Message lives in its own module, imported by the first message sent (or read from here).
__getattr__, __dir__ = lazy_names(__name__, {"Message": "fakeauth.outbox_message"})


class Outbox:
    """Every message the fake sent, oldest first; thread-safe.

    With ``limit``, it keeps the newest ``limit`` messages only (a long ``fakeauth serve`` run
    must not grow without bound); :attr:`dropped` counts the others.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._lock = threading.Lock()
        # A fresh outbox per test: deque() costs a quarter of deque(maxlen=None).
        self._messages: deque[Message] = deque() if limit is None else deque(maxlen=limit)
        #: How many messages the limit dropped, oldest first.
        self.dropped = 0

    def send(self, message: Message) -> None:
        """Deliver ``message`` (to this list: nothing leaves the process)."""
        with self._lock:
            if len(self._messages) == self._messages.maxlen:
                self.dropped += 1
            self._messages.append(message)

    def to(self, address: str) -> list[Message]:
        """The messages sent to ``address`` (an email compared case-insensitively, or a phone)."""
        wanted = address.casefold()
        return [m for m in self if m.to.casefold() == wanted]

    def last(self) -> Message:
        """The newest message; raises ``LookupError`` when the outbox is empty."""
        with self._lock:
            if not self._messages:
                raise LookupError("fakeauth: the outbox is empty; no message was sent")
            return self._messages[-1]

    def clear(self) -> None:
        """Forget every message."""
        with self._lock:
            self._messages.clear()
            self.dropped = 0

    def __iter__(self) -> Iterator[Message]:
        with self._lock:
            return iter(list(self._messages))

    def __len__(self) -> int:
        return len(self._messages)

    def __getitem__(self, index: int) -> Message:
        with self._lock:
            return self._messages[index]

    def __repr__(self) -> str:
        return f"<Outbox {len(self)} message(s)>"
