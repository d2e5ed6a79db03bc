"""The walt.id Enterprise entries of the fidelity registry.

walt.id's community code (Ktor, kotlinx serialization) is public; the Enterprise service's is
not, so where they may differ the entry says so.
"""

from __future__ import annotations

from fakeauth.fidelity.model import Entry

__all__ = ["ENTRIES", "INTRO", "TITLE"]

TITLE = "walt.id Enterprise"
INTRO = """\
The error body `{"exception": true, "id", "status", "code", "message"}` with `details`, the plain
text 401s, the EdDSA login token `{sub, session, exp}`, the `ktor-authnz-auth` cookie, the
super-admin activation and the set-up routes are [DOC]/[SRC]. The rest:"""

_API = "tests/test_waltid_api.py::"
_PINS = "tests/test_fidelity_pins.py::"
_DECISION = "fakeauth's decision, walt.id"
_SETUP = "fakeauth's decision, walt.id set-up flow"

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="waltid.lockout",
        vendor="waltid",
        behaviour="A locked-out account (the `locked_out` weather condition)",
        fakeauth="every login answers 429 in the error shape, `message` `Too many failed "
        "attempts for this account; try again later`, with `Retry-After: 600`",
        kind="PROPOSAL",
        source="today's release has no lockout; the words are those of the failed-attempt "
        "limit in newer versions of walt.id's auth library (`waltid-ktor-authnz`);",
        why="a client under weather meets a lockout as the coming release words it.",
        operations=("waltid.emailpass_login",),
        test="tests/test_weather.py::test_waltid_locked_out_answers_429_in_its_error_shape",
    ),
    Entry(
        id="waltid.login.unknown-email",
        vendor="waltid",
        behaviour="Unknown login email",
        fakeauth='404 `AccountDataNotFoundException` "No stored data found for authentication '
        'method: email" (emails compare case-insensitively)',
        kind="SRC",
        source="community library;",
        why="Enterprise may differ",
        operations=("waltid.emailpass_login",),
        test=f"{_API}test_login_errors",
    ),
    Entry(
        id="waltid.register.duplicate-email",
        vendor="waltid",
        behaviour="Duplicate email",
        fakeauth='409 `ConflictException` "An account with email <e> already exists."',
        kind="PROPOSAL",
        source=f"community wording ({_DECISION}: 409 ConflictException)",
        operations=("waltid.account_register",),
        test=f"{_API}test_register_refuses_a_taken_email_whatever_its_case",
    ),
    Entry(
        id="waltid.forbidden",
        vendor="waltid",
        behaviour="A valid bearer without the right",
        fakeauth='403 `ForbiddenException` "Account <id> is not allowed to perform this '
        'operation."',
        kind="PROPOSAL",
        source=f"{_DECISION} (403 ForbiddenException); the wording ours",
        operations=("waltid.admin_account_register",),
        test=f"{_API}test_admin_register_with_a_plain_account_is_403",
    ),
    Entry(
        id="waltid.register.flag-off",
        vendor="waltid",
        behaviour="`/v1/account/register` with `account-registration` off",
        fakeauth="404 with an empty body, still journaled as `waltid.account_register`; the fake "
        "switches the flag at run time (the real service reads it at start-up)",
        kind="PROPOSAL",
        source=f"{_DECISION} (the real service never registers the route)",
        operations=("waltid.account_register",),
        test=f"{_API}test_public_register_follows_the_flag_both_ways",
    ),
    Entry(
        id="waltid.features.gated-routes",
        vendor="waltid",
        behaviour="Other feature-gated routes",
        fakeauth="the admin routes (`admin`), organization creation (`organization-creation`), "
        "super-admin activation (`superadmin-registration`), the dev routes (`dev-mode`) and "
        "the feature endpoints (`feature-flag-information-endpoint`) answer the same empty 404 "
        "while their feature is off; all are on by default, as in the quickstart",
        kind="PROPOSAL",
        source="the feature names are walt.id's; which route each gates is ours",
        test=f"{_API}test_a_disabled_feature_hides_its_route",
    ),
    Entry(
        id="waltid.json.constants",
        vendor="waltid",
        behaviour="`NaN`, `Infinity`, an overlong integer, `1e400`",
        fakeauth="read as literals, which the field then refuses as kotlinx does (`had 'N'`)",
        kind="PROPOSAL",
        source="kotlinx's lenient-off reader, not verified on Enterprise",
        test="tests/test_bad_input.py::test_each_vendor_words_its_refusals_exactly",
    ),
    Entry(
        id="waltid.method-not-allowed",
        vendor="waltid",
        behaviour="Another method on a served path",
        fakeauth="405, `id` `MethodNotAllowedException`, with `Allow`",
        kind="PROPOSAL",
        source="Ktor answers 405 for a known path; the exception id ours",
        test="tests/test_method_not_allowed.py::test_each_vendor_answers_its_405_with_allow",
    ),
    Entry(
        id="waltid.content-type.refused",
        vendor="waltid",
        behaviour="Wrong or missing `Content-Type` on a JSON route",
        fakeauth='415 `UnsupportedMediaTypeException` "Content type <type> is not supported" '
        "(the login route also takes a form post or HTTP Basic)",
        kind="PROPOSAL",
        source="Ktor's behaviour",
        operations=("waltid.account_register", "waltid.admin_account_register"),
        test=f"{_API}test_register_needs_a_json_content_type",
    ),
    Entry(
        id="waltid.body.errors",
        vendor="waltid",
        behaviour="Body errors",
        fakeauth="as kotlinx reports them: the first unknown key as `details.unknownFields`; "
        "missing fields per object, innermost first, as `details.missingFields` with the "
        'top-level `expectedType`; type errors and malformed JSON "Unexpected JSON token …"',
        kind="SRC",
        source="commons tests;",
        why="ordering [PROPOSAL]",
        operations=("waltid.account_register", "waltid.admin_account_register"),
        test=f"{_API}test_register_refuses_a_bad_body_and_stores_nothing",
    ),
    Entry(
        id="waltid.register.request",
        vendor="waltid",
        behaviour="`AccountRegistrationRequest`",
        fakeauth="`profile` and `preferences` required, and inside them `profile.name` and "
        "`profile.email`; the other fields optional and left out of replies when absent; "
        "`initialAuth` optional (without it the account cannot log in), type `email` only; the "
        "email's format is not checked",
        kind="SRC",
        source="test names `profile` and `preferences`;",
        why="rest [PROPOSAL]",
        operations=("waltid.account_register", "waltid.emailpass_login"),
        test=f"{_API}test_an_account_without_initial_auth_cannot_log_in",
    ),
    Entry(
        id="waltid.login.reply",
        vendor="waltid",
        behaviour="Login reply",
        fakeauth='exactly `{session_id, status: "OK", token}` (the documented example\'s status; '
        'newer library code says `"SUCCESS"`), no `expiration` key',
        kind="CONFLICT",
        source='the documented example says `"OK"`, the newer library code `"SUCCESS"`; '
        f"{_SETUP} follows the documentation",
        operations=("waltid.emailpass_login",),
        test=f"{_API}test_emailpass_login_answers_the_documented_shape_and_sets_the_cookie",
    ),
    Entry(
        id="waltid.login.cookie",
        vendor="waltid",
        behaviour="Login cookie",
        fakeauth="`ktor-authnz-auth`, `HttpOnly; SameSite=Strict; Path=/`, a session cookie, "
        "`Secure` only over https",
        kind="DEVIATION",
        source="the current library source uses `SameSite=Lax`;",
        why="decision: fakeauth keeps `SameSite=Strict` (the researched walt.id contract).",
        operations=("waltid.emailpass_login",),
        test=f"{_API}test_the_cookie_is_secure_only_over_https",
    ),
    Entry(
        id="waltid.token.carriers",
        vendor="waltid",
        behaviour="Where the token is read",
        fakeauth="the `ktor-authnz-auth` header, then `Authorization: Bearer`, then the "
        "`ktor-authnz-auth` or `auth.token` cookie",
        kind="DEVIATION",
        source="the current source reads the cookie before `Authorization`;",
        why="fakeauth keeps the order of the researched walt.id contract.",
        operations=("waltid.admin_accounts_list",),
        test=f"{_API}test_the_token_is_read_from_every_carrier",
    ),
    Entry(
        id="waltid.token.refused",
        vendor="waltid",
        behaviour="Forged, revoked, unknown or another vendor's token",
        fakeauth="plain-text 401 `Unauthorized (InvalidCredentials)`; no token: `Unauthorized "
        "(NoCredentials)`",
        kind="SRC",
        source="Ktor's authentication plugin",
        test=f"{_API}test_a_forged_or_foreign_token_is_refused",
    ),
    Entry(
        id="waltid.token.expired",
        vendor="waltid",
        behaviour="Expired token",
        fakeauth='401 `ExpiredTokenException` "JWT Login Token expired since: <Kotlin duration, '
        'e.g. 1d 1h 1m 1.25s>"; the signature is checked before `exp`, and `exp` before '
        "revocation (a logged-out token past its `exp` answers as expired)",
        kind="SRC",
        source="wording;",
        why="order [PROPOSAL]",
        test=f"{_API}test_the_token_expires_to_the_second_under_freezegun",
    ),
    Entry(
        id="waltid.logout",
        vendor="waltid",
        behaviour="Logout",
        fakeauth="`POST /auth/logout`: 200, empty body, ends the carried token's session (if any) "
        "and clears both cookies",
        kind="SRC",
        source="community frontend;",
        why="[PROPOSAL]",
        operations=("waltid.logout",),
        test=f"{_API}test_a_logged_out_token_is_refused_and_logout_is_idempotent",
    ),
    Entry(
        id="waltid.create-by-token",
        vendor="waltid",
        behaviour="`create-by-token`",
        fakeauth='the token as raw text, JSON `{"token": ...}`, a JSON string, or the docs\' '
        "literal `{ <token> }`; 200 with the Super Admin's account; a wrong token 401 "
        '`UnauthorizedException` "Invalid superadmin registration token."; the default token '
        "expires 2029-01-01",
        kind="PROPOSAL",
        source=f"{_SETUP};",
        why="details [PROPOSAL]",
        operations=("waltid.superadmin_create_by_token",),
        test=f"{_API}test_create_by_token_takes_raw_text_json_or_the_documented_braces",
    ),
    Entry(
        id="waltid.superadmin",
        vendor="waltid",
        behaviour="The Super Admin",
        fakeauth='profile `{name: "Super Admin", email}`, preferences UTC/EN, listed by '
        "`/v1/admin/accounts` like any account",
        kind="PROPOSAL",
        source="the quickstart gives the credentials, not the account",
        operations=("waltid.admin_accounts_list",),
        test=f"{_PINS}test_waltid_super_admin_is_listed_like_any_account",
    ),
    Entry(
        id="waltid.organizations",
        vendor="waltid",
        behaviour="Organizations",
        fakeauth="only the Super Admin creates them; the id matches `[A-Za-z0-9][A-Za-z0-9_-]*` "
        "(else 400 `IllegalArgumentException`); 201 `{_id, profile{name}}`; a duplicate is 409 "
        "`DuplicateTarget` with `target`",
        kind="SRC",
        source="CLI;",
        why="rules [PROPOSAL]",
        operations=("waltid.admin_organizations_create",),
        test=f"{_API}test_organization_creation_refuses_a_bad_body",
    ),
    Entry(
        id="waltid.roles.add",
        vendor="waltid",
        behaviour="Adding a role",
        fakeauth="a new assignment: 200 with the updated account; one already held: 200 `{}`; "
        "unknown account, organization or role: 404 `NotFoundException`; the Super Admin or "
        "that organization's `<org>.admin` may assign",
        kind="SRC",
        source="CLI;",
        why="rest [PROPOSAL]",
        operations=("waltid.admin_account_roles_add",),
        test=f"{_API}test_role_assignment_errors",
    ),
    Entry(
        id="waltid.admin.register-and-list",
        vendor="waltid",
        behaviour="Admin register and account list",
        fakeauth="the Super Admin or any organization admin; the list holds every account",
        kind="PROPOSAL",
        source="the public material does not say who may call them",
        operations=("waltid.admin_account_register",),
        test=f"{_API}test_an_organization_admin_may_use_the_admin_register",
    ),
    Entry(
        id="waltid.dev-routes",
        vendor="waltid",
        behaviour="Dev routes",
        fakeauth="`database-recreate` needs no bearer, answers 200 with an empty body and clears "
        "accounts, organizations, roles, sessions and the Super Admin (feature flags stay; old "
        "tokens stay dead); `initial-setup` needs the Super Admin and answers 200 doing nothing",
        kind="PROPOSAL",
        source=f"{_SETUP};",
        why="[PROPOSAL]",
        operations=("waltid.dev_database_recreate",),
        test=f"{_API}test_database_recreate_resets_walt_id_but_not_the_flags",
    ),
    Entry(
        id="waltid.dev-routes.admin-initial-setup",
        vendor="waltid",
        behaviour="`POST /v1/admin/initial-setup`",
        fakeauth="answers as `/v1/dev/initial-setup` does: the Super Admin's bearer, 200 with an "
        "empty body, 404 with the `dev-mode` flag off",
        kind="PROPOSAL",
        source="an older release of the quickstart CLI posts here (with the Super Admin's "
        "bearer, going on when it fails), newer ones post `/v1/dev/initial-setup`;",
        why="whether a current service still serves it is not public [PROPOSAL]",
        operations=("waltid.admin_initial_setup",),
        test=f"{_API}test_the_older_quickstart_initial_setup_answers_as_the_dev_route",
    ),
    Entry(
        id="waltid.features.endpoints",
        vendor="waltid",
        behaviour="`/features/registered`, `/features/state`",
        fakeauth="`{name: description}`; the state groups flags into `enabled`, `disabled` (off "
        "but on by default) and `defaultedDisabled` (off by default)",
        kind="SRC",
        source="shape;",
        why="grouping [PROPOSAL]",
        operations=("waltid.features_registered", "waltid.features_state"),
        test=f"{_API}test_features_reflect_the_registry",
    ),
    Entry(
        id="waltid.check-order",
        vendor="waltid",
        behaviour="Check order on protected routes",
        fakeauth="feature, bearer, role, then body",
        kind="PROPOSAL",
        source="Ktor's plugins run in install order; the order is ours",
        operations=("waltid.admin_account_register",),
        test=f"{_PINS}test_waltid_checks_feature_bearer_role_then_body",
    ),
    Entry(
        id="waltid.seam-errors",
        vendor="waltid",
        behaviour="Seam errors",
        fakeauth="413 `PayloadTooLargeException`, 501 `NotImplementedError`",
        kind="PROPOSAL",
        source="in walt.id's error body",
        test=f"{_API}test_an_unserved_walt_id_path_is_a_loud_501",
    ),
    Entry(
        id="waltid.content-type.charset",
        vendor="waltid",
        behaviour="`Content-Type` of replies",
        fakeauth="`application/json; charset=utf-8` (Ktor writes `charset=UTF-8`)",
        kind="DEVIATION",
        source="Ktor writes `charset=UTF-8`;",
        why="cosmetic: a charset name is case-insensitive (RFC 9110), so no client sees a "
        "difference.",
        operations=("waltid.emailpass_login",),
        test=f"{_API}test_emailpass_login_answers_the_documented_shape_and_sets_the_cookie",
    ),
)
