"""walt.id's full record (:func:`full_record`): its API, state, fidelity entries and accounts,
made on the vendor's first use by :func:`fakeauth.vendors.waltid.load` from its light record
(:data:`fakeauth.vendors.waltid.VENDOR`: name, hosts, label)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fakeauth.apis.waltid import API
from fakeauth.state.waltid import WaltidState
from fakeauth.vendor import AccountField, AuthFlow, StateContext, Vendor

if TYPE_CHECKING:
    from fakeauth.vendor_views import AccountEdits, AccountSummary, FidelitySection

__all__ = ["full_record"]


def _build(context: StateContext) -> WaltidState:
    return WaltidState(
        clock=context.clock,
        randomness=context.randomness,
        outbox=context.outbox,
        features=context.features,
        token_ttl=context.options["token_ttl"],
    )


def _seed_lists(state: WaltidState) -> Mapping[str, Callable[..., Any]]:
    return {"organizations": state.add_organization, "accounts": state.add_account}


def _summary(account: Mapping[str, Any]) -> AccountSummary:
    from fakeauth.vendor_views import AccountSummary  # the dashboard's, not a request's

    orgs: Mapping[str, list[str]] = account["roles"]
    roles = [f"{org}: {role}" for org, names in orgs.items() for role in names]
    return AccountSummary(
        name=str(account["profile"].get("name", "")),
        scope="organizations " + ", ".join(orgs) if orgs else "no organization",
        roles=tuple(["superadmin", *roles] if account["superadmin"] else roles),
    )


def _edits(state: WaltidState) -> AccountEdits:
    from fakeauth.vendor_views import AccountEdits  # the dashboard's, not a request's

    return AccountEdits(
        fields=(
            AccountField("name", "Name"),
            AccountField("password", "New password", "password"),
            # the roles added so far, of every organization: a role id names its organization
            AccountField("roles", "Roles", "choices", choices=tuple(state.role_ids)),
        ),
        update=state.update_account,
        values=lambda account: {
            "name": account["profile"].get("name", ""),
            "roles": [role for held in account["roles"].values() for role in held],
        },
    )


#: walt.id Enterprise's account API.
def _fidelity() -> FidelitySection:
    from fakeauth.fidelity import (
        waltid as fidelity,  # on first use: the page, verify, the control route
    )
    from fakeauth.vendor_views import FidelitySection

    return FidelitySection(fidelity.TITLE, fidelity.INTRO, fidelity.ENTRIES)


def full_record(light: Vendor) -> Vendor:
    """walt.id's full record: ``light``'s name, hosts, host check and label, with its API, state,
    fidelity entries and accounts."""
    return Vendor(
        name=light.name,
        api=API,
        default_hosts=light.default_hosts,
        build_state=_build,
        seed_lists=_seed_lists,
        load_fidelity=_fidelity,
        summary=_summary,
        tokens=lambda state: state.tokens,
        public_key=lambda state: state.signer.public_jwk(),
        label=light.label,
        account_fields=(AccountField("name", "Name"),),
        edits=_edits,
        auth=AuthFlow(
            login=("waltid.emailpass_login",),
            bearer_kinds=("login",),
            # No lockout in today's release: the words of the newer auth library's limit
            # (docs/fidelity.md, waltid.lockout).
            lockout_message="Too many failed attempts for this account; try again later",
        ),
        explain=lambda state, token: state.explain_credential(token),
        held_credentials=lambda state: state.held_credentials(),
    )
