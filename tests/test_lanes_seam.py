"""Lanes as a prefix the seam keeps (issue 21 §5): a lane's cookies and journal keep its
``/_lanes/NAME`` prefix, the root's export holds every lane, a lane is created only by a request
from this machine, and an encoded ``/`` in a lane name is refused."""

from __future__ import annotations

import http.client
from collections.abc import Iterator

import pytest
import requests
from serving import REGISTER
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.lanes import Lanes
from fakeauth.transports.server import LiveServer

OWN = "127.0.0.1:8080"
EVIL = "http://evil.example"
WALTID_LOGIN = {"email": "max.mustermann@example.org", "password": "password123456"}
TIMEOUT = 10
NOT_FROM_HERE = (
    "fakeauth: a lane is created only by a request from this machine; create 'new' with "
    "POST /_fakeauth/lanes/new (from curl, a test or the dashboard), or send "
    "'X-Fakeauth-Control: 1'"
)
SLASH_NAME = (
    "fakeauth: 'a/b' is not a lane name: a lane name is 1 to 64 characters of A-Z, a-z, 0-9, "
    "'.', '_' and '-', starting with a letter or a digit"
)


@pytest.fixture
def live() -> Iterator[tuple[Lanes, str]]:
    lanes = Lanes(FakeAuth())
    with LiveServer(lanes.wsgi_app) as server:
        yield lanes, server.url


def test_a_lanes_waltid_cookie_has_the_lanes_path_and_a_session_sends_it_back(
    live: tuple[Lanes, str],
) -> None:
    lanes, url = live
    lanes.get("a").waltid.add_account(WALTID_LOGIN["email"], WALTID_LOGIN["password"])
    base = f"{url}/_lanes/a/waltid"
    session = requests.Session()

    login = session.post(f"{base}/auth/account/emailpass", json=WALTID_LOGIN, timeout=TIMEOUT)
    logout = session.post(f"{base}/auth/logout", timeout=TIMEOUT)
    after = requests.get(
        f"{base}/v1/admin/accounts",
        headers={"Authorization": f"Bearer {login.json()['token']}"},
        timeout=TIMEOUT,
    )

    assert "Path=/_lanes/a/waltid/;" in login.headers["Set-Cookie"]
    assert logout.status_code == 200
    assert lanes.get("a").waltid.tokens.live() == []  # the cookie reached the logout
    assert after.status_code == 401


def test_a_lanes_journal_keeps_the_lane_prefix_in_its_urls() -> None:
    lanes = Lanes(FakeAuth())
    http = Client(lanes.wsgi_app)

    http.post("/_lanes/a/ovok/auth/b2b/register", json=REGISTER, base_url=f"http://{OWN}")

    entry = lanes.get("a").journal[-1]
    assert entry.url == f"http://{OWN}/_lanes/a/ovok/auth/b2b/register"
    assert entry.path == "/auth/b2b/register"


def test_the_roots_export_holds_every_lane_and_a_lanes_export_that_lane() -> None:
    lanes = Lanes(FakeAuth())
    http = Client(lanes.wsgi_app)
    http.post("/_lanes/a/ovok/auth/b2b/register", json=REGISTER)

    root = http.post("/_fakeauth/export")
    own = http.post("/_lanes/a/_fakeauth/export")

    assert sorted(root.get_json()["lanes"]) == ["a", "default"]
    assert own.get_json()["lanes"]["default"]["ovok"]["accounts"][0]["email"] == REGISTER["email"]
    assert sorted(own.get_json()["lanes"]) == ["default"]
    assert root.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("host", "headers"),
    [
        ("evil.example", {}),
        (OWN, {"Origin": EVIL}),
        (OWN, {"X-Fakeauth-Lane": "new", "Origin": EVIL}),
    ],
)
def test_a_lane_is_not_created_by_a_foreign_host_or_page(
    host: str, headers: dict[str, str]
) -> None:
    lanes = Lanes(FakeAuth())
    path = "/ovok/auth/me" if "X-Fakeauth-Lane" in headers else "/_lanes/new/ovok/auth/me"

    answer = Client(lanes.wsgi_app).get(path, base_url=f"http://{host}", headers=headers)

    assert answer.status_code == 403
    assert answer.get_json()["message"] == NOT_FROM_HERE
    assert "new" not in lanes


def test_a_lane_is_created_by_a_request_from_this_machine() -> None:
    lanes = Lanes(FakeAuth())

    answer = Client(lanes.wsgi_app).get(
        "/_lanes/new/ovok/auth/me",
        base_url=f"http://{OWN}",
        headers={"Origin": "http://localhost:3000"},
    )

    assert answer.status_code == 401  # Ovok's own answer: no token
    assert "new" in lanes


def test_an_encoded_slash_in_a_lane_name_is_refused(live: tuple[Lanes, str]) -> None:
    lanes, url = live
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=TIMEOUT)

    connection.request("GET", "/_lanes/a%2Fb/ovok/auth/me")
    answer = connection.getresponse()
    document = answer.read()
    connection.close()

    assert answer.status == 400
    assert SLASH_NAME.encode() in document
    assert "a" not in lanes
