"""walt.id Enterprise over HTTP: ktor-authnz login and tokens, commons error bodies, admin routes.

Errors are walt.id's commons body ``{"exception": true, "id", "status", "code", "message"}``
(``details`` for body errors), except where the real service answers otherwise: a missing or bad
bearer is ktor-authnz's plain-text ``Unauthorized (...)``, a duplicate organization the
``DuplicateTarget`` object, and a route of a disabled feature Ktor's empty 404 (the real service
never registers it). Protected routes check, in order: the feature, the bearer, the caller's
role, then the body.
"""

from __future__ import annotations

from fakeauth.apis import waltid_account_routes, waltid_admin_routes
from fakeauth.apis.base import VendorApi
from fakeauth.apis.docs import VendorDoc
from fakeauth.apis.waltid_account_routes import (
    DIVERGE_LOGOUT_WITHOUT_SESSION as DIVERGE_LOGOUT_WITHOUT_SESSION,
)
from fakeauth.apis.waltid_account_routes import account_register as account_register
from fakeauth.apis.waltid_account_routes import admin_account_register as admin_account_register
from fakeauth.apis.waltid_account_routes import emailpass_login as emailpass_login
from fakeauth.apis.waltid_account_routes import logout as logout
from fakeauth.apis.waltid_admin_routes import admin_account_roles_add as admin_account_roles_add
from fakeauth.apis.waltid_admin_routes import admin_accounts_list as admin_accounts_list
from fakeauth.apis.waltid_admin_routes import (
    admin_organizations_create as admin_organizations_create,
)
from fakeauth.apis.waltid_admin_routes import dev_database_recreate as dev_database_recreate
from fakeauth.apis.waltid_admin_routes import dev_initial_setup as dev_initial_setup
from fakeauth.apis.waltid_admin_routes import features_registered as features_registered
from fakeauth.apis.waltid_admin_routes import features_state as features_state
from fakeauth.apis.waltid_admin_routes import (
    superadmin_create_by_token as superadmin_create_by_token,
)
from fakeauth.apis.waltid_errors import error
from fakeauth.apis.waltid_errors import kotlin_duration as kotlin_duration
from fakeauth.apis.waltid_operations import COOKIE as COOKIE
from fakeauth.apis.waltid_operations import WID_ERROR
from fakeauth.apis.waltid_operations import Operation as Operation

__all__ = ["API", "error"]

API = VendorApi(
    name="waltid",
    # the account routes first, then the administration's: the order the OpenAPI document and
    # the route pages list them in
    routes=(*waltid_account_routes.ROUTES, *waltid_admin_routes.ROUTES),
    path_prefixes=("/v1/", "/features/", "/auth/account/", "/auth/logout"),
    error=error,
    doc=VendorDoc(
        "walt.id Enterprise",
        "walt.id commons errors `{exception, id, status, code, message}`; unknown body fields "
        "are refused; bodies over 1 MiB answer 413.",
        WID_ERROR,
        security_schemes={
            "waltidBearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": (
                    "A walt.id login token (EdDSA), from `POST /auth/account/emailpass`."
                ),
            },
            "waltidCookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": "ktor-authnz-auth",
                "description": "The cookie a walt.id login sets (the token itself).",
            },
            "waltidHeader": {
                "type": "apiKey",
                "in": "header",
                "name": "ktor-authnz-auth",
                "description": "ktor-authnz's own header: the token, without `Bearer `.",
            },
            "waltidBasic": {
                "type": "http",
                "scheme": "basic",
                "description": "The email and password of a walt.id login, as a Basic header.",
            },
        },
    ),
)
