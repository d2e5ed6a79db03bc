"""A vendor's code (its API, models, examples and state) is loaded on that vendor's first use
(issue 25, target 2): a fresh interpreter that makes a ``FakeAuth()`` loads none of it, and the
first request to a vendor's host, or the first read of ``fake.<vendor>``, loads that vendor alone
and works. Each case runs in a fresh child interpreter, where nothing this test process imported
earlier hides a module."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
from typing import Any

import pytest

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.apis.base import VendorApi
from fakeauth.vendor import DeferredVendor, StateContext, Vendor, checked_record
from fakeauth.vendors import VENDORS, checked_vendors

#: One module of each vendor's API and of its state: loaded together, on the vendor's first use.
CODE = {
    vendor: (f"fakeauth.apis.{vendor}", f"fakeauth.state.{vendor}")
    for vendor in ("ovok", "b2core", "waltid")
}
THREADS = 8

#: Prints, as JSON, which vendors' code was loaded after ``FakeAuth()`` and after the act
#: (``ACT``), and what the act answered.
CHILD = """
import json, sys
from werkzeug.test import Client
from fakeauth import FakeAuth

CODE = {code!r}

def loaded():
    return sorted(v for v, modules in CODE.items() if any(m in sys.modules for m in modules))

fake = FakeAuth()
client = Client(fake.wsgi_app)
before = loaded()
{act}
print(json.dumps({{"before": before, "after": loaded(), "answer": answer}}))
"""

B2CORE_REQUEST = """
reply = client.get("/api/v2/my/signin/wizard", base_url="https://host.name")
answer = [reply.status_code, reply.get_json()["workflow"]]
"""
WALTID_REQUEST = """
reply = client.post(
    "/v1/superadmin/create-by-token",
    base_url="https://enterprise.sandbox.walt.id",
    json={"token": "1234567890-my-token"},
)
answer = [reply.status_code, reply.get_json()["profile"]["email"]]
"""
B2CORE_UNDER_BASE_URL = """
reply = client.get("/b2core/api/v2/my/signin/wizard", headers={"Host": "127.0.0.1:8080"})
answer = [reply.status_code, reply.get_json()["workflow"]]
"""
B2CORE_FIRST_READ = """
account = fake.b2core.add_account("foo@bar.com", "Secret123")
answer = [account.email, len(fake.b2core.export_accounts())]
"""
B2CORE_THREADS = f"""
import threading
barrier = threading.Barrier({THREADS})
seen = []

def first_read():
    barrier.wait()
    seen.append(fake.b2core)

