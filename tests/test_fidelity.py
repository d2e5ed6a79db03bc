"""The fidelity registry (issue 14 §4, §6): checked, served, rendered, and every entry pinned.

``fakeauth/fidelity/`` is the one list of places where fakeauth may differ from the real
services. These tests keep it honest: its ids, vendors and operation ids are sound; every entry
is pinned by a test marked ``@pytest.mark.fidelity("<id>")`` (found statically here, and checked
at run time by ``tests/conftest.py`` against the operations the test's fakes journaled);
``docs/fidelity.md`` is its rendering; ``fake.fidelity()`` and ``GET /_fakeauth/fidelity`` serve
it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client

from fakeauth import ConfigurationError, FakeAuth
from fakeauth import fidelity_registry as fidelity
from fakeauth.fidelity import Entry
from fakeauth.fidelity.model import problems
from fakeauth.fidelity.page import PAGE_PATH, REGENERATE, render
from fakeauth.fidelity_registry import SECTIONS

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
CONTROL = "http://127.0.0.1"


# -- the static scan: which test carries which fidelity mark -----------------------------------


def _mark_ids(node: ast.expr, constants: dict[str, str]) -> Iterator[str]:
    """The entry ids of every ``pytest.mark.fidelity("<id>")`` in ``node`` (a decorator, or
    a ``pytestmark`` value: one mark, or a list or tuple of them); an id may be a string
    literal or the name of a module-level string constant (``constants``)."""
    if isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from _mark_ids(item, constants)
        return
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "fidelity"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "mark"
        and isinstance(func.value.value, ast.Name)
        and func.value.value.id == "pytest"
    ):
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value
            elif isinstance(arg, ast.Name) and arg.id in constants:
                yield constants[arg.id]
            else:
                yield f"<not a string literal: {ast.unparse(arg)}>"


def _pytestmark(body: list[ast.stmt], constants: dict[str, str]) -> set[str]:
    ids: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark"
            for target in statement.targets
        ):
            ids.update(_mark_ids(statement.value, constants))
    return ids


def _constants(body: list[ast.stmt]) -> dict[str, str]:
    """The module's ``NAME = "text"`` assignments (and annotated ones)."""
    found: dict[str, str] = {}
    for statement in body:
        target = value = None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            found[target.id] = value.value
    return found


