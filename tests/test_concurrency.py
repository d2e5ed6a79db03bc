"""Concurrency on the live server: parallel registrations and logins lose nothing, and parallel
registrations of one email make exactly one account, on every vendor."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from hardening import PASSWORD, waltid_registration

from fakeauth import FakeAuth
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
THREADS, ROUNDS = 8, 5
SAME_EMAIL_THREADS = 16
TIMEOUT = 10

#: A register-then-log-in flow: (session, server url, email) -> (register status, login status).
Flow = Callable[[requests.Session, str, str], tuple[int, int]]


def _ovok(session: requests.Session, url: str, email: str) -> tuple[int, int]:
    ids = {"tenantId": DEFAULT_TENANT_ID, "clientId": DEFAULT_CLIENT_ID}
    credentials = {"email": email, "password": PASSWORD, **ids}
    register = session.post(
        f"{url}/auth/b2b/register",
        json={**credentials, "name": "Max", "surname": "Mustermann"},
        timeout=TIMEOUT,
    )
    login = session.post(f"{url}/auth/b2b/login", json=credentials, timeout=TIMEOUT)
    return register.status_code, login.status_code


def _b2core_step(response: requests.Response) -> int:
    # B2Core answers HTTP 200 for every step; the envelope's code says whether it finished
    body = response.json()
    return int(body["code"]) if response.status_code == 200 else response.status_code


def _b2core(session: requests.Session, url: str, email: str) -> tuple[int, int]:
    wizard = session.post(f"{url}/api/v2/my/signup/wizard", json={}, timeout=TIMEOUT).json()
    form = {
        "uuid": wizard["uuid"],
        "email": email,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "device_fingerprint": FINGERPRINT,
    }
    register = session.post(f"{url}/api/v2/my/signup", json=form, timeout=TIMEOUT)
    signin = session.get(f"{url}/api/v2/my/signin/wizard", timeout=TIMEOUT).json()
    credentials = {"uuid": signin["uuid"], "email": email, "password": PASSWORD}
    login = session.post(
        f"{url}/api/v2/my/signin",
        json={**credentials, "device_fingerprint": FINGERPRINT},
        timeout=TIMEOUT,
    )
    return _b2core_step(register), _b2core_step(login)


def _waltid(session: requests.Session, url: str, email: str) -> tuple[int, int]:
    register = session.post(
        f"{url}/v1/account/register", json=waltid_registration(email, PASSWORD), timeout=TIMEOUT
    )
    login = session.post(
        f"{url}/auth/account/emailpass",
        json={"email": email, "password": PASSWORD},
        timeout=TIMEOUT,
    )
    return register.status_code, login.status_code


FLOWS: dict[str, tuple[Flow, int]] = {
    # vendor: (flow, the status of a successful registration and login)
    "ovok": (_ovok, 200),
    "b2core": (_b2core, 202),
    "waltid": (_waltid, 201),
}
LOGGED_IN = {"ovok": 200, "b2core": 202, "waltid": 200}
DUPLICATE = {"ovok": 400, "b2core": 400, "waltid": 409}


def _run_together(
    threads: int, work: Callable[[int], list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """Run ``work(i)`` in ``threads`` threads that start at the same instant."""
    barrier = threading.Barrier(threads)

    def start(i: int) -> list[tuple[int, int]]:
        barrier.wait(timeout=TIMEOUT)
        return work(i)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [status for result in pool.map(start, range(threads)) for status in result]


@pytest.mark.parametrize("vendor", list(FLOWS))
def test_parallel_registrations_and_logins_lose_nothing(vendor: str) -> None:
    fake = FakeAuth()
    flow, registered = FLOWS[vendor]

    with fake.serve() as server:

        def work(thread: int) -> list[tuple[int, int]]:
            with requests.Session() as session:
                return [
                    flow(session, server.url, f"user{thread}-{i}@example.test")
                    for i in range(ROUNDS)
                ]

        statuses = _run_together(THREADS, work)

    assert Counter(statuses) == {(registered, LOGGED_IN[vendor]): THREADS * ROUNDS}
    emails = [a["email"] for a in fake.export_accounts()[vendor]]
    assert sorted(emails) == sorted(
        f"user{t}-{i}@example.test" for t in range(THREADS) for i in range(ROUNDS)
    )
    assert fake.handler_errors == []


@pytest.mark.parametrize("vendor", list(FLOWS))
def test_parallel_registrations_of_one_email_make_one_account(vendor: str) -> None:
    fake = FakeAuth()
    flow, registered = FLOWS[vendor]

    with fake.serve() as server:

        def work(thread: int) -> list[tuple[int, int]]:
            with requests.Session() as session:
                return [flow(session, server.url, "Same.Person@example.test")]

        statuses = _run_together(SAME_EMAIL_THREADS, work)

    registrations = Counter(register for register, _ in statuses)
    assert registrations == {registered: 1, DUPLICATE[vendor]: SAME_EMAIL_THREADS - 1}
    assert {login for _, login in statuses} == {LOGGED_IN[vendor]}
    assert [a["email"] for a in fake.export_accounts()[vendor]] == ["Same.Person@example.test"]
    assert fake.handler_errors == []
