"""No side door (issue 22): every spelling of a vendor host, every resolver and every proxy.

A faked test must never reach the real vendor. Each test here proves it without the network:
the standard library's resolvers are replaced by one that records every name it is asked for
and resolves only loopback names (so a name that slipped past the guard is seen, never looked
up), and the proxies are loopback servers that record what arrives and reach nothing.
"""

from __future__ import annotations

import _socket
import asyncio
import contextlib
import http.client
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import httpcore
import httpx
import pytest
import requests
import urllib3
from aioresponses import aioresponses

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.transports.guard import VendorHostRefusedError

OVOK = "api.dev.ovok.com"
ME = "/auth/me"
UNAUTHORIZED = {"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}
REFUSAL = (
    "fakeauth: refused a connection to {host}, a vendor host of this test's FakeAuth, from a "
    "client that is not intercepted here: fake.mock_requests() answers requests, "
    "fake.mock_httpx() answers httpx, fake.mock_aiohttp() answers aiohttp (the fakeauth fixture "
    "does all three); point any other client at the fake's live server (fake.serve() or the "
    "fakeauth_server fixture)"
)
UNREADABLE = (
    "fakeauth: refused a connection to {host}, a host name fakeauth cannot normalise ({why}), so "
    "it cannot tell it from a vendor host of this test's FakeAuth; write the host as the URL's "
    "own (ASCII or IDNA) name"
)
TIMEOUT = 10  # seconds: a safety net for a client that would hang, never a pace

#: Spellings of the Ovok host (a URL's authority) that reach the same servers as the name itself.
SPELLINGS = {
    "trailing dot": "api.dev.ovok.com.",
    "upper case, trailing dot": "API.Dev.Ovok.Com.",
    "full-width dot": "api.dev.ovok\uff0ecom",
    "ideographic full stop": "api.dev.ovok.com\u3002",
    "half-width ideographic full stop": "api\uff61dev.ovok.com",
    "full-width letters": "\uff41\uff50\uff49.dev.ovok.com",
    "userinfo, trailing dot": "user:secret@api.dev.ovok.com.",
    "default port, trailing dot": "api.dev.ovok.com.:443",
    "default port with a zero": "api.dev.ovok.com:0443",
}
#: The spellings a client refuses itself (its own URL parser), before any network.
CLIENT_REFUSES = {
    "requests": {
        "full-width dot",
        "ideographic full stop",
        "half-width ideographic full stop",
        "full-width letters",
    },
    "httpx": {"full-width letters"},
    "httpx async": {"full-width letters"},
    "aiohttp": set(),
}
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr")


# -- the test's own resolver: loopback only, and a record of every other name -----------------


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every name a resolver of the standard library was asked for, past the guard (each one
    refused with ``socket.gaierror``); loopback names resolve as usual."""
    names: list[tuple[str, Any]] = []

    def recording(function: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
            if name in LOOPBACK_NAMES or not name:
                return real(host, *args, **kwargs)
            names.append((function, host))
            raise socket.gaierror(socket.EAI_NONAME, f"the test resolves no {host!r}")

        return resolve

    for module in (socket, _socket):
        for function in RESOLVERS:
            monkeypatch.setattr(module, function, recording(function, getattr(module, function)))
    return names


@pytest.fixture
def every_interception(asked: list[tuple[str, Any]]) -> Iterator[FakeAuth]:
    """A fake with mock_requests(), mock_httpx() and mock_aiohttp() active, as the fixture (over
    the test's resolver, as the guard is over the real one)."""
    fake = FakeAuth()
    with fake.mock_requests(), fake.mock_httpx(), fake.mock_aiohttp():
        yield fake


# -- the clients: each answers (status, JSON) or raises ------------------------------------------


def via_requests(url: str) -> tuple[int, Any]:
    response = requests.get(url, timeout=TIMEOUT)
    return response.status_code, response.json()


def via_httpx(url: str) -> tuple[int, Any]:
    with httpx.Client(timeout=TIMEOUT) as client:
        response = client.get(url)
    return response.status_code, response.json()


def via_httpx_async(url: str) -> tuple[int, Any]:
    async def get() -> tuple[int, Any]:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(url)
        return response.status_code, response.json()

    return asyncio.run(get())


def via_aiohttp(url: str) -> tuple[int, Any]:
    async def get() -> tuple[int, Any]:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
            return response.status, json.loads(await response.read())

    return asyncio.run(get())


CLIENTS: dict[str, Callable[[str], tuple[int, Any]]] = {
    "requests": via_requests,
    "httpx": via_httpx,
    "httpx async": via_httpx_async,
    "aiohttp": via_aiohttp,
}
ANSWERED = [
    pytest.param(client, spelling, id=f"{client}-{spelling}")
    for client in CLIENTS
    for spelling in SPELLINGS
    if spelling not in CLIENT_REFUSES[client]
]
REFUSED_BY_THE_CLIENT = [
    pytest.param(client, spelling, id=f"{client}-{spelling}")
    for client in CLIENTS
    for spelling in sorted(CLIENT_REFUSES[client])
]


# -- 1. every spelling of a vendor host ----------------------------------------------------------


@pytest.mark.parametrize(("client", "spelling"), ANSWERED)
def test_every_spelling_is_answered_as_the_vendor_host_itself(
    client: str, spelling: str, every_interception: FakeAuth, asked: list[tuple[str, Any]]
) -> None:
    fake = every_interception

    answer = CLIENTS[client](f"https://{SPELLINGS[spelling]}{ME}")

    assert answer == (401, UNAUTHORIZED)
    fake.calls("ovok.me").assert_called_once()
    assert asked == []


@pytest.mark.parametrize(("client", "spelling"), REFUSED_BY_THE_CLIENT)
def test_a_spelling_the_client_refuses_itself_never_reaches_a_resolver(
    client: str, spelling: str, every_interception: FakeAuth, asked: list[tuple[str, Any]]
) -> None:
    with pytest.raises((requests.exceptions.InvalidURL, httpx.InvalidURL)):
        CLIENTS[client](f"https://{SPELLINGS[spelling]}{ME}")

    assert asked == []
    assert len(every_interception.network_refusals) == 0


def http_client_get(host: str) -> None:
    connection = http.client.HTTPSConnection(host, timeout=TIMEOUT)
    try:
        connection.request("GET", ME)
    finally:
        connection.close()


def create_connection(host: str) -> None:
    socket.create_connection((host, 443), timeout=TIMEOUT).close()


#: Clients fakeauth does not answer, with a host as they take it, and the name they look up.
NOT_INTERCEPTED = [
    pytest.param(http_client_get, host, looked_up, id=f"http.client-{spelling}")
    for spelling, host, looked_up in [
        ("trailing dot", "api.dev.ovok.com.", "api.dev.ovok.com."),
        ("upper case", "API.Dev.Ovok.Com.", "API.Dev.Ovok.Com."),
        ("full-width dot", "api.dev.ovok\uff0ecom", "api.dev.ovok\uff0ecom"),
        ("ideographic full stop", "api.dev.ovok.com\u3002", "api.dev.ovok.com\u3002"),
        (
            "full-width letters",
            "\uff41\uff50\uff49.dev.ovok.com",
            "\uff41\uff50\uff49.dev.ovok.com",
        ),
        ("default port", "api.dev.ovok.com.:443", "api.dev.ovok.com."),
    ]
] + [
    pytest.param(create_connection, host, host, id=f"socket-{spelling}")
    for spelling, host in [
        ("trailing dot", "api.dev.ovok.com."),
        ("full-width dot", "api.dev.ovok\uff0ecom"),
        ("ideographic full stop", "api.dev.ovok.com\u3002"),
    ]
]


@pytest.mark.parametrize(("get", "host", "looked_up"), NOT_INTERCEPTED)
def test_every_spelling_is_refused_to_a_client_that_is_not_intercepted(
    get: Callable[[str], None],
    host: str,
    looked_up: str,
    every_interception: FakeAuth,
    asked: list[tuple[str, Any]],
) -> None:
    with pytest.raises(VendorHostRefusedError) as refused:
        get(host)

    assert str(refused.value) == REFUSAL.format(host=looked_up)
    assert asked == []
    assert every_interception.network_refusals.since(0) == [looked_up]
    every_interception.network_refusals.clear()  # the refusal is the point: the block passes


@pytest.mark.parametrize(
    "url",
    ["https://api.dev.ovok.com./auth/me", "https://API.DEV.OVOK.COM:443/auth/me"],
)
def test_urllib_is_refused_every_spelling(
    url: str, every_interception: FakeAuth, asked: list[tuple[str, Any]]
) -> None:
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(url, timeout=TIMEOUT)

    assert isinstance(refused.value.reason, VendorHostRefusedError)
    assert asked == []
    assert len(every_interception.network_refusals) == 1
    every_interception.network_refusals.clear()


def test_a_name_that_cannot_be_normalised_is_refused_not_looked_up(
    every_interception: FakeAuth, asked: list[tuple[str, Any]]
) -> None:
    with pytest.raises(VendorHostRefusedError) as refused:
        socket.getaddrinfo("api..ovok.com", 443)

    why = "'api..ovok.com' is not a host name: a label is empty or too long"
    assert str(refused.value) == UNREADABLE.format(host="api..ovok.com", why=why)
    assert asked == []
    every_interception.network_refusals.clear()


def test_the_hosts_options_take_every_spelling(asked: list[tuple[str, Any]]) -> None:
    fake = FakeAuth(
        ovok_hosts="https://API.Ovok\uff0eExample.:443/",
        waltid_hosts="https://user@waltid.example./",
    )

    with fake.mock_requests(), fake.mock_httpx():
        by_requests = via_requests("https://api.ovok.example/auth/me")
        by_httpx = via_httpx("https://API.OVOK.EXAMPLE./auth/me")
        with pytest.raises(VendorHostRefusedError):
            socket.getaddrinfo("api.ovok\u3002example", 443)
        fake.network_refusals.clear()

    assert fake.hosts["ovok"] == ("https://api.ovok.example",)
    assert fake.hosts["waltid"] == ("https://waltid.example",)
    assert by_requests == by_httpx == (401, UNAUTHORIZED)
    assert asked == []


def test_a_b2core_broker_is_found_by_every_spelling_of_its_host() -> None:
    fake = FakeAuth()
    broker = fake.b2core.add_broker("https://Second.Broker\uff0eexample.")

    assert broker.url == "https://second.broker.example"
    assert fake.b2core.broker_for_host("SECOND.broker.example.:443") is broker
    assert fake.b2core.broker("https://second.broker.example:443") is broker
    assert fake.vendor_for_host("user@second.broker.example.") is not None


def test_a_host_option_that_cannot_be_normalised_is_refused_with_the_options_sentence() -> None:
    with pytest.raises(ConfigurationError) as refused:
        FakeAuth(ovok_hosts="https://api..ovok.com")

    assert str(refused.value) == (
        "fakeauth: ovok_hosts takes base URLs such as 'https://api.example.com', "
        "not 'https://api..ovok.com'"
    )


# -- 2. every resolver -----------------------------------------------------------------------------


@pytest.mark.parametrize("module", [socket, _socket], ids=["socket", "_socket"])
@pytest.mark.parametrize("function", RESOLVERS)
@pytest.mark.parametrize("host", ["api.dev.ovok.com", "api.dev.ovok\uff0ecom."])
def test_every_resolver_of_the_standard_library_is_guarded(
    module: Any, function: str, host: str, asked: list[tuple[str, Any]]
) -> None:
    fake = FakeAuth()
    arguments = (host, 443) if function == "getaddrinfo" else (host,)

    with (
        pytest.raises(VendorHostRefusedError, match=r"1 connection\(s\) refused"),
        fake.mock_requests(),
        pytest.raises(VendorHostRefusedError) as refused,
    ):
        getattr(module, function)(*arguments)

    assert str(refused.value) == REFUSAL.format(host=host)
    assert asked == []
    with pytest.raises(socket.gaierror):  # the guard is off after the block: the call goes on
        getattr(module, function)(*arguments)
    assert asked == [(function, host)]


@pytest.fixture
def vendor_listener() -> Iterator[tuple[FakeAuth, socket.socket, socket.socket]]:
    """A fake whose B2Core host is ``http://localhost:PORT``, where a loopback TCP listener and a
    UDP socket wait (non-blocking): whatever reached them is readable at once."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    datagrams = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    datagrams.bind(("127.0.0.1", port))
    listener.setblocking(False)
    datagrams.setblocking(False)
    with listener, datagrams:
        yield FakeAuth(b2core_hosts=f"http://localhost:{port}"), listener, datagrams


SOCKET_CALLS: dict[str, Callable[[socket.socket, socket.socket, tuple[str, int]], Any]] = {
    "connect": lambda stream, _, address: stream.connect(address),
    "connect_ex": lambda stream, _, address: stream.connect_ex(address),
    "sendto": lambda _, datagram, address: datagram.sendto(b"x", address),
    "sendto with flags": lambda _, datagram, address: datagram.sendto(b"x", 0, address),
    "sendmsg": lambda _, datagram, address: datagram.sendmsg([b"x"], [], 0, address),
}


@pytest.mark.parametrize("call", SOCKET_CALLS)
def test_a_socket_given_a_vendor_host_by_name_is_refused(
    call: str, vendor_listener: tuple[FakeAuth, socket.socket, socket.socket]
) -> None:
    fake, listener, datagrams = vendor_listener
    port = listener.getsockname()[1]

    with (
        fake.mock_requests(assert_all_served=False),
        socket.socket() as stream,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram,
    ):
        with pytest.raises(VendorHostRefusedError) as refused:
            SOCKET_CALLS[call](stream, datagram, ("LOCALHOST.", port))
        fake.network_refusals.clear()

    assert str(refused.value) == REFUSAL.format(host="LOCALHOST.")
    with pytest.raises(BlockingIOError):
        listener.accept()  # no connection arrived
    with pytest.raises(BlockingIOError):
        datagrams.recv(16)  # no datagram arrived


def test_a_socket_to_another_address_connects_under_the_guard(
    vendor_listener: tuple[FakeAuth, socket.socket, socket.socket],
) -> None:
    fake, listener, _ = vendor_listener
    port = listener.getsockname()[1]

    with fake.mock_requests(), socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT):
        pass

    accepted, _ = listener.accept()
    accepted.close()
    assert len(fake.network_refusals) == 0


# -- 2. every proxy --------------------------------------------------------------------------------


class RecordingProxy:
    """A loopback HTTP proxy that reaches nothing: it keeps the head of every request sent to it
    and answers each 502."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = self._listener.getsockname()[:2]
        self.url = f"http://127.0.0.1:{self.address[1]}"
        self._condition = threading.Condition()
        self._heads: list[bytes] = []
        self._open = 0
        self._flushed = False
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            connection, _ = self._listener.accept()
            if self._closing:  # the wake-up connection of close()
                connection.close()
                return
            with self._condition:
                self._open += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        head = b""
        with connection:
            while b"\r\n\r\n" not in head and head != b"FLUSH":
                chunk = connection.recv(4096)
                if not chunk:
                    break
                head += chunk
            if head.endswith(b"\r\n\r\n"):
                connection.sendall(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
        with self._condition:
            self._open -= 1
            if head == b"FLUSH":
                self._flushed = True
            elif head:
                self._heads.append(head)
            self._condition.notify_all()

    def heads(self) -> list[bytes]:
        """The heads that arrived, once every connection made so far has ended: a last
        connection is accepted after all earlier ones, and ends at once."""
        with socket.create_connection(self.address, timeout=TIMEOUT) as last:
            last.sendall(b"FLUSH")
        with self._condition:
            ended = self._condition.wait_for(
                lambda: self._flushed and self._open == 0, timeout=TIMEOUT
            )
        assert ended, "a client left its connection to the proxy open"
        return list(self._heads)

    def close(self) -> None:
        """Stop accepting: a last connection wakes the accepting thread."""
        self._closing = True
        socket.create_connection(self.address, timeout=TIMEOUT).close()
        self._thread.join(TIMEOUT)
        self._listener.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    server = RecordingProxy()
    yield server
    server.close()


def requests_proxies(url: str, proxy: str) -> tuple[int, Any]:
    response = requests.get(url, proxies={"http": proxy, "https": proxy}, timeout=TIMEOUT)
    return response.status_code, response.json()


def requests_environment(url: str, proxy: str) -> tuple[int, Any]:
    return via_requests(url)  # HTTP_PROXY and HTTPS_PROXY name the proxy


def httpx_proxy(url: str, proxy: str) -> tuple[int, Any]:
    with httpx.Client(proxy=proxy, timeout=TIMEOUT) as client:
        response = client.get(url)
    return response.status_code, response.json()


def httpx_mounts(url: str, proxy: str) -> tuple[int, Any]:
    mounts = {"all://": httpx.HTTPTransport(proxy=proxy)}
    with httpx.Client(mounts=mounts, timeout=TIMEOUT) as client:
        response = client.get(url)
    return response.status_code, response.json()


def httpx_environment(url: str, proxy: str) -> tuple[int, Any]:
    return via_httpx(url)  # trust_env: HTTP_PROXY and HTTPS_PROXY name the proxy


def httpx_async_proxy(url: str, proxy: str) -> tuple[int, Any]:
    async def get() -> tuple[int, Any]:
        async with httpx.AsyncClient(proxy=proxy, timeout=TIMEOUT) as client:
            response = await client.get(url)
        return response.status_code, response.json()

    return asyncio.run(get())


def aiohttp_proxy(url: str, proxy: str) -> tuple[int, Any]:
    async def get() -> tuple[int, Any]:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, proxy=proxy) as response,
        ):
            return response.status, json.loads(await response.read())

    return asyncio.run(get())


def urllib_proxy_handler(url: str, proxy: str) -> tuple[int, Any]:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": proxy, "https": proxy})
    )
    with opener.open(url, timeout=TIMEOUT) as response:
        return response.status, json.loads(response.read())


