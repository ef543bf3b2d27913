"""``kit init`` and ``kit upgrade``: a team's own research repository, and the kit's updates to it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kit.cli.common import fail, repo_root
from kit.errors import KitError


@click.command("init")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--title", help='The site\'s title (default: "Research repository").')
@click.option("--demo", is_flag=True, help="Include the kit's demo: two example studies and their codebook.")
def init(directory: Path, title: str | None, demo: bool) -> None:
    """Create a research repository in DIR (new or empty): templates, site, workflow, Makefile, no studies."""
    from kit.repository.create import init_repository

    try:
        created = init_repository(directory, title, demo=demo)
    except KitError as exc:
        fail(exc)
    click.echo(f"created {directory}/ ({len(created.files)} files{', with the demo' if demo else ''}). Next:")
    click.echo(f"  cd {directory} && git init && make install")
    click.echo("  .venv/bin/kit new my-study --title '...'   then fill it in JupyterLab (make lab) and run make site")


@click.command("upgrade")
@click.option("--dry-run", is_flag=True, help="List what would change; change nothing.")
def upgrade(dry_run: bool) -> None:
    """Bring the kit's files (templates, site pages, theme, workflow) to the installed kit's version.

    Never touches the studies, codebook.yml, panel/, requests/ or metrics/. A
    kit file you changed keeps your change (the kit's change is merged in, or
    written beside it as NAME.kit-new); a deleted one is restored.
    """
    from kit.repository.upgrade import apply_upgrade, plan_upgrade

    try:
        plan = plan_upgrade(repo_root())
        for line in plan.report():
            click.echo(("would: " if dry_run and not plan.nothing_to_do() else "") + line)
        if not dry_run:
            apply_upgrade(plan)
    except KitError as exc:
        fail(exc)
    sys.stdout.flush()
