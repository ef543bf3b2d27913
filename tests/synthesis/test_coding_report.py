"""kit.synthesis.coding_report: the agreement and requests sections of the synthesis page, escaped."""

from __future__ import annotations

import html

import pytest

from kit.synthesis import coding_report
from synthesis_fixture import make_study


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    out: list[str] = []
    monkeypatch.setattr("kit.display._display", lambda obj: out.append(getattr(obj, "data", str(obj))))
    return out


def test_agreement_section_lists_codes_bands_and_the_notes_to_settle(tmp_path, shown):
    from kit.synthesis.stage import synthesise

    study = make_study(tmp_path)
    (study / "data" / "coding").mkdir()
    (study / "data" / "coding" / "pm.csv").write_text(
        "note_id,tags\nN001,payment;<script>x</script>\nN002,payment\nN003,payment\nN005,trust\n"
    )
    coding_report.show_agreement(synthesise(study))
    html = "\n".join(shown)
    assert (
        "Coders: notes&#39; own tags (11 notes), PM (4 notes)" in html or "Coders: notes' own tags (11 notes)" in html
    )
    # Plain words first, the measure in brackets.
    assert (
        "Agreement between coders (Krippendorff&#39;s α " in html
        or "Agreement between coders (Krippendorff's α " in html
    )
    assert "notes.csv" not in html and "alpha band" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert "notes for the consensus pass" in html and "Card error said nothing useful" in html
    assert "Agreement per code (bands: Landis &amp; Koch 1977" in html and "<td>payment</td>" in html


def test_without_a_second_coder_the_page_says_how_to_add_one(shown):
    coding_report.show_agreement({"agreement": None})
    assert "add a second coder's data/coding/<role or initials>.csv" in html.unescape("\n".join(shown))


def test_requests_section_labels_them_expressed_interest(shown):
    coding_report.show_requests(
        {
            "requests": [
                {
                    "id": "R-1",
                    "date": "2026-01-01",
                    "text": "<b>dark</b> mode",
                    "votes": 3,
                    "status": "open",
                    "source": "",
                    "tags": ["ui"],
                }
            ]
        }
    )
    html = "\n".join(shown)
    assert "expressed interest (attitudinal)" in html and "&lt;b&gt;dark&lt;/b&gt; mode" in html
