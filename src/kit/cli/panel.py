"""``kit recruit`` and ``kit purge``: the participant panel from the command line."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kit.cli.common import day, fail, jobs_option, on_option, repo_root, timeout_option
from kit.cli.studies import run_and_report
from kit.errors import KitError

if TYPE_CHECKING:
    from kit.panel.journal import Journal


@click.command()
@click.argument("slug")
@click.option("--n", "n", type=click.IntRange(1), required=True, help="How many people to invite.")
@click.option(
    "--segment",
    "segments",
    multiple=True,
    help="Only these segments of the plan (repeatable; default: all the plan's segments).",
)
@click.option("--beta", is_flag=True, help="Only people marked beta: yes in panel/people.csv.")
@click.option(
    "--program",
    "program",
    default=None,
    help="Only members of this beta program (an id of panel/programs.yml; default: the study.yml's program).",
)
@on_option
def recruit(
    slug: str, n: int, segments: tuple[str, ...], beta: bool, program: str | None, on: dt.datetime | None
) -> None:
    """Propose N eligible panel people for SLUG, balanced over its segments, into data/invites.csv.

    People in cooldown, over the 12-month or no-show limits, withdrawn or not
    opted in are left out. Each invitation names the contact owner to ask
    first and the role that reaches out (the RACI row 'customer communication').
    Too few eligible people: exit 2, naming the shortfall per segment.
    """
    from kit.panel.recruit import recruit as propose

    try:
        rec = propose(repo_root(), slug, n, segments, beta, day(on), program)
    except KitError as exc:
        fail(exc)
    if rec.program:
        click.echo(f"program {rec.program}: only its members")
    for seg, ids in rec.picked.items():
        click.echo(f"{seg}: {len(ids)} of {rec.eligible[seg]} eligible")
    click.echo(f"excluded: {rec.exclusions_text()}")
    assert rec.path is not None  # recruit wrote the invitations
    click.echo(
        f"wrote {rec.path.relative_to(repo_root())} ({sum(map(len, rec.picked.values()))} people; "
        f"reaches out: {rec.reaches_out or 'nobody in the RACI row customer communication'}; "
        "ask each person's contact owner first)"
    )


@click.command()
@click.option("--withdrawn", is_flag=True, help="Delete the raw data of people who withdrew consent.")
@click.option("--expired", is_flag=True, help="Delete raw data past its retention date.")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@on_option
@jobs_option
@timeout_option
def purge(
    withdrawn: bool, expired: bool, dry_run: bool, on: dt.datetime | None, jobs: int | None, timeout: float
) -> None:
    """Delete raw data of withdrawn people (--withdrawn) or past retention (--expired), in place.

    Names, e-mails and phones are blanked, notes lose their words, transcripts
    and recording links are deleted; counts stay. Appends to
    panel/purge-log.csv (ids and counts only), then re-runs the studies
    concerned and, when _site/ exists, rebuilds the site with the engine that
    built it. A journal (panel/.purge-journal.json) is written first: a purge
    interrupted at any point is completed by running it again. A second
    purge finds nothing to do.
    """
    from kit.lock import repository_lock
    from kit.panel.journal import Journal
    from kit.panel.purge import begin
    from kit.panel.retention import plan_retention

    if not withdrawn and not expired:
        raise click.UsageError("say what to purge: --withdrawn and/or --expired")
    root = repo_root()
    try:
        # One lock from the journal to the site: no `kit run` or `kit site` sees half-purged data.
        with repository_lock(root, purge=True):
            journal = Journal.load(root)
            if journal is not None:
                click.echo(f"completing the purge of {journal.day} that was interrupted")
            elif dry_run:
                plan = plan_retention(root, day(on), withdrawn=withdrawn, expired=expired)
                _warn(plan.notes)
                for line in plan.lines():
                    click.echo(line)
                click.echo("dry run: nothing deleted" if plan.due() else f"nothing to purge on {plan.day}")
                sys.exit(0)
            else:
                plan, journal = begin(root, day(on), withdrawn=withdrawn, expired=expired)
                _warn(plan.notes)  # what the purge cannot do for you (a name in a comment of insights.yml)
                if journal is None:
                    click.echo(f"nothing to purge on {plan.day}")
                    sys.exit(0)
            for line in journal.lines:
                click.echo(line)
            if dry_run:
                click.echo("dry run: an interrupted purge is pending; run kit purge without --dry-run to complete it")
                sys.exit(0)
            code = _complete(root, journal, jobs, timeout)
    except KitError as exc:
        fail(exc)
    sys.exit(code)


def _warn(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"kit: warning: {note}", err=True)


def _complete(root: Path, journal: Journal, jobs: int | None, timeout: float) -> int:
    """Apply the journal, run the purged studies again, rebuild the site, then drop the journal.

    Each purged study's reports are removed before it runs again, so a study
    that fails now leaves no stale verbatims behind for the site; the journal
    stays until everything succeeded, and the next `kit purge` tries again.
    """
    import shutil

    from kit.layout import SITE_DIR, study_reports
    from kit.panel.journal import Journal

    journal.apply(root)
    click.echo(f"purged; logged in panel/purge-log.csv ({journal.subjects} subject(s), ids and counts only)")
    for slug in journal.studies:
        shutil.rmtree(study_reports(root, slug), ignore_errors=True)
    code = run_and_report(tuple(journal.studies), jobs, timeout) if journal.studies else 0
    if (root / SITE_DIR).is_dir():
        from kit.privacy.leak_check import require_clean_site
        from kit.site.build import build_site
        from kit.site.incremental import last_engine

        engine = last_engine(root / SITE_DIR)
        build_site(
            root,
            use_quarto=None if engine is None else engine == "quarto",
            echo=click.echo,
            before_publish=lambda staged: require_clean_site(root, staged, echo=click.echo),
        )
    if code == 0:
        Journal.finish(root)
    else:
        click.echo("purge not complete: a study failed to run again; fix it and run the same kit purge again")
    return code
