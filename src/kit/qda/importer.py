"""``kit import``: a codebook from another QDA tool into ``codebook.yml``; codings into ``data/coding/``.

Codebook (``--qdc`` or ``--qdpx``): each code of the file is taken as a code of
``codebook.yml`` when one is the same (first the same GUID, then the same name,
compared as tags are: lower case, single spaces; then a synonym of a code; then a
near-duplicate: ``Saved card`` / ``saved-card``, same words once normalised and
stemmed, see :mod:`kit.study.codebook_lint`), and added otherwise
(:func:`kit.study.codebook_merge.merge_codes`: appended, the file's existing
entries left byte for byte). Every match other than by the same name is
reported. The hierarchy (parents), descriptions (as definitions), colours and
GUIDs come along for added codes; for a code already there, a value that
differs is a conflict and one the entry lacks is "not filled", both reported
and left as the file has it.

Two codes of the file with the same name under different parents (a deductive
codebook: "Positive" under "Delivery" and under "Price") are both kept, each
named ``<parent>/<name>`` (``price/positive``, :mod:`kit.qda.reader` keys them);
each such choice is reported, and ``kit export --qdpx`` writes them back under
their own names and parents (:func:`kit.qda.publisher.code_tree`).

Codings (``--qdpx --study SLUG``): each user's codings of plain-text selections
whose name is a note id of the study become ``data/coding/<user>.csv``
(note_id, tags: the codes as the codebook import named them), the file the
agreement reads. The kit's own ``notes`` user (the tags of notes.csv) is not
written back. Existing files are kept unless ``force``.
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
from kit.qda.reader import QdaCode, QdaProject, read_project
from kit.study.codebook import Code, Codebook, code_name, codebook_path, load_codebook
from kit.study.codebook_lint import normalised
from kit.study.codebook_merge import merge_codes
from kit.study.coding import NOTES_CODER
from kit.study.tables import find_table, read_table_file


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # codes of the file that codebook.yml has
    matched: list[str] = field(default_factory=list)  # "'Saved card' -> 'saved-card'"
    kept_apart: list[str] = field(default_factory=list)  # same name, another parent: qualified
    conflicts: list[str] = field(default_factory=list)
    not_filled: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # the file's code key -> the code in codebook.yml
    coding_files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _guid_form(value: str) -> str:
    """A GUID as compared: case and ATLAS.ti/MAXQDA's braces aside."""
    return value.strip().strip("{}").casefold()


def code_names(project: QdaProject, book: Codebook | None, report: ImportReport) -> dict[str, str]:
    """Each code of the file (by key) -> its name in the codebook: an existing code, or the name it is added as."""
    existing = book.codes if book is not None else {}
    by_guid = {_guid_form(book.guid(n)): n for n in existing} if book is not None else {}
    synonym_of = book.synonym_of if book is not None else {}
    by_form = {normalised(n): n for n in existing}
    names: dict[str, str] = {}
    same_name: dict[str, list[QdaCode]] = {}
    for c in project.codes:
        same_name.setdefault(code_name(c.name), []).append(c)
    for c in project.codes:
        name = code_name(c.key.replace(";", ","))  # ';' separates tags in notes.csv: a code name cannot hold one
        if ";" in c.name:
            report.matched.append(f"'{c.name}' -> '{name}' (';' separates tags)")
        same_guid = by_guid.get(_guid_form(c.guid)) if c.guid else None
        if same_guid is not None:
            names[c.key] = same_guid
            if same_guid != name:
                report.matched.append(f"'{c.name}' -> '{same_guid}' (the same GUID)")
        elif name in existing:
            names[c.key] = name
        elif name in synonym_of:
            names[c.key] = synonym_of[name]
            report.matched.append(f"'{c.name}' -> '{synonym_of[name]}' (a synonym of it)")
        elif normalised(name) in by_form:
            names[c.key] = by_form[normalised(name)]
            report.matched.append(f"'{c.name}' -> '{names[c.key]}'")
        else:
            names[c.key] = name
        if c.key != c.name:
            others = [o for o in same_name[code_name(c.name)] if o is not c]
            also = ", ".join(o.shown() for o in others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            report.kept_apart.append(f"{c.shown()} as '{names[c.key]}' (the file also has {also})")
    return names


def import_codebook(repo_root: str | Path, path: str | Path, project: QdaProject | None = None) -> ImportReport:
    """Merge the codes of a ``.qdc`` / ``.qdpx`` into the repository's ``codebook.yml``."""
    project = project or read_project(path)
    target = codebook_path(repo_root)
    book = load_codebook(repo_root) if target.is_file() else None
    report = ImportReport()
    names = code_names(project, book, report)
    incoming: list[Code] = []
    origin: dict[str, str] = {}
    for c in project.codes:
        parent = names[c.parent] if c.parent else None
        incoming.append(
            Code(name=names[c.key], definition=c.description, parent=parent, guid=c.guid or None, color=_color(c.color))
        )
        origin.setdefault(names[c.key], f"{Path(path).name}: code {c.shown()}")
    merged = merge_codes(target, incoming, origin)
    report.added, report.conflicts, report.not_filled = merged.added, merged.conflicts, merged.not_filled
    report.names = names
    report.already = sorted(set(names.values()) - set(merged.added))
    return report


def _color(value: str | None) -> str | None:
    return value if value and re.fullmatch(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})", value) else None


def coder_file_name(user: str) -> str:
    """A user name as a file stem: lower case, letters, digits and '-' only."""
    return re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-") or "imported"


def import_codings(
    study_dir: str | Path, project: QdaProject, *, force: bool = False, names: dict[str, str] | None = None
) -> ImportReport:
    """Write each user's codings of the study's notes to ``data/coding/<user>.csv``.

    ``names`` maps the file's code keys to codebook names (:attr:`ImportReport.names` of the
    codebook import); without it, a code is written as its key, compared as tags are.
    """
    names = names or {}
    study_dir = Path(study_dir)
    notes_path = find_table(study_dir / DATA_DIR, "notes")
    if notes_path is None:
        raise UsageError(f"{study_dir.name}: no data/notes.csv to attach codings to")
    table = read_table_file(notes_path, "notes", [])
    note_ids = set(table.frame["note_id"].tolist()) if table is not None and "note_id" in table.frame else set()
    report = ImportReport()
    folder = study_dir / DATA_DIR / CODING_DIR
    plans: list[tuple[Path, list[tuple[str, list[str]]]]] = []
    for user, selections in project.codings.items():
        stem = coder_file_name(user)
        if stem == NOTES_CODER:
            report.skipped.append(f"{user}: the tags of notes.csv (not written back)")
            continue
        rows = sorted(
            (sel, sorted({names.get(key, code_name(key)) for key in keys}))
            for sel, keys in selections.items()
            if sel in note_ids
        )
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
        writer.writerows([sel, ";".join(codes)] for sel, codes in rows)
        atomic_write_text(path, buf.getvalue())
        report.coding_files.append(f"{DATA_DIR}/{CODING_DIR}/{path.name} ({len(rows)} notes)")
    return report
