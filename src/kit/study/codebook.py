"""The shared codebook: ``codebook.yml`` at the repository root, with optional per-study additions.

Tags are free text in ``notes.csv``; the codebook says which tags mean what,
so the same idea carries one name in every study and cross-study search finds
all of its evidence. One entry per code::

    codes:
      - name: shipping-cost
        definition: The customer notices, questions or objects to the delivery charge.
        include: ["asked what delivery costs"]
        exclude: ["delivery date or speed (use delivery-time)"]
        synonyms: [delivery-charge, postage]
        parent: payment            # optional: the code's place in the hierarchy
        status: active             # or retired, with merged_into: <code to use>
        guid: 3f0c...              # optional: kept from a REFI-QDA import

A study may add codes of its own in ``notebooks/<slug>/codebook.yml`` (same
format); a name that is already a shared code is a problem, as two definitions
of one code are exactly the drift the codebook exists to stop.

Names are compared as the data reader reads tags: lower case, whitespace runs
as one space. :class:`CodebookError` lists every problem at once. Codes are
added to the file (``kit import``) by :mod:`kit.study.codebook_merge`, which
leaves the file's existing bytes as they are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from kit.errors import CodebookError, Problem
from kit.layout import CODEBOOK_FILE
from kit.study.study_file import problems_from_pydantic, read_yaml_mapping

CODE_NAMESPACE = uuid.UUID("6f1c1d0e-5b8a-4c55-9a43-0d6c1b8f2a17")
"""uuid5 namespace of code GUIDs: one name gives the same GUID in every export."""


def code_name(text: str) -> str:
    """A tag or code name as the data reader compares them: lower case, single spaces."""
    return " ".join(str(text).split()).lower()


def code_guid(name: str) -> str:
    """The stable GUID of a code that has none of its own (RFC 4122 uuid5 of its name)."""
    return str(uuid.uuid5(CODE_NAMESPACE, "code:" + code_name(name)))


class Code(BaseModel):
    """One code of the codebook."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1)
    definition: str = ""
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    synonyms: list[str] = Field(default_factory=list)
    parent: str | None = None
    status: Literal["active", "retired"] = "active"
    merged_into: str | None = None
    guid: str | None = None
    color: str | None = Field(default=None, pattern=r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")

    @field_validator("name", "parent", "merged_into")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if ";" in v:
            raise ValueError(f"expected a name without ';' (it separates tags in notes.csv), got {v!r}")
        return code_name(v)

    @field_validator("synonyms")
    @classmethod
    def _synonyms(cls, v: list[str]) -> list[str]:
        return [code_name(s) for s in v if code_name(s)]


class CodebookFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    codes: list[Code] = Field(default_factory=list)


@dataclass
class Codebook:
    """The codes in force for a study (shared + the study's own), and where each is defined."""

    codes: dict[str, Code] = field(default_factory=dict)
    defined_in: dict[str, str] = field(default_factory=dict)  # code -> file shown in messages
    synonym_of: dict[str, str] = field(default_factory=dict)  # synonym -> code

    def resolve(self, tag: str) -> tuple[str, str | None]:
        """``(status, code to use)``: active (itself), synonym, retired (its merged_into) or unknown."""
        tag = code_name(tag)
        if tag in self.codes:
            code = self.codes[tag]
            if code.status == "retired":
                return "retired", code.merged_into
            return "active", tag
        if tag in self.synonym_of:
            return "synonym", self.synonym_of[tag]
        return "unknown", None

    def canonical(self, tag: str) -> str:
        """The code a tag should be: synonyms and retired codes (through their merges) -> the code to use."""
        seen: set[str] = set()
        tag = code_name(tag)
        while tag not in seen:
            seen.add(tag)
            status, use = self.resolve(tag)
            if status in ("active", "unknown") or not use:
                return tag
            tag = use
        return tag

    def guid(self, name: str) -> str:
        code = self.codes.get(name)
        return code.guid if code is not None and code.guid else code_guid(name)

    def children(self, name: str | None) -> list[str]:
        return [c.name for c in self.codes.values() if c.parent == name]


def parse_codebook(data: object, source: str) -> list[Code]:
    """Validate one codebook file's content; :class:`CodebookError` with every problem."""
    if data is None:
        return []
    if not isinstance(data, dict):
        raise CodebookError(Problem(source, f"expected a mapping with a 'codes' list, got {type(data).__name__}"))
    try:
        return CodebookFile.model_validate(data).codes
    except PydanticValidationError as err:
        raise CodebookError(problems_from_pydantic(err, source)) from None


def build_codebook(files: list[tuple[str, list[Code]]]) -> Codebook:
    """Merge the files (shared first) and check that the codes hang together."""
    book = Codebook()
    problems: list[Problem] = []
    for source, codes in files:
        for code in codes:
            if code.name in book.codes:
                problems.append(
                    Problem(
                        f"{source}: code '{code.name}'",
                        f"defined again (first in {book.defined_in[code.name]}), expected each code once",
                    )
                )
                continue
            book.codes[code.name] = code
            book.defined_in[code.name] = source
    for name, code in book.codes.items():
        where = f"{book.defined_in[name]}: code '{name}'"
        for syn in code.synonyms:
            if syn in book.codes:
                problems.append(
                    Problem(
                        where,
                        f"synonym '{syn}' is itself a code, expected a tag "
                        "that is not a code (retire the code with merged_into instead)",
                    )
                )
            elif syn in book.synonym_of and book.synonym_of[syn] != name:
                problems.append(
                    Problem(
                        where,
                        f"synonym '{syn}' is also a synonym of '{book.synonym_of[syn]}', expected it under one code",
                    )
                )
            else:
                book.synonym_of[syn] = name
        if code.parent is not None and code.parent not in book.codes:
            problems.append(Problem(where, f"parent '{code.parent}' is not a code of the codebook"))
        if code.status == "retired":
            if not code.merged_into:
                problems.append(Problem(where, "retired without merged_into, expected the code to use instead"))
            elif code.merged_into not in book.codes:
                problems.append(Problem(where, f"merged_into '{code.merged_into}' is not a code of the codebook"))
        elif code.merged_into:
            problems.append(Problem(where, "merged_into is set but status is active, expected status: retired"))
    for name in book.codes:  # a parent chain that comes back to itself
        seen, current = [name], book.codes[name].parent
        while current in book.codes and current not in seen:
            seen.append(current)
            current = book.codes[current].parent
        if current == name:
            problems.append(
                Problem(
                    f"{book.defined_in[name]}: code '{name}'", "its parents form a cycle: " + " -> ".join([*seen, name])
                )
            )
    if problems:
        raise CodebookError(problems)
    return book


def codebook_path(repo_root: str | Path) -> Path:
    return Path(repo_root) / CODEBOOK_FILE


def load_codebook(repo_root: str | Path, study_dir: str | Path | None = None) -> Codebook | None:
    """The shared codebook plus the study's additions; None when the repository has no codebook."""
    files: list[tuple[str, list[Code]]] = []
    shared = codebook_path(repo_root)
    if not shared.is_file():
        return None
    files.append(
        (CODEBOOK_FILE, parse_codebook(read_yaml_mapping(shared, CodebookError, CODEBOOK_FILE), CODEBOOK_FILE))
    )
    if study_dir is not None:
        own = Path(study_dir) / CODEBOOK_FILE
        if own.is_file():
            shown = f"notebooks/{Path(study_dir).name}/{CODEBOOK_FILE}"
            files.append((shown, parse_codebook(read_yaml_mapping(own, CodebookError, shown), shown)))
    return build_codebook(files)
