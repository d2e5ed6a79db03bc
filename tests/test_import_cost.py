"""What the first use of fakeauth imports (issue 25, target 2): ``import fakeauth``,
``FakeAuth()`` and one Ovok login through the WSGI app, counted in a fresh child interpreter so
that nothing this test process imported earlier hides a module."""

from __future__ import annotations

import json
import subprocess
import sys

#: The most modules the first use may add to a bare interpreter (557 counted so before the imports
#: were made lazy, 283 after, 300 before B2Core's and walt.id's code was loaded on their first
#: use, 272 after, 269 once the findings, http.cookies, the reply models, the examples and the
#: dashboard's records waited for their first use; 270 counted since, Fault and Message in
#: modules of their own that the first use does not load; 272 with fakeauth.records and
#: fakeauth.vendor_parts, the records defined without compiling source): 3 of margin, room for a
#: small module of fakeauth's own but not for a library, so that a heavy import that creeps back
#: fails here.
MAX_MODULES = 275
#: Packages a test that only logs in through the WSGI app never needs: each interception's client
#: library (imported by that interception's first use), PyJWT and cryptography (by the first
#: verification or EdDSA key), asyncio (by the httpx and aiohttp interceptions), the control
#: API's routes and the OpenAPI generator (by the first control request or ``fake.openapi()``),
#: the other vendors' code: their APIs, models and states (by each vendor's first use), the
#: schema of a state's part of a state document (by the first export or import), what
#: ``fake.explain`` and a reset read of credentials (``fakeauth.findings``), the cookie parser
#: (by the first request whose cookies a route reads), Ovok's reply models (by the first
#: OpenAPI document), what the dashboard and the fidelity page read of a vendor, the routes'
#: examples (by the first page, document or example replayed), and the records of an injected
#: fault and of a sent message (by the first fault queued and message sent).
NOT_ON_FIRST_USE = (
    "requests",
    "responses",
    "urllib3",
    "httpx",
    "aiohttp",
    "asyncio",
    "jwt",
    "cryptography",
    "httptools",
    "fakeauth.openapi",
    "fakeauth.control.table",
    "fakeauth.transports.requests_mock",
    "fakeauth.transports.server",
    "fakeauth.vendors.b2core_record",
    "fakeauth.apis.b2core",
    "fakeauth.apis.b2core_models",
    "fakeauth.state.b2core",
    "fakeauth.vendors.waltid_record",
    "fakeauth.apis.waltid",
    "fakeauth.apis.waltid_models",
    "fakeauth.state.waltid",
    "fakeauth.state.ovok_document",
    "fakeauth.findings",
    "http.cookies",
    "fakeauth.apis.ovok_replies",
    "fakeauth.vendor_views",
    "fakeauth.apis.doc_examples",
    "fakeauth.apis.ovok_examples",
    "fakeauth.fault",
    "fakeauth.outbox_message",
)
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"

FIRST_USE = f"""
import json, sys
bare = set(sys.modules)

import fakeauth
from fakeauth import FakeAuth
from werkzeug.test import Client

fake = FakeAuth()
fake.ovok.add_account(email="max@example.test", password="s3cret-pass")
reply = Client(fake.wsgi_app).post(
    "/auth/b2b/login",
    base_url="https://api.dev.ovok.com",
    json={{"email": "max@example.test", "password": "s3cret-pass",
          "tenantId": "{TENANT}", "clientId": "{TENANT}"}},
)
print(json.dumps({{"status": reply.status_code, "added": sorted(set(sys.modules) - bare)}}))
"""


def first_use() -> tuple[int, list[str]]:
    """The login's status and the modules the first use added, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_USE], capture_output=True, text=True, check=True, timeout=120
    )
    found = json.loads(done.stdout)
    return found["status"], found["added"]


def test_the_first_use_imports_at_most_275_modules() -> None:
    status, added = first_use()

    assert status == 200
    assert len(added) <= MAX_MODULES, f"{len(added)} modules: {added}"


def test_the_first_use_imports_no_client_library_nor_the_control_routes_nor_other_vendors() -> None:
    _, added = first_use()

    loaded = [
        name
        for name in added
        if any(name == p or name.startswith(p + ".") for p in NOT_ON_FIRST_USE)
    ]
    assert loaded == []


#: What ``fakeauth serve`` never needs before its first answer: ``fakeauth verify``'s runner and
#: report, and the fidelity registry they read (verify's parser is built by every command line).
NOT_ON_SERVE = ("fakeauth.verify.runner", "fakeauth.verify.report", "fakeauth.fidelity")

SERVE_PARSER = """
import json, sys
bare = set(sys.modules)

from fakeauth.cli import command_parser

command_parser().parse_args(["serve", "--port", "0", "--quiet"])
print(json.dumps(sorted(set(sys.modules) - bare)))
"""


def test_the_serve_command_line_imports_no_verify_runner_nor_fidelity_entries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SERVE_PARSER],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    added = json.loads(done.stdout)
    loaded = [n for n in added if any(n == p or n.startswith(p + ".") for p in NOT_ON_SERVE)]
    assert loaded == []


#: What ``fakeauth serve`` never loads before it answers an Ovok request: the other vendors' code
#: (its banner describes B2Core's default broker and walt.id's quickstart Super Admin without it).
OTHER_VENDORS = (
    "fakeauth.vendors.b2core_record",
    "fakeauth.apis.b2core",
    "fakeauth.state.b2core",
    "fakeauth.vendors.waltid_record",
    "fakeauth.apis.waltid",
    "fakeauth.state.waltid",
)

SERVE_BANNER = """
import json, sys

from fakeauth import FakeAuth
from fakeauth.cli import banner, command_parser

command_parser().parse_args(["serve", "--port", "0", "--quiet"])
banner(FakeAuth(), "http://127.0.0.1:8080")
print(json.dumps(sorted(sys.modules)))
"""


def test_the_serve_command_and_its_banner_load_no_other_vendors_code() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SERVE_BANNER],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    loaded = [name for name in json.loads(done.stdout) if name in OTHER_VENDORS]
    assert loaded == []


def test_the_fault_and_message_records_are_the_ones_their_old_homes_name() -> None:
    from fakeauth import Fault, Message
    from fakeauth.fault import Fault as FaultHome
    from fakeauth.faults import Fault as FaultOfFaults
    from fakeauth.outbox import Message as MessageOfOutbox
    from fakeauth.outbox_message import Message as MessageHome

    assert (Fault, FaultOfFaults) == (FaultHome, FaultHome)
    assert (Message, MessageOfOutbox) == (MessageHome, MessageHome)
