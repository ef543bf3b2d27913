"""The insights stage's exports: insights and recommendations as CSV and JSON for spreadsheets and trackers.

A PM pastes recommendations into a tracker; a spreadsheet is where many
teams triage. Cells that look like formulas are made inert (OWASP CSV
injection), lists are joined with ``;``, and each insight links to its card
on the published site.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from kit.iorw import atomic_write_json, atomic_write_text
from kit.layout import insight_href

INSIGHT_CSV_COLUMNS = (
    "study",
    "insight",
    "statement",
    "answers",
    "tags",
    "confidence",
    "confidence_reasons",
    "evidence",
    "counter_evidence",
    "participants",
    "recommendations",
    "link",
)
REC_COLUMNS = (
    "study",
    "insight",
    "id",
    "action",
    "owner",
    "metric",
    "priority",
    "effort",
    "status",
    "decided_on",
    "decided_by",
    "note",
    # From decision to outcome (README, "Recommendation outcomes")
    "tracker",
    "shipped_on",
    "metric_id",
    "baseline",
    "target",
    "check_on",
    "outcome",
)


def _cell(value: Any) -> str:
    """A CSV cell; lists joined by ';', formula-like text made inert for spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    text = str(value)
    # OWASP CSV injection: a leading = + - @ makes Excel evaluate the cell.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def export_insights(result: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write insights.csv, recommendations.csv and recommendations.json to ``out_dir``."""
    out_dir = Path(out_dir)
    slug = result["study"]["slug"]
    rows = [
        {
            "study": slug,
            "insight": i["id"],
            "statement": i["statement"],
            "answers": i["answers"],
            "tags": i["tags"],
            "confidence": i["confidence"]["level"],
            "confidence_reasons": "; ".join(i["confidence"]["reasons"]),
            "evidence": i["evidence"],
            "counter_evidence": i["counter_evidence"],
            "participants": len(i["confidence"]["participants"]),
            "recommendations": [r["id"] for r in i["recommendations"]],
            "link": insight_href(slug, i["id"]),
        }
        for i in result["insights"]
    ]
    recs = [{"study": slug, **{k: r.get(k) for k in REC_COLUMNS if k != "study"}} for r in result["recommendations"]]
    return [
        atomic_write_text(out_dir / "insights.csv", _csv(rows, INSIGHT_CSV_COLUMNS)),
        atomic_write_text(out_dir / "recommendations.csv", _csv(recs, REC_COLUMNS)),
        atomic_write_json(out_dir / "recommendations.json", recs),
    ]
