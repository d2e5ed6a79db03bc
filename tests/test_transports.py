"""One state behind every transport: requests, httpx, the live server, and the control API."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import requests
import responses
import time_machine
from freezegun import freeze_time
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.transports.base import UnservedRequestsError
from fakeauth.transports.server import LiveServer

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
REGISTER = {
    "email": "max.mustermann@example.com",
    "password": "A[.DmUv]2vE|n_+]",
    "name": "Max",
    "surname": "Mustermann",
    "tenantId": TENANT,
    "clientId": TENANT,
}
LOGIN = {k: REGISTER[k] for k in ("email", "password", "clientId", "tenantId")}
FROZEN = "2026-05-04T10:00:00Z"

# A transport: (method, url, json body, headers) -> (status, content type, body bytes)
Send = Callable[[str, str, Any, dict[str, str]], tuple[int, str, bytes]]


def scenario(send: Send, base: str) -> list[tuple[int, str, bytes]]:
    """Register, log in, refresh, call a protected route, log out, call it again."""
    agent = {"User-Agent": "parity-test"}  # /auth/me shows it; every client sends its own
    results = [send("POST", f"{base}/auth/b2b/register", REGISTER, agent)]
    results.append(send("POST", f"{base}/auth/b2b/login", LOGIN, agent))
    tokens = json.loads(results[-1][2])
    refresh = {"refresh_token": tokens["refreshToken"]}
    results.append(send("POST", f"{base}/auth/refresh-token", refresh, agent))
    access = json.loads(results[-1][2])["access_token"]
    auth = {"Authorization": f"Bearer {access}", **agent}
    results.append(send("GET", f"{base}/auth/me", None, auth))
    results.append(send("POST", f"{base}/v1/auth/logout", None, auth))
    results.append(send("GET", f"{base}/auth/me", None, auth))
    return results


def via_requests(session: requests.Session | None = None) -> Send:
    http = session or requests.Session()

    def send(method: str, url: str, body: Any, headers: dict[str, str]) -> tuple[int, str, bytes]:
        response = http.request(method, url, json=body, headers=headers)
        return response.status_code, response.headers.get("content-type", ""), response.content

    return send


def via_httpx(client: httpx.Client) -> Send:
    def send(method: str, url: str, body: Any, headers: dict[str, str]) -> tuple[int, str, bytes]:
        response = client.request(method, url, json=body, headers=headers)
        return response.status_code, response.headers.get("content-type", ""), response.content

    return send


def via_aiohttp() -> Send:
    def send(method: str, url: str, body: Any, headers: dict[str, str]) -> tuple[int, str, bytes]:
        async def request() -> tuple[int, str, bytes]:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
                session.request(method, url, json=body, headers=headers) as response,
            ):
                content = await response.read()
                return response.status, response.headers.get("content-type", ""), content

        return asyncio.run(request())

    return send


def via_werkzeug(fake: FakeAuth) -> Send:
    client = Client(fake.wsgi_app)

    def send(method: str, url: str, body: Any, headers: dict[str, str]) -> tuple[int, str, bytes]:
        base, _, path = url.partition("ovok.com")
        response = client.open(
            path, method=method, json=body, headers=headers, base_url=base + "ovok.com"
        )
        return response.status_code, response.headers.get("content-type", ""), response.data

    return send


def run(make_send: Callable[[FakeAuth], tuple[Send, str, Any]]) -> list[tuple[int, str, bytes]]:
    fake = FakeAuth(seed=42)
    with freeze_time(FROZEN):
        send, base, context = make_send(fake)
        with context:
            return scenario(send, base)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def test_the_same_scenario_gives_the_same_answers_through_every_transport() -> None:
    expected = run(lambda fake: (via_werkzeug(fake), OVOK, _Nothing()))

    results = {
        "requests": run(lambda fake: (via_requests(), OVOK, fake.mock_requests())),
        "httpx": run(lambda fake: (via_httpx(httpx.Client()), OVOK, fake.mock_httpx())),
        "aiohttp": run(lambda fake: (via_aiohttp(), OVOK, fake.mock_aiohttp())),
        "httpx transport": run(
            lambda fake: (
                via_httpx(httpx.Client(transport=fake.httpx_transport())),
                OVOK,
                _Nothing(),
            )
        ),
        "live server": run(lambda fake: (via_requests(), fake.serve().url, _Stopping(fake))),
    }

    assert [status for status, _, _ in expected] == [200, 200, 200, 200, 204, 401]
    for name, result in results.items():
        assert result == expected, name


class _Stopping:
    """Stops every live server of a fake at the end of the block."""

    def __init__(self, fake: FakeAuth) -> None:
        self.fake = fake

    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        for server in self.fake._servers:
            server.stop()


def test_httpx_async_clients_are_intercepted() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(LOGIN["email"], LOGIN["password"])

    async def login() -> int:
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{OVOK}/auth/b2b/login", json=LOGIN)
            return response.status_code

    with fake.mock_httpx():
        status = asyncio.run(login())

    assert status == 200
    assert len(fake.journal.calls("ovok.b2b_login")) == 1


def test_httpx_transport_serves_async_clients() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(LOGIN["email"], LOGIN["password"])

    async def login() -> int:
        transport = fake.httpx_transport()
        async with httpx.AsyncClient(transport=transport, base_url=OVOK) as client:
            return (await client.post("/auth/b2b/login", json=LOGIN)).status_code

    assert asyncio.run(login()) == 200


def test_an_httpx_client_made_before_the_mock_is_intercepted() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(LOGIN["email"], LOGIN["password"])
    client = httpx.Client()

    with fake.mock_httpx():
        status = client.post(f"{OVOK}/auth/b2b/login", json=LOGIN).status_code

    assert status == 200


def test_mock_requests_works_as_a_decorator() -> None:
    fake = FakeAuth()

    @fake.mock_requests()
    def register() -> int:
        return requests.post(f"{OVOK}/auth/b2b/register", json=REGISTER).status_code

    assert register() == 200
    assert len(fake.ovok.accounts) == 1


def test_every_ovok_host_is_an_alias_of_one_state() -> None:
    fake = FakeAuth()

    with fake.mock_requests():
        registered = requests.post(f"{OVOK}/auth/b2b/register", json=REGISTER)
        logins = [
            requests.post(f"{host}/auth/b2b/login", json=LOGIN).status_code
            for host in fake.hosts["ovok"]
        ]

    assert registered.status_code == 200
    assert logins == [200, 200, 200, 200]


# -- pass-through, unserved paths, composition --------------------------------------------------


def test_other_hosts_pass_through_to_the_network(plain_server: str) -> None:
    fake = FakeAuth()

    with fake.mock_requests(), fake.mock_httpx():
        via_requests_ = requests.get(f"{plain_server}/own/service").json()
        via_httpx_ = httpx.get(f"{plain_server}/own/service").json()

    assert via_requests_ == {"path": "/own/service"}
    assert via_httpx_ == {"path": "/own/service"}
    assert len(fake.journal) == 0


@pytest.mark.parametrize("transport", ["requests", "httpx"])
def test_an_unserved_vendor_path_answers_501_and_fails_the_block(transport: str) -> None:
    fake = FakeAuth()
    mock = fake.mock_requests() if transport == "requests" else fake.mock_httpx()
    get: Any = requests.get if transport == "requests" else httpx.get
    statuses: list[int] = []

    with pytest.raises(UnservedRequestsError) as info:
        exercise(mock, lambda: statuses.append(get(f"{OVOK}/auth/session").status_code))

    assert statuses == [501]
    assert str(info.value) == (
        "fakeauth: 1 request(s) to a vendor host that fakeauth does not serve "
        "(each answered 501):\n"
        f"  GET {OVOK}/auth/session -> 501\n"
        'The "Routes" pages of fakeauth\'s documentation list what it serves, one page per vendor; '
        f"to allow such requests, pass assert_all_served=False to mock_{transport}()."
    )


def exercise(context: Any, action: Callable[[], object]) -> None:
    """Run ``action`` inside ``context``: what happens on leaving is what a test looks at."""
    with context:
        action()


def test_unserved_requests_may_be_allowed() -> None:
    fake = FakeAuth()

    with fake.mock_requests(assert_all_served=False):
        status = requests.get(f"{OVOK}/auth/session").status_code

    assert status == 501
    assert len(fake.journal.unserved) == 1


def test_an_error_in_the_block_is_not_masked_by_the_unserved_check() -> None:
    fake = FakeAuth()

    def fail() -> None:
        requests.get(f"{OVOK}/auth/session")
        raise KeyError("the test's own failure")

    with pytest.raises(KeyError):
        exercise(fake.mock_requests(), fail)


def test_another_vendors_path_on_a_vendor_host_is_unserved() -> None:
    fake = FakeAuth()

    with fake.mock_requests(assert_all_served=False):
        response = requests.post("https://host.name/auth/b2b/login", json=LOGIN)

    assert response.status_code == 501
    assert fake.journal.unserved[0].vendor == "b2core"
    assert fake.ovok.accounts == []


def test_composes_with_the_users_own_responses_mock() -> None:
    fake = FakeAuth()

    with fake.serve() as server, responses.RequestsMock() as user_mock:
        user_mock.get("https://payments.example/status", json={"ok": True})
        with fake.mock_requests():
            vendor = requests.post(f"{OVOK}/auth/b2b/register", json=REGISTER)
            own = requests.get("https://payments.example/status")
            live = requests.get(f"{server.url}/_fakeauth/accounts")
            with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
                requests.get("https://unregistered.example/")

    assert vendor.status_code == 200
    assert own.json() == {"ok": True}
    assert live.json()["ovok"][0]["email"] == REGISTER["email"]


def test_the_users_mock_still_works_after_the_fake_stops() -> None:
    fake = FakeAuth()

    with responses.RequestsMock() as user_mock:
        user_mock.get("https://payments.example/status", json={"ok": True})
        with fake.mock_requests():
            pass
        after = requests.get("https://payments.example/status").json()

    assert after == {"ok": True}


def test_cookies_survive_the_requests_transport() -> None:
    fake = FakeAuth()
    seeded = fake.waltid.add_account(email="ann@example.test", password="password123456")
    assert seeded is not None
    session = requests.Session()

    with fake.mock_requests():
        response = session.post(
            "https://enterprise-sandbox.waltid.dev/auth/account/emailpass",
            json={"email": "ann@example.test", "password": "password123456"},
        )

    assert response.status_code == 200
    assert session.cookies.get("ktor-authnz-auth") == response.json()["token"]


# -- the live server --------------------------------------------------------------------------


class PortRecorder:
    """WSGI middleware noting each request's client port: one port, one TCP connection."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.ports: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.ports.add(environ["REMOTE_PORT"])
        return self.app(environ, start_response)


