"""What the site's cross-study pages take from each study's synthesis.json, parsed only when it changed.

The Playbook page shows how PMs observed sessions (``observers``) and the
Codebook page counts each note's codes and shows the coders' agreement
(``notes[].tags``, ``agreement``). Nothing else of a study's synthesis reaches
those pages, yet a study of 100,000 notes has a 25 MB ``synthesis.json``:
parsing it, once per page, was most of what a site build cost when one other
study had changed. So each study's facts are taken in one pass
(:func:`facts_of`) and kept in ``studies/.synthesis-facts.json`` under the
SHA-256 of the file they came from and of this module's code; a build parses
only the files whose digest is new. Hashing 25 MB takes milliseconds.
``kit site --full`` parses every file.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kit.iorw import read_json
from kit.layout import STUDIES_DIR, SYNTHESIS_JSON, reports_root
from kit.outputs.synthesis import Synthesis

FACTS_RECORD = ".synthesis-facts.json"  # in studies/ ("." : not a Quarto input)
RECORD_FORMAT = 1
_OWN_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@dataclass(frozen=True)
class SynthesisFacts:
    """One study's ``synthesis.json`` as the Playbook and Codebook pages use it."""

    # None: the file is not of the shape this kit writes (an older kit's), which the playbook skips
    observers: dict[str, Any] | None
    # each distinct set of a note's tags (sorted) and how many notes carry exactly that set
    tag_sets: list[tuple[list[str], int]] = field(default_factory=list)
    agreement: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SynthesisFacts:
        return cls(
            observers=data["observers"],
            tag_sets=[(list(t), int(n)) for t, n in data["tag_sets"]],
            agreement=data["agreement"],
        )


def _tag_sets(tag_lists: list[list[Any]]) -> list[tuple[list[str], int]]:
    counts = Counter(tuple(sorted({str(t) for t in tags})) for tags in tag_lists)
    return [(list(tags), n) for tags, n in sorted(counts.items())]


def facts_of(raw: bytes) -> SynthesisFacts | None:
    """The facts of one ``synthesis.json``; ``None`` when it is not JSON (half-written by a running study).

    A file of this kit's shape is parsed once, typed. One of another shape
    still gives its tags and agreement, read leniently, as the Codebook page
    always has; the playbook then leaves it out (``observers`` is ``None``).
    """
    try:
        s = Synthesis.model_validate_json(raw)
    except ValueError:  # pydantic's ValidationError is a ValueError, as is bad JSON
        s = None
    if s is not None:
        return SynthesisFacts(
            observers=dict(s.observers), tag_sets=_tag_sets([n.tags for n in s.notes]), agreement=s.agreement
        )
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    notes = found if isinstance(found := data.get("notes"), list) else []
    tags = [n.get("tags") or [] for n in notes if isinstance(n, dict)]
    agreement = data.get("agreement") if isinstance(data.get("agreement"), dict) else None
    return SynthesisFacts(
        observers=None, tag_sets=_tag_sets([t for t in tags if isinstance(t, list)]), agreement=agreement
    )


def _previous(repo_root: Path) -> dict[str, Any]:
    try:
        data = read_json(Path(repo_root) / STUDIES_DIR / FACTS_RECORD)
    except (FileNotFoundError, ValueError):
        return {}
    ok = isinstance(data, dict) and data.get("format") == RECORD_FORMAT and data.get("code") == _OWN_CODE
    return data.get("studies", {}) if ok and isinstance(data.get("studies"), dict) else {}


def read_synthesis_facts(
    repo_root: Path, slugs: list[str], *, reuse: bool = True
) -> tuple[dict[str, SynthesisFacts], dict[str, Any]]:
    """Each study's facts (studies without a readable synthesis.json left out), and the record to keep.

    With ``reuse`` the facts of a file whose SHA-256 is in the previous record
    are taken from there instead of parsing the file again.
    """
    old = _previous(repo_root) if reuse else {}
    reports = reports_root(repo_root)
    facts: dict[str, SynthesisFacts] = {}
    kept: dict[str, Any] = {}
    for slug in slugs:
        path = reports / slug / SYNTHESIS_JSON
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue
        digest = hashlib.sha256(raw).hexdigest()
        entry = old.get(slug)
        found = None
        if isinstance(entry, dict) and entry.get("sha256") == digest:
            try:
                found = SynthesisFacts.from_json(entry["facts"])
            except (KeyError, TypeError, ValueError):  # a damaged record: parse the file instead
                found = None
        if found is None:
            found = facts_of(raw)
        if found is None:
            continue
        facts[slug] = found
        kept[slug] = {"sha256": digest, "facts": found.to_json()}
    return facts, {"format": RECORD_FORMAT, "code": _OWN_CODE, "studies": kept}
