"""How a request names its lane: the header, the path prefix, the rule of a lane's name, and the
refusal the lanes answer with. Shared by the lanes (:mod:`fakeauth.lanes`) and their WSGI
application (:mod:`fakeauth.lanes_app`)."""

from __future__ import annotations

import re

from fakeauth.errors import ConfigurationError

__all__ = ["LANE_HEADER", "LANE_PREFIX", "Refused", "check_lane_name"]

#: The request header that picks a lane.
LANE_HEADER = "X-Fakeauth-Lane"
#: The path prefix that picks a lane: ``/_lanes/NAME/...``.
LANE_PREFIX = "/_lanes/"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_NAME_RULE = (
    "a lane name is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a "
    "letter or a digit"
)


def check_lane_name(name: str) -> str:
    """``name`` when it is a valid lane name; else raises :class:`ConfigurationError`."""
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        shown = repr(name[:80]) if isinstance(name, str) else type(name).__name__
        raise ConfigurationError(f"{shown} is not a lane name: {_NAME_RULE}")
    return name


class Refused(Exception):
    """A request the lanes cannot serve: the status and the sentence to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
