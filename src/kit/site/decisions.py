"""The Decisions page: every recommendation of every study, for the PM's "what did we decide, and is it done?".

Built from the repository index (``reports/index.json``, :mod:`kit.site.index`),
whose insight entries carry their recommendations as each study's
``insights.json`` declares them (:class:`kit.outputs.insights.PublishedRecommendation`).
One row per recommendation: what to do, the insight it rests on (linking to
its card), the study, the owner, the status, who decided and when, and the
PM metric it should move. Readers filter by status, owner and product area
and sort by the date of the decision.

Both engines show the same rows: Quarto as a table listing
(``decisions.qmd`` reading ``studies/listing-decisions.yml``, text escaped by
:func:`kit.site.pages.quarto_listing_items`), the preview as an autoescaped
Jinja table (:mod:`kit.site.preview`). Newest decision first; recommendations
awaiting a decision (no date) after the decided ones.
"""

from __future__ import annotations

from typing import Any

from kit.display import reader_word
from kit.site.categories import one_spelling

# Filter groups: (heading, row key). The category a row carries is "<heading>: <value>",
# so an owner and a product area with the same name stay apart.
SHORT_STATEMENT = 90  # characters of the insight in a row; its card has all of it


def short_text(text: str, limit: int = SHORT_STATEMENT) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"


FILTER_GROUPS = (("Status", "status_words"), ("Owner", "owner"), ("Product area", "product_area"))


def decision_rows(index: dict[str, Any]) -> list[dict[str, Any]]:
    """Every recommendation of every study in the index, newest decision first, undecided last."""
    entries = index.get("insights", [])
    areas = one_spelling(e.get("product_area") or "" for e in entries)
    rows = []
    for entry in entries:
        for rec in entry.get("recommendations", []):
            status = rec.get("status") or "proposed"
            rows.append(
                {
                    "id": rec["id"],
                    "action": rec.get("action") or "",
                    "status": status,
                    "status_words": reader_word(f"status.{status}", status)[0],
                    "owner": rec.get("owner") or "",
                    "decided_by": rec.get("decided_by") or "",
                    "decided_on": rec.get("decided_on") or "",
                    "metric": rec.get("metric") or "",
                    "priority": rec.get("priority") or "",
                    "insight": entry.get("insight", ""),
                    "statement": entry.get("statement", ""),
                    "statement_short": short_text(entry.get("statement", "")),
                    "study": entry.get("study", ""),
                    "study_title": entry.get("study_title") or entry.get("study", ""),
                    "product_area": areas.get(entry.get("product_area") or "", ""),
                    "href": entry.get("href", ""),
                }
            )
    decided = sorted((r for r in rows if r["decided_on"]), key=lambda r: r["decided_on"], reverse=True)
    return decided + [r for r in rows if not r["decided_on"]]


def row_categories(row: dict[str, Any]) -> list[str]:
    """A row's filter categories: ``Status: accepted``, ``Owner: Design``, ``Product area: Checkout``."""
    return [f"{name}: {row[key]}" for name, key in FILTER_GROUPS if row[key]]


def filter_groups(rows: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The preview's filter buttons: per group, its categories in order."""
    groups: list[tuple[str, list[str]]] = []
    for name, key in FILTER_GROUPS:
        values = sorted({f"{name}: {r[key]}" for r in rows if r[key]}, key=str.lower)
        if values:
            groups.append((name, values))
    return groups


def decision_listing_items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items of the Quarto listing on ``decisions.qmd`` (plain values; the caller escapes them for Quarto)."""
    items = []
    for r in rows:
        item = {
            "title": r["action"],
            "path": r["href"],
            "insight": f"{r['statement_short']} ({r['insight']})",
            "study": r["study_title"],
            "product-area": r["product_area"],
            "owner": r["owner"],
            "status": r["status_words"],
            "decided-by": r["decided_by"],
            "metric": r["metric"],
            "categories": row_categories(r),
        }
        if r["decided_on"]:
            item["date"] = r["decided_on"]
        items.append(item)  # an empty field is an empty cell; only the date is left out when there is none
    return items
