"""Inter-coder agreement: do two (or more) people tag the same notes the same way?

Working together is meant to reduce the bias of someone eager to see a
solution confirmed; agreement between independent coders is how that is
measured. The coders come from :mod:`kit.study.coding`. Every code is a
yes/no decision per note (applied or not), so per code:

* **share agreed**: notes coded by at least two coders on which all of them
  made the same decision, divided by those notes;
* **Cohen's kappa** (two coders only): kappa = (p_o - p_e) / (1 - p_e), with
  p_o the observed and p_e the chance agreement from each coder's marginals
  (Cohen 1960), computed by :func:`statsmodels.stats.inter_rater.cohens_kappa`
  on the 2x2 table of the notes both coded;
* **Krippendorff's alpha**, nominal: alpha = 1 - D_o / D_e, observed over
  expected disagreement from the coincidence matrix; any number of coders,
  missing codings allowed (Krippendorff 2011, "Computing Krippendorff's
  Alpha-Reliability"), computed by the ``krippendorff`` package.

Overall figures pool every note x code decision into one binary variable (a
"pooled" kappa / alpha, De Vries et al. 2008, Field Methods 20:272), and the
overall share agreed counts the notes whose whole set of codes is the same
for every coder. Each figure carries its number of units and a named band from
``data/agreement_bands.csv`` (Landis & Koch 1977 for kappa; Krippendorff's
0.800 / 0.667 thresholds for alpha). A code nobody varies on (all coders
applied it everywhere or nowhere) has no alpha: there is nothing to agree on.
"""

from __future__ import annotations

import csv
import io
import warnings
from functools import lru_cache
from typing import Any

import numpy as np

from kit.layout import kit_data
from kit.study.coding import NOTES_CODER, Codings

ALPHA_RELIABLE = 0.800
ALPHA_TENTATIVE = 0.667
"""Krippendorff's thresholds: below 0.667 conclusions resting on the code are not reliable."""
DISAGREEMENTS_KEPT = 1000  # listed in synthesis.json for the consensus pass (the count is always exact)


@lru_cache(maxsize=1)
def bands() -> dict[str, list[tuple[float, bool, str]]]:
    """measure -> [(min, inclusive, band)] from the band table, best first."""
    out: dict[str, list[tuple[float, bool, str]]] = {}
    for row in csv.DictReader(io.StringIO(kit_data("agreement_bands.csv"))):
        out.setdefault(row["measure"], []).append((float(row["min"]), row["inclusive"] == "yes", row["band"]))
    return {k: sorted(v, key=lambda r: -r[0]) for k, v in out.items()}


def band(measure: str, value: float | None) -> str | None:
    """The named band of a kappa or alpha value (None for None)."""
    if value is None:
        return None
    for low, inclusive, name in bands()[measure]:
        if value > low or (inclusive and value >= low):
            return name
    return bands()[measure][-1][2]


def cohen_kappa(table: np.ndarray) -> float | None:
    """Cohen's kappa of a square contingency table (rows: coder 1, columns: coder 2); None when undefined."""
    from statsmodels.stats.inter_rater import cohens_kappa

    table = np.asarray(table, dtype=float)
    if table.sum() == 0:
        return None
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(cohens_kappa(table, return_results=False))
    return None if np.isnan(value) else value


def collapse_unanimous(value_counts: np.ndarray) -> np.ndarray:
    """``value_counts`` (units x values) with pairable units only and the unanimous ones merged.

    Exact for alpha: in the coincidence matrix o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1)
    (Krippendorff 2011), a unit on which all m_u coders gave value c adds
    m_u (m_u - 1) / (m_u - 1) = m_u to o_cc and nothing elsewhere, whatever m_u is, so
    all of them add up to one unit per value holding their total. Yes/no codes are
    unanimous on most notes, so a 100,000-note code shrinks to its disagreements
    (tested against the package on the uncollapsed data).
    """
    counts = np.asarray(value_counts, dtype=np.int64)
    totals = counts.sum(axis=1)
    counts, totals = counts[totals >= 2], totals[totals >= 2]
    unanimous = (counts == totals[:, None]).any(axis=1)
    pooled = counts[unanimous].sum(axis=0)
    return np.vstack([counts[~unanimous], np.diag(pooled)[pooled > 0]])


def krippendorff_alpha(
    data: np.ndarray | None = None, *, value_counts: np.ndarray | None = None, domain: list[int] | None = None
) -> float | None:
    """Nominal Krippendorff's alpha by the ``krippendorff`` package; None when undefined.

    ``data`` is a coders x units matrix (NaN = missing); alternatively
    ``value_counts`` is units x values (how many coders gave each value to
    each unit), which the package accepts directly; it is first reduced by
    :func:`collapse_unanimous`.
    """
    import krippendorff

    if value_counts is None:
        data = np.asarray(data, dtype=float)
        pairable = (~np.isnan(data)).sum(axis=0) >= 2
        if not pairable.any():
            return None
        kwargs = {"reliability_data": data[:, pairable]}
    else:
        counts = collapse_unanimous(value_counts)
        if not len(counts):
            return None
        kwargs = {"value_counts": counts}
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(krippendorff.alpha(**kwargs, value_domain=domain, level_of_measurement="nominal"))
    except ValueError:  # one value only in the data: no variation to agree on
        return None
    return None if np.isnan(value) else value


