"""Incremental runs: content hashes of what each stage read, kept beside its reports.

A stage notebook is re-executed only when something it reads changed since
its last successful run. What a stage reads is data, in
``src/kit/data/stages.yml``: files of the study folder (globs), the outputs
of the earlier stage it follows, environment variables, what it reads of the
panel, and always its own cells and the kit itself. Each kind of input has a
provider in a registry (:mod:`kit.run.inputs`, the built-in kinds in
:mod:`kit.run.input_kinds`) that reduces it to SHA-256 digests of its content
(not its modification time: a ``git checkout`` touches files without
changing them); the stage's *key* is the digest of all of them. This module
asks the registry for them without knowing how any is computed.

The manifest is ``reports/<slug>/.manifest.json``: one per study, so parallel
studies never write the same file, and deleting a study's reports also
forgets its cache. It holds, per stage, the key, the digest of each input
(to say *what* changed) and of each output (a missing or hand-edited output
re-runs the stage). Only successful stages are recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kit.iorw import atomic_write_json
from kit.layout import repo_root_for
from kit.run.digests import digest_of, file_digest
from kit.run.input_kinds import INPUT_PROVIDERS
from kit.run.inputs import RunContext, StageContext, StageSpec, StudyContext, stage_specs

__all__ = ["MANIFEST_FILE", "Manifest", "StageSpec", "inputs_of", "stage_inputs", "stage_key", "stage_specs"]

MANIFEST_FILE = ".manifest.json"
MANIFEST_FORMAT = 1


def inputs_of(context: StageContext) -> dict[str, str]:
    """Label -> digest of everything the context's stage reads, from every registered input provider."""
    return INPUT_PROVIDERS.stamps(context)


def stage_inputs(
    spec: StageSpec,
    study_dir: Path,
    notebook: Path,
    out_dir: Path,
    upstream_key: str | None,
    digests: dict[Path, str] | None = None,
) -> dict[str, str]:
    """:func:`inputs_of` one stage outside a run (``kit run`` builds one context per run and study).

    ``upstream_key`` is the key of the ``after`` stage (so a change that
    re-runs it re-runs this one); ``digests`` memoises file digests across
    the stages of one study (02 and 03 read the same data).
    """
    study = StudyContext(
        RunContext(repo_root_for(study_dir)), study_dir, out_dir, digests if digests is not None else {}
    )
    return inputs_of(StageContext(study, spec, notebook, upstream_key))


def stage_key(inputs: dict[str, str]) -> str:
    """The digest of all of a stage's inputs."""
    return digest_of(inputs)


class Manifest:
    """The record of one study's last successful stage runs."""

    def __init__(self, out_dir: Path, stages: dict[str, dict[str, Any]] | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.stages: dict[str, dict[str, Any]] = stages or {}

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

    def record(
        self, spec: StageSpec, inputs: dict[str, str], seconds: float, warnings: list[Any] | None = None
    ) -> None:
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

    def recorded_warnings(self, notebooks: Iterable[str]) -> list[Any] | None:
        """The warnings recorded for ``notebooks``' stages, in that order; None unless every one has them.

        The stages' JSON holds the same list, but a 100,000-note synthesis.json
        takes most of a second to parse, on every ``kit run``, to find it.
        """
        items: list[Any] = []
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
