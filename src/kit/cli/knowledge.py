"""``kit ask`` and ``kit digest``: find what the repository knows, and what changed in it."""

from __future__ import annotations

import datetime as dt
import json

import click

from kit.cli.common import day, fail, repo_root
from kit.errors import KitError


@click.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (study, id, kind, text, score ...).")
@click.option("--limit", "-n", type=click.IntRange(1), default=10, show_default=True, help="Results to show.")
def ask(query: str, as_json: bool, limit: int) -> None:
    """Search every study's insights and recommendations (offline, ranked; synonyms of the codebook count)."""
    from kit.search.ask import ask as search
    from kit.search.ask import one_line

    try:
        hits = search(repo_root(), query, limit)
    except KitError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps([h.as_json() for h in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        click.echo(f"ask: nothing matches {query!r}")
        return
    for h in hits:
        ident = f"{h.insight}/{h.id}" if h.insight else h.id
        click.echo(f"{h.study}  {ident}  {h.kind}  confidence {h.confidence}  {h.status}  ({h.score:.2f})")
        click.echo(f"    {one_line(h.text)}")


@click.command()
@click.option("--since", "since", required=True, metavar="REF", help="A git revision (HEAD~1, a tag) or a date.")
@click.option("--until", "until", metavar="REF", help="Compare with this revision (default: the working tree).")
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True, help="Output."
)
@click.option(
    "--on",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Reviews due on this day (default: today), YYYY-MM-DD.",
)
def digest(since: str, until: str | None, fmt: str, on: dt.datetime | None) -> None:
    """What changed in the insights since REF (new, changed, superseded, decisions, reviews due): Markdown or JSON."""
    from kit.digest.changes import digest as compare
    from kit.digest.changes import digest_markdown

    try:
        result = compare(repo_root(), since, until, day(on))
    except KitError as exc:
        fail(exc)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if fmt == "json" else digest_markdown(result))
