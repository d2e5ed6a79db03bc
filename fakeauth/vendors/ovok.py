"""Ovok's record in the vendor registry: its name, hosts and label, with the rest (its API,
state, fidelity entries and accounts, :mod:`fakeauth.vendors.ovok_record`) loaded on the
vendor's first use."""

from __future__ import annotations

import functools

from fakeauth.vendor import DeferredVendor, Vendor

__all__ = ["DEFAULT_HOSTS", "LABEL", "VENDOR", "load"]

#: Ovok's hosts, as the API contracts decide.
DEFAULT_HOSTS = (
    "https://api.dev.ovok.com",
    "https://api.sandbox.ovok.com",
    "https://api.staging.ovok.com",
    "https://api.ovok.com",
)
#: How the dashboard names Ovok.
LABEL = "Ovok"


@functools.cache  # code loading, once a process: the same full record for every fake
def load() -> Vendor:
    """Ovok's full record (imports its API, models and state on the first call)."""
    from fakeauth.vendors.ovok_record import full_record

    return full_record(VENDOR)


VENDOR = DeferredVendor(name="ovok", default_hosts=DEFAULT_HOSTS, label=LABEL, load=load)
