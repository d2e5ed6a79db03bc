"""Writing to a terminal or a pipe whose reader may leave (``fakeauth serve | head``)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["write_line"]


def write_line(text: str, out: TextIO) -> bool:
    """Write ``text`` and a newline to ``out`` and flush it; ``False`` when the reader has left.

    A closed pipe is no error of the program's: nothing is raised, and when ``out`` is standard
    output, its descriptor is pointed at ``/dev/null`` so that later writes (and Python's own
    flush at exit) go nowhere instead of raising ``BrokenPipeError`` again.
    """
    try:
        print(text, file=out, flush=True)
    except BrokenPipeError:
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False
    return True
