"""Parsing hand-edited YAML with limits: size before parsing, aliases and expanded values before building.

PyYAML's safe loader shares an aliased value rather than copying it, so a
"billion laughs" document (nine anchors, each a list of nine aliases of the
one before) loads quickly and explodes later, in whatever walks it (the
pydantic schema, papermill's parameter cell, JSON): issue 26 measured
2 min 38 s and 7.8 GB before a bare ``MemoryError``. Here the document is
first composed into its node graph (libyaml, no values built), the graph is
measured (alias references; values once every alias is expanded, counted
with a memo so the count itself costs one visit per distinct node; an alias
inside its own value is refused outright), and only then constructed. The
limits are ``data/input_limits.csv``; each refusal names the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kit.errors import KitError, StudyError
from kit.study.input_limits import limits, refuse

# libyaml's safe loader when PyYAML was built with it (the wheels are): the same
# documents and error marks, 8x faster, which a run of 300 study.yml files feels.
SAFE_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    """A parsed document and the line (1-based) of each top-level key, for messages that name it."""

    data: Any
    key_lines: dict[str, int] = field(default_factory=dict)
    root: yaml.Node | None = None  # the composed node graph, for :meth:`line_of` deeper keys

    def line_of(self, path: tuple[int | str, ...]) -> int | None:
        """The line (1-based) of the value at ``path`` (mapping keys and list indices), or None.

        For a key of a mapping, the key's own line; for a list item, the line
        it starts on; the deepest node found when the path goes further.
        """
        node, line = self.root, None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                pair = next(
                    (kv for kv in node.value if isinstance(kv[0], yaml.ScalarNode) and kv[0].value == step), None
                )
                if pair is None:
                    break
                line, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return line


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _measure(root: yaml.Node, shown: str, error: type[KitError]) -> None:
    """Refuse a graph with too many aliases, too many expanded values or an alias inside itself.

    One depth-first pass over the distinct nodes (post-order, iterative: no
    recursion limit). Each node's size is its values with aliases expanded,
    capped just above the limit; the alias count is the edges beyond the
    ones a tree of the same nodes would have.
    """
    most_aliases, most_values = limits()["yaml_max_aliases"], limits()["yaml_max_values"]
    size: dict[int, int] = {}  # id(node) -> values under it, aliases expanded (capped)
    visiting: set[int] = set()
    edges = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            visiting.discard(key)
            size[key] = min(1 + sum(size[id(c)] for c in _children(node)), most_values + 1)
            continue
        if key in size:
            continue
        visiting.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in visiting:
                line = child.start_mark.line + 1
                raise refuse(
                    error,
                    f"{shown}:{line}",
                    "the value anchored here holds an alias of itself (a loop), expected no loops",
                )
            edges += 1
            stack.append((child, False))
    aliases = edges - (len(size) - 1)
    if aliases > most_aliases:
        raise refuse(
            error,
            shown,
            f"{aliases} aliases (*name), expected at most {most_aliases} (input_limits.csv: yaml_max_aliases)",
        )
    if size[id(root)] > most_values:
        raise refuse(
            error,
            shown,
            f"more than {most_values:,} values once its aliases are expanded, expected a hand-edited file "
            "(input_limits.csv: yaml_max_values)",
        )


def load_yaml_text(text: str, shown: str, error: type[KitError] = StudyError) -> YamlDocument:
    """Parse one YAML document within the limits; ``yaml.YAMLError`` for a syntax error (the caller names it)."""
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(None)
        _measure(root, shown, error)
        lines: dict[str, int] = {}
        if isinstance(root, yaml.MappingNode):
            for key, _ in root.value:
                if isinstance(key, yaml.ScalarNode):
                    lines.setdefault(str(key.value), key.start_mark.line + 1)
        return YamlDocument(loader.construct_document(root), lines, root)
    finally:
        loader.dispose()


def read_yaml_document(
    path: Path, error: type[KitError] = StudyError, shown: str | None = None, missing: str = "file not found"
) -> YamlDocument:
    """Read and parse a hand-edited YAML file within the limits; every refusal names ``file`` or ``file:line``.

    The size is checked before the file is read, the alias graph before any
    value is built; text that is not UTF-8 is an error naming the line of the
    first bad byte (YAML files are UTF-8: the YAML 1.2 spec, 5.2).
    """
    shown = shown or str(path)
    if not path.is_file():
        raise refuse(error, shown, missing)
    size, most = path.stat().st_size, limits()["yaml_max_bytes"]
    if size > most:
        raise refuse(
            error, shown, f"{size:,} bytes, expected at most {most:,} (input_limits.csv: yaml_max_bytes); not read"
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise refuse(
            error, f"{shown}:{line}", f"byte 0x{data[exc.start]:02x} is not UTF-8, expected UTF-8 text"
        ) from None
    return parse_yaml_text(text, shown, error)


def parse_yaml_text(text: str, shown: str, error: type[KitError] = StudyError) -> YamlDocument:
    """:func:`load_yaml_text` of text already read, a syntax error refused as ``file:line: not valid YAML: ...``."""
    try:
        return load_yaml_text(text, shown, error)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        raise refuse(error, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
