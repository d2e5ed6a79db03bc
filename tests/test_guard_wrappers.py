"""The network guard's wrappers and the wrapper of ``responses.RequestsMock.start`` are installed
once and shared (issue 25, target 4): an interception's start and stop switch them on and off
for its fake, they refuse and bridge exactly as freshly patched ones would, and nothing of a fake
stays behind once its interception is left."""

from __future__ import annotations

import gc
import socket
import threading
import weakref
from typing import Any

import pytest
import requests
import responses

from fakeauth import FakeAuth
from fakeauth.transports.guard import GuardWrappers, NetworkGuard, VendorHostRefusedError

OVOK_HOST = "api.dev.ovok.com"
OTHER_OVOK_HOST = "ovok.other.test"
THREADS = 8
CYCLES = 200
REFUSAL = (
    "fakeauth: refused a connection to {host}, a vendor host of this test's FakeAuth, from a "
    "client that is not intercepted here: fake.mock_requests() answers requests, "
    "fake.mock_httpx() answers httpx, fake.mock_aiohttp() answers aiohttp (the fakeauth fixture "
    "does all three); point any other client at the fake's live server (fake.serve() or the "
    "fakeauth_server fixture)"
)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names ``socket.getaddrinfo`` was asked for past the guard (each refused with
    ``socket.gaierror``), put in place as a test's own patch would be."""
    names: list[str] = []

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        names.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "no DNS in this test")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return names


def test_a_second_fake_reuses_the_wrappers_and_still_refuses(asked: list[str]) -> None:
    first, second = FakeAuth(), FakeAuth()
    with first.mock_requests():
        installed = socket.getaddrinfo

    with second.mock_requests(), second.network_refusals.expected() as refused:
        in_place = socket.getaddrinfo
        with pytest.raises(VendorHostRefusedError) as raised:
            socket.getaddrinfo(OVOK_HOST, 443)

    assert in_place is installed
    assert str(raised.value) == REFUSAL.format(host=OVOK_HOST)
    assert refused == [OVOK_HOST]
    assert asked == []


def test_nothing_is_refused_and_no_fake_is_held_after_the_last_block(asked: list[str]) -> None:
    fake = FakeAuth()
    with fake.mock_requests():
        wrappers = GuardWrappers.on_top()
    gone = weakref.ref(fake)
    del fake
    gc.collect()

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo(OVOK_HOST, 443)

    assert wrappers is not None
    assert wrappers.guards == ()
    assert gone() is None
    assert asked == [OVOK_HOST]


def test_nested_fakes_each_refuse_their_own_hosts_until_each_block_ends(asked: list[str]) -> None:
    outer = FakeAuth(ovok_hosts=f"https://{OTHER_OVOK_HOST}")
    inner = FakeAuth()

    with outer.mock_requests(), outer.network_refusals.expected() as outer_refused:
        with inner.mock_requests(), inner.network_refusals.expected() as inner_refused:
            with pytest.raises(VendorHostRefusedError):
                socket.getaddrinfo(OVOK_HOST, 443)
            with pytest.raises(VendorHostRefusedError):
                socket.getaddrinfo(OTHER_OVOK_HOST, 443)
        with pytest.raises(socket.gaierror):  # the inner block is over: its host goes on
            socket.getaddrinfo(OVOK_HOST, 443)
        with pytest.raises(VendorHostRefusedError):
            socket.getaddrinfo(OTHER_OVOK_HOST, 443)

    assert inner_refused == [OVOK_HOST]
    assert outer_refused == [OTHER_OVOK_HOST, OTHER_OVOK_HOST]
    assert asked == [OVOK_HOST]


def test_a_patch_put_over_the_wrappers_is_wrapped_again_by_the_next_guard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeAuth().mock_requests():  # the shared wrappers are in place, under what follows
        pass
    below = GuardWrappers.on_top()
    asked: list[str] = []

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "no DNS in this test")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    fake = FakeAuth()
    with fake.mock_requests(), fake.network_refusals.expected() as refused:
        above = GuardWrappers.on_top()
        with pytest.raises(VendorHostRefusedError):
            socket.getaddrinfo(OVOK_HOST, 443)

    assert below is not None
    assert above is not None
    assert above is not below
    assert refused == [OVOK_HOST]
    assert asked == []  # the patch in between never saw the vendor host


def test_guards_started_and_stopped_in_many_threads_leave_none_behind() -> None:
    fakes = [FakeAuth() for _ in range(THREADS)]
    NetworkGuard(fakes[0]).start().stop()  # the shared wrappers in place: every thread uses them
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def cycle(fake: FakeAuth) -> None:
        try:
            barrier.wait()
            for _ in range(CYCLES):
                guard = NetworkGuard(fake).start()
                guard.stop()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=cycle, args=(fake,)) for fake in fakes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    wrappers = GuardWrappers.on_top()
    assert errors == []
    assert wrappers is not None
    assert wrappers.guards == ()


def test_stopping_a_guard_twice_is_harmless() -> None:
    fake = FakeAuth()
    guard = NetworkGuard(fake).start()

    guard.stop()
    guard.stop()

    wrappers = GuardWrappers.on_top()
    assert wrappers is not None
    assert guard not in wrappers.guards


# -- responses.RequestsMock.start: one shared wrapper too ----------------------------------------

VENDOR_ME = f"https://{OVOK_HOST}/auth/me"
USER_URL = "https://user.example.test/thing"
USER_ANSWER = {"user": "mock"}


def get(url: str) -> tuple[int, Any]:
    response = requests.get(url, timeout=10)
    return response.status_code, response.json()


def test_a_second_interception_reuses_the_start_wrapper_and_still_bridges() -> None:
    first, second = FakeAuth(), FakeAuth()
    with first.mock_requests():
        installed = responses.RequestsMock.start

    with second.mock_requests():
        in_place = responses.RequestsMock.start
        with responses.RequestsMock() as user:
            user.get(USER_URL, json=USER_ANSWER)
            vendor = get(VENDOR_ME)
            own = get(USER_URL)

    assert in_place is installed
    assert vendor[0] == 401
    assert own == (200, USER_ANSWER)
    second.calls("ovok.me").assert_called_once()
    first.calls("ovok.me").assert_not_called()


def test_a_user_mock_started_after_the_last_block_learns_no_vendor_host() -> None:
    fake = FakeAuth()
    with fake.mock_requests():
        pass

    with responses.RequestsMock() as user:
        registered = list(user.registered())

    assert registered == []


def test_nested_interceptions_bridge_the_innermost_fake_first_then_the_outer() -> None:
    outer = FakeAuth(ovok_hosts=f"https://{OTHER_OVOK_HOST}")
    inner = FakeAuth()

    with outer.mock_requests(), inner.mock_requests(), responses.RequestsMock():
        inner_status, _ = get(VENDOR_ME)
        outer_status, _ = get(f"https://{OTHER_OVOK_HOST}/auth/me")

    assert (inner_status, outer_status) == (401, 401)
    inner.calls("ovok.me").assert_called_once()
    outer.calls("ovok.me").assert_called_once()
