"""The cross-study insight repository: ``reports/index.json`` and exports.

Every study's 03-insights stage writes ``reports/<slug>/insights.json``;
:func:`build_index` folds all of them into ``reports/index.json``, one flat
entry per insight, so the site can list, filter (tags, product area) and
search every insight of every study, and a PM finds all insights about
"payment" at once. Each entry links to its card on the study's page,
``studies/<slug>/03-insights.html#insight-I1`` (relative to the site root;
the same link is in the CSV export's ``link`` column).

Studies run in parallel, so the index is rebuilt under a file lock from
whatever insights.json files exist at that moment: the last study to finish
writes an index that includes everyone.

:func:`export_insights` writes a study's insights and recommendations as
CSV (and recommendations as JSON) for spreadsheets and trackers.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from filelock import FileLock

from .iorw import atomic_write_json, atomic_write_text, read_json

STUDIES_DIR = "studies"  # where the site keeps each study's pages

INDEX_JSON = "index.json"
INDEX_VERSION = 1
PAGE = "03-insights.html"
INSIGHT_CSV_COLUMNS = ("study", "insight", "statement", "answers", "tags", "confidence",
                       "confidence_reasons", "evidence", "counter_evidence", "participants",
                       "recommendations", "link")
REC_COLUMNS = ("study", "insight", "id", "action", "owner", "metric", "priority", "effort",
               "status", "decided_on", "decided_by", "note")


def insight_link(slug: str, insight_id: str) -> str:
    """Link to an insight's card, relative to the site root (``studies/<slug>/03-insights.html#...``)."""
    return f"{STUDIES_DIR}/{slug}/{PAGE}#insight-{insight_id}"


def _num(ident: str) -> int:
    m = re.search(r"\d+", ident)
    return int(m.group()) if m else 0


def _counts(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def index_entries(result: dict) -> tuple[dict, list[dict]]:
    """The study entry and the insight entries of one study's insights.json."""
    s = result["study"]
    slug = s["slug"]
    owners = [o for o in (s.get("pm_owner"), s.get("uxr_owner")) if o]
    study = {
        "slug": slug, "title": s["title"], "date": s["date"], "start_date": s.get("start_date"),
        "product_area": s["product_area"], "feature": s.get("feature", ""), "status": s["status"],
        "owners": owners, "participant_count": s.get("participant_count", 0),
        "insight_count": len(result["insights"]),
        "open_questions": [q["id"] for q in result.get("open_questions", [])],
        "recommendation_statuses": _counts(r["status"] for r in result.get("recommendations", [])),
        "tags": sorted({t for i in result["insights"] for t in i["tags"]}),
        "href": f"{slug}/{PAGE}",
    }
    entries = []
    for ins in result["insights"]:
        recs = ins.get("recommendations", [])
        entries.append({
            "id": f"{slug}/{ins['id']}",
            "study": slug, "study_title": s["title"], "date": s["date"],
            "product_area": s["product_area"], "study_status": s["status"], "owners": owners,
            "participant_count": s.get("participant_count", 0),
            "insight": ins["id"], "statement": ins["statement"], "tags": ins["tags"],
            "answers": ins["answers"],
            "confidence": ins["confidence"]["level"],
            "confidence_reasons": ins["confidence"]["reasons"],
            "recommendations": [{k: r.get(k) for k in ("id", "action", "owner", "metric", "priority",
                                                       "status", "decided_on")} for r in recs],
            "recommendation_statuses": sorted({r["status"] for r in recs}),
            "href": insight_link(slug, ins["id"]),
            # Quarto listing fields (title/description/categories/date/path):
            "title": ins["statement"],
            "description": f"{s['title']} · {ins['id']} · confidence {ins['confidence']['level']}",
            "categories": sorted(set(ins["tags"]) | {s["product_area"]}),
            "path": insight_link(slug, ins["id"]),
        })
    return study, entries


def build_index(reports_root: str | Path) -> dict:
    """Rebuild ``<reports_root>/index.json`` from every ``*/insights.json`` below it."""
    root = Path(reports_root)
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".index.lock"), timeout=60):
        studies, insights, skipped = [], [], []
        for path in sorted(root.glob("*/insights.json")):
            try:
                study, entries = index_entries(read_json(path))
            except (ValueError, KeyError, TypeError) as exc:  # a stale file of an older kit
                skipped.append(f"{path.parent.name}: {exc!r}")
                continue
            studies.append(study)
            insights.extend(entries)
        studies.sort(key=lambda s: (s["date"], s["slug"]), reverse=True)
        order = {s["slug"]: n for n, s in enumerate(studies)}
        insights.sort(key=lambda e: (order[e["study"]], _num(e["insight"])))
        index = {"version": INDEX_VERSION, "studies": studies, "insights": insights,
                 "tags": sorted({t for e in insights for t in e["tags"]}),
                 "product_areas": sorted({s["product_area"] for s in studies}),
                 "skipped": skipped}
        atomic_write_json(root / INDEX_JSON, index)
    return index


EXPORTS = ("insights.json", "insights.csv", "recommendations.csv", "recommendations.json")


def withdraw(out_dir: str | Path, update_index: bool = True) -> None:
    """Remove a study's insights outputs (after a failed check) and refresh the index."""
    out_dir = Path(out_dir)
    removed = False
    for name in EXPORTS:
        path = out_dir / name
        if path.is_file():
            path.unlink()
            removed = True
    if removed and update_index and (out_dir.parent / INDEX_JSON).is_file():
        build_index(out_dir.parent)


def _cell(value: Any) -> str:
    """A CSV cell; lists joined by ';', formula-like text made inert for spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    text = str(value)
    # OWASP CSV injection: a leading = + - @ makes Excel evaluate the cell.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def export_insights(result: dict, out_dir: str | Path) -> list[Path]:
    """Write insights.csv, recommendations.csv and recommendations.json to ``out_dir``."""
    out_dir = Path(out_dir)
    slug = result["study"]["slug"]
    rows = [{
        "study": slug, "insight": i["id"], "statement": i["statement"], "answers": i["answers"],
        "tags": i["tags"], "confidence": i["confidence"]["level"],
        "confidence_reasons": "; ".join(i["confidence"]["reasons"]), "evidence": i["evidence"],
        "counter_evidence": i["counter_evidence"], "participants": len(i["confidence"]["participants"]),
        "recommendations": [r["id"] for r in i["recommendations"]], "link": insight_link(slug, i["id"]),
    } for i in result["insights"]]
    recs = [{"study": slug, **{k: r.get(k) for k in REC_COLUMNS if k != "study"}}
            for r in result["recommendations"]]
    return [
        atomic_write_text(out_dir / "insights.csv", _csv(rows, INSIGHT_CSV_COLUMNS)),
        atomic_write_text(out_dir / "recommendations.csv", _csv(recs, REC_COLUMNS)),
        atomic_write_json(out_dir / "recommendations.json", recs),
    ]
