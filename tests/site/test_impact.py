"""kit.site.impact: the Impact page's figures on a fixture computed by hand, and the page in the preview.

The fixture (three studies, nine recommendations) is written as real
``insights.json`` files and read through the repository index, as ``kit site``
does. The day is 2026-12-01.

Study quarters (last session, else the study's date):
  alpha: last session 2026-03-20 -> 2026-Q1; 3 insights
  beta:  no session, date 2026-08-10 -> 2026-Q3; 2 insights
  gamma: last session 2026-07-01 -> 2026-Q3; 1 insight
Recommendations (quarter = decided_on's, else the study's):
  alpha R1 accepted    2026-04-09 Q2  tracker, metric+baseline+check 06-30, outcome moved
  alpha R2 shipped     2026-04-19 Q2  tracker, metric, no baseline, check 07-01, no outcome -> overdue
  alpha R3 rejected    2026-03-30 Q1
  alpha R4 proposed    (none)     Q1  check 12-05 (not yet due)
  beta  R1 in progress 2026-08-20 Q3  no tracker, metric+baseline+check 11-01, outcome inconclusive
  beta  R2 accepted    (none)     Q3  tracker, check 09-15, no outcome -> overdue
  gamma R1 shipped     2026-07-11 Q3  tracker, metric+baseline+check 10-01, outcome not moved
  gamma R2 accepted    2026-06-25 Q2  nothing else
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from kit.site.build import build_site
from kit.site.impact import impact_data, impact_markdown
from kit.site.index import build_index

DAY = dt.date(2026, 12, 1)


def _rec(rid: str, status: str, decided_on: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "action": f"Action {rid}", "owner": "PM", "metric": "m", "status": status,
            "decided_on": decided_on, "insight": "I1", **fields}  # fmt: skip


def _write_study(reports: Path, slug: str, date: str, last_session: str, insights: dict[str, list[dict]]) -> None:
    published = []
    for iid, recs in insights.items():
        published.append(
            {
                "id": iid,
                "statement": f"{slug} finding {iid}",
                "answers": ["RQ1"],
                "tags": ["t"],
                "evidence": ["N001"],
                "counter_evidence": [],
                "confidence": {"level": "medium", "reasons": ["r"]},
                "evidence_items": [],
                "counter_items": [],
                "recommendations": [{**r, "insight": iid} for r in recs],
            }
        )
    data = {
        "study": {
            "slug": slug,
            "title": f"Study {slug}",
            "product_area": "Checkout",
            "status": "done",
            "start_date": "2026-01-05",
            "date": date,
            "last_session": last_session,
        },
        "insights": published,
        "open_questions": [],
        "research_questions": [],
        "recommendations": [r for i in published for r in i["recommendations"]],
        "decision_log": [],
        "candidates": [],
        "evidence_matrix": {},
        "warnings": [],
    }
    (reports / slug).mkdir(parents=True)
    (reports / slug / "insights.json").write_text(json.dumps(data), encoding="utf-8")


def seed_impact(repo: Path, action: str = "Action R2") -> Path:
    reports = repo / "reports"
    measured = {"metric_id": "checkout-rate", "baseline": 0.8}
    _write_study(
        reports,
        "alpha",
        "2026-04-15",
        "2026-03-20",
        {
            "I1": [
                _rec(
                    "R1", "accepted", "2026-04-09", tracker="SHOP-1", check_on="2026-06-30", outcome="moved", **measured
                ),
                _rec(
                    "R2",
                    "shipped",
                    "2026-04-19",
                    tracker="https://tracker.example/1",
                    metric_id="checkout-rate",
                    check_on="2026-07-01",
                    action=action,
                ),  # fmt: skip
            ],
            "I2": [_rec("R3", "rejected", "2026-03-30")],
            "I3": [_rec("R4", "proposed", check_on="2026-12-05")],
        },
    )
    _write_study(
        reports,
        "beta",
        "2026-08-10",
        "",
        {
            "I1": [
                _rec(
                    "R1",
                    "in progress",
                    "2026-08-20",
                    metric_id="m",
                    baseline=3,
                    check_on="2026-11-01",
                    outcome="inconclusive",
                )
            ],  # fmt: skip
            "I2": [_rec("R2", "accepted", tracker="owner/repo#12", check_on="2026-09-15")],
        },
    )
    _write_study(
        reports,
        "gamma",
        "2026-07-20",
        "2026-07-01",
        {
            "I1": [
                _rec(
                    "R1",
                    "shipped",
                    "2026-07-11",
                    tracker="G-9",
                    metric_id="g",
                    baseline=0.5,
                    check_on="2026-10-01",
                    outcome="not moved",
                ),  # fmt: skip
                _rec("R2", "accepted", "2026-06-25"),
            ]
        },
    )
    return repo


@pytest.fixture
def data(tmp_path: Path) -> dict[str, Any]:
    return impact_data(build_index(seed_impact(tmp_path) / "reports"), DAY)


def test_insights_per_quarter(data):
    # alpha's 3 in Q1 (last session March); beta (date August) 2 + gamma (last session July) 1 in Q3; none in Q2.
    assert {q: f["insights"] for q, f in data["quarters"].items()} == {"2026-Q1": 3, "2026-Q2": 0, "2026-Q3": 3}
    assert data["overall"]["insights"] == 6


def test_recommendations_decided_per_quarter(data):
    # Q1: alpha R3 (rejected 03-30); alpha R4 is proposed. Q2: alpha R1, R2, gamma R2.
    # Q3: beta R1 (08-20), beta R2 (accepted, undated: beta's quarter), gamma R1 (07-11). 1 + 3 + 3 = 7.
    assert {q: f["decided"] for q, f in data["quarters"].items()} == {"2026-Q1": 1, "2026-Q2": 3, "2026-Q3": 3}
    assert data["overall"]["decided"] == 7


def test_share_of_committed_recommendations_with_a_tracker(data):
    # Committed (accepted, in progress, shipped): Q2 alpha R1, R2, gamma R2 -> trackers on R1, R2: 2 of 3.
    # Q3 beta R1 (none), beta R2 (owner/repo#12), gamma R1 (G-9): 2 of 3. Q1: none committed. Overall 4 of 6.
    q = data["quarters"]
    assert (q["2026-Q1"]["tracked"], q["2026-Q1"]["committed"], q["2026-Q1"]["tracked_share"]) == (0, 0, None)
    assert (q["2026-Q2"]["tracked"], q["2026-Q2"]["committed"]) == (2, 3)
    assert (q["2026-Q3"]["tracked"], q["2026-Q3"]["committed"]) == (2, 3)
    assert data["overall"]["tracked_share"] == pytest.approx(4 / 6)


def test_share_with_a_metric_series_baseline_and_check_date(data):
    # Q2: alpha R1 has all three; alpha R2 lacks a baseline; gamma R2 has none: 1 of 3.
    # Q3: beta R1 and gamma R1 have all three; beta R2 has no metric: 2 of 3. Overall 3 of 6.
    q = data["quarters"]
    assert q["2026-Q2"]["measurable"] == 1 and q["2026-Q3"]["measurable"] == 2
    assert data["overall"]["measurable_share"] == pytest.approx(3 / 6)


def test_outcomes_recorded_by_verdict(data):
    # alpha R1 moved (Q2); beta R1 inconclusive and gamma R1 not moved (Q3).
    q = data["quarters"]
    assert q["2026-Q2"]["outcomes"] == {"moved": 1, "not moved": 0, "inconclusive": 0}
    assert q["2026-Q3"]["outcomes"] == {"moved": 0, "not moved": 1, "inconclusive": 1}
    assert data["overall"]["outcomes"] == {"moved": 1, "not moved": 1, "inconclusive": 1}


def test_median_days_from_the_last_session_to_each_decision(data):
    # alpha (last session 03-20): R3 03-30 = 10 (Q1); R1 04-09 = 11 + 9 = 20; R2 04-19 = 30 (Q2).
    # gamma (07-01): R2 06-25 = -6 (Q2); R1 07-11 = 10 (Q3). beta has no session: not timed.
    # Q1 median [10] = 10; Q2 [-6, 20, 30] = 20; Q3 [10] = 10; overall [-6, 10, 10, 20, 30] = 10.
    q = data["quarters"]
    assert [q[k]["median_days_to_decision"] for k in sorted(q)] == [10, 20, 10]
    assert data["overall"]["median_days_to_decision"] == 10
    assert data["overall"]["decisions_timed"] == 5


def test_outcomes_overdue_are_counted_and_listed(data):
    # check_on before 12-01 and no outcome: alpha R2 (07-01: 31+31+30+31+30 = 153 days), beta R2 (09-15:
    # 15+31+30+1 = 77 days). alpha R4's check (12-05) is not due; the others have outcomes.
    q = data["quarters"]
    assert (q["2026-Q2"]["overdue"], q["2026-Q3"]["overdue"], data["overall"]["overdue"]) == (1, 1, 2)
    assert [(o["study"], o["recommendation"], o["check_on"], o["days_overdue"]) for o in data["overdue"]] == [
        ("alpha", "R2", "2026-07-01", 153),
        ("beta", "R2", "2026-09-15", 77),
    ]
    assert data["overdue"][0]["href"] == "studies/alpha/03-insights.html#insight-I1"


def test_the_quarters_add_up_to_the_overall_counts(data):
    for key in ("insights", "decided", "committed", "tracked", "measurable", "overdue"):
        assert sum(f[key] for f in data["quarters"].values()) == data["overall"][key], key


def test_markdown_shows_each_figure_and_what_it_means(data):
    text = impact_markdown(data)
    assert "| 2026-Q2 | 0 | 3 | 2 of 3 (67%) | 1 of 3 (33%) | 1 | 0 | 0 | 20 | 1 |" in text
    assert "| **Overall** | 6 | 7 | 4 of 6 (67%) | 3 of 6 (50%) | 1 | 1 | 1 | 10 | 2 |" in text
    assert "| 2026-Q1 | 3 | 1 | – | – | 0 | 0 | 0 | 10 | 0 |" in text
    for figure in ("Tracked", "Measurable", "Days to decision", "Overdue"):
        assert f"- **{figure}**: " in text
    # Each column in plain words, the formula behind it a hover away (data/reader_words.csv, as the Glossary).
    header = next(line for line in text.splitlines() if line.startswith("| ") and "Quarter" in line)
    cells = [
        re.fullmatch(r'(?:<abbr title="([^"]+)">)?([^<]+)(?:</abbr>)?( \(median\))?', c.strip())
        for c in header.strip("|").split(" | ")
    ]
    assert [c[2] for c in cells] == [
        "Quarter", "Insights", "Decided", "Tracked", "Measurable", "Moved", "Not moved", "Inconclusive",
        "Days to decision", "Overdue",
    ]  # fmt: skip
    assert all(c[1] for c in cells)
    assert "tracked / committed" in cells[3][1] and "statistics.median" in cells[8][1]
    assert '| Study | Recommendation | Action | <abbr title="check_on of the recommendation' in text
    assert "| Study alpha | [I1 R2](studies/alpha/03-insights.html#insight-I1) | Action R2 | 2026-07-01 | 153 |" in text


def test_no_insights_says_so():
    text = impact_markdown(impact_data({"studies": [], "insights": []}, DAY))
    assert "No insights yet" in text and "No outcome is overdue." in text


def test_preview_impact_page_escapes_researcher_text(tmp_path: Path):
    repo = seed_impact(tmp_path, action="<script>alert(1)</script> | pipe [link](http://evil)")
    out = build_site(repo, use_quarto=False, echo=lambda m: None)
    page = (out / "impact.html").read_text("utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="http://evil"' not in page
    assert re.search(r"<td>\s*4 of 6 \(67%\)\s*</td>", page)
    # The kit's <abbr> around a column's plain words is kept; the action's markup stayed text above.
    assert re.search(r'<th>\s*<abbr title="tracked / committed: [^"<>]*">Tracked</abbr>\s*</th>', page)
    assert 'href="impact.html"' in (out / "index.html").read_text("utf-8")
