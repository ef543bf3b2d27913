"""kit.study.codebook / codebook_lint: the codebook file, the lint of the studies' tags, synonyms rewritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.errors import CodebookError, DataError
from kit.study.codebook import Code, load_codebook
from kit.study.codebook_lint import apply_synonyms, lint_repository, near_duplicate
from kit.study.codebook_merge import merge_codes

CODEBOOK = """\
# team codebook
codes:
  - name: checkout
    definition: The checkout flow as a whole.
    synonyms: [payment-flow]
  - name: shipping-cost
    parent: checkout
    definition: The delivery charge.
    synonyms: [Delivery-Charge, postage]
  - name: address
    parent: checkout
  - name: trust
  - name: checkout-errors
    status: retired
    merged_into: error
  - name: error
"""

NOTES = (
    "note_id,session_id,participant_id,task,text,tags,kind\r\n"
    'N1,S1,R-1,Pay,"Paid, quickly",checkout;postage,observation\r\n'
    "N2,S1,R-1,Pay,Typed the address,adress,observation\r\n"
    "N3,S1,R-1,Pay,Stopped,Check-Out;trust,observation\r\n"
    "N4,S1,R-1,Pay,Saw an error,checkout-errors,observation\r\n"
)


def _repo(tmp_path: Path, codebook: str = CODEBOOK, notes: str = NOTES, slug: str = "alpha") -> Path:
    (tmp_path / "codebook.yml").write_text(codebook, encoding="utf-8")
    data = tmp_path / "notebooks" / slug / "data"
    data.mkdir(parents=True)
    (data / "notes.csv").write_bytes(notes.encode("utf-8"))
    return tmp_path


def test_codebook_resolves_synonyms_and_retired_codes(tmp_path):
    book = load_codebook(_repo(tmp_path))
    assert book.resolve("Delivery-Charge") == ("synonym", "shipping-cost")
    assert book.resolve("checkout-errors") == ("retired", "error")
    assert book.resolve("nope") == ("unknown", None)
    assert book.canonical("postage") == "shipping-cost" and book.canonical("checkout-errors") == "error"
    assert book.children("checkout") == ["shipping-cost", "address"]
    assert book.guid("trust") == book.guid("trust") and book.guid("trust") != book.guid("error")


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("codes:\n  - name: a\n    parent: b\n", "code 'a'", "parent 'b' is not a code"),
        ("codes:\n  - name: a\n  - name: A\n", "code 'a'", "defined again"),
        ("codes:\n  - name: a\n    status: retired\n", "code 'a'", "retired without merged_into"),
        ("codes:\n  - name: a\n    synonyms: [b]\n  - name: b\n", "code 'a'", "synonym 'b' is itself a code"),
        ("codes:\n  - name: a\n    parent: b\n  - name: b\n    parent: a\n", "code 'a'", "cycle: a -> b -> a"),
        ("codes:\n  - name: a\n    statuz: active\n", "key 'codes[0].statuz'", "unknown key"),
        ("codes:\n  - name: a\n    status: gone\n", "key 'codes[0].status'", "expected one of 'active' or 'retired'"),
        ("codes:\n  - name: 'a;b'\n", "key 'codes[0].name'", "without ';'"),
    ],
)
def test_codebook_problems_name_the_code_and_what_was_expected(tmp_path, text, where, message):
    with pytest.raises(CodebookError) as err:
        load_codebook(_repo(tmp_path, codebook=text))
    assert any(where in p.where and message in p.message for p in err.value.problems), err.value


def test_a_study_adds_codes_but_cannot_redefine_shared_ones(tmp_path):
    repo = _repo(tmp_path)
    study = repo / "notebooks" / "alpha"
    (study / "codebook.yml").write_text("codes:\n  - name: promo\n", encoding="utf-8")
    assert "promo" in load_codebook(repo, study).codes and "promo" not in load_codebook(repo).codes
    (study / "codebook.yml").write_text("codes:\n  - name: trust\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="notebooks/alpha/codebook.yml: code 'trust': defined again"):
        load_codebook(repo, study)


@pytest.mark.parametrize(
    "a, b, close",
    [
        ("check-out", "checkout", True),
        ("Check outs", "checkout", True),
        ("adress", "address", True),
        ("payments", "payment", True),
        ("pay", "day", False),
        ("trust", "error", False),
        ("payment-flow", "checkout", False),
    ],
)
def test_near_duplicates(a, b, close):
    assert bool(near_duplicate(a, b)) is close


def test_lint_names_file_line_and_the_code_to_use(tmp_path):
    repo = _repo(tmp_path)
    found = [str(p) for p in lint_repository(repo, load_codebook(repo)).problems]
    notes = "notebooks/alpha/data/notes.csv"
    assert f"{notes}:2: tag 'postage' is a synonym of 'shipping-cost': use 'shipping-cost'" in found
    assert any(
        f.startswith(f"{notes}:3: tag 'adress' is not in the codebook; near-duplicate of 'address'") for f in found
    )
    assert any(
        f.startswith(f"{notes}:4: tag 'check-out' is not in the codebook; near-duplicate of 'checkout'") for f in found
    )
    assert f"{notes}:5: tag 'checkout-errors' is a retired code, merged into 'error': use 'error'" in found
    assert "codebook.yml: code 'error': not used by any study's notes" not in found  # retired code counts for it
    assert not any("code 'checkout': not used" in f for f in found)
    assert "codebook.yml: code 'address': not used by any study's notes" in found


def test_a_repository_with_no_study_yet_is_not_told_every_code_is_unused(tmp_path):
    repo = _repo(tmp_path)
    assert any("not used by any study's notes" in str(p) for p in lint_repository(repo, load_codebook(repo)).problems)
    for study in (repo / "notebooks").iterdir():
        shutil.rmtree(study)
    assert not any("not used" in str(p) for p in lint_repository(repo, load_codebook(repo)).problems)


def test_lint_finds_near_duplicate_codes_and_tags_across_studies(tmp_path):
    repo = _repo(tmp_path, codebook=CODEBOOK + "  - name: addresses\n")
    data = repo / "notebooks" / "beta" / "data"
    data.mkdir(parents=True)
    (data / "notes.csv").write_text("note_id,session_id,participant_id,task,text,tags\nN1,S1,R-1,,x,on-boarding\n")
    (repo / "notebooks" / "alpha" / "data" / "notes.csv").write_text(
        "note_id,session_id,participant_id,task,text,tags\nN1,S1,R-1,,x,onboarding\n"
    )
    found = [str(p) for p in lint_repository(repo, load_codebook(repo)).problems]
    assert any(f.startswith("codebook.yml: code 'addresses': near-duplicate of code 'address'") for f in found)
    assert any("tags 'on-boarding' (beta) and 'onboarding' (alpha)" in f and "near-duplicates" in f for f in found)


def test_apply_synonyms_rewrites_only_changed_rows_atomically(tmp_path):
    repo = _repo(tmp_path)
    study = repo / "notebooks" / "alpha"
    before = (study / "data" / "notes.csv").read_bytes()
    diff = apply_synonyms(study, load_codebook(repo), str)
    after = (study / "data" / "notes.csv").read_bytes()
    assert '-N1,S1,R-1,Pay,"Paid, quickly",checkout;postage,observation' in diff
    assert '+N1,S1,R-1,Pay,"Paid, quickly",checkout;shipping-cost,observation' in diff
    assert "+N4,S1,R-1,Pay,Saw an error,error,observation" in diff
    assert "\n-N2" not in diff and "\n-N3" not in diff  # unknown tags are for a person to decide
    assert after.count(b"\r\n") == before.count(b"\r\n")  # the file keeps its CRLF line ends
    assert b"N2,S1,R-1,Pay,Typed the address,adress,observation\r\n" in after
    assert apply_synonyms(study, load_codebook(repo), str) == ""  # nothing left to rewrite


def test_apply_synonyms_refuses_excel_and_leaves_everything_unchanged(tmp_path):
    repo = _repo(tmp_path)
    study = repo / "notebooks" / "alpha"
    coding = study / "data" / "coding"
    coding.mkdir()
    (coding / "pm.xlsx").write_bytes(b"not really excel")
    before = (study / "data" / "notes.csv").read_bytes()
    with pytest.raises(DataError, match="only a CSV file can be rewritten"):
        apply_synonyms(study, load_codebook(repo), str)
    assert (study / "data" / "notes.csv").read_bytes() == before


def test_merge_codes_keeps_comments_and_reports_conflicts(tmp_path):
    repo = _repo(tmp_path)
    result = merge_codes(
        repo / "codebook.yml",
        [
            Code(name="Trust", definition="Doubt or reassurance."),
            Code(name="checkout", definition="Something else entirely."),
            Code(name="Returns", parent="checkout", guid="0f8fad5b-d9cb-469f-a165-70867728950e"),
        ],
    )
    text = (repo / "codebook.yml").read_text()
    assert result.added == ["returns"] and text.startswith(CODEBOOK)  # the existing entries, byte for byte
    assert result.conflicts == [
        "code 'checkout': definition differs (kept 'The checkout flow as a whole.', "
        "imported 'Something else entirely.')"
    ]
    assert result.not_filled == ["code 'trust': definition 'Doubt or reassurance.' (codebook.yml has none)"]
    book = load_codebook(repo)
    assert book.codes["trust"].definition == ""  # an existing entry is left as it is
    assert book.codes["returns"].parent == "checkout"
    assert book.guid("returns") == "0f8fad5b-d9cb-469f-a165-70867728950e"
