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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from fakeauth.control import dashboard, routes, snapshots
from fakeauth.control.body import MAX_BODY, error, too_large
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.origins import control_preflight, is_preflight, refusal, shares_with
from fakeauth.origins import vendor_cors_headers as cors_headers
from fakeauth.routing import Router
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["CONTROL", "PREFIX", "ROUTES", "ControlApi", "Handler", "rules"]

#: A control route's handler: the fake and the request in, the answer out.
Handler = Callable[["FakeAuth", Request], Response]
#: Where the control API lives on every host.
PREFIX = "/_fakeauth/"


_CORE: tuple[tuple[str, str, Handler], ...] = (
    ("POST", "/_fakeauth/reset", routes.reset),
    ("GET", "/_fakeauth/accounts", routes.list_accounts),
    ("POST", "/_fakeauth/seed", routes.seed),
    ("GET", "/_fakeauth/features", routes.get_features),
    ("POST", "/_fakeauth/features", routes.set_features),
    ("GET", "/_fakeauth/journal", routes.get_journal),
    ("DELETE", "/_fakeauth/journal", routes.clear_journal),
    ("GET", "/_fakeauth/outbox", routes.get_outbox),
    ("GET", "/_fakeauth/clock", routes.get_clock),
    ("POST", "/_fakeauth/clock", routes.set_clock),
    ("GET", "/_fakeauth/jwks.json", routes.jwks),
    ("GET", "/_fakeauth/openapi.json", routes.openapi),
    ("GET", "/_fakeauth/fidelity", routes.fidelity),
    *snapshots.ROUTES,
    *dashboard.ROUTES,
)


def rules(vendors: tuple[Vendor, ...] = VENDORS) -> list[tuple[str, str, Handler]]:
    """Every control route of a fake serving ``vendors``, as ``(method, path, handler)``: the
    common ones, then each vendor's (its OpenAPI document, its accounts on the dashboard)."""
    found = list(_CORE)
    for vendor in vendors:
        found.append(
            ("GET", f"/_fakeauth/openapi/{vendor.name}.json", routes.openapi_of(vendor.name))
        )
        found.extend(dashboard.vendor_routes(vendor.name))
    return found


@functools.lru_cache(maxsize=16)  # one router per vendor set
def _router(vendors: tuple[Vendor, ...]) -> Router[Handler]:
    return Router(rules(vendors))


#: Every control route of the default vendors as ``(method, path)``.
ROUTES: tuple[tuple[str, str], ...] = tuple((method, path) for method, path, _ in rules())


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
        router = _router(fake.vendors)
        handler, params, allowed = router.match(request.path, request.method)
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
                    "routes": router.paths(),
                },
            )
        refused = too_large(request)
        if refused is not None:
            return refused
        request.path_params = dict(params)
        try:
            return handler(fake, request)
        except ConfigurationError as exc:
            return error(400, str(exc))


#: The control API every fake mounts.
CONTROL = ControlApi()
