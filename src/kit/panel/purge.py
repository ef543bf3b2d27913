"""``kit purge`` and ``kit check --retention``: apply or list a retention plan.

:func:`purge` writes the edits :func:`kit.panel.retention.plan_retention`
planned: every edited table atomically (build, then rename), transcripts
rewritten or deleted, ``panel/people.csv`` last, then one row per subject
and study appended to ``panel/purge-log.csv``: the day, why (expired /
withdrawn), the study slug or person_id, counts, and for expired data the
date it was kept until; never a name, an
e-mail or a word of the data. An interrupted purge is completed by running
it again; a complete one leaves nothing to find, so a second purge changes
nothing and logs nothing. The CLI then re-runs the studies concerned (their
pages keep counts and lose the words) and rebuilds the site.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from kit.errors import KitError
from kit.iorw import atomic_write_text
from kit.layout import purge_log_path
from kit.lock import repository_lock
from kit.panel.retention import WHAT, RetentionPlan, plan_retention

LOG_COLUMNS = ("date", "reason", "subject", "study", *(w.replace(" ", "_") for w in WHAT), "kept_until")


def log_rows(plan: RetentionPlan) -> list[list[object]]:
    """One purge-log row per subject and study with something deleted (ids and counts only)."""
    return [
        [
            plan.day.isoformat(),
            s.reason,
            s.subject,
            s.study,
            *(s.counts.get(w, 0) for w in WHAT),
            s.until.isoformat() if s.until else "",
        ]
        for s in plan.due()
    ]


def append_log(repo_root: Path, rows: list[list[object]]) -> None:
    """Append to ``panel/purge-log.csv`` (header written once), atomically."""
    path = purge_log_path(repo_root)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if not old.strip():
        writer.writerow(LOG_COLUMNS)
    elif not old.endswith("\n"):
        buf.write("\n")
    writer.writerows(rows)
    atomic_write_text(path, old + buf.getvalue())


def apply(plan: RetentionPlan, repo_root: Path) -> None:
    """Write the plan: tables and transcripts, deletions, the panel, then the log."""
    for table in plan.tables:
        table.save()
    for path, text in plan.rewrites.items():
        atomic_write_text(path, text)
    for path in plan.deletes:
        path.unlink(missing_ok=True)
    if plan.panel_table is not None:
        plan.panel_table.save()
    rows = log_rows(plan)
    if rows:
        append_log(repo_root, rows)


def purge(
    repo_root: str | Path, day: dt.date, *, withdrawn: bool, expired: bool, dry_run: bool = False
) -> RetentionPlan:
    """Find what is due and (unless ``dry_run``) delete it in place; the plan says what."""
    repo_root = Path(repo_root).resolve()
    with repository_lock(repo_root):  # no `kit run` reads the files while they change
        plan = plan_retention(repo_root, day, withdrawn=withdrawn, expired=expired)
        if not dry_run:
            apply(plan, repo_root)
    return plan


def check_retention_command(
    repo_root: str | Path,
    day: dt.date,
    slugs: tuple[str, ...] = (),
    echo: Callable[[str], None] = print,
    echo_err: Callable[[str], None] = print,
) -> int:
    """``kit check --retention``: one line per file with data due; exit 1 when anything is due."""
    try:
        plan = plan_retention(repo_root, day, slugs=tuple(slugs))
    except KitError as exc:
        echo_err(f"kit: error: {exc}")
        return exc.exit_code
    for note in plan.notes:
        echo_err(f"kit: warning: {note}")
    for line in plan.lines():
        echo(line)
    due = plan.due()
    if due:
        echo(
            f"retention check FAILED on {day}: {len(due)} subject(s) in {len(plan.studies)} study(ies) due; "
            "`kit purge --withdrawn` / `kit purge --expired` deletes them"
        )
        return 1
    echo(f"retention check passed on {day}: no raw data past retention, nothing left of withdrawn people")
    return 0
