"""The core contracts, without HTTP: clock, randomness, flags, passwords, tokens, journal."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import jwt
import pytest
import requests
import time_machine
from freezegun import freeze_time

from fakeauth import Clock, ConfigurationError, FakeAuth, redacted
from fakeauth.errors import TokenExpired, TokenInvalid, TokenRevoked
from fakeauth.features import Feature, FeatureRegistry, declare
from fakeauth.http import dumps
from fakeauth.outbox import Message, Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness
from fakeauth.redaction import MAX_DEPTH, TOO_DEEP, redact
from fakeauth.state.b2core import B2CoreState
from fakeauth.state.ovok import OvokState
from fakeauth.state.waltid import FEATURES, WaltidState
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)


# -- clock ------------------------------------------------------------------------------------


def test_clock_follows_freezegun() -> None:
    clock = Clock()

    with freeze_time(T0) as frozen:
        first = clock.now()
        frozen.tick(5)
        second = clock.now()

    assert first == T0
    assert second == T0 + timedelta(seconds=5)


def test_clock_follows_time_machine() -> None:
    clock = Clock()

    with time_machine.travel(T0, tick=False) as traveller:
        first = clock.now()
        traveller.shift(timedelta(hours=1))
        second = clock.now()

    assert first == T0
    assert second == T0 + timedelta(hours=1)


def test_clock_created_before_freezing_still_follows_the_freeze() -> None:
    clock = Clock()
    before = clock.now()

    with freeze_time("2001-01-01"):
        assert clock.now().year == 2001

    assert clock.now() >= before


def test_clock_shift_adds_to_the_system_time_and_reset_removes_it() -> None:
    clock = Clock()

    with freeze_time(T0):
        clock.shift(90)
        shifted = clock.now()
        clock.shift(-30)
        back = clock.now()
        clock.reset()
        reset = clock.now()

    assert shifted == T0 + timedelta(seconds=90)
    assert back == T0 + timedelta(seconds=60)
    assert reset == T0
    assert not clock.is_shifted


def test_clock_set_keeps_running_unless_frozen() -> None:
    clock = Clock()
    target = datetime(2030, 1, 1, tzinfo=timezone.utc)

    with freeze_time(T0) as frozen:
        clock.set(target)
        frozen.tick(10)
        running = clock.now()
        clock.set(target, frozen=True)
        frozen.tick(10)
        fixed = clock.now()
        clock.shift(5)
        fixed_shifted = clock.now()

    assert running == target + timedelta(seconds=10)
    assert fixed == target
    assert fixed_shifted == target + timedelta(seconds=5)
    assert clock.is_shifted


def test_clock_set_takes_a_naive_datetime_as_utc_and_a_timestamp() -> None:
    clock = Clock()

    clock.set(datetime(2030, 1, 1), frozen=True)
    naive = clock.now()
    clock.set(0, frozen=True)
    epoch = clock.now()

    assert naive == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert epoch == datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert "frozen" in repr(clock)


def test_clock_set_refuses_other_types() -> None:
    with pytest.raises(TypeError, match="a datetime or a POSIX timestamp, not str"):
        Clock().set("2030-01-01")  # type: ignore[arg-type]


# -- randomness -------------------------------------------------------------------------------


def test_seeded_streams_repeat_and_are_independent_by_name() -> None:
    a = Randomness(seed=1).stream("ovok.ids")
    b = Randomness(seed=1).stream("ovok.ids")
    other = Randomness(seed=1).stream("waltid.ids")

    values_a = [a.uuid4(), a.hex(4), a.digits(6), a.token(10)]
    values_b = [b.uuid4(), b.hex(4), b.digits(6), b.token(10)]

    assert values_a == values_b
    assert other.uuid4() != values_a[0]
    assert len(values_a[2]) == 6
    assert values_a[2].isdigit()


def test_unseeded_randomness_differs_between_instances() -> None:
    assert Randomness().stream("x").uuid4() != Randomness().stream("x").uuid4()


def test_randomness_refuses_a_bad_seed() -> None:
    with pytest.raises(TypeError, match="seed must be an int, a str or bytes, not float"):
        Randomness(seed=1.5)  # type: ignore[arg-type]


# -- feature flags ----------------------------------------------------------------------------


@pytest.fixture
def features() -> FeatureRegistry:
    registry = FeatureRegistry()
    registry.register(Feature("account-registration", "waltid", "public register", True))
    registry.register(Feature("dev-mode", "waltid", "dev endpoints", False))
    return registry


def test_features_switch_and_reset(features: FeatureRegistry) -> None:
    features.disable("account-registration")
    features.enable("dev-mode")
    switched = features.state()
    features.reset()

    assert switched == {"account-registration": False, "dev-mode": True}
    assert features.state() == {"account-registration": True, "dev-mode": False}


def test_an_unknown_feature_raises_and_lists_the_known_ones(features: FeatureRegistry) -> None:
    with pytest.raises(ConfigurationError) as info:
        features.enable("acount-registration")

    assert str(info.value) == (
        "fakeauth: no feature flag 'acount-registration'; "
        "the known flags are: 'account-registration', 'dev-mode'"
    )


def test_apply_checks_every_name_before_switching_any(features: FeatureRegistry) -> None:
    with pytest.raises(ConfigurationError):
        features.apply({"account-registration": False, "nope": True})

    assert features.is_enabled("account-registration")


# -- passwords --------------------------------------------------------------------------------


def test_password_hash_is_salted_and_never_shown() -> None:
    random = Randomness(seed=1).stream("pw")

    first = PasswordHash.create("s3cret", random)
    second = PasswordHash.create("s3cret", random)

    assert first.matches("s3cret")
    assert not first.matches("s3cret ")
    assert first.digest != second.digest
    assert repr(first) == "PasswordHash(<redacted>)"


# -- redaction --------------------------------------------------------------------------------


def test_redact_replaces_secret_keys_and_known_secrets_everywhere() -> None:
    value = {
        "password": "pw",
        "nested": [{"accessToken": "tok", "note": "raw tok inside"}],
        "code": "401",
        "count": 3,
    }

    result = redact(value, secrets=["tok"])

    assert result == {
        "password": redacted("pw"),
        "nested": [{"accessToken": redacted("tok"), "note": f"raw {redacted('tok')} inside"}],
        "code": "401",
        "count": 3,
    }
    assert redacted("pw").startswith("<redacted:")
    assert len(redacted("pw")) == 23


def test_redact_keeps_64_levels_of_a_deeply_nested_value() -> None:
    value: list[object] = []
    for _ in range(5000):  # far deeper than the stack would allow a recursive copy
        value = [value]

    result = redact({"password": "pw", "deep": value})

    kept = result["deep"]
    for _ in range(MAX_DEPTH - 1):
        kept = kept[0]
    assert result["password"] == redacted("pw")
    assert kept == TOO_DEEP == "<fakeauth: nested too deep to keep>"


# -- tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["HS256", "EdDSA"])
def test_signer_round_trips_and_any_jwt_library_decodes(algorithm: str) -> None:
    signer = JwtSigner(algorithm, Randomness(seed=1).stream("k"), kid="key-1")

    token = signer.encode({"sub": "a", "exp": 1})

    assert signer.decode(token) == {"sub": "a", "exp": 1}  # expiry is not PyJWT's business
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    assert jwt.get_unverified_header(token)["kid"] == "key-1"


def test_signer_refuses_other_keys_and_alg_none() -> None:
    signer = JwtSigner("HS256", Randomness(seed=1).stream("k"))
    other = JwtSigner("HS256", Randomness(seed=2).stream("k"))

    with pytest.raises(TokenInvalid):
        signer.decode(other.encode({"sub": "a"}))
    with pytest.raises(TokenInvalid):
        signer.decode(jwt.encode({"sub": "a"}, "", algorithm="none"))
    with pytest.raises(TokenInvalid):
        signer.decode("not.a.token")


def test_signer_makes_no_key_until_first_use() -> None:
    signer = JwtSigner("EdDSA", Randomness().stream("k"))

    assert signer._signing_key is None
    jwk = signer.public_jwk()

    assert jwk is not None
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    assert JwtSigner("HS256", Randomness().stream("k")).public_jwk() is None


def test_signer_refuses_an_unknown_algorithm() -> None:
    with pytest.raises(ConfigurationError, match="unsupported token algorithm 'RS512'"):
        JwtSigner("RS512", Randomness().stream("k"))


def test_token_store_checks_kind_revocation_and_expiry_by_the_clock() -> None:
    clock = Clock()
    store = TokenStore(clock)
    with freeze_time(T0) as frozen:
        now = clock.time()
        store.add(TokenRecord("a", "access", "user", "s1", now, now + 60))
        store.add(TokenRecord("r", "refresh", "user", "s1", now, now + 600))

        frozen.tick(59)
        assert store.check("a", "access").subject == "user"
        with pytest.raises(TokenInvalid):
            store.check("a", "refresh")
        with pytest.raises(TokenInvalid):
            store.check("missing", "access")
        frozen.tick(1)
        with pytest.raises(TokenExpired):
            store.check("a", "access")
        assert store.consume("r", "refresh").id == "r"
        with pytest.raises(TokenRevoked):
            store.consume("r", "refresh")


def test_token_store_revokes_whole_sessions() -> None:
    store = TokenStore(Clock())
    for token_id in ("a", "b"):
        store.add(TokenRecord(token_id, "access", "user", "s1", 0, 2**40))
    store.add(TokenRecord("c", "access", "user", "s2", 0, 2**40))

    revoked = store.revoke_session("s1")

    assert revoked == 2
    assert [r.id for r in store.live("user")] == ["c"]


# -- journal and outbox -----------------------------------------------------------------------


def test_outbox_finds_messages_by_address_case_insensitively() -> None:
    outbox = Outbox()
    outbox.send(Message("ovok", "email-verification", "Max@Example.com", "s", "b", T0))

    assert len(outbox.to("max@example.COM")) == 1
    assert outbox[0].to == "Max@Example.com"
    outbox.clear()
    with pytest.raises(LookupError, match="the outbox is empty"):
        outbox.last()


# -- the facade -------------------------------------------------------------------------------


def test_fake_auth_instances_are_isolated() -> None:
    first, second = FakeAuth(), FakeAuth()

    first.ovok.add_account("a@example.test", "pw")
    first.clock.shift(100)

    assert second.ovok.accounts == []
    assert not second.clock.is_shifted


def test_reset_restores_the_embedded_defaults() -> None:
    fake = FakeAuth()
    fake.ovok.add_account("a@example.test", "pw")
    fake.ovok.add_tenant(display="extra")
    fake.clock.shift(100)

    fake.reset()

    assert fake.ovok.accounts == []
    assert list(fake.ovok.tenants) == ["87ea5dfc-8b8e-384d-8489-79496e706390"]
    assert not fake.clock.is_shifted
    assert len(fake.journal) == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "ovok_hosts",
            ["api.ovok.com"],
            "ovok_hosts takes base URLs such as 'https://api.example.com', not 'api.ovok.com'",
        ),
        (
            "b2core_hosts",
            ["https://host.name/api"],
            "b2core_hosts takes base URLs such as 'https://api.example.com', "
            "not 'https://host.name/api'",
        ),
        ("waltid_hosts", [], "waltid_hosts needs at least one base URL"),
    ],
)
def test_bad_host_options_raise_a_sentence(option: str, value: list[str], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        FakeAuth(**{option: value})  # type: ignore[arg-type]

    assert str(info.value) == f"fakeauth: {message}"


def test_hosts_are_normalised_and_accept_a_single_string() -> None:
    fake = FakeAuth(ovok_hosts="HTTP://LOCALHOST:9000/")

    assert fake.hosts["ovok"] == ("http://localhost:9000",)
    assert fake.vendor_for_host("localhost:9000") is not None
    assert fake.vendor_for_host("localhost") is None


def test_ovok_seeding_mistakes_raise_sentences() -> None:
    fake = FakeAuth()
    fake.ovok.add_account("a@example.test", "pw")

    with pytest.raises(ConfigurationError) as unknown_tenant:
        fake.ovok.add_account("b@example.test", "pw", tenant_id="t-1")
    with pytest.raises(ConfigurationError) as duplicate:
        fake.ovok.add_account("A@example.test", "pw")
    with pytest.raises(ConfigurationError) as bad_email:
        fake.ovok.add_account("nope", "pw")
    with pytest.raises(ConfigurationError) as missing:
        fake.ovok.get_account("b@example.test")

    assert str(unknown_tenant.value) == (
        "fakeauth: no Ovok tenant 't-1'; add it with fake.ovok.add_tenant('t-1') "
        "or use the default tenant '87ea5dfc-8b8e-384d-8489-79496e706390'"
    )
    assert "exists already" in str(duplicate.value)
    assert "'nope' is not an email address Ovok accepts" in str(bad_email.value)
    assert "seed one with fake.ovok.add_account(email=..., password=...)" in str(missing.value)


def test_construction_makes_no_key_and_is_cheap() -> None:
    fake = FakeAuth()

    assert fake.ovok.signer._signing_key is None


def test_repr_shows_no_secret() -> None:
    fake = FakeAuth()
    account = fake.ovok.add_account("a@example.test", "hunter2")

    assert "hunter2" not in repr(account)
    assert "hunter2" not in repr(fake)


def test_concurrent_seeding_of_one_email_makes_one_account() -> None:
    fake = FakeAuth()
    barrier = threading.Barrier(16)
    errors: list[Exception] = []

    def seed() -> None:
        barrier.wait()
        try:
            fake.ovok.add_account("same@example.test", "pw")
        except ConfigurationError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=seed) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake.ovok.accounts) == 1
    assert len(errors) == 15


def test_registering_the_same_feature_again_changes_nothing(features: FeatureRegistry) -> None:
    features.disable("account-registration")

    features.register(Feature("account-registration", "waltid", "public register", True))

    assert features.state() == {"account-registration": False, "dev-mode": False}


def test_registering_another_feature_under_a_taken_name_raises(features: FeatureRegistry) -> None:
    with pytest.raises(ConfigurationError) as info:
        features.register(Feature("dev-mode", "b2core", "something else", True))

    assert str(info.value) == (
        "fakeauth: the feature flag 'dev-mode' is registered already (by waltid: "
        "'dev endpoints'); give the new flag another name"
    )
    assert features.get("dev-mode") == Feature("dev-mode", "waltid", "dev endpoints", False)


def test_registries_share_the_declared_flags_and_keep_their_own_switches() -> None:
    declared = declare(
        Feature("account-registration", "waltid", "public register", True),
        Feature("dev-mode", "waltid", "dev endpoints", False),
    )
    first, second = FeatureRegistry(declared), FeatureRegistry(declared)

    first.disable("account-registration")
    first.register(Feature("strict-mode", "b2core", "B2Core only", False))
    first.enable("strict-mode")

    assert first.state() == {"account-registration": False, "dev-mode": False, "strict-mode": True}
    assert second.state() == {"account-registration": True, "dev-mode": False}
    assert "strict-mode" in first
    assert "strict-mode" not in second
    assert [f.name for f in first] == ["account-registration", "dev-mode", "strict-mode"]
    first.reset()
    assert first.state() == {"account-registration": True, "dev-mode": False, "strict-mode": False}


def test_a_declared_flag_registered_again_changes_nothing_and_a_clash_raises() -> None:
    feature = Feature("dev-mode", "waltid", "dev endpoints", False)
    registry = FeatureRegistry(declare(feature))
    registry.enable("dev-mode")

    registry.register(feature)
    registry.register(Feature("dev-mode", "waltid", "dev endpoints", False))
    with pytest.raises(ConfigurationError) as clash:
        registry.register(Feature("dev-mode", "b2core", "something else", True))

    assert registry.is_enabled("dev-mode")
    assert str(clash.value) == (
        "fakeauth: the feature flag 'dev-mode' is registered already (by waltid: "
        "'dev endpoints'); give the new flag another name"
    )


def test_declarations_are_immutable_and_refuse_two_flags_of_one_name() -> None:
    feature = Feature("dev-mode", "waltid", "dev endpoints", False)
    declared: Any = declare(feature, feature)

    with pytest.raises(TypeError):
        declared["admin"] = feature
    with pytest.raises(ConfigurationError) as clash:
        declare(feature, Feature("dev-mode", "b2core", "other", True))

    assert list(declared) == ["dev-mode"]
    assert str(clash.value) == (
        "fakeauth: the feature flag 'dev-mode' is registered already (by waltid: "
        "'dev endpoints'); give the new flag another name"
    )


# -- the facade: vendor states built on first use ---------------------------------------------

VENDORS = ("ovok", "b2core", "waltid")
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"


def built(fake: FakeAuth) -> set[str]:
    """The vendor states ``fake`` has built so far."""
    return {name for name in VENDORS if name in vars(fake)}


def test_a_fresh_fake_its_interceptions_and_its_reset_build_no_vendor_state() -> None:
    fake = FakeAuth()

    with fake.mock_requests():
        pass
    with fake.mock_httpx():
        pass
    fake.reset()
    other_host = fake.vendor_for_host("example.org")
    text = repr(fake)

    assert built(fake) == set()
    assert other_host is None
    assert text == "<FakeAuth ovok=0 accounts, 0 requests, 0 messages>"


def test_a_request_builds_only_the_vendor_it_reaches() -> None:
    fake = FakeAuth()

    with fake.mock_requests(), requests.Session() as session:
        response = session.get("https://api.dev.ovok.com/auth/me")
    with fake.mock_httpx(), httpx.Client() as client:
        client.get("https://enterprise-sandbox.waltid.dev/features/registered")

    assert response.status_code == 401
    assert built(fake) == {"ovok", "waltid"}


def test_feature_flags_work_on_a_fake_without_vendor_state() -> None:
    fake = FakeAuth(features={"account-registration": False})

    registration = fake.features.is_enabled("account-registration")
    fake.features.enable("dev-mode")
    with pytest.raises(ConfigurationError) as unknown:
        fake.features.disable("acount-registration")
    with pytest.raises(ConfigurationError) as at_start:
        FakeAuth(features={"nope": False})

    assert registration is False
    assert {f.name for f in fake.features} == {f.name for f in FEATURES}
    assert fake.features.state()["dev-mode"] is True
    known = ", ".join(repr(name) for name in sorted(f.name for f in FEATURES))
    assert str(unknown.value) == (
        f"fakeauth: no feature flag 'acount-registration'; the known flags are: {known}"
    )
    assert str(at_start.value) == f"fakeauth: no feature flag 'nope'; the known flags are: {known}"
    assert built(fake) == set()


def test_a_state_built_late_sees_the_flags_switched_before() -> None:
    fake = FakeAuth(features={"account-registration": False})
    fake.features.disable("dev-mode")

    state = fake.waltid

    assert state.features is fake.features
    assert not state.features.is_enabled("account-registration")
    assert not state.features.is_enabled("dev-mode")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ovok_access_token_ttl": 0}, "Ovok token lifetimes must be positive numbers of seconds"),
        (
            {"b2core_refresh_token_ttl": -1},
            "B2Core token lifetimes must be positive numbers of seconds",
        ),
        (
            {"b2core_hosts": ["https://broker.example", "HTTPS://BROKER.example/"]},
            "the B2Core broker 'https://broker.example' exists already",
        ),
        ({"waltid_token_ttl": True}, "waltid_token_ttl must be a positive number of seconds"),
        (
            {"ovok_access_token_ttl": 0, "waltid_token_ttl": 0},
            "Ovok token lifetimes must be positive numbers of seconds",
        ),
    ],
)
def test_bad_vendor_options_raise_at_construction(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        FakeAuth(**options)

    assert str(info.value) == f"fakeauth: {message}"


def test_unhashable_host_items_are_refused_each_time() -> None:
    expected = "fakeauth: ovok_hosts takes base URLs such as 'https://api.example.com', not ['x']"

    for _ in range(2):
        with pytest.raises(ConfigurationError) as info:
            FakeAuth(ovok_hosts=(["x"],))  # type: ignore[arg-type]
        assert str(info.value) == expected


@pytest.mark.parametrize(
    ("vendor", "state_class"),
    [("ovok", OvokState), ("b2core", B2CoreState), ("waltid", WaltidState)],
)
def test_threads_racing_to_the_first_access_get_one_state(
    monkeypatch: pytest.MonkeyPatch, vendor: str, state_class: type[Any]
) -> None:
    builds: list[object] = []

    class SlowToBuild(state_class):  # type: ignore[misc]
        def __init__(self, **options: Any) -> None:
            builds.append(self)
            time.sleep(0.02)  # long enough for every thread to arrive while it builds
            super().__init__(**options)

    monkeypatch.setattr(f"fakeauth.vendors.{vendor}_record.{state_class.__name__}", SlowToBuild)
    fake = FakeAuth()
    barrier = threading.Barrier(8)
    seen: list[object] = []

    def first_access() -> None:
        barrier.wait()
        seen.append(getattr(fake, vendor))

    _race(first_access, 8)

    assert len(builds) == 1
    assert len(seen) == 8
    assert all(state is builds[0] for state in seen)
    assert vars(fake)[vendor] is builds[0]


def _ovok_outputs(fake: FakeAuth) -> Any:
    account = fake.ovok.add_account("max@example.test", "pw")
    tokens = fake.ovok.authenticate(
        email="max@example.test",
        password="pw",
        tenant_id=account.tenant_id,
        client_id=account.tenant_id,
    )
    return account, tokens, fake.ovok.add_tenant(display="extra")


def _b2core_outputs(fake: FakeAuth) -> Any:
    fake.b2core.add_account("foo@bar.com", "Secret123")
    fake.b2core.add_account("two@bar.com", "Secret123", two_factor="google")
    broker = fake.b2core.broker()
    session = fake.b2core.start_signin(broker)
    form = {"email": "foo@bar.com", "password": "Secret123", "device_fingerprint": FINGERPRINT}
    tokens = fake.b2core.sign_in(broker, session.uuid, form)
    return tokens, fake.b2core.two_factor_code("two@bar.com"), fake.b2core.export_accounts()


def _waltid_outputs(fake: FakeAuth) -> Any:
    fake.waltid.add_organization("acme")
    account = fake.waltid.add_account("max@example.org", "s3cret")
    return account, fake.waltid.authenticate("max@example.org", "s3cret"), fake.waltid.superadmin()


SCENARIOS: dict[str, Callable[[FakeAuth], Any]] = {
    "ovok": _ovok_outputs,
    "b2core": _b2core_outputs,
    "waltid": _waltid_outputs,
}


def test_a_state_built_late_answers_as_one_built_at_once() -> None:
    at_once, late = FakeAuth(seed=11), FakeAuth(seed=11)
    at_once.clock.set(T0, frozen=True)
    states = [at_once.ovok, at_once.b2core, at_once.waltid]  # what the constructor once did
    at_once_outputs = {vendor: SCENARIOS[vendor](at_once) for vendor in VENDORS}

    late_outputs = {}
    for hours, vendor in enumerate(reversed(VENDORS), start=1):
        # built at another time, in another order, after another vendor's work
        late.clock.set(T0 + timedelta(hours=hours), frozen=True)
        late.features.disable("dev-mode")
        getattr(late, vendor)
        late.clock.set(T0, frozen=True)
        late_outputs[vendor] = SCENARIOS[vendor](late)

    assert len(states) == 3
    assert late_outputs == at_once_outputs
    assert late.jwks() == at_once.jwks()
    assert late.export_accounts() == at_once.export_accounts()


def test_reset_resets_the_built_states_and_leaves_the_others_unbuilt() -> None:
    fake = FakeAuth(features={"account-registration": False})
    fake.ovok.add_account("a@example.test", "pw")
    fake.features.enable("account-registration")
    fake.features.disable("admin")

    fake.reset()

    assert built(fake) == {"ovok"}
    assert fake.ovok.accounts == []
    assert not fake.features.is_enabled("account-registration")
    assert fake.features.is_enabled("admin")
    assert list(fake.b2core.brokers[0].accounts) == []
    assert fake.waltid.accounts == []


def test_a_broker_added_at_run_time_is_a_b2core_host() -> None:
    fake = FakeAuth()
    before = fake.vendor_for_host("broker.example")

    fake.b2core.add_broker("https://broker.example")

    assert before is None
    assert fake.vendor_for_host("BROKER.example") is fake.vendor_for_host("host.name")
    assert fake.vendor_for_host("broker.example:443") is not None
    assert fake.vendor_for_host("other.example") is None


def test_an_unseeded_fake_draws_one_seed_for_every_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    draws: list[bytes] = []

    def slow_urandom(n: int) -> bytes:
        time.sleep(0.02)  # every thread arrives while the first one draws
        draws.append(bytes([len(draws)]) * n)
        return draws[-1]

    monkeypatch.setattr(os, "urandom", slow_urandom)
    randomness = Randomness()
    barrier = threading.Barrier(8)
    values: list[bytes] = []

    def first_stream() -> None:
        barrier.wait()
        values.append(randomness.stream("x").bytes(8))

    _race(first_stream, 8)

    assert len(draws) == 1
    assert len(values) == 8
    assert set(values) == {randomness.stream("x").bytes(8)}
    assert not randomness.seeded


# -- JSON bodies ------------------------------------------------------------------------------


def test_dumps_writes_utf8_when_it_can() -> None:
    assert dumps({"name": "Müller"}) == '{"name":"Müller"}'.encode()


def test_dumps_escapes_a_document_with_a_lone_surrogate() -> None:
    body = dumps({"uuid": "\ud800x", "name": "Müller"})

    assert body == b'{"uuid":"\\ud800x","name":"M\\u00fcller"}'
    assert json.loads(body) == {"uuid": "\ud800x", "name": "Müller"}


def _race(target: Callable[[], None], threads: int) -> None:
    """Run ``target`` in ``threads`` threads at once, and wait for them all."""
    started = [threading.Thread(target=target) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()


def test_a_fakes_options_are_one_frozen_value_that_makes_a_fake_of_the_same_options() -> None:
    fake = FakeAuth(seed=3, ovok_hosts=["https://ovok.example.test"], waltid_token_ttl=60)

    copy = FakeAuth(**fake.options.arguments())

    assert copy.options == fake.options
    assert fake.options.hosts["ovok"] == ("https://ovok.example.test",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fake.options.seed = 4  # type: ignore[misc]
    with pytest.raises(TypeError, match="does not support item assignment"):
        fake.options.hosts["ovok"] = ()  # type: ignore[index]
    assert (fake.options.seed, fake.options.waltid_token_ttl) == (3, 60)
