"""Beta programs: ``panel/programs.yml``, the panel people a PM's program reaches.

A PM who builds a beta program owns contact with its customers; the
researcher builds the test and the PM sends it, and the program's members
are where a shipped change is tried first. The file lists programs::

    programs:
      - id: beta-checkout              # lower-case letters, digits and '-'
        name: One-page checkout beta
        owner: PM                      # the contact owner's role (RACI vocabulary, kit.study.raci)
        start: 2026-09-01
        end: 2027-03-31                # optional: empty while the program runs on
        members: [PN-0001, PN-0002]    # person_ids of panel/people.csv
        feedback: panel/beta-checkout-feedback.csv   # optional: the members' requests
        withdrawals: 0                 # written by `kit purge`: members removed after they withdrew

The feedback table has the columns of feature requests (``request_id, date,
text`` and optionally ``person_id, tags`` ...; :mod:`kit.study.feature_requests`),
read with the validated table reader. Every problem names the file, its line
and the key (``panel/programs.yml:7: program 'beta-checkout': key 'members[2]':
unknown person_id 'PN-9', expected a person_id of panel/people.csv``), and all
are reported at once (:class:`~kit.errors.PanelError`).

A member who withdraws leaves the program's counts at once; ``kit purge
--withdrawn`` removes them from the file (:func:`without_members`), counting
them in ``withdrawals`` (a number, never an id), so a purged person is named
nowhere in ``panel/``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from kit.errors import PanelError, Problem
from kit.layout import PANEL_DIR, PROGRAMS_FILE, SLUG_RE, STUDY_FILE, programs_path
from kit.study.panel_people import Panel
from kit.study.raci import ROLES
from kit.study.safe_yaml import SAFE_LOADER
from kit.study.study_file import problems_from_pydantic, read_yaml_file
from kit.study.tables import LINE, check_columns, read_table_file, split_tags
from kit.study.yaml_types import NullAsEmptyList

SOURCE = f"{PANEL_DIR}/{PROGRAMS_FILE}"
YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_ROLE_BY_KEY = {r.casefold(): r for r in ROLES}


class Program(BaseModel):
    """One beta program (private: its members are panel people)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=SLUG_RE.pattern)
    name: str = Field(min_length=1)
    owner: str
    start: dt.date
    end: dt.date | None = None
    members: list[str] = Field(default_factory=list)
    feedback: str | None = None
    withdrawals: int = Field(default=0, ge=0)

    @field_validator("owner")
    @classmethod
    def _role(cls, v: str) -> str:
        role = _ROLE_BY_KEY.get(v.casefold())
        if role is None:
            raise ValueError(f"expected one of the RACI roles: {', '.join(ROLES)}, got {v!r}")
        return role

    @field_validator("members", mode="before")
    @classmethod
    def _ids_as_text(cls, v: object) -> object:
        # `members:` with nothing under it parses as null; YAML reads an id like 1042 as a number.
        return [] if v is None else [str(x).strip() for x in v] if isinstance(v, list) else v

    def runs_on(self, day: dt.date) -> bool:
        """Whether the program is running on ``day`` (from start to end, both included)."""
        return self.start <= day and (self.end is None or day <= self.end)

    def dates_text(self) -> str:
        return f"{self.start} to {self.end or 'open end'}"


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programs: NullAsEmptyList[Program] = Field(default_factory=list)


@dataclass
class Programs:
    """The programs of ``panel/programs.yml`` by id, in file order."""

    programs: dict[str, Program]

    def get(self, program_id: str, where: str = "--program") -> Program:
        """The program ``program_id``; :class:`PanelError` naming ``where`` and the known ids otherwise."""
        if program_id not in self.programs:
            known = ", ".join(self.programs) or f"none: {SOURCE} lists no program"
            raise PanelError(Problem(where, f"unknown program {program_id!r}, expected one of: {known}"))
        return self.programs[program_id]


def node_lines(root: yaml.Node | None) -> dict[tuple[str | int, ...], int]:
    """The line (1-based) of every key and list item of a YAML document, by its path (``("programs", 0, "id")``)."""
    lines: dict[tuple[str | int, ...], int] = {}
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, str(key.value))] = key.start_mark.line + 1
                stack.append((value, (*path, str(key.value))))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
    return lines


def _compose(path: Path) -> yaml.Node | None:
    """The file's node graph (after :func:`read_yaml_file` checked its size and aliases)."""
    node: yaml.Node | None = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=SAFE_LOADER)
    return node


