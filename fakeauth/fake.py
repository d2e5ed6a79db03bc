"""``FakeAuth``: the facade users create, seed, inspect and reset."""

from __future__ import annotations

import difflib
import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from fakeauth.apis.base import VendorApi
from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError
from fakeauth.faults import Fault, Faults
from fakeauth.features import FeatureRegistry, declare
from fakeauth.hosts import DEFAULT_HOSTS, base_urls, host_key, host_keys
from fakeauth.journal import Journal, OperationCalls
from fakeauth.openapi import openapi_document
from fakeauth.outbox import Outbox
from fakeauth.persistence import (
    Snapshot,
    Snapshots,
    export_lane,
    export_state,
    from_state,
    import_state,
    restore,
)
from fakeauth.randomness import Randomness
from fakeauth.state.b2core import B2CoreState
from fakeauth.state.ovok import OvokState
from fakeauth.state.waltid import FEATURES as WALTID_FEATURES
from fakeauth.state.waltid import WaltidState
from fakeauth.transports.aiohttp_mock import AiohttpInterceptor
from fakeauth.transports.guard import NetworkRefusals
from fakeauth.transports.httpx_mock import HttpxInterceptor, make_transport
from fakeauth.transports.requests_mock import RequestsInterceptor
from fakeauth.transports.server import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT,
    LiveServer,
)
from fakeauth.wsgi import VENDOR_APIS, WsgiApp, route_table

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_HOSTS", "FakeAuth"]

_DAY = 24 * 3600

#: Every feature flag a fake knows from the start, declared once for all fakes.
_FEATURES = declare(*WALTID_FEATURES)
_APIS: Mapping[str, VendorApi] = MappingProxyType({api.name: api for api in VENDOR_APIS})
_B2CORE_API = _APIS["b2core"]
#: The journal's operation ids of each vendor's 405s, which no route declares.
_METHOD_NOT_ALLOWED = frozenset(api.method_not_allowed_operation for api in VENDOR_APIS)

_State = TypeVar("_State", covariant=True)


class _LazyState(Generic[_State]):
    """A vendor state of a fake, built on first access (a test seldom uses all three vendors).

    After the build, the state sits in the instance's ``__dict__``, which Python reads before
    this (non-data) descriptor: every later access is a plain attribute read.
    """

    def __init__(self, build: Callable[[FakeAuth], _State]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type[FakeAuth], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, fake: None, owner: type[FakeAuth]) -> _LazyState[_State]: ...

    @overload
    def __get__(self, fake: FakeAuth, owner: type[FakeAuth]) -> _State: ...

    def __get__(self, fake: FakeAuth | None, owner: type[FakeAuth]) -> _LazyState[_State] | _State:
        if fake is None:
            return self
        with fake._states_lock:  # one build, even when threads race to the first access
            state = self.built(fake)
            if state is None:
                state = fake.__dict__[self._name] = self._build(fake)
        return state

    def built(self, fake: FakeAuth) -> _State | None:
        """The state of ``fake`` if it is built, without building it."""
        state: _State | None = fake.__dict__.get(self._name)
        return state

    def build(self, fake: FakeAuth) -> _State:
        """A new state for ``fake``, not installed (an import fills it, then swaps it in)."""
        return self._build(fake)


def _build_ovok(fake: FakeAuth) -> OvokState:
    access_ttl, refresh_ttl = fake._ovok_ttls
    return OvokState(
        clock=fake.clock,
        randomness=fake.randomness,
        outbox=fake.outbox,
        access_token_ttl=access_ttl,
        refresh_token_ttl=refresh_ttl,
    )


def _build_b2core(fake: FakeAuth) -> B2CoreState:
    hosts, access_ttl, refresh_ttl = fake._b2core_options
    return B2CoreState(
        hosts=hosts,
        clock=fake.clock,
        randomness=fake.randomness,
        outbox=fake.outbox,
        features=fake.features,
        access_token_ttl=access_ttl,
        refresh_token_ttl=refresh_ttl,
    )


def _build_waltid(fake: FakeAuth) -> WaltidState:
    return WaltidState(
        clock=fake.clock,
        randomness=fake.randomness,
        outbox=fake.outbox,
        features=fake.features,
        token_ttl=fake._waltid_ttl,
    )


