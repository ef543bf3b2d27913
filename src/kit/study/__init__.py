"""The study-folder contract: what a study folder holds and how it is read.

``study.yml`` (:mod:`.study_file`) and ``insights.yml`` (:mod:`.insights_file`)
with their pydantic schemas and loaders; the RACI vocabulary (:mod:`.raci`)
and the method table (:mod:`.methods`) that study.yml is validated against;
the data-file validation (:mod:`.tables`) over the file reader
(:mod:`.table_reader`: encoding and delimiter from :mod:`.encoding`, blank
and repeated columns) and the cell rules for numbers and dates
(:mod:`.cells`); the transcript reader (:mod:`.transcripts`) over the export
formats (:mod:`.transcript_formats`) and speaker labels (:mod:`.speaker_labels`,
``data/speakers.csv``); the participant panel's ``panel/people.csv``
(:mod:`.panel_people`), which every study's consent depends on. Every reader
reports ``file:line`` or ``file: key``.

May import: the core (errors, iorw, layout). Everything else imports this.
"""
from __future__ import annotations

from kit.study.insights_file import InsightsFile, load_insights
from kit.study.study_file import Study, load_study, parameters_from

__all__ = ["InsightsFile", "Study", "load_insights", "load_study", "parameters_from"]
