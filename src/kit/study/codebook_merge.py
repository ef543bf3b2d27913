"""Adding codes to ``codebook.yml``: new entries appended, every existing byte left as it was.

An import (``kit import``) must not turn the team's hand-kept codebook into a
noisy review: the old approach loaded the file with ruamel.yaml and dumped it
back, which re-quoted flow lists and moved line breaks. Here the file's text is
kept as a prefix: the new entries are rendered on their own (ruamel.yaml
round-trip dumper, the file's dash column and line endings) and inserted where
the ``codes:`` sequence ends, so ``git diff`` shows only the added codes. A
code already in the file is never changed; what the import would have set
differently, or where the file has nothing, is reported instead.

Quoting: the kit reads ``codebook.yml`` with PyYAML, a YAML 1.1 loader, where
``yes``, ``no``, ``on``, ``off``, ``1``, ``2024-01-01``, ``null`` or ``~`` are not
text (YAML 1.1, "Language-Independent Types": bool, int, float, timestamp,
null; https://yaml.org/type/). ruamel.yaml writes YAML 1.2, where most of them
are text and need no quotes, so every string the kit writes is single-quoted
when PyYAML's resolver or the YAML 1.1 spec's (ruamel.yaml's 1.1 resolver, which
also has ``y``/``n`` and ``1e3``) would read it as anything but text. The text
to be written is then read back with the kit's own loader and each added entry
compared with what was meant: a value that would not read back is an error
naming where it came from (the imported file and the code's path), and nothing
is written.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver

from kit.errors import CodebookError, Problem
from kit.iorw import atomic_write_bytes
from kit.layout import CODEBOOK_FILE
from kit.study.codebook import Code, build_codebook, code_guid, parse_codebook
from kit.study.safe_yaml import SAFE_LOADER, load_yaml_text

TEXT_TAG = "tag:yaml.org,2002:str"
BOM = "\ufeff"
# The kit's own style for a new codebook: "codes:" then "  - name: ..." (README, "The codebook").
NEW_DASH_COLUMN, NEW_CONTENT_COLUMN = 2, 4
_PYYAML_RESOLVER = yaml.resolver.Resolver()
_YAML11_RESOLVER = VersionedResolver(version=(1, 1))


def reads_as_text(value: str) -> bool:
    """Whether ``value``, written plain, reads back as text in YAML 1.1 (PyYAML's and the spec's)."""
    implicit = (True, False)
    as_pyyaml: str = _PYYAML_RESOLVER.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    as_spec: str = _YAML11_RESOLVER.resolve(RuamelScalarNode, value, implicit)
    return as_pyyaml == TEXT_TAG and as_spec == TEXT_TAG


class Yaml11SafeRepresenter(RoundTripRepresenter):
    """ruamel.yaml's round-trip representer, quoting strings a YAML 1.1 loader would not read as text.

    A subclass, so the change does not leak into other users of ruamel.yaml.
    """

    def represent_str(self, data: str) -> Any:
        if not reads_as_text(data):
            return self.represent_scalar(TEXT_TAG, data, style="'")
        return super().represent_str(data)


Yaml11SafeRepresenter.add_representer(str, Yaml11SafeRepresenter.represent_str)


def _dumper(content: int) -> YAML:
    """A round-trip dumper of a sequence: ``-`` at column 0, keys at column ``content``."""
    rt = YAML()  # round-trip
    rt.Representer = Yaml11SafeRepresenter
    rt.width = 4096  # never wrap a long definition: one line per value, as people write them
    rt.indent(mapping=2, sequence=content, offset=0)
    return rt


@dataclass
class MergeResult:
    """What :func:`merge_codes` did: codes added, and what it left as the file has it."""

    added: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # the file and the import disagree
    not_filled: list[str] = field(default_factory=list)  # the import has a value the file's entry lacks


def merge_codes(path: str | Path, incoming: list[Code], origin: Mapping[str, str] | None = None) -> MergeResult:
    """Add the ``incoming`` codes the codebook file at ``path`` lacks (by name), leaving every existing byte.

    ``origin`` maps a code name to where it came from (``interview.qdc: 'Q3' > 'Yes'``),
    used in the error when an added code cannot be written as it is. A code already
    in the file keeps its entry as it is; a definition, parent, GUID or colour the
    import has differently is a conflict, one the entry lacks is listed as not
    filled. The write is atomic.
    """
    path = Path(path)
    shown = path.name
    origin = origin or {}
    raw = path.read_bytes() if path.is_file() else b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CodebookError(
            Problem(f"{shown}:{line}", f"byte 0x{raw[exc.start]:02x} is not UTF-8, expected UTF-8 text")
        ) from None
    bom = BOM if text.startswith(BOM) else ""
    text = text.removeprefix(BOM)
    newline = "\r\n" if "\r\n" in text else "\n"
    existing = parse_codebook(_read(text, shown), shown)  # the file must be valid before codes are added to it
    result = MergeResult()
    mine = {c.name: c for c in existing}
    entries: list[dict[str, Any]] = []
    for code in incoming:
        if code.name in mine:
            _compare(mine[code.name], code, result)
            continue
        mine[code.name] = code
        entries.append({"name": code.name, **code.model_dump(exclude_defaults=True, exclude={"name"})})
        result.added.append(code.name)
    if not entries:
        return result
    new_text = _insert(text, entries, newline)
    _check_reads_back(new_text, shown, len(existing), entries, origin)
    added = [mine[name] for name in result.added]
    build_codebook([(shown, existing), *((origin.get(c.name, shown), [c]) for c in added)])
    atomic_write_bytes(path, (bom + new_text).encode("utf-8"))
    return result


def _compare(ours: Code, theirs: Code, result: MergeResult) -> None:
    for key in ("definition", "parent", "guid", "color"):
        imported, kept = getattr(theirs, key), getattr(ours, key)
        if not imported:
            continue
        if key == "guid" and _same_guid(imported, ours.guid or code_guid(ours.name)):
            continue  # a code without a GUID exports its stable uuid5: the kit's own export comes back the same
        if not kept:
            result.not_filled.append(f"code '{ours.name}': {key} {imported!r} ({CODEBOOK_FILE} has none)")
        elif not _same(key, kept, imported):
            result.conflicts.append(f"code '{ours.name}': {key} differs (kept {kept!r}, imported {imported!r})")


def _same(key: str, kept: str, imported: str) -> bool:
    if key == "guid":
        return _same_guid(kept, imported)
    return kept.casefold() == imported.casefold() if key == "color" else kept == imported


def _same_guid(a: str, b: str) -> bool:
    """GUIDs compared as tools write them: case and ATLAS.ti/MAXQDA's braces aside."""
    return a.strip().strip("{}").casefold() == b.strip().strip("{}").casefold()


