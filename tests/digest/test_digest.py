"""kit digest: what changed in the insights between two commits of a real git repository."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kit.cli import cli
from kit.digest.changes import digest, digest_markdown
from kit.digest.history import WORKING_TREE, insights_at
from kit.errors import InsightError, UsageError

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")


def _git(repo: Path, *args: str) -> str:
    env_args = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *env_args, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _commit(repo: Path, message: str, date: str = "2026-11-20T10:00:00") -> str:
    _git(repo, "add", "-A")
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", message],
        cwd=repo,
        check=True,
        env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin", "HOME": str(repo)},
    )
    return _git(repo, "rev-parse", "HEAD").strip()


def _edit(repo: Path, slug: str, change) -> None:
    path = repo / "notebooks" / slug / "insights.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the two demo studies, one commit."""
    repo = tmp_path / "repo"
    for slug in ("demo-checkout", "quick-onboarding"):
        shutil.copytree(ROOT / "notebooks" / slug, repo / "notebooks" / slug)
    _git(repo, "init", "-q")
    _commit(repo, "the demo", "2026-11-01T10:00:00")
    return repo


# A day before any of the demo's review dates (its demo-checkout/I6 is due on 2026-12-01), so that
# the digests below list only what the commits changed, whatever day the tests run on.
BEFORE_REVIEWS = dt.date(2026, 11, 25)

NEW_INSIGHT = {
    "id": "I7",
    "statement": "Customers expect free delivery above a threshold and look for it in the basket.",
    "answers": ["RQ2"],
    "evidence": ["N003"],
    "tags": ["shipping-cost"],
}


def test_one_added_insight_is_all_the_digest_lists(repo: Path):
    _edit(repo, "demo-checkout", lambda d: d["insights"].append(dict(NEW_INSIGHT)))
    second = _commit(repo, "one insight more")

    result = digest(repo, "HEAD~1", second, on=BEFORE_REVIEWS)

    assert [(e["study"], e["id"]) for e in result["new_insights"]] == [("demo-checkout", "I7")]
    assert result["new_insights"][0]["statement"] == NEW_INSIGHT["statement"]
    for key in ("changed_insights", "superseded", "archived", "removed", "recommendations", "reviews_due"):
        assert result[key] == [], key
    md = digest_markdown(result)
    assert "### New insights (1)" in md and "**demo-checkout/I7**" in md
    assert md.count("\n- ") == 1  # one item, nothing unchanged


def test_working_tree_is_the_default_other_side(repo: Path):
    _edit(repo, "demo-checkout", lambda d: d["insights"].append(dict(NEW_INSIGHT)))
    result = digest(repo, "HEAD")  # not committed yet
    assert [e["id"] for e in result["new_insights"]] == ["I7"]


def test_changes_supersession_decisions_and_reviews(repo: Path):
    def change(d):
        i1, i2, i3, i5 = (next(i for i in d["insights"] if i["id"] == n) for n in ("I1", "I2", "I3", "I5"))
        i1["statement"] = "Delivery charges shown late make customers stop at the Pay button."
        i2["evidence"] = i2["evidence"][:-1]
        i3.update(status="superseded", superseded_by="quick-onboarding/I1")
        i5.update(status="archived")
        i1["recommendations"][1].update(status="accepted", decided_by="Dana Whitfield (PM)", decided_on="2026-11-25")
        i1["review_by"] = "2026-11-30"
        del d["insights"][-1]  # I6 removed

    _edit(repo, "demo-checkout", change)
    result = digest(repo, "HEAD", on=__import__("datetime").date(2026, 12, 1))

    assert [(e["id"], e["changes"]) for e in result["changed_insights"]] == [
        ("I1", ["statement"]),
        ("I2", ["evidence"]),
    ]
    assert result["changed_insights"][0]["old_statement"].startswith("Customers who first see the delivery charge")
    assert [(e["id"], e["superseded_by"]) for e in result["superseded"]] == [("I3", "quick-onboarding/I1")]
    assert [e["id"] for e in result["archived"]] == ["I5"]
    assert [e["id"] for e in result["removed"]] == ["I6"]
    (rec,) = result["recommendations"]
    assert (rec["insight"], rec["id"], rec["old_status"], rec["status"]) == ("I1", "R2", "proposed", "accepted")
    assert rec["decided_by"] == "Dana Whitfield (PM)" and rec["decided_on"] == "2026-11-25"
    assert [(e["id"], e["review_by"]) for e in result["reviews_due"]] == [("I1", "2026-11-30")]
    md = digest_markdown(result)
    assert "(proposed → accepted, decided by Dana Whitfield (PM) on 2026-11-25)" in md
    assert "review due since 2026-11-30" in md and "replaced by quick-onboarding/I1" in md
    assert result["new_insights"] == []


