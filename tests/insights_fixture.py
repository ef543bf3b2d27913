"""A small study with a synthesis.json shaped as the synthesis contract says.

Shared by the insights-stage tests (test_insights, test_traceability,
test_confidence, test_candidates, test_repository). Six invented
participants in two segments; P06 (Zed Quill) did not consent to quotes.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from kit.iorw import atomic_write_json

STUDY = {
    "title": "Fixture checkout study",
    "status": "synthesis",
    "product_area": "Checkout",
    "feature": "Pay page",
    "pm_owner": "Pat PM",
    "uxr_owner": "Uma UXR",
    "decision": "Ship or not",
    "start_date": "2026-01-05",
    "deadline": "2026-02-02",
    "pm_metrics": [
        {"name": "Completed transactions per checkout started", "kind": "behavioural"},
        {"name": "Time to complete checkout", "kind": "behavioural"},
    ],
    "research_questions": [
        {"id": "RQ1", "text": "Can people pay?", "tags": ["payment"]},
        {"id": "RQ2", "text": "Why do people hesitate?", "tags": ["shipping-cost"]},
    ],
    "segments": ["New", "Returning"],
}

PARTICIPANTS = (
    "participant_id,name,email,segment,consent_quotes,consent_recording\n"
    "R1,Ada Lovelace,ada@example.com,New,yes,yes\n"
    "R2,Brian Okoro,brian@example.com,Returning,yes,yes\n"
    "R3,Chen Wu,chen@example.com,New,yes,yes\n"
    "R4,Dora Marsh,dora@example.com,Returning,yes,yes\n"
    "R5,Emil Strand,emil@example.com,New,yes,yes\n"
    "R6,Zed Quill,zed@example.com,Returning,no,yes\n"
)


def _note(nid, p, text, tags, kind="observation", session=None):
    return {
        "id": nid,
        "session_id": session or f"S0{p[-1]}",
        "participants": [p],
        "task": "Pay",
        "text": text,
        "tags": tags,
        "kind": kind,
    }


SYNTHESIS = {
    "study": {"slug": "fixture", "title": "Fixture checkout study"},
    "participants": [
        {"pseudonym": f"P0{i}", "segment": seg}
        for i, seg in enumerate(["New", "Returning", "New", "Returning", "New", "Returning"], 1)
    ],
    "notes": [
        _note("N001", "P01", "Surprised by delivery cost at the end", ["shipping-cost"], "problem"),
        _note("N002", "P02", "Delivery cost appeared late", ["shipping-cost"], "problem"),
        _note("N003", "P03", "Went back to basket after seeing delivery", ["shipping-cost"], "problem"),
        _note("N004", "P04", "Knew the delivery cost from the banner", ["shipping-cost"]),
        _note("N005", "P05", "Card field rejected spaces", ["payment", "error"], "problem"),
        _note("N006", "P01", "Paid with saved card quickly", ["payment"]),
        _note("N007", "P03", "I want to see the price first", ["shipping-cost"], "quote"),
        _note("N008", "P06", "Card error unclear", ["payment", "error"], "problem"),
        _note("N009", "P02", "Card error said nothing", ["payment", "error"], "problem"),
    ],
    "quotes": [
        {
            "id": "Q-N007",
            "participants": ["P03"],
            "text": "I want to see the price first",
            "source": "note",
            "tags": ["shipping-cost"],
        },
        {
            "id": "Q-S01-2",
            "participants": ["P01"],
            "text": "Oh, delivery is extra <b>now</b>?",
            "source": "transcript",
            "session_id": "S01",
        },
    ],
    "themes": [
        {
            "id": "T1",
            "label": "Late delivery cost",
            "tags": ["shipping-cost"],
            "participants": ["P01", "P02", "P03"],
            "notes": ["N001", "N002", "N003", "N007"],
        },
        {"id": "T2", "label": "Rare thing", "tags": ["promo"], "participants": ["P04"], "notes": []},
    ],
    "metrics": [
        {
            "id": "M-COMPLETION-pay",
            "label": "Completion: Pay",
            "name": "Completion rate: Pay",
            "task": "Pay",
            "kind": "behavioural",
            "method": "adjusted-Wald 95% interval",
            "value": 0.83,
            "unit": "%",
            "ci_low": 0.44,
            "ci_high": 0.97,
            "n": 6,
            "participants": ["P01", "P02", "P03", "P04", "P05", "P06"],
        },
        {
            "id": "M-SUS",
            "label": "SUS",
            "name": "System Usability Scale (SUS)",
            "kind": "attitudinal",
            "unit": "points",
            "value": 72.5,
            "n": 6,
            "participants": ["P01", "P02", "P03", "P04", "P05", "P06"],
        },
    ],
    "tag_matrix": {},
    "tag_coverage": [],
    "observers": {},
    "problems": {},
    "warnings": [],
}

INSIGHTS = {
    "insights": [
        {
            "id": "I1",
            "statement": "Customers who see delivery cost late hesitate or go back.",
            "answers": ["RQ2"],
            "evidence": ["T1", "N001", "N002", "Q-N007", "Q-S01-2"],
            "counter_evidence": ["N004"],
            "tags": ["shipping-cost"],
            "recommendations": [
                {
                    "id": "R1",
                    "action": "Show delivery cost on the basket page",
                    "owner": "Design",
                    "metric": "Completed transactions per checkout started",
                    "priority": "high",
                    "effort": "S",
                    "status": "accepted",
                    "decided_on": "2026-02-03",
                    "decided_by": "Pat PM",
                }
            ],
        },
        {
            "id": "I2",
            "statement": "Card errors do not say what is wrong.",
            "answers": ["RQ1"],
            "evidence": ["N005", "N008", "N009", "M-COMPLETION-pay"],
            "tags": ["payment", "error"],
            "recommendations": [
                {
                    "id": "R2",
                    "action": "Accept spaces in card numbers",
                    "owner": "Engineering",
                    "metric": "time to complete  checkout",
                    "priority": "medium",
                    "effort": "S",
                    "status": "shipped",
                    "decided_on": "2026-02-10",
                    "decided_by": "Pat PM",
                }
            ],
        },
    ],
    "open_questions": [],
}


def make_study(
    root: Path,
    slug: str = "fixture",
    *,
    insights: dict | None = None,
    synthesis: dict | None | bool = True,
    study: dict | None = None,
) -> Path:
    """Write notebooks/<slug>/ (study.yml, insights.yml, data) and reports/<slug>/synthesis.json."""
    sdir = root / "notebooks" / slug
    (sdir / "data").mkdir(parents=True, exist_ok=True)
    (sdir / "study.yml").write_text(yaml.safe_dump(study or STUDY, sort_keys=False))
    (sdir / "data" / "participants.csv").write_text(PARTICIPANTS)
    (sdir / "insights.yml").write_text(yaml.safe_dump(copy.deepcopy(insights or INSIGHTS), sort_keys=False))
    if synthesis:
        data = copy.deepcopy(SYNTHESIS if synthesis is True else synthesis)
        atomic_write_json(root / "reports" / slug / "synthesis.json", data)
    return sdir


def insights_copy() -> dict:
    """A deep copy of the fixture insights.yml content, to break in a test."""
    return copy.deepcopy(INSIGHTS)
