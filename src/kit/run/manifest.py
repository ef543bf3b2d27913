"""Incremental runs: content hashes of what each stage read, kept beside its reports.

A stage notebook is re-executed only when something it reads changed since
its last successful run. What a stage reads is data, in
``src/kit/data/stages.yml``: files of the study folder (globs), the outputs
of the earlier stage it follows, and always its own cells and the kit
itself. Every input is reduced to a SHA-256 digest of its content (not its
modification time: a ``git checkout`` touches files without changing them);
the stage's *key* is the digest of all of them.

The manifest is ``reports/<slug>/.manifest.json``: one per study, so parallel
studies never write the same file, and deleting a study's reports also
forgets its cache. It holds, per stage, the key, the digest of each input
(to say *what* changed) and of each output (a missing or hand-edited output
re-runs the stage). Only successful stages are recorded.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kit import __version__
from kit.errors import KitError
from kit.iorw import atomic_write_json
from kit.layout import DATA_DIR, INVITES_FILE, panel_root, repo_root_for, stage_table
from kit.panel.supply import panel_state, plan_supply
from kit.study.panel_people import panel_consent
from kit.study.records import person_links
from kit.study.study_file import load_study

MANIFEST_FILE = ".manifest.json"
MANIFEST_FORMAT = 1
MISSING = "missing"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StageSpec:
    """One row of the stage table: what a stage notebook reads and writes."""

    notebook: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    after: str | None = None
    env: tuple[str, ...] = ()  # environment variables that change what the stage computes
    panel: tuple[str, ...] = ()  # files of panel/ it reads; "history" = every study's roster and sessions


@functools.cache
def stage_specs() -> dict[str, StageSpec]:
    """The stage table (``data/stages.yml``), keyed by notebook name, in run order."""
    rows = stage_table()
    specs = {
        r["notebook"]: StageSpec(
            r["notebook"],
            tuple(r.get("reads", ())),
            tuple(r.get("writes", ())),
            r.get("after"),
            tuple(r.get("env", ())),
            tuple(r.get("panel", ())),
        )
        for r in rows
    }
    for spec in specs.values():
        if spec.after is not None and spec.after not in specs:
            raise ValueError(f"stages.yml: {spec.notebook}: unknown 'after' {spec.after!r}")
    return specs


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (``missing`` when it does not exist)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except FileNotFoundError:
        return MISSING
    return h.hexdigest()


def notebook_digest(path: Path) -> str:
    """Digest of a notebook's *cells* (type and source) and kernel name.

    Outputs, execution counts and metadata are left out: opening and saving a
    study's copy in JupyterLab changes those without changing what runs.
    Every study reads the same three templates: their digests are memoised
    per file version (path, size, modification time), so a run of hundreds of
    studies parses each template once.
    """
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        return MISSING
    return _notebook_digest(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _notebook_digest(path: str, size: int, mtime_ns: int) -> str:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return MISSING
    except ValueError:
        return file_digest(path)  # not JSON: papermill will say so; any edit re-runs
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    cells = [
        (c.get("cell_type"), _text(c.get("source", "")), c.get("metadata", {}).get("tags", []))
        for c in nb.get("cells", [])
    ]
    return _digest_of({"kernel": kernel, "cells": cells})


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _digest_of(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


DISTRIBUTION = "research-ops-kit"


@functools.cache
def kit_fingerprint() -> str:
    """``<version>+<digest>`` of the kit's code, rule tables and environment.

    The version alone misses edits during development (an editable install
    keeps its version), so the package's ``*.py`` and ``data/*`` files are
    hashed too, with the Python version and the installed versions of the
    kit's direct dependencies (a pandas or plotly upgrade can change every
    output): any change re-runs every stage.
    """
    package = Path(__file__).parent.parent
    h = hashlib.sha256()
    for path in sorted(p for pattern in ("**/*.py", "data/*") for p in package.glob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(file_digest(path).encode())
    h.update(f"python {sys.version_info[:3]}\0".encode())
    for name, version in _dependency_versions().items():
        h.update(f"{name}=={version}\0".encode())
    return f"{__version__}+{h.hexdigest()[:16]}"


def _dependency_versions() -> dict[str, str]:
    from importlib import metadata

    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:  # running from a source tree
        return {}
    names = sorted({re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0] for r in requirements if "extra ==" not in r})
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = MISSING
    return versions


def _skipped(path: Path) -> bool:
    # Editor lock/backup files (".~lock.notes.csv#", "~$notes.xlsx") and hidden
    # folders (".ipynb_checkpoints") are not data.
    # invites.csv is `kit recruit`'s proposal: no stage reads it.
    return path.name.startswith((".", "~$")) or path.name.endswith("~") or path.name == INVITES_FILE


def study_files(study_dir: Path, patterns: Iterable[str]) -> list[Path]:
    """Files of a study matched by the table's globs; literal names even when absent."""
    found: set[Path] = set()
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            # "data/**" means every file below data/ (Path.glob gives only folders for it
            # before Python 3.13).
            pattern = pattern + "/*" if pattern.endswith("**") else pattern
            found.update(
                p
                for p in study_dir.glob(pattern)
                if p.is_file()
                # ".." parts lead to repository data (../../requests/*), not hidden files
                and not any(_skipped(Path(part)) for part in p.relative_to(study_dir).parts if part != "..")
            )
        else:
            found.add(study_dir / pattern)  # absent -> "missing": creating it is a change
    return sorted(found)


