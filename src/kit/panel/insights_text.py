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

The file is edited as text, never dumped again: the parser's marks give the
span of each value (PyYAML's pure-Python composer, whose marks count
characters), and only the spans of the values that change are replaced, so
comments, key order, quoting and layout stay byte for byte. A changed value
is first written as the researcher wrote it with the name replaced; where
that would not read back as the same text (a plain scalar starting with
``[withdrawn]`` would be a flow sequence, YAML 1.2 spec 7.4.1; a name spelt
with escapes or across a folded line), a plain scalar is put in single
quotes (which fold lines as plain scalars do, spec 7.3.2) and otherwise the
value is written as a double-quoted string by PyYAML's emitter. Each value's
rendering is proven by parsing the file back (that value is the redacted
text and every other value is unchanged); the whole new file is then parsed
with the kit's own loader and, if the old one validated, validated with the
insights schema. A value no rendering proves stops the purge before
anything is written, naming the file and line.
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
from kit.panel.purge_plan import INSIGHT_MENTIONS, RetentionPlan, names_redactor, table_rules
from kit.privacy.redaction import Redactor
from kit.study.insights_file import validate_insights
from kit.study.safe_yaml import SAFE_LOADER, load_yaml_text, read_yaml_document

TEXT_TAG = "tag:yaml.org,2002:str"
BOM = "\ufeff"
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")  # anchors and tags before a value's text (no text starts with & or !)


def text_keys() -> frozenset[str]:
    """The keys of insights.yml whose text is searched (``insights`` rows of ``data/purge_columns.csv``)."""
    return table_rules("insights").mentions


@dataclass
class _Change:
    """A string value of the file that loses a name."""

    node: yaml.ScalarNode
    new: str  # the value with the name replaced
    count: int  # names replaced in it
    rendering: str = ""  # what replaces the value's span in the file


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


def _renderings(raw: str, plain: bool, new: str, redactor: Redactor) -> Iterator[str]:
    """What may replace a value's source ``raw``, the least change first.

    The node's properties (an anchor ``&name`` or a tag ``!!str`` before the
    text) are kept as written; only the text after them is rendered anew.
    """
    properties = _PROPERTIES.match(raw)
    prefix = properties.group() if properties else ""
    body = raw[len(prefix) :]
    edited = redactor.redact(body)
    yield prefix + edited
    if plain:
        yield prefix + "'" + edited.replace("'", "''") + "'"
    quoted = yaml.safe_dump(new, default_style='"', width=math.inf, allow_unicode=True).rstrip("\n")
    yield prefix + quoted + body[len(body.rstrip()) :]  # a block scalar's span ends with its line breaks


def _spliced(text: str, changes: list[_Change]) -> str:
    out, at = [], 0
    for c in sorted(changes, key=lambda c: c.node.start_mark.index):
        out += [text[at : c.node.start_mark.index], c.rendering]
        at = c.node.end_mark.index
    return "".join([*out, text[at:]])


def _reads_as(text: str, want: Any) -> bool:
    try:
        return _same(yaml.load(text.removeprefix(BOM), Loader=SAFE_LOADER), want)
    except yaml.YAMLError:
        return False


def redact_insights_text(text: str, shown: str, redactor: Redactor) -> tuple[str, int]:
    """``text`` (a whole insights.yml) with the redactor's names replaced in its text values; names replaced.

    Raises :class:`~kit.errors.PanelError` naming ``shown`` and the line
    when a value cannot be replaced provably (nothing is written then).
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        raise PanelError(Problem(where, f"not valid YAML ({getattr(exc, 'problem', exc)}), expected YAML")) from None
    if root is None:
        return text, 0
    changes = []
    for node in _text_values(root, text_keys()):
        edits = redactor.edits(node.value)
        if edits:
            changes.append(_Change(node, redactor.redact(node.value), len(edits)))
    if not changes:
        return text, 0
    for change in changes:
        node = change.node
        raw = text[node.start_mark.index : node.end_mark.index]
        want = _construct(root, [change])
        for rendering in _renderings(raw, not node.style, change.new, redactor):
            change.rendering = rendering
            if _reads_as(_spliced(text, [change]), want):
                break
        else:
            raise PanelError(
                Problem(
                    f"{shown}:{node.start_mark.line + 1}",
                    "a withdrawn person's name could not be replaced in this value without changing how the "
                    "file reads, expected a plain, quoted or block string; replace the name by hand",
                )
            )
    new_text = _spliced(text, changes)
    _check(text, new_text, _construct(root, changes), shown)
    return new_text, sum(c.count for c in changes)


def _check(old_text: str, new_text: str, want: Any, shown: str) -> None:
    """The new file reads, with the kit's loader, as the old with the names replaced, and validates if the old did."""
    try:
        got = load_yaml_text(new_text.removeprefix(BOM), shown, InsightError).data
    except yaml.YAMLError as exc:
        raise PanelError(Problem(shown, f"the file would not read after the purge ({exc}), expected YAML")) from None
    if not _same(got, want):
        raise PanelError(
            Problem(shown, "the file would read differently after the purge, expected only names replaced")
        )
    try:
        validate_insights(load_yaml_text(old_text.removeprefix(BOM), shown, InsightError).data, shown)
    except InsightError:
        return  # invalid before (the insights stage says why): the names go all the same
    try:
        validate_insights(got, shown)
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
    people = {p: sorted(plan.person_names.get(p, ())) for p in sorted(withdrawn)}
    everyone = names_redactor(sorted({n for names in people.values() for n in names}))
    if everyone is None:
        return
    for study in studies:
        path = study / INSIGHTS_FILE
        if not path.is_file() or not everyone.find(path.read_bytes().decode("utf-8", errors="replace")):
            continue  # no name in the file at all (comments included): not parsed
        shown = path.relative_to(repo_root).as_posix()
        read_yaml_document(path, PanelError, shown)  # within the limits, UTF-8, valid YAML: else file:line
        text = path.read_bytes().decode("utf-8")  # a BOM kept, as the marks count it
        original = text
        for person, names in people.items():
            redactor = names_redactor(names)
            if redactor is None:
                continue
            text, count = redact_insights_text(text, shown, redactor)
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
