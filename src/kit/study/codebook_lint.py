"""``kit codebook``: the studies' tags checked against the codebook, and synonyms rewritten.

Findings (each a non-fatal :class:`~kit.errors.Problem` naming ``file:line``):

* a tag that is not in the codebook (with the near-duplicate code it probably means);
* a synonym in use, naming the code to use;
* a retired code in use, naming the code it was merged into;
* near-duplicate codes in the codebook, and near-duplicate tags across studies;
* codes nobody uses (neither they nor a code below them in the hierarchy).

Near-duplicates: two names whose *normalised* forms are equal (lower case,
punctuation dropped, each word reduced by the Snowball English stemmer, so
``check-out``, ``checkout`` and ``Check outs`` meet) or within a Levenshtein
edit distance of 1 for names of 5 characters or more (``adress``/``address``).
Short names are left alone: ``pay``/``day`` are different words.

Tags are read from every coded table: ``notes.csv``, ``data/coding/*.csv`` and
the requests files. :func:`apply_synonyms` rewrites ``notes.csv``'s tags to
the codes they stand for, atomically, and returns the unified diff.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from kit.errors import DataError, Problem
from kit.iorw import atomic_write_text
from kit.layout import DATA_DIR, NOTEBOOKS_DIR, notebooks_root
from kit.study.codebook import Codebook, code_name, load_codebook
from kit.study.coding import coding_files
from kit.study.feature_requests import request_files
from kit.study.tables import LINE, decode, find_table, read_table_file, split_tags

MIN_EDIT_LENGTH = 5  # shorter names are often different words one letter apart
MAX_EDITS = 1


class Stemmer(Protocol):
    """What the code uses of a snowballstemmer stemmer (the package ships no types)."""

    def stemWords(self, words: list[str]) -> list[str]: ...  # snowballstemmer's camelCase name


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer:
    import snowballstemmer

    stemmer: Stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=4096)
def normalised(name: str) -> str:
    """``Check-outs`` -> ``checkout``: words lower-cased, stemmed (Snowball English), joined."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return "".join(_stemmer().stemWords(words))


def near_duplicate(a: str, b: str) -> str | None:
    """Why ``a`` and ``b`` look like one code written two ways, or None."""
    from rapidfuzz.distance import Levenshtein

    if a == b:
        return None
    na, nb = normalised(a), normalised(b)
    if na == nb:
        return "same words once normalised and stemmed"
    if min(len(na), len(nb)) >= MIN_EDIT_LENGTH and Levenshtein.distance(na, nb, score_cutoff=MAX_EDITS) <= MAX_EDITS:
        return "one letter apart"
    return None


@dataclass
class TagUse:
    """Where each tag is used: tag -> [(file shown in messages, line)]."""

    places: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)  # tag -> notes of notes.csv carrying it

    def add(self, tag: str, source: str, line: int) -> None:
        self.places.setdefault(tag, []).append((source, line))


def study_tags(study_dir: Path, repo_root: Path, problems: list[Problem]) -> TagUse:
    """Every tag of the study's notes, coding files and request files, with where it is used."""
    use = TagUse()
    prefix = f"{NOTEBOOKS_DIR}/{study_dir.name}/"
    sources: list[tuple[Path, str, str]] = []
    notes = find_table(study_dir / DATA_DIR, "notes")
    if notes is not None:
        sources.append((notes, "notes", prefix + f"{DATA_DIR}/{notes.name}"))
    sources += [(p, "coding", prefix + f"{DATA_DIR}/coding/{p.name}") for p in coding_files(study_dir)]
    sources += [
        (p, "requests", shown if shown.startswith("requests/") else prefix + shown)
        for p, shown in request_files(study_dir, repo_root)
    ]
    for path, kind, shown in sources:
        table = read_table_file(path, kind, problems, source=shown)
        if table is None or "tags" not in table.frame:
            continue
        for cell, line in zip(table.frame["tags"].tolist(), table.frame[LINE].tolist()):
            for tag in split_tags(cell):
                use.add(tag, shown, int(line))
                if kind == "notes":
                    use.notes[tag] += 1
    return use