def _read(text: str, shown: str) -> Any:
    try:
        return load_yaml_text(text, shown, CodebookError).data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        raise CodebookError(Problem(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")) from None


def _render(entries: list[dict[str, Any]], dash: int, content: int, newline: str) -> str:
    """The entries as block sequence items: ``-`` at column ``dash``, keys at column ``content``."""
    buf = io.StringIO()
    _dumper(content - dash).dump(CommentedSeq(CommentedMap(entry) for entry in entries), buf)
    return "".join((" " * dash + line if line else line) + newline for line in buf.getvalue().splitlines())


def _insert(text: str, entries: list[dict[str, Any]], newline: str) -> str:
    """``text`` with the entries added at the end of its ``codes:`` sequence; the rest unchanged.

    The positions come from PyYAML's node marks (character offsets into ``text``, libyaml's too).
    """
    root = yaml.compose(text, Loader=SAFE_LOADER) if text.strip() else None
    codes = None
    if isinstance(root, yaml.MappingNode):
        codes = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "codes"), None)
    if isinstance(codes, yaml.SequenceNode) and codes.value and not codes.flow_style:
        # A block sequence ends where the next token starts (a document marker, or the end of the text):
        # insert at the start of that line, after any trailing comments of the last entry; at the very
        # end when the last line has no line break.
        end, column = codes.end_mark.index, codes.end_mark.column
        at = end - column if not text[end - column : end].strip() else end
        before = text[:at] if text[:at].endswith(("\n", "\r")) else text[:at] + newline
        first = codes.value[0].start_mark.column
        return before + _render(entries, codes.start_mark.column, first, newline) + text[at:]
    block = _render(entries, NEW_DASH_COLUMN, NEW_CONTENT_COLUMN, newline)
    if isinstance(codes, yaml.SequenceNode) and codes.value:  # a flow sequence: add flow mappings before its ']'
        end = codes.end_mark.index - 1
        return text[:end] + "".join(", " + _flow(entry) for entry in entries) + text[end:]
    if isinstance(codes, yaml.SequenceNode):  # "codes: []": no entries yet, so the "[]" alone is replaced
        head, tail = text[: codes.start_mark.index].rstrip(" "), text[codes.end_mark.index :]
        return head + newline + block + tail.removeprefix("\r").removeprefix("\n")
    # No "codes:" yet (an empty file, or comments only).
    body = text if not text or text.endswith(("\n", "\r")) else text + newline
    return body + "codes:" + newline + block


def _flow(entry: dict[str, Any]) -> str:
    node = CommentedMap(entry)
    node.fa.set_flow_style()
    buf = io.StringIO()
    _dumper(NEW_CONTENT_COLUMN).dump(node, buf)
    return buf.getvalue().strip()


def _check_reads_back(
    text: str, shown: str, kept: int, entries: list[dict[str, Any]], origin: Mapping[str, str]
) -> None:
    """Every added entry must read back, with the kit's loader, exactly as it was meant."""
    data = _read(text, shown)
    codes = data.get("codes") if isinstance(data, dict) else None
    got = list(codes[kept:]) if isinstance(codes, list) else []
    problems = []
    for i, meant in enumerate(entries):
        back = got[i] if i < len(got) and isinstance(got[i], dict) else {}
        for key, value in meant.items():
            if back.get(key) != value:
                where = origin.get(meant["name"], f"{shown}: code '{meant['name']}'")
                problems.append(
                    Problem(
                        where,
                        f"{key} {value!r} would read back from {shown} as {back.get(key)!r}, "
                        "expected it as written (not added)",
                    )
                )
    if problems:
        raise CodebookError(problems)
