"""Tests for the B2Core front office over HTTP, through ``werkzeug.test.Client``."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any
from unittest.mock import ANY

import jwt
import pytest
from freezegun import freeze_time
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth, redacted
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

BASE = "https://host.name"
FORM = "application/x-www-form-urlencoded"
NOW = "2026-01-01T00:00:00Z"
EMAIL = "foo@bar.com"
PASSWORD = "Secret123"
DOC_UUID = "36f59381-5b54-48bd-a0c7-3b908c476732"
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
STRICT_FINGERPRINT = base64.b64encode(json.dumps({"user_agent": "pytest"}).encode()).decode()
BLANK = ["This value should not be blank."]
UNAUTHORIZED = {"message": "Unauthorized"}

# The documentation's two curl examples, byte for byte (curl --data-raw sends them as a form).
DOC_WIZARD_BODY = """{
  "url": "https://host.name/register/{registration}/{code}",
  "utm": {
    "referral": "29734fc149dc93809d18f49ae970810a"
  }
}"""
DOC_SIGNUP_BODY = """{
  "uuid": "36f59381-5b54-48bd-a0c7-3b908c476732",
  "email": "foo@bar.com",
  "password": "Secret123",
  "password_confirmation": "Secret123",
  "device_fingerprint": "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj",
  "addresses": {
    "0": {
      "country_code": "16"
    }
  },
  "info": {
    "familyName": "Brown",
    "givenName": "John"
  },
  "recaptchaResponse": "ut nu"
}"""
TOKEN_AT_NOW = {
    "accessToken": {
        "token": ANY,
        "createdAt": "2026-01-01T00:00:00+00:00",
        "expiresAt": "2026-01-01T00:20:00+00:00",
    },
    "refreshToken": {
        "token": ANY,
        "createdAt": "2026-01-01T00:00:00+00:00",
        "expiresAt": "2026-01-31T00:00:00+00:00",
    },
}


def call(
    fake: FakeAuth,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    base: str = BASE,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    """One request; the status and the JSON body."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
    response: TestResponse = Client(fake.wsgi_app).open(
        path, method=method, data=data, headers=headers, base_url=base, content_type=content_type
    )
    return response.status_code, response.get_json(silent=True)


def signup_wizard(fake: FakeAuth, base: str = BASE) -> str:
    status, body = call(fake, "POST", "/api/v2/my/signup/wizard", {}, base=base)
    assert status == 200
    return str(body["uuid"])


def signup_form(uuid: str, **overrides: Any) -> dict[str, Any]:
    form = {
        "uuid": uuid,
        "email": EMAIL,
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "device_fingerprint": FINGERPRINT,
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def signin_wizard(fake: FakeAuth, base: str = BASE) -> str:
    status, body = call(fake, "GET", "/api/v2/my/signin/wizard", base=base)
    assert status == 200
    return str(body["uuid"])


def signin(
    fake: FakeAuth, email: str = EMAIL, password: str = PASSWORD, base: str = BASE, **extra: Any
) -> tuple[int, Any]:
    uuid = signin_wizard(fake, base)
    form = {"uuid": uuid, "email": email, "password": password, "device_fingerprint": FINGERPRINT}
    return call(fake, "POST", "/api/v2/my/signin", {**form, **extra}, base=base)


def tokens(fake: FakeAuth) -> tuple[str, str]:
    """Sign in the seeded account; its access and refresh tokens."""
    status, body = signin(fake)
    assert status == 200
    return body["data"]["accessToken"]["token"], body["data"]["refreshToken"]["token"]


def field_error(errors: dict[str, list[str]], uuid: Any, workflow: str) -> dict[str, Any]:
    return {
        "code": 400,
        "data": {"errors": errors},
        "done": False,
        "uuid": uuid,
        "workflow": workflow,
    }


# -- sign-up: the documentation's examples ---------------------------------------------------------


def test_documented_signup_wizard_request_as_written() -> None:
    fake = FakeAuth()

    status, body = call(
        fake, "POST", "/api/v2/my/signup/wizard", DOC_WIZARD_BODY, content_type=FORM
    )

    assert status == 200
    assert body == {
        "code": 202,
        "data": {"fields": {}},
        "done": True,
        "uuid": fake.b2core.sessions[body["uuid"]].uuid,
        "workflow": "basic_register_form",
    }


def test_documented_signup_request_as_written() -> None:
    fake = FakeAuth()
    with freeze_time(NOW):
        uuid = signup_wizard(fake)

        status, body = call(
            fake,
            "POST",
            "/api/v2/my/signup",
            DOC_SIGNUP_BODY.replace(DOC_UUID, uuid),
            content_type=FORM,
        )

    assert status == 200
    assert body == {
        "code": 202,
        "data": TOKEN_AT_NOW,
        "done": True,
        "uuid": uuid,
        "workflow": "login",
    }
    account = fake.b2core.get_account(EMAIL)
    assert (account.given_name, account.family_name) == ("John", "Brown")
    assert account.form["addresses"] == {"0": {"country_code": "16"}}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {"wizard": DOC_UUID, "utm": {"utm_source": "google", "gclid": "x", "other": 1}},
            id="newer-docs",
        ),
        pytest.param({"utm": {"referral": "abc"}}, id="utm-only"),
        pytest.param({}, id="empty-object"),
        pytest.param("", id="empty-body"),
        pytest.param("url=https%3A%2F%2Fhost.name%2Fregister", id="real-form"),
    ],
)
def test_signup_wizard_bodies(body: Any) -> None:
    fake = FakeAuth()

    status, reply = call(fake, "POST", "/api/v2/my/signup/wizard", body, content_type=FORM)

    assert (status, reply["code"], reply["data"], reply["workflow"]) == (
        200,
        202,
        {"fields": {}},
        "basic_register_form",
    )


