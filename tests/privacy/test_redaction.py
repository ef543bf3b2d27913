"""Redaction of what the roster and the typed patterns miss as people actually write.

Obfuscated e-mails, @handles, phone numbers with the 00 international prefix
(checked with libphonenumber), names typed without their apostrophes or
hyphens, and names that are everyday words, replaced as names and kept as words.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kit.privacy.patterns import phone_number
from kit.privacy.redaction import punctuation_variants, redact_typed
from kit.privacy.roster import Roster

PEOPLE = [
    ("R-1", "Will Turner"),
    ("R-2", "Grace O'Brien"),
    ("R-3", "Mark Al-Sayed"),
    ("R-4", "May Lin"),
    ("R-5", "Bill Novak"),
]


@pytest.fixture(scope="module")
def roster() -> Roster:
    frame = pd.DataFrame(
        [(pid, name, "", "s", "yes", "yes") for pid, name in PEOPLE],
        columns=["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"],
    )
    return Roster.from_frames(frame)


@pytest.mark.parametrize(
    "text",
    [
        "anna at example dot com",
        "Anna AT example DOT com",
        "anna [at] example [dot] com",
        "anna(at)example.com",
        "anna dot lee at example dot co dot uk",
        "anna {at} example {dot} org",
        "anna <at> example <dot> de",
    ],
)
def test_obfuscated_emails(text):
    assert redact_typed(f"write to {text} today") == "write to [email] today"


@pytest.mark.parametrize("text", ["I looked at google.com", "we met at home. Then we left", "look at the page dot com"])
def test_at_in_ordinary_sentences_stays(text):
    assert redact_typed(text) == text


def test_handles_but_not_emails_or_a_lone_at():
    assert redact_typed("ping @anna_lee or @sam.okafor.") == "ping [handle] or [handle]."
    assert redact_typed("mail a.b@example.com") == "mail [email]"
    assert redact_typed("meet @ 5pm") == "meet @ 5pm"


@pytest.mark.parametrize(
    "phone", ["0044 20 7946 0958", "0049 30 1234567", "+49 (0)30 1234567", "030/1234567", "0033 1 23 45 67 89"]
)
def test_phone_numbers_with_00_prefix_and_other_shapes(phone):
    assert redact_typed(f"call {phone} now") == "call [phone] now"


def test_phone_check_uses_numbering_plans():
    assert phone_number("0044 20 7946 0958") and phone_number("+1 202 555 0143")
    assert not phone_number("0044 20 79")  # too short for the UK plan
    assert not phone_number("+999 1234 5678")  # no such country code


def test_name_variants_without_punctuation(roster):
    assert punctuation_variants("o'brien") == {"o'brien", "obrien", "o brien"}
    assert roster.redact("Obrien, O Brien, OBrien, o'brien and O’Brien") == "P02, P02, P02, P02 and P02"
    assert roster.redact("Alsayed, Al Sayed and AL-SAYED") == "P03, P03 and P03"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Will it ship before Friday?", "Will it ship before Friday?"),  # the example
        ("Will said it was slow.", "P01 said it was slow."),
        ("I asked Will, then Will's partner.", "I asked P01, then P01's partner."),
        ("I will try. WILL SAID NO.", "I will try. P01 SAID NO."),
        ("May I ask? In May, May said yes on May 3.", "May I ask? In May, P04 said yes on May 3."),
        ("Mark the box; Mark clicked it; the Mark button.", "Mark the box; P03 clicked it; the Mark button."),
        ("Bill me later, said Bill.", "Bill me later, said P05."),
        ("Grace: it says invalid", "P02: it says invalid"),
        ("Thanks, Grace.", "Thanks, P02."),
    ],
)
def test_everyday_word_names_replaced_as_names_kept_as_words(roster, text, expected):
    assert roster.redact(text) == expected