class FakeAuth:
    """A stateful fake of the Ovok, B2Core and walt.id auth APIs.

    Every instance is isolated and thread-safe, and cheap to create: a fresh one per test is the
    normal case (each vendor's state is built when first used). A fresh instance holds the
    embedded defaults (the documentation's Ovok tenant and client, a B2Core broker on
    ``https://host.name``, walt.id's quickstart super-admin token), so every request of the
    vendors' documentation works as written.

    Args:
        seed: makes every generated id, secret and token repeatable (with a frozen clock, the
            very same tokens).
        ovok_hosts, b2core_hosts, waltid_hosts: the base URLs each vendor answers on in process
            (aliases of that vendor's one state).
        features: feature flags to switch at start, ``{"account-registration": False}``.
        ovok_access_token_ttl, ovok_refresh_token_ttl: Ovok token lifetimes in seconds.
        b2core_access_token_ttl, b2core_refresh_token_ttl: B2Core token lifetimes in seconds.
        waltid_token_ttl: walt.id login token lifetime in seconds.
        journal_limit: keep at most this many journal entries (and outbox messages), dropping
            the oldest (``None``, the default: keep them all); call counts and unserved requests
            stay exact.
    """

    def __init__(
        self,
        *,
        seed: int | str | bytes | None = None,
        ovok_hosts: Iterable[str] = DEFAULT_HOSTS["ovok"],
        b2core_hosts: Iterable[str] = DEFAULT_HOSTS["b2core"],
        waltid_hosts: Iterable[str] = DEFAULT_HOSTS["waltid"],
        features: Mapping[str, bool] | None = None,
        ovok_access_token_ttl: int = 3600,
        ovok_refresh_token_ttl: int = 14 * _DAY,
        b2core_access_token_ttl: int = 20 * 60,
        b2core_refresh_token_ttl: int = 30 * _DAY,
        waltid_token_ttl: int = 7 * _DAY,
        journal_limit: int | None = None,
    ) -> None:
        self.clock = Clock()
        self._seed_option = seed
        self.randomness = Randomness(seed)
        self.features = FeatureRegistry(_FEATURES)
        self.journal = Journal(journal_limit)
        self.outbox = Outbox(journal_limit)  # bounded like the journal
        #: Exceptions raised inside the fake's handlers (each answered 500); a bug of fakeauth.
        self.handler_errors: list[BaseException] = []
        #: Pending injected faults; see :meth:`fail_next`, :meth:`drop_next`, :meth:`delay_next`.
        self.faults = Faults()
        #: The vendor hosts a client that fakeauth does not intercept tried to reach (refused).
        self.network_refusals = NetworkRefusals()
        #: Host names besides loopback, IP addresses and the vendor hosts on which the control API
        #: and the dashboard answer (``fakeauth serve --allow-host fakeauth`` in docker compose).
        self.control_hosts: frozenset[str] = frozenset()
        # Every option is checked now, in the order the states once checked them when they were
        # built here; the states themselves are built on first use (see _LazyState).
        self._states_lock = threading.Lock()
        lifetimes = (
            ovok_access_token_ttl,
            ovok_refresh_token_ttl,
            b2core_access_token_ttl,
            b2core_refresh_token_ttl,
            waltid_token_ttl,
        )
        try:
            checked = _checked_lifetimes(*lifetimes)
        except TypeError:  # a value that cannot be a cache key: checked (and refused) anew
            checked = _checked_lifetimes.__wrapped__(*lifetimes)
        self._ovok_ttls, self._waltid_ttl = checked
        b2core_urls = B2CoreState.checked_hosts(base_urls("b2core_hosts", b2core_hosts))
        self._b2core_options = (b2core_urls, b2core_access_token_ttl, b2core_refresh_token_ttl)
        if features is not None and not isinstance(features, Mapping):
            raise ConfigurationError(
                "features maps flag names to True or False, such as "
                f'{{"account-registration": False}}, not {type(features).__name__}'
            )
        self._initial_features = dict(features or {})
        self.features.apply(self._initial_features)
        self.hosts: dict[str, tuple[str, ...]] = {
            "ovok": base_urls("ovok_hosts", ovok_hosts),
            "b2core": b2core_urls,
            "waltid": base_urls("waltid_hosts", waltid_hosts),
        }
        self._host_vendor = _host_table(self.hosts["ovok"], b2core_urls, self.hosts["waltid"])
        #: The WSGI application serving every vendor API on this fake's state.
        self.wsgi_app = WsgiApp(self)
        self._servers: list[LiveServer] = []
        self._servers_lock = threading.Lock()
        #: The named snapshots (``POST /_fakeauth/snapshots``); :meth:`reset` keeps them.
        self.snapshots = Snapshots()

    #: The Ovok state: tenants, clients, accounts, sessions (built on first use).
    ovok = _LazyState(_build_ovok)
    #: The B2Core state: brokers, accounts, wizard sessions (built on first use).
    b2core = _LazyState(_build_b2core)
    #: The walt.id state: accounts, organizations, sessions (built on first use).
    waltid = _LazyState(_build_waltid)

    def vendor_for_host(self, host: str) -> VendorApi | None:
        """The vendor API a ``Host`` header names (in any spelling :func:`~fakeauth.hosts.host_key`
        reads: case, a trailing dot, IDNA, userinfo), or ``None`` for any other host."""
        try:
            host = host_key(host)
        except ValueError:  # no host at all; the network guard refuses it before any lookup
            return None
        api = self._host_vendor.get(host)
        if api is None:
            # A broker added at run time with fake.b2core.add_broker(...): only a built B2Core
            # state can hold one, so another host does not build it.
            b2core = FakeAuth.b2core.built(self)
            if b2core is not None and b2core.broker_for_host(host) is not None:
                api = _B2CORE_API
        return api

    # -- traffic assertions and faults --------------------------------------------------------

    def calls(self, operation: str) -> OperationCalls:
        """The calls of one operation id (``"ovok.b2b_login"``), with ``assert_called_once()``
        and friends; an unknown id raises and suggests the closest ones.

        ``"<vendor>.method_not_allowed"`` (``"ovok.method_not_allowed"``) gives the requests a
        vendor answered 405 (a served path asked with another method) or 204 (``OPTIONS``).

        An id with ``*`` after it counts every method of that id's path together:
        ``"b2core.signin_wizard"`` is the wizard's ``GET``, ``"b2core.signin_wizard_post"`` its
        ``POST``, and ``"b2core.signin_wizard*"`` both.
        """
        if operation.endswith("*"):
            return OperationCalls(self.journal, operation, _same_path(operation[:-1]))
        if operation not in _METHOD_NOT_ALLOWED:
            operation = _check_operation(operation)
        return OperationCalls(self.journal, operation)

    def fail_next(
        self,
        operation: str,
        status: int = 500,
        *,
        body: Any = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> Fault:
        """Make the next ``times`` calls of ``operation`` answer ``status``.

        The body is the vendor's own error body, or ``body`` (any JSON value) if given.
        """
        if not 100 <= status <= 599:
            raise ConfigurationError(f"status must be an HTTP status from 100 to 599, not {status}")
        return self.faults.add(
            Fault(_check_operation(operation), status, body, delay=delay, remaining=_times(times))
        )

    def drop_next(self, operation: str, *, times: int = 1) -> Fault:
        """Make the next ``times`` calls of ``operation`` fail with a dropped connection.

        requests raises ``requests.ConnectionError``, httpx ``httpx.ConnectError``, aiohttp
        ``aiohttp.ClientConnectorError``; the live server closes the connection without an
        answer.
        """
        return self.faults.add(
            Fault(_check_operation(operation), drop=True, remaining=_times(times))
        )

    def delay_next(self, operation: str, seconds: float, *, times: int = 1) -> Fault:
        """Make the next ``times`` calls of ``operation`` answer normally after ``seconds``.

        The operation takes effect at once and is journaled; the answer is held back. A client
        whose read timeout is shorter gets its own timeout error once that timeout has passed
        (``requests.exceptions.ReadTimeout``, ``httpx.ReadTimeout``, aiohttp's own timeout
        errors), as from a slow vendor; async clients (httpx, aiohttp) are delayed on their event
        loop, never by blocking it.
        """
        if seconds < 0:
            raise ConfigurationError("a delay is a number of seconds, 0 or more")
        return self.faults.add(
            Fault(_check_operation(operation), delay=seconds, remaining=_times(times))
        )

    # -- transports -----------------------------------------------------------------------------

    def mock_requests(self, *, assert_all_served: bool = True) -> RequestsInterceptor:
        """Intercept ``requests`` to the vendor hosts (a context manager and a decorator).

        Every other URL passes through: to the network, or to your own ``responses`` mock if
        one is active. With ``assert_all_served``, leaving the block raises
        :class:`~fakeauth.transports.base.UnservedRequestsError` if a request reached a vendor
        path fakeauth does not serve (each is answered 501 in the vendor's error shape).
        """
        return RequestsInterceptor(self, assert_all_served=assert_all_served)

    def mock_httpx(self, *, assert_all_served: bool = True) -> HttpxInterceptor:
        """Intercept every ``httpx.Client`` and ``httpx.AsyncClient`` (a context manager and a
        decorator).

        Like :meth:`mock_requests`: vendor hosts answer from this fake, everything else passes
        through: to the network, or to your own respx mock if one is active. Needs httpx only;
        raises :class:`ConfigurationError` if it is not installed.
        """
        return HttpxInterceptor(self, assert_all_served=assert_all_served)

    def mock_aiohttp(self, *, assert_all_served: bool = True) -> AiohttpInterceptor:
        """Intercept every ``aiohttp.ClientSession`` (a context manager and a decorator).

        Like :meth:`mock_httpx`: vendor hosts answer from this fake, as aiohttp's own
        ``ClientResponse``; everything else passes through, to the network or to your own
        aioresponses mock, which passes the vendor hosts on to the fake. Needs aiohttp only;
        raises :class:`ConfigurationError` if it is not installed.
        """
        return AiohttpInterceptor(self, assert_all_served=assert_all_served)

    def httpx_transport(self) -> httpx.MockTransport:
        """An httpx transport (sync and async) sending every request to this fake."""
        return make_transport(self)

    def serve(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> LiveServer:
        """Start a live server on ``host``:``port`` (0: a free port) in a background thread.

        ``with fake.serve() as server: requests.get(f"{server.url}/auth/me")``; the server stops
        at the end of the block (or on ``server.stop()``). At most ``max_connections`` are open
        at once, and a client that stalls inside a request is closed after ``request_timeout``
        seconds (an idle kept-alive connection never is); see :class:`LiveServer`.
        """
        server = LiveServer(
            self.wsgi_app,
            host=host,
            port=port,
            max_connections=max_connections,
            request_timeout=request_timeout,
        )
        server.start()
        self.track_server(server)
        return server

    def track_server(self, server: LiveServer) -> None:
        """Note that ``server`` serves this fake, so that :meth:`mock_requests` always sends
        requests for it to its real socket (even inside your own ``responses`` mock)."""
        with self._servers_lock:
            self._servers = [s for s in self._servers if s.running and s is not server]
            self._servers.append(server)

    def is_live_server_url(self, url: str) -> bool:
        """Whether ``url`` points at one of this fake's running live servers."""
        return any(s.running and url.startswith(s.url + "/") for s in self._servers)

    def openapi(self, vendor: str | None = None) -> dict[str, Any]:
        """The OpenAPI 3.1 document of ``vendor``'s routes (``GET /_fakeauth/openapi/ovok.json``),
        or of what the live server's root serves (``GET /_fakeauth/openapi.json``)."""
        return openapi_document(vendor)

    def fidelity(self, vendor: str | None = None) -> list[dict[str, Any]]:
        """Every place where fakeauth may differ from the real services, as a fresh JSON-ready
        list (``GET /_fakeauth/fidelity``; ``vendor``: only that vendor's, or ``"all"``'s,
        entries); ``docs/fidelity.md`` is rendered from the same registry."""
        from fakeauth.fidelity import as_json  # on first use: most tests never ask for it

        return as_json(vendor)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys of the fake's asymmetric tokens, as a JWK Set."""
        jwks = (state.signer.public_jwk() for state in (self.ovok, self.b2core, self.waltid))
        return {"keys": [jwk for jwk in jwks if jwk is not None]}

    def export_accounts(self) -> dict[str, list[dict[str, Any]]]:
        """Every vendor's accounts as JSON-ready data, without passwords or tokens."""
        return {
            "ovok": self.ovok.export_accounts(),
            "b2core": self.b2core.export_accounts(),
            "waltid": self.waltid.export_accounts(),
        }

    # -- persistence ----------------------------------------------------------------------------

    def export_state(self, *, journal: bool = False) -> dict[str, Any]:
        """The whole state as a versioned JSON-ready document (``POST /_fakeauth/export``): the
        options, clock setting, flags, every vendor's records, signing keys and random streams
        (ids and hashes, never a raw token or password); ``journal``: with the journal and outbox.

        It holds key material: a fake's, never to be used anywhere real.
        """
        return export_state(self, journal=journal)

    @classmethod
    def from_state(cls, document: Any, *, journal_limit: int | None = None) -> FakeAuth:
        """A new fake holding an exported ``document``'s state, continuing where it stood:
        every credential valid in the exporting fake is valid in this one."""
        return from_state(document, journal_limit=journal_limit)

    def import_state(self, document: Any, *, take_options: bool = False) -> None:
        """Replace this fake's state (and clock setting) with ``document``'s, whole or not at
        all; a document of other options is refused unless ``take_options``."""
        import_state(self, document, take_options=take_options)

    def snapshot(self) -> Snapshot:
        """What an export holds, in memory: ``fake.restore(snap)``, or ``with fake.snapshot():``
        to restore it when the block ends."""
        return Snapshot(self, export_lane(self))

    def restore(self, snapshot: Snapshot) -> None:
        """Put back the state of ``snapshot``; the clock, journal, outbox and queued faults are
        the run's and stay. Ids and tokens continue from a new random epoch: a credential issued
        after the snapshot is refused after the restore and never issued again."""
        restore(self, snapshot.lane)

    def _adopt_options(self, other: FakeAuth) -> None:
        """Take the options of ``other`` (an import that takes the document's options)."""
        self._seed_option = other._seed_option
        self._ovok_ttls, self._waltid_ttl = other._ovok_ttls, other._waltid_ttl
        self._b2core_options = other._b2core_options
        self._initial_features = other._initial_features
        self.hosts, self._host_vendor = other.hosts, other._host_vendor

    def reset(self) -> None:
        """Back to a fresh instance's state: embedded defaults, no accounts, empty journal.

        The seed, hosts and token lifetimes given to the constructor stay. Generated values do
        not start over: ids, tokens, codes and signing keys continue from a new random epoch, so
        that no token, refresh token, session, wizard uuid or code issued before the reset is
        accepted after it, nor issued again to someone else. With a seed, the same calls (resets
        included) still give the very same values on every run; two fakes with one seed issue
        identical values by design.
        """
        self.randomness.advance()
        self.clock.reset()
        lazy_states: tuple[_LazyState[OvokState | B2CoreState | WaltidState], ...] = (
            FakeAuth.ovok,
            FakeAuth.b2core,
            FakeAuth.waltid,
        )
        for lazy in lazy_states:  # a state not built yet is as fresh as a reset one
            state = lazy.built(self)
            if state is not None:
                state.reset()
        self.features.reset()
        self.features.apply(self._initial_features)
        self.journal.clear()
        self.outbox.clear()
        self.handler_errors.clear()
        self.faults.clear()
        self.network_refusals.clear()

    def __repr__(self) -> str:
        ovok = FakeAuth.ovok.built(self)  # not built: no account yet
        return (
            f"<FakeAuth ovok={len(ovok.accounts) if ovok is not None else 0} accounts, "
            f"{len(self.journal)} requests, {len(self.outbox)} messages>"
        )


# Most fakes use the default lifetimes: checked once, not per fake. ``typed``: True and 1 differ.
@functools.lru_cache(maxsize=64, typed=True)
def _checked_lifetimes(
    ovok_access: Any, ovok_refresh: Any, b2core_access: Any, b2core_refresh: Any, waltid: Any
) -> tuple[tuple[int, int], int]:
    """The Ovok and walt.id lifetimes as the states take them, once every lifetime is checked
    (raises :class:`ConfigurationError` as the states' own checks do)."""
    ovok = OvokState.token_lifetimes(ovok_access, ovok_refresh)
    B2CoreState.checked_lifetimes(b2core_access, b2core_refresh)
    return ovok, WaltidState.token_lifetime(waltid)


@functools.lru_cache(maxsize=64)  # most fakes use the default hosts
def _host_table(
    ovok: tuple[str, ...], b2core: tuple[str, ...], waltid: tuple[str, ...]
) -> Mapping[str, VendorApi]:
    """The vendor API of every ``Host`` header value that names one of the base URLs."""
    table: dict[str, VendorApi] = {}
    for vendor, urls in (("ovok", ovok), ("b2core", b2core), ("waltid", waltid)):
        for url in urls:
            for key in host_keys(url):
                table[key] = _APIS[vendor]
    return MappingProxyType(table)


def _check_operation(operation: str) -> str:
    known = [op for op, _, _ in route_table()]
    if operation not in known:
        close = difflib.get_close_matches(operation, known, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ConfigurationError(
            f"no operation {operation!r}; {hint or 'the operation ids are: ' + ', '.join(known)}"
        )
    return operation


def _same_path(operation: str) -> tuple[str, ...]:
    """Every operation id of ``operation``'s vendor served on its path, in declaration order."""
    operation = _check_operation(operation)
    vendor = operation.partition(".")[0]
    table = route_table()
    path = next(path for op, _, path in table if op == operation)
    return tuple(op for op, _, p in table if p == path and op.partition(".")[0] == vendor)


def _times(times: int) -> int:
    if times < 1:
        raise ConfigurationError(f"times must be 1 or more, not {times}")
    return times
