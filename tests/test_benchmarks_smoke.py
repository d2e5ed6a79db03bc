"""benchmarks/bench.py still runs: its smallest mode, checked for the shape of its JSON report.

Timings are never asserted here (they depend on the machine); benchmarks/README.md says how to
run the real thing.
"""

from __future__ import annotations

import base64
import http.client
import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from fakeauth import FakeAuth

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
GROUPS = {
    "requests", "wsgi", "tokens", "httpx", "live", "flow", "overhead", "scale", "startup",
    "server",
}  # fmt: skip
TARGETS = {
    "login_vs_floor",
    "flow_vs_moto_requests",
    "flow_vs_moto_wsgi",
    "per_test_overhead",
    "live_throughput",
    "scale_flat",
    "first_use_ms",
    "serve_first_answer_ms",
    "server_login_vs_werkzeug",
    "server_login_vs_waitress",
    "server_me_vs_werkzeug",
    "server_me_vs_waitress",
    "server_p99_vs_werkzeug",
    "server_p99_vs_werkzeug_threaded",
    "server_p99_vs_waitress",
    "me_vs_login",
    "refresh_vs_login",
    "logout_vs_login",
}
ROW_KEYS = {
    "name",
    "group",
    "label",
    "unit",
    "ref",
    "skipped",
    "samples",
    "median_us",
    "p10_us",
    "p90_us",
    "p99_us",
    "per_second",
    "ratio",
}


@pytest.mark.slow
def test_the_smoke_run_writes_a_report_of_every_row_and_target(tmp_path: Path) -> None:
    if not BENCH.exists():
        pytest.skip("benchmarks/bench.py is not part of this installation (an sdist or a wheel)")
    if importlib.util.find_spec("httpx") is None or importlib.util.find_spec("respx") is None:
        pytest.skip("the benchmark needs httpx and respx: pip install -e '.[bench]'")
    output = tmp_path / "report.json"
    no_moto = [] if importlib.util.find_spec("moto") else ["--no-moto"]

    completed = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--json", str(output), *no_moto],
        capture_output=True,
        text=True,
        timeout=600,  # a bound for a starved machine; the smoke run takes seconds
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    report = json.loads(output.read_text())
    assert report["schema"] == 1
    assert report["mode"] == "smoke"
    rows = {row["name"]: row for row in report["rows"]}
    assert {row["group"] for row in rows.values()} == GROUPS
    for row in rows.values():
        assert set(row) >= ROW_KEYS
        assert row["ref"] is None or row["ref"] in rows
        if row["skipped"] is None:
            assert row["samples"] > 0
            assert row["median_us"] > 0
            assert row["per_second"] > 0
            floor_measured = row["ref"] is not None and rows[row["ref"]]["skipped"] is None
            assert (row["ratio"] is not None) == floor_measured
        else:
            assert row["samples"] == 0
            assert row["median_us"] is None
    measured = {name for name, row in rows.items() if row["skipped"] is None}
    assert {"requests.floor", "requests.ovok_login", "wsgi.ovok_login"} <= measured
    assert {"live.werkzeug", "live.fake_serve", "overhead.fakeauth", "flow.wsgi"} <= measured
    assert {
        "startup.bare",
        "startup.first_use",
        "startup.serve",
        "startup.serve_answer",
    } <= measured
    assert {"server.fake.login.requests", "server.werkzeug.me.http.client"} <= measured
    assert {"server.fake.threads.requests", "server.werkzeug.threads.requests"} <= measured
    assert {"server.fake.procs.requests", "server.werkzeug.procs.http.client"} <= measured
    assert {"server.raw.login.requests", "server.raw_app.me.http.client"} <= measured
    assert {"tokens.ovok_login", "tokens.ovok_me", "tokens.ovok_refresh"} <= measured
    assert "requests.minimal_login" in measured
    assert "tokens.ovok_logout" in measured
    if no_moto:
        assert rows["flow.moto"]["skipped"] == "--no-moto"
    targets = {target["name"]: target for target in report["targets"]}
    assert set(targets) == TARGETS
    for target in targets.values():
        assert target["comparison"] in ("<=", ">=")
        assert (target["measured"] is None) == (target["met"] is None)
    assert report["scale"]["memory"]["bytes_per_account"] > 0
    assert report["scale"]["seed_per_second"] > 0
    assert "targets" in completed.stdout
    assert "ceiling with the fake's app, login, requests: no server can pass" in completed.stdout
    assert "a login in one function: " in completed.stdout


