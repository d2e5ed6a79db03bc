"""The control API as one mount of the seam (issue 21 §4, §6): one router (405 with ``Allow``,
``OPTIONS``, trailing slashes, unknown paths alike for control and snapshot routes), one body
limit answered 413 in the control API's shape, and CORS for pages of this machine only."""

from __future__ import annotations

import socket

import pytest
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.control.body import MAX_BODY

OWN = "127.0.0.1:8080"
CONTROL = {"X-Fakeauth-Control": "1"}
TOO_LARGE = {
    "error": "fakeauth: the request body is larger than the control API takes (64 MiB); "
    "send a smaller document"
}
READS = ["/_fakeauth/outbox", "/_fakeauth/journal", "/_fakeauth/accounts", "/_fakeauth/tokens"]


def test_a_control_body_over_the_limit_answers_413_in_the_control_apis_shape() -> None:
    fake = FakeAuth()

    response = Client(fake.wsgi_app).post(
        "/_fakeauth/import",
        base_url=f"http://{OWN}",
        data=b"{}",
        headers=CONTROL,
        environ_overrides={"CONTENT_LENGTH": str(MAX_BODY + 1)},
    )

    assert (response.status_code, response.get_json()) == (413, TOO_LARGE)


def test_a_control_body_over_the_limit_answers_413_on_the_live_server() -> None:
    fake = FakeAuth()
    head = (
        f"POST /_fakeauth/import HTTP/1.1\r\nHost: {OWN}\r\nX-Fakeauth-Control: 1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n"
    ).encode()

    with fake.serve() as server, socket.create_connection((server.host, server.port), 10) as sock:
        sock.sendall(head)  # the body never follows: the server must not wait for it
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk

    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert rest.endswith(
        b'{"error":"fakeauth: the request body is larger than the control API takes (64 MiB); '
        b'send a smaller document"}'
    )


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("PUT", "/_fakeauth/snapshots/seeded", 405, "DELETE, GET, HEAD, OPTIONS"),
        ("GET", "/_fakeauth/snapshots/seeded/restore", 405, "OPTIONS, POST"),
        ("OPTIONS", "/_fakeauth/journal", 204, "DELETE, GET, HEAD, OPTIONS"),
        ("OPTIONS", "/_fakeauth/snapshots/seeded/", 204, "DELETE, GET, HEAD, OPTIONS"),
        ("GET", "/_fakeauth/snapshots/seeded/nothing", 404, None),
    ],
)
def test_snapshot_and_control_routes_answer_405_options_and_404_as_the_vendors_do(
    method: str, path: str, status: int, allow: str | None
) -> None:
    fake = FakeAuth()

    response = Client(fake.wsgi_app).open(path, method=method, base_url=f"http://{OWN}")

    assert (response.status_code, response.headers.get("Allow")) == (status, allow)


def test_a_snapshot_route_takes_a_trailing_slash() -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)
    client.post("/_fakeauth/snapshots", json={"name": "seeded"}, headers=CONTROL)

    response = client.get("/_fakeauth/snapshots/seeded/")

    assert response.get_json()["name"] == "seeded"


@pytest.mark.parametrize(
    "origin", ["http://203.0.113.9", "https://api.ovok.com", "http://10.0.0.7"]
)
@pytest.mark.parametrize("path", READS)
def test_a_site_served_by_address_or_a_vendor_origin_cannot_read_the_control_api(
    origin: str, path: str
) -> None:
    fake = FakeAuth()

    response = Client(fake.wsgi_app).get(path, base_url=f"http://{OWN}", headers={"Origin": origin})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:3000", OWN),
        ("http://localhost:5173", OWN),
        ("http://192.168.1.5:3000", "192.168.1.5:8080"),  # the address the server was reached on
        ("http://frontend:3000", "fakeauth:8080"),  # named with --allow-host
    ],
)
def test_a_page_of_this_machine_may_read_the_control_api(origin: str, host: str) -> None:
    fake = FakeAuth()
    fake.control_hosts = frozenset({"fakeauth", "frontend"})

    response = Client(fake.wsgi_app).get(
        "/_fakeauth/outbox", base_url=f"http://{host}", headers={"Origin": origin}
    )

    assert response.headers["Access-Control-Allow-Origin"] == origin
