"""The insights' lifecycle on the site: review dates in words, the "Due for review" list, past insights.

Both engines show the same (:mod:`kit.site.pages` writes the parts into
``studies/``, :mod:`kit.site.preview` renders them):

- the insights listing shows current insights only (statuses whose
  ``current`` is yes in ``data/insight_statuses.csv``), each with its review
  date in words as of the day the site is built ("due in 9 months", "due
  since 2 May 2026");
- below it, ``studies/listing-insights-past.yml``: superseded, archived and
  draft insights, each naming what replaced it (its own listing, with its
  own filter, in Quarto);
- above it, ``studies/_due-for-review.md``: current insights whose review
  date has passed or comes within ``due_soon_days`` (``lifecycle.yml``),
  the oldest first.

Words are computed when the site is built, so they stay true on a site
rebuilt every day even when no notebook ran again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kit.display import markdown_text
from kit.study.lifecycle import insight_statuses, long_date, relative_words

PAST_LISTING = "listing-insights-past.yml"  # in studies/ (no "_": Quarto skips those as listing contents)
DUE_PART = "_due-for-review.md"  # in studies/, included by insights.qmd


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def review_text(entry: dict[str, Any], today: dt.date) -> str:
    """``due in 9 months``, ``due today`` or ``due since 2 May 2026``; empty without a review date."""
    day = _day(entry.get("review_by"))
    if day is None:
        return ""
    if day > today:
        return f"due {relative_words(day, today)}"
    return "due today" if day == today else f"due since {long_date(day)}"


def age_text(entry: dict[str, Any], today: dt.date) -> str:
    """``reviewed 3 months ago`` or ``found 5 months ago`` (the study's last session)."""
    reviewed, found = _day(entry.get("reviewed_on")), _day(entry.get("found_on"))
    if reviewed is not None:
        return f"reviewed {relative_words(reviewed, today)}"
    return f"found {relative_words(found, today)}" if found is not None else ""


def is_listed(entry: dict[str, Any]) -> bool:
    """In the default listing and the feed: a current insight (an index of an older kit: all are)."""
    return bool(entry.get("current", True))


def status_text(entry: dict[str, Any]) -> str:
    """``Superseded by <study> I3`` / ``Archived`` / ``Draft``."""
    status = str(entry.get("status") or "")
    label = insight_statuses()[status].label if status in insight_statuses() else status
    replaced = entry.get("superseded_by")
    if not replaced:
        return label
    study = entry.get("superseded_by_study") or replaced.split("/")[0]
    return f"{label} by {study} {replaced.split('/')[-1]}"


def past_listing_items(index: dict[str, Any]) -> list[dict[str, Any]]:
    """Items of the second listing: insights not current, each linking to its card (with its banner)."""
    items = []
    for e in index.get("insights", []):
        if is_listed(e):
            continue
        item = {
            "title": e["statement"],
            "path": e["href"],
            "date": e.get("date") or None,
            "study": e.get("study_title", e.get("study", "")),
            "status": status_text(e),
            "categories": [f"status: {e.get('status')}", *e.get("tags", [])],
        }
        if e.get("superseded_by_href"):
            item["replaced-by"] = e["superseded_by_href"]
        items.append({k: v for k, v in item.items() if v is not None})
    return items


def due_for_review(index: dict[str, Any], today: dt.date, soon_days: int) -> list[dict[str, Any]]:
    """Current insights whose review date has passed or comes within ``soon_days``, the oldest date first."""
    horizon = today + dt.timedelta(days=soon_days)
    due = []
    for e in index.get("insights", []):
        day = _day(e.get("review_by"))
        if is_listed(e) and day is not None and day <= horizon:
            due.append(e)
    return sorted(due, key=lambda e: (e["review_by"], e["id"]))


def due_for_review_markdown(index: dict[str, Any], today: dt.date, soon_days: int) -> str:
    """The "Due for review" list as Markdown (study text escaped); a line saying so when nothing is due."""
    due = due_for_review(index, today, soon_days)
    lines = ["## Due for review", ""]
    if not due:
        lines.append(f"No insight is due for review in the next {soon_days} days.")
    for e in due:
        study = markdown_text(str(e.get("study_title") or e["study"]))
        lines.append(
            f"- **Review {review_text(e, today)}** ({age_text(e, today)}): [{markdown_text(e['statement'])}]"
            f"({e['href']}) ({study}, {e['insight']})"
        )
    return "\n".join(lines) + "\n"
