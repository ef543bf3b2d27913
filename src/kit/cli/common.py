"""What every ``kit`` subcommand shares: the repository root, the one-line error, the common options.

Subcommands import what they need when they run: `kit --help` and `kit new`
stay fast, without papermill, Jupyter or Quarto's helpers loaded.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from kit.errors import KitError


def repo_root() -> Path:
    """The repository the command works on: ``$KIT_REPO``, else the current folder."""
    return Path(os.environ.get("KIT_REPO", ".")).resolve()


def day(on: dt.datetime | None) -> dt.date:
    """The day given with ``--on``, else today."""
    return on.date() if on else dt.date.today()


def fail(exc: KitError) -> NoReturn:
    """One clear line on stderr and the error's exit code (1, or 2 for bad usage)."""
    click.echo(f"kit: error: {exc}", err=True)
    sys.exit(exc.exit_code)


jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(1), default=None, help="Studies run in parallel (default: CPU count)."
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=600,
    show_default=True,
    help="Seconds a single cell may run before its study fails.",
)
on_option = click.option(
    "--on",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day the rules are applied on (default: today), YYYY-MM-DD.",
)
force_option = click.option(
    "--force", is_flag=True, help="Execute every notebook, even those whose inputs did not change."
)
strict_option = click.option("--strict", is_flag=True, help="Fail a study whose stages raised warnings (for CI).")
