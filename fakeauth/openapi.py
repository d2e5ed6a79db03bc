"""fakeauth's OpenAPI 3.1 documents, generated from the route tables and the pydantic models.

One document per vendor (``GET /_fakeauth/openapi/ovok.json``, ``openapi_document("ovok")``), whose
server is the vendor's base URL on the live server (``/ovok``) and which lists every route of the
vendor; and the combined document (``GET /_fakeauth/openapi.json``, ``openapi_document()``), whose
server is the live server's root and which lists what the root serves: a method and path two
vendors share appears once, under its owner there. Each operation carries its operation id, path
parameters, request body content types, its success and error replies and their schemas, and the
security it needs, all taken from the :class:`~fakeauth.apis.docs.OperationDoc` its route carries
in the vendor module. A document depends on the code alone (not on a fake's hosts or state), so it
is built once, on first use, and kept for the life of the process.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from fakeauth.hosts import DEFAULT_HOSTS, VENDORS

if TYPE_CHECKING:
    from fakeauth.apis.base import Route, VendorApi
from fakeauth.apis.docs import OperationDoc, Reply

__all__ = [
    "OPENAPI_VERSION",
    "REF_TEMPLATE",
    "SECURITY_SCHEMES",
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

#: Every security scheme the operations name (see ``OperationDoc.security``).
SECURITY_SCHEMES: Mapping[str, dict[str, str]] = {
    "ovokBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An Ovok access token (HS256), from login, register or refresh.",
    },
    "b2coreBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A B2Core access token of this broker (HS256, 20 minutes).",
    },
    "waltidBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A walt.id login token (EdDSA), from `POST /auth/account/emailpass`.",
    },
    "waltidCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "ktor-authnz-auth",
        "description": "The cookie a walt.id login sets (the token itself).",
    },
    "waltidHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "ktor-authnz-auth",
        "description": "ktor-authnz's own header: the token, without `Bearer `.",
    },
    "waltidBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "The email and password of a walt.id login, as a Basic header.",
    },
}


#: The vendors that have a document of their own, in the order the combined document lists them.
VENDOR_NAMES = VENDORS


def openapi_document(vendor: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``vendor``'s routes (``"ovok"``, ``"b2core"``, ``"waltid"``),
    or of every route the live server's root serves (``None``): a fresh copy, yours to change."""
    document: dict[str, Any] = json.loads(openapi_json(vendor))
    return document


@functools.cache
def openapi_json(vendor: str | None = None) -> bytes:
    """:func:`openapi_document` as compact JSON, built on the first call and kept."""
    if vendor is not None and vendor not in VENDOR_NAMES:
        raise ValueError(
            f"fakeauth has no OpenAPI document of {vendor!r}; choose one of "
            f"{', '.join(VENDOR_NAMES)}, or None for the combined document"
        )
    return json.dumps(_build(vendor), separators=(",", ":")).encode()


def _build(vendor: str | None) -> dict[str, Any]:
    from fakeauth import __version__
    from fakeauth.wsgi import VENDOR_APIS  # the seam imports this module (the control API)

    apis = [api for api in VENDOR_APIS if vendor in (None, api.name)]
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
        title = "fakeauth: the Ovok, B2Core and walt.id auth APIs"
        where = (
            "This document lists what the live server's root serves, routed by path: a method "
            "and path two vendors share appears once, under its owner there (walt.id owns "
            "`POST /auth/logout`). Each vendor also has a document of its own, "
            "`/_fakeauth/openapi/<vendor>.json`, whose server is the vendor's base URL "
            "(`/ovok`, `/b2core`, `/waltid`), under which every one of its routes answers."
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
                "name": api.name,
                "description": (
                    f"{api.doc.title}. {api.doc.description} Default hosts: "
                    f"{', '.join(DEFAULT_HOSTS[api.name])}; on the live server: `/{api.name}`."
                ),
                "x-fakeauth-hosts": list(DEFAULT_HOSTS[api.name]),
            }
            for api in apis
        ],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": _security(routes)},
    }


def _security(routes: list[tuple[VendorApi, Route]]) -> dict[str, Any]:
    """The security schemes the routes name (all of them in the combined document)."""
    used = {name for _, route in routes for names in route.doc.security for name in names}
    return {name: dict(scheme) for name, scheme in SECURITY_SCHEMES.items() if name in used}


def _schemas(docs: list[OperationDoc], apis: list[VendorApi]) -> tuple[_SchemaOf, dict[str, Any]]:
    """Every schema the operations name, generated together so that they share components."""
    sources: dict[tuple[int, str], Any] = {}

    def collect(content: Mapping[str, Any], mode: str) -> None:
        for source in content.values():
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
    if doc.body is not None:
        result["requestBody"] = {
            "required": doc.body_required,
            "content": {
                media: {"schema": schema_of(source, "validation")}
                for media, source in doc.body.items()
            },
        }
    replies = {**doc.replies, 413: Reply(_TOO_LARGE, api.doc.error)}
    result["responses"] = {
        str(status): _response(replies[status], schema_of) for status in sorted(replies)
    }
    if doc.security:
        result["security"] = [{name: [] for name in names} for names in doc.security]
    return result


def _response(reply: Reply, schema_of: _SchemaOf) -> dict[str, Any]:
    result: dict[str, Any] = {"description": reply.description}
    if reply.headers:
        result["headers"] = {
            name: {"description": text, "required": required, "schema": {"type": "string"}}
            for name, (text, required) in reply.headers.items()
        }
    if reply.content:
        result["content"] = {
            media: {"schema": schema_of(source, "serialization")}
            for media, source in reply.content.items()
        }
    return result