def test_signup_accepts_the_unknown_fields_real_clients_send() -> None:
    fake = FakeAuth()
    uuid = signup_wizard(fake)
    extra = {
        "phones": {"0": {"phone": "+15555550100"}},
        "requirements": {"adult": True, "resident": True},
        "wizard_id": 3,
        "info": {"givenName": "John", "familyName": "Brown", "birthday": "1990-01-01"},
    }

    status, body = call(fake, "POST", "/api/v2/my/signup", signup_form(uuid, **extra))

    assert (status, body["code"], body["done"]) == (200, 202, True)
    assert fake.b2core.get_account(EMAIL).phone == "+15555550100"


@pytest.mark.fidelity("b2core.body.any-content-type")
def test_signup_from_a_real_form_body_with_php_brackets() -> None:
    fake = FakeAuth()
    uuid = signup_wizard(fake)
    form = (
        f"uuid={uuid}&email=foo%40bar.com&password=Secret123&password_confirmation=Secret123"
        f"&device_fingerprint={FINGERPRINT}&info[givenName]=John&info[familyName]=Brown"
    )

    status, body = call(fake, "POST", "/api/v2/my/signup", form, content_type=FORM)

    assert (status, body["code"]) == (200, 202)
    assert fake.b2core.get_account(EMAIL).given_name == "John"


# -- sign-up: refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        pytest.param(
            {"email": "foo@bar"},
            {"email": ["This value is not a valid email address."]},
            id="email",
        ),
        pytest.param(
            {"email": "TAKEN@Bar.com"}, {"email": ["This value is already used."]}, id="duplicate"
        ),
        pytest.param(
            {"password_confirmation": "Secret124"},
            {"password_confirmation": ["The password confirmation does not match."]},
            id="mismatch",
        ),
        pytest.param({"device_fingerprint": None}, {"device_fingerprint": BLANK}, id="no-device"),
        pytest.param(
            {"email": None, "password": None, "password_confirmation": None},
            {"email": BLANK, "password": BLANK, "password_confirmation": BLANK},
            id="all-missing",
        ),
    ],
)
@pytest.mark.fidelity("b2core.fields.errors")
@pytest.mark.fidelity("b2core.length-limits")
def test_signup_field_errors(overrides: dict[str, Any], errors: dict[str, list[str]]) -> None:
    fake = FakeAuth()
    fake.b2core.add_account("taken@bar.com", PASSWORD)
    uuid = signup_wizard(fake)

    status, body = call(fake, "POST", "/api/v2/my/signup", signup_form(uuid, **overrides))

    assert status == 400
    assert body == field_error(errors, uuid, "basic_register_form")
    assert len(fake.b2core.accounts) == 1


NOT_JSON = {"body": ["The request body is not valid JSON."]}
NOT_OBJECT = {"body": ["The request body must be a JSON object."]}
NOT_UTF8 = {"body": ["The request body is not valid UTF-8."]}
NOT_STRING = ["This value should be of type string."]
NOT_OBJECT_FIELD = ["This value should be of type object."]
TOO_LONG = ["This value is too long. It should have 4096 characters or less."]
JSON = "application/json"


