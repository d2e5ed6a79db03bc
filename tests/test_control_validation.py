"""Every control route and every seeding method validates its input (issue 13 §1).

The control API answers a mistake 400 with one sentence naming the field, Python raises
``ConfigurationError``, nothing is changed by a refused call, and no accepted value (the clock at
either edge of its range, the longest token lifetimes) makes a later request fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
import time_machine
from freezegun import freeze_time
from hardening import EMAIL, JSON, PASSWORD, T0, new_fake, well_formed
from werkzeug.test import Client

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.clock import EARLIEST, LATEST, MAX_LIFETIME, Clock
from fakeauth.control import ROUTES
from fakeauth.seeding import apply_seed
from fakeauth.wsgi import route_table

HUGE_INT = "7" * 5000
RANGE = "the clock goes from 1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z"
SHIFT_RANGE = (
    "a clock shift is a finite number of seconds within the clock's range "
    "(from 1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z), not "
)
SET = '{"set": "2030-01-01T00:00:00Z", "frozen": false}'
ONE_OF = f'the body is one of {SET}, {{"shift": 3600}} or {{"reset": true}}'
FLAGS = '{"account-registration": false}'
STANDARD = "the body must be standard JSON: "

#: Bodies no JSON route of the control API takes, and the sentence each gets on the clock.
PARSE_FAILURES: dict[str, tuple[bytes, str]] = {
    "NaN": (b'{"shift": NaN}', f"{STANDARD}NaN is not a JSON number"),
    "Infinity": (b'{"shift": Infinity}', f"{STANDARD}Infinity is not a JSON number"),
    "-Infinity": (b'{"shift": -Infinity}', f"{STANDARD}-Infinity is not a JSON number"),
    "1e400": (b'{"shift": 1e400}', f"{STANDARD}1e400 is beyond a 64-bit float"),
    "a 5,000-digit integer": (
        f'{{"shift": {HUGE_INT}}}'.encode(),
        f"{STANDARD}an integer of 5,000 digits is too long",
    ),
    "malformed": (b'{"shift": ', "the body must be JSON: Expecting value at position 10"),
    "not UTF-8": (
        b'{"shift": "\xff"}',
        "the body must be JSON in UTF-8, not nested thousands deep",
    ),
    "nested thousands deep": (
        b"[" * 100_000 + b"]" * 100_000,
        "the body must be JSON in UTF-8, not nested thousands deep",
    ),
}

CLOCK_MISTAKES: dict[str, tuple[Any, str]] = {
    "1e13 seconds": ({"shift": 1e13}, f"{SHIFT_RANGE}10000000000000.0"),
    "1e308 seconds": ({"shift": 1e308}, f"{SHIFT_RANGE}1e+308"),
    "-1e20 seconds": ({"shift": -1e20}, f"{SHIFT_RANGE}-1e+20"),
    "back before 1970": (
        {"shift": -1e11},
        f"shifting the clock by -100000000000.0 seconds would leave its range: {RANGE}",
    ),
    "a boolean shift": (
        {"shift": True},
        '"shift" must be a number of seconds, as in {"shift": 3600}',
    ),
    "a string shift": (
        {"shift": "60"},
        '"shift" must be a number of seconds, as in {"shift": 3600}',
    ),
    "an unknown key": (
        {"shift": 60, "by": "me"},
        'unknown field "by"; the fields are "shift", as in {"shift": 3600}',
    ),
    "two changes": ({"shift": 60, "reset": True}, ONE_OF),
    "no change": ({"frozen": True}, ONE_OF),
    "an array": ([{"shift": 60}], ONE_OF),
    "a number": (60, ONE_OF),
    "a string frozen": (
        {"set": "2030-01-01T00:00:00Z", "frozen": "yes"},
        f'"frozen" must be true or false, as in {SET}',
    ),
    "a numeric frozen": (
        {"set": "2030-01-01T00:00:00Z", "frozen": 1},
        f'"frozen" must be true or false, as in {SET}',
    ),
    "a number to set": ({"set": 1_900_000_000}, f'"set" must be a string, as in {SET}'),
    "not an instant": (
        {"set": "tomorrow"},
        '"set" must be an ISO-8601 instant such as "2030-01-01T00:00:00Z", not \'tomorrow\'',
    ),
    "the year 9999": (
        {"set": "9999-12-31T23:59:59Z"},
        f"the clock cannot be set to 9999-12-31T23:59:59+00:00: {RANGE}",
    ),
    "the year 1969": (
        {"set": "1969-12-31T23:59:59Z", "frozen": True},
        f"the clock cannot be set to 1969-12-31T23:59:59+00:00: {RANGE}",
    ),
    "reset false": ({"reset": False}, '"reset" must be true, as in {"reset": true}'),
    "reset 1": ({"reset": 1}, '"reset" must be true or false, as in {"reset": true}'),
}

FEATURE_MISTAKES: dict[str, tuple[Any, str]] = {
    "a string switch": (
        {"account-registration": "false"},
        f'"account-registration" must be true or false, as in {FLAGS}',
    ),
    "a numeric switch": (
        {"account-registration": 0},
        f'"account-registration" must be true or false, as in {FLAGS}',
    ),
    "an array": ([], f"the body maps flag names to true or false, as in {FLAGS}"),
    "null": (None, f"the body maps flag names to true or false, as in {FLAGS}"),
    "an unknown flag": (
        {"account-registration": False, "no-such-flag": True},
        "no feature flag 'no-such-flag'; the known flags are: 'account-registration', 'admin', "
        "'dev-mode', 'feature-flag-information-endpoint', 'organization-creation', "
        "'superadmin-registration'",
    ),
}

SEED_MISTAKES: dict[str, tuple[Any, str]] = {
    "an array": (
        [],
        'a seed document is a JSON object (a TOML table) such as {"ovok": {"accounts": '
        '[{"email": "ann@example.test", "password": "s3cret"}]}}',
    ),
    "an unknown section": (
        {"okta": {}},
        "unknown seed section(s) 'okta'; the sections are: features, ovok, b2core, waltid",
    ),
    "a section that is a list": ({"ovok": []}, '"ovok" is an object of lists'),
    "a list that is an object": (
        {"ovok": {"accounts": {}}},
        '"ovok.accounts" is a list of objects',
    ),
    "an item that is a string": (
        {"waltid": {"accounts": ["x"]}},
        "waltid.accounts[0] must be an object",
    ),
    "a non-boolean flag": (
        {"features": {"account-registration": "no"}},
        '"features" maps flag names to true or false',
    ),
    "an unknown flag": (
        {"features": {"no-such-flag": True}},
        "no feature flag 'no-such-flag'; the known flags are: 'account-registration', 'admin', "
        "'dev-mode', 'feature-flag-information-endpoint', 'organization-creation', "
        "'superadmin-registration'",
    ),
    "an unknown field": (
        {"ovok": {"accounts": [{"email": EMAIL, "password": PASSWORD, "role": "admin"}]}},
        "ovok.accounts[0]: unknown field(s) 'role'; the fields are: email, email_verified, name, "
        "password, surname, tenant_id",
    ),
    "a missing field": (
        {"b2core": {"accounts": [{"email": EMAIL}]}},
        "b2core.accounts[0]: missing field(s) 'password'",
    ),
    "a number for a string": (
        {"ovok": {"accounts": [{"email": EMAIL, "password": 123456}]}},
        # a secret's value is never echoed, only its type
        "ovok.accounts[0]: fake.ovok.add_account: password must be a string, not int",
    ),
    "a string for a boolean": (
        {"ovok": {"tenants": [{"strict_mode": "no"}]}},
        "ovok.tenants[0]: fake.ovok.add_tenant: strict_mode must be true or false, not str 'no'",
    ),
    "a boolean for a string": (
        {"b2core": {"brokers": [{"url": True}]}},
        "b2core.brokers[0]: fake.b2core.add_broker: url must be a string, not bool True",
    ),
    "a number for a name": (
        {"waltid": {"organizations": [{"organization": "acme", "name": 7}]}},
        "waltid.organizations[0]: fake.waltid.add_organization: name must be a string or None, "
        "not int 7",
    ),
    "a wrong item after good ones": (
        {
            "features": {"account-registration": False},
            "ovok": {"accounts": [{"email": EMAIL, "password": PASSWORD}, {"email": 5}]},
        },
        "ovok.accounts[1]: missing field(s) 'password'",
    ),
}

CONTROL_CORPUS = (
    [("/_fakeauth/clock", name, body, message) for name, (body, message) in CLOCK_MISTAKES.items()]
    + [
        ("/_fakeauth/features", name, body, message)
        for name, (body, message) in FEATURE_MISTAKES.items()
    ]
    + [("/_fakeauth/seed", name, body, message) for name, (body, message) in SEED_MISTAKES.items()]
)


def _observable(fake: FakeAuth) -> dict[str, Any]:
    """What a refused control call may not change."""
    return {
        "clock": (fake.clock.now(), fake.clock.is_shifted),
        "features": fake.features.state(),
        "accounts": fake.export_accounts(),
        "tenants": sorted(fake.ovok.tenants),
        "brokers": [broker.url for broker in fake.b2core.brokers],
        "organizations": sorted(fake.waltid.organizations),
    }


def _post(fake: FakeAuth, path: str, body: bytes) -> Any:
    return Client(fake.wsgi_app).post(path, data=body, content_type="application/json")


def _assert_every_vendor_route_answers(prepare: Callable[[FakeAuth], None], **options: Any) -> None:
    """Each operation's well-formed request, on a fresh fake that ``prepare`` set up, gets a
    non-5xx answer, and the fake saw no bug."""
    for operation, _, _ in route_table():
        fake = new_fake(**options)
        fake.waltid.superadmin()  # while walt.id's default registration token is valid (2029)
        prepare(fake)
        response = well_formed(operation, fake).send(fake)
        assert response.status_code < 500, (operation, response.data)
        assert fake.handler_errors == []


# -- the control API ----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "case", "body", "message"), CONTROL_CORPUS)
def test_a_control_mistake_is_a_400_sentence_and_changes_nothing(
    path: str, case: str, body: Any, message: str
) -> None:
    fake = new_fake()
    before = _observable(fake)

    response = _post(fake, path, json.dumps(body).encode())

    assert (response.status_code, response.get_json()) == (400, {"error": f"fakeauth: {message}"})
    assert _observable(fake) == before
    assert _post(fake, "/_fakeauth/clock", b'{"shift": 0}').status_code == 200


@pytest.mark.parametrize("path", ["/_fakeauth/clock", "/_fakeauth/features", "/_fakeauth/seed"])
@pytest.mark.parametrize("case", PARSE_FAILURES)
def test_the_control_decoder_refuses_what_standard_json_does_not_hold(path: str, case: str) -> None:
    fake = new_fake()
    body, message = PARSE_FAILURES[case]
    before = _observable(fake)

    response = _post(fake, path, body)

    assert (response.status_code, response.get_json()) == (400, {"error": f"fakeauth: {message}"})
    assert _observable(fake) == before


def test_the_issues_shifts_leave_every_vendor_route_working() -> None:
    shifts = [b'{"shift": 1e13}', b'{"shift": 1e308}', b'{"shift": -1e20}', b'{"shift": NaN}']
    answers: list[int] = []

    def shift(fake: FakeAuth) -> None:
        answers.extend(_post(fake, "/_fakeauth/clock", body).status_code for body in shifts)

    _assert_every_vendor_route_answers(shift)

    assert set(answers) == {400}


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_every_control_route_answers_a_stray_body_without_a_5xx(method: str, path: str) -> None:
    statuses: list[int] = []

    def call(fake: FakeAuth) -> None:
        response = Client(fake.wsgi_app).open(
            path, method=method, data=f'{{"x": {HUGE_INT}, "y": NaN}}', content_type=JSON
        )
        statuses.append(response.status_code)
        fake.clock.set(T0, frozen=True)  # a reset follows the system time again

    _assert_every_vendor_route_answers(call)

    assert set(statuses) <= {200, 204, 400}


def test_a_valid_clock_body_still_moves_the_clock() -> None:
    fake = new_fake()

    frozen = _post(fake, "/_fakeauth/clock", b'{"set": "9000-01-01T00:00:00Z", "frozen": true}')
    shifted = _post(fake, "/_fakeauth/clock", b'{"shift": -86400}')
    reset = _post(fake, "/_fakeauth/clock", b'{"reset": true}')

    assert frozen.get_json() == {"now": "9000-01-01T00:00:00+00:00", "shifted": True}
    assert shifted.get_json() == {"now": "8999-12-31T00:00:00+00:00", "shifted": True}
    assert reset.get_json()["shifted"] is False


# -- the clock from Python ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.shift(1e13), f"{SHIFT_RANGE}10000000000000.0"),
        (lambda c: c.shift(float("nan")), f"{SHIFT_RANGE}nan"),
        (lambda c: c.shift(float("-inf")), f"{SHIFT_RANGE}-inf"),
        (lambda c: c.shift(10**400), f"{SHIFT_RANGE}10000000000000000000...(401 characters)"),
        (lambda c: c.shift(10**5000), f"{SHIFT_RANGE}a number of 16610 bits"),  # no repr
        (lambda c: c.shift(True), "a clock shift is a number of seconds, not bool"),
        (lambda c: c.shift("60"), "a clock shift is a number of seconds, not str"),
        (lambda c: c.set(1e300), f"the clock cannot be set to 1e+300: {RANGE}"),
        (lambda c: c.set(-1), f"the clock cannot be set to -1: {RANGE}"),
        (lambda c: c.set(float("nan")), f"the clock cannot be set to nan: {RANGE}"),
        (
            lambda c: c.set(datetime.max),
            f"the clock cannot be set to 9999-12-31T23:59:59.999999: {RANGE}",
        ),
        (lambda c: c.set(False), "a clock instant is a datetime or a POSIX timestamp, not bool"),
        (lambda c: c.set(0, frozen="yes"), "frozen is true or false, not str"),
    ],
)
def test_the_clock_refuses_what_it_cannot_show(
    change: Callable[[Clock], None], message: str
) -> None:
    clock = Clock()
    clock.set(datetime(2030, 1, 1, tzinfo=timezone.utc), frozen=True)

    with pytest.raises(ConfigurationError) as raised:
        change(clock)

    assert str(raised.value) == f"fakeauth: {message}"
    assert clock.now() == datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_a_wrong_type_is_still_a_type_error() -> None:
    with pytest.raises(TypeError):
        Clock().shift("60")  # type: ignore[arg-type]


def test_a_running_clock_refuses_a_shift_past_its_range_and_keeps_its_offset() -> None:
    clock = Clock()
    clock.shift(60)

    with pytest.raises(ConfigurationError):
        clock.shift(LATEST)

    assert clock.is_shifted
    assert clock.time() < LATEST


@pytest.mark.parametrize("edge", [EARLIEST, LATEST], ids=["1970", "9000"])
def test_the_clock_at_either_edge_with_the_longest_lifetimes_serves_every_route(
    edge: float,
) -> None:
    longest = {
        "ovok_access_token_ttl": MAX_LIFETIME,
        "ovok_refresh_token_ttl": MAX_LIFETIME,
        "b2core_access_token_ttl": MAX_LIFETIME,
        "b2core_refresh_token_ttl": MAX_LIFETIME,
        "waltid_token_ttl": MAX_LIFETIME,
    }

    _assert_every_vendor_route_answers(lambda fake: fake.clock.set(edge, frozen=True), **longest)


@pytest.mark.parametrize("system_time", ["0001-01-02", "9999-12-30"])
def test_a_system_time_outside_the_range_reads_as_its_edge(system_time: str) -> None:
    seen: list[float] = []

    def follow_the_system(fake: FakeAuth) -> None:
        fake.clock.reset()
        seen.append(fake.clock.time())

    with freeze_time(system_time):
        _assert_every_vendor_route_answers(follow_the_system)

    assert set(seen) == {EARLIEST if system_time.startswith("0001") else LATEST}


def test_a_shifted_clock_under_time_machine_past_the_edge_reads_as_the_edge() -> None:
    seen: list[float] = []

    def shift(fake: FakeAuth) -> None:
        with time_machine.travel(datetime(8999, 12, 31, 23, 0, tzinfo=timezone.utc), tick=False):
            fake.clock.reset()
            fake.clock.shift(1800)  # accepted: 23:30
        seen.append(fake.clock.time())  # the system's 23:59 plus 30 minutes

    with time_machine.travel(datetime(8999, 12, 31, 23, 59, tzinfo=timezone.utc), tick=False):
        _assert_every_vendor_route_answers(shift)

    assert set(seen) == {LATEST}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"ovok_access_token_ttl": MAX_LIFETIME + 1},
            "ovok_access_token_ttl must be at most 3,162,240,000 seconds (about 100 years), not "
            "3162240001; every expiry must stay a valid date",
        ),
        (
            {"b2core_refresh_token_ttl": float("inf")},
            "b2core_refresh_token_ttl must be at most 3,162,240,000 seconds (about 100 years), "
            "not inf; every expiry must stay a valid date",
        ),
        (
            {"ovok_refresh_token_ttl": float("nan")},
            "ovok_refresh_token_ttl must be at most 3,162,240,000 seconds (about 100 years), not "
            "nan; every expiry must stay a valid date",
        ),
        (
            {"b2core_access_token_ttl": "600"},
            "b2core_access_token_ttl must be a number of seconds, not str '600'",
        ),
        (
            {"waltid_token_ttl": 10**400},
            "waltid_token_ttl must be at most 3,162,240,000 seconds (about 100 years), not "
            "10000000000000000000...(401 characters); every expiry must stay a valid date",
        ),
    ],
)
def test_token_lifetimes_are_bounded(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        FakeAuth(**options)

    assert str(raised.value) == f"fakeauth: {message}"


# -- feature flags and seeding from Python ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: f.features.set("account-registration", "no"),
            "the feature flag 'account-registration' is switched with True or False, not str 'no'",
        ),
        (
            lambda f: f.features.apply({"dev-mode": False, "account-registration": 0}),
            "the feature flag 'account-registration' is switched with True or False, not int 0",
        ),
        (
            lambda f: f.features.apply(["account-registration"]),
            "fake.features.apply takes a mapping of flag names to True or False, such as "
            "{'account-registration': False}, not list",
        ),
        (
            lambda f: f.features.apply({"dev-mode": False, "no-such-flag": True}),
            "no feature flag 'no-such-flag'; the known flags are: 'account-registration', "
            "'admin', 'dev-mode', 'feature-flag-information-endpoint', 'organization-creation', "
            "'superadmin-registration'",
        ),
        (
            lambda f: f.features.enable(["account-registration"]),
            "no feature flag ['account-registration']; the known flags are: "
            "'account-registration', 'admin', 'dev-mode', 'feature-flag-information-endpoint', "
            "'organization-creation', 'superadmin-registration'",
        ),
    ],
)
def test_a_feature_mistake_raises_and_switches_nothing(
    change: Callable[[FakeAuth], None], message: str
) -> None:
    fake = new_fake()
    before = fake.features.state()

    with pytest.raises(ConfigurationError) as raised:
        change(fake)

    assert str(raised.value) == f"fakeauth: {message}"
    assert fake.features.state() == before


@pytest.mark.parametrize(
    ("seeding", "message"),
    [
        (
            lambda f: f.ovok.add_account(email=5, password=PASSWORD),
            "fake.ovok.add_account: email must be a string, not int 5",
        ),
        (
            lambda f: f.ovok.add_account(EMAIL, PASSWORD, email_verified="yes"),
            "fake.ovok.add_account: email_verified must be true or false, not str 'yes'",
        ),
        (
            lambda f: f.ovok.add_account(email=10**5000, password=PASSWORD),
            "fake.ovok.add_account: email must be a string, not int a number of 16610 bits",
        ),
        (
            lambda f: f.ovok.add_tenant(id=42),
            "fake.ovok.add_tenant: id must be a string or None, not int 42",
        ),
        (
            lambda f: f.ovok.add_client(tenant_id=None),
            "fake.ovok.add_client: tenant_id must be a string, not None",
        ),
        (
            lambda f: f.b2core.add_broker("https://broker.example", recaptcha="on"),
            "fake.b2core.add_broker: recaptcha must be true or false, not str 'on'",
        ),
        (
            lambda f: f.b2core.add_account(EMAIL, PASSWORD, phone=4915112345678),
            "fake.b2core.add_account: phone must be a string or None, not int 4915112345678",
        ),
        (
            lambda f: f.b2core.add_account(EMAIL, PASSWORD, broker=1),
            "fake.b2core.add_account: broker must be a string or a B2CoreBroker or None, not int 1",
        ),
        (
            lambda f: f.b2core.broker().configure(strict_fingerprint="yes"),
            "broker.configure: strict_fingerprint must be true or false or None, not str 'yes'",
        ),
        (
            lambda f: f.waltid.add_account(EMAIL, PASSWORD, time_zone=0),
            "fake.waltid.add_account: time_zone must be a string, not int 0",
        ),
        (
            lambda f: f.waltid.add_organization(["acme"]),
            "fake.waltid.add_organization: organization must be a string, not list ['acme']",
        ),
        (
            lambda f: f.waltid.add_registration_token(
                "t", email=EMAIL, password=PASSWORD, expires="2030"
            ),
            "fake.waltid.add_registration_token: expires must be a datetime or None, not "
            "str '2030'",
        ),
    ],
)
def test_a_seeding_method_refuses_an_argument_of_the_wrong_type(
    seeding: Callable[[FakeAuth], Any], message: str
) -> None:
    fake = new_fake()
    before = _observable(fake)

    with pytest.raises(ConfigurationError) as raised:
        seeding(fake)

    assert str(raised.value) == f"fakeauth: {message}"
    assert _observable(fake) == before


@pytest.mark.parametrize(
    ("case", "document", "message"), [(k, *v) for k, v in SEED_MISTAKES.items()]
)
def test_a_seed_document_of_the_wrong_shape_adds_nothing(
    case: str, document: Any, message: str
) -> None:
    fake = new_fake()
    before = _observable(fake)

    with pytest.raises(ConfigurationError) as raised:
        apply_seed(fake, document)

    assert str(raised.value) == f"fakeauth: {message}"
    assert _observable(fake) == before


def test_a_well_formed_seed_document_still_adds_everything() -> None:
    fake = FakeAuth()
    document = {
        "features": {"account-registration": False},
        "ovok": {"accounts": [{"email": EMAIL, "password": PASSWORD, "email_verified": False}]},
        "b2core": {"accounts": [{"email": EMAIL, "password": PASSWORD, "two_factor": "sms"}]},
        "waltid": {"organizations": [{"organization": "acme"}]},
    }

    added = apply_seed(fake, document)

    assert added == {
        "features": 1,
        "ovok.accounts": 1,
        "b2core.accounts": 1,
        "waltid.organizations": 1,
    }
    assert not fake.features.is_enabled("account-registration")


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("PUT", "/_fakeauth/clock", 405, "GET, HEAD, OPTIONS, POST"),
        ("DELETE", "/_fakeauth/seed", 405, "OPTIONS, POST"),
        ("GET", "/_fakeauth/reset", 405, "OPTIONS, POST"),
        ("GET", "/_fakeauth/nothing-here", 404, None),
    ],
)
def test_a_control_path_asked_with_another_method_answers_405(
    method: str, path: str, status: int, allow: str | None
) -> None:
    fake = new_fake()

    response = Client(fake.wsgi_app).open(path, method=method)

    assert (response.status_code, response.headers.get("Allow")) == (status, allow)
    assert response.get_json()["error"].startswith("fakeauth: ")


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_the_journal_stays_standard_json_after_a_non_finite_number() -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)
    client.post(
        "/auth/b2b/register",
        base_url="https://api.dev.ovok.com",
        data=b'{"email": "a@example.test", "password": "pw", "name": 1e400}',
        content_type="application/json",
    )

    journal = client.get("/_fakeauth/journal").get_data(as_text=True)

    assert _strict_json(journal)[0]["request"]["name"] is None


def test_features_that_are_not_a_mapping_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="features maps flag names to True or False"):
        FakeAuth(features=["account-registration"])  # type: ignore[arg-type]


def test_the_405s_have_an_operation_id_calls_takes() -> None:
    fake = FakeAuth()
    Client(fake.wsgi_app).open(
        "/auth/b2b/login", method="TRACE", base_url="https://api.dev.ovok.com"
    )

    fake.calls("ovok.method_not_allowed").assert_called_once()
    fake.calls("b2core.method_not_allowed").assert_not_called()


@pytest.mark.parametrize(
    "option", ["ovok_access_token_ttl", "b2core_refresh_token_ttl", "waltid_token_ttl"]
)
def test_a_lifetime_checked_once_is_still_checked_by_type(option: str) -> None:
    options: dict[str, Any] = {option: 1}
    FakeAuth(**options)  # valid, and now remembered

    with pytest.raises(ConfigurationError):
        FakeAuth(**{**options, option: True})  # equal to 1, but not a lifetime
    with pytest.raises(ConfigurationError):
        FakeAuth(**{**options, option: [3600]})  # no cache key at all
