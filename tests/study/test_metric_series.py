"""metrics/<metric_id>.csv: the kit's two layouts, GA4's and Amplitude's downloads, refusals naming file and line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.errors import DataError
from kit.study.metric_series import load_metric_series, read_metric_series

FIXTURES = Path(__file__).parent / "fixtures" / "metrics"


def _series(tmp_path: Path, name: str, text: str | None = None, fixture: str | None = None):
    folder = tmp_path / "metrics"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.csv"
    if fixture:
        shutil.copyfile(FIXTURES / fixture, path)
    else:
        path.write_text(text or "", encoding="utf-8")
    return load_metric_series(tmp_path, name)


def _days(series) -> list[str]:
    return [str(d) for d in series.dates]


def test_a_rate_is_read_in_date_order_and_a_blank_day_is_a_day_without_data(tmp_path: Path):
    text = "date,successes,trials\n2026-09-03,60,100\n2026-09-01,50,100\n2026-09-02,,\n2026-09-04,0,0\n"
    series = _series(tmp_path, "checkout", text)
    assert series.is_rate and _days(series) == ["2026-09-01", "2026-09-03"]  # no data, no trials: left out
    assert series.values.tolist() == [0.5, 0.6] and series.trials.tolist() == [100, 100]


def test_plain_values_from_a_semicolon_file_with_decimal_commas_and_day_first_dates(tmp_path: Path):
    text = "date;value\n13/09/2026;12,5\n14/09/2026;13,25\n"
    series = _series(tmp_path, "basket", text)
    assert not series.is_rate and _days(series) == ["2026-09-13", "2026-09-14"]
    assert series.values.tolist() == [12.5, 13.25]
    assert any("decimal comma" in str(w) for w in series.warnings)  # says how it was read


def test_an_excel_file_is_read_like_its_csv(tmp_path: Path):
    (tmp_path / "metrics").mkdir()
    frame = pd.DataFrame({"date": [dt.datetime(2026, 9, 1), dt.datetime(2026, 9, 2)], "value": [3.5, 4]})
    frame.to_excel(tmp_path / "metrics" / "aov.xlsx", index=False)
    series = load_metric_series(tmp_path, "aov")
    assert _days(series) == ["2026-09-01", "2026-09-02"] and series.values.tolist() == [3.5, 4.0]


def test_no_file_is_none(tmp_path: Path):
    assert load_metric_series(tmp_path, "nothing") is None


def test_a_ga4_report_download_reads_its_nth_day_section_from_the_start_date(tmp_path: Path):
    series = _series(tmp_path, "sessions", fixture="ga4-traffic-nth-day.csv")
    expected = [(dt.date(2026, 9, 1) + dt.timedelta(days=i)).isoformat() for i in range(30)]
    assert _days(series) == expected  # the channel table below the daily section is not the series
    assert series.values.tolist() == [1180 + (i * 37) % 150 for i in range(30)]
    assert any("GA4" in str(w) and "sessions" in str(w) for w in series.warnings)


def test_a_ga4_exploration_download_reads_yyyymmdd_dates_and_leaves_the_grand_total_out(tmp_path: Path):
    series = _series(tmp_path, "key-events", fixture="ga4-exploration-date.csv")
    assert _days(series)[0] == "2026-09-01" and _days(series)[-1] == "2026-09-07"
    assert series.values.tolist() == [412, 398, 455, 430, 377, 520, 498]
    assert 3090 not in series.values


def test_an_amplitude_chart_download_reads_one_column_per_day(tmp_path: Path):
    series = _series(tmp_path, "orders", fixture="amplitude-daily.csv")
    assert _days(series) == [(dt.date(2026, 9, 1) + dt.timedelta(days=i)).isoformat() for i in range(10)]
    assert series.values.tolist() == [3120, 3304, 3198, 2876, 2544, 3350, 3412, 3298, 3187, 3050]
    assert any("Amplitude" in str(w) for w in series.warnings)


@pytest.mark.parametrize(
    ("fixture", "where", "says"),
    [
        ("ga4-two-metrics.csv", "metrics/bad.csv:11", "2 metric columns (sessions, key_events), expected one"),
        ("amplitude-hourly.csv", "metrics/bad.csv:5", "the same day (an hourly chart?)"),
    ],
)
def test_an_export_that_is_not_one_daily_series_is_refused_naming_file_and_line(
    tmp_path: Path, fixture: str, where: str, says: str
):
    with pytest.raises(DataError) as err:
        _series(tmp_path, "bad", fixture=fixture)
    [found] = err.value.problems
    assert found.where == where and says in found.message


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("date,successes,trials\n2026-09-01,50,100\n2026-09-02,120,100\n", ":3", "successes 120 of trials 100"),
        ("date,value\n2026-09-01,12\n2026-09-02,twelve\n", ":3", "value 'twelve' is not a number"),
        ("date,value\n2026-09-01,12\n2026-09-01,13\n", ":3", "already has a row (line 2)"),
        ("date,value\n2026-09-01,12\n03/09/2026,13\n", ":3", "is ambiguous"),
        ("day,visits\n2026-09-01,12\n", ":1", "expected date,value or date,successes,trials"),
        ("date,value,successes,trials\n2026-09-01,1,1,2\n", ":1", "expected date,value or date,successes"),
    ],
)
def test_a_bad_row_is_refused_naming_file_and_line(tmp_path: Path, text: str, where: str, says: str):
    with pytest.raises(DataError) as err:
        _series(tmp_path, "conversion", text)
    assert any(p.where == f"metrics/conversion.csv{where}" and says in p.message for p in err.value.problems), [
        str(p) for p in err.value.problems
    ]


def test_binary_junk_is_refused_not_read_as_a_series(tmp_path: Path):
    (tmp_path / "metrics").mkdir()
    path = tmp_path / "metrics" / "junk.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError) as err:
        read_metric_series(path, "junk")
    assert all(p.where.startswith("metrics/junk.csv") for p in err.value.problems)


def test_two_years_of_days_come_back_as_numbers(tmp_path: Path):
    days = pd.date_range("2025-01-01", periods=730, freq="D")
    rows = "\n".join(f"{d.date()},{i % 50},{100 + i % 7}" for i, d in enumerate(days))
    series = _series(tmp_path, "long", "date,successes,trials\n" + rows + "\n")
    assert len(series.dates) == 730 and series.dates.dtype == np.dtype("datetime64[D]")
