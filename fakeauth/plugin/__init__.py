"""The parts of fakeauth's pytest plugin that live in the package: the session template's checks
(:mod:`fakeauth.plugin.seed`) and the weather parametrisation (:mod:`fakeauth.plugin.weather`).
The plugin module, its fixtures and hooks are ``conftest_plugin`` (the ``pytest11`` entry point);
these modules import pytest, and nothing of fakeauth until a test needs it."""
