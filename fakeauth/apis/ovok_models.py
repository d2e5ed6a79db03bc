"""Ovok B2B auth bodies: pydantic models of the DTOs Ovok's own OpenAPI document describes.

Ovok publishes an OpenAPI 3.1 document of its platform API (``Actimi/ovok-docs``,
``static/openapi/ovok-api-public.yaml``, version 2026.08.29). These models state what it says of
the auth operations fakeauth serves, in fakeauth's words: here the request DTOs with their
required fields, formats and lengths (``RequestRegisterV2Dto``, ``RequestLoginV2Dto``,
``RefreshTokenDto``); the replies are in :mod:`fakeauth.apis.ovok_replies`.
"""

from __future__ import annotations

import functools
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from fakeauth.apis.fields import TextLength
from fakeauth.emails import is_email

__all__ = [
    "LoginRequest",
    "RefreshTokenRequest",
    "RegisterRequest",
    "email",
]

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

# A client logs in with the same few addresses over and over, and the check is pure: cached (only
# for lengths an address can have, 254 at most, so the cache stays small).
_is_email = functools.lru_cache(maxsize=1024)(is_email)


def email(value: str) -> str:
    """``value`` if class-validator's ``isEmail`` takes it; raises ``ValueError`` otherwise."""
    if len(value) > 254 or not _is_email(value):
        raise ValueError("not an email")
    return value


Email = Annotated[str, AfterValidator(email), Field(json_schema_extra={"format": "email"})]
Text = Annotated[str, TextLength(1, 128)]
Uuid = Annotated[str, Field(pattern=_UUID, json_schema_extra={"format": "uuid"})]


# -- requests --------------------------------------------------------------------------------


# defer_build (every model here): pydantic builds a model's validator on its first use, not at
# import; a test seldom calls every route, and never reads the reply models (OpenAPI does).
class _Dto(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, defer_build=True)


class RegisterRequest(_Dto):
    """``RequestRegisterV2Dto``, the body of ``POST /auth/b2b/register``: every field required."""

    email: Email = Field(description="The new account's email; the verification email goes here.")
    password: Text
    name: Text = Field(description="The account's given name.")
    surname: Text = Field(description="The account's family name.")
    tenantId: Uuid = Field(description="The tenant (the parent project) to register in.")
    clientId: Uuid = Field(description="A client application of that tenant.")


class LoginRequest(_Dto):
    """``RequestLoginV2Dto``, the body of ``POST /auth/b2b/login``: every field required."""

    email: Email = Field(description="The account's email (compared case-insensitively).")
    password: Text = Field(description="The account's password.")
    clientId: Uuid = Field(description="A client application of the tenant.")
    tenantId: Uuid = Field(description="The tenant the account belongs to.")


class RefreshTokenRequest(_Dto):
    """``RefreshTokenDto``, the body of ``POST /auth/refresh-token``: snake_case, as documented."""

    refresh_token: Annotated[str, TextLength(1)] = Field(
        description="A refresh token from register, login or an earlier refresh (single use)."
    )
