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
from fakeauth.state.waltid_accounts import WaltidAccount

__all__ = ["REGISTRATION", "held_registrations", "registration_finding"]

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