@pytest.mark.parametrize(
    ("body", "content_type", "errors", "echo"),
    [
        pytest.param(b'{"uuid": ', JSON, NOT_JSON, False, id="malformed"),
        pytest.param(b'{"uuid": ', FORM, NOT_JSON, False, id="malformed-as-form"),
        pytest.param(b"[" * 100_000, JSON, NOT_JSON, False, id="deep"),
        pytest.param(b"hello", "text/plain", NOT_JSON, False, id="text"),
        # PHP's json_decode refuses a body of whitespace alone; only an empty body is no body
        pytest.param(b"\r", JSON, NOT_JSON, False, id="carriage-return"),
        pytest.param(b" \n", JSON, NOT_JSON, False, id="whitespace"),
        pytest.param(b"hello", "", NOT_JSON, False, id="no-content-type"),
        pytest.param(b"null", JSON, NOT_OBJECT, False, id="null"),
        pytest.param(b"[]", JSON, NOT_OBJECT, False, id="array"),
        pytest.param(b'"@UUID@"', JSON, NOT_OBJECT, False, id="string"),
        pytest.param(b"42", FORM, NOT_OBJECT, False, id="number"),
        pytest.param(b'{"uuid": "\xff"}', JSON, NOT_UTF8, False, id="not-utf8"),
        pytest.param(b"{}", JSON, {"uuid": BLANK}, False, id="no-uuid"),
        pytest.param(b'{"uuid": 5}', JSON, {"uuid": NOT_STRING}, False, id="uuid-number"),
        pytest.param(
            b'{"uuid": "@UUID@", "email": 5, "info": "John", "addresses": "x"}',
            JSON,
            {"email": NOT_STRING, "addresses": NOT_OBJECT_FIELD, "info": NOT_OBJECT_FIELD},
            True,
            id="mistyped",
        ),
        pytest.param(
            b'{"uuid": "@UUID@", "password": "' + b"x" * 4097 + b'"}',
            JSON,
            {"password": TOO_LONG},
            True,
            id="overlong",
        ),
        pytest.param(
            b'{"uuid": "@UUID@", "info": {"givenName": ["John"]}}',
            JSON,
            {"info.givenName": NOT_STRING},
            True,
            id="nested",
        ),
        pytest.param(
            b'{"uuid": "@UUID@", "email": "foo@bar.com"}',
            JSON,
            {"password": BLANK, "password_confirmation": BLANK, "device_fingerprint": BLANK},
            True,
            id="missing",
        ),
    ],
)
def test_signup_bad_input_is_a_400_and_changes_nothing(
    body: bytes, content_type: str, errors: dict[str, list[str]], echo: bool
) -> None:
    fake = FakeAuth()
    uuid = signup_wizard(fake)

    status, reply = call(
        fake,
        "POST",
        "/api/v2/my/signup",
        body.replace(b"@UUID@", uuid.encode()),
        content_type=content_type,
    )

    assert status == 400
    assert reply == field_error(errors, uuid if echo else None, "basic_register_form")
    assert fake.b2core.accounts == []
    assert not fake.b2core.sessions[uuid].finished
    assert fake.handler_errors == []


def test_a_uuid_that_cannot_be_written_as_utf8_is_not_echoed() -> None:
    fake = FakeAuth()

    status, body = call(fake, "POST", "/api/v2/my/signup", b'{"uuid": "\\ud800"}')

    assert status == 400
    assert body == field_error({"uuid": NOT_STRING}, None, "basic_register_form")


@pytest.mark.fidelity("b2core.wizard.uuid-refused")
def test_signup_with_an_unknown_uuid() -> None:
    fake = FakeAuth()

    status, body = call(fake, "POST", "/api/v2/my/signup", signup_form(DOC_UUID))

    assert status == 400
    assert body == field_error(
        {"uuid": ["This wizard session does not exist."]}, DOC_UUID, "basic_register_form"
    )


@pytest.mark.fidelity("b2core.wizard.lifetime")
def test_wizard_session_expires_after_30_minutes() -> None:
    fake = FakeAuth()
    with freeze_time(NOW) as frozen:
        uuid = signup_wizard(fake)
        other = signup_wizard(fake)
        frozen.tick(1799)
        alive, _ = call(fake, "POST", "/api/v2/my/signup", signup_form(other))
        frozen.tick(1)

        status, body = call(fake, "POST", "/api/v2/my/signup", signup_form(uuid))

    assert alive == 200
    assert status == 400
    assert body == field_error(
        {"uuid": ["This wizard session has expired."]}, uuid, "basic_register_form"
    )


def test_a_finished_wizard_cannot_be_replayed() -> None:
    fake = FakeAuth()
    uuid = signup_wizard(fake)
    first, _ = call(fake, "POST", "/api/v2/my/signup", signup_form(uuid))

    status, body = call(fake, "POST", "/api/v2/my/signup", signup_form(uuid, email="b@bar.com"))

    assert first == 200
    assert status == 400
    assert body == field_error(
        {"uuid": ["This wizard session is already finished."]}, uuid, "login"
    )
    assert len(fake.b2core.accounts) == 1


# -- configurable steps ----------------------------------------------------------------------------


