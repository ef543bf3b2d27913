"""kit.study.supersession: superseded_by in one study and across studies, errors naming file, line and chain."""

from __future__ import annotations

from pathlib import Path

import yaml

from insights_fixture import insights_copy
from kit.study.insights_file import validate_insights
from kit.study.supersession import study_lifecycle_problems, supersession_problems


def _line_of(path: Path, insight: str, key: str = "superseded_by") -> int:
    """The line of ``key`` in the block of ``insight``, found by reading the file as a person would."""
    lines = path.read_text().splitlines()
    start = next(n for n, text in enumerate(lines) if text.strip() == f"- id: {insight}")
    return next(n for n in range(start, len(lines)) if lines[n].strip().startswith(f"{key}:")) + 1


def _study(root: Path, slug: str, replaced: dict[str, str]) -> Path:
    data = insights_copy()
    for ins in data["insights"]:
        if ins["id"] in replaced:
            ins["superseded_by"] = replaced[ins["id"]]
    folder = root / "notebooks" / slug
    folder.mkdir(parents=True)
    (folder / "insights.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder / "insights.yml"


def test_a_loop_across_studies_fails_both_naming_file_line_and_chain(tmp_path: Path):
    a = _study(tmp_path, "alpha", {"I1": "beta/I2"})
    b = _study(tmp_path, "beta", {"I2": "alpha/I1"})
    _study(tmp_path, "gamma", {})  # mentions no replacement: never parsed, never named
    found = supersession_problems(tmp_path)
    assert sorted(found) == ["alpha", "beta"]
    assert [str(p) for p in found["alpha"]] == [
        f"notebooks/alpha/insights.yml:{_line_of(a, 'I1')}: insight I1: superseded_by makes a loop: "
        "alpha/I1 → beta/I2 → alpha/I1, expected a chain that ends at a current insight"
    ]
    assert str(found["beta"][0]).startswith(
        f"notebooks/beta/insights.yml:{_line_of(b, 'I2')}: insight I2: superseded_by makes a loop: "
        "beta/I2 → alpha/I1 → beta/I2"
    )


def test_a_chain_that_ends_is_fine_and_an_unknown_target_is_named(tmp_path: Path):
    _study(tmp_path, "alpha", {"I1": "beta/I2"})
    _study(tmp_path, "beta", {"I2": "I1"})  # alpha/I1 -> beta/I2 -> beta/I1: ends at a current insight
    assert supersession_problems(tmp_path) == {}
    c = _study(tmp_path, "gamma", {"I1": "beta/I9", "I2": "nowhere/I1"})
    found = [str(p) for p in supersession_problems(tmp_path)["gamma"]]
    assert found == [
        f"notebooks/gamma/insights.yml:{_line_of(c, 'I1')}: insight I1: superseded_by 'beta/I9': "
        "beta has no insight I9 (it has I1, I2)",
        f"notebooks/gamma/insights.yml:{_line_of(c, 'I2')}: insight I2: superseded_by 'nowhere/I1': "
        "no study 'nowhere' (with an insights.yml) in notebooks/",
    ]


def test_in_the_stage_a_self_reference_and_an_unknown_id_are_errors_and_other_studies_are_left_to_kit_run(
    tmp_path: Path,
):
    path = _study(tmp_path, "alpha", {"I1": "I1", "I2": "I7"})
    spec = validate_insights(yaml.safe_load(path.read_text()))
    from kit.study.insights_file import insight_key_lines, read_insights_document

    lines = insight_key_lines(read_insights_document(path))
    found = [str(p) for p in study_lifecycle_problems(spec, "alpha", lines)]
    one, two = _line_of(path, "I1"), _line_of(path, "I2")
    assert found[0] == f"insights.yml:{one}: insight I1: superseded_by 'I1' is the insight itself, expected another"
    assert found[1] == f"insights.yml:{two}: insight I2: superseded_by 'I7': alpha has no insight I7 (it has I1, I2)"
    cross = validate_insights(yaml.safe_load(_study(tmp_path, "beta", {"I1": "gamma/I4"}).read_text()))
    assert [p for p in study_lifecycle_problems(cross, "beta", []) if p.fatal] == []


def test_a_superseded_insight_with_an_open_recommendation_is_a_warning(tmp_path: Path):
    data = insights_copy()
    data["insights"][0]["superseded_by"] = "I2"  # its R1 is accepted, not yet shipped
    data["insights"][1]["superseded_by"] = "other/I1"  # its R2 shipped: nothing to say
    found = study_lifecycle_problems(validate_insights(data), "alpha", [])
    assert [(p.where, p.fatal) for p in found] == [("insights.yml: insight I1", False)]
    assert "superseded by I2, but open recommendations still rest on it: R1 (not shipped" in found[0].message
