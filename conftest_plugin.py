"""fakeauth's pytest plugin: fixtures and a marker. Installing fakeauth is enough to get them.

Registered as the ``pytest11`` entry point ``fakeauth``. Importing it is cheap (fakeauth itself is
imported only when a fixture is used) and it defines no autouse fixture.

Fixtures:

* ``fakeauth``: a fresh :class:`~fakeauth.FakeAuth` for the test, with ``requests``, ``httpx``
  and ``aiohttp`` traffic to the vendor hosts intercepted for the test's duration (httpx and
  aiohttp whenever they are installed), and any other client refused the vendor hosts.
* ``fakeauth_server``: a live server (``.url``) for clients that need a real socket; started once
  per session and pointed at a fresh fake for each test (at the test's ``fakeauth`` when the test
  uses both).
* ``fakeauth_registration_disabled``: the test's fake with walt.id's ``account-registration``
  switched off.
* ``fakeauth_ovok_user``, ``fakeauth_b2core_user``, ``fakeauth_waltid_user``: a seeded account with
  its email and password; ``fakeauth_waltid_superadmin``: the activated Super Admin and a bearer.
* ``fakeauth_seed``: session-scoped, does nothing; override it (once, in the ``conftest.py`` above
  every test that uses ``fakeauth``) to seed ``fakeauth_template`` once a session, and every
  test's ``fakeauth`` starts as a restore of that template's snapshot.
* ``fakeauth_weather``: under the ``fakeauth_weather`` marker, the auth condition of this run of
  the test, armed on its ``fakeauth`` (below).

Marker: ``@pytest.mark.fakeauth(**options)`` passes its options to ``FakeAuth(...)`` (plus
``assert_all_served=False`` to allow requests to unserved vendor paths); a marked test gets the
``fakeauth`` fixture without asking for it.

Weather: ``@pytest.mark.fakeauth_weather`` (every condition) or
``@pytest.mark.fakeauth_weather("expired_access", ...)`` runs the test once per named auth
condition (:mod:`fakeauth.weather`), with the ``fakeauth_weather`` fixture's
:class:`~fakeauth.weather.Condition` armed on the test's fake; the terminal summary prints a table
of the outcomes.
"""

from __future__ import annotations

import difflib
import importlib.util
import inspect
import itertools
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from fakeauth.plugin.seed import seed_conftests, seed_home, seed_homes_message
from fakeauth.plugin.weather import WEATHER_PROPERTY, WeatherTable, parametrize_weather
from fakeauth.testing import (
    SEEDED_PASSWORD,
    B2CoreUser,
    FakeauthServer,
    OvokUser,
    SeededUser,
    WaltidUser,
)

if TYPE_CHECKING:
    from fakeauth import FakeAuth
    from fakeauth.lanes import Lanes
    from fakeauth.state.waltid import WaltidLogin
    from fakeauth.transports.server import LiveServer

__all__: list[str] = []

_FAKE = pytest.StashKey["FakeAuth"]()
_AIOHTTP = pytest.StashKey[bool]()
_PLUGIN_OPTIONS = ("assert_all_served",)
_TEMPLATE = pytest.StashKey["FakeAuth"]()
#: Numbers the session server's lanes (one per test that uses it); not state a test shares.
_LANE_NUMBERS = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fakeauth(**options): options for the test's FakeAuth(...) (seed, features, token "
        "lifetimes, hosts) and assert_all_served; the marked test gets the fakeauth fixture",
    )
    config.addinivalue_line(
        "markers",
        "fakeauth_weather(*names): run the test once per auth condition of fakeauth.weather "
        "(every one, or those named), with the fakeauth_weather fixture",
    )
    config.pluginmanager.register(WeatherTable(), "fakeauth-weather-table")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    homes: dict[str, list[pytest.Item]] = {}  # where the fakeauth_seed a test sees is defined
    overrides = seed_conftests(config)
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        if "fakeauth" not in names and item.get_closest_marker("fakeauth"):
            names.append("fakeauth")
        if "fakeauth_weather" not in names and item.get_closest_marker("fakeauth_weather"):
            names.extend(name for name in ("fakeauth", "fakeauth_weather") if name not in names)
        if "fakeauth" in names or "fakeauth_seed" in names:
            homes.setdefault(seed_home(config, item, overrides), []).append(item)
    if len(homes) > 1:
        raise pytest.UsageError(seed_homes_message(config, homes))


def _options(node: pytest.Item) -> dict[str, Any]:
    """The marker options, the closest marker winning (a test's over its module's)."""
    options: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("fakeauth"))):
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.fakeauth takes keyword options only, not {marker.args!r}"
            )
        options.update(marker.kwargs)
    return options


