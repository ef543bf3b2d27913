"""``kit upgrade [--dry-run]``: the kit's files brought to the installed kit's version, the team's work left alone.

For each kit file of ``data/repository.yml`` (templates, site pages,
``_quarto.yml``, theme, workflow, Makefile, requirements.txt, .gitignore) it
compares three texts: the team's file, the kit's text as last written (its
digest in ``.kit/template.json``, its copy in ``.kit/base/``) and the
installed kit's text for the recorded answers. The team's own files (studies,
``codebook.yml``, ``panel/``, ``requests/``, ``metrics/``) are not in that
table, so they are never read or written. What happens to each file is a row
of :data:`ACTIONS`; ``--dry-run`` lists them and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from kit import __version__
from kit.iorw import atomic_write_bytes
from kit.layout import KIT_NEW_SUFFIX, template_base_root
from kit.lock import repository_lock
from kit.repository.kit_files import Answers, KitFile, digest, installed_requirement, owned_by_kit
from kit.repository.merge import git_available, merge_three
from kit.repository.record import FileRecord, TemplateRecord, load_record, read_base, write_base


@dataclass(frozen=True)
class Action:
    """What ``kit upgrade`` does to one kit file, and how it says so."""

    says: str  # the report's line, with {path} and {new} (the .kit-new file)
    writes: bool = False  # the file gets ``Change.data``
    writes_beside: bool = False  # ``<path>.kit-new`` gets the kit's new version; the team's file stays
    new_base: bool = True  # the record moves to the kit's new version (else the old entry stays, to merge again)


ACTIONS: dict[str, Action] = {
    "current": Action("up to date: {path}"),
    "updated": Action("updated: {path} (unchanged here, changed in the kit)", writes=True),
    "restored": Action("restored: {path} (missing here)", writes=True),
    "added": Action("added: {path} (new in the kit)", writes=True),
    "kept": Action("kept your change: {path} (the kit's version has not changed)"),
    "merged": Action("merged: {path} (your change kept, the kit's change merged in)", writes=True),
    "conflict": Action(
        "kept your change: {path}; the kit changed the same lines: its version is in {new}, merge it by hand "
        "and run kit upgrade again",
        writes_beside=True,
        new_base=False,
    ),
    "beside": Action(
        "kept your change: {path}; no base to merge against: the kit's version is in {new}",
        writes_beside=True,
        new_base=False,
    ),
    "pending": Action("still to merge by hand: {new} into {path}; delete {new} once done", new_base=False),
    "resolved": Action("merged by hand: {path} ({new} deleted): your file kept as the kit's new version's merge"),
    "dropped": Action("no longer a kit file: {path} (left as it is)", new_base=False),
}
"""Every outcome for one file; :func:`plan_upgrade` picks one per file."""

QUIET = frozenset({"current"})  # not listed in the report (the summary counts them)


@dataclass(frozen=True)
class Change:
    """One kit file's outcome: the action's name, the bytes to write (if any) and the kit's new text."""

    path: str
    action: str
    new: bytes = b""
    data: bytes | None = None

    def line(self) -> str:
        """The report's line for this file."""
        return ACTIONS[self.action].says.format(path=self.path, new=self.path + KIT_NEW_SUFFIX)


