"""The contenders of ``bench.py``: each one is a row of the table, timed one unit at a time.

A contender's ``call`` is the unit the row times (one HTTP call, one register + login flow, one
test's set-up and tear-down). ``enter`` and ``exit`` run around each batch, untimed (a mock is
started before the batch and stopped after it, so contenders never see each other's mocks).
Every fakeauth call checks its status, so no row can silently time an error path.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib
import io
import itertools
import json
import logging
import os
import random
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import responses
from werkzeug.serving import WSGIRequestHandler, make_server

import fakeauth
from fakeauth import FakeAuth

OVOK = "https://api.dev.ovok.com"
WALTID = "https://enterprise-sandbox.waltid.dev"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
EMAIL = "max.mustermann@example.test"
PASSWORD = "A[.DmUv]2vE|n_+]"
LOGIN = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
LOGIN_PATH = "/auth/b2b/login"
REGISTER_PATH = "/auth/b2b/register"
WALTID_REGISTER_PATH = "/v1/admin/account/register"
JSON_TYPE = "application/json; charset=utf-8"

Call = Callable[[], None]


@dataclass
class Contender:
    """One row: what is timed, and the row it is compared with (its floor)."""

    name: str
    group: str
    label: str
    call: Call
    ref: str | None = None
    unit: str = "call"
    #: Relative batch size: a row whose unit costs milliseconds times fewer units per round.
    weight: float = 1.0
    enter: Call | None = None
    exit: Call | None = None
    #: Run in one round of this many (a row whose unit is a whole interpreter: the others run
    #: every round, this one interleaved among them less often).
    every: int = 1
    #: Why the row was not measured (a missing optional package); set instead of ``call``.
    skipped: str | None = None
    #: When set, the row's samples are the latencies the call timed itself (taken after each
    #: batch: a unit of many concurrent calls), not the unit's own time.
    latencies: Callable[[], list[float]] | None = None
    info: dict[str, Any] = field(default_factory=dict)


def expect(status: int, expected: int, what: str) -> None:
    """Stop the run when a row's call answered ``status`` and not ``expected``."""
    if status != expected:
        raise RuntimeError(f"benchmark: {what} answered {status}, expected {expected}")


_counter = itertools.count()


def _fresh_email(prefix: str) -> str:
    return f"{prefix}{next(_counter)}@example.test"


def ovok_register_body(email: str) -> dict[str, str]:
    """An Ovok register body for ``email``."""
    return {
        "email": email,
        "password": PASSWORD,
        "name": "Max",
        "surname": "Mustermann",
        "tenantId": TENANT,
        "clientId": TENANT,
    }


def waltid_register_body(email: str) -> dict[str, Any]:
    """walt.id's documented admin register body, for ``email``."""
    return {
        "profile": {"name": "Max Mustermann", "email": email, "addressCountry": "AT"},
        "preferences": {"timeZone": "UTC", "languagePreference": "EN"},
        "initialAuth": {
            "type": "email",
            "identifier": {"type": "email", "email": email},
            "data": {"type": "email", "password": "password123456"},
        },
    }


class Suite:
    """The shared fixtures of one run: a fake with one account, and the fixed floor reply."""

    def __init__(self) -> None:
        self.fake = FakeAuth()
        self.fake.ovok.add_account(email=EMAIL, password=PASSWORD)
        self.waltid_auth = {"Authorization": f"Bearer {self.fake.waltid.superadmin().token}"}
        self.closers = contextlib.ExitStack()
        # The floor answers what fakeauth answers to a login (same size, same headers).
        with self.fake.mock_requests():
            self.reply = new_session().post(OVOK + LOGIN_PATH, json=LOGIN).content

    def close(self) -> None:
        """Stop every server the run started."""
        self.closers.close()


# -- requests through `responses` -----------------------------------------------------------------


def new_session() -> requests.Session:
    """A ``requests.Session`` as every row uses one: no proxy or ``.netrc`` lookup."""
    session = requests.Session()
    session.trust_env = False  # the same for every row, and none of the benchmark's business
    return session


