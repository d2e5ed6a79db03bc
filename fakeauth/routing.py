"""One route mechanism for every route fakeauth serves: the vendors', the control API's, the
snapshots' and the lanes'.

A :class:`Router` compiles ``(method, path, target)`` rules into one werkzeug map and matches on a
pre-bound adapter, so that every kind of route treats a trailing slash (ignored), a path served
with other methods (a 405 naming them in ``Allow``) and an unknown path alike. Matches are cached:
a router never changes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, RequestRedirect, Rule

__all__ = ["Match", "Router"]

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
        compiled = [
            Rule(path, endpoint=index, methods=[method])
            for index, (method, path, _) in enumerate(self.rules)
        ]
        self._adapter = Map(compiled, strict_slashes=False, merge_slashes=False).bind(
            "fakeauth.invalid"
        )
        # Bounded: paths that carry an id are endless.
        self._match = functools.lru_cache(maxsize=4096)(self._resolve)

    def match(self, path: str, method: str) -> Match[_T]:
        """The target of ``method path``, or the methods its path takes (see :class:`Match`)."""
        return self._match(path, method)

    def _resolve(self, path: str, method: str) -> Match[_T]:
        try:
            index, params = self._adapter.match(path, method)
        except MethodNotAllowed as exc:
            return Match(None, {}, tuple(sorted({*(exc.valid_methods or ()), "OPTIONS"})))
        except (RequestRedirect, HTTPException):
            return Match(None, {}, ())
        return Match(self.rules[index][2], params, ())

    def allowed(self, path: str) -> tuple[str, ...]:
        """The methods ``path`` takes (with ``OPTIONS``); empty when no route serves it."""
        return self._match(path, _PROBE).allowed

    def paths(self) -> list[str]:
        """Every rule as ``METHOD path``, in the order given."""
        return [f"{method} {path}" for method, path, _ in self.rules]
