"""walt.id administration: features, the Super Admin, organizations, accounts, roles, dev mode.

Each operation's handler and its :class:`~fakeauth.apis.base.Route` stand together; ``ROUTES``
lists them in the order :data:`fakeauth.apis.waltid.API` serves and documents them (after the
account routes of :mod:`fakeauth.apis.waltid_account_routes`).
"""

from __future__ import annotations

from typing import Any

from fakeauth.apis import waltid_examples as examples
from fakeauth.apis import waltid_models as wid
from fakeauth.apis.base import Credential, Notes, Route
from fakeauth.apis.docs import JSON, STRING, TEXT, OperationDoc, Reply
from fakeauth.apis.waltid_models import (
    CreateOrgRequest,
    RequestBodyError,
    decode,
    read_json,
    read_registration_token,
    registration_token,
)
from fakeauth.apis.waltid_operations import (
    SESSION,
    WID_ACCOUNT,
    WID_ERROR,
    WID_FEATURE_OFF,
    WID_FORBIDDEN,
    WID_TOKEN,
    WID_UNAUTHORIZED,
    WID_UNSUPPORTED,
    account_document,
    caller,
    operation,
)
from fakeauth.http import Request, Response
from fakeauth.state.waltid import REGISTRATION, WaltidState

__all__ = [
    "ROUTES",
    "admin_account_roles_add",
    "admin_accounts_list",
    "admin_organizations_create",
    "dev_database_recreate",
    "dev_initial_setup",
    "features_registered",
    "features_state",
    "superadmin_create_by_token",
]

#: What ``create-by-token`` takes: a registration token in the body, refused when unknown or
#: expired (401) and when its Super Admin exists already (409).
_REGISTRATION = Credential(REGISTRATION, registration_token, frozenset({401, 409}))


def _feature_bucket(features: dict[str, str]) -> dict[str, Any]:
    return {"features": features, "total": len(features)}