threads = [threading.Thread(target=first_read) for _ in range({THREADS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
answer = [len(seen), len({{id(state) for state in seen}}), seen[0] is vars(fake)["b2core"]]
"""


def run_child(act: str) -> dict[str, Any]:
    code = CHILD.format(code=CODE, act=act)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    found: dict[str, Any] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize(
    ("act", "vendor", "answer"),
    [
        (B2CORE_REQUEST, "b2core", [200, "login"]),
        (B2CORE_UNDER_BASE_URL, "b2core", [200, "login"]),
        (WALTID_REQUEST, "waltid", [200, "superadmin@walt.id"]),
        (B2CORE_FIRST_READ, "b2core", ["foo@bar.com", 1]),
    ],
    ids=["b2core-host", "b2core-base-url", "waltid-host", "fake.b2core"],
)
def test_a_vendors_first_use_loads_that_vendor_alone_and_works(
    act: str, vendor: str, answer: list[Any]
) -> None:
    found = run_child(act)

    assert found["before"] == []
    assert found["after"] == [vendor]
    assert found["answer"] == answer


def test_threads_first_reads_of_fake_b2core_get_one_state() -> None:
    found = run_child(B2CORE_THREADS)

    assert found["before"] == []
    assert found["after"] == ["b2core"]
    assert found["answer"] == [THREADS, 1, True]


# -- DeferredVendor, in this process ----------------------------------------------------------

OVOK = VENDORS[0]
TOY_HOSTS = ("https://toy.test",)


class ToyState:
    """A state that only keeps what it was built from."""

    def __init__(self, context: StateContext) -> None:
        self.context = context


def toy_api(routes: tuple[Any, ...] = ()) -> VendorApi:
    return VendorApi("toy", routes, (), OVOK.api.error, OVOK.api.doc)


def full_record(name: str, api: VendorApi, build: Any = ToyState) -> Vendor:
    return Vendor(
        name=name,
        api=api,
        default_hosts=("https://full.test",),
        build_state=build,
        seed_lists=OVOK.seed_lists,
    )


def test_checking_a_deferred_record_does_not_load_it() -> None:
    calls: list[str] = []

    def load() -> Vendor:
        calls.append("load")
        return full_record("toy", toy_api())

    record = DeferredVendor(name="toy", default_hosts=TOY_HOSTS, load=load)

    checked = checked_vendors((*VENDORS, record))
    FakeAuth(vendors=checked)

    assert checked[-1] is record
    assert calls == []


def test_a_deferred_record_reads_the_loaded_fields_and_keeps_its_own_light_ones() -> None:
    full = full_record("toy", toy_api())
    record = DeferredVendor(name="toy", default_hosts=TOY_HOSTS, label="Toy", load=lambda: full)

    fake = FakeAuth(vendors=(record,))

    assert record.api is full.api
    assert record.build_state is full.build_state
    assert (record.default_hosts, record.label) == (TOY_HOSTS, "Toy")
    assert fake.hosts == {"toy": TOY_HOSTS}
    assert repr(record) == "DeferredVendor(name='toy', default_hosts=('https://toy.test',))"


def test_a_deferred_record_refuses_a_loaded_record_of_another_name_or_a_faulty_api() -> None:
    other_name = DeferredVendor(
        name="toy", default_hosts=TOY_HOSTS, load=lambda: full_record("ovok", OVOK.api)
    )
    other_api = DeferredVendor(
        name="toy", default_hosts=TOY_HOSTS, load=lambda: full_record("toy", OVOK.api)
    )

    with pytest.raises(ConfigurationError) as wrong_name:
        other_name.loaded()
    with pytest.raises(ConfigurationError) as wrong_api:
        _ = other_api.api

    assert str(wrong_name.value) == (
        "fakeauth: the deferred vendor 'toy' loaded 'ovok', not a fakeauth.vendor.Vendor "
        "record of its own name"
    )
    assert str(wrong_api.value) == (
        "fakeauth: a vendor's name is 1 to 32 lowercase letters and digits, starting with a "
        "letter, and its API's name is the same, not 'toy'"
    )


def test_checked_record_refuses_an_operation_id_of_another_vendor() -> None:
    borrowed = full_record("toy", toy_api(OVOK.api.routes[:1]))

    with pytest.raises(ConfigurationError) as info:
        checked_record(borrowed)

    assert str(info.value) == (
        f"fakeauth: the operation id {OVOK.api.routes[0].operation!r} is given twice or does "
        "not start with its vendor's name (toy.)"
    )


def test_threads_racing_to_a_deferred_records_first_read_get_one_state() -> None:
    builds: list[object] = []

    def build(context: StateContext) -> Any:
        builds.append(ToyState(context))
        return builds[-1]

    record = DeferredVendor(
        name="toy", default_hosts=TOY_HOSTS, load=lambda: full_record("toy", toy_api(), build)
    )
    fake = FakeAuth(vendors=(record,))
    barrier = threading.Barrier(THREADS)
    seen: list[object] = []

    def first_read() -> None:
        barrier.wait()
        seen.append(fake.vendor_state("toy"))

    threads = [threading.Thread(target=first_read) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(builds) == 1
    assert [state is builds[0] for state in seen] == [True] * THREADS


def test_replacing_a_field_of_a_deferred_record_gives_a_full_record() -> None:
    full = full_record("toy", toy_api())
    record = DeferredVendor(name="toy", default_hosts=TOY_HOSTS, load=lambda: full)

    replaced = dataclasses.replace(record, label="Toy too")

    assert type(replaced) is Vendor
    assert (replaced.api, replaced.default_hosts, replaced.label) == (
        full.api,
        TOY_HOSTS,
        "Toy too",
    )


def _documents(fake: FakeAuth) -> list[str]:
    """What a reset, a snapshot and its restore, an export and an import give, as JSON text."""
    fake.clock.set(1_700_000_000.0, frozen=True)
    fake.ovok.add_account(email="max@example.test", password="s3cret-pass")
    texts = [json.dumps(fake.export_state(journal=True))]
    snapshot = fake.snapshot()
    fake.ovok.add_account(email="ann@example.test", password="s3cret-pass")
    fake.restore(snapshot)
    texts.append(json.dumps(fake.export_state(journal=True)))
    document = fake.export_state()
    fake.reset()
    texts.append(json.dumps(fake.export_state(journal=True)))
    fake.import_state(document)
    texts.append(json.dumps(fake.export_state(journal=True)))
    return texts


def test_vendors_never_touched_are_reset_restored_and_exported_as_built_ones() -> None:
    untouched, touched = FakeAuth(seed=7), FakeAuth(seed=7)
    _ = touched.b2core, touched.waltid

    assert _documents(untouched) == _documents(touched)
