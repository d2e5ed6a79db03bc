"""A served path asked with another method answers the vendor's 405 (issue 13 §3).

The answer carries ``Allow`` and the vendor's error body; it is journaled as the vendor's
``<vendor>.method_not_allowed`` (served: it is the vendor's real answer, so it never trips the
unserved-request check). A path no route serves, or another vendor's path on a vendor's host,
still answers 501. ``OPTIONS`` without a CORS preflight answers 204 with ``Allow``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import requests
from hardening import HOSTS
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.wsgi import route_table

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE")
_TAKEN: defaultdict[str, set[str]] = defaultdict(set)
for _, _method, _path in route_table():
    _TAKEN[_path].add(_method)


def _allow(path: str) -> str:
    """The ``Allow`` of a served path: its methods, ``HEAD`` with ``GET``, and ``OPTIONS``."""
    taken = _TAKEN[path] | {"OPTIONS"} | ({"HEAD"} if "GET" in _TAKEN[path] else set())
    return ", ".join(sorted(taken))


#: Every (vendor, served path without parameters, a method it does not take, its ``Allow``).
NOT_TAKEN = sorted(
    {
        (operation.split(".")[0], path, method, _allow(path))
        for operation, _, path in route_table()
        if "<" not in path
        for method in METHODS
        if method not in _TAKEN[path]
    }
)


def _open(fake: FakeAuth, method: str, path: str, vendor: str, **headers: str) -> Any:
    return Client(fake.wsgi_app).open(path, method=method, base_url=HOSTS[vendor], headers=headers)


@pytest.mark.parametrize(
    ("vendor", "method", "path", "body"),
    [
        (
            "ovok",
            "TRACE",
            "/auth/b2b/login",
            {
                "statusCode": 405,
                "message": "Cannot TRACE /auth/b2b/login",
                "error": "Method Not Allowed",
            },
        ),
        (
            "b2core",
            "DELETE",
            "/api/v2/my/signup",
            {
                "code": 405,
                "data": {
                    "message": 'No route found for "DELETE /api/v2/my/signup": Method Not Allowed '
                    "(Allow: OPTIONS, POST)"
                },
                "done": False,
                "uuid": None,
                "workflow": None,
            },
        ),
        (
            "waltid",
            "GET",
            "/v1/account/register",
            {
                "exception": True,
                "id": "MethodNotAllowedException",
                "status": "Method Not Allowed",
                "code": "405",
                "message": "Method Not Allowed",
            },
        ),
    ],
)
@pytest.mark.fidelity("ovok.method-not-allowed")
@pytest.mark.fidelity("b2core.method-not-allowed")
@pytest.mark.fidelity("waltid.method-not-allowed")
def test_each_vendor_answers_its_405_with_allow(
    vendor: str, method: str, path: str, body: dict[str, Any]
) -> None:
    fake = FakeAuth()

    response = _open(fake, method, path, vendor)

    assert (response.status_code, response.get_json()) == (405, body)
    assert response.headers["Allow"] == "OPTIONS, POST"
    assert [(e.operation, e.status, e.served) for e in fake.journal] == [
        (f"{vendor}.method_not_allowed", 405, True)
    ]
    assert fake.journal.unserved == []


@pytest.mark.parametrize(("vendor", "path", "method", "allow"), NOT_TAKEN)
def test_every_served_path_answers_every_other_method_405(
    vendor: str, path: str, method: str, allow: str
) -> None:
    fake = FakeAuth()

    response = _open(fake, method, path, vendor)

    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert fake.handler_errors == []


def test_a_path_with_parameters_answers_405_too() -> None:
    fake = FakeAuth()
    path = "/v1/admin/account/some-id/roles/add/acme/acme.admin"

    response = _open(fake, "GET", path, "waltid")

    assert (response.status_code, response.headers["Allow"]) == (405, "OPTIONS, POST")


@pytest.mark.parametrize(
    ("vendor", "method", "path"),
    [
        ("ovok", "TRACE", "/auth/b2b/unknown"),  # no route serves the path
        ("ovok", "TRACE", "/api/v2/my/signin"),  # B2Core's path on Ovok's host
        ("b2core", "GET", "/auth/b2b/login"),  # Ovok's path on B2Core's host
    ],
)
@pytest.mark.fidelity("all.unserved")
def test_an_unserved_path_still_answers_501(vendor: str, method: str, path: str) -> None:
    fake = FakeAuth()

    response = _open(fake, method, path, vendor)

    assert response.status_code == 501
    assert "Allow" not in response.headers
    assert [(e.method, e.path) for e in fake.journal.unserved] == [(method, path)]


@pytest.mark.fidelity("all.method-not-allowed")
def test_options_without_a_preflight_answers_204_with_allow() -> None:
    fake = FakeAuth()

    response = _open(fake, "OPTIONS", "/auth/me", "ovok")

    assert (response.status_code, response.data) == (204, b"")
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert fake.journal.unserved == []


def test_a_cors_preflight_is_still_the_preflight() -> None:
    fake = FakeAuth()

    response = _open(
        fake,
        "OPTIONS",
        "/auth/b2b/login",
        "ovok",
        Origin="http://localhost:3000",
        **{"Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Allow" not in response.headers


def test_a_405_does_not_fail_the_unserved_request_check() -> None:
    fake = FakeAuth()

    with fake.mock_requests():
        response = requests.request("TRACE", f"{HOSTS['ovok']}/auth/b2b/login", timeout=1)

    assert response.status_code == 405


def test_the_live_server_answers_405_with_allow() -> None:
    fake = FakeAuth()

    with fake.serve() as server:
        response = requests.put(f"{server.url}/v1/account/register", timeout=10)

    assert (response.status_code, response.headers["Allow"]) == (405, "OPTIONS, POST")
    assert response.json()["id"] == "MethodNotAllowedException"