@pytest.mark.fidelity("b2core.signup-wizard.fields")
@pytest.mark.fidelity("b2core.signup.extra-steps")
def test_an_intermediate_signup_step_configured_from_python() -> None:
    fake = FakeAuth()
    fake.b2core.broker().configure(
        require_fields=["info.familyName"], extra_steps={"personal_info": ["phones"]}
    )
    _, wizard = call(fake, "POST", "/api/v2/my/signup/wizard", {})
    uuid = wizard["uuid"]
    form = signup_form(uuid, info={"familyName": "Brown"})

    first = call(fake, "POST", "/api/v2/my/signup", form)
    missing = call(fake, "POST", "/api/v2/my/signup", {"uuid": uuid})
    last = call(fake, "POST", "/api/v2/my/signup", {"uuid": uuid, "phones": {"0": {"phone": "1"}}})

    assert wizard["data"] == {"fields": {"info.familyName": {"required": True}}}
    assert first == (
        200,
        {
            "code": 200,
            "data": {"fields": {"phones": {"required": True}}},
            "done": False,
            "uuid": uuid,
            "workflow": "personal_info",
        },
    )
    assert missing == (400, field_error({"phones": BLANK}, uuid, "personal_info"))
    assert (last[0], last[1]["code"], last[1]["done"], last[1]["workflow"]) == (
        200,
        202,
        True,
        "login",
    )
    assert fake.b2core.get_account(EMAIL).phone == "1"


def test_a_required_form_field_is_checked() -> None:
    fake = FakeAuth()
    fake.b2core.broker().configure(require_fields=["info.givenName"])
    uuid = signup_wizard(fake)

    status, body = call(fake, "POST", "/api/v2/my/signup", signup_form(uuid, info={}))

    assert (status, body) == (
        400,
        field_error({"info.givenName": BLANK}, uuid, "basic_register_form"),
    )


@pytest.mark.parametrize(
    ("recaptcha", "response", "errors"),
    [
        pytest.param(False, None, None, id="off-missing"),
        pytest.param(False, "anything", None, id="off-anything"),
        pytest.param(True, "ut nu", None, id="on-default-pass"),
        pytest.param(True, None, {"recaptchaResponse": BLANK}, id="on-missing"),
        pytest.param(
            True,
            "wrong",
            {"recaptchaResponse": ["The reCAPTCHA response is invalid."]},
            id="on-wrong",
        ),
    ],
)
@pytest.mark.fidelity("b2core.recaptcha")
def test_signup_recaptcha(recaptcha: bool, response: str | None, errors: Any) -> None:
    fake = FakeAuth()
    fake.b2core.broker().configure(recaptcha=recaptcha)
    uuid = signup_wizard(fake)

    status, body = call(
        fake, "POST", "/api/v2/my/signup", signup_form(uuid, recaptchaResponse=response)
    )

    if errors is None:
        assert (status, body["code"]) == (200, 202)
    else:
        assert (status, body) == (400, field_error(errors, uuid, "basic_register_form"))


def test_signin_recaptcha_with_a_custom_passing_response() -> None:
    fake = FakeAuth()
    fake.b2core.broker().configure(recaptcha=True, recaptcha_response="pass-me")
    fake.b2core.add_account(EMAIL, PASSWORD)

    wizard = call(fake, "GET", "/api/v2/my/signin/wizard")
    refused = signin(fake, recaptchaResponse="ut nu")
    passed = signin(fake, recaptchaResponse="pass-me")

    assert wizard[1]["data"]["recaptcha"] == {"enabled": True}
    assert refused[0] == 400
    assert refused[1]["data"] == {
        "errors": {"recaptchaResponse": ["The reCAPTCHA response is invalid."]}
    }
    assert (passed[0], passed[1]["code"]) == (200, 202)


@pytest.mark.parametrize(
    ("fingerprint", "status"),
    [
        pytest.param(STRICT_FINGERPRINT, 200, id="base64-json-with-user-agent"),
        pytest.param(FINGERPRINT, 400, id="documentation-example"),
        pytest.param(base64.b64encode(b'{"userAgent": "x"}').decode(), 400, id="no-user-agent"),
    ],
)
@pytest.mark.fidelity("b2core.device-fingerprint")
def test_strict_fingerprint_mode(fingerprint: str, status: int) -> None:
    fake = FakeAuth()
    fake.b2core.broker().configure(strict_fingerprint=True)
    uuid = signup_wizard(fake)

    answered, body = call(
        fake, "POST", "/api/v2/my/signup", signup_form(uuid, device_fingerprint=fingerprint)
    )

    assert answered == status
    if status == 400:
        errors = {"device_fingerprint": ["This value is not a valid device fingerprint."]}
        assert body == field_error(errors, uuid, "basic_register_form")


# -- sign-in, 2FA, lockout -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.fidelity("b2core.signin-wizard.methods")
def test_signin_wizard(method: str) -> None:
    fake = FakeAuth()

    status, body = call(fake, method, "/api/v2/my/signin/wizard")

    assert status == 200
    assert body == {
        "code": 202,
        "data": {
            "recaptcha": {"enabled": False},
            "is_qr_available": False,
            "is_password_recovery_available": True,
        },
        "done": True,
        "uuid": body["uuid"],
        "workflow": "login",
    }
    assert body["uuid"] in fake.b2core.sessions


