"""A web page open in the developer's browser cannot drive the fake (issue 16).

Every state-changing control route refuses (403, a sentence saying why and what to send) a
request from another origin without ``X-Fakeauth-Control: 1``; the control API answers no
cross-origin preflight, so a cross-site script cannot send that header; and every control route
refuses a ``Host`` that is not the server's own (DNS rebinding). curl, which sends no ``Origin``,
keeps working, and the vendor routes keep their CORS behaviour.
"""

from __future__ import annotations

import pytest
import requests
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.control import ROUTES

EVIL = "http://evil.example"
OWN = "127.0.0.1:8080"
EMAIL = "ann@example.test"
CROSS_SITE = (
    "fakeauth: a page from 'http://evil.example' cannot change the fake's state; send "
    "'X-Fakeauth-Control: 1' from a script or a test, or use the dashboard at /_fakeauth/"
)
FOREIGN_HOST = (
    "fakeauth: the control API answers only on its own host (127.0.0.1, localhost, [::1], an "
    "IP address or a vendor host), not 'rebound.example:8080': open it as "
    "http://127.0.0.1:PORT/_fakeauth/, or name the host with fakeauth serve --allow-host"
)
NO_PREFLIGHT = (
    "fakeauth: the control API takes no cross-origin request (from 'http://evil.example'); "
    "call it from the dashboard on its own origin, from curl or from a test"
)
#: Every state-changing control route.
CHANGING = sorted((m, p) for m, p in ROUTES if m not in ("GET", "HEAD"))


def seeded() -> tuple[FakeAuth, Client]:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password="s3cret")
    return fake, Client(fake.wsgi_app)


def test_every_state_changing_route_is_covered() -> None:
    paths = {path for _, path in CHANGING}

    assert {"/_fakeauth/reset", "/_fakeauth/seed", "/_fakeauth/features"} <= paths
    assert {"/_fakeauth/clock", "/_fakeauth/journal", "/_fakeauth/faults"} <= paths


@pytest.mark.parametrize(("method", "path"), CHANGING)
def test_a_cross_origin_request_is_refused_and_changes_nothing(method: str, path: str) -> None:
    fake, client = seeded()

    response = client.open(path, method=method, base_url=f"http://{OWN}", headers={"Origin": EVIL})

    assert response.status_code == 403
    assert response.get_json() == {"error": CROSS_SITE}
    assert [a.email for a in fake.ovok.accounts] == [EMAIL]


@pytest.mark.parametrize("origin", ["null", "http://127.0.0.1:9999", "http://localhost:8080"])
def test_another_origin_of_the_same_machine_is_cross_origin(origin: str) -> None:
    fake, client = seeded()

    response = client.post("/_fakeauth/reset", base_url=f"http://{OWN}", headers={"Origin": origin})

    assert response.status_code == 403
    assert [a.email for a in fake.ovok.accounts] == [EMAIL]


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, requests, a test: no Origin
        {"Origin": f"http://{OWN}"},  # the dashboard itself
        {"Origin": EVIL, "X-Fakeauth-Control": "1"},  # a script that sends the control header
    ],
)
def test_a_request_the_guard_takes(headers: dict[str, str]) -> None:
    fake, client = seeded()

    response = client.post("/_fakeauth/reset", base_url=f"http://{OWN}", headers=headers)

    assert response.status_code == 200
    assert fake.ovok.accounts == []


def test_a_cross_origin_read_still_answers() -> None:
    _, client = seeded()

    response = client.get("/_fakeauth/features", base_url=f"http://{OWN}", headers={"Origin": EVIL})

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_foreign_host_is_refused(method: str) -> None:
    fake, client = seeded()

    response = client.open(
        "/_fakeauth/reset" if method == "POST" else "/_fakeauth/accounts",
        method=method,
        base_url="http://rebound.example:8080",
    )

    assert response.status_code == 403
    assert response.get_json() == {"error": FOREIGN_HOST}
    assert [a.email for a in fake.ovok.accounts] == [EMAIL]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8080",
        "localhost:8080",
        "LOCALHOST",
        "app.localhost:3000",
        "[::1]:8080",
        "10.0.0.5:8080",
        "api.dev.ovok.com",
    ],
)
def test_the_servers_own_hosts_are_taken(host: str) -> None:
    _, client = seeded()

    response = client.get("/_fakeauth/accounts", base_url=f"http://{host}")

    assert response.status_code == 200


