"""Feature flags: one registry per ``FakeAuth`` that every vendor consults.

The flags a vendor knows are declared once per process (:func:`declare`, immutable); a fake's
registry starts from those declarations and keeps only what differs in that fake: the flags it
switched, and any flag registered on it alone. So a fresh fake's registry costs next to nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from fakeauth.errors import ConfigurationError
from fakeauth.records import assign, record

__all__ = ["Feature", "FeatureRegistry", "declare"]


@record(slots=True)
class Feature:
    """A named switch, who owns it and what it does."""

    name: str
    vendor: str
    description: str
    default: bool

    def __init__(self, name: str, vendor: str, description: str, default: bool) -> None:
        assign(self, name=name, vendor=vendor, description=description, default=default)


_NONE: Mapping[str, Feature] = MappingProxyType({})


def declare(*features: Feature) -> Mapping[str, Feature]:
    """The immutable declarations of ``features``, by name, for :class:`FeatureRegistry`.

    Declaring the very same feature twice keeps one; two features of one name raise
    :class:`ConfigurationError`, as :meth:`FeatureRegistry.register` does.
    """
    declared: dict[str, Feature] = {}
    for feature in features:
        existing = declared.get(feature.name)
        if existing is not None and existing != feature:
            raise _taken(existing)
        declared[feature.name] = feature
    return MappingProxyType(declared)


class FeatureRegistry:
    """The feature flags of one fake.

    ``declared`` (from :func:`declare`) are the flags it knows from the start, each switched to
    its default; :meth:`register` adds more to this registry alone.

    >>> fake.features.disable("account-registration")
    >>> fake.features.is_enabled("account-registration")
    False
    """

    def __init__(self, declared: Mapping[str, Feature] = _NONE) -> None:
        self._lock = threading.Lock()
        self._declared = declared  # shared and immutable: never written
        self._registered: dict[str, Feature] = {}  # known to this registry alone
        self._switched: dict[str, bool] = {}  # only the flags set since the last reset

    def register(self, feature: Feature) -> None:
        """Make ``feature`` known, switched to its default.

        Registering the very same feature again changes nothing (not even its switch); another
        feature of an existing name raises :class:`ConfigurationError`.
        """
        if self._declared.get(feature.name) is feature:  # a vendor state registering its own
            return
        with self._lock:
            existing = self._find(feature.name)
            if existing == feature:
                return
            if existing is not None:
                raise _taken(existing)
            self._registered[feature.name] = feature

    def enable(self, name: str) -> None:
        """Switch ``name`` on."""
        self.set(name, True)

    def disable(self, name: str) -> None:
        """Switch ``name`` off."""
        self.set(name, False)

    def set(self, name: str, enabled: bool) -> None:
        """Switch ``name`` on or off (``enabled`` is ``True`` or ``False``)."""
        self._check(name)
        _check_switch(name, enabled)
        with self._lock:
            self._switched[name] = enabled

    def is_enabled(self, name: str) -> bool:
        """Whether ``name`` is switched on."""
        switched = self._switched.get(name)
        if switched is not None:
            return switched
        return self.get(name).default

    def apply(self, settings: Mapping[str, bool]) -> None:
        """Switch several flags at once, ``{name: enabled}``; every name and switch is checked
        first, so a mistake switches nothing."""
        if not isinstance(settings, Mapping):
            raise ConfigurationError(
                "fake.features.apply takes a mapping of flag names to True or False, such as "
                f"{{'account-registration': False}}, not {type(settings).__name__}"
            )
        self.check(settings)
        with self._lock:
            self._switched.update(settings)

    def check(self, settings: Mapping[str, bool]) -> None:
        """Raise :class:`ConfigurationError` for a name in ``settings`` that is no flag of this
        registry or a switch that is not true or false; switch nothing."""
        for name, enabled in settings.items():
            self._check(name)
            _check_switch(name, enabled)

    def reset(self) -> None:
        """Switch every flag back to its default."""
        with self._lock:
            self._switched.clear()

    def to_document(self) -> dict[str, bool]:
        """Every flag and whether it is on (:meth:`state`): a state document's ``features``."""
        return self.state()

    def load_document(self, document: Mapping[str, bool]) -> None:
        """Switch every flag as ``document`` says and the others back to their defaults; every
        name and switch is checked first (as :meth:`apply` checks them), so a mistake changes
        nothing."""
        if not isinstance(document, Mapping):
            raise ConfigurationError(
                f"the feature flags are a mapping of flag names to true or false, not "
                f"{type(document).__name__}"
            )
        for name, enabled in document.items():
            self._check(name)
            _check_switch(name, enabled)
        with self._lock:
            self._switched = dict(document)

    def snapshot(self) -> Mapping[str, bool]:
        """The switches as they are now (an immutable value for :meth:`restore`)."""
        with self._lock:
            return MappingProxyType(dict(self._switched))

    def restore(self, snapshot: Mapping[str, bool]) -> None:
        """Put back the switches of :meth:`snapshot`."""
        with self._lock:
            self._switched = dict(snapshot)

    def get(self, name: str) -> Feature:
        """The registered feature called ``name``."""
        feature = self._find(name)
        if feature is None:
            raise self._unknown(name)
        return feature

    def state(self) -> dict[str, bool]:
        """Every flag and whether it is on, sorted by name."""
        return {name: self.is_enabled(name) for name in sorted(self._known())}

    def __iter__(self) -> Iterator[Feature]:
        return iter(sorted(self._known().values(), key=lambda f: f.name))

    def __contains__(self, name: object) -> bool:
        return name in self._declared or name in self._registered

    def _find(self, name: str) -> Feature | None:
        if not isinstance(name, str):  # a name from a caller's mistake: unknown, not a crash
            return None
        return self._declared.get(name) or self._registered.get(name)

    def _known(self) -> Mapping[str, Feature]:
        if not self._registered:
            return self._declared
        with self._lock:
            return {**self._declared, **self._registered}

    def _check(self, name: str) -> None:
        if self._find(name) is None:
            raise self._unknown(name)

    def _unknown(self, name: str) -> ConfigurationError:
        known = ", ".join(repr(n) for n in sorted(self._known())) or "none"
        return ConfigurationError(f"no feature flag {name!r}; the known flags are: {known}")

    def __repr__(self) -> str:
        flags = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in self.state().items())
        return f"<FeatureRegistry {flags}>"


def _check_switch(name: str, enabled: object) -> None:
    if not isinstance(enabled, bool):
        raise ConfigurationError(
            f"the feature flag {name!r} is switched with True or False, not "
            f"{type(enabled).__name__} {enabled!r}"
        )


def _taken(existing: Feature) -> ConfigurationError:
    return ConfigurationError(
        f"the feature flag {existing.name!r} is registered already (by "
        f"{existing.vendor}: {existing.description!r}); give the new flag another name"
    )
