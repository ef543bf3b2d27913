"""Publishing: the repository index, the published pages, the preview and the site build.

:mod:`.index` is the one writer of ``reports/index.json`` (every study and
insight); :mod:`.pages` writes ``studies/`` (published notebook copies,
listings, navigation); :mod:`.published` makes each copy, showing each cell as
:mod:`.cells` says (kit calls without code, HTML outputs Quarto cannot mistake
for widgets, plotly.js once per site); :mod:`.playbook` is the team agreement from every
RACI; :mod:`.impact` is the Impact page (from insight to decision to
outcome); :mod:`.topics` the topic pages ("what we know about ...") and their
feeds; :mod:`.glossary` the Glossary page (every plain word the site uses, what
it means, the precise term behind it); :mod:`.preview` is the static site when Quarto is absent; :mod:`.build`
is ``kit site``; :mod:`.lifecycle_pages` shows the insights' lifecycle (due for
review, superseded), :mod:`.feed` writes the insights' RSS feed and
:mod:`.search_index` makes each insight card the one search hit for its words
(Quarto's ``search.json`` and the preview's index).

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs`
(the stages' JSON through its declared shapes) and :mod:`kit.panel` (the Panel
page); never a stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "build_index": "kit.site.index",
    "refresh_index": "kit.site.index",
    "build_site": "kit.site.build",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.site.build import build_site as build_site
    from kit.site.index import build_index as build_index
    from kit.site.index import refresh_index as refresh_index
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
