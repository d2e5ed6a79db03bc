"""fakeauth: a stateful, in-process fake of the Ovok, B2Core and walt.id auth APIs.

>>> from fakeauth import FakeAuth
>>> fake = FakeAuth()
>>> account = fake.ovok.add_account(email="max@example.test", password="s3cret")

Everything a user touches is importable from here: the facade, each vendor's state and account
types (for type hints), the fixture types, the live server, faults and errors. The names below are
imported on first use, so that importing ``fakeauth`` (as the pytest plugin does at start-up) costs
next to nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeauth.lazy import lazy_names

if TYPE_CHECKING:
    from fakeauth.clock import Clock
    from fakeauth.errors import ConfigurationError, DomainError, FakeAuthError
    from fakeauth.fake import DEFAULT_HOSTS, FakeAuth
    from fakeauth.fault import Fault
    from fakeauth.faults import InjectedConnectionError
    from fakeauth.features import Feature, FeatureRegistry
    from fakeauth.journal import Journal, JournalEntry, OperationCalls
    from fakeauth.lanes import Lanes
    from fakeauth.options import FakeAuthOptions
    from fakeauth.outbox import Outbox
    from fakeauth.outbox_message import Message
    from fakeauth.persistence import Snapshot, Snapshots
    from fakeauth.redaction import redacted
    from fakeauth.state.b2core import B2CoreState
    from fakeauth.state.b2core_brokers import B2CoreAccount, B2CoreBroker, B2CoreTokens
    from fakeauth.state.ovok import OvokAccount, OvokClient, OvokState, OvokTenant, OvokTokens
    from fakeauth.state.waltid import WaltidState
    from fakeauth.state.waltid_accounts import WaltidAccount, WaltidLogin, WaltidOrganization
    from fakeauth.testing import B2CoreUser, FakeauthServer, OvokUser, SeededUser, WaltidUser
    from fakeauth.transports.base import UnservedRequestsError
    from fakeauth.transports.guard import VendorHostRefusedError
    from fakeauth.transports.server import LiveServer
    from fakeauth.vendor import Vendor, VendorState
    from fakeauth.vendors import VENDORS

__all__ = [
    "DEFAULT_HOSTS",
    "VENDORS",
    "B2CoreAccount",
    "B2CoreBroker",
    "B2CoreState",
    "B2CoreTokens",
    "B2CoreUser",
    "Clock",
    "ConfigurationError",
    "DomainError",
    "FakeAuth",
    "FakeAuthError",
    "FakeAuthOptions",
    "FakeauthServer",
    "Fault",
    "Feature",
    "FeatureRegistry",
    "InjectedConnectionError",
    "Journal",
    "JournalEntry",
    "Lanes",
    "LiveServer",
    "Message",
    "OperationCalls",
    "Outbox",
    "OvokAccount",
    "OvokClient",
    "OvokState",
    "OvokTenant",
    "OvokTokens",
    "OvokUser",
    "SeededUser",
    "Snapshot",
    "Snapshots",
    "UnservedRequestsError",
    "Vendor",
    "VendorHostRefusedError",
    "VendorState",
    "WaltidAccount",
    "WaltidLogin",
    "WaltidOrganization",
    "WaltidState",
    "WaltidUser",
    "redacted",
]

__version__ = "0.1.0"

_HOMES = {
    "Clock": "fakeauth.clock",
    "VENDORS": "fakeauth.vendors",
    "Vendor": "fakeauth.vendor",
    "VendorState": "fakeauth.vendor",
    "ConfigurationError": "fakeauth.errors",
    "DomainError": "fakeauth.errors",
    "FakeAuthError": "fakeauth.errors",
    "DEFAULT_HOSTS": "fakeauth.fake",
    "FakeAuth": "fakeauth.fake",
    "FakeAuthOptions": "fakeauth.options",
    "Feature": "fakeauth.features",
    "FeatureRegistry": "fakeauth.features",
    "Fault": "fakeauth.fault",
    "InjectedConnectionError": "fakeauth.faults",
    "Journal": "fakeauth.journal",
    "JournalEntry": "fakeauth.journal",
    "OperationCalls": "fakeauth.journal",
    "Message": "fakeauth.outbox_message",
    "Outbox": "fakeauth.outbox",
    "redacted": "fakeauth.redaction",
    "OvokState": "fakeauth.state.ovok",
    "OvokAccount": "fakeauth.state.ovok",
    "OvokTenant": "fakeauth.state.ovok",
    "OvokClient": "fakeauth.state.ovok",
    "OvokTokens": "fakeauth.state.ovok",
    "B2CoreState": "fakeauth.state.b2core",
    "B2CoreAccount": "fakeauth.state.b2core_brokers",
    "B2CoreBroker": "fakeauth.state.b2core_brokers",
    "B2CoreTokens": "fakeauth.state.b2core_brokers",
    "WaltidState": "fakeauth.state.waltid",
    "WaltidAccount": "fakeauth.state.waltid_accounts",
    "WaltidLogin": "fakeauth.state.waltid_accounts",
    "WaltidOrganization": "fakeauth.state.waltid_accounts",
    "FakeauthServer": "fakeauth.testing",
    "SeededUser": "fakeauth.testing",
    "OvokUser": "fakeauth.testing",
    "B2CoreUser": "fakeauth.testing",
    "WaltidUser": "fakeauth.testing",
    "LiveServer": "fakeauth.transports.server",
    "Lanes": "fakeauth.lanes",
    "Snapshot": "fakeauth.persistence",
    "Snapshots": "fakeauth.persistence",
    "UnservedRequestsError": "fakeauth.transports.base",
    "VendorHostRefusedError": "fakeauth.transports.guard",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES)
