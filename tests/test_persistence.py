"""Export and import of a fake's whole state (``fake.export_state()``, ``FakeAuth.from_state``,
``fake.import_state``, ``POST /_fakeauth/export`` and ``/import``).

A round trip gives the same document; every credential valid before is valid after, every refused
one still refused; a document that is of an unknown version, corrupted, truncated or
self-contradictory is refused with a sentence and changes nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from werkzeug.test import Client

from fakeauth import ConfigurationError, FakeAuth
from fakeauth.persistence import WARNING
from fakeauth.persistence.files import dumps, loads, read_document, write_atomic
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.state.waltid import DEFAULT_SUPERADMIN_PASSWORD, DEFAULT_SUPERADMIN_TOKEN
from fakeauth.vendors import DEFAULT_HOSTS

FROZEN = "2026-05-04T10:00:00Z"
PASSWORD = "s3cret-Pa55word"
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
HOSTS = {vendor: urls[0] for vendor, urls in DEFAULT_HOSTS.items()}
IDS = {"tenantId": DEFAULT_TENANT_ID, "clientId": DEFAULT_CLIENT_ID}


def send(
    fake: FakeAuth,
    vendor: str,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = Client(fake.wsgi_app).open(
        path, method=method, base_url=HOSTS[vendor], json=body, headers=headers
    )
    try:
        return response.status_code, json.loads(response.data)
    except ValueError:
        return response.status_code, response.data.decode()


def ovok_login(fake: FakeAuth, email: str) -> dict[str, str]:
    status, _ = send(
        fake,
        "ovok",
        "POST",
        "/auth/b2b/register",
        {"email": email, "password": PASSWORD, "name": "N", "surname": "S", **IDS},
    )
    assert status == 200
    status, login = send(
        fake, "ovok", "POST", "/auth/b2b/login", {"email": email, "password": PASSWORD, **IDS}
    )
    assert status == 200
    return {"access": login["accessToken"], "refresh": login["refreshToken"]}


def b2core_login(fake: FakeAuth, email: str) -> dict[str, str]:
    fake.b2core.add_account(email=email, password=PASSWORD, two_factor="sms")
    status, wizard = send(fake, "b2core", "POST", "/api/v2/my/signin/wizard", {})
    assert status == 200
    signin = {
        "uuid": wizard["uuid"],
        "email": email,
        "password": PASSWORD,
        "device_fingerprint": FINGERPRINT,
    }
    status, _ = send(fake, "b2core", "POST", "/api/v2/my/signin", signin)
    assert status == 200
    code = fake.b2core.two_factor_code(email)
    status, done = send(
        fake, "b2core", "POST", "/api/v2/my/2fa/sms", {"uuid": wizard["uuid"], "code": code}
    )
    assert status == 200, done
    return {
        "access": done["data"]["accessToken"]["token"],
        "refresh": done["data"]["refreshToken"]["token"],
    }


def waltid_login(fake: FakeAuth) -> str:
    status, _ = send(
        fake,
        "waltid",
        "POST",
        "/v1/superadmin/create-by-token",
        {"token": DEFAULT_SUPERADMIN_TOKEN},
    )
    assert status in (200, 201)
    fake.waltid.add_account(email="ann@example.org", password=PASSWORD)
    status, login = send(
        fake,
        "waltid",
        "POST",
        "/auth/account/emailpass",
        {"email": "ann@example.org", "password": PASSWORD},
    )
    assert status == 200
    return str(login["token"])


def populated() -> tuple[FakeAuth, dict[str, str]]:
    """A fake with live and refused credentials on every vendor."""
    fake = FakeAuth(seed=7)
    fake.ovok.add_tenant(display="Second Clinic")
    fake.b2core.add_broker("https://second.example", recaptcha=True, strict_fingerprint=True)
    fake.waltid.add_organization("acme")
    fake.features.disable("account-registration")
    ovok = ovok_login(fake, "alice@example.test")
    ovok_out = ovok_login(fake, "bob@example.test")
    assert send(fake, "ovok", "POST", "/v1/auth/logout", token=ovok_out["access"])[0] == 204
    used = ovok_login(fake, "carol@example.test")
    assert (
        send(fake, "ovok", "POST", "/auth/refresh-token", {"refresh_token": used["refresh"]})[0]
        == 200
    )
    b2core = b2core_login(fake, "trader@example.test")
    waltid = waltid_login(fake)
    tokens = {
        "ovok.access": ovok["access"],
        "ovok.refresh": ovok["refresh"],
        "ovok.logged_out": ovok_out["access"],
        "ovok.used_refresh": used["refresh"],
        "b2core.access": b2core["access"],
        "b2core.refresh": b2core["refresh"],
        "waltid.token": waltid,
    }
    return fake, tokens


def answers(fake: FakeAuth, tokens: dict[str, str]) -> dict[str, int]:
    """What each credential gets now (access checks first: a refresh consumes its token)."""
    return {
        "ovok.access": send(fake, "ovok", "GET", "/auth/me", token=tokens["ovok.access"])[0],
        "ovok.logged_out": send(fake, "ovok", "GET", "/auth/me", token=tokens["ovok.logged_out"])[
            0
        ],
        "ovok.used_refresh": send(
            fake,
            "ovok",
            "POST",
            "/auth/refresh-token",
            {"refresh_token": tokens["ovok.used_refresh"]},
        )[0],
        "ovok.refresh": send(
            fake, "ovok", "POST", "/auth/refresh-token", {"refresh_token": tokens["ovok.refresh"]}
        )[0],
        "b2core.access": send(
            fake, "b2core", "GET", "/api/v2/my/2fa", token=tokens["b2core.access"]
        )[0],
        "b2core.refresh": send(
            fake, "b2core", "POST", "/api/v2/my/refresh", {"refreshToken": tokens["b2core.refresh"]}
        )[0],
        "waltid.token": send(
            fake, "waltid", "GET", "/v1/admin/accounts", token=tokens["waltid.token"]
        )[0],
    }


EXPECTED = {
    "ovok.access": 200,
    "ovok.logged_out": 401,
    "ovok.used_refresh": 401,
    "ovok.refresh": 200,
    "b2core.access": 200,
    "b2core.refresh": 200,
    "waltid.token": 403,  # ann is no admin: the token is valid, the route refuses her role
}


def test_a_round_trip_gives_the_same_document() -> None:
    with freeze_time(FROZEN):
        fake, _ = populated()
        text = dumps(fake.export_state())

        again = dumps(FakeAuth.from_state(loads(text)).export_state())

    assert again == text
    assert list(json.loads(text)) == sorted(json.loads(text))  # a stable key order
    assert text.endswith("}\n")
    assert '\n  "lanes": {\n' in text


def test_every_credential_keeps_its_answer_in_a_new_fake() -> None:
    with freeze_time(FROZEN):
        fake, tokens = populated()
        document = loads(dumps(fake.export_state()))
        twin = FakeAuth.from_state(loads(dumps(fake.export_state())))
        assert answers(fake, tokens) == EXPECTED  # the original, as a control

        after = answers(FakeAuth.from_state(document), tokens)

    assert after == EXPECTED
    assert twin.ovok.get_account("alice@example.test").password.matches(PASSWORD)
    assert twin.features.is_enabled("account-registration") is False


def test_a_refused_credential_stays_refused_after_an_import_into_a_running_fake() -> None:
    with freeze_time(FROZEN):
        fake, tokens = populated()
        document = fake.export_state()
        running = FakeAuth(seed=7)

        running.import_state(document)

        assert answers(running, tokens) == EXPECTED


def test_the_export_holds_no_raw_token_and_no_account_password() -> None:
    fake, tokens = populated()

    text = dumps(fake.export_state())

    for name, token in tokens.items():
        assert token not in text, name
        for part in token.split("."):
            assert part not in text, name  # nor the claims or the signature alone
    assert PASSWORD not in text
    assert DEFAULT_SUPERADMIN_PASSWORD not in text  # nor the registration file's
    assert json.loads(text)["warning"] == WARNING


def test_the_clock_setting_and_the_options_travel() -> None:
    fake = FakeAuth(seed="abc", ovok_access_token_ttl=60, b2core_hosts=["https://a.example"])
    fake.clock.set(1_900_000_000.0, frozen=True)

    twin = FakeAuth.from_state(fake.export_state())

    assert twin.clock.time() == 1_900_000_000.0
    assert twin.ovok.access_token_ttl == 60
    assert twin.hosts["b2core"] == ("https://a.example",)
    assert twin.export_state() == fake.export_state()


def test_the_journal_and_outbox_only_on_request() -> None:
    fake, _ = populated()

    plain = fake.export_state()["lanes"]["default"]
    full = fake.export_state(journal=True)["lanes"]["default"]

    assert "journal" not in plain
    assert "outbox" not in plain
    assert len(full["journal"]) == len(fake.journal)
    assert [m["kind"] for m in full["outbox"]] == [m.kind for m in fake.outbox]
    assert PASSWORD not in dumps(full)


# -- refused documents -----------------------------------------------------------------------------


def _damaged(change: str) -> Any:
    fake, _ = populated()
    document = fake.export_state()
    lane = document["lanes"]["default"]
    if change == "version":
        document["version"] = 2
    elif change == "format":
        del document["format"]
    elif change == "duplicate email":
        twin = dict(lane["ovok"]["accounts"][0], id="another-id")
        lane["ovok"]["accounts"].append(twin)
    elif change == "unknown field":
        lane["ovok"]["accounts"][0]["plaintext_password"] = PASSWORD
    elif change == "orphan session":
        lane["waltid"]["sessions"][0]["account_id"] = "nobody"
    elif change == "bad key":
        lane["b2core"]["signer"]["key"] = "zz"
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("version", "the state document is of version 2, which this fakeauth does not read"),
        ("format", 'this is not a fakeauth state document: it has no "format": "fakeauth-state"'),
        ("duplicate email", "contradicts itself: two Ovok accounts have the email"),
        ("unknown field", "not valid at lanes.default.ovok.accounts.0.plaintext_password"),
        ("orphan session", "contradicts itself: the walt.id session"),
        ("bad key", "not valid at lanes.default.b2core.signer.key"),
    ],
)
def test_a_bad_document_is_refused_and_changes_nothing(change: str, message: str) -> None:
    with freeze_time(FROZEN):
        fake, tokens = populated()
        before = fake.export_state()

        with pytest.raises(ConfigurationError) as refused:
            fake.import_state(_damaged(change))

        assert message in str(refused.value)
        assert fake.export_state() == before
        assert answers(fake, tokens) == EXPECTED


@pytest.mark.parametrize(
    ("cut", "message"),
    [("truncated", "it ends too early (truncated?)"), ("corrupt", "it is corrupted")],
)
def test_a_truncated_or_corrupted_file_is_refused(tmp_path: Path, cut: str, message: str) -> None:
    fake, _ = populated()
    text = dumps(fake.export_state())
    path = tmp_path / "state.json"
    path.write_text(text[: len(text) // 2] if cut == "truncated" else text.replace('"', "'", 9))

    with pytest.raises(ConfigurationError) as refused:
        read_document(path)

    assert message in str(refused.value)
    assert str(path) in str(refused.value)


def test_other_options_are_refused_unless_taken() -> None:
    document = FakeAuth(seed=7, waltid_token_ttl=600).export_state()
    fake = FakeAuth(seed=8)

    with pytest.raises(ConfigurationError) as refused:
        fake.import_state(document)
    fake.import_state(document, take_options=True)

    assert "seed is 8 here, 7 in it; waltid_token_ttl is 604800 here, 600 in it" in str(
        refused.value
    )
    assert fake.waltid.token_ttl == 600
    assert fake.export_state()["lanes"]["default"]["options"]["seed"] == 7


def test_an_import_never_issues_again_what_the_document_issued() -> None:
    with freeze_time(FROZEN):
        fake = FakeAuth(seed=7)
        document = fake.export_state()
        first = ovok_login(fake, "alice@example.test")  # issued after the export
        fake.import_state(document)

        again = ovok_login(fake, "alice@example.test")  # the very same calls, the same instant

    assert again["access"] != first["access"]
    assert again["refresh"] != first["refresh"]
    assert send(fake, "ovok", "GET", "/auth/me", token=first["access"])[0] == 401


# -- files ---------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_previous_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    write_atomic(path, "previous\n")

    def crash(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, "the new state, half written")

    assert path.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temporary left


# -- over HTTP -----------------------------------------------------------------------------------


def test_the_http_export_and_import_round_trip() -> None:
    with freeze_time(FROZEN):
        fake, tokens = populated()
        exported = Client(fake.wsgi_app).post("/_fakeauth/export", base_url="http://127.0.0.1:8080")
        fresh = FakeAuth(seed=7)

        imported = Client(fresh.wsgi_app).post(
            "/_fakeauth/import", base_url="http://127.0.0.1:8080", data=exported.data
        )

        assert exported.status_code == 200
        assert imported.status_code == 200
        assert exported.headers["X-Fakeauth-Warning"] == WARNING
        assert exported.headers["Cache-Control"] == "no-store"
        assert imported.json == {
            "imported": True,
            "accounts": {"ovok": 3, "b2core": 1, "waltid": 2},
        }
        assert answers(fresh, tokens) == EXPECTED


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:9999"])
def test_the_http_export_refuses_another_origin(origin: str) -> None:
    fake, _ = populated()

    response = Client(fake.wsgi_app).post(
        "/_fakeauth/export", base_url="http://127.0.0.1:8080", headers={"Origin": origin}
    )

    assert response.status_code == 403
    assert b'"key"' not in response.data
    assert b"signer" not in response.data


def test_the_http_export_refuses_another_origin_even_with_the_control_header() -> None:
    fake, _ = populated()
    headers = {"Origin": "https://evil.example", "X-Fakeauth-Control": "1"}

    response = Client(fake.wsgi_app).post(
        "/_fakeauth/export", base_url="http://127.0.0.1:8080", headers=headers
    )

    assert response.status_code == 403
    assert "answers only requests of the server's own origin" in json.loads(response.data)["error"]


def test_the_http_export_answers_its_own_origin() -> None:
    fake, _ = populated()

    response = Client(fake.wsgi_app).post(
        "/_fakeauth/export",
        base_url="http://127.0.0.1:8080",
        headers={"Origin": "http://127.0.0.1:8080"},
    )

    assert response.status_code == 200
    assert json.loads(response.data)["format"] == "fakeauth-state"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the request body is empty"),
        (b'{"format": "fakeauth-state", "version": 1', "it ends too early (truncated?)"),
        (b'{"format": "fakeauth-state", "version": NaN}', "NaN is not a JSON number"),
        (b"[1, 2]", "this is not a fakeauth state document"),
    ],
)
def test_the_http_import_refuses_a_bad_body_with_a_400(body: bytes, message: str) -> None:
    fake, _ = populated()
    before = fake.export_state()

    response = Client(fake.wsgi_app).post(
        "/_fakeauth/import", base_url="http://127.0.0.1:8080", data=body
    )

    assert response.status_code == 400
    assert message in json.loads(response.data)["error"]
    assert fake.export_state() == before


def test_a_registration_token_not_yet_used_still_creates_the_super_admin_after_an_import() -> None:
    fake = FakeAuth()
    fake.waltid.add_registration_token("my-token", email="root@example.org", password="r00t-pass")

    twin = FakeAuth.from_state(loads(dumps(fake.export_state())))
    status, _ = send(
        twin, "waltid", "POST", "/v1/superadmin/create-by-token", {"token": "my-token"}
    )
    login, _ = send(
        twin,
        "waltid",
        "POST",
        "/auth/account/emailpass",
        {"email": "root@example.org", "password": "r00t-pass"},
    )

    assert status in (200, 201)
    assert login == 200
    assert "r00t-pass" not in dumps(twin.export_state())


def test_the_http_import_takes_the_documents_options_only_when_asked() -> None:
    document = dumps(FakeAuth(seed=7).export_state()).encode()
    fake = FakeAuth(seed=8)
    client = Client(fake.wsgi_app)

    refused = client.post("/_fakeauth/import", base_url="http://127.0.0.1:8080", data=document)
    bad_flag = client.post(
        "/_fakeauth/import?take_options=yes", base_url="http://127.0.0.1:8080", data=document
    )
    taken = client.post(
        "/_fakeauth/import?take_options=true", base_url="http://127.0.0.1:8080", data=document
    )

    assert refused.status_code == 400
    assert "seed is 8 here, 7 in it" in json.loads(refused.data)["error"]
    assert bad_flag.status_code == 400
    assert "give take_options=true or take_options=false once" in json.loads(bad_flag.data)["error"]
    assert taken.status_code == 200
    assert fake.export_state()["lanes"]["default"]["options"]["seed"] == 7


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            {"frozen_at": 1e300, "offset": 0},
            "the clock cannot be frozen at 1e+300: the clock goes from 1970-01-01T00:00:00Z to "
            "9000-01-01T00:00:00Z",
        ),
        (
            {"frozen_at": None, "offset": -1e20},
            "the clock cannot run -1e+20 seconds off the system time: the clock goes from "
            "1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z",
        ),
    ],
)
def test_a_clock_outside_its_range_in_a_document_is_refused(
    setting: dict[str, Any], message: str
) -> None:
    document = FakeAuth().export_state()
    document["lanes"]["default"]["clock"] = setting

    with pytest.raises(ConfigurationError) as refused:
        FakeAuth.from_state(document)

    assert str(refused.value) == f"fakeauth: {message}"


# -- a document holds nothing a seeding call would refuse ---------------------------------------

HUGE_EMAIL = "a" * 5_000_000 + "@example.test"  # 5 MB
LONG_NAME = "N" * 129  # Ovok's API takes names of 1 to 128 characters


def _with_ovok_account(**fields: str) -> dict[str, Any]:
    fake = FakeAuth(seed=7)
    fake.ovok.add_account("ann@example.test", PASSWORD)
    document = fake.export_state()
    document["lanes"]["default"]["ovok"]["accounts"][0].update(fields)
    return document


def test_a_5_mb_email_in_an_imported_document_is_refused_with_a_sentence() -> None:
    fake = FakeAuth(seed=7)
    before = fake.export_state()

    with pytest.raises(ConfigurationError) as refused:
        fake.import_state(_with_ovok_account(email=HUGE_EMAIL))

    assert str(refused.value) == (
        "fakeauth: the state document is not valid at lanes.default.ovok.accounts.0.email: "
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (5,000,013 characters) is not an email "
        "address Ovok accepts (class-validator isEmail); nothing was loaded"
    )
    assert fake.export_state() == before


@pytest.mark.parametrize(
    ("vendor", "field", "message"),
    [
        ("ovok", "name", "an Ovok name is at most 128 characters, not 129"),
        ("ovok", "surname", "an Ovok surname is at most 128 characters, not 129"),
        ("b2core", "given_name", "a B2Core given_name is at most 4,096 characters, not 4,097"),
    ],
)
def test_an_over_long_name_in_a_document_is_refused_as_add_account_refuses_it(
    vendor: str, field: str, message: str
) -> None:
    fake = FakeAuth(seed=7)
    fake.ovok.add_account("ann@example.test", PASSWORD)
    fake.b2core.add_account("ann@example.test", PASSWORD)
    document = fake.export_state()
    too_long = "N" * (129 if vendor == "ovok" else 4097)
    document["lanes"]["default"][vendor]["accounts"][0][field] = too_long
    seed: Callable[..., Any] = (
        fake.ovok.add_account if vendor == "ovok" else fake.b2core.add_account
    )

    with pytest.raises(ConfigurationError) as loaded:
        FakeAuth.from_state(document)
    with pytest.raises(ConfigurationError) as seeded:
        seed("bob@example.test", PASSWORD, **{field: too_long})

    assert str(loaded.value) == (
        f"fakeauth: the state document is not valid at lanes.default.{vendor}.accounts.0."
        f"{field}: {message}; nothing was loaded"
    )
    assert str(seeded.value) == f"fakeauth: {message}"


def test_a_state_refuses_a_bad_part_of_its_own_and_keeps_its_records() -> None:
    fake = FakeAuth(seed=7)
    fake.ovok.add_account("ann@example.test", PASSWORD)
    part = fake.ovok.to_document()
    part["accounts"][0]["name"] = LONG_NAME

    with pytest.raises(ConfigurationError) as refused:
        fake.ovok.load_document(part)

    assert str(refused.value) == (
        "fakeauth: the state document is not valid at accounts.0.name: an Ovok name is at most "
        "128 characters, not 129; nothing was loaded"
    )
    assert [a.email for a in fake.ovok.accounts] == ["ann@example.test"]


def test_a_state_reads_back_the_part_it_wrote() -> None:
    fake = FakeAuth(seed=7)
    ovok_login(fake, "ann@example.test")
    b2core_login(fake, "bob@example.test")
    parts = {v.name: fake.vendor_state(v.name).to_document() for v in fake.vendors}
    other = FakeAuth(seed=7)

    for vendor in other.vendors:
        other.vendor_state(vendor.name).load_document(parts[vendor.name])

    for vendor in other.vendors:
        mine = parts[vendor.name]
        theirs = other.vendor_state(vendor.name).to_document()
        assert {k: v for k, v in theirs.items() if k != "streams"} == {
            k: v for k, v in mine.items() if k != "streams"
        }
