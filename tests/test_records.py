"""The records made by ``fakeauth.records.record`` behave as the frozen dataclasses they replace.

Each converted record is compared with its dataclass twin: ``@dataclass(frozen=True, eq=...,
slots=...)`` of the very same fields (names, types, defaults, factories, ``repr``/``compare``
flags), made in this module from the record's own field list. The two must give the same
``repr``, equality, hash, ``FrozenInstanceError`` messages, defaults, ``__init__`` signature and
errors, ``__match_args__``, ``dataclasses`` functions, pickling and copies.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from fakeauth.apis.base import Credential, Route, VendorApi
from fakeauth.apis.docs import OperationDoc, Reply, VendorDoc
from fakeauth.apis.fields import TextLength
from fakeauth.features import Feature
from fakeauth.options import FakeAuthOptions
from fakeauth.records import FACTORY, assign, record
from fakeauth.state.ovok_records import OvokClient, OvokTenant
from fakeauth.vendor import AccountField, AuthFlow, StateContext, Vendor


def handle(state: Any, request: Any) -> Any:
    """A stand-in for a route handler (module-level: it pickles by name)."""
    return None


def render_error(status: int, message: str) -> Any:
    """A stand-in for a vendor's error rendering."""
    return None


def not_allowed(method: str, path: str, allowed: tuple[str, ...]) -> str:
    """A stand-in for a vendor's 405 message."""
    return "no"


def find_nothing(request: Any, body: Any) -> str | None:
    """A stand-in for a credential finder."""
    return None


def build_state(context: Any) -> Any:
    """A stand-in for a vendor's state builder."""
    return None


def no_seed_lists(state: Any) -> dict[str, Any]:
    """A stand-in for a vendor's seeding methods."""
    return {}


REPLY = Reply("OK", {"application/json": {"type": "object"}}, {"X-Id": ("an id", True)})
DOC = OperationDoc("Log in", {200: REPLY}, {"application/json": {"type": "object"}}, False)
VENDOR_DOC = VendorDoc("Toy", "A toy vendor", {"message": "x"}, {"bearer": {"type": "http"}})
API = VendorApi("toy", (), ("/toy",), render_error, VENDOR_DOC, 10, not_allowed)