def marked_tests(source: str, path: str) -> dict[str, set[str]]:
    """Each test's node id in ``source`` (the file at ``path``, from the repository's root)
    and the fidelity entry ids it carries: its own marks, its class's and its module's."""
    tree = ast.parse(source)
    constants = _constants(tree.body)
    module = _pytestmark(tree.body, constants)
    found: dict[str, set[str]] = {}

    def add(node: ast.stmt, prefix: str, inherited: set[str]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            own = {i for d in node.decorator_list for i in _mark_ids(d, constants)}
            found[f"{prefix}::{node.name}"] = inherited | own
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            own = {i for d in node.decorator_list for i in _mark_ids(d, constants)}
            own |= _pytestmark(node.body, constants)
            for child in node.body:
                add(child, f"{prefix}::{node.name}", inherited | own)

    for node in tree.body:
        add(node, path, module)
    return found


def suite_marks() -> dict[str, set[str]]:
    """Every test of the suite (``tests/**/*.py``) and the fidelity entry ids it carries."""
    found: dict[str, set[str]] = {}
    for file in sorted(TESTS.rglob("*.py")):
        path = file.relative_to(ROOT).as_posix()
        found.update(marked_tests(file.read_text(encoding="utf-8"), path))
    return found


def pin_problems(entries: tuple[Entry, ...], marks: dict[str, set[str]]) -> list[str]:
    """Every entry with no marked test or whose ``test`` does not carry its mark, and every
    mark that names no entry, as sentences."""
    ids = {entry.id for entry in entries}
    found = [
        f"{test} is marked fidelity({unknown!r}), which names no entry of fakeauth/fidelity/"
        for test, marked in sorted(marks.items())
        for unknown in sorted(marked - ids)
    ]
    for entry in entries:
        if not any(entry.id in marked for marked in marks.values()):
            found.append(
                f"fidelity entry {entry.id!r} has no test marked "
                f'@pytest.mark.fidelity("{entry.id}"); mark the test that proves it'
            )
        if entry.test not in marks:
            found.append(f"fidelity entry {entry.id!r}: its test {entry.test} does not exist")
        elif entry.id not in marks[entry.test]:
            found.append(
                f"fidelity entry {entry.id!r}: its test {entry.test} is not marked "
                f'@pytest.mark.fidelity("{entry.id}")'
            )
    return found


def test_every_entry_is_pinned_by_its_marked_test_and_every_mark_names_an_entry() -> None:
    assert pin_problems(fidelity.ENTRIES, suite_marks()) == []


SAMPLE = """
import pytest

pytestmark = [pytest.mark.fidelity("all.module"), pytest.mark.slow]
PINNED: str = "waltid.constant"


@pytest.mark.fidelity("ovok.one")
@pytest.mark.parametrize("x", [1])
def test_function(x): ...


@pytest.mark.fidelity("b2core.class")
class TestGroup:
    pytestmark = pytest.mark.fidelity("b2core.class-body")

    @pytest.mark.fidelity("b2core.method")
    def test_method(self): ...


@pytest.mark.fidelity(PINNED)
@pytest.mark.fidelity(f"{PINNED}.x")
def test_named(): ...


def helper(): ...
"""


def test_the_scan_finds_function_class_and_module_marks() -> None:
    marks = marked_tests(SAMPLE, "tests/test_sample.py")

    assert marks == {
        "tests/test_sample.py::test_function": {"all.module", "ovok.one"},
        "tests/test_sample.py::TestGroup::test_method": {
            "all.module",
            "b2core.class",
            "b2core.class-body",
            "b2core.method",
        },
        "tests/test_sample.py::test_named": {
            "all.module",
            "waltid.constant",
            "<not a string literal: f'{PINNED}.x'>",
        },
    }


def _entry(**changes: object) -> Entry:
    fields: dict[str, object] = {
        "id": "ovok.sample",
        "vendor": "ovok",
        "behaviour": "A behaviour",
        "fakeauth": "an answer",
        "kind": "PROPOSAL",
        "source": "ours",
        "test": "tests/test_sample.py::test_function",
    }
    fields.update(changes)
    return Entry(**fields)  # type: ignore[arg-type]


def test_the_pin_check_names_every_missing_wrong_and_unknown_mark() -> None:
    entries = (
        _entry(id="ovok.pinned"),
        _entry(id="ovok.unpinned", test="tests/test_sample.py::test_other"),
        _entry(id="ovok.elsewhere", test="tests/test_sample.py::test_nowhere"),
    )
    marks = {
        "tests/test_sample.py::test_function": {"ovok.pinned", "ovok.elsewhere", "ovok.gone"},
        "tests/test_sample.py::test_other": set(),
    }

    assert pin_problems(entries, marks) == [
        "tests/test_sample.py::test_function is marked fidelity('ovok.gone'), which names no "
        "entry of fakeauth/fidelity/",
        "fidelity entry 'ovok.unpinned' has no test marked "
        '@pytest.mark.fidelity("ovok.unpinned"); mark the test that proves it',
        "fidelity entry 'ovok.unpinned': its test tests/test_sample.py::test_other is not marked "
        '@pytest.mark.fidelity("ovok.unpinned")',
        "fidelity entry 'ovok.elsewhere': its test tests/test_sample.py::test_nowhere does not "
        "exist",
    ]


# -- the registry's own soundness --------------------------------------------------------------


def test_the_registry_has_sound_ids_vendors_kinds_and_operations() -> None:
    assert fidelity.problems() == []


def test_the_checks_name_each_mistake() -> None:
    entries = (
        _entry(),
        _entry(),
        _entry(id="b2core.misfiled"),
        _entry(id="ovok.Bad_Id"),
        _entry(id="ovok.blank", source=" "),
        _entry(id="ovok.no-test", test="test_x"),
        _entry(id="ovok.route", operations=("ovok.nope",)),
    )

    assert problems(entries, ["ovok.me"]) == [
        "fidelity entry 'ovok.sample' is defined twice; give each entry its own id",
        "fidelity entry 'b2core.misfiled': the id must be ovok.<topic>[.<aspect>], lowercase "
        "words joined by '-', e.g. 'ovok.logout.repeat'",
        "fidelity entry 'ovok.Bad_Id': the id must be ovok.<topic>[.<aspect>], lowercase words "
        "joined by '-', e.g. 'ovok.logout.repeat'",
        "fidelity entry 'ovok.blank': source is blank; say it in a sentence",
        "fidelity entry 'ovok.no-test': test 'test_x' must be a pytest node id without "
        "parameters, e.g. 'tests/test_ovok_api.py::test_logout_twice'",
        "fidelity entry 'ovok.route': no route has the operation id 'ovok.nope'; "
        "fakeauth.wsgi.route_table() lists them",
    ]


def test_the_b2core_dialects_cite_the_registration_reference() -> None:
    signup = fidelity.entry("b2core.signup-wizard.dialects")
    signin = fidelity.entry("b2core.signin-wizard.methods")

    assert (signup.kind, signin.kind) == ("CONFLICT", "CONFLICT")
    assert "rest-api-reference-front-registration.html, its two published versions" in (
        signup.source
    )
    assert "rest-api-reference-front-authentication.html" in signin.source
    assert signin.operations == ("b2core.signin_wizard", "b2core.signin_wizard_post")


def test_an_unknown_id_names_the_closest() -> None:
    with pytest.raises(KeyError, match=re.escape("did you mean 'ovok.logout.repeat'")):
        fidelity.entry("ovok.logout.repeats")


# -- the page ------------------------------------------------------------------------------------


def test_the_page_is_the_registrys_rendering() -> None:
    page = (ROOT / PAGE_PATH).read_text(encoding="utf-8")

    assert page == render(SECTIONS), (
        f"{PAGE_PATH} is stale: run `{REGENERATE}` from the repository's root"
    )


def test_the_page_keeps_the_sections_other_pages_link_to() -> None:
    page = render(SECTIONS)

    headings = [line for line in page.splitlines() if line.startswith("#")]
    assert headings == [
        "# Fidelity: where fakeauth may differ from the real services",
        "## All vendors",
        "## Ovok B2B auth",
        "## B2Core front office",
        "## walt.id Enterprise",
    ]
    assert "(docs/fidelity.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_module_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    from fakeauth.fidelity.__main__ import main

    assert main([]) == 0

    assert capsys.readouterr().out == render(SECTIONS)


# -- served as data ------------------------------------------------------------------------------


def test_fake_fidelity_is_a_fresh_json_ready_copy() -> None:
    fake = FakeAuth()
    first = fake.fidelity()

    first[0]["fakeauth"] = "changed"
    first.clear()

    again = fake.fidelity()
    assert again == [entry.as_json() for entry in fidelity.ENTRIES]
    assert again[0]["id"] == "all.base-urls"
    assert set(again[0]) == {
        "id",
        "vendor",
        "behaviour",
        "fakeauth",
        "kind",
        "source",
        "why",
        "operations",
        "test",
    }


def test_fake_fidelity_of_one_vendor() -> None:
    entries = FakeAuth().fidelity("waltid")

    assert len(entries) == len(fidelity.entries("waltid")) > 0
    assert {entry["vendor"] for entry in entries} == {"waltid"}
    with pytest.raises(ConfigurationError, match="use one of all, ovok, b2core, waltid"):
        FakeAuth().fidelity("aws")


def test_the_control_api_serves_the_registry() -> None:
    client = Client(FakeAuth().wsgi_app)

    every = client.get("/_fakeauth/fidelity", base_url=CONTROL)
    ovok = client.get("/_fakeauth/fidelity?vendor=ovok", base_url=CONTROL)

    assert (every.status_code, every.get_json()) == (200, fidelity.as_json())
    assert (ovok.status_code, ovok.get_json()) == (200, fidelity.as_json("ovok"))
    assert {entry["vendor"] for entry in ovok.get_json()} == {"ovok"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "vendor=aws",
            "fakeauth: the fidelity registry has no vendor 'aws'; use one of all, ovok, b2core, "
            "waltid, as in GET /_fakeauth/fidelity?vendor=ovok",
        ),
        (
            "vendor=ovok&vendor=waltid",
            "fakeauth: give 'vendor' once, for example GET /_fakeauth/fidelity?vendor=ovok",
        ),
    ],
)
def test_the_control_api_refuses_a_bad_vendor_with_400(query: str, message: str) -> None:
    client = Client(FakeAuth().wsgi_app)

    response = client.get(f"/_fakeauth/fidelity?{query}", base_url=CONTROL)

    assert (response.status_code, response.get_json()) == (400, {"error": message})


