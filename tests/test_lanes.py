"""Lanes (:mod:`fakeauth.lanes`): isolated states side by side on one WSGI app, through
``werkzeug.test.Client``: the URL grammar, the header, isolation, credentials bound to their
lane, names and the cap, the lanes control API, and export/import of every lane."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from serving import REGISTER
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth
from fakeauth.errors import ConfigurationError
from fakeauth.lanes import Lanes

FROZEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
BAD_NAME = (
    "fakeauth: 'bad!' is not a lane name: a lane name is 1 to 64 characters of A-Z, a-z, 0-9, "
    "'.', '_' and '-', starting with a letter or a digit"
)


def body(answer: TestResponse) -> Any:
    """The answer's JSON document."""
    return answer.get_json()


def client(lanes: Lanes) -> Client:
    return Client(lanes.wsgi_app)


def register(http: Client, prefix: str = "", **headers: str) -> TestResponse:
    return http.post(f"{prefix}/ovok/auth/b2b/register", json=REGISTER, headers=headers)


def me(http: Client, token: str, prefix: str = "", **headers: str) -> TestResponse:
    return http.get(
        f"{prefix}/ovok/auth/me", headers={"Authorization": f"Bearer {token}", **headers}
    )


def emails(fake: FakeAuth) -> list[str]:
    return [account["email"] for account in fake.ovok.export_accounts()]


def test_the_grammar_lane_then_vendor_then_path() -> None:
    lanes = Lanes(FakeAuth())
    http = client(lanes)

    registered = register(http, "/_lanes/a")
    journal = http.get("/_lanes/a/_fakeauth/journal")
    under_vendor = http.get("/_lanes/a/ovok/_fakeauth/journal")

    assert registered.status_code == 200, registered.json
    assert emails(lanes.get("a")) == [REGISTER["email"]]
    assert emails(lanes.get("default")) == []
    assert [entry["path"] for entry in body(journal)] == ["/auth/b2b/register"]
    assert under_vendor.status_code == 404
    assert body(under_vendor)["message"] == (
        "fakeauth's control API is at the root: /_fakeauth/journal, not /ovok/_fakeauth/journal"
    )


def test_the_header_picks_the_same_lane_as_the_prefix() -> None:
    lanes = Lanes(FakeAuth())
    http = client(lanes)

    token = body(register(http, **{"X-Fakeauth-Lane": "a"}))["accessToken"]
    by_prefix = me(http, token, "/_lanes/a")
    twice = me(http, token, "/_lanes/a", **{"X-Fakeauth-Lane": "b"})

    assert by_prefix.status_code == 200
    assert twice.status_code == 400
    assert body(twice)["message"] == (
        "fakeauth: the request names two lanes, 'a' by its path and 'b' by X-Fakeauth-Lane; "
        "give one"
    )


def test_no_lane_is_the_default_lane() -> None:
    default = FakeAuth()
    http = client(Lanes(default))

    token = body(register(http))["accessToken"]

    assert emails(default) == [REGISTER["email"]]
    assert me(http, token, **{"X-Fakeauth-Lane": "default"}).status_code == 200


def test_each_lane_has_its_own_accounts_clock_flags_faults_journal_and_outbox() -> None:
    lanes = Lanes(FakeAuth())
    http = client(lanes)
    a = lanes.get("a")
    a.clock.set(FROZEN, frozen=True)
    a.features.disable("account-registration")
    a.fail_next("ovok.b2b_register", status=503)

    in_a = register(http, "/_lanes/a")
    in_b = register(http, "/_lanes/b")

    b = lanes.get("b")
    assert (in_a.status_code, in_b.status_code) == (503, 200)
    assert emails(a) == []
    assert emails(b) == [REGISTER["email"]]
    assert b.clock.now() != FROZEN
    assert b.features.is_enabled("account-registration")
    assert (len(a.journal), len(b.journal), len(lanes.get("default").journal)) == (1, 1, 0)
    assert b.outbox is not a.outbox


