"""Survey tools' own exports as ``data/sus.csv`` (or ``.xlsx``): Qualtrics, SurveyMonkey, Google Forms.

Most researchers collect the System Usability Scale in a survey tool. Its
export is read as it is (README, "Spreadsheets from any locale"):

* the tool is recognised by its header rows (``data/survey_exports.yml``,
  where each layout's source is given): Qualtrics' three (column ids,
  question text, ``{"ImportId":"QID1_1"}``), SurveyMonkey's two (the
  question, then ``Response`` or a matrix's statements), Google Forms' one
  (``Timestamp``, then each question's text);
* the ten SUS items are the columns whose question contains Brooke's (1996)
  statements (``data/sus_statements.csv``; "this system" may be "the
  product", "this website" ...; a matrix prefix such as ``Please rate ... -``
  or ``[...]`` around it is fine), the participant id and the NPS item
  ("How likely are you to recommend ...") are found by their question;
* answers written as labels of the 5-point agreement scale become 1-5
  (``data/agreement_labels.csv``; also ``5 - Strongly agree``); Qualtrics'
  preview and test responses are skipped with a warning.

One warning says how the file was read. Anything ambiguous (an item
missing or found twice, two id questions, a label not on the scale, two
labels read as one value, as on a 7-point scale) is a fatal problem naming
the file, the line and the column. The result is the kit's own ``sus``
table (``participant_id, q1 ... q10, recommend``), validated as usual, so
the scores are those of the same answers typed into the kit's format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from kit.errors import DataError, Problem
from kit.layout import DATA_DIR, kit_data
from kit.study.data_checks import problem
from kit.study.encoding import decode_bytes, sniff_delimiter
from kit.study.input_limits import LINES_LISTED, check_zip_archive, decoding_problems, link_problem
from kit.study.table_reader import LINE, Table, clean, header_name

SUS_ITEMS = tuple(f"q{i}" for i in range(1, 11))
COLUMNS = ("participant_id", *SUS_ITEMS, "recommend")
SHOWN_CHARS = 60  # of a question's text in messages


@dataclass
class Sheet:
    """A file's non-blank rows as text cells, each with the line (or Excel row) it starts on."""

    rows: list[list[str]]
    lines: list[int]
    encoding: str = "UTF-8"
    delimiter: str | None = ","  # None for Excel
    first_odd_line: int | None = None
    problems: list[Problem] = field(default_factory=list)  # decoding warnings, kept when the file is an export

    def cell(self, row: int, column: int) -> str:
        cells = self.rows[row]
        return cells[column] if column < len(cells) else ""


@dataclass(frozen=True)
class ToolLayout:
    """How one survey tool lays out its export (a ``tools`` entry of ``data/survey_exports.yml``)."""

    name: str
    signature: dict[str, Any]
    header_rows: int
    question_row: int
    sub_label_row: int | None = None
    plain_sub_labels: tuple[str, ...] = ()
    ignore_columns: tuple[str, ...] = ()
    skip_responses: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, sheet: Sheet) -> bool:
        """Whether the sheet's header rows carry this tool's signature."""
        row = int(self.signature["row"]) - 1
        if row >= len(sheet.rows) or len(sheet.rows) < self.header_rows:
            return False
        column = self.signature.get("column")
        cells = [sheet.cell(row, int(column) - 1)] if column else sheet.rows[row]
        return any(re.search(str(self.signature["pattern"]), c) for c in cells)


@lru_cache(maxsize=1)
def export_rules() -> dict[str, Any]:
    """``data/survey_exports.yml``: the tools' layouts, the questions looked for, numbered labels."""
    rules: dict[str, Any] = yaml.safe_load(kit_data("survey_exports.yml"))
    return rules


