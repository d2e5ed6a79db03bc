"""aiohttp interception: ``fake.mock_aiohttp()`` and the ``fakeauth`` fixture answer every
``aiohttp.ClientSession`` with the semantics of the other transports.

There is no pytest-asyncio: each test runs its coroutine with ``asyncio.run``. Every request
carries a ``ClientTimeout`` of its own, so that no test can hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

import aiohttp
import pytest
from aioresponses import aioresponses
from children import run_child

from fakeauth import FakeAuth, UnservedRequestsError
from fakeauth.errors import DomainError
from fakeauth.transports.guard import VendorHostRefusedError

OVOK = "https://api.dev.ovok.com"
WALTID = "https://enterprise-sandbox.waltid.dev"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
EMAIL, PASSWORD = "ann@example.test", "password123456"
LOGIN = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
USER_URL = "http://user.test/thing"
TIMEOUT = aiohttp.ClientTimeout(total=10)
#: Short enough that a test which waited out the injected delay could not pass.
SHORT = 0.05
#: An injected delay every test here cuts short: a minute, so that "cut short" cannot be
#: confused with "waited out" however slow the machine.
LONG_DELAY = 60.0

T = TypeVar("T")


def run(coroutine: Callable[[aiohttp.ClientSession], Coroutine[Any, Any, T]]) -> T:
    """Run ``coroutine(session)`` with a fresh session on a fresh event loop."""

    async def main() -> T:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            return await coroutine(session)

    return asyncio.run(main())


async def status_of(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with session.get(url, **kwargs) as response:
        return response.status, await response.json(content_type=None)


def get(url: str, **kwargs: Any) -> tuple[int, Any]:
    return run(lambda session: status_of(session, url, **kwargs))


# -- vendor hosts: answered by the fake, as aiohttp's own responses -----------------------------


def test_a_vendor_host_is_answered_with_a_real_client_response() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    async def login(session: aiohttp.ClientSession) -> tuple[Any, ...]:
        async with session.post(f"{OVOK}/auth/b2b/login", json=LOGIN) as response:
            response.raise_for_status()
            return (
                type(response),
                response.status,
                response.headers["Content-Type"],
                await response.json(),
                await response.text(),
            )

    with fake.mock_aiohttp():
        kind, status, content_type, document, text = run(login)

    assert issubclass(kind, aiohttp.ClientResponse)
    assert status == 200
    assert content_type == "application/json; charset=utf-8"
    assert document["accessToken"].count(".") == 2
    assert text.startswith('{"accessToken":')
    fake.calls("ovok.b2b_login").assert_called_once()
    assert fake.calls("ovok.b2b_login").last.request["email"] == EMAIL
    assert fake.calls("ovok.b2b_login").last.url == f"{OVOK}/auth/b2b/login"


def test_raise_for_status_raises_on_a_vendor_error() -> None:
    fake = FakeAuth()

    async def me(session: aiohttp.ClientSession) -> None:
        async with session.get(f"{OVOK}/auth/me") as response:
            response.raise_for_status()

    with fake.mock_aiohttp(), pytest.raises(aiohttp.ClientResponseError) as raised:
        run(me)

    assert raised.value.status == 401


def test_the_waltid_cookie_is_kept_and_sent_back() -> None:
    fake = FakeAuth()
    fake.waltid.add_account(email=EMAIL, password=PASSWORD)
    credentials = {"email": EMAIL, "password": PASSWORD}

    async def login_then_logout(session: aiohttp.ClientSession) -> tuple[str, str]:
        async with session.post(f"{WALTID}/auth/account/emailpass", json=credentials) as login:
            token = (await login.json())["token"]
        jar = {cookie.key: cookie.value for cookie in session.cookie_jar}
        async with session.post(f"{WALTID}/auth/logout") as logout:  # the cookie alone
            logout.raise_for_status()
        return token, jar["ktor-authnz-auth"]

    with fake.mock_aiohttp():
        token, cookie = run(login_then_logout)

    assert cookie == token
    with pytest.raises(DomainError):  # the logout (by cookie) ended the session already
        fake.waltid.logout(token)


def test_a_chunked_request_body_is_read_whole() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    async def body() -> AsyncIterator[bytes]:
        document = json.dumps(LOGIN).encode()
        for start in range(0, len(document), 7):
            yield document[start : start + 7]

    async def login(session: aiohttp.ClientSession) -> int:
        headers = {"Content-Type": "application/json"}
        async with session.post(f"{OVOK}/auth/b2b/login", data=body(), headers=headers) as r:
            return r.status

    with fake.mock_aiohttp():
        status = run(login)

    assert status == 200
    fake.calls("ovok.b2b_login").assert_called_once()


def test_a_client_that_expects_100_continue_sends_its_body() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    async def login(session: aiohttp.ClientSession) -> int:
        async with session.post(f"{OVOK}/auth/b2b/login", json=LOGIN, expect100=True) as r:
            return r.status

    with fake.mock_aiohttp():
        status = run(login)

    assert status == 200
    fake.calls("ovok.b2b_login").assert_called_once()


def test_mock_aiohttp_works_as_a_decorator() -> None:
    fake = FakeAuth()

    @fake.mock_aiohttp()
    def me() -> tuple[int, Any]:
        return get(f"{OVOK}/auth/me")

    assert me()[0] == 401
    fake.calls("ovok.me").assert_called_once()


def test_a_session_made_before_the_mock_is_intercepted() -> None:
    fake = FakeAuth()

    async def main() -> int:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            with fake.mock_aiohttp():
                return (await status_of(session, f"{OVOK}/auth/me"))[0]

    assert asyncio.run(main()) == 401


# -- other hosts, the live server, unserved paths ------------------------------------------------


def test_other_hosts_pass_through_to_the_network(plain_server: str) -> None:
    fake = FakeAuth()

    with fake.mock_aiohttp():
        answer = get(f"{plain_server}/own/service")

    assert answer == (200, {"path": "/own/service"})
    assert len(fake.journal) == 0


def test_the_fakes_live_server_is_reached_over_its_socket() -> None:
    fake = FakeAuth()

    with fake.serve() as server, fake.mock_aiohttp():
        url = f"{server.url}/auth/me"
        status, _ = get(url)

    assert status == 401
    assert fake.calls("ovok.me").last.url == url


def test_an_unserved_vendor_path_answers_501_and_fails_the_block() -> None:
    fake = FakeAuth()
    statuses: list[int] = []

    with pytest.raises(UnservedRequestsError, match=r"GET https://api\.dev\.ovok\.com/auth/x"):
        exercise(fake.mock_aiohttp(), lambda: statuses.append(get(f"{OVOK}/auth/x")[0]))

    assert statuses == [501]


def exercise(context: Any, action: Callable[[], object]) -> None:
    """Run ``action`` inside ``context``: what happens on leaving is what a test looks at."""
    with context:
        action()


def test_unserved_requests_may_be_allowed() -> None:
    fake = FakeAuth()

    with fake.mock_aiohttp(assert_all_served=False):
        status, _ = get(f"{OVOK}/auth/x")

    assert status == 501


def test_without_the_interception_aiohttp_is_refused_the_vendor_hosts() -> None:
    fake = FakeAuth()
    mock = fake.mock_requests()  # requests only: aiohttp meets the network guard
    mock.start()
    try:
        with pytest.raises(aiohttp.ClientConnectorError) as raised:
            get(f"{OVOK}/auth/me")
    finally:
        with pytest.raises(VendorHostRefusedError):
            mock.stop()

    assert isinstance(raised.value.os_error, VendorHostRefusedError)
    assert "fake.mock_aiohttp() answers aiohttp" in str(raised.value.os_error)


# -- faults ---------------------------------------------------------------------------------


def test_drop_next_raises_a_connection_error_once() -> None:
    fake = FakeAuth()
    fake.drop_next("ovok.me")

    with fake.mock_aiohttp():
        with pytest.raises(aiohttp.ClientConnectorError, match="connection dropped") as raised:
            get(f"{OVOK}/auth/me")
        after = get(f"{OVOK}/auth/me")

    assert isinstance(raised.value, aiohttp.ClientConnectionError)
    assert after[0] == 401
    fake.calls("ovok.me").assert_call_count(2)  # not retried behind the caller's back


@pytest.mark.parametrize(
    ("timeout", "error"),
    [
        (aiohttp.ClientTimeout(total=SHORT), asyncio.TimeoutError),
        (aiohttp.ClientTimeout(total=10, sock_read=SHORT), aiohttp.ServerTimeoutError),
    ],
    ids=["total", "sock_read"],
)
def test_a_delay_past_the_timeout_raises_aiohttps_own_timeout_error(
    timeout: aiohttp.ClientTimeout, error: type[BaseException]
) -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    fake.delay_next("ovok.b2b_login", LONG_DELAY)

    async def login(session: aiohttp.ClientSession) -> None:
        async with session.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=timeout):
            pass

    started = time.monotonic()
    with fake.mock_aiohttp(), pytest.raises(error) as raised:
        run(login)
    elapsed = time.monotonic() - started

    # total raises the plain asyncio.TimeoutError, sock_read aiohttp's own subclass of it
    assert issubclass(raised.type, aiohttp.ServerTimeoutError) == (
        error is aiohttp.ServerTimeoutError
    )
    assert elapsed < LONG_DELAY / 2  # cut short by the timeout, not waited out
    fake.calls("ovok.b2b_login").assert_called_once()  # it took effect all the same


def test_a_delay_never_blocks_the_event_loop() -> None:
    fake = FakeAuth()
    fake.delay_next("ovok.me", LONG_DELAY)
    finished: list[str] = []

    async def slow(session: aiohttp.ClientSession) -> None:
        with pytest.raises(aiohttp.ServerTimeoutError):
            await status_of(session, f"{OVOK}/auth/me", timeout=aiohttp.ClientTimeout(sock_read=1))
        finished.append("slow")

    async def quick(session: aiohttp.ClientSession) -> None:
        for _ in range(10_000):  # the slow request first (it takes the delay); 10 s at least
            if fake.calls("ovok.me").called:
                break
            await asyncio.sleep(0.001)  # yields to it: a wait on a condition, not on a time
        await status_of(session, f"{OVOK}/auth/me")
        finished.append("quick")

    async def both(session: aiohttp.ClientSession) -> None:
        await asyncio.gather(slow(session), quick(session))

    with fake.mock_aiohttp():
        run(both)

    assert finished == ["quick", "slow"]
    fake.calls("ovok.me").assert_call_count(2)


def test_a_delay_within_the_timeout_answers_after_it() -> None:
    fake = FakeAuth()
    fake.delay_next("ovok.me", 0.01)

    with fake.mock_aiohttp():
        status, _ = get(f"{OVOK}/auth/me")

    assert status == 401


def test_fail_next_answers_the_injected_status() -> None:
    fake = FakeAuth()
    fake.fail_next("ovok.me", 503, body={"down": True})

    with fake.mock_aiohttp():
        answer = get(f"{OVOK}/auth/me")

    assert answer == (503, {"down": True})


# -- nesting, and a user's own aioresponses mock --------------------------------------------------


def test_two_fakes_nest_and_unwind_in_any_order() -> None:
    inner, outer = FakeAuth(), FakeAuth(ovok_hosts=["https://outer.ovok.test"])
    original = aiohttp.BaseConnector.connect
    outer_mock, inner_mock = outer.mock_aiohttp(), inner.mock_aiohttp()

    outer_mock.start()
    inner_mock.start()
    get(f"{OVOK}/auth/me")
    get("https://outer.ovok.test/auth/me")
    outer_mock.stop()  # under the inner one: switched off, still in place
    inner_mock.stop()  # unwinds both

    inner.calls("ovok.me").assert_called_once()
    outer.calls("ovok.me").assert_called_once()
    assert aiohttp.BaseConnector.connect is original


def user_mock(*, passthrough_unmatched: bool = False) -> aioresponses:
    return aioresponses(passthrough_unmatched=passthrough_unmatched)


@pytest.mark.parametrize("order", ["aioresponses, then fakeauth", "fakeauth, then aioresponses"])
def test_a_users_aioresponses_mock_keeps_its_routes(order: str) -> None:
    fake = FakeAuth()
    mock = user_mock()
    mocks: list[contextlib.AbstractContextManager[Any]] = [mock, fake.mock_aiohttp()]
    if order.startswith("fakeauth"):
        mocks.reverse()

    with mocks[0], mocks[1]:
        mock.get(USER_URL, payload={"user": True})
        vendor = get(f"{OVOK}/auth/me")
        user = get(USER_URL)
        with pytest.raises(aiohttp.ClientConnectionError, match="Connection refused"):
            get("http://elsewhere.test/")

    assert vendor[0] == 401
    assert user == (200, {"user": True})
    fake.calls("ovok.me").assert_called_once()
    assert [str(url) for _, url in mock.requests] == [USER_URL, "http://elsewhere.test/"]


def test_a_users_aioresponses_mock_passes_the_fakes_live_server_through() -> None:
    fake = FakeAuth()

    with fake.serve() as server, fake.mock_aiohttp(), user_mock():
        status, _ = get(f"{server.url}/auth/me")

    assert status == 401
    fake.calls("ovok.me").assert_called_once()


def test_aioresponses_passthrough_unmatched_reaches_the_network(plain_server: str) -> None:
    fake = FakeAuth()

    with fake.mock_aiohttp(), user_mock(passthrough_unmatched=True):
        other = get(f"{plain_server}/elsewhere")
        vendor = get(f"{OVOK}/auth/me")

    assert other == (200, {"path": "/elsewhere"})
    assert vendor[0] == 401


def test_a_b2core_broker_added_later_passes_a_user_mock_too() -> None:
    fake = FakeAuth()
    fake.b2core.add_broker("https://broker.example.test")

    with user_mock(), fake.mock_aiohttp():
        status, _ = get("https://broker.example.test/api/v2/my/2fa")

    assert status == 401  # no bearer: the broker's own refusal
    fake.calls("b2core.2fa_settings").assert_called_once()


# -- the fixture, in a child pytest ---------------------------------------------------------------


WITH_AIOHTTP = """
import asyncio, sys

