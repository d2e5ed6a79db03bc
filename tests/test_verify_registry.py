"""``fakeauth verify`` takes its vendors from the registry and seeds an account through each
vendor record's seeding methods (issue 21, §1); its checks stay per real vendor."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from fakeauth import FakeAuth
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS as RECORDS
from fakeauth.verify import Credentials, Runner, Target, checks
from fakeauth.verify.targets import VENDORS

EMAIL = "given.registry@example.org"
PASSWORD = "registry-Pa55word-h6Yt"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"  # the documentation's, and a fake's own
OTHER_TENANT = "0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"
OTHER_CLIENT = "5d6e7f80-91a2-4b3c-8d4e-5f60718293a4"

Call = tuple[str, str, dict[str, Any]]


def recording(record: Vendor, calls: list[Call]) -> Vendor:
    """``record``, its seeding methods noting each call in ``calls`` before they add."""

    def seed_lists(state: Any) -> Mapping[str, Callable[..., Any]]:
        def noting(kind: str, add: Callable[..., Any]) -> Callable[..., Any]:
            def call(**item: Any) -> Any:
                calls.append((record.name, kind, item))
                return add(**item)

            return call

        return {kind: noting(kind, add) for kind, add in record.seed_lists(state).items()}

    return dataclasses.replace(record, seed_lists=seed_lists)


#: The check of each vendor that logs the account in.
LOGIN = {"ovok": "ovok.login", "b2core": "b2core.signin", "waltid": "waltid.login"}


def login_check(vendor: str) -> Any:
    return next(check for check in checks(vendor, setup=False) if check.id == LOGIN[vendor])


def test_the_vendors_are_the_registrys_that_have_checks() -> None:
    assert tuple(record.name for record in RECORDS) == VENDORS
    assert all(checks(vendor) for vendor in VENDORS)


def test_a_given_account_is_seeded_through_each_vendor_records_seeding_methods() -> None:
    calls: list[Call] = []
    fake = FakeAuth(vendors=[recording(record, calls) for record in RECORDS])
    given = {vendor: Credentials(f"{vendor}.{EMAIL}", PASSWORD) for vendor in VENDORS}
    runner = Runner(Target("an in-process fake", credentials=given, fake=fake))

    results = runner.run([login_check(vendor) for vendor in VENDORS])

    assert [result.check.id for result in results if not result.matched] == []
    assert calls == [
        # the documentation's tenant and client are the fake's own: left out
        ("ovok", "accounts", {"email": f"ovok.{EMAIL}", "password": PASSWORD, "tenant_id": TENANT}),
        ("b2core", "accounts", {"email": f"b2core.{EMAIL}", "password": PASSWORD}),
        ("waltid", "accounts", {"email": f"waltid.{EMAIL}", "password": PASSWORD}),
    ]


def test_an_ovok_tenant_the_fake_lacks_is_seeded_with_its_client_before_the_account() -> None:
    calls: list[Call] = []
    fake = FakeAuth(vendors=[recording(record, calls) for record in RECORDS])
    target = Target(
        "an in-process fake",
        credentials={"ovok": Credentials(EMAIL, PASSWORD)},
        fake=fake,
        extras={"ovok": {"tenant": OTHER_TENANT, "client": OTHER_CLIENT}},
    )
    runner = Runner(target)

    results = runner.run([login_check("ovok")])

    assert [result.matched for result in results] == [True]
    assert calls == [
        ("ovok", "tenants", {"id": OTHER_TENANT}),
        ("ovok", "clients", {"id": OTHER_CLIENT, "tenant_id": OTHER_TENANT}),
        ("ovok", "accounts", {"email": EMAIL, "password": PASSWORD, "tenant_id": OTHER_TENANT}),
    ]
