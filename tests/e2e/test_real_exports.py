"""A new user's study, end to end through `kit run` (papermill): real-shaped exports in, nothing misread.

`kit new` writes header-only CSVs; the researcher drops Excel files beside
them, a German-locale tasks.csv (semicolons, decimal commas, Windows-1252)
and a Teams transcript where the moderator's display name carries pronouns
and a stranger speaks. A second study is the untouched scaffold. The run
must read every value right, print the warnings per study, and fail both
under --strict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kit.cli import cli

pytestmark = pytest.mark.slow

TEAMS_VTT = """WEBVTT

0b6f3a1e-2c4d-4e5f-8a9b-0c1d2e3f4a5b/10-0
00:00:01.000 --> 00:00:05.000
<v Sam Okafor (he/him)>Could you buy the blue kettle without signing in?</v>

0b6f3a1e-2c4d-4e5f-8a9b-0c1d2e3f4a5b/11-0
00:00:06.000 --> 00:00:10.000
<v Gonzalez, Maria (Guest)>The delivery charge only shows at the very end.</v>

0b6f3a1e-2c4d-4e5f-8a9b-0c1d2e3f4a5b/12-0
00:00:11.000 --> 00:00:13.000
<v Front Desk iPad>Sorry, wrong room.</v>

0b6f3a1e-2c4d-4e5f-8a9b-0c1d2e3f4a5b/13-0
00:00:14.000 --> 00:00:18.000
<v Okafor, Sam>Will it put you off buying?</v>

0b6f3a1e-2c4d-4e5f-8a9b-0c1d2e3f4a5b/14-0
00:00:19.000 --> 00:00:22.000
<v Maria Gonzalez (Guest)>Yes. Will it ship before Friday, I wonder.</v>
"""


def _excel(path: Path, header: list[str], rows: list[list]) -> None:
    # Excel keeps formatted but empty columns after the data: two of them here.
    frame = pd.DataFrame([[*r, None, None] for r in rows], columns=[*header, " ", "  "])
    frame.to_excel(path, index=False)


def _exports_study(repo: Path) -> Path:
    data = repo / "notebooks" / "exports" / "data"
    _excel(
        data / "participants.xlsx",
        ["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"],
        [
            ["R-1", "Maria Gonzalez", "maria@example.com", "New", "yes", "yes"],
            ["R-2", "Will Turner", "will@example.com", "New", "yes", "yes"],
        ],
    )
    _excel(
        data / "sessions.xlsx",
        ["session_id", "participant_id", "date", "moderator", "observers"],
        [["S01", "R-1", "2026-11-03", "Sam Okafor", "Dana Whitfield"], ["S02", "R-2", "4 Nov 2026", "Sam Okafor", ""]],
    )
    _excel(
        data / "notes.xlsx",
        ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"],
        [["N001", "S01", "R-1", "Buy", "Delivery charge surprised her", "delivery", "observation"]],
    )
    # German Excel: 1.234 is one thousand two hundred and thirty-four seconds (the 0,5 and 90,5 show the locale)
    (data / "tasks.csv").write_bytes(
        ("participant_id;task;success;time_s;seq\r\nR-1;Buy;1;1.234;6\r\nR-2;Buy;0,5;90,5;4\r\n").encode("cp1252")
    )
    (data / "transcripts" / "S01.vtt").write_text(TEAMS_VTT, encoding="utf-8")
    return data.parent


def test_real_exports_are_read_and_warned_about(repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(repo))
    runner = CliRunner()
    for slug in ("exports", "untouched"):
        assert runner.invoke(cli, ["new", slug]).exit_code == 0
        (repo / "notebooks" / slug / "data" / "transcripts").mkdir(exist_ok=True)
    _exports_study(repo)

    result = runner.invoke(cli, ["run", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()

    synthesis = json.loads((repo / "reports" / "exports" / "synthesis.json").read_text())
    assert [p["pseudonym"] for p in synthesis["participants"]] == ["P01", "P02"]
    assert synthesis["counts"]["notes"] == 1
    metrics = {m["id"]: m for m in synthesis["metrics"]}
    assert metrics["M-TIME-buy"]["value"] == pytest.approx(1234) and metrics["M-TIME-buy"]["n"] == 1
    assert metrics["M-SEQ-buy"]["value"] == pytest.approx(5)
    quotes = {q["id"]: q["text"] for q in synthesis["quotes"]}
    # only Maria's turns (2 and 5) are quotes; the moderator and the stranger are not, whatever their labels
    assert quotes == {
        "Q-S01-2": "The delivery charge only shows at the very end.",
        "Q-S01-5": "Yes. Will it ship before Friday, I wonder.",
    }
    warnings = synthesis["warnings"]
    assert any(
        w.startswith("data/transcripts/S01.vtt:12: speaker (label withheld: it may be a name) is not in")
        and "not quoted" in w
        for w in warnings
    )
    assert not any("Front Desk" in w for w in warnings)  # an unknown label may be a name: never published
    assert any(
        w.startswith("data/participants.csv: holds only a header: reading data/participants.xlsx") for w in warnings
    )
    assert "data/tasks.csv:1: read as UTF-8, separated by semicolons, numbers with a decimal comma" in warnings

    # the command line says it, per study, each problem once on its own line
    [exports] = [line for line in out if line.startswith("ok      exports")]
    [untouched] = [line for line in out if line.startswith("ok      untouched")]
    assert exports.endswith(" warnings)") and untouched.endswith(" warnings)")
    blocks: dict[str, list[str]] = {}
    for line in out:  # each study's warnings follow its line
        if line.startswith("ok      "):
            study = blocks.setdefault(line.split()[1], [])
        elif line.startswith("  warning: "):
            study.append(line)
    assert all(0 < len(b) == len(set(b)) for b in blocks.values())
    empty = json.loads((repo / "reports" / "untouched" / "synthesis.json").read_text())["warnings"]
    assert "data/participants.csv:1: no participants (only the header), expected one row per participant" in empty

    strict = runner.invoke(cli, ["run", "--strict"])
    assert strict.exit_code == 1
    assert "FAILED  exports" in strict.output and "FAILED  untouched" in strict.output


def test_ambiguous_cells_fail_the_study_naming_them(repo: Path, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(repo))
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "amb"]).exit_code == 0
    data = repo / "notebooks" / "amb" / "data"
    (data / "participants.csv").write_text(
        "participant_id,name,email,segment,consent_quotes,consent_recording\nR-1,Ann Lee,a@x.com,New,yes,yes\n"
    )
    (data / "sessions.csv").write_text(
        "session_id,participant_id,date,moderator,observers\nS01,R-1,03/12/2026,Sam Okafor,\n"
    )
    (data / "tasks.csv").write_bytes(
        "participant_id\ttask\tsuccess\ttime_s\tseq\nR-1\tBuy\t1\t1,234\t6\n".encode("utf-16")
    )
    result = runner.invoke(cli, ["run", "amb"])
    assert result.exit_code == 1
    assert "data/sessions.csv:2: date '03/12/2026' is ambiguous" in result.output
    assert "data/tasks.csv:2: time_s '1,234' is ambiguous" in result.output
    assert not (repo / "reports" / "amb" / "synthesis.json").exists()
