"""``FakeAuth``: the facade users create, seed, inspect and reset."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from fakeauth.apis.base import VendorApi
from fakeauth.clock import Clock
from fakeauth.control import CONTROL
from fakeauth.errors import ConfigurationError
from fakeauth.events import RequestEvents
from fakeauth.faults import Faults
from fakeauth.features import FeatureRegistry, declare
from fakeauth.hosts import host_key, host_keys
from fakeauth.journal import Journal, OperationCalls
from fakeauth.options import FakeAuthOptions
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness
from fakeauth.state.waltid_options import FEATURES as WALTID_FEATURES
from fakeauth.transports.guard import NetworkRefusals
from fakeauth.transports.limits import DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT
from fakeauth.vendor import StateContext, Vendor, VendorState
from fakeauth.vendors import DEFAULT_HOSTS, VENDORS
from fakeauth.wsgi import WsgiApp, routing_for

if TYPE_CHECKING:
    import httpx

    from fakeauth.explain import Explanation
    from fakeauth.fault import Fault
    from fakeauth.findings import Forgotten
    from fakeauth.persistence import Snapshot, Snapshots
    from fakeauth.state.b2core import B2CoreState
    from fakeauth.state.ovok import OvokState
    from fakeauth.state.waltid import WaltidState
    from fakeauth.transports.aiohttp_mock import AiohttpInterceptor
    from fakeauth.transports.httpx_mock import HttpxInterceptor
    from fakeauth.transports.requests_mock import RequestsInterceptor
    from fakeauth.transports.server import LiveServer

__all__ = ["DEFAULT_HOSTS", "FakeAuth"]

#: Every feature flag a fake knows from the start, declared once for all fakes.
_FEATURES = declare(*WALTID_FEATURES)
_DEFAULT_VENDORS: Mapping[str, Vendor] = MappingProxyType({v.name: v for v in VENDORS})

_State = TypeVar("_State", covariant=True)
_Made = TypeVar("_Made")


class _LazyState(Generic[_State]):
    """The typed state of one of the vendors the public API names (``fake.ovok``), built on
    first access (a test seldom uses all three vendors); see :meth:`FakeAuth.vendor_state`.

    After the build, the state sits in the instance's ``__dict__``, which Python reads before
    this (non-data) descriptor: every later access is a plain attribute read.
    """

    def __init__(self) -> None:
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
        return cast("_State", fake.vendor_state(self._name))


class _SeamApp:
    """``fake.wsgi_app``, made on its first read: a fake that serves no request (a test that
    only seeds, or whose code never calls a vendor) never makes it. The app refers back to its
    fake, so a fake that has one is garbage only for the cycle collector; one that has none is
    freed as soon as it is dropped.

    The app then sits in the instance's ``__dict__``, which Python reads before this (non-data)
    descriptor: every later read is a plain attribute read. Two threads reading it first at once
    may both make one; ``setdefault`` (atomic) keeps the first, which both get.
    """

    @overload
    def __get__(self, fake: None, owner: type[FakeAuth]) -> _SeamApp: ...

    @overload
    def __get__(self, fake: FakeAuth, owner: type[FakeAuth]) -> WsgiApp: ...

    def __get__(self, fake: FakeAuth | None, owner: type[FakeAuth]) -> _SeamApp | WsgiApp:
        if fake is None:
            return self
        app: WsgiApp = fake.__dict__.setdefault("wsgi_app", WsgiApp(fake, mounts=(CONTROL,)))
        return app


def _new_snapshots() -> Snapshots:
    from fakeauth.persistence import Snapshots

    return Snapshots()


def _new_forgotten() -> Forgotten:
    from fakeauth.findings import Forgotten

    return Forgotten()


def _context(fake: FakeAuth, vendor: Vendor) -> StateContext:
    """What ``vendor``'s state is built from in ``fake``."""
    return StateContext(
        clock=fake.clock,
        randomness=fake.randomness,
        outbox=fake.outbox,
        features=fake.features,
        options=fake.options.vendor_options(vendor.name),
    )


