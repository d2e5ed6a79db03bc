"""What a test's fake costs before its first request (issue 25, target 4): a fake that serves no
request holds no reference cycle, so dropping it frees it at once, with no work left for the
cycle collector; its WSGI app, its record of forgotten credentials and its per-interception
``responses`` entry are made when first needed, once."""

from __future__ import annotations

import contextlib
import gc
import threading
import weakref
from collections.abc import Callable, Iterator

import pytest
import requests
import responses

from fakeauth import FakeAuth
from fakeauth.options import _plain_urls
from fakeauth.transports.requests_mock import _VendorHosts
from fakeauth.wsgi import WsgiApp

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
EMAIL = "max@example.test"
PASSWORD = "s3cret-pass"
THREADS = 8


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """The cycle collector off: what is freed in the block is freed by reference counts."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def freed_when_dropped(make: Callable[[], FakeAuth]) -> bool:
    """Whether the fake ``make`` gives is freed as soon as the last reference is dropped."""
    fake = make()
    ref = weakref.ref(fake)
    del fake
    return ref() is None


@pytest.mark.usefixtures("no_cycle_collector")
def test_a_fresh_fake_is_freed_as_soon_as_it_is_dropped() -> None:
    assert freed_when_dropped(FakeAuth)


@pytest.mark.usefixtures("no_cycle_collector")
def test_a_fake_intercepted_and_left_without_a_request_is_freed_as_soon_as_it_is_dropped() -> None:
    def intercepted() -> FakeAuth:
        fake = FakeAuth()
        with fake.mock_requests():
            pass
        return fake

    assert freed_when_dropped(intercepted)


@pytest.mark.usefixtures("no_cycle_collector")
@pytest.mark.parametrize(
    "interceptions",
    [("mock_httpx",), ("mock_aiohttp",), ("mock_requests", "mock_httpx", "mock_aiohttp")],
)
def test_every_interception_started_and_stopped_leaves_its_fake_freed_when_dropped(
    interceptions: tuple[str, ...],
) -> None:
    # The plugin's fixture starts all three for every test. Each wrapper's function refers to
    # the wrapper and (through its closure) to the fake: a wrapper holding its function back,
    # or a patch holding the wrappers that name it, kept every test's fake for the collector.
    import aiohttp  # noqa: F401  (imported: the aiohttp interception patches it at once)

    def intercepted() -> FakeAuth:
        fake = FakeAuth()
        with contextlib.ExitStack() as stack:
            for name in interceptions:
                stack.enter_context(getattr(fake, name)())
        return fake

    intercepted()  # the first start of each imports and sets up what every later one reuses

    assert freed_when_dropped(intercepted)


@pytest.mark.usefixtures("no_cycle_collector")
def test_a_fake_seeded_and_reset_is_freed_as_soon_as_it_is_dropped() -> None:
    def seeded() -> FakeAuth:
        fake = FakeAuth()
        fake.ovok.add_account(email=EMAIL, password=PASSWORD)
        fake.reset()
        return fake

    assert freed_when_dropped(seeded)


def test_the_wsgi_app_is_made_once_and_serves_its_own_fake() -> None:
    fake = FakeAuth()

    app = fake.wsgi_app

    assert isinstance(app, WsgiApp)
    assert fake.wsgi_app is app
    assert app.vendors == fake.vendors
    assert FakeAuth().wsgi_app is not app


@pytest.mark.parametrize("attribute", ["wsgi_app", "forgotten"])
def test_threads_reading_an_attribute_first_at_once_all_get_the_same_one(attribute: str) -> None:
    fake = FakeAuth()
    barrier = threading.Barrier(THREADS)
    found: list[object] = []
    lock = threading.Lock()

    def read() -> None:
        barrier.wait()
        value = getattr(fake, attribute)
        with lock:
            found.append(value)

    threads = [threading.Thread(target=read) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(found) == THREADS
    assert all(value is getattr(fake, attribute) for value in found)


def test_a_login_through_mock_requests_is_answered_by_the_app_made_on_first_use() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    body = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}

    with fake.mock_requests():
        reply = requests.post(f"{OVOK}/auth/b2b/login", json=body, timeout=5)

    assert reply.status_code == 200
    assert fake.calls("ovok.b2b_login").call_count == 1
    assert "wsgi_app" in vars(fake)


def test_the_vendor_hosts_entry_has_the_url_responses_would_give_its_label() -> None:
    entry = _VendorHosts(FakeAuth())

    same = responses.BaseResponse("ANY", "fakeauth://vendor-hosts")

    assert entry.url == same.url == "fakeauth://vendor-hosts/"


def test_the_vendor_hosts_entry_does_not_refer_to_itself_through_its_callback() -> None:
    entry = _VendorHosts(FakeAuth())

    assert entry not in gc.get_referents(entry.callback)


class _Url(str):
    """A string of another type: never a key of the options' memos."""


@pytest.mark.parametrize(
    "urls",
    [
        "https://a.example",
        ("https://a.example", "https://b.example"),
        (),
        ("https://a.example", _Url("https://b.example")),
        (_Url("https://a.example"),),
        ["https://a.example"],
        ("https://a.example", 1),
        _Url("https://a.example"),
        None,
    ],
)
def test_the_plain_urls_check_reads_in_c_what_the_loop_read(urls: object) -> None:
    loop = type(urls) is str or (type(urls) is tuple and all(type(u) is str for u in urls))

    assert _plain_urls(urls) is loop


def test_the_vendor_views_stay_importable_from_the_vendor_module() -> None:
    from fakeauth import vendor, vendor_views
    from fakeauth.vendor import AccountEdits, AccountSummary, FidelitySection

    assert AccountEdits is vendor_views.AccountEdits
    assert AccountSummary is vendor_views.AccountSummary
    assert FidelitySection is vendor_views.FidelitySection
    assert {"AccountEdits", "AccountSummary", "FidelitySection"} <= set(dir(vendor))
