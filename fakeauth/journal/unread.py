"""A journal entry's body kept to redact when it is first read (:class:`Unread`)."""

from __future__ import annotations

from typing import Any

__all__ = ["Unread"]


class Unread:
    """A body an entry keeps to redact when it is first read, with the secrets to redact from
    it: both in the clear, so nothing shows them (not ``repr``, not ``dataclasses.asdict`` or
    ``vars`` of the entry, whose copy of it is another ``Unread``); read the entry's
    :attr:`~fakeauth.journal.JournalEntry.request` or
    :attr:`~fakeauth.journal.JournalEntry.response` instead."""

    __slots__ = ("secrets", "value")

    def __init__(self, value: Any, secrets: tuple[str, ...]) -> None:
        self.value = value
        self.secrets = secrets

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Unread)
            and other.value == self.value
            and other.secrets == self.secrets
        )

    def __hash__(self) -> int:
        # as the entry hashed the body itself: bytes hash, a parsed dict raises TypeError
        return hash((self.value, self.secrets))

    def __repr__(self) -> str:
        return "<unread body: read the entry's request or response>"
