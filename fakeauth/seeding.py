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

import inspect
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["apply_seed", "load_seed_file"]


def _sections(fake: FakeAuth) -> dict[str, dict[str, Callable[..., Any]]]:
    # In order: a list may refer to what an earlier one adds (clients to tenants).
    return {
        "ovok": {
            "tenants": fake.ovok.add_tenant,
            "clients": fake.ovok.add_client,
            "accounts": fake.ovok.add_account,
        },
        "b2core": {"brokers": fake.b2core.add_broker, "accounts": fake.b2core.add_account},
        "waltid": {
            "organizations": fake.waltid.add_organization,
            "accounts": fake.waltid.add_account,
        },
    }


def apply_seed(fake: FakeAuth, document: Mapping[str, Any]) -> dict[str, int]:
    """Add what ``document`` describes to ``fake``; the number of objects added per section.

    Raises :class:`ConfigurationError` naming the item at fault (``ovok.accounts[2]``).
    """
    if not isinstance(document, Mapping):
        raise ConfigurationError("a seed document is a JSON object (a TOML table)")
    sections = _sections(fake)
    unknown = sorted(set(document) - set(sections) - {"features"})
    if unknown:
        raise ConfigurationError(
            f"unknown seed section(s) {', '.join(map(repr, unknown))}; "
            f"the sections are: features, {', '.join(sections)}"
        )
    counts: dict[str, int] = {}
    features = document.get("features", {})
    if not isinstance(features, Mapping) or not all(isinstance(v, bool) for v in features.values()):
        raise ConfigurationError('"features" maps flag names to true or false')
    fake.features.apply(features)
    if features:
        counts["features"] = len(features)
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
                _call(method, item, f"{vendor}.{kind}[{index}]")
            if items:
                counts[f"{vendor}.{kind}"] = len(items)
    return counts


def _call(method: Callable[..., Any], item: Any, where: str) -> None:
    if not isinstance(item, Mapping):
        raise ConfigurationError(f"{where} must be an object")
    signature = inspect.signature(method)
    accepted = {
        name
        for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    unknown = sorted(set(item) - accepted)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; "
            f"the fields are: {', '.join(sorted(accepted))}"
        )
    try:
        method(**item)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{where}: {str(exc).removeprefix('fakeauth: ')}") from None
    except TypeError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


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
