"""Stage 02-sessions: from notes, tasks, questionnaires and transcripts to ``synthesis.json``.

:mod:`.stage` validates the data files and computes the tag matrix, themes,
quotes, usability metrics with intervals (:mod:`.usability_metrics`),
observers and the problem matrix; :mod:`.report` shows them.

May import: the core, :mod:`kit.study`, :mod:`kit.privacy`. Used by the 02-sessions template.
"""
from __future__ import annotations

from kit.synthesis import coding_report, report
from kit.synthesis.stage import run_synthesis_stage, synthesise

__all__ = ["coding_report", "report", "run_synthesis_stage", "synthesise"]
