"""Incremental site builds: re-render only the study pages whose inputs changed.

A study page (``studies/<slug>/<stage>.html``) is a function of its published
notebook (``studies/<slug>/<stage>.ipynb``, written by :mod:`kit.site.pages`),
its study's title and page list (the sidebar), and what every page shares (the
site settings in ``_quarto.yml``, the kit's page templates and code). Its
*key* is the SHA-256 of all of these. The listing pages (home, insights,
playbook) and the search index read every study, so they are rebuilt on
every build; they are cheap.

The site record ``_site/.kit-site.json`` keeps, per study page, its key (and,
for the preview, its search-index entry). It lives inside ``_site/`` so that
it is swapped in with the site it describes: a record can never describe
another site. A build starts from a copy of the previous site made of hard
links (instant, and no extra space); a page about to be rewritten is unlinked
first, so the previous site is never modified in place and stays intact when
the new build fails. ``kit site --full`` ignores the record.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit import __version__
from kit.iorw import read_json

if TYPE_CHECKING:
    from kit.site.pages import StudyPages  # for the annotation only

RECORD = ".kit-site.json"
RECORD_FORMAT = 1
_CODE = Path(__file__).parent  # the site package: page layout code
_DATA = _CODE.parent / "data"


def digest(*parts: object) -> str:
    """SHA-256 of JSON-serialisable parts (bytes are hashed as they are)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def shared_key(repo_root: Path, engine: str, extra: Iterable[Path] = ()) -> str:
    """What every page depends on: engine, kit version and code, page templates, project files."""
    # Labelled by role, not by absolute path: where the kit is installed, next to where
    # the repository is, must not change the order (a CI runner rebuilt every page).
    named = (
        [(f"kit/site/{p.name}", p) for p in _CODE.glob("*.py")]
        + [(f"kit/data/{p.name}", p) for p in [*_DATA.glob("preview*"), _DATA / "search_parts.csv"]]
        + [(f"project/{Path(p).name}", Path(p)) for p in extra]
    )
    contents = sorted(
        (label, hashlib.sha256(p.read_bytes() if p.is_file() else b"missing").hexdigest()) for label, p in named
    )
    return digest(engine, __version__, contents)


@dataclass
class SiteRecord:
    """The previous build's page keys (and search entries), from ``_site/.kit-site.json``."""

    engine: str
    shared: str
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, site_dir: Path, engine: str, shared: str) -> SiteRecord:
        """The record of ``site_dir`` when it was built by ``engine`` with the same shared inputs, else empty."""
        try:
            data = read_json(Path(site_dir) / RECORD)
        except (FileNotFoundError, ValueError):
            return cls(engine, shared)
        ok = (
            isinstance(data, dict)
            and data.get("format") == RECORD_FORMAT
            and data.get("engine") == engine
            and data.get("shared") == shared
            and isinstance(data.get("pages"), dict)
        )
        return cls(engine, shared, data["pages"] if ok else {})

    def unchanged(self, rel: str, key: str, site_dir: Path) -> bool:
        """The page was built from the same inputs and is still in ``site_dir``."""
        entry = self.pages.get(rel)
        return isinstance(entry, dict) and entry.get("key") == key and (Path(site_dir) / rel).is_file()

    def save(self, site_dir: Path) -> None:
        data = {
            "format": RECORD_FORMAT,
            "engine": self.engine,
            "shared": self.shared,
            "pages": dict(sorted(self.pages.items())),
        }
        path = Path(site_dir) / RECORD
        path.unlink(missing_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def last_engine(site_dir: Path) -> str | None:
    """The engine (``quarto`` or ``preview``) that built ``site_dir``, from its record; None when unknown.

    ``kit purge`` rebuilds the site with it: a preview stays a preview, a
    Quarto site stays a Quarto site.
    """
    try:
        data = read_json(Path(site_dir) / RECORD)
    except (FileNotFoundError, ValueError):
        return None
    engine = data.get("engine") if isinstance(data, dict) else None
    return engine if isinstance(engine, str) else None


def link_tree(src: Path, dst: Path) -> None:
    """Fill ``dst`` (existing, empty) with hard links to every file of ``src`` (copies across devices)."""

    def link(s: str, d: str) -> None:
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)

    shutil.copytree(src, dst, copy_function=link, dirs_exist_ok=True)


def copy_previous(src: Path, dst: Path, linked: set[str]) -> None:
    """Fill ``dst`` from the previous site ``src``: hard links for the files in ``linked``, copies otherwise.

    For a renderer that rewrites some files in place (Quarto updates
    ``search.json`` and ``listings.json`` through an open file), only files it
    will not touch may be shared with the previous site.
    """
    for path in sorted(Path(src).rglob("*")):
        rel = path.relative_to(src).as_posix()
        target = Path(dst) / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif rel in linked:
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)
        else:
            shutil.copy2(path, target)


def write_fresh(path: Path, text: str) -> None:
    """Write ``path`` as a new file: a hard link shared with the previous site is never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


def study_page_keys(shared: str, studies: Iterable[StudyPages], sources: dict[str, str]) -> dict[str, str]:
    """Site path of every study page -> its key: shared inputs, the study's sidebar, the page's source.

    ``sources`` maps ``<slug>/<stem>.ipynb`` to the digest its published copy
    was made from (:func:`kit.site.pages.published_digests`).
    """
    keys = {}
    for s in studies:
        sidebar = [s.slug, s.title, [list(p) for p in s.pages]]
        for stem, label in s.pages:
            keys[s.href(stem)] = digest(shared, sidebar, label, sources.get(f"{s.slug}/{stem}.ipynb", "missing"))
    return keys


def remove_stale(site_dir: Path, rels: Iterable[str]) -> None:
    """Delete pages that are no longer published (with Quarto's ``<page>_files/``), and the folders left empty."""
    for rel in rels:
        path = Path(site_dir) / rel
        path.unlink(missing_ok=True)
        shutil.rmtree(path.with_name(f"{path.stem}_files"), ignore_errors=True)
        parent = path.parent
        while parent != Path(site_dir) and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
