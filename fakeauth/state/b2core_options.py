"""What a ``FakeAuth()`` and ``fakeauth serve`` need of B2Core before its state (and its code) is
loaded, on the vendor's first use: the rules of its constructor options (the brokers' base URLs
normalised) and the server banner's description of it."""

from __future__ import annotations

from collections.abc import Iterable

from fakeauth.clock import checked_lifetime
from fakeauth.errors import ConfigurationError
from fakeauth.hosts import base_url

__all__ = ["BROKER_URL", "checked_hosts", "checked_lifetimes", "description"]

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


def description(brokers: Iterable[tuple[str, bool]]) -> list[str]:
    """What ``fakeauth serve`` prints about B2Core: its routes, and each broker's base URL with
    whether it asks for reCAPTCHA (``brokers``: ``(url, recaptcha)``)."""
    lines = [
        "POST /api/v2/my/signup/wizard, /api/v2/my/signup, GET|POST /api/v2/my/signin/wizard,",
        "POST /api/v2/my/signin, /api/v2/my/2fa/{google,sms}, /api/v2/my/refresh,",
        "POST /api/v2/my/signout, GET /api/v2/my/2fa",
    ]
    for url, recaptcha in brokers:
        lines.append(f"broker        {url} (reCAPTCHA {'on' if recaptcha else 'off'})")
    return lines
