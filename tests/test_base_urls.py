"""Every vendor's base URL on the live server: ``/ovok``, ``/b2core`` and ``/waltid``.

Under its base URL, every route of a vendor answers exactly as on the vendor's hosts in process;
the root keeps serving every vendor routed by path; the control API lives at the root only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hardening import HOSTS, OPERATIONS, new_fake, well_formed
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.cli import banner
from fakeauth.errors import ConfigurationError
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.testing import FakeauthServer
from fakeauth.transports.server import LiveServer
from fakeauth.vendors import VENDORS
from fakeauth.wsgi import route_table, routing_for

ROUTING = routing_for(VENDORS)

EMAIL = "max.mustermann@example.test"
PASSWORD = "correct-horse-battery-staple"
_LOGIN = {
    "email": EMAIL,
    "password": PASSWORD,
    "clientId": DEFAULT_CLIENT_ID,
    "tenantId": DEFAULT_TENANT_ID,
}


@pytest.fixture
def served() -> Iterator[tuple[FakeAuth, LiveServer]]:
    fake = new_fake()
    with fake.serve() as server:
        yield fake, server


def _over_the_server(server: LiveServer, operation: str, fake: FakeAuth) -> requests.Response:
    call = well_formed(operation, fake)
    data = b"" if call.body is None else json.dumps(call.body).encode()
    headers = dict(call.headers)
    if data and call.content_type is not None:
        headers["Content-Type"] = call.content_type
    return requests.request(
        call.method, server.url_for(call.vendor) + call.path, data=data, headers=headers, timeout=10
    )


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_route_answers_under_its_base_url_as_on_its_host(operation: str) -> None:
    in_process = new_fake()
    expected = well_formed(operation, in_process).send(in_process)
    over_http = new_fake()
    with over_http.serve() as server:
        response = _over_the_server(server, operation, over_http)

    assert (response.status_code, response.content) == (expected.status_code, expected.data)
    assert over_http.calls(operation).call_count == 1
    assert [e.operation for e in over_http.journal] == [e.operation for e in in_process.journal]


def test_the_root_keeps_routing_by_path_and_walt_id_owns_auth_logout(
    served: tuple[FakeAuth, LiveServer],
) -> None:
    fake, server = served

    response = requests.post(f"{server.url}/auth/logout", timeout=10)

    assert response.status_code == 200  # walt.id's logout answers without a session
    assert [entry.operation for entry in fake.journal] == ["waltid.logout"]


def test_every_root_route_is_still_served_at_the_root(served: tuple[FakeAuth, LiveServer]) -> None:
    fake, server = served
    at_root = [
        (op, route) for op, (_, route) in ROUTING.root.routes.items() if "<" not in route.path
    ]

    for operation, route in at_root:
        requests.request(route.method, server.url + route.path, timeout=10)

        assert list(fake.journal)[-1].operation == operation
    assert len(at_root) == len(route_table()) - 1 - sum(  # one route has a path parameter
        not route.at_root for vendor in VENDORS for route in vendor.api.routes
    )


def test_another_vendors_path_under_a_base_url_is_that_vendors_501(
    served: tuple[FakeAuth, LiveServer],
) -> None:
    fake, server = served
    in_process = Client(FakeAuth().wsgi_app).post("/api/v2/my/signin", base_url=HOSTS["ovok"])

    response = requests.post(f"{server.url_for('ovok')}/api/v2/my/signin", timeout=10)

    assert response.status_code == 501
    assert response.json() == in_process.get_json()
    assert response.json()["message"].startswith(
        "fakeauth does not implement POST /api/v2/my/signin"
    )
    assert [(e.vendor, e.path) for e in fake.journal.unserved] == [("ovok", "/api/v2/my/signin")]


def test_a_method_a_route_does_not_take_answers_with_the_vendors_own_path(
    served: tuple[FakeAuth, LiveServer],
) -> None:
    _, server = served

    response = requests.request("TRACE", f"{server.url_for('ovok')}/auth/b2b/login", timeout=10)

    assert response.status_code == 405
    assert response.json()["message"] == "Cannot TRACE /auth/b2b/login"
    assert response.headers["Allow"] == "OPTIONS, POST"


def test_the_journal_keeps_the_url_as_sent_and_the_vendors_own_path(
    served: tuple[FakeAuth, LiveServer],
) -> None:
    fake, server = served
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    requests.post(f"{server.url_for('ovok')}/auth/b2b/login", json=_LOGIN, timeout=10)

    (entry,) = fake.journal
    assert (entry.operation, entry.vendor, entry.status) == ("ovok.b2b_login", "ovok", 200)
    assert entry.path == "/auth/b2b/login"
    assert entry.url == f"{server.url}/ovok/auth/b2b/login"


def test_the_control_api_is_at_the_root_only(served: tuple[FakeAuth, LiveServer]) -> None:
    fake, server = served
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    for vendor in ("ovok", "b2core", "waltid"):
        response = requests.post(f"{server.url_for(vendor)}/_fakeauth/reset", timeout=10)
        assert response.status_code == 404, vendor
        assert "/_fakeauth/reset" in response.text
    assert len(fake.ovok.accounts) == 1  # nothing was reset
    assert requests.get(f"{server.url}/_fakeauth/accounts", timeout=10).status_code == 200


def test_a_body_over_the_vendors_limit_is_refused_under_its_base_url(
    served: tuple[FakeAuth, LiveServer],
) -> None:
    _, server = served

    response = requests.post(
        f"{server.url_for('ovok')}/auth/b2b/login",
        data=b"x" * (100 * 1024 + 1),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 413
    assert response.json()["statusCode"] == 413


@pytest.mark.fidelity("all.base-urls")
def test_the_walt_id_cookie_is_scoped_to_its_base_url(served: tuple[FakeAuth, LiveServer]) -> None:
    fake, server = served
    fake.waltid.add_account(email=EMAIL, password=PASSWORD)
    login = {"type": "email", "email": EMAIL, "password": PASSWORD}

    mounted = requests.post(
        f"{server.url_for('waltid')}/auth/account/emailpass", json=login, timeout=10
    )
    root = requests.post(f"{server.url}/auth/account/emailpass", json=login, timeout=10)

    assert "Path=/waltid/;" in mounted.headers["Set-Cookie"]
    assert "Path=/;" in root.headers["Set-Cookie"]
    assert "Secure" not in mounted.headers["Set-Cookie"]  # plain http


def test_a_client_whose_base_url_carries_the_prefix_works_unchanged(
    served: tuple[FakeAuth, LiveServer],
) -> None:
    fake, server = served
    fake.waltid.add_account(email=EMAIL, password=PASSWORD)
    base_url = server.url_for("waltid")  # BASE_URL=http://127.0.0.1:PORT/waltid
    session = requests.Session()

    login = session.post(
        f"{base_url}/auth/account/emailpass",
        json={"type": "email", "email": EMAIL, "password": PASSWORD},
        timeout=10,
    )
    # the cookie, scoped to /waltid/, rides along on the logout under the same base URL
    logout = session.post(f"{base_url}/auth/logout", timeout=10)

    assert login.status_code == 200
    assert logout.status_code == 200
    assert fake.waltid.sessions == {}
    assert fake.calls("waltid.logout").call_count == 1


def test_the_server_names_every_vendors_base_url(served: tuple[FakeAuth, LiveServer]) -> None:
    _, server = served

    assert server.urls == {
        "ovok": f"{server.url}/ovok",
        "b2core": f"{server.url}/b2core",
        "waltid": f"{server.url}/waltid",
    }
    with pytest.raises(ConfigurationError, match="no vendor 'aws'; choose one of ovok, b2core"):
        server.url_for("aws")


def test_the_fixtures_server_names_every_vendors_base_url(fakeauth_server: FakeauthServer) -> None:
    fakeauth_server.fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    response = requests.post(
        f"{fakeauth_server.url_for('ovok')}/auth/b2b/login", json=_LOGIN, timeout=10
    )

    assert response.status_code == 200
    assert fakeauth_server.urls["waltid"] == f"{fakeauth_server.url}/waltid"


def test_a_path_no_vendor_claims_names_the_base_urls(served: tuple[FakeAuth, LiveServer]) -> None:
    _, server = served

    response = requests.get(f"{server.url}/nowhere", timeout=10)

    assert response.status_code == 404
    assert response.json()["base_urls"] == {
        "ovok": "/ovok",
        "b2core": "/b2core",
        "waltid": "/waltid",
    }
    assert "POST /auth/logout" in response.json()["routes"]


def test_the_banner_lists_the_base_urls() -> None:
    text = banner(FakeAuth(), "http://127.0.0.1:8080")

    assert "  Ovok          http://127.0.0.1:8080/ovok\n" in text
    assert "  B2Core        http://127.0.0.1:8080/b2core\n" in text
    assert "  walt.id       http://127.0.0.1:8080/waltid\n" in text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ovok/auth/me", ("ovok", "/ovok", "/auth/me")),
        ("/ovok", ("ovok", "/ovok", "/")),
        ("/ovok/", ("ovok", "/ovok", "/")),
        ("/ovokx/auth/me", (None, "", "/ovokx/auth/me")),
        ("/auth/me", (None, "", "/auth/me")),
        ("/waltid//auth/logout", ("waltid", "/waltid", "//auth/logout")),
    ],
)
def test_a_base_path_is_a_whole_first_segment(
    path: str, expected: tuple[str | None, str, str]
) -> None:
    api, mount, rest = ROUTING.split_mount(path)

    assert (api.name if api is not None else None, mount, rest) == expected


def test_in_process_a_vendor_host_with_a_path_stays_refused() -> None:
    with pytest.raises(ConfigurationError):
        FakeAuth(ovok_hosts=["https://api.ovok.com/ovok"])


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_under_each_base_url(served: tuple[FakeAuth, LiveServer], tmp_path: Path) -> None:
    fake, server = served
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    fake.waltid.add_account(email=EMAIL, password=PASSWORD)
    jar = tmp_path / "cookies.txt"

    def curl(*args: str) -> str:
        done = subprocess.run(
            ["curl", "-s", "-w", "\n%{http_code}", *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout

    ovok = curl(
        "-H", "Content-Type: application/json", "-d", json.dumps(_LOGIN),
        f"{server.url}/ovok/auth/b2b/login",
    )  # fmt: skip
    wizard = curl(f"{server.url}/b2core/api/v2/my/signin/wizard")
    waltid = curl(
        "-c", str(jar), "-H", "Content-Type: application/json",
        "-d", json.dumps({"type": "email", "email": EMAIL, "password": PASSWORD}),
        f"{server.url}/waltid/auth/account/emailpass",
    )  # fmt: skip
    logout = curl("-b", str(jar), "-X", "POST", f"{server.url}/waltid/auth/logout")

    assert ovok.endswith("\n200")
    assert '"accessToken"' in ovok
    assert wizard.endswith("\n200")
    assert '"uuid"' in wizard
    assert waltid.endswith("\n200")
    assert "\t/waltid/\t" in jar.read_text()  # curl's jar: the cookie's path
    assert logout.endswith("\n200")
    assert fake.waltid.sessions == {}
    assert [e.operation for e in fake.journal] == [
        "ovok.b2b_login",
        "b2core.signin_wizard",
        "waltid.emailpass_login",
        "waltid.logout",
    ]
