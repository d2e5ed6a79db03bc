"""The report: check | fakeauth | target | result | declared, then what diverged.

Everything it prints passes through :func:`fakeauth.redaction.redact` with every secret the run
knows (the user's credentials, the run's passwords, every token a step captured) and every
JWT-shaped string, so no secret stands in it even when a vendor echoes one in an error text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fakeauth.redaction import redact
from fakeauth.verify.runner import CheckResult

__all__ = ["Report"]

_HEADINGS = ("check", "fakeauth", "target", "result", "declared")


@dataclass(frozen=True)
class Report:
    """The results of one run against ``target`` (its name), ready to print."""

    target: str
    results: Sequence[CheckResult]
    secrets: Iterable[str] = ()
    #: A line printed under the title (say, that the target is a fresh fake too).
    note: str = ""

    @property
    def exit_status(self) -> int:
        """2 when a check could not be run to its end (the target could not be checked, so no
        verdict on it is complete); else 1 when a divergence is not declared in the registry;
        else 0 (every check matches, or diverges as declared)."""
        if any(result.error for result in self.results):
            return 2
        return 0 if all(result.ok for result in self.results) else 1

    def table(self) -> str:
        """The report as a Markdown table, then the differences of each diverging check."""
        rows = [_HEADINGS, *(_row(result) for result in self.results)]
        widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADINGS))]
        lines = [
            f"fakeauth verify: a fresh fake (fakeauth) against {self.target} (target)",
            *([self.note] if self.note else []),
            "",
            _line(rows[0], widths),
            "|" + "|".join("-" * (width + 2) for width in widths) + "|",
            *(_line(row, widths) for row in rows[1:]),
            "",
        ]
        diverging = [result for result in self.results if not result.matched]
        for result in diverging:
            lines += [result.explain(), ""]
        lines.append(self.summary())
        return self._scrubbed("\n".join(lines))

    def summary(self) -> str:
        """One line: how many matched, diverged (declared or not), were skipped, could not run."""
        counts = {"match": 0, "declared": 0, "undeclared": 0, "skipped": 0, "error": 0}
        for result in self.results:
            verdict = result.verdict()
            if verdict == "diverge":
                verdict = "declared" if result.declared else "undeclared"
            counts[verdict] += 1
        return (
            f"{len(self.results)} checks: {counts['match']} match, {counts['declared']} diverge "
            f"as declared, {counts['undeclared']} diverge undeclared, {counts['skipped']} skipped, "
            f"{counts['error']} could not be checked"
        )

    def json(self) -> str:
        """The report as one JSON document (``--format json``)."""
        document = {
            "target": self.target,
            "note": self.note or None,
            "exit_status": self.exit_status,
            "summary": self.summary(),
            "checks": [result.as_json() for result in self.results],
        }
        # by value only: under a key such as "accessToken" stands its type, "string", not a token
        scrubbed = redact(document, self.secrets, keys=frozenset())
        return json.dumps(scrubbed, indent=2, ensure_ascii=False)

    def _scrubbed(self, text: str) -> str:
        scrubbed: str = redact(text, self.secrets)
        return scrubbed


def _row(result: CheckResult) -> tuple[str, str, str, str, str]:
    verdict = result.verdict()
    if result.skipped or result.error:
        declared = result.skipped or result.error
    elif result.matched:
        declared = ""
    elif result.declared:
        declared = f"yes: {result.check.declared}"
    else:
        declared = "NO"
    return (
        result.check.id,
        " > ".join(shape.brief() for shape in result.fakeauth) or "-",
        " > ".join(shape.brief() for shape in result.target) or "-",
        verdict,
        declared,
    )


def _line(row: Sequence[str], widths: Sequence[int]) -> str:
    cells = (cell.replace("|", "\\|").ljust(width) for cell, width in zip(row, widths, strict=True))
    return "| " + " | ".join(cells) + " |"
