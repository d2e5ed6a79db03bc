"""fakeauth's OpenAPI 3.1 documents, generated from the route tables and the pydantic models.

One document per vendor (``GET /_fakeauth/openapi/ovok.json``, ``openapi_document("ovok")``), whose
server is the vendor's base URL on the live server (``/ovok``) and which lists every route of the
vendor; and the combined document (``GET /_fakeauth/openapi.json``, ``openapi_document()``), whose
server is the live server's root and which lists what the root serves: a method and path two
vendors share appears once, under its owner there. Each operation carries its operation id, path
parameters, request body content types, its success and error replies and their schemas, and the
security it needs, all taken from the :class:`~fakeauth.apis.docs.OperationDoc` its route carries
in the vendor module, with its examples (``VendorApi.examples``): every shown reply under its
status, and the request of each accepted example under its content type (its passwords and
tokens redacted as the journal redacts them; a raw-text body left out). A document depends on
the code alone (not on a fake's hosts or state), so it is built once, on first use, and kept for
the life of the process.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from fakeauth.apis.docs import Example, OperationDoc, Reply, schema_source
from fakeauth.redaction import REQUEST_SECRET_KEYS, redact
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

if TYPE_CHECKING:
    from fakeauth.apis.base import Route, VendorApi

__all__ = [
    "OPENAPI_VERSION",
    "REF_TEMPLATE",
    "VENDOR_NAMES",
    "openapi_document",
    "openapi_json",
]

OPENAPI_VERSION = "3.1.0"
#: Where a model's schema lives in the document.
REF_TEMPLATE = "#/components/schemas/{model}"

_TOO_LARGE = "The body is larger than this vendor takes (the real services' body-size limits)"
_PATH_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
#: A path parameter is one non-empty path segment.
_SEGMENT: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}

_SchemaOf = Callable[[Any, str], dict[str, Any]]

#: The vendors that have a document of their own, in the order the combined document lists them.
VENDOR_NAMES: tuple[str, ...] = tuple(vendor.name for vendor in VENDORS)


def openapi_document(
    vendor: str | None = None, vendors: tuple[Vendor, ...] = VENDORS
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``vendor``'s routes (one of ``vendors``, by name), or of every
    route the live server's root serves (``None``): a fresh copy, yours to change."""
    document: dict[str, Any] = json.loads(openapi_json(vendor, vendors))
    return document


@functools.lru_cache(maxsize=64)  # a document per vendor set and vendor: built once, kept
def openapi_json(vendor: str | None = None, vendors: tuple[Vendor, ...] = VENDORS) -> bytes:
    """:func:`openapi_document` as compact JSON, built on the first call and kept."""
    names = [record.name for record in vendors]
    if vendor is not None and vendor not in names:
        raise ValueError(
            f"fakeauth has no OpenAPI document of {vendor!r}; choose one of "
            f"{', '.join(names)}, or None for the combined document"
        )
    return json.dumps(_build(vendor, vendors), separators=(",", ":")).encode()