def post_json(url: str, body: Any, headers: dict[str, str] | None = None) -> int:
    """What ``requests.post`` does (a fresh session per call), without environment lookups."""
    with new_session() as session:
        return session.post(url, json=body, headers=headers).status_code


def _floor_callback(reply: bytes) -> Callable[[Any], tuple[int, dict[str, str], bytes]]:
    def callback(request: Any) -> tuple[int, dict[str, str], bytes]:
        json.loads(request.body)
        return 200, {"Content-Type": JSON_TYPE}, reply

    return callback


def responses_login(
    make_callback: Callable[[], Callable[[Any], tuple[int, dict[str, str], bytes]]],
) -> tuple[Callable[[], None], Callable[[], None]]:
    """A row's ``enter`` and ``exit``: a ``responses`` mock that answers Ovok's login with a
    callback ``make_callback`` makes afresh at each enter, started; then stopped."""
    mocks: list[responses.RequestsMock] = []

    def enter() -> None:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add_callback("POST", OVOK + LOGIN_PATH, callback=make_callback())
        mock.start()
        mocks.append(mock)

    def exit_() -> None:
        mock = mocks.pop()
        mock.stop()
        mock.reset()

    return enter, exit_


def requests_rows(suite: Suite) -> list[Contender]:
    """The `responses` floor, and fakeauth's three operations through ``mock_requests()``."""
    fake = suite.fake
    mocks: list[Any] = []
    floor_enter, floor_exit = responses_login(lambda: _floor_callback(suite.reply))

    def fake_enter() -> None:
        interceptor = fake.mock_requests()
        interceptor.start()
        mocks.append(interceptor)

    def fake_exit() -> None:
        mocks.pop().stop()

    def floor() -> None:
        expect(post_json(OVOK + LOGIN_PATH, LOGIN), 200, "the responses floor")

    def register() -> None:
        body = ovok_register_body(_fresh_email("req"))
        expect(post_json(OVOK + REGISTER_PATH, body), 200, "Ovok register")

    def login() -> None:
        expect(post_json(OVOK + LOGIN_PATH, LOGIN), 200, "Ovok login")

    def waltid_register() -> None:
        body = waltid_register_body(_fresh_email("wreq"))
        status = post_json(WALTID + WALTID_REGISTER_PATH, body, suite.waltid_auth)
        expect(status, 201, "walt.id admin register")

    floor_name = "requests.floor"
    common: dict[str, Any] = {"group": "requests", "enter": fake_enter, "exit": fake_exit}
    return [
        Contender(
            floor_name,
            "requests",
            "floor: responses callback",
            floor,
            enter=floor_enter,
            exit=floor_exit,
        ),
        Contender(
            "requests.ovok_register", label="Ovok register", call=register, ref=floor_name, **common
        ),
        Contender("requests.ovok_login", label="Ovok login", call=login, ref=floor_name, **common),
        Contender(
            "requests.waltid_admin_register",
            label="walt.id admin register",
            call=waltid_register,
            ref=floor_name,
            **common,
        ),
    ]


# -- the WSGI app, called directly ----------------------------------------------------------------


def _environ(
    method: str, base: str, path: str, body: bytes, headers: dict[str, str]
) -> dict[str, Any]:
    """A small WSGI environ built by hand (werkzeug's EnvironBuilder costs several times more)."""
    scheme, _, host = base.partition("://")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443" if scheme == "https" else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call_wsgi(
    app: Any,
    base: str,
    path: str,
    body: Any,
    headers: dict[str, str] | None = None,
    *,
    method: str = "POST",
) -> int:
    """Send ``body`` as JSON (``None``: no body) to a WSGI app; the status code."""
    status: list[str] = []

    def start_response(line: str, _headers: Any, _exc_info: Any = None) -> Any:
        status.append(line)
        return None

    raw = b"" if body is None else json.dumps(body).encode()
    chunks = app(_environ(method, base, path, raw, headers or {}), start_response)
    b"".join(chunks)
    return int(status[0][:3])


