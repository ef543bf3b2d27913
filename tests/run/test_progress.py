"""kit.run.progress: a live table on a terminal, one line per executed notebook in CI, one summary line per study."""

from __future__ import annotations

import io

from rich.console import Console

from kit.layout import STAGES
from kit.run.progress import RunDisplay
from kit.run.results import StageResult, StudyResult


def test_progress_plain_lines_only_for_executed_notebooks(capsys):
    display = RunDisplay(console=Console(file=None, force_terminal=False), live=False)
    with display:
        display.event("a", "01-plan.ipynb", "cached", "")
        display.event("b", "02-sessions.ipynb", "started", "changed: data/notes.csv")
        display.event("b", "02-sessions.ipynb", "ok", "1.5s")
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].endswith("b 02-sessions.ipynb: done 1.5s [changed: data/notes.csv]")
    display.summary(
        [
            StudyResult("a", [StageResult(s, "cached") for s in STAGES]),
            StudyResult("b", [StageResult("02-sessions.ipynb", "ok", 1.5, executed=True)], 1.6),
        ]
    )
    out = capsys.readouterr().out
    assert "ok      a  (up to date)" in out and "ok      b  (1.6s, 1 run)" in out
    assert "2 of 2 studies ok; 1 notebooks executed, 3 up to date" in out


def test_progress_live_table_on_a_terminal():
    buf = io.StringIO()
    with RunDisplay(console=Console(file=buf, force_terminal=True, width=100), live=True) as d:
        d.event("alpha", "01-plan.ipynb", "ok", "1.0s")
        d.event("alpha", "02-sessions.ipynb", "failed", "boom")
    text = buf.getvalue()
    assert "alpha" in text and "FAILED" in text and "02-sessions" in text


def _render(display: RunDisplay) -> list[str]:
    buf = io.StringIO()
    Console(file=buf, width=100, height=display.console.size.height).print(display._table())
    return buf.getvalue().splitlines()


def _many_up_to_date(n: int, height: int) -> RunDisplay:
    display = RunDisplay(console=Console(file=io.StringIO(), force_terminal=True, width=100, height=height), live=False)
    for i in range(n):
        for stage in STAGES:
            display.event(f"study-{i:03d}", stage, "cached")
    return display


def test_live_table_fits_the_terminal_and_keeps_the_running_study_in_view():
    display = _many_up_to_date(300, height=24)
    display.event("study-250", "02-sessions.ipynb", "started", "changed: data/notes.csv")
    lines = _render(display)
    assert len(lines) <= 24 - 1, "\n".join(lines)
    assert any("study-250" in line and "running" in line for line in lines)
    assert lines[-1].strip() == "and 283 more: 283 up to date"  # 300 - 17 rows of a 24-line terminal


def test_live_table_keeps_a_failed_study_over_newer_finished_ones():
    display = _many_up_to_date(40, height=12)
    display.event("study-039", "02-sessions.ipynb", "failed", "boom")
    for i in range(10):
        display.event(f"study-{i:03d}", "03-insights.ipynb", "ok", "1.0s")
    rows, hidden = display.shown()
    assert rows[-1] == "study-039" and len(rows) == 5
    assert rows[:4] == ["study-006", "study-007", "study-008", "study-009"]  # the most recent done ones
    assert hidden == {"done": 6, "up to date": 29}
    assert _render(display)[-1].strip() == "and 35 more: 6 done, 29 up to date"


def test_live_table_lists_every_study_when_they_fit():
    display = _many_up_to_date(3, height=24)
    rows, hidden = display.shown()
    assert rows == ["study-000", "study-001", "study-002"] and hidden == {}
    assert not any("more:" in line for line in _render(display))
