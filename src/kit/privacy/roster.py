"""Participant privacy: stable pseudonyms, redaction of personal data, consent.

Every participant-derived string passes through :meth:`Roster.redact` before
it reaches any output (executed notebooks, JSON, the site): it is the one
redaction function all stages call. The mapping from participant id to
pseudonym never leaves ``notebooks/<slug>/data/``.

Pseudonyms are ``P01, P02 ...`` in roster order (row order of
participants.csv), so appending participants never renames earlier ones.

What :meth:`Roster.redact` replaces (see :mod:`kit.privacy.redaction`):

* participant names (full name; first or last name alone; any case;
  possessives such as "Maria's" -> "P01's") -> the participant's pseudonym;
* moderator and observer names from sessions.csv -> ``[moderator]`` or
  ``[observer]`` (``[moderator]`` for anyone who moderated any session);
* a single name shared by two people -> ``[name]``;
* participant ids (``R-1041``) -> the pseudonym;

Consent over time: a participant linked to the panel (``person_id`` in
participants.csv) whose ``panel/people.csv`` row has a ``withdrawn`` date has
withdrawn both consents, in every study, whatever participants.csv says; a
``no`` in the person's most recent study holds in the earlier ones too
(:func:`kit.study.panel_people.panel_consent`).
* e-mails, phone numbers, payment-card numbers (Luhn-checked), URLs with a
  query string and street addresses / UK postcodes -> ``[email]``,
  ``[phone]``, ``[card]``, ``[url]``, ``[address]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from kit.errors import DataError, Problem
from kit.layout import DATA_DIR, repo_root_for
from kit.privacy.redaction import NameRule, Redactor, name_rules, normalise_name
from kit.study.panel_people import CONSENT_YES, panel_consent
from kit.study.speaker_labels import speaker_key
from kit.study.table_reader import LINE, find_table, read_table_file

MODERATOR = "[moderator]"
OBSERVER = "[observer]"
PSEUDONYM_RE = re.compile(r"^P\d+$", re.IGNORECASE)
YES = CONSENT_YES


def pseudonym_for(index: int) -> str:
    """Pseudonym of the participant at 0-based roster position ``index``: P01, P02 ..."""
    return f"P{index + 1:02d}"


class UnknownParticipantError(DataError, KeyError):
    """A participant id that is not in participants.csv."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return DataError.__str__(self)


