"""Numbers and dates typed into spreadsheets, read by rule and never guessed.

Numbers. Excel writes ``1,234`` (``#,##0``) in English locales, ``1.234``
and ``12,5`` in most of Europe, ``1 234`` in French and ``1'234`` in Swiss
ones. What a separator means follows from the cell's shape:

* both ``,`` and ``.``: the last is the decimal mark (``1,234.5``, ``1.234,5``);
* one separator repeated (``1,234,567``), or spaces / apostrophes between
  groups of three digits: grouping;
* one separator not followed by exactly three digits (``12,5``, ``0.75``,
  ``1234,567``): the decimal mark;
* one separator followed by exactly three digits (``1,234``): either. Such a
  cell takes the table's decimal mark, which is the one its unambiguous
  cells show, else the one its delimiter implies (comma-separated files come
  from decimal-point locales, semicolon-separated ones from decimal-comma
  locales); with neither (a tab-separated or Excel file with no other clue)
  the cell is an error naming it, never a guess.

Dates. ISO 8601 (``2026-03-12``, optionally with a time), ``2026/03/12``,
month names in English (``12 March 2026``, ``Mar 12, 2026``, ``12-Mar-2026``),
and ``d/m/yyyy`` or ``m/d/yyyy`` only when the order is certain (a part above
12, or both parts equal). ``03/12/2026`` and two-digit years are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

GROUP_CHARS = " '\u00a0\u202f\u2009"  # spaces (also non-breaking, narrow) and apostrophes between groups
_SPACED = re.compile(r"^(\d{1,3})((?:[ '\u00a0\u202f\u2009]\d{3})+)([.,]\d+)?$")
_DIGITS = re.compile(r"^\d+$")
_GROUPS = {sep: re.compile(rf"^\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+$") for sep in ",."}
COMMA, POINT = ",", "."
DECIMAL_NAMES = {COMMA: "a decimal comma", POINT: "a decimal point"}


class AmbiguousNumber(ValueError):
    """A cell such as ``1,234`` whose decimal mark the table does not settle."""


def _split_sign(text: str) -> tuple[str, str]:
    text = text.strip()
    if text and text[0] in "+-\u2212":
        return ("-" if text[0] in "-\u2212" else ""), text[1:].strip()
    return "", text


def decimal_evidence(text: str) -> str | None:
    """The decimal mark a cell's shape proves (``,`` / ``.``), or None (no separator, or ambiguous)."""
    _, body = _split_sign(text)
    if m := _SPACED.match(body):
        return m.group(3)[0] if m.group(3) else None
    has_comma, has_point = COMMA in body, POINT in body
    if has_comma and has_point:
        return COMMA if body.rfind(COMMA) > body.rfind(POINT) else POINT
    for sep in (COMMA, POINT):
        if sep in body:
            if body.count(sep) > 1:
                return COMMA if sep == POINT else POINT  # repeated: grouping, so the other one is decimal
            whole, frac = body.split(sep)
            if _DIGITS.match(whole or "0") and _DIGITS.match(frac or "x") and not _is_group(whole, frac):
                return sep
    return None


def _is_group(whole: str, frac: str) -> bool:
    """``1,234`` could be grouping: 1-3 leading digits not starting with 0, then exactly three."""
    return len(frac) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0")


def parse_number(text: str, decimal: str | None) -> float:
    """A cell as a float under the table's decimal mark (None: unknown).

    Raises :class:`AmbiguousNumber` when the cell's meaning depends on a
    decimal mark that is not known, ``ValueError`` when it is not a number
    written in that convention (``12,5`` where the table uses decimal points).
    """
    sign, body = _split_sign(text)
    if not body:
        raise ValueError("empty")
    if (m := _SPACED.match(body)) is not None:
        digits = m.group(1) + re.sub(f"[{GROUP_CHARS}]", "", m.group(2))
        return float(sign + digits + ("." + m.group(3)[1:] if m.group(3) else ""))
    has_comma, has_point = COMMA in body, POINT in body
    if has_comma and has_point:
        mark = COMMA if body.rfind(COMMA) > body.rfind(POINT) else POINT
        group = POINT if mark == COMMA else COMMA
        whole, frac = body.rsplit(mark, 1)
        if not _GROUPS[group].match(whole) or not _DIGITS.match(frac):
            raise ValueError(body)
        _check_mark(mark, decimal)
        return float(sign + whole.replace(group, "") + "." + frac)
    sep = COMMA if has_comma else POINT if has_point else None
    if sep is None:
        return float(sign + body) if _DIGITS.match(body) else _plain_float(sign + body)
    if body.count(sep) > 1:
        if not _GROUPS[sep].match(body):
            raise ValueError(body)
        _check_mark(COMMA if sep == POINT else POINT, decimal)
        return float(sign + body.replace(sep, ""))
    whole, frac = body.split(sep)
    if not _DIGITS.match(whole or "0") or not _DIGITS.match(frac):
        raise ValueError(body)
    if _is_group(whole, frac):
        if decimal is None:
            raise AmbiguousNumber(body)
        return float(sign + (whole + "." + frac if sep == decimal else whole + frac))
    _check_mark(sep, decimal)
    return float(sign + (whole or "0") + "." + frac)


def _plain_float(text: str) -> float:
    value = float(text)  # 1e3, inf and nan are not what a researcher types: refuse them
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(text)
    return value


def _check_mark(mark: str, decimal: str | None) -> None:
    if decimal is not None and mark != decimal:
        raise ValueError(f"uses {DECIMAL_NAMES[mark]}")


def table_decimal(cells: Iterable[str], default: str | None) -> tuple[str | None, dict[str, str]]:
    """The decimal mark of a table: (mark, {mark: first cell showing it}).

    The mark its unambiguous cells show; ``default`` (from the delimiter)
    when none does. When cells show both marks, the one shown first wins and
    the others fail :func:`parse_number` with a message naming the cell.
    """
    seen: dict[str, str] = {}
    for cell in cells:
        if cell and (mark := decimal_evidence(cell)) is not None:
            seen.setdefault(mark, cell)
            if len(seen) == 2:
                break
    return (next(iter(seen)) if seen else default), seen


# --- dates ------------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")
_NAMED = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d-%B-%Y", "%A %d %B %Y", "%a %d %b %Y")
EXPECTED_DATE = "a date like 2026-03-12 (YYYY-MM-DD)"


class AmbiguousDate(ValueError):
    """``03/12/2026``: 3 December or 12 March."""


def parse_date(text: str) -> dt.date:
    """A typed date, when certain; :class:`AmbiguousDate` or ``ValueError`` otherwise."""
    value = " ".join(text.replace(",", " ").split())
    if (m := _ISO.match(value)) is not None:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if (m := _NUMERIC.match(value)) is not None:
        a, b, year = int(m[1]), int(m[2]), m[3]
        if len(year) != 4:
            raise AmbiguousDate("two-digit year")
        if a == b or b > 12:  # m/d/yyyy (or the same either way)
            return dt.date(int(year), a, b)
        if a > 12:  # d/m/yyyy
            return dt.date(int(year), b, a)
        raise AmbiguousDate("day and month could be either way round")
    for fmt in _NAMED:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