#: Each converted record, whether it compares by its fields (``eq``) and has slots, as its
#: ``@dataclass(frozen=True, ...)`` had, and the arguments of two instances: every field
#: given (and different from its default), and only the required ones.
CASES: list[tuple[type[Any], bool, bool, dict[str, Any], dict[str, Any]]] = [
    (
        Credential,
        True,
        True,
        {"kind": "refresh", "find": find_nothing, "refused_with": frozenset({400})},
        {},
    ),
    (
        Route,
        True,
        True,
        {
            "operation": "toy.login",
            "method": "POST",
            "path": "/toy/login",
            "handler": handle,
            "doc": DOC,
            "at_root": False,
            "credential": Credential("refresh"),
        },
        {"operation": "toy.login", "method": "POST", "path": "/p", "handler": handle, "doc": DOC},
    ),
    (
        VendorApi,
        True,
        True,
        {
            "name": "toy",
            "routes": (),
            "path_prefixes": ("/toy",),
            "error": render_error,
            "doc": VENDOR_DOC,
            "max_body": 10,
            "not_allowed": not_allowed,
        },
        {
            "name": "toy",
            "routes": (),
            "path_prefixes": ("/toy",),
            "error": render_error,
            "doc": VENDOR_DOC,
        },
    ),
    (
        Reply,
        True,
        False,
        {"description": "OK", "content": {"text/plain": {}}, "headers": {"X": ("x", False)}},
        {"description": "OK"},
    ),
    (
        OperationDoc,
        True,
        False,
        {
            "summary": "Log in",
            "replies": {200: REPLY},
            "body": {"application/json": {}},
            "body_required": False,
            "security": (("bearer",),),
            "description": "Logs in.",
            "examples": {"ok": "an example"},
        },
        {"summary": "Log in", "replies": {200: REPLY}},
    ),
    (
        VendorDoc,
        True,
        False,
        {
            "title": "Toy",
            "description": "A toy",
            "error": {"message": "x"},
            "security_schemes": {"bearer": {"type": "http"}},
        },
        {"title": "Toy", "description": "A toy", "error": {"message": "x"}},
    ),
    (
        StateContext,
        True,
        False,
        {
            "clock": "a clock",
            "randomness": "randomness",
            "outbox": "an outbox",
            "features": "features",
            "options": {"hosts": ()},
        },
        {
            "clock": "a clock",
            "randomness": "randomness",
            "outbox": "an outbox",
            "features": "features",
            "options": {},
        },
    ),
    (
        AccountField,
        True,
        False,
        {
            "name": "roles",
            "label": "Roles",
            "kind": "choices",
            "choices": ("a", "b"),
            "default": "a",
        },
        {"name": "name", "label": "Name"},
    ),
    (
        AuthFlow,
        True,
        False,
        {
            "login": ("toy.login",),
            "refresh": ("toy.refresh",),
            "bearer_kinds": ("access",),
            "lock_out": handle,
            "lockout_message": "Slow down",
        },
        {},
    ),
    (
        Vendor,
        False,
        False,
        {
            "name": "toy",
            "api": API,
            "default_hosts": ("https://toy.test",),
            "build_state": build_state,
            "seed_lists": no_seed_lists,
            "load_fidelity": handle,
            "summary": handle,
            "tokens": handle,
            "public_key": handle,
            "added_hosts": handle,
            "check_hosts": handle,
            "label": "Toy",
            "account_fields": (AccountField("name", "Name"),),
            "edits": handle,
            "auth": AuthFlow(("toy.login",)),
            "explain": handle,
            "held_credentials": handle,
        },
        {
            "name": "toy",
            "api": API,
            "default_hosts": ("https://toy.test",),
            "build_state": build_state,
            "seed_lists": no_seed_lists,
        },
    ),
    (
        Feature,
        True,
        True,
        {"name": "signup", "vendor": "toy", "description": "Sign-ups", "default": True},
        {"name": "signup", "vendor": "toy", "description": "Sign-ups", "default": False},
    ),
    (TextLength, True, False, {"min_length": 1, "max_length": 128}, {}),
    (
        FakeAuthOptions,
        True,
        False,
        {
            "vendors": (),
            "seed": 7,
            "hosts": {"toy": ("https://toy.test",)},
            "features": {"signup": False},
            "ovok_access_token_ttl": 1,
            "ovok_refresh_token_ttl": 2,
            "b2core_access_token_ttl": 3,
            "b2core_refresh_token_ttl": 4,
            "waltid_token_ttl": 5,
            "journal_limit": 6,
        },
        {},
    ),
    (
        OvokTenant,
        True,
        False,
        {
            "id": "t",
            "project_id": "p",
            "display": "Tenant",
            "strict_mode": False,
            "client_id": "c",
        },
        {"id": "t", "project_id": "p", "display": "Tenant"},
    ),
    (OvokClient, True, False, {"id": "c", "tenant_id": "t"}, {"id": "c", "tenant_id": "t"}),
]

IDS = [case[0].__name__ for case in CASES]


def twin_of(cls: type[Any], *, eq: bool, slots: bool) -> type[Any]:
    """The frozen dataclass of ``cls``'s very fields, as ``cls`` was before it was a record,
    shown under ``cls``'s name."""
    fields = [
        (
            found.name,
            found.type,
            dataclasses.field(
                default=found.default,
                default_factory=found.default_factory,
                repr=found.repr,
                hash=found.hash,
                compare=found.compare,
                metadata=found.metadata,
            ),
        )
        for found in dataclasses.fields(cls)
    ]
    twin: type[Any] = dataclasses.make_dataclass(
        cls.__name__, fields, frozen=True, eq=eq, slots=slots
    )
    twin.__qualname__ = cls.__qualname__  # the repr names it as the record
    return twin


def outcome(call: Callable[[], Any]) -> tuple[str, str]:
    """What ``call`` raised: its type's name and its message."""
    with pytest.raises(Exception) as caught:  # noqa: PT011 (compared, type and text, below)
        call()
    return type(caught.value).__name__, str(caught.value)


def values(instance: Any) -> list[Any]:
    """The instance's field values, in field order."""
    return [getattr(instance, found.name) for found in dataclasses.fields(instance)]


