"""A research repository of the team's own: ``kit init`` creates one, ``kit upgrade`` brings it the kit's changes.

The files a repository receives come from one table, ``data/repository.yml``,
and the files under ``data/repository/`` (:mod:`.kit_files`); this
repository, the kit's development home, holds the same ones (a test checks).
:mod:`.create` is ``kit init``; :mod:`.record` reads and writes ``.kit/`` (the
kit version and each kit file's digest and base copy); :mod:`.upgrade` is
``kit upgrade``, with :mod:`.merge`'s three-way merge for a file both the team
and the kit changed. A team's repository depends on the kit as a package
pinned in its ``requirements.txt`` (it vendors no ``src/kit/``).

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs`, :mod:`kit.panel`,
:mod:`kit.plan`, :mod:`kit.synthesis`, :mod:`kit.insights` (the layers below it; it uses only the core's
errors, iorw, layout and lock); nothing but the CLI imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "init_repository": "kit.repository.create",
    "plan_upgrade": "kit.repository.upgrade",
    "apply_upgrade": "kit.repository.upgrade",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.repository.create import init_repository as init_repository
    from kit.repository.upgrade import apply_upgrade as apply_upgrade
    from kit.repository.upgrade import plan_upgrade as plan_upgrade
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
