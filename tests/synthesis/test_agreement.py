"""kit.synthesis.agreement: kappa and alpha against published worked examples, not the kit's own output."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kit.study.coding import Codings
from kit.synthesis.agreement import agreement, band, cohen_kappa, krippendorff_alpha

NAN = math.nan


def _coders(**rows: list) -> Codings:
    """Coder -> per-unit codes (a list of code lists; None = the unit was not coded by that coder)."""
    return Codings(
        {c: {f"N{i + 1:02d}": tags for i, tags in enumerate(units) if tags is not None} for c, units in rows.items()}
    )


def test_krippendorff_nominal_alpha_with_missing_data_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
    # twelve units, nominal values 1-5, missing data (*); the paper's result is alpha = 0.743.
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
            [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
        ]
    )
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)


def test_binary_two_observer_example_through_coder_files():
    # Krippendorff (2011), section A: binary data, two observers, ten units, alpha = 0.095.
    # Here "1" is a code applied to a note, "0" a note the coder coded without it.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    result = agreement(_coders(uxr=[["x"] if v else [] for v in a], pm=[["x"] if v else [] for v in b]))
    [row] = result["codes"]
    assert row["alpha"] == pytest.approx(0.095, abs=5e-4)
    assert row["alpha_band"] == "unreliable"
    assert row["units"] == 10 and row["share_agreed"] == pytest.approx(0.6)
    # Cohen's kappa of the same table (p_o = 0.6, p_e = 0.56): (0.6 - 0.56) / 0.44
    assert row["kappa"] == pytest.approx(0.04 / 0.44)


def test_cohens_kappa_textbook_table():
    # The worked example of Cohen's kappa (Wikipedia, "Cohen's kappa": 50 grant proposals read by two
    # readers; yes/yes 20, yes/no 5, no/yes 10, no/no 15): p_o = 0.70, p_e = 0.50, kappa = 0.40.
    assert cohen_kappa(np.array([[20, 5], [10, 15]])) == pytest.approx(0.40)
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    result = agreement(
        _coders(pm=[["fund"] if v == "yes" else [] for v in a], uxr=[["fund"] if v == "yes" else [] for v in b])
    )
    row = result["codes"][0]
    assert row["kappa"] == pytest.approx(0.40) and row["kappa_band"] == "fair"  # Landis & Koch: 0.21-0.40
    assert row["share_agreed"] == pytest.approx(0.70)


@pytest.mark.parametrize(
    "value, name",
    [
        (0.81, "almost perfect"),
        (0.80, "substantial"),
        (0.61, "substantial"),
        (0.41, "moderate"),
        (0.40, "fair"),
        (0.20, "slight"),
        (0.0, "slight"),
        (-0.1, "poor"),
    ],
)
def test_landis_koch_bands(value, name):
    assert band("kappa", value) == name


@pytest.mark.parametrize(
    "value, name", [(0.800, "reliable"), (0.799, "tentative"), (0.667, "tentative"), (0.666, "unreliable")]
)
def test_krippendorff_thresholds(value, name):
    assert band("alpha", value) == name


def test_three_coders_missing_codings_no_kappa_and_disagreements_listed():
    result = agreement(
        _coders(pm=[["a"], ["a", "b"], [], None], uxr=[["a"], ["a"], [], ["b"]], ab=[["a"], ["a", "b"], None, ["b"]])
    )
    assert [c["id"] for c in result["coders"]] == ["pm", "uxr", "ab"]
    rows = {r["code"]: r for r in result["codes"]}
    assert rows["a"]["kappa"] is None  # Cohen's kappa is for two coders; alpha covers three
    assert rows["a"]["alpha"] == pytest.approx(1.0)
    assert rows["b"]["units"] == 4 and rows["b"]["share_agreed"] == pytest.approx(0.75)
    [d] = result["disagreements"]
    assert d["note"] == "N02" and d["codes"] == ["b"]
    assert d["by_coder"] == {"pm": ["a", "b"], "uxr": ["a"], "ab": ["a", "b"]}
    assert result["overall"]["notes"] == 4 and result["overall"]["share_agreed"] == pytest.approx(0.75)


def test_a_code_without_variation_has_no_alpha():
    result = agreement(_coders(pm=[["a"], ["a"]], uxr=[["a"], ["a"]]))
    assert result["codes"][0]["alpha"] is None and result["codes"][0]["alpha_band"] is None


def test_one_coder_is_no_agreement():
    assert agreement(_coders(pm=[["a"]])) is None


@pytest.mark.parametrize("coders", [2, 3, 5])
def test_collapsing_unanimous_units_gives_the_packages_exact_alpha(coders):
    import krippendorff

    rng = np.random.default_rng(coders)
    applied = rng.choice(coders + 1, size=20_000, p=[0.6] + [0.1 / (coders - 1)] * (coders - 1) + [0.3])
    missing = rng.random(20_000) < 0.05  # one coder fewer on some units (and a few with one coding only)
    total = np.where(missing, np.maximum(coders - 1, 1), coders)
    applied = np.minimum(applied, total)
    counts = np.stack([total - applied, applied], axis=1)
    usable = counts[counts.sum(axis=1) >= 2]
    exact = krippendorff.alpha(value_counts=usable, value_domain=[0, 1], level_of_measurement="nominal")
    assert krippendorff_alpha(value_counts=counts, domain=[0, 1]) == pytest.approx(exact, rel=1e-12)
