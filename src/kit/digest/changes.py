"""What changed in the insights between two versions of the repository, as Markdown or JSON.

Compared per study and insight id (:mod:`kit.digest.history` reads both
sides): a new insight (or a draft that became current), a removed one, a
changed statement, changed evidence (with the confidence the last ``kit run``
computed: confidence is not in ``insights.yml``, so the old one is not known),
an insight newly superseded (with the insight that replaced it) or archived,
a recommendation whose status changed or that was added (with who decided
and when), and the reviews due on the day (``review_by`` on or before it and
no later ``reviewed_on``; the date from ``insights.yml``, else the one the
insights stage published). Nothing unchanged is listed.

Statements and actions are redacted with the study's roster as the insights
stage publishes them (:meth:`kit.privacy.roster.Roster.redact`; without a
roster, e-mails, phones and the like still are), and escaped as Markdown
(:func:`kit.display.markdown_text`): the digest is meant to be pasted into
e-mail, Slack or an issue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kit.digest.history import WORKING_TREE, InsightView, insights_at, resolve
from kit.display import markdown_text as md
from kit.errors import DataError, StageOrderError
from kit.layout import INSIGHTS_JSON, notebooks_root, study_reports
from kit.outputs.insights import read_insights_json
from kit.privacy.redaction import redact_typed
from kit.privacy.roster import Roster

NOT_CURRENT = frozenset({"draft", "superseded", "archived"})
# Sections of the digest: key in the JSON, heading in the Markdown, in the order shown.
SECTIONS = (
    ("new_insights", "New insights"),
    ("changed_insights", "Changed insights"),
    ("superseded", "Newly superseded"),
    ("archived", "Newly archived"),
    ("removed", "Removed insights"),
    ("recommendations", "Recommendation decisions"),
    ("reviews_due", "Reviews due"),
)


def _redactor(root: Path, slug: str) -> Callable[[str], str]:
    """The study's roster redaction, as the insights stage publishes; without a roster, the typed patterns."""
    try:
        return Roster.from_study(notebooks_root(root) / slug).redact
    except DataError:
        return redact_typed


def _published(root: Path, slug: str) -> dict[str, Any]:
    """What the last ``kit run`` published for the study: its title and each insight's confidence and review date."""
    try:
        result = read_insights_json(study_reports(root, slug) / INSIGHTS_JSON)
    except StageOrderError:
        return {"title": slug, "insights": {}}
    return {
        "title": result.study.title,
        "insights": {i.id: {"confidence": i.confidence.level, "review_by": i.review_by} for i in result.insights},
    }


def _flat(text: str) -> str:
    return " ".join(text.split())


def _review_due(ins: InsightView, published: dict[str, Any], on: dt.date) -> str | None:
    review_by = ins.review_by or published.get("review_by")
    if not review_by or ins.status in NOT_CURRENT:
        return None
    try:
        due = dt.date.fromisoformat(str(review_by))
    except ValueError:
        return None
    reviewed = ins.reviewed_on and str(ins.reviewed_on) >= due.isoformat()
    return due.isoformat() if due <= on and not reviewed else None


def compare_study(
    slug: str,
    old: dict[str, InsightView],
    new: dict[str, InsightView],
    published: dict[str, Any],
    redact: Callable[[str], str],
    on: dt.date,
) -> dict[str, list[dict[str, Any]]]:
    """The changes of one study, section by section."""
    out: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in SECTIONS}
    title = published["title"]

    def item(ins: InsightView, **extra: Any) -> dict[str, Any]:
        conf = published["insights"].get(ins.id, {}).get("confidence")
        base = {"study": slug, "study_title": title, "id": ins.id, "statement": redact(_flat(ins.statement))}
        return {**base, "status": ins.status, "confidence": conf, **extra}

    for ident, ins in new.items():
        before = old.get(ident)
        if ins.status != "draft" and (before is None or before.status == "draft"):
            out["new_insights"].append(item(ins, tags=ins.tags))
        elif before is not None and before.status != "draft":
            changes = []
            if _flat(before.statement) != _flat(ins.statement):
                changes.append("statement")
            if (before.evidence, before.counter_evidence) != (ins.evidence, ins.counter_evidence):
                changes.append("evidence")
            if changes:
                was = redact(_flat(before.statement)) if "statement" in changes else None
                out["changed_insights"].append(item(ins, changes=changes, old_statement=was))
            for status in ("superseded", "archived"):
                if ins.status == status and before.status != status:
                    out[status].append(item(ins, superseded_by=ins.superseded_by))
        old_recs = {r.id: r for r in before.recommendations} if before else {}
        for rec in ins.recommendations:
            was_rec = old_recs.get(rec.id)
            if was_rec is None or was_rec.status != rec.status:
                out["recommendations"].append(
                    {
                        "study": slug,
                        "study_title": title,
                        "insight": ident,
                        "id": rec.id,
                        "action": redact(_flat(rec.action)),
                        "old_status": was_rec.status if was_rec else None,
                        "status": rec.status,
                        "decided_by": rec.decided_by,
                        "decided_on": rec.decided_on,
                    }
                )
        due = _review_due(ins, published["insights"].get(ident, {}), on)
        if due:
            out["reviews_due"].append(item(ins, review_by=due))
    for ident, ins in old.items():
        if ident not in new and ins.status != "draft":
            out["removed"].append(item(ins))
    return out


