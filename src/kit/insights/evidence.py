"""Evidence: the items of synthesis.json that insights.yml may cite, by id.

synthesis.json (written by :mod:`kit.synthesis.stage`, shaped by
:mod:`kit.synthesis.output`) holds notes (``N001``), quotes (``Q-N002`` for
notes of kind quote, ``Q-S01-3`` for transcript turns), themes (``T1``) and
metrics (``M-SUS``, ``M-COMPLETION-<task>`` ...). Every item carries
``participants`` (pseudonyms) and, for text, text that is already redacted.
This module turns those collections into one index ``id -> EvidenceItem``
that traceability, confidence, drafts and the report share, so the id
conventions live in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kit.synthesis.output import Synthesis, metric_value_text


@dataclass
class EvidenceItem:
    """One citable item of the synthesis."""

    id: str
    kind: str  # note | quote | theme | metric
    participants: list[str] = field(default_factory=list)
    text: str = ""
    label: str = ""
    tags: list[str] = field(default_factory=list)
    source: str = "notes"  # notes | transcripts | metrics: what confidence triangulates over
    verbatim: bool = False  # a participant's own words (a quote, or a note of kind quote)
    note_kind: str = ""  # observation | quote | problem, for notes
    value: str = ""  # a metric's value as one line (metric_value_text)
    members: list[str] = field(default_factory=list)  # a theme's notes and quotes

    def to_dict(self) -> dict:
        """Plain JSON for insights.json."""
        out = {"id": self.id, "kind": self.kind, "source": self.source,
               "participants": list(self.participants), "text": self.text, "label": self.label,
               "tags": list(self.tags)}
        if self.kind == "metric":
            out["value"] = self.value
        return out


def index_synthesis(synthesis: Synthesis) -> dict[str, EvidenceItem]:
    """All citable items of a synthesis, keyed by id.

    Quotes from notes of kind quote and themes (clusters of notes) count as
    notes; quotes cut from a transcript count as transcripts; confidence
    counts these source kinds (triangulation).
    """
    index: dict[str, EvidenceItem] = {}
    for n in synthesis.notes:
        index[n.id] = EvidenceItem(n.id, "note", sorted(set(n.participants)), n.text, n.task, list(n.tags),
                                   verbatim=n.kind == "quote", note_kind=n.kind)
    for q in synthesis.quotes:
        index[q.id] = EvidenceItem(q.id, "quote", sorted(set(q.participants)), q.text, q.task or "",
                                   list(q.tags), "transcripts" if q.source == "transcript" else "notes",
                                   verbatim=True)
    for t in synthesis.themes:
        index[t.id] = EvidenceItem(t.id, "theme", sorted(set(t.participants)), "", t.label, list(t.tags),
                                   members=[*t.notes, *t.quote_ids])
    for m in synthesis.metrics:
        index[m.id] = EvidenceItem(m.id, "metric", sorted(set(m.participants)), "", m.label, [],
                                   "metrics", value=metric_value_text(m))
    return index
