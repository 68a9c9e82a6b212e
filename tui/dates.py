"""Dates as people read them, in a column of fixed width: ``11 Sep 2001``, ``Aug–Nov 2021``, ``from 2013``.

Apart from ``rows`` so that start-up, whose first list (the groups) shows no dates, reads none of this.
"""

from __future__ import annotations

__all__ = ["short_date"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEASONS = {"21": "spring", "22": "summer", "23": "autumn", "24": "winter"}


_LEVELS = ("day", "month", "year")


def _parts(single: str) -> tuple[str, str | None, str | None, str]:
    """Year, month (or season), day and qualifier of one EDTF date; unspecified digits (``XX``) as None."""
    qualifier = single[-1] if single[-1:] in "?~%" else ""
    year, *rest = single.rstrip("?~%").split("-")
    month = rest[0] if rest and rest[0] != "XX" else None
    day = rest[1] if len(rest) > 1 and rest[1] != "XX" and month is not None else None
    return year, month, day, qualifier


def _at(single: str, level: str) -> str:
    """One EDTF date read no more precisely than ``level``: ``11 Sep 2001``, ``Sep 2001``, ``2001``."""
    year, month, day, qualifier = _parts(single)
    if "X" in year:
        body = f"{year.replace('X', '0')}s"
    elif month in _SEASONS and level != "year":
        body = f"{_SEASONS[month]} {year}"
    elif month and month not in _SEASONS and day and level == "day":
        body = f"{int(day)} {_MONTHS[int(month) - 1]} {year}"
    elif month and month not in _SEASONS and level in ("day", "month"):
        body = f"{_MONTHS[int(month) - 1]} {year}"
    else:
        body = year
    return ("c. " if qualifier in ("~", "%") else "") + body + ("?" if qualifier in ("?", "%") else "")


def _forms(date: str) -> list[str]:
    """An EDTF date or interval read at each precision, from the most precise to the year."""
    if "/" not in date:
        return [_at(date, level) for level in _LEVELS]
    first, _, last = date.partition("/")
    if first in ("", ".."):
        return [f"before {_at(last, level)}" for level in _LEVELS]
    if last in ("", ".."):
        return [f"from {_at(first, level)}" for level in _LEVELS]
    forms = []
    (start_year, start_month, start_day, start_qualifier), (end_year, end_month, end_day, end_qualifier) = (
        _parts(first), _parts(last))
    plain_months = all(month and month not in _SEASONS for month in (start_month, end_month))
    for level in _LEVELS:
        if start_year == end_year and not start_qualifier and not end_qualifier and plain_months and level != "year":
            # Within one year the year is said once, and within one month the month too.
            months = [_MONTHS[int(month) - 1] for month in (start_month, end_month)]  # type: ignore[arg-type]
            if level == "day" and start_day and end_day:
                forms.append(f"{int(start_day)}–{int(end_day)} {months[0]} {start_year}" if months[0] == months[1]
                             else f"{int(start_day)} {months[0]}–{int(end_day)} {months[1]} {start_year}")
            else:
                forms.append(f"{months[0]} {start_year}" if months[0] == months[1]
                             else f"{months[0]}–{months[1]} {start_year}")
        elif start_year == end_year and level == "year":
            qualifiers = start_qualifier + end_qualifier
            forms.append(("c. " if set(qualifiers) & set("~%") else "") + start_year
                         + ("?" if set(qualifiers) & set("?%") else ""))
        else:
            forms.append(f"{_at(first, level)}–{_at(last, level)}")
    return forms


def short_date(date: str | None, width: int) -> str:
    """An EDTF date in at most ``width`` cells, as precise as fits: ``11 Sep 2001``, ``Aug–Nov 2021``, ``from 2013``.

    For a column of dates: the most precise reading that fits, else the shortest cut with an ellipsis.
    """
    if not date:
        return ""
    try:
        forms = _forms(date)
    except (ValueError, IndexError):
        forms = [date]
    for form in forms:
        if len(form) <= width:
            return form
    shortest = min(forms, key=len)
    return shortest[:max(width - 1, 0)] + "…" if width else ""
