"""A fake's state as a versioned JSON document: export it, validate a document's envelope, and
load one into a new or a running fake (checked in full before anything is swapped in)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError
from fakeauth.persistence.format import DEFAULT_LANE, FORMAT, VERSION, WARNING
from fakeauth.persistence.model import BytesSeed, Document, LaneDoc, OptionsDoc
from fakeauth.randomness import Randomness
from fakeauth.state.document import DocumentRefused
from fakeauth.vendor import StateContext, Vendor, VendorState
from fakeauth.vendors import VENDORS

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = [
    "DEFAULT_LANE",
    "constructor_options",
    "export_lane",
    "export_state",
    "from_lane",
    "from_state",
    "import_state",
    "lane_of",
    "lanes_of",
    "options_differ",
    "reload_lane",
    "start_lane",
]


def export_state(fake: FakeAuth, *, journal: bool = False) -> dict[str, Any]:
    """The whole state of ``fake`` as a JSON-ready document (``journal``: with the journal and
    the outbox, which a load does not replay)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "warning": WARNING,
        "lanes": {DEFAULT_LANE: export_lane(fake, journal=journal)},
    }


def export_lane(fake: FakeAuth, *, journal: bool = False) -> dict[str, Any]:
    """The state of ``fake`` alone: what a document's lane holds (each vendor's part written by
    its state, under the vendor's name)."""
    lane: dict[str, Any] = {
        "options": fake.options.document(),
        "clock": fake.clock.to_document(),
        "epoch": fake.randomness.epoch,
        "features": fake.features.to_document(),
    }
    for vendor in fake.vendors:
        lane[vendor.name] = fake.vendor_state(vendor.name).to_document()
    if journal:
        lane["journal"] = [entry.to_dict() for entry in fake.journal]
        lane["outbox"] = [message.to_dict() for message in fake.outbox]
    return lane


def constructor_options(options: OptionsDoc) -> dict[str, Any]:
    """The keyword arguments of ``FakeAuth(...)`` that a document's options stand for."""
    given = options.model_dump()
    seed = options.seed
    given["seed"] = bytes.fromhex(seed.bytes_hex) if isinstance(seed, BytesSeed) else seed
    return given


def lane_of(document: Any) -> LaneDoc:
    """The validated lane of a document of one lane (parsed JSON); raises
    :class:`ConfigurationError` with a sentence naming the problem."""
    lanes = lanes_of(document)
    if set(lanes) != {DEFAULT_LANE}:
        raise ConfigurationError(
            f'the state document must hold exactly one lane, "{DEFAULT_LANE}", not '
            f"{sorted(lanes)}: a document of several lanes loads into a lanes server "
            "(fakeauth serve --import FILE, or fakeauth.lanes.Lanes.from_state(document))"
        )
    return lanes[DEFAULT_LANE]


def lanes_of(document: Any) -> dict[str, LaneDoc]:
    """Every lane of a document (parsed JSON), by name, ``"default"`` among them, its envelope
    validated (each vendor's part is validated by its state when it is loaded); raises
    :class:`ConfigurationError` with a sentence naming the problem."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ConfigurationError(
            f'this is not a fakeauth state document: it has no "format": "{FORMAT}"; export '
            "one with fake.export_state(), POST /_fakeauth/export or fakeauth serve --data FILE"
        )
    version = document.get("version")
    if version != VERSION:
        raise ConfigurationError(
            f"the state document is of version {version!r}, which this fakeauth does not read "
            f"(it reads version {VERSION}); export it again with this fakeauth"
        )
    try:
        parsed = Document.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        raise DocumentRefused(tuple(first["loc"]), first["msg"].lower()) from None
    if DEFAULT_LANE not in parsed.lanes:
        raise ConfigurationError(
            f'the state document holds no lane "{DEFAULT_LANE}" (it holds '
            f"{sorted(parsed.lanes)}); export it again with this fakeauth"
        )
    return dict(parsed.lanes)


def from_state(
    document: Any,
    *,
    factory: Callable[..., FakeAuth],
    vendors: Iterable[Vendor] = VENDORS,
    journal_limit: int | None = None,
) -> FakeAuth:
    """A new fake (made by ``factory``, the facade's class: persistence sits below the facade
    and never imports it) serving ``vendors`` and holding ``document``'s state, its random
    streams where they were."""
    lane = lane_of(document)
    return from_lane(lane, factory=factory, vendors=vendors, journal_limit=journal_limit)


def from_lane(
    lane: LaneDoc,
    *,
    factory: Callable[..., FakeAuth],
    name: str = DEFAULT_LANE,
    vendors: Iterable[Vendor] = VENDORS,
    journal_limit: int | None = None,
) -> FakeAuth:
    """A new fake holding the state of the validated lane ``name``, its random streams where
    they were (``factory``: as :func:`from_state`)."""
    options = constructor_options(lane.options)
    fake = factory(**options, vendors=vendors, journal_limit=journal_limit)
    _load(fake, lane, name, exact=True, take_options=False)
    return fake


def start_lane(
    lane: LaneDoc,
    *,
    factory: Callable[..., FakeAuth],
    seed: int | str | bytes | None,
    vendors: Iterable[Vendor] = VENDORS,
    journal_limit: int | None = None,
) -> FakeAuth:
    """A new fake holding ``lane``'s records under another ``seed``: its random streams start
    a new epoch from that seed, so what it issues from now on differs from what the fake the
    lane came from (or another fake started from it with another seed) issues (``factory``: as
    :func:`from_state`)."""
    options = constructor_options(lane.options)
    options["seed"] = seed
    fake = factory(**options, vendors=vendors, journal_limit=journal_limit)
    given = BytesSeed(bytes_hex=seed.hex()) if isinstance(seed, bytes) else seed
    reseeded = lane.model_copy(update={"options": lane.options.model_copy(update={"seed": given})})
    _load(fake, reseeded, DEFAULT_LANE, exact=False, take_options=False)
    return fake


def reload_lane(fake: FakeAuth, lane: LaneDoc) -> None:
    """Load ``lane``'s records (and clock setting) into the running ``fake`` under the fake's own
    options (its seed too), in a new random epoch: a lane's reset to its starting state."""
    mine = OptionsDoc.model_validate(fake.options.document())
    _load(fake, lane.model_copy(update={"options": mine}), DEFAULT_LANE, exact=False,
          take_options=False)  # fmt: skip


