"""``FakeAuthOptions``: the options a ``FakeAuth`` was made with, checked, as one frozen value.

``fake.options`` is what lanes, persistence and the CLI read to make another fake like it
(``FakeAuth(**fake.options.arguments())``), to write the options into a state document
(:meth:`FakeAuthOptions.document`), and what each vendor's state is built with
(:meth:`FakeAuthOptions.vendor_options`).
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from fakeauth.errors import ConfigurationError
from fakeauth.hosts import base_urls, host_keys
from fakeauth.randomness import Randomness
from fakeauth.records import FACTORY, assign, record
from fakeauth.state import b2core_options, ovok_options, waltid_options
from fakeauth.vendor import Vendor
from fakeauth.vendors import DEFAULT_HOSTS, VENDORS, checked_vendors

__all__ = ["FakeAuthOptions"]

#: The vendors whose hosts the constructor takes by name (``ovok_hosts=...``), in that order.
_NAMED_HOSTS = ("ovok", "b2core", "waltid")


@record
class FakeAuthOptions:
    """The checked options of one ``FakeAuth`` (``fake.options``): frozen, so a fake made from
    them, a lane or a state document sees the options the fake has.

    ``hosts`` are the base URLs of each vendor the fake serves, normalised (``FACTORY``: each
    vendor's default hosts); ``features`` the flags switched at start (``FACTORY``: none); the
    lifetimes are in seconds, as the states take them.
    """

    vendors: tuple[Vendor, ...] = VENDORS
    seed: int | str | bytes | None = None
    hosts: Mapping[str, tuple[str, ...]] = dataclasses.field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_HOSTS))
    )
    features: Mapping[str, bool] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    ovok_access_token_ttl: int = 3600
    ovok_refresh_token_ttl: int = 1_209_600
    b2core_access_token_ttl: int = 1200
    b2core_refresh_token_ttl: int = 2_592_000
    waltid_token_ttl: int = 604_800
    journal_limit: int | None = None

    def __init__(
        self,
        vendors: tuple[Vendor, ...] = VENDORS,
        seed: int | str | bytes | None = None,
        hosts: Mapping[str, tuple[str, ...]] = FACTORY,
        features: Mapping[str, bool] = FACTORY,
        ovok_access_token_ttl: int = 3600,
        ovok_refresh_token_ttl: int = 1_209_600,
        b2core_access_token_ttl: int = 1200,
        b2core_refresh_token_ttl: int = 2_592_000,
        waltid_token_ttl: int = 604_800,
        journal_limit: int | None = None,
    ) -> None:
        assign(
            self,
            vendors=vendors,
            seed=seed,
            hosts=hosts,
            features=features,
            ovok_access_token_ttl=ovok_access_token_ttl,
            ovok_refresh_token_ttl=ovok_refresh_token_ttl,
            b2core_access_token_ttl=b2core_access_token_ttl,
            b2core_refresh_token_ttl=b2core_refresh_token_ttl,
            waltid_token_ttl=waltid_token_ttl,
            journal_limit=journal_limit,
        )

    @classmethod
    def checked(
        cls,
        *,
        vendors: Iterable[Vendor],
        seed: int | str | bytes | None,
        hosts: Mapping[str, Iterable[str]],
        features: Mapping[str, bool] | None,
        ovok_access_token_ttl: int,
        ovok_refresh_token_ttl: int,
        b2core_access_token_ttl: int,
        b2core_refresh_token_ttl: int,
        waltid_token_ttl: int,
        journal_limit: int | None,
    ) -> FakeAuthOptions:
        """The options the constructor's arguments stand for, once each is checked (raises
        :class:`ConfigurationError`, or ``TypeError`` for a seed of the wrong type, as the
        constructor does); ``hosts`` by vendor name, a vendor not in it on its default hosts."""
        given = tuple(hosts.items())
        if (
            features is None
            and cls is FakeAuthOptions
            and type(vendors) is tuple
            and all(map(_plain_urls, map(_URLS, given)))
        ):
            try:  # most fakes: the same few option sets, checked once (see checked_options)
                return checked_options(
                    vendors,
                    seed,
                    given,
                    ovok_access_token_ttl,
                    ovok_refresh_token_ttl,
                    b2core_access_token_ttl,
                    b2core_refresh_token_ttl,
                    waltid_token_ttl,
                    journal_limit,
                )
            except TypeError:  # a value that cannot be a cache key, or a seed of the wrong type
                pass
        return cls.check_anew(
            vendors=vendors,
            seed=seed,
            hosts=hosts,
            features=features,
            ovok_access_token_ttl=ovok_access_token_ttl,
            ovok_refresh_token_ttl=ovok_refresh_token_ttl,
            b2core_access_token_ttl=b2core_access_token_ttl,
            b2core_refresh_token_ttl=b2core_refresh_token_ttl,
            waltid_token_ttl=waltid_token_ttl,
            journal_limit=journal_limit,
        )

    @classmethod
    def check_anew(
        cls,
        *,
        vendors: Iterable[Vendor],
        seed: int | str | bytes | None,
        hosts: Mapping[str, Iterable[str]],
        features: Mapping[str, bool] | None,
        ovok_access_token_ttl: int,
        ovok_refresh_token_ttl: int,
        b2core_access_token_ttl: int,
        b2core_refresh_token_ttl: int,
        waltid_token_ttl: int,
        journal_limit: int | None,
    ) -> FakeAuthOptions:
        """:meth:`checked` without its memo: every option checked now."""
        records = _vendors(vendors)
        Randomness(seed)  # raises for a seed of the wrong type, before anything else is checked
        lifetimes = (
            ovok_access_token_ttl,
            ovok_refresh_token_ttl,
            b2core_access_token_ttl,
            b2core_refresh_token_ttl,
            waltid_token_ttl,
        )
        try:
            ovok_ttls, waltid_ttl = _checked_lifetimes(*lifetimes)
        except TypeError:  # a value that cannot be a cache key: checked (and refused) anew
            ovok_ttls, waltid_ttl = _checked_lifetimes.__wrapped__(*lifetimes)
        checked_hosts = _hosts(records, hosts)
        if features is not None and not isinstance(features, Mapping):
            raise ConfigurationError(
                "features maps flag names to True or False, such as "
                f'{{"account-registration": False}}, not {type(features).__name__}'
            )
        return cls(
            vendors=records,
            seed=seed,
            hosts=MappingProxyType(checked_hosts),
            features=MappingProxyType(dict(features or {})),
            ovok_access_token_ttl=ovok_ttls[0],
            ovok_refresh_token_ttl=ovok_ttls[1],
            b2core_access_token_ttl=b2core_access_token_ttl,
            b2core_refresh_token_ttl=b2core_refresh_token_ttl,
            waltid_token_ttl=waltid_ttl,
            journal_limit=journal_limit,
        )

    @functools.cached_property
    def vendor_by_name(self) -> Mapping[str, Vendor]:
        """The vendor records by name, in the order of :attr:`vendors` (worked out once per
        options value: most fakes share one, see :func:`checked_options`)."""
        return MappingProxyType({vendor.name: vendor for vendor in self.vendors})

    @functools.cached_property
    def host_vendors(self) -> Mapping[str, Vendor]:
        """The vendor record of every ``Host`` header value that names one of the vendors'
        base URLs (the record, not its API: reading the API loads the vendor's code, on its
        first request); worked out once per options value."""
        table: dict[str, Vendor] = {}
        for vendor in self.vendors:
            for url in self.hosts[vendor.name]:
                for key in host_keys(url):
                    table[key] = vendor
        return MappingProxyType(table)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``FakeAuth(...)`` that make a fake of these options."""
        named = {f"{name}_hosts": self.hosts[name] for name in _NAMED_HOSTS if name in self.hosts}
        return {
            "vendors": self.vendors,
            "seed": self.seed,
            **named,
            "features": dict(self.features),
            "ovok_access_token_ttl": self.ovok_access_token_ttl,
            "ovok_refresh_token_ttl": self.ovok_refresh_token_ttl,
            "b2core_access_token_ttl": self.b2core_access_token_ttl,
            "b2core_refresh_token_ttl": self.b2core_refresh_token_ttl,
            "waltid_token_ttl": self.waltid_token_ttl,
            "journal_limit": self.journal_limit,
        }

    def replace(self, **changes: Any) -> FakeAuthOptions:
        """These options with ``changes`` (``options.replace(seed=7)``), unchecked: make a fake
        of them with ``FakeAuth(**options.arguments())``, which checks them."""
        return dataclasses.replace(self, **changes)

    def document(self) -> dict[str, Any]:
        """The options that shape a fake's state, as a state document holds them (JSON-ready;
        a ``bytes`` seed as ``{"bytes_hex": ...}``)."""
        seed = self.seed
        return {
            "seed": {"bytes_hex": seed.hex()} if isinstance(seed, bytes) else seed,
            **{
                f"{name}_hosts": list(self.hosts.get(name, DEFAULT_HOSTS[name]))
                for name in _NAMED_HOSTS
            },
            "features": dict(self.features),
            "ovok_access_token_ttl": self.ovok_access_token_ttl,
            "ovok_refresh_token_ttl": self.ovok_refresh_token_ttl,
            "b2core_access_token_ttl": self.b2core_access_token_ttl,
            "b2core_refresh_token_ttl": self.b2core_refresh_token_ttl,
            "waltid_token_ttl": self.waltid_token_ttl,
        }

    def vendor_options(self, name: str) -> Mapping[str, Any]:
        """The options of the vendor ``name`` by their short name, as its state is built with
        them (``StateContext.options``: ``ovok_access_token_ttl`` is Ovok's
        ``access_token_ttl``; every vendor's ``hosts``)."""
        hosts = self.hosts.get(name, ())
        if name == "ovok":
            access, refresh = self.ovok_access_token_ttl, self.ovok_refresh_token_ttl
            return {"hosts": hosts, "access_token_ttl": access, "refresh_token_ttl": refresh}
        if name == "b2core":
            return {
                "hosts": hosts or DEFAULT_HOSTS["b2core"],
                "access_token_ttl": self.b2core_access_token_ttl,
                "refresh_token_ttl": self.b2core_refresh_token_ttl,
            }
        if name == "waltid":
            return {"hosts": hosts, "token_ttl": self.waltid_token_ttl}
        return {"hosts": hosts}


