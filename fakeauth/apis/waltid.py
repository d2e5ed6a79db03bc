"""walt.id Enterprise over HTTP (to be built, issue 4)."""

from __future__ import annotations

from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.apis.base import VendorApi
from fakeauth.http import Response

__all__ = ["API"]


def error(status: int, message: str) -> Response:
    """walt.id's commons error body."""
    return Response.json(
        status,
        {
            "exception": True,
            "id": "NotImplementedError" if status == 501 else "WebException",
            "status": HTTP_STATUS_CODES.get(status, "Error"),
            "code": str(status),
            "message": message,
        },
    )


API = VendorApi(
    name="waltid",
    routes=(),
    path_prefixes=("/v1/", "/features/", "/auth/account/", "/auth/logout"),
    error=error,
)
