"""What every ``kit`` subcommand shares: the repository root, the one-line error, the common options.

Subcommands import what they need when they run: `kit --help` and `kit new`
stay fast, without papermill, Jupyter or Quarto's helpers loaded.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

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


def os_error_line(exc: OSError) -> str:
    """An OSError the kit did not name itself as one line: the path(s), the reason and its errno name."""
    from kit.iorw import shown

    paths = [shown(p) for p in (exc.filename, exc.filename2) if p is not None]
    code = errno.errorcode.get(exc.errno) if exc.errno is not None else None
    reason = (exc.strerror or str(exc) or type(exc).__name__) + (f" [{code}]" if code else "")
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


class KitGroup(click.Group):
    """The ``kit`` group: whatever a subcommand lets through as a KitError or OSError is one line and exit 1.

    Subcommands catch their KitErrors themselves (:func:`fail`); this is the
    last net, so a full disk or a permission error met anywhere never prints
    a Python traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KitError as exc:
            fail(exc)
        except OSError as exc:
            click.echo(f"kit: error: {os_error_line(exc)}", err=True)
            sys.exit(1)


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
