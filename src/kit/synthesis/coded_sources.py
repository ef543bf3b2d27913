"""The synthesis' coded inputs beyond notes: feature requests, double coding and the codebook check.

* :func:`requests_json`: ``data/requests.csv`` and ``requests/*.csv``
  (:mod:`kit.study.feature_requests`) as citable evidence ``R-<request_id>``,
  redacted and labelled attitudinal ("expressed interest"); who asked is
  never published (a participant of the study appears under their pseudonym);
* :func:`coding_json`: the double coding of ``data/coding/`` and its agreement
  (:mod:`kit.synthesis.agreement`), with the plan's ``double_coding`` rule;
* :func:`codebook_warnings`: the codebook lint (:mod:`kit.study.codebook_lint`)
  for this study's tags, shown among the data warnings (and so by ``kit run``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from kit.errors import CodebookError, DataError, Problem
from kit.layout import DATA_DIR, NOTEBOOKS_DIR, repo_root_for
from kit.outputs.synthesis import Request
from kit.privacy.roster import Roster
from kit.study.codebook import Codebook, load_codebook
from kit.study.codebook_lint import TagUse, lint_tags
from kit.study.coding import Codings, read_codings
from kit.study.feature_requests import REQUEST_PREFIX, read_requests
from kit.study.tables import LINE, problem, split_tags
from kit.synthesis.agreement import agreement

ATTITUDINAL_LABEL = "expressed interest"


def read_coded_sources(study_dir: Path, notes: pd.DataFrame, problems: list[Problem]) -> tuple[Codings, pd.DataFrame]:
    """The coders' files and the request files (problems appended)."""
    codings = read_codings(study_dir, dict(zip(notes["note_id"].tolist(), notes["tags"].tolist())), problems)
    requests = read_requests(study_dir, repo_root_for(study_dir), problems)
    return codings, requests


def requests_json(requests: pd.DataFrame, roster: Roster) -> list[Request]:
    """Every request as citable evidence (attitudinal), text redacted, requester left out."""
    out: list[Request] = []
    for row in requests.to_dict("records"):
        person = str(row.get("person_id") or "")
        votes = row.get("votes")
        out.append(
            Request(
                id=f"{REQUEST_PREFIX}{row['request_id']}",
                request_id=row["request_id"],
                date=row["date"],
                text=roster.redact(row["text"]),
                votes=None if pd.isna(votes) else int(votes),
                status=roster.redact(row.get("status") or ""),
                source=roster.redact(row.get("source") or ""),
                tags=split_tags(row.get("tags") or ""),
                kind="attitudinal",
                label=ATTITUDINAL_LABEL,
                participants=[roster.pseudonyms[person]] if person in roster.pseudonyms else [],
                file=row["source_file"],
            )
        )
    return out


def coding_json(
    codings: Codings,
    double_coding: bool | None,
    problems: list[Problem],
    book: Codebook | None = None,
    public_tag: Callable[[str], str] = lambda t: t,
) -> dict[str, Any] | None:
    """Agreement of the coders (None without a second coder); warns when the plan requires double coding.

    Tags are compared as codes: a synonym or retired code counts as the code
    it stands for (the lint still warns about it), so two coders who meant
    the same code agree. ``public_tag`` redacts tag names for publishing.
    """
    if double_coding and not codings.double_coded:
        problems.append(
            problem(
                "double_coding_missing",
                f"{DATA_DIR}/coding/",
                "the plan requires double coding (double_coding: true), expected a second "
                "coder's file such as data/coding/pm.csv (columns note_id, tags)",
            )
        )
    cache: dict[str, str] = {}

    def code(tag: str) -> str:
        if tag not in cache:
            cache[tag] = public_tag(book.canonical(tag) if book is not None else tag)
        return cache[tag]

    mapped = Codings(
        {c: {n: sorted({code(t) for t in tags}) for n, tags in notes.items()} for c, notes in codings.coders.items()},
        codings.sources,
        codings.lines,
    )
    result = agreement(mapped)
    if result is not None:
        result["required"] = bool(double_coding)
    return result


def study_codebook(study_dir: Path, problems: list[Problem]) -> Codebook | None:
    """The codebook in force for the study; a broken codebook.yml is a warning here (``kit codebook`` fails)."""
    try:
        return load_codebook(repo_root_for(study_dir), study_dir)
    except (CodebookError, DataError) as err:
        problems += [Problem(p.where, p.message, fatal=False) for p in err.problems]
        return None


def codebook_warnings(
    book: Codebook | None, study_dir: Path, notes: pd.DataFrame, codings: Codings, requests: pd.DataFrame
) -> list[Problem]:
    """The codebook lint of this study's tags; nothing when the repository has no codebook.yml."""
    if book is None:
        return []
    use = TagUse()
    prefix = f"{NOTEBOOKS_DIR}/{study_dir.name}/{DATA_DIR}/"
    for tags, line in zip(notes["tags"].tolist(), notes[LINE].tolist()):
        for tag in tags:
            use.add(tag, prefix + "notes.csv", int(line))
    for coder, lines in codings.lines.items():
        source = codings.sources[coder]
        for note, line in lines.items():
            for tag in codings.coders[coder].get(note, []):
                use.add(tag, f"{NOTEBOOKS_DIR}/{study_dir.name}/{source}", line)
    for tags, line, file in zip(requests["tags"].tolist(), requests[LINE].tolist(), requests["source_file"].tolist()):
        for tag in split_tags(tags or ""):
            use.add(
                tag, file if file.startswith("requests/") else f"{NOTEBOOKS_DIR}/{study_dir.name}/{file}", int(line)
            )
    return lint_tags(book, use)