def _new_fake(node: pytest.Item) -> tuple[FakeAuth, dict[str, Any]]:
    from fakeauth import FakeAuth

    options = _options(node)
    plugin = {name: options.pop(name) for name in _PLUGIN_OPTIONS if name in options}
    accepted = set(inspect.signature(FakeAuth).parameters)
    unknown = sorted(set(options) - accepted)
    if unknown:
        known = sorted(accepted | set(_PLUGIN_OPTIONS))
        named = []
        for name in unknown:  # each with the closest option, as fake.calls() suggests one
            close = difflib.get_close_matches(name, known, n=1)
            named.append(f"{name} (did you mean {close[0]}?)" if close else name)
        raise pytest.UsageError(
            f"@pytest.mark.fakeauth: unknown option(s) {', '.join(named)}; the options are: "
            f"{', '.join(known)}"
        )
    fake = FakeAuth(**options)
    node.stash[_FAKE] = fake
    return fake, plugin


def _aiohttp_installed(config: pytest.Config) -> bool:
    """Whether aiohttp can be imported here (looked up once a session, without importing it)."""
    installed = config.stash.get(_AIOHTTP, None)
    if installed is None:
        try:
            installed = "aiohttp" in sys.modules or importlib.util.find_spec("aiohttp") is not None
        except (ImportError, ValueError):  # blocked, or a module without a spec: not usable
            installed = False
        config.stash[_AIOHTTP] = installed
    return installed


@pytest.fixture(scope="session")
def fakeauth_template(request: pytest.FixtureRequest) -> FakeAuth:
    """The session's template fake, which an overridden ``fakeauth_seed`` seeds once."""
    from fakeauth import FakeAuth

    template = request.config.stash[_TEMPLATE] = FakeAuth()
    return template


@pytest.fixture(scope="session")
def fakeauth_seed() -> None:
    """Seed once a session, start every test from the seed: override it, asking for
    ``fakeauth_template``, and seed that; each test's ``fakeauth`` then starts as a restore of it.

    >>> @pytest.fixture(scope="session")
    ... def fakeauth_seed(fakeauth_template):
    ...     fakeauth_template.ovok.add_account(email="ann@example.test", password="s3cret")

    One template serves the session: override it once, in the ``conftest.py`` above every test
    that uses ``fakeauth``. An override only some of those tests see fails the run at collection.
    This default seeds nothing and costs nothing.
    """


@pytest.fixture(scope="session")
def _fakeauth_seeded(request: pytest.FixtureRequest, fakeauth_seed: None) -> Any:
    """The snapshot of the seeded template, or ``None`` when ``fakeauth_seed`` is not
    overridden (nothing asked for the template)."""
    template = request.config.stash.get(_TEMPLATE, None)
    return None if template is None else template.snapshot()


@pytest.fixture
def fakeauth(request: pytest.FixtureRequest, _fakeauth_seeded: Any) -> Iterator[FakeAuth]:
    """A fresh ``FakeAuth``, with requests, httpx and aiohttp traffic to the vendor hosts
    intercepted and every other client refused them (restored from ``fakeauth_seed``'s template
    when that fixture is overridden)."""
    fake, plugin = _new_fake(request.node)
    if _fakeauth_seeded is not None:
        try:
            fake.restore(_fakeauth_seeded)
        except ValueError as exc:  # ConfigurationError: the marker's options are not the seed's
            raise pytest.UsageError(
                f"{exc}; fakeauth_seed seeded a template of the default options: override "
                "fakeauth_template to give it this test's options"
            ) from None
    assert_all_served = bool(plugin.get("assert_all_served", True))
    interceptors: list[Any] = [fake.mock_requests(assert_all_served=assert_all_served)]
    try:
        import httpx  # noqa: F401 - installed (often for another package): intercepted
    except ImportError:  # nothing to intercept; any other client meets the network guard
        pass
    else:
        interceptors.append(fake.mock_httpx(assert_all_served=assert_all_served))
    if _aiohttp_installed(request.config):
        from fakeauth.transports.aiohttp_mock import AiohttpInterceptor

        # Not imported here (it is slow to import): patched when the test imports it, if ever.
        interceptors.append(
            AiohttpInterceptor(fake, assert_all_served=assert_all_served, lazy=True)
        )
    started: list[Any] = []
    try:
        for interceptor in interceptors:
            interceptor.start()
            started.append(interceptor)
        yield fake
    finally:
        for interceptor in reversed(started):  # last started, first stopped
            interceptor.stop(check=False)
    if fake.handler_errors:
        raise AssertionError(
            "fakeauth: a handler of the fake raised (a bug in fakeauth; please report it)"
        ) from fake.handler_errors[0]
    # A client that is not intercepted was refused a vendor host: the test must not pass on it,
    # even if the client swallowed its connection error.
    fake.network_refusals.check()
    if assert_all_served:
        from fakeauth.transports.base import check_all_served

        check_all_served(
            fake.journal, 0, "mark the test @pytest.mark.fakeauth(assert_all_served=False)"
        )


