"""kit.outputs.synthesis: synthesis.json has one declared shape; a stale or misspelt file is named, not guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from insights_fixture import SYNTHESIS
from kit.errors import StageOrderError
from kit.outputs.synthesis import check_synthesis, read_synthesis


def test_the_fixture_is_a_valid_synthesis_and_reads_back_typed(tmp_path: Path):
    path = tmp_path / "synthesis.json"
    path.write_text(json.dumps(SYNTHESIS))
    synthesis = read_synthesis(path)
    assert synthesis.notes[0].id == "N001" and synthesis.segments()["P02"] == "Returning"


def test_an_unknown_key_is_refused_naming_the_file_and_the_key(tmp_path: Path):
    path = tmp_path / "synthesis.json"
    path.write_text(json.dumps({**SYNTHESIS, "notes": [{**SYNTHESIS["notes"][0], "note_id": "N001"}]}))
    with pytest.raises(StageOrderError, match=r"synthesis.json: not the shape this kit writes \(notes.0.note_id"):
        read_synthesis(path)


def test_a_missing_file_says_which_stage_to_run(tmp_path: Path):
    with pytest.raises(StageOrderError, match="run the synthesis stage"):
        read_synthesis(tmp_path / "synthesis.json")


def test_the_writer_refuses_a_shape_drift():
    with pytest.raises(ValueError):
        check_synthesis({**SYNTHESIS, "metrics": [{"id": "M-SUS", "label": "SUS"}]})  # no value, n, participants
