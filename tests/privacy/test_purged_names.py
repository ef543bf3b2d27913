"""Names a purge removed stay findable by the privacy check, as salted hashes; mojibake forms of names too.

The leak of issue 26, point 3: a purge killed right after ``participants.csv``
was rewritten leaves another participant's note naming the person; the
stage, no longer knowing the name, publishes it in ``synthesis.json``. With
the purged names' hashes the check fails, naming the file and line, never the name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.layout import purged_names_path
from kit.privacy.leak_check import check_privacy_command, scan_for_leaks
from kit.privacy.purged_names import PurgedNames, mojibake_forms
from kit.synthesis.stage import run_synthesis_stage
from panel_fixture import write_csv, write_study

HIM = ("Tomasz", "Wójcik", "Wojcik", "WÃ³jcik")
NOTE = "Said Wójcik had told him the delivery cost was hidden"


@pytest.fixture
def half_purged(tmp_path: Path) -> Path:
    """Killed after participants.csv: the roster forgot Tomasz Wójcik, Tom Berg's note still names him."""
    study = write_study(
        tmp_path,
        "tiny",
        [
            ["R-1", "", "", "First-time buyer", "no", "no", ""],  # blanked by the purge
            ["R-2", "Tom Berg", "tom@mail.example", "First-time buyer", "yes", "yes", ""],
        ],
        [["S1", "R-1", "2026-04-01", "Sam Okafor", "", "", ""], ["S2", "R-2", "2026-04-02", "Sam Okafor", "", "", ""]],
    )
    write_csv(
        study / "data" / "notes.csv",
        ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"],
        [["N1", "S1", "R-1", "Pay", "Looked for the delivery date", "", ""], ["N2", "S2", "R-2", "Pay", NOTE, "", ""]],
    )
    run_synthesis_stage(study)
    assert "Wójcik" in (tmp_path / "reports" / "tiny" / "synthesis.json").read_text("utf-8")  # the leak
    return tmp_path


def test_the_check_misses_the_leak_without_the_purged_names(half_purged: Path):
    assert scan_for_leaks(half_purged) == []


def test_a_purged_name_published_is_found_by_its_hash_and_never_printed(half_purged: Path):
    path = purged_names_path(half_purged)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PurgedNames().with_names(["Tomasz Wójcik"]).text(), encoding="utf-8")
    assert not any(word in path.read_text("utf-8") for word in HIM)  # the file keeps hashes only
    lines: list[str] = []
    assert check_privacy_command(half_purged, echo=lines.append, echo_err=lines.append) == 1
    out = "\n".join(lines)
    synthesis = (half_purged / "reports" / "tiny" / "synthesis.json").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(synthesis, 1) if "Wójcik" in text)
    assert f"reports/tiny/synthesis.json:{line}: purged name" in out
    assert "[purged name] had told him" in out
    assert not any(word in out for word in HIM)


def test_full_names_accents_possessives_and_mojibake_of_purged_names_are_found(tmp_path: Path):
    known = PurgedNames().with_names(["Tomasz Wójcik", "Grace O'Connor"])
    texts = {
        "Tomasz Wójcik paid": (0, 13),
        "asked Wojcik's sister": (6, 12),
        "(WÃ³jcik)": (1, 8),
        "O’Connor said": (0, 8),
        "Grace O'Connor": (0, 14),
    }
    for text, span in texts.items():
        assert list(known.find(text)) == [span], text
    assert list(known.find("Tom said the wojciech was fine, grace period")) == []
    assert known.may_hold("a page\nthat names (Wojcik) once") and known.may_hold("Grace O’Connor")
    assert not known.may_hold("Tom said the wojciech was fine")  # the scan skips such a file
    assert not known.may_hold("decoded JSON of a page may hold a lone surrogate \ud83d")
    both = PurgedNames().with_names(["Will May"])  # two everyday words: only the full name is a name
    assert list(both.find("Will May said so")) == [(0, 8)] and both.may_hold("Will May")
    assert list(both.find("will it ship in May")) == [] and not both.may_hold("in May")


def test_a_roster_name_is_found_in_its_mojibake_forms(half_purged: Path):
    assert "WÃ³jcik" in mojibake_forms("Wójcik")
    roster = half_purged / "notebooks" / "tiny" / "data" / "participants.csv"
    roster.write_text(roster.read_text("utf-8").replace("R-1,,", "R-1,Tomasz Wójcik,"), encoding="utf-8")
    site = half_purged / "_site" / "page.html"
    site.parent.mkdir()
    site.write_text("<p>Said WÃ³jcik had told him</p>\n", encoding="utf-8")
    leaks = [leak for leak in scan_for_leaks(half_purged) if leak.file == "_site/page.html"]
    assert {(leak.kind, leak.item) for leak in leaks} == {("name", "Wójcik")}
    assert leaks[0].line == 1


def test_the_stage_redacts_a_purged_name_no_roster_holds_any_more(half_purged: Path):
    path = purged_names_path(half_purged)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PurgedNames().with_names(["Tomasz Wójcik"]).text(), encoding="utf-8")
    run_synthesis_stage(half_purged / "notebooks" / "tiny")
    published = (half_purged / "reports" / "tiny" / "synthesis.json").read_text("utf-8")
    assert "Said [name] had told him" in published and "Wójcik" not in published
    assert scan_for_leaks(half_purged) == []