def floor_wsgi_app(reply: bytes) -> Callable[..., list[bytes]]:
    """The cheapest useful WSGI app: read and parse the JSON body, answer a fixed reply."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        json.loads(environ["wsgi.input"].read(length))
        start_response("200 OK", [("Content-Type", JSON_TYPE), ("Content-Length", str(len(reply)))])
        return [reply]

    return app


def wsgi_rows(suite: Suite) -> list[Contender]:
    """The floor app and fakeauth's WSGI app, called directly with a hand-built environ."""
    floor_app = floor_wsgi_app(suite.reply)
    app = suite.fake.wsgi_app
    floor_name = "wsgi.floor"

    def floor() -> None:
        expect(call_wsgi(floor_app, OVOK, LOGIN_PATH, LOGIN), 200, "the WSGI floor")

    def register() -> None:
        body = ovok_register_body(_fresh_email("wsgi"))
        expect(call_wsgi(app, OVOK, REGISTER_PATH, body), 200, "Ovok register")

    def login() -> None:
        expect(call_wsgi(app, OVOK, LOGIN_PATH, LOGIN), 200, "Ovok login")

    def waltid_register() -> None:
        body = waltid_register_body(_fresh_email("wwsgi"))
        status = call_wsgi(app, WALTID, WALTID_REGISTER_PATH, body, suite.waltid_auth)
        expect(status, 201, "walt.id admin register")

    return [
        Contender(floor_name, "wsgi", "floor: minimal WSGI app", floor),
        Contender("wsgi.ovok_register", "wsgi", "Ovok register", register, ref=floor_name),
        Contender("wsgi.ovok_login", "wsgi", "Ovok login", login, ref=floor_name),
        Contender(
            "wsgi.waltid_admin_register",
            "wsgi",
            "walt.id admin register",
            waltid_register,
            ref=floor_name,
        ),
    ]


# -- httpx ----------------------------------------------------------------------------------------


def httpx_rows(suite: Suite) -> list[Contender]:
    """httpx: a MockTransport floor and ``httpx_transport()``; respx and ``mock_httpx()``."""
    try:
        httpx = importlib.import_module("httpx")
        respx = importlib.import_module("respx")
    except ImportError:
        reason = "httpx and respx are not installed (pip install 'fakeauth[httpx]')"
        return [
            Contender(name, "httpx", label, _nothing, skipped=reason)
            for name, label in (
                ("httpx.floor", "floor: httpx.MockTransport"),
                ("httpx.ovok_login", "Ovok login, httpx_transport()"),
                ("respx.floor", "floor: respx route"),
                ("respx.ovok_login", "Ovok login, mock_httpx()"),
            )
        ]
    reply = suite.reply

    def handler(request: Any) -> Any:
        json.loads(request.content)
        return httpx.Response(200, headers={"Content-Type": JSON_TYPE}, content=reply)

    floor_client = httpx.Client(transport=httpx.MockTransport(handler))
    fake_client = httpx.Client(transport=suite.fake.httpx_transport())
    plain_client = httpx.Client()
    suite.closers.callback(floor_client.close)
    suite.closers.callback(fake_client.close)
    suite.closers.callback(plain_client.close)
    active: list[Any] = []

    def respx_enter() -> None:
        router = respx.MockRouter(assert_all_called=False)
        router.post(OVOK + LOGIN_PATH).mock(side_effect=handler)
        router.start()
        active.append(router)

    def respx_exit() -> None:
        active.pop().stop(quiet=True)

    def fake_enter() -> None:
        interceptor = suite.fake.mock_httpx()
        interceptor.start()
        active.append(interceptor)

    def fake_exit() -> None:
        active.pop().stop()

    def post(client: Any, what: str) -> Call:
        def call() -> None:
            expect(client.post(OVOK + LOGIN_PATH, json=LOGIN).status_code, 200, what)

        return call

    return [
        Contender(
            "httpx.floor",
            "httpx",
            "floor: httpx.MockTransport",
            post(floor_client, "the httpx floor"),
        ),
        Contender(
            "httpx.ovok_login",
            "httpx",
            "Ovok login, httpx_transport()",
            post(fake_client, "Ovok login"),
            ref="httpx.floor",
        ),
        Contender(
            "respx.floor",
            "httpx",
            "floor: respx route",
            post(plain_client, "the respx floor"),
            enter=respx_enter,
            exit=respx_exit,
        ),
        Contender(
            "respx.ovok_login",
            "httpx",
            "Ovok login, mock_httpx()",
            post(plain_client, "Ovok login"),
            ref="respx.floor",
            enter=fake_enter,
            exit=fake_exit,
        ),
    ]


