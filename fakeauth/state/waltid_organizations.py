"""walt.id's organizations and their roles: the store a :class:`~fakeauth.state.waltid.WaltidState`
owns (copy-on-write, under the state's lock), with the checks of creating and granting them."""

from __future__ import annotations

import re

from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError, NotFound
from fakeauth.state.tables import Tables
from fakeauth.state.waltid_accounts import (
    DuplicateOrganization,
    InvalidRequest,
    WaltidOrganization,
)

__all__ = ["WaltidOrganizations"]

_ORGANIZATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class WaltidOrganizations(Tables):
    """The organizations of one walt.id state and the roles of each."""

    NAMES = ("organizations", "roles")

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self.organizations: dict[str, WaltidOrganization] = {}
        #: role id (``<organization>.<name>``) -> its organization
        self.roles: dict[str, str] = {}

    def create(self, organization: str, name: str) -> WaltidOrganization:
        """Create an organization and its ``<organization>.admin`` role."""
        if not _ORGANIZATION_ID.match(organization):
            raise InvalidRequest(
                f"Invalid organization id {organization!r}: use letters, digits, '-' and '_'."
            )
        if organization in self.organizations:
            raise DuplicateOrganization(
                f"Organization {organization} already exists", organization=organization
            )
        org = WaltidOrganization(organization, name, self.clock.now())
        self.own("organizations")[organization] = org
        admin = f"{organization}.admin"
        self.own("roles")[admin] = organization
        return org

    def add_role(self, organization: str, role: str) -> str:
        """Seed a role of ``organization`` (``"viewer"`` or ``"<organization>.viewer"``); its id."""
        if organization not in self.organizations:
            raise ConfigurationError(
                f"no walt.id organization {organization!r}; "
                f"add it first with fake.waltid.add_organization({organization!r})"
            )
        role_id = role if role.startswith(f"{organization}.") else f"{organization}.{role}"
        if role_id in self.roles:
            raise ConfigurationError(f"the walt.id role {role_id!r} exists already")
        self.own("roles")[role_id] = organization
        return role_id

    def check_grant(self, organization: str, role_id: str) -> None:
        """Refuse unless ``role_id`` is a role of ``organization``, both existing."""
        if organization not in self.organizations:
            raise NotFound(f"Organization not found: {organization}", kind="organization")
        if role_id not in self.roles:
            raise NotFound(f"Role not found: {role_id}", kind="role")
        if self.roles[role_id] != organization:
            raise InvalidRequest(f"Role {role_id} does not belong to organization {organization}.")

    def held_roles(self, roles: list[str]) -> dict[str, tuple[str, ...]]:
        """``roles`` by organization, once each is a role added already."""
        if not isinstance(roles, list):
            raise ConfigurationError(
                "fake.waltid.update_account: roles must be a list of role ids such as "
                f"['acme.admin'], not {type(roles).__name__}"
            )
        held: dict[str, tuple[str, ...]] = {}
        for role in roles:
            organization = self.roles.get(role) if isinstance(role, str) else None
            if organization is None:
                known = ", ".join(self.roles) or "none yet"
                raise ConfigurationError(
                    f"fake.waltid.update_account: no walt.id role {role!r}; add it with "
                    f"fake.waltid.add_role(ORGANIZATION, NAME); the roles are: {known}"
                )
            if role not in held.get(organization, ()):
                held[organization] = (*held.get(organization, ()), role)
        return held
