"""Confidence of an insight: low / medium / high, with the reasons.

Computed from the insight's evidence only (never typed by hand), from four
measures: distinct participants, kinds of source (notes, transcripts,
metrics: triangulation), share of the study's segments covered, and the share
of participants behind the counter-evidence. The thresholds per level are a
data table, ``src/kit/data/confidence_rules.yml``; the first level whose
every condition holds wins. The reasons say what was measured and, when the
insight is not rated higher, which condition of the next level failed.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from kit.insights.evidence import EvidenceItem

RULES_FILE = "confidence_rules.yml"
CONDITIONS = ("min_participants", "min_source_kinds", "min_segment_share", "max_counter_share")


def load_rules(text: str | None = None) -> list[dict[str, Any]]:
    """The levels of the rule table, best first (each with all four conditions)."""
    if text is None:
        text = resources.files("kit").joinpath("data", RULES_FILE).read_text(encoding="utf-8")
    levels = (yaml.safe_load(text) or {}).get("levels") or []
    for row in levels:
        missing = [c for c in CONDITIONS if c not in row]
        if "level" not in row or missing:
            raise ValueError(f"{RULES_FILE}: level {row.get('level')!r} lacks {', '.join(missing) or 'level'}")
    return levels


def measure(support: list[EvidenceItem], counter: list[EvidenceItem], segments: dict[str, str]) -> dict[str, Any]:
    """The four measures of an insight's evidence.

    participants = distinct pseudonyms of the non-metric evidence (of the
    metrics when there is nothing else);

    counter_share = |counter participants| / |supporting ∪ counter participants|;
    segment_share = |segments of supporting participants| / |segments in the study|
    (1.0 when the synthesis knows no segments, as nothing can be judged).
    """
    # Participants are those seen or heard (notes, quotes, themes): a metric
    # is measured on everyone who did the task, so it adds a kind of source
    # (triangulation), not breadth. Only an insight resting on metrics alone
    # counts the people measured.
    qualitative = [e for e in support if e.kind != "metric"] or support
    people = sorted({p for e in qualitative for p in e.participants})
    against = sorted({p for e in counter for p in e.participants})
    involved = set(people) | set(against)
    kinds = sorted({e.source for e in support})
    all_segments = sorted({s for s in segments.values() if s})
    covered = sorted({segments[p] for p in people if segments.get(p)})
    return {
        "participants": people,
        "metrics": [{"id": e.id, "n": len(e.participants)} for e in support if e.kind == "metric"],
        "counter_participants": against,
        "source_kinds": kinds,
        "segments_covered": covered,
        "segments_total": len(all_segments),
        "segment_share": len(covered) / len(all_segments) if all_segments else 1.0,
        "counter_share": len(against) / len(involved) if involved else 0.0,
    }


def _fails(m: dict[str, Any], rule: dict[str, Any]) -> list[str]:
    """The conditions of ``rule`` that the measures ``m`` do not meet, as phrases."""
    out = []
    if len(m["participants"]) < rule["min_participants"]:
        out.append(f"needs at least {rule['min_participants']} participants")
    if len(m["source_kinds"]) < rule["min_source_kinds"]:
        out.append(f"needs {rule['min_source_kinds']} kinds of source")
    if m["segment_share"] < rule["min_segment_share"]:
        out.append(f"needs {rule['min_segment_share']:.0%} of segments covered")
    if m["counter_share"] > rule["max_counter_share"]:
        out.append(f"counter-evidence above {rule['max_counter_share']:.0%}")
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def rate(
    support: list[EvidenceItem],
    counter: list[EvidenceItem],
    segments: dict[str, str],
    rules: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``{"level", "reasons", ...measures}`` for one insight."""
    rules = rules if rules is not None else load_rules()
    m = measure(support, counter, segments)
    level, above = "low", None
    for i, rule in enumerate(rules):
        if not _fails(m, rule):
            level, above = rule["level"], (rules[i - 1] if i > 0 else None)
            break
    n = len(m["participants"])
    reasons = [
        f"{_plural(n, 'distinct participant')}" + (f" ({', '.join(m['participants'])})" if n else ""),
        f"{_plural(len(m['source_kinds']), 'kind')} of source"
        + (f": {', '.join(m['source_kinds'])}" if m["source_kinds"] else ""),
    ]
    if m["metrics"]:
        reasons.append("measured: " + ", ".join(f"{x['id']} (n={x['n']})" for x in m["metrics"]))
    if m["segments_total"]:
        reasons.append(
            f"covers {len(m['segments_covered'])} of "
            f"{_plural(m['segments_total'], 'segment')}"
            + (f" ({', '.join(m['segments_covered'])})" if m["segments_covered"] else "")
        )
    if m["counter_participants"]:
        reasons.append(
            f"counter-evidence from {_plural(len(m['counter_participants']), 'participant')} "
            f"({m['counter_share']:.0%} of those involved)"
        )
    else:
        reasons.append("no counter-evidence cited")
    if above is not None:
        reasons.append(f"not {above['level']}: {'; '.join(_fails(m, above))}")
    return {"level": level, "reasons": reasons, **m}
