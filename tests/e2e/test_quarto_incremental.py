"""Incremental `kit site --quarto`: after an add, a rename, a delete and an edit, a partial build equals a full one.

Needs a real Quarto on PATH (skipped otherwise): three renders of a small site.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from kit.site.build import build_site, quarto_path
from site_fixture import seed_site_repo

pytestmark = [pytest.mark.slow, pytest.mark.skipif(quarto_path() is None, reason="Quarto is not on PATH")]


def _retitle(reports: Path, slug: str, title: str) -> None:
    plan = json.loads((reports / slug / "plan.json").read_text())
    plan["plan"]["title"] = title
    (reports / slug / "plan.json").write_text(json.dumps(plan))


def _site(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _build(repo: Path, **kw) -> list[str]:
    said: list[str] = []
    build_site(repo, use_quarto=True, echo=said.append, **kw)
    return said


def test_partial_quarto_build_equals_a_full_build(tmp_path: Path):
    repo = seed_site_repo(tmp_path / "repo")
    reports = repo / "reports"
    shutil.copytree(reports / "beta", reports / "old")
    _retitle(reports, "old", "Old survey")
    assert _build(repo) == ["quarto: rendered 7 of 7 study pages (full build)"]
    before = _site(repo / "_site")

    nb = nbformat.read(reports / "alpha" / "02-sessions.ipynb", as_version=4)
    next(c for c in nb.cells if c.get("outputs")).outputs[0]["data"]["text/html"] = "<p>new theme: delivery cost</p>"
    nbformat.write(nb, reports / "alpha" / "02-sessions.ipynb")
    shutil.copytree(reports / "beta", reports / "gamma")
    _retitle(reports, "gamma", "Gamma pricing interviews")
    (reports / "beta").rename(reports / "beta-onboarding")
    shutil.rmtree(reports / "old")

    assert _build(repo) == ["quarto: rendered 5 of 7 study pages, the others unchanged"]
    partial = _site(repo / "_site")
    assert partial["studies/alpha/01-plan.html"] == before["studies/alpha/01-plan.html"]
    assert b"new theme: delivery cost" in partial["studies/alpha/02-sessions.html"]

    full_repo = tmp_path / "full"
    shutil.copytree(repo, full_repo, ignore=shutil.ignore_patterns("_site", "studies", ".quarto", ".kit-run.lock"))
    assert _build(full_repo, full=True) == ["quarto: rendered 7 of 7 study pages (full build)"]
    full = _site(full_repo / "_site")

    assert sorted(partial) == sorted(full)
    for rel in full:
        assert partial[rel] == full[rel], rel
    search = json.loads(partial["search.json"])
    pages = {e["href"].split("#")[0] for e in search}
    assert "studies/gamma/01-plan.html" in pages and "studies/beta-onboarding/02-sessions.html" in pages
    assert not any(re.match(r"studies/(old|beta)/", p) for p in pages)
    home = partial["index.html"].decode()  # the studies listing
    assert "Gamma pricing interviews" in home and "Old survey" not in home
    assert "studies/beta-onboarding/" in home and "studies/beta/" not in home