# Most fakes use the default lifetimes: checked once, not per fake. ``typed``: True and 1 differ.
@functools.lru_cache(maxsize=64, typed=True)
def _checked_lifetimes(
    ovok_access: Any, ovok_refresh: Any, b2core_access: Any, b2core_refresh: Any, waltid: Any
) -> tuple[tuple[int, int], int]:
    """The Ovok and walt.id lifetimes as the states take them, once every lifetime is checked
    (raises :class:`ConfigurationError` as the states' own checks do; the rules sit apart from
    the states, so that checking them loads no vendor's code)."""
    ovok = ovok_options.token_lifetimes(ovok_access, ovok_refresh)
    b2core_options.checked_lifetimes(b2core_access, b2core_refresh)
    return ovok, waltid_options.token_lifetime(waltid)


#: The URLs of one ``(vendor name, URLs)`` item of the hosts.
_URLS = operator.itemgetter(1)
#: What :func:`_plain_urls` allows in a tuple of URLs: exact strings (a subclass may hash and
#: compare as it likes, so it is never a key of the memos below).
_STR_ONLY = frozenset({str})


def _plain_urls(urls: Any) -> bool:
    # Every item's exact type is str, read in C (a generator here was a tenth of FakeAuth()).
    return type(urls) is str or (type(urls) is tuple and _STR_ONLY.issuperset(map(type, urls)))