def stage_inputs(
    spec: StageSpec,
    study_dir: Path,
    notebook: Path,
    out_dir: Path,
    upstream_key: str | None,
    digests: dict[Path, str] | None = None,
) -> dict[str, str]:
    """Name -> digest of everything ``spec``'s stage reads.

    ``upstream_key`` is the key of the ``after`` stage in this run (so a
    change that re-runs it re-runs this one); ``digests`` memoises file
    digests across the stages of one study (02 and 03 read the same data).
    """
    memo = digests if digests is not None else {}

    def digest(path: Path) -> str:
        if path not in memo:
            memo[path] = file_digest(path)
        return memo[path]

    inputs = {"kit": kit_fingerprint(), "notebook": notebook_digest(notebook)}
    for path in study_files(study_dir, spec.reads):
        inputs[path.relative_to(study_dir).as_posix()] = digest(path)
    for name in spec.env:
        inputs[f"env:{name}"] = _digest_of(os.environ.get(name, ""))
    inputs.update(panel_inputs(spec.panel, study_dir, digest))
    if spec.after is not None:
        inputs[f"stage:{spec.after}"] = upstream_key or MISSING
        for name in stage_specs()[spec.after].writes:
            inputs[f"reports/{name}"] = file_digest(out_dir / name)
    return inputs


SUPPLY = "supply"
CONSENT = "consent"


def panel_inputs(names: Iterable[str], study_dir: Path, digest=file_digest) -> dict[str, str]:
    """Name -> digest of what a stage reads from the panel (``panel/people.csv`` ...).

    ``consent`` is the digest of the panel's consent restrictions of this
    study's people (:func:`kit.study.panel_people.panel_consent`): a
    withdrawal, or a ``no`` in another study, re-runs only the studies of
    that person. ``supply`` is the digest of the plan's panel check itself
    (:func:`kit.panel.supply.plan_supply`: counts per segment), so a session
    added in another study re-runs this plan only when it changes them.
    """
    repo_root = repo_root_for(study_dir)
    root = panel_root(repo_root)
    inputs: dict[str, str] = {}
    for name in names:
        if name == SUPPLY:
            inputs["panel:supply"] = _digest_of(_supply(repo_root, study_dir))
            continue
        if name == CONSENT:
            linked = set(person_links(study_dir / DATA_DIR, []).values())
            restricted = panel_consent(repo_root)
            inputs["panel:consent"] = _digest_of(sorted((p, restricted[p]) for p in linked if p in restricted))
            continue
        path = root / name
        if not path.is_file() and path.suffix == ".csv" and path.with_suffix(".xlsx").is_file():
            path = path.with_suffix(".xlsx")  # the panel kept as a spreadsheet
        inputs[f"panel/{name}"] = digest(path)
    return inputs


