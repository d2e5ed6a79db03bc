"""The examples of walt.id's operations: the set-up walt.id's quickstart runs, and every refusal.

Built from the fields of :mod:`fakeauth.apis.waltid_models` and walt.id's create-account page (the
``profile``/``preferences``/``initialAuth`` body), with the quickstart's registration token and
Super Admin (the defaults of a fresh fake) and fakeauth's own people and ids. A token or account id
a reply shows is carried into the later requests that use it. Each operation's route in
:mod:`fakeauth.apis.waltid` carries its examples; the route pages, the OpenAPI documents and
``tests/test_route_examples.py`` read them there.
"""

from __future__ import annotations

import json
from typing import Any

from fakeauth.apis.docs import TEXT, Example, Step

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

_TOKEN = "1234567890-my-token"
_SUPERADMIN = {"email": "superadmin@walt.id", "password": "super123456"}
_EMAIL, _PASSWORD = "alan.turing@example.org", "Bombe-Enigma-1940"
_ACCOUNT = {
    "waltid": {"accounts": [{"email": _EMAIL, "password": _PASSWORD, "name": "Alan Turing"}]}
}
_SA_TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJzdXBlcmFkbWluIn0.c3VwZXJhZG1pbi1zaWduYXR1cmU"
_USER_TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGFuLnR1cmluZyJ9.YWxhbi10dXJpbmctc2lnbmF0dXJl"
_SA_ID = "0f3c9a1e-7b2d-4c8e-9a6f-1d2e3f4a5b6c"
_NEW_ID = "7e2a4c6b-1d3f-4a5e-8b7c-9d0e1f2a3b4c"
_USER_ID = "3b5d7f9a-2c4e-4b6d-8f0a-1c3e5a7b9d2f"
_ACTIVATE: Step = ("waltid.superadmin_create_by_token", "ok")
_SA_LOGIN: Step = ("waltid.emailpass_login", "superadmin")
_USER_LOGIN: Step = ("waltid.emailpass_login", "ok")
_SA_BEARER = {"Authorization": f"Bearer {_SA_TOKEN}"}
_USER_BEARER = {"Authorization": f"Bearer {_USER_TOKEN}"}
_ORGANIZATION = "acme"
_ROLE = f"{_ORGANIZATION}.admin"


def _error(status: int, reason: str, exception: str, message: str, **details: Any) -> Any:
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


def _account(account_id: str, name: str, email: str, roles: dict[str, list[str]]) -> Any:
    return {
        "_id": account_id,
        "type": "USER",
        "profile": {
            "name": name,
            "email": email,
            "addressCountry": "GB",
            "address": "Bletchley Park, Milton Keynes",
        },
        "accountPreferences": {"timeZone": "Europe/London", "languagePreference": "EN"},
        "flags": [],
        "roles": roles,
    }


_NEW_EMAIL = "joan.clarke@example.org"
_REGISTER_BODY = {
    "profile": {
        "name": "Joan Clarke",
        "email": _NEW_EMAIL,
        "addressCountry": "GB",
        "address": "Bletchley Park, Milton Keynes",
    },
    "preferences": {"timeZone": "Europe/London", "languagePreference": "EN"},
    "initialAuth": {
        "type": "email",
        "identifier": {"type": "email", "email": _NEW_EMAIL},
        "data": {"type": "email", "password": "Banburismus-1941"},
    },
}
_NEW_ACCOUNT = _account(_NEW_ID, "Joan Clarke", _NEW_EMAIL, {})
_NO_CREDENTIALS = Example("No token", 401, "Unauthorized (NoCredentials)", reply_media=TEXT)
_UNKNOWN_FIELD = _error(
    400,
    "Bad Request",
    "BadRequestException",
    "Request body contains unknown field(s): nickname",
    unknownFields=["nickname"],
    expectedType="AccountRegistrationRequest",
)


