"""The pytest plugin, exercised as a downstream project uses it (through ``pytester``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

import conftest_plugin
from fakeauth import B2CoreAccount, OvokAccount, WaltidAccount
from fakeauth.state.ovok import DEFAULT_TENANT_ID
from fakeauth.testing import B2CoreUser, OvokUser, WaltidUser

OVOK_LOGIN = textwrap.dedent(
    """
    import requests

    TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"

    def login(email, password):
        return requests.post(
            "https://api.dev.ovok.com/auth/b2b/login",
            json={"email": email, "password": password, "tenantId": TENANT, "clientId": TENANT},
        )
    """
)


def test_fakeauth_fixture_is_fresh_per_test_and_intercepts(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        OVOK_LOGIN
        + textwrap.dedent(
            """
            import httpx

            def test_first(fakeauth):
                fakeauth.ovok.add_account(email="a@example.test", password="pw")
                assert login("a@example.test", "pw").status_code == 200
                assert httpx.post(
                    "https://api.ovok.com/auth/b2b/login",
                    json={"email": "a@example.test", "password": "pw",
                          "tenantId": TENANT, "clientId": TENANT},
                ).status_code == 200

            def test_second_sees_nothing_of_the_first(fakeauth):
                assert fakeauth.ovok.accounts == []
                assert len(fakeauth.journal) == 0
                assert login("a@example.test", "pw").status_code == 401
            """
        )
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=2)


def test_marker_options_reach_the_fake_and_request_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.fakeauth(seed=3, ovok_access_token_ttl=60)

        @pytest.mark.fakeauth(features={"account-registration": False})
        def test_marked(request):
            fake = request.getfixturevalue("fakeauth")
            assert fake.ovok.access_token_ttl == 60
            assert not fake.features.is_enabled("account-registration")
            assert "fakeauth" in request.fixturenames

        @pytest.mark.fakeauth(ovok_access_token_ttl=30)
        def test_closest_marker_wins(fakeauth):
            assert fakeauth.ovok.access_token_ttl == 30
        """
    )

    result = pytester.runpytest("--strict-markers")

    result.assert_outcomes(passed=2)


def test_an_unknown_marker_option_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fakeauth(sed=3, assert_all_serverd=False, zzz=1)
        def test_typo(fakeauth):
            pass
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E *pytest.UsageError: @pytest.mark.fakeauth: unknown option(s) assert_all_serverd "
            "(did you mean assert_all_served?), sed (did you mean seed?), zzz; the options are: "
            "assert_all_served, b2core_access_token_ttl, b2core_hosts, b2core_refresh_token_ttl, "
            "features, journal_limit, ovok_access_token_ttl, ovok_hosts, ovok_refresh_token_ttl, "
            "seed, vendors, waltid_hosts, waltid_token_ttl"
        ]
    )


def test_server_fixture_shares_the_tests_fake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_both(fakeauth, fakeauth_server):
            fakeauth.ovok.add_account(email="a@example.test", password="pw")
            accounts = requests.get(f"{fakeauth_server.url}/_fakeauth/accounts").json()
            assert [a["email"] for a in accounts["ovok"]] == ["a@example.test"]
            assert fakeauth_server.fake is fakeauth

        def test_server_alone_is_fresh(fakeauth_server):
            accounts = requests.get(f"{fakeauth_server.url}/_fakeauth/accounts").json()
            assert accounts["ovok"] == []

        def test_same_server_every_test(fakeauth_server, request):
            urls = request.config.cache.get("urls", [])
            request.config.cache.set("urls", [*urls, fakeauth_server.url])
        """
    )

    result = pytester.runpytest("-p", "cacheprovider")

    result.assert_outcomes(passed=3)


def test_registration_disabled_and_seeding_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_disabled(fakeauth_registration_disabled):
            assert not fakeauth_registration_disabled.features.is_enabled("account-registration")

        def test_users(fakeauth, fakeauth_ovok_user, fakeauth_b2core_user, fakeauth_waltid_user,
                       fakeauth_waltid_superadmin):
            assert fakeauth.ovok.get_account(fakeauth_ovok_user.email) is fakeauth_ovok_user.account
            assert fakeauth_b2core_user.password not in repr(fakeauth_b2core_user)
            assert fakeauth.waltid.get_account(fakeauth_waltid_user.email).id
            assert fakeauth_waltid_superadmin.token.count(".") == 2
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=2)


def test_a_failing_test_reports_the_journal(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        OVOK_LOGIN
        + textwrap.dedent(
            """
            def test_fails(fakeauth):
                login("nobody@example.test", "secret-pw")
                fakeauth.calls("ovok.b2b_login").assert_not_called()
            """
        )
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: fakeauth: expected ovok.b2b_login not to have been called;*",
            "*- fakeauth journal -*",
            "*POST https://api.dev.ovok.com/auth/b2b/login -> 401 (ovok.b2b_login)",
            '*request:  {"email": "nobody@example.test", "password": "<redacted:*',
        ]
    )
    section = result.stdout.str().split("fakeauth journal", 1)[1]
    assert "secret-pw" not in section


def test_the_failure_report_says_which_field_a_refused_body_lacked(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import requests

        TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"

        def test_fails(fakeauth):
            body = {"email": "a@example.test", "pass": "pw", "tenantId": TENANT, "clientId": TENANT}
            reply = requests.post("https://api.dev.ovok.com/auth/b2b/login", json=body)
            assert reply.status_code == 200
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- fakeauth journal -*",
            "*POST https://api.dev.ovok.com/auth/b2b/login -> 422 (ovok.b2b_login)",
            '    response: {"statusCode": 422, "message": "password must be a string", '
            '"error": "Unprocessable Entity"}',
            "    problem:  'password' was expected where the body has 'pass' (the fields are: "
            "email, password, clientId, tenantId)",
        ]
    )


def test_unserved_vendor_requests_fail_the_test_unless_allowed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        def test_unserved(fakeauth):
            assert requests.get("https://api.ovok.com/auth/session").status_code == 501

        @pytest.mark.fakeauth(assert_all_served=False)
        def test_allowed(fakeauth):
            assert requests.get("https://api.ovok.com/auth/session").status_code == 501
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*UnservedRequestsError*",
            "*GET https://api.ovok.com/auth/session -> 501",
            'E *The "Routes" pages of fakeauth\'s documentation list what it serves, one page per '
            "vendor; to allow such requests, mark the test "
            "@pytest.mark.fakeauth(assert_all_served=False).",
        ]
    )


def test_a_test_that_expects_a_refusal_says_so_and_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import urllib.error, urllib.request
        import pytest

        URL = "https://api.dev.ovok.com/auth/me"

        def test_expected(fakeauth):
            with fakeauth.network_refusals.expected() as refused:
                with pytest.raises(urllib.error.URLError):
                    urllib.request.urlopen(URL, timeout=10)
            assert refused == ["api.dev.ovok.com"]

        def test_unexpected(fakeauth):
            with pytest.raises(urllib.error.URLError):
                urllib.request.urlopen(URL, timeout=10)
        """
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unexpected*",
            "E *VendorHostRefusedError: fakeauth: refused a connection to api.dev.ovok.com, *(1 "
            "connection(s) refused); a test that expects the refusal says so: with "
            "fake.network_refusals.expected(): ...",
        ]
    )


