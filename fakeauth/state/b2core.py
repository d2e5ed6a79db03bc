"""B2Core front office: brokers, their accounts, wizard sessions, lockout and tokens.

Every broker runs on its own host and holds its own accounts and settings. A sign-up or sign-in is
a wizard session: created with a uuid, bound to its flow and broker, and usable until it finishes
or expires (by the fake's clock). Field errors are collected per field, as the real forms show them.
The brokers' settings, the records a wizard works with and the domain errors live in
:mod:`fakeauth.state.b2core_brokers`; every name is importable from here too.
"""

from __future__ import annotations

import base64
import copy
import hmac
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, cast

from fakeauth.clock import Clock, checked_lifetime, to_datetime
from fakeauth.errors import ConfigurationError, TokenInvalid
from fakeauth.features import FeatureRegistry
from fakeauth.findings import (
    Finding,
    HeldIds,
    Verdict,
    credential_key,
    token_finding,
    unverified_claims,
)
from fakeauth.hosts import base_url, host_key, host_keys
from fakeauth.outbox import Message, Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness, RandomStream
from fakeauth.seeding import UNCHANGED, Unchanged, checked_arguments
from fakeauth.state import b2core_brokers, b2core_document
from fakeauth.state.b2core_brokers import *  # noqa: F403 - the records stay importable from here
from fakeauth.state.b2core_brokers import (
    ACCESS,
    BAD_CODE,
    BLANK,
    DEFAULT_RECAPTCHA_RESPONSE,
    EMAIL_TAKEN,
    EXPIRED_SESSION,
    FINISHED_SESSION,
    LOCKOUT_ATTEMPTS,
    LOGIN_DONE_WORKFLOW,
    LOGIN_WORKFLOW,
    NO_SESSION,
    REFRESH,
    SIGNUP_DONE_WORKFLOW,
    SIGNUP_WORKFLOW,
    TWO_FACTOR_WORKFLOWS,
    WIZARD_TTL,
    WRONG_CREDENTIALS,
    B2CoreAccount,
    B2CoreBroker,
    B2CoreSnapshot,
    B2CoreTokens,
    FieldErrors,
    IssuedToken,
    WizardSession,
    WizardStep,
    WrongCredentials,
    check_account,
    check_password,
    is_blank,
    lookup,
    public_fields,
    totp_code,
)
from fakeauth.tokens import (
    SWEEP_AT,
    JwtSigner,
    TokenRecord,
    TokenStore,
    signed_expiry,
)

__all__ = ["SIGNIN_WIZARD", "SIGNUP_WIZARD", "B2CoreState"]
__all__ += b2core_brokers.__all__

_BROKER_URL = "a B2Core broker is a base URL such as 'https://broker.example'"
_LABELS = {ACCESS: "B2Core access token", REFRESH: "B2Core refresh token"}
#: The kinds ``fake.explain`` gives a wizard uuid, by the flow it serves.
SIGNUP_WIZARD, SIGNIN_WIZARD = "signup wizard", "signin wizard"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
#: How long after its expiry a wizard session still answers "expired" or "finished"; then it is
#: gone ("does not exist"), and the state drops it.
WIZARD_RETENTION = 24 * 3600


def _broker_copy(broker: B2CoreBroker) -> B2CoreBroker:
    """A copy of ``broker`` that shares its (copy-on-write) email index of accounts."""
    return replace(
        broker,
        extra_steps=dict(broker.extra_steps),
        failures={key: list(times) for key, times in broker.failures.items()},
        locked_until=dict(broker.locked_until),
    )


def _wizard_copy(wizard: WizardSession, broker: B2CoreBroker) -> WizardSession:
    """A copy of ``wizard`` on ``broker`` (its broker's copy), its pages and form its own."""
    return replace(wizard, broker=broker, steps=list(wizard.steps), form=copy.deepcopy(wizard.form))


