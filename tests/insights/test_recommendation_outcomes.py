"""The insights stage with recommendation outcomes: before_after in insights.json, errors naming line and rec."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from insights_fixture import insights_copy, make_study
from kit.errors import InsightError
from kit.insights.outcome_report import CAVEAT, outcome_figure
from kit.insights.report import card_html
from kit.insights.stage import run_insights_stage
from kit.iorw import read_json
from kit.outputs.insights import read_insights_json

SHIP = dt.date(2026, 3, 2)


def _write_series(root: Path, name: str = "checkout-completion") -> tuple[np.ndarray, np.ndarray, list[dt.date]]:
    rng = np.random.default_rng(29)
    days = [SHIP - dt.timedelta(days=60) + dt.timedelta(days=i) for i in range(100)]
    trials = rng.integers(800, 1200, len(days))
    successes = np.array([rng.binomial(n, 0.60 if d < SHIP else 0.64) for n, d in zip(trials, days)])
    (root / "metrics").mkdir(exist_ok=True)
    rows = "\n".join(f"{d.isoformat()},{s},{n}" for d, s, n in zip(days, successes, trials))
    (root / "metrics" / f"{name}.csv").write_text("date,successes,trials\n" + rows + "\n", encoding="utf-8")
    return successes, trials, days


def _spec(**fields: object) -> dict:
    spec = insights_copy()
    spec["insights"][0]["recommendations"][0].update(fields)
    return spec


def test_a_shipped_recommendation_with_a_series_gets_its_before_and_after(tmp_path: Path):
    successes, trials, days = _write_series(tmp_path)
    spec = _spec(
        tracker="https://tracker.example.com/browse/SHOP-412",
        shipped_on="2026-03-02",
        metric_id="checkout-completion",
        baseline=0.60,
        target=0.64,
        check_on="2026-04-15",
    )
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    r1 = result["recommendations"][0]
    ba = r1["before_after"]
    before = [i for i, d in enumerate(days) if SHIP - dt.timedelta(days=28) <= d < SHIP]
    after = [i for i, d in enumerate(days) if SHIP <= d < SHIP + dt.timedelta(days=28)]
    low, high = confint_proportions_2indep(
        successes[after].sum(), trials[after].sum(), successes[before].sum(), trials[before].sum(), method="newcomb"
    )
    assert (ba["ci_low"], ba["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert ba["verdict"] == "moved" and (ba["days_before"], ba["days_after"]) == (28, 28)
    assert r1["tracker_url"] == r1["tracker"] and r1["shipped_on"] == "2026-03-02" and r1["window_days"] == 28
    # The file on disk has the same shape the site reads.
    on_disk = read_insights_json(tmp_path / "reports" / "fixture" / "insights.json")
    assert on_disk.recommendations[0].before_after is not None
    assert on_disk.recommendations[0].before_after.verdict == "moved"
    # The tracker export carries where it is tracked, when it shipped and what it is judged by.
    with (tmp_path / "reports" / "fixture" / "recommendations.csv").open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert (row["tracker"], row["shipped_on"], row["metric_id"], row["outcome"]) == (
        "https://tracker.example.com/browse/SHOP-412",
        "2026-03-02",
        "checkout-completion",
        "",
    )


def test_the_card_words_it_as_a_before_after_comparison_and_escapes_the_tracker(tmp_path: Path):
    _write_series(tmp_path)
    spec = _spec(
        tracker="https://tracker.example.com/browse/SHOP-1?q=<script>",
        shipped_on="2026-03-02",
        metric_id="checkout-completion",
        baseline=0.6,
        target=0.64,
        outcome="moved",
        outcome_note="Held for a month <b>after</b> launch",
    )
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    html = str(card_html(result["insights"][0]))
    assert 'href="https://tracker.example.com/browse/SHOP-1?q=&lt;script&gt;"' in html and "<script>" not in html
    assert "not an experiment" in html and CAVEAT.split(":")[0] in html
    assert "Suggested verdict: <strong>moved</strong>" in html and "Recorded outcome: <strong>moved</strong>" in html
    assert "&lt;b&gt;after&lt;/b&gt;" in html
    figure = outcome_figure(result["recommendations"][0]).to_dict()
    assert [s["x0"] for s in figure["layout"]["shapes"] if s["type"] == "line"] == ["2026-03-02"]  # the ship date
    assert figure["layout"]["annotations"][0]["text"] == "shipped"


@pytest.mark.parametrize("tracker", ["SHOP-123", "owner/repo#12", "javascript:alert(1)"])
def test_a_tracker_key_is_text_not_a_link(tmp_path: Path, tracker: str):
    result = run_insights_stage(make_study(tmp_path, insights=_spec(tracker=tracker)))
    r1 = result["recommendations"][0]
    assert r1["tracker"] == tracker and r1.get("tracker_url") is None
    assert '<a class="kit-tracker"' not in str(card_html(result["insights"][0]))


def test_an_unknown_metric_id_fails_naming_the_line_and_the_recommendation(tmp_path: Path):
    _write_series(tmp_path)
    study = make_study(tmp_path, insights=_spec(shipped_on="2026-03-02", metric_id="checkout-complete"))
    text = (study / "insights.yml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if "metric_id:" in t)
    with pytest.raises(InsightError) as err:
        run_insights_stage(study)
    [problem] = err.value.problems
    assert problem.where == f"insights.yml:{line}: insight I1: recommendation R1"
    assert "'checkout-complete': no metrics/checkout-complete.csv" in problem.message
    assert "expected one of: checkout-completion" in problem.message
    assert not (tmp_path / "reports" / "fixture" / "insights.json").exists()


def test_a_bad_date_fails_naming_the_line_and_the_recommendation(tmp_path: Path):
    study = make_study(tmp_path, insights=_spec(shipped_on="2026-13-02", check_on="soon"))
    text = (study / "insights.yml").read_text(encoding="utf-8").splitlines()
    lines = {
        key: next(n for n, t in enumerate(text, 1) if t.strip().startswith(f"{key}:"))
        for key in ("shipped_on", "check_on")
    }
    with pytest.raises(InsightError) as err:
        run_insights_stage(study)
    wheres = {p.where for p in err.value.problems}
    assert wheres == {
        f"insights.yml:{lines['shipped_on']}: insight I1: recommendation R1: key 'shipped_on'",
        f"insights.yml:{lines['check_on']}: insight I1: recommendation R1: key 'check_on'",
    }


def test_an_unreadable_series_fails_naming_its_own_file_and_line(tmp_path: Path):
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "aov.csv").write_text("date,value\n2026-03-01,64.2\n2026-03-02,n/a\n", encoding="utf-8")
    with pytest.raises(InsightError) as err:
        run_insights_stage(make_study(tmp_path, insights=_spec(shipped_on="2026-03-02", metric_id="aov")))
    text = str(err.value)
    assert "metrics/aov.csv:3: value 'n/a' is not a number" in text
    assert "recommendation R1: metric_id 'aov': the series cannot be read" in text


def test_a_recorded_outcome_the_comparison_contradicts_is_a_warning(tmp_path: Path):
    _write_series(tmp_path)
    spec = _spec(
        shipped_on="2026-03-02", metric_id="checkout-completion", baseline=0.6, target=0.64, outcome="not moved"
    )
    result = run_insights_stage(make_study(tmp_path, insights=spec))
    [warning] = [w for w in result["warnings"] if "outcome" in w]
    assert warning.startswith("insights.yml:") and "recommendation R1: outcome 'not moved' is recorded" in warning
    assert "suggests 'moved'" in warning
    agreed = run_insights_stage(
        make_study(tmp_path, insights=_spec(**{**spec["insights"][0]["recommendations"][0], "outcome": "moved"}))
    )
    assert not [w for w in agreed["warnings"] if "outcome" in w]


def test_without_a_ship_date_there_is_no_comparison(tmp_path: Path):
    _write_series(tmp_path)
    result = run_insights_stage(make_study(tmp_path, insights=_spec(metric_id="checkout-completion")))
    assert result["recommendations"][0].get("before_after") is None
    assert read_json(tmp_path / "reports" / "fixture" / "insights.json")["recommendations"][0]["metric_id"]
