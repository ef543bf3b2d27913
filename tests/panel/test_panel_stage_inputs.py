"""kit.panel.study_inputs: what a study's stages read of the panel, for the run manifest's keys."""

from __future__ import annotations

from pathlib import Path

from kit.panel.study_inputs import INVALID_STUDY, panel_input_file, study_consent, study_supply
from kit.panel.supply import plan_supply
from kit.study.study_file import load_study
from panel_fixture import person, write_panel, write_study


def _two_studies(repo: Path) -> tuple[Path, Path]:
    write_panel(
        repo,
        [
            person("PN-1", "Ana Silva"),
            person("PN-2", "Ben Okoro", withdrawn="2026-09-01"),
            person("PN-3", "Chloe Martin", segment="Returning buyer"),
        ],
    )
    alpha = write_study(
        repo,
        "alpha",
        [["P01", "Ana Silva", "ana.silva@example.com", "First-time buyer", "no", "yes", "PN-1"]],
        [["S01", "P01", "2026-08-03", "Sam", "", "yes", ""]],
        start_date="2026-10-05",
        deadline="2026-11-30",
    )
    beta = write_study(
        repo,
        "beta",
        [
            ["P01", "Ben Okoro", "ben.okoro@example.com", "First-time buyer", "yes", "yes", "PN-2"],
            ["P02", "Chloe Martin", "chloe.martin@example.com", "Returning buyer", "yes", "yes", "PN-3"],
        ],
        [["S01", "P01", "2026-08-10", "Sam", "", "yes", ""], ["S02", "P02", "2026-08-11", "Sam", "", "yes", ""]],
        start_date="2026-10-05",
        deadline="2026-11-30",
    )
    return alpha, beta


def test_consent_lists_only_the_restrictions_of_the_study_s_own_people(tmp_path: Path):
    alpha, beta = _two_studies(tmp_path)
    # PN-2 withdrew: both withheld, in beta (where PN-2 took part) only; PN-1's "no" to quotes
    # in alpha is alpha's own latest consent, so it restricts alpha too.
    assert study_consent(tmp_path, beta) == [("PN-2", (False, False))]
    assert study_consent(tmp_path, alpha) == [("PN-1", (False, True))]


def test_supply_is_the_plan_s_panel_check_and_none_without_a_panel(tmp_path: Path):
    alpha, _ = _two_studies(tmp_path)
    supply = study_supply(tmp_path, alpha)
    assert supply == plan_supply(tmp_path, alpha, load_study(alpha))
    assert isinstance(supply, dict) and supply["day"] == "2026-10-05" and supply["segments"]
    (alpha / "study.yml").write_text("title: [unclosed\n")
    assert study_supply(tmp_path, alpha) == INVALID_STUDY  # the plan stage runs and says why
    (tmp_path / "panel" / "people.csv").unlink()
    assert study_supply(tmp_path, alpha) is None  # no panel: study.yml is not even read


def test_a_panel_file_is_its_spreadsheet_when_kept_as_one(tmp_path: Path):
    (tmp_path / "panel").mkdir()
    assert panel_input_file(tmp_path, "people.csv") == tmp_path / "panel" / "people.csv"
    (tmp_path / "panel" / "people.xlsx").write_bytes(b"")
    assert panel_input_file(tmp_path, "people.csv") == tmp_path / "panel" / "people.xlsx"
    assert panel_input_file(tmp_path, "rules.yml") == tmp_path / "panel" / "rules.yml"
