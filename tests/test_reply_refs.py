"""Reply models named by :class:`~fakeauth.apis.docs.SchemaRef` (issue 25, target 2): Ovok's
reply models load with the first OpenAPI document, not with the vendor's first request, and the
documents and imports are what they were when the route table held the models themselves."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import Any

from fakeauth import FakeAuth
from fakeauth.apis import ovok as ovok_api
from fakeauth.apis import ovok_examples, ovok_replies
from fakeauth.apis.base import Route, VendorApi
from fakeauth.apis.docs import (
    ExamplesRef,
    OperationDoc,
    Reply,
    SchemaRef,
    examples_of,
    schema_source,
)
from fakeauth.openapi import openapi_json
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

ME = SchemaRef("fakeauth.apis.ovok_replies", "MeResponse")
LITERAL = {"type": "string"}
LOGIN_REPLY = {"accessToken", "refreshToken", "expiresIn", "project", "profile"}

FIRST_REQUEST = """
import json, sys
from werkzeug.test import Client
from fakeauth import FakeAuth

fake = FakeAuth()
reply = Client(fake.wsgi_app).get("/auth/me", base_url="https://api.dev.ovok.com")
loaded = "fakeauth.apis.ovok_replies" in sys.modules
print(json.dumps({"status": reply.status_code, "loaded": loaded}))
"""


def test_a_schema_ref_gives_the_model_it_names() -> None:
    assert ME.load() is ovok_replies.MeResponse
    assert schema_source(ME) is ovok_replies.MeResponse


def test_any_other_schema_is_its_own_source() -> None:
    assert schema_source(LITERAL) is LITERAL
    assert schema_source(ovok_replies.TokenResponse) is ovok_replies.TokenResponse


def test_the_reply_models_stay_importable_from_the_ovok_api() -> None:
    from fakeauth.apis.ovok import MeResponse, RegisterLoginResponse, TokenResponse

    assert MeResponse is ovok_replies.MeResponse
    assert RegisterLoginResponse is ovok_replies.RegisterLoginResponse
    assert TokenResponse is ovok_replies.TokenResponse
    assert {"MeResponse", "RegisterLoginResponse", "TokenResponse"} <= set(dir(ovok_api))


def test_the_login_reply_is_documented_from_the_model_the_ref_names() -> None:
    document = FakeAuth().openapi("ovok")

    reply = document["paths"]["/auth/b2b/login"]["post"]["responses"]["200"]
    schema = reply["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/RegisterLoginResponse"}
    shown = document["components"]["schemas"]["RegisterLoginResponse"]
    assert set(shown["properties"]) == LOGIN_REPLY


def test_a_first_ovok_request_loads_no_reply_model() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    assert json.loads(done.stdout) == {"status": 401, "loaded": False}


def test_an_examples_ref_gives_the_examples_it_names() -> None:
    login = ExamplesRef("fakeauth.apis.ovok_examples", "LOGIN")
    logout = ExamplesRef("fakeauth.apis.ovok_examples", "LOGOUT", "ovok.logout")

    assert login.load() is ovok_examples.LOGIN
    assert logout.load() is ovok_examples.LOGOUT["ovok.logout"]


def test_the_examples_of_a_doc_are_those_its_ref_names_or_those_given() -> None:
    named = OperationDoc("Log in", {}, examples=ExamplesRef("fakeauth.apis.ovok_examples", "ME"))
    given = OperationDoc("Log in", {}, examples=ovok_examples.ME)

    assert examples_of(named) is ovok_examples.ME
    assert examples_of(given) is ovok_examples.ME


def test_every_ovok_route_shows_the_examples_its_module_defines() -> None:
    routes = {route.operation: route for route in ovok_api.API.routes}
    expected = {
        "ovok.b2b_register": ovok_examples.REGISTER,
        "ovok.b2b_login": ovok_examples.LOGIN,
        "ovok.refresh_token": ovok_examples.REFRESH,
        "ovok.logout": ovok_examples.LOGOUT["ovok.logout"],
        "ovok.auth_logout": ovok_examples.LOGOUT["ovok.auth_logout"],
        "ovok.me": ovok_examples.ME,
    }

    assert {op: examples_of(route.doc) for op, route in routes.items()} == expected


def _resolved(content: Any) -> dict[str, Any]:
    return {media: schema_source(source) for media, source in content.items()}


def _with_models(route: Route) -> Route:
    """``route`` with every model and example its doc names given directly, as before the refs."""
    replies = {
        status: dataclasses.replace(reply, content=_resolved(reply.content))
        for status, reply in route.doc.replies.items()
    }
    doc = dataclasses.replace(route.doc, replies=replies, examples=dict(examples_of(route.doc)))
    return dataclasses.replace(route, doc=doc)


def test_the_openapi_documents_are_byte_for_byte_those_of_the_models_given_directly() -> None:
    api: VendorApi = ovok_api.API
    direct_api = dataclasses.replace(
        api,
        routes=tuple(_with_models(route) for route in api.routes),
        doc=dataclasses.replace(api.doc, error=_resolved(api.doc.error)),
    )
    ovok = VENDORS[0]
    direct: Vendor = dataclasses.replace(ovok, api=direct_api)
    assert not any(
        isinstance(source, SchemaRef)
        for route in direct_api.routes
        for reply in route.doc.replies.values()
        for source in reply.content.values()
    )
    assert all(
        isinstance(r, Reply) for route in direct_api.routes for r in route.doc.replies.values()
    )

    for vendor in ("ovok", None):
        assert openapi_json(vendor, (direct, *VENDORS[1:])) == openapi_json(vendor, VENDORS)
