"""A repository whose every input field carries script payloads (the escaping-by-construction test).

``seed_hostile_repository`` copies the demo study and plants :func:`payload`
(an ``<img onerror>``, a ``<script>``, an attribute break-out ``"><svg onload>``
and a Markdown ``javascript:`` link, each setting ``window.__xss`` to the name
of the field it came from) in every text field of study.yml, insights.yml,
every data/*.csv, the transcripts (speaker labels too), the shared and the
study's codebook.yml, the repository's requests/*.csv and the panel
(people.csv, rules.yml). Values that other files refer to (tags and codes,
segments, task names, metric names, consent versions) are renamed the
same way everywhere, so the study still runs and links as before. A
``javascript:`` recording link stands in for a URL field.

Ids that name files or must match a pattern (``S01``, ``RQ1``, ``I1``, dates,
numbers, yes/no), the fixed vocabularies (RACI roles, owners) and the names
and e-mails of the roster, moderators and observers (never published;
redaction input) stay as they are: the
stages would refuse the first two before any HTML is written.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

STUDY = "hostile-fields"
DEMO = "demo-checkout"
JS_URL = "javascript:window.__xss='sessions.recording'"
JS_URL_RE = re.compile(r"\s*(?:javascript|vbscript|data:text/html)", re.IGNORECASE)


class PlantedMarkup(HTMLParser):
    """Elements a payload made in a page's HTML: an event handler, a script or a URL setting ``__xss``.

    What the browser would build, not text: ``&lt;img ...&gt;`` and a ``<`` inside a
    quoted attribute value (Quarto's listing sort keys) are text and are not reported.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            handler = name.startswith("on") and "__xss" in value
            url = name in ("href", "src", "action", "formaction") and JS_URL_RE.match(value)
            if handler or url or (tag == "img" and name == "src" and value == "x"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        # A planted <script> starts with the payload's code; a chart's script holds escaped labels as data.
        if self._in_script and re.match(r"\s*window\.__xss\s*=", data):
            self.found.append(f"<script>{data.strip()}</script>")


def planted_markup(page: str) -> list[str]:
    """The payload elements :class:`PlantedMarkup` finds in one page's HTML."""
    parser = PlantedMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


def payload(field: str) -> str:
    """Four ways into a page, each setting ``window.__xss`` to ``field`` if it runs."""
    return (
        f"<img src=x onerror=\"window.__xss='{field}'\">"
        f"<script>window.__xss='{field}'</script>"
        f'"><svg onload="window.__xss=\'{field}\'">'
        f" [click](javascript:window.__xss='{field}')"
    )


def short_payload(field: str) -> str:
    """A payload for labels that allow no colon and at most 60 characters (speaker labels)."""
    return f"<img src=x onerror=window.__xss={field}>"


class Hostile:
    """Renames each value once: the same original gets the same hostile text in every file."""

    def __init__(self) -> None:
        self.renamed: dict[str, str] = {}

    def __call__(self, field: str, value: Any) -> str:
        text = "" if value is None else str(value)
        if not text:
            return text
        if text not in self.renamed:
            self.renamed[text] = f"{text} {payload(field)}"
        return self.renamed[text]


def _rewrite_csv(path: Path, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = [change(dict(r)) for r in reader]
    for row in rows:
        header += [k for k in row if k not in header]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _list(h: Hostile, field: str, value: str) -> str:
    return ";".join(h(field, t) for t in value.split(";") if t)


def _plan(plan: dict[str, Any], h: Hostile) -> dict[str, Any]:
    for key in ("title", "product_area", "feature", "pm_owner", "uxr_owner", "decision"):
        plan[key] = h(f"study.{key}", plan[key])
    for key in ("research_gaps", "existing_sources", "hypotheses", "discussion_guide"):
        plan[key] = [h(f"study.{key}", v) for v in plan[key]]
    for metric in plan["pm_metrics"]:
        metric["name"] = h("study.pm_metrics.name", metric["name"])
        metric["target"] = h("study.pm_metrics.target", metric["target"])
    for rq in plan["research_questions"]:
        rq["text"] = h("study.research_questions.text", rq["text"])
        rq["tags"] = [h("tag", t) for t in rq["tags"]]
    plan["segments"] = [h("segment", s) for s in plan["segments"]]
    plan["participants_per_segment"] = {h("segment", k): v for k, v in plan["participants_per_segment"].items()}
    for observer in plan["observers"]:
        observer["name"] = h("study.observers.name", observer["name"])
    return plan


def _insights(doc: dict[str, Any], h: Hostile) -> dict[str, Any]:
    for insight in doc["insights"]:
        insight["statement"] = h("insights.statement", insight["statement"])
        insight["tags"] = [h("tag", t) for t in insight.get("tags", [])]
        # A task metric's id is made from the (now hostile, then redacted) task name: cite notes instead.
        insight["evidence"] = [e for e in insight["evidence"] if not re.match(r"M-(COMPLETION|TIME|SEQ)-", e)]
        if insight.get("product_area"):
            insight["product_area"] = h("insights.product_area", insight["product_area"])
        for rec in insight.get("recommendations", []):
            for key in ("action", "decided_by", "note"):
                if rec.get(key):
                    rec[key] = h(f"insights.recommendations.{key}", rec[key])
            rec["metric"] = h("study.pm_metrics.name", rec["metric"])
    return doc


def _codebook(doc: dict[str, Any], h: Hostile, prefix: str) -> dict[str, Any]:
    for code in doc["codes"]:
        code["name"] = h("tag", code["name"])
        for key in ("parent", "merged_into"):
            if code.get(key):
                code[key] = h("tag", code[key])
        code["definition"] = h(f"{prefix}.definition", code["definition"])
        for key in ("include", "exclude", "synonyms"):
            if code.get(key):
                code[key] = [h(f"{prefix}.{key}", v) for v in code[key]]
    return doc


def _yaml(path: Path, change: Callable[[Any], Any]) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(change(doc), sort_keys=False, allow_unicode=True), encoding="utf-8")


PEOPLE_HEADER = [
    "person_id",
    "name",
    "email",
    "account",
    "segment",
    "contact_owner",
    "opted_in",
    "consent_version",
    "withdrawn",
    "beta",
    "notes",
]


def _panel(repo: Path, study: Path, h: Hostile) -> None:
    """panel/people.csv: one person per participant of the study (linked by person_id), and rules.yml."""
    panel = repo / "panel"
    panel.mkdir()
    with (study / "data" / "participants.csv").open(encoding="utf-8", newline="") as fh:
        participants = list(csv.DictReader(fh))
    with (panel / "people.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(PEOPLE_HEADER)
        for n, p in enumerate(participants, 1):
            writer.writerow(
                [
                    f"PX-{n:03d}",
                    p["name"],
                    p["email"],
                    h("people.account", f"Account {n % 3}"),
                    p["segment"],
                    "PM",
                    "2025-01-01",
                    h("rules.consent_versions", "v2"),
                    "",
                    "yes" if n % 2 else "no",
                    h("people.notes", f"met at fair {n}"),
                ]
            )
    rules = {"retention_months": 24, "consent_versions": [h("rules.consent_versions", "v2")]}
    (panel / "rules.yml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")

    person_of = {p["participant_id"]: f"PX-{n:03d}" for n, p in enumerate(participants, 1)}

    def link(row: dict[str, str]) -> dict[str, str]:
        return {**row, "person_id": person_of[row["participant_id"]]}

    _rewrite_csv(study / "data" / "participants.csv", link)


def seed_hostile_repository(repo: Path, root: Path) -> Path:
    """Write ``notebooks/hostile-fields`` (and the repository's codebook, requests and panel) into ``repo``."""
    h = Hostile()
    study = repo / "notebooks" / STUDY
    shutil.copytree(root / "notebooks" / DEMO, study, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    data = study / "data"
    _yaml(study / "study.yml", lambda plan: _plan(plan, h))
    _yaml(study / "insights.yml", lambda doc: _insights(doc, h))
    shutil.copyfile(root / "codebook.yml", repo / "codebook.yml")
    _yaml(repo / "codebook.yml", lambda doc: _codebook(doc, h, "codebook"))
    own_code = {"name": "kettle", "definition": "Anything about the kettle", "synonyms": ["teapot"]}
    (study / "codebook.yml").write_text(yaml.safe_dump({"codes": [own_code]}), encoding="utf-8")
    _yaml(study / "codebook.yml", lambda doc: _codebook(doc, h, "study_codebook"))

    # Names and e-mails stay plain: they are never published, and redaction takes every word of a
    # name as a name ("<img" would be redacted wherever it appears, hiding the payloads).
    _rewrite_csv(data / "participants.csv", lambda row: {**row, "segment": h("segment", row["segment"])})

    # Moderators and observers are names too (redacted to [moderator] and [observer]): only the link changes.
    _rewrite_csv(data / "sessions.csv", lambda row: {**row, "recording": JS_URL} if row["session_id"] == "S02" else row)

    with (data / "participants.csv").open(encoding="utf-8", newline="") as fh:
        unquotable = {r["participant_id"] for r in csv.DictReader(fh) if r["consent_quotes"] != "yes"}

    def note(row: dict[str, str]) -> dict[str, str]:
        row["task"] = h("task", row["task"])
        # A quote that must not be published keeps its own words only: the privacy check looks for
        # them in the outputs, and a payload shared with published notes would be found there.
        if not (row["kind"] == "quote" and row["participant_id"] in unquotable):
            row["text"] = f"{row['text']} {payload('notes.text')}"
        row["tags"] = _list(h, "tag", row["tags"])
        return row

    _rewrite_csv(data / "notes.csv", note)
    _rewrite_csv(data / "coding" / "pm.csv", lambda row: {**row, "tags": _list(h, "tag", row["tags"])})
    _rewrite_csv(data / "tasks.csv", lambda row: {**row, "task": h("task", row["task"])})

    def request(row: dict[str, str]) -> dict[str, str]:
        for key in ("account", "text", "status", "source"):
            if row.get(key):
                row[key] = h(f"requests.{key}", row[key])
        row["tags"] = _list(h, "tag", row.get("tags", ""))
        return row

    _rewrite_csv(data / "requests.csv", request)
    (repo / "requests").mkdir()
    shutil.copyfile(data / "requests.csv", repo / "requests" / "tracker.csv")
    _rewrite_csv(repo / "requests" / "tracker.csv", lambda row: {**row, "request_id": f"TR-{row['request_id']}"})

    # A transcript whose speaker labels carry markup, mapped to roles by speakers.csv.
    moderator_label = f"Sam {short_payload('speaker.moderator')}"
    participant_label = f"Guest {short_payload('speaker.participant')}"
    (data / "transcripts" / "S02.txt").write_text(
        f"{moderator_label}: How did the delivery step go for you today?\n"
        f"{participant_label}: The total jumped at the last step and nobody told me why {payload('transcript.text')}\n",
        encoding="utf-8",
    )
    with (data / "speakers.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["session_id", "speaker", "role", "participant_id"])
        writer.writerow(["S02", moderator_label, "moderator", ""])
        writer.writerow(["S02", participant_label, "participant", "R-1047"])
    vtt = data / "transcripts" / "S01.vtt"
    vtt.write_text(vtt.read_text(encoding="utf-8").replace("Yes, that's fine.", f"Yes {payload('vtt.text')}"), "utf-8")
    _panel(repo, study, h)
    return study
