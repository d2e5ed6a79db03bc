"""The README's examples are real code: they run here."""

from __future__ import annotations

import re
from pathlib import Path

from fakeauth import FakeAuth
from fakeauth.seeding import apply_seed, load_seed_file

README = (Path(__file__).parent.parent / "README.md").read_text()


def block(language: str, containing: str) -> str:
    for match in re.finditer(rf"```{language}\n(.*?)```", README, re.S):
        if containing in match.group(1):
            return match.group(1)
    raise AssertionError(f"no ```{language} block containing {containing!r} in README.md")


def test_the_seeding_example_runs() -> None:
    namespace: dict[str, object] = {}

    exec(block("python", "fake.reset()"), namespace)

    fake = namespace["fake"]
    assert isinstance(fake, FakeAuth)
    assert fake.ovok.accounts == []  # the example ends with a reset


def test_the_seed_file_example_seeds(tmp_path: Path) -> None:
    fake = FakeAuth()
    seed = tmp_path / "seed.toml"
    seed.write_text(block("toml", "[[ovok.accounts]]"))

    added = apply_seed(fake, load_seed_file(seed))

    assert added == {"features": 1, "ovok.accounts": 1, "b2core.accounts": 1}
    assert fake.b2core.get_account("trader@example.test").two_factor == "google"


def test_the_plugin_example_is_the_tested_example_file() -> None:
    example = (Path(__file__).parent / "examples" / "test_seed_and_login.py").read_text()

    quoted = block("python", "def test_seeded_account_logs_in")

    assert quoted.strip() in example
