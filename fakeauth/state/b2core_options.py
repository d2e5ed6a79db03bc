"""The rules of B2Core's constructor options, apart from its state: ``FakeAuth()`` checks them
(and normalises the brokers' base URLs) before the state (and its code) is loaded, on the
vendor's first use."""

from __future__ import annotations

from collections.abc import Iterable

from fakeauth.clock import checked_lifetime
from fakeauth.errors import ConfigurationError
from fakeauth.hosts import base_url

__all__ = ["BROKER_URL", "checked_hosts", "checked_lifetimes"]

#: What a broker's URL is, for the error of one that is not.
BROKER_URL = "a B2Core broker is a base URL such as 'https://broker.example'"


def checked_lifetimes(access_token_ttl: int, refresh_token_ttl: int) -> None:
    """Raise :class:`ConfigurationError` unless both lifetimes are ones the state takes."""
    checked_lifetime(access_token_ttl, "b2core_access_token_ttl")
    checked_lifetime(refresh_token_ttl, "b2core_refresh_token_ttl")
    if access_token_ttl <= 0 or refresh_token_ttl <= 0:
        raise ConfigurationError("B2Core token lifetimes must be positive numbers of seconds")


def checked_hosts(hosts: Iterable[str]) -> tuple[str, ...]:
    """The broker hosts as base URLs; raises :class:`ConfigurationError` for a URL that is not a
    broker's or given twice."""
    urls = tuple(base_url(url, expected=BROKER_URL) for url in hosts)
    for index, url in enumerate(urls):
        if url in urls[:index]:
            raise ConfigurationError(f"the B2Core broker {url!r} exists already")
    return urls