def import_state(fake: FakeAuth, document: Any, *, take_options: bool = False) -> None:
    """Replace the state of the running ``fake`` with ``document``'s (its clock setting too).

    Refused with a sentence when the document's options differ from the fake's, unless
    ``take_options``. The random streams start a new epoch: nothing is ever issued twice.
    """
    _load(fake, lane_of(document), DEFAULT_LANE, exact=False, take_options=take_options)


def _load(fake: FakeAuth, lane: LaneDoc, name: str, *, exact: bool, take_options: bool) -> None:
    """Build a complete new state of each vendor from ``lane`` (the lane ``name`` of its
    document), checked, and only then swap them into ``fake``: a refusal changes nothing."""
    options = fake.options
    if options.document() != lane.options.model_dump(mode="json"):
        if not take_options:
            raise ConfigurationError(options_differ(options.document(), lane.options))
        given = constructor_options(lane.options)  # checked as the constructor checks them
        vendors, limit = options.vendors, options.journal_limit
        options = type(fake)(**given, vendors=vendors, journal_limit=limit).options
    Clock().load_document(lane.clock.model_dump())  # the clock's own rules, before any change
    fake.features.check(lane.features)  # unknown flags are refused before anything changes
    parts = dict(lane.model_extra or {})
    served = [vendor.name for vendor in options.vendors]
    unknown = sorted(set(parts) - set(served))
    if unknown:
        raise ConfigurationError(
            f"the state document's lane {name!r} holds the part of a vendor this fake does not "
            f"serve, {unknown[0]!r} (it serves {', '.join(served)}); load it into a fake of "
            "that vendor's record: FakeAuth.from_state(document, vendors=(*VENDORS, record))"
        )
    randomness = Randomness(options.seed)
    if exact:
        randomness.resume(lane.epoch)
    else:
        randomness.advance(past=max(lane.epoch, fake.randomness.epoch))
    states: dict[str, VendorState] = {}
    for vendor in options.vendors:
        if vendor.name not in parts:
            raise DocumentRefused(("lanes", name, vendor.name), "field required")
        context = StateContext(
            clock=fake.clock,
            randomness=randomness,
            outbox=fake.outbox,
            features=fake.features,
            options=options.vendor_options(vendor.name),
        )
        state = vendor.build_state(context)
        try:
            state.load_document(parts[vendor.name])
        except DocumentRefused as exc:
            raise exc.within("lanes", name, vendor.name) from None
        states[vendor.name] = state
    taken = None if options is fake.options else options
    fake.replace_states(states, randomness=randomness, features=lane.features, options=taken)
    fake.clock.load_document(lane.clock.model_dump())


def options_differ(mine: Mapping[str, Any], theirs: OptionsDoc) -> str:
    """The sentence refusing a document (or a snapshot) of ``theirs`` options into a fake of
    ``mine``: which options differ, and how to start or load with the document's."""
    given = theirs.model_dump(mode="json")
    names = [name for name in mine if mine[name] != given.get(name)]
    shown = "; ".join(f"{name} is {mine[name]!r} here, {given[name]!r} in it" for name in names)
    return (
        f"the state document was exported by a fake with other options ({shown}); start the "
        "fake with the document's options (FakeAuth.from_state(document)), or take them: "
        "fake.import_state(document, take_options=True), POST /_fakeauth/import?take_options=true"
    )
