"""EDTF level 1: the intervals dates stand for, their precision, and clear refusals."""

from __future__ import annotations

import pytest

from claimscope.db.edtf import EDTFError, parse_edtf


@pytest.mark.parametrize(
    ("text", "lower", "upper", "precision"),
    [
        ("2022-04-18", "2022-04-18", "2022-04-18", "day"),
        ("2023-08", "2023-08-01", "2023-08-31", "month"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2022", "2022-01-01", "2022-12-31", "year"),
        ("2023-08~", "2023-08-01", "2023-08-31", "month"),
        ("2022-04?", "2022-04-01", "2022-04-30", "month"),
        ("2021-12/2022-01", "2021-12-01", "2022-01-31", "interval"),
        ("../2020", "0001-01-01", "2020-12-31", "interval"),
        ("2019/..", "2019-01-01", "9999-12-31", "interval"),
        ("201X", "2010-01-01", "2019-12-31", "decade"),
        ("2023-XX", "2023-01-01", "2023-12-31", "year"),
        ("2023-23", "2023-09-01", "2023-11-30", "season"),
        ("2023-24", "2023-12-01", "2024-02-29", "season"),
    ],
)
def test_bounds_and_precision(text: str, lower: str, upper: str, precision: str) -> None:
    date = parse_edtf(text)
    assert (date.lower, date.upper, date.precision) == (lower, upper, precision)


def test_qualifiers() -> None:
    assert parse_edtf("2023-08~").approximate and not parse_edtf("2023-08~").uncertain
    assert parse_edtf("2022-04?").uncertain and not parse_edtf("2022-04?").approximate
    both = parse_edtf("2022%")
    assert both.uncertain and both.approximate


@pytest.mark.parametrize(
    ("text", "reading"),
    [("2022-04-18", "18 Apr 2022"), ("2023-08", "Aug 2023 (month)"), ("2023-08~", "c. Aug 2023 (month)"),
     ("2022", "2022 (year)"), ("2021-12/2022-01", "Dec 2021 – Jan 2022"), ("2022-04?", "Apr 2022 (month)?"),
     ("../2021-08-15", "before 15 Aug 2021"), ("2022/..", "from 2022 on")],
)
def test_readings_show_precision(text: str, reading: str) -> None:
    assert parse_edtf(text).describe() == reading


@pytest.mark.parametrize("text", ["April 2022", "2022-13", "2022-02-30", "22-04-18", "2022/2021", "/", "", "2022-4",
                                  "2022-04-18T10:00", "2022/2023/2024"])
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(EDTFError):
        parse_edtf(text)