# -- the run-time check: a marked test must call its entry's route -------------------------------

PINNED = """
import pytest
from werkzeug.test import Client

from fakeauth import FakeAuth


def me(fake):
    return Client(fake.wsgi_app).get("/auth/me", base_url="https://api.dev.ovok.com")


@pytest.mark.fidelity("ovok.logout.repeat")
def test_calls_another_route():
    assert me(FakeAuth()).status_code == 401


@pytest.mark.fidelity("ovok.bearer.refused")
def test_calls_the_route():
    assert me(FakeAuth()).status_code == 401


@pytest.mark.fidelity("ovok.bearer.refused")
def test_calls_the_route_through_the_fixture(fakeauth):
    assert me(fakeauth).status_code == 401


@pytest.mark.fidelity("all.unserved")
def test_an_entry_about_no_route():
    pass


@pytest.mark.fidelity("ovok.no-such-entry")
def test_an_unknown_entry():
    pass


@pytest.mark.fidelity("ovok.logout.repeat")
def test_a_failing_test_reports_only_its_own_failure():
    assert False, "its own failure"
"""


def test_a_marked_test_that_never_calls_its_route_fails_at_teardown(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest((TESTS / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_pinned=PINNED)

    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=4, failed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_calls_another_route*",
            "fidelity entry 'ovok.logout.repeat' is about ovok.logout, but no fake journaled "
            "that operation during this test. Call the route in the test, or pin the entry "
            "with a test that does (its `test` in fakeauth/fidelity/)",
            "*ERROR at setup of test_an_unknown_entry*",
            "@pytest.mark.fidelity: fakeauth has no fidelity entry 'ovok.no-such-entry'; "
            "did you mean 'ovok.not-served'?",
            "=*= FAILURES =*=",
        ]
    )
    assert "at teardown of test_a_failing_test" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


def test_the_module_writes_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fakeauth.fidelity.__main__ import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()

    assert main(["--write"]) == 0

    assert (tmp_path / "docs" / "fidelity.md").read_text(encoding="utf-8") == render(SECTIONS)
    assert capsys.readouterr().out == "wrote docs/fidelity.md\n"


def test_the_module_refuses_a_registry_with_mistakes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fakeauth.fidelity import __main__ as command

    mistakes = ["ovok.x: no test pins it", "ovok.y: unknown operation ovok.nothing"]
    monkeypatch.setattr(command, "problems", lambda: mistakes)

    assert command.main(["--write"]) == 1

    assert capsys.readouterr() == ("", "\n".join(mistakes) + "\n")
