"""Theme pins: ``data/themes.csv`` keeps a theme's id with its notes when the words change.

Themes are found by clustering the notes' words (:mod:`kit.synthesis.themes`)
and numbered by size, so removing words (``kit purge``) or adding notes can
give ``T3`` to other notes, or drop it, and an insight citing ``T3`` would
then cite something else or fail the build. A pin file fixes membership:

```
theme_id,note_id
T3,N035
T3,N072
```

A pinned theme keeps its id and its notes (those still in ``notes.csv``);
only notes in no pin are clustered, into themes numbered after the highest
pinned id. ``kit purge`` writes the pins of a study's themes from its last
``synthesis.json`` before it removes any words; a researcher may edit them
(delete the file to let every theme be found afresh).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kit.errors import DataError, Problem
from kit.layout import DATA_DIR, THEME_PINS_FILE

COLUMNS = ("theme_id", "note_id")


def pins_path(study_dir: Path) -> Path:
    """``notebooks/<slug>/data/themes.csv``."""
    return Path(study_dir) / DATA_DIR / THEME_PINS_FILE


def read_pins(study_dir: Path) -> dict[str, list[str]]:
    """Theme id -> its note ids, in file order ({} without a pin file).

    A file without the two columns, or a row missing either cell, is a
    DataError naming the file and line: a pin silently ignored would let the
    theme an insight cites change meaning.
    """
    path = pins_path(study_dir)
    if not path.is_file():
        return {}
    where = f"{DATA_DIR}/{THEME_PINS_FILE}"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    if not set(COLUMNS) <= set(header):
        raise DataError([Problem(f"{where}:1", f"expected the columns {', '.join(COLUMNS)}, found {header or 'none'}")])
    at = [header.index(c) for c in COLUMNS]
    pins: dict[str, list[str]] = {}
    problems = []
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        theme, note = (row[i].strip() if i < len(row) else "" for i in at)
        if not theme or not note:
            problems.append(Problem(f"{where}:{line}", f"expected a theme id and a note id, found {row!r}"))
            continue
        if note not in pins.setdefault(theme, []):
            pins[theme].append(note)
    if problems:
        raise DataError(problems)
    return pins


def pins_text(themes: list[tuple[str, list[str]]]) -> str:
    """The pin file for (theme id, note ids) pairs, in the given order."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows((theme, note) for theme, notes in themes for note in notes)
    return buf.getvalue()