def test_a_date_means_the_last_commit_before_that_day(repo: Path):
    _edit(repo, "quick-onboarding", lambda d: d["insights"].append({**NEW_INSIGHT, "tags": ["invite"]}))
    _commit(repo, "later", "2026-11-20T10:00:00")
    result = digest(repo, "2026-11-10", on=BEFORE_REVIEWS)
    assert [(e["study"], e["id"]) for e in result["new_insights"]] == [("quick-onboarding", "I7")]
    before_everything = digest(repo, "2026-01-01")
    in_demo = sum(len(yaml.safe_load(p.read_text("utf-8"))["insights"]) for p in repo.glob("notebooks/*/insights.yml"))
    assert len(before_everything["new_insights"]) == in_demo and before_everything["since"]["commit"] is None


def test_no_change_says_so(repo: Path):
    result = digest(repo, "HEAD", on=BEFORE_REVIEWS)
    assert "No change to any study's insights" in digest_markdown(result)


def test_a_revision_that_is_an_option_or_unknown_is_refused(repo: Path):
    for ref in ("--output=/tmp/x", "no-such-branch", "2026-02-31"):
        with pytest.raises(UsageError, match="--since"):
            digest(repo, ref)


def test_an_old_version_that_is_not_yaml_names_the_revision_and_line(repo: Path):
    path = repo / "notebooks" / "demo-checkout" / "insights.yml"
    path.write_text("insights:\n  - id: I1\n    statement: [unclosed\n", encoding="utf-8")
    _commit(repo, "broken")
    path.write_text((ROOT / "notebooks" / "demo-checkout" / "insights.yml").read_text("utf-8"), encoding="utf-8")
    with pytest.raises(InsightError, match=r"HEAD:notebooks/demo-checkout/insights.yml:\d+"):
        digest(repo, "HEAD")


def test_keys_left_empty_in_the_working_tree_read_as_no_items(repo: Path):
    (repo / "notebooks" / "quick-onboarding" / "insights.yml").write_text("insights:\n", encoding="utf-8")
    (repo / "notebooks" / "demo-checkout" / "insights.yml").write_text(
        "insights:\n  - id: I1\n    statement: Delivery cost surprises people at the last step.\n"
        "    tags:\n    evidence:\n    counter_evidence:\n    recommendations:\n",
        encoding="utf-8",
    )
    views = insights_at(repo, WORKING_TREE)
    assert views["quick-onboarding"].insights == []
    (insight,) = views["demo-checkout"].insights
    assert (insight.tags, insight.evidence, insight.counter_evidence, insight.recommendations) == ([], [], [], [])


def test_cli_markdown_and_json(repo: Path):
    _edit(repo, "demo-checkout", lambda d: d["insights"].append(dict(NEW_INSIGHT)))
    _commit(repo, "one more")
    runner = CliRunner()
    md = runner.invoke(cli, ["digest", "--since", "HEAD~1"], env={"KIT_REPO": str(repo)})
    assert md.exit_code == 0 and md.output.startswith("## Research digest: what changed since HEAD~1")
    js = runner.invoke(cli, ["digest", "--since", "HEAD~1", "--format", "json"], env={"KIT_REPO": str(repo)})
    assert js.exit_code == 0 and [e["id"] for e in json.loads(js.output)["new_insights"]] == ["I7"]
    bad = runner.invoke(cli, ["digest", "--since", "nope"], env={"KIT_REPO": str(repo)})
    assert bad.exit_code == 2 and "not a git revision" in bad.output


def test_statements_are_redacted_with_the_roster(repo: Path):
    name = (repo / "notebooks" / "demo-checkout" / "data" / "participants.csv").read_text("utf-8").splitlines()[1]
    full_name = name.split(",")[1]
    _edit(repo, "demo-checkout", lambda d: d["insights"].append({**NEW_INSIGHT, "statement": f"{full_name} said so"}))
    result = digest(repo, "HEAD")
    assert full_name not in json.dumps(result)
