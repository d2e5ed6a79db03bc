"""The rules of walt.id's constructor options and its feature flags, apart from its state:
``FakeAuth()`` checks the options and declares the flags before the state (and its code) is
loaded, on the vendor's first use."""

from __future__ import annotations

from fakeauth.clock import checked_lifetime
from fakeauth.errors import ConfigurationError
from fakeauth.features import Feature

__all__ = ["FEATURES", "token_lifetime"]

#: The walt.id feature flags fakeauth acts on (walt.id's names and descriptions), switched on as
#: in the quickstart's ``_features.conf``; the fake can switch them at run time.
FEATURES: tuple[Feature, ...] = tuple(
    Feature(name, "waltid", description, True)
    for name, description in (
        ("account-registration", "Enable or disable account registration"),
        ("admin", "Administration endpoints"),
        ("dev-mode", "Development mode"),
        (
            "feature-flag-information-endpoint",
            "Enables endpoints related to showing information about available features on "
            "this service instance",
        ),
        ("organization-creation", "Enable or disable organization creation"),
        ("superadmin-registration", "Enable or disable superadmin registration"),
    )
)


def token_lifetime(token_ttl: int) -> int:
    """The login token lifetime as :class:`~fakeauth.state.waltid.WaltidState` takes it; raises
    :class:`ConfigurationError` as its constructor would."""
    if isinstance(token_ttl, bool) or not isinstance(token_ttl, int) or token_ttl <= 0:
        raise ConfigurationError("waltid_token_ttl must be a positive number of seconds")
    checked_lifetime(token_ttl, "waltid_token_ttl")
    return token_ttl
