"""Publishing: the repository index, the published pages, the preview and the site build.

:mod:`.index` is the one writer of ``reports/index.json`` (every study and
insight); :mod:`.pages` writes ``studies/`` (published notebook copies,
listings, navigation), showing each cell as :mod:`.cells` says (kit calls
without code, HTML outputs Quarto cannot mistake for widgets, plotly.js once
per site); :mod:`.playbook` is the team agreement from every
RACI; :mod:`.preview` is the static site when Quarto is absent; :mod:`.build`
is ``kit site``.

May import: the core and :mod:`kit.study`; it reads the stages' JSON outputs.
"""
from __future__ import annotations

from kit.site.index import build_index, refresh_index

__all__ = ["build_index", "build_site", "refresh_index"]


def __getattr__(name: str):
    # build_site is loaded on first use: it brings nbformat and nbconvert (seconds
    # to import), which `kit run` (it only refreshes the index) never needs.
    if name == "build_site":
        from kit.site.build import build_site

        return build_site
    raise AttributeError(f"module 'kit.site' has no attribute {name!r}")
