"""Seed documents: a JSON or TOML description of tenants, clients, accounts and flags.

The same shape serves ``fakeauth serve --seed FILE`` and ``POST /_fakeauth/seed``::

    {
      "features": {"account-registration": false},
      "ovok": {
        "tenants": [{"id": "...", "display": "Clinic"}],
        "clients": [{"id": "...", "tenant_id": "..."}],
        "accounts": [{"email": "max@example.test", "password": "s3cret", "name": "Max"}]
      },
      "b2core": {"accounts": [{"email": "trader@example.test", "password": "s3cret"}]},
      "waltid": {"accounts": [{"email": "admin@example.test", "password": "s3cret"}]}
    }

Each list item is passed as keyword arguments to the matching seeding method of ``FakeAuth``
(``fake.ovok.add_tenant``, ``fake.ovok.add_client``, ``fake.ovok.add_account``, ...), so every
option those methods take is available here too.
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union

from fakeauth.errors import ConfigurationError
from fakeauth.redaction import REQUEST_SECRET_KEYS

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = [
    "UNCHANGED",
    "Unchanged",
    "add_item",
    "apply_seed",
    "checked_arguments",
    "load_seed_file",
]

_Method = TypeVar("_Method", bound=Callable[..., Any])
#: An argument check: ``None`` when the value fits, else what the parameter takes.
_Check = Callable[[Any], "str | None"]


def _sections(
    fake: FakeAuth, document: Mapping[str, Any]
) -> dict[str, Mapping[str, Callable[..., Any]]]:
    """The seeding methods of each vendor ``document`` names, by list name, in the order they
    apply (a list may refer to what an earlier one adds: clients to tenants)."""
    return {
        vendor.name: vendor.seed_lists(fake.vendor_state(vendor.name))
        for vendor in fake.vendors
        if vendor.name in document
    }


def apply_seed(fake: FakeAuth, document: Mapping[str, Any]) -> dict[str, int]:
    """Add what ``document`` describes to ``fake``; the number of objects added per section.

    Raises :class:`ConfigurationError` naming the item at fault (``ovok.accounts[2]``). The whole
    document is checked first (its sections, lists, fields, argument types and flag names), so a
    document of the wrong shape adds nothing; what only adding can find (an email taken already)
    stops at that item, the ones before it added.
    """
    features, calls = _planned(fake, document)
    fake.features.apply(features)
    counts: dict[str, int] = {"features": len(features)} if features else {}
    for method, item, where in calls:
        _add(method, item, where)
        key = where.rpartition("[")[0]
        counts[key] = counts.get(key, 0) + 1
    return counts


def add_item(fake: FakeAuth, vendor: str, kind: str, item: Any) -> dict[str, int]:
    """Add one item of a seed document's list ``vendor.kind`` (``"ovok"``, ``"accounts"``),
    checked as :func:`apply_seed` checks it, and count it as :func:`apply_seed` does.

    For one item on its own (the control API's ``POST /_fakeauth/accounts/<vendor>``): an error
    names the field and the method, not a place in a list the caller never sent.
    """
    method = _sections(fake, {vendor: None})[vendor][kind]
    _check_item(method, item, "")
    _add(method, item, "")
    return {f"{vendor}.{kind}": 1}


def _at(where: str, message: str) -> str:
    """``message`` about the item at ``where`` (``ovok.accounts[2]``; ``""``: a lone item)."""
    message = message.removeprefix("fakeauth: ")
    return f"{where}: {message}" if where else message


def _add(method: Callable[..., Any], item: Mapping[str, Any], where: str) -> None:
    try:
        method(**item)
    except ConfigurationError as exc:
        raise ConfigurationError(_at(where, str(exc))) from None
    except TypeError as exc:  # what no annotation says (the items of a list)
        raise ConfigurationError(_at(where, str(exc))) from None


_Call = tuple[Callable[..., Any], Mapping[str, Any], str]


def _planned(fake: FakeAuth, document: Any) -> tuple[Mapping[str, bool], list[_Call]]:
    """The flags to switch and the seeding calls to make, once the whole document is checked."""
    if not isinstance(document, Mapping):
        raise ConfigurationError(
            'a seed document is a JSON object (a TOML table) such as {"ovok": {"accounts": '
            '[{"email": "ann@example.test", "password": "s3cret"}]}}'
        )
    names = [vendor.name for vendor in fake.vendors]
    unknown = sorted(set(document) - set(names) - {"features"})
    if unknown:
        raise ConfigurationError(
            f"unknown seed section(s) {', '.join(map(repr, unknown))}; "
            f"the sections are: features, {', '.join(names)}"
        )
    sections = _sections(fake, document)
    features = document.get("features", {})
    if not isinstance(features, Mapping) or not all(isinstance(v, bool) for v in features.values()):
        raise ConfigurationError('"features" maps flag names to true or false')
    for name in features:
        fake.features.get(name)  # raises for an unknown flag, naming the known ones
    calls: list[_Call] = []
    for vendor, methods in sections.items():
        section = document.get(vendor, {})
        if not isinstance(section, Mapping):
            raise ConfigurationError(f'"{vendor}" is an object of lists')
        extra = sorted(set(section) - set(methods))
        if extra:
            raise ConfigurationError(
                f"unknown {vendor} list(s) {', '.join(map(repr, extra))}; "
                f"the lists are: {', '.join(methods)}"
            )
        for kind, method in methods.items():  # in order: tenants before the clients of them
            items = section.get(kind, [])
            if not isinstance(items, list):
                raise ConfigurationError(f'"{vendor}.{kind}" is a list of objects')
            for index, item in enumerate(items):
                where = f"{vendor}.{kind}[{index}]"
                _check_item(method, item, where)
                calls.append((method, item, where))
    return features, calls


def _check_item(method: Callable[..., Any], item: Any, where: str) -> None:
    if not isinstance(item, Mapping):
        raise ConfigurationError(f"{where or 'the item'} must be an object")
    parameters = inspect.signature(method).parameters.values()
    accepted = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = sorted(set(item) - accepted)
    if unknown:
        raise ConfigurationError(
            _at(
                where,
                f"unknown field(s) {', '.join(map(repr, unknown))}; "
                f"the fields are: {', '.join(sorted(accepted))}",
            )
        )
    missing = [p.name for p in parameters if p.default is p.empty and p.name not in item]
    if missing:
        raise ConfigurationError(_at(where, f"missing field(s) {', '.join(map(repr, missing))}"))
    check = getattr(method, "check_arguments", None)
    if check is not None:
        try:
            check(item)
        except ConfigurationError as exc:
            raise ConfigurationError(_at(where, str(exc))) from None


def load_seed_file(path: str | Path) -> dict[str, Any]:
    """Read a seed document from a ``.json`` or ``.toml`` file."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the seed file {str(file)!r}: {exc.strerror}"
        ) from None
    try:
        if file.suffix.lower() == ".toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover - Python 3.10
                import tomli as tomllib
            document: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            document = json.loads(raw)
    except ValueError as exc:
        raise ConfigurationError(f"the seed file {str(file)!r} does not parse: {exc}") from None
    if not isinstance(document, dict):
        raise ConfigurationError(f"the seed file {str(file)!r} must hold an object (a table)")
    return document


