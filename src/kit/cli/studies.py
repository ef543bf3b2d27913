"""``kit new``, ``run``, ``merge``, ``site``, ``build`` and ``check``: a study's way from folder to site."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from kit.cli.analysis import print_codebook_warnings
from kit.cli.common import (
    day,
    fail,
    force_option,
    jobs_option,
    on_option,
    repo_root,
    strict_option,
    timeout_option,
)
from kit.errors import KitError
from kit.layout import study_folder


def check_slugs(slugs: tuple[str, ...]) -> None:
    """Refuse (exit 2) a SLUG that is no study folder inside notebooks/ before anything runs."""
    try:
        for slug in slugs:
            study_folder(repo_root(), slug)
    except KitError as exc:
        fail(exc)


@click.command()
@click.argument("slug")
@click.option("--title", help="Study title (default: from the slug).")
def new(slug: str, title: str | None) -> None:
    """Create notebooks/SLUG/ with study.yml, data files and the notebooks."""
    from kit.run.new_study import new_study

    try:
        path = new_study(repo_root(), slug, title)
    except KitError as exc:
        fail(exc)
    click.echo(
        f"created {path.relative_to(repo_root())}/: fill study.yml (or open 01-plan.ipynb "
        "in JupyterLab), add data/ files, then `kit run " + slug + "`"
    )


def run_and_report(
    slugs: tuple[str, ...],
    jobs: int | None,
    timeout: float,
    force: bool = False,
    shard: str | None = None,
    strict: bool = False,
    fresh_kernels: bool = False,
) -> int:
    from kit.run.lifecycle_check import apply_lifecycle_checks
    from kit.run.progress import RunDisplay
    from kit.run.runner import run_studies
    from kit.run.shards import parse_shard
    from kit.run.stage_warnings import study_warnings
    from kit.site.index import refresh_index

    check_slugs(slugs)
    display = RunDisplay()
    try:
        part = parse_shard(shard) if shard is not None else None
        with display:
            results = run_studies(
                repo_root(),
                slugs or None,
                jobs=jobs,
                timeout=timeout,
                on_event=display.event,
                force=force,
                shard=part,
                fresh_kernels=fresh_kernels,
            )
        index = refresh_index(repo_root())
    except KitError as exc:
        fail(exc)
    warnings = {r.slug: study_warnings(repo_root(), r.slug) for r in results if r.ok and not r.removed}
    # Across studies: superseded_by into other studies, and reviews due since a study last ran.
    apply_lifecycle_checks(repo_root(), results, warnings, index)
    failed = display.summary(results, warnings, strict=strict)
    print_codebook_warnings(slugs)
    return 0 if not failed else 1


@click.command()
@click.argument("slugs", nargs=-1)
@jobs_option
@timeout_option
@force_option
@click.option(
    "--shard",
    metavar="K/N",
    default=None,
    help="Run only shard K of N (studies split by expected cost; combine with kit merge).",
)
@strict_option
@click.option(
    "--fresh-kernels",
    is_flag=True,
    help="Start a kernel for every notebook (default: one kernel per study, reset between its notebooks).",
)
def run(
    slugs: tuple[str, ...],
    jobs: int | None,
    timeout: float,
    force: bool,
    shard: str | None,
    strict: bool,
    fresh_kernels: bool,
) -> None:
    """Execute the studies' notebooks with papermill into reports/ (all when none named).

    Only notebooks whose inputs changed since their last successful run are
    executed (see reports/<slug>/.manifest.json); --force runs them all.
    --shard K/N runs one machine's share; `kit merge` combines the shards' reports/.
    Each study's warnings are counted and the first few printed; --strict
    fails a study that has any.
    """
    sys.exit(run_and_report(slugs, jobs, timeout, force, shard, strict, fresh_kernels))


@click.command()
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path))
def merge(folders: tuple[Path, ...]) -> None:
    """Combine the reports/ folders of `kit run --shard K/N` (one per shard) into reports/.

    Refuses a study found in two shards and reports a missing shard or a
    study no shard ran; then rebuilds reports/index.json.
    """
    from kit.lock import repository_lock
    from kit.run.merge import merge_shards
    from kit.run.study_plan import discover_studies
    from kit.site.index import refresh_index

    root = repo_root()
    try:
        with repository_lock(root):
            expected = [p.name for p in discover_studies(root)]
            result = merge_shards(root, [f.resolve() for f in folders], expected)
            refresh_index(root)
    except KitError as exc:
        fail(exc)
    click.echo(f"merged {len(result.studies)} studies from {result.shards} shards into reports/")


@click.command()
@click.option(
    "--quarto/--no-quarto", "use_quarto", default=None, help="Force or forbid Quarto (default: use it when on PATH)."
)
@click.option(
    "--full", is_flag=True, help="Render every page (default: only pages whose inputs changed, plus the listings)."
)
def site(use_quarto: bool | None, full: bool) -> None:
    """Render _site/ (Quarto when installed, else a static preview).

    Incremental: only the study pages whose published notebook or study
    (title, pages) changed are rendered again, with home, insights and
    playbook; the rest of _site/ is kept. --full renders everything.
    """
    from kit.site.build import build_site

    try:
        out = build_site(repo_root(), use_quarto=use_quarto, echo=click.echo, full=full)
    except KitError as exc:
        fail(exc)
    click.echo(f"site written to {out.relative_to(repo_root())}/index.html")


@click.command()
@click.argument("slugs", nargs=-1)
@jobs_option
@timeout_option
@force_option
@strict_option
@click.option("--quarto/--no-quarto", "use_quarto", default=None)
@click.option("--full", is_flag=True, help="Render every page of the site, not only the changed ones.")
def build(
    slugs: tuple[str, ...],
    jobs: int | None,
    timeout: float,
    force: bool,
    strict: bool,
    use_quarto: bool | None,
    full: bool,
) -> None:
    """kit run, then kit site with the privacy check before the new site goes live.

    The site shows every study that succeeded. The new site replaces _site/
    only when the privacy check finds no roster name, e-mail, phone or
    unconsented quote in reports/ or in it; otherwise the previous site stays
    and the exit code is 1 (as it is when a study failed).
    """
    from kit.privacy.leak_check import require_clean_site
    from kit.site.build import build_site

    code = run_and_report(slugs, jobs, timeout, force, strict=strict)
    root = repo_root()
    try:
        out = build_site(
            root,
            use_quarto=use_quarto,
            echo=click.echo,
            full=full,
            before_publish=lambda staged: require_clean_site(root, staged, echo=click.echo),
        )
    except KitError as exc:
        fail(exc)
    click.echo(f"site written to {out.relative_to(root)}/index.html")
    sys.exit(code)


@click.command()
@click.argument("slugs", nargs=-1)
@click.option(
    "--privacy", is_flag=True, help="Scan reports/ and _site/ for roster names, e-mails, phones and unconsented quotes."
)
@click.option(
    "--retention", is_flag=True, help="List raw data past its retention date and data of withdrawn panel people."
)
@on_option
def check(slugs: tuple[str, ...], privacy: bool, retention: bool, on: dt.datetime | None) -> None:
    """Check the published output (--privacy) or the raw data's retention (--retention); exit 1 on any hit."""
    if not privacy and not retention:
        raise click.UsageError("say what to check: --privacy or --retention")
    check_slugs(slugs)
    code = 0
    if retention:
        from kit.panel.purge import check_retention_command

        code = max(
            code,
            check_retention_command(
                repo_root(), day(on), slugs, echo=click.echo, echo_err=lambda m: click.echo(m, err=True)
            ),
        )
    if privacy:
        from kit.privacy.leak_check import check_privacy_command

        code = max(
            code, check_privacy_command(repo_root(), slugs, echo=click.echo, echo_err=lambda m: click.echo(m, err=True))
        )
    sys.exit(code)
