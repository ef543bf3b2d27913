"""What a study must never publish: the inventory ``kit check --privacy`` looks for.

Read from ``notebooks/<slug>/data/`` (and study.yml for the team names the
plan publishes on purpose).

What is looked for, per study:

* ``name``: every roster name - participants (participants.csv) and session
  staff (moderator, observers in sessions.csv). A full name matches in any
  case with any whitespace between its words. A single first or last name
  matches alone when it has at least 3 letters and is not an everyday word or
  a particle (the ``common_words`` and ``name_particles`` lists of
  ``data/redaction_patterns.yml``: "Will", "Park", "van" are only looked for
  inside the full name, since "the park" on a page is not a leak). Names
  match as whole words and also without accents.
  Moderators and observers that study.yml itself names (``pm_owner``,
  ``observers`` ...) are not private: the plan publishes them on purpose.
  Redaction still replaces them by ``[moderator]``/``[observer]`` in
  participant text.
* ``participant_id``: distinctive participant ids (``R-1041``; see
  :func:`kit.privacy.roster.distinctive_id`).
* ``email``, ``phone``, ``card``, ``address``, ``url``: every roster e-mail and
  phone, and every e-mail, phone number, Luhn-valid card number, street
  address and URL with a query string found anywhere in the study's raw data
  (participants, sessions, notes, transcripts). Phones and cards match on
  their digits whatever the separators (the last 9 digits of a phone, so
  ``+44 20 7946 0958`` is found as ``020 7946 0958`` too).
* ``name`` and ``email`` of every person of the panel (``panel/people.csv``),
  reported with the study ``panel``, except team names a plan publishes.
* ``recording``: the ``recording`` link of every session (sessions.csv) whose
  participant did not consent to recording links; consented links are
  published on purpose and not looked for.
* ``quote``: verbatim text of participants without quote consent: notes of
  kind ``quote`` and their transcript utterances. Text is compared as
  lower-case words after undoing JSON escapes, HTML entities (twice, for HTML
  inside JSON) and URL escapes and removing tags; any run of 8 consecutive
  words of such a quote is a hit (shorter quotes are not distinctive enough to
  tell from ordinary text, and are not checked).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import DataError, Problem, StudyError
from kit.layout import DATA_DIR, PANEL_DIR, STUDY_FILE
from kit.privacy.patterns import pattern_table
from kit.privacy.purged_names import mojibake_forms
from kit.privacy.redaction import (
    find_typed,
    is_everyday_word,
    name_parts,
    normalise_name,
    strip_accents,
)
from kit.privacy.roster import Roster, distinctive_id, read_table
from kit.study.panel_people import panel_file
from kit.study.speaker_labels import label_role
from kit.study.study_file import read_yaml_file
from kit.study.tables import read_table_file
from kit.study.transcript_formats import docx_lines
from kit.study.transcripts import EXTENSIONS as TRANSCRIPT_EXTENSIONS
from kit.study.transcripts import read_transcript, session_of

PHONE_TAIL = 9  # digits of a phone compared (drops country codes and trunk zeros)
TAG = re.compile(r"<[^<>]{0,500}>")
_TRANSCRIPT_SKIP = re.compile(r"^(?:WEBVTT.*|NOTE\b.*|STYLE|REGION|\d+|[\d:.,]+\s*-->.*)$")
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>(.*)$")
_SPEAKER = re.compile(r"^([^:]{1,60}):\s+(.+)$")


@dataclass
class StudySecrets:
    """What one study must never publish."""

    slug: str
    # (kind, item, regex): regex None = matched as words (any case, any whitespace, accents
    # optional); a regex for digit runs (phones, cards); "" = too short to look for.
    items: list[tuple[str, str, str | None]] = field(default_factory=list)
    quotes: dict[str, str] = field(default_factory=dict)  # quote id -> text, without consent
    public: set[str] = field(default_factory=set)  # staff names study.yml publishes


def study_secrets(study_dir: Path) -> StudySecrets:
    """Names, ids, contact details and unconsented quotes of one study."""
    roster = Roster.from_study(study_dir)
    data = study_dir / DATA_DIR
    secrets = StudySecrets(study_dir.name)
    # Team members the plan itself names (pm_owner, observers ...) are published
    # on purpose; only participants and unnamed staff are private.
    secrets.public = public_team_names(study_dir, roster)
    secrets.items += name_items(set(roster.names) - secrets.public)
    secrets.items += [("participant_id", pid, None) for pid in roster.pseudonyms if distinctive_id(pid)]
    typed = {("email", e) for e in roster.emails} | {("phone", p) for p in roster.phones}
    for text in _raw_texts(data):
        typed.update((kind, found) for kind, found in find_typed(text) if kind != "name")
    # Recording links are their own kind: published on purpose where the
    # participant consented, a leak everywhere else.
    links = set(roster.recordings.values())
    typed = {(kind, item) for kind, item in typed if item not in links}
    typed.update(("recording", link) for sid, link in roster.recordings.items() if roster.recording_link(sid) is None)
    for kind, item in sorted(typed):
        regex = None  # looked for as words
        if kind in ("phone", "card"):
            regex = _digits_regex(item, tail=PHONE_TAIL if kind == "phone" else None)
        secrets.items.append((kind, item, regex))
    secrets.quotes = unconsented_quotes(roster, data)
    return secrets


def name_items(names: set[str]) -> list[tuple[str, str, None]]:
    """("name", text, None) for each full name and each distinctive single name in it."""
    table = pattern_table()
    items: list[tuple[str, str, None]] = []
    for name in sorted(names):
        items.append(("name", name, None))
        for part in name_parts(name):
            if (
                part.casefold() not in table.name_particles
                and not is_everyday_word(part, table)
                and sum(c.isalpha() for c in part) >= 3
                and part not in names
            ):
                items.append(("name", part, None))
    return items


PANEL = "panel"  # the study label of the panel's people in a leak report


def panel_secrets(repo_root: Path, public: set[str]) -> StudySecrets | None:
    """Names and e-mails of every person of ``panel/people.csv`` (None without a panel).

    ``public`` are team names the studies' plans publish on purpose: a panel
    person who is also staff named in a plan is not a leak where the plan
    names them (in participant text their name is still redacted).
    """
    path = panel_file(repo_root)
    if path is None:
        return None
    problems: list[Problem] = []
    table = read_table_file(path, "people", problems, source=f"{PANEL_DIR}/{path.name}")
    if table is None:
        raise DataError(problems)
    frame = table.frame
    keys = {normalise_name(n) for n in public}
    names = {n for n in (frame["name"].tolist() if "name" in frame else []) if n and normalise_name(n) not in keys}
    secrets = StudySecrets(PANEL, public=set(public))
    secrets.items += name_items(names)
    secrets.items += [("email", e, None) for e in sorted(set(frame["email"].tolist() if "email" in frame else [])) if e]
    return secrets


def public_team_names(study_dir: Path, roster: Roster) -> set[str]:
    """Moderator/observer names that study.yml itself names (the plan is published)."""
    path = study_dir / STUDY_FILE
    if not roster.staff or not path.is_file():
        return set()
    try:
        plan = read_yaml_file(path)
    except StudyError:
        return set()  # a broken plan publishes nothing; its stage will say why
    text = " " + " ".join(" ".join(_strings(plan)).split()).casefold() + " "
    return {
        name
        for name, role in roster.staff.items()
        if roster.names.get(name) == role  # a participant's own name is never public
        and re.search(r"(?<!\w)" + re.escape(normalise_name(name)) + r"(?!\w)", text)
    }


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def unconsented_quotes(roster: Roster, data: Path) -> dict[str, str]:
    """Quote id -> text of every quote whose participant did not consent to quotes."""
    quotes: dict[str, str] = {}
    notes, _ = read_table(data, "notes")
    if notes is not None:
        for row in notes.to_dict("records"):
            kind = str(row.get("kind") or "observation").strip().lower()
            if kind == "quote" and not roster.can_quote(str(row.get("participant_id", ""))):
                quotes[str(row.get("note_id") or f"notes row {len(quotes) + 2}")] = str(row.get("text") or "")
    for path in sorted((data / "transcripts").glob("*")):
        if path.suffix.lower() not in TRANSCRIPT_EXTENSIONS or not path.is_file():
            continue
        sid, n = session_of(path), 0
        for u in read_transcript(path, []):  # the synthesis' own reader: every format it quotes from
            pid = roster.participant_of_speaker(u.speaker, sid) if u.speaker else roster.session_participant.get(sid)
            if pid is None and u.speaker and (roster.role_of(u.speaker) or label_role(u.speaker) == "staff"):
                continue  # staff speak, participants are quoted
            n += 1
            if pid is None or not roster.can_quote(pid):
                quotes[f"{path.name} utterance {n}"] = u.text
    return quotes


def transcript_utterances(path: Path) -> list[tuple[str, str]]:
    """(speaker, text) of each cue/line of a .vtt, .srt or .txt transcript ('' = unknown speaker)."""
    out: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8-sig", errors="replace").splitlines():
        line = raw.strip()
        if not line or _TRANSCRIPT_SKIP.match(line):
            continue
        speaker = ""
        if m := _VOICE.match(line):
            speaker, line = m.group(1).strip(), m.group(2)
        elif m := _SPEAKER.match(line):
            speaker, line = m.group(1).strip(), m.group(2)
        line = TAG.sub("", line).strip()
        if line:
            out.append((speaker, line))
    return out


def _raw_texts(data: Path) -> Iterator[str]:
    for stem in ("participants", "sessions", "notes", "tasks", "sus"):
        df, _ = read_table(data, stem)
        if df is not None:
            yield "\n".join(" | ".join(map(str, row)) for row in df.itertuples(index=False))
    for path in sorted((data / "transcripts").glob("*")):
        if path.is_file() and path.suffix.lower() == ".docx":
            yield "\n".join(docx_lines(path))
        elif path.is_file():
            yield path.read_text(encoding="utf-8-sig", errors="replace")


def word_keys(item: str) -> set[str]:
    """Lookup keys of a literal matched as words: normalised, with and without accents, and mojibake.

    A UTF-8 file read as Windows-1252 publishes "Wójcik" as "WÃ³jcik"
    (:func:`kit.privacy.purged_names.mojibake_forms`): still the name.
    """
    spellings = {item, strip_accents(item)} | mojibake_forms(item)
    return {k for k in map(normalise_name, spellings) if k}


def _digits_regex(item: str, tail: int | None) -> str:
    """The digits of ``item`` with any separators between them (its last ``tail`` digits)."""
    digits = re.sub(r"\D", "", item)
    if tail and len(digits) > tail:
        return r"[\s().\-/]*".join(digits[-tail:]) + r"(?!\d)"
    return r"(?<!\d)" + r"[\s().\-/]*".join(digits) + r"(?!\d)" if len(digits) >= 7 else ""