def _bad_dates(path: Path) -> list[Problem]:
    """Every scalar YAML takes for a date that is no date (``2026-13-01``), at its line and key."""
    root = _compose(path)
    ids: list[dict[str, str]] = []  # each program's id, for the messages
    for key, value in root.value if isinstance(root, yaml.MappingNode) else []:
        if key.value == "programs" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                pairs = item.value if isinstance(item, yaml.MappingNode) else []
                ids.append({str(k.value): str(v.value) for k, v in pairs if k.value == "id"})
    where = _Where({"programs": ids}, node_lines(root))
    problems = []
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, at = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, (*at, str(key.value))) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*at, i)) for i, item in enumerate(node.value))
        elif node.tag == "tag:yaml.org,2002:timestamp":
            try:
                dt.date.fromisoformat(str(node.value)[:10])
            except ValueError:
                problems.append(Problem(where(at), f"expected a date like 2026-09-01, got {node.value!r}"))
    return sorted(problems, key=lambda p: p.where) or [Problem(SOURCE, "a value could not be read")]


class _Where:
    """``panel/programs.yml:LINE: program 'id': key 'k'`` for a path into the file."""

    def __init__(self, data: Any, lines: dict[tuple[str | int, ...], int]) -> None:
        self.data, self.lines = data, lines

    def __call__(self, loc: tuple[str | int, ...]) -> str:
        line = next((self.lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in self.lines), None)
        out = f"{SOURCE}:{line}" if line else SOURCE
        if len(loc) >= 2 and loc[0] == "programs" and isinstance(loc[1], int):
            try:
                ident = self.data["programs"][loc[1]].get("id")
            except (KeyError, IndexError, TypeError, AttributeError):
                ident = None
            out += f": program {ident!r}" if ident else f": program #{loc[1] + 1}"
            rest = loc[2:]
            if rest:
                key = "".join(
                    f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p) for i, p in enumerate(rest)
                )
                out += f": key '{key}'"
        return out


def _schema_problems(data: Any, where: _Where) -> tuple[_File | None, list[Problem]]:
    try:
        return _File.model_validate(data), []
    except PydanticValidationError as err:
        problems = []
        for e, p in zip(err.errors(), problems_from_pydantic(err, SOURCE)):
            message = p.message
            if e["type"] == "string_pattern_mismatch":
                message = f"expected an id of lower-case letters, digits and '-', got {e.get('input')!r}"
            problems.append(Problem(where(tuple(e["loc"])), message))
        return None, problems


def load_programs(repo_root: str | Path, panel: Panel | None) -> Programs | None:
    """Read and validate ``panel/programs.yml``; None when the repository has none.

    Beyond the schema (unknown keys, a date that is not ``YYYY-MM-DD``, an
    owner that is not a RACI role): ids are unique, ``end`` is not before
    ``start``, every member is a person_id of the panel (listed once), and the
    feedback table exists inside the repository, has the request columns and
    names only panel people. Raises :class:`PanelError` listing every problem.
    """
    root = Path(repo_root)
    path = programs_path(root)
    if not path.is_file():
        return None
    try:
        data = read_yaml_file(path, PanelError, shown_as=SOURCE) or {}
    except ValueError:  # PyYAML builds 2026-13-01 as a date and fails: name the scalar
        raise PanelError(_bad_dates(path)) from None
    if not isinstance(data, dict):
        raise PanelError(Problem(SOURCE, f"expected a mapping with 'programs:', got {type(data).__name__}"))
    where = _Where(data, node_lines(_compose(path)))
    parsed, problems = _schema_problems(data, where)
    if parsed is None:
        raise PanelError(problems)
    people = set(panel.people) if panel is not None else set()
    seen: dict[str, int] = {}
    for i, program in enumerate(parsed.programs):
        if program.id in seen:
            problems.append(Problem(where(("programs", i, "id")), f"id repeats program #{seen[program.id] + 1}"))
        seen.setdefault(program.id, i)
        if program.end is not None and program.end < program.start:
            problems.append(
                Problem(
                    where(("programs", i, "end")),
                    f"expected a date on or after start {program.start}, got {program.end}",
                )
            )
        first: dict[str, int] = {}
        for j, member in enumerate(program.members):
            at = where(("programs", i, "members", j))
            if member not in people:
                problems.append(Problem(at, f"unknown person_id {member!r}, expected a person_id of the panel"))
            elif member in first:
                problems.append(Problem(at, f"person_id {member!r} is listed twice (also members[{first[member]}])"))
            first.setdefault(member, j)
        if program.feedback:
            problems += _feedback_problems(root, program, people, where(("programs", i, "feedback")))
    if problems:
        raise PanelError(problems)
    return Programs({p.id: p for p in parsed.programs})


