"""The runner: every check on a fresh in-process fake ("fakeauth") and on the target, compared.

One :class:`Runner` holds, per vendor, the two sides of the comparison: a fresh fake answering
through its WSGI app (never the network) and the target's transport. The account the checks use
is the target's (from the environment; the fresh fake is seeded with the very same one), or one
the run registers on both sides through the vendor's public API, with a recognisable email
(``fakeauth-verify-<random>@example.com``).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fakeauth import fidelity_registry as fidelity
from fakeauth.fake import FakeAuth
from fakeauth.verify.checks import ACCOUNT_PREFIX, checks
from fakeauth.verify.model import Check, Shape, Step, Vendor, fill, lookup, shape_of
from fakeauth.verify.targets import HttpTransport, Target, Transport, WsgiTransport

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
    """One check's outcome: each step's shape on both sides, and whether they match."""

    check: Check
    fakeauth: tuple[Shape, ...]
    target: tuple[Shape, ...]
    skipped: str = ""

    @property
    def matched(self) -> bool:
        """Whether every step's answer has the same shape on both sides (or it was skipped)."""
        return bool(self.skipped) or self.fakeauth == self.target

    @property
    def declared(self) -> bool:
        """Whether the check's behaviour is an entry of the fidelity registry."""
        return is_declared(self.check)

    @property
    def ok(self) -> bool:
        """A match, or a divergence the registry declares."""
        return self.matched or self.declared

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
        """The check, its result and its differences, for an assertion message."""
        lines = [f"{self.check.id}: {self.check.title}: " + self.verdict()]
        lines += [f"  {line}" for line in self.differences()]
        return "\n".join(lines)

    def verdict(self) -> str:
        """``match``, ``skipped``, or ``diverge``."""
        if self.skipped:
            return "skipped"
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
        parts.append(f"body {ours.kind} vs {theirs.kind}")
    elif ours.types != theirs.types:
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
        self._lock = threading.RLock()
        #: Every value that must never be printed: the user's and the run's passwords, tokens.
        self.secrets: list[str] = self.target.secrets()

    def run(self, selected: Iterable[Check] | None = None) -> list[CheckResult]:
        """Run ``selected`` (default: every check), in order, setup checks included."""
        return [self.run_check(check) for check in (checks() if selected is None else selected)]

    def run_check(self, check: Check) -> CheckResult:
        """One check (its vendor's account set up first, if need be)."""
        with self._lock:
            reference, target, setup = self._prepare(check.vendor)
            if check.setup:
                return setup or self._setup_result(check)
            return CheckResult(check, self._steps(check, reference), self._steps(check, target))

    def _setup_result(self, check: Check) -> CheckResult:
        return self._setup.get(check.vendor) or CheckResult(
            check, (), (), skipped=f"the account is given in {_env_name(check.vendor)}"
        )

    def _prepare(self, vendor: Vendor) -> tuple[_Side, _Side, CheckResult | None]:
        with self._lock:
            if vendor not in self._sides:
                self._sides[vendor] = self._make_sides(vendor)
            reference, target = self._sides[vendor]
            return reference, target, self._setup.get(vendor)

    def _make_sides(self, vendor: Vendor) -> tuple[_Side, _Side]:
        url = self.target.base_urls.get(vendor)
        remote: Transport = (
            HttpTransport(url, timeout=self.target.timeout)
            if url
            else WsgiTransport(self._target_fake, vendor)
        )
        reference = _Side(WsgiTransport(self._reference, vendor))
        target = _Side(remote)
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
            self._setup[vendor] = CheckResult(
                setup, self._steps(setup, reference), self._steps(setup, target)
            )
        return reference, target

    def _steps(self, check: Check, side: _Side) -> tuple[Shape, ...]:
        context = dict(side.context)  # captures are the check's own
        shapes = []
        for step in check.steps:
            shape, captured = self._send(step, side.transport, context)
            shapes.append(shape)
            context.update(captured)
            self.secrets.extend(captured.values())
        return tuple(shapes)

    def _send(
        self, step: Step, transport: Transport, context: Mapping[str, str]
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
            token = context.get(step.bearer)
            if token is None:  # an earlier step gave none: nothing to send
                return Shape(0, "no answer", None, (), f"no {step.bearer} to send"), {}
            headers["Authorization"] = f"Bearer {token}"
        answer = transport.send(step.method, fill(step.path, context), headers, body)
        document = answer.json()
        captured = {
            name: value
            for name, path in step.capture.items()
            if isinstance(value := lookup(document, path), str)
        }
        return shape_of(answer, step), captured


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
