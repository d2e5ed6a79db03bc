"""``delay_next`` meets the client's own timeout in process, as a slow vendor would.

When the delay is longer than the client's read timeout, the call raises that client's timeout
error once the timeout has passed (the sleep asked for is the timeout, not the delay), and the
operation has still taken effect and been journaled. Async clients are delayed by awaiting, never
by a sleep that holds the event loop. The sleeps are observed through a spy, not timed.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import requests
import urllib3

from fakeauth import FakeAuth
from fakeauth.faults import Fault

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
REGISTER = {
    "email": "slow@example.test",
    "password": "s3cret-Pa55word",
    "name": "Slow",
    "surname": "Vendor",
    "tenantId": TENANT,
    "clientId": TENANT,
}
URL = f"{OVOK}/auth/b2b/register"
OPERATION = "ovok.b2b_register"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every blocking sleep the in-process transports ask for (slept for real, but briefly)."""
    asked: list[float] = []
    real_sleep = time.sleep

    def spy(seconds: float) -> None:
        asked.append(seconds)
        real_sleep(min(seconds, 0.01))

    monkeypatch.setattr(time, "sleep", spy)
    return asked


def registered(fake: FakeAuth) -> bool:
    return [account.email for account in fake.ovok.accounts] == [REGISTER["email"]]


@pytest.mark.parametrize(
    "timeout",
    [0.2, (5, 0.2), urllib3.Timeout(connect=5, read=0.2)],
    ids=["float", "pair", "urllib3"],
)
def test_requests_times_out_at_its_read_timeout_and_the_call_still_takes_effect(
    timeout: Any, sleeps: list[float]
) -> None:
    fake = FakeAuth()
    fake.delay_next(OPERATION, 5)

    with fake.mock_requests(), pytest.raises(requests.exceptions.ReadTimeout) as raised:
        requests.post(URL, json=REGISTER, timeout=timeout)

    assert "took longer than the read timeout" in str(raised.value)
    assert sleeps == [0.2]
    fake.calls(OPERATION).assert_called_once()
    assert fake.calls(OPERATION).last.status == 200
    assert registered(fake)


@pytest.mark.parametrize("timeout", [10, None], ids=["within the timeout", "no timeout"])
def test_requests_waits_out_a_delay_within_its_timeout(
    timeout: float | None, sleeps: list[float]
) -> None:
    fake = FakeAuth()
    fake.delay_next(OPERATION, 2.5)

    with fake.mock_requests():
        response = requests.post(URL, json=REGISTER, timeout=timeout)

    assert response.status_code == 200
    assert sleeps == [2.5]


def test_a_dropped_connection_after_a_long_delay_is_a_timeout_first(sleeps: list[float]) -> None:
    fake = FakeAuth()
    fake.faults.add(Fault(OPERATION, drop=True, delay=3.0))

    with fake.mock_requests(), pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(URL, json=REGISTER, timeout=0.5)

    assert sleeps == [0.5]
    fake.calls(OPERATION).assert_called_once()


@pytest.mark.parametrize("how", ["mock_httpx", "httpx_transport"])
def test_httpx_times_out_at_its_read_timeout_and_the_call_still_takes_effect(
    how: str, sleeps: list[float]
) -> None:
    fake = FakeAuth()
    fake.delay_next(OPERATION, 5)
    timeout = httpx.Timeout(5, read=0.2)

    if how == "mock_httpx":
        with fake.mock_httpx(), pytest.raises(httpx.ReadTimeout):
            httpx.post(URL, json=REGISTER, timeout=timeout)
    else:
        client = httpx.Client(transport=fake.httpx_transport(), timeout=timeout)
        with pytest.raises(httpx.ReadTimeout):
            client.post(URL, json=REGISTER)

    assert sleeps == [0.2]
    fake.calls(OPERATION).assert_called_once()
    assert registered(fake)


def test_httpx_waits_out_a_delay_within_its_timeout(sleeps: list[float]) -> None:
    fake = FakeAuth()
    fake.delay_next(OPERATION, 1.5)

    with fake.mock_httpx():
        response = httpx.post(URL, json=REGISTER, timeout=None)

    assert response.status_code == 200
    assert sleeps == [1.5]


@pytest.mark.parametrize("how", ["mock_httpx", "httpx_transport"])
@pytest.mark.parametrize(("delay", "read", "outcome"), [(5, 0.2, "timeout"), (0.2, 5, "answer")])
def test_async_httpx_is_delayed_by_awaiting_never_by_blocking_the_loop(
    how: str,
    delay: float,
    read: float,
    outcome: str,
    sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeAuth()
    fake.delay_next(OPERATION, delay)
    awaited: list[float] = []
    real_sleep = asyncio.sleep

    async def spy(seconds: float) -> None:
        awaited.append(seconds)
        await real_sleep(0.01)

    monkeypatch.setattr(asyncio, "sleep", spy)
    events: list[str] = []

    async def call() -> None:
        timeout = httpx.Timeout(5, read=read)
        if how == "mock_httpx":
            client = httpx.AsyncClient(timeout=timeout)
        else:
            client = httpx.AsyncClient(transport=fake.httpx_transport(), timeout=timeout)
        async with client:
            try:
                await client.post(URL, json=REGISTER)
            except httpx.ReadTimeout:
                events.append("timeout")
            else:
                events.append("answer")

    async def meanwhile() -> None:
        events.append("the loop ran")

    async def main() -> None:
        await asyncio.gather(call(), meanwhile())

    if how == "mock_httpx":
        with fake.mock_httpx():
            asyncio.run(main())
    else:
        asyncio.run(main())

    assert sleeps == []  # nothing blocked the loop
    assert awaited == [min(delay, read)]
    assert events == ["the loop ran", outcome]
    fake.calls(OPERATION).assert_called_once()