@operation("feature-flag-information-endpoint")
def features_registered(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``GET /features/registered``: every walt.id feature and its description."""
    return Response.json(
        200, {f.name: f.description for f in state.features if f.vendor == "waltid"}
    )


@operation("feature-flag-information-endpoint")
def features_state(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``GET /features/state``: on; switched off; off by default."""
    buckets: dict[str, dict[str, str]] = {"enabled": {}, "disabled": {}, "defaultedDisabled": {}}
    for feature in state.features:
        if feature.vendor != "waltid":
            continue
        if state.features.is_enabled(feature.name):
            bucket = "enabled"
        else:
            bucket = "disabled" if feature.default else "defaultedDisabled"
        buckets[bucket][feature.name] = feature.description
    return Response.json(200, {name: _feature_bucket(f) for name, f in buckets.items()})


@operation("superadmin-registration")
def superadmin_create_by_token(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/superadmin/create-by-token``: activates the token's Super Admin, 200."""
    token = read_registration_token(request, notes)
    account = state.activate_superadmin(token, by=request.operation)
    return Response.json(200, account_document(account))


@operation("admin", "organization-creation")
def admin_organizations_create(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/admin/organizations``: the Super Admin creates an organization, 201."""
    state.require_superadmin(caller(state, request))
    try:
        dto = decode(
            CreateOrgRequest, read_json(request, "CreateOrgRequest", notes), "CreateOrgRequest"
        )
    except RequestBodyError as exc:
        if exc.status == 400:  # the enterprise's convertingReceive wraps body errors
            exc.exception_id = "IllegalArgumentException"
        raise
    organization = state.create_organization(dto.id, dto.profile.name)
    return Response.json(201, {"_id": organization.id, "profile": {"name": organization.name}})


@operation("admin")
def admin_accounts_list(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``GET /v1/admin/accounts``: a bare array of every account."""
    state.require_admin(caller(state, request))
    return Response.json(200, [account_document(a) for a in state.accounts])


@operation("admin")
def admin_account_roles_add(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/admin/account/{accountId}/roles/add/{organization}/{roleId}``: 200."""
    params = request.path_params
    organization = params["organization"]
    state.require_admin(caller(state, request), organization)
    if not state.grant_role(params["accountId"], organization, params["roleId"]):
        return Response.json(200, {})
    return Response.json(200, account_document(state.account(params["accountId"])))


@operation("dev-mode")
def dev_database_recreate(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/dev/database-recreate``: no bearer needed; every account and session goes."""
    state.recreate_database()
    return Response.empty(200)


@operation("dev-mode")
def dev_initial_setup(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/dev/initial-setup``: the Super Admin's bearer; nothing more to set up, 200."""
    state.require_superadmin(caller(state, request))
    return Response.empty(200)


ROUTES = (
    Route(
        "waltid.features_registered",
        "GET",
        "/features/registered",
        features_registered,
        OperationDoc(
            "Every walt.id feature and its description",
            {
                200: Reply("Feature name -> description", {JSON: dict[str, str]}),
                404: WID_FEATURE_OFF,
            },
            examples=examples.FEATURES_REGISTERED,
        ),
    ),
    Route(
        "waltid.features_state",
        "GET",
        "/features/state",
        features_state,
        OperationDoc(
            "Which features are on, switched off, or off by default",
            {200: Reply("The three buckets", {JSON: wid.FeatureState}), 404: WID_FEATURE_OFF},
            examples=examples.FEATURES_STATE,
        ),
    ),
    Route(
        "waltid.superadmin_create_by_token",
        "POST",
        "/v1/superadmin/create-by-token",
        superadmin_create_by_token,
        OperationDoc(
            "Activate the Super Admin of a registration token",
            {
                200: Reply("The Super Admin's account", WID_ACCOUNT),
                401: Reply("An unknown or expired registration token", WID_ERROR),
                404: WID_FEATURE_OFF,
                409: Reply("`Super admin already exists`", WID_ERROR),
            },
            # the reader takes a JSON string as the token itself, as it takes raw text
            body={TEXT: STRING, JSON: wid.RegistrationTokenRequest | str},
            examples=examples.CREATE_BY_TOKEN,
        ),
        credential=_REGISTRATION,
    ),
    Route(
        "waltid.admin_organizations_create",
        "POST",
        "/v1/admin/organizations",
        admin_organizations_create,
        OperationDoc(
            "Create an organization (the Super Admin)",
            {
                201: Reply("The organization", {JSON: wid.OrganizationDocument}),
                400: Reply("An unreadable body, or an id that is not a name", WID_ERROR),
                401: WID_UNAUTHORIZED,
                403: WID_FORBIDDEN,
                404: WID_FEATURE_OFF,
                409: Reply("An organization with this id exists", {JSON: wid.DuplicateTargetError}),
                415: WID_UNSUPPORTED,
            },
            body={JSON: wid.CreateOrgRequest},
            security=WID_TOKEN,
            examples=examples.ORGANIZATIONS_CREATE,
        ),
        credential=SESSION,
    ),
    Route(
        "waltid.admin_accounts_list",
        "GET",
        "/v1/admin/accounts",
        admin_accounts_list,
        OperationDoc(
            "Every account",
            {
                200: Reply("A bare array of accounts", {JSON: list[wid.AccountDocument]}),
                401: WID_UNAUTHORIZED,
                403: WID_FORBIDDEN,
                404: WID_FEATURE_OFF,
            },
            security=WID_TOKEN,
            examples=examples.ACCOUNTS_LIST,
        ),
        credential=SESSION,
    ),
    Route(
        "waltid.admin_account_roles_add",
        "POST",
        "/v1/admin/account/<accountId>/roles/add/<organization>/<roleId>",
        admin_account_roles_add,
        OperationDoc(
            "Give an account a role of an organization (an admin of that organization)",
            {
                200: Reply(
                    "The account, or `{}` when it held the role already",
                    {JSON: wid.AccountDocument | wid.EmptyObject},
                ),
                400: Reply("The role belongs to another organization", WID_ERROR),
                401: WID_UNAUTHORIZED,
                403: WID_FORBIDDEN,
                404: Reply(
                    "No such account, organization or role (an empty body when `admin` is off)",
                    WID_ERROR,
                ),
            },
            security=WID_TOKEN,
            description=(
                "A role id is `<organization>.admin` (`acme.admin` for the organization "
                "`acme`): each organization gets its admin role when it is created, and the "
                "only role there is. The role must be the path's organization's (another's "
                "answers 400). The Super Admin, or an admin of the organization, may give it."
            ),
            examples=examples.ROLES_ADD,
        ),
        credential=SESSION,
    ),
    Route(
        "waltid.dev_database_recreate",
        "POST",
        "/v1/dev/database-recreate",
        dev_database_recreate,
        OperationDoc(
            "Drop every account, organization and session (dev mode; no token needed)",
            {200: Reply("Done; no body"), 404: WID_FEATURE_OFF},
            examples=examples.DATABASE_RECREATE,
        ),
    ),
    Route(
        "waltid.dev_initial_setup",
        "POST",
        "/v1/dev/initial-setup",
        dev_initial_setup,
        OperationDoc(
            "Run the initial set-up (dev mode, the Super Admin); nothing is left to do",
            {
                200: Reply("Done; no body"),
                401: WID_UNAUTHORIZED,
                403: WID_FORBIDDEN,
                404: WID_FEATURE_OFF,
            },
            security=WID_TOKEN,
            examples=examples.INITIAL_SETUP,
        ),
        credential=SESSION,
    ),
    # An older release of walt.id's quickstart CLI posts the set-up here (and goes on when
    # it fails); it answers as /v1/dev/initial-setup does, flag and all.
    Route(
        "waltid.admin_initial_setup",
        "POST",
        "/v1/admin/initial-setup",
        dev_initial_setup,
        OperationDoc(
            "Run the initial set-up where an older quickstart CLI calls it (as "
            "`/v1/dev/initial-setup`; dev mode, the Super Admin); nothing is left to do",
            {
                200: Reply("Done; no body"),
                401: WID_UNAUTHORIZED,
                403: WID_FORBIDDEN,
                404: WID_FEATURE_OFF,
            },
            security=WID_TOKEN,
            examples=examples.INITIAL_SETUP,
        ),
        credential=SESSION,
    ),
)
