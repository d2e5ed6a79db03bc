"""Fixtures several test modules share."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import clock_jumps
import pytest
from serving import Serve


@pytest.fixture(scope="session")
def plain_server() -> Iterator[str]:
    """A loopback HTTP server that is not fakeauth: it answers every GET with its path."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"path": self.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


# -- @pytest.mark.fidelity("<entry id>"): the test pins that fidelity registry entry -----------

_FIDELITY_CALL = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-jumps",
        action="store_true",
        help="every fake's clock jumps 1.1 s at each read of the system's time "
        "(tests/clock_jumps.py): a test that a second of the system's time can fail fails",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--clock-jumps"):
        clock_jumps.install()
    config.addinivalue_line(
        "markers",
        "fidelity(entry_id): the test pins that entry of fakeauth's fidelity registry; an entry "
        "about routes fails the test unless the test calls one of them",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FIDELITY_CALL] = report.passed
    return report


@pytest.fixture(autouse=True)
def _fidelity_operations(request: pytest.FixtureRequest) -> Iterator[None]:
    """For a test marked ``fidelity``: every operation id any fake journals during the test;
    at teardown, each marked entry about routes must have seen one of its operations."""
    marks = list(request.node.iter_markers("fidelity"))
    if not marks:
        yield
        return
    from fakeauth import fidelity_registry as fidelity
    from fakeauth.journal import Journal

    wanted = []
    for mark in marks:
        if len(mark.args) != 1 or mark.kwargs or not isinstance(mark.args[0], str):
            pytest.fail('write @pytest.mark.fidelity("<entry id>"), one id a mark', pytrace=False)
        try:
            wanted.append(fidelity.entry(mark.args[0]))
        except KeyError as exc:
            unknown = str(exc.args[0])
        else:
            continue
        pytest.fail(f"@pytest.mark.fidelity: {unknown}", pytrace=False)
    seen: set[str | None] = set()
    record = Journal.record

    def recording(journal: Journal, entry: Any) -> Any:
        seen.add(entry.operation)  # every fake's journal, whatever made it, in any thread
        return record(journal, entry)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Journal, "record", recording)
        yield
    if not request.node.stash.get(_FIDELITY_CALL, False):
        return  # the test failed or was skipped: its own report says why
    missing = [
        f"fidelity entry {item.id!r} is about {' or '.join(item.operations)}, but no fake "
        "journaled that operation during this test"
        for item in wanted
        if item.operations and seen.isdisjoint(item.operations)
    ]
    if missing:
        pytest.fail(
            "; ".join(missing) + ". Call the route in the test, or pin the entry with a test "
            "that does (its `test` in fakeauth/fidelity/)",
            pytrace=False,
        )


@pytest.fixture
def servers() -> Iterator[list[Serve]]:
    """The ``fakeauth serve`` processes a test starts (append them): killed at teardown if they
    still run."""
    started: list[Serve] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)
