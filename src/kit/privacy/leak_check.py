"""``kit check --privacy``: prove that nothing private reached reports/ or _site/.

For every study (``notebooks/<slug>/data/``) the check lists what must never
be published, then reads every text file under ``reports/`` and ``_site/``
(HTML, JSON, notebooks, the search index, CSV, JS ...) and reports each
occurrence as a :class:`Leak` with file, line, kind and context.

What is looked for is listed by :mod:`kit.privacy.inventory`, the people of
the participant panel (``panel/people.csv``) included.

Vendor code the kit publishes is not scanned: lines identical to a line of
the plotly.js bundle (it ships country and calendar names such as "Costa
Rica" and "Chen"; the site's one copy, or inlined by plotly's own notebook
renderer in a team's cell, also as a JSON string in an executed notebook), and
files under Quarto's ``site_libs/`` folders.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from kit.errors import DataError, PrivacyLeakError, UsageError
from kit.layout import DATA_DIR, REPORTS_DIR, SITE_DIR, notebooks_root
from kit.privacy.inventory import PANEL, StudySecrets, panel_secrets, study_secrets, word_keys
from kit.privacy.inventory import TAG as _TAG
from kit.privacy.purged_names import PurgedNames
from kit.privacy.redaction import apostrophe_variants, normalise_name, trie_regex

QUOTE_WINDOW = 8  # words: a run this long from an unconsented quote is a hit
MAX_FILE_BYTES = 200_000_000
CONTEXT = 50  # characters each side of a hit
_WORD = re.compile(r"\w+")
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([nrtbf])|([\"\\/]))")
_JSON_STRING_LINE = re.compile(r'^\s*"(.*)",?\s*$')
VENDOR_DIRS = frozenset({"site_libs"})
PUBLIC = "public"  # kind of the plan's own team names: matched, never reported
PURGED_KIND = "purged name"
PURGED_ITEM = "a name removed by kit purge, see panel/purged-names.json"
PURGED_MASK = "[purged name]"


@dataclass(frozen=True)
class Leak:
    """One occurrence of private data in a published file."""

    file: str  # relative to the repository root
    line: int  # 1-based; 0 = the file's path itself
    kind: str  # name | participant_id | email | phone | card | address | url | quote | purged name
    context: str
    study: str = ""
    item: str = ""  # what matched: the name/e-mail..., or the quote's id (never the quote text)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind} ({self.study}: {self.item}): {self.context}"


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
        candidates = (
            [base]
            if base.is_file()
            else sorted(p for p in base.rglob("*") if p.is_file() and not VENDOR_DIRS & set(p.relative_to(base).parts))
        )
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
    """All studies' items in two regexes (words as a trie, digit runs), plus quote windows and purged names."""

    def __init__(self, studies: list[StudySecrets], purged: PurgedNames | None = None):
        self.purged = purged or PurgedNames()
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
            for name in study.public:
                # Matched too, so that "Dana" inside the published "Dana Whitfield"
                # (the longest match wins) is not taken for a participant "Dana".
                for key in word_keys(name):
                    self.by_key.setdefault(key, []).append((study.slug, PUBLIC, name))
        spellings = {v for key in self.by_key for v in apostrophe_variants(key)}
        self.words = re.compile(r"(?<!\w)(?i:" + trie_regex(spellings) + r")(?!\w)") if self.by_key else None
        self.digits = re.compile("|".join(digit_alts)) if digit_alts else None
        self.windows: dict[tuple[str, ...], tuple[str, str]] = {}
        for study in studies:
            for qid, text in study.quotes.items():
                words = quote_words(text)
                for i in range(len(words) - QUOTE_WINDOW + 1):
                    self.windows.setdefault(tuple(words[i : i + QUOTE_WINDOW]), (study.slug, qid))
        self.first_words = {w[0] for w in self.windows}

    def items(self, line: str) -> Iterator[tuple[re.Match[str], tuple[str, str, str]]]:
        """(match, (study, kind, item)) of every private item in a decoded line."""
        if self.words is not None:
            for m in self.words.finditer(line):
                for meta in self.by_key.get(normalise_name(m.group()), ()):
                    if meta[1] != PUBLIC:
                        yield m, meta
        if self.digits is not None:
            for m in self.digits.finditer(line):
                assert m.lastgroup is not None  # every alternative of self.digits is a named group
                yield m, self.digit_meta[int(m.lastgroup[1:])]

    def scan(self, rel: str, text: str) -> list[Leak]:
        leaks: list[Leak] = []
        words: list[tuple[str, int, str]] = []  # (word, line, decoded line)
        purged = self.purged.may_hold(decode_line(text))  # most files hold no purged name: skip their lines
        for no, raw in enumerate(text.split("\n"), 1):
            if is_vendor_line(raw):
                continue
            line = decode_line(raw)
            for m, (study, kind, item) in self.items(line):
                leaks.append(Leak(rel, no, kind, _context(line, m.start(), m.end()), study, item))
            if purged:
                leaks.extend(self._purged(rel, no, line))
            if self.windows:
                stripped = _TAG.sub(" ", line)
                words.extend((w.casefold(), no, stripped) for w in _WORD.findall(stripped))
        leaks.extend(self._quotes(rel, words))
        return leaks

    def _purged(self, rel: str, no: int, line: str) -> Iterator[Leak]:
        """A name a purge removed (known only by its hash): reported without the name, masked in the context."""
        for start, end in self.purged.find(line):
            masked = line[:start] + PURGED_MASK + line[end:]
            yield Leak(rel, no, PURGED_KIND, _context(masked, start, start + len(PURGED_MASK)), PANEL, PURGED_ITEM)

    def _quotes(self, rel: str, words: list[tuple[str, int, str]]) -> list[Leak]:
        found: dict[tuple[str, int], Leak] = {}
        n = len(words)
        for i in range(n - QUOTE_WINDOW + 1):
            if words[i][0] not in self.first_words:
                continue
            key = tuple(w for w, _, _ in words[i : i + QUOTE_WINDOW])
            if key in self.windows:
                study, qid = self.windows[key]
                word, no, line = words[i]
                if (qid, no) not in found:
                    start = max(line.casefold().find(word), 0)
                    found[(qid, no)] = Leak(rel, no, "quote", _context(line, start, start + len(word)), study, qid)
        return list(found.values())