@pytest.fixture(scope="session")
def _fakeauth_session_server() -> Iterator[tuple[LiveServer, Lanes]]:
    from fakeauth.lanes import Lanes
    from fakeauth.transports.server import LiveServer

    # The root serves whichever test's fake is current (503 between tests); each test's fake is
    # a lane too, and a test may add lanes: only registered lanes are served.
    lanes = Lanes(None, create=False)
    server = LiveServer(lanes.wsgi_app).start()
    try:
        yield server, lanes
    finally:
        server.stop()


def _lane_name(node: pytest.Item, number: int) -> str:
    """A lane name for the test: its number in the session, then its name, cut to fit."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", node.name).strip("-._")
    return f"t{number}-{cleaned}"[:64].rstrip("-._")


@pytest.fixture
def fakeauth_server(
    request: pytest.FixtureRequest,
    _fakeauth_session_server: tuple[LiveServer, Lanes],
) -> Iterator[FakeauthServer]:
    """A live server (``.url``), serving the test's ``fakeauth`` or else a fresh fake, at its
    root and as the lane ``.lane`` (reached with ``.headers`` or ``.lane_url()``)."""
    from fakeauth.transports.guard import NetworkGuard

    server, lanes = _fakeauth_session_server
    guard: NetworkGuard | None = None
    if "fakeauth" in request.fixturenames:
        fake: FakeAuth = request.getfixturevalue("fakeauth")  # its interceptions guard
    else:
        fake, _ = _new_fake(request.node)
        # Nothing is intercepted in process here: a client must call the server, never the
        # real vendor, so the vendor hosts are refused to every client.
        guard = NetworkGuard(fake).start()
    lanes.default = fake
    lane = _lane_name(request.node, next(_LANE_NUMBERS))
    lanes.add(lane, fake)
    fake.track_server(server)
    live = FakeauthServer(url=server.url, fake=fake, lane=lane, lanes=lanes, added=[lane])
    try:
        yield live
    finally:
        lanes.default = None
        for name in live.added:
            lanes.discard(name)
        if guard is not None:
            guard.stop()
    if guard is not None:
        guard.check()


@pytest.fixture
def fakeauth_registration_disabled(fakeauth: FakeAuth) -> FakeAuth:
    """The test's fake with walt.id's ``account-registration`` feature switched off."""
    fakeauth.features.disable("account-registration")
    return fakeauth


@pytest.fixture
def fakeauth_ovok_user(fakeauth: FakeAuth) -> OvokUser:
    """An Ovok account in the default tenant (``max.mustermann@example.test``)."""
    email = "max.mustermann@example.test"
    account = fakeauth.ovok.add_account(email=email, password=SEEDED_PASSWORD)
    return SeededUser(email, SEEDED_PASSWORD, account)


@pytest.fixture
def fakeauth_b2core_user(fakeauth: FakeAuth) -> B2CoreUser:
    """A B2Core account on the default broker (``john.brown@example.test``)."""
    email = "john.brown@example.test"
    account = fakeauth.b2core.add_account(email=email, password=SEEDED_PASSWORD)
    return SeededUser(email, SEEDED_PASSWORD, account)


@pytest.fixture
def fakeauth_waltid_user(fakeauth: FakeAuth) -> WaltidUser:
    """A walt.id account with no roles (``max.mustermann@example.org``)."""
    email = "max.mustermann@example.org"
    account = fakeauth.waltid.add_account(email=email, password=SEEDED_PASSWORD)
    return SeededUser(email, SEEDED_PASSWORD, account)


@pytest.fixture
def fakeauth_waltid_superadmin(fakeauth: FakeAuth) -> WaltidLogin:
    """walt.id's Super Admin, activated, with a valid bearer (``.token``)."""
    return fakeauth.waltid.superadmin()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_weather(metafunc)


@pytest.fixture
def fakeauth_weather(request: pytest.FixtureRequest, fakeauth: FakeAuth) -> Any:
    """The :class:`~fakeauth.weather.Condition` this run of a ``fakeauth_weather``-marked test
    is under, armed on the test's ``fakeauth`` (``None`` in a test without the marker)."""
    weather = getattr(request, "param", None)
    if weather is not None:
        weather.arm(fakeauth)
        request.node.user_properties.append((WEATHER_PROPERTY, weather.name))
    return weather


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    fake = item.stash.get(_FAKE, None)
    if fake is not None and report.failed:
        journal = fake.journal
        title = "fakeauth journal"
        if journal.dropped:  # the first line of the section says it too, with the remedy
            title += f" (the newest {len(journal)} of {journal.total} requests)"
        report.sections.append((title, journal.format(bodies=True)))
    return report
