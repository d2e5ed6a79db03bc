import pytest

from fakeauth import verify


@pytest.fixture(scope="module")
def vendor_runner() -> verify.Runner:
    # FAKEAUTH_VERIFY_OVOK_URL and friends name a real sandbox; without them, a fresh fake
    return verify.Runner(verify.Target.from_env())


@pytest.mark.parametrize("check", verify.checks(), ids=str)
def test_vendor_contract(vendor_runner: verify.Runner, check: verify.Check) -> None:
    result = vendor_runner.run_check(check)
    assert result.ok, result.explain()
