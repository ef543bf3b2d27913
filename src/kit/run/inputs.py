"""What a stage reads, as a registry of input providers (papermill keeps its engines the same way).

The stage table (``src/kit/data/stages.yml``, :func:`stage_specs`) says what
each stage notebook reads and writes. Each *kind* of input (the study's
files, the stage it follows, environment variables, the panel's consent and
supply, the kit itself, the notebook ...) has one :class:`InputProvider`,
registered by its kind name in an :class:`InputRegistry`. A provider turns a
:class:`StageContext` into *stamps*: digests by input label
(``data/notes.csv``, ``panel:consent`` ...). The manifest
(:mod:`kit.run.manifest`) asks every registered provider for its stamps and
digests them all into the stage's key, without knowing how any is computed:
adding an input kind adds one provider and one registration
(:mod:`kit.run.input_kinds` registers the built-in ones).

The contexts carry what providers share, so that none re-derives it: the
run's repository root (resolved once) and the roster stamp taken once per
run (:func:`run_context` holds :func:`kit.study.records.rosters_fixed`);
per study, its folder, its reports folder and the file digests its stages
share (02 and 03 read the same data); per stage, its row of the table, its
notebook and the key of the stage it follows.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kit.layout import stage_table, study_reports
from kit.run.digests import file_digest
from kit.study.records import rosters_fixed

T = TypeVar("T")


@dataclass(frozen=True)
class StageSpec:
    """One row of the stage table: what a stage notebook reads and writes."""

    notebook: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    after: str | None = None
    env: tuple[str, ...] = ()  # environment variables that change what the stage computes
    panel: tuple[str, ...] = ()  # what it reads of the panel: derived inputs (consent, supply) or files of panel/


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


def _remember(memo: dict[str, Any], key: str, compute: Callable[[], T]) -> T:
    # Studies run on threads: two may compute the same value at once; both get the
    # same answer and a dict assignment is atomic, so no lock is needed.
    if key not in memo:
        memo[key] = compute()
    value: T = memo[key]
    return value


@dataclass
class RunContext:
    """What every study of one run shares: the repository root and run-wide values."""

    repo_root: Path
    memo: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` the first time ``key`` is asked for in this run; the same value afterwards."""
        return _remember(self.memo, key, compute)

    def study(self, study_dir: Path) -> StudyContext:
        """The context of one study of the run (``notebooks/<slug>``)."""
        return StudyContext(self, study_dir, study_reports(self.repo_root, study_dir.name))


@contextlib.contextmanager
def run_context(repo_root: Path) -> Iterator[RunContext]:
    """A run's context; within it every study's rosters are read as they were on entry.

    For ``kit run`` under its repository lock: stages write only to
    ``reports/``, never to a study's data, so the rosters cannot change during
    the run, and the panel inputs of every stage share one roster stamp
    (:func:`kit.study.records.rosters_fixed`) instead of statting every study's
    files once per stage.
    """
    root = Path(repo_root).resolve()
    with rosters_fixed(root):
        yield RunContext(root)


@dataclass
class StudyContext:
    """One study of a run: its folder, its reports, and the digests and values its stages share."""

    run: RunContext
    study_dir: Path
    out_dir: Path
    digests: dict[Path, str] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.study_dir.name

    def file_digest(self, path: Path) -> str:
        """:func:`kit.run.digests.file_digest`, once per file for all the stages of the study."""
        digest = self.digests.get(path)
        if digest is None:
            digest = self.digests[path] = file_digest(path)
        return digest

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` the first time one of the study's stages asks for ``key``."""
        return _remember(self.memo, key, compute)


@dataclass(frozen=True)
class StageContext:
    """One stage of a study: what an input provider stamps."""

    study: StudyContext
    spec: StageSpec
    notebook: Path  # the study's copy of the stage notebook, else the template
    upstream_key: str | None = None  # the key, in this run, of the stage it follows

    @property
    def repo_root(self) -> Path:
        return self.study.run.repo_root

    @property
    def study_dir(self) -> Path:
        return self.study.study_dir

    @property
    def slug(self) -> str:
        return self.study.slug


class InputProvider(Protocol):
    """One kind of stage input: its stamps for a stage (``{}`` when the stage does not read that kind)."""

    @property
    def name(self) -> str:
        """The kind's name in the registry (``reads``, ``panel:consent`` ...)."""
        ...

    def stamp(self, context: StageContext) -> dict[str, str]:
        """Digest by input label of what the stage reads of this kind."""
        ...


class InputRegistry:
    """Input providers by kind name; :meth:`stamps` merges what each says of a stage."""

    def __init__(self) -> None:
        self.providers: dict[str, InputProvider] = {}

    def register(self, provider: InputProvider) -> InputProvider:
        """Add ``provider`` under its name (a name is taken once: replace it through ``providers``)."""
        if provider.name in self.providers:
            raise ValueError(f"an input provider named {provider.name!r} is registered already")
        self.providers[provider.name] = provider
        return provider

    def __contains__(self, name: object) -> bool:
        return name in self.providers

    def stamps(self, context: StageContext) -> dict[str, str]:
        """Label -> digest of everything the stage reads, from every registered provider."""
        inputs: dict[str, str] = {}
        for name, provider in self.providers.items():
            stamps = provider.stamp(context)
            if not inputs.keys().isdisjoint(stamps):
                # one label, two kinds: the manifest could not say which changed
                raise ValueError(f"input provider {name!r} stamps {sorted(inputs.keys() & stamps)} again")
            inputs.update(stamps)
        return inputs
