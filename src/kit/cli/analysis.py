"""``kit codebook``, ``kit export --qdpx`` and ``kit import``: the shared codebook and REFI-QDA exchange."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from kit.cli.common import fail, repo_root
from kit.errors import DataError, KitError
from kit.layout import inside_repository, study_folder


@click.command()
@click.option(
    "--apply-synonyms",
    "apply_to",
    metavar="SLUG",
    help="Rewrite the study's notes.csv tags: synonyms and retired codes -> the code to use.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when there is any finding (for CI).")
def codebook(apply_to: str | None, strict: bool) -> None:
    """Check every study's tags against codebook.yml (unknown tags, synonyms, retired codes, near-duplicates,
    unused codes), or rewrite one study's synonyms (--apply-synonyms SLUG, prints the diff)."""
    from kit.study.codebook import load_codebook
    from kit.study.codebook_lint import apply_synonyms, lint_repository

    root = repo_root()
    try:
        book = load_codebook(root)
        if book is None:
            raise KitError("codebook.yml: file not found at the repository root (see README, 'The codebook')")
        if apply_to:
            study = study_folder(root, apply_to, argument="--apply-synonyms")
            own = load_codebook(root, study)
            assert own is not None  # the shared codebook is there: `book` was loaded from it
            diff = apply_synonyms(study, own, _diff_redaction(study))
            nothing = f"{apply_to}: no synonyms or retired codes in notes.csv or data/coding/"
            click.echo(diff.rstrip("\n") if diff else nothing)
            return
        result = lint_repository(root, book)
    except KitError as exc:
        fail(exc)
    for p in result.problems:
        click.echo(f"{p.where}: {p.message}")
    click.echo(
        f"codebook: {len(book.codes)} codes, {len(result.usage)} studies, "
        f"{len(result.problems)} finding{'' if len(result.problems) == 1 else 's'}"
    )
    sys.exit(1 if strict and result.problems else 0)


def _diff_redaction(study: Path) -> Callable[[str], str]:
    """How a printed diff shows participant text: redacted by the study's roster, as the stages publish it."""
    from kit.privacy.redaction import redact_typed
    from kit.privacy.roster import Roster

    try:
        return Roster.from_study(study).redact
    except DataError:  # no roster yet: e-mails, phones, cards, URLs and addresses are still hidden
        return redact_typed


def print_codebook_warnings(slugs: tuple[str, ...]) -> None:
    """kit run shows the codebook lint of the studies it ran as warnings (never fails a run)."""
    from kit.study.codebook import load_codebook
    from kit.study.codebook_lint import lint_repository

    try:
        book = load_codebook(repo_root())
        if book is None:
            return
        result = lint_repository(repo_root(), book, list(slugs) or None)
    except KitError as exc:
        click.echo(f"kit: warning: {exc}", err=True)
        return
    for p in result.problems:
        click.echo(f"kit: warning: {p.where}: {p.message}", err=True)


@click.command("export")
@click.option("--qdpx", "slug", metavar="SLUG", required=True, help="Export the study as a REFI-QDA project.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .qdpx file to write (default: SLUG.qdpx at the repository root).",
)
@click.option("--raw", is_flag=True, help="Keep participants' names and words (default: pseudonymised).")
@click.option("--confirm-personal-data", is_flag=True, help="Required with --raw: the file will hold personal data.")
def export_cmd(slug: str, output: Path | None, raw: bool, confirm_personal_data: bool) -> None:
    """Write a study as a REFI-QDA .qdpx (ATLAS.ti, NVivo, MAXQDA, QualCoder)."""
    from kit.qda import export_qdpx

    try:
        root = repo_root()
        study_folder(root, slug, argument="--qdpx")
        if output is not None:
            output = inside_repository(root, output, "-o")
        s = export_qdpx(root, slug, output, raw=raw, confirm_personal_data=confirm_personal_data)
    except KitError as exc:
        fail(exc)
    click.echo(
        f"wrote {s.path} ({'raw: holds personal data' if s.raw else 'pseudonymised'}): {s.sources} sources, "
        f"{s.codes} codes, {s.users} coders, {s.selections} coded notes, {s.codings} codings"
    )


@click.command("import")
@click.option(
    "--qdc",
    "qdc",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A REFI-QDA codebook (.qdc) to merge into codebook.yml.",
)
@click.option(
    "--qdpx",
    "qdpx",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A REFI-QDA project (.qdpx): its codebook, and with --study its codings.",
)
@click.option("--study", "slug", metavar="SLUG", help="Write the project's codings to notebooks/SLUG/data/coding/.")
@click.option("--force", is_flag=True, help="Replace existing data/coding/<coder>.csv files.")
def import_cmd(qdc: Path | None, qdpx: Path | None, slug: str | None, force: bool) -> None:
    """Bring a codebook (and codings) from another QDA tool into the repository."""
    from kit.qda import import_codebook, import_codings, read_project

    if bool(qdc) == bool(qdpx):
        raise click.UsageError("give one of --qdc FILE or --qdpx FILE")
    if slug and not qdpx:
        raise click.UsageError("--study needs --qdpx (a .qdc holds no codings)")
    root = repo_root()
    source = qdc or qdpx
    assert source is not None  # exactly one of them: checked above
    try:
        study = study_folder(root, slug, argument="--study") if slug else None  # before anything is written
        project = read_project(source)
        report = import_codebook(root, source, project)
        codings = None
        if study is not None:
            codings = import_codings(study, project, force=force, names=report.names)
    except KitError as exc:
        fail(exc)
    click.echo(
        f"codebook.yml: {len(report.added)} codes added"
        + (f" ({', '.join(report.added)})" if report.added else "")
        + f", {len(report.already)} already there"
    )
    for line in report.kept_apart:
        click.echo(f"  kept apart: {line}")
    for line in report.matched:
        click.echo(f"  matched {line}")
    for line in report.conflicts:
        click.echo(f"  conflict: {line}")
    for line in report.not_filled:
        click.echo(f"  not filled: {line} (existing codes are left as they are)")
    if codings is not None:
        for line in codings.coding_files:
            click.echo(f"wrote {line}")
        for line in codings.skipped:
            click.echo(f"  skipped {line}")
