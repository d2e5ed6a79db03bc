"""The behaviour checks, per vendor: the main flows, each a few requests as the vendors document.

Every check runs on an account: ``${email}`` and ``${password}`` (and Ovok's ``${tenant}`` and
``${client}``, B2Core's ``${fingerprint}``). When the environment names none, the vendor's setup
check registers one through the vendor's public registration API, with an email that starts with
:data:`ACCOUNT_PREFIX`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from fakeauth.verify.model import Check, Step, Vendor

__all__ = [
    "ACCOUNT_EXTRAS",
    "ACCOUNT_PREFIX",
    "CHECKS",
    "DEFAULT_FINGERPRINT",
    "account_seed",
    "checks",
]

#: Every account a run creates has an email that starts so (``fakeauth-verify-1a2b3c4d@...``).
ACCOUNT_PREFIX = "fakeauth-verify-"
_DOCS_TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"  # the documentation's tenant and client
#: The device fingerprint sent when none is given: base64 of a JSON object with ``user_agent``.
DEFAULT_FINGERPRINT = base64.b64encode(b'{"user_agent":"fakeauth-verify"}').decode()
#: Per vendor, what its checks' account holds besides ``email`` and ``password``, with the
#: defaults (``FAKEAUTH_VERIFY_<VENDOR>_<NAME>`` gives another value); a vendor not named: none.
ACCOUNT_EXTRAS: Mapping[Vendor, Mapping[str, str]] = MappingProxyType(
    {
        "ovok": MappingProxyType({"tenant": _DOCS_TENANT, "client": _DOCS_TENANT}),
        "b2core": MappingProxyType({"fingerprint": DEFAULT_FINGERPRINT}),
    }
)
#: The seed document of an account a run is given: each list of the vendor's record
#: (``Vendor.seed_lists``) and its items, ``${name}`` filled from the account.
_ACCOUNT = {"accounts": ({"email": "${email}", "password": "${password}"},)}
_ACCOUNT_SEEDS: Mapping[Vendor, Mapping[str, tuple[Mapping[str, Any], ...]]] = MappingProxyType(
    {
        "ovok": {
            "tenants": ({"id": "${tenant}"},),
            "clients": ({"id": "${client}", "tenant_id": "${tenant}"},),
            "accounts": (
                {"email": "${email}", "password": "${password}", "tenant_id": "${tenant}"},
            ),
        },
    }
)


def account_seed(vendor: Vendor) -> Mapping[str, tuple[Mapping[str, Any], ...]]:
    """The seed lists that give a fake the account a run of ``vendor``'s checks is given (and
    what it belongs to: Ovok's tenant and client), with ``${email}``, ``${password}`` and the
    extras as placeholders; a vendor not named here: its ``accounts`` list alone."""
    return _ACCOUNT_SEEDS.get(vendor, _ACCOUNT)


_NEST = ("statusCode", "message", "error")  # NestJS's error body, compared whole

# -- Ovok B2B auth --------------------------------------------------------------------------------

_OVOK_LOGIN = Step(
    method="POST",
    path="/auth/b2b/login",
    json={
        "email": "${email}",
        "password": "${password}",
        "tenantId": "${tenant}",
        "clientId": "${client}",
    },
    capture={"token": "accessToken", "refresh": "refreshToken"},
)
_OVOK_ME = Step(method="GET", path="/auth/me", bearer="token", compare=_NEST)
_OVOK_LOGOUT = Step(method="POST", path="/v1/auth/logout", bearer="token", compare=_NEST)

_OVOK: tuple[Check, ...] = (
    Check(
        id="ovok.register",
        vendor="ovok",
        declared="ovok.register.verification-email",
        title="register the run's account",
        setup=True,
        steps=(
            Step(
                method="POST",
                path="/auth/b2b/register",
                json={
                    "email": "${email}",
                    "password": "${password}",
                    "name": "Fakeauth",
                    "surname": "Verify",
                    "tenantId": "${tenant}",
                    "clientId": "${client}",
                },
                compare=("expiresIn", "project.display"),
            ),
        ),
    ),
    Check(id="ovok.login", vendor="ovok", title="log in", steps=(_OVOK_LOGIN,)),
    Check(
        id="ovok.login.wrong-password",
        vendor="ovok",
        title="log in with a wrong password",
        declared="ovok.login.bad-credentials",
        steps=(
            Step(
                method="POST",
                path="/auth/b2b/login",
                json={
                    "email": "${email}",
                    "password": "${password}-wrong",
                    "tenantId": "${tenant}",
                    "clientId": "${client}",
                },
                compare=_NEST,
            ),
        ),
    ),
    Check(
        id="ovok.login.bad-body",
        vendor="ovok",
        title="log in with an email that is not one",
        declared="ovok.fields.invalid",
        steps=(
            Step(
                method="POST",
                path="/auth/b2b/login",
                json={
                    "email": "not-an-email",
                    "password": "${password}",
                    "tenantId": "${tenant}",
                    "clientId": "${client}",
                },
                compare=_NEST,
            ),
        ),
    ),
    Check(
        id="ovok.refresh",
        vendor="ovok",
        title="refresh the tokens (snake_case body and reply)",
        declared="ovok.refresh.rotation",
        steps=(
            _OVOK_LOGIN,
            Step(
                method="POST",
                path="/auth/refresh-token",
                json={"refresh_token": "${refresh}"},
                compare=("token_type", "expires_in"),
            ),
        ),
    ),
    Check(
        id="ovok.me",
        vendor="ovok",
        title="read the account with the access token",
        declared="ovok.me.values",
        steps=(_OVOK_LOGIN, _OVOK_ME),
    ),
    Check(
        id="ovok.logout",
        vendor="ovok",
        title="log out, then the token is refused",
        declared="ovok.bearer.refused",
        steps=(_OVOK_LOGIN, _OVOK_LOGOUT, _OVOK_ME),
    ),
    Check(
        id="ovok.logout.repeat",
        vendor="ovok",
        title="log out twice with one token",
        declared="ovok.logout.repeat",
        steps=(_OVOK_LOGIN, _OVOK_LOGOUT, _OVOK_LOGOUT),
    ),
)

# -- B2Core front office ----------------------------------------------------------------------

_ENVELOPE = ("code", "done", "workflow")
_B2CORE_WIZARD = Step(
    method="GET", path="/api/v2/my/signin/wizard", capture={"uuid": "uuid"}, compare=_ENVELOPE
)
_B2CORE_SIGNIN = Step(
    method="POST",
    path="/api/v2/my/signin",
    json={
        "uuid": "${uuid}",
        "email": "${email}",
        "password": "${password}",
        "device_fingerprint": "${fingerprint}",
    },
    capture={"token": "data.accessToken.token", "refresh": "data.refreshToken.token"},
    compare=_ENVELOPE,
)
_B2CORE_PROTECTED = Step(method="GET", path="/api/v2/my/2fa", bearer="token", compare=("message",))

_B2CORE: tuple[Check, ...] = (
    Check(
        id="b2core.signup",
        vendor="b2core",
        declared="b2core.signup-wizard.fields",
        title="sign up the run's account through the wizard",
        setup=True,
        steps=(
            Step(
                method="POST",
                path="/api/v2/my/signup/wizard",
                json={"url": "${origin}/register/{registration}/{code}"},
                capture={"uuid": "uuid"},
                compare=_ENVELOPE,
            ),
            Step(
                method="POST",
                path="/api/v2/my/signup",
                json={
                    "uuid": "${uuid}",
                    "email": "${email}",
                    "password": "${password}",
                    "password_confirmation": "${password}",
                    "device_fingerprint": "${fingerprint}",
                    "info": {"familyName": "Verify", "givenName": "Fakeauth"},
                },
                compare=_ENVELOPE,
            ),
        ),
    ),
    Check(
        id="b2core.signin",
        vendor="b2core",
        declared="b2core.signin.final",
        title="sign in through the wizard",
        steps=(_B2CORE_WIZARD, _B2CORE_SIGNIN),
    ),
    Check(
        id="b2core.signin.wrong-password",
        vendor="b2core",
        declared="b2core.signin.bad-credentials",
        title="sign in with a wrong password",
        steps=(
            _B2CORE_WIZARD,
            Step(
                method="POST",
                path="/api/v2/my/signin",
                json={
                    "uuid": "${uuid}",
                    "email": "${email}",
                    "password": "${password}-wrong",
                    "device_fingerprint": "${fingerprint}",
                },
                compare=(*_ENVELOPE, "data.message"),
            ),
        ),
    ),
    Check(
        id="b2core.refresh",
        vendor="b2core",
        declared="b2core.refresh",
        title="refresh the tokens",
        steps=(
            _B2CORE_WIZARD,
            _B2CORE_SIGNIN,
            Step(
                method="POST",
                path="/api/v2/my/refresh",
                json={"refreshToken": "${refresh}"},
                compare=_ENVELOPE,
            ),
        ),
    ),
    Check(
        id="b2core.signout",
        vendor="b2core",
        declared="b2core.signout",
        title="sign out, then the token is refused",
        steps=(
            _B2CORE_WIZARD,
            _B2CORE_SIGNIN,
            _B2CORE_PROTECTED,
            Step(method="POST", path="/api/v2/my/signout", bearer="token", compare=_ENVELOPE),
            _B2CORE_PROTECTED,
        ),
    ),
)

# -- walt.id Enterprise ------------------------------------------------------------------------

_WALTID_ERROR = ("exception", "id", "status", "code", "message")
_WALTID_LOGIN = Step(
    method="POST",
    path="/auth/account/emailpass",
    json={"email": "${email}", "password": "${password}"},
    capture={"token": "token"},
    compare=("status",),
)
_WALTID_PROTECTED = Step(method="GET", path="/v1/admin/accounts", bearer="token", compare_text=True)

_WALTID: tuple[Check, ...] = (
    Check(
        id="waltid.register",
        vendor="waltid",
        declared="waltid.register.request",
        title="register the run's account (public route)",
        setup=True,
        steps=(
            Step(
                method="POST",
                path="/v1/account/register",
                json={
                    "profile": {"name": "Fakeauth Verify", "email": "${email}"},
                    "preferences": {"timeZone": "UTC", "languagePreference": "EN"},
                    "initialAuth": {
                        "type": "email",
                        "identifier": {"type": "email", "email": "${email}"},
                        "data": {"type": "email", "password": "${password}"},
                    },
                },
                compare=("type", "flags"),
            ),
        ),
    ),
    Check(
        id="waltid.login",
        vendor="waltid",
        title="log in (emailpass)",
        declared="waltid.login.reply",
        steps=(_WALTID_LOGIN,),
    ),
    Check(
        id="waltid.login.wrong-password",
        vendor="waltid",
        title="log in with a wrong password",
        steps=(
            Step(
                method="POST",
                path="/auth/account/emailpass",
                json={"email": "${email}", "password": "${password}-wrong"},
                compare=_WALTID_ERROR,
            ),
        ),
    ),
    Check(
        id="waltid.logout",
        vendor="waltid",
        declared="waltid.logout",
        title="log out, then the token is refused",
        steps=(
            _WALTID_LOGIN,
            Step(method="POST", path="/auth/logout", bearer="token", compare_text=True),
            _WALTID_PROTECTED,
        ),
    ),
    Check(
        id="waltid.logout.no-session",
        vendor="waltid",
        title="log out without a token",
        declared="waltid.logout",
        steps=(Step(method="POST", path="/auth/logout", compare_text=True),),
    ),
    Check(
        id="waltid.bearer.missing",
        vendor="waltid",
        declared="waltid.token.refused",
        title="a protected route without a token",
        steps=(Step(method="GET", path="/v1/admin/accounts", compare_text=True),),
    ),
)

#: Every check, in the order the report lists them (each vendor's setup check first).
CHECKS: tuple[Check, ...] = (*_OVOK, *_B2CORE, *_WALTID)


def checks(vendor: Vendor | None = None, *, setup: bool = True) -> tuple[Check, ...]:
    """The checks about ``vendor`` (``None``: every vendor), for ``pytest.mark.parametrize``.

    ``setup=False`` leaves out the checks that create the run's account (a
    :class:`~fakeauth.verify.runner.Runner` runs them itself, once per vendor, before the first
    check that needs the account).
    """
    return tuple(
        check
        for check in CHECKS
        if (vendor is None or check.vendor == vendor) and (setup or not check.setup)
    )
