"""The kinds of stage input the kit knows, one provider each, registered in :data:`INPUT_PROVIDERS`.

Every stage reads the kit itself and its notebook; the rest is in its row of
``src/kit/data/stages.yml``: ``reads`` (files of the study folder), ``env``,
``after`` (the stage it follows and that stage's outputs) and ``panel``
(``consent``, ``supply`` or a file of ``panel/``). The panel's providers call
one public function of :mod:`kit.panel.study_inputs` each; what the panel
derives, and how, stays the panel's business.

A new kind of input is one more provider (a ``name`` and a ``stamp``) and one
``INPUT_PROVIDERS.register(...)``: the manifest asks the registry, not the kinds.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from kit.layout import INSIGHTS_FILE, METRICS_DIR, PANEL_DIR, REPORTS_DIR
from kit.panel.study_inputs import panel_input_file, study_consent, study_supply
from kit.run.digests import MISSING, digest_of, file_digest, kit_fingerprint, notebook_digest, study_files
from kit.run.inputs import InputRegistry, StageContext, stage_specs
from kit.study.insights_file import cited_metric_ids
from kit.study.metric_series import metric_path


class KitInput:
    """The kit itself (version, code, rule tables, dependencies): a change re-runs every stage."""

    name = "kit"

    def stamp(self, context: StageContext) -> dict[str, str]:
        return {"kit": kit_fingerprint()}


class NotebookInput:
    """The cells of the stage's notebook (the study's copy, else the template)."""

    name = "notebook"

    def stamp(self, context: StageContext) -> dict[str, str]:
        return {"notebook": notebook_digest(context.notebook)}


class StudyFilesInput:
    """``reads``: files of the study folder by glob, labelled by their path relative to it."""

    name = "reads"

    def stamp(self, context: StageContext) -> dict[str, str]:
        study_dir = context.study_dir
        return {
            path.relative_to(study_dir).as_posix(): context.study.file_digest(path)
            for path in study_files(study_dir, context.spec.reads)
        }


class EnvInput:
    """``env``: environment variables whose value changes what the stage computes."""

    name = "env"

    def stamp(self, context: StageContext) -> dict[str, str]:
        return {f"env:{name}": digest_of(os.environ.get(name, "")) for name in context.spec.env}


class UpstreamInput:
    """``after``: the key of the stage it follows in this run and that stage's outputs.

    A change that re-runs the earlier stage re-runs this one; so does an
    output of it edited or regenerated differently.
    """

    name = "after"

    def stamp(self, context: StageContext) -> dict[str, str]:
        after = context.spec.after
        if after is None:
            return {}
        stamps = {f"stage:{after}": context.upstream_key or MISSING}
        for name in stage_specs()[after].writes:
            stamps[f"{REPORTS_DIR}/{name}"] = file_digest(context.study.out_dir / name)
        return stamps


class MetricSeriesInput:
    """A stage that reads insights.yml also reads the metric series its recommendations cite.

    ``metrics/<metric_id>.csv`` lives at the repository root and is shared:
    each study is stamped only with the series it cites, so a changed series
    re-runs the insights stage of the studies judged by it, no other.
    """

    name = "metric series"

    def stamp(self, context: StageContext) -> dict[str, str]:
        if INSIGHTS_FILE not in context.spec.reads:
            return {}
        cited = context.study.once(self.name, lambda: cited_metric_ids(context.study_dir))
        stamps = {}
        for metric_id in cited:
            path = metric_path(context.repo_root, metric_id)
            label = f"{METRICS_DIR}/{path.name if path else metric_id + '.csv'}"
            stamps[label] = MISSING if path is None else context.study.file_digest(path)
        return stamps


class PanelConsentInput:
    """``panel: [consent]``: the panel's consent restrictions of this study's people.

    A withdrawal, or a ``no`` in another study, re-runs only the studies of
    that person. Read once per study (02 and 03 both ask).
    """

    entry = "consent"
    name = f"panel:{entry}"

    def stamp(self, context: StageContext) -> dict[str, str]:
        if self.entry not in context.spec.panel:
            return {}
        restrictions = context.study.once(self.name, lambda: study_consent(context.repo_root, context.study_dir))
        return {self.name: digest_of(restrictions)}


class PanelSupplyInput:
    """``panel: [supply]``: the plan's panel check itself (counts per segment on the start date).

    A session added in another study re-runs this plan only when it changes them.
    """

    entry = "supply"
    name = f"panel:{entry}"

    def stamp(self, context: StageContext) -> dict[str, str]:
        if self.entry not in context.spec.panel:
            return {}
        return {self.name: digest_of(study_supply(context.repo_root, context.study_dir))}


class PanelFilesInput:
    """``panel: [<file>]``: a file of ``panel/`` read whole (an entry no ``panel:<entry>`` provider derives)."""

    name = "panel files"

    def __init__(self, derived: Callable[[str], bool]) -> None:
        self.derived = derived

    def stamp(self, context: StageContext) -> dict[str, str]:
        return {
            f"{PANEL_DIR}/{entry}": context.study.file_digest(panel_input_file(context.repo_root, entry))
            for entry in context.spec.panel
            if not self.derived(entry)
        }


INPUT_PROVIDERS = InputRegistry()
"""Every kind of stage input, by name; the manifest's key is the digest of all their stamps."""

for _provider in (
    KitInput(),
    NotebookInput(),
    StudyFilesInput(),
    EnvInput(),
    PanelFilesInput(lambda entry: f"panel:{entry}" in INPUT_PROVIDERS),
    PanelConsentInput(),
    PanelSupplyInput(),
    MetricSeriesInput(),
    UpstreamInput(),
):
    INPUT_PROVIDERS.register(_provider)
