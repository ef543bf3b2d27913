"""Feature requests: ``data/requests.csv`` and repository-level ``requests/*.csv``.

PMs review customer feature requests with the product owner. They are
*expressed interest* (what customers say they want), the kind of signal a
PM metric should not rest on alone, so the kit keeps them beside the
observations, labelled attitudinal: insights may cite them as ``R-<request_id>``
(with a dash, so they never collide with recommendation ids ``R1``, ``R2``).

Columns (``data/data_columns.csv``, table ``requests``): request_id, date,
account, person_id, text, votes, status, source, tags. A tracker export
(Jira, Productboard, Canny ...) renamed to these columns works as is; other
columns are warned about and ignored. Files are read with the validated
table reader, so every problem names ``file:line``. A study sees its own
``data/requests.csv`` and every file of the repository's ``requests/``
folder; a request id must be unique across them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from kit.errors import Problem
from kit.layout import DATA_DIR, REQUESTS_DIR
from kit.study.tables import (
    LINE,
    check_columns,
    check_ids,
    find_table,
    flag_rows,
    problem,
    read_numbers,
    read_table_file,
)

REQUEST_PREFIX = "R-"


def request_files(study_dir: str | Path, repo_root: str | Path) -> list[tuple[Path, str]]:
    """(path, name shown in messages) of the study's and the repository's request files."""
    out = []
    own = find_table(Path(study_dir) / DATA_DIR, "requests")
    if own is not None:
        out.append((own, f"{DATA_DIR}/{own.name}"))
    return out + repository_request_files(repo_root)


def repository_request_files(repo_root: str | Path) -> list[tuple[Path, str]]:
    """(path, name shown in messages) of the files of the repository's ``requests/`` folder, in name order."""
    folder = Path(repo_root) / REQUESTS_DIR
    if not folder.is_dir():
        return []
    return [
        (p, f"{REQUESTS_DIR}/{p.name}")
        for p in sorted(folder.iterdir())
        if p.suffix.lower() in (".csv", ".xlsx") and p.is_file() and not p.name.startswith((".", "~$"))
    ]


def read_requests(study_dir: str | Path, repo_root: str | Path, problems: list[Problem]) -> pd.DataFrame:
    """Every request the study may cite, validated; columns as in data_columns.csv plus ``source_file``."""
    frames = []
    for path, shown in request_files(study_dir, repo_root):
        table = read_table_file(path, "requests", problems, source=shown)
        if table is None or not check_columns(table, problems):
            continue
        check_ids(table, "request_id", problems)
        f = table.frame
        read_numbers(table, problems)  # votes as the file's locale writes them (1.234 / 1,234)
        votes = table.numbers["votes"]
        bad = (f["votes"] != "") & ~(votes.notna() & (votes >= 0) & (votes == votes.round()))
        flag_rows(
            table,
            bad,
            "votes_invalid",
            lambda r: f"votes '{r['votes']}', expected a whole number of 0 or more (or empty)",
            problems,
        )
        f["votes"] = votes.where(~bad)
        dates = [_date(v) for v in f["date"].tolist()]
        flag_rows(
            table,
            [bool(v) and d is None for v, d in zip(f["date"].tolist(), dates)],
            "request_date_invalid",
            lambda r: f"date '{r['date']}', expected a date like 2026-11-03",
            problems,
        )
        f["date"] = [d or "" for d in dates]
        f["source_file"] = shown
        frames.append(f)
    if not frames:
        return pd.DataFrame(
            columns=[
                "request_id",
                "date",
                "account",
                "person_id",
                "text",
                "votes",
                "status",
                "source",
                "tags",
                "source_file",
                LINE,
            ]
        )
    out = pd.concat(frames, ignore_index=True)
    dup = out["request_id"].ne("") & out["request_id"].duplicated()
    for row in out[dup].to_dict("records"):
        problems.append(
            problem(
                "duplicate_id",
                f"{row['source_file']}:{row[LINE]}",
                f"request_id '{row['request_id']}' repeats a request of another file, expected each id once",
            )
        )
    return out[~dup].reset_index(drop=True)


def _date(text: str) -> str | None:
    """ISO date text (Excel exports may carry a time part); None when unreadable."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None
