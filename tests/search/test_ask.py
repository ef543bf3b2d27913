"""kit ask: BM25 search over the demo's published insights, with the codebook's synonyms and stemming."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from demo_reports import seed_demo_reports
from kit.cli import cli
from kit.errors import KitError, UsageError
from kit.layout import ASK_INDEX_DIR
from kit.search.ask import META_FILE, ask, index_key
from kit.search.corpus import synonym_groups
from kit.search.text import expand_query, tokens
from kit.study.codebook import load_codebook


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_demo_reports(tmp_path_factory.mktemp("ask") / "repo")


def _ask_json(repo: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["ask", *args, "--json"], env={"KIT_REPO": str(repo)})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_postage_finds_the_delivery_charge_insight_first(demo: Path):
    hits = _ask_json(demo, "postage")
    first = hits[0]
    assert (first["study"], first["id"], first["kind"]) == ("demo-checkout", "I1", "insight")
    assert "delivery charge" in first["text"]
    assert {"study", "id", "kind", "text", "score"} <= set(first)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    # "postage" is in no statement: the codebook's synonym of shipping-cost carries it
    assert not any("postage" in h["text"].lower() for h in hits)


def test_recommendations_are_found_and_name_their_insight(demo: Path):
    hits = _ask_json(demo, "instalments", "--limit", "5")
    kinds = {(h["id"], h["kind"]) for h in hits}
    assert ("I6", "insight") in kinds and ("R8", "recommendation") in kinds
    rec = next(h for h in hits if h["kind"] == "recommendation")
    assert rec["insight"] == "I6" and rec["status"] == "proposed"


def test_stemming_matches_other_forms_of_a_word(demo: Path):
    # "phished" is in no text; "phishing" is (quick-onboarding I2): both stem to "phish"
    hits = _ask_json(demo, "phished invitations")
    assert (hits[0]["study"], hits[0]["id"]) == ("quick-onboarding", "I2")


def test_limit_and_nothing_found(demo: Path):
    assert len(_ask_json(demo, "payment", "--limit", "2")) == 2
    assert _ask_json(demo, "zeppelin") == []


def test_plain_output_names_study_id_confidence_and_status(demo: Path):
    result = CliRunner().invoke(cli, ["ask", "postage", "-n", "1"], env={"KIT_REPO": str(demo)})
    assert result.exit_code == 0
    head, statement = result.output.splitlines()
    assert head.startswith("demo-checkout  I1  insight  confidence ") and "confirmed" in head
    assert statement.strip().startswith("Customers who first see the delivery charge")


def test_a_query_of_stop_words_is_a_usage_error(demo: Path):
    with pytest.raises(UsageError, match="no word to search for"):
        ask(demo, "the of and")
    result = CliRunner().invoke(cli, ["ask", "?!"], env={"KIT_REPO": str(demo)})
    assert result.exit_code == 2 and "no word to search for" in result.output


def test_no_reports_is_a_clear_error(tmp_path: Path):
    with pytest.raises(KitError, match="run `kit run` first"):
        ask(tmp_path, "postage")


def test_the_index_is_cached_and_rebuilt_when_an_insight_changes(tmp_path: Path, demo: Path):
    repo = tmp_path / "repo"
    shutil.copytree(demo, repo)
    shutil.rmtree(repo / "reports" / ASK_INDEX_DIR, ignore_errors=True)
    ask(repo, "postage")
    meta = repo / "reports" / ASK_INDEX_DIR / META_FILE
    built = meta.stat().st_mtime_ns
    ask(repo, "address")  # unchanged insights: the saved index answers
    assert meta.stat().st_mtime_ns == built
    assert json.loads(meta.read_text("utf-8"))["key"] == index_key(repo)

    published = repo / "reports" / "quick-onboarding" / "insights.json"
    data = json.loads(published.read_text("utf-8"))
    data["insights"][0]["statement"] = "Postage stamps confuse admins who zeppelin the invite"
    published.write_text(json.dumps(data), encoding="utf-8")
    hits = ask(repo, "zeppelin")
    assert [(h.study, h.id) for h in hits] == [("quick-onboarding", "I1")]
    assert json.loads(meta.read_text("utf-8"))["key"] == index_key(repo)


def test_query_expansion_uses_every_name_of_a_code():
    book = load_codebook(Path(__file__).resolve().parents[2])
    groups = synonym_groups(book)
    assert groups["shipping-cost"] == ["delivery-charge", "delivery-cost", "postage", "shipping-cost"]
    assert "checkout-errors" in groups["error"]  # a retired code counts for the code it merged into
    expanded = expand_query(tokens("postage please"), groups)
    assert {"postag", "deliveri", "charg", "ship", "cost"} <= set(expanded)
    assert len(expanded) == len(set(expanded))
    assert expand_query(tokens("zeppelin"), groups) == ["zeppelin"]


def test_evidence_text_is_searched_but_only_as_published(demo: Path):
    # every document comes from reports/<slug>/insights.json: a roster name never indexes anything
    meta = json.loads((demo / "reports" / ASK_INDEX_DIR / META_FILE).read_text("utf-8"))
    roster = (demo / "notebooks" / "demo-checkout" / "data" / "participants.csv").read_text("utf-8")
    surname = roster.splitlines()[1].split(",")[1].split()[-1]
    assert _ask_json(demo, surname) == []
    assert all(d["href"].startswith("studies/") for d in meta["documents"])