# Most fakes are made with the same few option sets (the defaults, above all): the whole check
# and the frozen options it gives (eleven fields set one by one) were a third of FakeAuth(). Only
# immutable inputs are keys (records compared by identity, strings, tuples of strings, numbers;
# ``typed``: 1, 1.0 and True differ), no ``features`` mapping, and only a success is kept, so a
# kept answer is the one the check would give; tests/test_option_caches.py compares the two.
@functools.lru_cache(maxsize=64, typed=True)
def checked_options(
    vendors: tuple[Vendor, ...],
    seed: int | str | bytes | None,
    hosts: tuple[tuple[str, str | tuple[str, ...]], ...],
    ovok_access_token_ttl: Any,
    ovok_refresh_token_ttl: Any,
    b2core_access_token_ttl: Any,
    b2core_refresh_token_ttl: Any,
    waltid_token_ttl: Any,
    journal_limit: Any,
) -> FakeAuthOptions:
    """:meth:`FakeAuthOptions.checked` of hashable, immutable arguments and no features, kept."""
    return FakeAuthOptions.check_anew(
        vendors=vendors,
        seed=seed,
        hosts=dict(hosts),
        features=None,
        ovok_access_token_ttl=ovok_access_token_ttl,
        ovok_refresh_token_ttl=ovok_refresh_token_ttl,
        b2core_access_token_ttl=b2core_access_token_ttl,
        b2core_refresh_token_ttl=b2core_refresh_token_ttl,
        waltid_token_ttl=waltid_token_ttl,
        journal_limit=journal_limit,
    )


