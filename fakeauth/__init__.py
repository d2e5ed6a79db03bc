"""fakeauth: a stateful, in-process fake of the Ovok, B2Core and walt.id auth APIs.

>>> from fakeauth import FakeAuth
>>> fake = FakeAuth()
>>> account = fake.ovok.add_account(email="max@example.test", password="s3cret")

The names below are imported on first use, so that importing ``fakeauth`` (as the pytest plugin
does at start-up) costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakeauth.clock import Clock
    from fakeauth.errors import ConfigurationError, DomainError, FakeAuthError
    from fakeauth.fake import DEFAULT_HOSTS, FakeAuth
    from fakeauth.journal import Journal, JournalEntry, OperationCalls
    from fakeauth.outbox import Message, Outbox
    from fakeauth.redaction import redacted
    from fakeauth.transports.base import UnservedRequestsError
    from fakeauth.transports.guard import VendorHostRefusedError

__all__ = [
    "DEFAULT_HOSTS",
    "Clock",
    "ConfigurationError",
    "DomainError",
    "FakeAuth",
    "FakeAuthError",
    "Journal",
    "JournalEntry",
    "Message",
    "OperationCalls",
    "Outbox",
    "UnservedRequestsError",
    "VendorHostRefusedError",
    "redacted",
]

__version__ = "0.1.0"

_HOMES = {
    "Clock": "fakeauth.clock",
    "ConfigurationError": "fakeauth.errors",
    "DomainError": "fakeauth.errors",
    "FakeAuthError": "fakeauth.errors",
    "DEFAULT_HOSTS": "fakeauth.fake",
    "FakeAuth": "fakeauth.fake",
    "Journal": "fakeauth.journal",
    "JournalEntry": "fakeauth.journal",
    "OperationCalls": "fakeauth.journal",
    "Message": "fakeauth.outbox",
    "Outbox": "fakeauth.outbox",
    "redacted": "fakeauth.redaction",
    "UnservedRequestsError": "fakeauth.transports.base",
    "VendorHostRefusedError": "fakeauth.transports.guard",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'fakeauth' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
