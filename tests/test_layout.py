"""kit.layout: the stage list comes from the stage table and matches the templates; paths derive from it."""

from __future__ import annotations

from pathlib import Path

from kit.layout import (
    INSIGHTS_PAGE,
    STAGES,
    insight_href,
    is_study_report_dir,
    reports_dir_for,
    stage_pages,
    stage_table,
    study_slug,
)

ROOT = Path(__file__).resolve().parents[1]


def test_stages_are_the_stage_tables_notebooks_and_every_one_has_a_template():
    assert STAGES == ("01-plan.ipynb", "02-sessions.ipynb", "03-insights.ipynb")
    assert [row["notebook"] for row in stage_table()] == list(STAGES)
    assert all((ROOT / "templates" / stage).is_file() for stage in STAGES)


def test_every_stage_has_a_site_page_titled_in_the_stage_table() -> None:
    pages = stage_pages()
    assert list(pages) == [Path(stage).stem for stage in STAGES]
    assert list(pages.values()) == ["Plan", "Synthesis", "Insights"]
    assert f"{list(pages)[-1]}.html" == INSIGHTS_PAGE  # the page a study's listing entry opens


def test_a_studys_reports_sit_under_reports_slug_unless_papermill_names_them(tmp_path: Path):
    study = tmp_path / "notebooks" / "pricing-2027"
    study.mkdir(parents=True)
    assert study_slug(study) == "pricing-2027"
    assert reports_dir_for(study) == tmp_path.resolve() / "reports" / "pricing-2027"
    assert reports_dir_for(study, "elsewhere/x") == Path("elsewhere/x")


def test_insight_links_are_site_root_relative():
    assert insight_href("demo", "I3") == "studies/demo/03-insights.html#insight-I3"


def test_dot_and_underscore_folders_of_reports_are_never_studies(tmp_path: Path):
    for name in ("alpha", ".cache", "_tmp"):
        (tmp_path / name).mkdir()
    assert [p.name for p in sorted(tmp_path.iterdir()) if is_study_report_dir(p)] == ["alpha"]
