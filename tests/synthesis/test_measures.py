"""kit.synthesis.measures: the per-task metrics are the rows of data/task_metrics.csv, checked as they are read."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kit.errors import KitError
from kit.layout import kit_data
from kit.synthesis import measures
from kit.synthesis import usability_metrics as metrics
from kit.synthesis.stage import synthesise
from synthesis_fixture import FILES, make_study

TABLE = kit_data(measures.TASK_METRICS_FILE)
# A metric a team might add: time on task over every timed attempt, failures included.
EVERY_TIME = (
    "M-TIMEALL,Time of every timed attempt: {task},All times: {task},behavioural,s,time_s,answered,geometric_mean,"
    'geometric mean of every timed attempt; 95% t-interval on log times,"Sauro & Lewis 2016, ch. 3"\n'
)


def test_the_kits_table_has_unique_prefixes_and_a_source_per_row() -> None:
    table = measures.task_metric_table()
    assert [m.id_prefix for m in table][:3] == ["M-COMPLETION", "M-TIME", "M-SEQ"]  # synthesis.json's order
    assert len({m.id_prefix for m in table}) == len(table)
    assert all(m.source.strip() and m.method.strip() for m in table)


def test_a_row_added_to_the_table_is_a_new_metric_of_every_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    before = {m["id"]: m for m in synthesise(make_study(tmp_path / "before"))["metrics"]}
    monkeypatch.setattr(measures, "task_metric_table", lambda: measures.parse_task_metrics(TABLE + EVERY_TIME))
    after = {m["id"]: m for m in synthesise(make_study(tmp_path / "after"))["metrics"]}

    added = after.pop("M-TIMEALL-pay")
    assert after == before  # the kit's own metrics are untouched
    tasks = list(csv.DictReader(io.StringIO(FILES["tasks.csv"])))
    expected = metrics.geometric_mean_ci(float(r["time_s"]) for r in tasks)
    assert (added["value"], added["ci_low"], added["ci_high"], added["n"]) == pytest.approx(
        (expected.value, expected.ci_low, expected.ci_high, len(tasks))
    )
    assert added["n"] > before["M-TIME-pay"]["n"]  # the failed attempt counts here
    assert added["name"] == "Time of every timed attempt: Pay" and added["label"] == "All times: Pay"
    assert added["participants"] == ["P01", "P02", "P03", "P04"] and added["task"] == "Pay"


BAD = [
    (
        ",mean,mean of 1-7",
        ",median,mean of 1-7",
        "task_metrics.csv:4: key 'estimator': unknown 'median', expected one of adjusted_wald",
    ),
    (
        ",answered,",
        ",asked,",
        "task_metrics.csv:4: key 'rows': unknown 'asked', expected one of all, successful, answered",
    ),
    (
        ",time_s,successful,",
        ",time,successful,",
        "task_metrics.csv:3: key 'column': unknown 'time', expected one of participant_id, task",
    ),
    (
        ",attitudinal,",
        ",attitudnal,",
        "task_metrics.csv:4: key 'kind': unknown 'attitudnal', expected one of behavioural, attitudinal",
    ),
    ("Time: {task}", "Time: {slug}", "task_metrics.csv:3: key 'label': 'Time: {slug}', expected text with {task}"),
    (",method,source", ",method", "task_metrics.csv:1: columns ["),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD, ids=[b[1] for b in BAD])
def test_a_mistake_in_the_table_names_its_line_and_key(old: str, new: str, message: str) -> None:
    assert old in TABLE
    with pytest.raises(KitError) as caught:
        measures.parse_task_metrics(TABLE.replace(old, new, 1))
    assert message in str(caught.value), str(caught.value)
