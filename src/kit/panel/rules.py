"""The panel's rules: ``panel/rules.yml`` over the kit's defaults (``data/panel_rules.yml``).

Keys: ``cooldown_days`` (days after a person's last attended session before
another invitation), ``max_sessions_per_12_months``, ``no_show_limit`` (no-shows
in the last 12 months at which a person is no longer invited),
``retention_months`` (raw data kept after a study's end) and
``consent_versions`` (the consent forms in force; empty = any). Unknown keys
and wrong types are reported as ``panel/rules.yml: key 'x': expected ...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from kit.errors import PanelError
from kit.layout import PANEL_DIR, PANEL_RULES_FILE, kit_data, panel_rules_path
from kit.study.study_file import problems_from_pydantic, read_yaml_mapping

SOURCE = f"{PANEL_DIR}/{PANEL_RULES_FILE}"


class PanelRules(BaseModel):
    """Contact limits, no-show rule, retention and consent versions in force."""

    model_config = ConfigDict(extra="forbid")

    cooldown_days: int = Field(ge=0)
    max_sessions_per_12_months: int = Field(ge=1)
    no_show_limit: int = Field(ge=1)
    retention_months: int = Field(ge=1)
    consent_versions: list[str] = Field(default_factory=list)

    @field_validator("consent_versions", mode="before")
    @classmethod
    def _versions_as_text(cls, v: object) -> object:
        # YAML reads `[2, 2.1]` as numbers; a version is a label.
        return [str(x) for x in v] if isinstance(v, list) else v

    def consent_in_force(self, version: str) -> bool:
        """Whether a person's consent_version is one in force (any, when none are listed)."""
        return not self.consent_versions or version.strip() in {str(v).strip() for v in self.consent_versions}


def default_rules() -> dict[str, Any]:
    """The kit's defaults (``data/panel_rules.yml``)."""
    rules: dict[str, Any] = yaml.safe_load(kit_data("panel_rules.yml"))  # the kit's own file: a mapping
    return rules


def load_rules(repo_root: str | Path) -> PanelRules:
    """``panel/rules.yml`` over the defaults; :class:`PanelError` names each bad key."""
    path = panel_rules_path(repo_root)
    data = default_rules()
    if path.is_file():
        data.update(read_yaml_mapping(path, PanelError, shown_as=SOURCE))
    try:
        return PanelRules.model_validate(data)
    except PydanticValidationError as err:
        raise PanelError(problems_from_pydantic(err, SOURCE)) from None
