"""Sample sizes for a plan: problem discovery and completion-rate precision.

Two questions a PM and a UXR argue about before recruiting:

* *Will n participants show us the problems?* The problem-discovery model
  (Nielsen & Landauer 1993, "A mathematical model of the finding of usability
  problems", INTERCHI '93; Sauro & Lewis 2016, *Quantifying the User
  Experience*, 2nd ed., ch. 7): a problem that affects a share ``p`` of users
  is seen at least once by ``n`` participants with probability
  ``1 - (1 - p)^n``. With p = 0.31 (Nielsen & Landauer's average) five users
  see it with probability 0.84.
* *How precise is a completion rate from n participants?* The adjusted-Wald
  (Agresti & Coull 1998) interval that Sauro & Lewis (2005; 2016 ch. 3)
  recommend for small samples: ``p_adj = (x + z²/2) / (n + z²)``,
  margin ``z * sqrt(p_adj (1 - p_adj) / (n + z²))``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from scipy.stats import norm

DISCOVERY_GOAL = 0.85
DISCOVERY_PS: tuple[float, ...] = (0.50, 0.31, 0.25, 0.15, 0.10, 0.05)
"""Problem frequencies shown in the plan (0.31: Nielsen & Landauer's average)."""


def discovery_probability(p: float, n: int) -> float:
    """Probability that n participants see a problem affecting share p at least once: 1-(1-p)^n."""
    _check_share(p, "p")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return 1.0 - (1.0 - p) ** n


def n_for_discovery(p: float, goal: float = DISCOVERY_GOAL) -> int:
    """Smallest n with 1-(1-p)^n >= goal, i.e. ceil(ln(1-goal) / ln(1-p)).

    Sauro & Lewis 2016, Table 7.1 (e.g. p=0.25, goal 85% -> 7; p=0.50 -> 3).
    """
    _check_share(p, "p")
    _check_share(goal, "goal")
    if p >= 1:
        return 1
    exact = math.log(1 - goal) / math.log(1 - p)
    # Guard against 5.0000000001 from floating point turning into 6.
    n = math.ceil(exact - 1e-9)
    return max(n, 0)


def discovery_table(n: int, ps: tuple[float, ...] = DISCOVERY_PS, goal: float = DISCOVERY_GOAL) -> list[dict[str, Any]]:
    """For each problem frequency p: chance the planned n sees it, and n needed for the goal."""
    return [
        {
            "p": p,
            "n": n,
            "probability": round(discovery_probability(p, n), 4),
            "n_for_goal": n_for_discovery(p, goal),
            "goal": goal,
        }
        for p in ps
    ]


def adjusted_wald(x: float, n: int, confidence: float = 0.95) -> dict[str, float]:
    """Adjusted-Wald interval for x successes out of n (Agresti & Coull 1998).

    Worked example (Tullis & Albert, *Measuring the User Experience*, p. 69):
    4 of 5 -> p_adj 0.6696, margin 0.310, 36% to 98%. Limits are clipped to [0, 1].
    """
    if n <= 0:
        raise ValueError(f"n must be > 0, got {n}")
    if not 0 <= x <= n:
        raise ValueError(f"x must be between 0 and n={n}, got {x}")
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    n_adj = n + z * z
    p_adj = (x + z * z / 2) / n_adj
    margin = z * math.sqrt(p_adj * (1 - p_adj) / n_adj)
    return {
        "p_adj": p_adj,
        "margin": margin,
        "low": max(0.0, p_adj - margin),
        "high": min(1.0, p_adj + margin),
        "z": z,
        "n": n,
        "x": x,
    }


def completion_margin(n: int, expected: float = 0.5, confidence: float = 0.95) -> dict[str, float]:
    """Margin of error a planned n gives for a completion rate near ``expected``.

    Uses the adjusted-Wald interval with x = expected * n; 0.5 gives the widest margin.
    """
    _check_share(expected, "expected")
    return adjusted_wald(expected * n, n, confidence)


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_RATE_WORDS = re.compile(r"\b(complet\w*|success\w*|task\w*)\b", re.I)  # measured in sessions, not analytics


def expected_rate(target: str) -> float | None:
    """The share in a target like '>= 85%' (None when it is not a percentage)."""
    m = _PERCENT.search(target or "")
    if not m:
        return None
    value = float(m.group(1)) / 100
    return value if 0 <= value <= 1 else None


def is_rate_metric(name: str, target: str) -> bool:
    """A metric measured as a share of participants (completion, success, conversion)."""
    return expected_rate(target) is not None and bool(_RATE_WORDS.search(name))


def sample_plan(planned: dict[str, int], metrics: list[dict[str, Any]], confidence: float = 0.95) -> dict[str, Any]:
    """plan.json's sample-size section for the planned participants and PM metrics.

    ``metrics`` are dicts with name, kind and target. Per segment and in total:
    problem discovery; for each behavioural rate metric, the margin of error the
    total n gives around its target.
    """
    total = sum(planned.values())
    per_segment: list[dict[str, Any]] = [
        {"segment": seg, "n": n, "p31_probability": round(discovery_probability(0.31, n), 4)}
        for seg, n in planned.items()
    ]
    margins = []
    for m in metrics:
        if total and m.get("kind") == "behavioural" and is_rate_metric(m["name"], m.get("target", "")):
            expected = expected_rate(m["target"])
            assert expected is not None  # is_rate_metric: the target is a percentage
            w = completion_margin(total, expected, confidence)
            margins.append(
                {
                    "metric": m["name"],
                    "target": m["target"],
                    "n": total,
                    "expected": expected,
                    "margin": round(w["margin"], 4),
                    "low": round(w["low"], 4),
                    "high": round(w["high"], 4),
                    "confidence": confidence,
                }
            )
    notes = []
    if total == 0:
        notes.append("No participants planned yet (participants_per_segment is empty).")
    else:
        needed = n_for_discovery(0.31)
        if total < needed:
            notes.append(
                f"{total} participants see a problem that affects 31% of users with "
                f"probability {discovery_probability(0.31, total):.2f}; "
                f"{needed} are needed for {DISCOVERY_GOAL:.0%}."
            )
        for seg in per_segment:
            if 0 < seg["n"] < 3:
                notes.append(
                    f"Segment '{seg['segment']}' has {seg['n']} participant(s): "
                    "too few to tell its problems from individual quirks."
                )
    info = []
    for m in margins:
        line = (
            f"With n={m['n']}, a completion rate near {m['expected']:.0%} ('{m['metric']}') "
            f"is known to ±{m['margin']:.0%} ({m['low']:.0%}–{m['high']:.0%}, "
            f"{confidence:.0%} adjusted Wald)"
        )
        # A margin above 10 points cannot tell a target from its neighbours.
        if m["margin"] > 0.10:
            notes.append(line + ": use it as a direction, not a measurement.")
        else:
            info.append(line + ".")
    return {
        "total": total,
        "per_segment": per_segment,
        "discovery": discovery_table(total) if total else [],
        "completion_margins": margins,
        "warnings": notes,
        "notes": info,
    }


def _check_share(value: float, name: str) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