def _user_id(fake: Any) -> dict[str, str]:
    return {_USER_ID: fake.waltid.get_account(_EMAIL).id}


def _forbidden(**request: Any) -> Example:
    return Example(
        "The token of an account without the role",
        403,
        _error(
            403,
            "Forbidden",
            "ForbiddenException",
            f"Account {_USER_ID} is not allowed to perform this operation.",
        ),
        headers=_USER_BEARER,
        after=(_USER_LOGIN,),
        values=_user_id,
        note=f"`{_USER_ID}` stands for the id of the account that logged in.",
        **request,
    )


def _feature_off(feature: str, **request: Any) -> Example:
    return Example(
        f"`{feature}` switched off: Ktor's 404, an empty body",
        404,
        seed={"features": {feature: False}},
        **request,
    )


def _register(protected: bool) -> dict[str, Example]:
    set_up: dict[str, Any] = {"headers": _SA_BEARER, "after": (_SA_LOGIN,)} if protected else {}
    examples = {
        "ok": Example(
            "A new account (it holds no roles)", 201, _NEW_ACCOUNT, body=_REGISTER_BODY, **set_up
        ),
        "unknown_field": Example(
            "A field the request type does not have",
            400,
            _UNKNOWN_FIELD,
            body={**_REGISTER_BODY, "nickname": "Joan"},
            **set_up,
        ),
    }
    if protected:
        examples["no_token"] = _NO_CREDENTIALS
        examples["forbidden"] = _forbidden(body=_REGISTER_BODY)
    examples["feature_off"] = _feature_off(
        "admin" if protected else "account-registration", body=_REGISTER_BODY
    )
    examples["taken"] = Example(
        "The email has an account already",
        409,
        _error(
            409, "Conflict", "ConflictException", f"An account with email {_EMAIL} already exists."
        ),
        body={"profile": {"name": "Alan Turing", "email": _EMAIL}, "preferences": {}},
        seed=_ACCOUNT,
        **set_up,
    )
    examples["not_json"] = Example(
        "A body sent as `text/plain`",
        415,
        _error(
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
    "token": _USER_TOKEN,
}

EMAILPASS_LOGIN = {
    "ok": Example(
        "A seeded account logs in: a session and its token (also set as a cookie)",
        200,
        _LOGIN_REPLY,
        body={"email": _EMAIL, "password": _PASSWORD},
        seed=_ACCOUNT,
    ),
    "superadmin": Example(
        "The Super Admin logs in, once activated",
        200,
        {"session_id": "5e55104e-9876-4fed-8cba-fedcba987654", "status": "OK", "token": _SA_TOKEN},
        body=_SUPERADMIN,
        after=(_ACTIVATE,),
    ),
    "no_email": Example(
        "No email in the JSON",
        400,
        _error(
            400,
            "Bad Request",
            "IllegalArgumentException",
            "Invalid or missing email in JSON request. Pass authentication credential either as 1) "
            "Basic Auth header (`Authorization: Basic <credentials>`) as per RFC 7617; OR 2) JSON "
            'document (`{"email": "<email>", "password": "<password>"}`); OR 3) Form post '
            "(email=<email>&password=<password>)!",
        ),
        body={"password": _PASSWORD},
    ),
    "wrong_password": Example(
        "A wrong password",
        401,
        _error(401, "Unauthorized", "InvalidCredentialsException", "Invalid email or password."),
        body={"email": _EMAIL, "password": "not-the-password"},
        seed=_ACCOUNT,
    ),
    "unknown_email": Example(
        "No account has this email",
        404,
        _error(
            404,
            "Not Found",
            "AccountDataNotFoundException",
            "No stored data found for authentication method: email",
        ),
        body={"email": "nobody@example.org", "password": _PASSWORD},
    ),
}

LOGOUT = {
    "ok": Example(
        "The session of a login ends; both cookies are cleared",
        200,
        headers=_USER_BEARER,
        after=(_USER_LOGIN,),
    ),
}

_FEATURES = {
    "account-registration": "Enable or disable account registration",
    "admin": "Administration endpoints",
    "dev-mode": "Development mode",
    "feature-flag-information-endpoint": "Enables endpoints related to showing information about "
    "available features on this service instance",
    "organization-creation": "Enable or disable organization creation",
    "superadmin-registration": "Enable or disable superadmin registration",
}

FEATURES_REGISTERED = {
    "ok": Example("Every feature and what it does", 200, _FEATURES),
    "off": _feature_off("feature-flag-information-endpoint"),
}

_ON = {name: text for name, text in _FEATURES.items() if name != "account-registration"}
FEATURES_STATE = {
    "ok": Example(
        "With `account-registration` switched off",
        200,
        {
            "enabled": {"features": _ON, "total": len(_ON)},
            "disabled": {
                "features": {"account-registration": _FEATURES["account-registration"]},
                "total": 1,
            },
            "defaultedDisabled": {"features": {}, "total": 0},
        },
        seed={"features": {"account-registration": False}},
    ),
    "off": _feature_off("feature-flag-information-endpoint"),
}

_SUPERADMIN_ACCOUNT = {
    "_id": _SA_ID,
    "type": "USER",
    "profile": {"name": "Super Admin", "email": _SUPERADMIN["email"]},
    "accountPreferences": {"timeZone": "UTC", "languagePreference": "EN"},
    "flags": [],
    "roles": {},
}

CREATE_BY_TOKEN = {
    "ok": Example(
        "The registration token as raw text, as walt.id's page sends it: the Super Admin",
        200,
        _SUPERADMIN_ACCOUNT,
        body=_TOKEN,
        media=TEXT,
    ),
    "json": Example(
        "The token as JSON, as the quickstart CLI sends it",
        200,
        _SUPERADMIN_ACCOUNT,
        body={"token": _TOKEN},
    ),
    "wrong_token": Example(
        "A token `superadmin-registration.conf` does not list",
        401,
        _error(
            401, "Unauthorized", "UnauthorizedException", "Invalid superadmin registration token."
        ),
        body="not-the-token",
        media=TEXT,
    ),
    "feature_off": _feature_off("superadmin-registration", body=_TOKEN, media=TEXT),
    "again": Example(
        "A second activation",
        409,
        _error(409, "Conflict", "ConflictException", "Super admin already exists"),
        body=_TOKEN,
        media=TEXT,
        after=(_ACTIVATE,),
    ),
}

_ORGANIZATION_BODY = {"_id": _ORGANIZATION, "profile": {"name": "Acme Corporation"}}
_CREATE_ORGANIZATION: Step = ("waltid.admin_organizations_create", "ok")

ORGANIZATIONS_CREATE = {
    "ok": Example(
        "A new organization, and its role `acme.admin`",
        201,
        _ORGANIZATION_BODY,
        body=_ORGANIZATION_BODY,
        headers=_SA_BEARER,
        after=(_SA_LOGIN,),
    ),
    "bad_id": Example(
        "An id that is not a name",
        400,
        _error(
            400,
            "Bad Request",
            "IllegalArgumentException",
            "Invalid organization id 'Acme Corp!': use letters, digits, '-' and '_'.",
        ),
        body={**_ORGANIZATION_BODY, "_id": "Acme Corp!"},
        headers=_SA_BEARER,
        after=(_SA_LOGIN,),
    ),
    "no_token": _NO_CREDENTIALS,
    "forbidden": _forbidden(body=_ORGANIZATION_BODY),
    "feature_off": _feature_off("organization-creation", body=_ORGANIZATION_BODY),
    "taken": Example(
        "The id of an organization that exists",
        409,
        {
            "type": "DuplicateTarget",
            "status": 409,
            "message": "Duplicate target for this operation - you are trying to save to resources "
            "at the same path. Overwriting targets like this is not allowed. The old resource at "
            "the target must be removed first.",
            "target": _ORGANIZATION,
        },
        body=_ORGANIZATION_BODY,
        headers=_SA_BEARER,
        after=(_SA_LOGIN, _CREATE_ORGANIZATION),
    ),
    "not_json": Example(
        "A body sent as `text/plain`",
        415,
        _error(
            415,
            "Unsupported Media Type",
            "UnsupportedMediaTypeException",
            "Content type text/plain is not supported",
        ),
        body=json.dumps(_ORGANIZATION_BODY),
        media=TEXT,
        headers=_SA_BEARER,
        after=(_SA_LOGIN,),
    ),
}

ACCOUNTS_LIST = {
    "ok": Example(
        "Every account: a seeded one and the Super Admin",
        200,
        [
            {
                **_account(_USER_ID, "Alan Turing", _EMAIL, {}),
                "profile": {"name": "Alan Turing", "email": _EMAIL},
                "accountPreferences": {"timeZone": "UTC", "languagePreference": "EN"},
            },
            _SUPERADMIN_ACCOUNT,
        ],
        headers=_SA_BEARER,
        seed=_ACCOUNT,
        after=(_SA_LOGIN,),
    ),
    "no_token": _NO_CREDENTIALS,
    "forbidden": _forbidden(),
    "feature_off": _feature_off("admin"),
}

_ROLE_PATH = {"accountId": _NEW_ID, "organization": _ORGANIZATION, "roleId": _ROLE}
_ROLE_SET_UP: tuple[Step, ...] = (
    _SA_LOGIN,
    _CREATE_ORGANIZATION,
    ("waltid.admin_account_register", "ok"),
)

ROLES_ADD = {
    "ok": Example(
        "The new account becomes an admin of `acme`: the role id is `<organization>.admin`",
        200,
        {**_NEW_ACCOUNT, "roles": {_ORGANIZATION: [_ROLE]}},
        headers=_SA_BEARER,
        path=_ROLE_PATH,
        after=_ROLE_SET_UP,
        sequence="The set-up walt.id's quickstart runs, step by step",
    ),
    "again": Example(
        "The same role again: `{}`",
        200,
        {},
        headers=_SA_BEARER,
        path=_ROLE_PATH,
        after=(*_ROLE_SET_UP, ("waltid.admin_account_roles_add", "ok")),
    ),
    "other_organization": Example(
        "A role of another organization than the path's",
        400,
        _error(
            400,
            "Bad Request",
            "IllegalArgumentException",
            "Role globex.admin does not belong to organization acme.",
        ),
        headers=_SA_BEARER,
        path={**_ROLE_PATH, "roleId": "globex.admin"},
        seed={"waltid": {"organizations": [{"organization": "globex"}]}},
        after=_ROLE_SET_UP,
    ),
    "no_token": Example(
        "No token", 401, "Unauthorized (NoCredentials)", reply_media=TEXT, path=_ROLE_PATH
    ),
    "forbidden": _forbidden(
        path=_ROLE_PATH, seed={"waltid": {"organizations": [{"organization": _ORGANIZATION}]}}
    ),
    "unknown_account": Example(
        "No account has this id",
        404,
        _error(404, "Not Found", "NotFoundException", f"Account not found: {_NEW_ID}"),
        headers=_SA_BEARER,
        path=_ROLE_PATH,
        after=(_SA_LOGIN, _CREATE_ORGANIZATION),
    ),
}

DATABASE_RECREATE = {
    "ok": Example("Every account, organization and session is gone", 200),
    "feature_off": _feature_off("dev-mode"),
}

INITIAL_SETUP = {
    "ok": Example(
        "The Super Admin's token: nothing is left to do",
        200,
        headers=_SA_BEARER,
        after=(_SA_LOGIN,),
    ),
    "no_token": _NO_CREDENTIALS,
    "forbidden": _forbidden(),
    "feature_off": _feature_off("dev-mode"),
}
