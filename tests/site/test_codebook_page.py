"""kit.site.codebook_page: the Codebook page's content (both engines include the same Markdown)."""

from __future__ import annotations

from pathlib import Path

from kit.iorw import atomic_write_json
from kit.site.codebook_page import codebook_data, codebook_markdown

CODEBOOK = """\
codes:
  - name: checkout
    definition: The flow as a whole.
  - name: shipping-cost
    parent: checkout
    definition: "The delivery charge <script>alert(1)</script> [link](javascript:x)"
    include: ["surprised by the charge"]
    synonyms: [postage]
  - name: old-pay
    status: retired
    merged_into: checkout
"""


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "codebook.yml").write_text(CODEBOOK)
    atomic_write_json(
        tmp_path / "reports" / "alpha" / "synthesis.json",
        {
            "notes": [
                {"id": "N1", "tags": ["shipping-cost"]},
                {"id": "N2", "tags": ["postage", "checkout"]},
                {"id": "N3", "tags": ["old-pay", "mystery"]},
            ],
            "agreement": {"overall": {"alpha": 0.712, "alpha_band": "tentative"}, "coders": [{}, {}]},
        },
    )
    atomic_write_json(tmp_path / "reports" / "beta" / "synthesis.json", {"notes": [{"id": "N1", "tags": ["checkout"]}]})
    return tmp_path


def test_usage_per_study_counts_synonyms_and_retired_codes_for_the_code_to_use(tmp_path):
    data = codebook_data(_repo(tmp_path), ["alpha", "beta"])
    rows = {r["name"]: r for r in data["codes"]}
    assert [r["name"] for r in data["codes"]] == ["checkout", "shipping-cost", "old-pay"]
    assert rows["shipping-cost"]["depth"] == 1 and rows["shipping-cost"]["uses"] == {"alpha": 2, "beta": 0}
    assert rows["checkout"]["uses"] == {"alpha": 2, "beta": 1}  # N2 once (not twice), N3 through old-pay
    assert data["unknown"] == {"mystery": {"alpha": 1}}
    assert data["agreement"] == {"alpha": {"alpha": 0.712, "band": "tentative", "coders": 2}}


def test_markdown_escapes_the_teams_text_and_shows_the_hierarchy(tmp_path):
    md = codebook_markdown(codebook_data(_repo(tmp_path), ["alpha", "beta"]))
    assert "| ↳ shipping-cost | The delivery charge \\<script\\>alert(1)\\</script\\> \\[link\\](javascript:x)" in md
    assert "| checkout | The flow as a whole. | – | – | – | 2 | 1 | 3 |" in md
    assert "old-pay (retired: use checkout)" in md
    assert "| mystery | alpha (1) |" in md and "| alpha | 2 | 0.712 | tentative |" in md


def test_without_a_codebook_the_page_says_how_to_start(tmp_path):
    assert "No `codebook.yml` yet" in codebook_markdown(codebook_data(tmp_path, []))
    (tmp_path / "codebook.yml").write_text("codes:\n  - name: a\n    parent: b\n")
    assert "cannot be read" in codebook_markdown(codebook_data(tmp_path, []))


def test_agreement_reads_in_plain_words_with_the_measure_named_for_researchers(tmp_path):
    data = codebook_data(_repo(tmp_path), ["alpha", "beta"])
    data["agreement"]["beta"] = {"alpha": 0.85, "band": "reliable", "coders": 3}
    data["agreement"]["gamma"] = {"alpha": None, "band": None, "coders": 2}
    md = codebook_markdown(data)
    assert "| beta | 3 | 0.850 | high |" in md  # reader_words.csv: agreement.reliable
    assert "| gamma | 2 | – | not measurable |" in md
    assert "Krippendorff's alpha" in md.split("## Agreement between coders")[1]  # named, after the plain words