# -- the checks of vendors and hosts, memoised ------------------------------------------------
# Most fakes are made of the default records on their default hosts: checking them anew (every
# route's operation id, every URL parsed) was a quarter of FakeAuth(). The inputs are immutable
# (frozen records, tuples of strings) and only a success is kept, so a cached answer is the one
# the check would give; tests/test_fast_paths.py compares the two.


def _vendors(vendors: Iterable[Vendor]) -> tuple[Vendor, ...]:
    """:func:`checked_vendors`, memoised for a tuple of records."""
    if type(vendors) is tuple:
        return checked_vendor_tuple(vendors)
    return checked_vendors(vendors)


@functools.lru_cache(maxsize=16)  # the default records, and a test's own set or two
def checked_vendor_tuple(vendors: tuple[Vendor, ...]) -> tuple[Vendor, ...]:
    """:func:`~fakeauth.vendors.checked_vendors` of a tuple, kept (records compare by
    identity and are frozen)."""
    return checked_vendors(vendors)


def _hosts(records: tuple[Vendor, ...], hosts: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """Each vendor's base URLs, normalised and checked (memoised for strings and tuples of
    strings: any other iterable is read once, as the plain check reads it)."""
    given = tuple(
        (vendor, _frozen(hosts.get(vendor.name, vendor.default_hosts))) for vendor in records
    )
    try:
        return dict(checked_host_table(given))
    except TypeError:  # a value that cannot be a cache key: checked (and refused) anew
        return dict(checked_host_table.__wrapped__(given))


def _frozen(urls: Iterable[str]) -> Any:
    return urls if isinstance(urls, str) else tuple(urls)


@functools.lru_cache(maxsize=64)  # the default hosts, and the few a suite configures
def checked_host_table(
    given: tuple[tuple[Vendor, Any], ...],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(vendor name, base URLs)`` of each ``(record, hosts as given)``, checked; kept."""
    return tuple(
        (vendor.name, vendor.check_hosts(base_urls(vendor.hosts_option, urls)))
        for vendor, urls in given
    )
