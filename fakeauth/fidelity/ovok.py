"""The Ovok B2B auth entries of the fidelity registry.

Ovok's platform API is NestJS in front of Medplum: where Ovok's documentation is silent,
fakeauth answers as NestJS's defaults and Medplum's code would.
"""

from __future__ import annotations

from fakeauth.fidelity.model import Entry

__all__ = ["ENTRIES", "INTRO", "TITLE"]

TITLE = "Ovok B2B auth"
INTRO = ""

_API = "tests/test_ovok_api.py::"
_BAD = "tests/test_bad_input.py::"

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="ovok.lockout",
        vendor="ovok",
        behaviour="A locked-out account (the `locked_out` weather condition)",
        fakeauth='Ovok has no lockout: every login answers 429 `{"statusCode":429,"message":'
        '"ThrottlerException: Too Many Requests","error":"Too Many Requests"}` with '
        "`Retry-After: 600`",
        kind="PROPOSAL",
        source="no lockout in Ovok's documentation; the words are NestJS's throttler's own;",
        why="a client under weather meets a lockout in its vendor's error shape, as it would "
        "meet a rate limit in front of the API.",
        operations=("ovok.b2b_login",),
        test="tests/test_weather.py::test_ovok_locked_out_answers_the_throttlers_429",
    ),
    Entry(
        id="ovok.json.malformed",
        vendor="ovok",
        behaviour="Malformed JSON",
        fakeauth="400, `message` `Unexpected token X in JSON at position N` (or "
        "`Unexpected end of JSON input`)",
        kind="PROPOSAL",
        source="wording of Express's JSON parser;",
        why="a top-level `null`, number or string is refused the same way (body-parser's "
        "strict mode).",
        operations=("ovok.b2b_register",),
        test=f"{_API}test_malformed_json_answers_400",
    ),
    Entry(
        id="ovok.json.constants",
        vendor="ovok",
        behaviour="`NaN`, `Infinity`, an overlong or overflowing number",
        fakeauth="`NaN` and `Infinity` refused as `JSON.parse` does (400 `Unexpected token N in "
        "JSON at position P`); an integer of more than 4,300 digits or `1e400` is read as a "
        "number, which the DTO refuses (422)",
        kind="PROPOSAL",
        source="Node's parser.",
        test=f"{_BAD}test_each_vendor_words_its_refusals_exactly",
    ),
    Entry(
        id="ovok.method-not-allowed",
        vendor="ovok",
        behaviour="Another method on a served path",
        fakeauth='405 `{"statusCode":405,"message":"Cannot TRACE /auth/b2b/login",'
        '"error":"Method Not Allowed"}` with `Allow`',
        kind="DEVIATION",
        source="NestJS itself answers 404 `Cannot TRACE /path`;",
        why="fakeauth says 405 so that the client's mistake is plain.",
        test="tests/test_method_not_allowed.py::test_each_vendor_answers_its_405_with_allow",
    ),
    Entry(
        id="ovok.json.too-deep",
        vendor="ovok",
        behaviour="JSON nested too deep to parse",
        fakeauth="400 `Maximum call stack size exceeded`",
        kind="DEVIATION",
        source="Node parses any depth;",
        why="Python's parser stops near 1,000 levels.",
        operations=("ovok.b2b_register",),
        test="tests/test_fidelity_pins.py::test_ovok_json_nested_too_deep",
    ),
    Entry(
        id="ovok.json.array",
        vendor="ovok",
        behaviour="A JSON array as the body",
        fakeauth="422 `an unknown value was passed to the validate function`",
        kind="PROPOSAL",
        source="class-validator's wording for a non-object.",
        operations=("ovok.b2b_register",),
        test=f"{_API}test_a_json_array_is_refused_by_validation",
    ),
    Entry(
        id="ovok.fields.invalid",
        vendor="ovok",
        behaviour="Missing or bad field",
        fakeauth="422, `message` is the first failing field as class-validator words it: "
        "`email must be an email`, `password must be a string`, `password must be longer than "
        "or equal to 1 characters`, `name must be shorter than or equal to 128 characters`, "
        "`tenantId must be a UUID`, `refresh_token should not be empty`",
        kind="PROPOSAL",
        source="the spec documents 422 without a per-case mapping;",
        why="one message (the first) rather than NestJS's list.",
        operations=("ovok.b2b_register",),
        test=f"{_API}test_register_field_errors_answer_422_naming_the_field",
    ),
    Entry(
        id="ovok.register.duplicate-email",
        vendor="ovok",
        behaviour="Duplicate email on register",
        fakeauth="400 `Email already registered`",
        kind="PROPOSAL",
        source="fakeauth's decision, Ovok errors (Medplum-style wording, not verified).",
        why="Emails compare case-insensitively per tenant and are echoed as sent.",
        operations=("ovok.b2b_register",),
        test=f"{_API}test_duplicate_email_answers_400_and_keeps_the_first_account",
    ),
    Entry(
        id="ovok.login.bad-credentials",
        vendor="ovok",
        behaviour="Wrong password or unknown email",
        fakeauth="401 `Email or password is invalid`",
        kind="PROPOSAL",
        source="fakeauth's decision, Ovok errors:",
        why="the same answer for both (no user enumeration).",
        operations=("ovok.b2b_login",),
        test=f"{_API}test_bad_credentials_answer_401_without_telling_which",
    ),
    Entry(
        id="ovok.tenant.unknown",
        vendor="ovok",
        behaviour="Unknown `tenantId` / `clientId`",
        fakeauth="404 `Project not found` / `Client not found`",
        kind="PROPOSAL",
        source="fakeauth's decision, Ovok errors (404; the wording ours);",
        why='the tenant is checked first, and a client of another tenant is "not found".',
        operations=("ovok.b2b_register", "ovok.b2b_login"),
        test=f"{_API}test_unknown_tenant_or_client_answers_404",
    ),
    Entry(
        id="ovok.tenant.default-client",
        vendor="ovok",
        behaviour="A tenant added with `fake.ovok.add_tenant`",
        fakeauth="gets one client application at once, whose id is the tenant's own id (or "
        "`client_id=`; `tenant.client_id`), so its first login works; `add_client` adds more",
        kind="PROPOSAL",
        source="fakeauth's decision: the documentation's tenant `87ea5dfc-...` is its own "
        "client, so a new tenant is too;",
        why="a tenant without a client could only answer `Client not found`.",
        operations=("ovok.b2b_login",),
        test=f"{_API}test_a_new_tenant_has_a_client_so_its_first_login_works",
    ),
    Entry(
        id="ovok.bearer.refused",
        vendor="ovok",
        behaviour="Missing, malformed, forged, expired or revoked bearer; bad or used refresh "
        "token",
        fakeauth="401 `Unauthorized`",
        kind="PROPOSAL",
        source="NestJS's default `UnauthorizedException`.",
        operations=("ovok.me",),
        test=f"{_API}test_me_refuses_a_missing_or_malformed_bearer",
    ),
    Entry(
        id="ovok.body.form",
        vendor="ovok",
        behaviour="Form posts (`application/x-www-form-urlencoded`)",
        fakeauth="parsed as fields, as Express's `urlencoded()` parser does; any other content "
        "type is read as an empty body",
        kind="PROPOSAL",
        source="NestJS's default body parsers.",
        operations=("ovok.b2b_register", "ovok.b2b_login"),
        test=f"{_API}test_a_form_post_is_read_as_express_urlencoded_does",
    ),
    Entry(
        id="ovok.tokens.claims",
        vendor="ovok",
        behaviour="Token algorithm and claims",
        fakeauth="HS256 (as the documentation's example token); access claims `sub`, `iat`, "
        "`exp`, `jti`, `client_id`, `login_id`, `username`, `scope`, `profile` "
        "(`Patient/<uuid>`), `project` (`Project/<uuid>`); refresh claims `sub`, `iat`, `exp`, "
        "`jti`, `client_id`, `login_id`, `refresh_secret`",
        kind="PROPOSAL",
        source="Medplum's real tokens are RS256 with `iss`/`aud`;",
        why="the claims follow Medplum's.",
        operations=("ovok.b2b_register",),
        test=f"{_API}test_access_token_is_a_real_hs256_jwt_with_the_documented_claims",
    ),
    Entry(
        id="ovok.tokens.lifetimes",
        vendor="ovok",
        behaviour="Token lifetimes",
        fakeauth="access 3,600 s ([DOC]), refresh 14 days ([SRC] Medplum's default)",
        kind="SRC",
        source="Medplum's default refresh lifetime; the access lifetime is the documentation's "
        "`expiresIn`.",
        why="Configurable: `FakeAuth(ovok_access_token_ttl=..., ovok_refresh_token_ttl=...)`.",
        operations=("ovok.refresh_token",),
        test=f"{_API}test_refresh_token_lives_fourteen_days",
    ),
    Entry(
        id="ovok.refresh.rotation",
        vendor="ovok",
        behaviour="Refresh",
        fakeauth="`POST /auth/refresh-token` rotates: the refresh token is single use, the new "
        "pair keeps the login session (`login_id`)",
        kind="PROPOSAL",
        source="Medplum rotates its refresh secret.",
        operations=("ovok.refresh_token",),
        test=f"{_API}test_refresh_token_rotates_and_is_single_use",
    ),
    Entry(
        id="ovok.logout.repeat",
        vendor="ovok",
        behaviour="Logout, and a repeated logout with the same token",
        fakeauth="`POST /v1/auth/logout` denies that access token (204, no body); a repeated "
        "logout with the same token answers 204 again and changes nothing; any other use of the "
        "denied token (`GET /auth/me`) is 401, and so is a logout with a missing, forged, "
        "expired or refresh token; the login's refresh token stays valid",
        kind="DOC",
        source="Ovok's OpenAPI document (version 2026.08.29), the logout operation: the token "
        'goes on a denylist until its `exp`, and "repeated calls from the same token return '
        '204" (idempotent). The document contradicts itself twice: its general text says the '
        "revocation guard answers 401 to the next authenticated request with a denied token "
        "(which a repeated logout is), and it keys the success reply `'200'` while describing "
        'it as "Returns 204 No Content".',
        why="fakeauth follows the operation's own statement for logout (204) and the guard for "
        "every other route (401), and answers 204 on the wire.",
        operations=("ovok.logout",),
        test=f"{_API}test_a_repeated_logout_with_the_same_token_answers_204_and_changes_nothing",
    ),
    Entry(
        id="ovok.logout.alias",
        vendor="ovok",
        behaviour="`POST /auth/logout`",
        fakeauth="on Ovok's hosts and under the live server's `/ovok` it is the same logout as "
        "`POST /v1/auth/logout` (operation id `ovok.auth_logout`); at the live server's root "
        "the path is walt.id's logout",
        kind="DOC",
        source="Ovok's OpenAPI document lists `/auth/logout` beside `/v1/auth/logout` as the "
        "same operation (`AuthController_logout[1]`, the same text and replies).",
        why="walt.id owns `POST /auth/logout` at the root, where routing is by path alone.",
        operations=("ovok.auth_logout",),
        test=f"{_API}test_post_auth_logout_on_an_ovok_host_is_the_same_logout",
    ),
    Entry(
        id="ovok.register.verification-email",
        vendor="ovok",
        behaviour="Register",
        fakeauth="200 (as documented), logs the new account in, and sends a verification email "
        'to `fake.outbox` (`kind` `email-verification`, `data["code"]`)',
        kind="PROPOSAL",
        source="for the email's content;",
        why="verification itself is not enforced at login.",
        operations=("ovok.b2b_register",),
        test=f"{_API}test_register_sends_a_verification_email",
    ),
    Entry(
        id="ovok.me.values",
        vendor="ovok",
        behaviour="`GET /auth/me`",
        fakeauth="the documented shape (`ResponseMeDto`, every nested required key), filled from "
        "the account: `strictMode` true, `membership.user` `{reference: User/<id>, display: "
        "<email>}`, `config.menu` `[{title: Favorites, link: []}]` and `accessPolicy.resource` "
        "`[{resourceType: *}]` as the document's example reply, `security.sessions` the caller's "
        "session plus at most the 10 newest other sessions of the account that still hold a "
        "usable token, oldest first, each with Medplum's `browser` and `os` too",
        kind="PROPOSAL",
        source="values and the bound",
        why="(Medplum, which Ovok's reply comes from, lists the logins of the last hour that "
        "are not revoked, one search page; the document's example reply writes "
        "`membership.user.reference` as a bare id, where Medplum writes `User/<id>`).",
        operations=("ovok.me",),
        test=f"{_API}test_me_answers_the_documented_shape_filled_from_the_account",
    ),
    Entry(
        id="ovok.example-project",
        vendor="ovok",
        behaviour="The example project",
        fakeauth="the documentation's example reply's "
        '`Project/f6f4da8d-93e8-8a08-220e-03b7810451d3`, "My Medical Project", for the default '
        "tenant `87ea5dfc-8b8e-384d-8489-79496e706390`",
        kind="PROPOSAL",
        source="fakeauth's decision, Embedded defaults mirror the docs' examples:",
        why="the docs use the tenant id as both tenant and client.",
        operations=("ovok.b2b_register",),
        test=f"{_API}test_documented_register_request_answers_the_documented_shape",
    ),
    Entry(
        id="ovok.not-served",
        vendor="ovok",
        behaviour="Not served",
        fakeauth="`GET /auth/session`, `DELETE /auth/session/{option}`, `DELETE /auth/delete`, "
        "`POST /v2/auth/login`, `POST /auth/register`, the tenant flows "
        "(`POST /auth/tenant/Practitioner/login/{start,mfa,token}`, "
        "`POST /auth/tenant/Patient/login/{start,mfa,token}`, "
        "`POST /auth/tenant/Patient/register`): 501",
        kind="DEVIATION",
        source="the real service serves these routes (Ovok's OpenAPI document, version "
        "2026.08.29, lists them among its auth paths);",
        why="fakeauth answers 501 in Ovok's error shape (see `all.unserved`).",
        test=f"{_API}test_an_unserved_ovok_path_answers_501_and_is_recorded",
    ),
)
