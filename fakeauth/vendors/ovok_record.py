"""Ovok's full record (:func:`full_record`): its API, state, fidelity entries and accounts,
made on the vendor's first use by :func:`fakeauth.vendors.ovok.load` from its light record
(:data:`fakeauth.vendors.ovok.VENDOR`: name, hosts, label)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fakeauth.apis.ovok import API
from fakeauth.state.ovok import OvokState
from fakeauth.vendor import AccountField, AuthFlow, StateContext, Vendor

if TYPE_CHECKING:
    from fakeauth.vendor_views import AccountEdits, AccountSummary, FidelitySection

__all__ = ["full_record"]


def _build(context: StateContext) -> OvokState:
    return OvokState(
        clock=context.clock,
        randomness=context.randomness,
        outbox=context.outbox,
        access_token_ttl=context.options["access_token_ttl"],
        refresh_token_ttl=context.options["refresh_token_ttl"],
    )


def _seed_lists(state: OvokState) -> Mapping[str, Callable[..., Any]]:
    # In order: a list may refer to what an earlier one adds (clients to tenants).
    return {
        "tenants": state.add_tenant,
        "clients": state.add_client,
        "accounts": state.add_account,
    }


def _summary(account: Mapping[str, Any]) -> AccountSummary:
    from fakeauth.vendor_views import AccountSummary  # the dashboard's, not a request's

    return AccountSummary(
        name=f"{account['name']} {account['surname']}", scope=f"tenant {account['tenant_id']}"
    )


def _edits(state: OvokState) -> AccountEdits:
    from fakeauth.vendor_views import AccountEdits  # the dashboard's, not a request's

    return AccountEdits(
        fields=(
            AccountField("name", "Name"),
            AccountField("surname", "Surname"),
            AccountField("password", "New password", "password"),
            AccountField("email_verified", "Email verified", "checkbox"),
        ),
        update=state.update_account,
        values=lambda account: {
            "name": account["name"],
            "surname": account["surname"],
            "email_verified": account["email_verified"],
        },
    )


#: Ovok B2B auth.
def _fidelity() -> FidelitySection:
    from fakeauth.fidelity import (
        ovok as fidelity,  # on first use: the page, verify, the control route
    )
    from fakeauth.vendor_views import FidelitySection

    return FidelitySection(fidelity.TITLE, fidelity.INTRO, fidelity.ENTRIES)


def full_record(light: Vendor) -> Vendor:
    """Ovok's full record: ``light``'s name, hosts, host check and label, with its API, state,
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
        account_fields=(
            AccountField("name", "Name"),
            AccountField("surname", "Surname"),
            AccountField("tenant_id", "Tenant id"),
            AccountField("email_verified", "Email verified", "checkbox", default=True),
        ),
        edits=_edits,
        auth=AuthFlow(
            login=("ovok.b2b_login",),
            refresh=("ovok.refresh_token",),
            bearer_kinds=("access",),
            # No lockout: NestJS's throttler's own words (docs/fidelity.md, ovok.lockout).
            lockout_message="ThrottlerException: Too Many Requests",
        ),
        explain=lambda state, token: state.explain_credential(token),
        held_credentials=lambda state: state.held_credentials(),
    )