def test_a_handler_bug_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        OVOK_LOGIN
        + textwrap.dedent(
            """
            def test_bug(fakeauth, monkeypatch):
                def broken(**kwargs):
                    raise RuntimeError("boom")
                monkeypatch.setattr(fakeauth.ovok, "authenticate", broken)
                assert login("a@example.test", "pw").status_code == 500
            """
        )
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*RuntimeError: boom*", "*a handler of the fake raised*"])


def test_fault_injection_is_scoped_to_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        OVOK_LOGIN
        + textwrap.dedent(
            """
            def test_first(fakeauth):
                fakeauth.ovok.add_account(email="a@example.test", password="pw")
                fakeauth.fail_next("ovok.b2b_login", 503, times=5)
                assert login("a@example.test", "pw").status_code == 503

            def test_second(fakeauth):
                fakeauth.ovok.add_account(email="a@example.test", password="pw")
                assert login("a@example.test", "pw").status_code == 200
            """
        )
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=2)


EXAMPLES = Path(__file__).parent / "examples"


@pytest.mark.slow
def test_examples_pass_under_xdist_and_in_random_order(pytester: pytest.Pytester) -> None:
    for example in sorted(EXAMPLES.glob("test_*.py")):
        pytester.makepyfile(**{example.stem: example.read_text()})

    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "random_order", "--random-order", "-p", "no:cacheprovider"
    )

    # every test the examples define (parametrized ones counted per case), as pytest collects them
    collected = pytester.runpytest_subprocess("--collect-only", "-q", "-p", "no:cacheprovider")
    expected = sum(1 for line in collected.outlines if "::test_" in line)
    assert expected > sum(p.read_text().count("\ndef test_") for p in EXAMPLES.glob("test_*.py"))
    result.assert_outcomes(passed=expected)


def test_importing_the_plugin_is_cheap_and_defines_no_autouse_fixture() -> None:
    code = (
        "import sys, conftest_plugin; "
        "print(sorted(m for m in ('fakeauth.fake', 'werkzeug', 'pydantic', 'jwt') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()

    autouse = [
        name
        for name in dir(conftest_plugin)
        if getattr(getattr(conftest_plugin, name), "_fixture_function_marker", None) is not None
        and getattr(conftest_plugin, name)._fixture_function_marker.autouse
    ]

    assert loaded == "[]"
    assert autouse == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths for the venv's tools")
def test_the_wheel_installs_the_plugin_for_a_project_with_no_conftest(tmp_path: Path) -> None:
    root = Path(__file__).parent.parent
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(root)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheel = next(dist.glob("fakeauth-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel), "pytest"],
        check=True,
        capture_output=True,
        timeout=900,
    )
    project = tmp_path / "downstream"
    project.mkdir()
    (project / "test_downstream.py").write_text((EXAMPLES / "test_seed_and_login.py").read_text())

    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_seeded_users_are_typed_per_vendor(
    fakeauth_ovok_user: OvokUser,
    fakeauth_b2core_user: B2CoreUser,
    fakeauth_waltid_user: WaltidUser,
) -> None:
    # mypy (strict, over the tests) checks these attribute reads against each vendor's account
    tenant_id: str = fakeauth_ovok_user.account.tenant_id
    two_factor: str | None = fakeauth_b2core_user.account.two_factor
    account_id: str = fakeauth_waltid_user.account.id

    assert isinstance(fakeauth_ovok_user.account, OvokAccount)
    assert isinstance(fakeauth_b2core_user.account, B2CoreAccount)
    assert isinstance(fakeauth_waltid_user.account, WaltidAccount)
    assert tenant_id == DEFAULT_TENANT_ID
    assert two_factor is None
    assert account_id


def test_everything_a_user_touches_is_exported_from_fakeauth() -> None:
    import fakeauth

    exported = {name: getattr(fakeauth, name) for name in fakeauth.__all__}

    assert exported["OvokUser"] is OvokUser
    assert exported["OvokAccount"] is OvokAccount
    assert {"FakeAuth", "OvokState", "B2CoreState", "WaltidState", "LiveServer"} <= set(exported)
    assert sorted(dir(fakeauth)) == dir(fakeauth)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        fakeauth.Nope  # noqa: B018