def _nothing() -> None:
    return None


# -- live servers on loopback ---------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's request handler without its per-request log line (fakeauth's server logs none
    either)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def werkzeug_server(suite: Suite, app: Any, *, threaded: bool = False) -> str:
    """werkzeug's development server as ``run_simple`` starts it: by default one thread and no
    keep-alive; ``threaded`` as ``flask run`` starts it (a thread per connection, keep-alive)."""
    # A class of its own per server: a threaded server sets HTTP/1.1 on the handler class it is
    # given, which would give the one-thread floor keep-alive too (it is measured without).
    handler = type("QuietHandler", (_QuietHandler,), {})
    server = make_server("127.0.0.1", 0, app, threaded=threaded, request_handler=handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    suite.closers.callback(stop)
    return f"http://127.0.0.1:{server.server_port}"


def _cheroot_server(suite: Suite, app: Any) -> str | None:
    """cheroot, fakeauth's earlier server (a selector thread hands each request to a pool of
    workers): the comparison behind the switch. ``None`` if it is not installed."""
    try:
        wsgi = importlib.import_module("cheroot.wsgi")
    except ImportError:
        return None
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=16)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()

    def stop() -> None:
        server.stop()
        thread.join(5)

    suite.closers.callback(stop)
    return f"http://127.0.0.1:{server.bind_addr[1]}"


def live_rows(suite: Suite) -> list[Contender]:
    """werkzeug's development server against ``fake.serve()``, both serving ``fake.wsgi_app``.

    A second pair serves the trivial floor app on both servers: the servers' own ratio, without
    the app's cost narrowing it.
    """
    from fakeauth.transports.server import LiveServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    trivial = floor_wsgi_app(suite.reply)
    live = suite.fake.serve()
    trivial_live = LiveServer(trivial).start()
    suite.closers.callback(live.stop)
    suite.closers.callback(trivial_live.stop)
    bases = {
        "live.werkzeug": werkzeug_server(suite, suite.fake.wsgi_app),
        "live.fake_serve": live.url,
        "live.werkzeug_threaded": werkzeug_server(suite, suite.fake.wsgi_app, threaded=True),
        "live.werkzeug_trivial": werkzeug_server(suite, trivial),
        "live.fakeauth_trivial": trivial_live.url,
    }
    cheroot = _cheroot_server(suite, trivial)
    if cheroot is not None:
        bases["live.cheroot_trivial"] = cheroot
    sessions = {name: new_session() for name in bases}
    for session in sessions.values():
        suite.closers.callback(session.close)

    def post(name: str) -> Call:
        session, url = sessions[name], bases[name] + LOGIN_PATH

        def call() -> None:
            expect(session.post(url, json=LOGIN).status_code, 200, name)

        return call

    return [
        Contender(
            "live.werkzeug",
            "live",
            "floor: werkzeug dev server, Ovok login",
            post("live.werkzeug"),
            weight=0.5,
        ),
        Contender(
            "live.fake_serve",
            "live",
            "fake.serve(), Ovok login",
            post("live.fake_serve"),
            ref="live.werkzeug",
            weight=0.5,
        ),
        Contender(
            "live.werkzeug_threaded",
            "live",
            "werkzeug dev server threaded (flask run), Ovok login",
            post("live.werkzeug_threaded"),
            ref="live.werkzeug",
            weight=0.5,
        ),
        Contender(
            "live.werkzeug_trivial",
            "live",
            "floor: werkzeug dev server, trivial app",
            post("live.werkzeug_trivial"),
            weight=0.5,
        ),
        Contender(
            "live.fakeauth_trivial",
            "live",
            "fakeauth's server, trivial app",
            post("live.fakeauth_trivial"),
            ref="live.werkzeug_trivial",
            weight=0.5,
        ),
        _cheroot_row(post, "live.cheroot_trivial" in bases),
    ]


