"""The vendor registry: the vendors fakeauth serves, listed once.

``VENDORS`` is what a ``FakeAuth()`` serves unless it is given other records
(``FakeAuth(vendors=(*VENDORS, my_vendor))``); everything that needs every vendor iterates a fake's
records (``fake.vendors``), never a list of names of its own.

Each vendor's module here (``ovok``) holds its light record, a
:class:`~fakeauth.vendor.DeferredVendor`: what a ``FakeAuth()`` needs (name, hosts, label). The
rest of the record (``ovok_record``: the API, models and state) is imported on the vendor's first
use, so a test that only calls one vendor loads only that vendor's code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from fakeauth.errors import ConfigurationError
from fakeauth.vendor import DeferredVendor, Vendor, checked_name, checked_record
from fakeauth.vendors import b2core, ovok, waltid

__all__ = ["DEFAULT_HOSTS", "VENDORS", "checked_vendors"]

#: The vendors fakeauth serves, in the order every listing shows them (each loaded on first use).
VENDORS: tuple[Vendor, ...] = (ovok.VENDOR, b2core.VENDOR, waltid.VENDOR)

#: The vendors' hosts, as the API contracts decide; every one is configurable.
DEFAULT_HOSTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {vendor.name: vendor.default_hosts for vendor in VENDORS}
)


def checked_vendors(vendors: Iterable[Vendor]) -> tuple[Vendor, ...]:
    """``vendors`` as a tuple, once every one is a :class:`Vendor` of its own name and no two
    share a name or an operation id; else raises :class:`ConfigurationError`.

    A :class:`~fakeauth.vendor.DeferredVendor`'s API is checked when its code is loaded (its
    first use), not here: checking it would import it."""
    if isinstance(vendors, Vendor) or not isinstance(vendors, Iterable):
        raise ConfigurationError(
            "vendors is a sequence of fakeauth.vendor.Vendor records, such as "
            "(*fakeauth.vendors.VENDORS, my_vendor)"
        )
    records = tuple(vendors)
    names: set[str] = set()
    for vendor in records:
        if not isinstance(vendor, Vendor):
            raise ConfigurationError(
                f"vendors holds {type(vendor).__name__}, not a fakeauth.vendor.Vendor record"
            )
        deferred = isinstance(vendor, DeferredVendor)
        checked_name(vendor, None if deferred else vendor.api.name)
        if vendor.name in names:
            raise ConfigurationError(f"two vendors are named {vendor.name!r}; give each once")
        names.add(vendor.name)
        if not deferred:
            checked_record(vendor)
    if not records:
        raise ConfigurationError("a fake serves at least one vendor")
    return records
