"""What every vendor module gives the WSGI seam: its routes and its error rendering."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from fakeauth.apis.docs import Example, OperationDoc, VendorDoc
from fakeauth.http import Request, Response
from fakeauth.redaction import REQUEST_SECRET_KEYS

__all__ = [
    "INT_DIGITS",
    "Handler",
    "JsonConstant",
    "Route",
    "VendorApi",
    "constant_position",
    "field_problem",
    "misspelt_fields",
    "refuse_constant",
]

#: The longest integer ``int()`` reads from text (Python's int-str limit): ``json`` raises past it.
INT_DIGITS = 4300
_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(NaN|Infinity)', re.DOTALL)


class JsonConstant(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` in a body: Python's ``json`` reads them, standard
    JSON (and every vendor's parser) does not."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not JSON")
        self.name = name


def refuse_constant(name: str) -> Any:
    """``json.loads(..., parse_constant=refuse_constant)``: raise :class:`JsonConstant`."""
    raise JsonConstant(name)


def constant_position(text: str) -> int:
    """Where the first ``NaN`` or ``Infinity`` outside a string starts in ``text`` (-1: none)."""
    for match in _CONSTANT.finditer(text):
        if match.group(1):
            return match.start(1)
    return -1


def misspelt_fields(body: Any, fields: Collection[str]) -> dict[str, str]:
    """The unknown fields of ``body`` that resemble a field it lacks (``pass`` for ``password``),
    each with that field. An unknown field that resembles none is left out: a vendor may read
    fields its model does not list."""
    if not isinstance(body, dict):
        return {}
    absent = [name for name in fields if name not in body]
    found = {}
    for key in body:
        if isinstance(key, str) and key not in fields:
            close = difflib.get_close_matches(key, absent, n=1, cutoff=0.5)
            if close:
                found[key] = close[0]
                absent.remove(close[0])
    return found


def field_problem(body: Any, fields: Collection[str], required: Collection[str]) -> str | None:
    """What a refused body got wrong in its field names, for the journal and the failure report
    (never for the reply, which stays the vendor's own): each field the body lacks that one of
    its unknown fields resembles, and the required fields missing. ``None`` when nothing is
    wrong with the names (or the body is not an object)."""
    if not isinstance(body, dict):
        return None
    misspelt = misspelt_fields(body, fields)
    parts = [
        f"{meant!r} was expected where the body has {_short(given)!r}"
        for given, meant in misspelt.items()
    ]
    meant = set(misspelt.values())
    parts += [f"{name!r} is missing" for name in required if name not in body and name not in meant]
    if not parts:
        return None
    return f"{'; '.join(parts)} (the fields are: {', '.join(fields)})"


def _short(key: str) -> str:
    return key if len(key) <= 40 else f"{key[:37]}..."


#: A route handler: the vendor's state and the request in, the response out.
Handler = Callable[[Any, Request], Response]


@dataclass(frozen=True, slots=True)
class Route:
    """One method and path of a vendor, the handler named after its wire operation, and its
    documentation (what the OpenAPI documents say of it)."""

    operation: str
    method: str
    path: str
    handler: Handler
    doc: OperationDoc
    #: Whether the live server's root serves it too. ``False`` when another vendor owns this
    #: method and path there (the route is reached on the vendor's hosts and base URL only).
    at_root: bool = True

    def body_problem(self, request: Request) -> str | None:
        """What ``request``'s body got wrong in its field names, read against the body model this
        route documents (see :func:`field_problem`); asked only of a refused request."""
        models = self.doc.body
        if not models:
            return None
        model = models.get(request.content_type) or next(iter(models.values()))
        found = getattr(model, "model_fields", None)  # a pydantic model; a text body has none
        if not isinstance(found, dict):
            return None
        fields = [info.alias or name for name, info in found.items()]
        required = [info.alias or name for name, info in found.items() if info.is_required()]
        body = request.parsed_body
        for given, meant in misspelt_fields(body, fields).items():
            # a password sent as "pass" is still a password: the journal must not show it
            if meant.lower() in REQUEST_SECRET_KEYS and isinstance(body[given], str):
                request.secrets.append(body[given])
        return field_problem(body, fields, required)


@dataclass(frozen=True, slots=True)
class VendorApi:
    """A vendor's HTTP surface, immutable and shared by every fake.

    ``path_prefixes`` claim the paths that are this vendor's even when no route serves them (so a
    request to ``/auth/b2b/unknown`` on the live server gets Ovok's 501, not a generic 404).
    ``error`` renders a vendor-shaped error for what the seam itself answers: 413, 500 and 501.
    """

    name: str
    routes: tuple[Route, ...]
    path_prefixes: tuple[str, ...]
    error: Callable[[int, str], Response]
    #: The vendor's tag in the OpenAPI documents.
    doc: VendorDoc
    max_body: int = 1024 * 1024
    #: The message of the 405 for ``method path`` and the methods ``allowed`` there.
    not_allowed: Callable[[str, str, tuple[str, ...]], str] = lambda method, path, allowed: (
        "Method Not Allowed"
    )

    def unserved(self, method: str, path: str) -> Response:
        """The 501 for a request on this vendor's host or paths that no route serves; it names
        the documentation page of the vendor's routes by its title (a pip install has no docs
        folder to point at)."""
        return self.error(
            501,
            f"fakeauth does not implement {method} {path} ({self.name}); the page "
            f'"{self.doc.title} routes" of fakeauth\'s documentation lists what it serves',
        )

    def method_not_allowed(self, method: str, path: str, allowed: tuple[str, ...]) -> Response:
        """The 405 for a path a route serves, asked with another method: this vendor's error
        body, and the ``Allow`` header (``allowed``, which includes ``OPTIONS``)."""
        response = self.error(405, self.not_allowed(method, path, allowed))
        response.headers.append(("Allow", ", ".join(allowed)))
        return response

    def options(self, allowed: tuple[str, ...]) -> Response:
        """The 204 of ``OPTIONS`` on a served path (not a CORS preflight): the ``Allow`` header."""
        return Response.empty(204, [("Allow", ", ".join(allowed))])

    @property
    def method_not_allowed_operation(self) -> str:
        """The journal's operation id of this vendor's 405s (and 204s to ``OPTIONS``): a served
        path's real answer, not an unserved request."""
        return f"{self.name}.method_not_allowed"

    def claims(self, path: str) -> bool:
        """Whether ``path`` belongs to this vendor."""
        return path.startswith(self.path_prefixes)

    def examples(self, route: Route) -> dict[str, Example]:
        """``route``'s examples, and the seam's for the statuses it answers itself: ``413`` (a
        body one byte over :attr:`max_body`) and each documented 5xx that has no example of
        its own (the first example's request, after ``fake.fail_next`` with that status)."""
        found = dict(route.doc.examples)
        first = next(iter(found.values()), Example("", 0))
        for status in sorted(route.doc.replies):
            if status >= 500 and all(e.status != status for e in found.values()):
                found[f"fault_{status}"] = dataclasses.replace(
                    first,
                    title=f"A fault injected with `fake.fail_next({route.operation!r})`",
                    status=status,
                    reply=self._error_body(status, f"fakeauth: injected fault ({route.operation})"),
                    reply_media="application/json",
                    fault=status,
                    times=1,
                    sequence="",
                )
        found["too_large"] = Example(
            f"A body over {self.doc.title}'s limit ({self.max_body} bytes)",
            413,
            self._error_body(413, "request entity too large"),
            path=first.path,
            body_size=self.max_body + 1,
        )
        return found

    def _error_body(self, status: int, message: str) -> Any:
        return json.loads(self.error(status, message).body)
