"""The parts every example of walt.id's operations is built of: the quickstart's registration token
and Super Admin (the defaults of a fresh fake), fakeauth's own people, ids and tokens, the steps
that log them in, and the refusals many operations share (walt.id commons' error body, no token,
a token without the role, a feature switched off).

The examples themselves are :mod:`fakeauth.apis.waltid_examples` (the account operations) and
:mod:`fakeauth.apis.waltid_admin_examples` (the set-up and the instance's operations).
"""

from __future__ import annotations

from typing import Any

from fakeauth.apis.docs import TEXT, Example, Step

__all__ = [
    "ACCOUNT",
    "ACTIVATE",
    "EMAIL",
    "NEW_ACCOUNT",
    "NEW_EMAIL",
    "NEW_ID",
    "NO_CREDENTIALS",
    "ORGANIZATION",
    "PASSWORD",
    "ROLE",
    "SA_BEARER",
    "SA_ID",
    "SA_LOGIN",
    "SA_TOKEN",
    "SUPERADMIN",
    "SUPERADMIN_ACCOUNT",
    "TOKEN",
    "USER_BEARER",
    "USER_ID",
    "USER_LOGIN",
    "USER_TOKEN",
    "account_body",
    "error_body",
    "feature_off",
    "forbidden",
    "user_id_value",
]

TOKEN = "1234567890-my-token"
SUPERADMIN = {"email": "superadmin@walt.id", "password": "super123456"}
EMAIL, PASSWORD = "alan.turing@example.org", "Bombe-Enigma-1940"
ACCOUNT = {"waltid": {"accounts": [{"email": EMAIL, "password": PASSWORD, "name": "Alan Turing"}]}}
SA_TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJzdXBlcmFkbWluIn0.c3VwZXJhZG1pbi1zaWduYXR1cmU"
USER_TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGFuLnR1cmluZyJ9.YWxhbi10dXJpbmctc2lnbmF0dXJl"
SA_ID = "0f3c9a1e-7b2d-4c8e-9a6f-1d2e3f4a5b6c"
NEW_ID = "7e2a4c6b-1d3f-4a5e-8b7c-9d0e1f2a3b4c"
USER_ID = "3b5d7f9a-2c4e-4b6d-8f0a-1c3e5a7b9d2f"
ACTIVATE: Step = ("waltid.superadmin_create_by_token", "ok")
SA_LOGIN: Step = ("waltid.emailpass_login", "superadmin")
USER_LOGIN: Step = ("waltid.emailpass_login", "ok")
SA_BEARER = {"Authorization": f"Bearer {SA_TOKEN}"}
USER_BEARER = {"Authorization": f"Bearer {USER_TOKEN}"}
ORGANIZATION = "acme"
ROLE = f"{ORGANIZATION}.admin"


def error_body(status: int, reason: str, exception: str, message: str, **details: Any) -> Any:
    """walt.id commons' error body."""
    body: dict[str, Any] = {
        "exception": True,
        "id": exception,
        "status": reason,
        "code": str(status),
        "message": message,
    }
    if details:
        body["details"] = details
    return body


def account_body(account_id: str, name: str, email: str, roles: dict[str, list[str]]) -> Any:
    return {
        "_id": account_id,
        "type": "USER",
        "profile": {
            "name": name,
            "email": email,
            "addressCountry": "AT",
            "address": "Liechtensteinstraße 111/115, 1090 Vienna",
        },
        "accountPreferences": {"timeZone": "UTC", "languagePreference": "EN"},
        "flags": [],
        "roles": roles,
    }


#: The person walt.id's create-account page registers.
NEW_EMAIL = "max.mustermann@example.org"
NEW_ACCOUNT = account_body(NEW_ID, "Max Mustermann", NEW_EMAIL, {})
NO_CREDENTIALS = Example("No token", 401, "Unauthorized (NoCredentials)", reply_media=TEXT)


def user_id_value(fake: Any) -> dict[str, str]:
    return {USER_ID: fake.waltid.get_account(EMAIL).id}


def forbidden(**request: Any) -> Example:
    return Example(
        "The token of an account without the role",
        403,
        error_body(
            403,
            "Forbidden",
            "ForbiddenException",
            f"Account {USER_ID} is not allowed to perform this operation.",
        ),
        headers=USER_BEARER,
        after=(USER_LOGIN,),
        values=user_id_value,
        note=f"`{USER_ID}` stands for the id of the account that logged in.",
        **request,
    )


def feature_off(feature: str, **request: Any) -> Example:
    return Example(
        f"`{feature}` switched off: Ktor's 404, an empty body",
        404,
        seed={"features": {feature: False}},
        **request,
    )


SUPERADMIN_ACCOUNT = {
    "_id": SA_ID,
    "type": "USER",
    "profile": {"name": "Super Admin", "email": SUPERADMIN["email"]},
    "accountPreferences": {"timeZone": "UTC", "languagePreference": "EN"},
    "flags": [],
    "roles": {},
}
