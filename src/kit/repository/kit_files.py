"""The files a research repository receives from the kit, from one place: ``data/repository.yml``.

The table names each file, where its text lives in the package
(``kit/data/repository/``; the demo's under ``kit/data/repository-demo/``),
who owns it afterwards (the kit: ``kit upgrade`` keeps it current; the team:
written once) and how ``kit init`` fills in the team's answers (the title, the
kit requirement). This repository, the kit's development home, holds the
same files: ``tests/repository/test_one_source.py`` checks the rows marked
``here: same`` and the demo byte for byte, so ``kit init``'s output and this
repository cannot drift apart.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import yaml

from kit import __version__
from kit.errors import UsageError
from kit.layout import kit_data, kit_data_dir, team_owned_paths

DISTRIBUTION = "research-ops-kit"  # [project] name in pyproject.toml: what a team's requirements.txt pins
DEFAULT_TITLE = "Research repository"  # the title in data/repository/_quarto.yml (and this repository's)
TEAM_SOURCE = "repository"  # under kit/data/
DEMO_SOURCE = "repository-demo"  # under kit/data/
OWNERS = ("kit", "team")


@dataclass(frozen=True)
class Answers:
    """What makes a repository the team's: recorded in ``.kit/template.json`` and used again by ``kit upgrade``."""

    title: str = DEFAULT_TITLE
    requirement: str = f"{DISTRIBUTION}=={__version__}"

    def as_dict(self) -> dict[str, str]:
        """The answers as JSON values (``.kit/template.json``'s ``answers``)."""
        return {"title": self.title, "requirement": self.requirement}


@dataclass(frozen=True)
class KitFile:
    """One row of ``data/repository.yml``: a file of a research repository."""

    path: str  # in the team's repository, with "/" separators
    source: str  # under kit/data/repository/
    owner: str  # "kit" (kit upgrade keeps it current) or "team" (written once)
    fill: str = ""  # a key of FILLS, or "" for a file copied as it is
    here: str = ""  # "same": this repository holds the identical file

    def source_path(self) -> Path:
        """The file's text in the installed kit."""
        return kit_data_dir() / TEAM_SOURCE / self.source

    def text(self, answers: Answers) -> bytes:
        """The file as ``kit init`` writes it for ``answers`` (and ``kit upgrade`` compares against)."""
        raw = self.source_path().read_bytes()
        return FILLS[self.fill](raw, answers, self.path) if self.fill else raw


def _quarto_title(raw: bytes, answers: Answers, path: str) -> bytes:
    """``website: title:`` set to the team's title, nothing else of ``_quarto.yml`` touched.

    Its one ``title: "Research repository"`` line is replaced by the title as a
    JSON string (a YAML double-quoted scalar: quotes, backslashes and any
    letter survive), so the file keeps its comments and layout byte for byte.
    """
    line = f"  title: {json.dumps(DEFAULT_TITLE)}\n".encode()
    if raw.count(line) != 1:
        raise UsageError(f"kit/data/{TEAM_SOURCE}/{path}: expected one line {line.decode().strip()!r} to set the title")
    text = raw.replace(line, f"  title: {json.dumps(answers.title, ensure_ascii=False)}\n".encode())
    if yaml.safe_load(text)["website"]["title"] != answers.title:  # a JSON string is YAML: never expected
        raise UsageError(f"--title {answers.title!r}: does not survive as a YAML value in {path}")
    return text


def _jinja(raw: bytes, answers: Answers, path: str) -> bytes:
    """A Jinja template (``{{ title }}``, ``{{ requirement }}``) rendered as text; an unknown name is an error."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    return env.from_string(raw.decode("utf-8")).render(answers.as_dict()).encode("utf-8")


FILLS: Mapping[str, Callable[[bytes, Answers, str], bytes]] = {"quarto-title": _quarto_title, "jinja": _jinja}
"""How ``kit init`` makes a packaged file the team's, by the table's ``fill`` column."""


@functools.cache
def _table() -> dict[str, Any]:
    table: dict[str, Any] = yaml.safe_load(kit_data(f"{TEAM_SOURCE}.yml"))
    return table


def kit_files() -> tuple[KitFile, ...]:
    """Every file of ``data/repository.yml``, checked: a known owner and fill, never a path the team owns."""
    rows = []
    protected = team_owned_paths()
    for row in _table()["files"]:
        item = KitFile(
            path=row["path"],
            source=row.get("source", row["path"]),
            owner=row["owner"],
            fill=row.get("fill", ""),
            here=row.get("here", ""),
        )
        where = f"kit/data/{TEAM_SOURCE}.yml: {item.path}"
        if item.owner not in OWNERS:
            raise UsageError(f"{where}: owner {item.owner!r}, expected one of {', '.join(OWNERS)}")
        if item.fill and item.fill not in FILLS:
            raise UsageError(f"{where}: fill {item.fill!r}, expected one of {', '.join(FILLS)}")
        if item.owner == "kit" and PurePosixPath(item.path).parts[0] in protected:
            raise UsageError(f"{where}: the team's ({', '.join(protected)}); the kit cannot own it")
        rows.append(item)
    return tuple(rows)


def owned_by_kit() -> tuple[KitFile, ...]:
    """The files ``kit upgrade`` keeps at the installed kit's version."""
    return tuple(f for f in kit_files() if f.owner == "kit")


def demo_roots() -> tuple[str, ...]:
    """The demo's files and folders (``data/repository.yml``'s ``demo``), as paths in the repository."""
    return tuple(str(p) for p in _table().get("demo", []))


def demo_files() -> dict[str, Path]:
    """Every file of the demo: its path in the repository -> its packaged copy."""
    base = kit_data_dir() / DEMO_SOURCE
    files: dict[str, Path] = {}
    for root in demo_roots():
        packaged = base / root
        found = [packaged] if packaged.is_file() else sorted(p for p in packaged.rglob("*") if p.is_file())
        for path in found:
            files[path.relative_to(base).as_posix()] = path
    return files


def digest(data: bytes) -> str:
    """The SHA-256 of a file's bytes, as ``.kit/template.json`` records it."""
    return hashlib.sha256(data).hexdigest()


def installed_requirement() -> str:
    """How the team's ``requirements.txt`` pins the kit that runs this command.

    ``research-ops-kit==<version>``; when the installed kit came from a git
    repository, that repository at the installed commit instead
    (``research-ops-kit @ git+URL@COMMIT``, from the install's
    ``direct_url.json``, PEP 610), since the version alone may name no package
    on the team's index.
    """
    try:
        raw = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        raw = None
    origin: dict[str, Any] = json.loads(raw) if raw else {}
    vcs = origin.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id") and origin.get("url"):
        return f"{DISTRIBUTION} @ git+{origin['url']}@{vcs['commit_id']}"
    return f"{DISTRIBUTION}=={__version__}"
