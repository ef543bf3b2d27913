"""kit.panel.rules: panel/rules.yml over the kit's defaults, bad keys named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import PanelError
from kit.panel.rules import load_rules
from panel_fixture import write_panel


def test_rules_override_the_defaults_and_bad_keys_are_named(tmp_path: Path):
    assert load_rules(tmp_path).cooldown_days == 90  # defaults without a rules.yml
    write_panel(tmp_path, [], {"cooldown_days": 14, "consent_versions": [2, 2.1]})
    rules = load_rules(tmp_path)
    assert rules.cooldown_days == 14 and rules.max_sessions_per_12_months == 3
    assert rules.consent_in_force("2.1") and not rules.consent_in_force("1")
    write_panel(tmp_path, [], {"cooldown_days": "a month", "max_session": 3})
    with pytest.raises(PanelError) as err:
        load_rules(tmp_path)
    assert "panel/rules.yml: key 'cooldown_days': expected a whole number, got 'a month'" in str(err.value)
    assert "panel/rules.yml: key 'max_session': unknown key" in str(err.value)