@lru_cache(maxsize=1)
def tool_layouts() -> tuple[ToolLayout, ...]:
    """The tools in the order they are tried."""
    return tuple(
        ToolLayout(
            name=t["name"],
            signature=t["signature"],
            header_rows=t["header_rows"],
            question_row=t["question_row"],
            sub_label_row=t.get("sub_label_row"),
            plain_sub_labels=tuple(t.get("plain_sub_labels", ())),
            ignore_columns=tuple(t.get("ignore_columns", ())),
            skip_responses={k: tuple(str(v) for v in vs) for k, vs in t.get("skip_responses", {}).items()},
        )
        for t in export_rules()["tools"]
    )


def normalise(text: str) -> str:
    """Question or label text as compared: lower case, punctuation as spaces, single spaces."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


@lru_cache(maxsize=1)
def statements() -> dict[str, str]:
    """SUS column (``q1`` ...) -> Brooke's statement, for messages (the first row of each item)."""
    out: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(kit_data("sus_statements.csv"))):
        out.setdefault(f"q{row['item']}", row["statement"])
    return out


@lru_cache(maxsize=1)
def question_patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    """Column of the sus table -> the patterns its question matches (searched in normalised text)."""
    system = export_rules()["system_words"]
    out: dict[str, list[re.Pattern[str]]] = {name: [] for name in COLUMNS}
    for name in ("participant_id", "recommend"):
        out[name] = [re.compile(p) for p in export_rules()["questions"][name]]
    for row in csv.DictReader(io.StringIO(kit_data("sus_statements.csv"))):
        words = re.escape(normalise(row["statement"])).replace(r"\ ", " ")
        words = re.sub(r"\b(this|the) system\b", system, words)
        out[f"q{row['item']}"].append(re.compile(rf"(?:^| ){words}(?: |$)"))
    return {name: tuple(patterns) for name, patterns in out.items()}


@lru_cache(maxsize=1)
def agreement_labels() -> dict[str, int]:
    """Normalised label -> 1-5 (``data/agreement_labels.csv``)."""
    rows = csv.DictReader(io.StringIO(kit_data("agreement_labels.csv")))
    return {normalise(r["label"]): int(r["value"]) for r in rows}


def column_letter(index: int) -> str:
    """A 0-based column index as the spreadsheet names it: 0 -> A, 27 -> AB."""
    name, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def read_sheet(path: Path, source: str) -> Sheet | None:
    """The file's rows, or None when it cannot be read (the table reader then reports why)."""
    try:
        if path.suffix.lower() == ".xlsx":
            check_zip_archive(path, source)  # before openpyxl inflates it
            raw = pd.read_excel(path, dtype=object, header=None)
            numbered = [(n, [clean(v) for v in row]) for n, row in enumerate(raw.itertuples(index=False), 1)]
            kept = [(n, r) for n, r in numbered if any(r)]
            return Sheet([r for _, r in kept], [n for n, _ in kept], delimiter=None)
        decoded = decode_bytes(path.read_bytes())
        delimiter = sniff_delimiter(decoded.text)
        reader = csv.reader(io.StringIO(decoded.text), delimiter=delimiter)
        rows: list[list[str]] = []
        lines: list[int] = []
        previous = 0
        for record in reader:  # a quoted question text may span lines: each row starts after the last
            start, previous = previous + 1, reader.line_num
            if any(c.strip() for c in record):
                rows.append([clean(c) for c in record])
                lines.append(start)
        found = decoding_problems(decoded, source)
        return Sheet(rows, lines, decoded.encoding, delimiter, decoded.first_odd_line, found)
    except (csv.Error, ValueError, OSError, KeyError, DataError):
        return None


def read_survey_export(path: Path, problems: list[Problem], source: str | None = None) -> Table | None:
    """The ``sus`` table read from a survey tool's export, or None when the file is not one.

    None also for the kit's own layout (``participant_id, q1 ... q10``) and
    for files the table reader must report on (a link, an unreadable file).
    """
    source = source or f"{DATA_DIR}/{path.name}"
    if link_problem(path, source) is not None or (sheet := read_sheet(path, source)) is None or not sheet.rows:
        return None
    if {"participant_id", *SUS_ITEMS} <= {header_name(c) for c in sheet.rows[0]}:
        return None
    tool = next((t for t in tool_layouts() if t.matches(sheet)), None)
    if tool is None:
        return None
    problems.extend(sheet.problems)
    return _ExportReading(sheet, tool, source, problems).table()


