"""``kit recruit`` and ``kit purge``: the participant panel from the command line."""

from __future__ import annotations

import datetime as dt
import sys

import click

from kit.cli.common import day, fail, jobs_option, on_option, repo_root, timeout_option
from kit.cli.studies import run_and_report
from kit.errors import KitError


@click.command()
@click.argument("slug")
@click.option("--n", "n", type=click.IntRange(1), required=True, help="How many people to invite.")
@click.option(
    "--segment",
    "segments",
    multiple=True,
    help="Only these segments of the plan (repeatable; default: all the plan's segments).",
)
@click.option("--beta", is_flag=True, help="Only members of the beta programme.")
@on_option
def recruit(slug: str, n: int, segments: tuple[str, ...], beta: bool, on: dt.datetime | None) -> None:
    """Propose N eligible panel people for SLUG, balanced over its segments, into data/invites.csv.

    People in cooldown, over the 12-month or no-show limits, withdrawn or not
    opted in are left out. Each invitation names the contact owner to ask
    first and the role that reaches out (the RACI row 'customer communication').
    Too few eligible people: exit 2, naming the shortfall per segment.
    """
    from kit.panel.recruit import recruit as propose

    try:
        rec = propose(repo_root(), slug, n, segments, beta, day(on))
    except KitError as exc:
        fail(exc)
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
    concerned and, when _site/ exists, rebuilds the site. A second purge
    finds nothing to do.
    """
    from kit.panel.purge import purge as run_purge

    if not withdrawn and not expired:
        raise click.UsageError("say what to purge: --withdrawn and/or --expired")
    root = repo_root()
    try:
        report = run_purge(root, day(on), withdrawn=withdrawn, expired=expired, dry_run=dry_run)
    except KitError as exc:
        fail(exc)
    for line in report.lines():
        click.echo(line)
    if not report.due():
        click.echo(f"nothing to purge on {report.day}")
        sys.exit(0)
    if dry_run:
        click.echo("dry run: nothing deleted")
        sys.exit(0)
    click.echo(f"purged; logged in panel/purge-log.csv ({len(report.due())} subject(s), ids and counts only)")
    code = run_and_report(tuple(sorted(report.studies)), jobs, timeout) if report.studies else 0
    from kit.layout import SITE_DIR

    if (root / SITE_DIR).is_dir():
        from kit.privacy.leak_check import require_clean_site
        from kit.site.build import build_site

        try:
            build_site(
                root, echo=click.echo, before_publish=lambda staged: require_clean_site(root, staged, echo=click.echo)
            )
        except KitError as exc:
            fail(exc)
    sys.exit(code)
