"""A withdrawn person's name in what researchers wrote in ``insights.yml``, replaced in place by ``[withdrawn]``.

Researchers write ``insights.yml`` by hand and may name a participant
("Maria could not find the postage option"). For each withdrawn person, a
purge replaces their names there with the matcher it uses for every other
mention (:func:`kit.panel.purge_plan.names_redactor`: any case, with or
without accents, possessives, never inside a longer word), in the keys the
rule table ``data/purge_columns.csv`` lists for ``insights`` (statements,
recommendation actions, notes, outcome notes, who decided), in every study:
a withdrawn person's name is their personal data whichever study's file it
is in, and the insights stage publishes that text redacted only with its
own study's roster. An expired study's insights are its findings and stay.
Comments are never changed: a name left in one (or in a tag) is a warning
of ``kit check --retention``, with its line and without the name.

The file is edited as text, never dumped again: the marks of the kit's own
loader (:mod:`kit.study.safe_yaml`; libyaml's marks count characters, from
after a byte order mark) give the span of each value, and only the spans of
the values that change are replaced, so comments, key order, quoting and
layout stay byte for byte. A changed value is first written as the
researcher wrote it with the name replaced. The new file is read back with
the kit's loader and must equal the old with exactly those values changed
(types included: a string stays a string). When it does not (a plain scalar
starting with ``[withdrawn]`` is a flow sequence, YAML 1.2 spec 7.4.1; a
name spelt with escapes or across a folded line), each value is proven
alone, trying a plain scalar in single quotes (which fold lines as plain
scalars do, spec 7.3.2) and then a double-quoted string from PyYAML's
emitter. If the old file validated with the insights schema, the new one
must too. A value no rendering proves stops the purge before anything is
written, naming the file and line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kit.errors import InsightError, PanelError, Problem
from kit.layout import INSIGHTS_FILE
from kit.panel.purge_plan import INSIGHT_MENTIONS, WITHDRAWN_MARK, RetentionPlan, names_redactor, table_rules
from kit.privacy.redaction import Redactor, name_rules, normalise_name
from kit.study.insights_file import validate_insights
from kit.study.safe_yaml import YamlDocument, load_yaml_text, parse_yaml_text, read_yaml_document

TEXT_TAG = "tag:yaml.org,2002:str"
BOM = "\ufeff"
UNREADABLE = object()  # what a rendering that does not parse reads as: equal to nothing
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")  # anchors and tags before a value's text (no text starts with & or !)


def text_keys() -> frozenset[str]:
    """The keys of insights.yml whose text is searched (``insights`` rows of ``data/purge_columns.csv``)."""
    return table_rules("insights").mentions


@dataclass
class _Change:
    """A string value of the file that loses a name."""

    node: yaml.ScalarNode
    new: str  # the value with the names replaced
    rendering: str = ""  # what replaces the value's span in the file


def _redacted(text: str, redactors: list[Redactor]) -> str:
    for redactor in redactors:
        text = redactor.redact(text)
    return text


def _text_values(root: yaml.Node, keys: frozenset[str]) -> list[yaml.ScalarNode]:
    """The string values under ``keys``, anywhere in the document, each node once, in file order."""
    found: dict[int, yaml.ScalarNode] = {}
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias shares its anchor's node
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value in keys:
                    if isinstance(value, yaml.ScalarNode) and value.tag == TEXT_TAG:
                        found[id(value)] = value
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(found.values(), key=lambda n: n.start_mark.index)


def _construct(root: yaml.Node, changes: list[_Change]) -> Any:
    """The document's data with ``changes`` made to its values (what the new file must read as)."""
    old = [c.node.value for c in changes]
    for c in changes:
        c.node.value = c.new
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    finally:
        loader.dispose()
        for c, value in zip(changes, old):
            c.node.value = value


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types (a string never equal to a list, 1 never to True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _renderings(raw: str, plain: bool, new: str, redactors: list[Redactor]) -> Iterator[str]:
    """What may replace a value's source ``raw``, the least change first.

    The node's properties (an anchor ``&name`` or a tag ``!!str`` before the
    text) are kept as written; only the text after them is rendered anew.
    """
    properties = _PROPERTIES.match(raw)
    prefix = properties.group() if properties else ""
    body = raw[len(prefix) :]
    edited = _redacted(body, redactors)
    yield prefix + edited
    if plain:
        yield prefix + "'" + edited.replace("'", "''") + "'"
    quoted = yaml.safe_dump(new, default_style='"', width=math.inf, allow_unicode=True).rstrip("\n")
    yield prefix + quoted + body[len(body.rstrip()) :]  # a block scalar's span ends with its line breaks


def _spliced(text: str, changes: list[_Change], offset: int) -> str:
    """``text`` with each change's rendering in its value's span (``offset``: characters before the marks' 0)."""
    out, at = [], 0
    for c in sorted(changes, key=lambda c: c.node.start_mark.index):
        out += [text[at : offset + c.node.start_mark.index], c.rendering]
        at = offset + c.node.end_mark.index
    return "".join([*out, text[at:]])


def _read_back(text: str, shown: str) -> Any:
    """``text`` as the kit's loader reads it (limits included); :data:`UNREADABLE` when it does not parse."""
    try:
        return load_yaml_text(text.removeprefix(BOM), shown, InsightError).data
    except yaml.YAMLError:
        return UNREADABLE


def redact_insights_text(
    text: str, shown: str, redactors: list[Redactor], document: YamlDocument | None = None
) -> tuple[str, list[int]]:
    """``text`` (a whole insights.yml) with each redactor's names replaced in its text values, in turn.

    ``document`` is ``text`` as the kit's loader read it (its marks count
    characters after a BOM), parsed here when not given. Returns the new
    text and how many names each redactor replaced. Raises
    :class:`~kit.errors.PanelError` naming ``shown`` and the line when a
    value cannot be replaced provably (nothing is written then).
    """
    body = text.removeprefix(BOM)
    offset = len(text) - len(body)
    if document is None:
        document = parse_yaml_text(body, shown, PanelError)
    counts = [0] * len(redactors)
    root = document.root
    changes = []
    for node in _text_values(root, text_keys()) if root is not None else ():
        value = node.value
        for i, redactor in enumerate(redactors):
            counts[i] += len(redactor.edits(value))
            value = redactor.redact(value)
        if value != node.value:
            changes.append(_Change(node, value))
    if root is None or not changes:
        return text, counts
    want = _construct(root, changes)
    for change in changes:  # as written, names replaced: proven below for all at once
        change.rendering = next(_renderings(_raw(text, change, offset), not change.node.style, change.new, redactors))
    new_text = _spliced(text, changes, offset)
    got = _read_back(new_text, shown)
    if not _same(got, want):  # some value reads differently so: prove each one's rendering alone
        for change in changes:
            _prove(text, offset, root, change, redactors, shown)
        new_text = _spliced(text, changes, offset)
        got = _read_back(new_text, shown)
        if not _same(got, want):
            raise PanelError(
                Problem(shown, "the file would read differently after the purge, expected only names replaced")
            )
    _validated(got, document.data, shown)
    return new_text, counts


def _prove(text: str, offset: int, root: yaml.Node, change: _Change, redactors: list[Redactor], shown: str) -> None:
    """Set the change's rendering to the first that reads back as the new value, all else unchanged."""
    node = change.node
    alone = _construct(root, [change])
    for rendering in _renderings(_raw(text, change, offset), not node.style, change.new, redactors):
        change.rendering = rendering
        if _same(_read_back(_spliced(text, [change], offset), shown), alone):
            return
    raise PanelError(
        Problem(
            f"{shown}:{node.start_mark.line + 1}",
            "a withdrawn person's name could not be replaced in this value without changing how the "
            "file reads, expected a plain, quoted or block string; replace the name by hand",
        )
    )


def _raw(text: str, change: _Change, offset: int) -> str:
    return text[offset + change.node.start_mark.index : offset + change.node.end_mark.index]


def _validated(new: Any, old: Any, shown: str) -> None:
    """The new data validates with the insights schema if the old did."""
    try:
        validate_insights(old, shown)
    except InsightError:
        return  # invalid before (the insights stage says why): the names go all the same
    try:
        validate_insights(new, shown)
    except InsightError as exc:
        raise PanelError(Problem(shown, f"would not validate after the purge ({exc}), expected a valid file")) from None


def purge_insights_text(repo_root: Path, plan: RetentionPlan, withdrawn: frozenset[str], studies: list[Path]) -> None:
    """Plan the replacement of withdrawn people's names in the ``insights.yml`` of ``studies``, counted per person.

    The names are those the plan found for each person (``panel/people.csv``
    and the rosters). A file that names none of them is only read; one that
    does is read within the limits (:func:`kit.study.safe_yaml.read_yaml_document`).
    A name left where the purge does not edit (a comment, a tag) is a note of
    the plan, which ``kit check --retention`` prints as a warning with its line.
    """
    names = {p: sorted(plan.person_names.get(p, ())) for p in sorted(withdrawn)}
    redactors = {p: r for p, n in names.items() if (r := names_redactor(n)) is not None}
    everyone = names_redactor(sorted({n for p in redactors for n in names[p]}))
    if everyone is None:
        return
    whose: dict[str, set[str]] = {}  # a name's key (any spelling the matcher knows) -> the people it names
    for p in redactors:
        for rule in name_rules((n, WITHDRAWN_MARK) for n in names[p]):
            whose.setdefault(rule.key, set()).add(p)
    for study in studies:
        path = study / INSIGHTS_FILE
        data = path.read_bytes() if path.is_file() else b""
        found = everyone.find(data.decode("utf-8", errors="replace"))
        if not found:
            continue  # no name in the file at all (comments included): not parsed
        shown = path.relative_to(repo_root).as_posix()
        document = read_yaml_document(path, PanelError, shown)  # within the limits, UTF-8, valid YAML: else file:line
        original = data.decode("utf-8")  # the bytes scanned (UTF-8: checked just now); BOM kept, marks count after it
        named = sorted(set().union(*(whose.get(normalise_name(m), set(redactors)) for _, m in found)))
        text, counts = redact_insights_text(original, shown, [redactors[p] for p in named], document)
        for person, count in zip(named, counts):
            if count:
                plan.subject("withdrawn", person, study.name, in_study=True).add(shown, INSIGHT_MENTIONS, count)
        if text != original:
            plan.rewrites[path] = text
        left = everyone.edits(text)
        if left:  # in a comment or a key whose text is not edited: said, never the name itself
            line = text.count("\n", 0, left[0][0]) + 1
            plan.notes.append(
                f"{shown}:{line}: a withdrawn person's name is left where a purge does not replace it "
                f"(a comment, or a key other than {', '.join(sorted(text_keys()))}); remove it by hand"
            )