class FakeAuth:
    """A stateful fake of the Ovok, B2Core and walt.id auth APIs.

    Every instance is isolated and thread-safe, and cheap to create: a fresh one per test is the
    normal case (each vendor's code is loaded, once a process, and its state built when first
    used). A fresh instance holds the embedded defaults (the documentation's Ovok tenant and
    client, a B2Core broker on ``https://host.name``, walt.id's quickstart super-admin token), so
    every request of the vendors' documentation works as written.

    Args:
        vendors: the vendor records it serves (default: :data:`fakeauth.vendors.VENDORS`, the
            three); a test-only vendor is served by ``vendors=(*VENDORS, my_vendor)``.
        seed: makes every generated id, secret and token repeatable (with a frozen clock, the
            very same tokens).
        ovok_hosts: the base URLs Ovok answers on in process (aliases of its one state).
        b2core_hosts: the base URLs of B2Core's brokers, one broker per base URL.
        waltid_hosts: the base URLs walt.id answers on in process (aliases of its one state).
        features: feature flags to switch at start, ``{"account-registration": False}``.
        ovok_access_token_ttl: Ovok's access token lifetime in seconds (1 hour).
        ovok_refresh_token_ttl: Ovok's refresh token lifetime in seconds (14 days).
        b2core_access_token_ttl: B2Core's access token lifetime in seconds (20 minutes).
        b2core_refresh_token_ttl: B2Core's refresh token lifetime in seconds (30 days).
        waltid_token_ttl: walt.id's login token lifetime in seconds (7 days).
        journal_limit: keep at most this many journal entries (and outbox messages), dropping
            the oldest (``None``, the default: keep them all); call counts and unserved requests
            stay exact.
    """

    def __init__(
        self,
        *,
        vendors: Iterable[Vendor] = VENDORS,
        seed: int | str | bytes | None = None,
        ovok_hosts: Iterable[str] = DEFAULT_HOSTS["ovok"],
        b2core_hosts: Iterable[str] = DEFAULT_HOSTS["b2core"],
        waltid_hosts: Iterable[str] = DEFAULT_HOSTS["waltid"],
        features: Mapping[str, bool] | None = None,
        # Literals, not 14 * DAY: the reference shows each default as it is written here.
        ovok_access_token_ttl: int = 3600,
        ovok_refresh_token_ttl: int = 1_209_600,
        b2core_access_token_ttl: int = 1200,
        b2core_refresh_token_ttl: int = 2_592_000,
        waltid_token_ttl: int = 604_800,
        journal_limit: int | None = None,
    ) -> None:
        #: The options this fake was made with, checked: a frozen value (see
        #: :class:`~fakeauth.options.FakeAuthOptions`).
        self.options = FakeAuthOptions.checked(
            vendors=vendors,
            seed=seed,
            hosts={"ovok": ovok_hosts, "b2core": b2core_hosts, "waltid": waltid_hosts},
            features=features,
            ovok_access_token_ttl=ovok_access_token_ttl,
            ovok_refresh_token_ttl=ovok_refresh_token_ttl,
            b2core_access_token_ttl=b2core_access_token_ttl,
            b2core_refresh_token_ttl=b2core_refresh_token_ttl,
            waltid_token_ttl=waltid_token_ttl,
            journal_limit=journal_limit,
        )
        self.clock = Clock()
        self.randomness = Randomness(seed)
        self.features = FeatureRegistry(_FEATURES)
        self.journal = Journal(journal_limit)
        self.outbox = Outbox(journal_limit)  # bounded like the journal
        #: Exceptions raised inside the fake's handlers (each answered 500); a bug of fakeauth.
        self.handler_errors: list[BaseException] = []
        #: Pending injected faults; see :meth:`fail_next`, :meth:`drop_next`, :meth:`delay_next`.
        self.faults = Faults()
        #: Listeners to every served request (:mod:`fakeauth.events`); a reset removes them.
        self.events = RequestEvents()
        #: The vendor hosts a client that fakeauth does not intercept tried to reach (refused).
        self.network_refusals = NetworkRefusals()
        #: Host names besides loopback, IP addresses and the vendor hosts on which the control API
        #: and the dashboard answer (``fakeauth serve --allow-host fakeauth`` in docker compose).
        self.control_hosts: frozenset[str] = frozenset()
        # The states are built on first use (see _LazyState), one build under this lock.
        self._states_lock = threading.Lock()
        if self.options.features:  # none, mostly: nothing to check or switch
            self.features.apply(self.options.features)
        self._take_options(self.options)
        self._servers: list[LiveServer] = []
        self._servers_lock = threading.Lock()
        for vendor in self.vendors:  # a vendor's state sits in __dict__ under its name
            # (the class _LazyState stands for "no such class attribute": no descriptor is it)
            found = getattr(type(self), vendor.name, _LazyState)
            if vendor.name in self.__dict__ or not (
                found is _LazyState or isinstance(found, _LazyState)
            ):
                raise ConfigurationError(
                    f"a vendor cannot be named {vendor.name!r}: FakeAuth has an attribute of "
                    "that name; name it otherwise"
                )

    @property
    def snapshots(self) -> Snapshots:
        """The named snapshots (``POST /_fakeauth/snapshots``); :meth:`reset` keeps them.

        Made on first use (the persistence package is imported then, not by ``FakeAuth()``),
        once even when threads race to it."""
        return self._made_once("_snapshots", _new_snapshots)

    @property
    def forgotten(self) -> Forgotten:
        """The credentials its resets, restores and imports forgot (fingerprints of their ids,
        bounded), so that :meth:`explain` can say so; a reset adds to it.

        Made on first use (a reset, restore, import or explanation: :mod:`fakeauth.findings` is
        imported then, not by ``FakeAuth()`` nor a login), once even when threads race to it."""
        return self._made_once("_forgotten", _new_forgotten)

    def _made_once(self, key: str, make: Callable[[], _Made]) -> _Made:
        """The value kept under ``key`` in the instance's ``__dict__``, made by ``make`` on the
        first read, under the states' lock (one value, even when threads race to it)."""
        found: _Made | None = self.__dict__.get(key)
        if found is None:
            with self._states_lock:
                found = self.__dict__.get(key)
                if found is None:
                    found = self.__dict__[key] = make()
        return found

    #: The WSGI application serving every vendor API on this fake's state (made on first use).
    wsgi_app: _SeamApp = _SeamApp()

    #: The Ovok state: tenants, clients, accounts, sessions (built on first use).
    ovok: _LazyState[OvokState] = _LazyState()
    #: The B2Core state: brokers, accounts, wizard sessions (built on first use).
    b2core: _LazyState[B2CoreState] = _LazyState()
    #: The walt.id state: accounts, organizations, sessions (built on first use).
    waltid: _LazyState[WaltidState] = _LazyState()

    def vendor(self, name: str) -> Vendor:
        """The record of the vendor ``name`` this fake serves; raises
        :class:`ConfigurationError` naming the vendors it serves."""
        vendor = self._vendor_by_name.get(name)
        if vendor is None:
            raise ConfigurationError(
                f"this fake serves no vendor {str(name)[:40]!r}; it serves "
                f"{', '.join(self._vendor_by_name)}"
            )
        return vendor

    def vendor_state(self, name: str) -> VendorState:
        """The state of the vendor ``name``, built on first use (``fake.vendor_state("ovok")``
        is ``fake.ovok``); raises :class:`ConfigurationError` for a vendor it does not serve."""
        state: VendorState | None = self.__dict__.get(name)
        if state is None:
            vendor = self.vendor(name)
            with self._states_lock:  # one build, even when threads race to the first access
                state = self.__dict__.get(name)
                if state is None:
                    state = self.__dict__[name] = vendor.build_state(_context(self, vendor))
        return state

    def built_states(self) -> list[tuple[Vendor, VendorState]]:
        """Every vendor state built so far, with its vendor (a state not built yet is as fresh
        as a reset one and holds no account: listing them builds none)."""
        found = ((vendor, self.__dict__.get(vendor.name)) for vendor in self.vendors)
        return [(vendor, state) for vendor, state in found if state is not None]

    def base_urls(self) -> list[str]:
        """Every base URL a vendor of this fake answers on in process: the configured hosts and
        those added at run time (a B2Core broker), without building a state."""
        urls = [url for urls in self.hosts.values() for url in urls]
        for vendor, state in self.built_states():
            urls.extend(vendor.added_hosts(state))
        return list(dict.fromkeys(urls))

    def vendor_for_host(self, host: str) -> VendorApi | None:
        """The vendor API a ``Host`` header names (in any spelling :func:`~fakeauth.hosts.host_key`
        reads: case, a trailing dot, IDNA, userinfo), or ``None`` for any other host."""
        try:
            host = host_key(host)
        except ValueError:  # no host at all; the network guard refuses it before any lookup
            return None
        record = self._host_vendor.get(host)
        if record is not None:
            return record.api  # the vendor's first request loads its code
        # A host added at run time (fake.b2core.add_broker(...)): only a built state can hold
        # one, so another host does not build it.
        for vendor, state in self.built_states():
            for url in vendor.added_hosts(state):
                if host in host_keys(url):
                    return vendor.api
        return None

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
            return OperationCalls(self.journal, operation, self._same_path(operation[:-1]))
        if operation not in self._routing.method_not_allowed:
            operation = self._check_operation(operation)
        return OperationCalls(self.journal, operation)

    def _check_operation(self, operation: str) -> str:
        vendor = self._vendor_by_name.get(str(operation).partition(".")[0])
        if vendor is not None and operation in self._routing.by_vendor[vendor.name].routes:
            return operation  # known: its vendor's routes alone say so (no other is loaded)
        known = [op for op, _, _ in self._routing.table]
        if operation not in known:
            import difflib  # a suggestion is rare: not imported by a first use

            close = difflib.get_close_matches(operation, known, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ConfigurationError(
                f"no operation {operation!r}; "
                f"{hint or 'the operation ids are: ' + ', '.join(known)}"
            )
        return operation

    def _same_path(self, operation: str) -> tuple[str, ...]:
        """Every operation id of ``operation``'s vendor served on its path, in declaration
        order."""
        operation = self._check_operation(operation)
        vendor = operation.partition(".")[0]
        table = self._routing.table
        path = next(path for op, _, path in table if op == operation)
        return tuple(op for op, _, p in table if p == path and op.partition(".")[0] == vendor)

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
        from fakeauth.fault import Fault  # defined by the first fault queued

        return self.faults.add(
            Fault(
                self._check_operation(operation), status, body, delay=delay, remaining=_times(times)
            )
        )

    def drop_next(self, operation: str, *, times: int = 1) -> Fault:
        """Make the next ``times`` calls of ``operation`` fail with a dropped connection.

        requests raises ``requests.ConnectionError``, httpx ``httpx.ConnectError``, aiohttp
        ``aiohttp.ClientConnectorError``; the live server closes the connection without an
        answer.
        """
        from fakeauth.fault import Fault  # defined by the first fault queued

        return self.faults.add(
            Fault(self._check_operation(operation), drop=True, remaining=_times(times))
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
        from fakeauth.fault import Fault  # defined by the first fault queued

        return self.faults.add(
            Fault(self._check_operation(operation), delay=seconds, remaining=_times(times))
        )

    # -- transports -----------------------------------------------------------------------------

    def mock_requests(self, *, assert_all_served: bool = True) -> RequestsInterceptor:
        """Intercept ``requests`` to the vendor hosts (a context manager and a decorator).

        Every other URL passes through: to the network, or to your own ``responses`` mock if
        one is active. With ``assert_all_served``, leaving the block raises
        :class:`~fakeauth.transports.base.UnservedRequestsError` if a request reached a vendor
        path fakeauth does not serve (each is answered 501 in the vendor's error shape).
        """
        # Each transport module (and its client library) is imported by its first use: a test
        # that never intercepts httpx or aiohttp does not pay for importing them.
        from fakeauth.transports.requests_mock import RequestsInterceptor

        return RequestsInterceptor(self, assert_all_served=assert_all_served)

    def mock_httpx(self, *, assert_all_served: bool = True) -> HttpxInterceptor:
        """Intercept every ``httpx.Client`` and ``httpx.AsyncClient`` (a context manager and a
        decorator).

        Like :meth:`mock_requests`: vendor hosts answer from this fake, everything else passes
        through: to the network, or to your own respx mock if one is active. Needs httpx only;
        raises :class:`ConfigurationError` if it is not installed.
        """
        from fakeauth.transports.httpx_mock import HttpxInterceptor

        return HttpxInterceptor(self, assert_all_served=assert_all_served)

    def mock_aiohttp(self, *, assert_all_served: bool = True) -> AiohttpInterceptor:
        """Intercept every ``aiohttp.ClientSession`` (a context manager and a decorator).

        Like :meth:`mock_httpx`: vendor hosts answer from this fake, as aiohttp's own
        ``ClientResponse``; everything else passes through, to the network or to your own
        aioresponses mock, which passes the vendor hosts on to the fake. Needs aiohttp only;
        raises :class:`ConfigurationError` if it is not installed.
        """
        from fakeauth.transports.aiohttp_mock import AiohttpInterceptor

        return AiohttpInterceptor(self, assert_all_served=assert_all_served)

    def httpx_transport(self) -> httpx.MockTransport:
        """An httpx transport (sync and async) sending every request to this fake."""
        from fakeauth.transports.httpx_mock import make_transport

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
        from fakeauth.transports.server import LiveServer  # and its parser, httptools

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

    def live_server_urls(self) -> list[str]:
        """The base URLs of this fake's running live servers."""
        with self._servers_lock:
            return [server.url for server in self._servers if server.running]

    def is_live_server_url(self, url: str) -> bool:
        """Whether ``url`` points at one of this fake's running live servers."""
        return any(s.running and url.startswith(s.url + "/") for s in self._servers)

    def openapi(self, vendor: str | None = None) -> dict[str, Any]:
        """The OpenAPI 3.1 document of ``vendor``'s routes (``GET /_fakeauth/openapi/ovok.json``),
        or of what the live server's root serves (``GET /_fakeauth/openapi.json``)."""
        from fakeauth.openapi import openapi_document  # on first use: most tests never ask

        return openapi_document(vendor, self.vendors)

    def fidelity(self, vendor: str | None = None) -> list[dict[str, Any]]:
        """Every place where fakeauth may differ from the real services, as a fresh JSON-ready
        list (``GET /_fakeauth/fidelity``; ``vendor``: only that vendor's, or ``"all"``'s,
        entries); ``docs/fidelity.md`` is rendered from the same registry."""
        from fakeauth.fidelity_registry import as_json  # on first use: most tests never ask

        return as_json(vendor, self.vendors)

    def explain(
        self, token: str, *, vendor: str | None = None, kind: str | None = None
    ) -> Explanation:
        """Why this fake accepts or refuses ``token`` now: any credential a client may send (an
        access, refresh or session token, a wizard uuid, a registration token).

        ``explanation.verdict`` is one of :data:`fakeauth.explain.VERDICTS` and
        ``explanation.sentence`` says what happened and when, by the fake's clock; the token is
        named by kind and fingerprint, never whole. ``vendor`` and ``kind`` say where the token
        was sent and what was expected there (``vendor="b2core", kind="access"``), which tells
        ``wrong_vendor`` and ``wrong_kind`` apart.
        """
        from fakeauth.explain import explain_in  # on the first explanation

        return explain_in(self, token, vendor=vendor, kind=kind)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys of the fake's asymmetric tokens, as a JWK Set."""
        jwks = (vendor.public_key(self.vendor_state(vendor.name)) for vendor in self.vendors)
        return {"keys": [jwk for jwk in jwks if jwk is not None]}

    def export_accounts(self) -> dict[str, list[dict[str, Any]]]:
        """Every vendor's accounts as JSON-ready data, without passwords or tokens."""
        return {
            vendor.name: self.vendor_state(vendor.name).export_accounts() for vendor in self.vendors
        }

    # -- persistence ----------------------------------------------------------------------------

    def export_state(self, *, journal: bool = False) -> dict[str, Any]:
        """The whole state as a versioned JSON-ready document (``POST /_fakeauth/export``): the
        options, clock setting, flags, every vendor's records, signing keys and random streams
        (ids and hashes, never a raw token or password); ``journal``: with the journal and outbox.

        It holds key material: a fake's, never to be used anywhere real.
        """
        from fakeauth.persistence import export_state

        return export_state(self, journal=journal)

    @classmethod
    def from_state(
        cls,
        document: Any,
        *,
        vendors: Iterable[Vendor] = VENDORS,
        journal_limit: int | None = None,
    ) -> FakeAuth:
        """A new fake serving ``vendors`` and holding an exported ``document``'s state,
        continuing where it stood: every credential valid in the exporting fake is valid in this
        one. A document of a fake that served a vendor of its own needs that vendor's record
        (``vendors=(*VENDORS, my_vendor)``)."""
        from fakeauth.persistence import from_state

        return from_state(document, factory=cls, vendors=vendors, journal_limit=journal_limit)

    def import_state(self, document: Any, *, take_options: bool = False) -> None:
        """Replace this fake's state (and clock setting) with ``document``'s, whole or not at
        all; a document of other options is refused unless ``take_options``."""
        from fakeauth.explain import held_credentials
        from fakeauth.persistence import import_state

        at, forgotten = self.clock.time(), held_credentials(self)
        import_state(self, document, take_options=take_options)
        self.forgotten.remember("import", at, forgotten)

    def snapshot(self) -> Snapshot:
        """The state as it is now, in memory and in constant time: ``fake.restore(snap)``, or
        ``with fake.snapshot():`` to restore it when the block ends."""
        from fakeauth.persistence import take_snapshot

        return take_snapshot(self)

    def restore(self, snapshot: Snapshot) -> None:
        """Put back the state of ``snapshot``; the clock, journal, outbox and queued faults are
        the run's and stay. Ids and tokens continue from a new random epoch: a credential issued
        after the snapshot is refused after the restore and never issued again."""
        from fakeauth.explain import held_credentials
        from fakeauth.persistence import restore

        at, forgotten = self.clock.time(), held_credentials(self)
        restore(self, snapshot)
        self.forgotten.remember("restore", at, forgotten)

    def replace_states(
        self,
        states: Mapping[str, VendorState],
        *,
        randomness: Randomness,
        features: Mapping[str, bool],
        options: FakeAuthOptions | None = None,
    ) -> None:
        """Hold ``states`` (one per vendor this fake serves, each built on ``randomness`` and
        loaded whole: an import of a state document) instead of the current ones, in one step;
        switch the flags as ``features`` says (the others back to their defaults); ``options``:
        take those (an import that takes a document's options; their vendors are this fake's).

        Check everything first: this only swaps (``features`` are checked before anything
        changes)."""
        taken = options or self.options
        names = [vendor.name for vendor in self.vendors]
        if taken.vendors != self.options.vendors or sorted(states) != sorted(names):
            raise ConfigurationError(
                f"replace_states takes one state for each vendor this fake serves "
                f"({', '.join(names)}), not {sorted(states)}, and options of those vendors"
            )
        self.features.check(features)
        with self._states_lock:
            if options is not None:
                self.options = options
                self._take_options(options)
            self.randomness = randomness
            for vendor in self.vendors:
                self.__dict__[vendor.name] = states[vendor.name]
            self.features.load_document(features)

    def _take_options(self, options: FakeAuthOptions) -> None:
        """Serve ``options``' vendors on their hosts."""
        #: The vendor records this fake serves, in the order every listing shows them.
        self.vendors = options.vendors
        self._vendor_by_name = options.vendor_by_name
        self.hosts: dict[str, tuple[str, ...]] = dict(options.hosts)
        self._host_vendor = options.host_vendors
        self._routing = routing_for(self.vendors)

    def reset(self) -> None:
        """Back to a fresh instance's state: embedded defaults, no accounts, empty journal.

        The seed, hosts and token lifetimes given to the constructor stay. The clock reads the
        system's time again (not set, shifted or frozen), as a fresh instance's. Generated
        values do not start over: ids, tokens, codes and signing keys continue from a new random
        epoch, so that no token, refresh token, session, wizard uuid or code issued before the
        reset is accepted after it, nor issued again to someone else. With a seed, the same calls
        (resets included) still give the very same values on every run; two fakes with one seed
        issue identical values by design.
        """
        from fakeauth.explain import held_credentials

        self.forgotten.remember("reset", self.clock.time(), held_credentials(self))
        self.randomness.advance()
        self.clock.reset()
        for _, state in self.built_states():  # a state not built yet is as fresh as a reset one
            state.reset()
        self.features.reset()
        self.features.apply(self.options.features)
        self.journal.clear()
        self.outbox.clear()
        self.handler_errors.clear()
        self.faults.clear()
        self.events.clear()
        self.network_refusals.clear()

    def __repr__(self) -> str:
        counts = {vendor.name: 0 for vendor in self.vendors[:1]}  # not built: no account yet
        counts.update((v.name, len(s.export_accounts())) for v, s in self.built_states())
        shown = ", ".join(f"{name}={count}" for name, count in counts.items())
        return (
            f"<FakeAuth {shown} accounts, "
            f"{len(self.journal)} requests, {len(self.outbox)} messages>"
        )


def _times(times: int) -> int:
    if times < 1:
        raise ConfigurationError(f"times must be 1 or more, not {times}")
    return times
