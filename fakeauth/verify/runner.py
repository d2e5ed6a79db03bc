"""The runner: every check on a fresh in-process fake ("fakeauth") and on the target, compared.

One :class:`Runner` holds, per vendor, the two sides of the comparison: a fresh fake answering
through its WSGI app (never the network) and the target's transport. The account the checks use
is the target's (from the environment; the fresh fake is seeded with the very same one), or one
the run registers on both sides through the vendor's public API, with a recognisable email
(``fakeauth-verify-<random>@example.com``).

A target may be wrong or hostile. A check that cannot be run to its end (no answer, a body too
long or too deep to read, a step that needs a token an earlier answer did not give, the run's
deadline passed) is a result whose ``error`` says why, and the run goes on with the next check.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fakeauth import fidelity_registry as fidelity
from fakeauth.errors import ConfigurationError
from fakeauth.fake import FakeAuth
from fakeauth.verify.checks import ACCOUNT_PREFIX, checks
from fakeauth.verify.deadline import Deadline
from fakeauth.verify.model import Check, Shape, Step, Vendor, fill, lookup, shape_of
from fakeauth.verify.remote import HttpTransport
from fakeauth.verify.targets import Target, Transport, WsgiTransport

__all__ = ["CheckResult", "Runner", "is_declared"]


def is_declared(check: Check) -> bool:
    """Whether the registry has the entry that ``check`` names."""
    if check.declared is None:
        return False
    try:
        fidelity.entry(check.declared)
    except KeyError:
        return False
    return True


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: each step's shape on both sides, and whether they match.

    ``error`` says why the check could not be run to its end (then it neither matches nor
    diverges); ``skipped`` why it was not run at all, by design.
    """

    check: Check
    fakeauth: tuple[Shape, ...]
    target: tuple[Shape, ...]
    skipped: str = ""
    error: str = ""

    @property
    def matched(self) -> bool:
        """Whether every step's answer has the same shape on both sides (or it was skipped)."""
        return bool(self.skipped) or (not self.error and self.fakeauth == self.target)

    @property
    def declared(self) -> bool:
        """Whether the check's behaviour is an entry of the fidelity registry."""
        return is_declared(self.check)

    @property
    def ok(self) -> bool:
        """A match, or a divergence the registry declares (never a check that could not run)."""
        return self.matched or (not self.error and self.declared)

    def differences(self) -> list[str]:
        """Each step whose shapes differ, as a sentence (empty when they match)."""
        found = []
        steps = self.check.steps
        for index in range(max(len(self.fakeauth), len(self.target))):
            ours = self.fakeauth[index] if index < len(self.fakeauth) else None
            theirs = self.target[index] if index < len(self.target) else None
            if ours == theirs:
                continue
            step = steps[index].describe() if index < len(steps) else "?"
            found.append(f"step {index + 1} ({step}): " + _difference(ours, theirs))
        return found

    def explain(self) -> str:
        """The check, its result and its differences (or why it could not run), for an
        assertion message."""
        lines = [f"{self.check.id}: {self.check.title}: " + self.verdict()]
        if self.error:
            lines.append(f"  could not check: {self.error}")
        else:
            lines += [f"  {line}" for line in self.differences()]
        return "\n".join(lines)

    def verdict(self) -> str:
        """``match``, ``skipped``, ``error`` (it could not run to its end), or ``diverge``."""
        if self.skipped:
            return "skipped"
        if self.error:
            return "error"
        return "match" if self.matched else "diverge"

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data for the report."""
        return {
            "check": self.check.id,
            "vendor": self.check.vendor,
            "title": self.check.title,
            "result": self.verdict(),
            "declared": (
                {"id": entry.id, "kind": entry.kind}
                if self.declared and (entry := fidelity.entry(str(self.check.declared)))
                else None
            ),
            "skipped": self.skipped or None,
            "error": self.error or None,
            "steps": [step.describe() for step in self.check.steps],
            "fakeauth": [shape.as_json() for shape in self.fakeauth],
            "target": [shape.as_json() for shape in self.target],
            "differences": self.differences(),
        }


def _difference(ours: Shape | None, theirs: Shape | None) -> str:
    if ours is None or theirs is None:
        return (
            "fakeauth answered "
            + ("nothing" if ours is None else ours.brief())
            + (", the target " + ("nothing" if theirs is None else theirs.brief()))
        )
    if theirs.error:
        return f"the target gave no answer: {theirs.error}"
    parts = []
    if ours.status != theirs.status:
        parts.append(f"status {ours.status} (fakeauth) vs {theirs.status} (target)")
    if ours.kind != theirs.kind:
        # only a JSON body has compared values: an empty or text one has none to set beside them
        parts.append(f"body {ours.kind} vs {theirs.kind}")
        return "; ".join(parts)
    if ours.types != theirs.types:
        parts.append(f"body {_compact(ours.types)} vs {_compact(theirs.types)}")
    for (path, mine), (_, other) in zip(ours.values, theirs.values, strict=True):
        if mine != other:
            parts.append(f"{path} {_compact(mine)} vs {_compact(other)}")
    return "; ".join(parts)


def _compact(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


@dataclass
class _Side:
    transport: Transport
    name: str  # "fakeauth" or "the target", in the sentences that say why a check stopped
    #: Whether the run's deadline bounds its requests (the target's; fakeauth answers at once).
    bounded: bool = False
    context: dict[str, str] = field(default_factory=dict)


class Runner:
    """Runs checks against ``target``, each also on a fresh in-process fake, and compares them.

    Cheap to create; each vendor's sides (and its account) are set up on the first check about
    that vendor. Thread-safe: checks of one runner run one at a time.
    """

    def __init__(self, target: Target | None = None) -> None:
        self.target = target or Target.fresh_fake()
        self._reference = FakeAuth()
        self._target_fake = self.target.fake or FakeAuth()
        self._sides: dict[Vendor, tuple[_Side, _Side]] = {}
        self._setup: dict[Vendor, CheckResult] = {}
        self._unprepared: dict[Vendor, str] = {}  # why a vendor's sides could not be set up
        self._deadline: Deadline | None = None  # the run's, from its first check
        self._lock = threading.RLock()
        #: Every value that must never be printed: the user's and the run's passwords, tokens.
        self.secrets: list[str] = self.target.secrets()

    def run(self, selected: Iterable[Check] | None = None) -> list[CheckResult]:
        """Run ``selected`` (default: every check), in order, setup checks included."""
        return [self.run_check(check) for check in (checks() if selected is None else selected)]

    def run_check(self, check: Check) -> CheckResult:
        """One check (its vendor's account set up first, if need be); never raises."""
        with self._lock:
            try:
                return self._run_check(check)
            except Exception as exc:  # a defect of fakeauth's own: a row, and the run goes on
                return CheckResult(
                    check,
                    (),
                    (),
                    error=f"fakeauth verify failed on this check ({type(exc).__name__}: {exc}); "
                    "this is a bug of fakeauth, please report it",
                )

    def _run_check(self, check: Check) -> CheckResult:
        if self._deadline is None and self.target.deadline is not None:
            self._deadline = Deadline(self.target.deadline)
        if self._deadline is not None and self._deadline.passed:
            return CheckResult(check, (), (), error=f"not run: {self._deadline_passed()}")
        if check.vendor not in self._sides and check.vendor not in self._unprepared:
            try:
                self._sides[check.vendor] = self._make_sides(check.vendor)
            except ConfigurationError as exc:  # an account from the environment fakeauth refuses
                self._unprepared[check.vendor] = f"the account the environment names: {exc}"
        if check.vendor in self._unprepared:
            return CheckResult(check, (), (), error=self._unprepared[check.vendor])
        reference, target = self._sides[check.vendor]
        if check.setup:
            return self._setup.get(check.vendor) or self._setup_result(check)
        return self._compare(check, reference, target)

    def _compare(self, check: Check, reference: _Side, target: _Side) -> CheckResult:
        ours, our_error = self._steps(check, reference)
        theirs, their_error = self._steps(check, target)
        return CheckResult(check, ours, theirs, error=their_error or our_error)

    def _deadline_passed(self) -> str:
        seconds = self._deadline.seconds if self._deadline is not None else 0.0
        return f"the run's deadline of {seconds:g} s (--deadline) passed"

    def _setup_result(self, check: Check) -> CheckResult:
        return self._setup.get(check.vendor) or CheckResult(
            check, (), (), skipped=f"the account is given in {_env_name(check.vendor)}"
        )

    def _make_sides(self, vendor: Vendor) -> tuple[_Side, _Side]:
        url = self.target.base_urls.get(vendor)
        remote: Transport = (
            HttpTransport(url, timeout=self.target.timeout, max_body=self.target.max_body)
            if url
            else WsgiTransport(self._target_fake, vendor)
        )
        reference = _Side(WsgiTransport(self._reference, vendor), "fakeauth")
        target = _Side(remote, "the target", bounded=True)
        account = dict(self.target.account_extras(vendor))
        given = self.target.credentials.get(vendor)
        if given is not None:
            account.update(email=given.email, password=given.password)
            _seed(self._reference, vendor, account)
            if url is None:  # an in-process target holds the account the user named too
                _seed(self._target_fake, vendor, account)
        else:
            account.update(
                email=f"{ACCOUNT_PREFIX}{secrets.token_hex(4)}@example.com",
                password=f"Fv-{secrets.token_urlsafe(12)}",
            )
        self.secrets.append(account["password"])
        for side in (reference, target):
            side.context.update(account, origin=side.transport.origin)
        if given is None:
            setup = next(check for check in checks(vendor) if check.setup)
            self._setup[vendor] = self._compare(setup, reference, target)
        return reference, target

    def _steps(self, check: Check, side: _Side) -> tuple[tuple[Shape, ...], str]:
        """Each step's shape on ``side``, up to the first that cannot be sent or answered; and
        why the side stopped there (empty when every step was answered)."""
        context = dict(side.context)  # captures are the check's own
        shapes: list[Shape] = []
        for index, step in enumerate(check.steps):
            where = f"step {index + 1} ({step.describe()})"
            missing = [name for name in step.needs() if name not in context]
            if missing:
                why = _not_given(check, index, missing[0], shapes, side.name)
                return tuple(shapes), f"{where} not sent: {why}"
            shape, captured = self._send(step, side, context)
            shapes.append(shape)
            if shape.error:
                return tuple(shapes), f"{where}: {shape.error}"
            context.update(captured)
            self.secrets.extend(captured.values())
        return tuple(shapes), ""

    def _send(
        self, step: Step, side: _Side, context: Mapping[str, str]
    ) -> tuple[Shape, dict[str, str]]:
        headers = {name: fill(value, context) for name, value in step.headers.items()}
        body: bytes | None = None
        if step.json is not None:
            body = json.dumps(fill(step.json, context)).encode()
            headers.setdefault("Content-Type", "application/json")
        elif step.text is not None:
            body = fill(step.text, context).encode()
            headers.setdefault("Content-Type", "text/plain")
        if step.bearer is not None:
            headers["Authorization"] = f"Bearer {context[step.bearer]}"
        timeout = None
        deadline = self._deadline if side.bounded else None
        if deadline is not None:
            timeout = min(self.target.timeout, deadline.remaining())
            if timeout <= 0:
                return Shape(0, "no answer", None, (), f"not sent: {self._deadline_passed()}"), {}
        answer = side.transport.send(
            step.method, fill(step.path, context), headers, body, timeout=timeout
        )
        shape = shape_of(answer, step)
        if shape.error and deadline is not None and deadline.passed:
            shape = replace(shape, error=f"{shape.error}: {self._deadline_passed()}")
        document = answer.json() if not shape.error else None
        captured = {
            name: value
            for name, path in step.capture.items()
            if isinstance(value := lookup(document, path), str)
        }
        return shape, captured


def _not_given(check: Check, index: int, name: str, shapes: list[Shape], side: str) -> str:
    """Why step ``index`` of ``check`` lacks the value ``name`` on ``side``."""
    for earlier in range(index - 1, -1, -1):
        if name in check.steps[earlier].capture:
            step = check.steps[earlier].describe()
            return (
                f"it needs the {name} that step {earlier + 1} ({step}) gets, and {side}'s "
                f"answer ({shapes[earlier].brief()}) held none"
            )
    return f"it needs {name}, which neither the account nor an earlier step gives (a bug)"


def _env_name(vendor: Vendor) -> str:
    prefix = f"FAKEAUTH_VERIFY_{vendor.upper()}"
    return f"{prefix}_EMAIL and {prefix}_PASSWORD"


def _seed(fake: FakeAuth, vendor: Vendor, account: Mapping[str, str]) -> None:
    """Seed ``fake`` with the account the target holds (and Ovok's tenant and client)."""
    email, password = account["email"], account["password"]
    if vendor == "ovok":
        tenant, client = account["tenant"], account["client"]
        if tenant not in fake.ovok.tenants:
            fake.ovok.add_tenant(tenant)
        if client not in fake.ovok.clients:
            fake.ovok.add_client(client, tenant_id=tenant)
        fake.ovok.add_account(email=email, password=password, tenant_id=tenant)
    elif vendor == "b2core":
        fake.b2core.add_account(email=email, password=password)
    else:
        fake.waltid.add_account(email=email, password=password)
