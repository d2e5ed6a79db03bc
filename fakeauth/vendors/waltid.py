"""walt.id's record in the vendor registry: its name, hosts and label, with the rest (its API,
state, fidelity entries and accounts, :mod:`fakeauth.vendors.waltid_record`) loaded on the
vendor's first use."""

from __future__ import annotations

import functools

from fakeauth.vendor import DeferredVendor, Vendor

__all__ = ["DEFAULT_HOSTS", "LABEL", "VENDOR", "load"]

#: walt.id Enterprise's hosts, as the API contracts decide.
DEFAULT_HOSTS = ("https://enterprise-sandbox.waltid.dev", "https://enterprise.sandbox.walt.id")
#: How the dashboard names walt.id.
LABEL = "walt.id"


@functools.cache  # code loading, once a process: the same full record for every fake
def load() -> Vendor:
    """walt.id's full record (imports its API, models and state on the first call)."""
    from fakeauth.vendors.waltid_record import full_record

    return full_record(VENDOR)


VENDOR = DeferredVendor(name="waltid", default_hosts=DEFAULT_HOSTS, label=LABEL, load=load)
