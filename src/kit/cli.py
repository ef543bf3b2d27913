"""The ``kit`` command: a thin layer over the library.

Exit codes: 0 ok, 1 a study failed (or a privacy leak was found), 2 bad usage.
Every :class:`~kit.errors.KitError` becomes one clear line on stderr.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from kit import __version__
from kit.errors import KitError, UsageError
from kit.layout import notebooks_root

# Subcommands import what they need when they run: `kit --help` and `kit new`
# stay fast, without papermill, Jupyter or Quarto's helpers loaded.


def _repo_root() -> Path:
    return Path(os.environ.get("KIT_REPO", ".")).resolve()


def _day(on: dt.datetime | None) -> dt.date:
    return on.date() if on else dt.date.today()


def _fail(exc: KitError) -> None:
    click.echo(f"kit: error: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kit")
def cli() -> None:
    """Plan, run and publish user-research studies (run from the repository root)."""


@cli.command()
@click.argument("slug")
@click.option("--title", help="Study title (default: from the slug).")
def new(slug: str, title: str | None) -> None:
    """Create notebooks/SLUG/ with study.yml, data files and the notebooks."""
    from kit.run.new_study import new_study

    try:
        path = new_study(_repo_root(), slug, title)
    except KitError as exc:
        _fail(exc)
    click.echo(f"created {path.relative_to(_repo_root())}/: fill study.yml (or open 01-plan.ipynb "
               "in JupyterLab), add data/ files, then `kit run " + slug + "`")


def _run(slugs: tuple[str, ...], jobs: int | None, timeout: float, force: bool = False,
         shard: str | None = None, strict: bool = False) -> int:
    from kit.run.progress import RunDisplay
    from kit.run.runner import run_studies
    from kit.run.shards import parse_shard
    from kit.run.stage_warnings import study_warnings
    from kit.site.index import refresh_index

    display = RunDisplay()
    try:
        part = parse_shard(shard) if shard is not None else None
        with display:
            results = run_studies(_repo_root(), slugs or None, jobs=jobs, timeout=timeout,
                                  on_event=display.event, force=force, shard=part)
        refresh_index(_repo_root())
    except KitError as exc:
        _fail(exc)
    warnings = {r.slug: study_warnings(_repo_root(), r.slug) for r in results if r.ok and not r.removed}
    failed = display.summary(results, warnings, strict=strict)
    print_codebook_warnings(slugs)
    return 0 if not failed else 1


_jobs = click.option("--jobs", "-j", type=click.IntRange(1), default=None,
                     help="Studies run in parallel (default: CPU count).")
_timeout = click.option("--timeout", type=click.FloatRange(1), default=600, show_default=True,
                        help="Seconds a single cell may run before its study fails.")
_on = click.option("--on", type=click.DateTime(["%Y-%m-%d"]), default=None,
                   help="The day the rules are applied on (default: today), YYYY-MM-DD.")
_force = click.option("--force", is_flag=True,
                      help="Execute every notebook, even those whose inputs did not change.")
_strict = click.option("--strict", is_flag=True,
                       help="Fail a study whose stages raised warnings (for CI).")


@cli.command()
@click.argument("slugs", nargs=-1)
@_jobs
@_timeout
@_force
@click.option("--shard", metavar="K/N", default=None,
              help="Run only shard K of N (studies split by expected cost; combine with kit merge).")
@_strict
def run(slugs: tuple[str, ...], jobs: int | None, timeout: float, force: bool, shard: str | None,
        strict: bool) -> None:
    """Execute the studies' notebooks with papermill into reports/ (all when none named).

    Only notebooks whose inputs changed since their last successful run are
    executed (see reports/<slug>/.manifest.json); --force runs them all.
    --shard K/N runs one machine's share; `kit merge` combines the shards' reports/.
    Each study's warnings are counted and the first few printed; --strict
    fails a study that has any.
    """
    sys.exit(_run(slugs, jobs, timeout, force, shard, strict))


@cli.command()
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path))
def merge(folders: tuple[Path, ...]) -> None:
    """Combine the reports/ folders of `kit run --shard K/N` (one per shard) into reports/.

    Refuses a study found in two shards and reports a missing shard or a
    study no shard ran; then rebuilds reports/index.json.
    """
    from kit.lock import repository_lock
    from kit.run.merge import merge_shards
    from kit.run.runner import discover_studies
    from kit.site.index import refresh_index

    root = _repo_root()
    try:
        with repository_lock(root):
            expected = [p.name for p in discover_studies(root)]
            result = merge_shards(root, [f.resolve() for f in folders], expected)
            refresh_index(root)
    except KitError as exc:
        _fail(exc)
    click.echo(f"merged {len(result.studies)} studies from {result.shards} shards into reports/")


@cli.command()
@click.option("--quarto/--no-quarto", "use_quarto", default=None,
              help="Force or forbid Quarto (default: use it when on PATH).")
@click.option("--full", is_flag=True,
              help="Render every page (default: only pages whose inputs changed, plus the listings).")
def site(use_quarto: bool | None, full: bool) -> None:
    """Render _site/ (Quarto when installed, else a static preview).

    Incremental: only the study pages whose published notebook or study
    (title, pages) changed are rendered again, with home, insights and
    playbook; the rest of _site/ is kept. --full renders everything.
    """
    from kit.site.build import build_site

    try:
        out = build_site(_repo_root(), use_quarto=use_quarto, echo=click.echo, full=full)
    except KitError as exc:
        _fail(exc)
    click.echo(f"site written to {out.relative_to(_repo_root())}/index.html")


@cli.command()
@click.argument("slugs", nargs=-1)
@_jobs
@_timeout
@_force
@_strict
@click.option("--quarto/--no-quarto", "use_quarto", default=None)
@click.option("--full", is_flag=True, help="Render every page of the site, not only the changed ones.")
def build(slugs: tuple[str, ...], jobs: int | None, timeout: float, force: bool, strict: bool,
          use_quarto: bool | None, full: bool) -> None:
    """kit run, then kit site with the privacy check before the new site goes live.

    The site shows every study that succeeded. The new site replaces _site/
    only when the privacy check finds no roster name, e-mail, phone or
    unconsented quote in reports/ or in it; otherwise the previous site stays
    and the exit code is 1 (as it is when a study failed).
    """
    from kit.privacy.leak_check import require_clean_site
    from kit.site.build import build_site

    code = _run(slugs, jobs, timeout, force, strict=strict)
    root = _repo_root()
    try:
        out = build_site(root, use_quarto=use_quarto, echo=click.echo, full=full,
                         before_publish=lambda staged: require_clean_site(root, staged, echo=click.echo))
    except KitError as exc:
        _fail(exc)
    click.echo(f"site written to {out.relative_to(root)}/index.html")
    sys.exit(code)


@cli.command()
@click.argument("slugs", nargs=-1)
@click.option("--privacy", is_flag=True,
              help="Scan reports/ and _site/ for roster names, e-mails, phones and unconsented quotes.")
@click.option("--retention", is_flag=True,
              help="List raw data past its retention date and data of withdrawn panel people.")
@_on
def check(slugs: tuple[str, ...], privacy: bool, retention: bool, on: dt.datetime | None) -> None:
    """Check the published output (--privacy) or the raw data's retention (--retention); exit 1 on any hit."""
    if not privacy and not retention:
        raise click.UsageError("say what to check: --privacy or --retention")
    code = 0
    if retention:
        from kit.panel.purge import check_retention_command

        code = max(code, check_retention_command(_repo_root(), _day(on), slugs, echo=click.echo,
                                                 echo_err=lambda m: click.echo(m, err=True)))
    if privacy:
        from kit.privacy.leak_check import check_privacy_command

        code = max(code, check_privacy_command(_repo_root(), slugs, echo=click.echo,
                                               echo_err=lambda m: click.echo(m, err=True)))
    sys.exit(code)


