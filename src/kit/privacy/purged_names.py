"""Names that purges removed, kept as salted hashes so the privacy check can still find them.

A purge blanks names in ``participants.csv`` and ``panel/people.csv``; from
then on no roster knows them, so a mention that redaction missed (another
participant's note naming the person, a study the purge did not reach, a
purge interrupted before it rewrote the notes) would be published and pass
``kit check --privacy``. Before it blanks anything, ``kit purge`` records
each name it removes in ``panel/purged-names.json``: the keyed BLAKE2 hash
(:func:`hashlib.blake2b` with the file's random ``salt`` as key; Python's
hashlib documentation, "Keyed hashing") of every form the check compares -
the full name and each distinctive single name (the rules of
:func:`kit.privacy.inventory.name_items`), case-folded, with and without
accents, and their mojibake forms (the UTF-8 bytes read as Windows-1252 or
Latin-1, "Wójcik" -> "WÃ³jcik", as a misread file publishes them). The
names themselves are not kept: the file says only "some purged name is here".

:meth:`PurgedNames.find` hashes the word runs of a text (up to the longest
recorded name) and returns the spans that match.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kit.layout import purged_names_path
from kit.privacy.patterns import pattern_table
from kit.privacy.redaction import is_everyday_word, name_parts, normalise_name, strip_accents

FORMAT = 1
MOJIBAKE_ENCODINGS = ("cp1252", "latin-1")  # what a UTF-8 file is misread as (Excel, the kit's own fallback)
MEMO_LIMIT = 1_000_000  # word runs remembered while scanning
_TOKEN = re.compile(r"\S+")
_EDGE = "\"'()[]{}<>,.;:!?*_`|/\\"  # ASCII punctuation around a word (mojibake letters are not ASCII)
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


def mojibake_forms(text: str) -> set[str]:
    """``text``'s UTF-8 bytes decoded as each of :data:`MOJIBAKE_ENCODINGS` (when that changes it).

    Windows-1252 leaves five bytes undefined; Windows shows them as the
    Latin-1 control characters, and so does this.
    """
    data = text.encode("utf-8")
    forms = set()
    for encoding in MOJIBAKE_ENCODINGS:
        chars = []
        for byte in data:
            try:
                chars.append(bytes([byte]).decode(encoding))
            except UnicodeDecodeError:
                chars.append(chr(byte))
        forms.add("".join(chars))
    return forms - {text}


def name_forms(name: str) -> set[str]:
    """Every normalised form the check compares for one name: full name and distinctive parts."""
    table = pattern_table()
    pieces = {name} | {
        part
        for part in name_parts(name)
        if part.casefold() not in table.name_particles
        and not is_everyday_word(part, table)
        and sum(c.isalpha() for c in part) >= 3
    }
    forms: set[str] = set()
    for piece in pieces:
        for spelling in {piece, strip_accents(piece)}:
            forms |= {normalise_name(s) for s in {spelling} | mojibake_forms(spelling)}
    return {f for f in forms if f}


@dataclass
class PurgedNames:
    """The salted hashes of ``panel/purged-names.json`` (empty without the file)."""

    salt: str = ""
    hashes: set[str] = field(default_factory=set)
    max_words: int = 0  # words of the longest recorded form: the longest run to hash
    firsts: set[str] = field(default_factory=set)  # hashes of the first word of each form of 2+ words
    _seen: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)  # run -> purged?

    @classmethod
    def load(cls, repo_root: Path) -> PurgedNames:
        path = purged_names_path(repo_root)
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(str(data["salt"]), set(data["hashes"]), int(data["max_words"]), set(data.get("firsts", [])))

    def digest(self, form: str) -> str:
        return hashlib.blake2b(
            form.encode("utf-8", "surrogatepass"), key=bytes.fromhex(self.salt), digest_size=16
        ).hexdigest()

    def with_names(self, names: Iterable[str]) -> PurgedNames:
        """A copy that also holds ``names`` (a new random salt when none yet)."""
        out = PurgedNames(self.salt or secrets.token_hex(16), set(self.hashes), self.max_words, set(self.firsts))
        for name in names:
            for form in name_forms(name):
                out.hashes.add(out.digest(form))
                out.max_words = max(out.max_words, len(form.split()))
                if " " in form:
                    out.firsts.add(out.digest(form.split()[0]))
        return out

    def text(self) -> str:
        """The file's content (hashes sorted: the same names give the same file)."""
        data = {
            "format": FORMAT,
            "salt": self.salt,
            "max_words": self.max_words,
            "hashes": sorted(self.hashes),
            "firsts": sorted(self.firsts),
        }
        return json.dumps(data, indent=1) + "\n"

    def may_hold(self, text: str) -> bool:
        """Whether ``text`` has a word that is a purged name or begins one (each distinct word hashed once).

        The cheap test a scan runs per file: most published files hold none,
        and then :meth:`find` need not look at their lines.
        """
        if not self.hashes:
            return False
        for token in set(text.split()):
            core = _core(token)
            if self._purged(core) or self._first(core):
                return True
        return False

    def _first(self, word: str) -> bool:
        form = normalise_name(word)
        return bool(form) and any(self.digest(f) in self.firsts for f in {form, normalise_name(strip_accents(form))})

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each run of words in ``text`` whose form is a purged name's (punctuation around excluded)."""
        if not self.hashes:
            return
        words = []  # (start, end, word) of each word without the punctuation around it
        for m in _TOKEN.finditer(text):
            core = _core(m.group())
            start = m.start() + m.group().find(core)
            words.append((start, start + len(core), core))
        i = 0
        while i < len(words):
            for n in range(min(self.max_words, len(words) - i), 0, -1):  # longest first
                run = words[i : i + n]
                if self._purged(" ".join(w for _, _, w in run)):
                    yield run[0][0], run[-1][1]
                    i += n - 1
                    break
            i += 1

    def _purged(self, words: str) -> bool:
        """Whether these words are a purged name's form (remembered: a site repeats its words)."""
        known = self._seen.get(words)
        if known is None:
            form = normalise_name(words)
            known = bool(form) and any(
                self.digest(f) in self.hashes for f in {form, normalise_name(strip_accents(form))}
            )
            if len(self._seen) >= MEMO_LIMIT:
                self._seen.clear()  # bounded memory on a very large site
            self._seen[words] = known
        return known


def _core(token: str) -> str:
    """A whitespace-separated token without the ASCII punctuation around it and a possessive 's."""
    return _POSSESSIVE.sub("", token.strip(_EDGE))
