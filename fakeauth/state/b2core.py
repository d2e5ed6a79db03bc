"""B2Core front office: brokers, their accounts, wizard sessions, lockout and tokens.

Every broker runs on its own host and holds its own accounts and settings. A sign-up or sign-in is
a wizard session: created with a uuid, bound to its flow and broker, and usable until it finishes
or expires (by the fake's clock). Field errors are collected per field, as the real forms show them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from fakeauth.clock import Clock, to_datetime
from fakeauth.emails import is_email
from fakeauth.errors import ConfigurationError, DomainError, InvalidCredentials, TokenInvalid
from fakeauth.features import FeatureRegistry
from fakeauth.outbox import Message, Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore

__all__ = [
    "B2CoreAccount",
    "B2CoreBroker",
    "B2CoreError",
    "B2CoreState",
    "B2CoreTokens",
    "FieldErrors",
    "IssuedToken",
    "LockedOut",
    "WizardSession",
    "WizardStep",
    "WrongCredentials",
]

SIGNUP_WORKFLOW = "basic_register_form"
SIGNUP_DONE_WORKFLOW = "login"
LOGIN_WORKFLOW = "login"
LOGIN_DONE_WORKFLOW = "terminate"
TWO_FACTOR_WORKFLOWS = {"google": "2fa_google_auth", "sms": "2fa_sms_auth"}
#: The reCAPTCHA response that passes by default: the documentation's example value.
DEFAULT_RECAPTCHA_RESPONSE = "ut nu"
WIZARD_TTL = 30 * 60
LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW, LOCKOUT_DURATION = 5, 60, 600
ACCESS, REFRESH = "access", "refresh"

BLANK = "This value should not be blank."
BAD_EMAIL = "This value is not a valid email address."
EMAIL_TAKEN = "This value is already used."
MISMATCH = "The password confirmation does not match."
BAD_FINGERPRINT = "This value is not a valid device fingerprint."
BAD_RECAPTCHA = "The reCAPTCHA response is invalid."
BAD_CODE = "The code is invalid."
NO_SESSION = "This wizard session does not exist."
EXPIRED_SESSION = "This wizard session has expired."
FINISHED_SESSION = "This wizard session is already finished."
WRONG_CREDENTIALS = "Invalid email or password."
LOCKED = "Too many failed sign-in attempts. Try again later."


class B2CoreError(DomainError):
    """A refusal inside a wizard: it names the session's ``uuid`` and ``workflow``."""

    def __init__(self, message: str, *, uuid: str | None, workflow: str) -> None:
        super().__init__(message)
        self.uuid = uuid
        self.workflow = workflow


class FieldErrors(B2CoreError):
    """The form failed validation: ``errors`` maps each field to its messages."""

    code = "field_errors"

    def __init__(self, errors: dict[str, list[str]], *, uuid: str | None, workflow: str) -> None:
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        super().__init__(message, uuid=uuid, workflow=workflow)
        self.errors = errors


class WrongCredentials(B2CoreError, InvalidCredentials):
    """The email or the password is wrong (deliberately not told apart)."""


class LockedOut(B2CoreError):
    """Too many failed sign-ins for this email: refused until ``until`` (a POSIX time)."""

    code = "locked_out"

    def __init__(self, *, uuid: str, until: float, retry_after: int) -> None:
        super().__init__(LOCKED, uuid=uuid, workflow=LOGIN_WORKFLOW)
        self.until = until
        self.retry_after = retry_after


