"""Evidence: the items of synthesis.json that insights.yml may cite, by id.

synthesis.json (written by :mod:`kit.synthesis.stage`, shaped by
:mod:`kit.outputs.synthesis`) holds notes (``N001``), quotes (``Q-N002`` for
notes of kind quote, ``Q-S01-3`` for transcript turns), themes (``T1``) and
metrics (``M-SUS``, ``M-COMPLETION-<task>`` ...) and feature requests
(``R-<request_id>``: expressed interest, attitudinal). Every item carries
``participants`` (pseudonyms) and, for text, text that is already redacted.
This module turns those collections into one index ``id -> EvidenceItem``
that traceability, confidence, drafts and the report share, so the id
conventions live in one place.

Quotes whose words may no longer be shown (the participant never consented,
withdrew, or the words were purged) are listed by the synthesis under
``withheld_quotes`` (ids and pseudonyms, no text) and ``withheld_sessions``
(every ``Q-<session>-<n>`` of such a session). They resolve as withheld
quotes, :data:`WITHHELD_TEXT`, that still count: consent changing after the
analysis never breaks an insight's evidence link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kit.outputs.insights import PublishedEvidence
from kit.outputs.synthesis import Synthesis, metric_value_text

SESSION_QUOTE_RE = re.compile(r"^Q-(?P<session>.+)-\d+$")
WITHHELD_TEXT = "quote withheld (no consent)"


@dataclass
class EvidenceItem:
    """One citable item of the synthesis."""

    id: str
    kind: str  # note | quote | theme | metric | request
    participants: list[str] = field(default_factory=list)
    text: str = ""
    label: str = ""
    tags: list[str] = field(default_factory=list)
    source: str = "notes"  # notes | transcripts | metrics | requests: what confidence triangulates over
    verbatim: bool = False  # a participant's own words (a quote, or a note of kind quote)
    note_kind: str = ""  # observation | quote | problem, for notes
    value: str = ""  # a metric's value as one line (metric_value_text)
    members: list[str] = field(default_factory=list)  # a theme's notes and quotes
    withheld: bool = False  # a quote whose words may not be shown; it still counts as evidence
    votes: int | None = None  # a request's votes

    def published(self) -> PublishedEvidence:
        """The item as insights.json publishes it; the keys a kind has not are left unset (not written)."""
        by_kind: dict[str, Any] = {}
        if self.kind == "metric":
            by_kind["value"] = self.value
        if self.withheld:
            by_kind["withheld"] = True
        if self.kind == "request":  # what customers asked for: attitudinal, never behaviour
            by_kind.update(attitudinal=True, votes=self.votes)
        return PublishedEvidence(
            id=self.id,
            kind=self.kind,
            source=self.source,
            participants=list(self.participants),
            text=self.text,
            label=self.label or ("expressed interest" if self.kind == "request" else ""),
            tags=list(self.tags),
            **by_kind,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON for insights.json (:meth:`published`, with only the keys it set)."""
        return self.published().model_dump(exclude_unset=True)


def index_synthesis(synthesis: Synthesis, cited: Iterable[str] = ()) -> dict[str, EvidenceItem]:
    """All citable items of a synthesis, keyed by id.

    Quotes from notes of kind quote and themes (clusters of notes) count as
    notes; quotes cut from a transcript count as transcripts; confidence
    counts these source kinds (triangulation). Withheld quotes are included
    (text :data:`WITHHELD_TEXT`); ``cited`` ids of the form ``Q-<session>-<n>``
    whose session is withheld resolve as withheld too (their transcript may be gone).
    """
    index: dict[str, EvidenceItem] = {}
    for n in synthesis.notes:
        index[n.id] = EvidenceItem(
            n.id,
            "note",
            sorted(set(n.participants)),
            n.text,
            n.task,
            list(n.tags),
            verbatim=n.kind == "quote",
            note_kind=n.kind,
        )
    for q in synthesis.quotes:
        index[q.id] = EvidenceItem(
            q.id,
            "quote",
            sorted(set(q.participants)),
            q.text,
            q.task or "",
            list(q.tags),
            "transcripts" if q.source == "transcript" else "notes",
            verbatim=True,
        )
    for t in synthesis.themes:
        index[t.id] = EvidenceItem(
            t.id, "theme", sorted(set(t.participants)), "", t.label, list(t.tags), members=[*t.notes, *t.quote_ids]
        )
    for m in synthesis.metrics:
        index[m.id] = EvidenceItem(
            m.id, "metric", sorted(set(m.participants)), "", m.label, [], "metrics", value=metric_value_text(m)
        )
    for r in synthesis.requests:
        index[r.id] = EvidenceItem(
            r.id, "request", sorted(set(r.participants)), r.text, r.label, list(r.tags), "requests", votes=r.votes
        )
    # Withheld last: should an id ever be in both, its words are not shown.
    for w in synthesis.withheld_quotes:
        index[w.id] = _withheld(w.id, w.participants, w.tags, w.source)
    sessions = {s.session_id: s for s in synthesis.withheld_sessions}
    for ref in cited:
        match = SESSION_QUOTE_RE.match(str(ref))
        if ref not in index and match and match["session"] in sessions:
            index[ref] = _withheld(ref, sessions[match["session"]].participants, [], "transcript")
    return index


def _withheld(ident: str, participants: list[str], tags: list[str], source: str) -> EvidenceItem:
    return EvidenceItem(
        ident,
        "quote",
        sorted(set(participants)),
        WITHHELD_TEXT,
        "",
        list(tags),
        "transcripts" if source == "transcript" else "notes",
        verbatim=True,
        withheld=True,
    )
