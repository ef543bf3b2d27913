"""A withdrawn person's rows in files no single study owns: beta-program feedback and ``requests/*.csv``.

Both are request tables (the columns of feature requests,
:mod:`kit.study.feature_requests`): a program's ``feedback`` table
(``panel/programs.yml``, :mod:`kit.panel.programs`) and every file of the
repository's ``requests/`` folder, which every study reads. In each, the
rows whose ``person_id`` is a withdrawn person lose the cells the rule table
``data/purge_columns.csv`` names for ``requests`` (text, account and any
column the kit does not know, such as a tracker's ``Reporter``), and the
person's names are replaced by ``[withdrawn]`` where any row mentions them
(:mod:`kit.panel.purge_plan`). The rows, their ids, dates, votes and tags
stay: an insight citing ``R-<request_id>`` still builds, and the person_id
keeps a withdrawn person's feedback out of the Panel page's counts as it
did before the purge.

Expiry does not reach these files: they belong to no study's retention
period. A changed ``requests/`` file is in every study's synthesis, so every
study that has reports runs again (:attr:`RetentionPlan.reruns`); feedback
reaches only the Panel page, which the site rebuild redoes.
"""

from __future__ import annotations

from pathlib import Path

from kit.layout import PANEL_DIR, REQUESTS_DIR, study_reports
from kit.panel.programs import feedback_path, load_programs
from kit.panel.purge_plan import RetentionPlan, names_redactor, redact_mentions, table_rules
from kit.panel.rawtable import RawTable
from kit.study.feature_requests import repository_request_files
from kit.study.panel_people import load_panel


def purge_request_table(plan: RetentionPlan, path: Path, shown: str, withdrawn: frozenset[str], where: str) -> bool:
    """Plan the purge of one request table (``shown``: its repository-relative path); True when it changes.

    ``where`` is what the purge log says in its ``study`` column for it
    (``panel`` for a program's feedback, ``requests`` for the repository's).
    """
    table, rules = RawTable.load(path, shown), table_rules("requests")
    for i in range(len(table.rows)):
        person = table.get(i, rules.key)
        if person in withdrawn:
            subject = plan.subject("withdrawn", person, where, in_study=False)
            for what in rules.purge_row(table, i):
                subject.add(shown, what)
    for person in sorted(withdrawn):
        redactor = names_redactor(sorted(plan.person_names.get(person, ())))
        if redactor is not None:
            n = redact_mentions(table, "requests", redactor)
            if n:
                plan.subject("withdrawn", person, where, in_study=False).add(shown, "mentions", n)
    if table.changed:
        plan.tables.append(table)
    return table.changed


def purge_program_feedback(repo_root: Path, plan: RetentionPlan, withdrawn: frozenset[str]) -> None:
    """The withdrawn people's rows of every beta program's feedback table (each file once).

    ``panel/programs.yml`` is read checked: a purge that cannot tell which
    files hold feedback stops with the file, line and key at fault
    (:class:`~kit.errors.PanelError`) rather than leave a row behind.
    """
    if not withdrawn:
        return
    programs = load_programs(repo_root, load_panel(repo_root))
    seen: set[Path] = set()
    for program in programs.programs.values() if programs is not None else ():
        path = feedback_path(repo_root, program)
        if path is None or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        purge_request_table(plan, path, path.resolve().relative_to(repo_root).as_posix(), withdrawn, PANEL_DIR)


def purge_repository_requests(
    repo_root: Path, plan: RetentionPlan, withdrawn: frozenset[str], slugs: list[str]
) -> None:
    """The withdrawn people's rows of ``requests/*.csv``; if any changed, ``slugs``' studies with reports rerun."""
    if not withdrawn:
        return
    changed = [
        purge_request_table(plan, path, shown, withdrawn, REQUESTS_DIR)
        for path, shown in repository_request_files(repo_root)
    ]
    if any(changed):
        plan.reruns.update(slug for slug in slugs if study_reports(repo_root, slug).is_dir())
