"""What every vendor module gives the WSGI seam: its routes and its error rendering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakeauth.http import Request, Response

__all__ = ["Handler", "Route", "VendorApi"]

#: A route handler: the vendor's state and the request in, the response out.
Handler = Callable[[Any, Request], Response]


@dataclass(frozen=True, slots=True)
class Route:
    """One method and path of a vendor, and the handler named after its wire operation."""

    operation: str
    method: str
    path: str
    handler: Handler


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
    max_body: int = 1024 * 1024

    def unserved(self, method: str, path: str) -> Response:
        """The 501 for a request on this vendor's host or paths that no route serves."""
        return self.error(
            501, f"fakeauth does not implement {method} {path} ({self.name}); see docs/fidelity.md"
        )

    def claims(self, path: str) -> bool:
        """Whether ``path`` belongs to this vendor."""
        return path.startswith(self.path_prefixes)

    def state_of(self, fake: Any) -> Any:
        """This vendor's state inside ``fake``."""
        return getattr(fake, self.name)