class B2CoreState:
    """The state of the B2Core API of one fake: one broker per configured host, ``hosts[0]``
    the default (``fake.b2core.broker()``).

    >>> fake.b2core.add_account(email="foo@bar.com", password="Secret123", two_factor="google")
    """

    def __init__(
        self,
        *,
        hosts: tuple[str, ...] = ("https://host.name",),
        clock: Clock,
        randomness: Randomness,
        outbox: Outbox,
        features: FeatureRegistry,
        access_token_ttl: int = 20 * 60,
        refresh_token_ttl: int = 30 * 24 * 3600,
    ) -> None:
        self.hosts = self.checked_options(hosts, access_token_ttl, refresh_token_ttl)
        self.clock = clock
        self.outbox = outbox
        self.features = features
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self._randomness = randomness
        self._lock = threading.RLock()
        self.signer = JwtSigner("HS256", randomness.stream("b2core.signing-key"))
        self._reset_state()

    @staticmethod
    def checked_lifetimes(access_token_ttl: int, refresh_token_ttl: int) -> None:
        """Raise :class:`ConfigurationError` unless both lifetimes are ones the state takes."""
        checked_lifetime(access_token_ttl, "b2core_access_token_ttl")
        checked_lifetime(refresh_token_ttl, "b2core_refresh_token_ttl")
        if access_token_ttl <= 0 or refresh_token_ttl <= 0:
            raise ConfigurationError("B2Core token lifetimes must be positive numbers of seconds")

    @staticmethod
    def checked_options(
        hosts: Iterable[str], access_token_ttl: int, refresh_token_ttl: int
    ) -> tuple[str, ...]:
        """The broker hosts as base URLs, once the options are checked; raises
        :class:`ConfigurationError` as the constructor would (``FakeAuth`` checks them before it
        builds the state)."""
        B2CoreState.checked_lifetimes(access_token_ttl, refresh_token_ttl)
        return B2CoreState.checked_hosts(hosts)

    @staticmethod
    def checked_hosts(hosts: Iterable[str]) -> tuple[str, ...]:
        """The broker hosts as base URLs; raises :class:`ConfigurationError` for a URL that is
        not a broker's or given twice."""
        urls = tuple(base_url(url, expected=_BROKER_URL) for url in hosts)
        for index, url in enumerate(urls):
            if url in urls[:index]:
                raise ConfigurationError(f"the B2Core broker {url!r} exists already")
        return urls

    def _reset_state(self) -> None:
        self._ids = self._randomness.stream("b2core.ids")
        self._codes = self._randomness.stream("b2core.codes")
        self.tokens = TokenStore(self.clock)
        self._brokers: dict[str, B2CoreBroker] = {}
        self._by_host: dict[str, B2CoreBroker] = {}
        self._accounts: dict[str, B2CoreAccount] = {}
        self.sessions: dict[str, WizardSession] = {}
        self._next_wizard_sweep = SWEEP_AT
        self._sms_codes: dict[str, str] = {}
        self._shared: set[str] = set()  # containers shared with a snapshot: copied on write
        self._shared_brokers: set[str] = set()  # brokers whose email index a snapshot shares
        for url in self.hosts:
            self.add_broker(url)

    def reset(self) -> None:
        """Back to the embedded defaults: one broker per configured host, no accounts.

        The signing key is drawn anew, and the ids and codes of a new random epoch (the fake
        advances it first), so nothing issued before the reset is accepted, or issued, again.
        """
        with self._lock:
            self.signer.rotate()
            self._reset_state()

    def snapshot(self) -> B2CoreSnapshot:
        """The records as they are now: the accounts (immutable records) shared with the
        snapshot in constant time and copied on the state's next write; the brokers' settings
        and the open wizards copied."""
        with self._lock:
            self._shared = {"_accounts", "_sms_codes"}
            self._shared_brokers = set(self._brokers)
            brokers = {url: _broker_copy(b) for url, b in self._brokers.items()}
            return B2CoreSnapshot(
                tuple(brokers.values()),
                self._accounts,
                self._sms_codes,
                tuple(_wizard_copy(w, brokers[w.broker.url]) for w in self.sessions.values()),
                self.tokens.snapshot(),
                self.signer.secret(),
                self._next_wizard_sweep,
            )

    def restore(self, snapshot: B2CoreSnapshot) -> None:
        """Hold the records of ``snapshot`` again; ids and codes continue from the current random
        epoch (the fake starts a new one first), the signing key is the snapshot's, so a token
        issued since is refused and never issued again."""
        with self._lock:
            brokers = {b.url: _broker_copy(b) for b in snapshot.brokers}
            self._brokers = brokers
            self._by_host = {h: b for b in brokers.values() for h in host_keys(b.url)}
            self._accounts = cast("dict[str, B2CoreAccount]", snapshot.accounts)
            self._sms_codes = cast("dict[str, str]", snapshot.sms_codes)
            self._shared = {"_accounts", "_sms_codes"}
            self._shared_brokers = set(brokers)
            self.sessions = {
                w.uuid: _wizard_copy(w, brokers[w.broker.url]) for w in snapshot.wizards
            }
            self._next_wizard_sweep = snapshot.next_wizard_sweep
            self.tokens.restore(snapshot.tokens)
            self._ids = self._randomness.stream("b2core.ids")
            self._codes = self._randomness.stream("b2core.codes")
            if snapshot.key is None:
                self.signer.rotate()
            else:
                self.signer.load_secret(snapshot.key)

    def _own(self, name: str) -> Any:
        """The container ``name``, copied first if a snapshot shares it (under the lock)."""
        if name in self._shared:
            self._shared.discard(name)
            setattr(self, name, dict(getattr(self, name)))
        return getattr(self, name)

    def _accounts_of(self, broker: B2CoreBroker) -> dict[str, B2CoreAccount]:
        """The email index of ``broker``, copied first if a snapshot shares it."""
        if broker.url in self._shared_brokers:
            self._shared_brokers.discard(broker.url)
            broker.accounts = dict(broker.accounts)
        return broker.accounts

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
        key = base_url(url, expected=_BROKER_URL)
        with self._lock:
            if key in self._brokers:
                raise ConfigurationError(f"the B2Core broker {key!r} exists already")
            broker = B2CoreBroker(key).configure(
                require_fields=require_fields,
                extra_steps=extra_steps,
                recaptcha=recaptcha,
                recaptcha_response=recaptcha_response,
                strict_fingerprint=strict_fingerprint,
            )
            self._brokers[key] = broker
            for host in host_keys(key):
                self._by_host[host] = broker
            return broker

    def broker(self, url: str | None = None) -> B2CoreBroker:
        """The broker on ``url``, or the default broker (the first configured host)."""
        if url is None:
            return self._brokers[self.hosts[0]]
        broker = self._brokers.get(base_url(url, expected=_BROKER_URL))
        if broker is None:
            raise ConfigurationError(
                f"no B2Core broker on {url!r}; add it with fake.b2core.add_broker({url!r}); "
                f"the brokers are: {', '.join(self._brokers)}"
            )
        return broker

    @property
    def brokers(self) -> list[B2CoreBroker]:
        """Every broker, the default first."""
        return list(self._brokers.values())

    def broker_for_host(self, host: str) -> B2CoreBroker | None:
        """The broker serving a ``Host`` header value (``"host.name"``, in any spelling
        :func:`~fakeauth.hosts.host_key` reads), or ``None``."""
        try:
            return self._by_host.get(host_key(host))
        except ValueError:  # not a host at all
            return None

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
            return list(self._accounts.values())

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
            if account_id not in self._accounts:
                return False
            account: B2CoreAccount = self._own("_accounts").pop(account_id)
            self.tokens.revoke_subject(account_id, by="the account's removal")
            for broker in self._brokers.values():
                if broker.accounts.get(account.email.casefold()) is account:
                    del self._accounts_of(broker)[account.email.casefold()]
            for uuid in [u for u, s in self.sessions.items() if s.account is account]:
                del self.sessions[uuid]
            return True

    def lock_out(self) -> None:
        """Lock every account out of sign-in, as :data:`LOCKOUT_ATTEMPTS` failed sign-ins in a
        row would (for :data:`LOCKOUT_DURATION` seconds from now, by the fake's clock)."""
        with self._lock:
            now = self.clock.time()
            for broker in self._brokers.values():
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
            code = self._sms_codes.get(account.id)
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
        lines = [
            "POST /api/v2/my/signup/wizard, /api/v2/my/signup, GET|POST /api/v2/my/signin/wizard,",
            "POST /api/v2/my/signin, /api/v2/my/2fa/{google,sms}, /api/v2/my/refresh,",
            "POST /api/v2/my/signout, GET /api/v2/my/2fa",
        ]
        for broker in self.brokers:
            captcha = "on" if broker.recaptcha else "off"
            lines.append(f"broker        {broker.url} (reCAPTCHA {captcha})")
        return lines

    def _broker_of(self, broker: str | B2CoreBroker | None) -> B2CoreBroker:
        return broker if isinstance(broker, B2CoreBroker) else self.broker(broker)

    # -- editing an account (the dashboard's edit form), under the seeding rules --------------

    @checked_arguments("fake.b2core.update_account")
    def update_account(
        self,
        account_id: str,
        *,
        password: str | Unchanged = UNCHANGED,
        two_factor: str | Unchanged | None = UNCHANGED,
        phone: str | Unchanged | None = UNCHANGED,
    ) -> B2CoreAccount:
        """Change the password, 2FA kind or phone of the account with id ``account_id``, each
        checked as :meth:`add_account` checks it (the others stay); the changed account. Its
        sessions go on; a sign-in already at its 2FA step finishes as it began."""
        if not isinstance(password, Unchanged):
            check_password(password)
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None:
                raise ConfigurationError(
                    f"no B2Core account with id {account_id!r}; fake.b2core.accounts lists them"
                )
            fields = {"two_factor": two_factor, "phone": phone}
            changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not UNCHANGED}
            if not isinstance(password, Unchanged):
                changes["password"] = PasswordHash.create(password, self._ids)
            changed = replace(account, **changes)
            # The rules add_account and a document's loader apply, on the record as edited.
            check_account(
                changed.email, changed.given_name, changed.family_name, changed.two_factor
            )
            self._own("_accounts")[account.id] = changed
            self._accounts_of(self._brokers[account.broker])[account.email.casefold()] = changed
            return changed

    # -- the operations the API performs ----------------------------------------------------

    def start_signup(self, broker: B2CoreBroker) -> tuple[WizardSession, dict[str, Any]]:
        """Open a sign-up wizard; its first page's extra fields."""
        with self._lock:
            session = self._open(broker, "signup", SIGNUP_WORKFLOW)
            session.steps = [(SIGNUP_WORKFLOW, broker.require_fields), *broker.extra_steps.items()]
            return session, broker.form_fields()

    def start_signin(self, broker: B2CoreBroker) -> WizardSession:
        """Open a sign-in wizard."""
        with self._lock:
            return self._open(broker, "signin", LOGIN_WORKFLOW)

    def sign_up(
        self, broker: B2CoreBroker, uuid: str, form: Mapping[str, Any]
    ) -> WizardStep | B2CoreTokens:
        """Submit one page of a sign-up wizard: the next page, or the new account's tokens."""
        with self._lock:
            session = self._session(broker, uuid, "signup", None)
            name, required = session.steps[0]
            errors: dict[str, list[str]] = {}
            if name == SIGNUP_WORKFLOW:
                broker.check_registration(form, errors)
            for path in required:
                if is_blank(lookup(form, path)):
                    errors.setdefault(path, []).append(BLANK)
            if errors:
                raise FieldErrors(errors, uuid=uuid, workflow=session.workflow)
            if name == SIGNUP_WORKFLOW:
                session.password = PasswordHash.create(form["password"], self._ids)
                session.form.update(public_fields(form))
            else:  # a later page cannot change the checked email
                session.form.update((k, v) for k, v in public_fields(form).items() if k != "email")
            session.steps.pop(0)
            if session.steps:
                session.workflow, fields = session.steps[0]
                return WizardStep(uuid, session.workflow, {p: {"required": True} for p in fields})
            email = session.form["email"]
            if email.casefold() in broker.accounts:  # taken while this wizard was open
                raise FieldErrors({"email": [EMAIL_TAKEN]}, uuid=uuid, workflow=session.workflow)
            assert session.password is not None
            account = self._create_account(broker, email, session.password, session.form)
            return self._finish(session, account, SIGNUP_DONE_WORKFLOW)

    def sign_in(
        self, broker: B2CoreBroker, uuid: str, form: Mapping[str, Any]
    ) -> WizardStep | B2CoreTokens:
        """Check the credentials: the tokens, or the 2FA step the account asks for."""
        with self._lock:
            session = self._session(broker, uuid, "signin", LOGIN_WORKFLOW)
            errors: dict[str, list[str]] = {}
            for name in ("email", "password", "device_fingerprint"):
                if is_blank(form.get(name)):
                    errors[name] = [BLANK]
            broker.check_device(form, errors)
            if errors:
                raise FieldErrors(errors, uuid=uuid, workflow=LOGIN_WORKFLOW)
            key, now = form["email"].casefold(), self.clock.time()
            broker.check_lockout(key, now, uuid)
            account = broker.accounts.get(key)
            if account is None or not account.password.matches(form["password"]):
                broker.record_failure(key, now)
                raise WrongCredentials(WRONG_CREDENTIALS, uuid=uuid, workflow=LOGIN_WORKFLOW)
            broker.failures.pop(key, None)
            if account.two_factor is None:
                return self._finish(session, account, LOGIN_DONE_WORKFLOW)
            session.account = account
            session.workflow = TWO_FACTOR_WORKFLOWS[account.two_factor]
            if account.two_factor == "sms":
                self._send_sms_code(session, account)
            return WizardStep(uuid, session.workflow, {})

    def verify_two_factor(
        self, broker: B2CoreBroker, uuid: str, kind: str, code: str | None
    ) -> B2CoreTokens:
        """Complete a sign-in's 2FA step (``kind`` ``"google"`` or ``"sms"``) with ``code``."""
        with self._lock:
            session = self._session(broker, uuid, "signin", TWO_FACTOR_WORKFLOWS[kind])
            account = session.account
            assert account is not None
            if is_blank(code):
                raise FieldErrors({"code": [BLANK]}, uuid=uuid, workflow=session.workflow)
            assert code is not None
            if kind == "google":
                counter = int(self.clock.time() // 30)
                # no step before the epoch's: a clock at 1970-01-01 has no counter -1
                steps = [counter + d for d in (-1, 0, 1) if counter + d >= 0]
                valid = [totp_code(account.totp_secret, step) for step in steps]
            else:
                valid = [session.sms_code or ""]
            if not any(hmac.compare_digest(code, v) for v in valid):
                raise FieldErrors({"code": [BAD_CODE]}, uuid=uuid, workflow=session.workflow)
            return self._finish(session, account, LOGIN_DONE_WORKFLOW)

    def refresh(
        self, broker: B2CoreBroker, refresh_token: str, *, by: str = "b2core.refresh"
    ) -> B2CoreTokens:
        """Swap a refresh token (single use) for a new pair in the same auth session; ``by``
        names the operation that exchanged it (for :meth:`explain_credential`)."""
        claims = self.signer.decode(refresh_token)
        if claims.get("iss") != broker.url:
            raise TokenInvalid("the token is from another broker")
        with self._lock:
            record = self.tokens.consume(
                str(claims.get("jti", "")), REFRESH, expires_at=signed_expiry(claims), by=by
            )
            account = self._accounts[record.subject]
            return self._issue(record.session, account)

    def authorize(self, broker: B2CoreBroker, access_token: str) -> tuple[B2CoreAccount, str]:
        """The account and auth session behind a valid access token; raises otherwise."""
        claims = self.signer.decode(access_token)
        record = self.tokens.check(
            str(claims.get("jti", "")), ACCESS, expires_at=signed_expiry(claims)
        )
        if claims.get("iss") != broker.url:
            raise TokenInvalid("the token is from another broker")
        return self._accounts[record.subject], record.session

    def sign_out(
        self, broker: B2CoreBroker, access_token: str, *, by: str = "b2core.signout"
    ) -> str:
        """Revoke every token of the access token's auth session (access and refresh); its uuid.
        ``by`` names the operation that revoked them (for :meth:`explain_credential`)."""
        _, session = self.authorize(broker, access_token)
        self.tokens.revoke_session(session, by=by)
        return session

    def explain_credential(self, token: str) -> Finding | None:
        """What this state knows of ``token``, for ``fake.explain``: a B2Core token (a JWT with
        ``jti``, ``sid`` and ``typ`` claims) or a wizard uuid; ``None`` for any other
        credential."""
        claims = unverified_claims(token)
        if claims is None:
            return self._wizard_finding(token) if _UUID.fullmatch(token) else None
        token_id, kind = claims.get("jti"), claims.get("typ")
        if not isinstance(token_id, str) or "sid" not in claims or kind not in (ACCESS, REFRESH):
            return None
        return token_finding(
            token,
            claims,
            vendor="b2core",
            labels=_LABELS,
            kind=str(kind),
            token_id=token_id,
            store=self.tokens,
            signer=self.signer,
            now=self.clock.time(),
        )

    def _wizard_finding(self, uuid: str) -> Finding:
        session = self.sessions.get(uuid)
        key = credential_key("b2core", f"wizard:{uuid}")
        if session is None:
            label = "B2Core wizard uuid"
            return Finding(verdict="unknown", vendor="b2core", label=label, kind="wizard", key=key)
        signup = session.flow == "signup"
        flow, kind = ("sign-up", SIGNUP_WIZARD) if signup else ("sign-in", SIGNIN_WIZARD)
        verdict: Verdict = "expired" if self.clock.time() >= session.expires_at else "live"
        note = ""
        if session.finished:  # before expiry: the API answers "finished" first
            verdict, note = "revoked", f"a wizard uuid serves one {flow}, and this one has finished"
        return Finding(
            verdict=verdict,
            vendor="b2core",
            label=f"B2Core {flow} wizard uuid",
            kind=kind,
            key=key,
            account=session.account.id if session.account is not None else None,
            issued_at=session.created_at.timestamp(),
            expires_at=session.expires_at,
            lifetime=WIZARD_TTL,
            note=note,
        )

    def held_credentials(self) -> list[HeldIds]:
        """The ids of every token and open wizard this state holds (a reset, restore or import
        forgets them; ``fake.explain`` then says so): the tokens in constant time, the wizards
        (a few open sign-ins) copied."""
        wizards = dict.fromkeys(self.sessions, True)
        return [
            HeldIds("b2core", self.tokens.snapshot().records),
            HeldIds("b2core", wizards, "wizard:"),
        ]

    # -- internals ----------------------------------------------------------------------------

    def _open(self, broker: B2CoreBroker, flow: str, workflow: str) -> WizardSession:
        now = self.clock.time()
        if len(self.sessions) >= self._next_wizard_sweep:
            self._prune_wizards(now)
        session = WizardSession(
            self._ids.uuid4(), flow, broker, workflow, to_datetime(now), now + WIZARD_TTL
        )
        self.sessions[session.uuid] = session
        return session

    def _prune_wizards(self, now: float) -> None:
        """Drop the wizard sessions past their retention (an amortised sweep, as tokens have)."""
        self.sessions = {
            uuid: s for uuid, s in self.sessions.items() if now < s.expires_at + WIZARD_RETENTION
        }
        self._next_wizard_sweep = max(SWEEP_AT, 2 * len(self.sessions))

    def _session(
        self, broker: B2CoreBroker, uuid: str, flow: str, workflow: str | None
    ) -> WizardSession:
        session = self.sessions.get(uuid)
        default = SIGNUP_WORKFLOW if flow == "signup" else LOGIN_WORKFLOW
        problem = None
        if (
            session is None
            or session.broker is not broker
            or session.flow != flow
            # past its retention, a session is gone, whether a sweep has dropped it yet or not
            or self.clock.time() >= session.expires_at + WIZARD_RETENTION
        ):
            problem, session = NO_SESSION, None
        elif session.finished:
            problem = FINISHED_SESSION
        elif self.clock.time() >= session.expires_at:
            problem = EXPIRED_SESSION
        elif workflow is not None and session.workflow != workflow:
            problem = f"This wizard session is at the step {session.workflow!r}."
        if problem is not None:
            current = session.workflow if session is not None else default
            raise FieldErrors({"uuid": [problem]}, uuid=uuid, workflow=current)
        assert session is not None
        return session

    def _create_account(
        self,
        broker: B2CoreBroker,
        email: str,
        password: PasswordHash,
        form: dict[str, Any],
        **seeded: str | None,
    ) -> B2CoreAccount:
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
        self._accounts_of(broker)[email.casefold()] = account
        self._own("_accounts")[account.id] = account
        return account

    def _send_sms_code(self, session: WizardSession, account: B2CoreAccount) -> None:
        code = session.sms_code = self._codes.digits(6)
        self._own("_sms_codes")[account.id] = code
        self.outbox.send(
            Message(
                vendor="b2core",
                kind="sms-2fa-code",
                to=account.phone or account.email,
                subject="Your verification code",
                body=f"Your verification code is {code}",
                time=self.clock.now(),
                data={"code": code, "uuid": session.uuid, "account_id": account.id},
            )
        )

    def _finish(
        self, session: WizardSession, account: B2CoreAccount, workflow: str
    ) -> B2CoreTokens:
        session.finished, session.workflow = True, workflow
        return self._issue(session.uuid, account)

    def _issue(self, session: str, account: B2CoreAccount) -> B2CoreTokens:
        now = self.clock.time()
        pair = []
        for kind, ttl in ((ACCESS, self.access_token_ttl), (REFRESH, self.refresh_token_ttl)):
            token_id = self._ids.uuid4()
            claims: dict[str, Any] = {"iss": account.broker, "sub": account.id, "sid": session}
            claims.update(typ=kind, jti=token_id, iat=int(now), exp=int(now) + ttl)
            self.tokens.add(TokenRecord(token_id, kind, account.id, session, now, now + ttl))
            token = self.signer.encode(claims)
            pair.append(IssuedToken(token, to_datetime(now), to_datetime(now + ttl)))
        return B2CoreTokens(session, account, pair[0], pair[1])

    # -- the VendorState protocol: the state's part of a document ---------------------------

    def to_document(self) -> dict[str, Any]:
        """The state's part of a state document (JSON-ready: ids and hashes, never a token)."""
        with self._lock:  # one moment: nothing changes while the records are written
            return b2core_document.written(
                brokers=self._brokers.values(),
                accounts=self._accounts.values(),
                sms_codes=self._sms_codes,
                wizards=self.sessions.values(),
                signer=self.signer,
                tokens=self.tokens,
                streams=self._streams(),
            )

    def _streams(self) -> dict[str, RandomStream | None]:
        return {
            "b2core.ids": self._ids,
            "b2core.codes": self._codes,
            "b2core.signing-key": self.signer.key_stream,
        }

    def load_document(self, document: Mapping[str, Any]) -> None:
        """Hold the records of a document's part instead of the current ones, whole or not at
        all: refused (:class:`ConfigurationError`, naming the field) when it does not fit the
        schema, contradicts itself, misses a configured broker, or holds what
        :meth:`add_account` would refuse. Its random streams continue where the document says
        when the fake resumed the document's epoch."""
        resumed = self._randomness.resumed
        snapshot, positions = b2core_document.read(
            document,
            hosts=self.hosts,
            algorithm=self.signer.algorithm,
            streams=self._streams() if resumed else None,
        )
        with self._lock:
            self.restore(snapshot)
            for name, stream in self._streams().items():
                if stream is not None and name in positions:
                    stream.move_to(positions[name])
