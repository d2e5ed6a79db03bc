"""Ovok's accounts and their index by tenant and email: the store an
:class:`~fakeauth.state.ovok.OvokState` owns (copy-on-write, under the state's lock), with how an
account is created, edited and removed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from fakeauth.errors import ConfigurationError
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import RandomStream
from fakeauth.seeding import UNCHANGED, Unchanged
from fakeauth.state.ovok_records import OvokAccount, check_account, uuid4_text
from fakeauth.state.tables import Tables

__all__ = ["OvokAccountBook"]


class OvokAccountBook(Tables):
    """The accounts of one Ovok state: by id, and by ``(tenant id, lowercase email)``."""

    NAMES = ("accounts", "by_email")

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, OvokAccount] = {}
        self.by_email: dict[tuple[str, str], OvokAccount] = {}

    def create(
        self,
        email: str,
        password: str,
        name: str,
        surname: str,
        tenant_id: str,
        *,
        email_verified: bool,
        ids: RandomStream,
        now: datetime,
    ) -> OvokAccount:
        """Create an account (the caller checked that its email is free in its tenant)."""
        # One draw of 48 bytes is the same bytes as three draws of 16, for a third of the calls.
        drawn = ids.bytes(48)
        account = OvokAccount(
            id=uuid4_text(drawn[:16]),
            tenant_id=tenant_id,
            email=email,
            name=name,
            surname=surname,
            profile_id=uuid4_text(drawn[16:32]),
            membership_id=uuid4_text(drawn[32:]),
            password=PasswordHash.create(password, ids),
            created_at=now,
            email_verified=email_verified,
        )
        self.own("accounts")[account.id] = account
        self.own("by_email")[(tenant_id, email.lower())] = account
        return account

    def edit(
        self,
        account_id: str,
        *,
        name: str | Unchanged,
        surname: str | Unchanged,
        password: str | Unchanged,
        email_verified: bool | Unchanged,
        ids: RandomStream,
    ) -> OvokAccount:
        """Change the given fields of an account (see
        :meth:`~fakeauth.state.ovok.OvokState.update_account`)."""
        account = self.accounts.get(account_id)
        if account is None:
            raise ConfigurationError(
                f"no Ovok account with id {account_id!r}; fake.ovok.accounts lists them"
            )
        fields = {"name": name, "surname": surname, "email_verified": email_verified}
        changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not UNCHANGED}
        if not isinstance(password, Unchanged):
            changes["password"] = PasswordHash.create(password, ids)
        changed = replace(account, **changes)
        # The rules add_account and a document's loader apply, on the record as edited.
        check_account(changed.email, changed.name, changed.surname)
        self.own("accounts")[account.id] = changed
        self.own("by_email")[(account.tenant_id, account.email.lower())] = changed
        return changed

    def remove(self, account_id: str) -> None:
        """Delete the account ``account_id`` (the caller checked that it exists)."""
        account = self.own("accounts").pop(account_id)
        by_email = self.own("by_email")
        for key in [k for k, held in by_email.items() if held is account]:
            del by_email[key]

    def exported(self) -> list[dict[str, Any]]:
        """Every account as JSON-ready data, without the password hash."""
        return [
            {
                "id": a.id,
                "email": a.email,
                "name": a.name,
                "surname": a.surname,
                "tenant_id": a.tenant_id,
                "profile": a.profile_reference,
                "email_verified": a.email_verified,
                "created_at": a.created_at.isoformat(),
            }
            for a in self.accounts.values()
        ]
