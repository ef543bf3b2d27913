"""Every study's ``insights.yml`` at a git revision, or as it is in the working tree.

Git is run as a subprocess with its arguments as a list (no shell), from the
repository's root. A revision is resolved first with ``git rev-parse --verify
--end-of-options REF^{commit}`` (so a revision that looks like an option is
refused as a revision) and only its commit id is used after that. A date
(``YYYY-MM-DD``) stands for the last commit before that day began
(``git rev-list -1 --before``); before the first commit there were no insights.
Paths are built from the study slugs git lists under ``notebooks/``, checked
against :data:`kit.layout.SLUG_RE`, below the repository's own folder inside
the git work tree (``git rev-parse --show-prefix``); only regular files are
read (a symbolic link's target is not followed).

Each version is read leniently (:class:`FileView`): only the keys the digest
compares, so an old file written for an older schema still reads; a file that
is not YAML, or whose insights lack an id, is an :class:`~kit.errors.InsightError`
naming ``REV:path`` and the line or key.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from kit.errors import InsightError, KitError, Problem, UsageError
from kit.layout import INSIGHTS_FILE, NOTEBOOKS_DIR, SLUG_RE, notebooks_root
from kit.study.lifecycle import lifecycle_status
from kit.study.safe_yaml import load_yaml_text
from kit.study.study_file import problems_from_pydantic
from kit.study.yaml_types import NullAsEmptyList

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REGULAR_FILE_MODES = ("100644", "100755")


class _Loose(BaseModel):
    # Only what the digest compares: keys of another kit version are ignored, not refused.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _dates_as_text(cls, v: Any) -> Any:
        return v.isoformat() if isinstance(v, dt.date) else v


class RecommendationView(_Loose):
    id: str
    action: str = ""
    status: str = "proposed"
    decided_by: str | None = None
    decided_on: str | None = None


class InsightView(_Loose):
    id: str
    statement: str = ""
    tags: NullAsEmptyList[str] = Field(default_factory=list)
    evidence: NullAsEmptyList[str] = Field(default_factory=list)
    counter_evidence: NullAsEmptyList[str] = Field(default_factory=list)
    status: str = ""  # filled in below: an insight with superseded_by and no status is superseded
    superseded_by: str | None = None
    review_by: str | None = None
    reviewed_on: str | None = None
    recommendations: NullAsEmptyList[RecommendationView] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_status(self) -> InsightView:
        self.status = lifecycle_status(self.status or None, self.superseded_by)
        return self


class FileView(_Loose):
    insights: NullAsEmptyList[InsightView] = Field(default_factory=list)


@dataclass
class Revision:
    """What a side of the comparison is: a commit (``commit`` set) or the working tree (``commit`` None)."""

    label: str  # as the user gave it, or "the working tree"
    commit: str | None
    date: str = ""  # the commit's date (ISO), for the heading


WORKING_TREE = Revision("the working tree", None)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=60)
    except FileNotFoundError:
        raise KitError("git: not found on PATH, expected git to read the insights' history") from None


def _out(root: Path, *args: str) -> str:
    proc = _git(root, *args)
    if proc.returncode != 0:
        raise KitError(f"git {' '.join(args)}: {proc.stderr.strip() or f'exit {proc.returncode}'}")
    return proc.stdout


def resolve(root: Path, ref: str, option: str = "--since") -> Revision:
    """``ref`` (a revision, or a date ``YYYY-MM-DD``) as a commit; a date before the first commit: no commit."""
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise UsageError(f"{option} {ref!r}: {root} is not in a git repository, expected one to compare with")
    if _DATE.match(ref):
        try:
            day = dt.date.fromisoformat(ref)
        except ValueError:
            raise UsageError(f"{option} {ref!r}: not a valid date, expected YYYY-MM-DD") from None
        commit = _out(root, "rev-list", "-1", f"--before={day.isoformat()} 00:00:00", "HEAD").strip()
        if not commit:
            return Revision(ref, None, day.isoformat())  # before the first commit: nothing was there
        return Revision(ref, commit, _commit_date(root, commit))
    proc = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if proc.returncode != 0 or not proc.stdout.strip():
        raise UsageError(f"{option} {ref!r}: not a git revision of this repository nor a date (YYYY-MM-DD)")
    commit = proc.stdout.strip()
    return Revision(ref, commit, _commit_date(root, commit))


def _commit_date(root: Path, commit: str) -> str:
    return _out(root, "show", "-s", "--format=%cs", commit).strip()


def _parse(text: str, shown: str) -> FileView:
    try:
        data = load_yaml_text(text, shown, InsightError).data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark is not None else shown
        raise InsightError(Problem(where, f"not valid YAML ({getattr(exc, 'problem', exc)})")) from None
    if data is not None and not isinstance(data, dict):
        raise InsightError(Problem(shown, f"expected a mapping with 'insights', got {type(data).__name__}"))
    try:
        return FileView.model_validate(data or {})
    except PydanticValidationError as err:
        raise InsightError(problems_from_pydantic(err, shown)) from None


def insights_at(root: Path, revision: Revision) -> dict[str, FileView]:
    """slug -> that study's insights.yml at ``revision`` (the working tree when it has no commit)."""
    if revision is WORKING_TREE:
        out = {}
        for path in sorted(notebooks_root(root).glob(f"*/{INSIGHTS_FILE}")):
            slug = path.parent.name
            if SLUG_RE.fullmatch(slug) and path.is_file() and not path.is_symlink():
                out[slug] = _parse(path.read_text(encoding="utf-8"), f"{NOTEBOOKS_DIR}/{slug}/{INSIGHTS_FILE}")
        return out
    if revision.commit is None:
        return {}
    prefix = _out(root, "rev-parse", "--show-prefix").strip()
    listing = _out(root, "ls-tree", "-r", "-z", "--full-tree", revision.commit, "--", f"{prefix}{NOTEBOOKS_DIR}/")
    out = {}
    for line in listing.split("\0"):
        meta, _, tree_path = line.partition("\t")
        parts = tree_path.removeprefix(prefix).split("/")
        if meta.split(" ")[0] not in REGULAR_FILE_MODES or len(parts) != 3 or parts[2] != INSIGHTS_FILE:
            continue
        slug = parts[1]
        if parts[0] != NOTEBOOKS_DIR or not SLUG_RE.fullmatch(slug):
            continue
        shown = f"{revision.label}:{NOTEBOOKS_DIR}/{slug}/{INSIGHTS_FILE}"
        out[slug] = _parse(
            _out(root, "show", f"{revision.commit}:{prefix}{NOTEBOOKS_DIR}/{slug}/{INSIGHTS_FILE}"), shown
        )
    return out
