"""kit.run.progress: a live table on a terminal, one line per executed notebook in CI, one summary line per study."""
from __future__ import annotations

import io

from rich.console import Console

from kit.layout import STAGES
from kit.run.progress import RunDisplay
from kit.run.runner import StageResult, StudyResult


def test_progress_plain_lines_only_for_executed_notebooks(capsys):
    display = RunDisplay(console=Console(file=None, force_terminal=False), live=False)
    with display:
        display.event("a", "01-plan.ipynb", "cached", "")
        display.event("b", "02-sessions.ipynb", "started", "changed: data/notes.csv")
        display.event("b", "02-sessions.ipynb", "ok", "1.5s")
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].endswith("b 02-sessions.ipynb: done 1.5s [changed: data/notes.csv]")
    display.summary([StudyResult("a", [StageResult(s, "cached") for s in STAGES]),
                     StudyResult("b", [StageResult("02-sessions.ipynb", "ok", 1.5, executed=True)], 1.6)])
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
