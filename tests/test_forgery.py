"""A token forgery corpus on every protected route of every vendor.

Every route that takes a token (a bearer, or a refresh token in the body) is sent each forgery in
place of its genuine token: the answer is the vendor's exact 401, and nothing changes. A valid
walt.id bearer without the right role gets the 403. Table-driven over the OpenAPI document: a new
protected route is covered without a line here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hardening import (
    EMAIL,
    OPERATIONS,
    PASSWORD,
    Call,
    assert_documented,
    b2core_signin,
    bearer,
    new_fake,
    ovok_tokens,
    snapshot,
    waltid_admin,
    well_formed,
)

from fakeauth import FakeAuth
from fakeauth.state.b2core import B2CoreTokens

#: Routes that take a token in the body instead of a bearer, and the body field.
BODY_TOKENS = {"ovok.refresh_token": "refresh_token", "b2core.refresh": "refreshToken"}
BEARER_ROUTES = sorted(
    op
    for op, (_, _, operation) in OPERATIONS.items()
    if operation.get("security") and {} not in operation["security"]
)
TOKEN_ROUTES = BEARER_ROUTES + sorted(BODY_TOKENS)
OTHER_BROKER = "https://other-broker.example"
DAY = 24 * 3600

UNAUTHORIZED: dict[str, tuple[int, Any]] = {
    "ovok": (401, {"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}),
    "b2core": (401, {"message": "Unauthorized"}),
    "waltid": (401, "Unauthorized (InvalidCredentials)"),
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _hs256(claims: dict[str, Any], key: bytes) -> str:
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT'})}.{_segment(claims)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _vendor(operation: str) -> str:
    return operation.split(".")[0]


def genuine_token(operation: str, call: Call) -> str:
    """The genuine token ``call`` carries (its bearer, or its body's refresh token)."""
    if operation in BODY_TOKENS:
        token: str = call.body[BODY_TOKENS[operation]]
        return token
    return call.headers["Authorization"].removeprefix("Bearer ")


def with_token(operation: str, call: Call, token: str | None) -> Call:
    """``call`` carrying ``token`` in place of its genuine one (``None``: no token at all)."""
    if operation in BODY_TOKENS:
        return Call(call.method, call.path, call.vendor, {BODY_TOKENS[operation]: token})
    headers = {} if token is None else bearer(token)
    return Call(call.method, call.path, call.vendor, call.body, call.content_type, headers)


def _token_of(fake: FakeAuth, vendor: str, *, refresh: bool = False) -> str:
    """A genuine token of ``vendor`` on ``fake`` (a refresh token if asked)."""
    if vendor == "ovok":
        tokens = ovok_tokens(fake)
        return str(tokens.refresh_token if refresh else tokens.access_token)
    if vendor == "b2core":
        pair = b2core_signin(fake)
        return str((pair.refresh_token if refresh else pair.access_token).token)
    return waltid_admin(fake)


# -- the forgeries: each returns the token to send (None: no token at all) ---------------------

Forgery = Callable[[FakeAuth, str, str], str]


def _alg_none(fake: FakeAuth, operation: str, genuine: str) -> str:
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(_claims(genuine))}."


def _wrong_key(fake: FakeAuth, operation: str, genuine: str) -> str:
    if jwt.get_unverified_header(genuine)["alg"] == "EdDSA":
        return jwt.encode(_claims(genuine), Ed25519PrivateKey.generate(), algorithm="EdDSA")
    return _hs256(_claims(genuine), b"another-key-of-32-bytes-length!!")


def _public_key_as_secret(fake: FakeAuth, operation: str, genuine: str) -> str:
    # the classic algorithm confusion: HS256 keyed with the public key (or nothing, for HS256)
    keys = fake.jwks()["keys"]
    secret = keys[0]["x"].encode() if _vendor(operation) == "waltid" else b""
    return _hs256(_claims(genuine), secret)


def _tampered(fake: FakeAuth, operation: str, genuine: str) -> str:
    header, _, signature = genuine.split(".")
    claims = {**_claims(genuine), "sub": "00000000-0000-4000-8000-000000000000"}
    return f"{header}.{_segment(claims)}.{signature}"


def _expired(fake: FakeAuth, operation: str, genuine: str) -> str:
    fake.clock.shift(60 * DAY)  # past every lifetime: 1 hour to 30 days
    return genuine


def _revoked(fake: FakeAuth, operation: str, genuine: str) -> str:
    vendor = _vendor(operation)
    broker = fake.b2core.broker()
    if operation == "ovok.refresh_token":
        fake.ovok.refresh(genuine)  # single use: it is spent now
    elif operation == "b2core.refresh":
        fake.b2core.refresh(broker, genuine)
    elif vendor == "ovok":
        fake.ovok.logout(genuine)
    elif vendor == "b2core":
        fake.b2core.sign_out(broker, genuine)
    else:
        fake.waltid.logout(genuine)
    return genuine


def _other_kind(fake: FakeAuth, operation: str, genuine: str) -> str:
    # a refresh token as the bearer; an access token where the refresh token belongs
    return _token_of(fake, _vendor(operation), refresh=operation not in BODY_TOKENS)


def _other_vendor(fake: FakeAuth, operation: str, genuine: str) -> str:
    return _token_of(fake, "b2core" if _vendor(operation) == "ovok" else "ovok")


def _other_fake(fake: FakeAuth, operation: str, genuine: str) -> str:
    other = FakeAuth(seed=99)  # another deployment: another key, another token store
    return _token_of(other, _vendor(operation), refresh=operation in BODY_TOKENS)


