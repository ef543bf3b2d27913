"""kit.qda import of real-world codebooks (issue 31): codes named Yes/No/On/Off or like numbers and dates,
the same name under different parents, and an import whose diff of codebook.yml holds only the added codes.

Fixtures: ``nvivo-deductive.qdc`` (an NVivo 14 codebook export: interview questions as parent codes,
answers as codes, Positive/Negative under two topics) and ``atlasti-project.qde`` (the project.qde of an
ATLAS.ti 23 .qdpx, laid out as a real ATLAS.ti 23.2.3 export; each file's header says where its layout
comes from). The tests zip the .qde into a .qdpx as ATLAS.ti ships it.
"""

from __future__ import annotations

import difflib
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from test_qda import project_xml, refi_schema

from kit.errors import CodebookError
from kit.qda import export_qdpx, import_codebook, import_codings, read_project
from kit.qda.reader import QdaProject
from kit.study.codebook import code_name, load_codebook

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
DEDUCTIVE = FIXTURES / "nvivo-deductive.qdc"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "notebooks" / "demo-checkout", tmp_path / "notebooks" / "demo-checkout")
    shutil.copy(ROOT / "codebook.yml", tmp_path / "codebook.yml")
    return tmp_path


def _atlas_qdpx(tmp_path: Path) -> Path:
    """The ATLAS.ti fixture as ATLAS.ti ships it: project.qde and Sources/ in a zip."""
    out = tmp_path / "diary-study.qdpx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / "atlasti-project.qde", "project.qde")
        zf.writestr("Sources/7E4D2B19-3A6C-4F85-9B01-2C3D4E5F6A70.txt", "I'd tell a friend, yes.\n")
    return out


def _tree(project: QdaProject) -> dict[str, tuple[str, str | None]]:
    """GUID -> (name as the kit compares it, the parent's GUID): the codebook as a tool sees it."""
    guid_of = {c.key: c.guid.upper() for c in project.codes}
    return {c.guid.upper(): (code_name(c.name), guid_of[c.parent] if c.parent else None) for c in project.codes}


def test_a_deductive_codebook_with_yes_no_on_off_imports_and_reads_back(demo):
    report = import_codebook(demo, DEDUCTIVE)
    book = load_codebook(demo)  # PyYAML (YAML 1.1) reads every name back as text
    for answer, question in (("yes", "q1"), ("no", "q1"), ("on", "q2"), ("off", "q2")):
        assert answer in report.added and book.codes[answer].parent.startswith(question)
    text = (demo / "codebook.yml").read_text(encoding="utf-8")
    assert "  - name: 'yes'\n" in text and "  - name: 'off'\n" in text
    assert book.guid("yes") == "0B6F2C31-7D4E-4A59-8E21-3C5D7F9A1B02"


def test_codes_named_like_numbers_dates_and_null_import_from_an_atlas_ti_project(demo, tmp_path):
    qdpx = _atlas_qdpx(tmp_path)
    project = read_project(qdpx)
    report = import_codebook(demo, qdpx, project)
    book = load_codebook(demo)
    named = {"2024-01-01", "2024-01-02t08:30:00z", "1", "1e3", "0.5", "null", "~"}
    assert named <= set(report.added) and named <= set(book.codes)
    data = yaml.safe_load((demo / "codebook.yml").read_text(encoding="utf-8"))
    assert all(isinstance(c["name"], str) for c in data["codes"])
    assert book.codes["1e3"].parent == "orders per week" and book.codes["~"].parent == "missing answers"
    # the same answers under two questions: both kept, each named by its question
    assert book.codes["recommend to a friend/yes"].parent == "recommend to a friend"
    assert book.codes["would pay for express/yes"].parent == "would pay for express"
    assert report.names["Recommend to a friend/Yes"] == "recommend to a friend/yes"


def _topics_only(tmp_path: Path) -> Path:
    """The deductive codebook without its Yes/No questions: the duplicate names alone."""
    from lxml import etree

    tree = etree.parse(str(DEDUCTIVE))
    for code in tree.getroot().iterfind("{*}Codes/{*}Code"):
        if code.get("name", "").startswith("Q"):
            code.getparent().remove(code)
    out = tmp_path / "topics.qdc"
    tree.write(str(out), xml_declaration=True, encoding="utf-8")
    return out


