"""kit.qda: the REFI-QDA export validates against the standard's schema and re-imports to the same
codebook and codings; a codebook exported by another tool merges into codebook.yml."""

from __future__ import annotations

import csv
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from kit.errors import UsageError
from kit.privacy.roster import Roster
from kit.qda import export_qdpx, import_codebook, import_codings, read_project
from kit.study.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[2]
# The standard's schema sits beside the checkout; KIT_REFI_QDA_XSD points at it from a worktree elsewhere.
XSD = Path(os.environ.get("KIT_REFI_QDA_XSD", ROOT.parent / "shared" / "refi-qda" / "Project.xsd"))
FIXTURES = Path(__file__).parent / "fixtures"
NS = "{urn:QDA-XML:project:1.0}"
SECRETS = ("Maria", "Gonzalez", "R-1041", "maria.gonzalez84@example.com", "Sam Okafor", "Dana Whitfield")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "notebooks" / "demo-checkout", tmp_path / "notebooks" / "demo-checkout")
    shutil.copy(ROOT / "codebook.yml", tmp_path / "codebook.yml")
    return tmp_path


def refi_schema():
    from lxml import etree

    if not XSD.is_file():
        pytest.skip(f"the REFI-QDA schema is not at {XSD} (../shared/refi-qda/Project.xsd)")
    return etree.XMLSchema(etree.parse(str(XSD)))


def project_xml(path: Path):
    from lxml import etree

    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde")), {n: zf.read(n) for n in zf.namelist()}


def _csv_codings(path: Path, book) -> dict[str, list[str]]:
    with path.open(encoding="utf-8") as fh:
        rows = {
            r["note_id"]: sorted({book.canonical(t) for t in r["tags"].split(";") if t.strip()})
            for r in csv.DictReader(fh)
        }
    return {k: v for k, v in rows.items() if v}


def test_export_validates_against_the_refi_qda_schema(demo):
    schema = refi_schema()
    summary = export_qdpx(demo, "demo-checkout")
    assert summary.path == demo / "demo-checkout.qdpx" and summary.sources == 8 and summary.users == 2
    root, files = project_xml(summary.path)
    assert schema.validate(root), schema.error_log
    assert root.tag == f"{NS}Project"
    sources = root.findall(f"{NS}Sources/{NS}TextSource")
    assert {f"Sources/{s.get('plainTextPath').removeprefix('internal://')}" for s in sources} == {
        n for n in files if n.startswith("Sources/")
    }


def test_selection_offsets_point_at_the_note_text(demo):
    summary = export_qdpx(demo, "demo-checkout")
    root, files = project_xml(summary.path)
    notes = {
        r["note_id"]: r["text"]
        for r in csv.DictReader((demo / "notebooks/demo-checkout/data/notes.csv").open(encoding="utf-8"))
    }
    roster = Roster.from_study(demo / "notebooks/demo-checkout")
    checked = 0
    for source in root.iter(f"{NS}TextSource"):
        text = files["Sources/" + source.get("plainTextPath").removeprefix("internal://")].decode("utf-8")
        for sel in source.iter(f"{NS}PlainTextSelection"):
            cut = text[int(sel.get("startPosition")) : int(sel.get("endPosition"))]
            expected = roster.redact(notes[sel.get("name")])  # the export is pseudonymised
            assert cut in (expected, "[quote withheld: no consent to quotes]")
            checked += 1
    assert checked == summary.selections > 60  # '£' and 'ó' before offsets must not shift them


