"""What a vendor is to fakeauth: one record (:class:`Vendor`) and what its state must do
(:class:`VendorState`).

Code that needs "every vendor" (routing, the control API and the dashboard, OpenAPI, fidelity,
hosts, seeding, persistence) iterates a fake's vendor records instead of naming vendors: a vendor
is added by writing its record (and its own modules) and handing it to ``FakeAuth(vendors=...)``.
The three vendors fakeauth ships are listed once, in :mod:`fakeauth.vendors`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from typing import TYPE_CHECKING, Any, Protocol

from fakeauth.apis.base import VendorApi
from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError
from fakeauth.features import FeatureRegistry
from fakeauth.lazy import lazy_names
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness
from fakeauth.records import FACTORY, assign, record
from fakeauth.vendor_parts import AccountField, AuthFlow

if TYPE_CHECKING:
    from fakeauth.findings import Finding, HeldIds
    from fakeauth.tokens import TokenStore
    from fakeauth.vendor_views import AccountEdits, AccountSummary, FidelitySection

__all__ = [
    "AccountEdits",
    "AccountField",
    "AccountSummary",
    "AuthFlow",
    "DeferredVendor",
    "FidelitySection",
    "StateContext",
    "Vendor",
    "VendorState",
    "checked_name",
    "checked_record",
]

_NAME = re.compile(r"[a-z][a-z0-9]{0,31}")

# What the dashboard and the fidelity page read of a vendor: made by a vendor's summary, edits
# and fidelity functions, never by a request, so defined on first use (each frozen dataclass
# costs about a millisecond to define) and importable from here as ever.
__getattr__, __dir__ = lazy_names(
    __name__,
    dict.fromkeys(("AccountEdits", "AccountSummary", "FidelitySection"), "fakeauth.vendor_views"),
)


class VendorState(Protocol):
    """What every vendor's state does for the parts of fakeauth that serve every vendor alike.

    A state owns its records: it writes and reads its own part of a state document and its own
    snapshot, under the rules its seeding methods apply, so nothing outside it assigns its
    attributes.
    """

    def reset(self) -> None:
        """Back to a fresh state: the embedded defaults, no accounts, no tokens."""

    def export_accounts(self) -> list[dict[str, Any]]:
        """Every account as JSON-ready data, without passwords or tokens; each has ``id`` and
        ``email``."""

    def remove_account(self, account_id: str) -> bool:
        """Delete an account (its sessions signed out first); ``False`` when there is none."""

    def to_document(self) -> dict[str, Any]:
        """The state's part of a state document (JSON-ready)."""

    def load_document(self, document: Mapping[str, Any]) -> None:
        """Replace the state with a document part's, checked by the seeding rules; raises
        :class:`~fakeauth.errors.ConfigurationError`."""

    def snapshot(self) -> Any:
        """The state's records as they stand, for :meth:`restore`: cheap (the records are
        immutable, their containers copied on the state's next write), opaque to callers."""

    def restore(self, snapshot: Any) -> None:
        """Put back what this state's :meth:`snapshot` took (its own type of snapshot)."""


@record
class StateContext:
    """What a fake hands a vendor's state builder: the shared services and the vendor's options.

    ``options`` are the vendor's own constructor options by their short name: ``hosts`` (its
    base URLs) for every vendor, and Ovok's ``access_token_ttl`` and ``refresh_token_ttl``, say.
    """

    clock: Clock
    randomness: Randomness
    outbox: Outbox
    features: FeatureRegistry
    options: Mapping[str, Any]

    def __init__(
        self,
        clock: Clock,
        randomness: Randomness,
        outbox: Outbox,
        features: FeatureRegistry,
        options: Mapping[str, Any],
    ) -> None:
        assign(
            self,
            clock=clock,
            randomness=randomness,
            outbox=outbox,
            features=features,
            options=options,
        )


def _no_summary(account: Mapping[str, Any]) -> AccountSummary:
    from fakeauth.vendor_views import AccountSummary

    return AccountSummary(name="", scope="")


def _no_edits(state: Any) -> AccountEdits | None:
    return None


def _no_tokens(state: Any) -> TokenStore | None:
    return None


def _no_key(state: Any) -> dict[str, str] | None:
    return None


def _no_added_hosts(state: Any) -> tuple[str, ...]:
    return ()


def _no_finding(state: Any, token: str) -> Finding | None:
    return None


def _no_credentials(state: Any) -> Iterable[HeldIds]:
    return ()


def _same_hosts(urls: tuple[str, ...]) -> tuple[str, ...]:
    return urls


# eq=False: a record is compared (and hashed, as a cache key of route maps) by identity.
def _no_fidelity() -> FidelitySection:
    from fakeauth.vendor_views import FidelitySection

    return FidelitySection("", "", ())


