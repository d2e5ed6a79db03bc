"""The examples of Ovok's operations: requests a user can copy and the replies they get.

Built from the fields of :mod:`fakeauth.apis.ovok_models` and the examples of Ovok's own pages
(register and login send the very requests of Ovok's register and login pages, Max Mustermann to
the documented default tenant and client, which a fresh fake has); the tokens are fakeauth's own.
Each operation's route in :mod:`fakeauth.apis.ovok` carries its examples; the route pages, the
OpenAPI documents and ``tests/test_route_examples.py`` read them there.
"""

from __future__ import annotations

from typing import Any

from fakeauth.apis.docs import JSON, Example

__all__ = ["LOGIN", "LOGOUT", "ME", "REFRESH", "REGISTER", "TENANT_ID"]

#: The documented tenant and client (one id for both), which every fresh fake has.
TENANT_ID = "87ea5dfc-8b8e-384d-8489-79496e706390"
#: The person of Ovok's register and login pages' examples.
_EMAIL = "max.mustermann@example.com"
_PASSWORD = "A[.DmUv]2vE|n_+]"
_PERSON = {"email": _EMAIL, "password": _PASSWORD, "name": "Max", "surname": "Mustermann"}
_ACCOUNT = {"ovok": {"accounts": [_PERSON]}}
_ACCESS = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ZjBkMmM3YSIsImV4cCI6MTc5NjU4MjI2M30"
    ".3q1bM2p9c0xWb0tQ4mN7rS8uV1yZ5aB6cD9eF2gH4jK"
)
_REFRESH = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ZjBkMmM3YSIsImV4cCI6MTc5Nzc4ODI2M30"
    ".Lm8nP0qR2sT4uV6wX8yZ0aB2cD4eF6gH8iJ0kL2mN4o"
)
_NEW_ACCESS = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ZjBkMmM3YSIsImV4cCI6MTc5NjU4NTg2M30"
    ".Qw1eR3tY5uI7oP9aS1dF3gH5jK7lZ9xC1vB3nM5qW7e"
)
_NEW_REFRESH = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ZjBkMmM3YSIsImV4cCI6MTc5Nzc5MTg2M30"
    ".Zx2cV4bN6mA8sD0fG2hJ4kL6qW8eR0tY2uI4oP6aS8d"
)
_LOGIN_STEP = ("ovok.b2b_login", "ok")
_BEARER = {"Authorization": f"Bearer {_ACCESS}"}
_DISPLAY = "Max Mustermann"


def _error(status: int, message: str, reason: str) -> dict[str, Any]:
    """NestJS's error body."""
    return {"statusCode": status, "message": message, "error": reason}


def _tokens(access: str, refresh: str, profile: str, display: str) -> dict[str, Any]:
    """``ResponseRegisterLoginDto``."""
    return {
        "accessToken": access,
        "refreshToken": refresh,
        "expiresIn": 3600,
        "project": {
            "reference": "Project/f6f4da8d-93e8-8a08-220e-03b7810451d3",
            "display": "My Medical Project",
        },
        "profile": {"reference": f"Patient/{profile}", "display": display},
    }


_REGISTER_BODY = {
    "email": _EMAIL,
    "password": _PASSWORD,
    "name": "Max",
    "surname": "Mustermann",
    "tenantId": TENANT_ID,
    "clientId": TENANT_ID,
}
_LOGIN_BODY = {
    "email": _EMAIL,
    "password": _PASSWORD,
    "clientId": TENANT_ID,
    "tenantId": TENANT_ID,
}

REGISTER = {
    "ok": Example(
        "A new account: its tokens",
        200,
        _tokens(_ACCESS, _REFRESH, "a4b1c2d3-5e6f-4a7b-8c9d-0e1f2a3b4c5d", _DISPLAY),
        body=_REGISTER_BODY,
    ),
    "taken": Example(
        "The email has an account already",
        400,
        _error(400, "Email already registered", "Bad Request"),
        body=_REGISTER_BODY,
        seed=_ACCOUNT,
    ),
    "unknown_tenant": Example(
        "A tenant the fake does not have",
        404,
        _error(404, "Project not found", "Not Found"),
        body={**_REGISTER_BODY, "tenantId": "00000000-0000-4000-8000-000000000000"},
    ),
    "bad_email": Example(
        "An email class-validator refuses",
        422,
        _error(422, "email must be an email", "Unprocessable Entity"),
        body={**_REGISTER_BODY, "email": "max.mustermann"},
    ),
}

