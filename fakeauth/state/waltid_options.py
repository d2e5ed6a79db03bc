"""What a ``FakeAuth()`` and ``fakeauth serve`` need of walt.id before its state (and its code)
is loaded, on the vendor's first use: the rules of its constructor options, its feature flags and
the quickstart's Super Admin, which the server's banner names."""

from __future__ import annotations

from fakeauth.clock import checked_lifetime
from fakeauth.errors import ConfigurationError
from fakeauth.features import Feature

__all__ = [
    "DEFAULT_SUPERADMIN_EMAIL",
    "DEFAULT_SUPERADMIN_PASSWORD",
    "DEFAULT_SUPERADMIN_TOKEN",
    "DIVERGE_LOGOUT_WITHOUT_SESSION",
    "FEATURES",
    "token_lifetime",
]

#: The registration token and Super Admin of walt.id's quickstart ``superadmin-registration.conf``.
DEFAULT_SUPERADMIN_TOKEN = "1234567890-my-token"
DEFAULT_SUPERADMIN_EMAIL = "superadmin@walt.id"
DEFAULT_SUPERADMIN_PASSWORD = "super123456"
#: TEST ONLY (``fakeauth.verify.diverge``): with this flag registered on a fake, a logout without
#: a token answers 401, so that fakeauth's tests have a target that diverges on purpose.
DIVERGE_LOGOUT_WITHOUT_SESSION = "fakeauth-test-diverge:waltid.logout"

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
