"""Candidate insights: drafts proposed from the synthesis for a researcher to accept.

Two sources, both requiring breadth (at least ``k`` distinct participants,
``candidate_min_participants`` in insights.yml, default 3):

* every synthesis theme (``T1`` ...) seen with >= k participants;
* every note tag seen with >= k participants that no such theme already carries.

Each candidate has its evidence pre-filled (the theme, problem notes first,
then quotes), the research questions whose plan tags it shares, a draft
statement to rewrite, and a YAML snippet to paste into insights.yml. Drafts
live under ``candidates`` in insights.json with ``draft: true``; they are
never insights until a researcher writes them into insights.yml (optionally
with ``from_candidate: C-T1``, which marks the draft as accepted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from kit.insights.confidence import rate
from kit.insights.evidence import EvidenceItem
from kit.outputs.synthesis import Synthesis
from kit.study.insights_file import InsightsFile
from kit.study.study_file import Study

MAX_NOTES = 5
MAX_QUOTES = 3
_KIND_ORDER = {"problem": 0, "observation": 1, "quote": 2}


def _members(theme: EvidenceItem, index: dict[str, EvidenceItem]) -> list[str]:
    """A theme's notes and quotes that the index holds, once each, in the theme's order."""
    return list(dict.fromkeys(i for i in theme.members if i in index))


def _pick(ids: list[str], index: dict[str, EvidenceItem]) -> list[str]:
    """Problem notes first, then other notes, then a few quotes (one per participant)."""
    notes = [i for i in ids if index[i].kind == "note"]
    notes.sort(key=lambda i: (_KIND_ORDER.get(index[i].note_kind, 1), i))
    quotes: list[str] = []
    seen: set[str] = set()
    for i in ids:
        item = index[i]
        if item.kind == "quote" and not (set(item.participants) & seen):
            quotes.append(i)
            seen.update(item.participants)
    return notes[:MAX_NOTES] + quotes[:MAX_QUOTES]


def _rqs_for(tags: set[str], study: Study) -> list[str]:
    return [q.id for q in study.research_questions if tags & {t.lower() for t in q.tags}]


def _snippet(cand: dict[str, Any]) -> str:
    body = {
        "id": "I?",
        "from_candidate": cand["id"],
        "statement": cand["statement"],
        "answers": cand["answers"],
        "evidence": cand["evidence"],
        "tags": cand["tags"],
    }
    return yaml.safe_dump([body], sort_keys=False, allow_unicode=True, width=100)


def tag_participants(index: dict[str, EvidenceItem]) -> dict[str, set[str]]:
    """Tag -> distinct participants of the notes and quotes carrying it."""
    out: dict[str, set[str]] = {}
    for item in index.values():
        if item.kind in ("note", "quote"):
            for tag in item.tags:
                out.setdefault(tag.lower(), set()).update(item.participants)
    return out


def propose(
    synthesis: Synthesis,
    index: dict[str, EvidenceItem],
    study: Study,
    spec: InsightsFile,
    publish: Callable[[EvidenceItem], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Draft insights from themes and tags seen with at least k participants.

    ``publish`` turns an evidence item into its publishable dict (redaction,
    consent); the drafts carry those as ``evidence_items`` for the page.
    """
    publish = publish or (lambda item: item.to_dict())
    k = spec.candidate_min_participants
    segments = synthesis.segments()
    total = len(segments) or len({p for e in index.values() for p in e.participants})
    accepted = {i.from_candidate: i.id for i in spec.insights if i.from_candidate}
    cited = {e: [i.id for i in spec.insights if e in i.evidence] for i in spec.insights for e in i.evidence}
    by_tag = tag_participants(index)
    drafts: list[dict[str, Any]] = []
    theme_tags: set[str] = set()

    for theme in synthesis.themes:
        tid = theme.id
        item = index[tid]
        if len(item.participants) < k:
            continue
        tags = {t.lower() for t in item.tags}
        theme_tags |= tags
        label = item.label or item.text or tid
        members = _pick(_members(item, index), index)
        drafts.append(
            {
                "id": f"C-{tid}",
                "source": f"theme {tid}",
                "label": label,
                "statement": f"Theme '{label}' came up with {len(item.participants)} of {total} "
                "participants (rewrite as one finding)",
                "evidence": [tid] + members,
                "tags": sorted(tags),
                "answers": _rqs_for(tags, study),
                "participants": item.participants,
                "covered_by": cited.get(tid, []),
            }
        )

    for tag, people in sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(people) < k or tag in theme_tags:
            continue
        ids = [i for i, e in index.items() if e.kind in ("note", "quote") and tag in {t.lower() for t in e.tags}]
        drafts.append(
            {
                "id": f"C-tag-{tag}",
                "source": f"tag '{tag}'",
                "label": tag,
                "statement": f"'{tag}' came up with {len(people)} of {total} participants (rewrite as one finding)",
                "evidence": _pick(ids, index),
                "tags": [tag],
                "answers": _rqs_for({tag}, study),
                "participants": sorted(people),
                "covered_by": sorted({i for e in ids for i in cited.get(e, [])}),
            }
        )

    for d in drafts:
        d["draft"] = True
        d["accepted_as"] = accepted.get(d["id"])
        d["confidence"] = rate([index[e] for e in d["evidence"]], [], segments)
        d["evidence_items"] = [publish(index[e]) for e in d["evidence"]]
        d["yaml"] = _snippet(d)
    return drafts
