"""Round-trip YAML: a form save changes values and keeps everything else of the file."""

from __future__ import annotations

import yaml

from kit.forms import yaml_rt

FILE = """\
# Plan of the study (top comment)
title: Old title   # inline comment
segments:
- First-time buyer
- Returning buyer
decision: >-
  Ship it, or keep the three-step flow and
  fix its known problems first.
start_date: '2026-10-05'
raci:
  planning: {UXR: A, PM: R}
"""


def test_unchanged_data_reproduces_the_file_byte_for_byte():
    data = yaml.safe_load(FILE)
    assert yaml_rt.updated_text(FILE, data) == FILE


def test_changed_value_keeps_comments_indentation_and_flow_style():
    data = yaml.safe_load(FILE)
    data["title"] = "New title"
    data["segments"].append("Mobile buyer")
    data["raci"]["planning"]["Design"] = "C"
    out = yaml_rt.updated_text(FILE, data)
    assert out.startswith("# Plan of the study (top comment)\n")
    assert "title: New title   # inline comment" in out
    assert "- Mobile buyer\n" in out  # this file's "key:\n- item" indentation, not the kit's
    assert "planning: {UXR: A, PM: R, Design: C}" in out
    assert "start_date: '2026-10-05'" in out
    assert yaml.safe_load(out) == data


def test_long_text_stays_folded_and_readable():
    data = yaml.safe_load(FILE)
    data["decision"] = " ".join(["Ship the one-page checkout to all web customers"] * 4)
    out = yaml_rt.updated_text(FILE, data)
    assert "decision: >-\n" in out
    assert max(len(line) for line in out.splitlines()) <= yaml_rt.FOLD_WIDTH + 4
    assert yaml.safe_load(out)["decision"] == data["decision"]


def test_cleared_keys_are_removed_and_empty_defaults_not_added():
    data = yaml.safe_load(FILE)
    del data["start_date"]
    data["hypotheses"] = []
    data["weeks_available"] = None
    out = yaml_rt.updated_text(FILE, data)
    parsed = yaml.safe_load(out)
    assert "start_date" not in parsed and "hypotheses" not in parsed and "weeks_available" not in parsed


def test_a_date_string_stays_a_string_for_papermill():
    data = yaml.safe_load(FILE)
    data["start_date"] = "2026-10-06"
    data["deadline"] = "2026-11-20"  # a new key
    parsed = yaml.safe_load(yaml_rt.updated_text(FILE, data))
    assert parsed["start_date"] == "2026-10-06" and parsed["deadline"] == "2026-11-20"


def test_content_hash(tmp_path):
    path = tmp_path / "study.yml"
    assert yaml_rt.content_hash(path) is None
    path.write_text("a: 1\n")
    first = yaml_rt.content_hash(path)
    path.write_text("a: 2\n")
    assert yaml_rt.content_hash(path) != first


SKELETON = """\
title: "A study"
deadline: "2027-01-03"     # or remove it and give weeks_available
weeks_available: null
method: null               # see the method table
observers: []              # PMs should sit in on sessions
raci: {}                   # activity: {PM: A, UXR: R}
"""


def test_empty_values_the_author_wrote_stay_as_written():
    # The form omits defaults (None, "", []): that must not rewrite `null` or drop comments.
    data = {"title": "A study", "deadline": "2027-01-03"}
    assert yaml_rt.updated_text(SKELETON, data) == SKELETON


def test_filled_in_skeleton_keeps_comments_and_order():
    data = {
        "title": "A study",
        "weeks_available": 4,
        "method": "interviews",
        "observers": [{"name": "Dana", "role": "PM"}],
        "raci": {"planning": {"PM": "A", "UXR": "R"}},
    }
    out = yaml_rt.updated_text(SKELETON, data)
    assert "deadline" not in out  # cleared in the form
    assert "method: interviews         # see the method table" in out
    assert "  - {name: Dana, role: PM}" in out
    assert "  planning: {PM: A, UXR: R}" in out
    assert "weeks_available: 4\n" in out
    assert yaml.safe_load(out) == data


def test_a_new_key_goes_after_its_predecessor_not_at_the_end():
    out = yaml_rt.updated_text(
        "title: A\nstatus: draft\nsegments: [x]\n",
        {"title": "A", "status": "draft", "product_area": "Checkout", "segments": ["x"]},
    )
    assert out == "title: A\nstatus: draft\nproduct_area: Checkout\nsegments: [x]\n"
