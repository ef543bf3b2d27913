"""The commands of issue 17: kit codebook, kit export --qdpx, kit import --qdc/--qdpx (exit codes and output)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import cli

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch) -> Path:
    shutil.copytree(ROOT / "notebooks" / "demo-checkout", tmp_path / "notebooks" / "demo-checkout")
    shutil.copy(ROOT / "codebook.yml", tmp_path / "codebook.yml")
    monkeypatch.setenv("KIT_REPO", str(tmp_path))
    return tmp_path


def test_kit_codebook_lists_findings_and_strict_fails_on_them(demo):
    runner = CliRunner()
    out = runner.invoke(cli, ["codebook"])
    assert out.exit_code == 0, out.output
    assert (
        "notebooks/demo-checkout/data/coding/pm.csv:14: tag 'delivery-charge' is a synonym of "
        "'shipping-cost': use 'shipping-cost'"
    ) in out.output
    assert "codebook: 19 codes, 1 studies, 7 findings" in out.output  # onboarding codes and error-messages unused here
    assert runner.invoke(cli, ["codebook", "--strict"]).exit_code == 1


def test_kit_codebook_apply_synonyms_prints_the_diff(demo):
    runner = CliRunner()
    out = runner.invoke(cli, ["codebook", "--apply-synonyms", "demo-checkout"])
    assert out.exit_code == 0, out.output
    assert "-N013,delivery-charge\n+N013,shipping-cost" in out.output
    assert "delivery-charge" not in (demo / "notebooks/demo-checkout/data/coding/pm.csv").read_text()
    again = runner.invoke(cli, ["codebook", "--apply-synonyms", "demo-checkout"])
    assert "no synonyms or retired codes" in again.output
    assert runner.invoke(cli, ["codebook", "--apply-synonyms", "nope"]).exit_code == 2


def test_kit_codebook_without_a_codebook_or_with_a_broken_one(demo):
    (demo / "codebook.yml").write_text("codes:\n  - name: a\n    parent: b\n")
    out = CliRunner().invoke(cli, ["codebook"])
    assert out.exit_code == 1 and "codebook.yml: code 'a': parent 'b' is not a code" in out.output
    (demo / "codebook.yml").unlink()
    out = CliRunner().invoke(cli, ["codebook"])
    assert out.exit_code == 1 and "codebook.yml: file not found" in out.output


def test_kit_export_and_import_round_trip(demo):
    runner = CliRunner()
    out = runner.invoke(cli, ["export", "--qdpx", "demo-checkout", "-o", str(demo / "out" / "demo.qdpx")])
    assert out.exit_code == 0, out.output
    assert "(pseudonymised): 8 sources, 18 codes, 2 coders" in out.output
    assert zipfile.is_zipfile(demo / "out" / "demo.qdpx")
    raw = runner.invoke(cli, ["export", "--qdpx", "demo-checkout", "--raw"])
    assert raw.exit_code == 2 and "--confirm-personal-data" in raw.output
    assert runner.invoke(cli, ["export", "--qdpx", "nope"]).exit_code == 2
    back = runner.invoke(cli, ["import", "--qdpx", str(demo / "out" / "demo.qdpx")])
    assert back.exit_code == 0, back.output
    assert "codebook.yml: 0 codes added, 18 already there" in back.output
    (demo / "notebooks/demo-checkout/data/coding/pm.csv").unlink()
    codings = runner.invoke(cli, ["import", "--qdpx", str(demo / "out" / "demo.qdpx"), "--study", "demo-checkout"])
    assert codings.exit_code == 0 and "wrote data/coding/pm.csv (62 notes)" in codings.output


def test_kit_import_qdc_from_another_tool(demo):
    out = CliRunner().invoke(cli, ["import", "--qdc", str(FIXTURES / "nvivo-codebook.qdc")])
    assert out.exit_code == 0, out.output
    assert "codebook.yml: 4 codes added (buy now pay later, returns and refunds, emotions, frustration)" in out.output
    assert "matched 'Saved card' -> 'saved-card'" in out.output and "conflict: code 'payment'" in out.output
    bad = CliRunner().invoke(cli, ["import", "--qdc", str(FIXTURES / "nvivo-codebook.qdc"), "--study", "x"])
    assert bad.exit_code == 2


def test_kit_run_shows_the_codebook_findings_of_the_studies_it_ran_as_warnings(demo, capsys):
    from kit.cli.analysis import print_codebook_warnings

    print_codebook_warnings(("demo-checkout",))
    err = capsys.readouterr().err
    assert (
        "kit: warning: notebooks/demo-checkout/data/coding/pm.csv:14: tag 'delivery-charge' is a synonym "
        "of 'shipping-cost'"
    ) in err
    (demo / "codebook.yml").write_text("codes: [")
    print_codebook_warnings(())
    assert "kit: warning: codebook.yml:" in capsys.readouterr().err  # never fails the run


def test_kit_codebook_apply_synonyms_diff_shows_participant_text_redacted(demo):
    # The diff goes to a terminal or a CI log: a phone number, a name or an id in a changed note
    # is printed as the stages publish it, while notes.csv keeps the words.
    notes = demo / "notebooks/demo-checkout/data/notes.csv"
    raw = "N900,S01,R-1041,Buy a product as a guest,Maria Gonzalez said call me on 07700 900123,postage,observation\n"
    notes.write_text(notes.read_text(encoding="utf-8") + raw, encoding="utf-8")
    out = CliRunner().invoke(cli, ["codebook", "--apply-synonyms", "demo-checkout"])
    assert out.exit_code == 0, out.output
    changed = [line for line in out.output.splitlines() if line.startswith(("-N900", "+N900"))]
    assert len(changed) == 2 and changed[0].endswith(",postage,observation"), out.output
    assert changed[1].endswith(",shipping-cost,observation"), out.output
    for private in ("07700 900123", "Maria", "Gonzalez", "R-1041"):
        assert private not in out.output, f"{private} printed in the diff"
    assert "P01" in changed[1]  # the participant's pseudonym stands in for the id and the name
    rewritten = notes.read_text(encoding="utf-8")
    assert "N900,S01,R-1041,Buy a product as a guest,Maria Gonzalez said call me on 07700 900123,shipping-cost" in (
        rewritten
    )


def test_kit_import_reports_codes_kept_apart_and_values_not_filled(demo):
    runner = CliRunner()
    out = runner.invoke(cli, ["import", "--qdc", str(FIXTURES / "nvivo-deductive.qdc")])
    assert out.exit_code == 0, out.output
    assert "codebook.yml: 14 codes added (q1 would you order again, yes, no, " in out.output
    assert ", 0 already there\n" in out.output
    assert (
        "  kept apart: 'Price' > 'Positive' as 'price/positive' (the file also has 'Delivery' > 'Positive')"
    ) in out.output
    again = runner.invoke(cli, ["import", "--qdc", str(FIXTURES / "nvivo-codebook.qdc")])
    assert again.exit_code == 0, again.output
    assert (
        "4 codes added (buy now pay later, returns and refunds, emotions, frustration), 2 already there" in again.output
    )
    assert (
        "  not filled: code 'payment': guid '8A1B6C1F-3E0D-4C8B-9D2A-6F4E5B7C8D90' (codebook.yml has none) "
        "(existing codes are left as they are)"
    ) in again.output
