"""JWT signing and verifying (PyJWT): one vendor's key, made on first use.

A :class:`JwtSigner` signs and checks signatures; it never checks expiry, because PyJWT reads the
system time and would ignore a clock the fake has set or shifted (a
:class:`~fakeauth.tokens.TokenStore` decides expiry against the fake's clock).

PyJWT and cryptography are imported when a signer first needs them (a verification, an EdDSA
key, a token of other headers), not with this module: together they are about a tenth of
fakeauth's first-use import time, and an Ovok login signs its HS256 tokens without them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fakeauth.errors import ConfigurationError, TokenInvalid
from fakeauth.json_text import plain_json
from fakeauth.randomness import RandomStream

__all__ = ["ALGORITHMS", "JwtSigner"]

#: The signing algorithms a fake can use.
ALGORITHMS = ("HS256", "EdDSA")

#: PyJWT's payload encoding (``json.dumps(payload, separators=(",", ":"))``), built once.
_PAYLOAD_JSON = json.JSONEncoder(separators=(",", ":"))

_DECODE_OPTIONS: Any = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


class JwtSigner:
    """Signs and verifies the JWTs of one vendor with one key, made on first use.

    ``random`` is the stream the key is drawn from, or a function that makes it when the key is
    first needed (setting up a stream costs a few microseconds that a fake which never signs
    should not pay).
    """

    def __init__(
        self,
        algorithm: str,
        random: RandomStream | Callable[[], RandomStream],
        *,
        kid: str | None = None,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ConfigurationError(
                f"unsupported token algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}"
            )
        self.algorithm = algorithm
        self.kid = kid
        self._random = random
        self._lock = threading.Lock()
        self._signing_key: Any = None
        self._verifying_key: Any = None
        self._hmac_states: tuple[Any, Any] = (None, None)
        self._secret = b""
        self._header = _header_segment(algorithm, kid)
        self._signing_prefix = self._header + b"."  # how every HS256 signing input starts

    def _keys(self) -> tuple[Any, Any]:
        if self._signing_key is None:
            with self._lock:
                if self._signing_key is None:
                    random = self._random
                    secret = (random if isinstance(random, RandomStream) else random()).bytes(32)
                    self._install(secret)
        return self._signing_key, self._verifying_key

    def _install(self, secret: bytes) -> None:
        if self.algorithm == "EdDSA":
            # cryptography is imported by the first EdDSA key: an HS256 vendor never needs it.
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            private = Ed25519PrivateKey.from_private_bytes(secret)
            self._verifying_key = private.public_key()
            self._signing_key = private
        else:
            self._hmac_states = _hmac_sha256_states(secret)
            self._verifying_key = secret
            self._signing_key = secret
        self._secret = secret

    def secret(self) -> bytes | None:
        """The key's 32 secret bytes, or ``None`` while no key is drawn (an export holds them,
        so that tokens signed before a restart verify after it)."""
        with self._lock:
            return self._secret if self._signing_key is not None else None

    @property
    def key_stream(self) -> RandomStream | None:
        """The stream the key is drawn from, when the signer was given one (``None``: it makes
        a stream when it first needs a key); a state document keeps where it stands."""
        random = self._random
        return random if isinstance(random, RandomStream) else None

    def load_secret(self, secret: bytes) -> None:
        """Sign and verify with the key of ``secret`` (from :meth:`secret`) from now on."""
        if len(secret) != 32:
            raise ConfigurationError(f"a signing key is 32 bytes, not {len(secret)}")
        with self._lock:
            self._install(secret)

    def rotate(self) -> None:
        """Forget the key: the next one is drawn anew (from where the stream has got to, or from
        a new stream), so no token signed before verifies after. A reset of the fake calls it."""
        with self._lock:
            self._signing_key = self._verifying_key = None
            self._hmac_states = (None, None)

    def encode(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
        """The signed JWT of ``claims``."""
        signing_key, _ = self._keys()
        payload = _payload(claims) if self.algorithm == "HS256" and not headers else None
        if payload is not None:
            # PyJWT's own steps for HS256, the same bytes, without its per-call key checks and
            # header building: they cost more than the signature (two tokens per login).
            signing_input = self._signing_prefix + _b64(payload)
            inner_state, outer_state = self._hmac_states
            inner = inner_state.copy()
            inner.update(signing_input)
            outer = outer_state.copy()
            outer.update(inner.digest())
            return (signing_input + b"." + _b64(outer.digest())).decode()
        import jwt  # PyJWT (and cryptography, which it loads) on first use; see the module doc

        header = dict(headers or {})
        if self.kid is not None:
            header.setdefault("kid", self.kid)
        return jwt.encode(claims, signing_key, algorithm=self.algorithm, headers=header or None)

    def decode(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` if this signer signed it; raises :class:`TokenInvalid`."""
        import jwt

        _, verifying_key = self._keys()
        try:
            claims: dict[str, Any] = jwt.decode(
                token, verifying_key, algorithms=[self.algorithm], options=_DECODE_OPTIONS
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise TokenInvalid(f"invalid token: {exc}") from None
        return claims

    def public_jwk(self) -> dict[str, str] | None:
        """The public key as a JWK, for an asymmetric algorithm; ``None`` for HS256."""
        if self.algorithm != "EdDSA":
            return None
        _, public = self._keys()
        raw = public.public_bytes_raw()
        jwk = {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
            "alg": "EdDSA",
            "use": "sig",
        }
        if self.kid is not None:
            jwk["kid"] = self.kid
        return jwk


_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


def _hmac_sha256_states(key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256's two keyed hash states (RFC 2104), made once per key.

    A signature then costs two hash copies; a one-shot ``hmac.digest`` makes OpenSSL look the
    algorithm up and key it again on every call, which costs twice as much, and more when the
    caches are cold (inside a test, between the client library's own work).
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    block = key.ljust(64, b"\0")
    return hashlib.sha256(block.translate(_IPAD)), hashlib.sha256(block.translate(_OPAD))


@functools.cache
def _header_segment(algorithm: str, kid: str | None) -> bytes:
    """The encoded JOSE header PyJWT writes for ``algorithm`` and ``kid`` (keys sorted)."""
    header = {"alg": algorithm, "typ": "JWT"} | ({"kid": kid} if kid is not None else {})
    return _b64(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> bytes:
    # ``base64.urlsafe_b64encode(data)`` is these two steps, through two Python frames more
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")


def _payload(claims: dict[str, Any]) -> bytes | None:
    """PyJWT's payload bytes, ``json.dumps(claims, separators=(",", ":")).encode()``, for claims
    it encodes as they are (``None``: PyJWT's own path). Plain claims (strings, integers: no
    datetime to convert) in ASCII are written by pydantic-core, the same bytes (``json``
    escapes every other character, pydantic-core none)."""
    text = plain_json(claims) if type(claims) is dict else None
    if text is not None and text.isascii() and type(claims.get("iss", "")) is str:
        return text
    return _PAYLOAD_JSON.encode(claims).encode() if _plain_claims(claims) else None


def _plain_claims(claims: dict[str, Any]) -> bool:
    """Whether PyJWT would encode ``claims`` as they are (no datetime to convert, no bad iss)."""
    return isinstance(claims, dict) and not (
        isinstance(claims.get("exp"), datetime)
        or isinstance(claims.get("iat"), datetime)
        or isinstance(claims.get("nbf"), datetime)
        or ("iss" in claims and not isinstance(claims["iss"], str))
    )
