"""walt.id Enterprise records: accounts, organizations, sessions, the feature flags and refusals.

Accounts are global (not bound to an organization); roles are held per organization
(``{"acme": ["acme.admin"]}``). The Super Admin is an account whose ``superadmin`` flag passes
every role check. No storage here: that is :class:`~fakeauth.state.waltid.WaltidState`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import NamedTuple

from fakeauth.errors import DomainError, FieldRefused, NotFound
from fakeauth.passwords import PasswordHash
from fakeauth.state.waltid_options import DEFAULT_SUPERADMIN_EMAIL as DEFAULT_SUPERADMIN_EMAIL
from fakeauth.state.waltid_options import (
    DEFAULT_SUPERADMIN_PASSWORD as DEFAULT_SUPERADMIN_PASSWORD,
)
from fakeauth.state.waltid_options import DEFAULT_SUPERADMIN_TOKEN as DEFAULT_SUPERADMIN_TOKEN
from fakeauth.state.waltid_options import FEATURES as FEATURES
from fakeauth.tokens import TokenStoreSnapshot

__all__ = [
    "DEFAULT_SUPERADMIN_EMAIL",
    "DEFAULT_SUPERADMIN_PASSWORD",
    "DEFAULT_SUPERADMIN_TOKEN",
    "DEFAULT_TOKEN_EXPIRATION",
    "FEATURES",
    "AccountDataNotFound",
    "DuplicateOrganization",
    "InvalidRequest",
    "RegistrationTokenInvalid",
    "SuperadminExists",
    "WaltidAccount",
    "WaltidLogin",
    "WaltidOrganization",
    "WaltidSession",
    "WaltidSnapshot",
    "check_filled",
]

#: When the quickstart's registration token expires (its ``expires`` line).
DEFAULT_TOKEN_EXPIRATION = datetime(2029, 1, 1, tzinfo=timezone.utc).timestamp()


def check_filled(operation: str, **values: object) -> None:
    """Raise :class:`FieldRefused` naming the first of ``values`` that is not a non-empty
    string: the rule of a seeded account's email, password and name, which ``add_account`` and
    ``update_account`` (``operation``, named in the sentence) apply. A document's loader does not:
    an account registered through the API may have a profile with no name."""
    for option, value in values.items():
        if not isinstance(value, str) or not value:
            raise FieldRefused(option, f"{operation} needs a non-empty {option}")


class AccountDataNotFound(NotFound):
    """No account has this login email (walt.id tells this apart from a wrong password)."""

    code = "account_data_not_found"


class SuperadminExists(DomainError):
    """The Super Admin of this registration token is active already."""

    code = "superadmin_exists"


class RegistrationTokenInvalid(DomainError):
    """A Super Admin registration token that is unknown or past its expiration."""

    code = "registration_token_invalid"


class DuplicateOrganization(DomainError):
    """An organization with this id exists already."""

    code = "duplicate_organization"

    def __init__(self, message: str, *, organization: str) -> None:
        super().__init__(message)
        self.organization = organization


class InvalidRequest(DomainError):
    """A well-formed request whose values the service refuses."""

    code = "invalid_request"


@dataclass(frozen=True)
class WaltidAccount:
    """A global account. ``profile`` and ``preferences`` hold the fields as registered.

    Immutable, as every record of a state (a snapshot shares the records it holds): the profile,
    preferences and roles are read-only mappings, whatever mappings the record is made with.
    """

    id: str
    profile: Mapping[str, str]
    preferences: Mapping[str, str]
    created_at: datetime
    login_email: str | None = None
    password: PasswordHash | None = field(default=None, repr=False)
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    superadmin: bool = False
    type: str = "USER"

    def __post_init__(self) -> None:
        # The only writes: the frozen record takes read-only copies of what it was given.
        object.__setattr__(self, "profile", MappingProxyType(dict(self.profile)))
        object.__setattr__(self, "preferences", MappingProxyType(dict(self.preferences)))
        roles = {org: tuple(held) for org, held in self.roles.items()}
        object.__setattr__(self, "roles", MappingProxyType(roles))
        object.__setattr__(self, "flags", tuple(self.flags))

    @property
    def _id(self) -> str:
        """The id under walt.id's own name."""
        return self.id

    @property
    def email(self) -> str:
        """The profile's email."""
        return self.profile["email"]

    def is_admin_of(self, organization: str) -> bool:
        """Whether the account is the Super Admin or holds ``<organization>.admin``."""
        return self.superadmin or f"{organization}.admin" in self.roles.get(organization, ())

    @property
    def is_admin(self) -> bool:
        """Whether the account is the Super Admin or an admin of any organization."""
        return self.superadmin or any(self.is_admin_of(org) for org in self.roles)


@dataclass(frozen=True)
class WaltidOrganization:
    """An organization; its ``<id>.admin`` role is made with it."""

    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class WaltidSession:
    """One login; its token carries the session id in the ``session`` claim."""

    id: str
    account_id: str
    created_at: datetime
    expires_at: float


@dataclass(frozen=True)
class WaltidLogin:
    """What a login hands out: the account, its new session and the session's bearer token."""

    account: WaltidAccount
    session: WaltidSession
    token: str = field(repr=False)


class WaltidSnapshot(NamedTuple):
    """A walt.id state's records at one moment (:meth:`WaltidState.snapshot`), never written
    again."""

    accounts: Mapping[str, WaltidAccount]
    by_email: Mapping[str, WaltidAccount]
    by_login: Mapping[str, WaltidAccount]
    organizations: Mapping[str, WaltidOrganization]
    roles: Mapping[str, str]
    sessions: Mapping[str, WaltidSession]
    registrations: Mapping[str, tuple[str, str | PasswordHash, float]]
    tokens: TokenStoreSnapshot
    key: bytes | None
