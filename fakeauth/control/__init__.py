"""fakeauth's own control API under ``/_fakeauth/``: JSON in and out, for non-Python clients.

A front end's end-to-end tests or a shell script can reset the fake, seed and list accounts,
switch feature flags, read the (redacted) journal and the outbox, move the fake's clock, take and
restore snapshots, export and import the state, and fetch the public keys of the asymmetric
tokens and the OpenAPI document of every vendor route. Raw token strings never leave through it.

The API is handed to the seam as a mount (:data:`CONTROL`): the seam passes it every request
under ``/_fakeauth/``. Its routes are matched by the one route mechanism of fakeauth
(:class:`fakeauth.routing.Router`: a trailing slash is ignored, a path served with other methods
answers 405 naming them in ``Allow``, ``OPTIONS`` answers 204 with ``Allow``); who may call it is
decided in :mod:`fakeauth.origins`; a body is read once, under one limit
(:mod:`fakeauth.control.body`).

The routes and their handlers (:mod:`fakeauth.control.table`, which brings the dashboard, the
snapshots and the OpenAPI generator) are imported by the first control request: a test that never
calls the control API does not pay for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fakeauth.control.body import MAX_BODY, error, too_large
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.origins import control_preflight, is_preflight, refusal, shares_with
from fakeauth.origins import vendor_cors_headers as cors_headers

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["CONTROL", "PREFIX", "ROUTES", "ControlApi", "Handler", "rules"]

#: A control route's handler: the fake and the request in, the answer out.
Handler = Callable[["FakeAuth", Request], Response]
#: Where the control API lives on every host.
PREFIX = "/_fakeauth/"


def __getattr__(name: str) -> Any:
    # ROUTES and rules live with the handlers they list; imported when first asked for.
    if name in ("ROUTES", "rules"):
        return getattr(importlib.import_module("fakeauth.control.table"), name)
    raise AttributeError(f"module 'fakeauth.control' has no attribute {name!r}")


class ControlApi:
    """The control API as a mount of the seam: every request under :data:`PREFIX`."""

    prefix = PREFIX
    #: The largest body it takes (a state document to import).
    max_body = MAX_BODY

    def handle(self, fake: FakeAuth, request: Request) -> Response:
        """Serve one control request: the preflight or the guard's 403 first (see
        :mod:`fakeauth.origins`), then the route; the answer carries CORS headers only for an
        origin of this machine."""
        origin = request.headers.get("origin")
        if origin is not None and is_preflight(request):
            return control_preflight(request, origin)
        response = refusal(fake, request) or self._route(fake, request)
        if origin is not None and shares_with(fake, request, origin):
            response.headers.extend(cors_headers(origin))
        return response

    def _route(self, fake: FakeAuth, request: Request) -> Response:
        from fakeauth.control.table import router  # the routes, on the first control request

        control_router = router(fake.vendors)
        handler, params, allowed = control_router.match(request.path, request.method)
        if handler is None and allowed:
            if request.method == "OPTIONS":
                return Response.empty(204, [("Allow", ", ".join(allowed))])
            methods = " or ".join(m for m in allowed if m not in ("HEAD", "OPTIONS"))
            return Response.json(
                405,
                {"error": f"fakeauth: {request.path} takes {methods}, not {request.method}"},
                [("Allow", ", ".join(allowed))],
            )
        if handler is None:
            return Response.json(
                404,
                {
                    "error": f"fakeauth: the control API has no {request.method} {request.path}",
                    "routes": control_router.paths(),
                },
            )
        refused = too_large(request)
        if refused is not None:
            return refused
        request = replace(request, path_params=dict(params))
        try:
            return handler(fake, request)
        except ConfigurationError as exc:
            return error(400, str(exc))


#: The control API every fake mounts.
CONTROL = ControlApi()
