"""Reply models named by :class:`~fakeauth.apis.docs.SchemaRef` (issue 25, target 2): Ovok's
reply models load with the first OpenAPI document, not with the vendor's first request, and the
documents and imports are what they were when the route table held the models themselves."""

from __future__ import annotations

import json
import subprocess
import sys

from fakeauth import FakeAuth
from fakeauth.apis import ovok as ovok_api
from fakeauth.apis import ovok_examples, ovok_replies
from fakeauth.apis.docs import ExamplesRef, OperationDoc, SchemaRef, examples_of, schema_source

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