@pytest.mark.fidelity("b2core.signin.final")
def test_signin() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)
    with freeze_time(NOW):
        uuid = signin_wizard(fake)

        status, body = call(
            fake,
            "POST",
            "/api/v2/my/signin",
            {"uuid": uuid, "email": "FOO@bar.com", "password": PASSWORD, "device_fingerprint": "x"},
        )

    assert status == 200
    assert body == {
        "code": 202,
        "data": {**TOKEN_AT_NOW, "tfaProviders": []},
        "done": True,
        "uuid": uuid,
        "workflow": "terminate",
    }


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param(EMAIL, "wrong", id="wrong-password"),
        pytest.param("x@bar.com", PASSWORD, id="unknown"),
    ],
)
@pytest.mark.fidelity("b2core.signin.bad-credentials")
def test_signin_wrong_credentials(email: str, password: str) -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)
    uuid = signin_wizard(fake)
    form = {"uuid": uuid, "email": email, "password": password, "device_fingerprint": "x"}

    status, body = call(fake, "POST", "/api/v2/my/signin", form)

    assert status == 400
    assert body == {
        "code": 400,
        "data": {"message": "Invalid email or password."},
        "done": False,
        "uuid": uuid,
        "workflow": "login",
    }


def test_signin_missing_fields() -> None:
    fake = FakeAuth()
    uuid = signin_wizard(fake)

    status, body = call(fake, "POST", "/api/v2/my/signin", {"uuid": uuid})

    assert (status, body) == (
        400,
        field_error(
            {"email": BLANK, "password": BLANK, "device_fingerprint": BLANK}, uuid, "login"
        ),
    )


def test_signin_with_a_signup_uuid() -> None:
    fake = FakeAuth()
    uuid = signup_wizard(fake)

    status, body = signin_with(fake, uuid)

    assert (status, body) == (
        400,
        field_error({"uuid": ["This wizard session does not exist."]}, uuid, "login"),
    )


def signin_with(fake: FakeAuth, uuid: str) -> tuple[int, Any]:
    form = {"uuid": uuid, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}
    return call(fake, "POST", "/api/v2/my/signin", form)


@pytest.mark.parametrize(
    ("kind", "workflow"), [("google", "2fa_google_auth"), ("sms", "2fa_sms_auth")]
)
@pytest.mark.fidelity("b2core.2fa")
def test_two_factor_signin(kind: str, workflow: str) -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD, two_factor=kind)
    with freeze_time(NOW):
        step_status, step = signin(fake)
        uuid = step["uuid"]
        wrong = call(fake, "POST", f"/api/v2/my/2fa/{kind}", {"uuid": uuid, "code": "000000x"})
        code = fake.b2core.two_factor_code(EMAIL)

        status, body = call(fake, "POST", f"/api/v2/my/2fa/{kind}", {"uuid": uuid, "code": code})

    assert (step_status, step) == (
        200,
        {
            "code": 200,
            "data": {"accessToken": None, "refreshToken": None, "tfaProviders": [kind]},
            "done": False,
            "uuid": uuid,
            "workflow": workflow,
        },
    )
    assert wrong == (400, field_error({"code": ["The code is invalid."]}, uuid, workflow))
    assert (status, body) == (
        200,
        {
            "code": 202,
            "data": {**TOKEN_AT_NOW, "tfaProviders": []},
            "done": True,
            "uuid": uuid,
            "workflow": "terminate",
        },
    )


def test_sms_code_lands_in_the_outbox_and_may_be_sent_as_a_number() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD, two_factor="sms", phone="+15555550100")
    _, step = signin(fake)
    message = fake.outbox.last()

    status, body = call(
        fake,
        "POST",
        "/api/v2/my/2fa/sms",
        {"uuid": step["uuid"], "code": int(message.data["code"])},
    )

    assert (message.vendor, message.kind, message.to) == ("b2core", "sms-2fa-code", "+15555550100")
    assert message.data["code"] == fake.b2core.two_factor_code(EMAIL)
    assert (status, body["code"]) == (200, 202)


def test_two_factor_endpoint_of_the_other_method() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD, two_factor="sms")
    _, step = signin(fake)

    status, body = call(fake, "POST", "/api/v2/my/2fa/google", {"uuid": step["uuid"], "code": "1"})

    assert (status, body) == (
        400,
        field_error(
            {"uuid": ["This wizard session is at the step '2fa_sms_auth'."]},
            step["uuid"],
            "2fa_sms_auth",
        ),
    )


