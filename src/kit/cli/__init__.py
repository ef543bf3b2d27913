"""The ``kit`` command: a thin layer over the library.

Exit codes: 0 ok, 1 a study failed (or a privacy leak was found), 2 bad usage.
Every :class:`~kit.errors.KitError`, and any ``OSError`` (a full disk), becomes
one clear line on stderr (:func:`kit.cli.common.fail`, :class:`kit.cli.common.KitGroup`).
The subcommands live by what they serve:
:mod:`.studies` (new, run, merge, site, build, check), :mod:`.panel`
(recruit, purge), :mod:`.analysis` (codebook, export, import), :mod:`.repository`
(init, upgrade), :mod:`.knowledge` (ask, digest).

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs`,
:mod:`kit.panel`, :mod:`kit.plan`, :mod:`kit.synthesis`, :mod:`kit.insights`,
:mod:`kit.forms`, :mod:`kit.qda`, :mod:`kit.repository`, :mod:`kit.run`, :mod:`kit.site`,
:mod:`kit.search`, :mod:`kit.digest` (it is the top layer); nothing imports it.
"""

from __future__ import annotations

import click

from kit import __version__
from kit.cli import analysis, knowledge, panel, repository, studies
from kit.cli.common import KitGroup


@click.group(cls=KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kit")
def cli() -> None:
    """Plan, run and publish user-research studies (run from the repository root)."""


for command in (
    studies.new,
    studies.run,
    studies.merge,
    studies.site,
    studies.build,
    studies.check,
    panel.recruit,
    panel.purge,
    analysis.codebook,
    analysis.export_cmd,
    analysis.import_cmd,
    repository.init,
    repository.upgrade,
    knowledge.ask,
    knowledge.digest,
):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kit")


if __name__ == "__main__":
    main()
