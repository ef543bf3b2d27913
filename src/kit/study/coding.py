"""Double coding: each coder's tags in ``data/coding/<coder>.csv`` (columns note_id, tags).

Two people (a PM and a researcher, say) code the same notes independently;
:mod:`kit.synthesis.agreement` then measures how far they agree. Files are read
with the validated table reader (:mod:`kit.study.tables`), so mistakes come
back as ``data/coding/pm.csv:7: ...``.

Who the coders are:

* every ``data/coding/<coder>.csv`` is one coder;
* with exactly one such file, the tags of ``notes.csv`` are the other coder
  (named ``notes``): the usual case of a second person re-coding the notes.

A note missing from a coder's file is a missing coding (Krippendorff's alpha
allows those); a row with an empty tags cell says the coder applied no code.
The coder is named by the file: a role or initials (``pm.csv``, ``uxr.csv``,
``ab.csv``), never a full name, as coder names reach the site. Any other
file name is shown as ``C1``, ``C2`` ... with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import Problem
from kit.layout import CODING_DIR, DATA_DIR
from kit.study.raci import ROLES
from kit.study.tables import LINE, check_columns, check_ids, problem, read_table_file, split_tags

NOTES_CODER = "notes"
INITIALS_RE = re.compile(r"^[a-z]{2,3}$")
ROLE_RE = re.compile(r"^(" + "|".join(r.lower() for r in ROLES) + r")[-_]?\d?$")


@dataclass
class Codings:
    """Coder label -> note id -> the codes the coder applied (missing note = not coded)."""

    coders: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # coder -> file shown in messages
    lines: dict[str, dict[str, int]] = field(default_factory=dict)  # coder -> note id -> line

    @property
    def double_coded(self) -> bool:
        return len(self.coders) >= 2


def coder_label(stem: str, taken: set[str]) -> str | None:
    """The file stem as a coder label, when it is a role or initials; else None."""
    name = stem.strip().lower()
    if (INITIALS_RE.match(name) or ROLE_RE.match(name)) and name not in taken and name != NOTES_CODER:
        return name
    return None


def coding_files(study_dir: str | Path) -> list[Path]:
    folder = Path(study_dir) / DATA_DIR / CODING_DIR
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".csv", ".xlsx") and p.is_file() and not p.name.startswith((".", "~$"))
    ]
    return sorted(files)


def read_codings(study_dir: str | Path, note_tags: dict[str, list[str]], problems: list[Problem]) -> Codings:
    """Every coder's codings; ``note_tags`` is notes.csv's note id -> tags (the notes coder).

    Rows naming a note that is not in notes.csv are warned about and left out.
    """
    out = Codings()
    files = coding_files(study_dir)
    anonymous = 0
    taken: set[str] = set()
    for path in files:
        label = coder_label(path.stem, taken)
        source = f"{DATA_DIR}/{CODING_DIR}/{path.name}"
        if label is None:
            # The file may be named after a person, and messages are published:
            # they name the coder's label, never the file name.
            anonymous += 1
            label = f"c{anonymous}"
            source = f"{DATA_DIR}/{CODING_DIR}/(coder {label.upper()})"
            problems.append(
                problem(
                    "coder_name",
                    source,
                    f"a coding file's name is not a role ({', '.join(ROLES)}) or initials "
                    f"(2-3 letters): the coder is shown as {label.upper()} (files in name order); "
                    "rename it, e.g. pm.csv or ab.csv",
                )
            )
        taken.add(label)
        table = read_table_file(path, "coding", problems, source=source)
        if table is None or not check_columns(table, problems):
            continue
        check_ids(table, "note_id", problems)
        coded: dict[str, list[str]] = {}
        lines: dict[str, int] = {}
        parsed: dict[str, list[str]] = {}  # the same few tag cells repeat over thousands of notes
        f = table.frame
        for note_id, tags, line in zip(f["note_id"].tolist(), f["tags"].tolist(), f[LINE].tolist()):
            if not note_id or note_id in coded:
                continue  # check_ids reported it
            if note_id not in note_tags:
                problems.append(problem("unknown_note", table.where(line), f"note_id '{note_id}' is not in notes.csv"))
                continue
            if tags not in parsed:
                parsed[tags] = split_tags(tags)
            coded[note_id] = parsed[tags]
            lines[note_id] = line
        out.coders[label] = coded
        out.sources[label] = source
        out.lines[label] = lines
    if len(out.coders) == 1:
        out.coders = {NOTES_CODER: dict(note_tags), **out.coders}
        out.sources[NOTES_CODER] = f"{DATA_DIR}/notes.csv"
    return out