def _other_broker(fake: FakeAuth, operation: str, genuine: str) -> str:
    broker = fake.b2core.add_broker(OTHER_BROKER)
    fake.b2core.add_account(email=EMAIL, password=PASSWORD, broker=broker)
    session = fake.b2core.start_signin(broker)
    form = {"email": EMAIL, "password": PASSWORD, "device_fingerprint": "fp"}
    tokens = fake.b2core.sign_in(broker, session.uuid, form)
    assert isinstance(tokens, B2CoreTokens)
    issued = tokens.refresh_token if operation in BODY_TOKENS else tokens.access_token
    return str(issued.token)


FORGERIES: dict[str, Forgery] = {
    "alg none": _alg_none,
    "a wrong key": _wrong_key,
    "HS256 keyed with the public key": _public_key_as_secret,
    "a tampered payload": _tampered,
    "an expired token": _expired,
    "a revoked token": _revoked,
    "the other kind of token (refresh for access)": _other_kind,
    "another vendor's token": _other_vendor,
    "another deployment's token": _other_fake,
    "another broker's token": _other_broker,
    "not a JWT": lambda fake, operation, genuine: "not-a-jwt",
    "a truncated token": lambda fake, operation, genuine: genuine[: len(genuine) // 2],
}


#: Forgeries that only one vendor's tokens allow (walt.id has no refresh tokens).
ONLY_FOR = {
    "the other kind of token (refresh for access)": ("ovok", "b2core"),
    "another broker's token": ("b2core",),
}
CASES = [
    (operation, forgery)
    for operation in TOKEN_ROUTES
    for forgery in FORGERIES
    if _vendor(operation) in ONLY_FOR.get(forgery, (_vendor(operation),))
]


def _refusal(fake: FakeAuth, operation: str, forgery: str) -> tuple[int, Any]:
    vendor = _vendor(operation)
    if operation in ("ovok.logout", "ovok.auth_logout") and forgery == "a revoked token":
        return 204, ""  # Ovok's logout is idempotent: the token is logged out already
    if vendor == "waltid" and forgery == "an expired token":
        return 401, {
            "exception": True,
            "id": "ExpiredTokenException",
            "status": "Unauthorized",
            "code": "401",
            "message": "JWT Login Token expired since: 53d",
        }
    return UNAUTHORIZED[vendor]


def _answer(response: Any) -> Any:
    return response.get_json() if response.is_json else response.get_data(as_text=True)


@pytest.mark.parametrize(("operation", "forgery"), CASES)
def test_a_forged_token_is_refused_with_the_vendors_401(operation: str, forgery: str) -> None:
    fake = new_fake()
    call = well_formed(operation, fake)
    token = FORGERIES[forgery](fake, operation, genuine_token(operation, call))
    before = snapshot(fake)

    response = with_token(operation, call, token).send(fake)

    assert (response.status_code, _answer(response)) == _refusal(fake, operation, forgery)
    assert_documented(operation, response)
    assert snapshot(fake) == before
    assert fake.handler_errors == []


def test_the_b2core_401_asks_for_a_bearer() -> None:
    fake = new_fake()
    call = well_formed("b2core.2fa_settings", fake)

    response = with_token("b2core.2fa_settings", call, "not-a-jwt").send(fake)

    assert response.headers["WWW-Authenticate"] == "Bearer"


NO_CREDENTIALS: dict[str, tuple[int, Any]] = {
    "ovok": UNAUTHORIZED["ovok"],
    "b2core": UNAUTHORIZED["b2core"],
    "waltid": (401, "Unauthorized (NoCredentials)"),
}


@pytest.mark.parametrize("operation", BEARER_ROUTES)
def test_no_token_at_all_is_refused_with_the_vendors_401(operation: str) -> None:
    fake = new_fake()
    call = well_formed(operation, fake)
    before = snapshot(fake)

    response = with_token(operation, call, None).send(fake)

    assert (response.status_code, _answer(response)) == NO_CREDENTIALS[_vendor(operation)]
    assert snapshot(fake) == before


@pytest.mark.parametrize("scheme", ["Basic", "Token", "bearer"])
def test_another_authorization_scheme_is_refused(scheme: str) -> None:
    fake = new_fake()
    call = well_formed("ovok.me", fake)
    genuine = genuine_token("ovok.me", call)

    response = call.send(fake, headers={"Authorization": f"{scheme} {genuine}"})

    expected = 200 if scheme == "bearer" else 401  # the scheme is case-insensitive (RFC 9110)
    assert response.status_code == expected


WALTID_ADMIN_ROUTES = [op for op in BEARER_ROUTES if op.startswith("waltid.")]


@pytest.mark.parametrize("operation", WALTID_ADMIN_ROUTES)
def test_a_valid_waltid_bearer_without_the_role_gets_the_403(operation: str) -> None:
    fake = new_fake()
    call = well_formed(operation, fake)
    user = fake.waltid.add_account(email="plain.user@example.test", password=PASSWORD)
    token = fake.waltid.login("plain.user@example.test", PASSWORD)
    before = snapshot(fake)

    response = call.send(fake, headers=bearer(token))

    assert response.status_code == 403
    assert response.get_json() == {
        "exception": True,
        "id": "ForbiddenException",
        "status": "Forbidden",
        "code": "403",
        "message": f"Account {user.id} is not allowed to perform this operation.",
    }
    assert snapshot(fake) == before


def test_an_organization_admin_is_not_the_super_admin() -> None:
    fake = new_fake()
    call = well_formed("waltid.admin_organizations_create", fake)
    admin = fake.waltid.add_account(email="org.admin@example.test", password=PASSWORD)
    fake.waltid.grant_role(admin.id, "acme", "acme.admin")
    token = fake.waltid.login("org.admin@example.test", PASSWORD)

    response = call.send(fake, headers=bearer(token))

    assert response.status_code == 403
    assert response.get_json()["id"] == "ForbiddenException"
