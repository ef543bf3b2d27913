"""The Impact page: from insight to decision to outcome, per quarter and overall.

Computed from the repository index (``reports/index.json``, built from every
study's ``insights.json`` by :mod:`kit.site.index`) on the day the site is
built. Practitioners who measure research impact count influence and outcomes
by hand (GitLab's actionable-insight tracking; Sosik's and Pearson's impact
frameworks); here every figure is a formula over the files:

* A study's quarter ``q(s)`` is the calendar quarter of its last session
  (``study.last_session`` of insights.json), else of its date (deadline, else
  start date). A recommendation's quarter ``q(r)`` is the quarter of its
  ``decided_on``, else its study's quarter. Each figure of a quarter Q counts
  the insights of the studies with ``q(s) = Q`` and the recommendations with
  ``q(r) = Q``, so the quarters add up to the overall figures (shares and
  medians are computed again over the whole, not averaged).
* **Insights**: the number of insights.
* **Decided**: recommendations whose ``status`` is accepted, in progress,
  shipped or rejected (:data:`kit.study.insights_file.DECIDED_STATUSES`).
* **Tracked**: of the *committed* recommendations (accepted, in progress or
  shipped: :data:`COMMITTED`), the share with a ``tracker`` (a link or a key):
  ``tracked / committed``.
* **Measurable**: of the committed recommendations, the share with a
  ``metric_id`` (a series in ``metrics/``), a ``baseline`` and a ``check_on``
  date: ``measurable / committed``.
* **Outcomes**: recommendations with a recorded ``outcome``, per verdict
  (moved, not moved, inconclusive).
* **Days to decision**: the median, over decided recommendations with a
  ``decided_on`` in studies with a last session, of ``decided_on −
  last_session`` in days (negative when the decision came before the last
  session); ``statistics.median`` (the mean of the middle two for an even count).
* **Overdue**: recommendations whose ``check_on`` is before the day and that
  have no ``outcome``; each is listed with its study and days overdue.

No personal data is read: the index holds pseudonymised, redacted text only,
and the page's text goes through :func:`kit.display.markdown_text`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from kit.display import markdown_text as md
from kit.display import reader_term_markdown, reader_word, reader_word_rows
from kit.study.insights_file import DECIDED_STATUSES, OUTCOMES

COMMITTED = ("accepted", "in progress", "shipped")
"""Decisions to act: what should be tracked and measured."""
OVERALL = "Overall"


def quarter(day: dt.date) -> str:
    """``2026-Q2``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@dataclass
class Figures:
    """The figures of one quarter (or of all of them)."""

    insights: int = 0
    decided: int = 0
    committed: int = 0
    tracked: int = 0
    measurable: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    days_to_decision: list[int] = field(default_factory=list)
    overdue: int = 0

    def add(self, rec: dict[str, Any], last_session: dt.date | None, day: dt.date) -> None:
        """Count one recommendation (of a study whose last session was ``last_session``) on ``day``."""
        status = rec.get("status")
        decided_on = _date(rec.get("decided_on"))
        if status in DECIDED_STATUSES:
            self.decided += 1
            if decided_on and last_session:
                self.days_to_decision.append((decided_on - last_session).days)
        if status in COMMITTED:
            self.committed += 1
            self.tracked += bool(rec.get("tracker"))
            self.measurable += (
                bool(rec.get("metric_id")) and rec.get("baseline") is not None and bool(rec.get("check_on"))
            )
        if rec.get("outcome") in self.outcomes:
            self.outcomes[rec["outcome"]] += 1
        check_on = _date(rec.get("check_on"))
        if check_on and check_on < day and not rec.get("outcome"):
            self.overdue += 1

    def median_days(self) -> float | None:
        return statistics.median(self.days_to_decision) if self.days_to_decision else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "insights": self.insights,
            "decided": self.decided,
            "committed": self.committed,
            "tracked": self.tracked,
            "tracked_share": self.tracked / self.committed if self.committed else None,
            "measurable": self.measurable,
            "measurable_share": self.measurable / self.committed if self.committed else None,
            "outcomes": dict(self.outcomes),
            "median_days_to_decision": self.median_days(),
            "decisions_timed": len(self.days_to_decision),
            "overdue": self.overdue,
        }


