"""A study seeded with personal data in every field, for the privacy and XSS tests.

``seed_pii_study`` writes notebooks/<slug>/ (study.yml, data/...); ``PLANTED``
lists every item the privacy check must find in an unredacted copy;
``write_outputs`` writes report/site files the way a careless (``redact=False``)
or a careful (``redact=True``) stage would.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_notebook, new_output

from kit.privacy.roster import Roster

SLUG = "pii-study"
XSS_PAYLOADS = (
    "<script>window.__xss = 1; alert(1)</script>",
    '<img src=x onerror="window.__xss = 1; alert(1)">',
    "[click](javascript:alert(1))",
)

PARTICIPANTS = [
    # participant_id, name, email, phone, segment, consent_quotes, consent_recording
    ("R-3001", "Maria Gonzalez", "maria.g@example.com", "+44 20 7946 0958", "new", "yes", "yes"),
    ("R-3002", "Kwame Mensah", "kwame@example.org", "", "returning", "no", "yes"),
    ("R-3003", "Priya Raghunathan", "priya@example.net", "", "new", "yes", "no"),
]
SESSIONS = [
    ("S01", "R-3001", "2026-10-19", "Sam Okafor", "Dana Whitfield;Lee Park"),
    ("S02", "R-3002", "2026-10-19", "Sam Okafor", "Dana Whitfield"),
    ("S03", "R-3003", "2026-10-20", "Sam Okafor", ""),
]
NOTES = [
    (
        "N001",
        "S01",
        "R-3001",
        "Checkout",
        "Maria Gonzalez's basket emptied when she signed in as maria.g@example.com",
        "basket",
        "observation",
    ),
    (
        "N002",
        "S01",
        "R-3001",
        "Checkout",
        XSS_PAYLOADS[0] + " I typed my number (415) 555-0132 and it said invalid",
        "payment",
        "quote",
    ),
    (
        "N003",
        "S02",
        "R-3002",
        "Checkout",
        "Honestly I would never hand over my card details to a shop I have not heard of before",
        "trust",
        "quote",
    ),
    (
        "N004",
        "S02",
        "R-3002",
        "Checkout",
        "Kwame read out 0151 496 0000 as his work number and asked whether Dana would call",
        "contact",
        "observation",
    ),
    (
        "N005",
        "S03",
        "R-3003",
        "Payment",
        "Priya pasted 4111 1111 1111 1111 into the promo field; she lives at 221B Baker Street",
        "payment",
        "problem",
    ),
    (
        "N006",
        "S03",
        "R-3003",
        "Payment",
        "Send it to priya@example.net or ring +1-202-555-0143, says Raghunathan " + XSS_PAYLOADS[1],
        "contact",
        "quote",
    ),
    (
        "N007",
        "S02",
        "R-3002",
        "Delivery",
        XSS_PAYLOADS[2] + " the delivery page kept sending me back to the start again and again",
        "delivery",
        "quote",
    ),
    (
        "N008",
        "S01",
        "R-3001",
        "Delivery",
        "Asked Sam Okafor whether Lee Park could see her screen, then opened "
        "https://shop.example.com/track?order=991&email=m",
        "delivery",
        "observation",
    ),
    ("N009", "S03", "R-3003", "Delivery", "Mensah's neighbour uses the same courier", "delivery", "observation"),
]
TRANSCRIPTS = {
    "S01.vtt": "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Sam Okafor>Thanks for joining, Maria.\n\n"
    "2\n00:00:04.500 --> 00:00:09.000\n<v Maria Gonzalez>Happy to help, Dana Whitfield told me "
    "about the study last week.\n",
    "S02.txt": "Sam Okafor: How did you find checkout, Kwame?\n"
    "Kwame Mensah: The total jumped at the very last step and nobody told me why it changed.\n"
    "Kwame Mensah: Fine.\n",
}

# (kind, item) the privacy check must find in an unredacted copy of the outputs.
PLANTED = {
    *(
        ("name", n)
        for n in (
            "Maria Gonzalez",
            "Kwame Mensah",
            "Sam Okafor",
            "Dana Whitfield",
            "Lee Park",
            "Maria",
            "Kwame",
            "Priya",
            "Raghunathan",
            "Mensah",
        )
    ),
    *(("participant_id", p) for p in ("R-3001", "R-3002", "R-3003")),
    *(("email", e) for e in ("maria.g@example.com", "kwame@example.org", "priya@example.net")),
    *(("phone", p) for p in ("+44 20 7946 0958", "(415) 555-0132", "0151 496 0000", "+1-202-555-0143")),
    ("card", "4111 1111 1111 1111"),
    ("address", "221B Baker Street"),
    ("url", "https://shop.example.com/track?order=991&email=m"),
    *(("quote", q) for q in ("N003", "N007", "S02.txt utterance 1")),
}


def seed_pii_study(repo: Path, slug: str = SLUG) -> Path:
    """Write notebooks/<slug>/ with PII in every field; return the study folder."""
    study = repo / "notebooks" / slug
    data = study / "data"
    (data / "transcripts").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        PARTICIPANTS,
        columns=["participant_id", "name", "email", "phone", "segment", "consent_quotes", "consent_recording"],
    ).to_csv(data / "participants.csv", index=False)
    pd.DataFrame(SESSIONS, columns=["session_id", "participant_id", "date", "moderator", "observers"]).to_csv(
        data / "sessions.csv", index=False
    )
    pd.DataFrame(NOTES, columns=["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"]).to_csv(
        data / "notes.csv", index=False
    )
    pd.DataFrame(
        [(p[0], t, 1, 60, 5) for p in PARTICIPANTS for t in ("Checkout", "Payment")],
        columns=["participant_id", "task", "success", "time_s", "seq"],
    ).to_csv(data / "tasks.csv", index=False)
    pd.DataFrame(
        [(p[0], *([4, 2] * 5)) for p in PARTICIPANTS], columns=["participant_id", *(f"q{i}" for i in range(1, 11))]
    ).to_csv(data / "sus.csv", index=False)
    for name, text in TRANSCRIPTS.items():
        (data / "transcripts" / name).write_text(text, encoding="utf-8")
    return study


def write_outputs(repo: Path, slug: str = SLUG, *, redact: bool) -> list[Path]:
    """Write reports/<slug>/synthesis.json, an executed notebook, a site page and a search index.

    ``redact=False`` copies participant text and names as they are (a leaky
    stage); ``redact=True`` does what the stages must: pseudonyms, redaction,
    unconsented quotes left out, HTML escaped.
    """
    data = repo / "notebooks" / slug / "data"
    roster = Roster.from_study(data.parent)
    participants = pd.read_csv(data / "participants.csv", dtype=str, keep_default_na=False)
    notes = pd.read_csv(data / "notes.csv", dtype=str, keep_default_na=False)
    lines = [line for t in TRANSCRIPTS.values() for line in t.splitlines() if line and "-->" not in line]

    def text(pid: str, value: str, kind: str) -> str | None:
        if not redact:
            return value
        if kind == "quote":
            return roster.quote(pid, value)
        return roster.redact(value)

    people = (
        [{"pseudonym": roster.pseudonym(r.participant_id), "segment": r.segment} for r in participants.itertuples()]
        if redact
        else participants.to_dict("records")
    )
    items = []
    for r in notes.itertuples():
        shown = text(r.participant_id, r.text, r.kind)
        if shown is not None:
            who = roster.pseudonym(r.participant_id) if redact else r.participant_id
            items.append({"id": r.note_id, "participants": [who], "text": shown})
    transcript = [roster.redact(line) for line in lines if "Kwame Mensah:" not in line] if redact else lines
    synthesis = {"study": slug, "participants": people, "notes": items, "transcript": transcript}

    reports = repo / "reports" / slug
    site = repo / "_site" / slug
    reports.mkdir(parents=True, exist_ok=True)
    site.mkdir(parents=True, exist_ok=True)
    written = [
        reports / "synthesis.json",
        reports / "02-sessions.ipynb",
        site / "02-sessions.html",
        repo / "_site" / "search.json",
    ]
    written[0].write_text(json.dumps(synthesis, indent=2), encoding="utf-8")  # ASCII-escaped JSON
    body = "\n".join(
        f"<tr><td>{html.escape(i['participants'][0])}</td><td>{html.escape(i['text'])}</td></tr>" for i in items
    )
    body += "\n" + "\n".join(f"<p>{html.escape(line)}</p>" for line in transcript)
    body += "\n" + "\n".join(f"<li>{html.escape(str(p))}</li>" for p in people)
    nb = new_notebook(
        cells=[
            new_code_cell(
                "show()",
                outputs=[
                    new_output("display_data", data={"text/html": f"<table>{body}</table>", "text/plain": repr(items)})
                ],
            )
        ]
    )
    nbformat.write(nb, written[1])
    written[2].write_text(f"<!doctype html><html><body><table>\n{body}\n</table></body></html>", encoding="utf-8")
    written[3].write_text(
        json.dumps([{"href": f"{slug}/02-sessions.html", "text": i["text"]} for i in items], ensure_ascii=False),
        encoding="utf-8",
    )
    return written


XSS_SLUG = "xss-study"


def seed_xss_study(repo: Path, root: Path, slug: str = XSS_SLUG) -> Path:
    """A runnable study (the demo plan) whose plan, notes, transcript and insights carry XSS payloads.

    ``root`` is the kit repository (its demo study.yml is the base plan).
    """
    import yaml

    study = seed_pii_study(repo, slug)
    plan = yaml.safe_load((root / "notebooks" / "demo-checkout" / "study.yml").read_text(encoding="utf-8"))
    plan["title"] = f"Checkout study {XSS_PAYLOADS[0]} {XSS_PAYLOADS[2]}"
    plan["decision"] = f"Ship it or not {XSS_PAYLOADS[2]}"
    plan["research_questions"][0]["text"] = f"Can customers pay? {XSS_PAYLOADS[1]}"
    plan["research_questions"][0]["tags"] = ["payment", "basket"]
    plan["segments"] = ["new", "returning"]
    plan["participants_per_segment"] = {"new": 2, "returning": 1}
    (study / "study.yml").write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True), encoding="utf-8")
    notes = pd.read_csv(study / "data" / "notes.csv", dtype=str, keep_default_na=False)
    notes.loc[len(notes)] = [
        "N010",
        "S02",
        "R-3002",
        "Delivery",
        f"Typed {XSS_PAYLOADS[2]} into the search box",
        "delivery",
        "observation",
    ]
    notes.to_csv(study / "data" / "notes.csv", index=False)
    insights = {
        "insights": [
            {
                "id": "I1",
                "statement": f"Payment errors confuse customers {XSS_PAYLOADS[1]} {XSS_PAYLOADS[2]}",
                "answers": ["RQ1"],
                "evidence": ["N001", "Q-N002", "Q-N006", "N010"],
                "tags": ["payment"],
                "recommendations": [
                    {
                        "id": "R1",
                        "action": f"Explain the error {XSS_PAYLOADS[0]}",
                        "owner": "Design",
                        "metric": plan["pm_metrics"][0]["name"],
                        "priority": "high",
                    }
                ],
            }
        ],
        "open_questions": ["RQ2", "RQ3"],
    }
    (study / "insights.yml").write_text(yaml.safe_dump(insights, sort_keys=False), encoding="utf-8")
    return study