def _cheroot_row(post: Callable[[str], Call], installed: bool) -> Contender:
    name, label = "live.cheroot_trivial", "cheroot, 16 threads (the earlier server), trivial app"
    if not installed:
        reason = "cheroot is not installed (pip install cheroot)"
        return Contender(name, "live", label, _nothing, skipped=reason)
    return Contender(name, "live", label, post(name), ref="live.werkzeug_trivial", weight=0.5)


# -- moto's Cognito fake against fakeauth: sign up + confirm + log in -----------------------------


def flow_rows(suite: Suite, *, use_moto: bool) -> list[Contender]:
    """moto's Cognito flow (boto3), and fakeauth's Ovok register + login (two transports)."""
    fake = suite.fake
    active: list[Any] = []

    def fake_enter() -> None:
        interceptor = fake.mock_requests()
        interceptor.start()
        active.append(interceptor)

    def fake_exit() -> None:
        active.pop().stop()

    def requests_flow() -> None:
        email = _fresh_email("flow")
        expect(post_json(OVOK + REGISTER_PATH, ovok_register_body(email)), 200, "Ovok register")
        login = {**LOGIN, "email": email}
        expect(post_json(OVOK + LOGIN_PATH, login), 200, "Ovok login")

    def wsgi_flow() -> None:
        email = _fresh_email("wflow")
        app = fake.wsgi_app
        expect(call_wsgi(app, OVOK, REGISTER_PATH, ovok_register_body(email)), 200, "register")
        expect(call_wsgi(app, OVOK, LOGIN_PATH, {**LOGIN, "email": email}), 200, "login")

    moto = _moto_contender(use_moto)
    return [
        moto,
        Contender(
            "flow.requests",
            "flow",
            "fakeauth register + login, mock_requests()",
            requests_flow,
            ref=moto.name,
            unit="flow",
            enter=fake_enter,
            exit=fake_exit,
        ),
        Contender(
            "flow.wsgi",
            "flow",
            "fakeauth register + login, WSGI app",
            wsgi_flow,
            ref=moto.name,
            unit="flow",
        ),
    ]


def _moto_contender(use_moto: bool) -> Contender:
    name, label = "flow.moto", "moto Cognito: sign up + confirm + log in (boto3)"
    if not use_moto:
        return Contender(name, "flow", label, _nothing, unit="flow", skipped="--no-moto")
    try:
        moto = importlib.import_module("moto")
        boto3 = importlib.import_module("boto3")
    except ImportError:
        reason = "moto is not installed (pip install 'moto[cognitoidp]' boto3)"
        return Contender(name, "flow", label, _nothing, unit="flow", skipped=reason)
    # Explicit dummy credentials: the run never reads any real ones.
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    state: dict[str, Any] = {}

    def enter() -> None:
        mock = moto.mock_aws()
        mock.start()
        pool = client.create_user_pool(PoolName="bench")["UserPool"]["Id"]
        app = client.create_user_pool_client(
            UserPoolId=pool, ClientName="bench", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )
        state.update(mock=mock, client_id=app["UserPoolClient"]["ClientId"])

    def exit_() -> None:
        state.pop("mock").stop()

    def flow() -> None:
        client_id, email = state["client_id"], _fresh_email("moto")
        client.sign_up(ClientId=client_id, Username=email, Password="Secret123!x")
        client.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode="123456")
        result = client.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": "Secret123!x"},
        )
        if "AccessToken" not in result.get("AuthenticationResult", {}):
            raise RuntimeError("benchmark: moto's initiate_auth gave no access token")

    return Contender(name, "flow", label, flow, unit="flow", weight=0.25, enter=enter, exit=exit_)


