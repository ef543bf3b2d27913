"""The session synthesis stage (02-sessions): data files -> synthesis.json.

:func:`run_synthesis_stage` reads and validates every data file
(:mod:`kit.study.tables`, :mod:`kit.study.transcripts`), and when nothing fatal was
found computes the tag matrix, tag coverage per research question, themes,
quotes, metrics, observer counts and the problem matrix, and writes
``reports/<slug>/synthesis.json`` atomically. On a fatal problem it raises
:class:`~kit.errors.DataError` listing every problem (fatal first, then
warnings) and writes nothing.

Privacy: participants appear as pseudonyms only; every participant-derived
text passes :meth:`Roster.redact`; verbatim words (notes of kind quote,
transcript turns) appear only for participants who consented to quotes. The
others still count in every number.

ids (insights.yml cites them): notes by note_id; quotes ``Q-<note_id>`` and
``Q-<session_id>-<n>``; themes ``T1`` ...; metrics ``M-SUS``, ``M-NPS``,
``M-COMPLETION-<task>``, ``M-TIME-<task>``, ``M-SEQ-<task>``; feature requests
``R-<request_id>`` (attitudinal, see :mod:`kit.synthesis.coded_sources`). With
a second coder (``data/coding/``) ``agreement`` holds kappa and alpha per code
(:mod:`kit.synthesis.agreement`); codebook findings join the warnings.

The output is built through its declared model, :class:`kit.outputs.synthesis.Synthesis`:
each section is validated as it is built (a key the model does not declare
fails the stage before anything is written); the bulk notes and quotes are
typed rows (:mod:`kit.synthesis.evidence_rows`), the metrics, observers and
problems come from :mod:`kit.synthesis.measures`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kit.errors import DataError, Problem
from kit.iorw import atomic_write_json, atomic_write_text
from kit.layout import SYNTHESIS_JSON, repo_root_for, reports_dir_for, study_slug
from kit.outputs.synthesis import Participant, Synthesis, SynthesisStudy, Theme, synthesis_json
from kit.privacy.purged_names import PurgedNames
from kit.privacy.roster import Roster, panel_consents
from kit.study import transcripts
from kit.study.study_file import load_study
from kit.study.tables import fatal_first, load_tables
from kit.synthesis import coded_sources, tag_matrix, themes
from kit.synthesis.evidence_rows import (
    QUOTES_PER_TAG,
    frame_notes,
    notes_json,
    quotes_by_tag,
    quotes_json,
    withheld_quotes_json,
    withheld_sessions_json,
)
from kit.synthesis.measures import metrics_json, observers_json, problems_json, slugify

__all__ = ["public_message", "run_synthesis_stage", "slugify", "synthesise", "write_synthesis"]

PRETTY_UP_TO = 5000
QUOTED = re.compile(r"'([^']*)'")


def public_message(message: str, roster: Roster) -> str:
    """A problem message safe to publish: quoted participant ids -> pseudonyms, then redaction.

    Messages quote the offending value ('R-1041'); short ids such as 'R-1'
    are too ambiguous for the redactor's word matching, so quoted ids are
    mapped here. The file:line still leads the user to the row.
    """
    message = QUOTED.sub(lambda m: f"'{roster.pseudonyms.get(m[1], m[1])}'", message)
    return roster.redact(message)


def synthesise(study_dir: str | Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate and compute the synthesis without writing; DataError on fatal problems."""
    study_dir = Path(study_dir)
    study = load_study(study_dir, overrides)
    data = load_tables(study_dir, raise_fatal=False)
    problems: list[Problem] = data.problems
    roster = Roster()
    if "participants" in data.tables:
        try:
            roster = Roster.from_frames(
                data.frame("participants"),
                data.frame("sessions"),
                source="data/participants.csv",
                panel=panel_consents(study_dir),
            )
        except DataError as err:  # sources reports the same rows with their file lines
            if not any(p.fatal for p in problems):
                problems += err.problems
    roster.redactor.purged = PurgedNames.load(repo_root_for(study_dir))  # names no roster holds since a purge
    utterances = transcripts.read_transcripts(study_dir, roster, problems)
    codings, requests = coded_sources.read_coded_sources(study_dir, data.frame("notes"), problems)
    if any(p.fatal for p in problems):
        raise DataError([Problem(p.where, public_message(p.message, roster), p.fatal) for p in fatal_first(problems)])
    book = coded_sources.study_codebook(study_dir, problems)
    coding = coded_sources.coding_json(
        codings, study.double_coding, problems, book, public_tag=lambda t: roster.redact(t).lower()
    )
    problems += coded_sources.codebook_warnings(book, study_dir, data.frame("notes"), codings, requests)
    notes = frame_notes(data, roster)
    people = list(roster.pseudonyms.values())
    matrix = tag_matrix.tag_matrix(notes, people)
    quotes = quotes_json(notes, utterances, roster)
    theme_list, basis = themes.find_themes(
        notes,
        roster.can_quote,
        extra_quotes=[(q["id"], q["text"]) for q in quotes if q["source"] == "transcript"],
        embed=themes.embedder(),
        pinned=themes.read_pins(study_dir),
    )
    by_tag = quotes_by_tag(quotes)
    tm = tag_matrix.matrix_json(matrix)
    for row in tm["rows"]:
        row["quotes"] = by_tag.get(row["tag"], [])
    quote_ids = {q.get("note_id") for q in quotes if q["source"] == "note"}
    sections = Synthesis(
        study=SynthesisStudy(
            slug=study_slug(study_dir),
            title=study.title,
            feature=study.feature,
            product_area=study.product_area,
            decision=study.decision,
        ),
        participants=[Participant.model_validate(p) for p in roster.public_participants()],
        notes=[],
        quotes=[],
        withheld_sessions=withheld_sessions_json(roster),
        themes=[
            Theme(**t, quote_ids=[f"Q-{n}" for n in t["notes"] if n in quote_ids][:QUOTES_PER_TAG]) for t in theme_list
        ],
        theme_basis=basis,
        metrics=metrics_json(data, roster),
        tag_matrix=tm,
        tag_coverage=tag_matrix.coverage(study.research_questions, matrix),
        observers=observers_json(data, study, roster),
        problems=problems_json(notes, people),
        requests=coded_sources.requests_json(requests, roster),
        agreement=coding,
        counts={
            "notes": len(notes),
            "quotes": len(quotes),
            "transcript_turns": len(utterances),
            "sessions": len(data.frame("sessions")),
            "requests": len(requests),
        },
        warnings=[f"{p.where}: {public_message(p.message, roster)}" for p in problems if not p.fatal],
    )
    return synthesis_json(sections, notes_json(notes), quotes, withheld_quotes_json(notes, utterances, roster))


def run_synthesis_stage(
    study_dir: str | Path, reports_dir: str | Path | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Stage entry point: validate, synthesise, write synthesis.json atomically, return it."""
    result = synthesise(study_dir, overrides)
    write_synthesis(reports_dir_for(study_dir, reports_dir) / SYNTHESIS_JSON, result)
    return result


def write_synthesis(path: Path, result: dict[str, Any]) -> None:
    """Pretty JSON for small studies (readable diffs); compact above PRETTY_UP_TO notes.

    json's indenting encoder is pure Python; the compact one is C and ~10x
    faster, which keeps 100k-note studies within the stage's time budget.
    """
    if len(result["notes"]) <= PRETTY_UP_TO:
        atomic_write_json(path, result)
        return
    text = json.dumps(
        result,
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
        default=lambda o: o.item() if hasattr(o, "item") else str(o),
    )
    atomic_write_text(path, text + "\n")
