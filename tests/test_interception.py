"""The interception matrix: client libraries x the user's own mocks x the order they start in.

Every cell of the README's table "With your own mocks" is a test here: a vendor host is answered
by the fake (the innermost of two), the user's routes by the user's mock, and any other host as
the user's active mock decides (refused when it mocks everything), or passes through to the
network when no user mock is active. Clients fakeauth does not intercept are refused the vendor
hosts. The orders that only pytest fixtures give (``respx_mock`` before or after ``fakeauth``,
``@responses.activate`` inside a fakeauth test) and the environments without httpx or respx run
in a child interpreter.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import pytest
import requests
import responses
import respx
from aioresponses import aioresponses
from children import run_child

from fakeauth import FakeAuth
from fakeauth.transports.guard import VendorHostRefusedError
from fakeauth.transports.wrapping import Wrapper

OVOK = "https://api.dev.ovok.com"
VENDOR_URL = f"{OVOK}/auth/me"
USER_URL = "http://user.test/thing"
USER_ANSWER = {"user": True}


# -- the clients: each answers (status, JSON or None) or raises -----------------------------------


def via_requests(url: str) -> tuple[int, Any]:
    response = requests.get(url, timeout=10)
    return response.status_code, response.json() if response.content else None


def via_httpx(url: str) -> tuple[int, Any]:
    with httpx.Client(timeout=10) as client:
        response = client.get(url)
    return response.status_code, response.json() if response.content else None


def via_httpx_async(url: str) -> tuple[int, Any]:
    async def get() -> tuple[int, Any]:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url)
        return response.status_code, response.json() if response.content else None

    return asyncio.run(get())


def via_aiohttp(url: str) -> tuple[int, Any]:
    async def get() -> tuple[int, Any]:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
            content = await response.read()
            return response.status, json.loads(content) if content else None

    return asyncio.run(get())


CLIENTS: dict[str, Callable[[str], tuple[int, Any]]] = {
    "requests": via_requests,
    "httpx": via_httpx,
    "httpx async": via_httpx_async,
    "aiohttp": via_aiohttp,
}
REFUSALS: dict[str, tuple[type[BaseException], ...]] = {
    "requests": (requests.ConnectionError,),
    "httpx": (respx.models.AllMockedAssertionError,),
    "httpx async": (respx.models.AllMockedAssertionError,),
    "aiohttp": (aiohttp.ClientConnectionError,),  # aioresponses' "Connection refused"
}


# -- the arrangements: which mocks start, in which order ------------------------------------------


Start = Callable[[contextlib.ExitStack, FakeAuth, FakeAuth], None]


@dataclass
class Cell:
    """One arrangement: its mocks started in order, the fake that must answer the vendor host,
    and what any other host gets (``"network"``, ``"refused"`` or ``"empty 200"``)."""

    start: Start
    answering: str  # "inner" or "outer"
    other_host: str
    user_routes: bool


def user_responses(stack: contextlib.ExitStack) -> None:
    mock = stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=True))
    mock.get(USER_URL, json=USER_ANSWER)


def user_respx(stack: contextlib.ExitStack, *, assert_all_mocked: bool = True) -> None:
    router = stack.enter_context(respx.mock(assert_all_mocked=assert_all_mocked))
    router.get(USER_URL).respond(json=USER_ANSWER)


def user_aioresponses(stack: contextlib.ExitStack, *, passthrough_unmatched: bool) -> None:
    mock = stack.enter_context(aioresponses(passthrough_unmatched=passthrough_unmatched))
    mock.get(USER_URL, payload=USER_ANSWER)


def fake_mocks(stack: contextlib.ExitStack, fake: FakeAuth) -> None:
    stack.enter_context(fake.mock_requests())
    stack.enter_context(fake.mock_httpx())
    stack.enter_context(fake.mock_aiohttp())


def in_order(*steps: str) -> Start:
    """Start the mocks named by ``steps`` in that order: "outer" and "inner" (the fakes'),
    "responses", "respx", "respx, not all mocked", "aioresponses" and "aioresponses,
    passthrough unmatched" (the user's)."""

    def start(stack: contextlib.ExitStack, inner: FakeAuth, outer: FakeAuth) -> None:
        for step in steps:
            if step in ("inner", "outer"):
                fake_mocks(stack, inner if step == "inner" else outer)
            elif step == "responses":
                user_responses(stack)
            elif step.startswith("aioresponses"):
                user_aioresponses(stack, passthrough_unmatched=step.endswith("unmatched"))
            else:
                user_respx(stack, assert_all_mocked=step == "respx")

    return start


CELLS: dict[str, dict[str, Cell]] = {
    "requests": {
        "no mock of yours": Cell(in_order("inner"), "inner", "network", False),
        "responses mock, then fakeauth": Cell(
            in_order("responses", "inner"), "inner", "refused", True
        ),
        "fakeauth, then responses mock": Cell(
            in_order("inner", "responses"), "inner", "refused", True
        ),
        "two fakes nested": Cell(in_order("outer", "inner"), "inner", "network", False),
        "two fakes, then responses mock": Cell(
            in_order("outer", "inner", "responses"), "inner", "refused", True
        ),
    },
    "httpx": {
        "no mock of yours": Cell(in_order("inner"), "inner", "network", False),
        "respx mock, then fakeauth": Cell(in_order("respx", "inner"), "inner", "refused", True),
        "fakeauth, then respx mock": Cell(in_order("inner", "respx"), "inner", "refused", True),
        "fakeauth, then respx mock (assert_all_mocked=False)": Cell(
            in_order("inner", "respx, not all mocked"), "inner", "empty 200", True
        ),
        "two fakes nested": Cell(in_order("outer", "inner"), "inner", "network", False),
        "two fakes, then respx mock": Cell(
            in_order("outer", "inner", "respx"), "inner", "refused", True
        ),
    },
}
CELLS["httpx async"] = CELLS["httpx"]
CELLS["aiohttp"] = {
    "no mock of yours": Cell(in_order("inner"), "inner", "network", False),
    "aioresponses mock, then fakeauth": Cell(
        in_order("aioresponses", "inner"), "inner", "refused", True
    ),
    "fakeauth, then aioresponses mock": Cell(
        in_order("inner", "aioresponses"), "inner", "refused", True
    ),
    "fakeauth, then aioresponses(passthrough_unmatched=True)": Cell(
        in_order("inner", "aioresponses, passthrough unmatched"), "inner", "network", True
    ),
    "two fakes nested": Cell(in_order("outer", "inner"), "inner", "network", False),
    "two fakes, then aioresponses mock": Cell(
        in_order("outer", "inner", "aioresponses"), "inner", "refused", True
    ),
}


@pytest.mark.parametrize(
    ("client", "arrangement"),
    [(client, arrangement) for client, cells in CELLS.items() for arrangement in cells],
)
def test_every_cell_of_the_interception_matrix(
    client: str, arrangement: str, plain_server: str
) -> None:
    cell = CELLS[client][arrangement]
    send = CLIENTS[client]
    inner, outer = FakeAuth(), FakeAuth()
    other_url = f"{plain_server}/elsewhere"

    with contextlib.ExitStack() as stack:
        cell.start(stack, inner, outer)
        vendor = send(VENDOR_URL)
        user = send(USER_URL) if cell.user_routes else None
        if cell.other_host == "refused":
            with pytest.raises(REFUSALS[client]):
                send(other_url)
            other: Any = "refused"
        else:
            other = send(other_url)

    answering, idle = (inner, outer) if cell.answering == "inner" else (outer, inner)
    assert vendor[0] == 401
    answering.calls("ovok.me").assert_called_once()
    idle.calls("ovok.me").assert_not_called()
    if cell.user_routes:
        assert user == (200, USER_ANSWER)
    expected_other = {
        "network": (200, {"path": "/elsewhere"}),
        "refused": "refused",
        "empty 200": (200, None),
    }[cell.other_host]
    assert other == expected_other


def test_the_outer_fake_answers_the_hosts_only_it_has() -> None:
    inner, outer = FakeAuth(), FakeAuth(ovok_hosts=["https://outer.ovok.test"])

    with outer.mock_httpx(), inner.mock_httpx(), outer.mock_requests(), inner.mock_requests():
        via_httpx("https://outer.ovok.test/auth/me")
        via_requests("https://outer.ovok.test/auth/me")
        via_httpx(VENDOR_URL)

    outer.calls("ovok.me").assert_call_count(2)
    inner.calls("ovok.me").assert_called_once()


def test_a_fake_stopped_out_of_order_is_switched_off_not_unwound() -> None:
    first, second = FakeAuth(), FakeAuth()
    first_mock, second_mock = first.mock_httpx(), second.mock_httpx()
    original = httpx.HTTPTransport.handle_request

    first_mock.start()
    second_mock.start()
    first_mock.stop()  # under the second: switched off
    via_httpx(VENDOR_URL)
    second_mock.stop()  # unwinds both

    second.calls("ovok.me").assert_called_once()
    first.calls("ovok.me").assert_not_called()
    assert httpx.HTTPTransport.handle_request is original


def test_a_user_mock_started_inside_keeps_its_own_assertions() -> None:
    fake = FakeAuth()

    mock = responses.RequestsMock(assert_all_requests_are_fired=True)
    mock.get(USER_URL, json=USER_ANSWER)

    with fake.mock_requests():
        mock.start()
        via_requests(VENDOR_URL)  # the fake's entry never counts as "not fired"
        with pytest.raises(AssertionError, match="Not all requests"):
            mock.stop()


def test_a_user_mock_started_inside_reaches_the_fakes_live_server() -> None:
    fake = FakeAuth()

    with fake.serve() as server, fake.mock_requests(), responses.RequestsMock():
        status, _ = via_requests(f"{server.url}/auth/me")

    assert status == 401
    fake.calls("ovok.me").assert_called_once()


# -- clients fakeauth does not intercept: refused the vendor hosts --------------------------------


def urllib_get(url: str) -> None:
    urllib.request.urlopen(url, timeout=10)


def http_client_get(url: str) -> None:
    connection = http.client.HTTPSConnection("api.dev.ovok.com", timeout=10)
    try:
        connection.request("GET", "/auth/me")
    finally:
        connection.close()


def socket_connect(url: str) -> None:
    socket.create_connection(("api.dev.ovok.com", 443), timeout=10).close()


@pytest.mark.parametrize("get", [urllib_get, http_client_get, socket_connect])
def test_a_client_that_is_not_intercepted_is_refused_the_vendor_hosts(
    get: Callable[[str], None],
) -> None:
    fake = FakeAuth()
    mock = fake.mock_requests()
    mock.start()
    try:
        with pytest.raises(OSError, match=r"refused a connection to api\.dev\.ovok\.com") as raised:
            get(VENDOR_URL)
    finally:
        with pytest.raises(VendorHostRefusedError, match=r"1 connection\(s\) refused"):
            mock.stop()

    assert "fake.mock_httpx() answers httpx" in str(raised.value)


def test_other_hosts_still_resolve_under_the_guard(plain_server: str) -> None:
    fake = FakeAuth()

    with fake.mock_requests():
        with urllib.request.urlopen(f"{plain_server}/x", timeout=10) as response:
            body = json.loads(response.read())
        addresses = socket.getaddrinfo("localhost", 80)

    assert body == {"path": "/x"}
    assert addresses
    assert len(fake.network_refusals) == 0


def test_the_guard_refuses_nothing_after_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def resolve(host: str, *args: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "no DNS in this test")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    fake = FakeAuth()
    refusals = fake.network_refusals
    with (
        fake.mock_requests(),
        fake.mock_httpx(),
        refusals.expected(),
        pytest.raises(VendorHostRefusedError),
    ):
        socket.getaddrinfo("api.dev.ovok.com", 443)

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("api.dev.ovok.com", 443)

    assert asked == ["api.dev.ovok.com"]
    assert len(fake.network_refusals) == 0


def test_a_reset_forgets_the_refusals() -> None:
    fake = FakeAuth()
    mock = fake.mock_requests()
    mock.start()
    with pytest.raises(VendorHostRefusedError):
        socket.getaddrinfo("api.dev.ovok.com", 443)
    mock.stop(check=False)

    fake.reset()

    assert len(fake.network_refusals) == 0
    fake.network_refusals.check()  # nothing left to fail on


NOTHING_REFUSED = (
    "fakeauth: network_refusals.expected(): no client was refused a vendor host in the block; an "
    "intercepted client (requests, httpx, aiohttp) is answered by the fake instead, so only "
    "another client (urllib, http.client, urllib3 used directly) is refused"
)


def test_an_expected_refusal_does_not_fail_the_block() -> None:
    fake = FakeAuth()

    refusals = fake.network_refusals
    with fake.mock_requests(), refusals.expected() as refused, pytest.raises(urllib.error.URLError):
        urllib_get(VENDOR_URL)

    assert refused == ["api.dev.ovok.com"]
    assert len(fake.network_refusals) == 0


def test_a_refusal_outside_the_expected_block_still_fails_the_block() -> None:
    fake = FakeAuth()
    mock = fake.mock_requests()
    mock.start()
    with pytest.raises(VendorHostRefusedError):
        socket.getaddrinfo("api.ovok.com", 443)

    with fake.network_refusals.expected() as refused, pytest.raises(VendorHostRefusedError):
        socket.getaddrinfo("api.dev.ovok.com", 443)
    with pytest.raises(VendorHostRefusedError) as raised:
        mock.stop()

    assert refused == ["api.dev.ovok.com"]
    assert "api.ovok.com" in str(raised.value)
    assert "api.dev.ovok.com" not in str(raised.value)
    assert "(1 connection(s) refused)" in str(raised.value)


def test_an_expected_refusal_that_does_not_happen_fails() -> None:
    fake = FakeAuth()

    refusals = fake.network_refusals
    with fake.mock_requests(), pytest.raises(AssertionError) as raised, refusals.expected():
        requests.get(VENDOR_URL, timeout=10)  # intercepted: answered, not refused

    assert str(raised.value) == NOTHING_REFUSED


# -- the orders only fixtures give, and environments without httpx or respx: a child pytest ------

FIXTURE_ORDERS = """
import httpx, pytest, requests, responses

VENDOR = "https://api.dev.ovok.com/auth/me"
USER = "http://user.test/thing"


def check(fakeauth, get):
    assert get(VENDOR).status_code == 401
    assert get(USER).json() == {"user": True}
    fakeauth.calls("ovok.me").assert_called_once()


def test_respx_mock_before_fakeauth(respx_mock, fakeauth):
    respx_mock.get(USER).respond(json={"user": True})
    check(fakeauth, httpx.get)
    with pytest.raises(AssertionError):
        httpx.get("http://elsewhere.test/")


def test_respx_mock_after_fakeauth(fakeauth, respx_mock):
    respx_mock.get(USER).respond(json={"user": True})
    check(fakeauth, httpx.get)
    with pytest.raises(AssertionError):
        httpx.get("http://elsewhere.test/")


@responses.activate
def test_responses_activate_inside_a_fakeauth_test(fakeauth):
    responses.get(USER, json={"user": True})
    check(fakeauth, requests.get)
    with pytest.raises(requests.ConnectionError):
        requests.get("http://elsewhere.test/")


@pytest.mark.fakeauth
def test_the_marker_intercepts_httpx(fakeauth):
    assert httpx.get(VENDOR).status_code == 401
"""


@pytest.mark.slow
def test_the_orders_only_fixtures_give(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_orders=FIXTURE_ORDERS)

    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=4)


