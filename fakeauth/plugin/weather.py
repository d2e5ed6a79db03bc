"""The weather of the pytest plugin: a ``fakeauth_weather``-marked test runs once per auth
condition (:mod:`fakeauth.weather`), and the terminal summary prints a table of the outcomes.
The ``fakeauth_weather`` fixture itself is in ``conftest_plugin``; :mod:`fakeauth.weather` is
imported only when a test uses the marker (importing the plugin stays cheap)."""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["WEATHER_PROPERTY", "WeatherTable", "parametrize_weather"]

#: The user property that names a test run's condition, for the table.
WEATHER_PROPERTY = "fakeauth_weather"


def parametrize_weather(metafunc: pytest.Metafunc) -> None:
    """Run a ``fakeauth_weather``-marked test once per condition it names (every condition when
    it names none), through the ``fakeauth_weather`` fixture (``pytest_generate_tests``)."""
    marker = metafunc.definition.get_closest_marker("fakeauth_weather")
    if marker is None:
        return
    from fakeauth.weather import CONDITIONS, condition

    if marker.kwargs or not all(isinstance(name, str) for name in marker.args):
        raise pytest.UsageError(
            "@pytest.mark.fakeauth_weather takes condition names only, such as "
            '@pytest.mark.fakeauth_weather("expired_access"), or none for every condition'
        )
    try:
        chosen = [condition(name) for name in marker.args] if marker.args else list(CONDITIONS)
    except ValueError as exc:  # ConfigurationError: an unknown name, with the known ones
        raise pytest.UsageError(f"@pytest.mark.fakeauth_weather: {exc}") from None
    if "fakeauth_weather" not in metafunc.fixturenames:  # requested at collection's end
        metafunc.fixturenames.append("fakeauth_weather")
    ids = [f"weather={weather.name}" for weather in chosen]
    metafunc.parametrize("fakeauth_weather", chosen, indirect=True, ids=ids)


class WeatherTable:
    """The weather table of one session (a plugin object, so that no state is module-level):
    each weather test's outcome, printed in the terminal summary."""

    def __init__(self) -> None:
        #: By node id: the test's id without its condition, the condition, the outcome so far.
        self.rows: dict[str, list[str]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Note the outcome of a weather test's run (its setup, call and teardown alike)."""
        name = next((v for k, v in report.user_properties if k == WEATHER_PROPERTY), None)
        if name is None:
            return
        test = report.nodeid.replace(f"weather={name}-", "").replace(f"-weather={name}]", "]")
        test = test.replace(f"[weather={name}]", "")
        row = self.rows.setdefault(report.nodeid, [test, str(name), "passed"])
        if report.failed:
            row[2] = "failed"
        elif report.skipped and row[2] == "passed":
            row[2] = "skipped"

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Print the table: each weather test's run, its condition, outcome and description."""
        if not self.rows:
            return
        from fakeauth.weather import condition

        rows = [(*row, condition(row[1]).description) for row in self.rows.values()]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        terminalreporter.write_sep("=", "fakeauth weather")
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            terminalreporter.write_line("  ".join([*cells, row[3]]))
