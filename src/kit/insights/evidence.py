"""Evidence: the items of synthesis.json that insights.yml may cite, by id.

synthesis.json (written by :mod:`kit.synthesis.stage`) holds notes (``N001``),
quotes (``Q-N002`` for notes of kind quote, ``Q-S01-3`` for transcript
utterances), themes (``T1``), metrics (``M-SUS``, ``M-COMPLETION-<task>``
...) and feature requests (``R-<request_id>``: expressed interest,
attitudinal). Every item carries ``participants`` (pseudonyms) and, for text, text
that is already redacted. This module turns those collections into one index
``id -> EvidenceItem`` that traceability, confidence, candidates and the
report share, so the id conventions live in one place.

Collections may be lists of objects (``{"id": "N001", ...}``) or mappings
keyed by id; both are accepted so the index does not break on a cosmetic
change of the synthesis output.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

COLLECTIONS: dict[str, str] = {"notes": "note", "quotes": "quote", "themes": "theme",
                               "metrics": "metric", "requests": "request"}
"""synthesis.json key -> evidence kind."""

_ID_KEYS = ("id", "note_id", "quote_id", "theme_id", "metric_id")
_TEXT_KEYS = ("text", "statement", "summary")
_LABEL_KEYS = ("label", "name", "title", "task")
TRANSCRIPT_QUOTE_RE = re.compile(r"^Q-S[^-]+-\d+$")


@dataclass
class EvidenceItem:
    """One citable item of the synthesis."""

    id: str
    kind: str  # note | quote | theme | metric | request
    participants: list[str] = field(default_factory=list)
    text: str = ""
    label: str = ""
    tags: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Where the evidence comes from: notes, transcripts or metrics.

        Quotes from notes of kind quote and themes (clusters of notes) count
        as notes; quotes cut from a transcript (``Q-<session>-<n>``) count as
        transcripts. Confidence counts these source kinds (triangulation).
        """
        if self.kind == "metric":
            return "metrics"
        if self.kind == "request":
            return "requests"  # what customers asked for: attitudinal, never behaviour
        if self.kind == "quote" and (self.raw.get("source") == "transcript"
                                     or TRANSCRIPT_QUOTE_RE.match(self.id)):
            return "transcripts"
        return "notes"

    def to_dict(self) -> dict:
        """Plain JSON for insights.json (the raw synthesis fields stay in synthesis.json)."""
        out = {"id": self.id, "kind": self.kind, "source": self.source,
               "participants": list(self.participants), "text": self.text, "label": self.label,
               "tags": list(self.tags)}
        if self.kind == "metric":
            out["value"] = metric_value_text(self.raw)
        if self.kind == "request":
            out["attitudinal"] = True
            out["label"] = self.label or "expressed interest"
            out["votes"] = self.raw.get("votes")
        return out


def items_of(collection: Any) -> Iterable[dict]:
    if isinstance(collection, dict):
        for key, value in collection.items():
            if isinstance(value, dict):
                yield {"id": key, **value}
    elif isinstance(collection, list):
        for value in collection:
            if isinstance(value, dict):
                yield value


def _first(item: dict, keys: tuple[str, ...]) -> Any:
    for k in keys:
        if item.get(k) not in (None, ""):
            return item[k]
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v) for v in value]


def index_synthesis(synthesis: dict) -> dict[str, EvidenceItem]:
    """All citable items of a synthesis.json, keyed by id."""
    index: dict[str, EvidenceItem] = {}
    for key, kind in COLLECTIONS.items():
        for item in items_of(synthesis.get(key)):
            ident = _first(item, _ID_KEYS)
            if ident is None:
                continue
            ident = str(ident)
            index[ident] = EvidenceItem(
                id=ident, kind=kind,
                participants=sorted(set(_as_list(item.get("participants")))),
                text=str(_first(item, _TEXT_KEYS) or ""),
                label=str(_first(item, _LABEL_KEYS) or ""),
                tags=_as_list(item.get("tags")),
                raw=item,
            )
    return index


def segments_of(synthesis: dict) -> dict[str, str]:
    """Pseudonym -> segment, from synthesis.json's ``participants``."""
    out: dict[str, str] = {}
    for item in items_of(synthesis.get("participants")):
        alias = item.get("pseudonym") or item.get("id")
        if alias:
            out[str(alias)] = str(item.get("segment") or "")
    return out


def _num(value: Any) -> str:
    """1 decimal from 10 up, 2 below; trailing zeros dropped (83.0 -> 83)."""
    if isinstance(value, float):
        text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def metric_value_text(raw: dict) -> str:
    """A metric's value as one line: ``72.5 (95% CI 61.0-84.0, n=8)``.

    Reads the common field spellings (value/mean/score/estimate, ci_low/ci_high
    or ci=[lo, hi], unit, n); missing parts are left out.
    """
    value = _first(raw, ("value", "mean", "score", "estimate", "median", "rate"))
    if value is None:
        return ""
    unit = raw.get("unit") or ""
    if unit == "%" and isinstance(value, float) and value <= 1:
        value = value * 100
    if unit == "%":
        text = f"{_num(value)}%"
    elif unit and unit[0].isdigit():  # a scale such as 1-7
        text = f"{_num(value)} (scale {unit})"
    else:
        text = f"{_num(value)}{' ' + unit if unit else ''}"
    lo, hi = raw.get("ci_low"), raw.get("ci_high")
    ci = raw.get("ci")
    if (lo is None or hi is None) and isinstance(ci, (list, tuple)) and len(ci) == 2:
        lo, hi = ci
    if isinstance(ci, dict):
        lo, hi = ci.get("low", lo), ci.get("high", hi)
    extra = []
    if lo is not None and hi is not None:
        if unit == "%" and isinstance(lo, float) and hi <= 1:
            lo, hi = lo * 100, hi * 100
        level = raw.get("ci_level") or raw.get("confidence") or 0.95
        level = level * 100 if isinstance(level, float) and level <= 1 else level
        extra.append(f"{_num(level)}% CI {_num(lo)}-{_num(hi)}")
    if raw.get("n") is not None:
        extra.append(f"n={raw['n']}")
    return text + (f" ({', '.join(extra)})" if extra else "")