HTTPX_WITHOUT_RESPX = """
import httpx, pytest

def test_respx_is_absent():
    with pytest.raises(ImportError):
        import respx  # noqa: F401

def test_the_fixture_answers_httpx_without_respx(fakeauth):
    assert httpx.get("https://api.dev.ovok.com/auth/me").status_code == 401
    fakeauth.calls("ovok.me").assert_called_once()

def test_async_too(fakeauth):
    import asyncio
    async def get():
        async with httpx.AsyncClient() as client:
            return (await client.get("https://api.dev.ovok.com/auth/me")).status_code
    assert asyncio.run(get()) == 401
"""

REQUESTS_ONLY = """
import urllib.request
import pytest, requests

def test_httpx_is_absent():
    with pytest.raises(ImportError):
        import httpx  # noqa: F401

def test_a_requests_only_suite_runs_as_before(fakeauth):
    assert requests.get("https://api.dev.ovok.com/auth/me").status_code == 401

def test_another_client_is_refused_at_request_time(fakeauth):
    try:
        urllib.request.urlopen("https://api.dev.ovok.com/auth/me", timeout=5)
    except OSError as error:
        assert "refused a connection to api.dev.ovok.com" in str(error)
"""


def test_httpx_without_respx_is_answered_by_the_fixture(pytester: pytest.Pytester) -> None:
    result = run_child(pytester, {"respx"}, HTTPX_WITHOUT_RESPX)

    result.assert_outcomes(passed=3)


