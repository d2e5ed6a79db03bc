"""Editing an existing account (issue 24 §3): each state's ``update_account``, checked by the
seeding rules, and the control routes the dashboard's edit form uses (``GET /_fakeauth/vendors``,
``PATCH /_fakeauth/accounts/<vendor>/<id>``). The page itself: ``tests/browser``."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.errors import ConfigurationError
from fakeauth.seeding import UNCHANGED
from fakeauth.vendors import VENDORS

TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
PASSWORD = "first-pass-123"
NEW_PASSWORD = "second-pass-456"
EMAIL = "ann@example.test"
OVOK = "https://api.dev.ovok.com"
B2CORE = "https://host.name"
WALTID = "https://enterprise-sandbox.waltid.dev"
#: One character more than an Ovok name or surname may hold (its API takes 1 to 128).
OVOK_NAME_TOO_LONG = "n" * 129
#: One character more than a B2Core given or family name may hold.
B2CORE_NAME_TOO_LONG = "n" * 4097


def ovok_login(client: Client, password: str) -> int:
    body = {"email": EMAIL, "password": password, "tenantId": TENANT, "clientId": TENANT}
    return client.post("/auth/b2b/login", json=body, base_url=OVOK).status_code


def b2core_login(client: Client, password: str) -> bool:
    """Whether a B2Core sign-in with ``password`` finishes (tokens issued)."""
    uuid = client.get("/api/v2/my/signin/wizard", base_url=B2CORE).get_json()["uuid"]
    form = {"uuid": uuid, "email": EMAIL, "password": password, "device_fingerprint": "x"}
    answer = client.post("/api/v2/my/signin", json=form, base_url=B2CORE).get_json()
    return bool(answer["done"])


def waltid_login(client: Client, password: str) -> int:
    body = {"type": "email", "email": EMAIL, "password": password}
    return client.post("/auth/account/emailpass", json=body, base_url=WALTID).status_code


# -- the states --------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_each_vendor_declares_exactly_the_fields_its_state_changes(vendor: Any) -> None:
    fake = FakeAuth()
    edits = vendor.edits(fake.vendor_state(vendor.name))

    parameters = inspect.signature(edits.update).parameters.values()

    assert [field.name for field in edits.fields] == [
        p.name for p in parameters if p.kind is p.KEYWORD_ONLY
    ]
    assert all(p.default is UNCHANGED for p in parameters if p.kind is p.KEYWORD_ONLY)


def test_an_ovok_edit_changes_the_given_fields_and_keeps_the_others() -> None:
    fake = FakeAuth()
    ann = fake.ovok.add_account(email=EMAIL, password=PASSWORD, name="Ann", surname="Lee")

    changed = fake.ovok.update_account(ann.id, surname="Smith", email_verified=False)

    assert (changed.name, changed.surname, changed.email_verified) == ("Ann", "Smith", False)
    assert fake.ovok.get_account(EMAIL) is changed
    assert fake.ovok.accounts == [changed]
    assert changed.password.matches(PASSWORD)


def test_a_b2core_edit_changes_the_2fa_kind_and_phone() -> None:
    fake = FakeAuth()
    account = fake.b2core.add_account(email=EMAIL, password=PASSWORD, two_factor="google")

    fake.b2core.update_account(account.id, two_factor="sms", phone="+15550100")
    cleared = fake.b2core.update_account(account.id, two_factor=None)

    assert (cleared.two_factor, cleared.phone) == (None, "+15550100")
    assert fake.b2core.get_account(EMAIL) is cleared


def test_a_b2core_edit_changes_the_names_the_seeding_method_takes() -> None:
    fake = FakeAuth()
    account = fake.b2core.add_account(email=EMAIL, password=PASSWORD)

    changed = fake.b2core.update_account(account.id, given_name="Ann")
    both = fake.b2core.update_account(account.id, family_name="Lee")

    assert (changed.given_name, changed.family_name) == ("Ann", "Brown")
    assert (both.given_name, both.family_name) == ("Ann", "Lee")
    assert fake.b2core.get_account(EMAIL) is both
    assert both.password.matches(PASSWORD)


def test_a_waltid_edit_sets_the_name_and_the_roles_by_organization() -> None:
    fake = FakeAuth()
    fake.waltid.add_organization("acme")
    fake.waltid.add_organization("beta")
    viewer = fake.waltid.add_role("beta", "viewer")
    account = fake.waltid.add_account(email=EMAIL, password=PASSWORD)

    changed = fake.waltid.update_account(account.id, name="Ann", roles=["acme.admin", viewer])
    fewer = fake.waltid.update_account(account.id, roles=[viewer])

    assert changed.profile["name"] == "Ann"
    assert dict(changed.roles) == {"acme": ("acme.admin",), "beta": ("beta.viewer",)}
    assert dict(fewer.roles) == {"beta": ("beta.viewer",)}
    assert fewer.is_admin_of("acme") is False
    assert fake.waltid.get_account(EMAIL) is fewer


def test_a_new_password_logs_in_and_the_old_one_no_longer_does() -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)
    ovok = fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    b2core = fake.b2core.add_account(email=EMAIL, password=PASSWORD)
    waltid = fake.waltid.add_account(email=EMAIL, password=PASSWORD)

    fake.ovok.update_account(ovok.id, password=NEW_PASSWORD)
    fake.b2core.update_account(b2core.id, password=NEW_PASSWORD)
    fake.waltid.update_account(waltid.id, password=NEW_PASSWORD)

    assert [ovok_login(client, NEW_PASSWORD), ovok_login(client, PASSWORD)] == [200, 401]
    assert [b2core_login(client, NEW_PASSWORD), b2core_login(client, PASSWORD)] == [True, False]
    assert [waltid_login(client, NEW_PASSWORD), waltid_login(client, PASSWORD)] == [200, 401]


@pytest.mark.parametrize("vendor", ["ovok", "b2core", "waltid"])
def test_a_snapshot_taken_before_an_edit_restores_the_account_as_it_was(vendor: str) -> None:
    fake = FakeAuth()
    state: Any = getattr(fake, vendor)
    account = state.add_account(email=EMAIL, password=PASSWORD)
    before = fake.snapshot()

    state.update_account(account.id, password=NEW_PASSWORD)
    fake.restore(before)

    assert state.get_account(EMAIL).password.matches(PASSWORD)
    assert [a for a in state.accounts if a.email == EMAIL] == [state.get_account(EMAIL)]


@pytest.mark.parametrize(
    ("vendor", "changes", "error"),
    [
        (
            "ovok",
            {"name": 5},
            "fakeauth: fake.ovok.update_account: name must be a string, not int 5",
        ),
        (
            "ovok",
            {"email_verified": "yes"},
            "fakeauth: fake.ovok.update_account: email_verified must be true or false, not "
            "str 'yes'",
        ),
        (
            "ovok",
            {"password": 5},
            "fakeauth: fake.ovok.update_account: password must be a string, not int",
        ),
        (
            "ovok",
            {"name": OVOK_NAME_TOO_LONG},
            "fakeauth: an Ovok name is at most 128 characters, not 129",
        ),
        (
            "ovok",
            {"surname": OVOK_NAME_TOO_LONG},
            "fakeauth: an Ovok surname is at most 128 characters, not 129",
        ),
        (
            "b2core",
            {"two_factor": "email"},
            "fakeauth: two_factor is 'google', 'sms' or None, not 'email'",
        ),
        (
            "b2core",
            {"phone": 5},
            "fakeauth: fake.b2core.update_account: phone must be a string or None, not int 5",
        ),
        ("b2core", {"password": ""}, "fakeauth: a B2Core account needs a non-empty password"),
        (
            "b2core",
            {"given_name": B2CORE_NAME_TOO_LONG},
            "fakeauth: a B2Core given_name is at most 4,096 characters, not 4,097",
        ),
        (
            "b2core",
            {"family_name": 5},
            "fakeauth: fake.b2core.update_account: family_name must be a string, not int 5",
        ),
        ("waltid", {"name": ""}, "fakeauth: fake.waltid.update_account needs a non-empty name"),
        (
            "waltid",
            {"password": ""},
            "fakeauth: fake.waltid.update_account needs a non-empty password",
        ),
        (
            "waltid",
            {"roles": "acme.admin"},
            "fakeauth: fake.waltid.update_account: roles must be a list of role ids such as "
            "['acme.admin'], not str",
        ),
        (
            "waltid",
            {"roles": ["acme.owner"]},
            "fakeauth: fake.waltid.update_account: no walt.id role 'acme.owner'; add it with "
            "fake.waltid.add_role(ORGANIZATION, NAME); the roles are: acme.admin",
        ),
    ],
)
def test_a_bad_edit_is_refused_with_the_seeding_rules_sentence_and_changes_nothing(
    vendor: str, changes: dict[str, Any], error: str
) -> None:
    fake = FakeAuth()
    fake.waltid.add_organization("acme")
    state: Any = getattr(fake, vendor)
    account = state.add_account(email=EMAIL, password=PASSWORD)
    before = state.export_accounts()

    with pytest.raises(ConfigurationError) as raised:
        state.update_account(account.id, **changes)

    assert str(raised.value) == error
    assert state.export_accounts() == before
    assert state.get_account(EMAIL).password.matches(PASSWORD)


@pytest.mark.parametrize(
    ("vendor", "error"),
    [
        ("ovok", "fakeauth: no Ovok account with id 'nope'; fake.ovok.accounts lists them"),
        ("b2core", "fakeauth: no B2Core account with id 'nope'; fake.b2core.accounts lists them"),
        ("waltid", "fakeauth: no walt.id account with id 'nope'; fake.waltid.accounts lists them"),
    ],
)
def test_editing_an_unknown_account_says_where_the_accounts_are(vendor: str, error: str) -> None:
    state: Any = getattr(FakeAuth(), vendor)

    with pytest.raises(ConfigurationError) as raised:
        state.update_account("nope", password=NEW_PASSWORD)

    assert str(raised.value) == error


def test_a_waltid_account_without_an_email_login_gets_no_password() -> None:
    fake = FakeAuth()
    account = fake.waltid.register({"name": "Ann", "email": EMAIL}, {})

    with pytest.raises(ConfigurationError) as raised:
        fake.waltid.update_account(account.id, password=NEW_PASSWORD)

    assert str(raised.value) == (
        f"fakeauth: the walt.id account {EMAIL!r} has no email login to set a password of"
    )


# -- the control routes ------------------------------------------------------------------------


def test_the_vendors_route_serves_each_vendors_form_fields() -> None:
    fake = FakeAuth()
    fake.waltid.add_organization("acme")

    listed = Client(fake.wsgi_app).get("/_fakeauth/vendors").get_json()

    assert [(v["name"], v["label"]) for v in listed] == [
        ("ovok", "Ovok"),
        ("b2core", "B2Core"),
        ("waltid", "walt.id"),
    ]
    assert [(f["name"], f["kind"]) for f in listed[0]["edit"]] == [
        ("name", "text"),
        ("surname", "text"),
        ("password", "password"),
        ("email_verified", "checkbox"),
    ]
    assert [f["name"] for f in listed[1]["edit"]] == [
        "given_name",
        "family_name",
        "password",
        "two_factor",
        "phone",
    ]
    assert listed[1]["edit"][3] == {
        "name": "two_factor",
        "label": "2FA",
        "kind": "choice",
        "choices": ["", "google", "sms"],
        "default": None,
    }
    assert listed[2]["edit"][2]["choices"] == ["acme.admin"]
    assert [f["name"] for f in listed[1]["create"]] == [
        "given_name",
        "family_name",
        "phone",
        "two_factor",
        "broker",
    ]


def test_a_patch_changes_the_account_and_answers_its_row_with_the_edit_values() -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)
    fake.waltid.add_organization("acme")
    account = fake.waltid.add_account(email=EMAIL, password=PASSWORD)

    response = client.patch(
        f"/_fakeauth/accounts/waltid/{account.id}",
        json={"name": "Ann", "roles": ["acme.admin"], "password": NEW_PASSWORD},
    )

    assert response.status_code == 200
    row = response.get_json()["account"]
    assert (row["name"], row["roles"]) == ("Ann", ["acme: acme.admin"])
    assert row["edit"] == {"name": "Ann", "roles": ["acme.admin"]}
    assert waltid_login(client, NEW_PASSWORD) == 200


def test_the_rows_carry_the_current_values_of_the_edit_fields() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(email=EMAIL, password=PASSWORD, two_factor="sms", phone="+1")

    rows = Client(fake.wsgi_app).get("/_fakeauth/accounts/b2core").get_json()

    assert [row["edit"] for row in rows] == [
        {"given_name": "John", "family_name": "Brown", "two_factor": "sms", "phone": "+1"}
    ]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (
            {},
            400,
            'fakeauth: the body is an object of the fields to change, as in {"given_name": '
            '"new value"}; the fields of b2core accounts are: given_name, family_name, password, '
            "two_factor, phone",
        ),
        (
            ["sms"],
            400,
            'fakeauth: the body is an object of the fields to change, as in {"given_name": '
            '"new value"}; the fields of b2core accounts are: given_name, family_name, password, '
            "two_factor, phone",
        ),
        (
            {"two_factor": "sms", "email": "x@example.test"},
            400,
            "fakeauth: unknown field(s) 'email'; the fields of b2core accounts are: given_name, "
            "family_name, password, two_factor, phone",
        ),
        (
            {"two_factor": "push"},
            400,
            "fakeauth: two_factor is 'google', 'sms' or None, not 'push'",
        ),
        (
            {"phone": True},
            400,
            "fakeauth: fake.b2core.update_account: phone must be a string or None, not bool True",
        ),
    ],
)
def test_a_bad_patch_is_refused_in_the_control_apis_shape(
    body: Any, status: int, error: str
) -> None:
    fake = FakeAuth()
    account = fake.b2core.add_account(email=EMAIL, password=PASSWORD, two_factor="google")
    password = fake.b2core.get_account(EMAIL).password

    response = Client(fake.wsgi_app).patch(f"/_fakeauth/accounts/b2core/{account.id}", json=body)

    assert response.status_code == status
    assert response.get_json() == {"error": error}
    assert fake.b2core.get_account(EMAIL).two_factor == "google"
    assert fake.b2core.get_account(EMAIL).password is password


def test_a_patch_of_an_over_long_ovok_name_is_refused_as_seeding_refuses_it() -> None:
    fake = FakeAuth()
    account = fake.ovok.add_account(email=EMAIL, password=PASSWORD, name="Ann")
    error = "fakeauth: an Ovok name is at most 128 characters, not 129"
    with pytest.raises(ConfigurationError) as seeded:
        fake.ovok.add_account(email="bob@example.test", password=PASSWORD, name=OVOK_NAME_TOO_LONG)

    response = Client(fake.wsgi_app).patch(
        f"/_fakeauth/accounts/ovok/{account.id}", json={"name": OVOK_NAME_TOO_LONG}
    )

    assert str(seeded.value) == error
    assert response.status_code == 400
    assert response.get_json() == {"error": error}
    assert fake.ovok.get_account(EMAIL).name == "Ann"


def test_a_patch_of_an_unknown_account_answers_404() -> None:
    client = Client(FakeAuth().wsgi_app)

    response = client.patch("/_fakeauth/accounts/ovok/nope", json={"name": "Ann"})

    assert response.status_code == 404
    assert response.get_json() == {
        "error": "fakeauth: no ovok account with id 'nope'; GET /_fakeauth/accounts/ovok lists them"
    }


def test_a_cross_origin_patch_without_the_control_header_is_refused() -> None:
    fake = FakeAuth()
    account = fake.ovok.add_account(email=EMAIL, password=PASSWORD, name="Ann")

    response = Client(fake.wsgi_app).patch(
        f"/_fakeauth/accounts/ovok/{account.id}",
        json={"name": "Mallory"},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert fake.ovok.get_account(EMAIL).name == "Ann"
