"""The ``server`` group's latency rows with 16 client processes, one client thread each.

The 16-thread rows (``live_rows.Burst``) run their 16 client threads in the bench's own process,
where they share one interpreter lock: when a server answers all 16 at once, the 16 threads queue
for that lock to read their answers, and the slowest call's latency is mostly that queue. A
server that answers instantly (the raw socket of ``raw_server.py``) had a worse p99 that way than
werkzeug's single-threaded server, which answers one call at a time and so never lets the client's
threads queue. Here each client thread is the only thread of its own process, so a call's latency
is the server's answer and the machine's scheduling, not a client's lock.

A pool of 16 processes (started once, by ``spawn``: the bench's process has threads) holds a
kept-alive client of each kind (``requests.Session`` and ``http.client``) to every server. For one
unit, the parent names a server and a client; each process waits at a shared barrier, makes four
calls (login, ``/auth/me``, login, ``/auth/me``, as the 16-thread rows) and sends its four
latencies back. A process that fails sends its error instead; the parent raises it. The pool stops
when the run ends (its pipes closed, each process joined, killed after ``STOP_SECONDS``).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import multiprocessing
import multiprocessing.connection
from collections.abc import Callable
from typing import Any

from contenders import LOGIN, LOGIN_PATH, new_session

ME_PATH = "/auth/me"
PROCESSES = 16
CALLS_PER_PROCESS = 4
#: The longest the pool may take to start, and one unit to finish (bounds, not figures).
READY_SECONDS = 120.0
UNIT_SECONDS = 60.0
STOP_SECONDS = 10.0
CLIENTS = ("requests", "http.client")


def _clients(ports: dict[str, int], tokens: dict[str, str]) -> dict[tuple[str, str], list[Any]]:
    """Every (server, client) pair's two calls, login and ``/auth/me``, each on one kept-alive
    connection of its own."""
    calls: dict[tuple[str, str], list[Any]] = {}
    body = json.dumps(LOGIN).encode()
    for kind, port in ports.items():
        auth = {"Authorization": f"Bearer {tokens[kind]}"}
        session = new_session()
        base = f"http://127.0.0.1:{port}"
        calls[kind, "requests"] = [
            lambda s=session, u=base + LOGIN_PATH: s.post(u, json=LOGIN).status_code,
            lambda s=session, u=base + ME_PATH, h=auth: s.get(u, headers=h).status_code,
        ]
        connection = http.client.HTTPConnection("127.0.0.1", port)
        calls[kind, "http.client"] = [
            lambda c=connection: http_exchange(c, "POST", LOGIN_PATH, body, JSON_HEADERS)[0],
            lambda c=connection, h=auth: http_exchange(c, "GET", ME_PATH, None, h)[0],
        ]
    return calls


#: The headers of a JSON request body.
JSON_HEADERS = {"Content-Type": "application/json"}


def http_exchange(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> tuple[int, bytes]:
    """One request on a kept-alive ``http.client`` connection: the answer's status and body."""
    connection.request(method, path, body, headers)
    response = connection.getresponse()
    return response.status, response.read()


def _worker(
    ports: dict[str, int],
    tokens: dict[str, str],
    barrier: Any,
    pipe: multiprocessing.connection.Connection,
) -> None:
    """One client process: serve the parent's units until its pipe closes."""
    import time

    try:
        calls = _clients(ports, tokens)
        pipe.send("ready")
        clock = time.perf_counter
        while True:
            try:
                unit = pipe.recv()
            except EOFError:
                return
            login, me = calls[unit]
            latencies = []
            barrier.wait(UNIT_SECONDS)
            for index in range(CALLS_PER_PROCESS):
                start = clock()
                status = (login if index % 2 == 0 else me)()
                latencies.append(clock() - start)
                if status != 200:
                    raise RuntimeError(f"benchmark: {unit[0]} answered {status} ({unit[1]})")
            pipe.send(latencies)
    except BaseException as exc:  # the parent raises it in the bench's thread
        with contextlib.suppress(OSError):
            pipe.send(f"{type(exc).__name__}: {exc}")


class ProcessPool:
    """16 client processes holding a kept-alive client of each kind to every server."""

    def __init__(self, ports: dict[str, int], tokens: dict[str, str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._barrier = context.Barrier(PROCESSES)
        self._pipes: list[multiprocessing.connection.Connection] = []
        self._processes: list[Any] = []
        try:
            for _ in range(PROCESSES):
                parent, child = context.Pipe()
                process = context.Process(
                    target=_worker, args=(ports, tokens, self._barrier, child), daemon=True
                )
                process.start()
                child.close()
                self._pipes.append(parent)
                self._processes.append(process)
            for answer in self._answers(READY_SECONDS):
                if answer != "ready":
                    raise RuntimeError(f"benchmark: a client process failed to start: {answer}")
        except BaseException:
            self.close()
            raise

    def burst(self, kind: str, client: str) -> list[float]:
        """One unit: every process makes its four calls to ``kind``'s server through ``client``;
        the 64 latencies."""
        for pipe in self._pipes:
            pipe.send((kind, client))
        latencies: list[float] = []
        for answer in self._answers(UNIT_SECONDS):
            if isinstance(answer, str):
                raise RuntimeError(f"benchmark: a client process failed: {answer}")
            latencies.extend(answer)
        return latencies

    def _answers(self, seconds: float) -> list[Any]:
        answers = []
        for pipe in self._pipes:
            if not pipe.poll(seconds):
                raise RuntimeError("benchmark: a client process did not answer in time")
            answers.append(pipe.recv())
        return answers

    def close(self) -> None:
        """Stop every process (each joined; killed if it does not end in ``STOP_SECONDS``)."""
        pipes, self._pipes = self._pipes, []
        for pipe in pipes:
            pipe.close()
        processes, self._processes = self._processes, []
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()


class ProcessBurst:
    """A row's unit: one burst of the shared pool against ``kind``'s server through ``client``
    (the pool starts with the first row that runs)."""

    def __init__(self, pool: Callable[[], ProcessPool], kind: str, client: str) -> None:
        self._pool, self.kind, self.client = pool, kind, client
        self.recorded: list[float] = []

    def prepare(self) -> None:
        """Start the pool (once, shared by every row)."""
        self._pool()

    def __call__(self) -> None:
        self.recorded.extend(self._pool().burst(self.kind, self.client))

    def latencies(self) -> list[float]:
        """The latencies recorded since the last call (and forget them)."""
        taken, self.recorded = self.recorded, []
        return taken
