"""``python -m fakeauth.fidelity [--write]``: print ``docs/fidelity.md`` from the registry, or
write it (``--write``, run from the repository's root)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fakeauth.fidelity.page import PAGE_PATH, render
from fakeauth.fidelity_registry import SECTIONS, problems


def main(argv: list[str] | None = None) -> int:
    """Check the registry, then print the page or (``--write``) write it; 1 on a mistake."""
    parser = argparse.ArgumentParser(
        prog="python -m fakeauth.fidelity", description="Render docs/fidelity.md."
    )
    parser.add_argument("--write", action="store_true", help=f"write {PAGE_PATH}")
    args = parser.parse_args(argv)
    found = problems()
    if found:
        print("\n".join(found), file=sys.stderr)
        return 1
    page = render(SECTIONS)
    if args.write:
        Path(PAGE_PATH).write_text(page, encoding="utf-8")
        print(f"wrote {PAGE_PATH}")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
