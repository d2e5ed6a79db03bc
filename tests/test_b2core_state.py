"""Tests for fakeauth.state.b2core: brokers, accounts, wizards, lockout and tokens, without HTTP."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest

from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError, TokenExpired, TokenInvalid, TokenRevoked
from fakeauth.features import FeatureRegistry
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness
from fakeauth.state.b2core import (
    B2CoreBroker,
    B2CoreState,
    B2CoreTokens,
    FieldErrors,
    LockedOut,
    WizardStep,
    WrongCredentials,
)

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
EMAIL = "foo@bar.com"
PASSWORD = "Secret123"
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
STRICT_FINGERPRINT = base64.b64encode(json.dumps({"user_agent": "pytest"}).encode()).decode()


def make_state(*hosts: str) -> B2CoreState:
    clock = Clock()
    clock.set(START, frozen=True)
    return B2CoreState(
        hosts=hosts or ("https://host.name",),
        clock=clock,
        randomness=Randomness(7),
        outbox=Outbox(),
        features=FeatureRegistry(),
    )


def registration(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "email": EMAIL,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "device_fingerprint": FINGERPRINT,
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def sign_up(state: B2CoreState, **overrides: Any) -> WizardStep | B2CoreTokens:
    broker = state.broker()
    session, _ = state.start_signup(broker)
    return state.sign_up(broker, session.uuid, registration(**overrides))


def sign_in(state: B2CoreState, email: str = EMAIL, password: str = PASSWORD) -> Any:
    broker = state.broker()
    session = state.start_signin(broker)
    form = {"email": email, "password": password, "device_fingerprint": FINGERPRINT}
    return state.sign_in(broker, session.uuid, form)


# -- brokers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "url"),
    [
        pytest.param("host.name", "https://host.name", id="default"),
        pytest.param("HOST.NAME", "https://host.name", id="case"),
        pytest.param("host.name:443", "https://host.name", id="default-port"),
        pytest.param("broker.example", "https://broker.example", id="added"),
        pytest.param("plain.example:8080", "http://plain.example:8080", id="own-port"),
        pytest.param("host.name:80", None, id="other-port"),
        pytest.param("plain.example", None, id="missing-port"),
        pytest.param("127.0.0.1:8000", None, id="loopback"),
    ],
)
def test_broker_for_host(host: str, url: str | None) -> None:
    state = make_state()
    state.add_broker("https://Broker.example/")
    state.add_broker("http://plain.example:8080")

    broker = state.broker_for_host(host)

    assert (broker.url if broker else None) == url


def test_one_broker_per_configured_host_the_first_is_the_default() -> None:
    state = make_state("https://a.example", "https://b.example")

    assert [b.url for b in state.brokers] == ["https://a.example", "https://b.example"]
    assert state.broker().url == "https://a.example"
    assert state.broker("https://B.example").url == "https://b.example"


def test_broker_defaults() -> None:
    broker = make_state().broker()

    assert (broker.require_fields, broker.extra_steps, broker.recaptcha) == ((), {}, False)
    assert (broker.recaptcha_response, broker.strict_fingerprint) == ("ut nu", False)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda s: s.add_broker("https://host.name"),
            "fakeauth: the B2Core broker 'https://host.name' exists already",
            id="duplicate",
        ),
        pytest.param(
            lambda s: s.add_broker("broker.example"),
            "fakeauth: a B2Core broker is a base URL such as 'https://broker.example', "
            "not 'broker.example'",
            id="no-scheme",
        ),
        pytest.param(
            lambda s: s.add_broker("https://broker.example/app"),
            "fakeauth: a B2Core broker is a base URL such as 'https://broker.example', "
            "not 'https://broker.example/app'",
            id="path",
        ),
        pytest.param(
            lambda s: s.broker("https://nowhere.example"),
            "fakeauth: no B2Core broker on 'https://nowhere.example'; add it with "
            "fake.b2core.add_broker('https://nowhere.example'); the brokers are: "
            "https://host.name",
            id="unknown",
        ),
        pytest.param(
            lambda s: s.broker().configure(require_fields="phones"),
            "fakeauth: require_fields takes a list of field names such as "
            "['info.givenName', 'phones'], not 'phones'",
            id="fields-as-string",
        ),
        pytest.param(
            lambda s: s.broker().configure(extra_steps=["kyc"]),
            "fakeauth: extra_steps maps each step's workflow name to its fields, such as "
            "{'personal_info': ['info.givenName']}",
            id="steps-as-list",
        ),
        pytest.param(
            lambda s: s.broker().configure(extra_steps={"basic_register_form": ["x"]}),
            "fakeauth: an extra step needs a workflow name other than 'basic_register_form', "
            "not 'basic_register_form'",
            id="step-name-taken",
        ),
        pytest.param(
            lambda s: s.broker().configure(recaptcha_response=""),
            "fakeauth: recaptcha_response is the non-empty string that passes",
            id="empty-recaptcha-response",
        ),
    ],
)
def test_broker_configuration_mistakes(call: Any, message: str) -> None:
    state = make_state()

    with pytest.raises(ConfigurationError) as raised:
        call(state)

    assert str(raised.value) == message


def test_configure_changes_only_what_is_given() -> None:
    broker = make_state().add_broker("https://broker.example", recaptcha=True)

    broker.configure(require_fields=["info.givenName"], extra_steps={"kyc": ("phones",)})

    assert broker.recaptcha is True
    assert broker.require_fields == ("info.givenName",)
    assert broker.extra_steps == {"kyc": ("phones",)}
    assert broker.form_fields() == {
        "info.givenName": {"required": True},
        "recaptchaResponse": {"required": True},
    }


# -- accounts --------------------------------------------------------------------------------------


def test_add_account_returns_the_account_with_its_ids() -> None:
    state = make_state()

    account = state.add_account(EMAIL, PASSWORD, two_factor="google")

    assert account.broker == "https://host.name"
    assert account.two_factor == "google"
    assert len(account.id) == 36
    assert state.get_account("FOO@bar.COM") is account
    assert state.accounts == [account]
    assert PASSWORD not in repr(account)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"email": "not-an-email"},
            "fakeauth: 'not-an-email' is not an email address B2Core accepts",
            id="email",
        ),
        pytest.param(
            {"password": ""}, "fakeauth: a B2Core account needs a non-empty password", id="password"
        ),
        pytest.param(
            {"two_factor": "email"},
            "fakeauth: two_factor is 'google', 'sms' or None, not 'email'",
            id="two-factor",
        ),
        pytest.param(
            {"email": "FOO@BAR.COM"},
            "fakeauth: a B2Core account with email 'FOO@BAR.COM' exists already on "
            "https://host.name",
            id="duplicate",
        ),
        pytest.param(
            {"broker": "https://nowhere.example"},
            "fakeauth: no B2Core broker on 'https://nowhere.example'; add it with "
            "fake.b2core.add_broker('https://nowhere.example'); the brokers are: "
            "https://host.name",
            id="broker",
        ),
    ],
)
def test_add_account_mistakes(kwargs: dict[str, Any], message: str) -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)
    arguments: dict[str, Any] = {"email": "new@bar.com", "password": PASSWORD, **kwargs}

    with pytest.raises(ConfigurationError) as raised:
        state.add_account(**arguments)

    assert str(raised.value) == message


def test_the_same_email_on_two_brokers_is_two_accounts() -> None:
    state = make_state()
    other = state.add_broker("https://broker.example")

    first = state.add_account(EMAIL, PASSWORD)
    second = state.add_account(EMAIL, "other", broker=other)

    assert state.get_account(EMAIL) is first
    assert state.get_account(EMAIL, broker="https://broker.example") is second


def test_get_account_unknown() -> None:
    state = make_state()

    with pytest.raises(ConfigurationError) as raised:
        state.get_account("nobody@bar.com")

    assert str(raised.value) == (
        "fakeauth: no B2Core account 'nobody@bar.com' on https://host.name; "
        "seed one with fake.b2core.add_account(email=..., password=...)"
    )


@pytest.mark.parametrize(
    ("at", "code"),
    [
        pytest.param(59, "287082", id="rfc6238-59"),
        pytest.param(1111111109, "081804", id="rfc6238-1111111109"),
        pytest.param(2000000000, "279037", id="rfc6238-2000000000"),
    ],
)
def test_totp_matches_rfc_6238(at: float, code: str) -> None:
    seeded = make_state().add_account(EMAIL, PASSWORD, two_factor="google")
    account = replace(seeded, totp_secret=base64.b32encode(b"12345678901234567890").decode())

    assert account.totp(at) == code


@pytest.mark.parametrize(
    ("two_factor", "message"),
    [
        pytest.param(
            None,
            "fakeauth: the B2Core account 'foo@bar.com' has no 2FA; seed it with "
            "two_factor='google' or 'sms'",
            id="none",
        ),
        pytest.param(
            "sms",
            "fakeauth: no SMS code was sent to 'foo@bar.com' yet; POST /api/v2/my/signin sends "
            "one when the account reaches the 2fa_sms_auth step",
            id="sms-not-sent",
        ),
    ],
)
def test_two_factor_code_mistakes(two_factor: str | None, message: str) -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD, two_factor=two_factor)

    with pytest.raises(ConfigurationError) as raised:
        state.two_factor_code(EMAIL)

    assert str(raised.value) == message


# -- sign-up ---------------------------------------------------------------------------------------


def test_sign_up_creates_the_account_and_finishes_the_session() -> None:
    state = make_state()

    result = sign_up(state, info={"givenName": "John", "familyName": "Brown"})

    assert isinstance(result, B2CoreTokens)
    account = state.get_account(EMAIL)
    assert result.account is account
    assert (account.given_name, account.family_name) == ("John", "Brown")
    assert account.password.matches(PASSWORD)
    assert state.sessions[result.uuid].finished


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        pytest.param(
            dict.fromkeys(("email", "password", "password_confirmation", "device_fingerprint")),
            {
                "email": ["This value should not be blank."],
                "password": ["This value should not be blank."],
                "password_confirmation": ["This value should not be blank."],
                "device_fingerprint": ["This value should not be blank."],
            },
            id="all-missing",
        ),
        pytest.param(
            {"email": "foo@bar", "password_confirmation": "Secret124"},
            {
                "email": ["This value is not a valid email address."],
                "password_confirmation": ["The password confirmation does not match."],
            },
            id="email-and-mismatch",
        ),
        pytest.param(
            {"email": "TAKEN@Bar.com"},
            {"email": ["This value is already used."]},
            id="duplicate-case-insensitive",
        ),
        pytest.param(
            {"device_fingerprint": ""},
            {"device_fingerprint": ["This value should not be blank."]},
            id="empty-fingerprint",
        ),
    ],
)
def test_sign_up_field_errors(overrides: dict[str, Any], errors: dict[str, list[str]]) -> None:
    state = make_state()
    state.add_account("taken@bar.com", "x", broker=state.add_broker("https://other.example"))
    state.add_account("taken@bar.com", "x")
    before = len(state.accounts)

    with pytest.raises(FieldErrors) as raised:
        sign_up(state, **overrides)

    assert raised.value.errors == errors
    assert raised.value.workflow == "basic_register_form"
    assert len(state.accounts) == before


@pytest.mark.parametrize(
    ("fingerprint", "accepted"),
    [
        pytest.param(STRICT_FINGERPRINT, True, id="base64-json"),
        pytest.param(STRICT_FINGERPRINT.rstrip("="), True, id="unpadded"),
        pytest.param(
            base64.urlsafe_b64encode(b'{"user_agent":"\xff\xfe?>"}').decode(), False, id="not-utf8"
        ),
        pytest.param(
            base64.urlsafe_b64encode(json.dumps({"user_agent": "ü?>~"}).encode()).decode(),
            True,
            id="urlsafe",
        ),
        pytest.param(FINGERPRINT, False, id="documentation-example"),
        pytest.param(base64.b64encode(b'{"userAgent": "x"}').decode(), False, id="camel-case"),
        pytest.param(base64.b64encode(b'["user_agent"]').decode(), False, id="array"),
        pytest.param(base64.b64encode(b"user_agent").decode(), False, id="not-json"),
    ],
)
def test_strict_fingerprint(fingerprint: str, accepted: bool) -> None:
    state = make_state()
    state.broker().configure(strict_fingerprint=True)

    try:
        sign_up(state, device_fingerprint=fingerprint)
        errors = {}
    except FieldErrors as exc:
        errors = exc.errors

    expected = (
        {}
        if accepted
        else {"device_fingerprint": ["This value is not a valid device fingerprint."]}
    )
    assert errors == expected


def test_extra_steps_collect_their_fields_then_create_the_account() -> None:
    state = make_state()
    broker = state.broker().configure(extra_steps={"personal_info": ["info.givenName"]})
    session, _ = state.start_signup(broker)

    first = state.sign_up(broker, session.uuid, registration())
    with pytest.raises(FieldErrors) as raised:
        state.sign_up(broker, session.uuid, {"info": {"familyName": "Brown"}})
    last = state.sign_up(broker, session.uuid, {"info": {"givenName": "John"}})

    assert first == WizardStep(
        session.uuid, "personal_info", {"info.givenName": {"required": True}}
    )
    assert raised.value.errors == {"info.givenName": ["This value should not be blank."]}
    assert raised.value.workflow == "personal_info"
    assert isinstance(last, B2CoreTokens)
    assert last.account.given_name == "John"


def test_an_email_taken_while_the_wizard_was_open_is_refused_at_the_last_step() -> None:
    state = make_state()
    broker = state.broker().configure(extra_steps={"kyc": []})
    session, _ = state.start_signup(broker)
    state.sign_up(broker, session.uuid, registration())
    state.add_account(EMAIL, PASSWORD)

    with pytest.raises(FieldErrors) as raised:
        state.sign_up(broker, session.uuid, {})

    assert raised.value.errors == {"email": ["This value is already used."]}


@pytest.mark.parametrize(
    ("elapsed", "finished", "message"),
    [
        pytest.param(1799, False, None, id="alive-at-ttl-1s"),
        pytest.param(1800, False, "This wizard session has expired.", id="expired-at-ttl"),
        pytest.param(0, True, "This wizard session is already finished.", id="finished"),
    ],
)
def test_wizard_session_lifetime(elapsed: int, finished: bool, message: str | None) -> None:
    state = make_state()
    broker = state.broker()
    session, _ = state.start_signup(broker)
    session.finished = finished
    state.clock.shift(elapsed)

    try:
        state.sign_up(broker, session.uuid, registration())
        errors = {}
    except FieldErrors as exc:
        errors = exc.errors

    assert errors == ({"uuid": [message]} if message else {})


@pytest.mark.parametrize(
    "flow",
    [pytest.param("signin", id="signin-uuid"), pytest.param("other-broker", id="other-broker")],
)
def test_a_session_of_another_flow_or_broker_does_not_exist(flow: str) -> None:
    state = make_state()
    other = state.add_broker("https://broker.example")
    if flow == "signin":
        uuid = state.start_signin(state.broker()).uuid
    else:
        uuid = state.start_signup(other)[0].uuid

    with pytest.raises(FieldErrors) as raised:
        state.sign_up(state.broker(), uuid, registration())

    assert raised.value.errors == {"uuid": ["This wizard session does not exist."]}


# -- sign-in, 2FA, lockout -------------------------------------------------------------------------


def test_sign_in_wrong_password_and_unknown_email_are_the_same_refusal() -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)

    with pytest.raises(WrongCredentials) as wrong:
        sign_in(state, password="nope")
    with pytest.raises(WrongCredentials) as unknown:
        sign_in(state, email="nobody@bar.com")

    assert wrong.value.message == unknown.value.message == "Invalid email or password."


@pytest.mark.parametrize(
    ("spacing", "locked"),
    [
        pytest.param(0, True, id="five-at-once"),
        pytest.param(14.9, True, id="five-within-60s"),
        pytest.param(15, False, id="fifth-60s-after-first"),
    ],
)
def test_lockout_after_five_failures_within_a_minute(spacing: float, locked: bool) -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)
    for _ in range(5):
        with pytest.raises(WrongCredentials):
            sign_in(state, email="FOO@bar.com", password="nope")
        state.clock.shift(spacing)

    try:
        result = sign_in(state)
    except LockedOut as exc:
        result = exc

    assert isinstance(result, LockedOut) == locked


def test_lockout_lasts_600s_from_the_fifth_failure() -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)
    for _ in range(5):
        with pytest.raises(WrongCredentials):
            sign_in(state, password="nope")

    state.clock.shift(599)
    with pytest.raises(LockedOut) as raised:
        sign_in(state)
    state.clock.shift(1)
    result = sign_in(state)

    assert (raised.value.retry_after, raised.value.until) == (1, START + 600)
    assert isinstance(result, B2CoreTokens)


def test_a_success_clears_the_failures() -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)
    for _ in range(4):
        with pytest.raises(WrongCredentials):
            sign_in(state, password="nope")
    sign_in(state)

    with pytest.raises(WrongCredentials):
        sign_in(state, password="nope")
    result = sign_in(state)

    assert isinstance(result, B2CoreTokens)


def test_sms_two_factor_sends_the_code_to_the_outbox() -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD, two_factor="sms", phone="+15555550100")

    step = sign_in(state)
    code = state.two_factor_code(EMAIL)
    tokens = state.verify_two_factor(state.broker(), step.uuid, "sms", code)

    assert step == WizardStep(step.uuid, "2fa_sms_auth", {})
    message = state.outbox.last()
    assert (message.vendor, message.to, message.data["code"]) == ("b2core", "+15555550100", code)
    assert tokens.account.email == EMAIL


def test_google_two_factor_accepts_the_neighbouring_codes() -> None:
    state = make_state()
    account = state.add_account(EMAIL, PASSWORD, two_factor="google")
    step = sign_in(state)
    previous = account.totp(START - 30)

    tokens = state.verify_two_factor(state.broker(), step.uuid, "google", previous)

    assert tokens.uuid == step.uuid


# -- tokens ----------------------------------------------------------------------------------------


def test_access_token_expires_to_the_second() -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)
    tokens = sign_in(state)
    broker = state.broker()

    state.clock.shift(1199)
    account, session = state.authorize(broker, tokens.access_token.token)
    state.clock.shift(1)

    assert (account.email, session) == (EMAIL, tokens.uuid)
    with pytest.raises(TokenExpired):
        state.authorize(broker, tokens.access_token.token)


def test_refresh_token_is_single_use_and_lives_30_days() -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)
    tokens = sign_in(state)
    broker = state.broker()

    state.clock.shift(30 * 86400 - 1)
    renewed = state.refresh(broker, tokens.refresh_token.token)

    assert renewed.uuid == tokens.uuid
    with pytest.raises(TokenRevoked):
        state.refresh(broker, tokens.refresh_token.token)
    state.clock.shift(30 * 86400)
    with pytest.raises(TokenExpired):
        state.refresh(broker, renewed.refresh_token.token)


def test_tokens_are_refused_by_another_broker_and_as_the_other_kind() -> None:
    state = make_state()
    other = state.add_broker("https://broker.example")
    state.add_account(EMAIL, PASSWORD)
    tokens = sign_in(state)

    with pytest.raises(TokenInvalid):
        state.authorize(other, tokens.access_token.token)
    with pytest.raises(TokenInvalid):
        state.refresh(other, tokens.refresh_token.token)
    with pytest.raises(TokenInvalid):
        state.authorize(state.broker(), tokens.refresh_token.token)
    with pytest.raises(TokenInvalid):
        state.refresh(state.broker(), tokens.access_token.token)

    assert isinstance(state.refresh(state.broker(), tokens.refresh_token.token), B2CoreTokens)


def test_sign_out_revokes_the_whole_session() -> None:
    state = make_state()
    state.add_account(EMAIL, PASSWORD)
    tokens = sign_in(state)
    renewed = state.refresh(state.broker(), tokens.refresh_token.token)

    state.sign_out(state.broker(), renewed.access_token.token)

    for token in (tokens.access_token, renewed.access_token):
        with pytest.raises(TokenRevoked):
            state.authorize(state.broker(), token.token)
    with pytest.raises(TokenRevoked):
        state.refresh(state.broker(), renewed.refresh_token.token)


def test_reset_restores_the_defaults() -> None:
    state = make_state()
    state.add_broker("https://broker.example")
    state.broker().configure(recaptcha=True)
    state.add_account(EMAIL, PASSWORD)

    state.reset()

    assert [b.url for b in state.brokers] == ["https://host.name"]
    assert state.broker().recaptcha is False
    assert state.accounts == []
    assert state.broker_for_host("broker.example") is None


def test_the_same_seed_repeats_every_value() -> None:
    first, second = make_state(), make_state()

    results = [sign_up(state) for state in (first, second)]

    assert isinstance(results[0], B2CoreTokens)
    assert isinstance(results[1], B2CoreTokens)
    assert results[0].uuid == results[1].uuid
    assert results[0].access_token.token == results[1].access_token.token


def test_broker_repr_hides_accounts() -> None:
    broker = B2CoreBroker("https://x.example")

    assert repr(broker) == (
        "B2CoreBroker(url='https://x.example', require_fields=(), extra_steps={}, "
        "recaptcha=False, recaptcha_response='ut nu', strict_fingerprint=False)"
    )


def test_token_lifetimes_must_be_positive() -> None:
    with pytest.raises(ConfigurationError) as raised:
        B2CoreState(
            clock=Clock(),
            randomness=Randomness(1),
            outbox=Outbox(),
            features=FeatureRegistry(),
            access_token_ttl=0,
        )

    assert str(raised.value) == (
        "fakeauth: B2Core token lifetimes must be positive numbers of seconds"
    )


def test_export_accounts_and_describe() -> None:
    state = make_state()
    state.add_broker("https://broker.example", recaptcha=True)
    account = state.add_account(EMAIL, PASSWORD, two_factor="sms", phone="+1555")

    exported = state.export_accounts()
    lines = state.describe()

    assert exported == [
        {
            "id": account.id,
            "broker": "https://host.name",
            "email": EMAIL,
            "given_name": "John",
            "family_name": "Brown",
            "phone": "+1555",
            "two_factor": "sms",
            "created_at": "2026-01-01T00:00:00+00:00",
        }
    ]
    assert lines[-2:] == [
        "broker        https://host.name (reCAPTCHA off)",
        "broker        https://broker.example (reCAPTCHA on)",
    ]
