"""What a run will do to one study, decided before any of it runs: which stages are up to date.

Each stage's inputs are stamped and compared with the manifest first
(:mod:`kit.run.manifest`), for every study, before the first notebook of the
run starts: the runner then knows which studies will need a kernel, and
starts theirs ahead (:mod:`kit.run.kernel_pool`). A study none of whose
stages must run runs nothing. A stage after one that ran in this run is
stamped again before it is decided (:func:`restamp`): it reads the outputs
that stage wrote. The stamps are taken before the notebooks run: a file
edited during the run is seen as changed by the next run. Also here: which
studies a run has (:func:`discover_studies`), the reports of deleted ones
(:func:`prune_orphaned_reports`) and of a failed stage (:func:`withdraw_outputs`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kit.errors import UsageError
from kit.layout import (
    INSIGHTS_EXPORTS,
    STAGES,
    STUDY_FILE,
    is_study_report_dir,
    notebooks_root,
    reports_root,
    templates_root,
)
from kit.run.inputs import RunContext, StageContext, StageSpec, StudyContext
from kit.run.manifest import Manifest, inputs_of, stage_key, stage_specs


def stage_notebook(study_dir: Path, repo_root: Path, stage: str) -> Path:
    """The study's own copy of a stage notebook, else the template."""
    own = study_dir / stage
    return own if own.is_file() else templates_root(repo_root) / stage


@dataclass(frozen=True)
class StagePlan:
    """One stage of a study: its notebook, the stamps of its inputs and why it must run (None: up to date)."""

    stage: str
    spec: StageSpec
    notebook: Path
    inputs: dict[str, str]
    reason: str | None


@dataclass(frozen=True)
class StudyPlan:
    """A study's stages in run order, decided (see the module docstring)."""

    study: StudyContext
    manifest: Manifest
    stages: tuple[StagePlan, ...]

    @property
    def needs_kernel(self) -> bool:
        """Whether any of its notebooks will run."""
        return bool(self.may_execute)

    @property
    def may_execute(self) -> tuple[str, ...]:
        """The stages that may run: the first that must, and every later one (its new outputs
        can make a later stage run too, :func:`restamp`); none when all are up to date."""
        first = next((i for i, s in enumerate(self.stages) if s.reason is not None), len(self.stages))
        return tuple(s.stage for s in self.stages[first:])


def plan_study(study_dir: Path, repo_root: Path, force: bool = False, run: RunContext | None = None) -> StudyPlan:
    """Stamp every stage of ``study_dir`` and decide which must run (all of them with ``force``)."""
    study = (run or RunContext(Path(repo_root).resolve())).study(study_dir)
    study.out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest.load(study.out_dir)
    specs = stage_specs()
    keys: dict[str, str] = {}
    stages = []
    for stage in STAGES:
        spec = specs[stage]
        notebook = stage_notebook(study_dir, Path(repo_root), stage)
        inputs = inputs_of(StageContext(study, spec, notebook, keys.get(spec.after) if spec.after else None))
        keys[stage] = stage_key(inputs)
        reason = "forced (--force)" if force else manifest.reason_to_run(spec, inputs)
        stages.append(StagePlan(stage, spec, notebook, inputs, reason))
    return StudyPlan(study, manifest, tuple(stages))


def restamp(plan: StudyPlan, stage: StagePlan, upstream_key: str | None, force: bool = False) -> StagePlan:
    """``stage`` stamped and decided again: an earlier stage ran in this run and rewrote what it reads."""
    inputs = inputs_of(StageContext(plan.study, stage.spec, stage.notebook, upstream_key))
    reason = "forced (--force)" if force else plan.manifest.reason_to_run(stage.spec, inputs)
    return StagePlan(stage.stage, stage.spec, stage.notebook, inputs, reason)


def withdraw_outputs(out_dir: Path, failed_stage: str, manifest: Manifest) -> None:
    """Remove what the failed stage and every later stage left from earlier runs.

    Their notebooks and JSON no longer match the study's inputs: publishing
    them would show last week's plan beside this week's error. Each stage is
    forgotten by the manifest, so the next run executes it again; the index
    rebuilt after the run no longer lists the study's insights.
    """
    specs = stage_specs()
    for name in INSIGHTS_EXPORTS:  # written beside insights.json, not listed in the stage table
        (out_dir / name).unlink(missing_ok=True)
    for stage in STAGES[STAGES.index(failed_stage) :]:
        (out_dir / stage).unlink(missing_ok=True)
        for name in specs[stage].writes:
            (out_dir / name).unlink(missing_ok=True)
        manifest.forget(stage)


def discover_studies(repo_root: Path, slugs: Iterable[str] | None = None) -> list[Path]:
    """Study folders under ``notebooks/`` (those holding a study.yml)."""
    base = notebooks_root(repo_root)
    found = sorted(p.parent for p in base.glob(f"*/{STUDY_FILE}"))
    if not slugs:
        return found
    by_slug = {p.name: p for p in found}
    unknown = [s for s in slugs if s not in by_slug]
    if unknown:
        known = ", ".join(by_slug) or "none"
        raise UsageError(f"unknown study {', '.join(map(repr, unknown))} (studies: {known})")
    return [by_slug[s] for s in slugs]


def prune_orphaned_reports(repo_root: Path, studies: list[Path]) -> list[str]:
    """Delete ``reports/<slug>/`` of studies whose ``notebooks/<slug>/`` is gone; their slugs.

    Otherwise a deleted study stays on the site (reports/ is git-ignored and
    CI restores it from its cache), with no roster left for the privacy check
    to scan it against. The caller rebuilds the repository index afterwards.
    """
    reports = reports_root(repo_root)
    keep = {s.name for s in studies}
    gone = sorted(
        d.name
        for d in reports.glob("*")
        if is_study_report_dir(d) and d.name not in keep and not (notebooks_root(repo_root) / d.name).is_dir()
    )
    for slug in gone:
        shutil.rmtree(reports / slug)
    return gone
