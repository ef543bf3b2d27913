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

from kit.exports import lazy_exports

_EXPORTS = {
    "build_index": "kit.site.index",
    "refresh_index": "kit.site.index",
    "build_site": "kit.site.build",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