def _figures(decisions: np.ndarray, coded: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """share / kappa / alpha of one binary variable; decisions and coded are coders x units bool arrays.

    Also returns the parts the pooled figures add up: agreed and pairable units, the 2x2
    table (two coders) and the collapsed value counts.
    """
    count = coded.sum(axis=0)
    pairable = count >= 2
    n = int(pairable.sum())
    applied = (decisions & coded).sum(axis=0)
    agreed = int(((applied == 0) | (applied == count))[pairable].sum())
    table = None
    if decisions.shape[0] == 2:
        both = coded[0] & coded[1]
        a, b = decisions[0][both], decisions[1][both]
        ab, a_only, b_only = int(np.sum(a & b)), int(np.sum(a & ~b)), int(np.sum(~a & b))
        table = np.array([[ab, a_only], [b_only, int(both.sum()) - ab - a_only - b_only]])
    counts = collapse_unanimous(np.stack([count - applied, applied], axis=1))  # units x (not applied, applied)
    return _result(n, agreed, table, counts), {"n": n, "agreed": agreed, "table": table, "counts": counts}


def _result(n: int, agreed: int, table: np.ndarray | None, counts: np.ndarray) -> dict[str, Any]:
    kappa = cohen_kappa(table) if table is not None else None
    alpha = krippendorff_alpha(value_counts=counts, domain=[0, 1]) if len(counts) else None
    return {
        "units": n,
        "share_agreed": agreed / n if n else None,
        "kappa": kappa,
        "kappa_band": band("kappa", kappa),
        "alpha": alpha,
        "alpha_band": band("alpha", alpha),
    }


def agreement(codings: Codings) -> dict[str, Any] | None:
    """Agreement per code and overall, and the notes the coders disagree on; None with fewer than 2 coders."""
    coders = list(codings.coders)
    if len(coders) < 2:
        return None
    units = sorted({u for c in coders for u in codings.coders[c]})
    codes = sorted({t for c in coders for tags in codings.coders[c].values() for t in tags})
    u_index = {u: i for i, u in enumerate(units)}
    c_index = {c: i for i, c in enumerate(codes)}
    coded = np.zeros((len(coders), len(units)), dtype=bool)
    # coders x codes x notes: each code's decisions are contiguous rows
    has = np.zeros((len(coders), len(codes), len(units)), dtype=bool)
    for k, coder in enumerate(coders):
        rows, cols = [], []
        for note, tags in codings.coders[coder].items():
            i = u_index[note]
            coded[k, i] = True
            for t in tags:
                rows.append(c_index[t])
                cols.append(i)
        has[k, rows, cols] = True
    per_code, parts = [], []
    for j, code in enumerate(codes):
        figures, part = _figures(has[:, j, :], coded)
        parts.append(part)
        per_code.append(
            {"code": code, **figures, "applied": {c: int(has[k, j, :].sum()) for k, c in enumerate(coders)}}
        )
    overall: dict[str, Any] = {}
    if codes:  # pooled over every note x code decision: the per-code parts add up exactly
        overall = _result(
            sum(p["n"] for p in parts),
            sum(p["agreed"] for p in parts),
            sum(p["table"] for p in parts) if len(coders) == 2 else None,
            collapse_unanimous(np.vstack([p["counts"] for p in parts])),
        )
    # overall share: notes whose whole set of codes is the same for every coder who coded them
    pairable = coded.sum(axis=0) >= 2
    counts = coded.sum(axis=0)[None, :]
    applied = (has & coded[:, None, :]).sum(axis=0)  # codes x notes
    split = ((applied != 0) & (applied != counts)) & pairable[None, :]
    disputed_units = np.flatnonzero(split.any(axis=0))
    overall.update(
        {
            "notes": int(pairable.sum()),
            "share_agreed": float(1 - len(disputed_units) / pairable.sum()) if pairable.any() else None,
            "decisions": int(pairable.sum()) * len(codes),
        }
    )
    disagreements = []
    for i in disputed_units[:DISAGREEMENTS_KEPT]:
        by = {c: (codings.coders[c].get(units[i]) if coded[k, i] else None) for k, c in enumerate(coders)}
        disagreements.append(
            {"note": units[i], "codes": [codes[j] for j in np.flatnonzero(split[:, i])], "by_coder": by}
        )
    return {
        "coders": [
            {
                "id": c,
                "label": coder_display(c),
                "source": codings.sources.get(c, ""),
                "notes_coded": int(coded[k].sum()),
            }
            for k, c in enumerate(coders)
        ],
        "overall": overall,
        "codes": per_code,
        "disagreement_count": int(len(disputed_units)),
        "disagreements": disagreements,
        "alpha_tentative": ALPHA_TENTATIVE,
        "method": "per code: share agreed, Cohen's kappa (2 coders, statsmodels), Krippendorff's alpha "
        "(nominal, missing codings allowed, krippendorff package); overall: pooled over every "
        "note x code decision",
    }


def coder_display(coder: str) -> str:
    """How a coder is shown: roles and initials upper case; the notes.csv tags as 'notes.csv'."""
    return "notes.csv" if coder == NOTES_CODER else coder.upper()
