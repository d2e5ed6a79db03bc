"""The account book of :class:`~fakeauth.state.b2core.B2CoreState`: every account of every
broker by id, and the last SMS code sent to each, under the copy-on-write rule of
:mod:`fakeauth.state.tables`."""

from __future__ import annotations

from datetime import datetime

from fakeauth.outbox import Outbox
from fakeauth.outbox_message import Message
from fakeauth.randomness import RandomStream
from fakeauth.state.b2core_brokers import B2CoreAccount, WizardSession
from fakeauth.state.tables import Tables

__all__ = ["B2CoreAccountBook"]


class B2CoreAccountBook(Tables):
    """The accounts by id (in order of creation) and the SMS codes by account id.

    The owning state calls every method under its lock.
    """

    NAMES = ("accounts", "sms_codes")

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, B2CoreAccount] = {}
        self.sms_codes: dict[str, str] = {}

    def put(self, account: B2CoreAccount) -> None:
        """Hold ``account`` under its id (a new one, or one replacing the same id)."""
        self.own("accounts")[account.id] = account

    def pop(self, account_id: str) -> B2CoreAccount:
        """Drop the account with id ``account_id`` (it exists); the account."""
        account: B2CoreAccount = self.own("accounts").pop(account_id)
        return account

    def send_sms_code(
        self,
        session: WizardSession,
        account: B2CoreAccount,
        *,
        codes: RandomStream,
        outbox: Outbox,
        now: datetime,
    ) -> None:
        """Draw a sign-in's SMS code, keep it as the account's last and send it to the outbox."""
        code = session.sms_code = codes.digits(6)
        self.own("sms_codes")[account.id] = code
        outbox.send(
            Message(
                vendor="b2core",
                kind="sms-2fa-code",
                to=account.phone or account.email,
                subject="Your verification code",
                body=f"Your verification code is {code}",
                time=now,
                data={"code": code, "uuid": session.uuid, "account_id": account.id},
            )
        )
