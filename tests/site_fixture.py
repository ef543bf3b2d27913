"""A small repository with executed-looking notebooks and stage JSON, for the site tests.

Written directly (no papermill): two studies, one with all three stages, one
whose insights stage did not run. Participant text carries markup, so the
tests can see it stay escaped.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from insights_fixture import STUDY
from kit.iorw import to_jsonable
from kit.plan.stage import build_plan
from kit.site.build import PROJECT_FILES
from kit.study.study_file import validate_study

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '<script>window.__xss=1</script> "P02" & <b>bold</b>'
RACI_A = {
    "planning": {"UXR": "A", "PM": "R"},
    "recruiting": {"UXR": "A", "Support": "R"},
    "customer communication": {"PM": "A", "Support": "R"},
    "moderating sessions": {"UXR": "A", "Design": "R"},
    "observing": {"UXR": "A", "PM": "R"},
    "synthesis": {"UXR": "A", "Design": "R"},
    "insight sign-off": {"PM": "A", "UXR": "R"},
    "product decision": {"PM": "A", "Engineering": "R"},
    "beta program": {"PM": "A", "Engineering": "R"},
    "feature-request triage": {"PM": "A", "Support": "R"},
}


def _notebook(title: str, html_output: str) -> nbformat.NotebookNode:
    params = new_code_cell('study_dir = "notebooks/x"\nreports_dir = None', metadata={"tags": ["parameters"]})
    injected = new_code_cell('# Parameters\ntitle = "Secret plan title"\n', metadata={"tags": ["injected-parameters"]})
    shown = new_code_cell(
        "kit.report.show(result)",
        outputs=[new_output("display_data", data={"text/html": html_output, "text/plain": "<HTML>"})],
    )
    silent = new_code_cell("import kit")
    own = new_code_cell("counts = result.tasks.value_counts()  # a team's own analysis\ncounts")
    nb = new_notebook(
        cells=[new_markdown_cell(f"# {title}\n\nWhat this page shows."), params, injected, silent, shown, own],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
        },
    )
    return nb


def _plan_json(slug: str, title: str, raci: dict, **keys) -> dict:
    """A real plan.json, built by the plan stage from a small study.yml."""
    study = {**STUDY, "title": title, "raci": raci, **keys}
    return to_jsonable(build_plan(validate_study(study), slug))


def _synthesis_json(slug: str, title: str, observers: dict) -> dict:
    return {
        "study": {"slug": slug, "title": title},
        "participants": [],
        "notes": [],
        "quotes": [],
        "themes": [],
        "metrics": [],
        "observers": observers,
    }


def _recommendation(status: str, decided_by: str | None = None) -> dict:
    return {
        "id": "R1",
        "insight": "I1",
        "action": "Do it",
        "owner": "PM",
        "metric": "m",
        "priority": "high",
        "status": status,
        "decided_on": "2026-10-20" if decided_by else None,
        "decided_by": decided_by,
    }


def _insights_json(slug: str, title: str, area: str, insights: list[dict]) -> dict:
    return {
        "study": {
            "slug": slug,
            "title": title,
            "product_area": area,
            "status": "synthesis",
            "start_date": "2026-10-01",
            "date": "2026-11-01",
            "pm_owner": "Pat PM (PM)",
            "uxr_owner": "Uma UXR (UXR)",
            "participant_count": 5,
        },
        "insights": [
            {
                "id": i["id"],
                "statement": i["statement"],
                "tags": i["tags"],
                "answers": ["RQ1"],
                "evidence": ["N001"],
                "counter_evidence": [],
                "evidence_items": [],
                "counter_items": [],
                "confidence": {"level": i["confidence"], "reasons": ["3 participants"]},
                "recommendations": [{**_recommendation(i["status"]), "insight": i["id"]}],
            }
            for i in insights
        ],
        "recommendations": [_recommendation(i["status"]) for i in insights],
        "open_questions": [],
        "research_questions": [],
        "candidates": [],
        "evidence_matrix": {},
        "warnings": [],
        "decision_log": [_recommendation("accepted", "Pat PM (PM)")],
    }


ALPHA_I1 = f"Payment errors confuse people {HOSTILE}"
ALPHA_I2 = "Delivery cost surprises first-time buyers"


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _summary_and_cards(statements: dict[str, str]) -> str:
    found = "".join(
        f'<li><a href="#insight-{i}">{_escaped(s)}</a> — moderate evidence</li>' for i, s in statements.items()
    )
    summary = (
        '<section class="kit-reader-summary" aria-label="Summary"><h3>What we found</h3>'
        f'<ul class="kit-found">{found}</ul></section>'
    )
    cards = "".join(
        f'<section class="kit-insight-card level2" id="insight-{i}"><h2 class="kit-insight-title">{_escaped(s)} '
        f'<small class="kit-insight-id">{i}</small></h2><p>card {i}: evidence from P01</p></section>'
        for i, s in statements.items()
    )
    return summary + cards


def seed_site_repo(repo: Path, *, with_site_files: bool = True) -> Path:
    """Write the two studies' reports (and the project's site files) under ``repo``."""
    reports = repo / "reports"
    # Study "alpha": all three stages, insights with markup in participant text.
    alpha = reports / "alpha"
    alpha.mkdir(parents=True)
    for stem, title in (("01-plan", "Study plan"), ("02-sessions", "Session synthesis"), ("03-insights", "Insights")):
        body = f'<p class="quote">{_escaped(HOSTILE)}</p>'
        if stem == "03-insights":  # the reader summary and the cards, in the markup of kit/data/templates/insights.html
            body += _summary_and_cards({"I1": ALPHA_I1, "I2": ALPHA_I2})
        nbformat.write(_notebook(title, body), alpha / f"{stem}.ipynb")
    (alpha / "plan.json").write_text(json.dumps(_plan_json("alpha", "Alpha checkout study", RACI_A)))
    (alpha / "synthesis.json").write_text(
        json.dumps(
            _synthesis_json(
                "alpha",
                "Alpha checkout study",
                {"sessions": 5, "observed_sessions": 4, "pm_observed_sessions": 3, "sessions_by_role": {"PM": 3}},
            )
        )
    )
    (alpha / "insights.json").write_text(
        json.dumps(
            _insights_json(
                "alpha",
                "Alpha checkout study",
                "Checkout",
                [
                    {
                        "id": "I1",
                        "statement": ALPHA_I1,
                        "tags": ["payment", "error"],
                        "confidence": "high",
                        "status": "accepted",
                    },
                    {
                        "id": "I2",
                        "statement": ALPHA_I2,
                        "tags": ["shipping-cost"],
                        "confidence": "medium",
                        "status": "proposed",
                    },
                ],
            )
        )
    )
    # Study "beta": plan and synthesis only (its insights stage failed); planning Accountable differs.
    beta = reports / "beta"
    beta.mkdir()
    for stem, title in (("01-plan", "Study plan"), ("02-sessions", "Session synthesis")):
        nbformat.write(_notebook(title, "<p>beta page</p>"), beta / f"{stem}.ipynb")
    raci_b = dict(RACI_A, planning={"PM": "A", "UXR": "R"})
    (beta / "plan.json").write_text(
        json.dumps(
            _plan_json(
                "beta",
                "Beta onboarding test",
                raci_b,
                product_area="Onboarding",
                start_date="2026-08-03",
                deadline="2026-09-01",
            )
        )
    )
    if with_site_files:
        for name in PROJECT_FILES:
            shutil.copyfile(ROOT / name, repo / name)
    return repo


# Text that Markdown, Pandoc or Quarto could take for something else: money for
# math, a line of dashes for front matter, a fence, a Quarto shortcode (which
# could read the build's environment), and script.
HOSTILE_SLUG = "hostile-copy"
MONEY = "It cost $20 at first and $35 at the end"
SHORTCODE = "{{< env HOME >}}"
HOSTILE_TEXTS = (MONEY, SHORTCODE, "<script>window.__xss=1</script>", "[click](javascript:alert(1))")


def seed_hostile_copy(repo: Path, root: Path = ROOT) -> Path:
    """A copy of the demo study under ``notebooks/hostile-copy`` whose title, notes and
    insights carry :data:`HOSTILE_TEXTS` (and a fence and a front-matter line in a quote)."""
    import pandas as pd
    import yaml

    study = repo / "notebooks" / HOSTILE_SLUG
    shutil.copytree(root / "notebooks" / "demo-checkout", study, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    plan = yaml.safe_load((study / "study.yml").read_text("utf-8"))
    plan["title"] = f"Checkout copy: {MONEY} {SHORTCODE} {HOSTILE_TEXTS[2]}"
    (study / "study.yml").write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True), encoding="utf-8")
    notes = pd.read_csv(study / "data" / "notes.csv", dtype=str, keep_default_na=False)
    first_quote = notes.index[notes["kind"] == "quote"][0]
    notes.loc[first_quote, "text"] = (
        f"{MONEY}, really. {SHORTCODE}\n```\n---\ntitle: hijacked\n---\n{HOSTILE_TEXTS[3]} {HOSTILE_TEXTS[2]}"
    )
    notes.to_csv(study / "data" / "notes.csv", index=False)
    insights = yaml.safe_load((study / "insights.yml").read_text("utf-8"))
    insights["insights"][0]["statement"] = f"{MONEY}: the delivery charge {SHORTCODE} {HOSTILE_TEXTS[2]}"
    (study / "insights.yml").write_text(yaml.safe_dump(insights, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return study
