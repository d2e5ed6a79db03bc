"""walt.id state without HTTP: accounts, the Super Admin, organizations, roles, sessions, tokens."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import jwt
import pytest

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.errors import (
    AccountExists,
    Forbidden,
    InvalidCredentials,
    NotFound,
    TokenExpired,
    TokenInvalid,
    TokenRevoked,
)
from fakeauth.state.waltid import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_TOKEN,
    FEATURES,
    AccountDataNotFound,
    DuplicateOrganization,
    InvalidRequest,
    RegistrationTokenInvalid,
    SuperadminExists,
    WaltidState,
)

EMAIL = "max.mustermann@example.org"
PASSWORD = "password123456"
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
WEEK = 7 * 24 * 3600


@pytest.fixture
def fake() -> FakeAuth:
    fake = FakeAuth(seed=7)
    fake.clock.set(START, frozen=True)
    return fake


@pytest.fixture
def state(fake: FakeAuth) -> WaltidState:
    return fake.waltid


def test_a_fresh_state_holds_only_the_quickstart_registration_token(state: WaltidState) -> None:
    assert state.accounts == []
    assert state.organizations == {}
    assert state.roles == {}
    assert state.sessions == {}
    assert state.signer._signing_key is None  # no key is made until the first token


def test_every_walt_id_feature_is_registered_and_on(fake: FakeAuth) -> None:
    names = {feature.name for feature in fake.features if feature.vendor == "waltid"}

    assert names == {f.name for f in FEATURES}
    assert "account-registration" in names
    assert all(fake.features.is_enabled(name) for name in names)


def test_add_account_seeds_a_global_account_without_roles(state: WaltidState) -> None:
    account = state.add_account(EMAIL, PASSWORD, name="Max Mustermann", address_country="AT")

    assert account._id == account.id
    assert account.type == "USER"
    assert account.profile == {"name": "Max Mustermann", "email": EMAIL, "addressCountry": "AT"}
    assert account.preferences == {"timeZone": "UTC", "languagePreference": "EN"}
    assert account.roles == {}
    assert account.flags == ()
    assert not account.is_admin
    assert state.get_account(EMAIL.upper()) is account
    assert "password123456" not in repr(account)


@pytest.mark.parametrize(
    ("email", "password", "name", "option"),
    [
        ("", PASSWORD, "Max", "email"),
        (EMAIL, "", "Max", "password"),
        (EMAIL, PASSWORD, "", "name"),
    ],
)
def test_add_account_refuses_empty_values(
    state: WaltidState, email: str, password: str, name: str, option: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        state.add_account(email, password, name=name)

    assert str(caught.value) == f"fakeauth: fake.waltid.add_account needs a non-empty {option}"


def test_add_account_refuses_a_taken_email_whatever_its_case(state: WaltidState) -> None:
    state.add_account(EMAIL, PASSWORD)

    with pytest.raises(ConfigurationError) as caught:
        state.add_account(EMAIL.upper(), PASSWORD)

    assert str(caught.value) == (
        f"fakeauth: a walt.id account with email {EMAIL.upper()!r} exists already; "
        "look it up with fake.waltid.get_account(email)"
    )


def test_get_account_names_the_missing_email(state: WaltidState) -> None:
    with pytest.raises(ConfigurationError) as caught:
        state.get_account(EMAIL)

    assert str(caught.value) == (
        f"fakeauth: no walt.id account {EMAIL!r}; seed one with fake.waltid.add_account(...)"
    )


def test_register_refuses_a_taken_profile_or_login_email(state: WaltidState) -> None:
    state.add_account(EMAIL, PASSWORD)
    profile = {"name": "Other", "email": "other@example.org"}

    with pytest.raises(AccountExists) as caught:
        state.register(profile, {}, login=(EMAIL.upper(), "x"))

    assert caught.value.message == f"An account with email {EMAIL} already exists."
    assert len(state.accounts) == 1


def test_authenticate_tells_unknown_email_from_wrong_password(state: WaltidState) -> None:
    state.add_account(EMAIL, PASSWORD)

    with pytest.raises(AccountDataNotFound) as unknown:
        state.authenticate("nobody@example.org", PASSWORD)
    with pytest.raises(InvalidCredentials) as wrong:
        state.authenticate(EMAIL, "wrong")

    assert unknown.value.message == "No stored data found for authentication method: email"
    assert wrong.value.message == "Invalid email or password."


def test_a_login_token_is_an_eddsa_jwt_of_sub_session_and_exp(state: WaltidState) -> None:
    account = state.add_account(EMAIL, PASSWORD)

    login = state.authenticate(EMAIL.upper(), PASSWORD)

    header = jwt.get_unverified_header(login.token)
    claims = jwt.decode(login.token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA"
    assert claims == {
        "sub": account.id,
        "session": login.session.id,
        "exp": int(START.timestamp()) + WEEK,
    }
    assert state.authorize(login.token) == (account, login.session)


def test_a_token_is_good_until_the_second_before_exp(fake: FakeAuth, state: WaltidState) -> None:
    state.add_account(EMAIL, PASSWORD)
    token = state.login(EMAIL, PASSWORD)
    fake.clock.shift(WEEK - 1)
    state.authorize(token)

    fake.clock.shift(1)

    with pytest.raises(TokenExpired) as caught:
        state.authorize(token)
    assert caught.value.expired_at == START.timestamp() + WEEK


def test_logout_revokes_the_session(state: WaltidState) -> None:
    state.add_account(EMAIL, PASSWORD)
    token = state.login(EMAIL, PASSWORD)

    state.logout(token)

    with pytest.raises(TokenRevoked):
        state.authorize(token)
    assert state.sessions == {}


def test_login_names_the_seeding_mistake(state: WaltidState) -> None:
    with pytest.raises(ConfigurationError) as caught:
        state.login(EMAIL, PASSWORD)

    assert str(caught.value) == (
        f"fakeauth: no walt.id account logs in with {EMAIL!r} and that password; "
        "seed one with fake.waltid.add_account(email=..., password=...)"
    )


@pytest.mark.parametrize("ttl", [0, -1, True, 1.5])
def test_the_token_lifetime_must_be_positive_seconds(ttl: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        FakeAuth(waltid_token_ttl=ttl)

    assert str(caught.value) == "fakeauth: waltid_token_ttl must be a positive number of seconds"


def test_a_custom_token_lifetime_sets_exp() -> None:
    fake = FakeAuth(waltid_token_ttl=60)
    fake.clock.set(START, frozen=True)

    token = fake.waltid.superadmin().token

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] == int(START.timestamp()) + 60


def test_superadmin_activates_once_and_logs_in_each_time(state: WaltidState) -> None:
    first = state.superadmin()

    second = state.superadmin()

    assert first.account is second.account
    assert first.account.superadmin
    assert first.account.email == DEFAULT_SUPERADMIN_EMAIL
    assert first.token != second.token
    assert state.authorize(second.token)[0] is first.account
    assert len(state.accounts) == 1


def test_a_second_activation_is_a_conflict(state: WaltidState) -> None:
    state.activate_superadmin(DEFAULT_SUPERADMIN_TOKEN)

    with pytest.raises(SuperadminExists) as caught:
        state.activate_superadmin(DEFAULT_SUPERADMIN_TOKEN)

    assert caught.value.message == "Super admin already exists"


@pytest.mark.parametrize(
    ("token", "shift", "message"),
    [
        ("wrong-token", 0, "Invalid superadmin registration token."),
        (
            DEFAULT_SUPERADMIN_TOKEN,
            4 * 365 * 86400,
            "The superadmin registration token has expired.",
        ),
    ],
)
def test_an_unknown_or_expired_registration_token_is_refused(
    fake: FakeAuth, state: WaltidState, token: str, shift: int, message: str
) -> None:
    fake.clock.shift(shift)

    with pytest.raises(RegistrationTokenInvalid) as caught:
        state.activate_superadmin(token)

    assert caught.value.message == message
    assert state.accounts == []


def test_an_added_registration_token_activates_its_own_superadmin(state: WaltidState) -> None:
    state.add_registration_token(
        "second", email="root@example.org", password="pw", expires=datetime(2027, 1, 1)
    )

    account = state.activate_superadmin("second")

    assert account.superadmin
    assert state.login("root@example.org", "pw")


def test_an_organization_comes_with_its_admin_role(state: WaltidState) -> None:
    organization = state.add_organization("acme")

    assert organization.name == "acme Organization"
    assert state.roles == {"acme.admin": "acme"}


@pytest.mark.parametrize(
    ("organization", "message"),
    [
        ("acme", "fakeauth: the walt.id organization 'acme' exists already"),
        (
            "a/b",
            "fakeauth: Invalid organization id 'a/b': use letters, digits, '-' and '_'.",
        ),
    ],
)
def test_add_organization_names_the_mistake(
    state: WaltidState, organization: str, message: str
) -> None:
    state.add_organization("acme")

    with pytest.raises(ConfigurationError) as caught:
        state.add_organization(organization)

    assert str(caught.value) == message


def test_create_organization_refuses_a_duplicate(state: WaltidState) -> None:
    state.create_organization("acme", "Acme")

    with pytest.raises(DuplicateOrganization) as caught:
        state.create_organization("acme", "Acme again")

    assert caught.value.organization == "acme"
    assert state.organizations["acme"].name == "Acme"


@pytest.mark.parametrize("role", ["viewer", "acme.viewer"])
def test_add_role_takes_a_short_or_a_full_role_id(state: WaltidState, role: str) -> None:
    state.add_organization("acme")

    role_id = state.add_role("acme", role)

    assert role_id == "acme.viewer"
    assert state.roles["acme.viewer"] == "acme"


def test_add_role_names_the_mistake(state: WaltidState) -> None:
    state.add_organization("acme")

    with pytest.raises(ConfigurationError) as unknown:
        state.add_role("other", "viewer")
    with pytest.raises(ConfigurationError) as duplicate:
        state.add_role("acme", "admin")

    assert str(unknown.value) == (
        "fakeauth: no walt.id organization 'other'; "
        "add it first with fake.waltid.add_organization('other')"
    )
    assert str(duplicate.value) == "fakeauth: the walt.id role 'acme.admin' exists already"


def test_grant_role_is_idempotent_and_makes_an_organization_admin(state: WaltidState) -> None:
    state.add_organization("acme")
    account = state.add_account(EMAIL, PASSWORD)

    first = state.grant_role(account.id, "acme", "acme.admin")
    second = state.grant_role(account.id, "acme", "acme.admin")

    account = state.account(account.id)  # records are immutable: read it again
    assert (first, second) == (True, False)
    assert account.roles == {"acme": ("acme.admin",)}
    assert account.is_admin
    assert account.is_admin_of("acme")
    assert not account.is_admin_of("other")


@pytest.mark.parametrize(
    ("account_id", "organization", "role", "error", "message"),
    [
        ("nobody", "acme", "acme.admin", NotFound, "Account not found: nobody"),
        (None, "other", "acme.admin", NotFound, "Organization not found: other"),
        (None, "acme", "acme.nope", NotFound, "Role not found: acme.nope"),
        (
            None,
            "beta",
            "acme.admin",
            InvalidRequest,
            "Role acme.admin does not belong to organization beta.",
        ),
    ],
)
def test_grant_role_refuses_unknown_or_mismatched_targets(
    state: WaltidState,
    account_id: str | None,
    organization: str,
    role: str,
    error: type[Exception],
    message: str,
) -> None:
    state.add_organization("acme")
    state.add_organization("beta")
    account = state.add_account(EMAIL, PASSWORD)

    with pytest.raises(error) as caught:
        state.grant_role(account_id or account.id, organization, role)

    assert str(caught.value) == message
    assert account.roles == {}


def test_role_checks(state: WaltidState) -> None:
    state.add_organization("acme")
    superadmin = state.superadmin().account
    admin = state.add_account("admin@example.org", PASSWORD)
    state.grant_role(admin.id, "acme", "acme.admin")
    admin = state.account(admin.id)  # records are immutable: read it again
    plain = state.add_account(EMAIL, PASSWORD)

    state.require_superadmin(superadmin)
    state.require_admin(superadmin, "anything")
    state.require_admin(admin)
    state.require_admin(admin, "acme")
    with pytest.raises(Forbidden) as caught:
        state.require_admin(plain)
    with pytest.raises(Forbidden):
        state.require_admin(admin, "beta")
    with pytest.raises(Forbidden):
        state.require_superadmin(admin)

    assert caught.value.message == f"Account {plain.id} is not allowed to perform this operation."


def test_reset_repeats_the_ids_of_a_fresh_state_and_keeps_the_flags(
    fake: FakeAuth, state: WaltidState
) -> None:
    first = state.add_account(EMAIL, PASSWORD).id
    state.add_organization("acme")
    fake.features.disable("account-registration")

    state.reset()

    assert state.accounts == []
    assert state.organizations == {}
    assert not fake.features.is_enabled("account-registration")
    assert state.add_account(EMAIL, PASSWORD).id == first


def test_recreate_database_forgets_everything_and_old_tokens(state: WaltidState) -> None:
    first = state.superadmin()
    state.add_organization("acme")

    state.recreate_database()

    assert state.accounts == []
    assert state.organizations == {}
    with pytest.raises(TokenInvalid):
        state.authorize(first.token)
    assert state.superadmin().account.id != first.account.id


def test_sixteen_threads_registering_one_email_make_one_account(state: WaltidState) -> None:
    results: list[str] = []

    def register() -> None:
        try:
            state.register({"name": "Max", "email": EMAIL}, {}, login=(EMAIL, PASSWORD))
            results.append("created")
        except AccountExists:
            results.append("exists")

    threads = [threading.Thread(target=register) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["created"] + ["exists"] * 15
    assert len(state.accounts) == 1


def test_eight_threads_of_fifty_distinct_emails_make_four_hundred_accounts(
    state: WaltidState,
) -> None:
    def register(worker: int) -> None:
        for n in range(50):
            email = f"user{worker}-{n}@example.org"
            state.register({"name": "Max", "email": email}, {}, login=(email, PASSWORD))

    threads = [threading.Thread(target=register, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(state.accounts) == 400
    assert len({a.id for a in state.accounts}) == 400


def test_a_token_whose_session_is_gone_is_refused(state: WaltidState) -> None:
    login = state.superadmin()
    del state.sessions[login.session.id]

    with pytest.raises(TokenInvalid) as caught:
        state.authorize(login.token)

    assert str(caught.value) == "the session of this token is gone"


def test_add_account_keeps_the_optional_profile_fields(state: WaltidState) -> None:
    account = state.add_account(EMAIL, PASSWORD, address="Vienna", time_zone="CET")

    assert account.profile == {"name": "Max Mustermann", "email": EMAIL, "address": "Vienna"}
    assert account.preferences == {"timeZone": "CET", "languagePreference": "EN"}


def test_a_registration_token_without_expiry_lasts_as_the_quickstart_one(
    state: WaltidState,
) -> None:
    state.add_registration_token("again", email="root@example.org", password="pw")

    assert state.activate_superadmin("again").superadmin


def test_export_accounts_lists_every_account_without_its_password(state: WaltidState) -> None:
    account = state.add_account(email=EMAIL, password=PASSWORD)
    state.add_organization("acme")
    state.grant_role(account.id, "acme", "acme.admin")

    exported = state.export_accounts()

    assert exported == [
        {
            "id": account.id,
            "email": EMAIL,
            "login_email": EMAIL,
            "profile": {"name": "Max Mustermann", "email": EMAIL},
            "preferences": {"timeZone": "UTC", "languagePreference": "EN"},
            "roles": {"acme": ["acme.admin"]},
            "superadmin": False,
            "type": "USER",
            "created_at": "2026-01-01T00:00:00+00:00",
        }
    ]
    assert PASSWORD not in repr(exported)


def test_a_restore_undoes_changes_in_every_store_of_the_state(state: WaltidState) -> None:
    # The accounts, organizations, sessions and registration tokens are stores the state owns;
    # a snapshot shares each one's containers, so each must be copied on its next write.
    state.add_organization("acme")
    account = state.add_account(EMAIL, PASSWORD)
    before = state.snapshot()
    state.login(EMAIL, PASSWORD)
    state.add_organization("globex")
    state.add_role("acme", "viewer")
    state.grant_role(account.id, "acme", "acme.admin")
    state.update_account(account.id, name="Erika")
    state.add_account("ann@example.org", PASSWORD)
    state.add_registration_token("another-token", email="root@example.org", password=PASSWORD)

    state.restore(before)

    assert sorted(state.organizations) == ["acme"]
    assert state.roles == {"acme.admin": "acme"}
    assert state.sessions == {}
    assert [a.email for a in state.accounts] == [EMAIL]
    assert state.get_account(EMAIL).roles == {}
    assert state.get_account(EMAIL).profile["name"] == "Max Mustermann"
    with pytest.raises(ConfigurationError):
        state.get_account("ann@example.org")
    finding = state.explain_credential("another-token")
    assert finding is not None
    assert finding.verdict == "unknown"
