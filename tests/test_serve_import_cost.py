"""What ``fakeauth serve`` imports before it answers (issue 25, target 2: its first answer under
250 ms after exec), counted in a real ``fakeauth serve`` process, so that nothing this test
process imported earlier hides a module."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from typing import Any

from serving import TIMEOUT, free_port, read_banner

#: What ``fakeauth serve`` without a state file never needs to answer an Ovok login: ``fakeauth
#: run``'s and ``fakeauth verify``'s code (each imported by the command that runs it), the state
#: documents, their pydantic schema and the snapshots (by ``--seed``, ``--data``, ``--import``,
#: ``--export-on-exit``, an export or import route or a snapshot), and the other vendors' code
#: (by each vendor's first request).
NOT_BY_THE_FIRST_ANSWER = (
    "fakeauth.run",
    "fakeauth.verify",
    "fakeauth.fidelity",
    "fakeauth.persistence.documents",
    "fakeauth.persistence.model",
    "fakeauth.persistence.snapshots",
    "fakeauth.control.table",
    "fakeauth.openapi",
    "fakeauth.vendors.b2core_record",
    "fakeauth.apis.b2core",
    "fakeauth.state.b2core",
    "fakeauth.vendors.waltid_record",
    "fakeauth.apis.waltid",
    "fakeauth.state.waltid",
    "subprocess",
)
#: ``fakeauth serve`` as its console script runs it, telling on exit every module it had loaded
#: (a superset of what it had loaded by its first answer) and how many objects it had moved out
#: of the cycle collector's reach.
SERVE = """
import atexit, gc, json, sys

def tell():
    found = {"modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}
    print("found:", json.dumps(found), file=sys.stderr)

atexit.register(tell)

from fakeauth.cli import main

sys.exit(main())
"""
LOGIN = {
    "email": "nobody@example.test",
    "password": "not-the-password",
    "tenantId": "87ea5dfc-8b8e-384d-8489-79496e706390",
    "clientId": "87ea5dfc-8b8e-384d-8489-79496e706390",
}


def serve_one_login() -> tuple[int, dict[str, Any]]:
    """The status of an Ovok login sent to a fresh ``fakeauth serve``, and what that process
    told when it stopped: its modules and its count of frozen objects."""
    port = free_port()
    command = [sys.executable, "-c", SERVE, "serve", "--port", str(port), "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        read_banner(process.stdout)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        connection.request(
            "POST", "/ovok/auth/b2b/login", json.dumps(LOGIN), {"Content-Type": "application/json"}
        )
        status = connection.getresponse().status
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=TIMEOUT)
    line = next(line for line in err.splitlines() if line.startswith("found: "))
    return status, json.loads(line.removeprefix("found: "))


def test_serve_answers_an_ovok_login_without_run_verify_the_documents_or_other_vendors() -> None:
    status, found = serve_one_login()

    loaded = [
        name
        for name in found["modules"]
        if any(name == p or name.startswith(p + ".") for p in NOT_BY_THE_FIRST_ANSWER)
    ]
    assert status == 401
    assert loaded == []


def test_serve_moves_what_it_started_with_out_of_the_collectors_reach() -> None:
    # the modules and the starting state are never walked again by a full collection, nor by
    # the interpreter's teardown when the server stops
    _, found = serve_one_login()

    assert found["frozen"] > 0