def test_the_same_name_under_two_parents_keeps_both_and_reports_each_choice(demo, tmp_path):
    report = import_codebook(demo, _topics_only(tmp_path))
    book = load_codebook(demo)
    assert book.codes["delivery/positive"].parent == "delivery"
    assert book.codes["price/positive"].parent == "price"
    assert book.codes["price/positive"].definition == "The price seen as fair or good value."
    assert book.guid("price/positive") == "0B6F2C31-7D4E-4A59-8E21-3C5D7F9A1B11"
    assert len(report.added) == 8 and report.already == []  # nothing merged, nothing lost
    assert "'Price' > 'Positive' as 'price/positive' (the file also has 'Delivery' > 'Positive')" in report.kept_apart
    assert len(report.kept_apart) == 4


def test_an_import_leaves_every_existing_byte_of_the_real_codebook(demo, tmp_path):
    before = (demo / "codebook.yml").read_bytes()
    for source in (FIXTURES / "nvivo-codebook.qdc", DEDUCTIVE, _atlas_qdpx(tmp_path)):
        kept = (demo / "codebook.yml").read_bytes()
        import_codebook(demo, source)
        assert (demo / "codebook.yml").read_bytes().startswith(kept), source.name  # each import only appends
    after = (demo / "codebook.yml").read_bytes()
    assert after.startswith(before)  # flow lists, quotes, comments and line breaks as they were
    diff = list(difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0))
    changed = [line for line in diff[2:] if not line.startswith("@@")]
    assert changed and all(line.startswith("+") for line in changed)  # only added lines
    added = yaml.safe_load("codes:\n" + "\n".join(line[1:] for line in changed) + "\n")["codes"]
    book = load_codebook(demo)
    assert [c["name"] for c in added] == list(book.codes)[len(yaml.safe_load(before)["codes"]) :]


def test_an_import_into_a_crlf_codebook_with_a_bom_keeps_both(demo):
    original = (demo / "codebook.yml").read_text(encoding="utf-8")
    before = ("\ufeff" + original.replace("\n", "\r\n")).encode("utf-8")  # as Notepad on Windows saves it
    (demo / "codebook.yml").write_bytes(before)
    import_codebook(demo, DEDUCTIVE)
    after = (demo / "codebook.yml").read_bytes()
    assert after.startswith(before) and b"\n" not in after.replace(b"\r\n", b"")
    assert load_codebook(demo).codes["yes"].parent == "q1 would you order again"


def test_a_value_that_would_not_read_back_names_the_imported_file_and_the_code(demo, monkeypatch):
    import kit.study.codebook_merge as merge

    monkeypatch.setattr(merge, "reads_as_text", lambda value: True)  # a writer that forgets YAML 1.1
    before = (demo / "codebook.yml").read_bytes()
    with pytest.raises(CodebookError) as err:
        import_codebook(demo, DEDUCTIVE)
    assert (
        "nvivo-deductive.qdc: code 'Q1 Would you order again' > 'Yes': name 'yes' would read back from "
        "codebook.yml as True" in str(err.value)
    )
    assert (demo / "codebook.yml").read_bytes() == before  # nothing half-written


def test_yes_no_and_duplicates_round_trip_through_a_qdpx_export(demo, tmp_path):
    schema = refi_schema()
    first = import_codebook(demo, DEDUCTIVE)
    coding = demo / "notebooks/demo-checkout/data/coding/pm.csv"
    rows = coding.read_text(encoding="utf-8").splitlines()
    coded = {"N001": "price/positive;yes", "N002": "delivery/positive", "N003": "off"}
    coding.write_text(
        "\n".join(f"{r.split(',')[0]},{coded[r.split(',')[0]]}" if r.split(",")[0] in coded else r for r in rows)
        + "\n",
        encoding="utf-8",
    )
    summary = export_qdpx(demo, "demo-checkout", tmp_path / "out.qdpx")
    root, _files = project_xml(summary.path)
    assert schema.validate(root), schema.error_log
    exported, original = _tree(read_project(summary.path)), _tree(read_project(DEDUCTIVE))
    assert {g: exported[g] for g in original} == original  # same names, same parents, same GUIDs
    assert sum(name == "positive" for name, _ in exported.values()) == 2

    before = (demo / "codebook.yml").read_bytes()
    project = read_project(summary.path)
    again = import_codebook(demo, summary.path, project)
    assert (again.added, again.conflicts, again.not_filled) == ([], [], [])
    assert (demo / "codebook.yml").read_bytes() == before
    assert set(first.added) <= set(again.already)
    coding.unlink()
    import_codings(demo / "notebooks/demo-checkout", project, names=again.names)
    written = dict(line.split(",", 1) for line in coding.read_text(encoding="utf-8").splitlines()[1:])
    assert written["N001"] == "price/positive;yes" and written["N002"] == "delivery/positive"