def _build(vendor: str | None, vendors: tuple[Vendor, ...]) -> dict[str, Any]:
    from fakeauth import __version__  # the package's own version, set in its __init__

    chosen = [record for record in vendors if vendor in (None, record.name)]
    apis = [record.api for record in chosen]
    routes = [
        (api, route) for api in apis for route in api.routes if vendor is not None or route.at_root
    ]
    schema_of, components = _schemas([route.doc for _, route in routes], apis)
    paths: dict[str, dict[str, Any]] = {}
    for api, route in routes:
        path = _PATH_PARAMETER.sub(r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(
            route, api, _PATH_PARAMETER.findall(route.path), schema_of
        )
    if vendor is None:
        title = f"fakeauth: {_listing([api.doc.title for api in apis])}"
        where = (
            "This document lists what the live server's root serves, routed by path: a method "
            "and path two vendors share appears once, under its owner there. Each vendor also "
            "has a document of its own, `/_fakeauth/openapi/<vendor>.json`, whose server is the "
            f"vendor's base URL ({_listing([f'`/{api.name}`' for api in apis])}), under which "
            "every one of its routes answers."
        )
        servers = [{"url": "/", "description": "The fake that serves this document"}]
    else:
        title = f"fakeauth: {apis[0].doc.title}"
        where = (
            f"Every {apis[0].doc.title} route fakeauth serves, as it answers under the live "
            f"server's `/{vendor}` base URL and on the vendor's hosts in process."
        )
        servers = [{"url": f"/{vendor}", "description": f"{apis[0].doc.title} on the live server"}]
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": title,
            "version": __version__,
            "summary": "A stateful fake of three vendors' account-registration and login APIs.",
            "description": (
                "What fakeauth serves, generated from its pydantic models. In process, each "
                "vendor answers on its own hosts (each tag lists the defaults). "
                f"{where} A request on a vendor path that no operation serves answers 501 in "
                "that vendor's error shape. fakeauth's own control API lives under "
                "`/_fakeauth/`, at the live server's root."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": servers,
        "tags": [
            {
                "name": record.name,
                "description": (
                    f"{record.title}. {record.api.doc.description} Default hosts: "
                    f"{', '.join(record.default_hosts)}; on the live server: `/{record.name}`."
                ),
                "x-fakeauth-hosts": list(record.default_hosts),
            }
            for record in chosen
        ],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": _security(routes, apis)},
    }


def _listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def _security(routes: list[tuple[VendorApi, Route]], apis: list[VendorApi]) -> dict[str, Any]:
    """The security schemes the routes name, as their vendors describe them."""
    used = {name for _, route in routes for names in route.doc.security for name in names}
    schemes = {name: s for api in apis for name, s in api.doc.security_schemes.items()}
    return {name: dict(scheme) for name, scheme in schemes.items() if name in used}


def _schemas(docs: list[OperationDoc], apis: list[VendorApi]) -> tuple[_SchemaOf, dict[str, Any]]:
    """Every schema the operations name, generated together so that they share components."""
    sources: dict[tuple[int, str], Any] = {}

    def collect(content: Mapping[str, Any], mode: str) -> None:
        for source in map(schema_source, content.values()):
            if not isinstance(source, dict):
                sources.setdefault((id(source), mode), source)

    for doc in docs:
        collect(doc.body or {}, "validation")
        for reply in doc.replies.values():
            collect(reply.content, "serialization")
    for api in apis:
        collect(api.doc.error, "serialization")
    keyed, top = TypeAdapter.json_schemas(
        [(key, key[1], TypeAdapter(source)) for key, source in sources.items()],  # type: ignore[misc]
        ref_template=REF_TEMPLATE,
    )
    generated: dict[tuple[int, str], dict[str, Any]] = {
        key: dict(schema) for (key, _), schema in keyed.items()
    }

    def schema_of(source: Any, mode: str) -> dict[str, Any]:
        source = schema_source(source)
        if isinstance(source, dict):
            return source
        return generated[(id(source), mode)]

    return schema_of, dict(sorted(top.get("$defs", {}).items()))


def _operation(
    route: Route, api: VendorApi, parameters: list[str], schema_of: _SchemaOf
) -> dict[str, Any]:
    doc = route.doc
    result: dict[str, Any] = {
        "operationId": route.operation,
        "tags": [api.name],
        "summary": doc.summary,
    }
    if doc.description:
        result["description"] = doc.description
    if parameters:
        result["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": dict(_SEGMENT)}
            for name in parameters
        ]
    examples = api.examples(route)
    if doc.body is not None:
        result["requestBody"] = {
            "required": doc.body_required,
            "content": {
                media: _with_examples(
                    {"schema": schema_of(source, "validation")},
                    {
                        # what the fake serves never holds a password or token in clear: the
                        # journal's redaction, and no raw-text body (a registration token)
                        name: (e.title, redact(e.body, keys=REQUEST_SECRET_KEYS))
                        for name, e in examples.items()
                        if e.status < 400 and e.media == media and isinstance(e.body, dict | list)
                    },
                )
                for media, source in doc.body.items()
            },
        }
    replies = {**doc.replies, 413: Reply(_TOO_LARGE, api.doc.error)}
    result["responses"] = {
        str(status): _response(replies[status], schema_of, examples, status)
        for status in sorted(replies)
    }
    if doc.security:
        result["security"] = [{name: [] for name in names} for names in doc.security]
    return result


def _with_examples(entry: dict[str, Any], examples: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    """A media type entry, with OpenAPI's ``examples`` (by name: summary and value) if any."""
    if examples:
        entry["examples"] = {
            name: {"summary": summary, "value": value}
            for name, (summary, value) in examples.items()
        }
    return entry


def _response(
    reply: Reply, schema_of: _SchemaOf, examples: Mapping[str, Example], status: int
) -> dict[str, Any]:
    result: dict[str, Any] = {"description": reply.description}
    if reply.headers:
        result["headers"] = {
            name: {"description": text, "required": required, "schema": {"type": "string"}}
            for name, (text, required) in reply.headers.items()
        }
    if reply.content:
        result["content"] = {
            media: _with_examples(
                {"schema": schema_of(source, "serialization")},
                {
                    name: (e.title, e.reply)
                    for name, e in examples.items()
                    if e.status == status and e.reply_media == media and e.reply is not None
                },
            )
            for media, source in reply.content.items()
        }
    return result