def impact_data(index: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """The page's figures on ``day``: ``quarters`` (sorted), ``overall`` and the ``overdue`` list."""
    studies = {s["slug"]: s for s in index.get("studies", [])}
    per_quarter: dict[str, Figures] = {}
    overall = Figures()
    overdue: list[dict[str, Any]] = []
    for entry in index.get("insights", []):
        study = studies.get(entry["study"], {})
        last = _date(study.get("last_session"))
        study_quarter = quarter(last or _date(study.get("date")) or _date(entry.get("date")) or day)
        for figures in (per_quarter.setdefault(study_quarter, Figures()), overall):
            figures.insights += 1
        for rec in entry.get("recommendations", []):
            decided_on = _date(rec.get("decided_on"))
            rec_quarter = quarter(decided_on) if decided_on else study_quarter
            for figures in (per_quarter.setdefault(rec_quarter, Figures()), overall):
                figures.add(rec, last, day)
            check_on = _date(rec.get("check_on"))
            if check_on and check_on < day and not rec.get("outcome"):
                overdue.append(
                    {
                        "study": entry["study"],
                        "study_title": entry.get("study_title", entry["study"]),
                        "insight": entry["insight"],
                        "recommendation": rec["id"],
                        "action": rec.get("action", ""),
                        "check_on": check_on.isoformat(),
                        "days_overdue": (day - check_on).days,
                        "href": entry.get("href", ""),
                    }
                )
    overdue.sort(key=lambda o: (o["check_on"], o["study"], o["recommendation"]))
    return {
        "day": day.isoformat(),
        "quarters": {q: f.as_dict() for q, f in sorted(per_quarter.items())},
        "overall": overall.as_dict(),
        "overdue": overdue,
    }


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({round(100 * part / whole)}%)" if whole else "–"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


# The per-quarter table's figures in column order, each a term of data/reader_words.csv: the header shows
# its plain words with the precise formula a hover away, "What the figures mean" its meaning (the Glossary's).
FIGURE_TERMS = (
    "impact.insights",
    "impact.decided",
    "impact.tracked",
    "impact.measurable",
    *(f"outcome.{verdict}" for verdict in OUTCOMES),
    "impact.days_to_decision",
    "impact.overdue",
)


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def _header(key: str, suffix: str = "") -> str:
    return reader_term_markdown(key, capitalised=True) + suffix


def impact_markdown(data: dict[str, Any]) -> str:
    """The generated part of the Impact page (headings level 2)."""
    columns = [_header("impact.quarter")]
    columns += [_header(k, " (median)" if k == "impact.days_to_decision" else "") for k in FIGURE_TERMS]
    header = "| " + " | ".join(columns) + " |"
    out = [
        f"Figures on {data['day']}, computed from every study's insights and recommendations.",
        "",
        "## Per quarter",
        "",
    ]
    rows = list(data["quarters"].items())
    if not rows:
        out.append("No insights yet: run the studies (`kit run`).")
    else:
        out += [header, "|" + "---|" * len(columns)]
        for label, f in [*rows, (OVERALL, data["overall"])]:
            name = f"**{label}**" if label == OVERALL else label
            out.append(
                f"| {name} | {f['insights']} | {f['decided']} | {_share(f['tracked'], f['committed'])} "
                f"| {_share(f['measurable'], f['committed'])} | "
                + " | ".join(str(f["outcomes"][v]) for v in OUTCOMES)
                + f" | {_days(f['median_days_to_decision'])} | {f['overdue']} |"
            )
    out += ["", "## What the figures mean", ""]
    meanings = {row["key"]: row["meaning"] for row in reader_word_rows()}
    out += [f"- **{md(_capitalised(reader_word(key)[0]))}**: {md(meanings.get(key, ''))}" for key in FIGURE_TERMS]
    out += [
        "",
        "A quarter counts the insights of the studies whose last session fell in it and the "
        "recommendations decided in it (undecided ones in their study's quarter).",
        "",
        "## Outcomes overdue",
        "",
    ]
    if data["overdue"]:
        out += [f"| Study | Recommendation | Action | {_header('check_on')} | Days overdue |", "|---|---|---|---|---|"]
        for o in data["overdue"]:
            link = (
                f"[{md(o['insight'])} {md(o['recommendation'])}]({o['href']})" if o["href"] else md(o["recommendation"])
            )
            out.append(
                f"| {md(o['study_title'])} | {link} | {md(o['action'])} | {o['check_on']} | {o['days_overdue']} |"
            )
    else:
        out.append("No outcome is overdue.")
    return "\n".join(out) + "\n"
