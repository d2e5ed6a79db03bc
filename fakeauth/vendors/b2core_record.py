"""B2Core's full record (:func:`full_record`): its API, state, fidelity entries and accounts,
made on the vendor's first use by :func:`fakeauth.vendors.b2core.load` from its light record
(:data:`fakeauth.vendors.b2core.VENDOR`: name, hosts, label)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fakeauth.apis.b2core import API
from fakeauth.state.b2core import B2CoreState
from fakeauth.vendor import AccountField, AuthFlow, StateContext, Vendor

if TYPE_CHECKING:
    from fakeauth.vendor_views import AccountEdits, AccountSummary, FidelitySection

__all__ = ["full_record"]


def _build(context: StateContext) -> B2CoreState:
    return B2CoreState(
        hosts=context.options["hosts"],
        clock=context.clock,
        randomness=context.randomness,
        outbox=context.outbox,
        features=context.features,
        access_token_ttl=context.options["access_token_ttl"],
        refresh_token_ttl=context.options["refresh_token_ttl"],
    )


def _seed_lists(state: B2CoreState) -> Mapping[str, Callable[..., Any]]:
    return {"brokers": state.add_broker, "accounts": state.add_account}


def _summary(account: Mapping[str, Any]) -> AccountSummary:
    from fakeauth.vendor_views import AccountSummary  # the dashboard's, not a request's

    return AccountSummary(
        name=f"{account['given_name']} {account['family_name']}",
        scope=f"broker {account['broker']}",
        two_factor=account["two_factor"],
    )


def _broker_urls(state: B2CoreState) -> list[str]:
    # A broker added at run time with fake.b2core.add_broker(...) answers on its own host.
    return [broker.url for broker in state.brokers]


_TWO_FACTOR = AccountField("two_factor", "2FA", "choice", choices=("", "google", "sms"))


def _edits(state: B2CoreState) -> AccountEdits:
    from fakeauth.vendor_views import AccountEdits  # the dashboard's, not a request's

    return AccountEdits(
        fields=(
            AccountField("given_name", "Given name"),
            AccountField("family_name", "Family name"),
            AccountField("password", "New password", "password"),
            _TWO_FACTOR,
            AccountField("phone", "Phone"),
        ),
        update=state.update_account,
        values=lambda account: {
            name: account[name] for name in ("given_name", "family_name", "two_factor", "phone")
        },
    )


#: B2Core's broker API.
def _fidelity() -> FidelitySection:
    from fakeauth.fidelity import (
        b2core as fidelity,  # on first use: the page, verify, the control route
    )
    from fakeauth.vendor_views import FidelitySection

    return FidelitySection(fidelity.TITLE, fidelity.INTRO, fidelity.ENTRIES)


def full_record(light: Vendor) -> Vendor:
    """B2Core's full record: ``light``'s name, hosts, host check and label, with its API, state,
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
        explain=lambda state, token: state.explain_credential(token),
        held_credentials=lambda state: state.held_credentials(),
        added_hosts=_broker_urls,
        check_hosts=light.check_hosts,
        label=light.label,
        account_fields=(
            AccountField("given_name", "Given name"),
            AccountField("family_name", "Family name"),
            AccountField("phone", "Phone"),
            _TWO_FACTOR,
            AccountField("broker", "Broker URL"),
        ),
        edits=_edits,
        auth=AuthFlow(
            login=("b2core.signin",),
            refresh=("b2core.refresh",),
            bearer_kinds=("access",),
            lock_out=lambda state: state.lock_out(),
        ),
    )
