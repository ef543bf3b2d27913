"""The REFI-QDA project file (``project.qde``) and its ``Sources/`` texts, written into a ``.qdpx`` zip.

REFI-QDA Project 1.0 (``Project.xsd``, namespace ``urn:QDA-XML:project:1.0``):
``<Users>``, ``<CodeBook>``, ``<Variables>``, ``<Cases>`` and ``<Sources>``, one
``<TextSource>`` per session whose ``<PlainTextSelection>`` offsets are zero-based,
end-exclusive character offsets into ``Sources/<guid>.txt``.

The XML is written one session at a time straight into the zip entry (users,
codebook, variables and cases built with lxml; the many selections and codings
as text escaped with :func:`xml.sax.saxutils.quoteattr`), so a 100,000-note
study never sits in memory as a tree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from kit.privacy.roster import Roster
from kit.qda.publisher import ExportNote, Publisher
from kit.study.tables import StudyData
from kit.study.transcripts import Utterance

NS = "urn:QDA-XML:project:1.0"
ORIGIN = "research-ops kit"
GUID_SALT = "research-ops-kit/refi-qda"


def q(tag: str) -> str:
    """``tag`` in the project namespace, as lxml spells a qualified name."""
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
    """What an export wrote (counted as the sources are written)."""

    path: Path
    sources: int
    selections: int
    codings: int
    codes: int
    users: int
    raw: bool


def write_project_zip(
    path: Path,
    slug: str,
    title: str,
    data: StudyData,
    roster: Roster,
    public: Publisher,
    notes: list[ExportNote],
    utterances: list[Utterance],
    codes: dict[str, dict[str, Any]],
    users: dict[str, str],
    summary: ExportSummary,
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    sessions = data.frame("sessions")
    session_pid = dict(zip(sessions["session_id"].tolist(), sessions["participant_id"].tolist()))
    order = list(dict.fromkeys([*sessions["session_id"].tolist(), *(n.session for n in notes)]))
    by_session: dict[str, list[ExportNote]] = {}
    for n in notes:
        by_session.setdefault(n.session, []).append(n)
    turns: dict[str, list[Utterance]] = {}
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


def _serialise(element: Any) -> bytes:
    from lxml import etree

    return etree.tostring(element, encoding="utf-8")


def _users(users: dict[str, str]) -> Any:
    from lxml import etree

    el = etree.Element(q("Users"), nsmap={None: NS})
    for name, g in users.items():
        etree.SubElement(el, q("User"), guid=g, name=name)
    return el


def _codebook(codes: dict[str, dict[str, Any]]) -> Any:
    from lxml import etree

    book = etree.Element(q("CodeBook"), nsmap={None: NS})
    top = etree.SubElement(book, q("Codes"))
    children: dict[str | None, list[str]] = {}
    for name, info in codes.items():
        children.setdefault(info["parent"], []).append(name)

    def add(parent: Any, name: str, seen: frozenset[str]) -> None:
        info = codes[name]
        attrs = {"guid": info["guid"], "name": info["name"], "isCodable": "true"}
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


def _variables(slug: str) -> Any:
    from lxml import etree

    el = etree.Element(q("Variables"), nsmap={None: NS})
    var = etree.SubElement(
        el, q("Variable"), guid=guid("variable", slug, "segment"), name="segment", typeOfVariable="Text"
    )
    etree.SubElement(var, q("Description")).text = "The participant's user segment (study.yml segments)"
    return el


def _cases(
    slug: str,
    data: StudyData,
    roster: Roster,
    public: Publisher,
    session_pid: dict[str, str],
    source_guid: dict[str, str],
) -> Any:
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
    public: Publisher,
    notes: list[ExportNote],
    turns: list[Utterance],
    codes: dict[str, dict[str, Any]],
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
