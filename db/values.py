"""How literal claim values read to people."""

from __future__ import annotations

from claimscope.db.edtf import parse_edtf

__all__ = ["format_number", "value_display"]


def format_number(number: float) -> str:
    """``4000.0`` -> ``"4,000"``, ``2.5`` -> ``"2.5"``."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


def value_display(value_text: str | None, value_number: float | None, value_date: str | None,
                  unit: str | None, qualifier: str | None = None) -> str | None:
    """A claim's literal value as people read it, or None for a claim with an object."""
    if value_number is not None:
        number = f"{qualifier} {format_number(value_number)}" if qualifier else format_number(value_number)
        return f"{number} {unit}" if unit else number
    if value_date is not None:
        return parse_edtf(value_date).describe()
    return value_text
