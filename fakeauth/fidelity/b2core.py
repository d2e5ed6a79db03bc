"""The B2Core front office entries of the fidelity registry.

B2Core's public reference gives the paths, the wizard envelope and the sign-up fields, but not its
error bodies, token format or lifetimes: most of what follows is the team's choice.
"""

from __future__ import annotations

from fakeauth.fidelity.model import Entry

__all__ = ["ENTRIES", "INTRO", "TITLE"]

TITLE = "B2Core front office"
INTRO = """\
The wizard envelope `{code, data, done, uuid, workflow}`, HTTP 200 with `code` 200 (a step follows)
or 202 (done), the sign-up fields, the device fingerprint, `{token, createdAt, expiresAt}` tokens,
the 5-failures-a-minute lockout for 10 minutes, and the paths are [DOC]/[SRC]. The rest:"""

_API = "tests/test_b2core_api.py::"
_PINS = "tests/test_fidelity_pins.py::"
_REGISTRATION = "rest-api-reference-front-registration.html"
_DECISION = "fakeauth's decision, B2Core"

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="b2core.brokers",
        vendor="b2core",
        behaviour="Brokers",
        fakeauth="one per `b2core_hosts` base URL (the first is the default; the live server's "
        "loopback host is served by it); `fake.b2core.add_broker(url, ...)` adds one at run time",
        kind="PROPOSAL",
        source="fakeauth's decision, Hosts (B2Core runs on each broker's own host)",
        operations=("b2core.signup_wizard", "b2core.signup", "b2core.signin"),
        test=f"{_API}test_a_second_broker_on_another_host",
    ),
    Entry(
        id="b2core.body.any-content-type",
        vendor="b2core",
        behaviour="Request bodies",
        fakeauth="read as JSON whatever the `Content-Type` (the documentation's curl sends JSON "
        "as `application/x-www-form-urlencoded`); a real form body is read PHP-style "
        "(`info[givenName]`)",
        kind="PROPOSAL",
        source="the documentation's curl example is [DOC];",
        why="the form reading is ours",
        operations=("b2core.signup",),
        test=f"{_API}test_signup_from_a_real_form_body_with_php_brackets",
    ),
    Entry(
        id="b2core.fields.errors",
        vendor="b2core",
        behaviour="Field errors",
        fakeauth="HTTP 400, `code` 400, `done` false, the same `uuid` and `workflow`, "
        "`data.errors` mapping dotted field paths (`info.givenName`) to lists of messages "
        'worded as Symfony\'s validator: "This value should not be blank.", "This value is not '
        'a valid email address.", "This value is already used.", "The password confirmation '
        'does not match.", "This value is not a valid device fingerprint.", "The reCAPTCHA '
        'response is invalid.", "The code is invalid.", "This value should be of type string.", '
        '"This value is too long. It should have N characters or less."',
        kind="PROPOSAL",
        source=f"the error body is not public; the envelope is a {_DECISION} (errors)",
        operations=("b2core.signup",),
        test=f"{_API}test_signup_field_errors",
    ),
    Entry(
        id="b2core.body.unreadable",
        vendor="b2core",
        behaviour="An unreadable body (malformed JSON, not an object, not UTF-8, over 1,000 form "
        "fields; `NaN`, `Infinity`, an overlong integer or `1e400`)",
        fakeauth='400 envelope with `data.errors.body` "The request body is not valid JSON.", '
        "`uuid` null",
        kind="PROPOSAL",
        source="the error body is not public",
        why="(PHP would read an overflowing number as `INF`)",
        operations=(
            "b2core.signup_wizard",
            "b2core.signup",
            "b2core.signin_wizard_post",
            "b2core.2fa_sms",
        ),
        test=f"{_API}test_wizard_bad_bodies",
    ),
    Entry(
        id="b2core.method-not-allowed",
        vendor="b2core",
        behaviour="Another method on a served path",
        fakeauth='405 in the envelope: `No route found for "M /path": Method Not Allowed '
        "(Allow: ...)`, with `Allow`",
        kind="PROPOSAL",
        source="Symfony's wording",
        test="tests/test_method_not_allowed.py::test_each_vendor_answers_its_405_with_allow",
    ),
    Entry(
        id="b2core.wizard.uuid-refused",
        vendor="b2core",
        behaviour="Unknown, expired, finished or other-step wizard `uuid`",
        fakeauth="400 envelope with `data.errors.uuid` (one message for each case)",
        kind="PROPOSAL",
        source=f"{_DECISION}: 400",
        why="(the research proposed 404).",
        operations=("b2core.signup",),
        test=f"{_API}test_signup_with_an_unknown_uuid",
    ),
    Entry(
        id="b2core.wizard.lifetime",
        vendor="b2core",
        behaviour="Wizard session lifetime",
        fakeauth="30 minutes from creation, not extended by use; a finished session cannot be "
        'replayed; 24 h after its expiry a wizard uuid answers "This wizard session does not '
        'exist." (the session is forgotten)',
        kind="PROPOSAL",
        source="the public material gives no lifetime",
        operations=("b2core.signup",),
        test=f"{_API}test_wizard_session_expires_after_30_minutes",
    ),
    Entry(
        id="b2core.signin.bad-credentials",
        vendor="b2core",
        behaviour="Wrong password or unknown email on sign-in",
        fakeauth='400 envelope, `data.message` "Invalid email or password." (the same answer for '
        "both)",
        kind="PROPOSAL",
        source=f"{_DECISION} (a wrong password is HTTP 400 with the envelope);",
        why="wording [PROPOSAL]",
        operations=("b2core.signin",),
        test=f"{_API}test_signin_wrong_credentials",
    ),
    Entry(
        id="b2core.lockout",
        vendor="b2core",
        behaviour="Lockout",
        fakeauth="429 envelope with `data.message` and a `Retry-After` header; unknown emails "
        'count as failures; "within a minute" is strictly under 60 s; the lock ends exactly '
        "600 s after the 5th failure; a success clears the count; fields are validated before "
        "the lock is checked; a wrong 2FA code does not count",
        kind="PROPOSAL",
        source='the numbers are [DOC] (admin "User Auth Settings": 5 attempts per minute, '
        "then blocked 10 minutes);",
        why="details [PROPOSAL]",
        operations=("b2core.signin",),
        test=f"{_API}test_lockout_after_five_failures_until_600s_later",
    ),
    Entry(
        id="b2core.length-limits",
        vendor="b2core",
        behaviour="Length limits",
        fakeauth="4,096 characters per text field, 65,536 for `device_fingerprint`; bodies over "
        "256 KiB get 413",
        kind="PROPOSAL",
        source="the public material gives no limits",
        operations=("b2core.signup",),
        test=f"{_PINS}test_b2core_length_limits",
    ),
    Entry(
        id="b2core.device-fingerprint",
        vendor="b2core",
        behaviour="`device_fingerprint`",
        fakeauth="any non-empty string; a broker in strict mode (`strict_fingerprint=True`) "
        "requires standard or URL-safe base64 (padding optional) of a JSON object with a "
        "`user_agent` key",
        kind="PROPOSAL",
        source=f"{_DECISION} (the documentation's own example is not valid base64).",
        operations=("b2core.signup",),
        test=f"{_API}test_strict_fingerprint_mode",
    ),
    Entry(
        id="b2core.signup-wizard.dialects",
        vendor="b2core",
        behaviour="Sign-up wizard body (`POST /api/v2/my/signup/wizard`)",
        fakeauth="both documented dialects, and any other object: `{url, utm: {referral}}` and "
        "`{wizard, utm: {utm_source, utm_medium, utm_campaign, utm_content, utm_term, utm_uri, "
        "utm_referral, gclid, referral}}` each answer `{code: 202, data: {fields: {}}, done: "
        'true, uuid, workflow: "basic_register_form"}`; neither field is required and their '
        "values do not change the answer",
        kind="CONFLICT",
        source=f'{_REGISTRATION}, its two published versions: the older, section "Initialize '
        'the Sign Up Wizard" (`url` string required, "the template for a client registration '
        'link", and `utm.referral`, with the curl example `{"url": '
        '"https://host.name/register/{registration}/{code}", "utm": {"referral": ...}}`), and '
        "the newer, same section (`wizard`, the uuid of a registration wizard, and `utm` with "
        "`utm_source` ... `gclid`, `referral`);",
        why="real clients post only `{utm: {...}}` or `{}` ([SRC]), so fakeauth requires "
        "neither `url` nor `wizard`.",
        operations=("b2core.signup_wizard",),
        test=f"{_PINS}test_b2core_signup_wizard_takes_both_documented_dialects",
    ),
    Entry(
        id="b2core.signup-wizard.fields",
        vendor="b2core",
        behaviour="Sign-up wizard `data.fields`",
        fakeauth='`{}` by default; `{path: {"required": true}}` for each field a broker '
        "requires, plus `recaptchaResponse` when reCAPTCHA is on",
        kind="PROPOSAL",
        source=f"{_REGISTRATION} documents `fields` without its content",
        operations=("b2core.signup_wizard",),
        test=f"{_API}test_an_intermediate_signup_step_configured_from_python",
    ),
    Entry(
        id="b2core.signup.extra-steps",
        vendor="b2core",
        behaviour="Extra sign-up steps (`extra_steps={workflow: fields}`)",
        fakeauth="intermediate replies `{code: 200, done: false, workflow: <step>, data: "
        "{fields}}`; the account is created after the last step; the email cannot change "
        "between steps; each session keeps the steps configured when it started",
        kind="PROPOSAL",
        source="the reference documents `code` 200 for an intermediate step, not its content",
        operations=("b2core.signup",),
        test=f"{_API}test_an_intermediate_signup_step_configured_from_python",
    ),
    Entry(
        id="b2core.recaptcha",
        vendor="b2core",
        behaviour="reCAPTCHA",
        fakeauth="off by default; when on, required on the first sign-up page and on sign-in; "
        'the passing response defaults to `"ut nu"` (the documentation\'s example value)',
        kind="PROPOSAL",
        source="the public material does not say how the response is checked",
        operations=("b2core.signup",),
        test=f"{_API}test_signup_recaptcha",
    ),
    Entry(
        id="b2core.signin-wizard.methods",
        vendor="b2core",
        behaviour="Sign-in wizard",
        fakeauth="`GET` and `POST`; `data` `{recaptcha: {enabled}, is_qr_available: false, "
        "is_password_recovery_available: true}`",
        kind="CONFLICT",
        source="rest-api-reference-front-authentication.html shows the sign-in wizard as "
        "`GET /api/v2/my/signin/wizard`, its older version and one summary page as `POST`; real "
        "clients call it with `GET` ([SRC]); the reply's shape is [DOC];",
        why="values [PROPOSAL]. fakeauth serves both methods (operation ids "
        "`b2core.signin_wizard` and `b2core.signin_wizard_post`), with the same answer.",
        operations=("b2core.signin_wizard", "b2core.signin_wizard_post"),
        test=f"{_API}test_signin_wizard",
    ),
    Entry(
        id="b2core.signin.final",
        vendor="b2core",
        behaviour="Final sign-in reply",
        fakeauth='`code` 202, workflow `"terminate"` (seen in a client), `data` with the tokens '
        'and `tfaProviders: []`; sign-up\'s final workflow is `"login"` ([DOC] example)',
        kind="SRC",
        source="a typed TS client's `RorAuthResponse` and its workflow branching",
        operations=("b2core.signin",),
        test=f"{_API}test_signin",
    ),
    Entry(
        id="b2core.2fa",
        vendor="b2core",
        behaviour="2FA",
        fakeauth="the intermediate reply's workflow is `2fa_google_auth` or `2fa_sms_auth`, "
        "`data` `{accessToken: null, refreshToken: null, tfaProviders: [kind]}`; Google codes "
        "are real RFC 6238 TOTP (SHA-1, 6 digits, 30 s, one step of drift either way); SMS codes "
        "are 6 digits, one per session, sent to `fake.outbox` (`kind` `sms-2fa-code`); "
        "`fake.b2core.two_factor_code(email)` reads the valid code; a wrong code is a 400 field "
        "error and may be retried",
        kind="PROPOSAL",
        source="rest-api-reference-front-2fa.html gives the paths, not the codes",
        operations=("b2core.2fa_google", "b2core.2fa_sms"),
        test=f"{_API}test_two_factor_signin",
    ),
    Entry(
        id="b2core.tokens",
        vendor="b2core",
        behaviour="Tokens",
        fakeauth="HS256 JWTs with `iss` (the broker's URL), `sub`, `sid`, `typ`, `jti`, `iat`, "
        "`exp`; a token of another broker is refused; `createdAt`/`expiresAt` as "
        "`YYYY-MM-DDTHH:MM:SS+00:00`; access 20 minutes, refresh 30 days",
        kind="PROPOSAL",
        source="algorithm, claims and lifetimes are not public",
        why=f"({_DECISION}: lifetimes)",
        operations=("b2core.signin",),
        test=f"{_PINS}test_b2core_tokens_are_hs256_jwts_with_the_brokers_claims",
    ),
    Entry(
        id="b2core.refresh",
        vendor="b2core",
        behaviour="Refresh",
        fakeauth='envelope `code` 202, workflow `"refresh"`, the new tokens in `data` and at the '
        "top level; the refresh token is single use; the old access token stays valid until it "
        'expires; a bad, used or expired refresh token answers 401 `{"message": "Unauthorized"}`',
        kind="PROPOSAL",
        source="fakeauth's decision, B2Core sign-in wizard (refresh);",
        why="details [PROPOSAL]",
        operations=("b2core.refresh",),
        test=f"{_API}test_refresh_rotates_the_refresh_token",
    ),
    Entry(
        id="b2core.bearer.refused",
        vendor="b2core",
        behaviour="Missing, forged, expired or revoked bearer",
        fakeauth='401 `{"message": "Unauthorized"}` with `WWW-Authenticate: Bearer`',
        kind="PROPOSAL",
        source="the error body is not public",
        operations=("b2core.2fa_settings", "b2core.signout"),
        test=f"{_API}test_bearer_refusals",
    ),
    Entry(
        id="b2core.signout",
        vendor="b2core",
        behaviour="Sign-out",
        fakeauth='200 `{code: 202, data: {}, done: true, uuid, workflow: "signout"}`; every '
        "token of that session is revoked",
        kind="PROPOSAL",
        source=f"{_DECISION} (200, both tokens revoked);",
        why="body [PROPOSAL]",
        operations=("b2core.signout",),
        test=f"{_API}test_signout_revokes_both_tokens",
    ),
    Entry(
        id="b2core.2fa-settings",
        vendor="b2core",
        behaviour="`GET /api/v2/my/2fa`",
        fakeauth='`{"google": {"enabled": bool}, "sms": {"enabled": bool}}`',
        kind="PROPOSAL",
        source=f"{_DECISION} (the protected read route);",
        why="body [PROPOSAL]",
        operations=("b2core.2fa_settings",),
        test=f"{_API}test_access_token_expires_to_the_second_under_freezegun",
    ),
    Entry(
        id="b2core.password-policy",
        vendor="b2core",
        behaviour="Password policy",
        fakeauth="none beyond non-empty",
        kind="PROPOSAL",
        source="each broker configures its own; the public material shows none",
        operations=("b2core.signup",),
        test=f"{_PINS}test_b2core_takes_any_non_empty_password",
    ),
    Entry(
        id="b2core.not-served",
        vendor="b2core",
        behaviour="Not served",
        fakeauth="password restore/reset, QR sign-in, `/signin/tokens`, `/signin/2fa`, enabling "
        "and disabling 2FA over HTTP: 501",
        kind="DEVIATION",
        source="the reference lists these routes;",
        why="fakeauth answers 501 in B2Core's envelope (see `all.unserved`).",
        test=f"{_API}test_unknown_paths_answer_the_vendor_shaped_501",
    ),
)
