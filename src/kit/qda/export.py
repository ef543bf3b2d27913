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

The XML is written one session at a time straight into the zip entry (users,
codebook, variables and cases built with lxml; the many selections and codings
as text escaped with :func:`xml.sax.saxutils.quoteattr`), so a 100,000-note
study never sits in memory as a tree; the zip is built beside the target and
moved into place when complete. The tests validate every kind of export
against the standard's ``Project.xsd``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from kit.errors import DataError, UsageError
from kit.layout import REPORTS_DIR, SITE_DIR, STUDIES_DIR, notebooks_root
from kit.privacy.roster import Roster
from kit.study import transcripts
from kit.study.codebook import Codebook, code_guid, load_codebook
from kit.study.coding import NOTES_CODER, read_codings
from kit.study.study_file import load_study
from kit.study.tables import fatal_first, load_tables

NS = "urn:QDA-XML:project:1.0"
ORIGIN = "research-ops kit"
WITHHELD = "[quote withheld: no consent to quotes]"
GUID_SALT = "research-ops-kit/refi-qda"
PUBLISHED_DIRS = (REPORTS_DIR, SITE_DIR, STUDIES_DIR)


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def guid(*parts: str) -> str:
    """A stable GUID for a project element: the same study exports the same GUIDs.

    A 128-bit BLAKE2b digest of the element's kind and keys (study, note, coder, code) in
    the 8-4-4-4-12 form the schema's GUIDType asks for; several times faster than uuid5
    for the hundreds of thousands of selections and codings of a large study.
    """
    h = hashlib.blake2b("\x1f".join((GUID_SALT, *parts)).encode("utf-8"), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class ExportSummary:
    path: Path
    sources: int
    selections: int
    codings: int
    codes: int
    users: int
    raw: bool


@dataclass
class _Note:
    id: str
    session: str
    text: str
    codes: dict[str, list[str] | None]  # coder -> codes (None = not coded by that coder)


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
    study_dir = notebooks_root(repo_root) / slug
    if not study_dir.is_dir():
        raise UsageError(f"unknown study '{slug}': no folder notebooks/{slug}/")
    out = Path(out) if out else repo_root / f"{slug}{'-raw' if raw else ''}.qdpx"
    check_output(repo_root, out, raw, confirm_personal_data)
    study = load_study(study_dir)
    data = load_tables(study_dir)
    roster = Roster.from_frames(data.frame("participants"), data.frame("sessions"), source="data/participants.csv")
    problems: list = []
    notes_frame = data.frame("notes")
    note_tags = dict(zip(notes_frame["note_id"].tolist(), notes_frame["tags"].tolist()))
    codings = read_codings(study_dir, note_tags, problems)
    utterances = transcripts.read_transcripts(study_dir, roster, problems)
    if any(p.fatal for p in problems):
        raise DataError(fatal_first(problems))
    coders = codings.coders or {NOTES_CODER: note_tags}
    book = load_codebook(repo_root, study_dir)
    public = _Publisher(roster, raw)
    code_of = _code_mapper(book, public)

    notes: list[_Note] = []
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
            _Note(
                nid,
                sid,
                public.text(text),
                {c: (sorted({code_of(t) for t in coders[c][nid]}) if nid in coders[c] else None) for c in coders},
            )
        )
    codes = _code_tree(book, public, {c for n in notes for tags in n.codes.values() if tags for c in tags})
    users = {c: guid("user", slug, c) for c in coders}
    summary = ExportSummary(out, 0, 0, 0, len(codes), len(users), raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        _write_zip(Path(tmp), slug, study.title, data, roster, public, notes, utterances, codes, users, summary)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return summary


class _Publisher:
    """Names and text as the export shows them: pseudonymised and redacted, or raw."""

    def __init__(self, roster: Roster, raw: bool) -> None:
        self.roster, self.raw = roster, raw
        self._cache: dict[str, str] = {}

    def text(self, text: str) -> str:
        if self.raw or not text:
            return text
        if text not in self._cache:
            self._cache[text] = self.roster.redact(text)
        return self._cache[text]

    def participant(self, pid: str, name: str = "") -> str:
        if self.raw:
            return f"{name} ({pid})" if name else pid
        return self.roster.pseudonyms.get(pid, "")

    def speaker(self, utterance) -> str:
        return utterance.speaker if self.raw else self.roster.speaker(utterance.speaker)

    def turn(self, utterance) -> str:
        if self.raw:
            return utterance.text
        if utterance.participant_id and not self.roster.can_quote(utterance.participant_id):
            return WITHHELD
        return self.text(utterance.text)


def _code_mapper(book: Codebook | None, public: _Publisher):
    cache: dict[str, str] = {}

    def code_of(tag: str) -> str:
        if tag not in cache:
            name = book.canonical(tag) if book is not None else tag
            cache[tag] = name if public.raw else public.text(name).lower()
        return cache[tag]

    return code_of


def _code_tree(book: Codebook | None, public: _Publisher, used: set[str]) -> dict[str, dict]:
    """Code name -> {guid, parent, description, color}: the codebook's active codes plus codes in use."""
    out: dict[str, dict] = {}
    if book is not None:
        for name, code in book.codes.items():
            if code.status != "active":
                continue
            shown = name if public.raw else public.text(name).lower()
            out[shown] = {
                "guid": book.guid(name),
                "parent": code.parent,
                "description": code.definition,
                "color": code.color,
            }
    for name in sorted(used - set(out)):
        out[name] = {"guid": code_guid(name), "parent": None, "description": "", "color": None}
    for info in out.values():
        if info["parent"] not in out:
            info["parent"] = None
    return out


def _write_zip(
    path: Path,
    slug: str,
    title: str,
    data,
    roster: Roster,
    public: _Publisher,
    notes: list[_Note],
    utterances,
    codes: dict[str, dict],
    users: dict[str, str],
    summary: ExportSummary,
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    sessions = data.frame("sessions")
    session_pid = dict(zip(sessions["session_id"].tolist(), sessions["participant_id"].tolist()))
    order = list(dict.fromkeys([*sessions["session_id"].tolist(), *(n.session for n in notes)]))
    by_session: dict[str, list[_Note]] = {}
    for n in notes:
        by_session.setdefault(n.session, []).append(n)
    turns: dict[str, list] = {}
    for u in utterances:
        turns.setdefault(u.session_id, []).append(u)
    source_guid = {s: guid("source", slug, s) for s in order}
    texts: list[tuple[str, str]] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("project.qde", "w") as raw, io.BufferedWriter(raw, buffer_size=1 << 20) as fh:
            fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
            fh.write(
                f'<Project xmlns="{NS}" name={_attr(public.text(title))} origin={_attr(ORIGIN)} '
                f'creationDateTime="{now}">'.encode()
            )
            # The small sections are built with lxml; each carries the default namespace again (valid XML).
            for element in (
                _users(users),
                _codebook(codes) if codes else None,
                _variables(slug),
                _cases(slug, data, roster, public, session_pid, source_guid),
            ):
                if element is not None:
                    fh.write(_serialise(element))
            fh.write(b"<Sources>")
            for sid in order:
                xml, text = _source(
                    slug,
                    sid,
                    session_pid.get(sid, ""),
                    public,
                    by_session.get(sid, []),
                    turns.get(sid, []),
                    codes,
                    users,
                    source_guid[sid],
                    summary,
                )
                fh.write(xml.encode("utf-8"))
                texts.append((source_guid[sid], text))
                summary.sources += 1
            fh.write(b"</Sources></Project>\n")
        for g, text in texts:
            zf.writestr(f"Sources/{g}.txt", text.encode("utf-8"))


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attr(value: str) -> str:
    """A quoted, escaped XML attribute value; characters XML 1.0 cannot hold are dropped."""
    return quoteattr(_XML_INVALID.sub("", str(value)))


def _serialise(element) -> bytes:
    from lxml import etree

    return etree.tostring(element, encoding="utf-8")


def _users(users: dict[str, str]):
    from lxml import etree

    el = etree.Element(q("Users"), nsmap={None: NS})
    for name, g in users.items():
        etree.SubElement(el, q("User"), guid=g, name=name)
    return el


def _codebook(codes: dict[str, dict]):
    from lxml import etree

    book = etree.Element(q("CodeBook"), nsmap={None: NS})
    top = etree.SubElement(book, q("Codes"))
    children: dict[str | None, list[str]] = {}
    for name, info in codes.items():
        children.setdefault(info["parent"], []).append(name)

    def add(parent, name: str, seen: frozenset) -> None:
        info = codes[name]
        attrs = {"guid": info["guid"], "name": name, "isCodable": "true"}
        if info["color"]:
            attrs["color"] = info["color"]
        el = etree.SubElement(parent, q("Code"), attrs)
        if info["description"]:
            etree.SubElement(el, q("Description")).text = info["description"]
        for child in children.get(name, []):
            if child not in seen:
                add(el, child, seen | {child})

    for name in children.get(None, []):
        add(top, name, frozenset({name}))
    return book


def _variables(slug: str):
    from lxml import etree

    el = etree.Element(q("Variables"), nsmap={None: NS})
    var = etree.SubElement(
        el, q("Variable"), guid=guid("variable", slug, "segment"), name="segment", typeOfVariable="Text"
    )
    etree.SubElement(var, q("Description")).text = "The participant's user segment (study.yml segments)"
    return el


def _cases(slug: str, data, roster: Roster, public: _Publisher, session_pid: dict, source_guid: dict):
    from lxml import etree

    people = data.frame("participants")
    if not len(people):
        return None
    el = etree.Element(q("Cases"), nsmap={None: NS})
    sessions_of: dict[str, list[str]] = {}
    for sid, pid in session_pid.items():
        sessions_of.setdefault(pid, []).append(sid)
    variable = guid("variable", slug, "segment")
    for pid, name, segment in zip(people["participant_id"], people["name"], people["segment"]):
        case = etree.SubElement(el, q("Case"), guid=guid("case", slug, pid), name=public.participant(pid, name))
        value = etree.SubElement(case, q("VariableValue"))
        etree.SubElement(value, q("VariableRef"), targetGUID=variable)
        etree.SubElement(value, q("TextValue")).text = public.text(segment)
        for sid in sessions_of.get(pid, []):
            etree.SubElement(case, q("SourceRef"), targetGUID=source_guid[sid])
    return el


def _source(
    slug: str,
    sid: str,
    pid: str,
    public: _Publisher,
    notes: list[_Note],
    turns: list,
    codes: dict[str, dict],
    users: dict[str, str],
    source_guid: str,
    summary: ExportSummary,
) -> tuple[str, str]:
    """One session's ``<TextSource>`` (XML text) and its plain text (offsets count characters of that text).

    Written as text with :func:`xml.sax.saxutils.quoteattr` escaping rather than as lxml
    elements: a large study has hundreds of thousands of selections and codings, and
    element objects cost ~5x the time (the tests validate the result against the schema).
    """
    who = public.participant(pid) if pid else ""
    name = f"{public.text(sid) or '(no session)'}" + (f" ({who})" if who else "")
    parts: list[str] = [f"Session {name}\n\nNotes\n"]
    length = len(parts[0])
    xml = [f'<TextSource guid="{source_guid}" name={_attr(name)} plainTextPath="internal://{source_guid}.txt">']
    for n in notes:
        prefix = f"[{n.id}] "
        start = length + len(prefix)
        line = f"{prefix}{n.text}\n"
        parts.append(line)
        length += len(line)
        coded = [(c, tags) for c, tags in n.codes.items() if tags]
        if not coded:
            continue
        xml.append(
            f'<PlainTextSelection guid="{guid("selection", slug, n.id)}" name={_attr(n.id)} '
            f'startPosition="{start}" endPosition="{start + len(n.text)}">'
        )
        summary.selections += 1
        for coder, tags in coded:
            for tag in tags:
                xml.append(
                    f'<Coding guid="{guid("coding", slug, n.id, coder, tag)}" creatingUser="{users[coder]}">'
                    f'<CodeRef targetGUID="{codes[tag]["guid"]}"/></Coding>'
                )
                summary.codings += 1
        xml.append("</PlainTextSelection>")
    xml.append("</TextSource>")
    if turns:
        parts.append("\nTranscript\n")
        parts += [f"{public.speaker(u)}: {public.turn(u)}\n" for u in turns]
    return "".join(xml), "".join(parts)
