"""The wizard sessions of :class:`~fakeauth.state.b2core.B2CoreState`: opening a sign-up or
sign-in wizard, finding one for the next page (with the vendor's refusals), sweeping those past
their retention, and what ``fake.explain`` says of a wizard uuid."""

from __future__ import annotations

import copy
from dataclasses import replace

from fakeauth.clock import to_datetime
from fakeauth.findings import Finding, Verdict, credential_key
from fakeauth.randomness import RandomStream
from fakeauth.state.b2core_brokers import (
    EXPIRED_SESSION,
    FINISHED_SESSION,
    LOGIN_WORKFLOW,
    NO_SESSION,
    SIGNUP_WORKFLOW,
    WIZARD_TTL,
    B2CoreAccount,
    B2CoreBroker,
    FieldErrors,
    WizardSession,
)
from fakeauth.tokens import SWEEP_AT

__all__ = ["SIGNIN_WIZARD", "SIGNUP_WIZARD", "WIZARD_RETENTION", "B2CoreWizards", "wizard_copy"]

#: The kinds ``fake.explain`` gives a wizard uuid, by the flow it serves.
SIGNUP_WIZARD, SIGNIN_WIZARD = "signup wizard", "signin wizard"
#: How long after its expiry a wizard session still answers "expired" or "finished"; then it is
#: gone ("does not exist"), and the state drops it.
WIZARD_RETENTION = 24 * 3600


def wizard_copy(wizard: WizardSession, broker: B2CoreBroker) -> WizardSession:
    """A copy of ``wizard`` on ``broker`` (its broker's copy), its pages and form its own."""
    return replace(wizard, broker=broker, steps=list(wizard.steps), form=copy.deepcopy(wizard.form))


class B2CoreWizards:
    """The open wizard sessions by uuid (:attr:`sessions`), swept as tokens are.

    The owning state calls every method under its lock.
    """

    def __init__(self) -> None:
        self.sessions: dict[str, WizardSession] = {}
        self.next_sweep = SWEEP_AT

    def open(
        self, broker: B2CoreBroker, flow: str, workflow: str, *, ids: RandomStream, now: float
    ) -> WizardSession:
        """Open a wizard of ``flow`` on ``broker`` at ``workflow`` (sweeping first when due)."""
        if len(self.sessions) >= self.next_sweep:
            self.prune(now)
        session = WizardSession(
            ids.uuid4(), flow, broker, workflow, to_datetime(now), now + WIZARD_TTL
        )
        self.sessions[session.uuid] = session
        return session

    def prune(self, now: float) -> None:
        """Drop the wizard sessions past their retention (an amortised sweep, as tokens have)."""
        self.sessions = {
            uuid: s for uuid, s in self.sessions.items() if now < s.expires_at + WIZARD_RETENTION
        }
        self.next_sweep = max(SWEEP_AT, 2 * len(self.sessions))

    def get(
        self, broker: B2CoreBroker, uuid: str, flow: str, workflow: str | None, *, now: float
    ) -> WizardSession:
        """The open wizard ``uuid`` of ``flow`` on ``broker`` (at ``workflow`` unless ``None``);
        raises :class:`FieldErrors` on its ``uuid`` field, as the vendor does, otherwise."""
        session = self.sessions.get(uuid)
        default = SIGNUP_WORKFLOW if flow == "signup" else LOGIN_WORKFLOW
        problem = None
        if (
            session is None
            or session.broker is not broker
            or session.flow != flow
            # past its retention, a session is gone, whether a sweep has dropped it yet or not
            or now >= session.expires_at + WIZARD_RETENTION
        ):
            problem, session = NO_SESSION, None
        elif session.finished:
            problem = FINISHED_SESSION
        elif now >= session.expires_at:
            problem = EXPIRED_SESSION
        elif workflow is not None and session.workflow != workflow:
            problem = f"This wizard session is at the step {session.workflow!r}."
        if problem is not None:
            current = session.workflow if session is not None else default
            raise FieldErrors({"uuid": [problem]}, uuid=uuid, workflow=current)
        assert session is not None
        return session

    def end_for(self, account: B2CoreAccount) -> None:
        """End every wizard that works on ``account`` (its removal)."""
        for uuid in [u for u, s in self.sessions.items() if s.account is account]:
            del self.sessions[uuid]

    def finding(self, uuid: str, now: float) -> Finding:
        """What ``fake.explain`` says of the wizard uuid ``uuid`` at ``now``."""
        session = self.sessions.get(uuid)
        key = credential_key("b2core", f"wizard:{uuid}")
        if session is None:
            label = "B2Core wizard uuid"
            return Finding(verdict="unknown", vendor="b2core", label=label, kind="wizard", key=key)
        signup = session.flow == "signup"
        flow, kind = ("sign-up", SIGNUP_WIZARD) if signup else ("sign-in", SIGNIN_WIZARD)
        verdict: Verdict = "expired" if now >= session.expires_at else "live"
        note = ""
        if session.finished:  # before expiry: the API answers "finished" first
            verdict, note = "revoked", f"a wizard uuid serves one {flow}, and this one has finished"
        return Finding(
            verdict=verdict,
            vendor="b2core",
            label=f"B2Core {flow} wizard uuid",
            kind=kind,
            key=key,
            account=session.account.id if session.account is not None else None,
            issued_at=session.created_at.timestamp(),
            expires_at=session.expires_at,
            lifetime=WIZARD_TTL,
            note=note,
        )

    def share(self, brokers: dict[str, B2CoreBroker]) -> tuple[WizardSession, ...]:
        """Copies of the wizards for a snapshot, each on its broker's copy in ``brokers``."""
        return tuple(wizard_copy(w, brokers[w.broker.url]) for w in self.sessions.values())

    def hold(
        self, wizards: tuple[WizardSession, ...], brokers: dict[str, B2CoreBroker], next_sweep: int
    ) -> None:
        """Hold copies of a snapshot's ``wizards``, each on its broker's copy in ``brokers``."""
        self.sessions = {w.uuid: wizard_copy(w, brokers[w.broker.url]) for w in wizards}
        self.next_sweep = next_sweep
