"""Ovok B2B auth replies: pydantic models of the replies Ovok's own OpenAPI document describes.

The replies of the operations fakeauth serves (see :mod:`fakeauth.apis.ovok_models` for the
document and the request DTOs), with their required and optional keys
(``ResponseRegisterLoginDto``, ``ResponseTokenDto``, ``ResponseMeDto`` down to its nested objects)
and the NestJS error body. An optional key is left out of ``required`` and is never ``null`` (the
document has no nullable field here); fakeauth itself always sends every key it lists.

Only the OpenAPI documents read them (the handlers write their replies as plain JSON): the route
table names them by :class:`~fakeauth.apis.docs.SchemaRef`, so a request never imports them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

__all__ = [
    "AccessPolicy",
    "ContactPoint",
    "ErrorResponse",
    "HumanName",
    "IpAccessRule",
    "MeConfig",
    "MeMembership",
    "MeProfile",
    "MeProject",
    "MeResponse",
    "MeSecurity",
    "MeSession",
    "MenuItem",
    "MenuLink",
    "PolicyResource",
    "Reference",
    "RegisterLoginResponse",
    "TokenResponse",
]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional(description: str) -> Any:
    """An optional key that is never ``null``: absent from ``required``, no ``default`` shown."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


class Reference(BaseModel, defer_build=True):
    """A FHIR reference (``Project/<uuid>``, ``Patient/<uuid>``) with its display name."""

    reference: str
    display: str


class RegisterLoginResponse(BaseModel, defer_build=True):
    """``ResponseRegisterLoginDto``: what register and login answer (camelCase)."""

    accessToken: str = Field(description="The bearer access token; it lives an hour.")
    refreshToken: str | SkipJsonSchema[None] = _optional("The refresh token of this login.")
    expiresIn: int = Field(3600, description="The access token's lifetime in seconds.")
    project: Reference = Field(description="The tenant's project.")
    profile: Reference = Field(description="The account's profile (a FHIR Patient).")


class TokenResponse(BaseModel, defer_build=True):
    """``ResponseTokenDto``: what a refresh answers (snake_case, unlike login)."""

    access_token: str = Field(description="The new bearer access token; it lives an hour.")
    refresh_token: str | SkipJsonSchema[None] = _optional("The new refresh token (rotated).")
    expires_in: int = Field(description="The access token's lifetime in seconds.")


class ErrorResponse(BaseModel, defer_build=True):
    """NestJS's ``HttpException`` body, every Ovok error: ``statusCode`` and ``message`` are
    required; ``error`` is the status's reason phrase (fakeauth always sends it)."""

    statusCode: int = Field(description="The HTTP status, again.")
    message: str = Field(description="What went wrong.")
    error: str | SkipJsonSchema[None] = _optional("The status's reason phrase (`Bad Request`).")


class MeProject(BaseModel, defer_build=True):
    """``ResponseMeDto.project``: the tenant's FHIR ``Project``."""

    resourceType: Literal["Project"]
    id: str
    name: str
    strictMode: bool


class MeMembership(BaseModel, defer_build=True):
    """``ResponseMeDto.membership``: the account's ``ProjectMembership``."""

    resourceType: Literal["ProjectMembership"]
    id: str
    user: Reference


class HumanName(BaseModel, defer_build=True):
    """One entry of ``profile.name``."""

    given: list[str]
    family: str


class ContactPoint(BaseModel, defer_build=True):
    """One entry of ``profile.telecom``."""

    system: str
    use: str
    value: str


class MeProfile(BaseModel, defer_build=True):
    """``ResponseMeDto.profile``: the account's FHIR ``Patient``."""

    resourceType: Literal["Patient"]
    id: str
    name: list[HumanName]
    telecom: list[ContactPoint]


class MenuLink(BaseModel, defer_build=True):
    """One link of a menu section."""

    name: str
    target: str


class MenuItem(BaseModel, defer_build=True):
    """One section of ``config.menu``."""

    title: str
    link: list[MenuLink]


class MeConfig(BaseModel, defer_build=True):
    """``ResponseMeDto.config``: the account's ``UserConfiguration``."""

    resourceType: Literal["UserConfiguration"]
    menu: list[MenuItem]


class PolicyResource(BaseModel, defer_build=True):
    """One entry of ``accessPolicy.resource``: the resource type it grants (``*``: all)."""

    resourceType: str


class IpAccessRule(BaseModel, defer_build=True):
    """One entry of ``accessPolicy.ipAccessRule``."""

    ip: str


class AccessPolicy(BaseModel, defer_build=True):
    """``ResponseMeDto.accessPolicy``."""

    resourceType: Literal["AccessPolicy"]
    resource: list[PolicyResource]
    ipAccessRule: list[IpAccessRule]


class MeSession(BaseModel, defer_build=True):
    """One login session in ``security.sessions``. ``browser`` and ``os`` are Medplum's own
    keys, which Ovok's document lists for ``/auth/session`` but not here: optional."""

    id: str
    lastUpdated: str
    authMethod: str
    remoteAddress: str
    browser: str | SkipJsonSchema[None] = _optional("The session's user agent.")
    os: str | SkipJsonSchema[None] = _optional("The session's operating system (fakeauth: '').")


class MeSecurity(BaseModel, defer_build=True):
    """``ResponseMeDto.security``."""

    mfaEnrolled: bool
    sessions: list[MeSession]


class MeResponse(BaseModel, defer_build=True):
    """``ResponseMeDto``: what ``GET /auth/me`` answers; every key required, at every level."""

    project: MeProject
    membership: MeMembership
    profile: MeProfile
    config: MeConfig
    accessPolicy: AccessPolicy
    security: MeSecurity