@pytest.mark.parametrize("clock", ["freezegun", "time-machine"])
def test_live_server_keeps_one_connection_while_the_test_clock_jumps(clock: str) -> None:
    fake = FakeAuth()
    recorder = PortRecorder(fake.wsgi_app)
    session = requests.Session()
    traveller: Any = (
        freeze_time(FROZEN) if clock == "freezegun" else time_machine.travel(FROZEN, tick=False)
    )

    def jump(seconds: int) -> None:
        if clock == "freezegun":
            frozen.tick(seconds)
        else:
            frozen.shift(seconds)

    with LiveServer(recorder) as server, traveller as frozen:
        session.post(f"{server.url}/auth/b2b/register", json=REGISTER)
        token = session.post(f"{server.url}/auth/b2b/login", json=LOGIN).json()["accessToken"]
        auth = {"Authorization": f"Bearer {token}"}
        jump(3599)
        before = session.get(f"{server.url}/auth/me", headers=auth).status_code
        jump(1)
        after = session.get(f"{server.url}/auth/me", headers=auth).status_code
        jump(30 * 24 * 3600)  # far past any idle timeout
        time.sleep(1.2)  # real time for the server's idle reaper (every 0.5 s) to look
        later = session.get(f"{server.url}/_fakeauth/clock").status_code

    assert (before, after, later) == (200, 401, 200)
    assert len(recorder.ports) == 1