@record(eq=False)
class Vendor:
    """One vendor: its name, hosts, state, HTTP API (routes, errors, OpenAPI tag) and fidelity
    entries, and how the dashboard and seed documents see its accounts.

    ``build_state`` makes a fresh state from a :class:`StateContext`; ``seed_lists`` gives a
    state's seeding methods by their seed-document list name, in the order a document is applied
    (Ovok's ``tenants`` before its ``clients``); ``summary`` turns one exported account into the
    dashboard's :class:`AccountSummary`; ``tokens`` is the state's token store (``None``: it
    issues no tokens), ``public_key`` the JWK of its asymmetric tokens (``None``: none);
    ``added_hosts`` the base URLs a built state answers on besides the configured ones (B2Core
    brokers added at run time), ``check_hosts`` checks and normalises the configured base URLs;
    ``auth`` names its sign-in operations (:class:`AuthFlow`; ``FACTORY``: a fresh
    ``AuthFlow()``, which names none). ``label`` is how the dashboard
    names the vendor (default: its name), ``account_fields`` the fields its create form offers
    besides the email and password, ``edits`` what of an existing account a state lets the
    dashboard change (``None``: nothing).
    ``explain`` gives what a state knows of a credential of its vendor's shape
    (:class:`~fakeauth.findings.Finding`; ``None``: not its vendor's), ``held_credentials`` the
    ids of every credential a state holds (:class:`~fakeauth.findings.HeldIds`, which a reset,
    restore or import forgets; cheap: no copy): ``fake.explain`` reads both.
    """

    name: str
    api: VendorApi
    default_hosts: tuple[str, ...]
    build_state: Callable[[StateContext], VendorState]
    seed_lists: Callable[[Any], Mapping[str, Callable[..., Any]]]
    load_fidelity: Callable[[], FidelitySection] = _no_fidelity
    summary: Callable[[Mapping[str, Any]], AccountSummary] = _no_summary
    tokens: Callable[[Any], TokenStore | None] = _no_tokens
    public_key: Callable[[Any], dict[str, str] | None] = _no_key
    added_hosts: Callable[[Any], Iterable[str]] = _no_added_hosts
    check_hosts: Callable[[tuple[str, ...]], tuple[str, ...]] = _same_hosts
    label: str = ""
    account_fields: tuple[AccountField, ...] = ()
    edits: Callable[[Any], AccountEdits | None] = _no_edits
    auth: AuthFlow = field(default_factory=AuthFlow)
    explain: Callable[[Any, str], Finding | None] = _no_finding
    held_credentials: Callable[[Any], Iterable[HeldIds]] = _no_credentials

    def __init__(
        self,
        name: str,
        api: VendorApi,
        default_hosts: tuple[str, ...],
        build_state: Callable[[StateContext], VendorState],
        seed_lists: Callable[[Any], Mapping[str, Callable[..., Any]]],
        load_fidelity: Callable[[], FidelitySection] = _no_fidelity,
        summary: Callable[[Mapping[str, Any]], AccountSummary] = _no_summary,
        tokens: Callable[[Any], TokenStore | None] = _no_tokens,
        public_key: Callable[[Any], dict[str, str] | None] = _no_key,
        added_hosts: Callable[[Any], Iterable[str]] = _no_added_hosts,
        check_hosts: Callable[[tuple[str, ...]], tuple[str, ...]] = _same_hosts,
        label: str = "",
        account_fields: tuple[AccountField, ...] = (),
        edits: Callable[[Any], AccountEdits | None] = _no_edits,
        auth: AuthFlow = FACTORY,
        explain: Callable[[Any, str], Finding | None] = _no_finding,
        held_credentials: Callable[[Any], Iterable[HeldIds]] = _no_credentials,
    ) -> None:
        assign(
            self,
            name=name,
            api=api,
            default_hosts=default_hosts,
            build_state=build_state,
            seed_lists=seed_lists,
            load_fidelity=load_fidelity,
            summary=summary,
            tokens=tokens,
            public_key=public_key,
            added_hosts=added_hosts,
            check_hosts=check_hosts,
            label=label,
            account_fields=account_fields,
            edits=edits,
            auth=auth,
            explain=explain,
            held_credentials=held_credentials,
        )

    @property
    def fidelity(self) -> FidelitySection:
        """The vendor's section of the fidelity page, loaded by ``load_fidelity`` when first asked
        for (the fidelity page, ``fakeauth verify`` and the control route need it; a test that
        only logs in does not)."""
        return self.load_fidelity()

    @property
    def title(self) -> str:
        """The vendor's name as people write it (``"Ovok B2B auth"``)."""
        return self.api.doc.title

    @property
    def hosts_option(self) -> str:
        """The ``FakeAuth`` option that names its hosts, ``<name>_hosts``."""
        return f"{self.name}_hosts"