Case = tuple[type[Any], bool, bool, dict[str, Any], dict[str, Any]]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_repr_equality_and_hash_are_the_dataclass_twins(case: Case) -> None:
    cls, eq, slots, full, required = case
    twin = twin_of(cls, eq=eq, slots=slots)

    made, twin_made = cls(**full), twin(**full)
    again, other = cls(**full), cls(**required)

    assert repr(made) == repr(twin_made)
    assert repr(other) == repr(twin(**required))
    assert (made == again) is (twin_made == twin(**full))
    assert (made == other) is (twin_made == twin(**required))
    assert (made != again) is (twin_made != twin(**full))
    assert made.__eq__(twin_made) is NotImplemented
    assert made != values(made)
    if eq:
        hashable = all(_hashable(value) for value in values(made))
        if hashable:
            assert hash(made) == hash(twin_made)
            assert hash(made) == hash(again)
        else:
            assert outcome(lambda: hash(made)) == outcome(lambda: hash(twin_made))
    else:
        assert hash(made) == object.__hash__(made)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_assignment_and_deletion_raise_as_the_twins_do(case: Case) -> None:
    cls, eq, slots, full, _ = case
    twin = twin_of(cls, eq=eq, slots=slots)
    made, twin_made = cls(**full), twin(**full)
    name = dataclasses.fields(cls)[0].name

    # A name that is not a field: what a frozen dataclass without slots raises. With slots,
    # Python 3.11's own raises a TypeError from its super() call instead (CPython gh-105936,
    # fixed upstream to raise FrozenInstanceError).
    unslotted = twin_of(cls, eq=eq, slots=False)(**full)

    for attribute, other in ((name, twin_made), ("not_a_field", unslotted)):
        assert outcome(partial(setattr, made, attribute, 1)) == outcome(
            partial(setattr, other, attribute, 1)
        )
        assert outcome(partial(delattr, made, attribute)) == outcome(
            partial(delattr, other, attribute)
        )
    assert values(made) == values(twin_made)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_defaults_and_factories_are_the_twins(case: Case) -> None:
    cls, eq, slots, _, required = case
    twin = twin_of(cls, eq=eq, slots=slots)

    made, twin_made, again = cls(**required), twin(**required), cls(**required)

    assert values(made) == values(twin_made)
    for found in dataclasses.fields(cls):
        if found.default_factory is not dataclasses.MISSING and found.name not in required:
            # a fresh value for each instance, as a dataclass's factory gives
            assert getattr(made, found.name) is not getattr(again, found.name)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_signature_and_its_errors_are_the_twins(case: Case) -> None:
    cls, eq, slots, full, _ = case
    twin = twin_of(cls, eq=eq, slots=slots)
    first = next(iter(full))

    shown = [str(p) for p in inspect.signature(cls).parameters.values()]
    twin_shown = [str(p) for p in inspect.signature(twin).parameters.values()]

    assert shown == twin_shown
    assert values(cls(*full.values())) == values(cls(**full))
    assert outcome(lambda: cls(**full, surplus=1)) == outcome(lambda: twin(**full, surplus=1))
    if any(_required(found) for found in dataclasses.fields(cls)):
        assert outcome(lambda: cls()) == outcome(lambda: twin())
    assert outcome(lambda: cls(*full.values(), 1)) == outcome(lambda: twin(*full.values(), 1))
    assert outcome(lambda: cls(full[first], **full)) == outcome(lambda: twin(full[first], **full))


def _required(found: dataclasses.Field[Any]) -> bool:
    return found.default is dataclasses.MISSING and found.default_factory is dataclasses.MISSING


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_dataclass_functions_and_match_args_are_the_twins(case: Case) -> None:
    cls, eq, slots, full, _ = case
    twin = twin_of(cls, eq=eq, slots=slots)
    made: Any = cls(**full)
    twin_made: Any = twin(**full)
    first = dataclasses.fields(cls)[0].name
    changed = {first: full[first] if first == "auth" else "changed"}

    replaced = dataclasses.replace(made, **changed)

    assert cls.__match_args__ == twin.__match_args__
    assert dataclasses.asdict(made) == dataclasses.asdict(twin_made)
    assert dataclasses.astuple(made) == dataclasses.astuple(twin_made)
    assert type(replaced) is cls
    assert values(replaced) == values(dataclasses.replace(twin_made, **changed))
    assert ("__dict__" in dir(made)) is ("__dict__" in dir(twin_made))
    assert hasattr(cls, "__slots__") is slots
    assert dataclasses.is_dataclass(made)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_pickles_and_copies_round_trip(case: Case) -> None:
    cls, eq, _, full, _ = case
    made = cls(**full)

    for back in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
        assert type(back) is cls
        assert repr(back) == repr(made)
        assert values(back) == values(made)
        assert (back == made) is eq
        assert outcome(partial(setattr, back, "not_a_field", 1))[0] == "FrozenInstanceError"