@pytest.mark.fidelity("b2core.lockout")
def test_lockout_after_five_failures_until_600s_later() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)
    with freeze_time(NOW) as frozen:
        failures = []
        for _ in range(5):
            failures.append(signin(fake, email="Foo@Bar.com", password="wrong")[0])
            frozen.tick(10)
        locked = signin(fake)
        frozen.tick(589)  # 599 s after the fifth failure (at 40 s)
        still_locked = signin(fake)
        frozen.tick(1)

        unlocked = signin(fake)

    assert failures == [400] * 5
    assert locked == (
        429,
        {
            "code": 429,
            "data": {"message": "Too many failed sign-in attempts. Try again later."},
            "done": False,
            "uuid": ANY,
            "workflow": "login",
        },
    )
    assert still_locked[0] == 429
    assert (unlocked[0], unlocked[1]["code"]) == (200, 202)


def test_lockout_sends_retry_after_and_is_per_broker() -> None:
    fake = FakeAuth()
    fake.b2core.add_broker("https://broker.example")
    fake.b2core.add_account(EMAIL, PASSWORD)
    fake.b2core.add_account(EMAIL, PASSWORD, broker="https://broker.example")
    with freeze_time(NOW):
        for _ in range(5):
            signin(fake, password="wrong")
        uuid = signin_wizard(fake)
        form = {"uuid": uuid, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}

        response = Client(fake.wsgi_app).post("/api/v2/my/signin", json=form, base_url=BASE)
        other = signin(fake, base="https://broker.example")

    assert (response.status_code, response.headers["Retry-After"]) == (429, "600")
    assert other[0] == 200


# -- tokens ----------------------------------------------------------------------------------------


@pytest.mark.fidelity("b2core.2fa-settings")
def test_access_token_expires_to_the_second_under_freezegun() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD, two_factor="google")
    with freeze_time(NOW) as frozen:
        access, _ = two_factor_tokens(fake)
        frozen.tick(1199)
        valid = call(fake, "GET", "/api/v2/my/2fa", token=access)
        frozen.tick(1)

        expired = call(fake, "GET", "/api/v2/my/2fa", token=access)

    assert valid == (200, {"google": {"enabled": True}, "sms": {"enabled": False}})
    assert expired == (401, UNAUTHORIZED)


def two_factor_tokens(fake: FakeAuth) -> tuple[str, str]:
    _, step = signin(fake)
    code = fake.b2core.two_factor_code(EMAIL)
    _, body = call(fake, "POST", "/api/v2/my/2fa/google", {"uuid": step["uuid"], "code": code})
    return body["data"]["accessToken"]["token"], body["data"]["refreshToken"]["token"]


def test_access_token_expires_with_a_shifted_clock() -> None:
    with freeze_time(NOW):  # a second of the system's own between the calls would end it early
        fake = FakeAuth()
        fake.b2core.add_account(EMAIL, PASSWORD)
        access, _ = tokens(fake)

        fake.clock.shift(1199)
        valid = call(fake, "GET", "/api/v2/my/2fa", token=access)
        fake.clock.shift(1)
        expired = call(fake, "GET", "/api/v2/my/2fa", token=access)

    assert valid[0] == 200
    assert expired == (401, UNAUTHORIZED)


def test_configured_token_lifetimes() -> None:
    fake = FakeAuth(b2core_access_token_ttl=60)
    fake.b2core.add_account(EMAIL, PASSWORD)
    with freeze_time(NOW) as frozen:
        access, _ = tokens(fake)
        frozen.tick(60)

        expired = call(fake, "GET", "/api/v2/my/2fa", token=access)

    assert expired[0] == 401


@pytest.mark.fidelity("b2core.refresh")
def test_refresh_rotates_the_refresh_token() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)
    with freeze_time(NOW) as frozen:
        _, refresh = tokens(fake)
        frozen.tick(60)

        status, body = call(
            fake, "POST", "/api/v2/my/refresh", {"refreshToken": refresh, "deviceFingerprint": "x"}
        )
        replay = call(fake, "POST", "/api/v2/my/refresh", {"refreshToken": refresh})
        renewed = call(
            fake, "POST", "/api/v2/my/refresh", {"refreshToken": body["refreshToken"]["token"]}
        )
        new_access = call(fake, "GET", "/api/v2/my/2fa", token=body["accessToken"]["token"])

    pair = {
        "accessToken": {
            "token": ANY,
            "createdAt": "2026-01-01T00:01:00+00:00",
            "expiresAt": "2026-01-01T00:21:00+00:00",
        },
        "refreshToken": {
            "token": ANY,
            "createdAt": "2026-01-01T00:01:00+00:00",
            "expiresAt": "2026-01-31T00:01:00+00:00",
        },
    }
    assert status == 200
    assert body == {
        "code": 202,
        "data": pair,
        "done": True,
        "uuid": ANY,
        "workflow": "refresh",
        **pair,
    }
    assert body["data"] == {
        "accessToken": body["accessToken"],
        "refreshToken": body["refreshToken"],
    }
    assert replay == (401, UNAUTHORIZED)
    assert renewed[0] == 200
    assert new_access[0] == 200