def lint_tags(book: Codebook, use: TagUse) -> list[Problem]:
    """Unknown tags, synonyms and retired codes in use, once per tag and file (first line shown)."""
    out: list[Problem] = []
    active = [c for c, code in book.codes.items() if code.status == "active"]
    for tag in sorted(use.places):
        status, code = book.resolve(tag)
        if status == "active":
            continue
        if status == "synonym":
            message = f"tag '{tag}' is a synonym of '{code}': use '{code}'"
        elif status == "retired":
            target = book.canonical(tag)
            message = f"tag '{tag}' is a retired code, merged into '{code}'" + (f": use '{target}'" if target else "")
        else:
            close = [(c, why) for c in active if (why := near_duplicate(tag, c))]
            hint = f"; near-duplicate of '{close[0][0]}' ({close[0][1]}): use '{close[0][0]}'?" if close else ""
            message = f"tag '{tag}' is not in the codebook{hint}"
        by_file: dict[str, list[int]] = {}
        for source, line in use.places[tag]:
            by_file.setdefault(source, []).append(line)
        for source, lines in by_file.items():
            more = f" (and {len(lines) - 1} more lines)" if len(lines) > 1 else ""
            out.append(Problem(f"{source}:{lines[0]}", message + more, fatal=False))
    return out


def lint_codebook(book: Codebook) -> list[Problem]:
    """Near-duplicate codes within the codebook (both active)."""
    names = sorted(c for c, code in book.codes.items() if code.status == "active")
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            why = near_duplicate(a, b)
            if why:
                out.append(
                    Problem(
                        f"{book.defined_in[b]}: code '{b}'",
                        f"near-duplicate of code '{a}' ({why}): merge them (status: retired, merged_into: '{a}')",
                        fatal=False,
                    )
                )
    return out


@dataclass
class LintResult:
    problems: list[Problem]
    usage: dict[str, Counter[str]]  # study slug -> code -> notes carrying it (synonyms counted as their code)


def lint_repository(repo_root: str | Path, book: Codebook, slugs: list[str] | None = None) -> LintResult:
    """Lint every study (or ``slugs``) against the codebook; count each code's use per study."""
    repo_root = Path(repo_root)
    studies = sorted(p for p in notebooks_root(repo_root).glob("*") if p.is_dir() and not p.name.startswith("."))
    problems = lint_codebook(book)
    usage: dict[str, Counter[str]] = {}
    all_tags: dict[str, list[str]] = {}
    for study in studies:
        own = load_codebook(repo_root, study) if (study / "codebook.yml").is_file() else book
        assert own is not None  # `book` was loaded from the shared codebook, so that file is there
        found: list[Problem] = []
        use = study_tags(study, repo_root, found)
        usage[study.name] = Counter()
        for tag, n in use.notes.items():
            usage[study.name][own.canonical(tag)] += n
        if slugs and study.name not in slugs:
            continue
        problems += [Problem(p.where, p.message, False) for p in found]
        problems += lint_tags(own, use)
        for tag in use.places:
            if own.resolve(tag)[0] == "unknown":
                all_tags.setdefault(tag, []).append(study.name)
    unknown = sorted(all_tags)
    for i, a in enumerate(unknown):  # e.g. 'check-out' in one study, 'checkout' in another
        for b in unknown[i + 1 :]:
            why = near_duplicate(a, b)
            if why:
                problems.append(
                    Problem(
                        f"tags '{a}' ({', '.join(all_tags[a])}) and '{b}' ({', '.join(all_tags[b])})",
                        f"near-duplicates ({why}): add one to the codebook, the other as its synonym",
                        fatal=False,
                    )
                )
    used: Counter[str] = Counter()
    for counts in usage.values():
        used.update(counts)
    for name, code in book.codes.items():
        if code.status != "active" or not usage:  # no study yet (a new repository): every code is unused
            continue
        family = [name, *descendants(book, name)]
        if not any(used[c] for c in family):
            problems.append(
                Problem(f"{book.defined_in[name]}: code '{name}'", "not used by any study's notes", fatal=False)
            )
    return LintResult(problems, usage)


def descendants(book: Codebook, name: str) -> list[str]:
    out, todo = [], book.children(name)
    while todo:
        child = todo.pop()
        if child not in out:
            out.append(child)
            todo += book.children(child)
    return out


