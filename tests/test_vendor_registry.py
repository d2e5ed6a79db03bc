"""Vendors are data (issue 21 §1): a test-only vendor, registered by handing its record to
``FakeAuth(vendors=...)`` with no change to any fakeauth module, is served, journaled, listed by
the control API and the dashboard, described in the OpenAPI documents and the fidelity registry,
and carried through export and import."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from werkzeug.test import Client

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.apis.base import Handled, Route, VendorApi
from fakeauth.apis.docs import JSON, STRING, OperationDoc, Reply, VendorDoc
from fakeauth.http import Request, Response
from fakeauth.vendor import AccountSummary, StateContext, Vendor
from fakeauth.vendors import VENDORS

TOY_HOST = "https://api.toy.test"
EMAIL = "ann@example.test"
CONTROL = {"X-Fakeauth-Control": "1"}


class ToyState:
    """The smallest vendor state: accounts by id, nothing else."""

    def __init__(self, context: StateContext) -> None:
        self.context = context
        self.accounts: dict[str, dict[str, Any]] = {}

    def add_account(self, *, email: str, password: str = "") -> dict[str, Any]:
        account = {"id": f"toy-{len(self.accounts) + 1}", "email": email}
        self.accounts[account["id"]] = account
        return account

    def reset(self) -> None:
        self.accounts.clear()

    def export_accounts(self) -> list[dict[str, Any]]:
        return [dict(account) for account in self.accounts.values()]

    def remove_account(self, account_id: str) -> bool:
        return self.accounts.pop(account_id, None) is not None

    def to_document(self) -> dict[str, Any]:
        return {"accounts": self.export_accounts()}

    def load_document(self, document: Mapping[str, Any]) -> None:
        self.accounts = {account["id"]: dict(account) for account in document["accounts"]}

    def snapshot(self) -> object:
        return copy.deepcopy(self.accounts)

    def restore(self, snapshot: object) -> None:
        assert isinstance(snapshot, dict)
        self.accounts = copy.deepcopy(snapshot)


def hello(state: ToyState, request: Request) -> Handled:
    return Handled(Response.json(200, f"hello, {len(state.accounts)} accounts"))


def toy_error(status: int, message: str) -> Response:
    return Response.json(status, {"toy_error": message})


def toy_seed_lists(state: ToyState) -> Mapping[str, Callable[..., Any]]:
    return {"accounts": state.add_account}


TOY = Vendor(
    name="toy",
    api=VendorApi(
        name="toy",
        routes=(
            Route(
                "toy.hello",
                "GET",
                "/greet/hello",
                hello,
                OperationDoc("Say hello", {200: Reply("A greeting", {JSON: STRING})}),
            ),
        ),
        path_prefixes=("/greet/",),
        error=toy_error,
        doc=VendorDoc("Toy auth", "A vendor that exists only in this test.", {JSON: STRING}),
    ),
    default_hosts=(TOY_HOST,),
    build_state=ToyState,
    seed_lists=toy_seed_lists,
    summary=lambda account: AccountSummary(name=account["email"], scope="toyland"),
)


def toy_fake() -> FakeAuth:
    return FakeAuth(vendors=(*VENDORS, TOY))


def test_a_registered_vendor_is_served_on_its_hosts_its_base_url_and_the_root() -> None:
    fake = toy_fake()
    client = Client(fake.wsgi_app)

    on_host = client.get("/greet/hello", headers={"Host": "api.toy.test"})
    under_base = client.get("/toy/greet/hello", headers={"Host": "127.0.0.1:8080"})
    at_root = client.get("/greet/hello", headers={"Host": "127.0.0.1:8080"})
    wrong_method = client.post("/greet/hello", headers={"Host": "api.toy.test"})
    unserved = client.get("/greet/other", headers={"Host": "api.toy.test"})

    assert [on_host.get_json(), under_base.get_json(), at_root.get_json()] == [
        "hello, 0 accounts"
    ] * 3
    assert (wrong_method.status_code, wrong_method.headers["Allow"]) == (405, "GET, HEAD, OPTIONS")
    assert unserved.status_code == 501
    assert unserved.get_json() == {
        "toy_error": "fakeauth does not implement GET /greet/other (toy); the page "
        '"Toy auth routes" of fakeauth\'s documentation lists what it serves'
    }
    assert len(fake.calls("toy.hello")) == 3
    assert fake.hosts["toy"] == (TOY_HOST,)
    assert fake.vendor_for_host("api.toy.test") is TOY.api


def test_a_registered_vendor_is_seeded_and_listed_by_the_control_api() -> None:
    fake = toy_fake()
    client = Client(fake.wsgi_app)

    seeded = client.post(
        "/_fakeauth/seed", json={"toy": {"accounts": [{"email": EMAIL}]}}, headers=CONTROL
    )
    every = client.get("/_fakeauth/accounts").get_json()
    rows = client.get("/_fakeauth/accounts/toy").get_json()
    vendors = client.get("/_fakeauth/vendors").get_json()
    edited = client.patch("/_fakeauth/accounts/toy/toy-1", json={"email": EMAIL}, headers=CONTROL)
    deleted = client.post("/_fakeauth/accounts/toy/delete", json={"id": "toy-1"}, headers=CONTROL)

    assert seeded.get_json() == {"added": {"toy.accounts": 1}}
    assert every["toy"] == [{"id": "toy-1", "email": EMAIL}]
    assert list(every) == ["ovok", "b2core", "waltid", "toy"]
    assert rows == [
        {
            "vendor": "toy",
            "id": "toy-1",
            "email": EMAIL,
            "name": EMAIL,
            "scope": "toyland",
            "roles": [],
            "two_factor": None,
            "live_sessions": 0,
            "edit": {},
            "details": {"id": "toy-1", "email": EMAIL},
        }
    ]
    assert vendors[-1] == {"name": "toy", "label": "toy", "create": [], "edit": []}
    assert (edited.status_code, edited.get_json()) == (
        400,
        {
            "error": "fakeauth: no field of a toy account can be changed; delete it and add it "
            "again with POST /_fakeauth/accounts/toy"
        },
    )
    assert deleted.get_json() == {"deleted": "toy-1"}
    assert fake.export_accounts()["toy"] == []


def test_a_registered_vendor_is_described_in_the_openapi_documents() -> None:
    fake = toy_fake()
    client = Client(fake.wsgi_app)

    combined = client.get("/_fakeauth/openapi.json").get_json()
    own = client.get("/_fakeauth/openapi/toy.json").get_json()

    operation = combined["paths"]["/greet/hello"]["get"]
    assert operation["operationId"] == "toy.hello"
    assert operation["tags"] == ["toy"]
    assert [tag["name"] for tag in combined["tags"]] == ["ovok", "b2core", "waltid", "toy"]
    assert list(own["paths"]) == ["/greet/hello"]
    assert own["servers"] == [{"url": "/toy", "description": "Toy auth on the live server"}]
    assert fake.openapi("toy") == own
    assert fake.fidelity("toy") == []


def test_a_registered_vendor_is_reset_and_named_in_the_fakes_repr() -> None:
    fake = toy_fake()
    state = fake.vendor_state("toy")
    assert isinstance(state, ToyState)
    state.add_account(email=EMAIL)

    before = repr(fake)
    fake.reset()

    assert before == "<FakeAuth ovok=0, toy=1 accounts, 0 requests, 0 messages>"
    assert fake.export_accounts()["toy"] == []


def test_a_registered_vendor_is_carried_through_export_and_import() -> None:
    fake = toy_fake()
    fake.vendor_state("toy").load_document({"accounts": [{"id": "toy-7", "email": EMAIL}]})

    document = fake.export_state()
    again = FakeAuth.from_state(document, vendors=(*VENDORS, TOY))
    imported = toy_fake()
    imported.import_state(document)

    assert document["lanes"]["default"]["toy"] == {"accounts": [{"id": "toy-7", "email": EMAIL}]}
    assert again.export_accounts()["toy"] == [{"id": "toy-7", "email": EMAIL}]
    assert imported.export_accounts()["toy"] == [{"id": "toy-7", "email": EMAIL}]


def test_a_document_of_a_vendor_the_fake_does_not_serve_is_refused_with_a_sentence() -> None:
    document = toy_fake().export_state()

    with pytest.raises(ConfigurationError) as refused:
        FakeAuth.from_state(document)

    assert str(refused.value) == (
        "fakeauth: the state document's lane 'default' holds the part of a vendor this fake does "
        "not serve, 'toy' (it serves ovok, b2core, waltid); load it into a fake of that vendor's "
        "record: FakeAuth.from_state(document, vendors=(*VENDORS, record))"
    )


def test_a_fake_refuses_two_vendors_of_one_name_and_a_name_it_uses_itself() -> None:
    clock = Vendor(
        name="clock",
        api=VendorApi("clock", (), (), toy_error, TOY.api.doc),
        default_hosts=("https://clock.test",),
        build_state=ToyState,
        seed_lists=toy_seed_lists,
    )

    with pytest.raises(ConfigurationError) as twice:
        FakeAuth(vendors=(*VENDORS, TOY, TOY))
    with pytest.raises(ConfigurationError) as taken:
        FakeAuth(vendors=(*VENDORS, clock))
    with pytest.raises(ConfigurationError) as unknown:
        toy_fake().vendor_state("aws")

    assert str(twice.value) == "fakeauth: two vendors are named 'toy'; give each once"
    assert str(taken.value) == (
        "fakeauth: a vendor cannot be named 'clock': FakeAuth has an attribute of that name; "
        "name it otherwise"
    )
    assert str(unknown.value) == (
        "fakeauth: this fake serves no vendor 'aws'; it serves ovok, b2core, waltid, toy"
    )
