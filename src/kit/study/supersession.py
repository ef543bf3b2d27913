"""``superseded_by`` in a study and across studies: every study's insights.yml read together.

The insights stage checks the references inside its own study
(:func:`study_lifecycle_problems`, which also warns about a superseded
insight that still carries an open recommendation); a reference to
another study (``other-study/I3``) and a loop through several studies
(A→B→A) need every study's insights, which no single notebook reads (and
whose change would not re-run it). ``kit run`` therefore runs this check on
the whole repository after the studies ran: each finding names the file,
the line of ``superseded_by`` and the chain.

Only files that mention ``superseded_by`` are parsed in full at first, then
the studies they point to: at hundreds of studies a run reads a few files,
not all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kit.errors import Problem
from kit.layout import INSIGHTS_FILE, NOTEBOOKS_DIR, notebooks_root
from kit.study.input_limits import limits
from kit.study.insights_file import InsightsFile, insight_key_lines
from kit.study.lifecycle import (
    INSIGHT_REF_RE,
    OPEN_RECOMMENDATIONS,
    SUPERSEDED,
    Replacement,
    chain_problems,
    insight_where,
    lifecycle_status,
    line_of,
    parse_ref,
    review_due,
)
from kit.study.safe_yaml import SAFE_LOADER, YamlDocument


@dataclass
class StudyInsights:
    """What the checks need of one study's insights.yml: ids, replacements and lines."""

    slug: str
    ids: list[str] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, int]] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return f"{NOTEBOOKS_DIR}/{self.slug}/{INSIGHTS_FILE}"


def read_study_insights(repo_root: Path, slug: str) -> StudyInsights | None:
    """A study's insight ids, ``superseded_by`` values and key lines, as written; None when unreadable.

    Not validated (the study's stage reports a bad file) and not constructed:
    the document is only composed into nodes (libyaml) and the scalars of
    each insight's keys read off them, a third of what loading costs; an
    alias bomb stays a graph of shared nodes that is never expanded.
    """
    path = notebooks_root(repo_root) / slug / INSIGHTS_FILE
    if not path.is_file() or path.stat().st_size > limits()["yaml_max_bytes"]:
        return None
    loader = SAFE_LOADER(path.read_bytes())
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    rows: list[dict[str, Any]] = []
    listed = None
    if isinstance(root, yaml.MappingNode):
        listed = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "insights"), None)
    for item in listed.value if isinstance(listed, yaml.SequenceNode) else []:
        if not isinstance(item, yaml.MappingNode):
            return None  # a malformed list: the stage names it
        rows.append({str(k.value): v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)})
    lines = insight_key_lines(YamlDocument(None, root=root))
    return StudyInsights(slug, [str(r.get("id")) for r in rows], rows, lines)


def _replacements(study: StudyInsights) -> dict[str, Replacement]:
    links = {}
    for n, row in enumerate(study.raw):
        ref = row.get("superseded_by")
        m = INSIGHT_REF_RE.fullmatch(ref) if isinstance(ref, str) else None
        if m is None or not isinstance(ref, str):
            continue  # absent, or a spelling the schema refuses in the stage
        key = f"{study.slug}/{row.get('id')}"
        where = insight_where(study.shown, line_of(study.lines, n, "superseded_by"), str(row.get("id")))
        links[key] = Replacement(key, f"{m['study'] or study.slug}/{m['insight']}", ref, where)
    return links


