"""kit.study.theme_pins: data/themes.csv read back as written; a broken pin is an error naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import DataError
from kit.study.theme_pins import pins_path, pins_text, read_pins


def test_pins_round_trip_and_no_file_means_no_pins(tmp_path: Path):
    assert read_pins(tmp_path) == {}
    path = pins_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(pins_text([("T2", ["N035", "N072"]), ("T1", ["N010"])]), encoding="utf-8")
    assert read_pins(tmp_path) == {"T2": ["N035", "N072"], "T1": ["N010"]}


def test_a_pin_without_a_note_or_without_the_columns_is_an_error_with_its_line(tmp_path: Path):
    path = pins_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("theme_id,note_id\nT1,N001\n\nT1,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"data/themes.csv:4: expected a theme id and a note id"):
        read_pins(tmp_path)
    path.write_text("theme,note\nT1,N001\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"data/themes.csv:1: expected the columns theme_id, note_id"):
        read_pins(tmp_path)