# -- the argument checks of the seeding methods ------------------------------------------------


class Unchanged(enum.Enum):
    """The type of :data:`UNCHANGED`."""

    UNCHANGED = "unchanged"


#: The default of every argument of a state's ``update_account``: leave that field as it is.
#: :func:`checked_arguments` leaves it out of the types a message names.
UNCHANGED = Unchanged.UNCHANGED


def checked_arguments(name: str) -> Callable[[_Method], _Method]:
    """Make a seeding method raise :class:`ConfigurationError` for an argument of the wrong type.

    The types are the method's own annotations (``str``, ``bool``, ``int``, ``float``, ``None``,
    unions, ``Literal`` and classes); ``name`` is how the message names the method
    (``"fake.ovok.add_account"``). What they cannot say (an email's shape, a tenant that exists,
    the items of a collection) stays the method's own check, with its own message.
    """

    def decorate(method: _Method) -> _Method:
        names = [p for p in inspect.signature(method).parameters if p != "self"]
        offset = 1 if "self" in inspect.signature(method).parameters else 0

        @functools.cache
        def checks() -> dict[str, _Check]:
            hints = typing.get_type_hints(method)
            return {p: _check_of(hints[p]) for p in names if p in hints}

        def check_arguments(arguments: Iterable[tuple[str, Any]]) -> None:
            table = checks()
            for parameter, value in arguments:
                check = table.get(parameter)
                wanted = None if check is None else check(value)
                if wanted is not None:
                    # A secret's value is never echoed: only its type is named.
                    shown = (
                        type(value).__name__
                        if parameter.lower() in REQUEST_SECRET_KEYS
                        else _described(value)
                    )
                    raise ConfigurationError(f"{name}: {parameter} must be {wanted}, not {shown}")

        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_arguments((*zip(names, args[offset:], strict=False), *kwargs.items()))
            return method(*args, **kwargs)

        # the seed documents check a whole document before they add anything
        wrapper.check_arguments = lambda item: check_arguments(item.items())  # type: ignore[attr-defined]
        return typing.cast(_Method, wrapper)

    return decorate


def _described(value: Any) -> str:
    try:
        shown = repr(value)
    except ValueError:  # an int past Python's int-str limit has no repr
        shown = f"a number of {value.bit_length()} bits"
    if len(shown) > 40:
        shown = f"{shown[:37]}..."
    return "None" if value is None else f"{type(value).__name__} {shown}"


_SCALARS: dict[Any, tuple[str, Callable[[Any], bool]]] = {
    str: ("a string", lambda v: isinstance(v, str)),
    bool: ("true or false", lambda v: isinstance(v, bool)),
    int: ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    float: ("a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
    type(None): ("None", lambda v: v is None),
}


def _check_of(annotation: Any) -> _Check:
    """The check of one annotation (anything it cannot read passes)."""
    wanted, fits = _fits(annotation)
    return lambda value: None if fits(value) else wanted


def _fits(annotation: Any) -> tuple[str, Callable[[Any], bool]]:
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        # UNCHANGED fits where it is declared, but a message never suggests it
        parts = [_fits(arg) for arg in args if arg is not Unchanged]
        keeps = Unchanged in args
        return (
            " or ".join(wanted for wanted, _ in parts),
            lambda v: (keeps and v is UNCHANGED) or any(fits(v) for _, fits in parts),
        )
    if origin is Literal:
        return " or ".join(map(repr, args)), lambda v: v in args
    # origin None: a class, not a generic such as list[str] (a type to isinstance on 3.10)
    if isinstance(annotation, type) and origin is None and annotation is not object:
        return f"a {annotation.__name__}", lambda v: isinstance(v, annotation)
    return "anything", lambda v: True
