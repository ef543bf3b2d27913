"""Notes and quotes of synthesis.json: the citable evidence, built in bulk as typed rows.

A large study has 100,000 notes, so these collections are built as plain
dicts typed by :class:`~kit.outputs.synthesis.NoteRow`,
:class:`~kit.outputs.synthesis.QuoteRow` and
:class:`~kit.outputs.synthesis.WithheldQuoteRow` (the type checker holds
the keys to the rows, a test holds the rows to their models) instead of
pydantic objects, which would cost more than the rest of the file's writing.

Privacy: every text passes :meth:`Roster.redact`; verbatim words (notes of
kind quote, transcript turns) appear only for participants who consented to
quotes; the others keep their ids and pseudonyms so insights that cite them
still resolve and count them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kit.outputs.synthesis import NoteRow, QuoteRow, WithheldQuoteRow, WithheldSession
from kit.privacy.roster import Roster
from kit.study import transcripts
from kit.study.tables import StudyData
from kit.study.transcripts import Utterance

WITHHELD = "[quote withheld: no consent to quotes]"
QUOTES_PER_TAG = 3


def _redact_all(values: list[Any], roster: Roster) -> list[str]:
    """Redact each distinct value once (copied notes and repeated tags are common)."""
    cache: dict[str, str] = {}
    return [cache[v] if v in cache else cache.setdefault(v, roster.redact(v)) for v in values]


def frame_notes(data: StudyData, roster: Roster) -> pd.DataFrame:
    """Notes with pseudonyms and redacted text; tags and tasks too (researchers type names there)."""
    f = data.frame("notes")
    alias = f["participant_id"].map(roster.pseudonyms)
    tag_names = sorted({t for tags in f["tags"].tolist() for t in tags})
    public_tag = dict(zip(tag_names, (t.lower() for t in _redact_all(tag_names, roster))))
    tags = [[public_tag[t] for t in row] for row in f["tags"].tolist()]
    consent = f["participant_id"].map(roster.consent_quotes).fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "id": f["note_id"].to_numpy(),
            "session_id": f["session_id"].to_numpy(),
            "pid": f["participant_id"].to_numpy(),
            "participant": alias.to_numpy(),
            "task": np.asarray(_redact_all(f["task"].tolist(), roster), dtype=object),
            "text": np.asarray(_redact_all(f["text"].tolist(), roster), dtype=object),
            "tags": pd.Series(tags, dtype=object).to_numpy(),
            "kind": f["kind"].to_numpy(),
            "consent": consent,
        }
    )


def notes_json(notes: pd.DataFrame) -> list[NoteRow]:
    """Every note; verbatim notes of participants without quote consent have their words withheld."""
    text = np.where((notes["kind"] == "quote") & ~notes["consent"], WITHHELD, notes["text"])
    # Plain lists: iterating pandas columns element by element is ~10x slower.
    cols = zip(
        notes["id"].tolist(),
        notes["session_id"].tolist(),
        notes["participant"].tolist(),
        notes["task"].tolist(),
        text.tolist(),
        notes["tags"].tolist(),
        notes["kind"].tolist(),
    )
    # Dict displays, not NoteRow(...) calls: a call costs ~0.1 s more per 100,000 rows,
    # and the type checker holds a display to its TypedDict all the same.
    return [
        {"id": i, "session_id": s, "participants": [p], "task": t, "text": x, "tags": g, "kind": k}
        for i, s, p, t, x, g, k in cols
    ]


def quotes_json(notes: pd.DataFrame, utterances: list[Utterance], roster: Roster) -> list[QuoteRow]:
    """Quotes from notes of kind quote and from transcripts, consented participants only."""
    q = notes[(notes["kind"] == "quote") & notes["consent"] & (notes["text"] != "")]
    out: list[QuoteRow] = [
        {
            "id": f"Q-{i}",
            "source": "note",
            "note_id": i,
            "session_id": s,
            "participants": [p],
            "task": t,
            "text": x,
            "tags": g,
        }
        for i, s, p, t, x, g in zip(
            *(q[c].tolist() for c in ("id", "session_id", "participant", "task", "text", "tags"))
        )
    ]
    for qid, n, u in transcripts.participant_turns(utterances):
        if u.participant_id is not None and roster.can_quote(u.participant_id):
            alias = roster.pseudonym(u.participant_id)
            out.append(
                QuoteRow(
                    id=qid,
                    source="transcript",
                    session_id=u.session_id,
                    n=n,
                    participants=[alias],
                    speaker=alias,
                    start=u.start,
                    end=u.end,
                    text=roster.redact(u.text),
                    tags=[],
                )
            )
    return out


def withheld_quotes_json(notes: pd.DataFrame, utterances: list[Utterance], roster: Roster) -> list[WithheldQuoteRow]:
    """Quote ids whose words may not be shown (no consent, consent withdrawn, or words purged).

    Ids and pseudonyms only, never text: an insight that cited the quote
    before consent changed still resolves it (and counts it) instead of
    failing the build (:mod:`kit.insights.evidence`).
    """
    q = notes[(notes["kind"] == "quote") & (~notes["consent"] | (notes["text"] == ""))]
    out: list[WithheldQuoteRow] = [
        {"id": f"Q-{i}", "source": "note", "note_id": i, "session_id": s, "participants": [p], "tags": g}
        for i, s, p, g in zip(*(q[c].tolist() for c in ("id", "session_id", "participant", "tags")))
    ]
    for qid, _, u in transcripts.participant_turns(utterances):
        if u.participant_id is not None and not roster.can_quote(u.participant_id):
            out.append(
                WithheldQuoteRow(
                    id=qid,
                    source="transcript",
                    session_id=u.session_id,
                    participants=[roster.pseudonym(u.participant_id)],
                    tags=[],
                )
            )
    return out


def withheld_sessions_json(roster: Roster) -> list[WithheldSession]:
    """Sessions whose participant may not be quoted: transcript quotes ``Q-<session>-<n>`` of them
    resolve as withheld even after their transcript was purged."""
    return [
        WithheldSession(session_id=sid, participants=[roster.pseudonyms[pid]])
        for sid, pid in roster.session_participant.items()
        if pid in roster.pseudonyms and not roster.can_quote(pid)
    ]


def quotes_by_tag(quotes: list[QuoteRow], limit: int = QUOTES_PER_TAG) -> dict[str, list[str]]:
    """Tag -> up to ``limit`` quote ids, spread over participants first."""
    out: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    for q in quotes:
        for tag in q.get("tags", []):
            ids, people = out.setdefault(tag, []), seen.setdefault(tag, set())
            if len(ids) < limit and not set(q["participants"]) & people:
                ids.append(q["id"])
                people.update(q["participants"])
    return out