@pytest.mark.slow
def test_without_httpx_a_requests_suite_runs_and_other_clients_are_refused(
    pytester: pytest.Pytester,
) -> None:
    result = run_child(pytester, {"httpx", "respx"}, REQUESTS_ONLY)

    # The refused client's test itself passes (it caught the error), and its teardown fails:
    # a swallowed refusal still fails the test.
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_another_client_is_refused_at_request_time*",
            "*VendorHostRefusedError: fakeauth: refused a connection to api.dev.ovok.com*",
        ]
    )


SERVER_ONLY = """
import httpx, pytest, requests

def test_the_live_server_answers(fakeauth_server):
    assert requests.get(f"{fakeauth_server.url}/auth/me", timeout=5).status_code == 401

def test_a_vendor_host_is_refused_beside_the_live_server(fakeauth_server):
    with pytest.raises(requests.ConnectionError, match="refused a connection to api.dev.ovok.com"):
        requests.get("https://api.dev.ovok.com/auth/me", timeout=5)
    with pytest.raises(httpx.ConnectError, match="refused a connection to api.dev.ovok.com"):
        httpx.get("https://api.dev.ovok.com/auth/me", timeout=5)
"""


@pytest.mark.slow
def test_the_live_server_fixture_alone_refuses_the_vendor_hosts(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_server_only=SERVER_ONLY)

    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    # the second test caught both refusals, and its teardown still fails on them
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*2 connection(s) refused*"])


