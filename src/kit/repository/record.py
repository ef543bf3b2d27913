"""``.kit/``: what the kit wrote into a research repository, so ``kit upgrade`` can tell whose change is whose.

``.kit/template.json`` records the kit version that created or last
upgraded the repository, the answers ``kit init`` was given (title, kit
requirement), and for each kit file the SHA-256 of the text the kit wrote
and the kit version it came from. ``.kit/base/<path>`` keeps that text itself:
the common ancestor of a three-way merge when both the team and a newer kit
changed the file (the role the old template commit plays in copier's update).
The team commits ``.kit/`` with the rest; Quarto skips it (a ``.`` folder).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit import __version__
from kit.errors import Problem, UsageError, ValidationError
from kit.iorw import atomic_write_bytes, atomic_write_json, shown
from kit.layout import template_base_root, template_record_path
from kit.repository.kit_files import Answers, digest

RECORD_FORMAT = 1  # template.json's "format": raised when its keys change meaning


class TemplateRecordError(ValidationError):
    """``.kit/template.json`` is unreadable or not of the shape the kit writes."""


@dataclass(frozen=True)
class FileRecord:
    """One kit file as the kit last wrote it."""

    sha256: str
    kit_version: str
    pending: str = ""  # the SHA-256 of a newer kit's version left beside the file (<name>.kit-new) to merge

    def as_dict(self) -> dict[str, str]:
        """As ``template.json`` holds it."""
        entry = {"sha256": self.sha256, "kit_version": self.kit_version}
        return {**entry, "pending": self.pending} if self.pending else entry


@dataclass
class TemplateRecord:
    """The content of ``.kit/template.json``."""

    answers: Answers
    demo: bool = False
    kit_version: str = __version__
    files: dict[str, FileRecord] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON ``template.json`` holds (files sorted: the same record writes the same bytes)."""
        return {
            "format": RECORD_FORMAT,
            "kit_version": self.kit_version,
            "answers": self.answers.as_dict(),
            "demo": self.demo,
            "files": {path: self.files[path].as_dict() for path in sorted(self.files)},
        }

    def save(self, repo_root: Path) -> None:
        """Write ``.kit/template.json`` atomically."""
        atomic_write_json(template_record_path(repo_root), self.as_dict())


def load_record(repo_root: Path) -> TemplateRecord:
    """Read ``.kit/template.json``: a :class:`UsageError` where there is none, else checked key by key."""
    path = template_record_path(repo_root)
    where = shown(path)
    if not path.is_file():
        raise UsageError(
            f"{where}: not found; kit upgrade works on a repository made by `kit init` "
            "(run it at that repository's root)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TemplateRecordError(Problem(where, f"not JSON ({err}); expected the record kit init writes")) from None
    problems = _problems(data, where)
    if problems:
        raise TemplateRecordError(problems)
    answers = data["answers"]
    return TemplateRecord(
        answers=Answers(title=answers["title"], requirement=answers["requirement"]),
        demo=bool(data.get("demo", False)),
        kit_version=data["kit_version"],
        files={p: FileRecord(f["sha256"], f["kit_version"], f.get("pending", "")) for p, f in data["files"].items()},
    )


def _problems(data: Any, where: str) -> list[Problem]:
    """What is wrong with a ``template.json``'s content, each naming its key."""
    if not isinstance(data, dict):
        return [Problem(where, f"found {type(data).__name__}, expected an object with kit_version, answers, files")]
    problems = []
    if data.get("format") != RECORD_FORMAT:
        problems.append(Problem(f"{where}: format", f"found {data.get('format')!r}, expected {RECORD_FORMAT}"))
    if not isinstance(data.get("kit_version"), str):
        problems.append(Problem(f"{where}: kit_version", f"found {data.get('kit_version')!r}, expected a version"))
    answers = data.get("answers")
    for key in ("title", "requirement"):
        if not isinstance(answers, dict) or not isinstance(answers.get(key), str):
            problems.append(Problem(f"{where}: answers.{key}", "missing or not text"))
    files = data.get("files")
    if not isinstance(files, dict):
        return [*problems, Problem(f"{where}: files", f"found {files!r}, expected path -> {{sha256, kit_version}}")]
    for path, entry in files.items():
        keys = ("sha256", "kit_version", "pending")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k, ""), str) for k in keys):
            problems.append(Problem(f"{where}: files.{path}", f"found {entry!r}, expected {{sha256, kit_version}}"))
    return problems


def read_base(repo_root: Path, path: str, entry: FileRecord | None) -> bytes | None:
    """The kit file's text as the kit last wrote it (``.kit/base/<path>``), if kept and matching the record."""
    if entry is None:
        return None
    base = template_base_root(repo_root) / path
    try:
        data = base.read_bytes()
    except OSError:
        return None
    return data if digest(data) == entry.sha256 else None


def write_base(repo_root: Path, path: str, data: bytes) -> None:
    """Keep ``data`` as the kit file's base for the next three-way merge."""
    atomic_write_bytes(template_base_root(repo_root) / path, data)
