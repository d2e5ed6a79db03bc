"""The vendor registry: the vendors fakeauth serves, listed once.

``VENDORS`` is what a ``FakeAuth()`` serves unless it is given other records
(``FakeAuth(vendors=(*VENDORS, my_vendor))``); everything that needs every vendor iterates a fake's
records (``fake.vendors``), never a list of names of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from fakeauth.errors import ConfigurationError
from fakeauth.vendor import Vendor
from fakeauth.vendors import b2core, ovok, waltid

__all__ = ["DEFAULT_HOSTS", "VENDORS", "checked_vendors"]

#: The vendors fakeauth serves, in the order every listing shows them.
VENDORS: tuple[Vendor, ...] = (ovok.VENDOR, b2core.VENDOR, waltid.VENDOR)

#: The vendors' hosts, as the API contracts decide; every one is configurable.
DEFAULT_HOSTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {vendor.name: vendor.default_hosts for vendor in VENDORS}
)

_NAME = re.compile(r"[a-z][a-z0-9]{0,31}")


def checked_vendors(vendors: Iterable[Vendor]) -> tuple[Vendor, ...]:
    """``vendors`` as a tuple, once every one is a :class:`Vendor` of its own name and no two
    share a name or an operation id; else raises :class:`ConfigurationError`."""
    if isinstance(vendors, Vendor) or not isinstance(vendors, Iterable):
        raise ConfigurationError(
            "vendors is a sequence of fakeauth.vendor.Vendor records, such as "
            "(*fakeauth.vendors.VENDORS, my_vendor)"
        )
    records = tuple(vendors)
    names: set[str] = set()
    operations: set[str] = set()
    for vendor in records:
        if not isinstance(vendor, Vendor):
            raise ConfigurationError(
                f"vendors holds {type(vendor).__name__}, not a fakeauth.vendor.Vendor record"
            )
        if _NAME.fullmatch(vendor.name) is None or vendor.api.name != vendor.name:
            raise ConfigurationError(
                f"a vendor's name is 1 to 32 lowercase letters and digits, starting with a "
                f"letter, and its API's name is the same, not {vendor.name!r}"
            )
        if vendor.name in names:
            raise ConfigurationError(f"two vendors are named {vendor.name!r}; give each once")
        names.add(vendor.name)
        for route in vendor.api.routes:
            if route.operation in operations or not route.operation.startswith(f"{vendor.name}."):
                raise ConfigurationError(
                    f"the operation id {route.operation!r} is given twice or does not start "
                    f"with its vendor's name ({vendor.name}.)"
                )
            operations.add(route.operation)
    if not records:
        raise ConfigurationError("a fake serves at least one vendor")
    return records
