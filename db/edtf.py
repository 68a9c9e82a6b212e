"""A small parser for EDTF level 1 dates (Library of Congress Extended Date/Time Format).

Supported: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``; the qualifiers ``?`` (uncertain), ``~``
(approximate) and ``%`` (both) at the end of a date; unspecified digits (``201X``,
``2023-XX``, ``2023-08-XX``); seasons ``YYYY-21`` ... ``YYYY-24``; intervals
``A/B`` whose ends may be open (``..``) or unknown (empty). Each date stands for an
interval of days, from ``lower`` to ``upper`` (ISO strings), which is what the timeline
sorts and draws by.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

__all__ = ["EDTFDate", "EDTFError", "parse_edtf"]

_SINGLE = re.compile(
    r"(?P<year>-?[0-9X]{4})(?:-(?P<month>[0-9X]{2})(?:-(?P<day>[0-9X]{2}))?)?(?P<qual>[?~%])?"
)
_SEASONS = {21: ("spring", 3, 5), 22: ("summer", 6, 8), 23: ("autumn", 9, 11), 24: ("winter", 12, 2)}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
OPEN_LOWER = "0001-01-01"
OPEN_UPPER = "9999-12-31"


class EDTFError(ValueError):
    """A string that is not an EDTF level 1 date."""


@dataclass(frozen=True, slots=True)
class EDTFDate:
    """A parsed EDTF date: the text, the days it covers, and how precise it is."""

    text: str
    lower: str
    upper: str
    precision: str
    approximate: bool = False
    uncertain: bool = False

    def describe(self, labelled: bool = True) -> str:
        """A short reading of the date for people, e.g. ``Aug 2023 (month)``.

        ``labelled=False`` leaves out the ``(month)``/``(year)`` precision labels, for dates
        inside a phrase ("since 2015").
        """
        if "/" in self.text:
            first, _, last = self.text.partition("/")
            if first == "..":
                return f"before {_describe_single(last, labelled=False)}"
            if last == "..":
                return f"from {_describe_single(first, labelled=False)} on"
            start = _describe_single(first, labelled=False) if first else "?"
            end = _describe_single(last, labelled=False) if last else "?"
            return f"{start} – {end}"
        return _describe_single(self.text, labelled=labelled)


def _describe_single(text: str, labelled: bool = True) -> str:
    if text == "..":
        return "open"
    qualifier = text[-1] if text[-1] in "?~%" else ""
    core = text.rstrip("?~%")
    parts = core.split("-") if not core.startswith("-") else core[1:].split("-")
    year = parts[0]
    prefix = "c. " if qualifier in "~%" and qualifier else ""
    suffix = "?" if qualifier in "?%" and qualifier else ""
    if len(parts) == 1:
        body = (f"{year} (year)" if labelled else year) if "X" not in year else f"{year.replace('X', '0')}s"
    elif parts[1] in ("21", "22", "23", "24"):
        body = f"{_SEASONS[int(parts[1])][0]} {year}"
    elif parts[1] == "XX":
        body = f"{year} (year)" if labelled else year
    elif len(parts) == 2 or parts[2] == "XX":
        body = f"{_MONTHS[int(parts[1]) - 1]} {year}" + (" (month)" if labelled else "")
    else:
        body = f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {year}"
    return f"{prefix}{body}{suffix}"


def _bounds(match: re.Match[str], text: str) -> tuple[str, str, str]:
    year_text, month_text, day_text = match.group("year", "month", "day")
    negative = year_text.startswith("-")
    digits = year_text.lstrip("-")
    if negative:
        raise EDTFError(f"{text!r}: years before the common era are not supported here")
    if "X" in digits:
        if month_text or day_text or not re.fullmatch(r"[0-9]+X+", digits):
            raise EDTFError(f"{text!r}: unspecified digits must be the last digits of the year")
        width = digits.count("X")
        low_year = int(digits.replace("X", "0"))
        high_year = int(digits.replace("X", "9"))
        precision = "decade" if width == 1 else "century" if width == 2 else "year"
        return f"{max(low_year, 1):04d}-01-01", f"{high_year:04d}-12-31", precision
    year = int(digits)
    if year == 0:
        raise EDTFError(f"{text!r}: year 0000 is not a calendar year")
    if month_text is None:
        return f"{year:04d}-01-01", f"{year:04d}-12-31", "year"
    if month_text == "XX":
        if day_text not in (None, "XX"):
            raise EDTFError(f"{text!r}: a day cannot be given with an unspecified month")
        return f"{year:04d}-01-01", f"{year:04d}-12-31", "year"
    month = int(month_text)
    if month in _SEASONS and day_text is None:
        _, first, last = _SEASONS[month]
        last_year = year + 1 if last < first else year
        last_day = calendar.monthrange(last_year, last)[1]
        return f"{year:04d}-{first:02d}-01", f"{last_year:04d}-{last:02d}-{last_day:02d}", "season"
    if not 1 <= month <= 12:
        raise EDTFError(f"{text!r}: month {month_text} is not 01-12 (or a season 21-24)")
    days_in_month = calendar.monthrange(year, month)[1]
    if day_text is None or day_text == "XX":
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{days_in_month:02d}", "month"
    day = int(day_text) if day_text.isdigit() else 0
    if not 1 <= day <= days_in_month:
        raise EDTFError(f"{text!r}: day {day_text} does not exist in {year:04d}-{month:02d}")
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    return iso, iso, "day"


def _parse_single(text: str, whole: str) -> EDTFDate:
    match = _SINGLE.fullmatch(text)
    if not match:
        raise EDTFError(
            f"{whole!r} is not an EDTF date: expected YYYY, YYYY-MM or YYYY-MM-DD, "
            "optionally ending in ?, ~ or %, or two such dates joined by /"
        )
    lower, upper, precision = _bounds(match, whole)
    qualifier = match.group("qual") or ""
    return EDTFDate(
        text, lower, upper, precision,
        approximate=qualifier in ("~", "%"), uncertain=qualifier in ("?", "%"),
    )


def parse_edtf(text: str) -> EDTFDate:
    """Parse an EDTF level 1 date or interval.

    Raises:
        EDTFError: with a message that says what was expected.
    """
    if not isinstance(text, str):
        raise EDTFError(f"{text!r} is not an EDTF date: expected a quoted string such as \"2022-04-18\"")
    stripped = text.strip()
    if not stripped:
        raise EDTFError("an empty string is not an EDTF date")
    if "/" not in stripped:
        return _parse_single(stripped, text)
    first_text, _, last_text = stripped.partition("/")
    if "/" in last_text:
        raise EDTFError(f"{text!r}: an interval has exactly one '/'")
    if first_text in ("", "..") and last_text in ("", ".."):
        raise EDTFError(f"{text!r}: an interval needs at least one known end")
    first = _parse_single(first_text, text) if first_text not in ("", "..") else None
    last = _parse_single(last_text, text) if last_text not in ("", "..") else None
    lower = first.lower if first else OPEN_LOWER
    upper = last.upper if last else OPEN_UPPER
    if lower > upper:
        raise EDTFError(f"{text!r}: the interval ends before it starts")
    return EDTFDate(
        stripped, lower, upper, "interval",
        approximate=any(d is not None and d.approximate for d in (first, last)),
        uncertain=any(d is not None and d.uncertain for d in (first, last)),
    )
