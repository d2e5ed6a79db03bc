"""Every example the route pages show is sent to a fresh fake, and answers as shown.

For each operation of every vendor and each of its examples (``VendorApi.examples``: the
operation's own, and the seam's 413 and injected 5xx), a fresh ``FakeAuth`` gets the set-up the
example states (its seed document, the earlier exchanges it names, each checked the same way, with
the values their replies carry put in place of the values they show), then the example's request
through its WSGI app. The reply must have the example's status and the shape of its body (the keys
and JSON types, recursively); a refusal (4xx, 5xx) and a text reply must be the one shown, word
for word (with the carried values in place). The examples must also agree with the
OpenAPI document: each shown body validates against the schema documented for it.
"""

from __future__ import annotations

import importlib.util
import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import jsonschema
import pytest
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth
from fakeauth.apis.base import Route
from fakeauth.apis.docs import FORM, JSON, TEXT, Example, Step
from fakeauth.openapi import openapi_document
from fakeauth.redaction import REQUEST_SECRET_KEYS, redact
from fakeauth.seeding import apply_seed
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

#: Every operation of every vendor, by operation id.
ROUTES: dict[str, tuple[Vendor, Route]] = {
    route.operation: (vendor, route) for vendor in VENDORS for route in vendor.api.routes
}
#: Every example of every operation: (operation id, example name).
STEPS: list[Step] = [
    (operation, name)
    for operation, (vendor, route) in ROUTES.items()
    for name in vendor.api.examples(route)
]


def example_of(step: Step) -> Example:
    """The example ``step`` names."""
    operation, name = step
    vendor, route = ROUTES[operation]
    return vendor.api.examples(route)[name]