def checked_name(vendor: Vendor, api_name: str | None = None) -> None:
    """Raise :class:`ConfigurationError` unless ``vendor``'s name is 1 to 32 lowercase letters
    and digits, starting with a letter, and ``api_name`` (its API's name, when given) is the
    same."""
    if _NAME.fullmatch(vendor.name) is None or api_name not in (None, vendor.name):
        raise ConfigurationError(
            f"a vendor's name is 1 to 32 lowercase letters and digits, starting with a "
            f"letter, and its API's name is the same, not {vendor.name!r}"
        )


def checked_record(vendor: Vendor) -> Vendor:
    """``vendor``, once its API is its own: the API has the vendor's name, and every operation
    id is given once and starts with that name (``ovok.``), so that no two vendors of distinct
    names can share one; else raises :class:`ConfigurationError`."""
    checked_name(vendor, vendor.api.name)
    operations: set[str] = set()
    for route in vendor.api.routes:
        if route.operation in operations or not route.operation.startswith(f"{vendor.name}."):
            raise ConfigurationError(
                f"the operation id {route.operation!r} is given twice or does not start "
                f"with its vendor's name ({vendor.name}.)"
            )
        operations.add(route.operation)
    return vendor


#: What a :class:`DeferredVendor` holds itself: what a ``FakeAuth()`` needs before any request.
LIGHT_FIELDS = frozenset({"name", "default_hosts", "check_hosts", "label"})


def _loaded_field(name: str) -> functools.cached_property[Any]:
    def read(self: DeferredVendor) -> Any:
        return getattr(self.loaded(), name)

    read.__doc__ = f"The full record's ``{name}`` (loads the vendor's code on its first read)."
    return functools.cached_property(read)


def _fields_from_loaded(cls: type[DeferredVendor]) -> type[DeferredVendor]:
    # Every field but the light ones is read from the loaded record on its first read, then kept
    # in the instance's __dict__ (cached_property writes there directly, so the record stays
    # frozen to its callers): a request then pays a plain attribute read, not a call.
    for found in dataclasses.fields(Vendor):
        if found.name not in LIGHT_FIELDS:
            descriptor = _loaded_field(found.name)
            descriptor.__set_name__(cls, found.name)
            setattr(cls, found.name, descriptor)
    return cls


@_fields_from_loaded
class DeferredVendor(Vendor):
    """A vendor record whose code (its API and models, its state class, its examples) is
    imported on the vendor's first use, not when fakeauth is imported or a fake is made.

    It holds what a ``FakeAuth()`` needs up front (:data:`LIGHT_FIELDS`: the name, the default
    hosts and their check, the label); every other field is read from ``load()``, a full
    :class:`Vendor` of the same name, called when one of them is first read (a request routed to
    the vendor's hosts or base URL, its state's first access, a snapshot or export, the OpenAPI
    document...). Its answer is checked as :func:`checked_record` checks a full record and kept;
    two threads reading a field first at once may both call it, and the first record kept is the
    one every field is read from. ``dataclasses.replace`` of it gives a full record. The records of
    :data:`fakeauth.vendors.VENDORS` are deferred; a vendor of your own may be either kind.
    """

    def __new__(cls, **fields: Any) -> Any:
        # dataclasses.replace(record, ...) makes a record of every field, read from this one (its
        # code loaded): that is a full record, as a replace of any record is.
        if fields and "load" not in fields:
            return Vendor(**fields)
        return super().__new__(cls)

    def __init__(
        self,
        *,
        name: str,
        default_hosts: tuple[str, ...],
        load: Callable[[], Vendor],
        check_hosts: Callable[[tuple[str, ...]], tuple[str, ...]] = _same_hosts,
        label: str = "",
    ) -> None:
        self._load: Callable[[], Vendor]
        # Vendor's own __init__ asks for every field: set the light ones only.
        for key, value in (
            ("name", name),
            ("default_hosts", default_hosts),
            ("check_hosts", check_hosts),
            ("label", label),
            ("_load", load),
        ):
            object.__setattr__(self, key, value)

    def loaded(self) -> Vendor:
        """The full record ``load`` gives, checked (imports the vendor's code on the first call;
        raises :class:`ConfigurationError` for a record of another name or a faulty API)."""
        found: Vendor | None = self.__dict__.get("_loaded")
        if found is None:
            record = self._load()
            if not isinstance(record, Vendor) or record.name != self.name:
                raise ConfigurationError(
                    f"the deferred vendor {self.name!r} loaded "
                    f"{getattr(record, 'name', type(record).__name__)!r}, not a "
                    f"fakeauth.vendor.Vendor record of its own name"
                )
            checked_record(record)
            # Two threads may both get here: the first record kept is every caller's (setdefault
            # is atomic), so every field is read from one record.
            found = self.__dict__.setdefault("_loaded", record)
        return found

    def __repr__(self) -> str:
        return f"DeferredVendor(name={self.name!r}, default_hosts={self.default_hosts!r})"
