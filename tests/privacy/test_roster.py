"""Pseudonyms, redaction and consent (kit.privacy.roster, kit.privacy.redaction)."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.errors import DataError
from kit.privacy.patterns import card_number, luhn_valid
from kit.privacy.redaction import NAME_PLACEHOLDER, redact_typed
from kit.privacy.roster import MODERATOR, OBSERVER, Roster


def participants(rows: list[tuple]) -> pd.DataFrame:
    cols = ["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"]
    return pd.DataFrame(rows, columns=cols)


ROWS = [
    ("R-101", "Maria Gonzalez", "maria.g@example.com", "new", "yes", "yes"),
    ("R-102", "Kwame Mensah", "kwame@example.org", "returning", "no", "yes"),
    ("R-103", "Will Turner", "will@example.net", "new", "", "no"),
    ("R-104", "José Núñez", "jose@example.com", "new", "Yes", "No"),
    ("R-105", "Maria Okoro", "mo@example.com", "new", "yes", "yes"),
]
SESSIONS = pd.DataFrame(
    [
        ("S01", "R-101", "2026-10-19", "Sam Okafor", "Dana Whitfield; Lee Park"),
        ("S02", "R-102", "2026-10-19", "Sam Okafor", "Dana Whitfield"),
        ("S03", "R-103", "2026-10-20", "", "Sam Okafor"),
    ],
    columns=["session_id", "participant_id", "date", "moderator", "observers"],
)


@pytest.fixture
def roster() -> Roster:
    return Roster.from_frames(participants(ROWS), SESSIONS)


# --- pseudonyms ----------------------------------------------------------------------------


def test_pseudonyms_follow_roster_order(roster):
    assert [roster.pseudonym(p) for p in ("R-101", "R-102", "R-103", "R-104", "R-105")] == [
        "P01",
        "P02",
        "P03",
        "P04",
        "P05",
    ]
    assert roster.pseudonym(" R-102 ") == "P02"


def test_pseudonyms_stable_when_rows_are_appended():
    before = Roster.from_frames(participants(ROWS[:3]))
    after = Roster.from_frames(participants(ROWS + [("R-9", "Ana Lima", "", "new", "yes", "yes")]))
    for pid in ("R-101", "R-102", "R-103"):
        assert before.pseudonym(pid) == after.pseudonym(pid)
    assert after.pseudonym("R-9") == "P06"


def test_unknown_participant_is_a_key_error_and_a_data_error(roster):
    with pytest.raises(KeyError):
        roster.pseudonym("R-404")
    with pytest.raises(DataError, match="R-404"):
        roster.pseudonym("R-404")


def test_repeated_or_empty_ids_are_reported_with_lines():
    rows = ROWS[:2] + [("R-101", "Someone Else", "", "", "yes", "yes"), ("", "No Id", "", "", "", "")]
    with pytest.raises(DataError) as err:
        Roster.from_frames(participants(rows))
    text = str(err.value)
    assert "participants.csv:4" in text and "repeats" in text
    assert "participants.csv:5" in text and "empty" in text


def test_public_participants_hold_no_names(roster):
    rows = roster.public_participants()
    assert rows[0] == {"pseudonym": "P01", "segment": "new"}
    assert all(set(r) == {"pseudonym", "segment"} for r in rows)


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kwame Mensah said so", "P02 said so"),
        ("KWAME MENSAH said so", "P02 said so"),
        ("kwame  mensah said so", "P02 said so"),
        ("Kwame\nMensah said so", "P02 said so"),
        ("Kwame said so", "P02 said so"),
        ("kwame said so", "P02 said so"),
        ("Mensah said so", "P02 said so"),
        ("Kwame's basket", "P02's basket"),
        ("Kwame\u2019s basket", "P02\u2019s basket"),
        ("MENSAH'S basket", "P02'S basket"),
        ("Kwamesson and akwame stay", "Kwamesson and akwame stay"),
        ("Gonzalez", "P01"),
        ("Maria Gonzalez and Maria Okoro", "P01 and P05"),
        ("Maria was there", f"{NAME_PLACEHOLDER} was there"),  # two Marias: no pseudonym is right
        ("José Núñez", "P04"),
        ("Jose Nunez and núñez's", "P04 and P04's"),
        ("R-102 again", "P02 again"),
    ],
)
def test_participant_names_become_pseudonyms(roster, text, expected):
    assert roster.redact(text) == expected


def test_everyday_word_names_are_replaced_only_when_capitalised(roster):
    assert roster.redact("I will ask Will, WILL said") == "I will ask P03, P03 said"
    assert roster.redact("turner") == "P03"  # "Turner" is not an everyday word


def test_staff_names_become_role_placeholders(roster):
    assert roster.staff == {"Sam Okafor": MODERATOR, "Dana Whitfield": OBSERVER, "Lee Park": OBSERVER}
    assert roster.redact("Sam Okafor asked Dana and LEE PARK") == "[moderator] asked [observer] and [observer]"
    assert roster.redact("Okafor's question") == "[moderator]'s question"
    assert roster.role_of("Sam  Okafor") == MODERATOR and roster.role_of("Maria Gonzalez") is None


def test_transcript_speakers(roster):
    assert roster.speaker("Kwame Mensah") == "P02"
    assert roster.speaker("Sam Okafor") == MODERATOR
    assert roster.participant_of_speaker("kwame mensah") == "R-102"
    assert roster.participant_of_speaker("Sam Okafor", "S01") is None
    assert roster.participant_of_speaker("Speaker 2", "S01") == "R-101"


# --- typed placeholders --------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "(415) 555-0132",
        "0151 496 0000",
        "+1-202-555-0143",
        "+1 (415) 555-0132",
        "020 7946 0958",
        "07700 900123",
        "415.555.0132",
        "+33 1 23 45 67 89",
        "555-0132",
    ],
)
def test_phone_numbers(roster, phone):
    assert roster.redact(f"call me on {phone}, thanks") == "call me on [phone], thanks"


@pytest.mark.parametrize(
    "text",
    [
        "on 2026-10-19 at 00:00:04.210",
        "it costs £6.95",
        "about 20 s",
        "in 2026",
        "1,000 users",
        "version 1.2.3",
        "10-20 seconds",
        "from 2019-2020",
        "pi is 3.14159265",
    ],
)
def test_numbers_that_are_not_phones_stay(text):
    assert redact_typed(text) == text


def test_luhn_worked_example():
    # Wikipedia, "Luhn algorithm": 7992739871 with check digit 3.
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",  # Visa test number
        "5555-5555-5555-4444",  # Mastercard test number
        "378282246310005",  # American Express test number
        "4012888888881881",
    ],
)
def test_card_numbers_with_valid_luhn(card):
    assert card_number(card)
    assert redact_typed(f"card {card} expired") == "card [card] expired"


def test_long_numbers_failing_luhn_are_not_cards():
    assert not card_number("4111 1111 1111 1112")
    assert redact_typed("order 4111 1111 1111 1112") == "order 4111 1111 1111 1112"


def test_emails_urls_addresses(roster):
    text = (
        "Mail maria.g@example.com or ANYONE+tag@sub.example.co.uk; see "
        "https://shop.example.com/cart?id=42&email=x%40y.z. Home page https://example.com/help stays. "
        "Lives at 221B Baker Street, London NW1 6XE; office 10 Downing St; I waited 20 minutes on the road."
    )
    assert roster.redact(text) == (
        "Mail [email] or [email]; see [url]. Home page https://example.com/help stays. "
        "Lives at [address], London [address]; office [address]; I waited 20 minutes on the road."
    )


def test_redact_leaves_empty_values_alone(roster):
    assert roster.redact("") == "" and roster.redact(None) is None
    nan = float("nan")
    assert roster.redact(nan) is nan
    assert roster.redact(12) == "12"


# --- consent -------------------------------------------------------------------------------


def test_quote_consent(roster):
    assert roster.can_quote("R-101") and roster.can_quote("R-104")  # "Yes" counts
    assert not roster.can_quote("R-102") and not roster.can_quote("R-103")  # "no", blank
    assert not roster.can_quote("R-404")
    assert roster.quote("R-101", "Kwame helped me") == "P02 helped me"
    assert roster.quote("R-102", "I would never pay that") is None


def test_recording_consent(roster):
    assert roster.can_link_recording("R-101")
    assert not roster.can_link_recording("R-103") and not roster.can_link_recording("R-104")


def test_recording_links_need_consent_and_an_http_link():
    sessions = SESSIONS.assign(
        recording=["https://rec.example.com/S01", "https://rec.example.com/S02", "https://rec.example.com/S03"]
    )
    roster = Roster.from_frames(participants(ROWS), sessions)
    assert roster.recording_link("S01") == "https://rec.example.com/S01"  # R-101 consented
    assert roster.recording_link("S03") is None  # consent_recording "no"
    assert roster.recording_link("S99") is None  # unknown session
    hostile = SESSIONS.assign(recording=["javascript:alert(1)", "", "x"])
    roster = Roster.from_frames(participants(ROWS), hostile)
    assert roster.recording_link("S01") is None and roster.recording_link("S02") is None


def test_from_study_reads_csv_and_xlsx(tmp_path):
    data = tmp_path / "study" / "data"
    data.mkdir(parents=True)
    participants(ROWS).to_excel(data / "participants.xlsx", index=False)
    SESSIONS.to_csv(data / "sessions.csv", index=False)
    roster = Roster.from_study(tmp_path / "study")
    assert roster.pseudonym("R-105") == "P05" and roster.staff["Lee Park"] == OBSERVER
    with pytest.raises(DataError, match="participants.csv"):
        Roster.from_study(tmp_path / "nowhere")


def test_roster_repr_shows_no_names_or_ids(roster):
    # an executed notebook that displays the roster must not publish the mapping
    text = repr(roster) + str(roster)
    assert "P01" in text
    for secret in ("Maria", "Okafor", "R-101", "example.com"):
        assert secret not in text


def test_apostrophes_in_names_any_spelling():
    roster = Roster.from_frames(participants([("R-201", "Grace O'Connor", "", "", "yes", "yes")]))
    assert roster.redact("O\u2019Connor and o'connor and O`CONNOR's") == "P01 and P01 and P01's"


def test_a_panel_withdrawal_withholds_quotes_and_recordings_in_every_study(tmp_path):
    from panel_fixture import person, write_panel, write_study

    write_panel(tmp_path, [person("PN-1", "Maria Lopez", withdrawn="2026-02-01"), person("PN-2", "Tom Berg")])
    for slug in ("a", "b"):
        write_study(
            tmp_path,
            slug,
            [
                ["R-1", "Maria Lopez", "m@x.org", "First-time buyer", "yes", "yes", "PN-1"],
                ["R-2", "Tom Berg", "t@x.org", "First-time buyer", "yes", "yes", "PN-2"],
                ["R-3", "Una Linked", "u@x.org", "First-time buyer", "yes", "yes", ""],
            ],
            [
                ["S1", "R-1", "2026-01-10", "Sam", "", "", "https://rec.example/1"],
                ["S2", "R-2", "2026-01-11", "Sam", "", "", "https://rec.example/2"],
            ],
        )
        roster = Roster.from_study(tmp_path / "notebooks" / slug)
        assert not roster.can_quote("R-1") and not roster.can_link_recording("R-1")
        assert roster.recording_link("S1") is None and roster.recording_link("S2") == "https://rec.example/2"
        assert roster.can_quote("R-2") and roster.can_quote("R-3") and roster.withdrawn == {"R-1"}


def test_a_no_in_the_persons_latest_study_holds_in_the_earlier_ones_but_a_later_yes_grants_nothing(tmp_path):
    from panel_fixture import person, write_panel, write_study

    write_panel(tmp_path, [person("PN-1", "Maria Lopez"), person("PN-2", "Tom Berg")])
    maria = ["R-1", "Maria Lopez", "m@x.org", "First-time buyer"]
    tom = ["R-2", "Tom Berg", "t@x.org", "First-time buyer"]
    write_study(
        tmp_path,
        "early",
        [maria + ["yes", "yes", "PN-1"], tom + ["no", "no", "PN-2"]],
        [["S1", "R-1", "2026-01-10", "Sam", "", "", ""], ["S2", "R-2", "2026-01-10", "Sam", "", "", ""]],
    )
    write_study(
        tmp_path,
        "later",
        [maria + ["no", "yes", "PN-1"], tom + ["yes", "yes", "PN-2"]],
        [["S1", "R-1", "2026-05-10", "Sam", "", "", ""], ["S2", "R-2", "2026-05-10", "Sam", "", "", ""]],
    )
    early = Roster.from_study(tmp_path / "notebooks" / "early")
    later = Roster.from_study(tmp_path / "notebooks" / "later")
    # Maria said no to quotes in May: her January quotes are withheld too; recordings stay allowed
    assert not early.can_quote("R-1") and early.can_link_recording("R-1") and not later.can_quote("R-1")
    # Tom said no in January and yes in May: January stays no, May is yes
    assert not early.can_quote("R-2") and later.can_quote("R-2")
    # without a panel, each study's own columns are all there is
    (tmp_path / "panel" / "people.csv").unlink()
    assert Roster.from_study(tmp_path / "notebooks" / "early").can_quote("R-1")
