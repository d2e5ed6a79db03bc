"""``docs/fidelity.md``, rendered from the registry (``python -m fakeauth.fidelity --write``)."""

from __future__ import annotations

from fakeauth.fidelity.model import KIND_LABELS, Entry

__all__ = ["GENERATED_NOTE", "INTRO", "PAGE_PATH", "REGENERATE", "render"]

#: Where the page is checked in, from the repository's root.
PAGE_PATH = "docs/fidelity.md"
#: The command that writes the page again.
REGENERATE = "python -m fakeauth.fidelity --write"

GENERATED_NOTE = (
    f"<!-- Generated from fakeauth/fidelity/ by `{REGENERATE}`; do not edit by hand. -->"
)

INTRO = """\
# Fidelity: where fakeauth may differ from the real services

fakeauth matches what the vendors document ([DOC]) and what their public source code shows
([SRC]) exactly. Where the public material is silent, fakeauth had to choose; every such choice
([PROPOSAL]) is listed here, so you know which answers to double-check against the real service
before you rely on them. The research behind each vendor is summarised in the project's API
contracts; a request on a vendor path that fakeauth does not serve answers `501` in that vendor's
error shape and is recorded in `fake.journal.unserved`.

Each row names its source kind and where it comes from:

- **[DOC]**: the vendor's documentation says so; fakeauth matches it exactly.
- **[SRC]**: the vendor's public source code (or a real public client) shows it.
- **[PROPOSAL]**: the public material is silent; this is fakeauth's choice. A team decision
  (the binding "Decisions" of the API contracts) is a [PROPOSAL] whose source begins
  "decision:".
- **[DEVIATION]**: the public material says one thing and fakeauth answers another, on purpose;
  the row says why.
- **[CONFLICT]**: the vendor's own public material contradicts itself; the row names both places
  and says which reading fakeauth follows (or that it accepts both).

A row that mixes kinds carries the least certain one. The last column is the row's stable id and
the test that pins it (marked `@pytest.mark.fidelity("<id>")`). This page is generated from the
registry in `fakeauth/fidelity/`, which `fake.fidelity()` and `GET /_fakeauth/fidelity` also
serve (`?vendor=ovok` for one vendor's rows)."""

_HEADER = "| Behaviour | fakeauth | Source kind and where | Test |\n|---|---|---|---|"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _row(entry: Entry) -> str:
    source = " ".join(part for part in (entry.source, entry.why) if part)
    test = f"`{entry.id}`: `{entry.test}`"
    cells = (entry.behaviour, entry.fakeauth, f"{KIND_LABELS[entry.kind]} {source}", test)
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def render(sections: tuple[tuple[str, str, str, tuple[Entry, ...]], ...]) -> str:
    """The page for ``sections`` (``(vendor, title, intro, entries)`` each), ending in a
    newline."""
    parts = [GENERATED_NOTE, INTRO]
    for _, title, intro, entries in sections:
        parts.append(f"## {title}")
        if intro:
            parts.append(intro)
        parts.append("\n".join([_HEADER, *(_row(entry) for entry in entries)]))
    return "\n\n".join(parts) + "\n"
