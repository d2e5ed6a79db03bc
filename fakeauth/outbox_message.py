"""One message a vendor sent (:class:`Message`), apart from the outbox that holds it: a frozen
dataclass costs about a millisecond to define, and a fake that sends no message (a login) never
needs it. Importable from :mod:`fakeauth.outbox` and :mod:`fakeauth` as ever."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Message"]


@dataclass(frozen=True)
class Message:
    """One message a vendor sent: to whom, what, and the machine-readable parts in ``data``."""

    vendor: str
    kind: str
    to: str
    subject: str
    body: str
    time: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The message as JSON-ready data."""
        return {
            "vendor": self.vendor,
            "kind": self.kind,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "time": self.time.isoformat(),
            "data": self.data,
        }
