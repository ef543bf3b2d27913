"""``kit purge`` and ``kit check --retention``: apply or list a retention plan.

:func:`journal_for` turns the edits :func:`kit.panel.retention.plan_retention`
planned into a journal (:mod:`kit.panel.journal`) of final file contents:
the salted hashes of the names being removed (``panel/purged-names.json``,
:mod:`kit.privacy.purged_names`), the theme pins of each purged study (its
themes keep their ids, :mod:`kit.study.theme_pins`), every edited table,
transcripts rewritten or deleted, ``panel/people.csv``, then
``panel/purge-log.csv`` with one row per subject and study: the day, why
(expired / withdrawn), the study slug or person_id, counts, and for expired
data the date it was kept until; never a name, an e-mail or a word of the
data. The journal is written first and applied idempotently, so an
interrupted purge is completed by running it again; a complete one leaves
nothing to find, so a second purge changes nothing and logs nothing. The
CLI then re-runs the studies concerned (their pages keep counts and lose the
words) and rebuilds the site, all under one repository lock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from kit.errors import KitError
from kit.iorw import read_json
from kit.layout import SYNTHESIS_JSON, notebooks_root, purge_log_path, purged_names_path, study_reports
from kit.lock import repository_lock
from kit.panel.journal import Journal
from kit.panel.purge_plan import WHAT, RetentionPlan
from kit.panel.retention import plan_retention
from kit.privacy.purged_names import PurgedNames
from kit.study.theme_pins import pins_path, pins_text

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


def log_text(repo_root: Path, rows: list[list[object]]) -> str:
    """``panel/purge-log.csv`` with ``rows`` appended (header written once).

    A log written before a kind of data was counted (an older header) is
    rewritten under the current columns first, its rows counting 0 of the
    new kinds, so every row lines up with the header.
    """
    path = purge_log_path(repo_root)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    earlier = list(csv.reader(io.StringIO(old)))
    if earlier and earlier[0] and tuple(earlier[0]) != LOG_COLUMNS:
        header = earlier[0]
        writer.writerow(LOG_COLUMNS)
        for row in (r for r in earlier[1:] if r):
            cells = dict(zip(header, row))
            writer.writerow([cells.get(c, "" if c == "kept_until" else "0") for c in LOG_COLUMNS])
        old = ""
    elif not old.strip():
        writer.writerow(LOG_COLUMNS)
    elif not old.endswith("\n"):
        buf.write("\n")
    writer.writerows(rows)
    return old + buf.getvalue()


def theme_pins(repo_root: Path, slug: str) -> str | None:
    """The pin file of the themes in the study's last ``synthesis.json`` (None without themes).

    Written before the words go, so the themes insights cite keep their ids
    and notes when the purged study runs again (:mod:`kit.study.theme_pins`).
    """
    path = study_reports(repo_root, slug) / SYNTHESIS_JSON
    try:
        found = read_json(path).get("themes") or []
        themes = [(str(t["id"]), [str(n) for n in t["notes"]]) for t in found]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None  # never run, or an older shape: nothing an insight could have cited from it
    return pins_text(themes) if themes else None


def journal_for(plan: RetentionPlan, repo_root: Path) -> Journal:
    """Every edit of the plan as final bytes, in the order they are applied.

    First the hashes of the names about to be blanked (so the privacy check
    knows them before any file forgets them), then the theme pins, the
    studies' files, the panel, and last the log.
    """

    def rel(path: Path) -> str:
        return path.relative_to(repo_root).as_posix()

    reruns = sorted(plan.studies | plan.reruns)  # and the studies whose reports hold purged requests
    journal = Journal(plan.day, studies=reruns, lines=plan.lines(), subjects=len(plan.due()))
    names = {n for n in plan.names if n}
    if names:
        known = PurgedNames.load(repo_root)
        journal.writes[rel(purged_names_path(repo_root))] = known.with_names(names).text().encode("utf-8")
    for slug in sorted(plan.data_studies):  # notes lose words only there (insights.yml moves no theme)
        pins = theme_pins(repo_root, slug)
        if pins is not None:
            journal.writes[rel(pins_path(notebooks_root(repo_root) / slug))] = pins.encode("utf-8")
    for table in [*plan.tables, *([plan.panel_table] if plan.panel_table is not None else [])]:
        journal.writes[rel(table.path)] = table.content()
    for path, text in plan.rewrites.items():
        journal.writes[rel(path)] = text.encode("utf-8")
    for path in plan.deletes:
        journal.writes[rel(path)] = None
    rows = log_rows(plan)
    if rows:
        journal.writes[rel(purge_log_path(repo_root))] = log_text(repo_root, rows).encode("utf-8")
    return journal


def begin(repo_root: Path, day: dt.date, *, withdrawn: bool, expired: bool) -> tuple[RetentionPlan, Journal | None]:
    """Plan the purge and, when anything is due, write its journal (nothing else is written yet)."""
    plan = plan_retention(repo_root, day, withdrawn=withdrawn, expired=expired)
    if not plan.due():
        return plan, None
    journal = journal_for(plan, repo_root)
    journal.save(repo_root)
    return plan, journal


def purge(
    repo_root: str | Path, day: dt.date, *, withdrawn: bool, expired: bool, dry_run: bool = False
) -> RetentionPlan:
    """Find what is due and (unless ``dry_run``) delete it in place; the plan says what.

    The edits only: the journal is written, applied and removed. ``kit
    purge`` (:mod:`kit.cli.panel`) also runs the studies again and rebuilds
    the site before it removes the journal.
    """
    repo_root = Path(repo_root).resolve()
    with repository_lock(repo_root, purge=True):  # no `kit run` reads the files while they change
        if dry_run:
            return plan_retention(repo_root, day, withdrawn=withdrawn, expired=expired)
        pending = Journal.load(repo_root)
        if pending is not None:
            pending.apply(repo_root)
            Journal.finish(repo_root)
        plan, journal = begin(repo_root, day, withdrawn=withdrawn, expired=expired)
        if journal is not None:
            journal.apply(repo_root)
            Journal.finish(repo_root)
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
