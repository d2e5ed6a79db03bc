"""Lanes over the live server: 100 lanes registering one email at once, the pytest fixture's
lane, the dashboard under a lane, and a real restart of ``fakeauth serve --data`` with two lanes
each holding a logged-in token (curl)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from serving import REGISTER, Serve

from fakeauth import FakeAuth
from fakeauth.lanes import Lanes
from fakeauth.testing import FakeauthServer
from fakeauth.transports.server import LiveServer

TIMEOUT = 10  # seconds for each request and wait (bounded; never an assertion)
LANES = 100


@pytest.fixture
def live() -> Iterator[tuple[Lanes, str]]:
    lanes = Lanes(FakeAuth())
    with LiveServer(lanes.wsgi_app) as server:
        yield lanes, server.url


def test_one_email_registered_at_once_in_100_lanes_gives_one_account_in_each(
    live: tuple[Lanes, str],
) -> None:
    lanes, url = live

    def register(n: int) -> int:
        with requests.Session() as session:
            answer = session.post(
                f"{url}/_lanes/w{n % LANES}/ovok/auth/b2b/register", json=REGISTER, timeout=TIMEOUT
            )
            return answer.status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(register, range(2 * LANES), timeout=60))

    assert sorted(statuses) == [200] * LANES + [400] * LANES  # the second: "already registered"
    assert len(lanes) == LANES
    for info in lanes:
        assert [a["email"] for a in info.fake.ovok.export_accounts()] == [REGISTER["email"]]
    assert lanes.get("default").ovok.export_accounts() == []


def test_the_dashboard_under_a_lane_is_the_lanes(live: tuple[Lanes, str]) -> None:
    lanes, url = live

    page = requests.get(f"{url}/_lanes/a/_fakeauth/", timeout=TIMEOUT)
    status = requests.get(f"{url}/_lanes/a/_fakeauth/status", timeout=TIMEOUT).json()

    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert status["instance"].endswith(f"{id(lanes.get('a')):x}")
    assert not status["instance"].endswith(f"{id(lanes.get('default')):x}")


def test_the_fixture_serves_the_tests_fake_as_a_lane(fakeauth_server: FakeauthServer) -> None:
    other = FakeAuth()
    extra = fakeauth_server.add_lane("extra", other)

    by_header = requests.post(
        f"{fakeauth_server.url}/ovok/auth/b2b/register",
        json=REGISTER,
        headers=fakeauth_server.headers,
        timeout=TIMEOUT,
    )
    by_url = requests.get(f"{extra.lane_url()}/_fakeauth/accounts", timeout=TIMEOUT)
    at_root = requests.get(f"{fakeauth_server.url}/_fakeauth/accounts", timeout=TIMEOUT)

    assert fakeauth_server.lane is not None
    assert fakeauth_server.headers == {"X-Fakeauth-Lane": fakeauth_server.lane}
    assert by_header.status_code == 200
    assert [a["email"] for a in fakeauth_server.fake.ovok.export_accounts()] == [REGISTER["email"]]
    assert by_url.json()["ovok"] == []
    assert [a["email"] for a in at_root.json()["ovok"]] == [REGISTER["email"]]
    assert extra.headers == {"X-Fakeauth-Lane": "extra"}


def test_the_lanes_of_a_finished_test_are_gone(fakeauth_server: FakeauthServer) -> None:
    lanes = fakeauth_server.lanes

    assert lanes is not None
    assert [info.name for info in lanes] == [fakeauth_server.lane]


def test_a_restart_with_data_keeps_two_lanes_logged_in(
    tmp_path: Path, servers: list[Serve]
) -> None:
    data = str(tmp_path / "state.json")
    first = Serve("--quiet", "--data", data)
    servers.append(first)
    tokens = {}
    for lane in ("alice", "bob"):
        status, body = first.curl("POST", f"/_lanes/{lane}/ovok/auth/b2b/register", REGISTER)
        assert status == 200, body
        tokens[lane] = body["accessToken"]
    assert first.stop() == 0

    second = Serve("--quiet", "--data", data)
    servers.append(second)
    alice = second.curl("GET", "/_lanes/alice/ovok/auth/me", token=tokens["alice"])
    bob = second.curl("GET", "/_lanes/bob/ovok/auth/me", token=tokens["bob"])
    crossed = second.curl("GET", "/_lanes/bob/ovok/auth/me", token=tokens["alice"])
    listed = second.curl("GET", "/_fakeauth/lanes")

    assert sorted(json.loads(Path(data).read_text())["lanes"]) == ["alice", "bob", "default"]
    assert alice[0] == 200, alice
    assert bob[0] == 200
    assert crossed[0] == 401
    assert [row["name"] for row in listed[1]["lanes"]] == ["alice", "bob"]
    assert any("X-Fakeauth-Lane" in line for line in second.lines)


def test_max_lanes_from_the_command_line(servers: list[Serve]) -> None:
    server = Serve("--quiet", "--max-lanes", "1")
    servers.append(server)

    first = server.curl("GET", "/_lanes/a/_fakeauth/journal")
    second = server.curl("GET", "/_lanes/b/_fakeauth/journal")

    assert first[0] == 200
    assert second[0] == 429
