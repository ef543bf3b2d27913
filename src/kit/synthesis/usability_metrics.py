"""Usability metrics with honest intervals.

Every function cites its formula. Behavioural metrics (what people did:
completion, time on task) and attitudinal ones (what they said: SUS, SEQ,
NPS) are kept apart in the synthesis, as the PM's decision usually needs the
behavioural ones. All intervals are 95% by default.

References
----------
* Brooke, J. (1996). SUS: a "quick and dirty" usability scale. In Usability
  Evaluation in Industry, 189-194.
* Sauro, J. & Lewis, J. R. (2016). Quantifying the User Experience, 2nd ed.
  (ch. 3: completion rates, time; ch. 8: SUS and the curved grading scale).
* Sauro, J. & Dumas, J. S. (2009). Comparison of three one-question,
  post-task usability questionnaires. CHI '09, 1599-1608 (the SEQ).
* Agresti, A. & Coull, B. (1998). Approximate is better than "exact" for
  interval estimation of binomial proportions. Am. Statistician 52, 119-126.
* Nielsen, J. & Landauer, T. K. (1993). A mathematical model of the finding
  of usability problems. INTERCHI '93, 206-213.
* Lewis, J. R. (2001). Evaluation of procedures for adjusting
  problem-discovery rates estimated from small samples. IJHCI 13(4), 445-479.
* Reichheld, F. (2003). The one number you need to grow. HBR 81(12).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval and sample size."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


# --- SUS ------------------------------------------------------------------------------------------


def sus_score(answers: Sequence[float]) -> float:
    """SUS score of one respondent (Brooke 1996).

    Odd items (positively worded) contribute ``answer - 1``, even items
    (negatively worded) ``5 - answer``; the sum (0-40) times 2.5 gives 0-100.
    """
    a = np.asarray(answers, dtype=float)
    if a.shape != (10,) or np.isnan(a).any():
        raise ValueError(f"SUS needs 10 answers, got {list(answers)}")
    return float(((a[0::2] - 1).sum() + (5 - a[1::2]).sum()) * 2.5)


def sus_scores(answers: pd.DataFrame) -> pd.Series:
    """Vectorised :func:`sus_score` over rows of columns q1..q10; rows with a gap -> NaN."""
    a = answers[[f"q{i}" for i in range(1, 11)]].to_numpy(dtype=float)
    scores = ((a[:, 0::2] - 1).sum(axis=1) + (5 - a[:, 1::2]).sum(axis=1)) * 2.5
    return pd.Series(scores, index=answers.index)


@lru_cache(maxsize=1)
def sus_grade_table() -> list[dict[str, Any]]:
    """Sauro-Lewis curved grading scale (Sauro & Lewis 2016, Table 8.5), from data/sus_grades.csv."""
    text = resources.files("kit").joinpath("data/sus_grades.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    for r in rows:
        for k in ("score_min", "score_max", "percentile_min", "percentile_max"):
            r[k] = float(r[k])
    return rows


def sus_grade(score: float) -> str:
    """Letter grade of a SUS score on the Sauro-Lewis curved scale (A+ >= 84.1 ... F < 51.7).

    The table's bounds are given to one decimal; a mean between two bounds
    (e.g. 84.05) takes the lower grade's range upwards, i.e. the first row
    whose ``score_min`` it reaches.
    """
    for row in sus_grade_table():
        if score >= row["score_min"]:
            return str(row["grade"])
    return str(sus_grade_table()[-1]["grade"])


def mean_ci(values: Iterable[float], level: float = LEVEL) -> Estimate:
    """Mean with a t-interval: mean +- t(1-a/2, n-1) * s / sqrt(n) (Sauro & Lewis 2016, ch. 3).

    With one value the interval is undefined (None).
    """
    x = np.asarray([v for v in values if v == v], dtype=float)
    n = len(x)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, None, None, n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


# --- completion ------------------------------------------------------------------------------------


def adjusted_wald(successes: float, n: int, level: float = LEVEL) -> Estimate:
    """Completion rate x/n with the adjusted-Wald interval (Agresti & Coull 1998; Sauro & Lewis 2005).

    p_adj = (x + z^2/2) / (n + z^2);  p_adj +- z * sqrt(p_adj (1 - p_adj) / (n + z^2)),
    clipped to [0, 1]. The point estimate reported is the observed x/n.
    Partial successes (0.5) count as half a success.
    """
    if n <= 0:
        return Estimate(None, None, None, 0)
    z = _z(level)
    n_adj = n + z * z
    p_adj = (successes + z * z / 2) / n_adj
    half = z * math.sqrt(p_adj * (1 - p_adj) / n_adj)
    return Estimate(successes / n, max(0.0, p_adj - half), min(1.0, p_adj + half), n)


# --- time on task ----------------------------------------------------------------------------------


def geometric_mean_ci(times: Iterable[float], level: float = LEVEL) -> Estimate:
    """Geometric mean of task times with a t-interval on the log scale (Sauro & Lewis 2016, ch. 3).

    Task times are right-skewed; the geometric mean exp(mean(ln t)) is the
    better estimate of the median for small samples, and the interval is
    exp(mean(ln t) +- t(1-a/2, n-1) * sd(ln t) / sqrt(n)). Times <= 0 are
    left out (ln is undefined). Callers pass successful attempts only.
    """
    t = np.asarray([v for v in times if v == v and v > 0], dtype=float)
    if len(t) == 0:
        return Estimate(None, None, None, 0)
    est = mean_ci(np.log(t), level)
    assert est.value is not None  # t is not empty
    lo = math.exp(est.ci_low) if est.ci_low is not None else None
    hi = math.exp(est.ci_high) if est.ci_high is not None else None
    return Estimate(math.exp(est.value), lo, hi, est.n)


# --- NPS ----------------------------------------------------------------------------------------------


def nps(scores: Iterable[float], level: float = LEVEL) -> Estimate:
    """Net Promoter Score (Reichheld 2003): % promoters (9-10) - % detractors (0-6), -100..100.

    Interval: Wald on the difference of two multinomial proportions,
    var = (p_P + p_D - (p_P - p_D)^2) / n, NPS +- z * sqrt(var), in points.
    """
    s = np.asarray([v for v in scores if v == v], dtype=float)
    n = len(s)
    if n == 0:
        return Estimate(None, None, None, 0)
    pp, pd_ = float((s >= 9).mean()), float((s <= 6).mean())
    value = pp - pd_
    half = _z(level) * math.sqrt(max(pp + pd_ - value * value, 0.0) / n)
    return Estimate(value * 100, max(-100.0, (value - half) * 100), min(100.0, (value + half) * 100), n)


# --- problem discovery ---------------------------------------------------------------------------------


def problem_matrix(notes: pd.DataFrame, people: Sequence[str]) -> pd.DataFrame:
    """Problem x participant matrix (1 = the participant met the problem).

    A problem is a tag of a note of kind ``problem``; ``notes`` has columns
    ``tags`` (lists) and ``participant`` (pseudonym). Rows are sorted by how
    many participants met the problem.
    """
    rows = notes.loc[notes["kind"] == "problem", ["participant", "tags"]].explode("tags").dropna()
    if rows.empty:
        return pd.DataFrame(index=pd.Index([], name="problem"), columns=list(people), dtype=int)
    m = rows.groupby(["tags", "participant"]).size().unstack(fill_value=0).clip(upper=1)
    m = m.reindex(columns=list(people), fill_value=0)
    totals = m.sum(axis=1)
    order = sorted(m.index, key=lambda p: (-int(totals[p]), p))
    m = m.loc[order]
    m.index.name = "problem"
    return m.astype(int)


def discovery(matrix: pd.DataFrame) -> dict[str, Any]:
    """Problem-discovery rate and the likelihood of seeing problems with n participants.

    p_est = mean over problems of (participants who met it / n)
    (Nielsen & Landauer 1993); small-sample adjustment (Lewis 2001):
    p_adj = 1/2 [(p_est - 1/n)(1 - 1/n)] + 1/2 [p_est / (1 + N1/N)], with N1 the
    problems met by one participant and N all problems. The likelihood of
    meeting a problem of probability p at least once in n sessions is
    1 - (1 - p)^n (per problem with its own p; overall with p_adj).
    """
    n = matrix.shape[1]
    if matrix.empty or n == 0:
        return {"n": n, "problems": 0, "p_est": None, "p_adj": None, "likelihood": None, "per_problem": []}
    counts = matrix.sum(axis=1)
    p_i = counts / n
    p_est = float(p_i.mean())
    singles = int((counts == 1).sum())
    p_adj = 0.5 * (p_est - 1 / n) * (1 - 1 / n) + 0.5 * p_est / (1 + singles / len(counts))
    p_adj = min(max(p_adj, 0.0), 1.0)
    per = [
        {"problem": str(k), "participants": int(c), "p": float(c / n), "likelihood": float(1 - (1 - c / n) ** n)}
        for k, c in counts.items()
    ]
    return {
        "n": n,
        "problems": len(counts),
        "p_est": p_est,
        "p_adj": p_adj,
        "likelihood": float(1 - (1 - p_adj) ** n),
        "per_problem": per,
    }


def discovery_likelihood(p: float, n: int) -> float:
    """1 - (1 - p)^n: chance a problem of probability p is seen in n sessions (Nielsen & Landauer 1993)."""
    return 1 - (1 - p) ** n
