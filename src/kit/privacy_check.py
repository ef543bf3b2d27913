"""``kit check --privacy``: prove that nothing private reached reports/ or _site/.

For every study (``notebooks/<slug>/data/``) the check lists what must never
be published, then reads every text file under ``reports/`` and ``_site/``
(HTML, JSON, notebooks, the search index, CSV, JS ...) and reports each
occurrence as a :class:`Leak` with file, line, kind and context.

What is looked for, per study:

* ``name``: every roster name - participants (participants.csv) and session
  staff (moderator, observers in sessions.csv). A full name matches in any
  case with any whitespace between its words. A single first or last name
  matches alone when it has at least 3 letters and is not an everyday word or
  a particle (the ``common_words`` and ``name_particles`` lists of
  ``data/redaction_patterns.yml``: "Will", "Park", "van" are only looked for
  inside the full name, since "the park" on a page is not a leak). Names
  match as whole words and also without accents.
* ``participant_id``: distinctive participant ids (``R-1041``; see
  :func:`kit.privacy.distinctive_id`).
* ``email``, ``phone``, ``card``, ``address``, ``url``: every roster e-mail and
  phone, and every e-mail, phone number, Luhn-valid card number, street
  address and URL with a query string found anywhere in the study's raw data
  (participants, sessions, notes, transcripts). Phones and cards match on
  their digits whatever the separators (the last 9 digits of a phone, so
  ``+44 20 7946 0958`` is found as ``020 7946 0958`` too).
* ``quote``: verbatim text of participants without quote consent: notes of
  kind ``quote`` and their transcript utterances. Text is compared as
  lower-case words after undoing JSON escapes, HTML entities (twice, for HTML
  inside JSON) and URL escapes and removing tags; any run of 8 consecutive
  words of such a quote is a hit (shorter quotes are not distinctive enough to
  tell from ordinary text, and are not checked).

Vendor code the kit publishes is not scanned: lines identical to a line of
the plotly.js bundle that charts inline (it ships country and calendar names
such as "Costa Rica" and "Chen"), also when stored as a JSON string in an
executed notebook, and files under Quarto's ``site_libs/`` folders.
"""
from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator
from functools import lru_cache
from urllib.parse import unquote

from .errors import DataError, UsageError
from .privacy import Roster, distinctive_id, read_table
from .redaction import (find_typed, is_everyday_word, name_parts, normalise_name, pattern_table,
                        strip_accents, trie_regex)