def urllib3_proxy_manager(url: str, proxy: str) -> tuple[int, Any]:
    with urllib3.ProxyManager(proxy, timeout=TIMEOUT, retries=False) as manager:
        response = manager.request("GET", url)
    return response.status, response.json()


class HttpcoreProxyTransport(httpx.BaseTransport):
    """A custom httpx transport that sends through ``httpcore.HTTPProxy`` itself."""

    def __init__(self, proxy: str) -> None:
        self._pool = httpcore.HTTPProxy(proxy_url=proxy)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._pool.request(
            request.method, str(request.url), headers=request.headers.raw, content=request.content
        )
        return httpx.Response(answer.status, headers=answer.headers, content=answer.content)

    def close(self) -> None:
        self._pool.close()


def httpcore_proxy(url: str, proxy: str) -> tuple[int, Any]:
    with httpx.Client(transport=HttpcoreProxyTransport(proxy), timeout=TIMEOUT) as client:
        response = client.get(url)
    return response.status_code, response.json()


def httpcore_async_proxy(url: str, proxy: str) -> tuple[int, Any]:
    async def get() -> tuple[int, Any]:
        async with httpcore.AsyncHTTPProxy(proxy_url=proxy) as pool:
            answer = await pool.request("GET", url)
        return answer.status, json.loads(answer.content)

    return asyncio.run(get())


