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
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import DataError, Problem
from kit.iorw import atomic_write_json, atomic_write_text
from kit.layout import SYNTHESIS_JSON, reports_dir_for, study_slug
from kit.privacy.roster import Roster, panel_consents
from kit.study import transcripts
from kit.study.study_file import Study, load_study
from kit.study.tables import fatal_first, load_tables
from kit.synthesis import coded_sources, tag_matrix, themes
from kit.synthesis import usability_metrics as metrics

WITHHELD = "[quote withheld: no consent to quotes]"
QUOTES_PER_TAG = 3
PRETTY_UP_TO = 5000
QUOTED = re.compile(r"'([^']*)'")


def slugify(text: str) -> str:
    """Task name -> id part: lower case, runs of other characters -> '-'."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "task"


def _redact_all(values: list, roster: Roster) -> list:
    """Redact each distinct value once (copied notes and repeated tags are common)."""
    cache: dict[str, str] = {}
    return [cache[v] if v in cache else cache.setdefault(v, roster.redact(v)) for v in values]


def _frame_notes(data, roster: Roster) -> pd.DataFrame:
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


def notes_json(notes: pd.DataFrame) -> list[dict]:
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
    return [
        {"id": i, "session_id": s, "participants": [p], "task": t, "text": x, "tags": g, "kind": k}
        for i, s, p, t, x, g, k in cols
    ]


def quotes_json(notes: pd.DataFrame, utterances, roster: Roster) -> list[dict]:
    """Quotes from notes of kind quote and from transcripts, consented participants only."""
    q = notes[(notes["kind"] == "quote") & notes["consent"] & (notes["text"] != "")]
    out = [
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
        if roster.can_quote(u.participant_id):
            out.append(
                {
                    "id": qid,
                    "source": "transcript",
                    "session_id": u.session_id,
                    "n": n,
                    "participants": [roster.pseudonym(u.participant_id)],
                    "speaker": roster.pseudonym(u.participant_id),
                    "start": u.start,
                    "end": u.end,
                    "text": roster.redact(u.text),
                    "tags": [],
                }
            )
    return out


def withheld_quotes_json(notes: pd.DataFrame, utterances, roster: Roster) -> list[dict]:
    """Quote ids whose words may not be shown (no consent, consent withdrawn, or words purged).

    Ids and pseudonyms only, never text: an insight that cited the quote
    before consent changed still resolves it (and counts it) instead of
    failing the build (:mod:`kit.insights.evidence`).
    """
    q = notes[(notes["kind"] == "quote") & (~notes["consent"] | (notes["text"] == ""))]
    out = [
        {"id": f"Q-{i}", "source": "note", "note_id": i, "session_id": s, "participants": [p], "tags": g}
        for i, s, p, g in zip(*(q[c].tolist() for c in ("id", "session_id", "participant", "tags")))
    ]
    for qid, _, u in transcripts.participant_turns(utterances):
        if not roster.can_quote(u.participant_id):
            out.append(
                {
                    "id": qid,
                    "source": "transcript",
                    "session_id": u.session_id,
                    "participants": [roster.pseudonym(u.participant_id)],
                    "tags": [],
                }
            )
    return out


def withheld_sessions_json(roster: Roster) -> list[dict]:
    """Sessions whose participant may not be quoted: transcript quotes ``Q-<session>-<n>`` of them
    resolve as withheld even after their transcript was purged."""
    return [
        {"session_id": sid, "participants": [roster.pseudonyms[pid]]}
        for sid, pid in roster.session_participant.items()
        if pid in roster.pseudonyms and not roster.can_quote(pid)
    ]


def quotes_by_tag(quotes: list[dict], limit: int = QUOTES_PER_TAG) -> dict[str, list[str]]:
    """Tag -> up to ``limit`` quote ids, spread over participants first."""
    out: dict[str, list[str]] = {}
    seen: dict[str, set] = {}
    for q in quotes:
        for tag in q["tags"]:
            ids, people = out.setdefault(tag, []), seen.setdefault(tag, set())
            if len(ids) < limit and not set(q["participants"]) & people:
                ids.append(q["id"])
                people.update(q["participants"])
    return out


def metrics_json(data, roster: Roster) -> list[dict]:
    """SUS, NPS and per-task completion, time on task and SEQ (see :mod:`kit.synthesis.usability_metrics`)."""
    out: list[dict] = []
    sus = data.frame("sus")
    if len(sus):
        scores = metrics.sus_scores(sus)
        done = scores.notna()
        est = metrics.mean_ci(scores[done])
        if est.n:
            people = [roster.pseudonym(p) for p in sus.loc[done, "participant_id"]]
            out.append(
                {
                    "id": "M-SUS",
                    "name": "System Usability Scale (SUS)",
                    "label": "SUS",
                    "kind": "attitudinal",
                    "unit": "points",
                    **_est(est),
                    "grade": metrics.sus_grade(est.value),
                    "participants": people,
                    "scores": [{"participant": p, "score": float(s)} for p, s in zip(people, scores[done])],
                    "method": "Brooke 1996 scoring; mean with 95% t-interval; Sauro-Lewis curved grade",
                }
            )
        rec = sus[sus["recommend"].notna()]
        if len(rec):
            est = metrics.nps(rec["recommend"])
            out.append(
                {
                    "id": "M-NPS",
                    "name": "Net Promoter Score",
                    "label": "NPS",
                    "kind": "attitudinal",
                    "unit": "points",
                    **_est(est),
                    "participants": [roster.pseudonym(p) for p in rec["participant_id"]],
                    "method": "% promoters (9-10) - % detractors (0-6); Wald 95% interval",
                }
            )
    tasks = data.frame("tasks")
    for task, rows in tasks.groupby("task", sort=False):
        task = roster.redact(task)  # a task named after someone must not publish the name (nor its id)
        slug, people = slugify(task), [roster.pseudonym(p) for p in rows["participant_id"]]
        est = metrics.adjusted_wald(float(rows["success"].sum()), len(rows))
        out.append(
            {
                "id": f"M-COMPLETION-{slug}",
                "name": f"Completion rate: {task}",
                "label": f"Completion: {task}",
                "task": task,
                "kind": "behavioural",
                "unit": "%",
                **_est(est),
                "participants": people,
                "method": "successes / attempts (partial = 0.5); adjusted-Wald 95% interval",
            }
        )
        ok = rows[(rows["success"] == 1) & rows["time_s"].notna()]
        est = metrics.geometric_mean_ci(ok["time_s"])
        if est.n:
            out.append(
                {
                    "id": f"M-TIME-{slug}",
                    "name": f"Time on task: {task}",
                    "label": f"Time: {task}",
                    "task": task,
                    "kind": "behavioural",
                    "unit": "s",
                    **_est(est),
                    "participants": [roster.pseudonym(p) for p in ok["participant_id"]],
                    "method": "geometric mean of successful attempts only; 95% t-interval on log times",
                }
            )
        seq = rows[rows["seq"].notna()]
        est = metrics.mean_ci(seq["seq"])
        if est.n:
            out.append(
                {
                    "id": f"M-SEQ-{slug}",
                    "name": f"Single Ease Question: {task}",
                    "label": f"SEQ: {task}",
                    "task": task,
                    "kind": "attitudinal",
                    "unit": "1-7",
                    **_est(est),
                    "participants": [roster.pseudonym(p) for p in seq["participant_id"]],
                    "method": "mean of 1-7 answers; 95% t-interval",
                }
            )
    return out


def _est(est: metrics.Estimate) -> dict:
    return {"value": est.value, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n}


def observers_json(data, study: Study, roster: Roster) -> dict:
    """Sessions and who watched them, by role (names stay private)."""
    roles = {" ".join(o.name.split()).casefold(): o.role for o in study.observers}
    sessions = data.frame("sessions")
    rows, by_role = [], {}
    for s in sessions.to_dict("records"):
        names = [n.strip() for n in re.split(r"[;\n]", s["observers"]) if n.strip()]
        kinds = [roles.get(" ".join(n.split()).casefold(), "Other") for n in names]
        for k in set(kinds):
            by_role[k] = by_role.get(k, 0) + 1
        link = roster.recording_link(s["session_id"])
        rows.append(
            {
                "session_id": s["session_id"],
                "date": s["date"],
                "participants": [roster.pseudonyms.get(s["participant_id"], "")],
                "observer_count": len(names),
                "roles": sorted(set(kinds)),
                # consent_recording gates the link; a withheld one is only counted
                "recording": link,
                "recording_withheld": bool(s["session_id"] in roster.recordings and link is None),
            }
        )
    observed = sum(1 for r in rows if r["observer_count"])
    return {
        "sessions": len(rows),
        "observed_sessions": observed,
        "pm_observed_sessions": by_role.get("PM", 0),
        "sessions_by_role": by_role,
        "recordings_withheld": sum(r["recording_withheld"] for r in rows),
        "rows": rows,
    }


def problems_json(notes: pd.DataFrame, people: list[str]) -> dict:
    matrix = metrics.problem_matrix(notes, people)
    disc = metrics.discovery(matrix)
    likelihood = {d["problem"]: d["likelihood"] for d in disc["per_problem"]}
    rows = [
        {
            "problem": str(p),
            "participants": [c for c, v in zip(matrix.columns, r) if v],
            "participant_count": int(r.sum()),
            "likelihood": likelihood.get(str(p)),
        }
        for p, r in zip(matrix.index, matrix.to_numpy())
    ]
    return {"participants": people, "rows": rows, "discovery": {k: v for k, v in disc.items() if k != "per_problem"}}


def public_message(message: str, roster: Roster) -> str:
    """A problem message safe to publish: quoted participant ids -> pseudonyms, then redaction.

    Messages quote the offending value ('R-1041'); short ids such as 'R-1'
    are too ambiguous for the redactor's word matching, so quoted ids are
    mapped here. The file:line still leads the user to the row.
    """
    message = QUOTED.sub(lambda m: f"'{roster.pseudonyms.get(m[1], m[1])}'", message)
    return roster.redact(message)


def synthesise(study_dir: str | Path, overrides: dict | None = None) -> dict:
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
    utterances = transcripts.read_transcripts(study_dir, roster, problems)
    codings, requests = coded_sources.read_coded_sources(study_dir, data.frame("notes"), problems)
    if any(p.fatal for p in problems):
        raise DataError([Problem(p.where, public_message(p.message, roster), p.fatal) for p in fatal_first(problems)])
    book = coded_sources.study_codebook(study_dir, problems)
    coding = coded_sources.coding_json(
        codings, study.double_coding, problems, book, public_tag=lambda t: roster.redact(t).lower()
    )
    problems += coded_sources.codebook_warnings(book, study_dir, data.frame("notes"), codings, requests)
    notes = _frame_notes(data, roster)
    people = list(roster.pseudonyms.values())
    matrix = tag_matrix.tag_matrix(notes, people)
    quotes = quotes_json(notes, utterances, roster)
    theme_list, basis = themes.find_themes(
        notes,
        roster.can_quote,
        extra_quotes=[(q["id"], q["text"]) for q in quotes if q["source"] == "transcript"],
        embed=themes.embedder(),
    )
    by_tag = quotes_by_tag(quotes)
    tm = tag_matrix.matrix_json(matrix)
    for row in tm["rows"]:
        row["quotes"] = by_tag.get(row["tag"], [])
    quote_ids = {q["note_id"] for q in quotes if q["source"] == "note"}
    for t in theme_list:
        t["quote_ids"] = [f"Q-{n}" for n in t["notes"] if n in quote_ids][:QUOTES_PER_TAG]
    return {
        "study": {
            "slug": study_slug(study_dir),
            "title": study.title,
            "feature": study.feature,
            "product_area": study.product_area,
            "decision": study.decision,
        },
        "participants": roster.public_participants(),
        "notes": notes_json(notes),
        "quotes": quotes,
        "withheld_quotes": withheld_quotes_json(notes, utterances, roster),
        "withheld_sessions": withheld_sessions_json(roster),
        "themes": theme_list,
        "theme_basis": basis,
        "metrics": metrics_json(data, roster),
        "tag_matrix": tm,
        "tag_coverage": tag_matrix.coverage(study.research_questions, matrix),
        "observers": observers_json(data, study, roster),
        "problems": problems_json(notes, people),
        "requests": coded_sources.requests_json(requests, roster),
        "agreement": coding,
        "counts": {
            "notes": len(notes),
            "quotes": len(quotes),
            "transcript_turns": len(utterances),
            "sessions": len(data.frame("sessions")),
            "requests": len(requests),
        },
        "warnings": [f"{p.where}: {public_message(p.message, roster)}" for p in problems if not p.fatal],
    }


def run_synthesis_stage(
    study_dir: str | Path, reports_dir: str | Path | None = None, overrides: dict | None = None
) -> dict:
    """Stage entry point: validate, synthesise, write synthesis.json atomically, return it."""
    result = synthesise(study_dir, overrides)
    write_synthesis(reports_dir_for(study_dir, reports_dir) / SYNTHESIS_JSON, result)
    return result


def write_synthesis(path: Path, result: dict) -> None:
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