def _context(line: str, start: int, end: int) -> str:
    left = max(0, start - CONTEXT)
    right = min(len(line), end + CONTEXT)
    text = " ".join(line[left:right].split())
    return ("…" if left else "") + text + ("…" if right < len(line) else "")


def study_dirs(repo_root: Path, slugs: Iterable[str] | None = None) -> list[Path]:
    """Study folders holding data (notebooks/*/data/); unknown slugs are a usage error."""
    found = {p.parent.name: p.parent for p in sorted(notebooks_root(repo_root).glob(f"*/{DATA_DIR}")) if p.is_dir()}
    if not slugs:
        return list(found.values())
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise UsageError(
            f"unknown study {', '.join(map(repr, unknown))} (studies with data: {', '.join(found) or 'none'})"
        )
    return [found[s] for s in slugs]


def scan_for_leaks(
    repo_root: str | Path, slugs: Iterable[str] | None = None, paths: Iterable[str] = (REPORTS_DIR, SITE_DIR)
) -> list[Leak]:
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
    panel = panel_secrets(repo_root, {n for s in secrets for n in s.public})
    if panel is not None:
        secrets.append(panel)
    matcher = _Matcher(secrets, PurgedNames.load(repo_root))
    leaks: list[Leak] = []
    for path in text_files(repo_root, paths):
        rel = path.relative_to(repo_root).as_posix()
        for _, (study, kind, item) in matcher.items(rel):
            leaks.append(Leak(rel, 0, kind, rel, study, item))
        leaks.extend(matcher.scan(rel, path.read_text(encoding="utf-8", errors="replace")))
    return leaks


def require_clean_site(repo_root: str | Path, staging: Path, echo: Callable[[str], None] = print) -> None:
    """Scan ``reports/`` and a staged site before it replaces ``_site/`` (``kit build``).

    Each hit is printed as ``kit check --privacy`` prints it, with the staged
    folder's name shown as ``_site``; any hit raises :class:`PrivacyLeakError`,
    and the caller then discards the staged site, so the previous one stays.
    """
    repo_root = Path(repo_root).resolve()
    staged = Path(staging).resolve().relative_to(repo_root).as_posix()
    leaks = [
        replace(leak, file=SITE_DIR + leak.file[len(staged) :]) if leak.file.startswith(staged + "/") else leak
        for leak in scan_for_leaks(repo_root, paths=(REPORTS_DIR, staged))
    ]
    for leak in leaks:
        echo(str(leak))
    if leaks:
        raise PrivacyLeakError(
            f"privacy check FAILED: {len(leaks)} leak(s) in "
            f"{len({leak.file for leak in leaks})} file(s); the new site was not "
            "published and the previous _site/ is kept"
        )
    echo("privacy check passed: no roster name, e-mail, phone or unconsented quote in reports/ or the new site")


def _print_err(message: str) -> None:
    print(message, file=sys.stderr)


def check_privacy_command(
    repo_root: str | Path,
    slugs: Iterable[str] | None = None,
    echo: Callable[[str], None] = print,
    echo_err: Callable[[str], None] = _print_err,
) -> int:
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
