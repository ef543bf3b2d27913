"""The purge journal: a purge's every edit, written before the first one, so a crash never leaves it half done.

``kit purge`` computes the whole result first - each edited file's new bytes
(tables, transcripts, ``panel/people.csv``, the theme pins, the purged-name
hashes, ``panel/purge-log.csv`` with its new rows) and each file to delete -
and writes it to ``panel/.purge-journal.json`` (atomically) before touching
anything. Applying it writes each file whose bytes differ (atomically) and
deletes what is listed, so applying it again after a crash at any point
finishes the same edits and appends the log rows exactly once (the log's
final content is in the journal, not "append these rows"). The journal is
removed only after the studies concerned ran again and the site was rebuilt;
until then every other command that takes the repository lock is refused
(:mod:`kit.lock`) and ``kit purge`` completes it first.

The journal holds the purged files' new content only: nothing the purge
removes. It lives in ``panel/``, private like ``data/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import PanelError
from kit.iorw import atomic_write_bytes, atomic_write_text, crash_point
from kit.layout import PANEL_DIR, PURGE_JOURNAL_FILE, purge_journal_path

FORMAT = 1


@dataclass
class Journal:
    """What a purge writes (repo-relative path -> new bytes, None = delete) and what it reports."""

    day: dt.date
    writes: dict[str, bytes | None] = field(default_factory=dict)  # in the order they are applied
    studies: list[str] = field(default_factory=list)  # slugs to run again
    lines: list[str] = field(default_factory=list)  # what `kit check --retention` listed (ids and counts)
    subjects: int = 0

    def save(self, repo_root: Path) -> None:
        data = {
            "format": FORMAT,
            "day": self.day.isoformat(),
            "studies": self.studies,
            "lines": self.lines,
            "subjects": self.subjects,
            "writes": [
                {"path": rel, "delete": True}
                if content is None
                else {"path": rel, "base64": base64.b64encode(content).decode("ascii")}
                for rel, content in self.writes.items()
            ],
        }
        atomic_write_text(purge_journal_path(repo_root), json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, repo_root: Path) -> Journal | None:
        """The pending journal, or None when no purge is pending."""
        path = purge_journal_path(repo_root)
        if not path.is_file():
            return None
        where = f"{PANEL_DIR}/{PURGE_JOURNAL_FILE}"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            writes: dict[str, bytes | None] = {
                str(w["path"]): None if w.get("delete") else base64.b64decode(w["base64"], validate=True)
                for w in data["writes"]
            }
            return cls(
                dt.date.fromisoformat(data["day"]),
                writes,
                [str(s) for s in data["studies"]],
                [str(line) for line in data["lines"]],
                int(data["subjects"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PanelError(
                f"{where}: not a purge journal this kit can complete ({exc}); "
                "restore the files from git or remove it and run the purge again"
            ) from None

    def apply(self, repo_root: Path) -> None:
        """Make every file what the journal says (idempotent: files already right are left alone)."""
        root = Path(repo_root).resolve()
        for rel, content in self.writes.items():
            path = root / rel
            if root not in path.resolve().parents:
                raise PanelError(f"{PANEL_DIR}/{PURGE_JOURNAL_FILE}: path {rel!r} is outside the repository")
            if content is None:
                if path.exists():
                    path.unlink()
                    crash_point()
            elif not path.is_file() or path.read_bytes() != content:
                atomic_write_bytes(path, content)

    @staticmethod
    def finish(repo_root: Path) -> None:
        """The purge is complete: remove the journal."""
        purge_journal_path(repo_root).unlink(missing_ok=True)
        crash_point()
