"""The ``server`` group of ``bench.py``: each live server in a process of its own.

Four servers, each serving ``FakeAuth().wsgi_app`` with one seeded Ovok account on a loopback
port of its own, each in its own child process: fakeauth's (``fake.serve()``), werkzeug's
development server as ``run_simple`` starts it (one thread, HTTP/1.0, a new connection a call)
and as ``flask run`` starts it (a thread per connection, kept alive), and waitress (its defaults:
four worker threads). The clients run in the bench process:

- one kept-alive client, an Ovok login and a ``GET /auth/me`` (calls per second), through a
  ``requests.Session`` (what a user's test runs) and through ``http.client`` (a lean client: less
  of each call is the client's own work, so more of it is the server's);
- 16 client threads, each with its own kept-alive client, every call timed (median and p99).

A child prints ``ready PORT`` once it serves, and serves until its standard input closes: the
parent closes it to stop the child, and the kernel closes it when the parent dies however it dies,
so no child outlives a run. Run ``python benchmarks/live_rows.py`` for a quick look at the
servers alone (a few rounds, no targets); ``bench.py --only server`` for the judged rows.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contenders import EMAIL, LOGIN, LOGIN_PATH, PASSWORD, Call, Contender, Suite, new_session
from server_procs import (
    CLIENTS,
    JSON_HEADERS,
    PROCESSES,
    ProcessBurst,
    ProcessPool,
    http_exchange,
)

#: The servers, in table order; the first is fakeauth's.
KINDS = ("fake", "werkzeug", "werkzeug_threaded", "waitress")
LABELS = {
    "fake": "fake.serve()",
    "werkzeug": "werkzeug dev server (run_simple)",
    "werkzeug_threaded": "werkzeug threaded (flask run)",
    "waitress": "waitress (4 threads)",
    "fake_before": "fake.serve(), the code before",
    "raw": "ceiling: a raw socket's fixed reply",
    "raw_app": "ceiling: a raw socket's fixed reply after the fake's app",
}
#: The ceilings' children (``raw_server.py``): rows of their own, never a target's numerator or
#: floor. The first answers fixed bytes; the second runs the fake's application first.
CEILINGS = ("raw", "raw_app")
ME_PATH = "/auth/me"
#: A fakeauth source tree to serve from as well (``fake_before``: its rows beside the others',
#: so the code before a change and after it are measured in the same run). Reported, not judged.
BEFORE_ENV = "LIVE_ROWS_BEFORE"
#: Client threads of the latency rows, and the calls each makes in one unit (a burst).
THREADS = 16
CALLS_PER_THREAD = 4
#: The longest a child may take to start serving (it imports fakeauth and its server).
READY_SECONDS = 60.0
STOP_SECONDS = 10.0
_BODY = json.dumps(LOGIN).encode()

#: The issue's targets for this group, as ``bench.Target``'s fields: the name, what it says, the
#: numerator and denominator rows, the measure, the comparison and the limit. Calls per second are
#: judged with ``http.client``: through a ``requests.Session`` no server can meet the limits (the
#: raw socket's ceiling rows show it in every run; docs/decisions.md, "The live server's targets
#: are judged where the server is measured"), and those rows are reported beside. The p99 is
#: judged with 16 client processes (``server_procs.py``), a ``requests.Session`` each: 16 threads
#: of one process measure that process's lock, and their rows are reported beside.
SERVER_TARGETS = (
    *(
        (f"server_{endpoint}_vs_{kind}", f"fakeauth's server / {LABELS[kind]}, {what} calls per "
         "second, each server in its own process (http.client)",
         f"server.fake.{endpoint}.http.client", f"server.{kind}.{endpoint}.http.client", "rate",
         ">=", limit)
        for endpoint, what in (("login", "Ovok login"), ("me", "GET /auth/me"))
        for kind, limit in (("werkzeug", 1.5), ("waitress", 1.3))
    ),
    *(
        (f"server_p99_vs_{kind}", f"fakeauth's server's p99 / {LABELS[kind]}'s, 16 client "
         "processes (requests.Session): the lowest of all", "server.fake.procs.requests",
         f"server.{kind}.procs.requests", "p99", "<=", 1.0)
        for kind in KINDS[1:]
    ),
)  # fmt: skip


def _monotonic() -> float:
    # The kernel's monotonic clock, as the server's own timeouts (no test library patches it).
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# -- the child: one server ------------------------------------------------------------------------


def _serve_in_child(kind: str) -> int:
    """Start the server of ``kind``, print ``ready PORT``, serve until stdin closes."""
    # Ctrl-C reaches the whole process group: the parent stops this child by closing its stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from fakeauth import FakeAuth

    fake = FakeAuth()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    port, stop = _start_server(kind, fake.wsgi_app)
    sys.stdout.write(f"ready {port}\n")
    sys.stdout.flush()
    sys.stdin.buffer.read()  # until EOF: the parent closed it, or died
    stop()
    return 0


def _start_server(kind: str, app: Any) -> tuple[int, Callable[[], None]]:
    if kind in ("fake", "fake_before"):
        from fakeauth.transports.server import LiveServer

        server = LiveServer(app).start()  # what fake.serve() starts, without the tracking
        return server.port, server.stop
    if kind in ("werkzeug", "werkzeug_threaded"):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            """No log line per request (fakeauth's server and waitress write none either)."""

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                return None

        # What run_simple makes (threaded=True is what `flask run` passes).
        wz = make_server("127.0.0.1", 0, app, kind == "werkzeug_threaded", 1, QuietHandler)
        thread = threading.Thread(target=wz.serve_forever, daemon=True)
        thread.start()

        def stop_werkzeug() -> None:
            wz.shutdown()
            wz.server_close()

        return wz.server_port, stop_werkzeug
    if kind in CEILINGS:
        from raw_server import start_raw

        return start_raw(app, with_app=kind == "raw_app")
    if kind == "waitress":
        import logging

        from waitress.server import create_server

        # Its "task queue depth" warning under 16 threads is not the benchmark's business.
        logging.getLogger("waitress").setLevel(logging.ERROR)
        ws: Any = create_server(app, host="127.0.0.1", port=0)
        threading.Thread(target=ws.run, daemon=True).start()
        # Its threads are daemons: the process ends with them once stdin closes.
        return int(ws.effective_port), ws.close
    raise ValueError(f"unknown server kind {kind!r}")


# -- the parent: children and clients ------------------------------------------------------------


class Child:
    """A server in a child process, stopped by closing its standard input."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.port = 0
        env = None
        if kind == "fake_before":
            # The other tree first on the path: the child's fakeauth is that tree's.
            path = [os.environ[BEFORE_ENV], *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p)}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def wait_ready(self) -> int:
        """Read the child's ``ready PORT`` line (at most ``READY_SECONDS``)."""
        out = self.process.stdout
        assert out is not None
        deadline = _monotonic() + READY_SECONDS
        line = b""
        with selectors.DefaultSelector() as selector:
            selector.register(out, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                left = deadline - _monotonic()
                if left <= 0 or not selector.select(left):
                    raise RuntimeError(f"benchmark: the {self.kind} server did not start")
                byte = os.read(out.fileno(), 1)
                if not byte:
                    raise RuntimeError(f"benchmark: the {self.kind} server exited at start")
                line += byte
        self.port = int(line.split()[1])
        return self.port

    def close(self) -> None:
        """Stop the child and reap it (killed if it does not end within ``STOP_SECONDS``)."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class Servers:
    """The four children, started together on first use and stopped together."""

    def __init__(self) -> None:
        self.children: dict[str, Child] = {}
        self.tokens: dict[str, str] = {}
        #: What closes the clients (before the children stop).
        self.closers: list[Callable[[], None]] = []

    def base(self, kind: str) -> str:
        """The base URL of ``kind``'s server, starting every child on the first call."""
        if not self.children:
            self._start()
        return f"http://127.0.0.1:{self.children[kind].port}"

    def _start(self) -> None:
        try:
            for kind in (*_kinds(), *CEILINGS):
                if kind == "waitress" and _missing("waitress"):
                    continue  # its rows are skipped
                self.children[kind] = Child(kind)
            for child in self.children.values():
                child.wait_ready()
        except BaseException:
            self.close()
            raise

    def token(self, kind: str) -> str:
        """An access token of the seeded account, from ``kind``'s own fake."""
        if kind not in self.tokens:
            connection = http.client.HTTPConnection("127.0.0.1", self.children[kind].port)
            try:
                answer = _http_call(connection, "POST", LOGIN_PATH, _BODY, JSON_HEADERS)
            finally:
                connection.close()
            self.tokens[kind] = json.loads(answer)["accessToken"]
        return self.tokens[kind]

    def close(self) -> None:
        """Stop every child (each is reaped, even if another fails to stop)."""
        closers, self.closers = self.closers, []
        for close in closers:
            with contextlib.suppress(OSError):
                close()
        children, self.children = list(self.children.values()), {}
        for child in children:
            with contextlib.suppress(OSError):
                if child.process.stdin is not None:
                    child.process.stdin.close()
        for child in children:
            child.close()


def _http_call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> bytes:
    status, data = http_exchange(connection, method, path, body, headers)
    if status != 200:
        raise RuntimeError(f"benchmark: {method} {path} answered {status}")
    return data


class Client:
    """One kept-alive client of ``kind``'s server: ``requests.Session`` or ``http.client``.

    Made by :meth:`prepare` (in the bench's thread, untimed: it starts the children on first
    use and logs in once for the bearer token of ``/auth/me``).
    """

    def __init__(self, servers: Servers, kind: str, client: str) -> None:
        self.servers, self.kind, self.client = servers, kind, client
        self.login: Call = _nothing
        self.me: Call = _nothing

    def prepare(self) -> None:
        """Open the client (once)."""
        if self.login is not _nothing:
            return
        base = self.servers.base(self.kind)
        auth = {"Authorization": f"Bearer {self.servers.token(self.kind)}"}
        kind = self.kind
        if self.client == "requests":
            session = new_session()
            login_url, me_url = base + LOGIN_PATH, base + ME_PATH

            def login() -> None:
                status = session.post(login_url, json=LOGIN).status_code
                if status != 200:
                    raise RuntimeError(f"benchmark: {kind} login answered {status}")

            def me() -> None:
                status = session.get(me_url, headers=auth).status_code
                if status != 200:
                    raise RuntimeError(f"benchmark: {kind} /auth/me answered {status}")

            self.servers.closers.append(session.close)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.servers.children[kind].port)

            def login() -> None:
                body = json.dumps(LOGIN).encode()  # encoded per call, as requests does
                _http_call(connection, "POST", LOGIN_PATH, body, JSON_HEADERS)

            def me() -> None:
                _http_call(connection, "GET", ME_PATH, None, auth)

            self.servers.closers.append(connection.close)
        self.login, self.me = login, me


class Burst:
    """16 client threads, each with its own kept-alive client, each making a few calls (login
    and ``/auth/me`` in turn); every call's latency is kept for :meth:`latencies`."""

    def __init__(self, servers: Servers, kind: str, client: str) -> None:
        self.clients = [Client(servers, kind, client) for _ in range(THREADS)]
        self.recorded: list[float] = []

    def prepare(self) -> None:
        """Open the 16 clients (once)."""
        for client in self.clients:
            client.prepare()

    def __call__(self) -> None:
        barrier = threading.Barrier(THREADS)
        failures: list[BaseException] = []
        threads = [
            threading.Thread(target=self._worker, args=(client, barrier, failures))
            for client in self.clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    def _worker(
        self, client: Client, barrier: threading.Barrier, failures: list[BaseException]
    ) -> None:
        clock, record = time.perf_counter, self.recorded.append
        try:
            barrier.wait()
            for i in range(CALLS_PER_THREAD):
                call = client.login if i % 2 == 0 else client.me
                start = clock()
                call()
                record(clock() - start)
        except BaseException as exc:  # re-raised in the bench's thread
            failures.append(exc)
            barrier.abort()

    def latencies(self) -> list[float]:
        """The latencies recorded since the last call (and forget them)."""
        taken, self.recorded = self.recorded, []
        return taken


def server_rows(suite: Suite) -> list[Contender]:
    """Every row of the ``server`` group (the children start before the first row that runs)."""
    servers = Servers()
    suite.closers.callback(servers.close)
    waitress = _missing("waitress")
    rows: list[Contender] = []
    for endpoint, what in (("login", "Ovok login"), ("me", "GET /auth/me")):
        for client in ("requests", "http.client"):
            for kind in (*_kinds(), *CEILINGS):
                one = Client(servers, kind, client)
                call = _login_of(one) if endpoint == "login" else _me_of(one)
                label = f"{LABELS[kind]}, {what}, {client}"
                rows.append(
                    _row(
                        f"server.{kind}.{endpoint}.{client}",
                        "floor: " + label if kind == "werkzeug" else label,
                        call,
                        skipped=waitress if kind == "waitress" else None,
                        ref=None if kind == "werkzeug" else f"server.werkzeug.{endpoint}.{client}",
                        weight=0.5,
                        enter=one.prepare,
                    )
                )
    pool = _Pool(servers)
    suite.closers.callback(pool.close)  # runs before servers.close: the clients go first
    kinds_of_burst = (
        ("threads", f"{THREADS} threads", f"{THREADS} threads"),
        ("procs", f"{PROCESSES} client processes", f"{PROCESSES} processes"),
    )
    for word, what, unit in kinds_of_burst:
        for client in CLIENTS:
            for kind in _kinds():
                burst: Burst | ProcessBurst = (
                    Burst(servers, kind, client)
                    if word == "threads"
                    else ProcessBurst(pool.get, kind, client)
                )
                rows.append(
                    _row(
                        f"server.{kind}.{word}.{client}",
                        f"{LABELS[kind]}, {what}, {client} (latency)",
                        burst,
                        skipped=waitress if kind == "waitress" else None,
                        ref=None if kind == "werkzeug" else f"server.werkzeug.{word}.{client}",
                        weight=0.01,  # one burst a round: 64 calls
                        every=2,
                        enter=burst.prepare,
                        latencies=burst.latencies,
                        unit=f"call, {unit}",
                    )
                )
    return rows


class _Pool:
    """The client processes of the ``procs`` rows, started by the first of them that runs."""

    def __init__(self, servers: Servers) -> None:
        self._servers = servers
        self._pool: ProcessPool | None = None

    def get(self) -> ProcessPool:
        if self._pool is None:
            servers = self._servers
            servers.base(KINDS[0])  # every child started (a missing waitress is left out)
            kinds = [kind for kind in _kinds() if kind in servers.children]
            ports = {kind: servers.children[kind].port for kind in kinds}
            self._pool = ProcessPool(ports, {kind: servers.token(kind) for kind in kinds})
        return self._pool

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


def _login_of(client: Client) -> Call:
    def call() -> None:
        client.login()

    return call


def _me_of(client: Client) -> Call:
    def call() -> None:
        client.me()

    return call


def _kinds() -> tuple[str, ...]:
    """The servers of this run: ``KINDS``, and ``fake_before`` when ``LIVE_ROWS_BEFORE`` is set."""
    return (*KINDS, "fake_before") if os.environ.get(BEFORE_ENV) else KINDS


def _missing(package: str) -> str | None:
    import importlib.util

    if importlib.util.find_spec(package) is not None:
        return None
    return f"{package} is not installed (pip install -e '.[bench]')"


def _row(name: str, label: str, call: Call, *, skipped: str | None, **kwargs: Any) -> Contender:
    if skipped is not None:
        return Contender(name, "server", label, _nothing, skipped=skipped)
    return Contender(name, "server", label, call, **kwargs)


def _nothing() -> None:
    return None


def latency_lines(documents: list[dict[str, Any]]) -> list[str]:
    """The latency rows' median and p99, in milliseconds, for the printed report."""
    return [
        f"{doc['label']}: median {doc['median_us'] / 1000:.1f} ms, p99 "
        f"{doc['p99_us'] / 1000:.1f} ms"
        for doc in documents
        if doc["group"] == "server"
        and (".threads." in doc["name"] or ".procs." in doc["name"])
        and not doc["skipped"]
    ]


def ceiling_lines(documents: list[dict[str, Any]]) -> list[str]:
    """What the ceiling rows show, for the printed report: through each client, the most any
    server could reach against werkzeug's and waitress's calls per second with this fake behind it
    (the ceiling that runs the application and nothing else of its own), and how close fakeauth's
    server comes to that ceiling's rate."""
    rate = {doc["name"]: doc["per_second"] for doc in documents if doc["per_second"]}
    lines = []
    for endpoint in ("login", "me"):
        for client in ("requests", "http.client"):
            ceiling = rate.get(f"server.raw_app.{endpoint}.{client}")
            fake = rate.get(f"server.fake.{endpoint}.{client}")
            if ceiling is None or fake is None:
                continue
            bounds = ", ".join(
                f"{ceiling / other:.2f}x {kind}'s"
                for kind in ("werkzeug", "waitress")
                if (other := rate.get(f"server.{kind}.{endpoint}.{client}"))
            )
            lines.append(
                f"ceiling with the fake's app, {endpoint}, {client}: no server can pass {bounds}; "
                f"fakeauth's server answers at {fake / ceiling:.2f} of that ceiling's rate"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--child", choices=(*KINDS, "fake_before", *CEILINGS), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        return _serve_in_child(args.child)
    import bench

    return bench.main(["--only", "server", "--quick", "--rounds", "30", "--json", os.devnull])


if __name__ == "__main__":
    sys.exit(main())
