"""kit.study.codebook_merge: codes added to codebook.yml read back as written (YAML 1.1 quoting), and every
existing byte of the file stays as it was, whatever layout the team's file has."""

from __future__ import annotations

import pytest
import yaml

from kit.errors import CodebookError
from kit.study.codebook import Code, load_codebook
from kit.study.codebook_merge import merge_codes, reads_as_text

# Names a QDA tool's codebook holds that YAML 1.1 (PyYAML, the kit's loader; or the 1.1 spec) reads as
# something other than text when written plain: booleans, numbers, dates, null, the merge and value keys.
YAML11_NOT_TEXT = [
    "yes", "no", "on", "off", "y", "n", "true", "1", "0.5", "1e3", "010", "0x1f", "1:30", ".inf",
    "2024-01-01", "2024-01-02 08:30:00", "null", "~", "=", "<<",
]  # fmt: skip


@pytest.mark.parametrize("name", YAML11_NOT_TEXT)
def test_a_name_yaml_1_1_reads_as_no_text_is_quoted_and_reads_back(tmp_path, name):
    path = tmp_path / "codebook.yml"
    path.write_text("codes:\n  - name: answers\n", encoding="utf-8")
    result = merge_codes(path, [Code(name=name, parent="answers", definition=name)])
    assert result.added == [name]
    assert not reads_as_text(name)
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))["codes"][1]
    assert entry == {"name": name, "parent": "answers", "definition": name}
    assert load_codebook(tmp_path).codes[name].definition == name


def test_text_that_reads_as_text_stays_plain(tmp_path):
    path = tmp_path / "codebook.yml"
    merge_codes(path, [Code(name="Saved card", definition="Used a card on file.")])
    assert path.read_text(encoding="utf-8") == "codes:\n  - name: saved card\n    definition: Used a card on file.\n"


LAYOUTS = {
    "kit style": '# team codebook\ncodes:\n  - name: trust\n    synonyms: ["safe", reassurance]   # why\n',
    "indentless": "codes:\n- name: trust\n  include: ['said \"safe\"']\n",
    "wide": "codes:\n    -   name: trust\n        definition: >\n            folded\n            text\n",
    "no final line break": "codes:\n  - name: trust",
    "trailing comments": "codes:\n  - name: trust\n  # - name: old-code (retired, kept for reference)\n\n",
    "document end": "codes:\n  - name: trust\n...\n",
    "keep chomping": "codes:\n  - name: trust\n    definition: |+\n      kept\n\n",
    "flow": "codes: [{name: trust, definition: 'Safe?'}]\n",
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_existing_bytes_stay_whatever_the_layout(tmp_path, layout):
    path = tmp_path / "codebook.yml"
    before = LAYOUTS[layout]
    path.write_text(before, encoding="utf-8")
    old = load_codebook(tmp_path).codes["trust"]
    merge_codes(path, [Code(name="Yes", parent="trust"), Code(name="On", parent="yes", guid="G-1")])
    after = path.read_text(encoding="utf-8")
    if layout == "flow":
        assert after.startswith(before[: before.rindex("]")])
    else:
        assert after.startswith(before.removesuffix("...\n")) and after.endswith("...\n") == before.endswith("...\n")
    book = load_codebook(tmp_path)
    assert book.codes["trust"] == old
    assert book.codes["yes"].parent == "trust" and book.codes["on"].parent == "yes" and book.guid("on") == "G-1"


@pytest.mark.parametrize("before", ["", "# the team's codebook, empty for now\n", "codes: []\n"])
def test_a_codebook_without_codes_gets_its_first(tmp_path, before):
    path = tmp_path / "codebook.yml"
    path.write_text(before, encoding="utf-8")
    merge_codes(path, [Code(name="No")])
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.replace("codes: []\n", "")) and after.endswith("codes:\n  - name: 'no'\n")
    assert list(load_codebook(tmp_path).codes) == ["no"]


def test_an_existing_code_is_never_changed_and_what_it_lacks_is_reported(tmp_path):
    path = tmp_path / "codebook.yml"
    before = "codes:\n  - name: trust\n  - name: price\n    color: '#ff0000'\n"
    path.write_text(before, encoding="utf-8")
    result = merge_codes(
        path,
        [
            Code(name="Trust", definition="Doubt or reassurance.", guid="{0F8FAD5B-D9CB-469F-A165-70867728950E}"),
            Code(name="price", color="#FF0000"),  # the same colour, written in capitals
        ],
    )
    assert result.added == [] and result.conflicts == []
    assert result.not_filled == [
        "code 'trust': definition 'Doubt or reassurance.' (codebook.yml has none)",
        "code 'trust': guid '{0F8FAD5B-D9CB-469F-A165-70867728950E}' (codebook.yml has none)",
    ]
    assert path.read_text(encoding="utf-8") == before


def test_an_added_code_that_breaks_the_codebook_names_where_it_came_from(tmp_path):
    path = tmp_path / "codebook.yml"
    before = "codes:\n  - name: shipping-cost\n    synonyms: [postage]\n"
    path.write_text(before, encoding="utf-8")
    with pytest.raises(CodebookError, match="retired.qdc: code 'Old' > 'Gone': code 'gone': retired without"):
        merge_codes(
            path,
            [Code(name="Gone", status="retired")],
            origin={"gone": "retired.qdc: code 'Old' > 'Gone'"},
        )
    assert path.read_text(encoding="utf-8") == before


def test_a_codebook_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "codebook.yml"
    before = "codes:\n  - name: caf\xe9\n".encode("latin-1")  # saved as Windows-1252 by an old editor
    path.write_bytes(before)
    with pytest.raises(CodebookError, match=r"codebook.yml:2: byte 0xe9 is not UTF-8"):
        merge_codes(path, [Code(name="Yes")])
    assert path.read_bytes() == before