def digest(root: str | Path, since: str, until: str | None = None, on: dt.date | None = None) -> dict[str, Any]:
    """The changes between ``since`` (a revision or a date) and ``until`` (a revision; default the working tree)."""
    root = Path(root).resolve()
    old_rev = resolve(root, since, "--since")
    new_rev = resolve(root, until, "--until") if until else WORKING_TREE
    old, new = insights_at(root, old_rev), insights_at(root, new_rev)
    day = on or dt.date.today()
    result: dict[str, Any] = {
        "since": {"ref": since, "commit": old_rev.commit, "date": old_rev.date},
        "until": {"ref": until or "working tree", "commit": new_rev.commit, "date": new_rev.date},
        "on": day.isoformat(),
        **{key: [] for key, _ in SECTIONS},
    }
    for slug in sorted(set(old) | set(new)):
        before = {i.id: i for i in old[slug].insights} if slug in old else {}
        after = {i.id: i for i in new[slug].insights} if slug in new else {}
        changes = compare_study(slug, before, after, _published(root, slug), _redactor(root, slug), day)
        for key, items in changes.items():
            result[key].extend(items)
    return result


def _insight_line(e: dict[str, Any]) -> str:
    conf = f", confidence {md(e['confidence'])}" if e.get("confidence") else ""
    return f"- **{md(e['study'])}/{md(e['id'])}** ({md(e['study_title'])}{conf}): {md(e['statement'])}"


def _section_lines(key: str, e: dict[str, Any]) -> list[str]:
    if key == "recommendations":
        change = f"{md(e['old_status'])} → {md(e['status'])}" if e["old_status"] else f"new, {md(e['status'])}"
        who = f", decided by {md(e['decided_by'])}" if e.get("decided_by") else ""
        when = f" on {md(e['decided_on'])}" if e.get("decided_on") else ""
        return [f"- **{md(e['study'])}/{md(e['insight'])}/{md(e['id'])}** ({change}{who}{when}): {md(e['action'])}"]
    line = _insight_line(e)
    if key == "changed_insights":
        line += f" *({md(' and '.join(e['changes']))} changed)*"
        return [line] + ([f"  - was: {md(e['old_statement'])}"] if e.get("old_statement") else [])
    if key == "superseded" and e.get("superseded_by"):
        return [line + f" *(replaced by {md(e['superseded_by'])})*"]
    if key == "reviews_due":
        return [line + f" *(review due since {md(e['review_by'])})*"]
    return [line]


def digest_markdown(result: dict[str, Any]) -> str:
    """The digest as Markdown: a heading, one section per kind of change (empty ones left out)."""
    since, until = result["since"], result["until"]
    at = f" ({since['commit'][:10]}, {since['date']})" if since.get("commit") else " (before the first commit)"
    to = f", up to {md(until['ref'])}" if until.get("commit") else ""
    out = [f"## Research digest: what changed since {md(since['ref'])}{at}{to}", ""]
    shown = [(key, heading, result[key]) for key, heading in SECTIONS if result[key]]
    if not shown:
        return "\n".join([*out, "No change to any study's insights, and no review due.", ""])
    for key, heading, items in shown:
        out += [f"### {heading} ({len(items)})", ""]
        for e in items:
            out += _section_lines(key, e)
        out.append("")
    return "\n".join(out)