# -- per-test overhead ----------------------------------------------------------------------------


def overhead_rows(*, use_moto: bool) -> list[Contender]:
    """What a test pays before its first request: set-up and tear-down of the interception."""

    def bare() -> None:
        with responses.RequestsMock(assert_all_requests_are_fired=False):
            pass

    def fakeauth_test() -> None:
        with FakeAuth().mock_requests():
            pass

    def constructor() -> None:
        FakeAuth()

    shared = FakeAuth()

    def interception() -> None:
        with shared.mock_requests():
            pass

    floor_name = "overhead.responses"
    rows = [
        Contender(
            floor_name, "overhead", "floor: bare RequestsMock start + stop", bare, unit="test"
        ),
        Contender(
            "overhead.fakeauth",
            "overhead",
            "FakeAuth() + mock_requests() start + stop",
            fakeauth_test,
            ref=floor_name,
            unit="test",
        ),
        Contender(
            "overhead.constructor",
            "overhead",
            "  of which FakeAuth()",
            constructor,
            ref=floor_name,
            unit="test",
        ),
        Contender(
            "overhead.interception",
            "overhead",
            "  of which mock_requests() start + stop",
            interception,
            ref=floor_name,
            unit="test",
        ),
    ]
    label = "moto mock_aws() start + stop"
    try:
        moto = importlib.import_module("moto") if use_moto else None
    except ImportError:
        moto = None
    if moto is None:
        reason = "--no-moto" if not use_moto else "moto is not installed"
        rows.append(Contender("overhead.moto", "overhead", label, _nothing, skipped=reason))
    else:
        mock_aws = moto.mock_aws

        def moto_test() -> None:
            with mock_aws():
                pass

        rows.append(
            Contender(
                "overhead.moto",
                "overhead",
                label,
                moto_test,
                ref=floor_name,
                unit="test",
                weight=0.25,
            )
        )
    return rows


# -- scale: login latency with many seeded accounts -----------------------------------------------


@dataclass
class Seeded:
    """A fake seeded with ``accounts`` accounts, and how long seeding took."""

    accounts: int
    fake: FakeAuth
    seconds: float
    emails: list[str]


def seed(accounts: int, clock: Callable[[], float]) -> Seeded:
    """A fresh fake with ``accounts`` accounts, seeded through ``fake.ovok.add_account``."""
    fake = FakeAuth()
    emails = [f"user{i}@example.test" for i in range(accounts)]
    add = fake.ovok.add_account
    start = clock()
    for email in emails:
        add(email=email, password=PASSWORD)
    return Seeded(accounts, fake, clock() - start, emails)


def scale_rows(seeded: list[Seeded]) -> list[Contender]:
    """Ovok login through the WSGI app, on fakes of growing size.

    Each fake is logged into with one account of its own (so the rows differ only in the size of
    the state), and the largest also with random accounts: every login then reads a dozen objects
    no recent login touched, and the row shows what the machine's memory latency adds to that.
    """
    floor_name = f"scale.{seeded[0].accounts}"
    rows = []
    for item in seeded:
        one = random.Random(item.accounts).choice(item.emails)
        rows.append(
            Contender(
                f"scale.{item.accounts}",
                "scale",
                f"Ovok login, {item.accounts:,} account{'s' if item.accounts != 1 else ''}",
                _scale_login(item, [one]),
                ref=None if item is seeded[0] else floor_name,
                info={"accounts": item.accounts, "seed_seconds": item.seconds},
            )
        )
    largest = seeded[-1]
    rows.append(
        Contender(
            f"scale.{largest.accounts}.random",
            "scale",
            f"Ovok login, {largest.accounts:,} accounts, a random one each time",
            _scale_login(largest, random.Random(8).choices(largest.emails, k=4096)),
            ref=floor_name,
            info={"accounts": largest.accounts, "seed_seconds": largest.seconds},
        )
    )
    return rows