def test_a_cross_origin_preflight_to_the_control_api_is_refused() -> None:
    _, client = seeded()

    response = client.options(
        "/_fakeauth/reset",
        base_url=f"http://{OWN}",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-fakeauth-control",
        },
    )

    assert response.status_code == 403
    assert response.get_json() == {"error": NO_PREFLIGHT}
    assert not [name for name, _ in response.headers.items() if name.startswith("Access-Control")]


def test_a_same_origin_preflight_is_answered() -> None:
    _, client = seeded()

    response = client.options(
        "/_fakeauth/reset",
        base_url=f"http://{OWN}",
        headers={"Origin": f"http://{OWN}", "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 204
    assert "X-Fakeauth-Control" in response.headers["Access-Control-Allow-Headers"]


def test_the_vendor_routes_keep_their_cors_preflight() -> None:
    _, client = seeded()

    response = client.options(
        "/auth/b2b/login",
        base_url="https://api.dev.ovok.com",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == EVIL


def test_the_live_server_refuses_a_cross_origin_reset() -> None:
    fake, _ = seeded()

    with fake.serve() as server:
        refused = requests.post(
            f"{server.url}/_fakeauth/reset", headers={"Origin": EVIL}, timeout=10
        )
        taken = requests.post(f"{server.url}/_fakeauth/reset", timeout=10)

    assert refused.status_code == 403
    assert refused.json() == {"error": CROSS_SITE}
    assert taken.status_code == 200
    assert fake.ovok.accounts == []


# -- reading: only a page of this machine may read the control API ------------------------------


@pytest.mark.parametrize("path", ["/_fakeauth/outbox", "/_fakeauth/journal", "/_fakeauth/accounts"])
def test_a_web_site_cannot_read_the_control_api(path: str) -> None:
    fake, client = seeded()
    fake.ovok.register(
        email="new@example.test", password="s3cret", name="N", surname="E",
        tenant_id="87ea5dfc-8b8e-384d-8489-79496e706390",
        client_id="87ea5dfc-8b8e-384d-8489-79496e706390",
    )  # fmt: skip

    response = client.get(path, base_url=f"http://{OWN}", headers={"Origin": EVIL})

    # the answer goes out (a same-site read is harmless), but no browser hands it to the page
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin", ["http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:4200"]
)
def test_a_front_end_on_this_machine_may_read_the_control_api(origin: str) -> None:
    _, client = seeded()

    response = client.get(
        "/_fakeauth/journal", base_url=f"http://{OWN}", headers={"Origin": origin}
    )

    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("origin", ["http://localhost:3000", f"http://{OWN}", EVIL])
def test_the_state_export_is_readable_by_no_other_origin(origin: str) -> None:
    _, client = seeded()

    response = client.post(
        "/_fakeauth/export", base_url=f"http://{OWN}", headers={"Origin": origin}
    )

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    if origin != f"http://{OWN}":
        assert response.status_code == 403
        assert b"lanes" not in response.data  # no document, so no key material


def test_the_vendor_routes_still_answer_any_origin() -> None:
    _, client = seeded()

    response = client.post(
        "/auth/b2b/login", base_url="https://api.dev.ovok.com", headers={"Origin": EVIL}, json={}
    )

    assert response.headers["Access-Control-Allow-Origin"] == EVIL


def test_a_host_name_the_server_was_given_is_its_own() -> None:
    fake, client = seeded()
    named = {"base_url": "http://fakeauth:8080"}  # a docker compose service name

    refused = client.post("/_fakeauth/reset", **named)
    fake.control_hosts = frozenset({"fakeauth"})
    taken = client.post("/_fakeauth/reset", **named)

    assert refused.status_code == 403
    assert taken.status_code == 200
    assert fake.ovok.accounts == []  # the reset went through
    assert client.get("/_fakeauth/status", base_url="http://other:8080").status_code == 403
