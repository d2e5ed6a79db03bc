"""walt.id's accounts and their indexes by email and by login email: the store a
:class:`~fakeauth.state.waltid.WaltidState` owns (copy-on-write, under the state's lock), with
how an account is created, edited and removed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from fakeauth.errors import AccountExists, ConfigurationError
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import RandomStream
from fakeauth.seeding import Unchanged
from fakeauth.state.tables import Tables
from fakeauth.state.waltid_accounts import WaltidAccount

__all__ = ["WaltidAccountBook"]


class WaltidAccountBook(Tables):
    """The accounts of one walt.id state: by id, by lowercase email and by lowercase login
    email."""

    NAMES = ("accounts", "by_email", "by_login")

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, WaltidAccount] = {}
        self.by_email: dict[str, WaltidAccount] = {}
        self.by_login: dict[str, WaltidAccount] = {}

    def add(
        self,
        profile: Mapping[str, str],
        preferences: Mapping[str, str],
        *,
        login: tuple[str, str | PasswordHash] | None,
        superadmin: bool,
        ids: RandomStream,
        now: datetime,
    ) -> WaltidAccount:
        """Create an account (see :meth:`~fakeauth.state.waltid.WaltidState.register`)."""
        email = profile["email"]
        taken = self.by_email.get(email.lower()) or (
            self.by_login.get(login[0].lower()) if login else None
        )
        if taken is not None:
            clash = email if taken.email.lower() == email.lower() else taken.email
            raise AccountExists(f"An account with email {clash} already exists.")
        account_id = ids.uuid4()
        password = None if login is None else login[1]
        if password is not None and not isinstance(password, PasswordHash):
            password = PasswordHash.create(password, ids)
        account = WaltidAccount(
            id=account_id,
            profile=profile,
            preferences=preferences,
            created_at=now,
            login_email=None if login is None else login[0],
            password=password,
            superadmin=superadmin,
        )
        if login is not None:
            self.own("by_login")[login[0].lower()] = account
        self.own("accounts")[account.id] = account
        self.own("by_email")[email.lower()] = account
        return account

    def replace(self, account: WaltidAccount, changed: WaltidAccount) -> None:
        """Hold ``changed`` wherever ``account`` was held (records are immutable)."""
        self.own("accounts")[account.id] = changed
        for name in ("by_email", "by_login"):
            index = self.own(name)
            for key in [k for k, held in index.items() if held is account]:
                index[key] = changed

    def remove(self, account_id: str) -> bool:
        """Delete the account with id ``account_id``; ``False`` when there is none."""
        if account_id not in self.accounts:
            return False
        account = self.own("accounts").pop(account_id)
        for index in (self.own("by_email"), self.own("by_login")):
            for key in [k for k, held in index.items() if held is account]:
                del index[key]
        return True

    def edit(
        self,
        account_id: str,
        *,
        name: str | Unchanged,
        password: str | Unchanged,
        roles: list[str] | Unchanged,
        held_roles: Callable[[list[str]], dict[str, tuple[str, ...]]],
        ids: RandomStream,
    ) -> WaltidAccount:
        """Change the name, password or roles of an account (see
        :meth:`~fakeauth.state.waltid.WaltidState.update_account`); ``held_roles`` checks the
        role ids and sorts them by organization."""
        account = self.accounts.get(account_id)
        if account is None:
            raise ConfigurationError(
                f"no walt.id account with id {account_id!r}; fake.waltid.accounts lists them"
            )
        changes: dict[str, Any] = {}
        if not isinstance(name, Unchanged):
            changes["profile"] = {**account.profile, "name": name}
        if not isinstance(password, Unchanged):
            if account.login_email is None:
                raise ConfigurationError(
                    f"the walt.id account {account.email!r} has no email login to set a password of"
                )
            changes["password"] = PasswordHash.create(password, ids)
        if not isinstance(roles, Unchanged):
            changes["roles"] = held_roles(roles)
        changed = replace(account, **changes)
        self.replace(account, changed)
        return changed

    def exported(self) -> list[dict[str, Any]]:
        """Every account as JSON-ready data, without the password hash."""
        return [
            {
                "id": a.id,
                "email": a.email,
                "login_email": a.login_email,
                "profile": dict(a.profile),
                "preferences": dict(a.preferences),
                "roles": {org: list(roles) for org, roles in a.roles.items()},
                "superadmin": a.superadmin,
                "type": a.type,
                "created_at": a.created_at.isoformat(),
            }
            for a in self.accounts.values()
        ]
