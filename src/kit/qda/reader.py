"""Reading REFI-QDA files from any tool: ``.qdpx`` projects, ``.qdc`` codebooks, bare ``.qde``.

Both namespaces of the standard are accepted (``urn:QDA-XML:project:1.0``
and ``urn:QDA-XML:codebook:1.0``), as are files whose tool left the namespace
out. The XML parser resolves no entities and fetches nothing from the
network (an exchange file is untrusted input).

What is read:

* codes, recursively: name, GUID, colour, description and parent (the hierarchy);
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
from kit.study.input_limits import check_inflated

if TYPE_CHECKING:
    from lxml.etree import _Element  # lxml is imported when a file is read

PROJECT_FILE = "project.qde"


class QdaError(ValidationError):
    """A REFI-QDA file that cannot be read."""


@dataclass
class QdaCode:
    name: str
    guid: str
    parent: str | None = None
    description: str = ""
    color: str | None = None


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
        for codes in (e for e in codes_el if _local(e.tag) == "Codes"):
            _read_codes(codes, None, out, guid_name)
    for user in root.iter("{*}User", "User"):
        out.users[user.get("guid", "")] = user.get("name") or user.get("id") or user.get("guid") or ""
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
                    user_guid = coding.get("creatingUser") or child.get("creatingUser") or ""
                    coder = out.users.get(user_guid, "imported")
                    codes_of = out.codings.setdefault(coder, {}).setdefault(sel_name, [])
                    if code not in codes_of:
                        codes_of.append(code)
    return out


def _read_codes(parent_el: _Element, parent: str | None, out: QdaProject, guid_name: dict[str, str]) -> None:
    for el in parent_el:
        if _local(el.tag) != "Code":
            continue
        name = " ".join((el.get("name") or "").split())
        if not name:
            continue
        desc = next((d.text or "" for d in el if _local(d.tag) == "Description"), "")
        code = QdaCode(name, el.get("guid", ""), parent, " ".join(desc.split()), el.get("color"))
        out.codes.append(code)
        guid_name[code.guid] = name
        _read_codes(el, name, out, guid_name)