def feedback_path(repo_root: Path, program: Program) -> Path | None:
    """The program's feedback table (a path relative to the repository root), or None."""
    return (Path(repo_root) / program.feedback) if program.feedback else None


def _feedback_problems(repo_root: Path, program: Program, people: set[str], where: str) -> list[Problem]:
    path = feedback_path(repo_root, program)
    assert path is not None  # only called for a program with a feedback table
    root = repo_root.resolve()
    if root not in path.resolve().parents:
        return [Problem(where, f"{program.feedback!r} leads outside the repository, expected a path inside it")]
    if not path.is_file():
        return [Problem(where, f"no file {program.feedback!r}, expected a CSV or .xlsx of requests")]
    problems: list[Problem] = []
    feedback = read_feedback(repo_root, program, problems)
    fatal = [p for p in problems if p.fatal]
    if fatal or feedback is None:
        return fatal
    for person, line in zip(feedback["person_id"], feedback[LINE]):
        if person and person not in people:
            fatal.append(
                Problem(
                    f"{program.feedback}:{line}", f"unknown person_id {person!r}, expected a person_id of the panel"
                )
            )
    return fatal


def read_feedback(repo_root: Path, program: Program, problems: list[Problem]) -> Any:
    """The feedback table as a frame (request columns and ``LINE``); None without one or when unreadable."""
    path = feedback_path(repo_root, program)
    if path is None or not path.is_file():
        return None
    table = read_table_file(path, "requests", problems, source=str(program.feedback))
    if table is None or not check_columns(table, problems):
        return None
    return table.frame


NO_CODE = "(no code)"


def feedback_codes(frame: Any, leaving: set[str], canonical: Callable[[str], str] = str) -> dict[str, int]:
    """Feedback items per code (``canonical``: the codebook's code for a tag; :data:`NO_CODE` for none).

    Rows of the people in ``leaving`` (withdrawn) are left out: they leave the program's counts.
    """
    counts: dict[str, int] = {}
    for person, tags in zip(frame["person_id"], frame["tags"]):
        if person and person in leaving:
            continue
        for code in sorted({canonical(t) for t in split_tags(tags)}) or [NO_CODE]:
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items()))


def study_program(study_dir: Path) -> str | None:
    """The ``program`` a study's ``study.yml`` names (its top-level key), read without building the file."""
    path = Path(study_dir) / STUDY_FILE
    try:
        loader = SAFE_LOADER(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None
    try:
        depth, key = 0, None
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                key = None if depth > 1 else key
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and depth == 1:
                if key is None:
                    key = event.value
                elif key == "program":
                    null = event.implicit[0] and event.value in YAML_NULLS  # plain `null`, not 'null'
                    return None if null else (str(event.value).strip() or None)
                else:
                    key = None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def without_members(repo_root: Path, leaving: set[str]) -> tuple[str, dict[str, int]] | None:
    """``panel/programs.yml`` without the members in ``leaving``, each counted in its program's ``withdrawals``.

    Round-trip YAML (ruamel.yaml): the file's comments and layout stay. Returns
    the new text and person_id -> memberships removed, or None when nobody
    leaving is a member (nothing to write).
    """
    from ruamel.yaml import YAML

    path = programs_path(repo_root)
    if not path.is_file() or not leaving:
        return None
    rt = YAML()
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    doc = rt.load(path.read_text(encoding="utf-8-sig"))
    removed: dict[str, int] = {}
    for program in (doc or {}).get("programs") or []:
        members = program.get("members") or []
        gone = [m for m in members if str(m).strip() in leaving]
        if not gone:
            continue
        for m in gone:
            members.remove(m)
            removed[str(m).strip()] = removed.get(str(m).strip(), 0) + 1
        count = int(program.get("withdrawals") or 0) + len(gone)
        if "withdrawals" in program:
            program["withdrawals"] = count
        else:
            program.insert(list(program).index("members") + 1, "withdrawals", count)
    if not removed:
        return None
    out = io.StringIO()
    rt.dump(doc, out)
    return out.getvalue(), removed
