"""The control API's routes: every ``(method, path, handler)`` under ``/_fakeauth/``.

Imported by the first control request (see :mod:`fakeauth.control`), with the handlers it lists:
the routes, the snapshots and the dashboard (and, through them, the OpenAPI generator).
"""

from __future__ import annotations

import functools

from fakeauth.control import dashboard, routes, snapshots
from fakeauth.control.routes import Handler
from fakeauth.routing import Router
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

__all__ = ["ROUTES", "router", "rules"]

_CORE: tuple[tuple[str, str, Handler], ...] = (
    ("POST", "/_fakeauth/reset", routes.reset),
    ("GET", "/_fakeauth/accounts", routes.list_accounts),
    ("POST", "/_fakeauth/seed", routes.seed),
    ("GET", "/_fakeauth/features", routes.get_features),
    ("POST", "/_fakeauth/features", routes.set_features),
    ("GET", "/_fakeauth/journal", routes.get_journal),
    ("DELETE", "/_fakeauth/journal", routes.clear_journal),
    ("POST", "/_fakeauth/explain", routes.explain),
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
def router(vendors: tuple[Vendor, ...]) -> Router[Handler]:
    """The router of the control routes of a fake serving ``vendors``."""
    return Router(rules(vendors))


#: Every control route of the default vendors as ``(method, path)``.
ROUTES: tuple[tuple[str, str], ...] = tuple((method, path) for method, path, _ in rules())