@dataclass
class _ExportReading:
    """Reading one recognised export into the ``sus`` table, problems naming line and column."""

    sheet: Sheet
    tool: ToolLayout
    source: str
    problems: list[Problem]
    label_seen: dict[int, tuple[str, int]] = field(default_factory=dict)  # value -> (first label, its line)
    reported: set[tuple[int, str]] = field(default_factory=set)  # (column, answer) already reported

    def where(self, row: int) -> str:
        return f"{self.source}:{self.sheet.lines[row]}"

    def questions(self) -> list[str]:
        """Each column's question text; SurveyMonkey's matrix question carried over to its statements."""
        tool, sheet = self.tool, self.sheet
        width = max(len(r) for r in sheet.rows[: tool.header_rows])
        out: list[str] = []
        carried = ""
        for column in range(width):
            question = sheet.cell(tool.question_row - 1, column)
            if tool.sub_label_row is not None:
                carried = question or carried
                sub = sheet.cell(tool.sub_label_row - 1, column)
                question = carried if not sub or sub in tool.plain_sub_labels else f"{carried} - {sub}"
            out.append(question)
        return out

    def shown(self, column: int, questions: list[str]) -> str:
        text = questions[column]
        text = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."
        return f"column {column_letter(column)} ('{text}')"

    def find_columns(self, questions: list[str]) -> dict[str, int] | None:
        """sus column -> the export's column; None after reporting a missing or repeated question."""
        ids = self.sheet.rows[0]
        ignored = {c for c, i in enumerate(ids) if any(re.search(p, i) for p in self.tool.ignore_columns)}
        found: dict[str, list[int]] = {name: [] for name in COLUMNS}
        for column, question in enumerate(questions):
            text = normalise(question)
            for name, patterns in question_patterns().items():
                if column not in ignored and any(p.search(text) for p in patterns):
                    found[name].append(column)
        at = self.where(self.tool.question_row - 1)
        ok = True
        for name, columns in found.items():
            if len(columns) > 1:
                ok = False
                listed = " and ".join(self.shown(c, questions) for c in columns)
                self.problems.append(
                    problem("survey_question_twice", at, f"{name} found in {listed}, expected one such column")
                )
        if not found["participant_id"]:
            ok = False
            self.problems.append(
                problem(
                    "survey_question_missing",
                    at,
                    f"no participant id question in this {self.tool.name} export, expected a column whose "
                    "question is 'Participant ID' or 'What is your participant ID?'",
                )
            )
        missing = [name for name in SUS_ITEMS if not found[name]]
        for name in missing if len(missing) < len(SUS_ITEMS) else []:
            ok = False
            self.problems.append(
                problem(
                    "survey_question_missing",
                    at,
                    f"SUS item {name} not found, expected a column whose question contains "
                    f"'{statements()[name]}' ('this system' may name the product or website)",
                )
            )
        if len(missing) == len(SUS_ITEMS):
            ok = False
            self.problems.append(
                problem(
                    "survey_question_missing",
                    at,
                    f"none of the ten SUS statements found in this {self.tool.name} export's questions, "
                    f"expected e.g. '{statements()['q1']}'",
                )
            )
        return {name: columns[0] for name, columns in found.items() if columns} if ok else None

    def agreement(self, row: int, column: int, answer: str, questions: list[str]) -> str:
        """An SUS answer as 1-5 in text: numbers as they are, labels by the agreement scale."""
        if not answer or re.fullmatch(r"\d+(?:[.,]0+)?", answer):
            return answer  # validated (1-5) with the kit's own format
        label, number = normalise(answer), None
        for pattern in export_rules()["numbered_labels"]:
            if m := re.match(pattern, answer):
                label, number = normalise(m["label"]), int(m["number"])
                break
        value = agreement_labels().get(label)
        if value is None or (number is not None and number != value):
            if (column, answer) not in self.reported:
                self.reported.add((column, answer))
                scale = ", ".join(k.capitalize() for k in agreement_labels())
                self.problems.append(
                    problem(
                        "survey_unknown_label",
                        self.where(row),
                        f"{self.shown(column, questions)}: answer '{answer}' is not on the 5-point agreement "
                        f"scale, expected 1-5 or one of: {scale}",
                    )
                )
            return ""
        first = self.label_seen.setdefault(value, (label, self.sheet.lines[row]))
        if first[0] != label and (column, label) not in self.reported:
            self.reported.add((column, label))
            self.problems.append(
                problem(
                    "survey_mixed_scale",
                    self.where(row),
                    f"{self.shown(column, questions)}: answer '{answer}' and '{first[0]}' (line {first[1]}) would "
                    f"both be {value}, expected one label per point of a 5-point scale (a 7-point scale?)",
                )
            )
        return str(value)

    def skipped(self, row: int) -> str | None:
        """Why a response is a preview or test (Qualtrics' Status, DistributionChannel), or None."""
        ids = self.sheet.rows[0]
        for column_id, values in self.tool.skip_responses.items():
            if column_id in ids and (value := self.sheet.cell(row, ids.index(column_id))) in values:
                return f"{column_id} '{value}'"
        return None

    def table(self) -> Table:
        questions = self.questions()
        columns = self.find_columns(questions)
        values: dict[str, list[str]] = {name: [] for name in COLUMNS}
        lines: list[int] = []
        skipped: list[tuple[int, str]] = []
        readers: dict[str, Callable[[int, int, str], str]] = {
            "participant_id": lambda r, c, a: a,
            "recommend": lambda r, c, a: a,
            **{item: lambda r, c, a: self.agreement(r, c, a, questions) for item in SUS_ITEMS},
        }
        found = columns or {}
        for row in range(self.tool.header_rows, len(self.sheet.rows)) if columns is not None else ():
            if (why := self.skipped(row)) is not None:
                skipped.append((self.sheet.lines[row], why))
                continue
            lines.append(self.sheet.lines[row])
            for name in COLUMNS:
                column = found.get(name)
                values[name].append("" if column is None else readers[name](row, column, self.sheet.cell(row, column)))
        if skipped:
            listed = ", ".join(f"line {line} ({why})" for line, why in skipped[:LINES_LISTED])
            listed += f" and {len(skipped) - LINES_LISTED} more" if len(skipped) > LINES_LISTED else ""
            self.problems.append(
                problem(
                    "survey_test_responses",
                    f"{self.source}:{skipped[0][0]}",
                    f"{len(skipped)} preview or test response(s) skipped: {listed}",
                )
            )
        if columns is not None:
            self.problems.append(problem("survey_export", f"{self.source}:1", self.summary(columns)))
        frame = pd.DataFrame(values, columns=list(COLUMNS), dtype=object)
        frame[LINE] = np.asarray(lines, dtype=np.int64)
        table = Table("sus", self.source, frame, encoding=self.sheet.encoding, delimiter=self.sheet.delimiter)
        table.first_odd_line = self.sheet.first_odd_line
        return table

    def summary(self, columns: dict[str, int]) -> str:
        """How the file was read, in one line: the tool and which column became which."""
        items = [columns[name] for name in SUS_ITEMS]
        letters = [column_letter(c) for c in items]
        consecutive = items == list(range(items[0], items[0] + len(items)))
        sus = f"columns {letters[0]}-{letters[-1]}" if consecutive else "columns " + ", ".join(letters)
        parts = [f"participant_id from column {column_letter(columns['participant_id'])}", f"q1-q10 from {sus}"]
        if "recommend" in columns:
            parts.append(f"recommend from column {column_letter(columns['recommend'])}")
        rows = "header row" if self.tool.header_rows == 1 else "header rows"
        labels = "; answers given as labels read as 1-5" if self.label_seen else ""
        return f"read as a {self.tool.name} export ({self.tool.header_rows} {rows}): {', '.join(parts)}{labels}"
