"""The live server reads and answers only so many bytes of large bodies at once (issue 21, §4):
memory bounded while reading, whatever the number of clients sending state documents at once.

The bound is asserted structurally (how many bodies are inside the app at once, what the budget
held at most), never by the process's memory: ``benchmarks/control_memory.py`` measures that.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pytest
import requests

from fakeauth import FakeAuth
from fakeauth.errors import ConfigurationError
from fakeauth.transports.budget import DEFAULT_BODY_BUDGET, BodyBudget
from fakeauth.transports.server import LiveServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

WAIT = 10.0  # the most any wait here takes; each ends on an event long before
BODY = 100 * 1024  # over the server's SMALL_BODY (64 KiB): a large body
CLIENTS = 5


def eventually(predicate: Callable[[], bool]) -> bool:
    """Whether ``predicate`` holds within WAIT (checked every hundredth of a second)."""
    pause = threading.Event()
    for _ in range(int(WAIT * 100)):
        if predicate():
            return True
        pause.wait(0.01)
    return predicate()


class HoldingApp:
    """A WSGI app that holds every request it gets until ``release`` is set, and counts how many
    it holds at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.inside = 0
        self.most_inside = 0
        self.lengths: list[int] = []
        self._lock = threading.Lock()

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        return 64 * 1024 * 1024

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read()
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.lengths.append(len(body))
        try:
            self.release.wait(WAIT)
        finally:
            with self._lock:
                self.inside -= 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"read"]


def post(url: str, statuses: list[int]) -> None:
    response = requests.post(url, data=b"x" * BODY, timeout=WAIT)
    statuses.append(response.status_code)


def test_no_more_large_bodies_are_answered_at_once_than_the_budget_holds() -> None:
    app = HoldingApp()
    statuses: list[int] = []
    with LiveServer(app, body_budget=2 * BODY) as server:
        clients = [
            threading.Thread(target=post, args=(f"{server.url}/import", statuses))
            for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        # every body has arrived: two inside the app, the other three waiting, unread
        arrived = eventually(lambda: app.inside == 2 and server.body_budget.waiting == 3)
        held = server.body_budget.held

        app.release.set()
        for client in clients:
            client.join(WAIT)

    assert arrived
    assert held == 2 * BODY
    assert statuses == [200] * CLIENTS
    assert app.most_inside == 2
    assert app.lengths == [BODY] * CLIENTS
    assert server.body_budget.peak == 2 * BODY
    assert server.body_budget.held == 0


def test_a_small_body_is_answered_while_large_ones_fill_the_budget() -> None:
    app = HoldingApp()
    statuses: list[int] = []
    with LiveServer(app, body_budget=BODY) as server:
        large = threading.Thread(target=post, args=(f"{server.url}/import", statuses))
        large.start()
        assert eventually(lambda: app.inside == 1)
        small = threading.Thread(
            target=lambda: statuses.append(
                requests.post(f"{server.url}/small", data=b"{}", timeout=WAIT).status_code
            )
        )
        small.start()
        small_inside = eventually(lambda: app.inside == 2)

        app.release.set()
        for client in (large, small):
            client.join(WAIT)

    assert small_inside
    assert statuses == [200, 200]


def test_a_body_waiting_for_room_is_answered_503_when_the_server_stops() -> None:
    app = HoldingApp()
    server = LiveServer(app, body_budget=BODY).start()
    statuses: list[int] = []
    holder = threading.Thread(target=post, args=(f"{server.url}/import", statuses))
    holder.start()
    assert eventually(lambda: app.inside == 1)
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as waiting:
        waiting.sendall(b"POST /import HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % BODY)
        assert eventually(lambda: server.body_budget.waiting == 1)

        stopper = threading.Thread(target=server.stop)
        stopper.start()
        answer = waiting.recv(65536)
        app.release.set()
        stopper.join(WAIT)
        holder.join(WAIT)

    assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert answer.endswith(b"fakeauth: the server is stopping\n")
    assert not stopper.is_alive()


def test_a_client_that_leaves_inside_its_body_gives_its_room_back() -> None:
    app = HoldingApp()
    with LiveServer(app, body_budget=BODY) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
            sock.sendall(
                b"POST /import HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % BODY
                + b"x" * 1000
            )
            assert eventually(lambda: server.body_budget.held == BODY)
        released = eventually(lambda: server.body_budget.held == 0)
        app.release.set()
        after = requests.post(f"{server.url}/import", data=b"x" * BODY, timeout=WAIT).status_code

    assert released
    assert after == 200


def test_four_state_documents_imported_at_once_are_all_imported() -> None:
    source = FakeAuth()
    source.ovok.add_account(email="imported@example.test", password="s3cret-Pa55word")
    document = json.dumps(source.export_state()).encode()
    padded = document[:-1] + b" " * BODY + b"}"  # a large body, the same document
    fake = FakeAuth()
    statuses: list[int] = []

    def import_() -> None:
        response = requests.post(f"{url}/_fakeauth/import", data=padded, timeout=WAIT)
        statuses.append(response.status_code)

    with LiveServer(fake.wsgi_app, body_budget=BODY) as server:
        url = server.url
        clients = [threading.Thread(target=import_) for _ in range(4)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(WAIT)

    assert statuses == [200] * 4
    assert [account["email"] for account in fake.ovok.export_accounts()] == [
        "imported@example.test"
    ]
    assert server.body_budget.peak == BODY


@pytest.mark.parametrize("total", [0, -1, 1.5, True, "64"])
def test_a_bad_budget_is_a_clear_error(total: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        BodyBudget(total)  # type: ignore[arg-type]

    assert str(info.value) == (
        f"fakeauth: body_budget is a positive number of bytes, not {total!r}; for example "
        f"LiveServer(app, body_budget={DEFAULT_BODY_BUDGET})"
    )
