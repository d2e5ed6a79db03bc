"""The seeding and inspection face of :class:`~fakeauth.state.b2core.B2CoreState`: checking its
options, adding brokers and accounts, and reading, editing and removing accounts, as a test sets
them up, under the seeding rules (a :class:`~fakeauth.ConfigurationError` that says what to do)."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError
from fakeauth.hosts import base_url
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import RandomStream
from fakeauth.seeding import UNCHANGED, Unchanged, checked_arguments
from fakeauth.state import b2core_options
from fakeauth.state.b2core_account_book import B2CoreAccountBook
from fakeauth.state.b2core_broker_registry import B2CoreBrokerRegistry
from fakeauth.state.b2core_brokers import (
    DEFAULT_RECAPTCHA_RESPONSE,
    LOCKOUT_ATTEMPTS,
    B2CoreAccount,
    B2CoreBroker,
    check_account,
    check_password,
)
from fakeauth.state.b2core_options import BROKER_URL
from fakeauth.state.b2core_wizards import B2CoreWizards
from fakeauth.tokens import TokenStore

__all__ = ["B2CoreSeeding"]


class B2CoreSeeding:
    """The seeding methods of :class:`~fakeauth.state.b2core.B2CoreState` (its base class): they
    change the state's stores under the state's lock."""

    hosts: tuple[str, ...]
    clock: Clock
    tokens: TokenStore
    _lock: AbstractContextManager[Any]
    _ids: RandomStream
    _registry: B2CoreBrokerRegistry
    _book: B2CoreAccountBook
    _wizards: B2CoreWizards

    #: Raise :class:`ConfigurationError` unless both lifetimes are ones the state takes.
    checked_lifetimes = staticmethod(b2core_options.checked_lifetimes)
    #: The broker hosts as base URLs; raises :class:`ConfigurationError` for a URL that is not a
    #: broker's or given twice.
    checked_hosts = staticmethod(b2core_options.checked_hosts)

    @staticmethod
    def checked_options(
        hosts: Iterable[str], access_token_ttl: int, refresh_token_ttl: int
    ) -> tuple[str, ...]:
        """The broker hosts as base URLs, once the options are checked; raises
        :class:`ConfigurationError` as the constructor would (``FakeAuth`` checks them before it
        builds the state, with :mod:`fakeauth.state.b2core_options`)."""
        b2core_options.checked_lifetimes(access_token_ttl, refresh_token_ttl)
        return b2core_options.checked_hosts(hosts)

    # -- seeding and inspection -------------------------------------------------------------

    @checked_arguments("fake.b2core.add_broker")
    def add_broker(
        self,
        url: str,
        *,
        require_fields: Iterable[str] = (),
        extra_steps: Mapping[str, Iterable[str]] | None = None,
        recaptcha: bool = False,
        recaptcha_response: str = DEFAULT_RECAPTCHA_RESPONSE,
        strict_fingerprint: bool = False,
    ) -> B2CoreBroker:
        """Add a broker on ``url`` (``"https://broker.example"``); the settings are those of
        :meth:`B2CoreBroker.configure`."""
        key = base_url(url, expected=BROKER_URL)
        with self._lock:
            if key in self._registry.by_url:
                raise ConfigurationError(f"the B2Core broker {key!r} exists already")
            broker = B2CoreBroker(key).configure(
                require_fields=require_fields,
                extra_steps=extra_steps,
                recaptcha=recaptcha,
                recaptcha_response=recaptcha_response,
                strict_fingerprint=strict_fingerprint,
            )
            self._registry.add(broker)
            return broker

    def broker(self, url: str | None = None) -> B2CoreBroker:
        """The broker on ``url``, or the default broker (the first configured host)."""
        if url is None:
            return self._registry.by_url[self.hosts[0]]
        return self._registry.get(url)

    @property
    def brokers(self) -> list[B2CoreBroker]:
        """Every broker, the default first."""
        return list(self._registry.by_url.values())

    def broker_for_host(self, host: str) -> B2CoreBroker | None:
        """The broker serving a ``Host`` header value (``"host.name"``, in any spelling
        :func:`~fakeauth.hosts.host_key` reads), or ``None``."""
        return self._registry.for_host(host)

    @checked_arguments("fake.b2core.add_account")
    def add_account(
        self,
        email: str,
        password: str,
        *,
        two_factor: str | None = None,
        phone: str | None = None,
        given_name: str = "John",
        family_name: str = "Brown",
        broker: str | B2CoreBroker | None = None,
    ) -> B2CoreAccount:
        """Seed an account of ``broker`` (default: the default broker) that can sign in at once.

        ``two_factor`` is ``"google"`` or ``"sms"`` to make sign-in ask for a code (read it with
        :meth:`two_factor_code`).
        """
        target = self._broker_of(broker)
        check_account(email, given_name, family_name, two_factor)
        check_password(password)
        with self._lock:
            if email.casefold() in target.accounts:
                raise ConfigurationError(
                    f"a B2Core account with email {email!r} exists already on {target.url}"
                )
            info = {"givenName": given_name, "familyName": family_name}
            hashed = PasswordHash.create(password, self._ids)
            return self._create_account(
                target, email, hashed, {"info": info}, phone=phone, two_factor=two_factor
            )

    @property
    def accounts(self) -> list[B2CoreAccount]:
        """Every account of every broker, in order of creation."""
        with self._lock:
            return list(self._book.accounts.values())

    def get_account(self, email: str, *, broker: str | B2CoreBroker | None = None) -> B2CoreAccount:
        """The account of ``email`` (case-insensitive) on ``broker`` (default: the default)."""
        target = self._broker_of(broker)
        account = target.accounts.get(email.casefold())
        if account is None:
            raise ConfigurationError(
                f"no B2Core account {email!r} on {target.url}; "
                "seed one with fake.b2core.add_account(email=..., password=...)"
            )
        return account

    def remove_account(self, account_id: str) -> bool:
        """Delete the account with id ``account_id``, signing out its sessions and ending its
        wizards first; ``False`` when there is no such account."""
        with self._lock:
            if account_id not in self._book.accounts:
                return False
            account = self._book.pop(account_id)
            self.tokens.revoke_subject(account_id, by="the account's removal")
            for broker in self._registry.by_url.values():
                if broker.accounts.get(account.email.casefold()) is account:
                    del self._registry.accounts_of(broker)[account.email.casefold()]
            self._wizards.end_for(account)
            return True

    def lock_out(self) -> None:
        """Lock every account out of sign-in, as :data:`LOCKOUT_ATTEMPTS` failed sign-ins in a
        row would (for :data:`LOCKOUT_DURATION` seconds from now, by the fake's clock)."""
        with self._lock:
            now = self.clock.time()
            for broker in self._registry.by_url.values():
                for key in list(broker.accounts):
                    for _ in range(LOCKOUT_ATTEMPTS):
                        broker.record_failure(key, now)

    def two_factor_code(self, email: str, *, broker: str | B2CoreBroker | None = None) -> str:
        """The code that passes the account's 2FA step now: the current Google Authenticator
        code, or the last SMS code sent (sign-in sends one when it reaches the SMS step)."""
        account = self.get_account(email, broker=broker)
        if account.two_factor == "google":
            return account.totp(self.clock.time())
        if account.two_factor == "sms":
            code = self._book.sms_codes.get(account.id)
            if code is None:
                raise ConfigurationError(
                    f"no SMS code was sent to {email!r} yet; POST /api/v2/my/signin sends one "
                    "when the account reaches the 2fa_sms_auth step"
                )
            return code
        raise ConfigurationError(
            f"the B2Core account {email!r} has no 2FA; seed it with two_factor='google' or 'sms'"
        )

    def export_accounts(self) -> list[dict[str, Any]]:
        """Every account as JSON-ready data, without the password hash or the 2FA secret."""
        return [
            {
                "id": a.id,
                "broker": a.broker,
                "email": a.email,
                "given_name": a.given_name,
                "family_name": a.family_name,
                "phone": a.phone,
                "two_factor": a.two_factor,
                "created_at": a.created_at.isoformat(),
            }
            for a in self.accounts
        ]

    def describe(self) -> list[str]:
        """What ``fakeauth serve`` prints about B2Core: its routes and brokers."""
        return b2core_options.description((broker.url, broker.recaptcha) for broker in self.brokers)

    def _broker_of(self, broker: str | B2CoreBroker | None) -> B2CoreBroker:
        return broker if isinstance(broker, B2CoreBroker) else self.broker(broker)

    # -- editing an account (the dashboard's edit form), under the seeding rules --------------

    @checked_arguments("fake.b2core.update_account")
    def update_account(
        self,
        account_id: str,
        *,
        given_name: str | Unchanged = UNCHANGED,
        family_name: str | Unchanged = UNCHANGED,
        password: str | Unchanged = UNCHANGED,
        two_factor: str | Unchanged | None = UNCHANGED,
        phone: str | Unchanged | None = UNCHANGED,
    ) -> B2CoreAccount:
        """Change the names, password, 2FA kind or phone of the account with id ``account_id``,
        each checked as :meth:`add_account` checks it (the others stay); the changed account.
        Its sessions go on; a sign-in already at its 2FA step finishes as it began."""
        if not isinstance(password, Unchanged):
            check_password(password)
        with self._lock:
            account = self._book.accounts.get(account_id)
            if account is None:
                raise ConfigurationError(
                    f"no B2Core account with id {account_id!r}; fake.b2core.accounts lists them"
                )
            fields = {
                "given_name": given_name,
                "family_name": family_name,
                "two_factor": two_factor,
                "phone": phone,
            }
            changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not UNCHANGED}
            if not isinstance(password, Unchanged):
                changes["password"] = PasswordHash.create(password, self._ids)
            changed = replace(account, **changes)
            # The rules add_account and a document's loader apply, on the record as edited.
            check_account(
                changed.email, changed.given_name, changed.family_name, changed.two_factor
            )
            self._book.put(changed)
            target = self._registry.by_url[account.broker]
            self._registry.accounts_of(target)[account.email.casefold()] = changed
            return changed

    def _create_account(
        self,
        broker: B2CoreBroker,
        email: str,
        password: PasswordHash,
        form: dict[str, Any],
        **seeded: str | None,
    ) -> B2CoreAccount:
        """Create and hold an account of ``broker`` from a sign-up's (or seeding's) form."""
        info: dict[str, Any] = form["info"] if isinstance(form.get("info"), dict) else {}
        phones = form.get("phones")
        first = next(iter(phones.values()), None) if isinstance(phones, dict) else None
        phone = first.get("phone") if isinstance(first, dict) else None
        if "phone" in seeded:  # seeding names the phone and the 2FA method outright
            phone = seeded["phone"]
        account = B2CoreAccount(
            id=self._ids.uuid4(),
            broker=broker.url,
            email=email,
            password=password,
            given_name=str(info.get("givenName") or ""),
            family_name=str(info.get("familyName") or ""),
            phone=phone if isinstance(phone, str) else None,
            two_factor=seeded.get("two_factor"),
            totp_secret=base64.b32encode(self._ids.bytes(20)).decode(),
            created_at=self.clock.now(),
            form={k: v for k, v in form.items() if k != "email"},
        )
        self._registry.accounts_of(broker)[email.casefold()] = account
        self._book.put(account)
        return account
