"""Weather for clients: each condition on a fake, the marker and its table, and composition."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from freezegun import freeze_time

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.events import RequestEvent
from fakeauth.faults import Fault
from fakeauth.weather import CONDITIONS, LOGIN_DELAY, condition

OVOK = "https://api.dev.ovok.com"
B2CORE = "https://host.name"
WALTID = "https://enterprise-sandbox.waltid.dev"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
EMAIL = "ann@example.test"
PASSWORD = "s3cret"
LOGIN = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
EXAMPLES = Path(__file__).parent / "examples"
CLIENT_TIMEOUT = 0.2
NOON = 1_772_366_400  # 2026-03-01T12:00:00Z


def _ovok_session(fake: FakeAuth) -> list[Any]:
    """Log in, read /auth/me twice, refresh: each step's status (or the error's class)."""
    seen: list[Any] = []
    try:
        login = requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=CLIENT_TIMEOUT)
    except requests.RequestException as exc:
        return [type(exc).__name__]
    seen.append(login.status_code)
    if login.status_code != 200:
        return [*seen, login.headers.get("Retry-After"), login.json()["message"]]
    bearer = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    for _ in range(2):
        seen.append(requests.get(f"{OVOK}/auth/me", headers=bearer, timeout=10).status_code)
    refresh = requests.post(
        f"{OVOK}/auth/refresh-token",
        json={"refresh_token": login.json()["refreshToken"]},
        timeout=10,
    )
    return [*seen, refresh.status_code, refresh.headers.get("Retry-After")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("expired_access", [200, 200, 401, 200, None]),
        ("revoked_session", [200, 200, 401, 401, None]),
        ("refresh_replay", [200, 200, 200, 401, None]),
        ("login_unavailable", [503, "1", "fakeauth: injected fault (ovok.b2b_login)"]),
        ("refresh_unavailable", [200, 200, 200, 503, "1"]),
        ("connection_dropped", ["ConnectionError"]),
        ("login_timeout", ["ReadTimeout"]),
        ("clock_ahead", [200, 200, 200, 200, None]),
        ("clock_behind", [200, 200, 200, 200, None]),
        ("locked_out", [429, "600", "ThrottlerException: Too Many Requests"]),
    ],
)
def test_each_condition_meets_an_ovok_client_as_described(name: str, expected: list[Any]) -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    condition(name).arm(fake)

    with fake.mock_requests():
        seen = _ovok_session(fake)

    assert seen == expected


def test_every_condition_is_tested_here() -> None:
    assert [c.name for c in CONDITIONS] == [
        "expired_access", "revoked_session", "refresh_replay", "login_unavailable",
        "refresh_unavailable", "connection_dropped", "login_timeout", "clock_ahead",
        "clock_behind", "locked_out",
    ]  # fmt: skip


def test_a_condition_acts_once_a_login_later_is_served_normally() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    condition("login_unavailable").arm(fake)

    with fake.mock_requests():
        statuses = [
            requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=10).status_code
            for _ in range(2)
        ]

    assert statuses == [503, 200]


def test_the_timed_out_login_took_effect_after_its_delay() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    condition("login_timeout").arm(fake)

    with fake.mock_requests(), pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=CLIENT_TIMEOUT)

    assert fake.calls("ovok.b2b_login").last.status == 200
    assert LOGIN_DELAY > 1


@pytest.mark.parametrize(("shift", "name"), [(600, "clock_ahead"), (-600, "clock_behind")])
def test_the_clock_conditions_issue_tokens_by_the_vendors_clock(shift: int, name: str) -> None:
    with freeze_time("2026-03-01T12:00:00Z"):  # both fakes read the system's clock, held
        fake = FakeAuth()
        condition(name).arm(fake)

        delta = fake.clock.time() - FakeAuth().clock.time()

    assert delta == shift


@pytest.mark.parametrize(
    ("name", "issued", "b2core_created", "b2core_expires"),
    [
        ("clock_ahead", NOON + 600, "2026-03-01T12:10:00+00:00", "2026-03-01T12:30:00+00:00"),
        ("clock_behind", NOON - 600, "2026-03-01T11:50:00+00:00", "2026-03-01T12:10:00+00:00"),
    ],
)
def test_the_clock_conditions_stamp_iat_exp_and_expires_at_by_the_vendors_clock(
    name: str, issued: int, b2core_created: str, b2core_expires: str
) -> None:
    fake = FakeAuth()
    fake.clock.set(NOON, frozen=True)  # the client's clock reads noon
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    fake.b2core.add_account(email=EMAIL, password=PASSWORD)
    condition(name).arm(fake)

    with fake.mock_requests():
        ovok = requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=10).json()
        uuid = requests.get(f"{B2CORE}/api/v2/my/signin/wizard", timeout=10).json()["uuid"]
        form = {"uuid": uuid, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}
        b2core = requests.post(f"{B2CORE}/api/v2/my/signin", json=form, timeout=10).json()

    ovok_claims = jwt.decode(ovok["accessToken"], options={"verify_signature": False})
    b2core_access = b2core["data"]["accessToken"]
    b2core_claims = jwt.decode(b2core_access["token"], options={"verify_signature": False})
    assert (ovok_claims["iat"], ovok_claims["exp"]) == (issued, issued + 3600)
    assert (b2core_claims["iat"], b2core_claims["exp"]) == (issued, issued + 1200)
    assert (b2core_access["createdAt"], b2core_access["expiresAt"]) == (
        b2core_created,
        b2core_expires,
    )


def test_b2core_locked_out_is_its_own_lockout() -> None:
    fake = FakeAuth()
    fake.clock.set(NOON, frozen=True)  # B2Core's Retry-After counts down from the lockout
    fake.b2core.add_account(email=EMAIL, password=PASSWORD)
    condition("locked_out").arm(fake)

    with fake.mock_requests():
        uuid = requests.get(f"{B2CORE}/api/v2/my/signin/wizard", timeout=10).json()["uuid"]
        form = {"uuid": uuid, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}
        response = requests.post(f"{B2CORE}/api/v2/my/signin", json=form, timeout=10)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "600"


@pytest.mark.fidelity("waltid.lockout")
def test_waltid_locked_out_answers_429_in_its_error_shape() -> None:
    fake = FakeAuth()
    fake.waltid.add_account(email=EMAIL, password=PASSWORD)
    condition("locked_out").arm(fake)

    with fake.mock_requests():
        response = requests.post(
            f"{WALTID}/auth/account/emailpass",
            json={"type": "email", "email": EMAIL, "password": PASSWORD},
            timeout=10,
        )

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "600"
    assert response.json()["message"] == (
        "Too many failed attempts for this account; try again later"
    )


@pytest.mark.fidelity("ovok.lockout")
def test_ovok_locked_out_answers_the_throttlers_429() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    condition("locked_out").arm(fake)

    with fake.mock_requests():
        response = requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=10)

    assert response.status_code == 429
    assert response.json() == {
        "statusCode": 429,
        "message": "ThrottlerException: Too Many Requests",
        "error": "Too Many Requests",
    }


def test_an_unknown_condition_names_the_conditions() -> None:
    with pytest.raises(ConfigurationError) as raised:
        condition("sunny")

    assert str(raised.value) == (
        "fakeauth: no weather condition 'sunny'; the conditions are: expired_access, "
        "revoked_session, refresh_replay, login_unavailable, refresh_unavailable, "
        "connection_dropped, "
        "login_timeout, clock_ahead, clock_behind, locked_out"
    )


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int | None]] = []

    def before(self, event: RequestEvent) -> None:
        self.seen.append(("before", event.operation, event.status))

    def after(self, event: RequestEvent) -> None:
        self.seen.append(("after", event.operation, event.status))


def test_request_events_come_before_and_after_each_served_request_until_a_reset() -> None:
    fake = FakeAuth()
    recorder = fake.events.add(_Recorder())

    with fake.mock_requests():
        requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=10)
        fake.reset()
        requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=10)

    assert isinstance(recorder, _Recorder)
    assert recorder.seen == [("before", "ovok.b2b_login", None), ("after", "ovok.b2b_login", 401)]


# -- the marker and its table, through pytester ------------------------------------------------

WEATHER_TESTS = textwrap.dedent(
    """
    import pytest
    from clients_under_weather import AccountLocked, GoodClient, NaiveClient

    OVOK = "https://api.dev.ovok.com"

    @pytest.fixture(params=[GoodClient, NaiveClient], ids=["good", "naive"])
    def client(request, fakeauth):
        fakeauth.ovok.add_account(email="ann@example.test", password="s3cret")
        return request.param(OVOK, "ann@example.test", "s3cret")

    @pytest.mark.fakeauth_weather
    def test_profile(client, fakeauth_weather):
        if fakeauth_weather.name == "locked_out":
            with pytest.raises(AccountLocked):
                client.profile()
            return
        emails = [client.profile()["email"], client.profile()["email"]]
        client.refresh()
        emails.append(client.profile()["email"])
        assert emails == ["ann@example.test"] * 3

    def test_untouched(fakeauth):
        assert fakeauth.events.listeners == ()
    """
)


def _table(outlines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(outlines) if "fakeauth weather" in line)
    rows = []
    for line in outlines[start + 1 :]:
        if line.startswith("="):
            break
        rows.append(" ".join(line.split()[:3]))
    return rows


@pytest.mark.slow
def test_the_good_client_passes_every_condition_and_the_naive_one_fails_some(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(clients_under_weather=(EXAMPLES / "test_weather_clients.py").read_text())
    pytester.makepyfile(test_clients=WEATHER_TESTS)

    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=11 + 1, failed=9)
    naive_passes = {"clock_behind"}
    expected = [
        f"test_clients.py::test_profile[{kind}] {weather.name} "
        + ("passed" if kind == "good" or weather.name in naive_passes else "failed")
        for kind in ("good", "naive")
        for weather in CONDITIONS
    ]
    assert _table(result.outlines) == expected
    descriptions = [line for line in result.outlines if line.startswith("test_clients.py::")]
    assert descriptions[0].endswith("the access token expires right after its first successful use")
    assert "test_untouched" not in "\n".join(_table(result.outlines))


COMPOSED = textwrap.dedent(
    """
    import json, subprocess, sys
    import pytest

    CHILD = '''
    import json, sys, time, urllib.error, urllib.request
    base = sys.argv[1]
    def call(path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Retry-After")
    tenant = "87ea5dfc-8b8e-384d-8489-79496e706390"
    login = {"email": "ann@example.test", "password": "s3cret", "tenantId": tenant,
             "clientId": tenant}
    seen = []
    status, body = call("/auth/b2b/login", login)
    seen.append(status)
    if status == 503:
        time.sleep(float(body))
        status, body = call("/auth/b2b/login", login)
        seen.append(status)
    for _ in range(2):
        status, _ = call("/auth/me", token=body["accessToken"])
        seen.append(status)
        if status == 401:
            _, pair = call("/auth/refresh-token", {"refresh_token": body["refreshToken"]})
            body = {"accessToken": pair["access_token"], "refreshToken": pair["refresh_token"]}
            seen.append(call("/auth/me", token=body["accessToken"])[0])
    print(json.dumps(seen))
    '''

    @pytest.fixture(scope="session")
    def fakeauth_seed(fakeauth_template):
        fakeauth_template.ovok.add_account(email="ann@example.test", password="s3cret")

    @pytest.mark.fakeauth(journal_limit=50, assert_all_served=False)
    @pytest.mark.fakeauth_weather("expired_access", "login_unavailable")
    def test_child_client(fakeauth, fakeauth_server, fakeauth_weather):
        assert fakeauth.journal.limit == 50
        out = subprocess.run(
            [sys.executable, "-c", CHILD, fakeauth_server.url],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        expected = {
            "expired_access": [200, 200, 401, 200],
            "login_unavailable": [503, 200, 200, 200],
        }
        assert json.loads(out) == expected[fakeauth_weather.name]
    """
)


def test_weather_composes_with_marker_options_seed_and_a_child_through_the_live_server(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_composed=COMPOSED)

    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)
    assert _table(result.outlines) == [
        "test_composed.py::test_child_client expired_access passed",
        "test_composed.py::test_child_client login_unavailable passed",
    ]


def test_a_test_without_the_marker_runs_once_untouched_and_prints_no_table(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_plain(fakeauth, fakeauth_weather):
            assert fakeauth_weather is None
            assert fakeauth.events.listeners == ()
        """
    )

    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=1)
    assert "fakeauth weather" not in result.stdout.str()