def test_a_refusal_after_a_reset_inside_the_block_still_fails_it() -> None:
    fake = FakeAuth()
    mock = fake.mock_requests()
    mock.start()
    with pytest.raises(VendorHostRefusedError):
        socket.getaddrinfo("api.dev.ovok.com", 443)
    fake.reset()  # forgets the first refusal
    with pytest.raises(VendorHostRefusedError):
        socket.getaddrinfo("api.dev.ovok.com", 443)

    with pytest.raises(VendorHostRefusedError, match=r"1 connection\(s\) refused"):
        mock.stop()


def test_wrappers_undone_in_any_order_leave_the_original_in_place() -> None:
    class Owner:
        @staticmethod
        def call() -> list[str]:
            return ["original"]

    original = Owner.call

    def tagging(tag: str) -> Callable[[Wrapper], Callable[[], list[str]]]:
        def make(wrapper: Wrapper) -> Callable[[], list[str]]:
            def call() -> list[str]:
                below: list[str] = wrapper.wrapped()
                return [tag, *below] if wrapper.active else below

            return call

        return make

    first, second, third = (Wrapper(Owner, "call", tagging(tag)) for tag in "abc")
    assert Owner.call() == ["c", "b", "a", "original"]

    second.undo()  # under the third: switched off, still in place
    assert Owner.call() == ["c", "a", "original"]
    third.undo()  # on top: unwinds itself and the switched-off second
    assert Owner.call is first.function
    first.undo()

    assert Owner.call is original


def test_a_wrapper_holds_its_function_only_while_it_is_in_place_or_wrapped() -> None:
    # The function refers to its wrapper: a wrapper holding it back would be a reference cycle
    # (and the fake in the function's closure would wait for the cycle collector).
    class Owner:
        @staticmethod
        def call() -> str:
            return "original"

    def passing(wrapper: Wrapper) -> Callable[[], str]:
        def call() -> str:
            return str(wrapper.wrapped())

        return call

    first, second = Wrapper(Owner, "call", passing), Wrapper(Owner, "call", passing)
    first.undo()  # under the second: the second still calls it
    assert first.function is not None
    assert Owner.call() == "original"

    second.undo()  # on top: both taken out; the second's function held by nothing
    assert second.function is None
    del second  # the wrapper that wrapped the first's function

    assert first.function is None
    assert Owner.call() == "original"
    first.undo()  # undone twice: nothing to do
