"""A small study folder for the synthesis tests (sources, transcripts, synthesis).

Four invented participants; R-4 (Dee Fox) did not consent to quotes.
Tests overwrite single files to plant defects.
"""

from __future__ import annotations

from pathlib import Path

import yaml

STUDY = {
    "title": "Tiny pay study",
    "status": "synthesis",
    "product_area": "Checkout",
    "feature": "Pay page",
    "pm_owner": "Pat PM",
    "uxr_owner": "Uma UXR",
    "decision": "Ship or not",
    "start_date": "2026-01-05",
    "deadline": "2026-02-02",
    "pm_metrics": [{"name": "Completed transactions", "kind": "behavioural"}],
    "research_questions": [
        {"id": "RQ1", "text": "Can people pay?", "tags": ["payment", "error"]},
        {"id": "RQ2", "text": "Do they trust it?", "tags": ["trust"]},
    ],
    "segments": ["New", "Returning"],
    "observers": [{"name": "Pat PM", "role": "PM"}, {"name": "Dan Design", "role": "Design"}],
}

FILES = {
    "participants.csv": (
        "participant_id,name,email,segment,consent_quotes,consent_recording\n"
        "R-1,Ann Archer,ann@example.com,New,yes,yes\n"
        "R-2,Ben Brook,ben@example.com,Returning,yes,yes\n"
        "R-3,Cat Cole,cat@example.com,New,yes,yes\n"
        "R-4,Dee Fox,dee@example.com,Returning,no,yes\n"
    ),
    "sessions.csv": (
        "session_id,participant_id,date,moderator,observers\n"
        "S01,R-1,2026-01-10,Uma UXR,Pat PM;Dan Design\n"
        "S02,R-2,2026-01-10,Uma UXR,Pat PM\n"
        "S03,R-3,2026-01-11,Uma UXR,\n"
        "S04,R-4,2026-01-11,Uma UXR,Dan Design\n"
    ),
    "notes.csv": (
        "note_id,session_id,participant_id,task,text,tags,kind\n"
        "N001,S01,R-1,Pay,Card field rejected spaces,payment;error,problem\n"
        'N002,S01,R-1,Pay,"I thought it was broken, Ann here says",payment,quote\n'
        "N003,S02,R-2,Pay,Card error said nothing useful,payment;error,problem\n"
        "N004,S03,R-3,Pay,Paid with a saved card quickly,payment,observation\n"
        "N005,S04,R-4,Pay,I do not trust this page at all,trust,quote\n"
        "N006,S04,R-4,Pay,Looked for a padlock icon near the card field,,observation\n"
        "N007,S02,R-2,Pay,Delivery cost appeared late and surprised them,,observation\n"
        "N008,S03,R-3,Pay,Delivery cost surprised her at the end,,observation\n"
        "N009,S01,R-1,Pay,Delivery price showed only at the last step,,observation\n"
        "N010,S02,R-2,Pay,Padlock icon missing so the page felt unsafe,,observation\n"
        "N011,S03,R-3,Pay,Wanted a padlock icon to feel safe paying,,observation\n"
    ),
    "tasks.csv": (
        "participant_id,task,success,time_s,seq\nR-1,Pay,1,60,6\nR-2,Pay,1,90,5\nR-3,Pay,0,200,2\nR-4,Pay,1,75,6\n"
    ),
    "sus.csv": (
        "participant_id,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,recommend\n"
        "R-1,4,2,4,2,4,2,4,2,4,2,9\nR-2,5,1,5,1,5,1,5,1,5,1,10\n"
        "R-3,3,3,3,3,3,3,3,3,3,3,6\nR-4,4,2,4,1,4,2,4,2,4,2,7\n"
    ),
}

TRANSCRIPT_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Uma UXR>Please pay for the order.

2
00:00:05.000 --> 00:00:09.500
<v Ann Archer>The card box says invalid, Ann is confused.

3
00:00:10.000 --> 00:00:12.000
<v Ann Archer>Oh, no spaces. Got it.
"""


def make_study(root: Path, slug: str = "tiny", files: dict | None = None) -> Path:
    """notebooks/<slug>/ with study.yml and data; ``files`` replace data files (None removes one)."""
    sdir = root / "notebooks" / slug
    (sdir / "data" / "transcripts").mkdir(parents=True, exist_ok=True)
    (sdir / "study.yml").write_text(yaml.safe_dump(STUDY, sort_keys=False))
    files = {**FILES, "transcripts/S01.vtt": TRANSCRIPT_VTT, **(files or {})}
    for name, text in files.items():
        if text is not None:
            (sdir / "data" / name).write_text(text, encoding="utf-8")
    return sdir