def _supply(repo_root: Path, study_dir: Path) -> object:
    if panel_state(repo_root) is None:
        return None  # no panel: what plan_supply says, without reading study.yml
    try:
        study = load_study(study_dir)
    except KitError:
        return "invalid study.yml"  # the plan stage runs and says why
    return plan_supply(repo_root, study_dir, study)


def stage_key(inputs: dict[str, str]) -> str:
    """The digest of all of a stage's inputs."""
    return _digest_of(inputs)


class Manifest:
    """The record of one study's last successful stage runs."""

    def __init__(self, out_dir: Path, stages: dict[str, dict] | None = None):
        self.out_dir = Path(out_dir)
        self.stages: dict[str, dict] = stages or {}

    @property
    def path(self) -> Path:
        return self.out_dir / MANIFEST_FILE

    @classmethod
    def load(cls, out_dir: Path) -> "Manifest":
        """Read ``out_dir/.manifest.json``; an unreadable one means "run everything"."""
        try:
            data = json.loads((Path(out_dir) / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return cls(out_dir)
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            return cls(out_dir)
        stages = data.get("stages")
        return cls(out_dir, stages if isinstance(stages, dict) else {})

    def reason_to_run(self, spec: StageSpec, inputs: dict[str, str]) -> str | None:
        """Why the stage must run (short text), or None when its outputs are up to date."""
        entry = self.stages.get(spec.notebook)
        if not isinstance(entry, dict):
            return "not run before"
        for name in (spec.notebook, *spec.writes):
            if not (self.out_dir / name).is_file():
                return f"{name} missing"
        if entry.get("key") != stage_key(inputs):
            old = entry.get("inputs", {})
            changed = sorted(n for n in inputs.keys() | old.keys() if inputs.get(n) != old.get(n))
            shown = ", ".join(changed[:3]) + (f" (+{len(changed) - 3})" if len(changed) > 3 else "")
            return f"changed: {shown}" if changed else "changed"
        for name, digest in entry.get("outputs", {}).items():
            if file_digest(self.out_dir / name) != digest:
                return f"{name} changed since it was written"
        return None

    def record(self, spec: StageSpec, inputs: dict[str, str], seconds: float, warnings: list | None = None) -> None:
        """Remember a successful run of ``spec``'s stage (with the warnings it raised) and save the manifest."""
        self.stages[spec.notebook] = {
            "key": stage_key(inputs),
            "inputs": inputs,
            "outputs": {name: file_digest(self.out_dir / name) for name in spec.writes},
            "seconds": round(seconds, 2),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if warnings is not None:
            self.stages[spec.notebook]["warnings"] = warnings
        self.save()

    def recorded_warnings(self, notebooks: Iterable[str]) -> list | None:
        """The warnings recorded for ``notebooks``' stages, in that order; None unless every one has them.

        The stages' JSON holds the same list, but a 100,000-note synthesis.json
        takes most of a second to parse, on every ``kit run``, to find it.
        """
        items: list = []
        for notebook in notebooks:
            entry = self.stages.get(notebook)
            if not isinstance(entry, dict) or not isinstance(entry.get("warnings"), list):
                return None  # recorded by an older kit, or the stage did not run
            items.extend(entry["warnings"])
        return items

    def forget(self, notebook: str) -> None:
        """Drop a stage's record (it failed: run it again next time) and save."""
        if self.stages.pop(notebook, None) is not None:
            self.save()

    def save(self) -> None:
        atomic_write_json(self.path, {"format": MANIFEST_FORMAT, "stages": self.stages})
