"""walt.id commons' error body, and the one place domain errors become walt.id's statuses.

Errors are walt.id's commons body ``{"exception": true, "id", "status", "code", "message"}``
(``details`` for body errors), except where the real service answers otherwise: a missing or bad
bearer is ktor-authnz's plain-text ``Unauthorized (...)`` and a duplicate organization the
``DuplicateTarget`` object. An expired token's message carries Kotlin's duration text
(:func:`kotlin_duration`).
"""

from __future__ import annotations

from typing import Any

from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.errors import (
    AccountExists,
    DomainError,
    Forbidden,
    InvalidCredentials,
    NotFound,
    TokenExpired,
    TokenInvalid,
)
from fakeauth.http import Response
from fakeauth.state.waltid import (
    AccountDataNotFound,
    DuplicateOrganization,
    RegistrationTokenInvalid,
    SuperadminExists,
    WaltidState,
)

__all__ = ["domain_error", "error", "exception", "kotlin_duration"]

_DUPLICATE_TARGET = (
    "Duplicate target for this operation - you are trying to save to resources at the same "
    "path. Overwriting targets like this is not allowed. The old resource at the target must "
    "be removed first."
)
_SEAM_IDS = {
    405: "MethodNotAllowedException",
    413: "PayloadTooLargeException",
    501: "NotImplementedError",
}


def exception(
    status: int, exception_id: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    """walt.id commons' error body ``{exception, id, status, code, message[, details]}``."""
    body: dict[str, Any] = {
        "exception": True,
        "id": exception_id,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "code": str(status),
        "message": message,
    }
    if details:
        body["details"] = details
    return Response.json(status, body)


def error(status: int, message: str) -> Response:
    """walt.id's commons error body, for what the WSGI seam answers itself."""
    return exception(status, _SEAM_IDS.get(status, "WebException"), message)


def domain_error(state: WaltidState, exc: DomainError) -> Response:
    """The one place a walt.id domain error becomes a status and the body the service answers."""
    if isinstance(exc, TokenExpired):
        since = kotlin_duration(state.clock.time() - exc.expired_at)
        return exception(401, "ExpiredTokenException", f"JWT Login Token expired since: {since}")
    if isinstance(exc, TokenInvalid):
        return Response.text(401, "Unauthorized (InvalidCredentials)")
    if isinstance(exc, InvalidCredentials):
        return exception(401, "InvalidCredentialsException", exc.message)
    if isinstance(exc, AccountDataNotFound):
        return exception(404, "AccountDataNotFoundException", exc.message)
    if isinstance(exc, NotFound):
        return exception(404, "NotFoundException", exc.message)
    if isinstance(exc, (AccountExists, SuperadminExists)):
        return exception(409, "ConflictException", exc.message)
    if isinstance(exc, DuplicateOrganization):
        return Response.json(
            409,
            {
                "type": "DuplicateTarget",
                "status": 409,
                "message": _DUPLICATE_TARGET,
                "target": exc.organization,
            },
        )
    if isinstance(exc, RegistrationTokenInvalid):
        return exception(401, "UnauthorizedException", exc.message)
    if isinstance(exc, Forbidden):
        return exception(403, "ForbiddenException", exc.message)
    # InvalidRequest, and whatever else the state refuses: Ktor's IllegalArgumentException
    return exception(400, "IllegalArgumentException", exc.message)


def kotlin_duration(seconds: float) -> str:
    """``seconds`` as Kotlin's ``Duration.toString()`` writes it: ``"1d 2h 0m 5s"``, ``"250ms"``."""
    total_ns = max(0, round(seconds * 1_000_000)) * 1000
    if total_ns == 0:
        return "0s"
    whole, nanos = divmod(total_ns, 1_000_000_000)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    has_seconds = secs != 0 or nanos != 0
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours or (days and (minutes or has_seconds)):
        parts.append(f"{hours}h")
    if minutes or (has_seconds and (hours or days)):
        parts.append(f"{minutes}m")
    if has_seconds:
        if secs or parts:
            parts.append(_fractional(secs, nanos, 9, "s"))
        elif nanos >= 1_000_000:
            parts.append(_fractional(nanos // 1_000_000, nanos % 1_000_000, 6, "ms"))
        else:
            parts.append(_fractional(nanos // 1000, nanos % 1000, 3, "us"))
    return " ".join(parts)


def _fractional(whole: int, fraction: int, size: int, unit: str) -> str:
    if not fraction:
        return f"{whole}{unit}"
    digits = str(fraction).rjust(size, "0").rstrip("0")
    width = len(digits) if len(digits) < 3 else (len(digits) + 2) // 3 * 3
    return f"{whole}.{digits.ljust(width, '0')}{unit}"