def test_live_server_handles_concurrent_requests() -> None:
    fake = FakeAuth()
    errors: list[BaseException] = []

    with fake.serve() as server:

        def register(thread: int) -> None:
            session = requests.Session()
            try:
                for i in range(25):
                    body = {**REGISTER, "email": f"t{thread}-{i}@example.test"}
                    response = session.post(f"{server.url}/auth/b2b/register", json=body)
                    assert response.status_code == 200
            except BaseException as exc:  # reported in the test thread
                errors.append(exc)

        threads = [threading.Thread(target=register, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert len(fake.ovok.accounts) == 200


def test_live_server_stops_cleanly_when_the_test_fails() -> None:
    fake = FakeAuth()

    server = fake.serve()
    url = server.url

    with pytest.raises(ZeroDivisionError):
        exercise(server, lambda: 1 / 0)

    assert not server.running
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_fakeauth/clock", timeout=2)


def test_cors_preflight_and_origin_reflection() -> None:
    fake = FakeAuth()
    origin = "http://localhost:5173"

    with fake.serve() as server:
        preflight = requests.options(
            f"{server.url}/auth/b2b/login",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,authorization",
            },
        )
        actual = requests.post(
            f"{server.url}/auth/b2b/login", json=LOGIN, headers={"Origin": origin}
        )

    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type,authorization"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert actual.status_code == 401
    assert actual.headers["Access-Control-Allow-Origin"] == origin
    assert actual.headers["Vary"] == "Origin"
    assert len(fake.journal) == 1  # the preflight is browser machinery, not a vendor call


# -- the control API --------------------------------------------------------------------------


@pytest.fixture
def live() -> Iterator[tuple[FakeAuth, str]]:
    fake = FakeAuth()
    with fake.serve() as server:
        yield fake, server.url


def test_control_api_seeds_lists_and_resets(live: tuple[FakeAuth, str]) -> None:
    fake, url = live
    document = {
        "features": {"account-registration": False},
        "ovok": {
            "tenants": [{"id": "11111111-1111-4111-8111-111111111111", "display": "Clinic"}],
            "clients": [
                {
                    "id": "22222222-2222-4222-8222-222222222222",
                    "tenant_id": "11111111-1111-4111-8111-111111111111",
                }
            ],
            "accounts": [{"email": "ann@example.test", "password": "pw", "name": "Ann"}],
        },
    }

    seeded = requests.post(f"{url}/_fakeauth/seed", json=document)
    accounts = requests.get(f"{url}/_fakeauth/accounts").json()
    login = requests.post(
        f"{url}/auth/b2b/login", json={**LOGIN, "email": "ann@example.test", "password": "pw"}
    )
    reset = requests.post(f"{url}/_fakeauth/reset")

    assert seeded.json() == {
        "added": {"features": 1, "ovok.tenants": 1, "ovok.clients": 1, "ovok.accounts": 1}
    }
    assert [a["email"] for a in accounts["ovok"]] == ["ann@example.test"]
    assert "password" not in json.dumps(accounts)
    assert login.status_code == 200
    assert reset.json() == {"reset": True}
    assert fake.ovok.accounts == []
    assert fake.features.is_enabled("account-registration")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"nope": {}}, "unknown seed section(s) 'nope'"),
        ({"ovok": {"accounts": [{"email": "x@example.test"}]}}, "ovok.accounts[0]: "),
        (
            {"ovok": {"accounts": [{"email": "x@example.test", "password": "p", "age": 3}]}},
            "ovok.accounts[0]: unknown field(s) 'age'",
        ),
        ({"features": {"no-such-flag": True}}, "no feature flag 'no-such-flag'"),
    ],
)
def test_control_api_seed_errors_are_400_sentences(
    live: tuple[FakeAuth, str], body: dict[str, Any], message: str
) -> None:
    fake, url = live

    response = requests.post(f"{url}/_fakeauth/seed", json=body)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert fake.ovok.accounts == []


