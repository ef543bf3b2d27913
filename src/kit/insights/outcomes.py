"""Recommendation outcomes in the insights stage: each metric series found, read and compared before/after.

For every recommendation of insights.yml (README, "Recommendation outcomes"):

* a ``metric_id`` must name a series ``metrics/<metric_id>.csv`` (or
  ``.xlsx``) at the repository root; a missing or unreadable one fails the
  stage, naming insights.yml's line and the recommendation (and the series'
  own file and line);
* with ``shipped_on`` too, the metric is compared before and after
  (:mod:`kit.insights.before_after`) and stored as ``before_after``;
* a recorded A/B test (``ab_result``) is judged by the same interval rule and
  stored as ``ab_result``: the card shows it instead of the before/after;
* a recorded ``outcome`` that the comparison contradicts (it suggests
  ``moved`` where ``not moved`` was recorded, or the other way round) is a
  warning: the recorded outcome is the researcher's, the warning asks them
  to look again.

Whether an outcome is due is not decided here but on every ``kit run``
(:mod:`kit.study.outcomes_due`), since the date passes without any file changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import DataError, InsightError, Problem
from kit.insights.before_after import before_after, interval_verdict
from kit.layout import INSIGHTS_FILE, METRICS_DIR
from kit.study.insights_file import AbResult, InsightsFile, Recommendation, recommendation_line
from kit.study.metric_series import MetricSeries, metric_ids, metric_path, read_metric_series
from kit.study.safe_yaml import YamlDocument

WEB_ADDRESS = ("https://", "http://")  # a tracker given so is shown as a link; a key (SHOP-123) as text


@dataclass
class Outcomes:
    """What the stage adds to each recommendation row, by recommendation id, and the warnings."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def _where(document: YamlDocument | None, spec: InsightsFile, insight: str, rec: Recommendation, key: str) -> str:
    line = recommendation_line(document, spec, rec.id, key) if document is not None else None
    file = f"{INSIGHTS_FILE}:{line}" if line else INSIGHTS_FILE
    return f"{file}: insight {insight}: recommendation {rec.id}"


def recommendation_outcomes(
    spec: InsightsFile, repo_root: str | Path, document: YamlDocument | None = None
) -> Outcomes:
    """Series found and compared for every recommendation; :class:`InsightError` lists every fatal problem."""
    found = Outcomes()
    fatal: list[Problem] = []
    series: dict[str, MetricSeries | None] = {}
    for ins in spec.insights:
        for rec in ins.recommendations:
            row: dict[str, Any] = {}
            if rec.tracker and rec.tracker.lower().startswith(WEB_ADDRESS):
                row["tracker_url"] = rec.tracker
            if rec.metric_id is not None:
                if rec.metric_id not in series:
                    series[rec.metric_id] = _read(repo_root, rec.metric_id, fatal, found.warnings)
                where = _where(document, spec, ins.id, rec, "metric_id")
                metric = series[rec.metric_id]
                if metric_path(repo_root, rec.metric_id) is None:
                    fatal.append(
                        Problem(
                            where,
                            f"metric_id {rec.metric_id!r}: no {METRICS_DIR}/{rec.metric_id}.csv (or .xlsx), "
                            f"expected one of: {', '.join(metric_ids(repo_root)) or f'none ({METRICS_DIR}/ is empty)'}",
                        )
                    )
                elif metric is None:
                    fatal.append(
                        Problem(where, f"metric_id {rec.metric_id!r}: the series cannot be read (see its file)")
                    )
                elif rec.shipped_on is not None:
                    row["before_after"] = before_after(
                        metric, rec.shipped_on, rec.window_days, rec.ramp_days, rec.baseline, rec.target
                    )
            if rec.ab_result is not None:
                row["ab_result"] = _ab_row(rec.ab_result, rec)
            if "before_after" in row or "ab_result" in row:
                found.warnings += _contradiction(_where(document, spec, ins.id, rec, "outcome"), rec, row)
            found.rows[rec.id] = row
    if fatal:
        raise InsightError(fatal)
    return found


def _read(repo_root: str | Path, metric_id: str, fatal: list[Problem], warnings: list[Problem]) -> MetricSeries | None:
    path = metric_path(repo_root, metric_id)
    if path is None:
        return None
    try:
        metric = read_metric_series(path, metric_id)
    except DataError as err:
        fatal.extend(err.problems)
        return None
    warnings.extend(metric.warnings)
    return metric


def _ab_row(ab: AbResult, rec: Recommendation) -> dict[str, Any]:
    """The recorded A/B result with its suggested verdict (the before/after's interval rule)."""
    verdict, reason = interval_verdict(ab.ci_low, ab.ci_high, ab.confidence, rec.baseline, rec.target)
    url = ab.source if ab.source.lower().startswith(WEB_ADDRESS) else None
    return {**ab.model_dump(), "source_url": url, "verdict": verdict, "reason": reason}


def _contradiction(where: str, rec: Recommendation, row: dict[str, Any]) -> list[Problem]:
    # An A/B result, when recorded, is the evidence; else the before/after comparison.
    judged = row.get("ab_result") or row["before_after"]
    suggested, kind = judged["verdict"], "A/B test" if "ab_result" in row else "before/after comparison"
    if rec.outcome is None or suggested == "inconclusive" or rec.outcome == suggested:
        return []
    return [
        Problem(
            where,
            f"outcome '{rec.outcome}' is recorded, but the {kind} suggests '{suggested}' "
            f"({judged['reason']}): look again, or say why in outcome_note",
            fatal=False,
        )
    ]
