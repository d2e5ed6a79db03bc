"""The README's and the documentation's examples are real code: every one runs here.

The collector reads every fenced block of ``README.md`` and ``docs/**/*.md``:

- ```` ```python ````: the blocks of one page run in order in one fresh namespace (a block may use
  names an earlier block of its page defined). A block that is only ``--8<-- "tests/..."``
  includes a test file the suite runs itself; a block that defines a test function must be such
  an include (or, in the README, a verbatim quote of a file in ``tests/examples/``).
- ```` ```toml ```` and ```` ```json ````: parsed; a seed document is seeded into a ``FakeAuth``.
- ```` ```sh ````, ```` ```bash ````, ```` ```console ````: run with bash under a time limit, on a
  free loopback port in place of ``8080``, in a temporary folder that holds the page's files
  (a block marked ``<!-- docs-test: file NAME -->``, a shell script among them); such a block must
  start ``fakeauth serve`` (and stop it) or ``fakeauth run``. Any other shell block is a file or
  carries ``<!-- docs-test: skip (its reason) -->`` on the line before it, and the collector fails
  on a shell block with none of these. A block that runs ``node`` needs Node.js: without it the
  block skips, and fails under ``CI=true`` (CI must run every example).
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fakeauth import FakeAuth
from fakeauth.seeding import apply_seed, load_seed_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text()
PAGES = sorted(
    [ROOT / "README.md", *(p for p in DOCS.rglob("*.md") if "_hooks" not in p.parts)],
)
SHELL = {"sh", "bash", "console", "shell"}
SEED_SECTIONS = {"features", "ovok", "b2core", "waltid"}
#: The port the documentation's shell examples use; each run gets a free one instead.
DOC_PORT = "8080"
SHELL_TIME_LIMIT = 300.0  # a bound for a starved machine; a block takes seconds
_FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_MARKER = re.compile(r"<!--\s*docs-test:\s*(.*?)\s*-->\s*\Z")
_SKIP = re.compile(r"skip \((.+)\)")
_FILE = re.compile(r"file (\S+)")
_INCLUDE = re.compile(r'^--8<-- "([^"]+)"$')


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    page: Path
    line: int
    language: str
    code: str
    marker: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def skip_reason(self) -> str | None:
        found = _SKIP.fullmatch(self.marker)
        return found.group(1) if found else None

    @property
    def includes(self) -> list[str]:
        """The files the block includes, when it is nothing but ``--8<--`` lines."""
        lines = [line.strip() for line in self.code.splitlines() if line.strip()]
        found = [_INCLUDE.match(line) for line in lines]
        return [m.group(1) for m in found if m] if lines and all(found) else []


def blocks(page: Path) -> list[Block]:
    """Every fenced block of ``page``, with the ``docs-test`` marker on the line before it."""
    text = page.read_text()
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        found.append(
            Block(
                page,
                text.count("\n", 0, match.start()) + 1,
                match.group(1).lower(),
                match.group(2),
                marker.group(1) if marker else "",
            )
        )
    return found


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]


def _of(*languages: str) -> list[Block]:
    return [b for b in ALL_BLOCKS if b.language in languages]


def _ids(items: list[Block]) -> list[str]:
    return [b.name for b in items]


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks_pages", DOCS / "_hooks" / "pages.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- python ---------------------------------------------------------------------------------------

PYTHON_PAGES = sorted({b.page for b in _of("python", "py")})


def _defines_a_test(code: str) -> bool:
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
        for node in ast.parse(code).body
    )


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=[str(p.relative_to(ROOT)) for p in PYTHON_PAGES])
def test_every_python_block_of_the_page_runs(page: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    ran = 0

    for block in (b for b in blocks(page) if b.language in ("python", "py")):
        if block.skip_reason is not None:
            continue
        if block.includes:
            for include in block.includes:
                path = ROOT / include
                assert path.is_file(), f"{block.name}: the included {include} does not exist"
                assert path.parent.parent.name == "tests" or path.parent.name == "tests"
                assert path.name.startswith("test_"), f"{block.name}: {include} is not a test"
            continue
        if _defines_a_test(block.code):
            quoted = [p.read_text() for p in (ROOT / "tests" / "examples").glob("test_*.py")]
            assert any(block.code.strip() in source for source in quoted), (
                f"{block.name} defines a test function: quote it verbatim from a file in "
                "tests/examples/ (the suite runs it there), or include that file"
            )
            continue
        exec(compile(block.code, block.name, "exec"), namespace)
        ran += 1

    python = [b for b in blocks(page) if b.language in ("python", "py")]
    assert ran or any(b.includes or _defines_a_test(b.code) for b in python)


def test_the_plugin_example_is_the_tested_example_file() -> None:
    example = (ROOT / "tests" / "examples" / "test_seed_and_login.py").read_text()

    quoted = next(b.code for b in _of("python") if "def test_seeded_account_logs_in" in b.code)

    assert quoted.strip() in example


# -- toml and json --------------------------------------------------------------------------------


@pytest.mark.parametrize("block", _of("toml", "json"), ids=_ids(_of("toml", "json")))
def test_every_toml_and_json_block_parses_and_a_seed_seeds(block: Block, tmp_path: Path) -> None:
    if block.language == "toml":
        document: Any = tomllib.loads(block.code)
    else:
        document = json.loads(block.code)

    if isinstance(document, dict) and document and set(document) <= SEED_SECTIONS:
        seed = tmp_path / f"seed.{block.language}"
        seed.write_text(block.code)
        added = apply_seed(FakeAuth(), load_seed_file(seed))
        assert sum(added.values()) > 0, f"{block.name}: the seed document adds nothing"


def test_the_readme_seed_file_seeds() -> None:
    fake = FakeAuth()
    block = next(b for b in _of("toml") if b.page.name == "README.md")

    added = apply_seed(fake, tomllib.loads(block.code))

    assert added == {"features": 1, "ovok.accounts": 1, "b2core.accounts": 1}
    assert fake.b2core.get_account("trader@example.test").two_factor == "google"


# -- shell ----------------------------------------------------------------------------------------


def _serves(block: Block) -> bool:
    return not block.marker and block.code.lstrip().startswith(("fakeauth serve", "fakeauth run"))


SHELL_BLOCKS = [b for b in _of(*SHELL) if _serves(b)]


def test_every_shell_block_runs_or_says_why_not() -> None:
    unmarked = [
        b.name
        for b in _of(*SHELL)
        if b.skip_reason is None and not _serves(b) and not _FILE.fullmatch(b.marker)
    ]

    assert unmarked == [], (
        "a shell block either starts `fakeauth serve` or `fakeauth run` (and is run), is a file "
        "(`<!-- docs-test: file NAME -->`) or carries `<!-- docs-test: skip (the reason) -->` "
        "on the line before it"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=_ids(SHELL_BLOCKS))
def test_every_shell_block_that_serves_runs(block: Block, tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    for other in blocks(block.page):
        named = _FILE.fullmatch(other.marker)
        if named:
            (tmp_path / named.group(1)).write_text(other.code)
    uses_node = re.search(r"(^|\s)node\s", block.code, re.M)
    if uses_node and shutil.which("node") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {block.name} runs node, which is not installed")
        pytest.skip(f"{block.name} runs node, which is not installed")
    script = block.code.replace(DOC_PORT, str(_free_port()))
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    process = subprocess.Popen(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=SHELL_TIME_LIMIT)
    finally:
        with contextlib.suppress(ProcessLookupError):  # a server the script left on a failure
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    assert process.returncode == 0, f"{block.name} failed:\n{out}\n{err}"


# -- pages and links ------------------------------------------------------------------------------

KEY_PAGES = [
    "index.md",
    "getting-started.md",
    "guides/fixtures.md",
    "guides/time.md",
    "guides/faults.md",
    "guides/assertions.md",
    "guides/own-mocks.md",
    "guides/serve.md",
    "guides/non-python.md",
    "guides/parallel.md",
    "architecture.md",
    "reference/fakeauth.md",
    "reference/states.md",
    "reference/testing.md",
    "reference/errors.md",
    "fidelity.md",
    "benchmarks.md",
]


def _generated() -> dict[str, str]:
    hook = _hook()
    pages = {uri: hook.route_page(vendor) for vendor, uri in hook.ROUTE_PAGES.items()}
    return {**pages, hook.CLI_PAGE: hook.cli_page()}


def test_the_key_pages_exist_and_are_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    generated = _generated()

    missing = [p for p in KEY_PAGES if not (DOCS / p).is_file()]
    unlisted = [p for p in [*KEY_PAGES, *generated] if f": {p}\n" not in nav]

    assert (missing, unlisted) == ([], [])


def _anchors(text: str, *, github: bool) -> set[str]:
    found = set(re.findall(r"\{#([^}\s]+)\}", text))
    for title in re.findall(r"^#{1,6} +(.+?) *$", _FENCE.sub("", text), re.M):
        title = re.sub(r"\{#[^}]*\}", "", title).strip()
        if github:
            found.add(re.sub(r" ", "-", re.sub(r"[^\w\- ]", "", title.lower())))
        else:
            found.add(re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", title).strip().lower()))
    return found


def _target(page: Path, path: str, generated: dict[str, str]) -> tuple[Path, str] | None:
    """The file a relative link of ``page`` names and its text (``None``: it does not exist)."""
    resolved = (page.parent / path).resolve()
    if resolved.is_relative_to(DOCS.resolve()):
        uri = resolved.relative_to(DOCS.resolve()).as_posix()
        if uri in generated:
            return resolved, generated[uri]
    if not resolved.exists():
        return None
    # only a page's text is read (for its anchors): an image or a folder only has to exist
    return resolved, resolved.read_text() if resolved.suffix == ".md" else ""


def test_every_relative_link_resolves() -> None:
    generated = _generated()
    broken = []

    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", _FENCE.sub("", page.read_text())):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            found = _target(page, path, generated) if path else (page, page.read_text())
            if found is None:
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif (
                anchor
                and found[0].suffix == ".md"
                and anchor not in _anchors(found[1], github=found[0].name == "README.md")
            ):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")

    assert broken == []


# -- the generated pages and the reference --------------------------------------------------------


def test_every_route_page_lists_every_operation_id_of_its_vendor() -> None:
    from fakeauth.wsgi import route_table

    pages = _generated()
    hook = _hook()

    missing = [
        op
        for op, _, _ in route_table()
        if f"`{op}`" not in pages[hook.ROUTE_PAGES[op.partition(".")[0]]]
    ]

    assert missing == []


def test_the_route_pages_show_the_bodies_users_trip_on() -> None:
    pages = _generated()

    assert "| `password_confirmation` |" in pages["routes/b2core.md"]
    assert "| `refresh_token` |" in pages["routes/ovok.md"]  # Ovok's refresh reply: snake_case
    assert "| `--request-timeout S` |" in pages["reference/cli.md"]


def test_every_public_name_is_in_the_reference() -> None:
    import fakeauth
    import fakeauth.testing

    reference = "".join(p.read_text() for p in (DOCS / "reference").glob("*.md"))
    homes = dict(fakeauth._HOMES)  # the module each name of ``fakeauth`` is defined in
    homes["DEFAULT_HOSTS"] = "fakeauth.vendors"
    names = [f"{homes[name]}.{name}" for name in fakeauth.__all__]
    names += [f"fakeauth.testing.{n}" for n in fakeauth.testing.__all__ if n != "AccountT"]

    missing = [n for n in names if f"::: {n}\n" not in reference]
    missing += [n for n in ("errors", "cli") if not (DOCS / "reference").glob(f"{n}*")]

    assert missing == []


def test_both_signin_wizard_ids_are_documented_wherever_ids_are_listed() -> None:
    listings = [
        README,
        (DOCS / "openapi.md").read_text(),
        (DOCS / "guides/assertions.md").read_text(),
    ]

    missing = [
        i
        for i, text in enumerate(listings)
        for op in ("`b2core.signin_wizard`", "`b2core.signin_wizard_post`", "signin_wizard*")
        if op not in text
    ]

    assert missing == []


def test_the_hook_shows_docstring_roles_as_code_and_fidelity_tags_as_text() -> None:
    hook = _hook()

    content = hook.on_page_content(
        "see :class:<code>~fakeauth.fake.FakeAuth</code> and :func:<code>fakeauth.redacted</code>",
        None,
        None,
        None,
    )
    markdown = hook.on_page_markdown(
        "matches ([DOC]) and `[SRC]`, [a link](x.md)", None, None, None
    )

    assert content == "see <code>FakeAuth</code> and <code>fakeauth.redacted</code>"
    assert markdown == "matches (\\[DOC\\]) and `[SRC]`, [a link](x.md)"


# -- pages that agree with the code ---------------------------------------------------------------

#: The pages that say what the ``fakeauth`` fixture and the fake intercept. The decision log keeps
#: the history of choices, in the words of their day.
INTERCEPTION_PAGES = [p for p in PAGES if p.name != "decisions.md"]
_PRIVATE_NAME = re.compile(r"(?<![\w.])_\w+")


_LISTED_FIXTURE = re.compile(r"^(\w+)(?: \[[\w ]+\])? -- .*\bconftest_plugin\.py:\d+$", re.M)


def _plugin_fixtures(pytester: pytest.Pytester) -> set[str]:
    """The public fixtures pytest has from the plugin, as ``pytest --fixtures`` lists them (a
    fixture under another name than its function's, or a helper named like one, counts as pytest
    counts it)."""
    listed = pytester.runpytest("--fixtures", "-p", "no:randomly").stdout.str()
    return set(_LISTED_FIXTURE.findall(listed))


def test_every_fixture_list_names_every_fixture_of_the_plugin(pytester: pytest.Pytester) -> None:
    import conftest_plugin

    tables = {
        page: re.findall(r"^\| (`fakeauth[^|]*)\|", page.read_text(), re.M)
        for page in (ROOT / "README.md", DOCS / "guides" / "fixtures.md")
    }
    listed = {
        str(page.relative_to(ROOT)): set(re.findall(r"`(fakeauth\w*)`", " ".join(cells)))
        for page, cells in tables.items()
    }
    listed["docs/reference/testing.md"] = set(
        re.findall(
            r"^::: conftest_plugin\.(\w+)$", (DOCS / "reference/testing.md").read_text(), re.M
        )
    )
    listed["conftest_plugin.py"] = set(
        re.findall(r"``(fakeauth\w*)``", str(conftest_plugin.__doc__))
    )

    fixtures = _plugin_fixtures(pytester)

    assert {"fakeauth", "fakeauth_seed", "fakeauth_template"} <= fixtures
    assert {page: sorted(names ^ fixtures) for page, names in listed.items()} == {
        page: [] for page in listed
    }


def test_every_paragraph_on_what_is_intercepted_names_every_intercepted_client() -> None:
    clients = sorted(
        name.removeprefix("mock_") for name in dir(FakeAuth) if name.startswith("mock_")
    )
    said = re.compile(r"\b(intercept\w*|answer\w*|fixture)\b")
    incomplete = []

    for page in INTERCEPTION_PAGES:
        for paragraph in re.split(r"\n\s*\n", _FENCE.sub("", page.read_text())):
            named = [c for c in clients if re.search(rf"`?\b{c}\b", paragraph)]
            # requests is always intercepted: a paragraph naming it among others names them all
            if "requests" in named and 1 < len(named) < len(clients) and said.search(paragraph):
                incomplete.append(f"{page.relative_to(ROOT)}: {' '.join(paragraph.split())[:80]}")

    assert clients == ["aiohttp", "httpx", "requests"]
    assert incomplete == []


def test_the_aioresponses_limit_is_said_where_a_user_installs_and_beside_their_own_mocks() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    pin = next(r for r in extras["test"] if r.startswith("aiohttp"))
    bound = re.search(r"<[\d.]+", pin)
    assert bound is not None, f"the test extra no longer bounds aiohttp ({pin}): update the pages"
    readme_install = README.partition("## In your pytest suite")[0]
    pages = {
        "README.md (its install section)": readme_install,
        "docs/getting-started.md": (DOCS / "getting-started.md").read_text(),
        "docs/guides/own-mocks.md": (DOCS / "guides" / "own-mocks.md").read_text(),
    }

    silent = [
        name
        for name, text in pages.items()
        if f"`aiohttp{bound.group()}`" not in text
        or "aioresponses 0.7.9 fails with a `TypeError`" not in " ".join(text.split())
    ]

    assert silent == []


def test_the_fakeauth_reference_shows_each_option_with_the_default_of_the_signature() -> None:
    import griffe

    import fakeauth

    cls = griffe.load("fakeauth.fake", search_paths=[str(ROOT)])["FakeAuth"]
    sections = cls.docstring.parse("google", warn_unknown_params=False)
    documented = {
        p.name: p.default for s in sections if s.kind.value == "parameters" for p in s.value
    }
    signature = inspect.signature(FakeAuth).parameters
    public = {name: getattr(fakeauth, name) for name in fakeauth.__all__}

    shown = {name: str(default) for name, default in documented.items()}

    assert list(documented) == list(signature)  # one entry per option, in order, none missing
    assert [text for text in shown.values() if _PRIVATE_NAME.search(text)] == []
    # what the page shows, read as Python with fakeauth's public names, is the real default
    assert {name: eval(text, {}, public) for name, text in shown.items()} == {
        name: p.default for name, p in signature.items()
    }


def test_the_docs_build_wraps_the_separate_signatures() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    options = (ROOT / "mkdocs.yml").read_text()

    # mkdocstrings formats a separate signature with ruff or black, when one is installed;
    # without either it stays on one line that runs off the page.
    assert any(r.startswith(("ruff", "black")) for r in extras["docs"])
    assert "separate_signature: true" in options
    assert re.search(r"^ +line_length: \d+\b", options, re.M)


def test_the_unserved_replies_name_a_routes_page_by_its_title() -> None:
    from fakeauth.vendors import VENDORS

    apis = [vendor.api for vendor in VENDORS]
    hook = _hook()
    titles = {
        api.name: hook.route_page(api.name).partition("\n")[0].removeprefix("# ") for api in apis
    }

    named = {api.name: api.unserved("GET", "/x").body.decode() for api in apis}

    assert [name for name in named if f'\\"{titles[name]}\\"' not in named[name]] == []
    assert "\n  - Routes:\n" in (ROOT / "mkdocs.yml").read_text()  # the pages the check names