@cli.command()
@click.argument("slug")
@click.option("--n", "n", type=click.IntRange(1), required=True, help="How many people to invite.")
@click.option("--segment", "segments", multiple=True,
              help="Only these segments of the plan (repeatable; default: all the plan's segments).")
@click.option("--beta", is_flag=True, help="Only members of the beta programme.")
@_on
def recruit(slug: str, n: int, segments: tuple[str, ...], beta: bool, on: dt.datetime | None) -> None:
    """Propose N eligible panel people for SLUG, balanced over its segments, into data/invites.csv.

    People in cooldown, over the 12-month or no-show limits, withdrawn or not
    opted in are left out. Each invitation names the contact owner to ask
    first and the role that reaches out (the RACI row 'customer communication').
    Too few eligible people: exit 2, naming the shortfall per segment.
    """
    from kit.panel.recruit import recruit as propose

    try:
        rec = propose(_repo_root(), slug, n, segments, beta, _day(on))
    except KitError as exc:
        _fail(exc)
    for seg, ids in rec.picked.items():
        click.echo(f"{seg}: {len(ids)} of {rec.eligible[seg]} eligible")
    click.echo(f"excluded: {rec.exclusions_text()}")
    click.echo(f"wrote {rec.path.relative_to(_repo_root())} ({sum(map(len, rec.picked.values()))} people; "
               f"reaches out: {rec.reaches_out or 'nobody in the RACI row customer communication'}; "
               "ask each person's contact owner first)")


