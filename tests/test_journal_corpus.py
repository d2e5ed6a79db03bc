"""The journal of a corpus of requests through every route, byte for byte as recorded before the
handlers returned what the journal needs instead of writing it onto the request (issue 21, §4).

``tests/data/journal_corpus.json`` was written by this module's :func:`journal_of_corpus` on the
code before that change (``python tests/test_journal_corpus.py`` writes it again): each entry's
``to_dict()`` and the journal's report with bodies. The corpus is
every case of ``test_secret_corpus`` (a secret in each place a request carries one) and, for
every route of every vendor, the bodies that reach each branch of the body readers: none, broken
JSON, a JSON array, a form, a text body, an object with misspelt fields (the journal's
``problem``, and a password under a misspelt name) and one with the right fields; the last
two again under each vendor's base path, behind a lane's prefix (``SCRIPT_NAME``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from test_secret_corpus import HOSTS, cases, headers_of, issued_tokens
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

GOLDEN = Path(__file__).parent / "data" / "journal_corpus.json"
SEED = "journal-corpus"
START = 1_700_000_000.0
PASSWORD = "golden-Pa55word-k3Lm"
MISSPELT_PASSWORD = "golden-misspelt-Pa55-r8Tq"
BEARER = "golden-bearer-token-w2Xe"
IDS = {"tenantId": DEFAULT_TENANT_ID, "clientId": DEFAULT_CLIENT_ID}
#: name -> (content type, body): every branch of the three vendors' body readers.
BODIES: dict[str, tuple[str | None, bytes]] = {
    "none": (None, b""),
    "broken json": ("application/json", b'{"email": "a@example.test", "password": "' + b"x"),
    "json array": ("application/json", b"[1, 2]"),
    "json string": ("application/json", json.dumps(PASSWORD).encode()),
    "form": (
        "application/x-www-form-urlencoded",
        f"email=form%40example.test&password={PASSWORD}&info[givenName]=Ann".encode(),
    ),
    "text": ("text/plain", f"token={PASSWORD}".encode()),
    "misspelt": (
        "application/json",
        json.dumps({"emial": "m@example.test", "pasword": MISSPELT_PASSWORD, **IDS}).encode(),
    ),
    "fields": (
        "application/json",
        json.dumps(
            {
                "email": "golden@example.test",
                "password": PASSWORD,
                "name": "Gold",
                "surname": "En",
                "refresh_token": BEARER,
                "refreshToken": BEARER,
                "token": PASSWORD,
                "uuid": "golden-uuid",
                "code": "123456",
                "profile": {"name": "Gold", "email": "golden@example.test"},
                "preferences": {},
                "initialAuth": {
                    "type": "email",
                    "identifier": {"type": "email", "email": "golden@example.test"},
                    "data": {"type": "email", "password": PASSWORD},
                },
                "id": "golden-org",
                **IDS,
            }
        ).encode(),
    ),
}


def _concrete(path: str) -> str:
    # a werkzeug rule's converters, filled with plain values
    parts = [part if not part.startswith("<") else "golden" for part in path.split("/")]
    return "/".join(parts)


def journal_of_corpus() -> dict[str, Any]:
    """Send the corpus to a seeded fake on a frozen clock; what its journal shows of it."""
    fake = FakeAuth(seed=SEED)
    fake.clock.set(START, frozen=True)
    client = Client(fake.wsgi_app)
    tokens = issued_tokens(fake)
    for case, _ in cases(tokens).values():
        client.open(
            case.path,
            method=case.method,
            base_url=HOSTS[case.vendor],
            query_string=case.query,
            data=case.body or b"",
            headers=headers_of(case),
        )
    fake.ovok.add_account(email="golden@example.test", password=PASSWORD)
    for vendor in fake.vendors:
        for route in vendor.api.routes:
            for content_type, body in BODIES.values():
                headers = {"Authorization": f"Bearer {BEARER}"}
                if content_type is not None:
                    headers["Content-Type"] = content_type
                client.open(
                    _concrete(route.path),
                    method=route.method,
                    base_url=HOSTS[vendor.name],
                    data=body,
                    headers=headers,
                )
    for vendor in fake.vendors:  # under the vendor's base path on the live server's root
        for route in vendor.api.routes:
            for name in ("misspelt", "fields"):
                content_type, body = BODIES[name]
                client.open(
                    f"/{vendor.name}{_concrete(route.path)}",
                    method=route.method,
                    base_url="http://127.0.0.1:8321/_lanes/golden",
                    data=body,
                    headers={"Content-Type": content_type or "", "Cookie": f"a={BEARER}"},
                )
    entries = fake.journal.since(0)
    return {
        "entries": [entry.to_dict() for entry in entries],
        "report": fake.journal.format(bodies=True),
    }


def test_the_journal_of_the_corpus_is_what_it_was() -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))

    got = json.loads(json.dumps(journal_of_corpus()))

    assert len(got["entries"]) == len(expected["entries"])
    for index, (entry, was) in enumerate(zip(got["entries"], expected["entries"], strict=True)):
        assert entry == was, f"entry {index} differs"
    assert got == expected


if __name__ == "__main__":  # pragma: no cover - writes the golden file
    sys.path.insert(0, str(Path(__file__).parent))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(
        json.dumps(journal_of_corpus(), indent=0, ensure_ascii=False) + "\n", encoding="utf-8"
    )
