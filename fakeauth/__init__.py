"""fakeauth: a stateful, in-process fake of the Ovok, B2Core and walt.id auth APIs.

>>> from fakeauth import FakeAuth
>>> fake = FakeAuth()
>>> account = fake.ovok.add_account(email="max@example.test", password="s3cret")
"""

from __future__ import annotations

from fakeauth.clock import Clock
from fakeauth.errors import (
    ConfigurationError,
    DomainError,
    FakeAuthError,
)
from fakeauth.fake import DEFAULT_HOSTS, FakeAuth
from fakeauth.journal import Journal, JournalEntry
from fakeauth.outbox import Message, Outbox
from fakeauth.redaction import redacted

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
    "Outbox",
    "redacted",
]

__version__ = "0.1.0"