@dataclass
class UpgradePlan:
    """What ``kit upgrade`` does (or, with ``--dry-run``, would do) to a repository."""

    root: Path
    record: TemplateRecord  # as it is now
    changes: list[Change] = field(default_factory=list)

    def writes(self) -> list[Change]:
        """The changes that write a file (the file itself or ``<name>.kit-new``)."""
        return [c for c in self.changes if ACTIONS[c.action].writes or ACTIONS[c.action].writes_beside]

    def next_record(self) -> TemplateRecord:
        """The record after the upgrade: each file at the kit's version unless its merge is pending."""
        answers = Answers(title=self.record.answers.title, requirement=installed_requirement())
        files: dict[str, FileRecord] = {}
        for change in self.changes:
            old = self.record.files.get(change.path)
            if ACTIONS[change.action].new_base:
                files[change.path] = FileRecord(digest(change.new), __version__)
            elif ACTIONS[change.action].writes_beside:  # the old base stays until the team has merged
                files[change.path] = replace(old or FileRecord("", ""), pending=digest(change.new))
            elif old is not None and change.action != "dropped":
                files[change.path] = old
        return TemplateRecord(answers=answers, demo=self.record.demo, kit_version=__version__, files=files)

    def nothing_to_do(self) -> bool:
        """No file to write and the record would stay as it is."""
        return not self.writes() and self.next_record().as_dict() == self.record.as_dict()

    def report(self) -> list[str]:
        """One line per file that is not simply up to date, then a summary."""
        lines = [c.line() for c in self.changes if c.action not in QUIET]
        current = sum(c.action in QUIET for c in self.changes)
        versions = f"kit {self.record.kit_version} -> {__version__}"
        if self.nothing_to_do() and not lines:
            lines.append(f"nothing to do: {current} kit files up to date ({versions})")
        else:
            lines.append(f"{len(self.writes())} files to write, {current} up to date ({versions})")
        return lines


def _decide(root: Path, item: KitFile, new: bytes, record: TemplateRecord) -> Change:
    """The action for one kit file (see :data:`ACTIONS`)."""
    path = root / item.path
    entry = record.files.get(item.path)
    if not path.is_file():
        return Change(item.path, "restored" if entry else "added", new, new)
    ours = path.read_bytes()
    if ours == new:
        return Change(item.path, "current", new)
    if entry is not None and digest(ours) == entry.sha256:  # the team has not changed it since
        return Change(item.path, "updated", new, new)
    if entry is not None and entry.pending == digest(new):  # this version was offered beside it before
        beside = root / (item.path + KIT_NEW_SUFFIX)
        return Change(item.path, "pending" if beside.is_file() else "resolved", new)
    base = read_base(root, item.path, entry)
    if base == new:  # only the team changed it
        return Change(item.path, "kept", new)
    if base is None or not git_available():
        return Change(item.path, "beside", new)
    merged = merge_three(ours, base, new, item.path)
    if merged.data is None:
        return Change(item.path, "conflict", new)
    return Change(item.path, "merged", new, merged.data)


def plan_upgrade(repo_root: str | Path) -> UpgradePlan:
    """What ``kit upgrade`` would do; reads the repository, writes nothing."""
    root = Path(repo_root).resolve()
    record = load_record(root)
    answers = Answers(title=record.answers.title, requirement=installed_requirement())
    plan = UpgradePlan(root, record)
    owned = owned_by_kit()
    for item in owned:
        plan.changes.append(_decide(root, item, item.text(answers), record))
    for gone in sorted(set(record.files) - {item.path for item in owned}):
        plan.changes.append(Change(gone, "dropped"))
    return plan


def apply_upgrade(plan: UpgradePlan) -> None:
    """Write what ``plan`` says, each file atomically, then the new base copies and the record (last).

    Under the repository lock: no ``kit run`` copies a template half-way through.
    A crash part-way leaves the old record, so the next ``kit upgrade`` finds
    the files it already wrote up to date and carries on.
    """
    if plan.nothing_to_do():
        return
    with repository_lock(plan.root):
        for change in plan.changes:
            action = ACTIONS[change.action]
            if action.writes and change.data is not None:
                atomic_write_bytes(plan.root / change.path, change.data)
            if action.writes_beside:
                atomic_write_bytes(plan.root / (change.path + KIT_NEW_SUFFIX), change.new)
            if action.new_base:
                write_base(plan.root, change.path, change.new)
            if change.action == "dropped":
                (template_base_root(plan.root) / change.path).unlink(missing_ok=True)
        plan.next_record().save(plan.root)
