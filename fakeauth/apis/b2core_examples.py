"""The examples of B2Core's operations: the wizards step by step, and every refusal.

Built from the fields of :mod:`fakeauth.apis.b2core_models` and B2Core's registration and
authentication pages: the sign-up wizard and sign-up requests are the registration page's own (its
person, password, fingerprint and wizard uuid); the other uuids and the tokens are fakeauth's own.
A wizard's ``uuid`` is carried from the reply that opens it to every later step. Each operation's
route in :mod:`fakeauth.apis.b2core` carries its examples; the route pages, the OpenAPI documents
and ``tests/test_route_examples.py`` read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fakeauth.apis.docs import Example

__all__ = [
    "REFRESH",
    "SIGNIN",
    "SIGNIN_WIZARD",
    "SIGNIN_WIZARD_POST",
    "SIGNOUT",
    "SIGNUP",
    "SIGNUP_WIZARD",
    "TWO_FACTOR_GOOGLE",
    "TWO_FACTOR_SETTINGS",
    "TWO_FACTOR_SMS",
]

#: The registration page's wizard uuid.
_SIGNUP_UUID = "36f59381-5b54-48bd-a0c7-3b908c476732"
_SIGNIN_UUID = "a1e4c7b2-9d3f-4a6e-8b5c-2f7d0e9a1c34"
#: The registration page's fingerprint, person and password.
_FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
_EMAIL, _PASSWORD = "foo@bar.com", "Secret123"
_ACCOUNT = {"b2core": {"accounts": [{"email": _EMAIL, "password": _PASSWORD}]}}
_GOOGLE_EMAIL, _SMS_EMAIL = "totp.user@example.com", "sms.user@example.com"
_ACCESS = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiMmNvcmUtYWNjZXNzIn0.c2lnbmVkLWFjY2Vzcy10b2tlbg"
_REFRESH = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiMmNvcmUtcmVmcmVzaCJ9.c2lnbmVkLXJlZnJlc2gtdG9rZW4"
_NEW_ACCESS = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJuZXctYWNjZXNzIn0.bmV3LWFjY2Vzcy1zaWduYXR1cmU"
_NEW_REFRESH = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJuZXctcmVmcmVzaCJ9.bmV3LXJlZnJlc2gtc2lnbmF0dXJl"
_CODE = "123456"
_SIGNUP_WIZARD = ("b2core.signup_wizard", "ok")
_SIGNIN_WIZARD = ("b2core.signin_wizard", "ok")
_SIGNED_IN = ("b2core.signin", "ok")
_BEARER = {"Authorization": f"Bearer {_ACCESS}"}


def _token(token: str, created: str, expires: str) -> dict[str, str]:
    return {"token": token, "createdAt": created, "expiresAt": expires}


def _pair(access: str, refresh: str) -> dict[str, Any]:
    return {
        "accessToken": _token(access, "2026-12-06T10:00:00+00:00", "2026-12-06T10:20:00+00:00"),
        "refreshToken": _token(refresh, "2026-12-06T10:00:00+00:00", "2027-01-05T10:00:00+00:00"),
    }


def _envelope(code: int, data: Any, done: bool, uuid: str | None, workflow: str | None) -> Any:
    return {"code": code, "data": data, "done": done, "uuid": uuid, "workflow": workflow}


def _refused(errors: Mapping[str, list[str]], uuid: str | None, workflow: str) -> Any:
    return _envelope(400, {"errors": dict(errors)}, False, uuid, workflow)


_BLANK = ["This value should not be blank."]
_UNAUTHORIZED = {"message": "Unauthorized"}

SIGNUP_WIZARD = {
    "ok": Example(
        "A new sign-up wizard: its uuid and its first page's extra fields (none by default)",
        200,
        _envelope(202, {"fields": {}}, True, _SIGNUP_UUID, "basic_register_form"),
        body={
            "url": "https://host.name/register/{registration}/{code}",
            "utm": {"referral": "29734fc149dc93809d18f49ae970810a"},
        },
    ),
    "bad_utm": Example(
        "A `utm` that is not an object",
        400,
        _refused({"utm": ["This value should be of type object."]}, None, "basic_register_form"),
        body={"utm": "29734fc149dc93809d18f49ae970810a"},
    ),
}

_SIGNUP_BODY = {
    "uuid": _SIGNUP_UUID,
    "email": _EMAIL,
    "password": _PASSWORD,
    "password_confirmation": _PASSWORD,
    "device_fingerprint": _FINGERPRINT,
    "addresses": {"0": {"country_code": "16"}},
    "info": {"givenName": "John", "familyName": "Brown"},
}

SIGNUP = {
    "ok": Example(
        "The last page: the new account's tokens (`code` 202)",
        200,
        _envelope(202, _pair(_ACCESS, _REFRESH), True, _SIGNUP_UUID, "login"),
        body=_SIGNUP_BODY,
        after=(_SIGNUP_WIZARD,),
        sequence="Sign-up, step by step",
    ),
    "mismatch": Example(
        "The confirmation differs from the password",
        400,
        _refused(
            {"password_confirmation": ["The password confirmation does not match."]},
            _SIGNUP_UUID,
            "basic_register_form",
        ),
        body={**_SIGNUP_BODY, "password_confirmation": "Secret1234"},
        after=(_SIGNUP_WIZARD,),
    ),
}

_SIGNIN_WIZARD_REPLY = _envelope(
    202,
    {
        "recaptcha": {"enabled": False},
        "is_qr_available": False,
        "is_password_recovery_available": True,
    },
    True,
    _SIGNIN_UUID,
    "login",
)

SIGNIN_WIZARD = {
    "ok": Example("A new sign-in wizard: its uuid", 200, _SIGNIN_WIZARD_REPLY),
}

SIGNIN_WIZARD_POST = {
    "ok": Example("A new sign-in wizard: its uuid", 200, _SIGNIN_WIZARD_REPLY, body={}),
    "not_json": Example(
        "A body that is not JSON",
        400,
        _refused({"body": ["The request body is not valid JSON."]}, None, "login"),
        body='{"utm": ',
    ),
}

_SIGNIN_BODY = {
    "uuid": _SIGNIN_UUID,
    "email": _EMAIL,
    "password": _PASSWORD,
    "device_fingerprint": _FINGERPRINT,
}


def _two_factor_step(email: str, provider: str) -> Example:
    return Example(
        f"An account with {provider} 2FA: the code step (`code` 200, no tokens yet)",
        200,
        _envelope(
            200,
            {"accessToken": None, "refreshToken": None, "tfaProviders": [provider]},
            False,
            _SIGNIN_UUID,
            f"2fa_{provider}_auth",
        ),
        body={**_SIGNIN_BODY, "email": email},
        seed={
            "b2core": {
                "accounts": [
                    {
                        **_ACCOUNT["b2core"]["accounts"][0],
                        "email": email,
                        "two_factor": provider,
                        "phone": "+4915112345678",
                    }
                ]
            }
        },
        after=(_SIGNIN_WIZARD,),
    )


_WRONG = {"message": "Invalid email or password."}

SIGNIN = {
    "ok": Example(
        "A seeded account signs in: its tokens (`code` 202)",
        200,
        _envelope(
            202, {**_pair(_ACCESS, _REFRESH), "tfaProviders": []}, True, _SIGNIN_UUID, "terminate"
        ),
        body=_SIGNIN_BODY,
        seed=_ACCOUNT,
        after=(_SIGNIN_WIZARD,),
        sequence="Sign-in, step by step",
    ),
    "google": _two_factor_step(_GOOGLE_EMAIL, "google"),
    "sms": _two_factor_step(_SMS_EMAIL, "sms"),
    "wrong_password": Example(
        "A wrong password (an unknown email answers the same)",
        400,
        _envelope(400, _WRONG, False, _SIGNIN_UUID, "login"),
        body={**_SIGNIN_BODY, "password": "not-the-password"},
        seed=_ACCOUNT,
        after=(_SIGNIN_WIZARD,),
    ),
    "locked_out": Example(
        "The sixth wrong password within a minute: the email is locked out for 10 minutes",
        429,
        _envelope(
            429,
            {"message": "Too many failed sign-in attempts. Try again later."},
            False,
            _SIGNIN_UUID,
            "login",
        ),
        body={**_SIGNIN_BODY, "password": "not-the-password"},
        seed=_ACCOUNT,
        after=(_SIGNIN_WIZARD,),
        times=6,
    ),
}


def _code_of(email: str) -> Any:
    def values(fake: Any) -> Mapping[str, str]:
        return {_CODE: fake.b2core.two_factor_code(email)}

    return values


def _two_factor(provider: str, email: str, where: str) -> dict[str, Example]:
    step = ("b2core.signin", provider)
    return {
        "ok": Example(
            "The code completes the sign-in: the tokens (`code` 202)",
            200,
            _envelope(
                202,
                {**_pair(_ACCESS, _REFRESH), "tfaProviders": []},
                True,
                _SIGNIN_UUID,
                "terminate",
            ),
            body={"uuid": _SIGNIN_UUID, "code": _CODE},
            after=(step,),
            values=_code_of(email),
            note=f"`{_CODE}` stands for {where} (in a test: "
            f'`fake.b2core.two_factor_code("{email}")`).',
            sequence=f"Sign-in with {provider} 2FA, step by step",
        ),
        "blank": Example(
            "No code",
            400,
            _refused({"code": _BLANK}, _SIGNIN_UUID, f"2fa_{provider}_auth"),
            body={"uuid": _SIGNIN_UUID, "code": ""},
            after=(step,),
        ),
    }


TWO_FACTOR_GOOGLE = _two_factor("google", _GOOGLE_EMAIL, "the authenticator app's current code")
TWO_FACTOR_SMS = _two_factor("sms", _SMS_EMAIL, "the code the SMS brought")

REFRESH = {
    "ok": Example(
        "The refresh token of a sign-in swapped for a new pair (in `data` and at the top level)",
        200,
        {
            **_envelope(202, _pair(_NEW_ACCESS, _NEW_REFRESH), True, _SIGNIN_UUID, "refresh"),
            **_pair(_NEW_ACCESS, _NEW_REFRESH),
        },
        body={"refreshToken": _REFRESH},
        after=(_SIGNED_IN,),
    ),
    "missing": Example(
        "No refresh token",
        400,
        _refused({"refreshToken": _BLANK}, None, "refresh"),
        body={},
    ),
    "forged": Example(
        "A refresh token the broker did not issue",
        401,
        _UNAUTHORIZED,
        body={"refreshToken": "not-a-refresh-token"},
    ),
}

SIGNOUT = {
    "ok": Example(
        "The bearer's session ends: its access and refresh tokens are revoked",
        200,
        _envelope(202, {}, True, _SIGNIN_UUID, "signout"),
        headers=_BEARER,
        after=(_SIGNED_IN,),
    ),
    "no_token": Example("No bearer token", 401, _UNAUTHORIZED),
}

TWO_FACTOR_SETTINGS = {
    "ok": Example(
        "The 2FA methods of the bearer's account",
        200,
        {"google": {"enabled": False}, "sms": {"enabled": False}},
        headers=_BEARER,
        after=(_SIGNED_IN,),
    ),
    "no_token": Example("No bearer token", 401, _UNAUTHORIZED),
}