def supersession_problems(repo_root: str | Path) -> dict[str, list[Problem]]:
    """Study -> the errors of its ``superseded_by`` references, checked against every study."""
    root = Path(repo_root)
    folders = sorted(p for p in notebooks_root(root).glob("*") if (p / INSIGHTS_FILE).is_file())
    slugs = {p.name for p in folders}
    read: dict[str, StudyInsights | None] = {}

    def study(slug: str) -> StudyInsights | None:
        if slug not in read:
            read[slug] = read_study_insights(root, slug) if slug in slugs else None
        return read[slug]

    for p in folders:  # a file that never says superseded_by replaces nothing: no need to parse it
        if b"superseded_by" in (p / INSIGHTS_FILE).read_bytes():
            study(p.name)
    links: dict[str, Replacement] = {}
    pending = [s for s in read.values() if s is not None]
    while pending:  # the studies the links lead to, and theirs: a loop may pass through any
        found = _replacements(pending.pop())
        links.update(found)
        for link in found.values():
            target = link.target.split("/")[0]
            if target not in read and (other := study(target)) is not None:
                pending.append(other)
    known = {slug: s.ids for slug, s in read.items() if s is not None}
    # An unreadable insights.yml is its own stage's to report: its ids are unknown, not missing.
    unreadable = {slug for slug, s in read.items() if s is None and slug in slugs}
    checked = {link.target.split("/")[0] for link in links.values()} - unreadable
    source = {link.where: link.key.split("/")[0] for link in links.values()}
    out: dict[str, list[Problem]] = {}
    for problem in chain_problems(links, known, checked):
        out.setdefault(source[problem.where], []).append(problem)
    return out


def review_warnings(repo_root: str | Path, insights: list[dict[str, Any]], today: dt.date) -> dict[str, list[str]]:
    """Study -> warnings for current insights past their review date, from the index's entries.

    The same text as the insights stage writes (line included), so a study
    whose notebook ran on an earlier day shows the warning once, and one
    whose review date passed since is warned about without running again.
    """
    out: dict[str, list[str]] = {}
    lines: dict[str, StudyInsights | None] = {}
    for e in insights:
        day = e.get("review_by")
        status = e.get("status") or lifecycle_status(None, e.get("superseded_by"))
        if not day or dt.date.fromisoformat(day) > today:
            continue
        slug, ident = e["study"], e["insight"]
        if slug not in lines:
            lines[slug] = read_study_insights(Path(repo_root), slug)
        own = lines[slug]
        n = own.ids.index(ident) if own is not None and ident in own.ids else -1
        line = line_of(own.lines, n, "review_by") if own is not None and n >= 0 else None
        problem = review_due(
            insight_where(INSIGHTS_FILE, line, ident), slug, ident, status, dt.date.fromisoformat(day), today
        )
        if problem is not None:
            out.setdefault(slug, []).append(str(problem))
    return out


def study_lifecycle_problems(
    spec: InsightsFile, study: str, lines: list[dict[str, int]], source: str = INSIGHTS_FILE
) -> list[Problem]:
    """The in-study checks of the insights stage and the form: ``superseded_by`` errors (an unknown
    insight of this study, the insight itself, a loop), and a warning for each superseded insight
    that still carries an open recommendation. ``lines``: :func:`insight_key_lines` (may be empty)."""
    links = {}
    for n, ins in enumerate(spec.insights):
        if ins.superseded_by:
            target = "/".join(parse_ref(ins.superseded_by, study))
            where = insight_where(source, line_of(lines, n, "superseded_by"), ins.id)
            links[f"{study}/{ins.id}"] = Replacement(f"{study}/{ins.id}", target, ins.superseded_by, where)
    found = chain_problems(links, {study: [i.id for i in spec.insights]}, {study})
    for n, ins in enumerate(spec.insights):
        open_recs = [r.id for r in ins.recommendations if r.status in OPEN_RECOMMENDATIONS]
        if ins.lifecycle == SUPERSEDED and open_recs:
            found.append(
                Problem(
                    insight_where(source, line_of(lines, n, "superseded_by"), ins.id),
                    f"superseded by {ins.superseded_by}, but open recommendations still rest on it: "
                    f"{', '.join(open_recs)} (not shipped or rejected): move them to the insight that replaced it, "
                    "or decide them",
                    fatal=False,
                )
            )
    return found
