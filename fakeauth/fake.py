"""``FakeAuth``: the facade users create, seed, inspect and reset."""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from fakeauth.apis.base import VendorApi
from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError
from fakeauth.faults import Fault, Faults
from fakeauth.features import FeatureRegistry
from fakeauth.hosts import DEFAULT_HOSTS, base_urls, host_keys
from fakeauth.journal import Journal, OperationCalls
from fakeauth.openapi import openapi_document
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness
from fakeauth.state.b2core import B2CoreState
from fakeauth.state.ovok import OvokState
from fakeauth.state.waltid import WaltidState
from fakeauth.transports.httpx_mock import HttpxInterceptor, make_transport
from fakeauth.transports.requests_mock import RequestsInterceptor
from fakeauth.transports.server import LiveServer
from fakeauth.wsgi import VENDOR_APIS, WsgiApp, route_table

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_HOSTS", "FakeAuth"]

_DAY = 24 * 3600


class FakeAuth:
    """A stateful fake of the Ovok, B2Core and walt.id auth APIs.

    Every instance is isolated and thread-safe, and cheap to create: a fresh one per test is the
    normal case. A fresh instance holds the embedded defaults (the documentation's Ovok tenant and
    client, a B2Core broker on ``https://host.name``, walt.id's quickstart super-admin token), so
    every request of the vendors' documentation works as written.

    Args:
        seed: makes every generated id, secret and token repeatable (with a frozen clock, the
            very same tokens).
        ovok_hosts, b2core_hosts, waltid_hosts: the base URLs each vendor answers on in process
            (aliases of that vendor's one state).
        features: feature flags to switch at start, ``{"account-registration": False}``.
        ovok_access_token_ttl, ovok_refresh_token_ttl: Ovok token lifetimes in seconds.
        b2core_access_token_ttl, b2core_refresh_token_ttl: B2Core token lifetimes in seconds.
        waltid_token_ttl: walt.id login token lifetime in seconds.
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
    ) -> None:
        self.clock = Clock()
        self.randomness = Randomness(seed)
        self.features = FeatureRegistry()
        self.journal = Journal()
        self.outbox = Outbox()
        #: Exceptions raised inside the fake's handlers (each answered 500); a bug of fakeauth.
        self.handler_errors: list[BaseException] = []
        #: Pending injected faults; see :meth:`fail_next`, :meth:`drop_next`, :meth:`delay_next`.
        self.faults = Faults()
        self.ovok = OvokState(
            clock=self.clock,
            randomness=self.randomness,
            outbox=self.outbox,
            access_token_ttl=ovok_access_token_ttl,
            refresh_token_ttl=ovok_refresh_token_ttl,
        )
        b2core_urls = base_urls("b2core_hosts", b2core_hosts)
        self.b2core = B2CoreState(
            hosts=b2core_urls,
            clock=self.clock,
            randomness=self.randomness,
            outbox=self.outbox,
            features=self.features,
            access_token_ttl=b2core_access_token_ttl,
            refresh_token_ttl=b2core_refresh_token_ttl,
        )
        self.waltid = WaltidState(
            clock=self.clock,
            randomness=self.randomness,
            outbox=self.outbox,
            features=self.features,
            token_ttl=waltid_token_ttl,
        )
        self._initial_features = dict(features or {})
        self.features.apply(self._initial_features)
        self.hosts: dict[str, tuple[str, ...]] = {
            "ovok": base_urls("ovok_hosts", ovok_hosts),
            "b2core": b2core_urls,
            "waltid": base_urls("waltid_hosts", waltid_hosts),
        }
        apis = {api.name: api for api in VENDOR_APIS}
        self._b2core_api = apis["b2core"]
        self._host_vendor: dict[str, VendorApi] = {}
        for vendor, urls in self.hosts.items():
            for url in urls:
                for key in host_keys(url):
                    self._host_vendor[key] = apis[vendor]
        #: The WSGI application serving every vendor API on this fake's state.
        self.wsgi_app = WsgiApp(self)
        self._servers: list[LiveServer] = []
        self._servers_lock = threading.Lock()

    def vendor_for_host(self, host: str) -> VendorApi | None:
        """The vendor API a ``Host`` header names, or ``None`` for any other host."""
        host = host.lower()
        api = self._host_vendor.get(host)
        if api is None and self.b2core.broker_for_host(host) is not None:
            # a broker added at run time with fake.b2core.add_broker(...)
            api = self._b2core_api
        return api

    # -- traffic assertions and faults --------------------------------------------------------

    def calls(self, operation: str) -> OperationCalls:
        """The calls of one operation id (``"ovok.b2b_login"``), with ``assert_called_once()``
        and friends; an unknown id raises and suggests the closest ones."""
        return OperationCalls(self.journal, _check_operation(operation))

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

        requests raises ``requests.ConnectionError``, httpx ``httpx.ConnectError``; the live
        server closes the connection without an answer.
        """
        return self.faults.add(
            Fault(_check_operation(operation), drop=True, remaining=_times(times))
        )

    def delay_next(self, operation: str, seconds: float, *, times: int = 1) -> Fault:
        """Make the next ``times`` calls of ``operation`` answer normally after ``seconds``."""
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
        """Intercept every ``httpx.Client`` and ``httpx.AsyncClient`` (through respx).

        Like :meth:`mock_requests`: vendor hosts answer from this fake, everything else passes
        through to the network.
        """
        return HttpxInterceptor(self, assert_all_served=assert_all_served)

    def httpx_transport(self) -> httpx.MockTransport:
        """An httpx transport (sync and async) sending every request to this fake."""
        return make_transport(self)

    def serve(self, *, host: str = "127.0.0.1", port: int = 0) -> LiveServer:
        """Start a live server on ``host``:``port`` (0: a free port) in a background thread.

        ``with fake.serve() as server: requests.get(f"{server.url}/auth/me")``; the server stops
        at the end of the block (or on ``server.stop()``).
        """
        server = LiveServer(self.wsgi_app, host=host, port=port)
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

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of every vendor route (``GET /_fakeauth/openapi.json``)."""
        return openapi_document()

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

    def reset(self) -> None:
        """Back to a fresh instance's state: embedded defaults, no accounts, empty journal.

        The seed, hosts and token lifetimes given to the constructor stay.
        """
        self.clock.reset()
        self.ovok.reset()
        self.b2core.reset()
        self.waltid.reset()
        self.features.reset()
        self.features.apply(self._initial_features)
        self.journal.clear()
        self.outbox.clear()
        self.handler_errors.clear()
        self.faults.clear()

    def __repr__(self) -> str:
        return (
            f"<FakeAuth ovok={len(self.ovok.accounts)} accounts, "
            f"{len(self.journal)} requests, {len(self.outbox)} messages>"
        )


def _check_operation(operation: str) -> str:
    known = [op for op, _, _ in route_table()]
    if operation not in known:
        close = difflib.get_close_matches(operation, known, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ConfigurationError(
            f"no operation {operation!r}; {hint or 'the operation ids are: ' + ', '.join(known)}"
        )
    return operation


def _times(times: int) -> int:
    if times < 1:
        raise ConfigurationError(f"times must be 1 or more, not {times}")
    return times
