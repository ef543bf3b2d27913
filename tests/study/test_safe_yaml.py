"""Hand-edited YAML within limits: alias bombs and oversized files refused fast, naming the file (issue 26, point 8)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kit.errors import CodebookError, StudyError
from kit.study.input_limits import limits
from kit.study.safe_yaml import read_yaml_document
from kit.study.study_file import load_study, read_yaml_file

ROOT = Path(__file__).resolve().parents[2]


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic bomb: each anchor a list of ``width`` aliases of the one before (width**levels values)."""
    lines = ["title: Checkout", "lol0: &lol0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_study_yml_is_refused_in_well_under_a_second_naming_the_file(tmp_path: Path):
    study = tmp_path / "notebooks" / "bomb"
    study.mkdir(parents=True)
    (study / "study.yml").write_text(billion_laughs())
    assert (study / "study.yml").stat().st_size < 1000  # 9**9 = 387 million values from a few hundred bytes
    start = time.perf_counter()
    with pytest.raises(StudyError) as caught:
        load_study(study)
    assert time.perf_counter() - start < 0.5
    assert str(study / "study.yml") in str(caught.value)
    assert "yaml_max_values" in str(caught.value)


def test_many_aliases_are_refused_even_when_they_expand_to_little(tmp_path: Path):
    most = limits()["yaml_max_aliases"]
    path = tmp_path / "codebook.yml"
    path.write_text("a: &a x\nlist: [" + ", ".join(["*a"] * (most + 1)) + "]\n")
    with pytest.raises(CodebookError, match=r"codebook.yml: \d+ aliases .*expected at most"):
        read_yaml_file(path, CodebookError, shown_as="codebook.yml")
    path.write_text("a: &a x\nlist: [" + ", ".join(["*a"] * most) + "]\n")
    assert len(read_yaml_file(path)["list"]) == most


def test_an_alias_inside_its_own_value_is_refused_at_its_line(tmp_path: Path):
    path = tmp_path / "study.yml"
    path.write_text("title: x\nloop: &me\n  - 1\n  - *me\n")
    with pytest.raises(StudyError, match=r"study.yml:2: the value anchored here holds an alias of itself"):
        read_yaml_file(path)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "insights.yml"
    path.write_text("insights:\n" + "  - id: I1\n" * 2000)
    monkeypatch.setattr("kit.study.safe_yaml.limits", lambda: {**limits(), "yaml_max_bytes": 1000})
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(StudyError, match=r"insights.yml: 2\d,\d{3} bytes, expected at most 1,000"):
        read_yaml_file(path)


def test_ordinary_aliases_load_and_the_real_files_pass(tmp_path: Path):
    path = tmp_path / "study.yml"
    path.write_text("observer: &pat {name: Pat, role: PM}\nobservers: [*pat, {name: Dan, role: Design}]\n")
    assert read_yaml_file(path)["observers"][0] == {"name": "Pat", "role": "PM"}
    for real in [ROOT / "codebook.yml", *sorted((ROOT / "notebooks").glob("*/*.yml"))]:
        assert read_yaml_file(real) is not None


def test_top_level_keys_carry_their_lines(tmp_path: Path):
    path = tmp_path / "study.yml"
    path.write_text("# a comment\ntitle: x\n\nsegments:\n  - New\n'odd key': 1\n")
    assert read_yaml_document(path).key_lines == {"title": 2, "segments": 4, "odd key": 6}


def test_a_study_yml_that_is_not_utf8_names_its_line(tmp_path: Path):
    path = tmp_path / "study.yml"
    path.write_bytes("title: Café\nfeature: Pay\n".encode() + "pm_owner: Núñez\n".encode("cp1252"))
    with pytest.raises(StudyError, match=r"study.yml:3: byte 0xfa is not UTF-8"):
        read_yaml_file(path)
