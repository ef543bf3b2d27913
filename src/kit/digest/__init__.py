"""``kit digest --since REF``: what changed in the repository's insights since a git revision or a date.

:mod:`.history` reads every study's ``insights.yml`` as it was at a revision
(``git show REV:path``, the arguments as a list, the paths built inside the
repository from study slugs) and as it is now; :mod:`.changes` compares the two
(new insights, changed statements or evidence, newly superseded or archived
insights, recommendations whose status changed and who decided, reviews due)
and writes Markdown ready to paste, or JSON for CI. The kit sends nothing.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs`
and :mod:`kit.panel`; never a stage (it reads their published JSON).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "digest": "kit.digest.changes",
    "digest_markdown": "kit.digest.changes",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.digest.changes import digest as digest
    from kit.digest.changes import digest_markdown as digest_markdown
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
