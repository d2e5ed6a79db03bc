"""How a route documents itself: the OpenAPI description each route carries beside its handler.

A vendor module holds everything about its operations: each :class:`~fakeauth.apis.base.Route`
carries an :class:`OperationDoc` (bodies, replies, errors, security), and each
:class:`~fakeauth.apis.base.VendorApi` a :class:`VendorDoc`; :mod:`fakeauth.openapi` generates the
documents from the route tables alone. A schema is a pydantic model, any type pydantic can describe
(``list[AccountDocument]``), a literal JSON Schema (a ``dict``), or a :class:`SchemaRef` naming a
model that only the documents read (a reply), imported when a document is generated. The ``413``
of an oversized body is added to every operation by :mod:`fakeauth.openapi`, in the vendor's error
shape; the ``501`` of an unserved path and injected faults are not described.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = [
    "FORM",
    "JSON",
    "STRING",
    "TEXT",
    "Example",
    "OperationDoc",
    "Reply",
    "SchemaRef",
    "Step",
    "VendorDoc",
    "schema_source",
]

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
TEXT = "text/plain"
#: The JSON Schema of a string.
STRING: Mapping[str, Any] = {"type": "string"}


class SchemaRef(NamedTuple):
    """A schema named by the module that defines it and its name there, imported when a
    document is generated: a vendor's reply models, which no request reads, are not loaded by
    the vendor's first request (``SchemaRef("fakeauth.apis.ovok_replies", "MeResponse")``)."""

    module: str
    name: str

    def load(self) -> Any:
        """The schema it names (imports its module)."""
        return getattr(importlib.import_module(self.module), self.name)


def schema_source(schema: Any) -> Any:
    """The schema itself: what a :class:`SchemaRef` names, anything else as given."""
    return schema.load() if isinstance(schema, SchemaRef) else schema


@dataclass(frozen=True)
class Reply:
    """One documented response: its bodies by media type (none: an empty body) and headers."""

    description: str
    content: Mapping[str, Any] = field(default_factory=dict)
    #: header name -> (description, required)
    headers: Mapping[str, tuple[str, bool]] = field(default_factory=dict)


#: An earlier exchange an example needs: an operation id and the name of one of its examples.
Step = tuple[str, str]


@dataclass(frozen=True)
class Example:
    """One exchange of an operation a user can copy: the request, and the reply (``status``,
    body) a fresh fake gives it after the set-up the example states.

    The set-up: ``seed`` (a seed document, as ``fakeauth serve --seed`` reads) is added to the
    fake, then the exchanges ``after`` names are sent in order (each after its own set-up, run
    once per sequence). A value an earlier reply shows (a wizard ``uuid``, a token, an account
    id) and this request uses stands for the value that reply really carries. ``values`` gives
    the fake's own value of what no reply carries (a 2FA code): shown value -> the fake's, read
    from the fake it is handed. The request is sent ``times`` times; the reply shown is the
    last one's. ``body_size``: the body is that many bytes, not shown (a body over the limit).
    ``fault``: the status injected first with ``fake.fail_next``. ``sequence``: a title under
    which the page shows every exchange of the set-up, step by step, before this one.
    """

    title: str
    status: int
    #: The reply's body: a JSON value, the text of a ``text/plain`` reply, ``None``: empty.
    reply: Any = None
    reply_media: str = JSON
    #: The request's body: a JSON value, a text (``media`` says which), ``None``: none.
    body: Any = None
    media: str = JSON
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The path parameters, by name.
    path: Mapping[str, str] = field(default_factory=dict)
    seed: Mapping[str, Any] = field(default_factory=dict)
    after: tuple[Step, ...] = ()
    values: Callable[[Any], Mapping[str, str]] | None = None
    #: What ``values`` stands for, in words, for the page.
    note: str = ""
    times: int = 1
    body_size: int = 0
    fault: int | None = None
    sequence: str = ""


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
    #: The examples of the operation, by name (the name OpenAPI's ``examples`` use): one or more
    #: per documented status; :func:`fakeauth.apis.base.VendorApi.examples` adds the seam's.
    examples: Mapping[str, Example] = field(default_factory=dict)


@dataclass(frozen=True)
class VendorDoc:
    """A vendor's tag: what it is, the body of its seam errors (413), and the security schemes
    its operations name (OpenAPI's ``securitySchemes``, by name)."""

    title: str
    description: str
    error: Mapping[str, Any]
    security_schemes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
