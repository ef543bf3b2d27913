"""``kit export --qdpx SLUG``: a study as a REFI-QDA project (``.qdpx``).

What the project holds (REFI-QDA Project 1.0, ``Project.xsd``):

* ``<Users>``: one per coder (``data/coding/<coder>.csv``, and ``notes`` for
  the tags of ``notes.csv``), named by role or initials;
* ``<CodeBook>``: the codebook's active codes with their GUIDs (kept from an
  import, else a stable uuid5 of the name), definitions as descriptions and
  the parent/child hierarchy; tags in use that the codebook lacks are added
  as top-level codes. Synonyms and retired codes are written as the code they
  stand for (as the agreement measures them);
* ``<Variables>``/``<Cases>``: one case per participant with the segment as a
  text variable, referring to the participant's sessions;
* ``<Sources>``: one text source per session, ``Sources/<guid>.txt``: the
  session's notes as ``[N001] text`` lines, then its transcript as
  ``speaker: text`` lines. Every note someone coded is a
  ``<PlainTextSelection>`` named by its note id whose ``startPosition`` /
  ``endPosition`` are zero-based character offsets into that text, end
  exclusive (``text[start:end]`` is the note), each coder's codes a
  ``<Coding>`` by that coder's user.

Pseudonymised by default, like the site: participants are P01 ..., text goes
through :meth:`Roster.redact`, verbatim quotes and transcript turns of
participants without quote consent are withheld. ``raw=True`` keeps names
and words as they are; it needs ``confirm_personal_data=True`` and refuses to
write under ``reports/``, ``_site/`` or ``studies/`` (which get published).

:mod:`kit.qda.publisher` decides what the export shows (pseudonyms, redaction,
withheld quotes, the code tree); :mod:`kit.qda.project_xml` writes the XML one
session at a time straight into the zip entry, so a 100,000-note study never
sits in memory as a tree; this module gathers the study and builds the zip
beside the target, moving it into place when complete. The tests validate every
kind of export against the standard's ``Project.xsd``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kit.errors import DataError, OutputWriteError, Problem, UsageError
from kit.iorw import owned_prefix, shown
from kit.layout import REPORTS_DIR, SITE_DIR, STUDIES_DIR, study_folder
from kit.privacy.roster import Roster
from kit.qda.project_xml import ExportSummary, guid, write_project_zip
from kit.qda.publisher import WITHHELD, ExportNote, Publisher, code_mapper, code_tree
from kit.study import transcripts
from kit.study.codebook import load_codebook
from kit.study.coding import NOTES_CODER, read_codings
from kit.study.study_file import load_study
from kit.study.tables import fatal_first, load_tables

PUBLISHED_DIRS = (REPORTS_DIR, SITE_DIR, STUDIES_DIR)


def check_output(repo_root: Path, out: Path, raw: bool, confirm_personal_data: bool) -> None:
    """Raw exports need the confirmation and must land outside the published folders."""
    if not raw:
        return
    if not confirm_personal_data:
        raise UsageError(
            "--raw keeps participants' names and words: add --confirm-personal-data to say "
            "you mean it (the default export is pseudonymised)"
        )
    target = out.resolve()
    for name in PUBLISHED_DIRS:
        folder = (repo_root / name).resolve()
        if target == folder or folder in target.parents:
            raise UsageError(
                f"{out}: a raw export must not be written under {name}/ (it is published); "
                "choose a path outside reports/, _site/ and studies/"
            )


def export_qdpx(
    repo_root: str | Path,
    slug: str,
    out: str | Path | None = None,
    *,
    raw: bool = False,
    confirm_personal_data: bool = False,
) -> ExportSummary:
    """Write the study ``slug`` as a ``.qdpx`` file (default ``<slug>.qdpx`` at the repository root)."""
    repo_root = Path(repo_root).resolve()
    study_dir = study_folder(repo_root, slug)
    out = Path(out) if out else repo_root / f"{slug}{'-raw' if raw else ''}.qdpx"
    check_output(repo_root, out, raw, confirm_personal_data)
    study = load_study(study_dir)
    data = load_tables(study_dir)
    roster = Roster.from_frames(data.frame("participants"), data.frame("sessions"), source="data/participants.csv")
    problems: list[Problem] = []
    notes_frame = data.frame("notes")
    note_tags = dict(zip(notes_frame["note_id"].tolist(), notes_frame["tags"].tolist()))
    codings = read_codings(study_dir, note_tags, problems)
    utterances = transcripts.read_transcripts(study_dir, roster, problems)
    if any(p.fatal for p in problems):
        raise DataError(fatal_first(problems))
    coders = codings.coders or {NOTES_CODER: note_tags}
    book = load_codebook(repo_root, study_dir)
    public = Publisher(roster, raw)
    code_of = code_mapper(book, public)

    notes: list[ExportNote] = []
    consent = dict(
        zip(
            data.frame("participants")["participant_id"],
            map(roster.can_quote, data.frame("participants")["participant_id"]),
        )
    )
    for nid, sid, pid, text, kind in zip(
        *(notes_frame[c].tolist() for c in ("note_id", "session_id", "participant_id", "text", "kind"))
    ):
        if not raw and kind == "quote" and not consent.get(pid, False):
            text = WITHHELD
        notes.append(
            ExportNote(
                nid,
                sid,
                public.text(text),
                {c: (sorted({code_of(t) for t in coders[c][nid]}) if nid in coders[c] else None) for c in coders},
            )
        )
    codes = code_tree(book, public, {c for n in notes for tags in n.codes.values() if tags for c in tags})
    users = {c: guid("user", slug, c) for c in coders}
    summary = ExportSummary(out, 0, 0, 0, len(codes), len(users), raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    # owned_prefix marks the temporary file as this process's, so a run after a kill removes it
    fd, tmp = tempfile.mkstemp(prefix=owned_prefix(f".{out.name}."), suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        write_project_zip(Path(tmp), slug, study.title, data, roster, public, notes, utterances, codes, users, summary)
        os.replace(tmp, out)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputWriteError):
            raise OutputWriteError(shown(out), exc) from exc  # ENOSPC and the like: one line naming the file
        raise
    return summary
