"""The seeding and inspection face of :class:`~fakeauth.state.ovok.OvokState`: adding tenants,
clients and accounts, and editing and removing accounts, as a test sets them up, under the
seeding rules (a :class:`~fakeauth.ConfigurationError` that says what to do)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError
from fakeauth.randomness import RandomStream
from fakeauth.seeding import UNCHANGED, Unchanged, checked_arguments
from fakeauth.state.ovok_account_book import OvokAccountBook
from fakeauth.state.ovok_records import (
    DEFAULT_PROJECT_DISPLAY,
    DEFAULT_TENANT_ID,
    OvokAccount,
    OvokClient,
    OvokTenant,
    check_account,
)
from fakeauth.state.ovok_sessions import OvokSessions
from fakeauth.state.ovok_tenants import OvokTenants

__all__ = ["OvokSeeding"]


class OvokSeeding:
    """The seeding methods of :class:`~fakeauth.state.ovok.OvokState` (its base class): they
    change the state's stores under the state's lock."""

    clock: Clock
    _lock: AbstractContextManager[Any]
    _tenants: OvokTenants
    _book: OvokAccountBook
    _sessions: OvokSessions

    @property
    def _ids(self) -> RandomStream:
        raise NotImplementedError  # the state's random stream of ids, which OvokState gives

    # -- seeding and inspection -------------------------------------------------------------

    @checked_arguments("fake.ovok.add_tenant")
    def add_tenant(
        self,
        id: str | None = None,
        *,
        display: str = DEFAULT_PROJECT_DISPLAY,
        project_id: str | None = None,
        strict_mode: bool = True,
        client_id: str | None = None,
    ) -> OvokTenant:
        """Add a tenant (a project) with one client application, so that its first login works.

        The client's id is ``client_id``, or else the tenant's own id (as the documentation's
        tenant and client ``87ea5dfc-...`` are one id): log in with
        ``{"tenantId": tenant.id, "clientId": tenant.client_id}``. Ids are generated when not
        given; add more clients with :meth:`add_client`.
        """
        with self._lock:
            return self._tenants.add_tenant(
                id,
                display=display,
                project_id=project_id,
                strict_mode=strict_mode,
                client_id=client_id,
                ids=self._ids,
            )

    @checked_arguments("fake.ovok.add_client")
    def add_client(self, id: str | None = None, *, tenant_id: str) -> OvokClient:
        """Add a client application to the tenant ``tenant_id``.

        Every tenant has a client already (see :meth:`add_tenant`); adding that same client to
        that same tenant again returns it, so a seed that lists it still works.
        """
        with self._lock:
            return self._tenants.add_client(id, tenant_id, self._ids)

    @checked_arguments("fake.ovok.add_account")
    def add_account(
        self,
        email: str,
        password: str,
        *,
        name: str = "Max",
        surname: str = "Mustermann",
        tenant_id: str = DEFAULT_TENANT_ID,
        email_verified: bool = True,
    ) -> OvokAccount:
        """Seed an account that can log in at once (no verification email is sent)."""
        with self._lock:
            self._tenants.seeded(tenant_id)
            check_account(email, name, surname)
            if (tenant_id, email.lower()) in self._book.by_email:
                raise ConfigurationError(
                    f"an Ovok account with email {email!r} exists already in tenant {tenant_id!r}"
                )
            return self._book.create(
                email,
                password,
                name,
                surname,
                tenant_id,
                email_verified=email_verified,
                ids=self._ids,
                now=self.clock.now(),
            )

    @property
    def accounts(self) -> list[OvokAccount]:
        """Every account, in order of creation."""
        with self._lock:
            return list(self._book.accounts.values())

    def export_accounts(self) -> list[dict[str, Any]]:
        """Every account as JSON-ready data, without the password hash."""
        with self._lock:
            return self._book.exported()

    def get_account(self, email: str, *, tenant_id: str = DEFAULT_TENANT_ID) -> OvokAccount:
        """The account of ``email`` (case-insensitive) in ``tenant_id``."""
        account = self._book.by_email.get((tenant_id, email.lower()))
        if account is None:
            raise ConfigurationError(
                f"no Ovok account {email!r} in tenant {tenant_id!r}; "
                "seed one with fake.ovok.add_account(email=..., password=...)"
            )
        return account

    def remove_account(self, account_id: str) -> bool:
        """Delete the account with id ``account_id``, signing out its sessions first;
        ``False`` when there is no such account."""
        with self._lock:
            if account_id not in self._book.accounts:
                return False
            self._book.remove(account_id)
            self._sessions.tokens.revoke_subject(account_id, by="the account's removal")
            self._sessions.end_account(account_id)
            return True

    # -- editing an account (the dashboard's edit form), under the seeding rules --------------

    @checked_arguments("fake.ovok.update_account")
    def update_account(
        self,
        account_id: str,
        *,
        name: str | Unchanged = UNCHANGED,
        surname: str | Unchanged = UNCHANGED,
        password: str | Unchanged = UNCHANGED,
        email_verified: bool | Unchanged = UNCHANGED,
    ) -> OvokAccount:
        """Change the given fields of the account with id ``account_id``, each taken as
        :meth:`add_account` takes it (the others stay); the changed account. Its sessions go
        on: a new password counts from the next login."""
        with self._lock:
            return self._book.edit(
                account_id,
                name=name,
                surname=surname,
                password=password,
                email_verified=email_verified,
                ids=self._ids,
            )
