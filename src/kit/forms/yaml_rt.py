"""Round-trip YAML for the forms: change values, keep the rest of the file.

study.yml and insights.yml are hand-edited too, so a form save must not
throw away the team's comments, key order or quoting. ruamel.yaml's
round-trip mode keeps them for every node we do not replace; :func:`merge`
replaces only the values that changed. The file's indentation is detected by
trying the usual styles and keeping the one that reproduces the file exactly.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

# (mapping, sequence, offset): "key:\n  - item" (kit's style) and "key:\n- item".
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0))
FOLD_WIDTH = 76


def content_hash(path: str | Path) -> str | None:
    """sha256 of the file's bytes, or None when it does not exist (to detect edits elsewhere)."""
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


class _Representer(RoundTripRepresenter):
    """ruamel writes None as nothing (``method:``); the kit's files spell it ``null``.

    A subclass, so the change does not leak into other users of ruamel.yaml.
    """


_Representer.add_representer(type(None), lambda rep, _value: rep.represent_scalar("tag:yaml.org,2002:null", "null"))


def _yaml(indent: tuple[int, int, int]) -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines the author wrote on one line
    y.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    y.Representer = _Representer
    return y


def dump(doc: Any, indent: tuple[int, int, int] = _INDENTS[0]) -> str:
    out = io.StringIO()
    _yaml(indent).dump(doc, out)
    return out.getvalue()


def load(text: str) -> tuple[Any, tuple[int, int, int]]:
    """Parse ``text`` round-trip; return the document and the indentation that reproduces it."""
    doc = _yaml(_INDENTS[0]).load(text) if text.strip() else None
    if doc is None:
        return CommentedMap(), _INDENTS[0]
    for indent in _INDENTS:
        if dump(doc, indent) == text:
            return doc, indent
    return doc, _INDENTS[0]


def _plain(node: Any) -> Any:
    """Round-trip node -> plain Python value, to compare with the form's values."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if hasattr(node, "isoformat"):
        return node.isoformat()
    if isinstance(node, str):
        return str(node)
    return node


def _scalar(old: Any, new: Any) -> Any:
    """A new string in the old one's block style (folded text stays folded)."""
    if not isinstance(new, str):
        return new
    if "\n" in new.strip():
        return LiteralScalarString(new)
    if isinstance(old, FoldedScalarString) or (isinstance(old, LiteralScalarString) and len(new) > FOLD_WIDTH):
        folded = FoldedScalarString(new)
        # Fold at spaces so the text stays readable in an editor.
        pos, cut = [], 0
        for line in textwrap.wrap(new, FOLD_WIDTH, break_long_words=False, break_on_hyphens=False)[:-1]:
            cut += len(line)
            pos.append(cut)
            cut += 1
        folded.fold_pos = pos
        return folded
    return new


def merge(old: Any, new: Any) -> Any:
    """``new`` (plain data) merged into round-trip node ``old``, reusing unchanged nodes.

    Mappings are updated in place: comments and key order kept, a new key
    inserted after its predecessor in ``new``, a key the form cleared removed
    (an empty one the author wrote, like ``method: null``, stays: it means the
    same default). Lists are merged item by item; a scalar is replaced only
    when its value changed.
    """
    if _plain(old) == new:
        return old
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if str(k) not in new and not _empty(old[k])]:
            del old[key]
        previous = None
        for key, value in new.items():
            if key in old:
                old[key] = merge(old[key], value)
            elif not _empty(value):  # a default nobody wrote stays unwritten
                keys = list(old)
                at = keys.index(previous) + 1 if previous in keys else 0 if previous is None else len(keys)
                old.insert(at, key, _fresh(value))
            if key in old:
                previous = key
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        del old[len(new) :]
        for i, value in enumerate(new):
            if i < len(old):
                old[i] = merge(old[i], value)
            else:
                old.append(_fresh(value))
        return old
    return _fresh(value=new, old=old)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


FLOW_MAX_ITEMS, FLOW_MAX_CHARS = 6, 24


def _fresh(value: Any, old: Any = None) -> Any:
    """A value new to the file: empty optional keys left out, long text folded, and a
    small mapping of short values on one line (``planning: {UXR: A, PM: R}``)."""
    if isinstance(value, str):
        return _scalar(old, value)
    if isinstance(value, dict):
        node = CommentedMap((k, _fresh(v)) for k, v in value.items() if not _empty(v))
        if 0 < len(node) <= FLOW_MAX_ITEMS and all(
            isinstance(v, (str, int, float)) and len(str(v)) <= FLOW_MAX_CHARS for v in node.values()
        ):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    return value


def updated_text(old_text: str, data: dict[str, Any]) -> str:
    """``old_text`` with its values replaced by ``data`` (comments, order, quoting kept).

    Keys absent from the file whose new value is empty (None, "", [], {}) are
    not added, so a save does not fill the file with defaults nobody wrote.
    """
    doc, indent = load(old_text)
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
    merge(doc, data)
    return dump(doc, indent)
