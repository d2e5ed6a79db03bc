"""B2Core's record in the vendor registry: its name, hosts (and their check) and label, with the
rest (its API, state, fidelity entries and accounts, :mod:`fakeauth.vendors.b2core_record`)
loaded on the vendor's first use."""

from __future__ import annotations

import functools

from fakeauth.state.b2core_options import checked_hosts
from fakeauth.vendor import DeferredVendor, Vendor

__all__ = ["DEFAULT_HOSTS", "LABEL", "VENDOR", "load"]

#: B2Core's brokers, as the API contracts decide: one base URL a broker.
DEFAULT_HOSTS = ("https://host.name",)
#: How the dashboard names B2Core.
LABEL = "B2Core"


@functools.cache  # code loading, once a process: the same full record for every fake
def load() -> Vendor:
    """B2Core's full record (imports its API, models and state on the first call)."""
    from fakeauth.vendors.b2core_record import full_record

    return full_record(VENDOR)


VENDOR = DeferredVendor(
    name="b2core",
    default_hosts=DEFAULT_HOSTS,
    check_hosts=checked_hosts,
    label=LABEL,
    load=load,
)
