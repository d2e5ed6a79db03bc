"""B2Core front office over HTTP: the wizard envelope (to be built, issue 3)."""

from __future__ import annotations

from fakeauth.apis.base import VendorApi
from fakeauth.http import Response

__all__ = ["API"]


def error(status: int, message: str) -> Response:
    """The wizard envelope of an error."""
    return Response.json(
        status,
        {"code": status, "data": {"message": message}, "done": False, "uuid": None, "workflow": None},
    )


API = VendorApi(name="b2core", routes=(), path_prefixes=("/api/",), error=error)
