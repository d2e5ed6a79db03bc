"""Why a credential is refused: ``fake.explain(token)`` and the :class:`Explanation` it returns.

The vendors' states say what they know of a credential (:class:`~fakeauth.findings.Finding`); this
module turns the findings of every vendor into one verdict and one sentence, by the fake's clock,
naming the credential by kind and a short fingerprint, never whole. Nothing here names a vendor:
the words come from the findings (``"Ovok access token"``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fakeauth.clock import to_datetime
from fakeauth.errors import ConfigurationError
from fakeauth.findings import (
    MAX_LENGTH,
    VERDICTS,
    Boundary,
    Finding,
    Forgotten,
    HeldIds,
    Verdict,
    is_jwt_shaped,
    unverified_claims,
)
from fakeauth.journal import Journal

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = [
    "VERDICTS",
    "Explanation",
    "Verdict",
    "explain",
    "explain_in",
    "fingerprint",
    "held_credentials",
    "journal_entry",
]


def fingerprint(token: str) -> str:
    """The first 8 hex digits of the SHA-256 of ``token``: enough to tell two tokens of one test
    apart, never enough to use one."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:8]


@dataclass(frozen=True)
class Explanation:
    """Why the fake would accept or refuse one credential, by its clock.

    ``verdict`` is one of :data:`VERDICTS`; ``sentence`` says what happened and when; ``token``
    names the credential by kind and :func:`fingerprint` (``"Ovok access token 1a2b3c4d"``),
    never whole. ``vendor``, ``kind``, ``account`` (the subject), ``issued_at``, ``expires_at``,
    ``revoked_by``, ``revoked_at`` and ``journal_entry`` (the request that revoked it) are
    ``None`` where not known.
    """

    verdict: Verdict
    sentence: str
    token: str
    fingerprint: str
    vendor: str | None = None
    kind: str | None = None
    account: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_by: str | None = None
    revoked_at: datetime | None = None
    journal_entry: int | None = None

    @property
    def refused(self) -> bool:
        """Whether the fake refuses the credential (every verdict but ``live``)."""
        return self.verdict != "live"

    def to_dict(self) -> dict[str, Any]:
        """The explanation as JSON-ready data (times as ISO 8601)."""
        return {
            "verdict": self.verdict,
            "sentence": self.sentence,
            "token": self.token,
            "fingerprint": self.fingerprint,
            "vendor": self.vendor,
            "kind": self.kind,
            "account": self.account,
            "issued_at": _iso(self.issued_at),
            "expires_at": _iso(self.expires_at),
            "revoked_by": self.revoked_by,
            "revoked_at": _iso(self.revoked_at),
            "journal_entry": self.journal_entry,
        }

    def __str__(self) -> str:
        return f"{self.verdict}: {self.sentence}"