@dataclass
class B2CoreAccount:
    """A client of one broker. The password is only a hash."""

    id: str
    broker: str
    email: str
    password: PasswordHash = field(repr=False)
    given_name: str
    family_name: str
    phone: str | None
    two_factor: str | None
    totp_secret: str = field(repr=False)
    created_at: datetime
    #: What the sign-up form sent besides the credentials (``info``, ``addresses``, ...).
    form: dict[str, Any] = field(default_factory=dict, repr=False)

    def totp(self, at: float) -> str:
        """The Google Authenticator (RFC 6238) code at the POSIX time ``at``."""
        return _totp(self.totp_secret, int(at // 30))


@dataclass
class B2CoreBroker:
    """A broker on its own host: its accounts and the settings of its forms.

    Change the settings with :meth:`configure`, which checks them.
    """

    url: str
    require_fields: tuple[str, ...] = ()
    extra_steps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    recaptcha: bool = False
    recaptcha_response: str = DEFAULT_RECAPTCHA_RESPONSE
    strict_fingerprint: bool = False
    accounts: dict[str, B2CoreAccount] = field(default_factory=dict, repr=False)
    failures: dict[str, list[float]] = field(default_factory=dict, repr=False)
    locked_until: dict[str, float] = field(default_factory=dict, repr=False)

    def configure(
        self,
        *,
        require_fields: Iterable[str] | None = None,
        extra_steps: Mapping[str, Iterable[str]] | None = None,
        recaptcha: bool | None = None,
        recaptcha_response: str | None = None,
        strict_fingerprint: bool | None = None,
    ) -> B2CoreBroker:
        """Change the settings given; fields are dotted paths into the form (``info.givenName``).

        ``extra_steps`` maps each further sign-up step's workflow name to its required fields, in
        order. Sessions already open keep the steps they started with.
        """
        if require_fields is not None:
            self.require_fields = _field_paths("require_fields", require_fields)
        if extra_steps is not None:
            if not isinstance(extra_steps, Mapping):
                raise ConfigurationError(
                    "extra_steps maps each step's workflow name to its fields, such as "
                    "{'personal_info': ['info.givenName']}"
                )
            steps = {}
            for name, fields in extra_steps.items():
                if not isinstance(name, str) or not name or name == SIGNUP_WORKFLOW:
                    raise ConfigurationError(
                        f"an extra step needs a workflow name other than {SIGNUP_WORKFLOW!r}, "
                        f"not {name!r}"
                    )
                steps[name] = _field_paths(f"extra_steps[{name!r}]", fields)
            self.extra_steps = steps
        if recaptcha_response is not None:
            if not isinstance(recaptcha_response, str) or not recaptcha_response:
                raise ConfigurationError("recaptcha_response is the non-empty string that passes")
            self.recaptcha_response = recaptcha_response
        if recaptcha is not None:
            self.recaptcha = bool(recaptcha)
        if strict_fingerprint is not None:
            self.strict_fingerprint = bool(strict_fingerprint)
        return self

    def form_fields(self) -> dict[str, Any]:
        """What the sign-up wizard's first page requires beyond the documented fields."""
        fields: dict[str, Any] = {path: {"required": True} for path in self.require_fields}
        if self.recaptcha:
            fields["recaptchaResponse"] = {"required": True}
        return fields


@dataclass
class WizardSession:
    """One sign-up or sign-in wizard: its uuid, broker, current step and expiry."""

    uuid: str
    flow: str
    broker: B2CoreBroker = field(repr=False)
    workflow: str
    created_at: datetime
    expires_at: float
    steps: list[tuple[str, tuple[str, ...]]] = field(default_factory=list, repr=False)
    form: dict[str, Any] = field(default_factory=dict, repr=False)
    password: PasswordHash | None = field(default=None, repr=False)
    account: B2CoreAccount | None = field(default=None, repr=False)
    sms_code: str | None = field(default=None, repr=False)
    finished: bool = False


@dataclass(frozen=True)
class WizardStep:
    """An intermediate reply: another page (``workflow``) follows in the same session."""

    uuid: str
    workflow: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class IssuedToken:
    """A token as the API shows it: the string and when it was made and expires."""

    token: str = field(repr=False)
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class B2CoreTokens:
    """The final reply of a wizard, and of a refresh: a token pair of one auth session."""

    uuid: str
    account: B2CoreAccount
    access_token: IssuedToken
    refresh_token: IssuedToken


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
        if access_token_ttl <= 0 or refresh_token_ttl <= 0:
            raise ConfigurationError("B2Core token lifetimes must be positive numbers of seconds")
        self.clock = clock
        self.outbox = outbox
        self.features = features
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self.hosts = tuple(_base_url(url) for url in hosts)
        self._randomness = randomness
        self._lock = threading.RLock()
        self.signer = JwtSigner("HS256", randomness.stream("b2core.signing-key"))
        self._reset_state()

    def _reset_state(self) -> None:
        self._ids = self._randomness.stream("b2core.ids")
        self._codes = self._randomness.stream("b2core.codes")
        self.tokens = TokenStore(self.clock)
        self._brokers: dict[str, B2CoreBroker] = {}
        self._by_host: dict[str, B2CoreBroker] = {}
        self._accounts: dict[str, B2CoreAccount] = {}
        self.sessions: dict[str, WizardSession] = {}
        self._sms_codes: dict[str, str] = {}
        for url in self.hosts:
            self.add_broker(url)

    def reset(self) -> None:
        """Back to the embedded defaults: one broker per configured host, no accounts."""
        with self._lock:
            self._reset_state()

    # -- seeding and inspection -------------------------------------------------------------

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
        key = _base_url(url)
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
            for host in _host_keys(key):
                self._by_host[host] = broker
            return broker

    def broker(self, url: str | None = None) -> B2CoreBroker:
        """The broker on ``url``, or the default broker (the first configured host)."""
        if url is None:
            return self._brokers[self.hosts[0]]
        broker = self._brokers.get(_base_url(url))
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
        """The broker serving a ``Host`` header value (``"host.name"``), or ``None``."""
        return self._by_host.get(host.lower())

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
        if two_factor not in (None, *TWO_FACTOR_WORKFLOWS):
            raise ConfigurationError(f"two_factor is 'google', 'sms' or None, not {two_factor!r}")
        if not isinstance(email, str) or not is_email(email):
            raise ConfigurationError(f"{email!r} is not an email address B2Core accepts")
        if not isinstance(password, str) or not password:
            raise ConfigurationError("a B2Core account needs a non-empty password")
        with self._lock:
            if email.casefold() in target.accounts:
                raise ConfigurationError(
                    f"a B2Core account with email {email!r} exists already on {target.url}"
                )
            info = {"givenName": given_name, "familyName": family_name}
            hashed = PasswordHash.create(password, self._ids)
            account = self._create_account(target, email, hashed, {"info": info})
            account.phone, account.two_factor = phone, two_factor
            return account

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
                self._check_registration(broker, form, errors)
            for path in required:
                if _blank(_lookup(form, path)):
                    errors.setdefault(path, []).append(BLANK)
            if errors:
                raise FieldErrors(errors, uuid=uuid, workflow=session.workflow)
            if name == SIGNUP_WORKFLOW:
                session.password = PasswordHash.create(form["password"], self._ids)
                session.form.update(_public(form))
            else:  # a later page cannot change the checked email
                session.form.update((k, v) for k, v in _public(form).items() if k != "email")
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
                if _blank(form.get(name)):
                    errors[name] = [BLANK]
            self._check_device(broker, form, errors)
            if errors:
                raise FieldErrors(errors, uuid=uuid, workflow=LOGIN_WORKFLOW)
            key, now = form["email"].casefold(), self.clock.time()
            until = broker.locked_until.get(key, 0.0)
            if now < until:
                raise LockedOut(uuid=uuid, until=until, retry_after=math.ceil(until - now))
            account = broker.accounts.get(key)
            if account is None or not account.password.matches(form["password"]):
                recent = [t for t in broker.failures.get(key, []) if now - t < LOCKOUT_WINDOW]
                recent.append(now)
                broker.failures[key] = recent
                if len(recent) >= LOCKOUT_ATTEMPTS:
                    broker.locked_until[key] = now + LOCKOUT_DURATION
                    del broker.failures[key]
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
            if _blank(code):
                raise FieldErrors({"code": [BLANK]}, uuid=uuid, workflow=session.workflow)
            assert code is not None
            if kind == "google":
                counter = int(self.clock.time() // 30)
                valid = [_totp(account.totp_secret, counter + d) for d in (-1, 0, 1)]
            else:
                valid = [session.sms_code or ""]
            if not any(hmac.compare_digest(code, v) for v in valid):
                raise FieldErrors({"code": [BAD_CODE]}, uuid=uuid, workflow=session.workflow)
            return self._finish(session, account, LOGIN_DONE_WORKFLOW)

    def refresh(self, broker: B2CoreBroker, refresh_token: str) -> B2CoreTokens:
        """Swap a refresh token (single use) for a new pair in the same auth session."""
        claims = self.signer.decode(refresh_token)
        if claims.get("iss") != broker.url:
            raise TokenInvalid("the token is from another broker")
        with self._lock:
            record = self.tokens.consume(str(claims.get("jti", "")), REFRESH)
            account = self._accounts[record.subject]
            return self._issue(record.session, account)

    def authorize(self, broker: B2CoreBroker, access_token: str) -> tuple[B2CoreAccount, str]:
        """The account and auth session behind a valid access token; raises otherwise."""
        claims = self.signer.decode(access_token)
        record = self.tokens.check(str(claims.get("jti", "")), ACCESS)
        if claims.get("iss") != broker.url:
            raise TokenInvalid("the token is from another broker")
        return self._accounts[record.subject], record.session

    def sign_out(self, broker: B2CoreBroker, access_token: str) -> str:
        """Revoke every token of the access token's auth session (access and refresh); its uuid."""
        _, session = self.authorize(broker, access_token)
        self.tokens.revoke_session(session)
        return session

    # -- internals ----------------------------------------------------------------------------

    def _open(self, broker: B2CoreBroker, flow: str, workflow: str) -> WizardSession:
        now = self.clock.time()
        session = WizardSession(
            self._ids.uuid4(), flow, broker, workflow, to_datetime(now), now + WIZARD_TTL
        )
        self.sessions[session.uuid] = session
        return session

    def _session(
        self, broker: B2CoreBroker, uuid: str, flow: str, workflow: str | None
    ) -> WizardSession:
        session = self.sessions.get(uuid)
        default = SIGNUP_WORKFLOW if flow == "signup" else LOGIN_WORKFLOW
        problem = None
        if session is None or session.broker is not broker or session.flow != flow:
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

    def _check_registration(
        self, broker: B2CoreBroker, form: Mapping[str, Any], errors: dict[str, list[str]]
    ) -> None:
        for name in ("email", "password", "password_confirmation", "device_fingerprint"):
            if _blank(form.get(name)):
                errors[name] = [BLANK]
        email: Any = form.get("email")
        if "email" not in errors and not is_email(email):
            errors["email"] = [BAD_EMAIL]
        elif "email" not in errors and email.casefold() in broker.accounts:
            errors["email"] = [EMAIL_TAKEN]
        password, confirmation = form.get("password"), form.get("password_confirmation")
        if not _blank(password) and not _blank(confirmation) and password != confirmation:
            errors["password_confirmation"] = [MISMATCH]
        self._check_device(broker, form, errors)

    def _check_device(
        self, broker: B2CoreBroker, form: Mapping[str, Any], errors: dict[str, list[str]]
    ) -> None:
        fingerprint = form.get("device_fingerprint")
        strict = broker.strict_fingerprint and "device_fingerprint" not in errors
        if strict and not _is_fingerprint(fingerprint):
            errors["device_fingerprint"] = [BAD_FINGERPRINT]
        if broker.recaptcha:
            response = form.get("recaptchaResponse")
            if _blank(response):
                errors["recaptchaResponse"] = [BLANK]
            elif not hmac.compare_digest(str(response), broker.recaptcha_response):
                errors["recaptchaResponse"] = [BAD_RECAPTCHA]

    def _create_account(
        self, broker: B2CoreBroker, email: str, password: PasswordHash, form: dict[str, Any]
    ) -> B2CoreAccount:
        info: dict[str, Any] = form["info"] if isinstance(form.get("info"), dict) else {}
        phones = form.get("phones")
        first = next(iter(phones.values()), None) if isinstance(phones, dict) else None
        phone = first.get("phone") if isinstance(first, dict) else None
        account = B2CoreAccount(
            id=self._ids.uuid4(),
            broker=broker.url,
            email=email,
            password=password,
            given_name=str(info.get("givenName") or ""),
            family_name=str(info.get("familyName") or ""),
            phone=phone if isinstance(phone, str) else None,
            two_factor=None,
            totp_secret=base64.b32encode(self._ids.bytes(20)).decode(),
            created_at=self.clock.now(),
            form={k: v for k, v in form.items() if k != "email"},
        )
        broker.accounts[email.casefold()] = account
        self._accounts[account.id] = account
        return account

    def _send_sms_code(self, session: WizardSession, account: B2CoreAccount) -> None:
        code = session.sms_code = self._codes.digits(6)
        self._sms_codes[account.id] = code
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


def _totp(secret: str, counter: int) -> str:
    mac = hmac.new(base64.b32decode(secret), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def _is_fingerprint(value: Any) -> bool:
    """Strict mode: the base64 of a JSON object with ``user_agent``."""
    try:
        text = value.strip()
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        document = json.loads(raw)
    except (AttributeError, binascii.Error, ValueError, RecursionError):
        return False
    return isinstance(document, dict) and "user_agent" in document


def _lookup(form: Mapping[str, Any], path: str) -> Any:
    value: Any = form
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _public(form: Mapping[str, Any]) -> dict[str, Any]:
    secret = ("uuid", "password", "password_confirmation", "recaptchaResponse")
    return {k: v for k, v in form.items() if k not in secret}


def _field_paths(option: str, paths: Iterable[str]) -> tuple[str, ...]:
    result = () if isinstance(paths, str) else tuple(paths)
    if (not result and paths) or not all(isinstance(p, str) and p.strip(".") for p in result):
        raise ConfigurationError(
            f"{option} takes a list of field names such as ['info.givenName', 'phones'], "
            f"not {paths!r}"
        )
    return result


def _base_url(url: str) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or (parts.path not in ("", "/"))
    ):
        raise ConfigurationError(
            f"a B2Core broker is a base URL such as 'https://broker.example', not {url!r}"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _host_keys(base_url: str) -> tuple[str, ...]:
    parts = urlsplit(base_url)
    host, default_port = parts.hostname or "", 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    return (host, f"{host}:{port}") if port == default_port else (f"{host}:{port}",)