#: Each way through a proxy, whether it reads the proxy from the environment, and which
#: interception answers it (None: no interception does; the guard refuses it).
PROXIED: dict[str, tuple[Callable[[str, str], tuple[int, Any]], bool, str | None]] = {
    "requests proxies=": (requests_proxies, False, "mock_requests"),
    "requests HTTP(S)_PROXY": (requests_environment, True, "mock_requests"),
    "httpx proxy=": (httpx_proxy, False, "mock_httpx"),
    "httpx mounts": (httpx_mounts, False, "mock_httpx"),
    "httpx HTTP(S)_PROXY": (httpx_environment, True, "mock_httpx"),
    "httpx async proxy=": (httpx_async_proxy, False, "mock_httpx"),
    "aiohttp proxy=": (aiohttp_proxy, False, "mock_aiohttp"),
    "urllib ProxyHandler": (urllib_proxy_handler, False, None),
    "urllib3 ProxyManager": (urllib3_proxy_manager, False, None),
    "httpcore HTTPProxy in an httpx transport": (httpcore_proxy, False, None),
    "httpcore AsyncHTTPProxy": (httpcore_async_proxy, False, None),
}
#: The interceptions of each case of the matrix: all three (the fixture's), or all but the one
#: that answers the client (so that the guard alone stands between it and the proxy).
INTERCEPTIONS = ("mock_requests", "mock_httpx", "mock_aiohttp")
#: Vendor URLs, and the authority the refusal names: the one the request to the proxy names.
VENDOR_URLS = {
    "https (CONNECT)": (f"https://{OVOK}{ME}", f"{OVOK}:443"),
    "http (absolute form)": (f"http://{OVOK}{ME}", OVOK),
    "http, trailing dot": (f"http://{OVOK}.{ME}", f"{OVOK}."),
}