def explain(
    token: str,
    findings: Sequence[Finding],
    *,
    now: float,
    forgotten: Forgotten,
    vendor: str | None = None,
    kind: str | None = None,
    entry_of: Any = None,
) -> Explanation:
    """The explanation of ``token`` from every vendor's ``findings``, by the clock's ``now``.

    ``vendor`` and ``kind`` say where the token was sent and what was expected there (``"ovok"``,
    ``"access"``): a credential this fake issued for another vendor or of another kind is then
    ``wrong_vendor`` or ``wrong_kind``. ``entry_of(operation, at)`` gives the journal entry of
    the request that revoked a credential, if the journal can tell (``None`` otherwise).
    """
    fp = fingerprint(token)
    findings = [f for f in findings if _counts(f, kind, forgotten)]
    if not findings:
        if unverified_claims(token) is None:
            return _malformed(token, fp)
        name = f"JWT {fp}"
        sentence = (
            f"{name} was never issued by this fake: it is a well-formed JWT, but its claims "
            "have the shape of no vendor this fake serves"
        )
        return Explanation("unknown", sentence, name, fp)
    finding = _best(findings, forgotten, vendor, kind)
    name = f"{finding.label} {fp}"
    boundary = forgotten.boundary_of(finding.key) if finding.verdict == "unknown" else None
    verdict: Verdict = finding.verdict if boundary is None else "reset"
    if finding.issued_here and finding.verdict != "forged":
        if vendor is not None and vendor != finding.vendor:
            verdict = "wrong_vendor"
        elif kind is not None and kind != finding.kind:
            verdict = "wrong_kind"
    entry = None
    if verdict in ("revoked", "rotated") and finding.revoked_by and finding.revoked_at is not None:
        entry = entry_of(finding.revoked_by, finding.revoked_at) if entry_of else None
    sentence = _sentence(verdict, name, finding, now, boundary, vendor, kind, entry)
    return Explanation(
        verdict=verdict,
        sentence=sentence,
        token=name,
        fingerprint=fp,
        vendor=finding.vendor,
        kind=finding.kind,
        account=finding.account,
        issued_at=_datetime(finding.issued_at),
        expires_at=_datetime(finding.expires_at),
        revoked_by=finding.revoked_by if verdict in ("revoked", "rotated") else None,
        revoked_at=_datetime(finding.revoked_at) if verdict in ("revoked", "rotated") else None,
        journal_entry=entry,
    )


def explain_in(
    fake: FakeAuth, token: str, *, vendor: str | None = None, kind: str | None = None
) -> Explanation:
    """:func:`explain` for ``fake``: the findings of each of its vendor states, its clock, its
    forgotten credentials and its journal."""
    if not isinstance(token, str):
        raise ConfigurationError(
            f"explain takes the credential as a string, as a client sends it, not "
            f"{type(token).__name__}"
        )
    if vendor is not None:
        fake.vendor(vendor)  # raises, naming the vendors the fake serves
    findings = []
    if token and len(token) <= MAX_LENGTH:
        for record in fake.vendors:  # built if need be: a token may name a state not built yet
            found = record.explain(fake.vendor_state(record.name), token)
            if found is not None:
                findings.append(found)
    journal = fake.journal
    return explain(
        token,
        findings,
        now=fake.clock.time(),
        forgotten=fake.forgotten,
        vendor=vendor,
        kind=kind,
        entry_of=lambda operation, at: journal_entry(journal, operation, at),
    )


def held_credentials(fake: FakeAuth) -> list[HeldIds]:
    """The ids of every credential ``fake``'s built states hold, in constant time: what a reset,
    restore or import is about to forget (see :meth:`Forgotten.remember`)."""
    return [
        held for record, state in fake.built_states() for held in record.held_credentials(state)
    ]


def journal_entry(journal: Journal, operation: str, at: float) -> int | None:
    """The number of the journal entry whose request revoked a credential by ``operation`` at
    ``at``: the newest served call of ``operation`` that began by then; ``None`` when the
    journal no longer holds one, or when several began at that same instant (a frozen clock),
    since it cannot tell them apart."""
    moment = to_datetime(at)
    calls = [e for e in journal.calls(operation) if e.status < 400 and e.time <= moment]
    if not calls or sum(1 for entry in calls if entry.time == calls[-1].time) > 1:
        return None
    return calls[-1].seq


def _counts(finding: Finding, kind: str | None, forgotten: Forgotten) -> bool:
    """Whether ``finding`` says anything: a finding of a credential that may be any text
    (:attr:`Finding.any_text`) counts where its kind was expected or when the fake forgot it."""
    if not finding.any_text or finding.issued_here or finding.kind == kind:
        return True
    return forgotten.boundary_of(finding.key) is not None