@dataclass(repr=False)
class Roster:
    """Who took part: ids, pseudonyms, names to redact, consent; and the session staff."""

    pseudonyms: dict[str, str] = field(default_factory=dict)  # participant id -> P01
    names: dict[str, str] = field(default_factory=dict)  # full name -> replacement (participants and staff)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # optional `phone` column of participants.csv
    consent_quotes: dict[str, bool] = field(default_factory=dict)
    consent_recording: dict[str, bool] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)
    staff: dict[str, str] = field(default_factory=dict)  # moderator/observer name -> role placeholder
    session_participant: dict[str, str] = field(default_factory=dict)  # session id -> participant id
    recordings: dict[str, str] = field(default_factory=dict)  # session id -> recording link (sessions.csv)
    session_staff: dict[str, dict[str, str]] = field(default_factory=dict)  # session id -> {staff name: role}
    email_of: dict[str, str] = field(default_factory=dict)  # participant id -> e-mail
    person_ids: dict[str, str] = field(default_factory=dict)  # participant id -> panel person_id
    withdrawn: set[str] = field(default_factory=set)  # participant ids whose consent the panel restricts
    _redactor: Redactor | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_frames(
        cls,
        participants: pd.DataFrame,
        sessions: pd.DataFrame | None = None,
        *,
        source: str = "participants.csv",
        panel: dict[str, tuple[bool, bool]] | None = None,
    ) -> "Roster":
        """Build the roster from participants.csv (and sessions.csv for staff names and recording links).

        ``panel`` maps panel person_ids to the consents the panel still allows
        (quotes, recordings; :func:`kit.study.panel_people.panel_consent`): a
        person who withdrew, or said no in a later study, is not quoted or
        linked to here either, whatever this study's columns say.
        Raises :class:`DataError` (``participants.csv:line``) for a missing or
        repeated participant id, since a pseudonym must name one person.
        """
        roster = cls()
        problems: list[Problem] = []
        for i, row in enumerate(participants.to_dict("records")):
            line = i + 2  # header is line 1
            pid = _cell(row.get("participant_id"))
            if not pid:
                problems.append(Problem(f"{source}:{line}", "participant_id is empty, expected an id"))
                continue
            if pid in roster.pseudonyms:
                problems.append(
                    Problem(
                        f"{source}:{line}",
                        f"participant_id {pid!r} repeats an earlier row, expected each participant once",
                    )
                )
                continue
            alias = pseudonym_for(i)
            roster.pseudonyms[pid] = alias
            if name := _cell(row.get("name")):
                roster.names[name] = alias
            if email := _cell(row.get("email")):
                roster.emails.append(email)
                roster.email_of[pid] = email
            if phone := _cell(row.get("phone")):
                roster.phones.append(phone)
            roster.segments[pid] = _cell(row.get("segment"))
            person = _cell(row.get("person_id"))
            if person:
                roster.person_ids[pid] = person
            quotes, recording = (panel or {}).get(person, (True, True)) if person else (True, True)
            if not (quotes and recording):
                roster.withdrawn.add(pid)
            roster.consent_quotes[pid] = _yes(row.get("consent_quotes")) and quotes
            roster.consent_recording[pid] = _yes(row.get("consent_recording")) and recording
        if problems:
            raise DataError(problems)
        if sessions is not None:
            roster._add_sessions(sessions)
        return roster

    @classmethod
    def from_study(cls, study_dir: str | Path) -> "Roster":
        """The roster of ``notebooks/<slug>/``: data/participants and data/sessions (.csv or .xlsx).

        Withdrawals come from the repository's panel (``panel/people.csv``), if any.
        """
        data = Path(study_dir) / DATA_DIR
        participants, p_source = read_table(data, "participants")
        if participants is None:
            raise DataError(Problem(str(data / "participants.csv"), "missing, expected the participant roster"))
        sessions, _ = read_table(data, "sessions")
        return cls.from_frames(participants, sessions, source=p_source, panel=panel_consents(study_dir))

    def _add_sessions(self, sessions: pd.DataFrame) -> None:
        for row in sessions.to_dict("records"):
            sid, pid = _cell(row.get("session_id")), _cell(row.get("participant_id"))
            if sid and pid:
                self.session_participant[sid] = pid
            if sid and (link := _cell(row.get("recording"))):
                self.recordings[sid] = link
            here = self.session_staff.setdefault(sid, {}) if sid else {}
            if moderator := _cell(row.get("moderator")):
                self.staff[moderator] = here[moderator] = MODERATOR
            for observer in re.split(r"[;\n]", _cell(row.get("observers"))):
                observer = observer.strip()
                if observer and self.staff.get(observer) != MODERATOR:
                    self.staff[observer] = OBSERVER
                if observer and here.get(observer) != MODERATOR:
                    here[observer] = OBSERVER
        for name, role in self.staff.items():
            self.names.setdefault(name, role)  # a participant's own name keeps the pseudonym

    def __repr__(self) -> str:
        # A notebook cell ending in `roster` must not print names into a report.
        return (
            f"<Roster: {len(self.pseudonyms)} participants ({', '.join(self.pseudonyms.values())}), "
            f"{len(self.staff)} staff; names withheld>"
        )

    __str__ = __repr__

    # --- pseudonyms and consent -----------------------------------------------------------

    def pseudonym(self, participant_id: str) -> str:
        """The published name of a participant (P01 ...)."""
        pid = str(participant_id).strip()
        try:
            return self.pseudonyms[pid]
        except KeyError:
            raise UnknownParticipantError(
                Problem("participants.csv", f"participant {pid!r} is not in the roster")
            ) from None

    def can_quote(self, participant_id: str) -> bool:
        """Whether the participant consented to verbatim quotes (consent_quotes = yes)."""
        return self.consent_quotes.get(str(participant_id).strip(), False)

    def can_link_recording(self, participant_id: str) -> bool:
        """Whether a report may link to this participant's recording or transcript."""
        return self.consent_recording.get(str(participant_id).strip(), False)

    def recording_link(self, session_id: str) -> str | None:
        """The session's recording link if its participant consented to recording links, else None.

        Only http(s) links are ever returned: a ``javascript:`` or ``data:``
        "link" typed into sessions.csv would run in the reader's browser.
        """
        sid = str(session_id).strip()
        link = self.recordings.get(sid)
        pid = self.session_participant.get(sid)
        if not link or pid is None or not self.can_link_recording(pid):
            return None
        return link if urlsplit(link).scheme.lower() in ("http", "https") else None

    def quote(self, participant_id: str, text: str) -> str | None:
        """The redacted quote if the participant consented to quotes, else None.

        Callers still count the note (in tags, themes, problems); they only
        must not show its words.
        """
        return self.redact(text) if self.can_quote(participant_id) else None

    def public_participants(self) -> list[dict[str, str]]:
        """What a report may show about each participant: pseudonym and segment."""
        return [{"pseudonym": alias, "segment": self.segments.get(pid, "")} for pid, alias in self.pseudonyms.items()]

    def role_of(self, name: str) -> str | None:
        """``[moderator]`` / ``[observer]`` for session staff (display names normalised), else None."""
        name = " ".join(str(name).split())
        if name in self.staff:
            return self.staff[name]
        key = speaker_key(name)
        return next((role for staff, role in self.staff.items() if speaker_key(staff) == key), None) if key else None

    def speaker(self, name: str) -> str:
        """Published label of a transcript speaker: pseudonym, role placeholder, or redacted text."""
        name = " ".join(str(name).split())
        if name in self.names:
            return self.names[name]
        if name in self.pseudonyms:
            return self.pseudonyms[name]
        return self.redact(name)

    def has_moderator(self, session_id: str) -> bool:
        """Whether sessions.csv names a moderator for the session."""
        return MODERATOR in self.session_staff.get(str(session_id), {}).values()

    def match_speaker(self, label: str, session_id: str | None = None) -> SpeakerMatch | None:
        """Who a transcript speaker label names, or None when nobody can be told.

        In order: an e-mail shown as the display name; a participant's or a
        staff member's full name; a participant id; then a partial name
        (``Maria G.``, ``Maria``) that fits exactly one person of the session
        (its participant, moderator and observers; everyone when the session
        is unknown). Labels are compared by :func:`kit.study.speaker_labels.speaker_key`.
        """
        label = " ".join(str(label).split())
        key = speaker_key(label)
        if not key:
            return None
        if "@" in label:
            for pid, email in self.email_of.items():
                if email.casefold() == label.casefold():
                    return SpeakerMatch(pid, "participant", "e-mail")
        people = self._people(None)
        if key in people:
            return people[key]
        if label in self.pseudonyms:
            return SpeakerMatch(label, "participant", "participant id")
        tokens = key.split()
        fits = {match for name, match in self._people(session_id).items() if _fits(tokens, name.split())}
        if len(fits) == 1:
            match = fits.pop()
            return SpeakerMatch(match.participant_id, match.role, "part of the name")
        return None

    def participant_of_speaker(self, name: str, session_id: str | None = None) -> str | None:
        """The participant id a transcript speaker is, if any (by name, else by session).

        A speaker who is session staff is never a participant; an unknown
        speaker in a session is taken to be that session's participant (the
        privacy check uses this to look for every word a participant may
        have said; the synthesis attributes more carefully, see
        :func:`kit.study.transcripts.read_transcripts`).
        """
        match = self.match_speaker(name, session_id)
        if match is not None:
            return match.participant_id
        return self.session_participant.get(str(session_id)) if session_id else None

    def _people(self, session_id: str | None) -> dict[str, SpeakerMatch]:
        """Speaker key -> match for the participants and staff (of one session, when known)."""
        sid = str(session_id) if session_id is not None else None
        known = sid if sid is not None and sid in self.session_participant else None  # the session, when known
        names = self._participant_names()
        out: dict[str, SpeakerMatch] = {}
        for pid, name in names.items():
            if known is None or self.session_participant[known] == pid:
                out[speaker_key(name)] = SpeakerMatch(pid, "participant", "name")
        staff = self.session_staff.get(known, {}) if known is not None else self.staff
        for name, role in staff.items():
            out.setdefault(speaker_key(name), SpeakerMatch(None, role.strip("[]"), "name"))
        return out

    def _participant_names(self) -> dict[str, str]:
        alias_to_pid = {alias: pid for pid, alias in self.pseudonyms.items()}
        return {alias_to_pid[alias]: name for name, alias in self.names.items() if alias in alias_to_pid}

    # --- redaction --------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """``text`` with names, ids, e-mails, phones, cards, URLs and addresses replaced.

        ``None`` and NaN are returned unchanged (no text); other values are
        converted to ``str`` first.
        """
        if text is None or (isinstance(text, float) and text != text):
            return text
        if not isinstance(text, str):
            text = str(text)
        if not text:
            return text
        return self.redactor.redact(text)

    @property
    def redactor(self) -> Redactor:
        """The compiled redactor for this roster (built on first use)."""
        if self._redactor is None:
            rules = name_rules(self.names.items())
            # Participant ids such as R-1041 are linkable too; ids shaped like
            # pseudonyms (P3) or without a letter and a digit are too ambiguous.
            rules += [
                NameRule(normalise_name(pid), alias, any_case=True)
                for pid, alias in self.pseudonyms.items()
                if distinctive_id(pid)
            ]
            self._redactor = Redactor(rules)
        return self._redactor


@dataclass(frozen=True)
class SpeakerMatch:
    """Who a transcript speaker is: a participant (id), or staff (role moderator/observer)."""

    participant_id: str | None
    role: str  # "participant", "moderator", "observer"
    how: str  # what matched: "name", "part of the name", "e-mail", "participant id"


def _fits(label: list[str], name: list[str]) -> bool:
    """Every word of the label is a word of the name or its initial, and one whole word matches."""
    if not label or not any(t in name for t in label if len(t) > 1):
        return False
    return all(t in name or (len(t) == 1 and any(n.startswith(t) for n in name)) for t in label)


def panel_consents(study_dir: str | Path) -> dict[str, tuple[bool, bool]]:
    """The panel's consent restrictions (person_id -> quotes, recordings) for the repository of ``study_dir``."""
    return panel_consent(repo_root_for(study_dir))


def distinctive_id(participant_id: str) -> bool:
    """Whether an id is safe to replace/scan as a word: 4+ chars, a letter, a digit, not P<n>."""
    pid = str(participant_id)
    return (
        len(pid) >= 4
        and any(c.isalpha() for c in pid)
        and any(c.isdigit() for c in pid)
        and not PSEUDONYM_RE.match(pid)
    )


def read_table(data_dir: Path, stem: str) -> tuple[pd.DataFrame | None, str]:
    """Read ``data/<stem>.csv`` (or ``.xlsx``) as text cells; (None, name) when absent.

    The same reader as the synthesis stage (:func:`kit.study.tables.read_table_file`):
    an Excel-exported Windows-1252 roster or a row with extra cells is read as
    the stage reads it, so its names are redacted and looked for, never missed.
    Raises :class:`DataError` (``data/<file>:line``) when the file cannot be read.
    """
    path = find_table(data_dir, stem)
    if path is None:
        return None, f"{stem}.csv"
    problems: list[Problem] = []
    table = read_table_file(path, stem, problems)
    if table is None:
        raise DataError(problems)
    return table.frame.drop(columns=[LINE], errors="ignore"), path.name


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())


def _yes(value: object) -> bool:
    return _cell(value).lower() in YES