@cli.command()
@click.option("--withdrawn", is_flag=True, help="Delete the raw data of people who withdrew consent.")
@click.option("--expired", is_flag=True, help="Delete raw data past its retention date.")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@_on
@_jobs
@_timeout
def purge(withdrawn: bool, expired: bool, dry_run: bool, on: dt.datetime | None, jobs: int | None,
          timeout: float) -> None:
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
    root = _repo_root()
    try:
        report = run_purge(root, _day(on), withdrawn=withdrawn, expired=expired, dry_run=dry_run)
    except KitError as exc:
        _fail(exc)
    for line in report.lines():
        click.echo(line)
    if not report.due():
        click.echo(f"nothing to purge on {report.day}")
        sys.exit(0)
    if dry_run:
        click.echo("dry run: nothing deleted")
        sys.exit(0)
    click.echo(f"purged; logged in panel/purge-log.csv ({len(report.due())} subject(s), ids and counts only)")
    code = _run(tuple(sorted(report.studies)), jobs, timeout) if report.studies else 0
    from kit.layout import SITE_DIR

    if (root / SITE_DIR).is_dir():
        from kit.privacy.leak_check import require_clean_site
        from kit.site.build import build_site

        try:
            build_site(root, echo=click.echo,
                       before_publish=lambda staged: require_clean_site(root, staged, echo=click.echo))
        except KitError as exc:
            _fail(exc)
    sys.exit(code)


@cli.command()
@click.option("--apply-synonyms", "apply_to", metavar="SLUG",
              help="Rewrite the study's notes.csv tags: synonyms and retired codes -> the code to use.")
@click.option("--strict", is_flag=True, help="Exit 1 when there is any finding (for CI).")
def codebook(apply_to: str | None, strict: bool) -> None:
    """Check every study's tags against codebook.yml (unknown tags, synonyms, retired codes, near-duplicates,
    unused codes), or rewrite one study's synonyms (--apply-synonyms SLUG, prints the diff)."""
    from kit.study.codebook import load_codebook
    from kit.study.codebook_lint import apply_synonyms, lint_repository

    root = _repo_root()
    try:
        book = load_codebook(root)
        if book is None:
            raise KitError("codebook.yml: file not found at the repository root (see README, 'The codebook')")
        if apply_to:
            study = notebooks_root(root) / apply_to
            if not study.is_dir():
                raise UsageError(f"unknown study '{apply_to}': no folder notebooks/{apply_to}/")
            own = load_codebook(root, study)
            diff = apply_synonyms(study, own)
            nothing = f"{apply_to}: no synonyms or retired codes in notes.csv or data/coding/"
            click.echo(diff.rstrip("\n") if diff else nothing)
            return
        result = lint_repository(root, book)
    except KitError as exc:
        _fail(exc)
    for p in result.problems:
        click.echo(f"{p.where}: {p.message}")
    click.echo(f"codebook: {len(book.codes)} codes, {len(result.usage)} studies, "
               f"{len(result.problems)} finding{'' if len(result.problems) == 1 else 's'}")
    sys.exit(1 if strict and result.problems else 0)