def _intercepting(fake: FakeAuth, names: tuple[str, ...]) -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    for name in names:
        stack.enter_context(getattr(fake, name)())
    return stack


#: Every way through a proxy under all three interceptions, and each one that an interception
#: answers again without that interception.
PROXY_CASES = [
    pytest.param(way, all_three, id=f"{way}-{'all interceptions' if all_three else 'not its own'}")
    for all_three in (True, False)
    for way, (_, _, answered_by) in PROXIED.items()
    if all_three or answered_by is not None
]


@pytest.mark.parametrize(("url", "named"), VENDOR_URLS.values(), ids=VENDOR_URLS)
@pytest.mark.parametrize(("way", "all_three"), PROXY_CASES)
def test_a_vendor_host_through_a_proxy_is_answered_by_the_fake_or_refused(
    way: str,
    url: str,
    named: str,
    all_three: bool,
    proxy: RecordingProxy,
    monkeypatch: pytest.MonkeyPatch,
    asked: list[tuple[str, Any]],
) -> None:
    client, from_environment, answered_by = PROXIED[way]
    if from_environment:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    names = INTERCEPTIONS if all_three else tuple(n for n in INTERCEPTIONS if n != answered_by)
    fake = FakeAuth()
    answer: Any = None
    error: BaseException | None = None
    left: VendorHostRefusedError | None = None

    try:
        with _intercepting(fake, names):
            try:
                answer = client(url, proxy.url)
            except Exception as exc:  # the client's own error, with the refusal inside
                error = exc
    except VendorHostRefusedError as refusals:
        left = refusals

    assert proxy.heads() == []  # nothing reached the proxy
    assert asked == []
    if all_three and answered_by is not None:
        assert (answer, error, left) == ((401, UNAUTHORIZED), None, None)
        fake.calls("ovok.me").assert_called_once()
    else:
        assert answer is None
        assert isinstance(error, Exception)  # the client's own error (httpcore's does not say why)
        refused = fake.network_refusals.since(0)  # aiohttp tries a second connection
        assert set(refused) == {named}
        assert str(left) == (
            f"{REFUSAL.format(host=named)} ({len(refused)} connection(s) refused); a test that "
            "expects the refusal says so: with fake.network_refusals.expected(): ..."
        )


