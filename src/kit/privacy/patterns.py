"""The typed patterns of personal data: the table in ``data/redaction_patterns.yml`` and its validators.

E-mails (also written out: ``anna at example dot com``), @handles, phone
numbers, card numbers, URLs with query strings and street addresses are
regexes in the table; a candidate phone number must also be a possible
number for libphonenumber's numbering plans (the ``phonenumbers`` package),
and a card number must pass the Luhn checksum (ISO/IEC 7812-1, annex B), so
an order number that fails it is not replaced as a card.
:mod:`kit.privacy.redaction` compiles these with the roster's names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import phonenumbers
import yaml

PATTERN_FILE = "redaction_patterns.yml"
DIGIT = "<digit>"


@dataclass(frozen=True)
class TypedPattern:
    """One row of the pattern table."""

    kind: str
    placeholder: str
    regex: str
    check: str | None = None
    needs: tuple[str, ...] = ()  # the text must hold one of these ("<digit>": any digit)
    starts: str = ""  # character class of a match's first character ("" = any)


@dataclass(frozen=True)
class PatternTable:
    """The whole of ``redaction_patterns.yml``."""

    patterns: tuple[TypedPattern, ...]
    phone_min_digits: int
    phone_max_digits: int
    name_particles: frozenset[str]
    common_words: frozenset[str]
    phone_regions: tuple[str, ...] = ()
    name_context: dict[str, frozenset[str]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def pattern_table() -> PatternTable:
    """Load (once) the packaged pattern table."""
    text = resources.files("kit").joinpath("data", PATTERN_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    suffixes = "|".join(re.escape(s) for s in sorted(data["street_suffixes"], key=len, reverse=True))
    patterns = tuple(
        TypedPattern(
            kind=row["kind"],
            placeholder=row["placeholder"],
            regex=row["regex"].replace("{street_suffix}", suffixes),
            check=row.get("check"),
            needs=tuple(str(n) for n in row.get("needs", ())),
            starts=row.get("starts", ""),
        )
        for row in data["patterns"]
    )
    return PatternTable(
        patterns=patterns,
        phone_min_digits=int(data["phone_digits"]["min"]),
        phone_max_digits=int(data["phone_digits"]["max"]),
        name_particles=frozenset(_words(data, "name_particles")),
        common_words=frozenset(_words(data, "common_words")),
        phone_regions=tuple(str(r).upper() for r in data.get("phone_regions") or ()),
        name_context={key: frozenset(_words(data["name_context"], key)) for key in data.get("name_context") or {}},
    )


def _words(data: dict[str, Any], key: str) -> list[str]:
    words = data.get(key) or []
    odd = [w for w in words if not isinstance(w, str)]
    if odd:  # YAML 1.1 reads bare yes/no/on as booleans: they must be quoted
        raise ValueError(f"{PATTERN_FILE}: {key}: expected words, got {odd!r} (quote them)")
    return [w.casefold() for w in words]


def luhn_valid(number: str) -> bool:
    """Luhn (mod 10) checksum of the digits in ``number`` (ISO/IEC 7812-1, annex B).

    From the right, every second digit is doubled (minus 9 when above 9); the
    sum of all digits must be a multiple of 10. Worked example (Wikipedia,
    "Luhn algorithm"): 7992739871 has check digit 3, so 79927398713 is valid.
    """
    digits = [int(c) for c in number if c.isdigit()]
    if not digits:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_number(number: str) -> bool:
    """A payment-card number: 13-19 digits (ISO/IEC 7812 PAN length) passing Luhn."""
    return 13 <= sum(c.isdigit() for c in number) <= 19 and luhn_valid(number)


def _phone_digits(number: str) -> bool:
    table = pattern_table()
    n = sum(c.isdigit() for c in number)
    return table.phone_min_digits <= n <= table.phone_max_digits


@lru_cache(maxsize=8192)  # parsing is ~50 us; notes repeat a team's or shop's number
def phone_number(text: str) -> bool:
    """A possible phone number by libphonenumber's numbering plans (the ``phonenumbers`` package).

    ``+`` and the ``00`` international prefix are read as international
    numbers; others as national numbers of any region in ``phone_regions``
    (redaction_patterns.yml). "Possible" checks the length for the country
    and number type (libphonenumber's ``isPossibleNumberWithReason``), which
    keeps dates and prices out (the regex found the candidate) without
    needing the number to be allocated, as fictional numbers in test data
    and transcripts are not.
    """
    if not _phone_digits(text):
        return False
    candidate = text.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    regions: tuple[str | None, ...] = (None,) if candidate.startswith("+") else pattern_table().phone_regions
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        # IS_POSSIBLE only: a number dialable without its area code ("local only") is too short to tell
        # from other digits; local numbers such as 555-0132 have their own pattern.
        if phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE:
            return True
    return False


CHECKS: dict[str, Callable[[str], bool]] = {
    "luhn": card_number,
    "phone_digits": _phone_digits,
    "phonenumber": phone_number,
}


# --- names -------------------------------------------------------------------------------
