"""The rules of Ovok's constructor options, apart from its state: ``FakeAuth()`` checks them
before the state (and its code) is loaded, on the vendor's first use."""

from __future__ import annotations

from fakeauth.clock import checked_lifetime
from fakeauth.errors import ConfigurationError

__all__ = ["token_lifetimes"]


def token_lifetimes(access_token_ttl: int, refresh_token_ttl: int) -> tuple[int, int]:
    """The access and refresh token lifetimes as :class:`~fakeauth.state.ovok.OvokState` takes
    them; raises :class:`ConfigurationError` as its constructor would."""
    checked_lifetime(access_token_ttl, "ovok_access_token_ttl")
    checked_lifetime(refresh_token_ttl, "ovok_refresh_token_ttl")
    if access_token_ttl <= 0 or refresh_token_ttl <= 0:
        raise ConfigurationError("Ovok token lifetimes must be positive numbers of seconds")
    return int(access_token_ttl), int(refresh_token_ttl)