def test_a_token_of_another_lane_is_refused_even_with_one_seed() -> None:
    lanes = Lanes(FakeAuth(seed=7))
    http = client(lanes)
    for name in ("a", "b"):
        lanes.get(name).clock.set(FROZEN, frozen=True)

    token_a = body(register(http, "/_lanes/a"))["accessToken"]
    token_b = body(register(http, "/_lanes/b"))["accessToken"]

    assert token_a != token_b
    assert me(http, token_a, "/_lanes/a").status_code == 200
    assert me(http, token_a, "/_lanes/b").status_code == 401
    assert me(http, token_b, "/_lanes/a").status_code == 401


def test_a_seeded_lane_answers_byte_identically_from_run_to_run() -> None:
    def run() -> list[bytes]:
        lanes = Lanes(FakeAuth(seed=7))
        lanes.get("a").clock.set(FROZEN, frozen=True)
        http = client(lanes)
        answer = register(http, "/_lanes/a")
        return [answer.data, http.get("/_lanes/a/_fakeauth/jwks.json").data]

    assert run() == run()


@pytest.mark.parametrize("name", ["bad!", "-a", "x" * 65, ".", "a/b"])
def test_a_bad_lane_name_is_a_400_in_the_vendors_shape(name: str) -> None:
    http = client(Lanes(FakeAuth()))

    answer = http.get(f"/_lanes/{name}/ovok/auth/me")

    assert answer.status_code in (400, 404)  # a/b: lane 'a', then no vendor path /b/ovok/...
    if name == "bad!":
        assert answer.json == {"statusCode": 400, "message": BAD_NAME, "error": "Bad Request"}


def test_a_bad_header_name_is_a_400() -> None:
    http = client(Lanes(FakeAuth()))

    answer = http.get("/_fakeauth/journal", headers={"X-Fakeauth-Lane": "bad!"})

    assert (answer.status_code, answer.json) == (400, {"error": BAD_NAME})


def test_past_max_lanes_a_new_lane_is_a_429_saying_how_to_make_room() -> None:
    lanes = Lanes(FakeAuth(), max_lanes=1)
    http = client(lanes)
    http.get("/_lanes/a/_fakeauth/journal")

    answer = http.get("/_lanes/b/_fakeauth/journal")
    http.delete("/_fakeauth/lanes/a")
    after = http.get("/_lanes/b/_fakeauth/journal")

    assert answer.status_code == 429
    assert answer.json == {
        "error": "fakeauth: too many lanes (1, --max-lanes) to create 'b'; delete idle ones "
        "with DELETE /_fakeauth/lanes/NAME or DELETE /_fakeauth/lanes?idle=SECONDS"
    }
    assert after.status_code == 200


def test_list_reset_and_delete_lanes() -> None:
    lanes = Lanes(FakeAuth())
    http = client(lanes)
    token = body(register(http, "/_lanes/a"))["accessToken"]
    http.get("/_lanes/b/_fakeauth/journal")

    listed = body(http.get("/_lanes/b/_fakeauth/lanes"))
    reset = http.post("/_fakeauth/lanes/a/reset")
    after_reset = me(http, token, "/_lanes/a")
    deleted = http.delete("/_fakeauth/lanes/b")
    again = http.delete("/_fakeauth/lanes/b")
    default = http.delete("/_fakeauth/lanes/default")

    assert listed["lane"] == "b"
    assert listed["max_lanes"] == 1000
    assert [(row["name"], row["requests"], row["accounts"]["ovok"]) for row in listed["lanes"]] == [
        ("a", 1, 1),
        ("b", 1, 0),
    ]
    assert (reset.status_code, reset.json) == (200, {"reset": "a"})
    assert after_reset.status_code == 401
    assert emails(lanes.get("a")) == []
    assert (deleted.status_code, deleted.json) == (200, {"deleted": "b"})
    assert (again.status_code, again.json) == (
        404,
        {"error": "fakeauth: no lane 'b'; a request through /_lanes/b/ or with "
         "'X-Fakeauth-Lane: b' creates it"},
    )  # fmt: skip
    assert default.status_code == 400
    assert lanes.names() == ["default", "a"]


def test_a_reset_lane_goes_back_to_the_starting_state() -> None:
    default = FakeAuth()
    default.ovok.add_account(email="seeded@example.test", password="s3cret-Pa55word")
    from fakeauth.persistence import export_lane
    from fakeauth.persistence.model import LaneDoc

    lanes = Lanes(default, start=LaneDoc.model_validate(export_lane(default)))
    http = client(lanes)
    register(http, "/_lanes/a")

    http.post("/_fakeauth/lanes/a/reset")

    assert emails(lanes.get("a")) == ["seeded@example.test"]