def shape(value: Any) -> Any:
    """The keys and JSON types of ``value``, recursively (an array: its items' distinct shapes)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes: list[Any] = []
        for item in value:
            if shape(item) not in shapes:
                shapes.append(shape(item))
        return ["array", *shapes]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    assert value is None, f"{value!r} is not a JSON value"
    return "null"


def pairs(shown: Any, actual: Any) -> Iterator[tuple[str, str]]:
    """The strings at the same places of two values of the same shape."""
    if isinstance(shown, dict):
        for key, item in shown.items():
            yield from pairs(item, actual[key])
    elif isinstance(shown, list):
        for one, other in zip(shown, actual, strict=False):
            yield from pairs(one, other)
    elif isinstance(shown, str) and isinstance(actual, str):
        yield shown, actual


class Sequence:
    """One fresh fake, and the exchanges sent to it so far."""

    def __init__(self) -> None:
        self.fake = FakeAuth()
        # Time stands still: a lockout window or a 2FA code cannot run out between two steps.
        self.fake.clock.set(self.fake.clock.time(), frozen=True)
        self.client = Client(self.fake.wsgi_app)
        #: A value an example shows -> the value the fake gave in its place.
        self.carried: dict[str, str] = {}
        self.done: set[Step] = set()
        self.log: list[str] = []

    def run(self, step: Step) -> TestResponse:
        """Set up ``step``'s example, send it, check the reply; the (last) response."""
        operation, _ = step
        example = example_of(step)
        if example.seed:
            apply_seed(self.fake, example.seed)
        for prior in example.after:
            if prior not in self.done:
                self.run(prior)
                self.done.add(prior)
        if example.values is not None:
            self.carry(dict(example.values(self.fake)))
        if example.fault is not None:
            self.fake.fail_next(operation, example.fault)
        for _ in range(example.times):
            response = self.send(step, example)
        self.check(step, example, response)
        return response

    def send(self, step: Step, example: Example) -> TestResponse:
        vendor, route = ROUTES[step[0]]
        path = route.path
        for name, value in example.path.items():
            path = path.replace(f"<{name}>", self.put(value))
        assert "<" not in path, f"{step}: the example gives no value for a parameter of {path}"
        headers = {name: self.put(value) for name, value in example.headers.items()}
        data: bytes | None = None
        if example.body_size:
            data = b" " * example.body_size
        elif isinstance(example.body, str):
            data = self.put(example.body).encode()
        elif example.body is not None and example.media == FORM:
            data = urlencode(self.put(example.body)).encode()
        elif example.body is not None:
            data = json.dumps(self.put(example.body)).encode()
        if data is not None:
            headers.setdefault("Content-Type", example.media)
        host = vendor.default_hosts[0]
        self.log.append(f"{route.method} {host}{path} {headers} {data!r:.200}")
        return self.client.open(
            path, base_url=host, method=route.method, headers=headers, data=data
        )

    def put(self, value: Any) -> Any:
        """``value`` with every carried value in place of the one shown."""
        if isinstance(value, dict):
            return {key: self.put(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.put(item) for item in value]
        if isinstance(value, str):
            for shown in sorted(self.carried, key=len, reverse=True):
                value = value.replace(shown, self.carried[shown])
        return value

    def carry(self, values: dict[str, str]) -> None:
        for shown, actual in values.items():
            if shown == actual:
                continue
            assert self.carried.get(shown, actual) == actual, (
                f"the examples show {shown!r} for two different values: show each its own"
            )
            self.carried[shown] = actual

    def check(self, step: Step, example: Example, response: TestResponse) -> None:
        where = f"{step}: after {self.log}"
        assert response.status_code == example.status, f"{where}: {response.get_data(True)}"
        if example.reply is None:
            assert response.get_data() == b"", where
        elif example.reply_media == TEXT:
            assert response.mimetype == TEXT, where
            assert response.get_data(as_text=True) == example.reply, where
        else:
            assert response.mimetype == JSON, where
            actual = response.get_json()
            assert shape(actual) == shape(example.reply), f"{where}: {actual}"
            if example.status >= 400:  # a refusal is shown word for word
                assert actual == self.put(example.reply), f"{where}: {actual}"
            self.carry(dict(pairs(example.reply, actual)))


@pytest.mark.parametrize("step", STEPS, ids=[f"{op}:{name}" for op, name in STEPS])
def test_every_example_answers_as_shown(step: Step) -> None:
    sequence = Sequence()

    sequence.run(step)

    assert sequence.fake.handler_errors == []


# -- the examples agree with the documents ----------------------------------------------------

DOCUMENTS = {vendor.name: openapi_document(vendor.name) for vendor in VENDORS}


def _operation(step: Step) -> dict[str, Any]:
    vendor, route = ROUTES[step[0]]
    path = route.path.replace("<", "{").replace(">", "}")
    operation: dict[str, Any] = DOCUMENTS[vendor.name]["paths"][path][route.method.lower()]
    return operation


def _valid(schema: dict[str, Any], value: Any, vendor: str) -> None:
    root = {**schema, "components": DOCUMENTS[vendor]["components"]}
    jsonschema.Draft202012Validator(root).validate(value)


@pytest.mark.parametrize("step", STEPS, ids=[f"{op}:{name}" for op, name in STEPS])
def test_every_shown_reply_fits_the_documented_schema(step: Step) -> None:
    example = example_of(step)
    vendor = ROUTES[step[0]][0].name
    reply = _operation(step)["responses"][str(example.status)]

    if example.reply is None:
        assert "content" not in reply, f"{step}: the reply is documented with a body"
    else:
        schema = reply["content"][example.reply_media]["schema"]
        _valid(schema, example.reply, vendor)


REQUESTS = [s for s in STEPS if example_of(s).status < 400 and example_of(s).body is not None]


@pytest.mark.parametrize("step", REQUESTS, ids=[f"{op}:{name}" for op, name in REQUESTS])
def test_every_accepted_request_fits_the_documented_schema(step: Step) -> None:
    example = example_of(step)
    vendor = ROUTES[step[0]][0].name

    content = _operation(step)["requestBody"]["content"]

    _valid(content[example.media]["schema"], example.body, vendor)


def test_every_documented_status_has_an_example() -> None:
    missing = [
        f"{operation} {status}"
        for operation, (vendor, route) in ROUTES.items()
        for status in (*route.doc.replies, 413)
        if all(e.status != status for e in vendor.api.examples(route).values())
    ]

    assert missing == []


@pytest.mark.parametrize("step", STEPS, ids=[f"{op}:{name}" for op, name in STEPS])
def test_the_documents_carry_every_shown_reply(step: Step) -> None:
    example = example_of(step)
    responses = _operation(step)["responses"][str(example.status)]

    shown = responses.get("content", {}).get(example.reply_media, {}).get("examples", {})

    if example.reply is None:
        assert shown == {}
    else:
        assert shown[step[1]] == {"summary": example.title, "value": example.reply}


@pytest.mark.parametrize("step", REQUESTS, ids=[f"{op}:{name}" for op, name in REQUESTS])
def test_the_documents_carry_every_accepted_request_its_secrets_redacted(step: Step) -> None:
    example = example_of(step)

    content = _operation(step)["requestBody"]["content"][example.media]

    shown = content.get("examples", {}).get(step[1])
    if isinstance(example.body, str):  # a raw registration token is a secret in itself
        assert shown is None
    else:
        value = redact(example.body, keys=REQUEST_SECRET_KEYS)
        assert shown == {"summary": example.title, "value": value}


def _passwords(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if "password" in key.lower() and isinstance(item, str):
                yield item
            yield from _passwords(item)
    elif isinstance(value, list):
        for item in value:
            yield from _passwords(item)


def test_the_documents_the_fake_serves_hold_no_password_or_raw_token_of_an_example() -> None:
    secrets = {s for step in STEPS for s in _passwords(example_of(step).body)}
    secrets |= {b for step in STEPS if isinstance(b := example_of(step).body, str) and b[:1] != "{"}
    served = json.dumps([openapi_document(), *DOCUMENTS.values()])

    assert sorted(s for s in secrets if s and s in served) == []


# -- the route pages show them --------------------------------------------------------------------


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks_pages", ROOT / "docs/_hooks/pages.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROOT = Path(__file__).parent.parent
PAGES: dict[str, str] = {vendor.name: _hook().route_page(vendor.name) for vendor in VENDORS}


def _section(operation: str) -> str:
    """The part of its vendor's route page that documents ``operation``."""
    page = PAGES[ROUTES[operation][0].name]
    start = page.index(f"{{#{operation.replace('.', '-').replace('_', '-')}}}")
    end = page.find("\n## ", start)
    return page[start:end]


@pytest.mark.parametrize("step", STEPS, ids=[f"{op}:{name}" for op, name in STEPS])
def test_every_example_is_on_its_route_page(step: Step) -> None:
    example = example_of(step)

    section = _section(step[0])

    assert f"**Example:** {example.title}." in section
    status = f"HTTP/1.1 {example.status} "
    assert status in section
    if example.reply is not None and example.reply_media == JSON:
        assert _shown(example.reply, section)
    if isinstance(example.body, dict):
        assert _shown(example.body, section)


def _shown(value: Any, section: str) -> bool:
    """Whether ``value`` is on the page as a JSON block (indented, when it is a numbered step)."""
    block = json.dumps(value, indent=2, ensure_ascii=False)
    return block in section or textwrap.indent(block, "    ") in section


def _steps(section: str) -> list[str]:
    return re.findall(r"^\d+\. \[`(\w+ [^`]+)`\]", section, re.M)


def test_the_b2core_wizards_are_shown_step_by_step() -> None:
    signup, signin = _section("b2core.signup"), _section("b2core.signin")
    google = _section("b2core.2fa_google")

    assert "*Sign-up, step by step*" in signup
    assert _steps(signup) == ["POST /api/v2/my/signup/wizard", "POST /api/v2/my/signup"]
    assert "*Sign-in, step by step*" in signin
    assert _steps(signin) == ["GET /api/v2/my/signin/wizard", "POST /api/v2/my/signin"]
    assert _steps(google) == [
        "GET /api/v2/my/signin/wizard",
        "POST /api/v2/my/signin",
        "POST /api/v2/my/2fa/google",
    ]


def test_the_uuid_a_wizard_answers_is_the_one_the_next_step_sends() -> None:
    opened = example_of(("b2core.signup_wizard", "ok")).reply["uuid"]

    signup = example_of(("b2core.signup", "ok"))

    assert signup.body["uuid"] == opened
    assert signup.reply["uuid"] == opened
    assert _section("b2core.signup").count(f'"uuid": "{opened}"') >= 3


def test_the_waltid_role_ids_are_documented_on_the_route_that_takes_them() -> None:
    section = _section("waltid.admin_account_roles_add")

    assert "A role id is `<organization>.admin`" in section
    assert (
        "POST /v1/admin/account/7e2a4c6b-1d3f-4a5e-8b7c-9d0e1f2a3b4c/roles/add/acme/acme.admin"
        in (section)
    )


def test_nested_reply_fields_are_rows_of_the_reply_table() -> None:
    register, me = _section("ovok.b2b_register"), _section("ovok.me")

    assert "| `project.reference` | string | yes |" in register
    assert "| `profile.display` | string | yes |" in register
    assert "| `profile.name[].given` | array of string | yes |" in me
    assert "| `security.sessions[].remoteAddress` | string | yes |" in me


def test_every_example_shown_step_by_step_has_steps_before_it() -> None:
    alone = [step for step in STEPS if example_of(step).sequence and not example_of(step).after]

    assert alone == []


def test_no_reply_body_is_only_a_link_to_its_schema() -> None:
    linked = [
        f"{vendor}: {line}"
        for vendor, page in PAGES.items()
        for line in re.findall(r"^Body \(`[^`]+`\): \[.*$", page, re.M)
    ]

    assert linked == []


@pytest.mark.parametrize(
    ("operation", "status", "rows"),
    [
        (
            "ovok.b2b_login",
            401,
            ["| `statusCode` | integer | yes |", "| `message` | string | yes |"],
        ),
        (
            "b2core.signup",
            400,
            [
                "| `data.errors` | object of array of string | yes | in `FieldErrorsData` |",
                "| `data.message` | string | yes | in `MessageData` |",
            ],
        ),
        ("waltid.emailpass_login", 401, ["| `exception` | `true` | yes |", "| `message` |"]),
    ],
)
def test_a_refusals_fields_are_rows_of_its_reply(
    operation: str, status: int, rows: list[str]
) -> None:
    section = _section(operation)

    reply = section[section.index(f"#### `{status}`") :]
    reply = reply[: reply.find("**Example:**")]

    assert [row for row in rows if row not in reply] == []


#: The example requests of the vendors' own pages, as those pages print them: Ovok's register and
#: login pages, B2Core's registration page (the wizard, then its page), walt.id's create-account
#: page (both its protected and its unprotected route send the same body).
_MAX_OVOK = {"email": "max.mustermann@example.com", "password": "A[.DmUv]2vE|n_+]"}
_OVOK_TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
_MAX_WALTID = {
    "profile": {
        "name": "Max Mustermann",
        "email": "max.mustermann@example.org",
        "addressCountry": "AT",
        "address": "Liechtensteinstraße 111/115, 1090 Vienna",
    },
    "preferences": {"timeZone": "UTC", "languagePreference": "EN"},
    "initialAuth": {
        "type": "email",
        "identifier": {"type": "email", "email": "max.mustermann@example.org"},
        "data": {"type": "email", "password": "password123456"},
    },
}
VENDOR_PAGE_REQUESTS = {
    ("ovok.b2b_register", "ok"): {
        **_MAX_OVOK,
        "name": "Max",
        "surname": "Mustermann",
        "tenantId": _OVOK_TENANT,
        "clientId": _OVOK_TENANT,
    },
    ("ovok.b2b_login", "ok"): {**_MAX_OVOK, "clientId": _OVOK_TENANT, "tenantId": _OVOK_TENANT},
    ("b2core.signup_wizard", "ok"): {
        "url": "https://host.name/register/{registration}/{code}",
        "utm": {"referral": "29734fc149dc93809d18f49ae970810a"},
    },
    ("b2core.signup", "ok"): {
        "uuid": "36f59381-5b54-48bd-a0c7-3b908c476732",
        "email": "foo@bar.com",
        "password": "Secret123",
        "password_confirmation": "Secret123",
        "device_fingerprint": "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj",
        "addresses": {"0": {"country_code": "16"}},
        "info": {"familyName": "Brown", "givenName": "John"},
    },
    ("waltid.admin_account_register", "ok"): _MAX_WALTID,
    ("waltid.account_register", "ok"): _MAX_WALTID,
}


@pytest.mark.parametrize("step", list(VENDOR_PAGE_REQUESTS), ids=lambda step: ":".join(step))
def test_where_a_vendors_page_shows_a_request_the_example_is_that_request(step: Step) -> None:
    assert example_of(step).body == VENDOR_PAGE_REQUESTS[step]