def test_round_trip_same_codes_and_same_codings(demo):
    summary = export_qdpx(demo, "demo-checkout")
    project = read_project(summary.path)
    book = load_codebook(demo)
    active = {n for n, c in book.codes.items() if c.status == "active"}
    assert {c.name for c in project.codes} == active
    assert {c.name: c.parent for c in project.codes} == {n: book.codes[n].parent for n in active}
    assert {c.name: c.guid for c in project.codes} == {n: book.guid(n) for n in active}
    assert {c.name: c.description for c in project.codes} == {n: book.codes[n].definition for n in active}
    data = demo / "notebooks/demo-checkout/data"
    assert project.codings["pm"] == _csv_codings(data / "coding" / "pm.csv", book)
    with (data / "notes.csv").open(encoding="utf-8") as fh:
        notes = {
            r["note_id"]: sorted({book.canonical(t) for t in r["tags"].split(";") if t}) for r in csv.DictReader(fh)
        }
    assert project.codings["notes"] == {k: v for k, v in notes.items() if v}


def test_reimport_gives_the_same_codebook_and_coding_files(demo, tmp_path):
    summary = export_qdpx(demo, "demo-checkout")
    project = read_project(summary.path)
    report = import_codebook(demo, summary.path, project)
    assert report.added == [] and report.conflicts == []  # same codebook: nothing to add or change
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    import_codebook(fresh, summary.path)
    original, imported = load_codebook(demo), load_codebook(fresh)
    for name, code in imported.codes.items():
        assert (code.parent, code.definition, imported.guid(name)) == (
            original.codes[name].parent,
            original.codes[name].definition,
            original.guid(name),
        )
    coding = demo / "notebooks/demo-checkout/data/coding"
    before = _csv_codings(coding / "pm.csv", original)
    shutil.rmtree(coding)
    result = import_codings(demo / "notebooks/demo-checkout", project)
    assert result.coding_files == ["data/coding/pm.csv (62 notes)"]
    assert any("notes: the tags of notes.csv" in s for s in result.skipped)
    assert _csv_codings(coding / "pm.csv", original) == before
    with pytest.raises(UsageError, match="exists; add --force"):
        import_codings(demo / "notebooks/demo-checkout", project)


def test_default_export_is_pseudonymised(demo):
    summary = export_qdpx(demo, "demo-checkout")
    blob = b"".join(project_xml(summary.path)[1].values()).decode("utf-8")
    for secret in SECRETS:
        assert secret not in blob
    assert "P01" in blob and "[quote withheld: no consent to quotes]" in blob  # P05 did not consent


def test_raw_export_needs_confirmation_and_stays_out_of_published_folders(demo):
    with pytest.raises(UsageError, match="--confirm-personal-data"):
        export_qdpx(demo, "demo-checkout", raw=True)
    for folder in ("reports", "_site", "studies"):
        with pytest.raises(UsageError, match=f"must not be written under {folder}/"):
            export_qdpx(demo, "demo-checkout", demo / folder / "x.qdpx", raw=True, confirm_personal_data=True)
        assert not (demo / folder / "x.qdpx").exists()
    summary = export_qdpx(demo, "demo-checkout", demo / "private" / "raw.qdpx", raw=True, confirm_personal_data=True)
    blob = b"".join(project_xml(summary.path)[1].values()).decode("utf-8")
    assert "Maria Gonzalez (R-1041)" in blob


def test_a_codebook_exported_by_nvivo_merges_into_codebook_yml(demo):
    before = (demo / "codebook.yml").read_text()
    report = import_codebook(demo, FIXTURES / "nvivo-codebook.qdc")
    assert report.added == ["buy now pay later", "returns and refunds", "emotions", "frustration"]
    assert report.matched == ["'Saved card' -> 'saved-card'"]
    assert report.conflicts == [
        "code 'payment': definition differs (kept 'Anything about paying for the order - choosing, entering or "
        "confirming a payment method.', imported 'Anything about how customers pay.')",
        "code 'saved-card': definition differs (kept 'Using, choosing or failing to find a payment card stored "
        "in the account.', imported 'Using a card stored in the account.')",
    ]
    text = (demo / "codebook.yml").read_text()
    assert text.startswith(before.split("codes:")[0])  # the team's comments stay
    book = load_codebook(demo)
    assert book.codes["buy now pay later"].parent == "payment"
    assert book.codes["buy now pay later"].definition == "Instalments, Klarna, pay in 30 days."
    assert book.codes["frustration"].parent == "emotions" and book.codes["frustration"].color == "#D62728"
    assert book.guid("returns and refunds") == "4E5F6071-8C9D-4EAF-9012-3C4D5E6F7081"
    assert book.guid("payment") != "8A1B6C1F-3E0D-4C8B-9D2A-6F4E5B7C8D90"  # an existing entry is left as it is
    assert "code 'payment': guid '8A1B6C1F-3E0D-4C8B-9D2A-6F4E5B7C8D90' (codebook.yml has none)" in report.not_filled
    assert yaml.safe_load(text)["codes"][0]["name"] == "payment"


