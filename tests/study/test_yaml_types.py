"""kit.study.yaml_types: a YAML key left empty is an empty list; the forms and JSON schemas see a plain list."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, Field, ValidationError

from kit.forms.editors import field_spec
from kit.study.insights_file import load_insights
from kit.study.yaml_types import NullAsEmptyList


class Tagged(BaseModel):
    tags: NullAsEmptyList[str] = Field(default_factory=list)


class Plain(BaseModel):
    tags: list[str] = Field(default_factory=list)


def test_an_empty_key_reads_as_an_empty_list_and_a_list_as_itself() -> None:
    assert Tagged.model_validate(yaml.safe_load("tags:\n")).tags == []
    assert Tagged.model_validate(yaml.safe_load("tags: [checkout, shipping-cost]\n")).tags == [
        "checkout",
        "shipping-cost",
    ]


def test_anything_else_that_is_not_a_list_is_still_refused_as_one() -> None:
    with pytest.raises(ValidationError) as caught:
        Tagged.model_validate(yaml.safe_load("tags: checkout\n"))
    assert [e["type"] for e in caught.value.errors()] == ["list_type"]


def test_schema_and_form_see_the_plain_list() -> None:
    # kit.forms builds widgets from the field's annotation; the JSON schema is published to editors.
    assert Tagged.model_fields["tags"].annotation == list[str]
    assert Tagged.model_json_schema()["properties"] == Plain.model_json_schema()["properties"]
    assert field_spec(Tagged, "tags") == field_spec(Plain, "tags")


def test_insights_yml_with_its_lists_left_empty_loads_as_no_insights(tmp_path: Path) -> None:
    # What `kit new` writes before anything is found: the examples commented out under each key.
    (tmp_path / "insights.yml").write_text(
        "insights:\n  # - id: I1\n  #   statement: ...\nopen_questions:\n  # - RQ2\n", encoding="utf-8"
    )
    spec = load_insights(tmp_path)
    assert (spec.insights, spec.open_questions) == ([], [])