# -- the mechanism itself --------------------------------------------------------------------


@record
class Node:
    """A record that may hold itself (through a list) and a field left out of its repr and
    comparisons."""

    name: str
    children: list[Any] = dataclasses.field(default_factory=list)
    note: str = dataclasses.field(default="", repr=False, compare=False)

    def __init__(self, name: str, children: list[Any] = FACTORY, note: str = "") -> None:
        assign(self, name=name, children=children, note=note)


@dataclasses.dataclass(frozen=True)
class NodeTwin:
    """:class:`Node` as a frozen dataclass."""

    name: str
    children: list[Any] = dataclasses.field(default_factory=list)
    note: str = dataclasses.field(default="", repr=False, compare=False)


NodeTwin.__qualname__ = "Node"

NOTE = "left out"


def test_a_record_inside_itself_shows_as_the_twin_does() -> None:
    node, twin = Node("a", note=NOTE), NodeTwin("a", note=NOTE)
    node.children.append(node)
    twin.children.append(twin)

    shown = repr(node)

    assert shown == repr(twin) == "Node(name='a', children=[...])"


def test_fields_left_out_of_comparisons_are_left_out_of_the_hash_too() -> None:
    first, second = Node("a", note=NOTE), Node("a", note="another")

    assert first == second
    assert NodeTwin("a", note=NOTE) == NodeTwin("a", note="another")
    assert outcome(lambda: hash(first)) == outcome(lambda: hash(NodeTwin("a", note=NOTE)))


def test_a_record_of_one_field_and_of_none_compares_and_hashes_as_a_dataclass() -> None:
    @record
    class One:
        value: float

        def __init__(self, value: float) -> None:
            assign(self, value=value)

    @record
    class Empty:
        def __init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True)
    class OneTwin:
        value: float

    nan = float("nan")

    assert (One(nan) == One(nan)) is (OneTwin(nan) == OneTwin(nan))
    assert hash(One(1.5)) == hash(OneTwin(1.5))
    assert Empty() == Empty()
    assert hash(Empty()) == hash(())


def test_a_subclass_may_set_attributes_that_are_not_fields_as_a_dataclasss_may() -> None:
    class Child(Node):
        pass

    child = Child("a")

    child.extra = 1  # type: ignore[attr-defined]
    del child.extra  # type: ignore[attr-defined]

    assert outcome(lambda: setattr(child, "name", "b")) == (
        "FrozenInstanceError",
        "cannot assign to field 'name'",
    )
    assert outcome(lambda: delattr(child, "name")) == (
        "FrozenInstanceError",
        "cannot delete field 'name'",
    )


def test_a_record_needs_an_init_of_its_own() -> None:
    class NoInit:
        name: str

    assert outcome(lambda: record(NoInit)) == (
        "TypeError",
        "the record test_a_record_needs_an_init_of_its_own.<locals>.NoInit needs an __init__ "
        "of its own",
    )


def test_factory_for_a_field_without_a_factory_is_refused() -> None:
    assert outcome(lambda: Node("a", note=FACTORY)) == (
        "TypeError",
        "the field 'note' of Node has no default factory",
    )


def test_factory_shows_as_a_dataclass_signature_shows_a_factory() -> None:
    assert repr(FACTORY) == "<factory>"
    assert str(inspect.signature(Node).parameters["children"]) == (
        str(inspect.signature(NodeTwin).parameters["children"])
    )


DEFINITIONS = """
import sys
from dataclasses import dataclass
from fakeauth.records import assign, record

compiled = []
sys.addaudithook(lambda event, args: compiled.append(event) if event == "compile" else None)

@record(slots=True)
class Made:
    name: str
    size: int = 0

    def __init__(self, name: str, size: int = 0) -> None:
        assign(self, name=name, size=size)

by_record = len(compiled)

@dataclass(frozen=True, slots=True)
class Generated:
    name: str
    size: int = 0

print(by_record, len(compiled) - by_record)
"""


def test_a_record_is_defined_without_compiling_source_where_a_dataclass_compiles_some() -> None:
    done = subprocess.run(
        [sys.executable, "-c", DEFINITIONS], capture_output=True, text=True, check=True
    )

    by_record, by_dataclass = map(int, done.stdout.split())

    assert by_record == 0
    assert by_dataclass > 0