def test_not_a_refi_file_is_a_clear_error(tmp_path):
    from kit.qda.reader import QdaError

    bad = tmp_path / "x.qdc"
    bad.write_text("<html><body>nope</body></html>")
    with pytest.raises(QdaError, match="root element <html>, expected <Project> or <CodeBook>"):
        read_project(bad)
    z = tmp_path / "x.qdpx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("other.xml", "<a/>")
    with pytest.raises(QdaError, match="a .qdpx must hold project.qde"):
        read_project(z)
    evil = tmp_path / "evil.qdc"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="&x;" '
        'isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(QdaError, match="not a REFI-QDA file"):  # an external entity is never fetched
        read_project(evil)


def test_code_names_with_a_semicolon_are_imported_with_a_comma(tmp_path):
    qdc = tmp_path / "maxqda.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
        'origin="MAXQDA 24"><Codes><Code guid="{11111111-2222-4333-8444-555555555555}" '
        'name="Price; value" isCodable="true"><Code guid="{21111111-2222-4333-8444-555555555555}" '
        'name="Too expensive" isCodable="true"/></Code></Codes></CodeBook>',
        encoding="utf-8",
    )
    report = import_codebook(tmp_path, qdc)
    assert report.added == ["price, value", "too expensive"]
    book = load_codebook(tmp_path)
    assert book.codes["too expensive"].parent == "price, value"
    assert book.guid("price, value") == "{11111111-2222-4333-8444-555555555555}"  # ATLAS.ti/MAXQDA braces kept


@pytest.mark.parametrize("variant", ["raw", "no-codebook", "two-coding-files", "no-codes"])
def test_every_kind_of_export_validates(demo, tmp_path, variant):
    schema = refi_schema()
    study = demo / "notebooks" / "demo-checkout"
    kwargs = {}
    if variant == "raw":
        kwargs = {"raw": True, "confirm_personal_data": True}
    elif variant == "no-codebook":
        (demo / "codebook.yml").unlink()
    elif variant == "two-coding-files":
        (study / "data" / "coding" / "ab.csv").write_text("note_id,tags\nN001,trust;Mobile\nN002,\n")
    else:
        notes = (study / "data" / "notes.csv").read_text(encoding="utf-8").splitlines()
        rows = list(csv.reader(notes))
        for r in rows[1:]:
            r[5] = ""
        (study / "data" / "notes.csv").write_text("\n".join(",".join(f'"{c}"' for c in r) for r in rows) + "\n")
        shutil.rmtree(study / "data" / "coding")
        (demo / "codebook.yml").unlink()
    summary = export_qdpx(demo, "demo-checkout", tmp_path / f"{variant}.qdpx", **kwargs)
    root, _files = project_xml(summary.path)
    assert schema.validate(root), schema.error_log
    project = read_project(summary.path)
    if variant == "two-coding-files":
        # two coding files: they are the coders (notes.csv's tags are not)
        assert set(project.codings) == {"pm", "ab"} and project.codings["ab"] == {"N001": ["mobile", "trust"]}
    if variant == "no-codes":
        assert summary.selections == 0 and project.codes == []
