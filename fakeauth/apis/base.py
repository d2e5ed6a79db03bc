"""What every vendor module gives the WSGI seam: its routes and its error rendering."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakeauth.apis.docs import OperationDoc, VendorDoc
from fakeauth.http import Request, Response

__all__ = [
    "INT_DIGITS",
    "Handler",
    "JsonConstant",
    "Route",
    "VendorApi",
    "constant_position",
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

    def state_of(self, fake: Any) -> Any:
        """This vendor's state inside ``fake``."""
        return getattr(fake, self.name)
