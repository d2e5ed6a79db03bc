"""The fidelity registry's entries about every vendor at once."""

from __future__ import annotations

from fakeauth.fidelity.model import Entry

__all__ = ["ENTRIES", "INTRO", "TITLE"]

TITLE = "All vendors"
INTRO = ""

_PINS = "tests/test_fidelity_pins.py::"
_405 = "tests/test_method_not_allowed.py::"

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="all.base-urls",
        vendor="all",
        behaviour="Vendor base URLs on the live server",
        fakeauth="`/ovok/...`, `/b2core/...` and `/waltid/...` route the rest of the path as on "
        "the vendor's host (another vendor's path there is this vendor's 501); the vendor sees "
        "its own path; walt.id's cookie is scoped to `Path=/waltid/`; `/_fakeauth/` under a "
        "base URL is the vendor's 404",
        kind="PROPOSAL",
        source="fakeauth's decision: the real vendors each have their own host, which a path "
        "prefix stands in for on one port",
        operations=("waltid.emailpass_login",),
        test="tests/test_base_urls.py::test_the_walt_id_cookie_is_scoped_to_its_base_url",
    ),
    Entry(
        id="all.hosts",
        vendor="all",
        behaviour="Hosts",
        fakeauth="In process, each vendor answers on its documented hosts (all configurable, all "
        "aliases of one state). The live server (`fakeauth serve`, `fake.serve()`) serves all "
        "three APIs on one port: each under its own base URL (`/ovok`, `/b2core`, `/waltid`), "
        "where every route of the vendor answers as on its hosts, and all three at the root, "
        "routed by path (walt.id owns `POST /auth/logout` there).",
        kind="PROPOSAL",
        source="fakeauth's decision, Hosts",
        operations=("ovok.b2b_register", "ovok.b2b_login"),
        test=f"{_PINS}test_all_hosts_of_a_vendor_share_one_state",
    ),
    Entry(
        id="all.unserved",
        vendor="all",
        behaviour="Unserved routes",
        fakeauth="`501 Not Implemented` in the vendor's error shape",
        kind="DEVIATION",
        source="the real services answer 404 for unknown routes.",
        why="This is deliberate: a test that calls something fakeauth does not emulate fails "
        "loudly instead of passing on a made-up answer.",
        test=f"{_405}test_an_unserved_path_still_answers_501",
    ),
    Entry(
        id="all.method-not-allowed",
        vendor="all",
        behaviour="A served path asked with another method",
        fakeauth="`405` in the vendor's error shape with an `Allow` header that lists `OPTIONS` "
        "too; it is the vendor's own answer (journaled as `<vendor>.method_not_allowed`, never "
        "unserved). `OPTIONS` without CORS preflight headers answers `204` with `Allow`. Each "
        "vendor's wording is in its table below.",
        kind="PROPOSAL",
        source="the vendors' frameworks (Symfony, Ktor) answer 405; NestJS answers 404 (see "
        "`ovok.method-not-allowed`)",
        test=f"{_405}test_options_without_a_preflight_answers_204_with_allow",
    ),
    Entry(
        id="all.openapi",
        vendor="all",
        behaviour="OpenAPI",
        fakeauth="`GET /_fakeauth/openapi.json` describes every route served",
        kind="PROPOSAL",
        source="the few choices it and the hardening tests had to make are listed in "
        "[openapi.md](openapi.md).",
        test="tests/test_openapi.py::test_the_control_api_serves_the_document",
    ),
    Entry(
        id="all.body-size",
        vendor="all",
        behaviour="Body size",
        fakeauth="Ovok refuses bodies over 100 KiB with 413 (Express's default limit), B2Core "
        "over 256 KiB, walt.id over 1 MiB.",
        kind="PROPOSAL",
        source="Express's default limit for Ovok; the vendors do not document theirs",
        test=f"{_PINS}test_all_body_size_limits",
    ),
    Entry(
        id="all.malformed-http",
        vendor="all",
        behaviour="Malformed HTTP on the live server",
        fakeauth="A request the HTTP parser cannot read (a bad request line, header or chunk, two "
        "`Content-Length`s) gets `400 Bad Request` as plain text, and a request line plus "
        "headers over 64 KiB gets `431`; both close the connection and never reach a vendor "
        "API. A body over the vendor's limit is refused at once with the vendor's 413, from its "
        "declared or received length, and the rest is never kept (the journal shows what "
        "arrived of it, at most the limit plus one byte); a body over 64 KiB waits, unread, "
        "while earlier large bodies fill the server's 64 MiB budget, and is read once they are "
        "answered; a request line with no HTTP version gets 400; a client that "
        "stalls inside a request gets `408` as plain text after the request timeout; at the "
        "connection cap with no idle connection to close, or when the server runs out of "
        "threads or file descriptors, a new client gets `503` with `Connection: close`. After "
        "each of these early answers the server shuts its writing side and discards what the "
        "client still sends (at most 16 MiB, for at most 5 s), so a client still sending reads "
        "the answer rather than a reset. Every answer carries `Server: fakeauth` and a `Date`.",
        kind="PROPOSAL",
        source="the real services answer such requests from their front proxies, in their own "
        "words",
        test="tests/test_server.py::test_malformed_requests_get_400_and_the_connection_closes",
    ),
    Entry(
        id="all.tokens.keys",
        vendor="all",
        behaviour="Tokens",
        fakeauth="real JWTs signed with a key made per `FakeAuth` instance; they are not valid at "
        "the real vendors, and the real vendors' tokens are not valid here",
        kind="DEVIATION",
        source="the real vendors sign with their own keys, which no fake can hold;",
        why="one fake's token is refused by another fake too.",
        operations=("ovok.me",),
        test=f"{_PINS}test_all_a_token_of_one_fake_is_refused_by_another",
    ),
)