def _best(
    findings: Sequence[Finding], forgotten: Forgotten, vendor: str | None, kind: str | None
) -> Finding:
    """The finding that says most: a record of the credential first, then one the fake forgot,
    then the vendor and kind it was sent as, then the first vendor whose shape it has."""
    for finding in findings:
        if finding.issued_here:
            return finding
    for finding in findings:
        if forgotten.boundary_of(finding.key) is not None:
            return finding
    for finding in findings:
        if finding.kind == kind and vendor in (None, finding.vendor):
            return finding
    return findings[0]


def _sentence(
    verdict: Verdict,
    name: str,
    finding: Finding,
    now: float,
    boundary: Boundary | None,
    vendor: str | None,
    kind: str | None,
    entry: int | None,
) -> str:
    note = f": {finding.note}" if finding.note else ""
    if verdict == "live":
        expiry = finding.expires_at
        until = ""
        if expiry is not None:
            until = f", expires at {_when(expiry, now)}, in {_in(expiry, now)}"
        return f"{name} is live{_of(finding)}{until}"
    if verdict == "expired":
        assert finding.expires_at is not None
        lives = ""
        if finding.lifetime is not None:
            lives = f": {finding.label}s live {_seconds(finding.lifetime)}"
        expired = finding.expires_at
        return f"{name} expired at {_when(expired, now)}, {_ago(expired, now)}{lives}"
    if verdict in ("revoked", "rotated"):
        done = "was revoked" if verdict == "revoked" else "was already exchanged"
        by = f" by {finding.revoked_by}" if finding.revoked_by else ""
        revoked = finding.revoked_at
        when = "" if revoked is None else f" at {_when(revoked, now)}, {_ago(revoked, now)}"
        journal = "" if entry is None else f", journal entry {entry}"
        rule = note or (": a refresh token is single use" if verdict == "rotated" else "")
        return f"{name} {done}{by}{when}{journal}{rule}"
    if verdict == "reset":
        assert boundary is not None
        return (
            f"{name} was issued before this fake's {boundary.event} at "
            f"{_when(boundary.at, now)}, {_ago(boundary.at, now)}, which forgot every credential "
            "it held"
        )
    if verdict == "forged":
        return (
            f"{name} is forged: its claims name a credential this fake issued, but its signature "
            "does not verify with this fake's key"
        )
    if verdict == "wrong_vendor":
        return f"{name} was issued by this fake for {finding.vendor}, and was sent to {vendor}"
    if verdict == "wrong_kind":
        return f"{name} was sent where {_article(kind or '')} {kind} credential is expected"
    return (
        f"{name} was never issued by this fake: it is well formed, but no record holds it "
        "(another fake, another lane or another run issued it)"
    )


def _malformed(token: str, fp: str) -> Explanation:
    name = f"credential {fp}"
    if not token:
        why = "it is empty"
    elif token != token.strip() or any(ch.isspace() for ch in token):
        why = "it holds white space, which no credential this fake issues does"
    elif is_jwt_shaped(token):
        why = "it has a JWT's three parts, but its header or claims are not base64url JSON"
    else:
        why = "it is neither a JWT nor any other credential this fake's vendors issue"
    return Explanation("malformed", f"{name} is malformed: {why}", name, fp)


def _of(finding: Finding) -> str:
    return f" (account {finding.account})" if finding.account else ""


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _when(at: float, now: float) -> str:
    """``10:00:00Z`` on the fake's current day, else the date too."""
    moment, today = to_datetime(math.floor(at)), to_datetime(now)
    if moment.date() == today.date():
        return moment.strftime("%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ago(at: float, now: float) -> str:
    if now < at:  # the clock was set back since (a reset follows the system time again)
        return f"{_seconds(math.ceil(at - now))} ahead of the fake's clock now"
    return f"{_seconds(math.floor(now - at))} ago"


def _in(at: float, now: float) -> str:
    return _seconds(math.ceil(at - now))


def _seconds(seconds: float) -> str:
    return f"{int(seconds):,} s"


def _datetime(at: float | None) -> datetime | None:
    return None if at is None else to_datetime(at)


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
