"""Participant privacy: stable pseudonyms and redaction of personal data.

Every participant-derived string passes through :meth:`Roster.redact` before
it reaches any output (executed notebooks, JSON, the site). The mapping from
participant id to pseudonym never leaves ``notebooks/<slug>/data/``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def pseudonym_for(index: int) -> str:
    """Pseudonym of the participant at 0-based roster position ``index``: P01, P02 ..."""
    return f"P{index + 1:02d}"


@dataclass
class Roster:
    """Who took part: ids, pseudonyms, names to redact, consent."""

    pseudonyms: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # name -> replacement
    emails: list[str] = field(default_factory=list)
    consent_quotes: dict[str, bool] = field(default_factory=dict)
    consent_recording: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, participants: pd.DataFrame, sessions: pd.DataFrame | None = None) -> "Roster":
        """Build the roster from participants.csv (and sessions.csv for staff names)."""
        roster = cls()
        for i, row in enumerate(participants.itertuples(index=False)):
            pid = str(row.participant_id).strip()
            alias = pseudonym_for(i)
            roster.pseudonyms[pid] = alias
            name = str(getattr(row, "name", "") or "").strip()
            if name:
                roster.names[name] = alias
            email = str(getattr(row, "email", "") or "").strip()
            if email:
                roster.emails.append(email)
            roster.consent_quotes[pid] = _yes(getattr(row, "consent_quotes", ""))
            roster.consent_recording[pid] = _yes(getattr(row, "consent_recording", ""))
        return roster

    def pseudonym(self, participant_id: str) -> str:
        """The published name of a participant."""
        return self.pseudonyms[str(participant_id).strip()]

    def can_quote(self, participant_id: str) -> bool:
        """Whether the participant consented to verbatim quotes."""
        return self.consent_quotes.get(str(participant_id).strip(), False)

    def redact(self, text: str) -> str:
        """Replace roster names by pseudonyms and emails by ``[email]``."""
        if not text:
            return text
        text = EMAIL_RE.sub("[email]", text)
        for name in sorted(self.names, key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(name)}\b", self.names[name], text, flags=re.IGNORECASE)
        return text


def _yes(value: object) -> bool:
    return str(value).strip().lower() in {"yes", "y", "true", "1"}
