"""kit.study.records: the roster stamp, and holding it still for a run."""

from __future__ import annotations

from pathlib import Path

from kit.study.records import roster_stamp, rosters_fixed


def _roster(repo: Path, slug: str, rows: str) -> Path:
    path = repo / "notebooks" / slug / "data" / "participants.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("participant_id,name\n" + rows, encoding="utf-8")
    return path


def test_the_stamp_changes_with_any_roster_and_ignores_other_files(tmp_path: Path):
    _roster(tmp_path, "alpha", "P01,A B\n")
    (tmp_path / "notebooks" / "alpha" / "data" / "notes.csv").write_text("note_id\n")
    before = roster_stamp(tmp_path)
    assert [Path(p).name for p, *_ in before] == ["participants.csv"]
    _roster(tmp_path, "beta", "P01,C D\n")
    assert roster_stamp(tmp_path) != before
    assert len(roster_stamp(tmp_path)) == 2


def test_inside_rosters_fixed_the_stamp_is_the_one_taken_on_entry(tmp_path: Path):
    roster = _roster(tmp_path, "alpha", "P01,A B\n")
    with rosters_fixed(tmp_path):
        held = roster_stamp(tmp_path)
        roster.write_text("participant_id,name\nP01,A B\nP02,C D\n", encoding="utf-8")
        assert roster_stamp(tmp_path) == held
    assert roster_stamp(tmp_path) != held  # released: the edit counts again
