"""The seeding and inspection face of :class:`~fakeauth.state.waltid.WaltidState`: adding
and editing accounts, organizations, roles and registration tokens as a test sets them up, under
the seeding rules (a :class:`~fakeauth.ConfigurationError` that says what to do)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Any

from fakeauth.clock import Clock
from fakeauth.errors import AccountExists, ConfigurationError
from fakeauth.randomness import RandomStream
from fakeauth.seeding import UNCHANGED, Unchanged, checked_arguments
from fakeauth.state.waltid_account_book import WaltidAccountBook
from fakeauth.state.waltid_accounts import (
    DEFAULT_TOKEN_EXPIRATION,
    DuplicateOrganization,
    InvalidRequest,
    WaltidAccount,
    WaltidOrganization,
    check_filled,
)
from fakeauth.state.waltid_organizations import WaltidOrganizations
from fakeauth.state.waltid_registrations import WaltidRegistrations
from fakeauth.state.waltid_sessions import WaltidSessions

__all__ = ["WaltidSeeding"]


class WaltidSeeding:
    """The seeding methods of :class:`~fakeauth.state.waltid.WaltidState` (its base class): they
    change the state's stores under the state's lock."""

    clock: Clock
    _lock: AbstractContextManager[Any]
    _ids: RandomStream
    _book: WaltidAccountBook
    _organizations: WaltidOrganizations
    _registrations: WaltidRegistrations
    _sessions: WaltidSessions

    # -- seeding and inspection -------------------------------------------------------------

    @checked_arguments("fake.waltid.add_account")
    def add_account(
        self,
        email: str,
        password: str,
        *,
        name: str = "Max Mustermann",
        address_country: str | None = None,
        address: str | None = None,
        time_zone: str = "UTC",
        language_preference: str = "EN",
    ) -> WaltidAccount:
        """Seed an account that logs in with ``email`` and ``password``; it holds no roles."""
        check_filled("fake.waltid.add_account", email=email, password=password, name=name)
        profile = {"name": name, "email": email}
        if address_country is not None:
            profile["addressCountry"] = address_country
        if address is not None:
            profile["address"] = address
        preferences = {"timeZone": time_zone, "languagePreference": language_preference}
        try:
            with self._lock:
                return self._book.add(
                    profile,
                    preferences,
                    login=(email, password),
                    superadmin=False,
                    ids=self._ids,
                    now=self.clock.now(),
                )
        except AccountExists:
            raise ConfigurationError(
                f"a walt.id account with email {email!r} exists already; "
                "look it up with fake.waltid.get_account(email)"
            ) from None

    @checked_arguments("fake.waltid.add_organization")
    def add_organization(self, organization: str, *, name: str | None = None) -> WaltidOrganization:
        """Seed an organization and its ``<organization>.admin`` role."""
        try:
            with self._lock:
                return self._organizations.create(
                    organization, name or f"{organization} Organization"
                )
        except DuplicateOrganization:
            raise ConfigurationError(
                f"the walt.id organization {organization!r} exists already"
            ) from None
        except InvalidRequest as exc:
            raise ConfigurationError(exc.message) from None

    @checked_arguments("fake.waltid.add_role")
    def add_role(self, organization: str, role: str) -> str:
        """Seed a role of ``organization`` (``"viewer"`` or ``"<organization>.viewer"``); its id."""
        with self._lock:
            return self._organizations.add_role(organization, role)

    @checked_arguments("fake.waltid.add_registration_token")
    def add_registration_token(
        self, token: str, *, email: str, password: str, expires: datetime | None = None
    ) -> None:
        """Add a Super Admin registration token, as a line of ``superadmin-registration.conf``."""
        if expires is None:
            expires_at = DEFAULT_TOKEN_EXPIRATION
        else:  # a naive datetime is taken as UTC
            expires_at = expires.replace(tzinfo=expires.tzinfo or timezone.utc).timestamp()
        with self._lock:
            self._registrations.add(token, email, password, expires_at)

    @property
    def accounts(self) -> list[WaltidAccount]:
        """Every account, the Super Admin included, in order of creation."""
        with self._lock:
            return list(self._book.accounts.values())

    def export_accounts(self) -> list[dict[str, Any]]:
        """Every account as JSON-ready data, without the password hash."""
        with self._lock:
            return self._book.exported()

    def get_account(self, email: str) -> WaltidAccount:
        """The account whose profile email is ``email`` (case-insensitive)."""
        account = self._book.by_email.get(email.lower())
        if account is None:
            raise ConfigurationError(
                f"no walt.id account {email!r}; seed one with fake.waltid.add_account(...)"
            )
        return account

    def remove_account(self, account_id: str) -> bool:
        """Delete the account with id ``account_id``, signing out its sessions first;
        ``False`` when there is no such account."""
        with self._lock:
            if account_id in self._book.accounts:
                self._sessions.tokens.revoke_subject(account_id, by="the account's removal")
            return self._book.remove(account_id)

    # -- editing an account (the dashboard's edit form), under the seeding rules --------------

    @checked_arguments("fake.waltid.update_account")
    def update_account(
        self,
        account_id: str,
        *,
        name: str | Unchanged = UNCHANGED,
        password: str | Unchanged = UNCHANGED,
        roles: list[str] | Unchanged = UNCHANGED,
    ) -> WaltidAccount:
        """Change the name, password or roles of the account with id ``account_id``: ``name``
        and ``password`` as :meth:`add_account` takes them, ``roles`` the role ids it holds from
        now on (``["acme.admin"]``), each added already (:meth:`add_organization`,
        :meth:`add_role`). The changed account; its sessions go on."""
        given = {"name": name, "password": password}
        check_filled(
            "fake.waltid.update_account",
            **{option: value for option, value in given.items() if value is not UNCHANGED},
        )
        with self._lock:
            return self._book.edit(
                account_id,
                name=name,
                password=password,
                roles=roles,
                held_roles=self._organizations.held_roles,
                ids=self._ids,
            )

    @property
    def role_ids(self) -> list[str]:
        """Every role added so far, of every organization (``"acme.admin"``)."""
        with self._lock:
            return list(self._organizations.roles)