QUOTE_WINDOW = 8  # words: a run this long from an unconsented quote is a hit
PHONE_TAIL = 9  # digits of a phone compared (drops country codes and trunk zeros)
MAX_FILE_BYTES = 200_000_000
CONTEXT = 50  # characters each side of a hit
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^<>]{0,500}>")
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([nrtbf])|([\"\\/]))")
_TRANSCRIPT_SKIP = re.compile(r"^(?:WEBVTT.*|NOTE\b.*|STYLE|REGION|\d+|[\d:.,]+\s*-->.*)$")
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>(.*)$")
_SPEAKER = re.compile(r"^([^:]{1,60}):\s+(.+)$")
_JSON_STRING_LINE = re.compile(r'^\s*"(.*)",?\s*$')
VENDOR_DIRS = frozenset({"site_libs"})


@dataclass(frozen=True)
class Leak:
    """One occurrence of private data in a published file."""

    file: str  # relative to the repository root
    line: int  # 1-based; 0 = the file's path itself
    kind: str  # name | participant_id | email | phone | card | address | url | quote
    context: str
    study: str = ""
    item: str = ""  # what matched: the name/e-mail..., or the quote's id (never the quote text)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind} ({self.study}: {self.item}): {self.context}"


@dataclass
class StudySecrets:
    """What one study must never publish."""

    slug: str
    # (kind, item, regex): regex None = matched as words (any case, any whitespace, accents
    # optional); a regex for digit runs (phones, cards); "" = too short to look for.
    items: list[tuple[str, str, str | None]] = field(default_factory=list)
    quotes: dict[str, str] = field(default_factory=dict)  # quote id -> text, without consent


# --- what to look for --------------------------------------------------------------------

def study_secrets(study_dir: Path) -> StudySecrets:
    """Names, ids, contact details and unconsented quotes of one study."""
    roster = Roster.from_study(study_dir)
    data = study_dir / "data"
    secrets = StudySecrets(study_dir.name)
    table = pattern_table()
    names = set(roster.names)  # participants and staff
    for name in names:
        secrets.items.append(("name", name, None))
        for part in name_parts(name):
            if (part.casefold() not in table.name_particles and not is_everyday_word(part, table)
                    and sum(c.isalpha() for c in part) >= 3 and part not in names):
                secrets.items.append(("name", part, None))
    secrets.items += [("participant_id", pid, None)
                      for pid in roster.pseudonyms if distinctive_id(pid)]
    typed = {("email", e) for e in roster.emails} | {("phone", p) for p in roster.phones}
    for text in _raw_texts(data):
        typed.update((kind, found) for kind, found in find_typed(text) if kind != "name")
    for kind, item in sorted(typed):
        regex = None  # looked for as words
        if kind in ("phone", "card"):
            regex = _digits_regex(item, tail=PHONE_TAIL if kind == "phone" else None)
        secrets.items.append((kind, item, regex))
    secrets.quotes = unconsented_quotes(roster, data)
    return secrets


def unconsented_quotes(roster: Roster, data: Path) -> dict[str, str]:
    """Quote id -> text of every quote whose participant did not consent to quotes."""
    quotes: dict[str, str] = {}
    notes, _ = read_table(data, "notes")
    if notes is not None:
        for row in notes.to_dict("records"):
            kind = str(row.get("kind") or "observation").strip().lower()
            if kind == "quote" and not roster.can_quote(str(row.get("participant_id", ""))):
                quotes[str(row.get("note_id") or f"notes row {len(quotes) + 2}")] = str(row.get("text") or "")
    for path in sorted((data / "transcripts").glob("*")):
        if path.suffix.lower() not in (".vtt", ".srt", ".txt"):
            continue
        n = 0
        for speaker, text in transcript_utterances(path):
            pid = roster.participant_of_speaker(speaker, path.stem) if speaker else \
                roster.session_participant.get(path.stem)
            if pid is None and speaker and roster.role_of(speaker):
                continue  # staff speak, participants are quoted
            n += 1
            if pid is None or not roster.can_quote(pid):
                quotes[f"{path.name} utterance {n}"] = text
    return quotes


def transcript_utterances(path: Path) -> list[tuple[str, str]]:
    """(speaker, text) of each cue/line of a .vtt, .srt or .txt transcript ('' = unknown speaker)."""
    out: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8-sig", errors="replace").splitlines():
        line = raw.strip()
        if not line or _TRANSCRIPT_SKIP.match(line):
            continue
        speaker = ""
        if m := _VOICE.match(line):
            speaker, line = m.group(1).strip(), m.group(2)
        elif m := _SPEAKER.match(line):
            speaker, line = m.group(1).strip(), m.group(2)
        line = _TAG.sub("", line).strip()
        if line:
            out.append((speaker, line))
    return out


def _raw_texts(data: Path) -> Iterator[str]:
    for stem in ("participants", "sessions", "notes", "tasks", "sus"):
        df, _ = read_table(data, stem)
        if df is not None:
            yield "\n".join(" | ".join(map(str, row)) for row in df.itertuples(index=False))
    for path in sorted((data / "transcripts").glob("*")):
        if path.is_file():
            yield path.read_text(encoding="utf-8-sig", errors="replace")


def word_keys(item: str) -> set[str]:
    """Lookup keys of a literal matched as words: normalised, with and without accents."""
    return {k for k in (normalise_name(item), normalise_name(strip_accents(item))) if k}


def _digits_regex(item: str, tail: int | None) -> str:
    """The digits of ``item`` with any separators between them (its last ``tail`` digits)."""
    digits = re.sub(r"\D", "", item)
    if tail and len(digits) > tail:
        return r"[\s().\-/]*".join(digits[-tail:]) + r"(?!\d)"
    return r"(?<!\d)" + r"[\s().\-/]*".join(digits) + r"(?!\d)" if len(digits) >= 7 else ""


# --- reading published files -------------------------------------------------------------

def decode_line(line: str) -> str:
    """Undo what publishing does to text: JSON escapes, HTML entities (twice), URL escapes."""
    if "\\" in line:
        line = _JSON_ESCAPE.sub(_json_char, line)
    if "&" in line:
        line = html.unescape(html.unescape(line))
    if "%" in line:
        line = unquote(line)
    return line


def _json_char(m: re.Match[str]) -> str:
    if m.group(1):
        return chr(int(m.group(1), 16))
    if m.group(2):
        return " "
    return m.group(3)


def quote_words(text: str) -> list[str]:
    """The comparable words of a text: decoded, tags removed, lower case."""
    return [w.casefold() for w in _WORD.findall(_TAG.sub(" ", decode_line(text)))]


@lru_cache(maxsize=1)
def vendor_lines() -> frozenset[str]:
    """Lines of the vendor code the kit inlines into pages (the plotly.js bundle)."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:  # pragma: no cover - plotly is a dependency
        return frozenset()
    return frozenset(line for line in get_plotlyjs().split("\n") if len(line) > 40)


def is_vendor_line(raw: str) -> bool:
    """A line of vendor code, as it is in an HTML page or as a JSON string in a notebook."""
    vendor = vendor_lines()
    if len(raw) < 40 or not vendor:
        return False
    if raw.rstrip("\r") in vendor:
        return True
    m = _JSON_STRING_LINE.match(raw)
    if m:
        try:
            return json.loads(f'"{m.group(1)}"').rstrip("\n") in vendor
        except ValueError:
            return False
    return False


def text_files(repo_root: Path, paths: Iterable[str]) -> Iterator[Path]:
    """Every non-binary file under the given folders (or the files themselves)."""
    for rel in paths:
        base = repo_root / rel
        candidates = [base] if base.is_file() else sorted(
            p for p in base.rglob("*") if p.is_file() and not VENDOR_DIRS & set(p.relative_to(base).parts))
        for path in candidates:
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
                with path.open("rb") as fh:
                    if b"\0" in fh.read(8192):
                        continue  # images, fonts, archives
            except OSError:
                continue
            yield path


# --- the scan ------------------------------------------------------------------------------

class _Matcher:
    """All studies' items in two regexes (words as a trie, digit runs), plus quote windows."""

    def __init__(self, studies: list[StudySecrets]):
        self.by_key: dict[str, list[tuple[str, str, str]]] = {}  # normalised words -> (study, kind, item)
        self.digit_meta: list[tuple[str, str, str]] = []
        digit_alts = []
        for study in studies:
            for kind, item, regex in study.items:
                if regex is None:
                    for key in word_keys(item):
                        self.by_key.setdefault(key, []).append((study.slug, kind, item))
                elif regex:
                    digit_alts.append(f"(?P<g{len(self.digit_meta)}>{regex})")
                    self.digit_meta.append((study.slug, kind, item))
        self.words = (re.compile(r"(?<!\w)(?i:" + trie_regex(self.by_key) + r")(?!\w)")
                      if self.by_key else None)
        self.digits = re.compile("|".join(digit_alts)) if digit_alts else None
        self.windows: dict[tuple[str, ...], tuple[str, str]] = {}
        for study in studies:
            for qid, text in study.quotes.items():
                words = quote_words(text)
                for i in range(len(words) - QUOTE_WINDOW + 1):
                    self.windows.setdefault(tuple(words[i:i + QUOTE_WINDOW]), (study.slug, qid))
        self.first_words = {w[0] for w in self.windows}

    def items(self, line: str) -> Iterator[tuple[re.Match[str], tuple[str, str, str]]]:
        """(match, (study, kind, item)) of every private item in a decoded line."""
        if self.words is not None:
            for m in self.words.finditer(line):
                for meta in self.by_key.get(normalise_name(m.group()), ()):
                    yield m, meta
        if self.digits is not None:
            for m in self.digits.finditer(line):
                yield m, self.digit_meta[int(m.lastgroup[1:])]

    def scan(self, rel: str, text: str) -> list[Leak]:
        leaks: list[Leak] = []
        words: list[tuple[str, int, str]] = []  # (word, line, decoded line)
        for no, raw in enumerate(text.split("\n"), 1):
            if is_vendor_line(raw):
                continue
            line = decode_line(raw)
            for m, (study, kind, item) in self.items(line):
                leaks.append(Leak(rel, no, kind, _context(line, m.start(), m.end()), study, item))
            if self.windows:
                stripped = _TAG.sub(" ", line)
                words.extend((w.casefold(), no, stripped) for w in _WORD.findall(stripped))
        leaks.extend(self._quotes(rel, words))
        return leaks

    def _quotes(self, rel: str, words: list[tuple[str, int, str]]) -> list[Leak]:
        found: dict[tuple[str, int], Leak] = {}
        n = len(words)
        for i in range(n - QUOTE_WINDOW + 1):
            if words[i][0] not in self.first_words:
                continue
            key = tuple(w for w, _, _ in words[i:i + QUOTE_WINDOW])
            if key in self.windows:
                study, qid = self.windows[key]
                word, no, line = words[i]
                if (qid, no) not in found:
                    start = max(line.casefold().find(word), 0)
                    found[(qid, no)] = Leak(rel, no, "quote", _context(line, start, start + len(word)),
                                            study, qid)
        return list(found.values())


def _context(line: str, start: int, end: int) -> str:
    left = max(0, start - CONTEXT)
    right = min(len(line), end + CONTEXT)
    text = " ".join(line[left:right].split())
    return ("…" if left else "") + text + ("…" if right < len(line) else "")


def study_dirs(repo_root: Path, slugs: Iterable[str] | None = None) -> list[Path]:
    """Study folders holding data (notebooks/*/data/); unknown slugs are a usage error."""
    found = {p.parent.name: p.parent for p in sorted((repo_root / "notebooks").glob("*/data")) if p.is_dir()}
    if not slugs:
        return list(found.values())
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise UsageError(f"unknown study {', '.join(map(repr, unknown))} "
                         f"(studies with data: {', '.join(found) or 'none'})")
    return [found[s] for s in slugs]


def scan_for_leaks(repo_root: str | Path, slugs: Iterable[str] | None = None,
                   paths: Iterable[str] = ("reports", "_site")) -> list[Leak]:
    """Every occurrence of a study's private data in the published folders.

    Raises :class:`UsageError` for an unknown slug and :class:`DataError` when
    a roster cannot be read (the check cannot then vouch for anything).
    """
    repo_root = Path(repo_root).resolve()
    secrets, problems = [], []
    for study_dir in study_dirs(repo_root, slugs):
        try:
            secrets.append(study_secrets(study_dir))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    matcher = _Matcher(secrets)
    leaks: list[Leak] = []
    for path in text_files(repo_root, paths):
        rel = path.relative_to(repo_root).as_posix()
        for _, (study, kind, item) in matcher.items(rel):
            leaks.append(Leak(rel, 0, kind, rel, study, item))
        leaks.extend(matcher.scan(rel, path.read_text(encoding="utf-8", errors="replace")))
    return leaks


def _print_err(message: str) -> None:
    print(message, file=sys.stderr)


def check_privacy_command(repo_root: str | Path, slugs: Iterable[str] | None = None,
                          echo: Callable[[str], None] = print,
                          echo_err: Callable[[str], None] = _print_err) -> int:
    """``kit check --privacy``: print each leak; exit code 0 clean, 1 leaks (or unreadable roster), 2 usage."""
    try:
        leaks = scan_for_leaks(repo_root, list(slugs or []) or None)
    except UsageError as exc:
        echo_err(f"kit: error: {exc}")
        return exc.exit_code
    except DataError as exc:
        echo_err(f"kit: privacy check cannot run: {exc}")
        return 1
    for leak in leaks:
        echo(str(leak))
    files = len({leak.file for leak in leaks})
    if leaks:
        echo(f"privacy check FAILED: {len(leaks)} leak(s) in {files} file(s) under reports/ or _site/")
        return 1
    echo("privacy check passed: no roster name, e-mail, phone or unconsented quote in reports/ or _site/")
    return 0
