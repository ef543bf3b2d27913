"""REFI-QDA exchange: a study as a ``.qdpx`` project, codebooks and codings back in.

The REFI-QDA Project standard 1.0 (namespace ``urn:QDA-XML:project:1.0``,
www.qdasoftware.org) is what ATLAS.ti, NVivo, MAXQDA and QualCoder exchange:
a ``.qdpx`` zip holding ``project.qde`` (XML) and ``Sources/``; a ``.qdc``
file is a codebook alone (``urn:QDA-XML:codebook:1.0``).

:mod:`.export` writes a study as a project (pseudonymised unless asked
otherwise, :mod:`.publisher`; the XML by :mod:`.project_xml`); :mod:`.reader`
reads projects and codebooks from any tool;
:mod:`.importer` merges a codebook into ``codebook.yml`` and writes codings to
``data/coding/<coder>.csv``.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`, :mod:`kit.outputs` and
:mod:`kit.panel`; never a stage. Used by the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "export_qdpx": "kit.qda.export",
    "import_codebook": "kit.qda.importer",
    "import_codings": "kit.qda.importer",
    "read_project": "kit.qda.reader",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.qda.export import export_qdpx as export_qdpx
    from kit.qda.importer import import_codebook as import_codebook
    from kit.qda.importer import import_codings as import_codings
    from kit.qda.reader import read_project as read_project
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