def test_delete_idle_lanes() -> None:
    lanes = Lanes(FakeAuth())
    http = client(lanes)
    http.get("/_lanes/a/_fakeauth/journal")

    kept = http.delete("/_fakeauth/lanes?idle=3600")
    bad = http.delete("/_fakeauth/lanes?idle=soon")
    deleted = http.delete("/_fakeauth/lanes?idle=0")

    assert kept.json == {"deleted": []}
    assert bad.status_code == 400
    assert body(bad)["error"].startswith("fakeauth: say how long a lane must have been idle")
    assert deleted.json == {"deleted": ["a"]}


def test_a_lane_from_a_named_snapshot_of_the_default_lane() -> None:
    default = FakeAuth()
    http = client(Lanes(default))
    register(http)
    default.snapshots.save("one-account", default.snapshot())

    created = http.post("/_fakeauth/lanes/b?from=one-account")
    twice = http.post("/_fakeauth/lanes/b?from=one-account")
    unknown = http.post("/_fakeauth/lanes/c?from=nope")

    assert created.status_code == 201
    assert body(http.get("/_lanes/b/_fakeauth/accounts"))["ovok"][0]["email"] == REGISTER["email"]
    assert twice.status_code == 400
    assert unknown.status_code == 400
    assert "no snapshot 'nope'" in body(unknown)["error"]


def test_export_and_import_hold_every_lane() -> None:
    lanes = Lanes(FakeAuth(seed=3))
    http = client(lanes)
    token = body(register(http, "/_lanes/a"))["accessToken"]

    document = json.loads(json.dumps(lanes.export_state()))
    loaded = Lanes.from_state(document)

    assert sorted(document["lanes"]) == ["a", "default"]
    assert me(client(loaded), token, "/_lanes/a").status_code == 200
    assert me(client(loaded), token).status_code == 401
    with pytest.raises(ConfigurationError, match="exactly one lane"):
        FakeAuth.from_state(document)


def test_the_vendor_preflight_allows_the_lane_header() -> None:
    http = client(Lanes(FakeAuth()))

    answer = http.options(
        "/_lanes/a/ovok/auth/b2b/login",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )

    assert answer.status_code == 204
    assert "X-Fakeauth-Lane" in answer.headers["Access-Control-Allow-Headers"]


def test_two_hundred_lanes_are_two_hundred_fakes() -> None:
    lanes = Lanes(FakeAuth(seed=1), max_lanes=200)

    fakes: list[Any] = [lanes.get(f"lane-{n}") for n in range(200)]

    assert len({id(fake) for fake in fakes}) == 200
    assert len(lanes) == 200


def test_a_lane_deleted_and_created_again_refuses_the_old_lanes_token() -> None:
    lanes = Lanes(FakeAuth(seed=7))
    http = client(lanes)
    lanes.get("a").clock.set(FROZEN, frozen=True)
    old = body(register(http, "/_lanes/a"))["accessToken"]

    http.delete("/_fakeauth/lanes/a")
    lanes.get("a").clock.set(FROZEN, frozen=True)
    new = body(register(http, "/_lanes/a"))["accessToken"]

    assert new != old
    assert me(http, old, "/_lanes/a").status_code == 401


def test_a_path_that_only_starts_like_the_lanes_routes_is_the_control_apis_404() -> None:
    http = client(Lanes(FakeAuth()))

    answer = http.get("/_fakeauth/lanesX")

    assert answer.status_code == 404


def test_an_allowed_host_name_reaches_every_lanes_control_api() -> None:
    lanes = Lanes(FakeAuth())
    early = lanes.get("early")  # a lane made before the names are given
    web = client(lanes)
    named = {"base_url": "http://fakeauth:8080"}

    refused = web.get("/_lanes/early/_fakeauth/status", **named)
    lanes.control_hosts = frozenset({"fakeauth"})
    answers = [
        web.get(f"{prefix}/_fakeauth/status", **named)
        for prefix in ("", "/_lanes/early", "/_lanes/late")
    ]

    assert refused.status_code == 403
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert early.control_hosts == lanes.get("late").control_hosts == frozenset({"fakeauth"})
