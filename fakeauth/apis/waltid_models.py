"""walt.id's request and response shapes, as pydantic models.

Request bodies are read by :mod:`fakeauth.apis.waltid_bodies` as Ktor and kotlinx read them,
driven by the request models below; its readers are importable from here too.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fakeauth.apis.waltid_bodies import (
    RequestBodyError,
    decode,
    is_json,
    read_credentials,
    read_json,
    read_registration_token,
    registration_token,
)

__all__ = [
    "AccountDocument",
    "AccountRegistrationRequest",
    "CommonsError",
    "CreateOrgRequest",
    "DuplicateTargetError",
    "EmailIdentifier",
    "EmailPassCredentials",
    "EmailPassData",
    "EmptyObject",
    "FeatureBucket",
    "FeatureState",
    "InitialAuth",
    "LoginResponse",
    "OrganizationDocument",
    "OrganizationProfile",
    "Preferences",
    "Profile",
    "RegistrationTokenRequest",
    "RequestBodyError",
    "decode",
    "is_json",
    "read_credentials",
    "read_json",
    "read_registration_token",
    "registration_token",
]


# defer_build (every model here): pydantic builds a model's validator on its first use, not at
# import; a test seldom calls every route, and never reads the reply models (OpenAPI does).
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False, defer_build=True)


class Profile(_Body):
    """An account's profile."""

    name: str
    email: str
    addressCountry: str | None = None
    address: str | None = None


class Preferences(_Body):
    """An account's preferences (``accountPreferences`` in replies)."""

    timeZone: str | None = None
    languagePreference: str | None = None


class EmailIdentifier(_Body):
    """``initialAuth.identifier``: the login email."""

    type: Literal["email"]
    email: str


class EmailPassData(_Body):
    """``initialAuth.data``: the password."""

    type: Literal["email"]
    password: str = Field(repr=False)


class InitialAuth(_Body):
    """The account's first authentication method (only ``email`` is faked)."""

    type: Literal["email"]
    identifier: EmailIdentifier
    data: EmailPassData


class AccountRegistrationRequest(_Body):
    """``id.walt.enterprise.AccountRegistrationRequest``: both register routes."""

    profile: Profile
    preferences: Preferences
    initialAuth: InitialAuth | None = None


class OrganizationProfile(_Body):
    """An organization's profile."""

    name: str


class CreateOrgRequest(_Body):
    """``POST /v1/admin/organizations``."""

    id: str = Field(alias="_id")
    profile: OrganizationProfile


class AccountDocument(BaseModel):
    """An account as walt.id answers it (register, the account list)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str = Field(alias="_id")
    type: str
    profile: dict[str, str]
    accountPreferences: dict[str, str]
    flags: list[str]
    roles: dict[str, list[str]]


class OrganizationDocument(BaseModel, defer_build=True):
    """An organization as ``POST /v1/admin/organizations`` answers it."""

    id: str = Field(alias="_id")
    profile: OrganizationProfile


class LoginResponse(BaseModel, defer_build=True):
    """ktor-authnz's ``AuthSessionInformation`` after a successful login."""

    session_id: str
    status: str
    token: str


class FeatureBucket(BaseModel, defer_build=True):
    """commons ``FeatureFlagInformation``."""

    features: dict[str, str]
    total: int


class FeatureState(BaseModel, defer_build=True):
    """commons ``FeatureFlagInformations``: ``GET /features/state``."""

    enabled: FeatureBucket
    disabled: FeatureBucket
    defaultedDisabled: FeatureBucket


class EmptyObject(BaseModel):
    """``{}``: what adding a role the account holds already answers."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class CommonsError(BaseModel, defer_build=True):
    """walt.id commons' error body; ``details`` names a body's unknown or missing fields."""

    exception: Literal[True]
    id: str
    status: str
    code: str
    message: str
    details: dict[str, Any] | None = None


class DuplicateTargetError(BaseModel, defer_build=True):
    """The body of ``409`` on a duplicate organization."""

    type: Literal["DuplicateTarget"]
    status: Literal[409]
    message: str
    target: str


class RegistrationTokenRequest(BaseModel, defer_build=True):
    """``POST /v1/superadmin/create-by-token`` as JSON (raw ``text/plain`` works too)."""

    token: str


class EmailPassCredentials(BaseModel, defer_build=True):
    """ktor-authnz's email credential, as a JSON document or a form post (``username`` is an
    alias of ``email``; a Basic ``Authorization`` header works too)."""

    email: str
    password: str = Field(repr=False)
