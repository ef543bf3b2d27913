"""The study-folder contract: what a study folder holds and how it is read.

``study.yml`` (:mod:`.study_file`) and ``insights.yml`` (:mod:`.insights_file`)
with their pydantic schemas and loaders (an empty YAML key is an empty list:
:mod:`.yaml_types`); an insight's lifecycle (status,
review dates: :mod:`.lifecycle`) and its ``superseded_by`` checks, in a study
and across studies (:mod:`.supersession`); the RACI vocabulary (:mod:`.raci`)
and the method table (:mod:`.methods`) that study.yml is validated against;
the data-file validation (:mod:`.tables`) over the file reader
(:mod:`.table_reader`: encoding and delimiter from :mod:`.encoding`, blank
and repeated columns; survey tools' exports as ``sus.csv``:
:mod:`.survey_exports`), the number and date columns (:mod:`.typed_columns`)
and the cell rules for numbers and dates (:mod:`.cells`); the transcript reader (:mod:`.transcripts`) over the export
formats (:mod:`.transcript_formats`) and speaker labels (:mod:`.speaker_labels`,
``data/speakers.csv``); the participant panel's ``panel/people.csv``
(:mod:`.panel_people`), which every study's consent depends on. Every reader
reports ``file:line`` or ``file: key``.

May import: the core. Everything else imports this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.exports import lazy_exports

_EXPORTS = {
    "InsightsFile": "kit.study.insights_file",
    "load_insights": "kit.study.insights_file",
    "Study": "kit.study.study_file",
    "load_study": "kit.study.study_file",
    "parameters_from": "kit.study.study_file",
}
__all__ = sorted(_EXPORTS)

# Type checkers and editors see the real objects; at run time each loads on first use.
if TYPE_CHECKING:
    from kit.study.insights_file import InsightsFile as InsightsFile
    from kit.study.insights_file import load_insights as load_insights
    from kit.study.study_file import Study as Study
    from kit.study.study_file import load_study as load_study
    from kit.study.study_file import parameters_from as parameters_from
else:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