def _scale_login(item: Seeded, emails: list[str]) -> Call:
    bodies = itertools.cycle([{**LOGIN, "email": email} for email in emails])
    app = item.fake.wsgi_app

    def call() -> None:
        expect(call_wsgi(app, OVOK, LOGIN_PATH, next(bodies)), 200, "Ovok login")

    return call


# -- start-up: a fresh interpreter's first use --------------------------------------------------

#: What a test's first use of fakeauth does, in a fresh interpreter: import, construct, seed, log in
#: through the WSGI app (the steps tests/test_import_cost.py counts the modules of).
FIRST_USE = f"""
from fakeauth import FakeAuth
from werkzeug.test import Client

fake = FakeAuth()
fake.ovok.add_account(email={EMAIL!r}, password={PASSWORD!r})
reply = Client(fake.wsgi_app).post(
    {LOGIN_PATH!r}, base_url={OVOK!r}, json={LOGIN!r}
)
assert reply.status_code == 200, reply.status_code
"""


def _child_cwd() -> str:
    # The directory holding the fakeauth package this run imported: a child's ``-c`` puts its
    # working directory first on its path, so every child measures that same fakeauth.
    return str(Path(fakeauth.__file__).resolve().parent.parent)


def _child_env() -> dict[str, str]:
    # Byte-code caches on, as in an installed package (a development shell may turn them off:
    # each import would then compile its source, which no user pays twice).
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run_child(code: str, what: str) -> Call:
    command = [sys.executable, "-c", code]
    env, cwd = _child_env(), _child_cwd()

    def call() -> None:
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
        expect(done.returncode, 0, what)

    return call


def _serve_first_answer() -> None:
    """``fakeauth serve`` from exec until its first answer (an Ovok login) has been read."""
    command = [sys.executable, "-c", "import sys; from fakeauth.cli import main; sys.exit(main())"]
    command += ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=_child_env(), cwd=_child_cwd()
    )
    try:
        assert process.stdout is not None
        port = None
        for line in process.stdout:
            match = re.search(r"serving on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise RuntimeError("benchmark: fakeauth serve did not print its address")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({**LOGIN, "password": "not-the-password"})
        connection.request("POST", "/ovok" + LOGIN_PATH, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        expect(response.status, 401, "fakeauth serve's first Ovok login")
    finally:
        process.terminate()
        process.wait(30)


def startup_rows() -> list[Contender]:
    """A bare interpreter (the floor), the first use of fakeauth in one, and ``fakeauth serve``
    from exec to its first answer: each unit a whole child process, so they run one round in
    ten."""
    floor_name = "startup.bare"
    common: dict[str, Any] = {"group": "startup", "unit": "process", "weight": 0.1, "every": 10}
    return [
        Contender(
            floor_name,
            label="floor: bare interpreter, exec to exit",
            call=_run_child("pass", "a bare interpreter"),
            **common,
        ),
        Contender(
            "startup.first_use",
            label="first FakeAuth() + Ovok login (WSGI), exec to exit",
            call=_run_child(FIRST_USE, "the first use"),
            ref=floor_name,
            **common,
        ),
        Contender(
            "startup.serve",
            label="fakeauth serve, exec to first answer, stopped and exited",
            call=_serve_first_answer,
            ref=floor_name,
            **common,
        ),
    ]


def iter_rows(suite: Suite, seeded: list[Seeded], *, use_moto: bool) -> Iterator[Contender]:
    """Every row of the run, in table order."""
    from login_probe import probe_rows  # it imports this module's helpers
    from serve_rows import serve_answer_rows  # it imports this module's helpers
    from token_rows import token_rows  # it imports this module's helpers

    yield from requests_rows(suite)
    yield from probe_rows(suite)
    yield from wsgi_rows(suite)
    yield from token_rows(suite)
    yield from httpx_rows(suite)
    yield from live_rows(suite)
    yield from flow_rows(suite, use_moto=use_moto)
    yield from overhead_rows(use_moto=use_moto)
    yield from scale_rows(seeded)
    yield from startup_rows()
    yield from serve_answer_rows()
