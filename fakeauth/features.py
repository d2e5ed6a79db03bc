"""Feature flags: one registry per ``FakeAuth`` that every vendor consults."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fakeauth.errors import ConfigurationError

__all__ = ["Feature", "FeatureRegistry"]


@dataclass(frozen=True, slots=True)
class Feature:
    """A named switch, who owns it and what it does."""

    name: str
    vendor: str
    description: str
    default: bool


class FeatureRegistry:
    """The feature flags of one fake.

    >>> fake.features.disable("account-registration")
    >>> fake.features.is_enabled("account-registration")
    False
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._features: dict[str, Feature] = {}
        self._enabled: dict[str, bool] = {}

    def register(self, feature: Feature) -> None:
        """Make ``feature`` known, switched to its default.

        Registering the very same feature again changes nothing (not even its switch); another
        feature of an existing name raises :class:`ConfigurationError`.
        """
        with self._lock:
            existing = self._features.get(feature.name)
            if existing == feature:
                return
            if existing is not None:
                raise ConfigurationError(
                    f"the feature flag {feature.name!r} is registered already (by "
                    f"{existing.vendor}: {existing.description!r}); give the new flag another name"
                )
            self._features[feature.name] = feature
            self._enabled[feature.name] = feature.default

    def enable(self, name: str) -> None:
        """Switch ``name`` on."""
        self.set(name, True)

    def disable(self, name: str) -> None:
        """Switch ``name`` off."""
        self.set(name, False)

    def set(self, name: str, enabled: bool) -> None:
        """Switch ``name`` on or off."""
        self._check(name)
        with self._lock:
            self._enabled[name] = bool(enabled)

    def is_enabled(self, name: str) -> bool:
        """Whether ``name`` is switched on."""
        self._check(name)
        return self._enabled[name]

    def apply(self, settings: Mapping[str, bool]) -> None:
        """Switch several flags at once, ``{name: enabled}``; every name is checked first."""
        for name in settings:
            self._check(name)
        for name, enabled in settings.items():
            self.set(name, enabled)

    def reset(self) -> None:
        """Switch every flag back to its default."""
        with self._lock:
            for name, feature in self._features.items():
                self._enabled[name] = feature.default

    def get(self, name: str) -> Feature:
        """The registered feature called ``name``."""
        self._check(name)
        return self._features[name]

    def state(self) -> dict[str, bool]:
        """Every flag and whether it is on, sorted by name."""
        return {name: self._enabled[name] for name in sorted(self._enabled)}

    def __iter__(self) -> Iterator[Feature]:
        return iter(sorted(self._features.values(), key=lambda f: f.name))

    def __contains__(self, name: object) -> bool:
        return name in self._features

    def _check(self, name: str) -> None:
        if name not in self._features:
            known = ", ".join(repr(n) for n in sorted(self._features)) or "none"
            raise ConfigurationError(f"no feature flag {name!r}; the known flags are: {known}")

    def __repr__(self) -> str:
        flags = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in self.state().items())
        return f"<FeatureRegistry {flags}>"
