"""The documentation the B2Core routes share: replies, security, credentials, the vendor's own.

The OpenAPI document and the route pages are generated from it (:mod:`fakeauth.apis.docs`); each
route of :data:`fakeauth.apis.b2core.API` names the replies and the credential it takes.
"""

from __future__ import annotations

from typing import Any

from fakeauth.apis import b2core_models as b2
from fakeauth.apis.base import Credential, body_field
from fakeauth.apis.docs import FORM, JSON, Reply, VendorDoc
from fakeauth.state.b2core import ACCESS, REFRESH, SIGNIN_WIZARD, SIGNUP_WIZARD

__all__ = [
    "ACCESS_CREDENTIAL",
    "B2_BEARER",
    "B2_BODY_TYPES",
    "B2_REFUSED",
    "B2_SIGNED_IN",
    "B2_SIGNIN_WIZARD",
    "B2_UNAUTHORIZED",
    "DOC",
    "REFRESH_CREDENTIAL",
    "SIGNIN_UUID",
    "SIGNUP_UUID",
    "b2_body",
]

B2_BODY_TYPES = (JSON, FORM)
B2_REFUSED = Reply(
    "A refused step: the envelope with `code` 400, `done` false and `data.errors` per field "
    "(or `data.message` for wrong credentials)",
    {JSON: b2.ErrorEnvelope},
)
B2_UNAUTHORIZED = Reply(
    "A missing, forged, expired or revoked bearer, or another broker's",
    {JSON: b2.Unauthorized},
    {"WWW-Authenticate": ("`Bearer`", True)},
)
B2_BEARER = (("b2coreBearer",),)


def b2_body(model: Any) -> dict[str, Any]:
    """A request body of ``model``, documented under both content types B2Core reads."""
    return dict.fromkeys(B2_BODY_TYPES, model)


B2_SIGNIN_WIZARD = {
    200: Reply("A new sign-in session (`code` 202)", {JSON: b2.SigninWizardResponse}),
}
B2_SIGNED_IN = Reply("The tokens (`code` 202, `done` true)", {JSON: b2.SignedInResponse})


#: The credentials the routes take: a bearer access token, a refresh token in the body, and the
#: wizard uuid of each step (a bad one answers 400 in the wizard envelope).
ACCESS_CREDENTIAL = Credential(ACCESS)
REFRESH_CREDENTIAL = Credential(REFRESH, body_field("refreshToken"))
SIGNUP_UUID = Credential(SIGNUP_WIZARD, body_field("uuid"), frozenset({400}))
SIGNIN_UUID = Credential(SIGNIN_WIZARD, body_field("uuid"), frozenset({400}))

#: B2Core's part of the OpenAPI document: its error body and its bearer scheme.
DOC = VendorDoc(
    "B2Core front office",
    "Every step answers the wizard envelope `{code, data, done, uuid, workflow}`; a body is "
    "read as JSON whatever its content type, or as a form; bodies over 256 KiB answer 413.",
    {JSON: b2.ErrorEnvelope},
    security_schemes={
        "b2coreBearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A B2Core access token of this broker (HS256, 20 minutes).",
        }
    },
)