def test_an_unknown_condition_in_the_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fakeauth_weather("expired_access", "drizzle")
        def test_x(fakeauth_weather):
            pass
        """
    )

    result = pytester.runpytest("-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "E *UsageError: @pytest.mark.fakeauth_weather: fakeauth: no weather condition "
            "'drizzle'; the conditions are: expired_access, revoked_session, refresh_replay, "
            "login_unavailable, refresh_unavailable, connection_dropped, login_timeout, "
            "clock_ahead, clock_behind, locked_out"
        ]
    )


# -- the other vendors, and the hooks the conditions stand on ---------------------------------


def _b2core_session() -> list[int]:
    """Sign in to B2Core, read the 2FA settings twice, refresh: each step's status."""
    uuid = requests.get(f"{B2CORE}/api/v2/my/signin/wizard", timeout=10).json()["uuid"]
    form = {"uuid": uuid, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}
    signin = requests.post(f"{B2CORE}/api/v2/my/signin", json=form, timeout=10)
    tokens = signin.json()["data"]
    bearer = {"Authorization": f"Bearer {tokens['accessToken']['token']}"}
    seen = [signin.status_code]
    for _ in range(2):
        seen.append(requests.get(f"{B2CORE}/api/v2/my/2fa", headers=bearer, timeout=10).status_code)
    refresh = requests.post(
        f"{B2CORE}/api/v2/my/refresh",
        json={"refreshToken": tokens["refreshToken"]["token"]},
        timeout=10,
    )
    return [*seen, refresh.status_code]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("expired_access", [200, 200, 401, 200]),
        ("revoked_session", [200, 200, 401, 401]),
        ("refresh_replay", [200, 200, 200, 401]),
        ("refresh_unavailable", [200, 200, 200, 503]),
    ],
)
def test_the_token_conditions_meet_a_b2core_client(name: str, expected: list[int]) -> None:
    fake = FakeAuth()
    fake.b2core.add_account(email=EMAIL, password=PASSWORD)
    condition(name).arm(fake)

    with fake.mock_requests():
        seen = _b2core_session()

    assert seen == expected