OVOK = "https://api.dev.ovok.com/auth/me"


def get(aiohttp):
    async def main():
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(OVOK) as response:
                return response.status
    return asyncio.run(main())


def test_imported_during_the_test_is_intercepted(fakeauth):
    assert "aiohttp" not in sys.modules  # the fixture did not import it
    import aiohttp
    assert get(aiohttp) == 401
    fakeauth.calls("ovok.me").assert_called_once()


def test_imported_before_the_test_is_intercepted(fakeauth):
    import aiohttp  # imported by the test before: sys.modules has it at set-up
    assert get(aiohttp) == 401
    fakeauth.calls("ovok.me").assert_called_once()


def test_unserved_fails_the_test(fakeauth):
    import aiohttp
    async def main():
        async with aiohttp.ClientSession() as session:
            async with session.get("https://api.dev.ovok.com/auth/x") as response:
                return response.status
    assert asyncio.run(main()) == 501
"""

AIORESPONSES_FIRST = """
import asyncio, sys


def test_aioresponses_imported_first_during_the_test(fakeauth):
    assert "aiohttp" not in sys.modules
    from aioresponses import aioresponses  # imports aiohttp while it is itself half-imported
    import aiohttp

    async def main():
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get("https://api.dev.ovok.com/auth/me") as vendor:
                async with session.get("http://user.test/thing") as user:
                    return vendor.status, await user.json()

    with aioresponses() as mock:
        mock.get("http://user.test/thing", payload={"user": True})
        assert asyncio.run(main()) == (401, {"user": True})
    fakeauth.calls("ovok.me").assert_called_once()
"""

WITHOUT_AIOHTTP = """
import requests, pytest

def test_aiohttp_is_absent():
    with pytest.raises(ImportError):
        import aiohttp  # noqa: F401

def test_the_fixture_sets_up_and_answers_requests(fakeauth):
    assert requests.get("https://api.dev.ovok.com/auth/me", timeout=5).status_code == 401
"""


@pytest.mark.slow
def test_the_fixture_intercepts_aiohttp_imported_before_or_during_the_test(
    pytester: pytest.Pytester,
) -> None:
    result = run_child(pytester, set(), WITH_AIOHTTP)

    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unserved_fails_the_test*",
            "*GET https://api.dev.ovok.com/auth/x -> 501*",
        ]
    )


@pytest.mark.slow
def test_the_fixture_bridges_aioresponses_imported_during_the_test(
    pytester: pytest.Pytester,
) -> None:
    result = run_child(pytester, set(), AIORESPONSES_FIRST)

    result.assert_outcomes(passed=1)


@pytest.mark.slow
def test_without_aiohttp_the_fixture_sets_up_fine(pytester: pytest.Pytester) -> None:
    result = run_child(pytester, {"aiohttp", "aioresponses"}, WITHOUT_AIOHTTP)

    result.assert_outcomes(passed=2)
