"""``kit import``: a codebook from another QDA tool into ``codebook.yml``; codings into ``data/coding/``.

Codebook (``--qdc`` or ``--qdpx``): codes are merged into ``codebook.yml`` by
name (:func:`kit.study.codebook.merge_codes`): names are compared as tags are
(lower case, single spaces), and an imported name that is a near-duplicate of
a code already there (``Saved card`` / ``saved-card``: same words once
normalised and stemmed, see :mod:`kit.study.codebook_lint`) is taken as that
code, and reported. The hierarchy (parents), descriptions (as definitions),
colours and GUIDs come along; a value that differs from the file's is a
conflict, reported and left as the file has it.

Codings (``--qdpx --study SLUG``): each user's codings of plain-text selections
whose name is a note id of the study become ``data/coding/<user>.csv``
(note_id, tags), the file the agreement reads. The kit's own ``notes`` user
(the tags of notes.csv) is not written back. Existing files are kept unless
``force``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import UsageError
from kit.iorw import atomic_write_text
from kit.layout import CODING_DIR, DATA_DIR
from kit.qda.reader import QdaProject, read_project
from kit.study.codebook import Code, code_name, codebook_path, load_codebook, merge_codes
from kit.study.codebook_lint import normalised
from kit.study.coding import NOTES_CODER
from kit.study.tables import find_table, read_table_file


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)  # "Saved card -> saved-card"
    conflicts: list[str] = field(default_factory=list)
    coding_files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def import_codebook(repo_root: str | Path, path: str | Path, project: QdaProject | None = None) -> ImportReport:
    """Merge the codes of a ``.qdc`` / ``.qdpx`` into the repository's ``codebook.yml``."""
    project = project or read_project(path)
    target = codebook_path(repo_root)
    book = load_codebook(repo_root) if target.is_file() else None
    existing = list(book.codes) if book is not None else []
    by_form = {normalised(n): n for n in existing}
    report = ImportReport()
    for c in project.codes:  # ';' separates tags in notes.csv: a code name cannot hold one
        if ";" in c.name or (c.parent and ";" in c.parent):
            if ";" in c.name:
                report.matched.append(f"'{c.name}' -> '{c.name.replace(';', ',')}' (';' separates tags)")
            c.name, c.parent = c.name.replace(";", ","), c.parent.replace(";", ",") if c.parent else None
    rename: dict[str, str] = {}
    for c in project.codes:
        name = code_name(c.name)
        if name not in existing and normalised(name) in by_form:
            rename[name] = by_form[normalised(name)]
            report.matched.append(f"'{c.name}' -> '{rename[name]}'")
    incoming = []
    for c in project.codes:
        name = rename.get(code_name(c.name), code_name(c.name))
        parent = rename.get(code_name(c.parent), code_name(c.parent)) if c.parent else None
        incoming.append(
            Code(name=name, definition=c.description, parent=parent, guid=c.guid or None, color=_color(c.color))
        )
    added, conflicts = merge_codes(target, incoming)
    report.added, report.conflicts = added, conflicts
    return report


def _color(value: str | None) -> str | None:
    return value if value and re.fullmatch(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})", value) else None


def coder_file_name(user: str) -> str:
    """A user name as a file stem: lower case, letters, digits and '-' only."""
    return re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-") or "imported"


def import_codings(study_dir: str | Path, project: QdaProject, *, force: bool = False) -> ImportReport:
    """Write each user's codings of the study's notes to ``data/coding/<user>.csv``."""
    study_dir = Path(study_dir)
    notes_path = find_table(study_dir / DATA_DIR, "notes")
    if notes_path is None:
        raise UsageError(f"{study_dir.name}: no data/notes.csv to attach codings to")
    table = read_table_file(notes_path, "notes", [])
    note_ids = set(table.frame["note_id"].tolist()) if table is not None and "note_id" in table.frame else set()
    report = ImportReport()
    folder = study_dir / DATA_DIR / CODING_DIR
    plans = []
    for user, selections in project.codings.items():
        stem = coder_file_name(user)
        if stem == NOTES_CODER:
            report.skipped.append(f"{user}: the tags of notes.csv (not written back)")
            continue
        rows = sorted((sel, codes) for sel, codes in selections.items() if sel in note_ids)
        unknown = len(selections) - len(rows)
        if unknown:
            report.skipped.append(f"{user}: {unknown} selections not named by a note id of the study")
        if not rows:
            continue
        path = folder / f"{stem}.csv"
        if path.exists() and not force:
            raise UsageError(f"{path}: exists; add --force to replace it")
        plans.append((path, rows))
    for path, rows in plans:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["note_id", "tags"])
        writer.writerows([sel, ";".join(sorted(codes))] for sel, codes in rows)
        atomic_write_text(path, buf.getvalue())
        report.coding_files.append(f"{DATA_DIR}/{CODING_DIR}/{path.name} ({len(rows)} notes)")
    return report
