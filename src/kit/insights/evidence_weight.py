"""How much an insight's evidence can bear: requests alone, and codes the coders disagree on.

Two checks on top of :mod:`kit.insights.confidence`:

* **Requests only.** Feature requests (``R-<request_id>``) are expressed
  interest, attitudinal: what customers say they want, not what they do. An
  insight whose evidence is only requests, and each of its recommendations,
  gets a warning that behavioural evidence is missing, the same rule the plan
  stage applies to PM metrics (:mod:`kit.plan.business_metrics`: an
  attitudinal metric behind a behavioural decision is flagged).
* **Unreliable codes.** When the synthesis measured inter-coder agreement
  (synthesis.json's ``agreement``), an insight resting on a code whose
  Krippendorff's alpha is below 0.667 (Krippendorff 2004: below it, not even
  tentative conclusions) is rated one confidence level lower, and its reasons
  say which code and alpha. The codes an insight rests on are its own tags
  that its evidence carries (all its evidence's tags when it names none).
"""

from __future__ import annotations

from typing import Any

from kit.errors import Problem
from kit.insights.evidence import EvidenceItem
from kit.layout import INSIGHTS_FILE
from kit.study.insights_file import InsightsFile
from kit.study.study_file import Study, metric_key

LEVELS = ("low", "medium", "high")
ALPHA_TENTATIVE = 0.667  # when synthesis.json does not say (its agreement carries alpha_tentative)


def request_only_warnings(
    spec: InsightsFile, study: Study, index: dict[str, EvidenceItem], source: str = INSIGHTS_FILE
) -> list[Problem]:
    """Insights (and their recommendations) whose evidence is only feature requests."""
    kinds = {metric_key(m.name): m.kind for m in study.pm_metrics}
    out = []
    for ins in spec.insights:
        items = [index[e] for e in ins.evidence if e in index]
        if not items or any(e.kind != "request" for e in items):
            continue
        where = f"{source}: insight {ins.id}"
        out.append(
            Problem(
                where,
                f"evidence is only feature requests ({', '.join(e.id for e in items)}): "
                "expressed interest (attitudinal); behavioural evidence is missing - cite "
                "observations, task results or a behavioural metric too",
                fatal=False,
            )
        )
        for rec in ins.recommendations:
            metric = kinds.get(metric_key(rec.metric or ""))
            extra = f"; its metric {rec.metric!r} is attitudinal too" if metric == "attitudinal" else ""
            out.append(
                Problem(
                    f"{where}: recommendation {rec.id}",
                    "rests only on feature requests (expressed interest): behavioural evidence "
                    f"is missing before acting on it{extra}",
                    fatal=False,
                )
            )
    return out


def rested_codes(tags: list[str], support: list[EvidenceItem]) -> set[str]:
    """The codes an insight rests on: its tags its evidence carries (else all the evidence's tags)."""
    carried = {t.lower() for e in support if e.kind != "metric" for t in e.tags}
    own = {t.lower() for t in tags}
    return (own & carried) if own else carried


def unreliable_codes(agreement: dict[str, Any] | None) -> tuple[dict[str, float], float]:
    """(code -> alpha for codes below the threshold, the threshold), from synthesis.json's ``agreement``."""
    if not agreement:
        return {}, ALPHA_TENTATIVE
    threshold = float(agreement.get("alpha_tentative") or ALPHA_TENTATIVE)
    return (
        {
            row["code"]: row["alpha"]
            for row in agreement.get("codes", [])
            if row.get("alpha") is not None and row["alpha"] < threshold
        },
        threshold,
    )


def lower_for_agreement(
    rating: dict[str, Any], codes: set[str], unreliable: dict[str, float], threshold: float = ALPHA_TENTATIVE
) -> dict[str, Any]:
    """``rating`` one level lower (and saying why) when it rests on a code with alpha below ``threshold``."""
    weak = sorted(c for c in codes if c in unreliable)
    if not weak:
        return rating
    level = rating["level"]
    lowered = LEVELS[max(LEVELS.index(level) - 1, 0)] if level in LEVELS else level
    # Plain words first, the measure in brackets: the site is read by PMs (data/reader_words.csv "agreement").
    what = ", ".join(f"{c} (Krippendorff's α {unreliable[c]:.2f}: low)" for c in weak)
    reason = f"rests on codes with low agreement between coders (below {threshold}): {what}" + (
        f"; lowered from {level}" if lowered != level else ""
    )
    return {
        **rating,
        "level": lowered,
        "reasons": [*rating["reasons"], reason],
        "unreliable_codes": {c: unreliable[c] for c in weak},
    }
