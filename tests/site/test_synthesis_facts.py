"""kit.site.synthesis_facts: each study's synthesis.json parsed once, and again only when it changed."""

from __future__ import annotations

import json

import pytest

from kit.iorw import atomic_write_json
from kit.site import synthesis_facts as sf
from kit.site.build import prepare
from kit.site.codebook_page import codebook_data
from kit.site.playbook import playbook_data
from site_fixture import seed_site_repo


def test_a_lenient_file_gives_tag_sets_and_agreement_but_no_observers():
    raw = json.dumps(
        {
            "notes": [
                {"id": "N1", "tags": ["b", "a"]},
                {"id": "N2", "tags": ["a", "b", "a"]},
                {"id": "N3"},
                "not a note",
                {"id": "N4", "tags": "oops"},
            ],
            "agreement": {"overall": {"alpha": 0.5}},
        }
    ).encode()
    facts = sf.facts_of(raw)
    # N1 and N2 carry the same set; N3 has none; a non-note and a non-list of tags are skipped
    assert facts.tag_sets == [([], 1), (["a", "b"], 2)]
    assert facts.agreement == {"overall": {"alpha": 0.5}} and facts.observers is None


def test_a_half_written_file_gives_nothing():
    assert sf.facts_of(b'{"notes": [{"id": "N1", "ta') is None
    assert sf.facts_of(b"[1, 2]") is None


def test_a_file_of_the_kits_shape_gives_its_observers(tmp_path):
    repo = seed_site_repo(tmp_path / "repo")
    facts, _ = sf.read_synthesis_facts(repo, ["alpha", "beta", "gone"])
    assert set(facts) <= {"alpha", "beta"} and facts["alpha"].observers["sessions"] == 5


def test_unchanged_files_are_not_parsed_again_and_a_changed_one_is(tmp_path, monkeypatch):
    repo = seed_site_repo(tmp_path / "repo")
    prepare(repo)
    assert (repo / "studies" / sf.FACTS_RECORD).is_file()
    before = playbook_data(repo, ["alpha", "beta"])
    parsed: list[bytes] = []
    real = sf.facts_of
    monkeypatch.setattr(sf, "facts_of", lambda raw: parsed.append(raw) or real(raw))
    facts, _ = sf.read_synthesis_facts(repo, ["alpha", "beta"])
    assert parsed == [] and facts["alpha"].observers["sessions"] == 5
    path = repo / "reports" / "alpha" / "synthesis.json"
    data = json.loads(path.read_text())
    data["observers"]["sessions"] = 6
    atomic_write_json(path, data)
    facts, _ = sf.read_synthesis_facts(repo, ["alpha", "beta"])
    assert len(parsed) == 1 and facts["alpha"].observers["sessions"] == 6
    # without reuse (kit site --full) every file is parsed
    sf.read_synthesis_facts(repo, ["alpha", "beta"], reuse=False)
    assert len(parsed) == 1 + len(facts)
    assert before["observing"][0]["sessions"] == 5


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        json.dumps({"format": 999, "studies": {}}),
        json.dumps({"format": sf.RECORD_FORMAT, "code": "other", "studies": {}}),
    ],
)
def test_a_damaged_or_foreign_record_is_ignored(tmp_path, damage):
    repo = seed_site_repo(tmp_path / "repo")
    prepare(repo)
    (repo / "studies" / sf.FACTS_RECORD).write_text(damage)
    facts, record = sf.read_synthesis_facts(repo, ["alpha"])
    assert facts["alpha"].observers["sessions"] == 5 and record["code"] != "other"


def test_the_pages_read_the_same_from_the_record_as_from_the_files(tmp_path):
    repo = seed_site_repo(tmp_path / "repo")
    prepare(repo)
    facts, _ = sf.read_synthesis_facts(repo, ["alpha", "beta"])
    assert playbook_data(repo, ["alpha", "beta"], facts) == playbook_data(repo, ["alpha", "beta"])
    assert codebook_data(repo, ["alpha", "beta"], facts) == codebook_data(repo, ["alpha", "beta"])
