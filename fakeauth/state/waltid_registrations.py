"""walt.id's Super Admin registration tokens as ``fake.explain`` sees them.

A registration token is a line of ``superadmin-registration.conf``: any text, with the email and
password of the Super Admin it activates and an expiry. ``POST /v1/superadmin/create-by-token``
refuses an unknown or expired one (401) and one whose Super Admin exists already (409), so a
token that activated its Super Admin reads ``rotated`` (used) while that account exists.
Since a registration token may be any text, its shape tells nothing: a token no line holds is an
``unknown`` registration token only where one was expected (``kind="registration"``) or where
the fake forgot it at a reset (:attr:`~fakeauth.findings.Finding.any_text`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from fakeauth.findings import Finding, HeldIds, Verdict, credential_key
from fakeauth.passwords import PasswordHash
from fakeauth.state.tables import Tables
from fakeauth.state.waltid_accounts import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_PASSWORD,
    DEFAULT_SUPERADMIN_TOKEN,
    DEFAULT_TOKEN_EXPIRATION,
    RegistrationTokenInvalid,
    WaltidAccount,
)

__all__ = ["REGISTRATION", "WaltidRegistrations", "held_registrations", "registration_finding"]

#: The kind ``fake.explain`` gives a registration token (``create-by-token`` expects it).
REGISTRATION = "registration"
_LABEL = "walt.id registration token"
_PREFIX = "registration:"
#: A line of ``superadmin-registration.conf``: email, password (or its hash), expires at.
Registration = tuple[str, str | PasswordHash, float]


def registration_finding(
    token: str,
    registration: Registration | None,
    *,
    superadmin: WaltidAccount | None,
    activated_by: str | None,
    now: float,
) -> Finding | None:
    """The finding on ``token`` as a registration token: ``registration`` is its line (``None``:
    no line holds it), ``superadmin`` the account its email names if that is the Super Admin,
    ``activated_by`` the operation that activated it, if this run knows; ``None`` for what can
    be no registration token (empty, or holding white space or control characters)."""
    if not token or not token.isprintable() or any(ch.isspace() for ch in token):
        return None
    key = credential_key("waltid", _PREFIX + _digest(token))
    if registration is None:
        return Finding("unknown", "waltid", _LABEL, REGISTRATION, key, any_text=True)
    email, _, expires_at = registration
    verdict: Verdict = "live"
    used, note = None, ""
    if now >= expires_at:  # create-by-token checks the expiry before the Super Admin
        verdict = "expired"
    elif superadmin is not None:
        verdict, used = "rotated", superadmin
        note = (
            "a registration token activates its Super Admin only while no such account "
            f"exists, and {email} does"
        )
    return Finding(
        verdict=verdict,
        vendor="waltid",
        label=_LABEL,
        kind=REGISTRATION,
        key=key,
        account=None if used is None else used.id,
        expires_at=expires_at,
        revoked_by=None if used is None else activated_by,
        revoked_at=None if used is None else used.created_at.timestamp(),
        note=note,
    )


def held_registrations(registrations: Mapping[str, object]) -> HeldIds:
    """The registration tokens a state holds, for :class:`~fakeauth.findings.Forgotten`: their
    digests, taken now (a few lines), so no token outlives the reset that forgets it."""
    return HeldIds("waltid", dict.fromkeys(map(_digest, registrations), True), _PREFIX)


def _digest(token: str) -> str:
    # the id a registration token is known by: never the token itself (it is the secret)
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class WaltidRegistrations(Tables):
    """The lines of ``superadmin-registration.conf`` of one walt.id state (copy-on-write, under
    the state's lock), and which operation activated each Super Admin."""

    NAMES = ("registrations",)

    def __init__(self) -> None:
        super().__init__()
        #: token -> (email, password, expires at): the password as written there, or its hash
        #: once the line came through an export
        self.registrations: dict[str, Registration] = {
            DEFAULT_SUPERADMIN_TOKEN: (
                DEFAULT_SUPERADMIN_EMAIL,
                DEFAULT_SUPERADMIN_PASSWORD,
                DEFAULT_TOKEN_EXPIRATION,
            )
        }
        #: Super Admin account id -> the operation that activated it (for fake.explain); not in
        #: a snapshot: account ids are never issued twice, so an entry is true while it is held
        self.activated_by: dict[str, str] = {}

    def add(self, token: str, email: str, password: str, expires_at: float) -> None:
        """Add a line: ``token`` activates ``email`` with ``password`` until ``expires_at``."""
        self.own("registrations")[token] = (email, password, expires_at)

    def line(self, token: str, now: float) -> Registration:
        """The line of ``token``; raises :class:`RegistrationTokenInvalid` when there is none
        or it expired."""
        if token not in self.registrations:
            raise RegistrationTokenInvalid("Invalid superadmin registration token.")
        line = self.registrations[token]
        if now >= line[2]:
            raise RegistrationTokenInvalid("The superadmin registration token has expired.")
        return line

    def activated(self, account_id: str, by: str) -> None:
        """Note that operation ``by`` activated the Super Admin ``account_id``."""
        self.activated_by[account_id] = by

    def keep_activated(self, accounts: Mapping[str, object]) -> None:
        """Forget who activated the accounts that ``accounts`` no longer holds (a restore)."""
        self.activated_by = {a: by for a, by in self.activated_by.items() if a in accounts}

    def explain(
        self, token: str, by_email: Mapping[str, WaltidAccount], now: float
    ) -> Finding | None:
        """The finding on ``token`` as a registration token (see :func:`registration_finding`);
        ``by_email`` is the state's index of accounts by lowercase email."""
        registration = self.registrations.get(token)
        admin = None if registration is None else by_email.get(registration[0].lower())
        admin = admin if admin is not None and admin.superadmin else None
        by = None if admin is None else self.activated_by.get(admin.id)
        return registration_finding(token, registration, superadmin=admin, activated_by=by, now=now)