def test_refresh_token_expires_after_30_days() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)
    with freeze_time(NOW) as frozen:
        _, refresh = tokens(fake)
        frozen.tick(30 * 86400)

        status, body = call(fake, "POST", "/api/v2/my/refresh", {"refreshToken": refresh})

    assert (status, body) == (401, UNAUTHORIZED)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param({}, {"refreshToken": BLANK}, id="missing"),
        pytest.param({"refreshToken": 1}, {"refreshToken": NOT_STRING}, id="number"),
        pytest.param(
            {"refreshToken": "x", "deviceFingerprint": {}},
            {"deviceFingerprint": NOT_STRING},
            id="device",
        ),
    ],
)
def test_refresh_bad_body(body: Any, errors: dict[str, list[str]]) -> None:
    fake = FakeAuth()

    status, reply = call(fake, "POST", "/api/v2/my/refresh", body)

    assert (status, reply) == (400, field_error(errors, None, "refresh"))


@pytest.mark.fidelity("b2core.signout")
def test_signout_revokes_both_tokens() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)
    access, refresh = tokens(fake)

    status, body = call(fake, "POST", "/api/v2/my/signout", token=access)

    assert (status, body) == (
        200,
        {"code": 202, "data": {}, "done": True, "uuid": ANY, "workflow": "signout"},
    )
    assert call(fake, "GET", "/api/v2/my/2fa", token=access) == (401, UNAUTHORIZED)
    assert call(fake, "POST", "/api/v2/my/refresh", {"refreshToken": refresh}) == (
        401,
        UNAUTHORIZED,
    )
    assert call(fake, "POST", "/api/v2/my/signout", token=access) == (401, UNAUTHORIZED)


def _forged(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, b"another key of 32 bytes at least!", algorithm="HS256")


def _ovok_token(fake: FakeAuth) -> str:
    fake.ovok.add_account(EMAIL, PASSWORD)
    pair = fake.ovok.authenticate(
        email=EMAIL, password=PASSWORD, tenant_id=DEFAULT_TENANT_ID, client_id=DEFAULT_CLIENT_ID
    )
    return pair.access_token


def _other_fake_token(fake: FakeAuth) -> str:
    other = FakeAuth(seed="other")
    other.b2core.add_account(EMAIL, PASSWORD)
    return tokens(other)[0]


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda fake, access, refresh: refresh, id="refresh-token-as-bearer"),
        pytest.param(lambda fake, access, refresh: _forged(access), id="forged"),
        pytest.param(lambda fake, access, refresh: _ovok_token(fake), id="ovok-token"),
        pytest.param(lambda fake, access, refresh: _other_fake_token(fake), id="other-fake"),
        pytest.param(lambda fake, access, refresh: "garbage", id="garbage"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/v2/my/2fa"), ("POST", "/api/v2/my/signout")]
)
@pytest.mark.fidelity("b2core.bearer.refused")
def test_bearer_refusals(make_token: Any, method: str, path: str) -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)
    access, refresh = tokens(fake)

    status, body = call(fake, method, path, token=make_token(fake, access, refresh))

    assert (status, body) == (401, UNAUTHORIZED)
    assert call(fake, "GET", "/api/v2/my/2fa", token=access)[0] == 200


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/v2/my/2fa"), ("POST", "/api/v2/my/signout")]
)
def test_missing_bearer(method: str, path: str) -> None:
    fake = FakeAuth()

    response = Client(fake.wsgi_app).open(path, method=method, base_url=BASE)

    assert (response.status_code, response.get_json()) == (401, UNAUTHORIZED)
    assert response.headers["WWW-Authenticate"] == "Bearer"


# -- brokers, routing, concurrency, journal --------------------------------------------------------


@pytest.mark.fidelity("b2core.brokers")
def test_a_second_broker_on_another_host() -> None:
    fake = FakeAuth()
    fake.b2core.add_broker("https://broker.example", recaptcha=True)
    other = "https://broker.example:443"

    wizard = call(fake, "GET", "/api/v2/my/signin/wizard", base=other)
    uuid = signup_wizard(fake, base=other)
    signed_up = call(
        fake, "POST", "/api/v2/my/signup", signup_form(uuid, recaptchaResponse="ut nu"), base=other
    )
    access = signed_up[1]["data"]["accessToken"]["token"]

    assert wizard[1]["data"]["recaptcha"] == {"enabled": True}
    assert signed_up[0] == 200
    assert fake.b2core.get_account(EMAIL, broker="https://broker.example").broker == (
        "https://broker.example"
    )
    assert call(fake, "POST", "/api/v2/my/signup", signup_form(uuid))[1]["data"] == {
        "errors": {"uuid": ["This wizard session does not exist."]}
    }
    assert call(fake, "GET", "/api/v2/my/2fa", token=access, base=other)[0] == 200
    assert call(fake, "GET", "/api/v2/my/2fa", token=access) == (401, UNAUTHORIZED)


