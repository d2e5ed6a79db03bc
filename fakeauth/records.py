"""Frozen records that cost a class written by hand to define: :func:`record`.

On Python 3.11, ``@dataclass(frozen=True)`` writes the source of each method it gives a class
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``) and
compiles it: about a millisecond per record, paid by every interpreter that imports the class.
fakeauth's first use (``FakeAuth()`` and one login) defines a dozen records that only its
imports and its constructor build (routes, their documentation, vendor records, options).

:func:`record` makes such a class a dataclass without those methods (``init=False,
repr=False, eq=False``: ``dataclasses.fields``, ``replace``, ``asdict``, ``is_dataclass`` and
``__match_args__`` work as before) and gives it the same methods as closures over the class's
own field list, with no source compiled: the ``repr`` (fields marked ``repr=False`` left out),
equality and hashing by the compared fields, ``FrozenInstanceError`` on assignment and
deletion, and for a slotted record the pickling state. Each record writes its own ``__init__``,
with the signature a dataclass would give it (:data:`FACTORY` stands for a default factory) and
its fields set by :func:`assign`.

The records a request builds (``Request``, ``Response``, the journal's entries, the token
records) stay plain dataclasses: their generated ``__init__`` is the fastest there is to call.
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from collections.abc import Callable
from typing import Any, TypeVar, overload

from typing_extensions import dataclass_transform

__all__ = ["FACTORY", "assign", "record"]

_Class = TypeVar("_Class", bound=type)


class _Factory:
    """The type of :data:`FACTORY` (its ``repr`` is a dataclass signature's ``<factory>``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


#: The default of an ``__init__`` parameter whose field has a ``default_factory``
#: (``content: Mapping[str, Any] = FACTORY``): :func:`assign` calls the field's factory in its
#: place, as a dataclass's own ``__init__`` does; ``inspect.signature`` shows it as
#: ``<factory>``, as it shows a dataclass's.
FACTORY: Any = _Factory()


def assign(instance: object, **values: Any) -> None:
    """Set the fields of a frozen record ``instance`` (from its ``__init__``): ``values`` by
    name; a value that is :data:`FACTORY` is replaced by what the field's ``default_factory``
    makes."""
    setter = object.__setattr__
    for name, value in values.items():
        if value is FACTORY:
            value = _made(instance, name)
        setter(instance, name, value)


def _made(instance: object, name: str) -> Any:
    for found in dataclasses.fields(instance):  # type: ignore[arg-type]
        if found.name == name and found.default_factory is not dataclasses.MISSING:
            return found.default_factory()
    raise TypeError(f"the field {name!r} of {type(instance).__qualname__} has no default factory")


@overload
def record(cls: _Class, /) -> _Class: ...


@overload
def record(*, eq: bool = True, slots: bool = False) -> Callable[[_Class], _Class]: ...


@dataclass_transform(
    eq_default=True,
    frozen_default=True,
    field_specifiers=(dataclasses.field, dataclasses.Field),
)
def record(cls: Any = None, /, *, eq: bool = True, slots: bool = False) -> Any:
    """``@record`` (or ``@record(eq=False)``, ``@record(slots=True)``): the frozen dataclass
    ``cls``, with the methods ``@dataclass(frozen=True, eq=eq, slots=slots)`` gives but its
    ``__init__``, which the class writes itself.

    ``eq=False``: instances compare and hash by identity. The class's ``__dataclass_params__``
    say ``init=False, repr=False, eq=False, frozen=False`` (the methods are not the dataclass
    module's), so a frozen dataclass cannot subclass it.
    """

    def wrap(cls: Any) -> Any:
        if "__init__" not in cls.__dict__:
            raise TypeError(f"the record {cls.__qualname__} needs an __init__ of its own")
        made = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=slots)
        _give_methods(made, dataclasses.fields(made), eq=eq, slots=slots)
        return made

    return wrap if cls is None else wrap(cls)


def _give_methods(
    cls: Any, fields: tuple[dataclasses.Field[Any], ...], *, eq: bool, slots: bool
) -> None:
    names = tuple(found.name for found in fields)
    shown = tuple(found.name for found in fields if found.repr)

    @reprlib.recursive_repr()  # as a dataclass's: a record inside itself shows as "..."
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    methods: list[Callable[..., Any]] = [__repr__, __setattr__, __delattr__]
    if eq:
        compared = _values(tuple(found.name for found in fields if found.compare))
        hashed = _values(
            tuple(
                found.name
                for found in fields
                if (found.compare if found.hash is None else found.hash)
            )
        )

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)
            return NotImplemented

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        methods += [__eq__, __hash__]
    if slots:
        # The pickling state of a frozen slotted dataclass: the field values, in field order
        # (the default state would be set back by the frozen __setattr__, which refuses it).

        def __getstate__(self: Any) -> list[Any]:
            return [getattr(self, name) for name in names]

        def __setstate__(self: Any, state: list[Any]) -> None:
            for name, value in zip(names, state, strict=False):
                object.__setattr__(self, name, value)

        methods += [__getstate__, __setstate__]
    for method in methods:
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """What a dataclass's ``__eq__`` and ``__hash__`` compare: the tuple of the ``names``
    fields' values (an ``attrgetter`` of one name gives the value alone; of none, nothing)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        one = operator.attrgetter(names[0])
        return lambda instance: (one(instance),)
    return lambda instance: ()