LOGIN = {
    "ok": Example(
        "A seeded account logs in",
        200,
        _tokens(_ACCESS, _REFRESH, "6c1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a", _DISPLAY),
        body=_LOGIN_BODY,
        seed=_ACCOUNT,
    ),
    "malformed": Example(
        "A body that is not JSON",
        400,
        _error(400, "Unexpected token } in JSON at position 10", "Bad Request"),
        body='{"email": }',
        media=JSON,
    ),
    "wrong_password": Example(
        "A wrong password (an unknown email answers the same)",
        401,
        _error(401, "Email or password is invalid", "Unauthorized"),
        body={**_LOGIN_BODY, "password": "not-the-password"},
        seed=_ACCOUNT,
    ),
    "unknown_client": Example(
        "A client the tenant does not have",
        404,
        _error(404, "Client not found", "Not Found"),
        body={**_LOGIN_BODY, "clientId": "00000000-0000-4000-8000-000000000000"},
    ),
    "missing_password": Example(
        "No password",
        422,
        _error(422, "password must be a string", "Unprocessable Entity"),
        body={key: value for key, value in _LOGIN_BODY.items() if key != "password"},
    ),
}

REFRESH = {
    "ok": Example(
        "The refresh token of a login swapped for a new pair",
        200,
        {"access_token": _NEW_ACCESS, "refresh_token": _NEW_REFRESH, "expires_in": 3600},
        body={"refresh_token": _REFRESH},
        after=(_LOGIN_STEP,),
    ),
    "malformed": Example(
        "A body that is not JSON",
        400,
        _error(400, "Unexpected end of JSON input", "Bad Request"),
        body='{"refresh_token": ',
    ),
    "used": Example(
        "The same refresh token a second time (it is single use)",
        401,
        _error(401, "Unauthorized", "Unauthorized"),
        body={"refresh_token": _REFRESH},
        after=(_LOGIN_STEP, ("ovok.refresh_token", "ok")),
    ),
    "empty": Example(
        "An empty refresh token",
        422,
        _error(422, "refresh_token should not be empty", "Unprocessable Entity"),
        body={"refresh_token": ""},
    ),
}


def _logout(operation: str) -> dict[str, Example]:
    return {
        "ok": Example(
            "The access token of a login, denied from now on",
            204,
            headers=_BEARER,
            after=(_LOGIN_STEP,),
        ),
        "again": Example(
            "The same logout again: nothing changes",
            204,
            headers=_BEARER,
            after=(_LOGIN_STEP, (operation, "ok")),
        ),
        "no_token": Example("No bearer token", 401, _error(401, "Unauthorized", "Unauthorized")),
    }


LOGOUT = {operation: _logout(operation) for operation in ("ovok.logout", "ovok.auth_logout")}

ME = {
    "ok": Example(
        "The caller of a login's access token",
        200,
        {
            "project": {
                "resourceType": "Project",
                "id": "f6f4da8d-93e8-8a08-220e-03b7810451d3",
                "name": "My Medical Project",
                "strictMode": True,
            },
            "membership": {
                "resourceType": "ProjectMembership",
                "id": "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a",
                "user": {
                    "reference": "User/4f0d2c7a-1b2c-4d3e-8f4a-5b6c7d8e9f0a",
                    "display": _EMAIL,
                },
            },
            "profile": {
                "resourceType": "Patient",
                "id": "6c1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
                "name": [{"given": ["Max"], "family": "Mustermann"}],
                "telecom": [{"system": "email", "use": "work", "value": _EMAIL}],
            },
            "config": {
                "resourceType": "UserConfiguration",
                "menu": [{"title": "Favorites", "link": []}],
            },
            "accessPolicy": {
                "resourceType": "AccessPolicy",
                "resource": [{"resourceType": "*"}],
                "ipAccessRule": [],
            },
            "security": {
                "mfaEnrolled": False,
                "sessions": [
                    {
                        "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                        "lastUpdated": "2026-12-06T10:00:00.000Z",
                        "authMethod": "password",
                        "remoteAddress": "127.0.0.1",
                        "browser": "Mozilla/5.0 (X11; Linux x86_64)",
                        "os": "",
                    }
                ],
            },
        },
        headers=_BEARER,
        after=(_LOGIN_STEP,),
    ),
    "no_token": Example("No bearer token", 401, _error(401, "Unauthorized", "Unauthorized")),
}
