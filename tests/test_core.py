"""The core contracts, without HTTP: clock, randomness, flags, passwords, tokens, journal."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import jwt
import pytest
import time_machine
from freezegun import freeze_time

from fakeauth import Clock, ConfigurationError, FakeAuth, redacted
from fakeauth.errors import TokenExpired, TokenInvalid, TokenRevoked
from fakeauth.features import Feature, FeatureRegistry
from fakeauth.http import dumps
from fakeauth.outbox import Message, Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness
from fakeauth.redaction import MAX_DEPTH, TOO_DEEP, redact
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


# -- JSON bodies ------------------------------------------------------------------------------


def test_dumps_writes_utf8_when_it_can() -> None:
    assert dumps({"name": "Müller"}) == '{"name":"Müller"}'.encode()


def test_dumps_escapes_a_document_with_a_lone_surrogate() -> None:
    body = dumps({"uuid": "\ud800x", "name": "Müller"})

    assert body == b'{"uuid":"\\ud800x","name":"M\\u00fcller"}'
    assert json.loads(body) == {"uuid": "\ud800x", "name": "Müller"}
