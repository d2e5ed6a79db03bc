"""fakeauth's OpenAPI 3.1 document: every vendor route, generated from the pydantic models.

``GET /_fakeauth/openapi.json`` serves it; :func:`openapi_document` hands it to Python. Each route
of :func:`fakeauth.wsgi.route_table` appears with its operation id, path parameters, request body
content types, its success and error replies and their schemas, and the security it needs; the
operations are described in :mod:`fakeauth.openapi_operations`. The document depends on the code
alone (not on a fake's hosts or state), so it is built once, on first use, and kept for the life
of the process.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import TypeAdapter

from fakeauth.hosts import DEFAULT_HOSTS
from fakeauth.openapi_operations import OPERATIONS, VENDORS, OperationDoc, Reply

__all__ = [
    "OPENAPI_VERSION",
    "REF_TEMPLATE",
    "SECURITY_SCHEMES",
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


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every vendor route (a fresh copy, yours to change)."""
    document: dict[str, Any] = json.loads(openapi_json())
    return document


@functools.cache
def openapi_json() -> bytes:
    """The OpenAPI document as compact JSON, built on the first call and kept."""
    return json.dumps(_build(), separators=(",", ":")).encode()


def _build() -> dict[str, Any]:
    from fakeauth import __version__
    from fakeauth.wsgi import VENDOR_APIS  # the seam imports this module (the control API)

    routes = [(api.name, route) for api in VENDOR_APIS for route in api.routes]
    missing = [route.operation for _, route in routes if route.operation not in OPERATIONS]
    if missing:
        raise RuntimeError(
            f"fakeauth: no OpenAPI description of {', '.join(missing)}; "
            "add one to fakeauth/openapi_operations.py"
        )
    schema_of, components = _schemas([OPERATIONS[route.operation] for _, route in routes])
    paths: dict[str, dict[str, Any]] = {}
    for vendor, route in routes:
        path = _PATH_PARAMETER.sub(r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(
            route.operation, vendor, _PATH_PARAMETER.findall(route.path), schema_of
        )
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "fakeauth: the Ovok, B2Core and walt.id auth APIs",
            "version": __version__,
            "summary": "A stateful fake of three vendors' account-registration and login APIs.",
            "description": (
                "What fakeauth serves, generated from its pydantic models. In process, each "
                "vendor answers on its own hosts (each tag lists the defaults); the live server "
                "(`fakeauth serve`, `fake.serve()`) serves every vendor on one port, routed by "
                "path. A request on a vendor path that no operation serves answers 501 in that "
                "vendor's error shape. fakeauth's own control API lives under `/_fakeauth/`."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/", "description": "The fake that serves this document"}],
        "tags": [
            {
                "name": name,
                "description": (
                    f"{vendor.title}. {vendor.description} Default hosts: "
                    f"{', '.join(DEFAULT_HOSTS[name])}."
                ),
                "x-fakeauth-hosts": list(DEFAULT_HOSTS[name]),
            }
            for name, vendor in VENDORS.items()
        ],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": dict(SECURITY_SCHEMES)},
    }


def _schemas(docs: list[OperationDoc]) -> tuple[_SchemaOf, dict[str, Any]]:
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
    for vendor in VENDORS.values():
        collect(vendor.error, "serialization")
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
    operation: str, vendor: str, parameters: list[str], schema_of: _SchemaOf
) -> dict[str, Any]:
    doc = OPERATIONS[operation]
    result: dict[str, Any] = {"operationId": operation, "tags": [vendor], "summary": doc.summary}
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
    replies = {**doc.replies, 413: Reply(_TOO_LARGE, VENDORS[vendor].error)}
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
