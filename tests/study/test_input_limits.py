"""Inputs over the kit's limits are refused before they are parsed, or cut with a warning (issue 26, points 8, 10).

Zip bombs are built in tmp_path from a real workbook (pandas/openpyxl) or a
real Word document (python-docx): a sheet or document part that is megabytes
of repeated XML rows, which deflate squeezes to kilobytes on disk.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kit.errors import DataError
from kit.study import tables as sources
from kit.study import transcripts
from kit.study.input_limits import check_zip_archive, limits
from synthesis_fixture import make_study

ROW = b'<row r="2"><c r="A2" t="inlineStr"><is><t>lol</t></is></c></row>'


def inflated_copy(real: Path, bomb: Path, member: str, inflate_to: int) -> Path:
    """``real`` with ``member`` padded by repeated rows up to ``inflate_to`` bytes (a zip bomb shaped like it)."""
    with zipfile.ZipFile(real) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename != member:
                zout.writestr(item.filename, data)
                continue
            with zout.open(member, "w", force_zip64=True) as out:
                out.write(data[: data.rindex(b"</sheetData>")] if b"</sheetData>" in data else data)
                block = ROW * 4096
                for _ in range(inflate_to // len(block) + 1):
                    out.write(block)
                out.write(b"</sheetData></worksheet>")
    return bomb


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "real.xlsx"
    pd.DataFrame({"participant_id": ["R-1"], "name": ["Ann Archer"]}).to_excel(path, index=False)
    return path


def test_a_spreadsheet_bomb_is_refused_before_openpyxl_reads_it(tmp_path: Path, workbook: Path, monkeypatch):
    most = limits()["zip_max_uncompressed_bytes"]
    monkeypatch.setattr("kit.study.input_limits.limits", lambda: {**limits(), "zip_max_ratio": 10**9})  # size alone
    bomb = inflated_copy(workbook, tmp_path / "notes.xlsx", "xl/worksheets/sheet1.xml", most + 1)
    assert bomb.stat().st_size < most // 100
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("openpyxl opened the bomb"))
    problems: list = []
    start = time.perf_counter()
    assert sources.read_table_file(bomb, "notes", problems) is None
    assert time.perf_counter() - start < 0.5
    [refused] = problems
    assert refused.where == "data/notes.xlsx" and refused.fatal
    assert "would inflate to" in refused.message and "zip_max_uncompressed_bytes" in refused.message


def test_a_spreadsheet_compressed_beyond_the_ratio_is_refused(tmp_path: Path, workbook: Path):
    bomb = inflated_copy(workbook, tmp_path / "tasks.xlsx", "xl/worksheets/sheet1.xml", 20_000_000)
    with pytest.raises(DataError, match=r"tasks.xlsx: compressed [\d,]+ to 1 .*zip_max_ratio"):
        check_zip_archive(bomb, "tasks.xlsx")


def test_a_bomb_stops_the_study_with_an_error_naming_the_file(tmp_path: Path, workbook: Path):
    study = make_study(tmp_path, files={"notes.csv": None})
    inflated_copy(workbook, study / "data" / "notes.xlsx", "xl/worksheets/sheet1.xml", 20_000_000)
    with pytest.raises(DataError, match=r"data/notes.xlsx: compressed"):
        sources.load_tables(study)


def test_a_real_workbook_passes(workbook: Path):
    check_zip_archive(workbook, "real.xlsx")
    problems: list = []
    table = sources.read_table_file(workbook, "participants", problems)
    assert table is not None and table.frame["name"].tolist() == ["Ann Archer"] and problems == []


def test_a_word_transcript_bomb_is_refused(tmp_path: Path):
    import docx

    study = make_study(tmp_path)
    real = tmp_path / "real.docx"
    document = docx.Document()
    document.add_paragraph("Uma UXR: Please pay for the order.")
    document.save(str(real))
    path = study / "data" / "transcripts" / "S02.docx"
    inflated_copy(real, path, "word/document.xml", 20_000_000)
    problems: list = []
    start = time.perf_counter()
    assert transcripts.read_transcript(path, problems) == []
    assert time.perf_counter() - start < 0.5
    assert [p.where for p in problems] == ["data/transcripts/S02.docx"] and "zip_max_ratio" in problems[0].message


def test_an_oversized_cell_is_cut_with_a_warning_at_its_line(tmp_path: Path):
    most = limits()["cell_max_chars"]
    study = make_study(tmp_path)
    notes = study / "data" / "notes.csv"
    with notes.open("a", encoding="utf-8") as f:
        f.write(f"N012,S01,R-1,Pay,{'word ' * (most // 2)},payment,observation\n")
    data = sources.load_tables(study)
    text = data.frame("notes").set_index("note_id").loc["N012", "text"]
    assert len(text) == most
    [warning] = [p for p in data.problems if "cut to" in p.message]
    assert warning.where == "data/notes.csv:13" and "column text" in warning.message and not warning.fatal


def test_a_symlink_in_data_leading_outside_the_repository_is_refused(tmp_path: Path):
    study = make_study(tmp_path / "repo")
    outside = tmp_path / "elsewhere.csv"
    outside.write_text((study / "data" / "sus.csv").read_text())
    (study / "data" / "sus.csv").unlink()
    (study / "data" / "sus.csv").symlink_to(outside)
    with pytest.raises(DataError, match=r"data/sus.csv: a symbolic link to a file outside the repository"):
        sources.load_tables(study)
    transcript = study / "data" / "transcripts" / "S02.vtt"
    transcript.symlink_to(outside)
    problems: list = []
    assert transcripts.read_transcript(transcript, problems) == []
    assert problems[0].fatal and problems[0].where == "data/transcripts/S02.vtt"


def test_a_symlink_inside_the_repository_is_read_with_a_warning(tmp_path: Path):
    study = make_study(tmp_path / "repo")
    kept = tmp_path / "repo" / "shared-sus.csv"
    (study / "data" / "sus.csv").rename(kept)
    (study / "data" / "sus.csv").symlink_to(kept)
    data = sources.load_tables(study)
    assert len(data.frame("sus")) == 4
    [warning] = [p for p in data.problems if "symbolic link" in p.message]
    assert warning.where == "data/sus.csv" and not warning.fatal
