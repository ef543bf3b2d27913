"""Numbers and dates as spreadsheets in different locales write them: read by rule, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from kit.study import cells


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("1,234", ".", 1234.0),  # Excel #,##0 in an English locale
        ("1,234", ",", 1.234),  # a decimal comma
        ("1.234", ",", 1234.0),  # German #,##0
        ("1,234.5", None, 1234.5),  # both marks: the last is the decimal
        ("1.234,5", None, 1234.5),
        ("1,234,567", None, 1234567.0),  # repeated: grouping
        ("12,5", ",", 12.5),
        ("12,5", None, 12.5),  # not three digits after it: a decimal, whatever the table
        ("0,123", None, 0.123),  # a leading zero is never grouped
        ("1 234", None, 1234.0),  # French (spaces; NBSP becomes a space when cells are cleaned)
        ("1\u202f234,5", None, 1234.5),  # narrow no-break space
        ("1'234", None, 1234.0),  # Swiss
        ("-3", None, -3.0),
        ("\u22123", None, -3.0),  # a typographic minus
        ("90.5", ".", 90.5),
    ],
)
def test_numbers_by_rule(text, decimal, value):
    assert cells.parse_number(text, decimal) == pytest.approx(value)


def test_a_three_digit_group_without_a_table_convention_is_ambiguous():
    with pytest.raises(cells.AmbiguousNumber):
        cells.parse_number("1,234", None)
    with pytest.raises(cells.AmbiguousNumber):
        cells.parse_number("1.234", None)


@pytest.mark.parametrize(
    ("text", "decimal"),
    [("12,5", "."), ("12.5", ","), ("1,234.5", ","), ("abc", "."), ("1e3", "."), ("1,23,4", "."), ("", ".")],
)
def test_numbers_against_the_table_convention_are_refused(text, decimal):
    with pytest.raises(ValueError):
        cells.parse_number(text, decimal)


def test_table_decimal_from_unambiguous_cells_else_the_default():
    assert cells.table_decimal(["1,234", "7"], ".") == (".", {})
    assert cells.table_decimal(["1,234", "12,5"], ".") == (",", {",": "12,5"})
    assert cells.table_decimal(["1.234", "12.5"], ",") == (".", {".": "12.5"})
    assert cells.table_decimal(["3", "4"], None) == (None, {})
    mark, seen = cells.table_decimal(["12.5", "3,25"], None)
    assert mark == "." and seen == {".": "12.5", ",": "3,25"}


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-03-12", dt.date(2026, 3, 12)),
        ("2026/03/12", dt.date(2026, 3, 12)),
        ("2026-03-12 14:00", dt.date(2026, 3, 12)),
        ("2026-03-12T14:00:00Z", dt.date(2026, 3, 12)),
        ("13/03/2026", dt.date(2026, 3, 13)),
        ("03/13/2026", dt.date(2026, 3, 13)),
        ("03/03/2026", dt.date(2026, 3, 3)),
        ("13.03.2026", dt.date(2026, 3, 13)),
        ("12 March 2026", dt.date(2026, 3, 12)),
        ("Mar 12, 2026", dt.date(2026, 3, 12)),
        ("12-Mar-2026", dt.date(2026, 3, 12)),
    ],
)
def test_unambiguous_dates(text, date):
    assert cells.parse_date(text) == date


@pytest.mark.parametrize("text", ["03/12/2026", "3/4/2026", "03/12/26", "13/03/26"])
def test_ambiguous_dates_are_refused(text):
    with pytest.raises(cells.AmbiguousDate):
        cells.parse_date(text)


@pytest.mark.parametrize("text", ["next friday", "2026-13-01", "32/01/2026", "12 Foo 2026"])
def test_invalid_dates_are_refused(text):
    with pytest.raises(ValueError):
        cells.parse_date(text)
