"""The examples of walt.id's set-up and instance operations: the set-up walt.id's quickstart runs
(the Super Admin's activation, an organization, a role for an account), the feature lists, and
dev-mode's database recreate and initial set-up, each with its refusals.

Built as :mod:`fakeauth.apis.waltid_examples` says; importable from there too.
"""

from __future__ import annotations

import json

from fakeauth.apis.docs import TEXT, Example, Step
from fakeauth.apis.waltid_example_parts import (
    ACTIVATE,
    NEW_ACCOUNT,
    NEW_ID,
    NO_CREDENTIALS,
    ORGANIZATION,
    ROLE,
    SA_BEARER,
    SA_LOGIN,
    SUPERADMIN_ACCOUNT,
    TOKEN,
    error_body,
    feature_off,
    forbidden,
)

__all__ = [
    "CREATE_BY_TOKEN",
    "DATABASE_RECREATE",
    "FEATURES_REGISTERED",
    "FEATURES_STATE",
    "INITIAL_SETUP",
    "ORGANIZATIONS_CREATE",
    "ROLES_ADD",
]

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
    "off": feature_off("feature-flag-information-endpoint"),
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
    "off": feature_off("feature-flag-information-endpoint"),
}


CREATE_BY_TOKEN = {
    "ok": Example(
        "The registration token as raw text, as walt.id's page sends it: the Super Admin",
        200,
        SUPERADMIN_ACCOUNT,
        body=TOKEN,
        media=TEXT,
    ),
    "json": Example(
        "The token as JSON, as the quickstart CLI sends it",
        200,
        SUPERADMIN_ACCOUNT,
        body={"token": TOKEN},
    ),
    "wrong_token": Example(
        "A token `superadmin-registration.conf` does not list",
        401,
        error_body(
            401, "Unauthorized", "UnauthorizedException", "Invalid superadmin registration token."
        ),
        body="not-the-token",
        media=TEXT,
    ),
    "feature_off": feature_off("superadmin-registration", body=TOKEN, media=TEXT),
    "again": Example(
        "A second activation",
        409,
        error_body(409, "Conflict", "ConflictException", "Super admin already exists"),
        body=TOKEN,
        media=TEXT,
        after=(ACTIVATE,),
    ),
}

_ORGANIZATION_BODY = {"_id": ORGANIZATION, "profile": {"name": "Acme Corporation"}}
_CREATE_ORGANIZATION: Step = ("waltid.admin_organizations_create", "ok")

ORGANIZATIONS_CREATE = {
    "ok": Example(
        "A new organization, and its role `acme.admin`",
        201,
        _ORGANIZATION_BODY,
        body=_ORGANIZATION_BODY,
        headers=SA_BEARER,
        after=(SA_LOGIN,),
    ),
    "bad_id": Example(
        "An id that is not a name",
        400,
        error_body(
            400,
            "Bad Request",
            "IllegalArgumentException",
            "Invalid organization id 'Acme Corp!': use letters, digits, '-' and '_'.",
        ),
        body={**_ORGANIZATION_BODY, "_id": "Acme Corp!"},
        headers=SA_BEARER,
        after=(SA_LOGIN,),
    ),
    "no_token": NO_CREDENTIALS,
    "forbidden": forbidden(body=_ORGANIZATION_BODY),
    "feature_off": feature_off("organization-creation", body=_ORGANIZATION_BODY),
    "taken": Example(
        "The id of an organization that exists",
        409,
        {
            "type": "DuplicateTarget",
            "status": 409,
            "message": "Duplicate target for this operation - you are trying to save to resources "
            "at the same path. Overwriting targets like this is not allowed. The old resource at "
            "the target must be removed first.",
            "target": ORGANIZATION,
        },
        body=_ORGANIZATION_BODY,
        headers=SA_BEARER,
        after=(SA_LOGIN, _CREATE_ORGANIZATION),
    ),
    "not_json": Example(
        "A body sent as `text/plain`",
        415,
        error_body(
            415,
            "Unsupported Media Type",
            "UnsupportedMediaTypeException",
            "Content type text/plain is not supported",
        ),
        body=json.dumps(_ORGANIZATION_BODY),
        media=TEXT,
        headers=SA_BEARER,
        after=(SA_LOGIN,),
    ),
}


_ROLE_PATH = {"accountId": NEW_ID, "organization": ORGANIZATION, "roleId": ROLE}
_ROLE_SET_UP: tuple[Step, ...] = (
    SA_LOGIN,
    _CREATE_ORGANIZATION,
    ("waltid.admin_account_register", "ok"),
)

ROLES_ADD = {
    "ok": Example(
        "The new account becomes an admin of `acme`: the role id is `<organization>.admin`",
        200,
        {**NEW_ACCOUNT, "roles": {ORGANIZATION: [ROLE]}},
        headers=SA_BEARER,
        path=_ROLE_PATH,
        after=_ROLE_SET_UP,
        sequence="The set-up walt.id's quickstart runs, step by step",
    ),
    "again": Example(
        "The same role again: `{}`",
        200,
        {},
        headers=SA_BEARER,
        path=_ROLE_PATH,
        after=(*_ROLE_SET_UP, ("waltid.admin_account_roles_add", "ok")),
    ),
    "other_organization": Example(
        "A role of another organization than the path's",
        400,
        error_body(
            400,
            "Bad Request",
            "IllegalArgumentException",
            "Role globex.admin does not belong to organization acme.",
        ),
        headers=SA_BEARER,
        path={**_ROLE_PATH, "roleId": "globex.admin"},
        seed={"waltid": {"organizations": [{"organization": "globex"}]}},
        after=_ROLE_SET_UP,
    ),
    "no_token": Example(
        "No token", 401, "Unauthorized (NoCredentials)", reply_media=TEXT, path=_ROLE_PATH
    ),
    "forbidden": forbidden(
        path=_ROLE_PATH, seed={"waltid": {"organizations": [{"organization": ORGANIZATION}]}}
    ),
    "unknown_account": Example(
        "No account has this id",
        404,
        error_body(404, "Not Found", "NotFoundException", f"Account not found: {NEW_ID}"),
        headers=SA_BEARER,
        path=_ROLE_PATH,
        after=(SA_LOGIN, _CREATE_ORGANIZATION),
    ),
}

DATABASE_RECREATE = {
    "ok": Example("Every account, organization and session is gone", 200),
    "feature_off": feature_off("dev-mode"),
}

INITIAL_SETUP = {
    "ok": Example(
        "The Super Admin's token: nothing is left to do",
        200,
        headers=SA_BEARER,
        after=(SA_LOGIN,),
    ),
    "no_token": NO_CREDENTIALS,
    "forbidden": forbidden(),
    "feature_off": feature_off("dev-mode"),
}