def test_control_api_switches_features(live: tuple[FakeAuth, str]) -> None:
    fake, url = live

    switched = requests.post(f"{url}/_fakeauth/features", json={"account-registration": False})
    listed = requests.get(f"{url}/_fakeauth/features").json()
    bad = requests.post(f"{url}/_fakeauth/features", json={"account-registration": "no"})

    assert switched.status_code == 200
    assert listed["account-registration"] is False
    assert not fake.features.is_enabled("account-registration")
    assert bad.status_code == 400


def test_control_api_journal_and_outbox_never_show_raw_tokens(live: tuple[FakeAuth, str]) -> None:
    _, url = live
    tokens = requests.post(f"{url}/auth/b2b/register", json=REGISTER).json()

    journal = requests.get(f"{url}/_fakeauth/journal")
    outbox = requests.get(f"{url}/_fakeauth/outbox").json()
    cleared = requests.delete(f"{url}/_fakeauth/journal")

    assert [e["operation"] for e in journal.json()] == ["ovok.b2b_register"]
    assert tokens["accessToken"] not in journal.text
    assert REGISTER["password"] not in journal.text
    assert outbox[0]["kind"] == "email-verification"
    assert cleared.status_code == 204
    assert requests.get(f"{url}/_fakeauth/journal").json() == []


def test_control_api_moves_the_clock(live: tuple[FakeAuth, str]) -> None:
    fake, url = live
    token = requests.post(f"{url}/auth/b2b/register", json=REGISTER).json()["accessToken"]
    auth = {"Authorization": f"Bearer {token}"}

    shifted = requests.post(f"{url}/_fakeauth/clock", json={"shift": 3600})
    expired = requests.get(f"{url}/auth/me", headers=auth).status_code
    reset = requests.post(f"{url}/_fakeauth/clock", json={"reset": True})
    valid = requests.get(f"{url}/auth/me", headers=auth).status_code
    fixed = requests.post(
        f"{url}/_fakeauth/clock", json={"set": "2030-01-01T00:00:00Z", "frozen": True}
    )
    bad = requests.post(f"{url}/_fakeauth/clock", json={"shift": "soon"})

    assert shifted.json()["shifted"] is True
    assert (expired, valid) == (401, 200)
    assert reset.json()["shifted"] is False
    assert fixed.json()["now"] == "2030-01-01T00:00:00+00:00"
    assert fake.clock.now().year == 2030
    assert bad.status_code == 400


def test_control_api_publishes_the_jwks(live: tuple[FakeAuth, str]) -> None:
    fake, url = live

    keys = requests.get(f"{url}/_fakeauth/jwks.json").json()

    assert keys == fake.jwks()
    assert [k["kty"] for k in keys["keys"]] == ["OKP"]


def test_control_api_unknown_route_lists_the_routes(live: tuple[FakeAuth, str]) -> None:
    _, url = live

    response = requests.get(f"{url}/_fakeauth/nothing")

    assert response.status_code == 404
    assert "GET /_fakeauth/accounts" in response.json()["routes"]
