"""One route mechanism for every route fakeauth serves: the vendors', the control API's, the
snapshots' and the lanes'.

A :class:`Router` compiles ``(method, path, target)`` rules into one werkzeug map and matches on a
pre-bound adapter, so that every kind of route treats a trailing slash (ignored), a path served
with other methods (a 405 naming them in ``Allow``) and an unknown path alike. Matches are cached
(a router never changes): a match is a cache lookup instead of a match per request, bounded,
since paths that carry an id are endless. The vendors' route maps (:class:`Routing`) are routers
compiled once per set of vendors (compiling costs about a millisecond).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, NamedTuple, TypeVar

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, MapAdapter, RequestRedirect, Rule

from fakeauth.apis.base import Route, VendorApi, method_not_allowed_operation
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

__all__ = [
    "Match",
    "RouteMap",
    "Router",
    "Routing",
    "VendorRouteMaps",
    "route_table",
    "routing_for",
]

_T = TypeVar("_T")

#: A method no route takes: matching it tells a served path (405) from an unserved one.
_PROBE = "FAKEAUTH-PROBE"


class Match(NamedTuple, Generic[_T]):
    """What a router found for ``method path``: the target and its path parameters, or (no
    target) the methods the path takes (empty: no route serves the path), with ``OPTIONS``."""

    target: _T | None
    params: Mapping[str, Any]
    allowed: tuple[str, ...]


class Router(Generic[_T]):
    """``(method, path, target)`` rules, matched by method and path (werkzeug's rule syntax:
    ``/accounts/<vendor>``); a trailing slash is ignored."""

    def __init__(self, rules: Iterable[tuple[str, str, _T]]) -> None:
        self.rules = tuple(rules)
        # Compiled on the first match: werkzeug compiles every rule's matcher and URL builder, a
        # cost that a map never asked (another vendor's, the live server's root) should not add
        # to the first FakeAuth().
        self._adapter: MapAdapter | None = None
        #: :meth:`resolve`, cached: the target of ``method path``, or the methods its path takes
        #: (see :class:`Match`). A hit is shared: callers copy the parameters.
        self.match = functools.lru_cache(maxsize=4096)(self.resolve)

    def resolve(self, path: str, method: str) -> Match[_T]:
        """:meth:`match` without the cache (the plain path the cache must agree with)."""
        adapter = self._adapter
        if adapter is None:  # two threads may both compile it: the same map, one kept
            compiled = [
                Rule(path, endpoint=index, methods=[method])
                for index, (method, path, _) in enumerate(self.rules)
            ]
            adapter = Map(compiled, strict_slashes=False, merge_slashes=False).bind(
                "fakeauth.invalid"
            )
            self._adapter = adapter
        try:
            index, params = adapter.match(path, method)
        except MethodNotAllowed as exc:
            return Match(None, {}, tuple(sorted({*(exc.valid_methods or ()), "OPTIONS"})))
        except (RequestRedirect, HTTPException):
            return Match(None, {}, ())
        return Match(self.rules[index][2], params, ())

    def allowed(self, path: str) -> tuple[str, ...]:
        """The methods ``path`` takes (with ``OPTIONS``); empty when no route serves it."""
        return self.match(path, _PROBE).allowed

    def paths(self) -> list[str]:
        """Every rule as ``METHOD path``, in the order given."""
        return [f"{method} {path}" for method, path, _ in self.rules]


class RouteMap:
    """Vendor routes by operation id, in one :class:`Router`."""

    def __init__(self, routes: Iterable[tuple[VendorApi, Route]]) -> None:
        self.routes: dict[str, tuple[VendorApi, Route]] = {
            route.operation: (api, route) for api, route in routes
        }
        self.router: Router[str] = Router(
            (route.method, route.path, operation) for operation, (_, route) in self.routes.items()
        )

    def match(self, path: str, method: str) -> tuple[str | None, Mapping[str, Any]]:
        """The operation id and path parameters of ``method path`` (``None``: no route)."""
        found = self.router.match(path, method)
        return found.target, found.params

    def allowed(self, path: str) -> tuple[str | None, tuple[str, ...]]:
        """When routes serve ``path`` (with other methods than the one asked): one of their
        operation ids and the methods they take, with ``OPTIONS``; else ``(None, ())``."""
        allowed = self.router.allowed(path)
        if not allowed:
            return None, ()
        method = next(m for m in allowed if m != "OPTIONS")
        return self.router.match(path, method).target, allowed


class Routing:
    """The route maps of one set of vendors, compiled once per set (:func:`routing_for`).

    ``root`` is what the live server's root serves (every route but those another vendor owns
    there), ``by_vendor`` what each vendor's hosts and base URL serve (its own routes alone),
    ``mounts`` each vendor's base path on the live server (``/ovok``), ``table`` every route as
    ``(operation id, method, path)`` in declaration order.

    Each part reads the vendors' APIs when first asked for, and ``by_vendor`` only the API of the
    vendor asked for: a request to one vendor's hosts or base path loads that vendor's code
    alone (see :class:`~fakeauth.vendor.DeferredVendor`), the root and ``table`` every vendor's.
    """

    def __init__(self, vendors: tuple[Vendor, ...]) -> None:
        self.vendors = vendors
        self.by_vendor: Mapping[str, RouteMap] = VendorRouteMaps(vendors)
        self._records = {f"/{vendor.name}": vendor for vendor in vendors}
        self._mount_prefixes = tuple(self._records)
        #: The journal's operation ids of each vendor's 405s, which no route declares (a
        #: vendor's API is named as its vendor: :func:`~fakeauth.vendor.checked_record`).
        self.method_not_allowed = frozenset(
            method_not_allowed_operation(vendor.name) for vendor in vendors
        )

    @functools.cached_property
    def root(self) -> RouteMap:
        """What the live server's root serves, routed by path alone."""
        return RouteMap(
            (vendor.api, route)
            for vendor in self.vendors
            for route in vendor.api.routes
            if route.at_root
        )

    @functools.cached_property
    def mounts(self) -> Mapping[str, VendorApi]:
        """Each vendor's API by its base path on the live server (``/ovok``)."""
        return {mount: vendor.api for mount, vendor in self._records.items()}

    @functools.cached_property
    def table(self) -> tuple[tuple[str, str, str], ...]:
        """Every route as ``(operation id, method, path)``, in declaration order."""
        return tuple(
            (route.operation, route.method, route.path)
            for vendor in self.vendors
            for route in vendor.api.routes
        )

    def split_mount(self, path: str) -> tuple[VendorApi | None, str, str]:
        """The vendor whose base path ``path`` starts with, that base path, and the rest (the
        vendor's own path); ``(None, "", path)`` when it starts with none."""
        if path.startswith(self._mount_prefixes):
            mount, slash, rest = path[1:].partition("/")
            vendor = self._records.get(f"/{mount}")
            if vendor is not None:
                return vendor.api, f"/{mount}", slash + rest or "/"
        return None, "", path

    def vendor_for_path(self, path: str) -> VendorApi | None:
        """The vendor whose path prefixes claim ``path``; the longest claiming prefix wins
        (walt.id's ``/auth/account/`` inside Ovok's ``/auth/``)."""
        best: tuple[int, VendorApi | None] = (0, None)
        for vendor in self.vendors:
            for prefix in vendor.api.path_prefixes:
                if path.startswith(prefix) and len(prefix) > best[0]:
                    best = (len(prefix), vendor.api)
        return best[1]


class VendorRouteMaps(Mapping[str, RouteMap]):
    """Each vendor's :class:`RouteMap` by its name, made when first asked for."""

    def __init__(self, vendors: tuple[Vendor, ...]) -> None:
        self._vendors = {vendor.name: vendor for vendor in vendors}
        self._maps: dict[str, RouteMap] = {}

    def __getitem__(self, name: str) -> RouteMap:
        found = self._maps.get(name)
        if found is None:
            api = self._vendors[name].api
            # Two threads may both make one: the same routes, one kept (setdefault is atomic).
            found = self._maps.setdefault(name, RouteMap((api, route) for route in api.routes))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._vendors)

    def __len__(self) -> int:
        return len(self._vendors)


@functools.lru_cache(maxsize=16)  # one entry per vendor set: the default one, a test's own
def routing_for(vendors: tuple[Vendor, ...]) -> Routing:
    """The compiled routes of ``vendors``, kept."""
    return Routing(vendors)


def route_table(vendors: tuple[Vendor, ...] = VENDORS) -> list[tuple[str, str, str]]:
    """Every route ``vendors`` serve as ``(operation id, method, path)``, in declaration order."""
    return list(routing_for(vendors).table)