def print_codebook_warnings(slugs: tuple[str, ...]) -> None:
    """kit run shows the codebook lint of the studies it ran as warnings (never fails a run)."""
    from kit.study.codebook import load_codebook
    from kit.study.codebook_lint import lint_repository

    try:
        book = load_codebook(_repo_root())
        if book is None:
            return
        result = lint_repository(_repo_root(), book, list(slugs) or None)
    except KitError as exc:
        click.echo(f"kit: warning: {exc}", err=True)
        return
    for p in result.problems:
        click.echo(f"kit: warning: {p.where}: {p.message}", err=True)


@cli.command("export")
@click.option("--qdpx", "slug", metavar="SLUG", required=True, help="Export the study as a REFI-QDA project.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdpx file to write (default: SLUG.qdpx at the repository root).")
@click.option("--raw", is_flag=True, help="Keep participants' names and words (default: pseudonymised).")
@click.option("--confirm-personal-data", is_flag=True,
              help="Required with --raw: the file will hold personal data.")
def export_cmd(slug: str, output: Path | None, raw: bool, confirm_personal_data: bool) -> None:
    """Write a study as a REFI-QDA .qdpx (ATLAS.ti, NVivo, MAXQDA, QualCoder)."""
    from kit.qda import export_qdpx

    try:
        s = export_qdpx(_repo_root(), slug, output, raw=raw, confirm_personal_data=confirm_personal_data)
    except KitError as exc:
        _fail(exc)
    click.echo(f"wrote {s.path} ({'raw: holds personal data' if s.raw else 'pseudonymised'}): {s.sources} sources, "
               f"{s.codes} codes, {s.users} coders, {s.selections} coded notes, {s.codings} codings")


@cli.command("import")
@click.option("--qdc", "qdc", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A REFI-QDA codebook (.qdc) to merge into codebook.yml.")
@click.option("--qdpx", "qdpx", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A REFI-QDA project (.qdpx): its codebook, and with --study its codings.")
@click.option("--study", "slug", metavar="SLUG", help="Write the project's codings to notebooks/SLUG/data/coding/.")
@click.option("--force", is_flag=True, help="Replace existing data/coding/<coder>.csv files.")
def import_cmd(qdc: Path | None, qdpx: Path | None, slug: str | None, force: bool) -> None:
    """Bring a codebook (and codings) from another QDA tool into the repository."""
    from kit.qda import import_codebook, import_codings, read_project

    if bool(qdc) == bool(qdpx):
        raise click.UsageError("give one of --qdc FILE or --qdpx FILE")
    if slug and not qdpx:
        raise click.UsageError("--study needs --qdpx (a .qdc holds no codings)")
    root = _repo_root()
    try:
        project = read_project(qdc or qdpx)
        report = import_codebook(root, qdc or qdpx, project)
        codings = None
        if slug:
            study = notebooks_root(root) / slug
            if not study.is_dir():
                raise UsageError(f"unknown study '{slug}': no folder notebooks/{slug}/")
            codings = import_codings(study, project, force=force)
    except KitError as exc:
        _fail(exc)
    click.echo(f"codebook.yml: {len(report.added)} codes added"
               + (f" ({', '.join(report.added)})" if report.added else "")
               + f", {len(project.codes) - len(report.added)} already there")
    for line in report.matched:
        click.echo(f"  matched {line}")
    for line in report.conflicts:
        click.echo(f"  conflict: {line}")
    if codings is not None:
        for line in codings.coding_files:
            click.echo(f"wrote {line}")
        for line in codings.skipped:
            click.echo(f"  skipped {line}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kit")


if __name__ == "__main__":
    main()