def apply_synonyms(study_dir: str | Path, book: Codebook, redact: Callable[[str], str]) -> str:
    """Rewrite the tags of ``notes.csv`` (and of ``data/coding/*.csv``) to the codes they stand for.

    Synonyms become their code and retired codes the code they were merged
    into (repeats dropped, order kept). Only the records whose tags change are
    re-written, so the rest of each file stays as it was; each new file
    replaces the old one atomically. Returns the unified diff ('' if nothing
    changed), one line per record, with every cell passed through ``redact``:
    the diff is printed (a terminal, a CI log), so it shows participant text
    as the stages publish it (:meth:`kit.privacy.roster.Roster.redact`), while
    the files keep their words.
    """
    study_dir = Path(study_dir)
    path = find_table(study_dir / DATA_DIR, "notes")
    shown = f"{NOTEBOOKS_DIR}/{study_dir.name}/{DATA_DIR}/notes.csv"
    if path is None:
        raise DataError(Problem(shown, "file not found"))
    files = [(path, shown)] + [
        (p, f"{NOTEBOOKS_DIR}/{study_dir.name}/{DATA_DIR}/coding/{p.name}") for p in coding_files(study_dir)
    ]
    changes = [(p, *rewrite_tags(p, name, book, redact)) for p, name in files]  # all read and checked before any write
    for p, _diff, text in changes:
        if text is not None:
            atomic_write_text(p, text)
    return "".join(diff for _p, diff, _text in changes)


def rewrite_tags(path: Path, shown: str, book: Codebook, redact: Callable[[str], str]) -> tuple[str, str | None]:
    """One CSV's tags column rewritten through :meth:`Codebook.canonical`: (redacted diff, new text or None)."""
    if path.suffix.lower() != ".csv":
        raise DataError(
            Problem(
                shown.replace(".csv", path.suffix),
                "only a CSV file can be rewritten: save it as CSV UTF-8, or rename the tags in Excel",
            )
        )
    raw = path.read_bytes()
    problems: list[Problem] = []
    text = decode(raw, shown, problems)
    newline = "\r\n" if b"\r\n" in raw else "\n"
    records = _records(text)
    first = next((i for i, r in enumerate(records) if r.strip(" \t,")), None)
    if first is None:
        return "", None
    header = next(csv.reader([records[first]]))
    names = [code_name(h).lstrip("\ufeff").replace(" ", "_") for h in header]
    if "tags" not in names:
        raise DataError(Problem(f"{shown}:{first + 1}", "no 'tags' column"))
    col = names.index("tags")
    out, changed = records[: first + 1], 0
    for rec in records[first + 1 :]:
        cells = next(csv.reader([rec]), []) if rec.strip(" \t,") else []
        if len(cells) <= col:
            out.append(rec)
            continue
        old = [t.strip() for t in cells[col].split(";") if t.strip()]
        new = list(dict.fromkeys(book.canonical(t) for t in old))
        if [code_name(t) for t in old] == new:
            out.append(rec)
            continue
        cells[col] = ";".join(new)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        out.append(buf.getvalue())
        changed += 1
    if not changed:
        return "", None
    new_text = "\n".join(out) + "\n"
    lines = difflib.unified_diff(records, out, fromfile=f"a/{shown}", tofile=f"b/{shown}", lineterm="")
    header = [next(lines), next(lines)]  # --- a/... and +++ b/...: file names, no participant text
    body = [line if line.startswith("@@") else line[0] + _redacted_record(line[1:], redact) for line in lines]
    diff = "".join(f"{line}\n" for line in header + body)
    return diff, (new_text.replace("\n", newline) if newline != "\n" else new_text)


def _redacted_record(record: str, redact: Callable[[str], str]) -> str:
    """A CSV record with each cell redacted, written back as CSV (a quoted cell stays one cell)."""
    cells = next(csv.reader([record]), []) if record.strip(" \t,") else []
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([redact(c) for c in cells])
    return buf.getvalue() if cells else record


def _records(text: str) -> list[str]:
    """The CSV's records as raw text, blank lines kept (a quoted cell may span lines)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline
    out, current, open_quote = [], [], False
    for line in lines:
        current.append(line)
        if line.count('"') % 2:
            open_quote = not open_quote
        if not open_quote:
            out.append("\n".join(current))
            current = []
    if current:
        out.append("\n".join(current))
    return out