def test_a_proxy_request_for_another_host_reaches_the_proxy(proxy: RecordingProxy) -> None:
    fake = FakeAuth()

    with fake.mock_requests(), pytest.raises(urllib.error.HTTPError) as answered:
        urllib_proxy_handler("http://elsewhere.test/x", proxy.url)

    assert answered.value.code == 502
    answered.value.close()
    [head] = proxy.heads()
    assert head.startswith(b"GET http://elsewhere.test/x HTTP/1.1\r\n")


def test_a_spelling_passes_through_your_own_aioresponses_mock_to_the_fake(
    asked: list[tuple[str, Any]],
) -> None:
    fake = FakeAuth()

    with fake.mock_aiohttp(), aioresponses():
        answer = via_aiohttp(f"https://{SPELLINGS['default port, trailing dot']}{ME}")

    assert answer == (401, UNAUTHORIZED)
    assert asked == []


UNDER_THE_FIXTURE = """
import _socket, asyncio, socket, urllib.request
import aiohttp, httpx, pytest, requests

VENDOR = "https://api.dev.ovok.com./auth/me"
ASKED = []

@pytest.fixture(autouse=True)
def no_dns(monkeypatch):  # below the fixture's guard: records what got past it
    for module in (socket, _socket):
        for function in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
            def resolve(host, *args, **kwargs):
                ASKED.append(host)
                raise socket.gaierror(socket.EAI_NONAME, "no DNS in this test")
            monkeypatch.setattr(module, function, resolve)
    yield
    assert ASKED == []

async def by_aiohttp():
    async with aiohttp.ClientSession() as session, session.get(VENDOR) as response:
        return response.status

def test_every_intercepted_client_is_answered(fakeauth):
    assert requests.get(VENDOR, timeout=5).status_code == 401
    assert httpx.get("https://API.dev.ovok\\uff0ecom/auth/me").status_code == 401
    assert asyncio.run(by_aiohttp()) == 401

def test_urllib_is_refused(fakeauth):
    with pytest.raises(OSError, match="refused a connection to api.dev.ovok.com., a vendor host"):
        urllib.request.urlopen(VENDOR, timeout=5)

def test_a_resolver_is_refused(fakeauth):
    with pytest.raises(OSError, match="refused a connection to api.dev.ovok\\uff0ecom, a vendor"):
        socket.gethostbyname("api.dev.ovok\\uff0ecom")
"""


@pytest.mark.slow
def test_the_fakeauth_fixture_closes_the_same_doors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_under_the_fixture=UNDER_THE_FIXTURE)

    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", "-rA")

    # Each refused test passes (it caught the refusal) and fails at teardown: a refusal is kept.
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_urllib_is_refused*",
            "*VendorHostRefusedError: fakeauth: refused a connection to api.dev.ovok.com., *",
            "*ERROR at teardown of test_a_resolver_is_refused*",
        ]
    )
