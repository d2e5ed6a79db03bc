"""How a route documents itself: the OpenAPI description each route carries beside its handler.

A vendor module holds everything about its operations: each :class:`~fakeauth.apis.base.Route`
carries an :class:`OperationDoc` (bodies, replies, errors, security), and each
:class:`~fakeauth.apis.base.VendorApi` a :class:`VendorDoc`; :mod:`fakeauth.openapi` generates the
documents from the route tables alone. A schema is a pydantic model, any type pydantic can describe
(``list[AccountDocument]``), or a literal JSON Schema (a ``dict``). The ``413`` of an oversized body
is added to every operation by :mod:`fakeauth.openapi`, in the vendor's error shape; the ``501`` of
an unserved path and injected faults are not described.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FORM", "JSON", "STRING", "TEXT", "OperationDoc", "Reply", "VendorDoc"]

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
TEXT = "text/plain"
#: The JSON Schema of a string.
STRING: Mapping[str, Any] = {"type": "string"}


@dataclass(frozen=True)
class Reply:
    """One documented response: its bodies by media type (none: an empty body) and headers."""

    description: str
    content: Mapping[str, Any] = field(default_factory=dict)
    #: header name -> (description, required)
    headers: Mapping[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationDoc:
    """The documentation of one operation.

    ``security`` lists the alternatives (each a tuple of scheme names, all needed together, as
    their vendor's :attr:`VendorDoc.security_schemes` names them); an empty tuple among them
    makes the credentials optional; no alternatives: none needed.
    """

    summary: str
    replies: Mapping[int, Reply]
    body: Mapping[str, Any] | None = None
    body_required: bool = True
    security: tuple[tuple[str, ...], ...] = ()
    description: str = ""


@dataclass(frozen=True)
class VendorDoc:
    """A vendor's tag: what it is, the body of its seam errors (413), and the security schemes
    its operations name (OpenAPI's ``securitySchemes``, by name)."""

    title: str
    description: str
    error: Mapping[str, Any]
    security_schemes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
