"""Reading REFI-QDA files from any tool: ``.qdpx`` projects, ``.qdc`` codebooks, bare ``.qde``.

Both namespaces of the standard are accepted (``urn:QDA-XML:project:1.0``
and ``urn:QDA-XML:codebook:1.0``), as are files whose tool left the namespace
out. The XML parser resolves no entities and fetches nothing from the
network (an exchange file is untrusted input).

What is read:

* codes, recursively: name, GUID, colour, description and parent (the hierarchy).
  Each code gets a key unique in the file: its name, or, when another code of
  the file has the same name under a different parent (a deductive codebook's
  "Positive" under "Delivery" and under "Price"), ``<parent's key>/<name>``
  (``Price/Positive``), so neither is lost; parents and codings refer to keys;
* users: GUID -> name;
* codings of plain-text selections: selection name (the kit writes note ids
  there), user (``Coding@creatingUser``, else the selection's creator) and code.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kit.errors import KitError, Problem, ValidationError
from kit.study.codebook import code_name
from kit.study.input_limits import check_inflated

if TYPE_CHECKING:
    from lxml.etree import _Element  # lxml is imported when a file is read

PROJECT_FILE = "project.qde"


class QdaError(ValidationError):
    """A REFI-QDA file that cannot be read."""


@dataclass
class QdaCode:
    name: str  # as the tool shows it (whitespace runs as one space)
    guid: str
    parent: str | None = None  # the parent's key
    description: str = ""
    color: str | None = None
    key: str = ""  # unique in the file: the name, or "<parent's key>/<name>" (see the module's docstring)
    path: tuple[str, ...] = ()  # the names from the top of the tree down to this code, for messages

    def shown(self) -> str:
        """The code's place in the tool's tree, for messages: ``'Price' > 'Positive'``."""
        return " > ".join(f"'{n}'" for n in self.path or (self.name,))


@dataclass
class QdaProject:
    """What the kit takes from a REFI-QDA file."""

    origin: str = ""
    codes: list[QdaCode] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    # user name -> selection name -> code names
    codings: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    whole_source_codings: int = 0  # codings of a source as a whole (no selection): not imported


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml_bytes(path: Path) -> bytes:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            if PROJECT_FILE not in names:
                raise QdaError(
                    Problem(
                        str(path),
                        f"a .qdpx must hold {PROJECT_FILE}, found: {', '.join(sorted(names)[:5]) or 'nothing'}",
                    )
                )
            info = zf.getinfo(names[PROJECT_FILE])
            # Only the project XML is read (a project's audio and video sources may be large): it alone is checked.
            check_inflated(info.file_size, info.compress_size, f"{path}: {PROJECT_FILE}")
            return zf.read(info)
    return path.read_bytes()


def read_project(path: str | Path) -> QdaProject:
    """Read a ``.qdpx`` / ``.qde`` project or a ``.qdc`` codebook."""
    from lxml import etree

    path = Path(path)
    if not path.is_file():
        raise KitError(f"{path}: file not found")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
    try:
        root = etree.fromstring(_xml_bytes(path), parser)
    except (etree.XMLSyntaxError, zipfile.BadZipFile) as exc:
        raise QdaError(Problem(str(path), f"not a REFI-QDA file: {exc}")) from None
    if _local(root.tag) not in ("Project", "CodeBook"):
        raise QdaError(Problem(str(path), f"root element <{_local(root.tag)}>, expected <Project> or <CodeBook>"))
    out = QdaProject(origin=root.get("origin", ""))
    codes_el = root if _local(root.tag) == "CodeBook" else next((e for e in root if _local(e.tag) == "CodeBook"), None)
    guid_name: dict[str, str] = {}
    if codes_el is not None:
        found: list[tuple[QdaCode, QdaCode | None]] = []
        for codes in (e for e in codes_el if _local(e.tag) == "Codes"):
            _collect(codes, None, found)
        _key_codes(found, out, guid_name)
    for user_el in root.iter("{*}User", "User"):
        user_guid = user_el.get("guid") or ""
        out.users[user_guid] = user_el.get("name") or user_el.get("id") or user_guid
    for source in root.iter("{*}TextSource", "TextSource"):
        for child in source:
            kind = _local(child.tag)
            if kind == "Coding":
                out.whole_source_codings += 1
            elif kind == "PlainTextSelection":
                sel_name = child.get("name") or child.get("guid") or ""
                for coding in (c for c in child if _local(c.tag) == "Coding"):
                    ref = next((r for r in coding if _local(r.tag) == "CodeRef"), None)
                    code = guid_name.get(ref.get("targetGUID", "")) if ref is not None else None
                    if code is None:
                        continue
                    creator = coding.get("creatingUser") or child.get("creatingUser") or ""
                    user = out.users.get(creator, "imported")
                    codes_of = out.codings.setdefault(user, {}).setdefault(sel_name, [])
                    if code not in codes_of:
                        codes_of.append(code)
    return out


def _key_codes(found: list[tuple[QdaCode, QdaCode | None]], out: QdaProject, guid_name: dict[str, str]) -> None:
    """Give each code (pre-order: a parent before its children) its key; names compare as tags do."""
    parents_of: dict[str, set[int]] = {}  # a name -> the parents (by identity) codes of that name have
    for code, up in found:
        parents_of.setdefault(code_name(code.name), set()).add(id(up))
    for code, up in found:
        apart = len(parents_of[code_name(code.name)]) > 1 and up is not None
        code.key = f"{up.key}/{code.name}" if apart and up is not None else code.name
        code.parent = up.key if up is not None else None
        out.codes.append(code)
        guid_name[code.guid] = code.key


def _collect(parent_el: _Element, parent: QdaCode | None, found: list[tuple[QdaCode, QdaCode | None]]) -> None:
    """The codes under ``parent_el``, recursively, each with its parent, in document order."""
    for el in parent_el:
        if _local(el.tag) != "Code":
            continue
        name = " ".join((el.get("name") or "").split())
        if not name:
            continue
        desc = next((d.text or "" for d in el if _local(d.tag) == "Description"), "")
        path = (*(parent.path if parent is not None else ()), name)
        code = QdaCode(name, el.get("guid", ""), None, " ".join(desc.split()), el.get("color"), name, path)
        found.append((code, parent))
        _collect(el, code, found)
