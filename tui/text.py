"""Making untrusted text safe to show: no control sequences ever reach the terminal."""

from __future__ import annotations

import re

__all__ = ["clean", "clean_line"]

# ANSI/VT escape sequences (CSI, OSC such as OSC 52 or title setting, and single-character
# escapes), then every remaining C0/C1 control character except newline and tab.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.)?"
                      r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None) -> str:
    """``text`` with escape sequences and control characters removed (newlines and tabs kept).

    Bidirectional embedding and override marks are removed too: they could make a line
    read differently from what it holds.
    """
    if not text:
        return ""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def clean_line(text: str | None) -> str:
    """``clean`` for a one-line field: newlines and tabs become spaces."""
    return " ".join(clean(text).split())
