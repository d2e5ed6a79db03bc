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
from collections.abc import Mapping
from dataclasses import field
from typing import TYPE_CHECKING, Any, NamedTuple

from fakeauth.lazy import lazy_names
from fakeauth.records import FACTORY, assign, record

if TYPE_CHECKING:
    from fakeauth.apis.doc_examples import Example

__all__ = [
    "FORM",
    "JSON",
    "STRING",
    "TEXT",
    "Example",
    "ExamplesRef",
    "OperationDoc",
    "Reply",
    "SchemaRef",
    "Step",
    "VendorDoc",
    "examples_of",
    "schema_source",
]

# Example (a frozen dataclass of 17 fields: about 2 ms to define) lives with the examples, which
# only the pages, the documents and their tests read; importable from here as ever.
__getattr__, __dir__ = lazy_names(__name__, {"Example": "fakeauth.apis.doc_examples"})

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


class ExamplesRef(NamedTuple):
    """An operation's examples named by the module that defines them, the name of their mapping
    there and, for a mapping of several operations' examples, the key of this one's: imported
    when a page or document shows them, so a request never builds them (nor defines
    :class:`Example`)."""

    module: str
    name: str
    key: str = ""

    def load(self) -> Mapping[str, Example]:
        """The examples it names (imports their module)."""
        found: Any = getattr(importlib.import_module(self.module), self.name)
        examples: Mapping[str, Example] = found[self.key] if self.key else found
        return examples


def examples_of(doc: OperationDoc) -> Mapping[str, Example]:
    """``doc``'s examples, by name: what its :class:`ExamplesRef` names, or the mapping given."""
    examples = doc.examples
    return examples.load() if isinstance(examples, ExamplesRef) else examples


def schema_source(schema: Any) -> Any:
    """The schema itself: what a :class:`SchemaRef` names, anything else as given."""
    return schema.load() if isinstance(schema, SchemaRef) else schema


@record
class Reply:
    """One documented response: its bodies by media type (none: an empty body) and headers."""

    description: str
    content: Mapping[str, Any] = field(default_factory=dict)
    #: header name -> (description, required)
    headers: Mapping[str, tuple[str, bool]] = field(default_factory=dict)

    def __init__(
        self,
        description: str,
        content: Mapping[str, Any] = FACTORY,
        headers: Mapping[str, tuple[str, bool]] = FACTORY,
    ) -> None:
        assign(
            self,
            description=description,
            content=content,
            headers=headers,
        )


#: An earlier exchange an example needs: an operation id and the name of one of its examples.
Step = tuple[str, str]


@record
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
    #: Given as a mapping, or named by an :class:`ExamplesRef` (read through
    #: :func:`examples_of`).
    examples: Mapping[str, Example] | ExamplesRef = field(default_factory=dict)

    def __init__(
        self,
        summary: str,
        replies: Mapping[int, Reply],
        body: Mapping[str, Any] | None = None,
        body_required: bool = True,
        security: tuple[tuple[str, ...], ...] = (),
        description: str = "",
        examples: Mapping[str, Example] | ExamplesRef = FACTORY,
    ) -> None:
        assign(
            self,
            summary=summary,
            replies=replies,
            body=body,
            body_required=body_required,
            security=security,
            description=description,
            examples=examples,
        )


@record
class VendorDoc:
    """A vendor's tag: what it is, the body of its seam errors (413), and the security schemes
    its operations name (OpenAPI's ``securitySchemes``, by name)."""

    title: str
    description: str
    error: Mapping[str, Any]
    security_schemes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __init__(
        self,
        title: str,
        description: str,
        error: Mapping[str, Any],
        security_schemes: Mapping[str, Mapping[str, str]] = FACTORY,
    ) -> None:
        assign(
            self,
            title=title,
            description=description,
            error=error,
            security_schemes=security_schemes,
        )