def _benchmark_module(name: str) -> Any:
    sys.path.insert(0, str(BENCH.parent))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH.parent))


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_the_one_function_login_does_the_work_of_the_fakes_login() -> None:
    # The probe is a floor only if it signs the tokens the fake signs and checks the password
    probe, contenders = _benchmark_module("login_probe"), _benchmark_module("contenders")
    fake = FakeAuth()
    fake.ovok.add_account(email=contenders.EMAIL, password=contenders.PASSWORD)
    url = contenders.OVOK + contenders.LOGIN_PATH
    wrong = {**contenders.LOGIN, "password": "not-the-password"}

    with responses.RequestsMock() as mock:
        mock.add_callback("POST", url, callback=probe.minimal_login())
        answered = requests.post(url, json=contenders.LOGIN, timeout=5)
        refused = requests.post(url, json=wrong, timeout=5)
    with fake.mock_requests():
        expected = requests.post(url, json=contenders.LOGIN, timeout=5).json()

    reply = answered.json()
    assert (answered.status_code, refused.status_code) == (200, 401)
    assert reply.keys() == expected.keys()
    for name in ("accessToken", "refreshToken"):
        header, _, signature = reply[name].split(".")
        assert header == expected[name].split(".")[0]
        assert len(signature) == len(expected[name].split(".")[2])
        assert _claims(reply[name]).keys() == _claims(expected[name]).keys()


def test_the_control_memory_benchmark_runs() -> None:
    script = BENCH.parent / "control_memory.py"

    done = subprocess.run(
        [sys.executable, str(script), "--smoke"], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["statuses"] == [200, 200]
    assert report["peak_mib"] >= report["rss_before_mib"] > 0


def test_the_startup_cpu_tool_runs_and_names_its_cache_setting() -> None:
    script = BENCH.parent / "startup_cpu.py"

    done = subprocess.run(
        [sys.executable, str(script), "--rounds", "1", "--no-bytecode-cache"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("; byte-code caches off (fakeauth compiled)")
    assert [line.split()[0] for line in lines[2:]] == ["bare", "first", "serve"]


def test_the_persistence_benchmark_reports_every_restore_row(tmp_path: Path) -> None:
    script = BENCH.parent / "persistence.py"
    out = tmp_path / "persistence.json"

    done = subprocess.run(
        [sys.executable, str(script), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert [row["label"] for row in report["rows"]] == [
        "export, 50 accounts (to JSON text)",
        "import, 50 accounts (from JSON text)",
        *(
            label
            for size in (10, 20, 50)
            for label in (
                f"restore, {size} accounts",
                f"restore + one new account, {size} accounts",
                f"seed anew, {size} accounts (the restore's reference)",
            )
        ),
        "FakeAuth() (a test's bare fake)",
        "FakeAuth() + restore of a 20-account template (fakeauth_seed)",
    ]
    assert set(report["restores"]) == {"10", "20", "50"}
    assert report["seeded_test_vs_bare"] > 0


def test_the_one_thread_werkzeug_floor_stays_http_1_0_beside_a_threaded_one() -> None:
    # werkzeug sets HTTP/1.1 on the handler class a threaded server is given: shared with the
    # floor, it gave the floor keep-alive too, and the live ratio measured the wrong server
    contenders = _benchmark_module("contenders")
    suite = contenders.Suite()
    try:
        urls = [
            contenders.werkzeug_server(suite, suite.fake.wsgi_app, threaded=threaded)
            for threaded in (True, False)
        ]
        versions = []
        for url in urls:
            host, port = url.removeprefix("http://").split(":")
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request("GET", "/")
            response = connection.getresponse()
            response.read()
            versions.append(response.version)
            connection.close()
    finally:
        suite.close()

    assert versions == [11, 10]


def _exchange(port: int, request: bytes, answers: int) -> bytes:
    """Send ``request`` (one or more requests) on one connection; the bytes of ``answers``
    responses."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while received.count(b"HTTP/1.1 ") < answers or not _complete(received, answers):
            data = sock.recv(65536)
            assert data, "the ceiling closed the connection"
            received += data
        return received


def _complete(received: bytes, answers: int) -> bool:
    rest = received
    for _ in range(answers):
        head, found, rest = rest.partition(b"\r\n\r\n")
        if not found:
            return False
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        if len(rest) < length:
            return False
        rest = rest[length:]
    return True


@pytest.mark.parametrize("with_app", [False, True])
def test_the_ceiling_answers_fakeauths_own_bytes_to_requests_that_arrive_together(
    with_app: bool,
) -> None:
    # The ceiling frames requests by Content-Length alone: a login and a /auth/me sent in one
    # write get the login's and /auth/me's replies, in order, with fakeauth's status and body.
    from fakeauth import FakeAuth

    contenders: Any = _benchmark_module("contenders")
    raw_server: Any = _benchmark_module("raw_server")
    fake = FakeAuth()
    fake.ovok.add_account(email=contenders.EMAIL, password=contenders.PASSWORD)
    port, stop = raw_server.start_raw(fake.wsgi_app, with_app=with_app)
    body = json.dumps(contenders.LOGIN).encode()
    login = (
        f"POST {contenders.LOGIN_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    me = b"GET /auth/me HTTP/1.1\r\nHost: x\r\n\r\n"
    recorded = len(fake.journal)  # after the start's own login and /auth/me
    try:
        received = _exchange(port, login + me, answers=2)
    finally:
        stop()

    first, second = received.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200 OK\r\n")
    assert b'"accessToken":"' in first
    assert second.startswith(b"200 OK\r\n")
    assert b'"sessions":' in second
    # The application serves both requests when the ceiling runs it, and neither otherwise.
    assert len(fake.journal) - recorded == (2 if with_app else 0)
