"""The cross-study insight repository: ``reports/index.json`` and exports.

Every study's 03-insights stage writes ``reports/<slug>/insights.json``;
:func:`build_index` folds all of them into ``reports/index.json``, one flat
entry per insight, so the site can list, filter (tags, product area) and
search every insight of every study, and a PM finds all insights about
"payment" at once. Each entry links to its card on the study's page,
``studies/<slug>/03-insights.html#insight-I1`` (relative to the site root;
the same link is in the CSV export's ``link`` column).

Each entry carries the insight's lifecycle (``status``, ``review_by``,
``reviewed_on``, ``superseded_by``, ``current``: :mod:`kit.study.lifecycle`);
:func:`resolve_replacements` gives a replaced insight the link, study and
statement of the insight that replaced it, across studies (``superseded_by_href``
is absent when no such insight is indexed: ``kit run`` names the error).

Studies run in parallel, so the index is rebuilt under a file lock from
whatever insights.json files exist at that moment: the last study to finish
writes an index that includes everyone.

:func:`export_insights` writes a study's insights and recommendations as
CSV (and recommendations as JSON) for spreadsheets and trackers.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from filelock import FileLock

from kit.errors import StageOrderError
from kit.iorw import atomic_write_json
from kit.layout import (
    INDEX_JSON,
    INSIGHTS_JSON,
    INSIGHTS_PAGE,
    insight_href,
    reports_root,
)
from kit.outputs.insights import InsightsJson, read_insights_json
from kit.study.lifecycle import is_current, lifecycle_status, parse_ref

INDEX_VERSION = 1
INDEX_RECOMMENDATION_KEYS = {
    "id",
    "action",
    "owner",
    "metric",
    "priority",
    "status",
    "decided_on",
    "decided_by",  # the Decisions page (kit.site.decisions)
    # what the Impact page counts (kit.site.impact)
    "tracker",
    "shipped_on",
    "metric_id",
    "baseline",
    "check_on",
    "outcome",
}


def _num(ident: str) -> int:
    m = re.search(r"\d+", ident)
    return int(m.group()) if m else 0


def index_entries(result: InsightsJson) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The study entry and the insight entries of one study's insights.json."""
    s = result.study
    slug = s.slug
    owners = [o for o in (s.pm_owner, s.uxr_owner) if o]
    study = {
        "slug": slug,
        "title": s.title,
        "date": s.date,
        "start_date": s.start_date,
        "last_session": s.last_session,
        "product_area": s.product_area,
        "feature": s.feature,
        "status": s.status,
        "owners": owners,
        "participant_count": s.participant_count,
        "insight_count": len(result.insights),
        "open_questions": [q.id for q in result.open_questions],
        "recommendation_statuses": dict(sorted(Counter(r.status for r in result.recommendations).items())),
        "tags": sorted({t for i in result.insights for t in i.tags}),
        "href": f"{slug}/{INSIGHTS_PAGE}",
    }
    entries = []
    for ins in result.insights:
        recs = ins.recommendations
        entries.append(
            {
                "id": f"{slug}/{ins.id}",
                "study": slug,
                "study_title": s.title,
                "date": s.date,
                "product_area": s.product_area,
                "study_status": s.status,
                "owners": owners,
                "participant_count": s.participant_count,
                "insight": ins.id,
                "statement": ins.statement,
                "tags": ins.tags,
                "answers": ins.answers,
                "confidence": ins.confidence.level,
                "confidence_reasons": ins.confidence.reasons,
                "recommendations": [r.model_dump(include=INDEX_RECOMMENDATION_KEYS) for r in recs],
                "recommendation_statuses": sorted({r.status for r in recs}),
                "status": (status := lifecycle_status(ins.status, ins.superseded_by)),
                "current": is_current(status),
                "review_by": ins.review_by,
                "reviewed_on": ins.reviewed_on,
                "found_on": ins.found_on,
                # "study/I3" also within the study: one spelling for every reader
                "superseded_by": "/".join(parse_ref(ins.superseded_by, slug)) if ins.superseded_by else None,
                "href": insight_href(slug, ins.id),
                # Quarto listing fields (title/description/categories/date/path):
                "title": ins.statement,
                "description": f"{s.title} · {ins.id} · confidence {ins.confidence.level}",
                "categories": sorted(set(ins.tags) | {s.product_area}),
                "path": insight_href(slug, ins.id),
            }
        )
    return study, entries


def resolve_replacements(insights: list[dict[str, Any]]) -> None:
    """Give each replaced entry the href, study title and statement of the insight that replaced it (in place)."""
    by_id = {e["id"]: e for e in insights}
    for e in insights:
        target = by_id.get(e.get("superseded_by") or "")
        if target is not None:
            e["superseded_by_href"] = target["href"]
            e["superseded_by_study"] = target["study_title"]
            e["superseded_by_statement"] = target["statement"]


def refresh_index(repo_root: str | Path) -> dict[str, Any] | None:
    """Rebuild the index after ``kit run`` (the one writer of ``reports/index.json``); None without reports/."""
    reports = reports_root(repo_root)
    return build_index(reports) if reports.is_dir() else None


def build_index(reports_root: str | Path) -> dict[str, Any]:
    """Rebuild ``<reports_root>/index.json`` from every ``*/insights.json`` below it."""
    root = Path(reports_root)
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".index.lock"), timeout=60):
        studies, insights, skipped = [], [], []
        for path in sorted(root.glob(f"*/{INSIGHTS_JSON}")):
            try:
                study, entries = index_entries(read_insights_json(path))
            except StageOrderError as exc:  # a stale file of an older kit: listed, not fatal
                skipped.append(f"{path.parent.name}: {exc}")
                continue
            studies.append(study)
            insights.extend(entries)
        studies.sort(key=lambda s: (s["date"], s["slug"]), reverse=True)
        order = {s["slug"]: n for n, s in enumerate(studies)}
        insights.sort(key=lambda e: (order[e["study"]], _num(e["insight"])))
        resolve_replacements(insights)
        index = {
            "version": INDEX_VERSION,
            "studies": studies,
            "insights": insights,
            "tags": sorted({t for e in insights for t in e["tags"]}),
            "product_areas": sorted({s["product_area"] for s in studies}),
            "skipped": skipped,
        }
        atomic_write_json(root / INDEX_JSON, index)
    return index
