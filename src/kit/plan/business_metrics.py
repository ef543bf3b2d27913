"""Metric check: does each PM metric measure what the decision needs?

The field's advice: measure what the PM's decision needs — completed
transactions, not expressed interest. What people say they would do predicts
what they do poorly (Nielsen 2001, "First rule of usability? Don't listen to
users"; Sauro 2013 on purchase intent vs. actual purchase). So:

* an **attitudinal** metric used for a **behavioural** decision (ship / keep /
  build — bets on what people will do) is flagged, with the behavioural
  counterpart from ``data/metric_counterparts.csv`` when one matches;
* a metric labelled **behavioural** whose name says it counts expressed
  interest ("would use", "saying", "interested") is flagged as mislabelled.

The counterpart table is data: ``pattern`` (regex on the metric's name),
``measures``, ``expressed`` (yes when the phrase itself is a self-report) and
``counterpart`` (``{object}`` is filled with the words after the match).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from kit.study.methods import classify_text


@dataclass(frozen=True)
class Counterpart:
    pattern: re.Pattern[str]
    measures: str
    expressed: bool
    counterpart: str


@lru_cache(maxsize=1)
def load_counterparts() -> tuple[Counterpart, ...]:
    """The counterpart table, in file order (first match wins)."""
    text = resources.files("kit").joinpath("data", "metric_counterparts.csv").read_text(encoding="utf-8")
    return tuple(
        Counterpart(
            re.compile(r["pattern"], re.I), r["measures"], r["expressed"].strip().lower() == "yes", r["counterpart"]
        )
        for r in csv.DictReader(text.splitlines())
    )


def decision_kind(decision: str) -> str:
    """'behavioural' or 'attitudinal': what the decision bets on.

    Product decisions are bets on behaviour unless the decision text only
    speaks of perception (brand, messaging, naming ...), by the question cues.
    """
    kinds = classify_text(decision).get("behaviour", [])
    return "attitudinal" if kinds == ["attitudinal"] else "behavioural"


def match_counterpart(name: str) -> tuple[Counterpart, str] | None:
    """The first counterpart row matching a metric name, with its filled suggestion."""
    for row in load_counterparts():
        m = row.pattern.search(name)
        if m:
            obj = name[m.end() :].strip(" .,;:") or "it"
            return row, row.counterpart.replace("{object}", obj)
    return None


def check_metric(name: str, kind: str, target: str, decision: str) -> dict[str, Any]:
    """One metric's verdict: flagged or not, why, and the suggested counterpart."""
    needed = decision_kind(decision)
    found = match_counterpart(name)
    result: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "target": target,
        "decision_kind": needed,
        "flagged": False,
        "reason": "",
        "measures": found[0].measures if found else None,
        "counterpart": None,
    }
    if kind == "attitudinal" and needed == "behavioural":
        result["flagged"] = True
        what = f" ({found[0].measures})" if found else ""
        result["reason"] = (
            f"attitudinal metric{what} for a behavioural decision: what people say "
            "they would do predicts what they do poorly"
        )
        result["counterpart"] = (
            found[1] if found else "The behaviour itself, measured in product analytics or observed tasks"
        )
    elif kind == "behavioural" and found and found[0].expressed:
        result["flagged"] = True
        result["reason"] = (
            f"labelled behavioural, but the name says it counts {found[0].measures}; "
            "measure the action instead or label it attitudinal"
        )
        result["counterpart"] = found[1]
    return result


def check_metrics(metrics: list[dict[str, Any]], decision: str) -> list[dict[str, Any]]:
    """Verdicts for every PM metric (dicts with name, kind, target)."""
    return [check_metric(m["name"], m["kind"], m.get("target", ""), decision) for m in metrics]


def metric_warnings(checked: list[dict[str, Any]]) -> list[str]:
    """One line per flagged metric, naming it and its counterpart."""
    lines = []
    for c in checked:
        if c["flagged"]:
            lines.append(
                f"Metric '{c['name']}': {c['reason']}."
                + (f" Behavioural counterpart: {c['counterpart']}." if c["counterpart"] else "")
            )
    if checked and not any(c["kind"] == "behavioural" for c in checked):
        lines.append("No behavioural PM metric: the decision has nothing that measures what people do.")
    return lines
