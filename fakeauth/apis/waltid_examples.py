"""The examples of walt.id's operations: the account operations here (register, by an admin or by
oneself; log in and out; list the accounts), the set-up walt.id's quickstart runs and the
instance's operations in :mod:`fakeauth.apis.waltid_admin_examples` (importable from here too),
each with every refusal.

Built from the fields of :mod:`fakeauth.apis.waltid_models` and walt.id's create-account page (both
registrations send that page's own request, Max Mustermann's), with the quickstart's registration
token and Super Admin (the defaults of a fresh fake) and fakeauth's own other people and ids
(:mod:`fakeauth.apis.waltid_example_parts`). A token or account id a reply shows is carried into
the later requests that use it. Each operation's route in :mod:`fakeauth.apis.waltid` carries its
examples; the route pages, the OpenAPI documents and ``tests/test_route_examples.py`` read them
there.
"""

from __future__ import annotations

import json
from typing import Any

from fakeauth.apis.docs import TEXT, Example
from fakeauth.apis.waltid_admin_examples import (
    CREATE_BY_TOKEN,
    DATABASE_RECREATE,
    FEATURES_REGISTERED,
    FEATURES_STATE,
    INITIAL_SETUP,
    ORGANIZATIONS_CREATE,
    ROLES_ADD,
)
from fakeauth.apis.waltid_example_parts import (
    ACCOUNT,
    ACTIVATE,
    EMAIL,
    NEW_ACCOUNT,
    NEW_EMAIL,
    NO_CREDENTIALS,
    PASSWORD,
    SA_BEARER,
    SA_LOGIN,
    SA_TOKEN,
    SUPERADMIN,
    SUPERADMIN_ACCOUNT,
    USER_BEARER,
    USER_ID,
    USER_LOGIN,
    USER_TOKEN,
    account_body,
    error_body,
    feature_off,
    forbidden,
)

__all__ = [
    "ACCOUNTS_LIST",
    "ACCOUNT_REGISTER",
    "ADMIN_ACCOUNT_REGISTER",
    "CREATE_BY_TOKEN",
    "DATABASE_RECREATE",
    "EMAILPASS_LOGIN",
    "FEATURES_REGISTERED",
    "FEATURES_STATE",
    "INITIAL_SETUP",
    "LOGOUT",
    "ORGANIZATIONS_CREATE",
    "ROLES_ADD",
]

_REGISTER_BODY = {
    "profile": {
        "name": "Max Mustermann",
        "email": NEW_EMAIL,
        "addressCountry": "AT",
        "address": "Liechtensteinstraße 111/115, 1090 Vienna",
    },
    "preferences": {"timeZone": "UTC", "languagePreference": "EN"},
    "initialAuth": {
        "type": "email",
        "identifier": {"type": "email", "email": NEW_EMAIL},
        "data": {"type": "email", "password": "password123456"},
    },
}
_UNKNOWN_FIELD = error_body(
    400,
    "Bad Request",
    "BadRequestException",
    "Request body contains unknown field(s): nickname",
    unknownFields=["nickname"],
    expectedType="AccountRegistrationRequest",
)


def _register(protected: bool) -> dict[str, Example]:
    set_up: dict[str, Any] = {"headers": SA_BEARER, "after": (SA_LOGIN,)} if protected else {}
    examples = {
        "ok": Example(
            "A new account (it holds no roles)", 201, NEW_ACCOUNT, body=_REGISTER_BODY, **set_up
        ),
        "unknown_field": Example(
            "A field the request type does not have",
            400,
            _UNKNOWN_FIELD,
            body={**_REGISTER_BODY, "nickname": "Max"},
            **set_up,
        ),
    }
    if protected:
        examples["no_token"] = NO_CREDENTIALS
        examples["forbidden"] = forbidden(body=_REGISTER_BODY)
    examples["feature_off"] = feature_off(
        "admin" if protected else "account-registration", body=_REGISTER_BODY
    )
    examples["taken"] = Example(
        "The email has an account already",
        409,
        error_body(
            409, "Conflict", "ConflictException", f"An account with email {EMAIL} already exists."
        ),
        body={"profile": {"name": "Alan Turing", "email": EMAIL}, "preferences": {}},
        seed=ACCOUNT,
        **set_up,
    )
    examples["not_json"] = Example(
        "A body sent as `text/plain`",
        415,
        error_body(
            415,
            "Unsupported Media Type",
            "UnsupportedMediaTypeException",
            "Content type text/plain is not supported",
        ),
        body=json.dumps(_REGISTER_BODY),
        media=TEXT,
        **set_up,
    )
    return examples


ADMIN_ACCOUNT_REGISTER = _register(protected=True)
ACCOUNT_REGISTER = _register(protected=False)

_LOGIN_REPLY = {
    "session_id": "c0ffee00-1234-4abc-8def-0123456789ab",
    "status": "OK",
    "token": USER_TOKEN,
}

EMAILPASS_LOGIN = {
    "ok": Example(
        "A seeded account logs in: a session and its token (also set as a cookie)",
        200,
        _LOGIN_REPLY,
        body={"email": EMAIL, "password": PASSWORD},
        seed=ACCOUNT,
    ),
    "superadmin": Example(
        "The Super Admin logs in, once activated",
        200,
        {"session_id": "5e55104e-9876-4fed-8cba-fedcba987654", "status": "OK", "token": SA_TOKEN},
        body=SUPERADMIN,
        after=(ACTIVATE,),
    ),
    "no_email": Example(
        "No email in the JSON",
        400,
        error_body(
            400,
            "Bad Request",
            "IllegalArgumentException",
            "Invalid or missing email in JSON request. Pass authentication credential either as 1) "
            "Basic Auth header (`Authorization: Basic <credentials>`) as per RFC 7617; OR 2) JSON "
            'document (`{"email": "<email>", "password": "<password>"}`); OR 3) Form post '
            "(email=<email>&password=<password>)!",
        ),
        body={"password": PASSWORD},
    ),
    "wrong_password": Example(
        "A wrong password",
        401,
        error_body(
            401, "Unauthorized", "InvalidCredentialsException", "Invalid email or password."
        ),
        body={"email": EMAIL, "password": "not-the-password"},
        seed=ACCOUNT,
    ),
    "unknown_email": Example(
        "No account has this email",
        404,
        error_body(
            404,
            "Not Found",
            "AccountDataNotFoundException",
            "No stored data found for authentication method: email",
        ),
        body={"email": "nobody@example.org", "password": PASSWORD},
    ),
}

LOGOUT = {
    "ok": Example(
        "The session of a login ends; both cookies are cleared",
        200,
        headers=USER_BEARER,
        after=(USER_LOGIN,),
    ),
}


ACCOUNTS_LIST = {
    "ok": Example(
        "Every account: a seeded one and the Super Admin",
        200,
        [
            {
                **account_body(USER_ID, "Alan Turing", EMAIL, {}),
                "profile": {"name": "Alan Turing", "email": EMAIL},
                "accountPreferences": {"timeZone": "UTC", "languagePreference": "EN"},
            },
            SUPERADMIN_ACCOUNT,
        ],
        headers=SA_BEARER,
        seed=ACCOUNT,
        after=(SA_LOGIN,),
    ),
    "no_token": NO_CREDENTIALS,
    "forbidden": forbidden(),
    "feature_off": feature_off("admin"),
}
