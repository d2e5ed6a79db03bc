"""B2Core brokers and what a wizard works with: settings, accounts, sessions, replies, refusals.

A broker's settings decide what its forms require (extra fields and steps, reCAPTCHA, a strict
device fingerprint); :class:`B2CoreBroker` checks a form against them and keeps the sign-in
lockout of its emails. The refusals (workflow names, messages, domain errors) live in
:mod:`fakeauth.state.b2core_refusals` and the form values' helpers in
:mod:`fakeauth.state.b2core_forms`; every name of theirs is importable from here too. No HTTP
here, and no storage of sessions or tokens: that is :class:`~fakeauth.state.b2core.B2CoreState`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from fakeauth.emails import is_email
from fakeauth.errors import ConfigurationError, FieldRefused, shown
from fakeauth.passwords import PasswordHash
from fakeauth.seeding import checked_arguments
from fakeauth.state.b2core_forms import (
    field_paths,
    frozen,
    is_blank,
    is_fingerprint,
    lookup,
    public_fields,
    thawed,
)
from fakeauth.state.b2core_refusals import (
    BAD_CODE,
    BAD_EMAIL,
    BAD_FINGERPRINT,
    BAD_RECAPTCHA,
    BLANK,
    EMAIL_TAKEN,
    EXPIRED_SESSION,
    FINISHED_SESSION,
    LOCKED,
    LOGIN_DONE_WORKFLOW,
    LOGIN_WORKFLOW,
    MISMATCH,
    NO_SESSION,
    SIGNUP_DONE_WORKFLOW,
    SIGNUP_WORKFLOW,
    TWO_FACTOR_WORKFLOWS,
    WRONG_CREDENTIALS,
    B2CoreError,
    FieldErrors,
    LockedOut,
    WrongCredentials,
)
from fakeauth.tokens import TokenStoreSnapshot

__all__ = [
    "ACCESS",
    "BAD_CODE",
    "BAD_EMAIL",
    "BAD_FINGERPRINT",
    "BAD_RECAPTCHA",
    "BLANK",
    "DEFAULT_RECAPTCHA_RESPONSE",
    "EMAIL_TAKEN",
    "EXPIRED_SESSION",
    "FINISHED_SESSION",
    "LOCKED",
    "LOCKOUT_ATTEMPTS",
    "LOCKOUT_DURATION",
    "LOCKOUT_WINDOW",
    "LOGIN_DONE_WORKFLOW",
    "LOGIN_WORKFLOW",
    "MAX_NAME_LENGTH",
    "MISMATCH",
    "NO_SESSION",
    "REFRESH",
    "SIGNUP_DONE_WORKFLOW",
    "SIGNUP_WORKFLOW",
    "TWO_FACTOR_WORKFLOWS",
    "WIZARD_TTL",
    "WRONG_CREDENTIALS",
    "B2CoreAccount",
    "B2CoreBroker",
    "B2CoreError",
    "B2CoreSnapshot",
    "B2CoreTokens",
    "FieldErrors",
    "IssuedToken",
    "LockedOut",
    "WizardSession",
    "WizardStep",
    "WrongCredentials",
    "check_account",
    "check_password",
    "field_paths",
    "frozen",
    "is_blank",
    "is_fingerprint",
    "lookup",
    "public_fields",
    "thawed",
    "totp_code",
]

#: The reCAPTCHA response that passes by default: the documentation's example value.
DEFAULT_RECAPTCHA_RESPONSE = "ut nu"
WIZARD_TTL = 30 * 60
LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW, LOCKOUT_DURATION = 5, 60, 600
ACCESS, REFRESH = "access", "refresh"

#: The longest given or family name a B2Core account holds: the longest text its forms take.
MAX_NAME_LENGTH = 4096


def check_account(email: str, given_name: str, family_name: str, two_factor: str | None) -> None:
    """Raise :class:`FieldRefused` naming the field unless a B2Core account may hold these: an
    email ``isEmail`` takes, names of at most :data:`MAX_NAME_LENGTH` characters, a second
    factor of ``"google"``, ``"sms"`` or ``None`` (``add_account`` and a state document's loader
    apply them)."""
    if two_factor not in (None, *TWO_FACTOR_WORKFLOWS):
        raise FieldRefused(
            "two_factor", f"two_factor is 'google', 'sms' or None, not {shown(two_factor)}"
        )
    if not isinstance(email, str) or not is_email(email):
        raise FieldRefused("email", f"{shown(email)} is not an email address B2Core accepts")
    for name_of, value in (("given_name", given_name), ("family_name", family_name)):
        if len(value) > MAX_NAME_LENGTH:
            raise FieldRefused(
                name_of,
                f"a B2Core {name_of} is at most {MAX_NAME_LENGTH:,} characters, not {len(value):,}",
            )


def check_password(password: str) -> None:
    """Raise :class:`FieldRefused` unless ``password`` is one a B2Core account may be given: a
    non-empty string (``add_account`` and ``update_account`` apply it; a document holds hashes)."""
    if not isinstance(password, str) or not password:
        raise FieldRefused("password", "a B2Core account needs a non-empty password")


@dataclass(frozen=True)
class B2CoreAccount:
    """A client of one broker. The password is only a hash.

    Immutable, as every record of a state (a snapshot shares the records it holds): ``form`` is
    a read-only copy (nested mappings read-only, lists made tuples) of what it is made with.
    """

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
    form: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", frozen(self.form))

    def totp(self, at: float) -> str:
        """The Google Authenticator (RFC 6238) code at the POSIX time ``at``."""
        return totp_code(self.totp_secret, int(at // 30))


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

    @checked_arguments("broker.configure")
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
            self.require_fields = field_paths("require_fields", require_fields)
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
                steps[name] = field_paths(f"extra_steps[{name!r}]", fields)
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

    def check_registration(self, form: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
        """Add to ``errors`` what the sign-up form's first page gets wrong."""
        for name in ("email", "password", "password_confirmation", "device_fingerprint"):
            if is_blank(form.get(name)):
                errors[name] = [BLANK]
        email: Any = form.get("email")
        if "email" not in errors and not is_email(email):
            errors["email"] = [BAD_EMAIL]
        elif "email" not in errors and email.casefold() in self.accounts:
            errors["email"] = [EMAIL_TAKEN]
        password, confirmation = form.get("password"), form.get("password_confirmation")
        if not is_blank(password) and not is_blank(confirmation) and password != confirmation:
            errors["password_confirmation"] = [MISMATCH]
        self.check_device(form, errors)

    def check_device(self, form: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
        """Add to ``errors`` what the device fingerprint and reCAPTCHA of a form get wrong."""
        fingerprint = form.get("device_fingerprint")
        strict = self.strict_fingerprint and "device_fingerprint" not in errors
        if strict and not is_fingerprint(fingerprint):
            errors["device_fingerprint"] = [BAD_FINGERPRINT]
        if self.recaptcha:
            response = form.get("recaptchaResponse")
            if is_blank(response):
                errors["recaptchaResponse"] = [BLANK]
            elif not hmac.compare_digest(str(response), self.recaptcha_response):
                errors["recaptchaResponse"] = [BAD_RECAPTCHA]

    def check_lockout(self, key: str, now: float, uuid: str) -> None:
        """Refuse a sign-in of the email ``key`` (casefolded) while it is locked out."""
        until = self.locked_until.get(key, 0.0)
        if now < until:
            raise LockedOut(uuid=uuid, until=until, retry_after=math.ceil(until - now))

    def record_failure(self, key: str, now: float) -> None:
        """Count a failed sign-in of ``key``; the last one allowed in the window locks it out."""
        recent = [t for t in self.failures.get(key, []) if now - t < LOCKOUT_WINDOW]
        recent.append(now)
        self.failures[key] = recent
        if len(recent) >= LOCKOUT_ATTEMPTS:
            self.locked_until[key] = now + LOCKOUT_DURATION
            del self.failures[key]


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


def totp_code(secret: str, counter: int) -> str:
    """The RFC 6238 code of the base32 ``secret`` at the time step ``counter``."""
    mac = hmac.new(base64.b32decode(secret), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


class B2CoreSnapshot(NamedTuple):
    """A B2Core state's records at one moment (:meth:`B2CoreState.snapshot`), never written
    again: the accounts shared, the brokers' settings and the wizards (few) as copies."""

    brokers: tuple[B2CoreBroker, ...]
    accounts: Mapping[str, B2CoreAccount]
    sms_codes: Mapping[str, str]
    wizards: tuple[WizardSession, ...]
    tokens: TokenStoreSnapshot
    key: bytes | None
    next_wizard_sweep: int