def test_a_waltid_token_expires_after_its_first_use_and_a_new_login_is_served() -> None:
    fake = FakeAuth()
    fake.waltid.add_account(email=EMAIL, password=PASSWORD)
    condition("expired_access").arm(fake)
    login = {"type": "email", "email": EMAIL, "password": PASSWORD}
    accounts = f"{WALTID}/v1/admin/accounts"

    with fake.mock_requests():
        superadmin = {"Authorization": f"Bearer {fake.waltid.superadmin().token}"}
        first = requests.get(accounts, headers=superadmin, timeout=10).status_code
        second = requests.get(accounts, headers=superadmin, timeout=10).status_code
        again = requests.post(f"{WALTID}/auth/account/emailpass", json=login, timeout=10)

    assert [first, second, again.status_code] == [200, 401, 200]


def test_expire_makes_one_token_expire_now_and_leaves_others() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    with fake.mock_requests():
        requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=10)
    store = fake.ovok.tokens
    access, refresh = store.live()

    store.expire(access.id)
    store.expire("no-such-token")

    assert [record.id for record in store.live()] == [refresh.id]


def test_a_fault_adds_its_headers_to_the_answer() -> None:
    fake = FakeAuth()
    fake.faults.add(Fault("ovok.b2b_login", 503, headers=(("Retry-After", "7"),)))

    with fake.mock_requests():
        response = requests.post(f"{OVOK}/auth/b2b/login", json=LOGIN, timeout=10)

    assert (response.status_code, response.headers["Retry-After"]) == (503, "7")