def test_a_loopback_host_is_served_by_the_default_broker() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD)

    status, body = signin(fake, base="http://127.0.0.1:8000")

    assert (status, body["code"]) == (200, 202)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/v2/my/unknown"), ("DELETE", "/api/v2/my/unknown")]
)
@pytest.mark.fidelity("b2core.not-served")
def test_unknown_paths_answer_the_vendor_shaped_501(method: str, path: str) -> None:
    fake = FakeAuth()

    status, body = call(fake, method, path)

    assert (status, body) == (
        501,
        {
            "code": 501,
            "data": {
                "message": f"fakeauth does not implement {method} {path} (b2core); the page "
                '"B2Core front office routes" of fakeauth\'s documentation lists what it serves'
            },
            "done": False,
            "uuid": None,
            "workflow": None,
        },
    )


def test_sixteen_threads_signing_up_the_same_email_make_one_account() -> None:
    fake = FakeAuth()
    uuids = [signup_wizard(fake) for _ in range(16)]
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def sign_up(uuid: str) -> None:
        barrier.wait()
        statuses.append(call(fake, "POST", "/api/v2/my/signup", signup_form(uuid))[0])

    threads = [threading.Thread(target=sign_up, args=(uuid,)) for uuid in uuids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [400] * 15
    assert len(fake.b2core.accounts) == 1


def test_the_journal_redacts_passwords_and_tokens() -> None:
    fake = FakeAuth()
    uuid = signup_wizard(fake)
    _, body = call(fake, "POST", "/api/v2/my/signup", signup_form(uuid))

    entry = fake.journal.calls("b2core.signup")[0]

    assert entry.request["password"] == redacted(PASSWORD)
    assert entry.request["password_confirmation"] == redacted(PASSWORD)
    assert entry.response["data"]["accessToken"]["token"] == redacted(
        body["data"]["accessToken"]["token"]
    )


def test_the_same_seed_and_time_give_the_same_replies() -> None:
    replies = []
    for _ in range(2):
        fake = FakeAuth(seed=42)
        with freeze_time(NOW):
            uuid = signup_wizard(fake)
            replies.append(call(fake, "POST", "/api/v2/my/signup", signup_form(uuid)))

    assert replies[0] == replies[1]


@pytest.mark.parametrize(
    ("method", "path", "body", "errors", "workflow"),
    [
        pytest.param(
            "POST",
            "/api/v2/my/signup/wizard",
            b'{"utm": "x", "url": 1}',
            {"url": NOT_STRING, "utm": NOT_OBJECT_FIELD},
            "basic_register_form",
            id="signup-wizard-mistyped",
        ),
        pytest.param(
            "POST",
            "/api/v2/my/signup/wizard",
            b"null",
            NOT_OBJECT,
            "basic_register_form",
            id="null",
        ),
        pytest.param("POST", "/api/v2/my/signin/wizard", b"[1]", NOT_OBJECT, "login", id="signin"),
        pytest.param(
            "POST", "/api/v2/my/2fa/sms", b"{}", {"uuid": BLANK}, "2fa_sms_auth", id="2fa-no-uuid"
        ),
    ],
)
@pytest.mark.fidelity("b2core.body.unreadable")
def test_wizard_bad_bodies(
    method: str, path: str, body: bytes, errors: dict[str, list[str]], workflow: str
) -> None:
    fake = FakeAuth()

    status, reply = call(fake, method, path, body)

    assert (status, reply) == (400, field_error(errors, None, workflow))
    assert fake.b2core.sessions == {}


def test_a_form_body_with_too_many_fields() -> None:
    fake = FakeAuth()

    status, body = call(
        fake, "POST", "/api/v2/my/signup", "&".join(["a=1"] * 1001), content_type=FORM
    )

    assert (status, body) == (
        400,
        field_error(
            {"body": ["The request body has too many fields."]}, None, "basic_register_form"
        ),
    )


def test_a_non_ascii_uuid_is_echoed() -> None:
    fake = FakeAuth()

    status, body = call(fake, "POST", "/api/v2/my/signup", {"uuid": "ünknown"})

    assert (status, body) == (
        400,
        field_error(
            {"uuid": ["This wizard session does not exist."]}, "ünknown", "basic_register_form"
        ),
    )


def test_a_blank_two_factor_code() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(EMAIL, PASSWORD, two_factor="google")
    _, step = signin(fake)

    status, body = call(fake, "POST", "/api/v2/my/2fa/google", {"uuid": step["uuid"], "code": ""})

    assert (status, body) == (400, field_error({"code": BLANK}, step["uuid"], "2fa_google_auth"))


def test_a_body_over_256_kib_is_refused_by_the_seam() -> None:
    fake = FakeAuth()

    status, body = call(fake, "POST", "/api/v2/my/signup", b"{" + b" " * 300_000 + b"}")

    assert (status, body["code"], body["done"]) == (413, 413, False)
