"""A purge killed after any of its writes is completed by running it again (issue 26, points 2 and 4).

The real ``kit purge`` runs as a subprocess on a tiny study with a built
preview site; ``KIT_TEST_CRASH_AFTER_WRITES=N`` (:func:`kit.iorw.crash_point`)
SIGKILLs it right after its Nth write or deletion: the journal, each edited
file, the deleted transcript, the purge log, the runner's writes during the
re-run, the site build and the journal's removal. For every N until the purge
finishes unkilled, the purge is run again and the end state must equal that
of an uninterrupted purge: the same data files and log, the same synthesis
and insights, the same site pages, built with the engine the site was last
built with (a preview, although Quarto may be on PATH), and no word of the
withdrawn person anywhere. Meanwhile `kit run` is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit.site.build import PROJECT_FILES
from panel_fixture import ROOT, person, write_csv, write_panel, write_study

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]  # every write of a purge is a crash point
DAY = "2026-06-01"
HIM = ("Tomasz", "Wójcik", "Wojcik", "t.w@mail.example", "trust pages that hide")
NOTES = [
    ["N1", "S1", "R-1", "Pay", "I never trust pages that hide the delivery cost until the end", "", "quote"],
    ["N2", "S1", "R-1", "Pay", "Looked for the delivery date before paying", "", ""],
    ["N3", "S2", "R-2", "Pay", "Said Wójcik had told him the delivery cost was hidden", "", ""],
    ["N4", "S2", "R-2", "Pay", "Could not find the saved card on the small screen", "", ""],
    ["N5", "S3", "R-3", "Pay", "Scrolled past express pay to reach the saved card", "", ""],
    ["N6", "S3", "R-3", "Pay", "Checked the delivery date twice before paying", "", ""],
    ["N7", "S2", "R-2", "Pay", "The saved card field was hidden below the buttons", "", ""],
    ["N8", "S1", "R-1", "Pay", "Wanted the delivery cost on the product page", "", ""],
]
INSIGHTS = """insights:
  - id: I1
    statement: Saved cards are hard to find on small screens.
    answers: [RQ3]
    evidence: [T2, N4, N5]
open_questions: [RQ1, RQ2]
"""


def kit(repo: Path, *args: str, crash_after: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIT_REPO": str(repo), "PYTHONPATH": str(ROOT / "src")}
    if crash_after:
        env["KIT_TEST_CRASH_AFTER_WRITES"] = str(crash_after)
    return subprocess.run(
        [sys.executable, "-m", "kit.cli", *args], env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three participants, one of them withdrawn in the panel; run, and its site built as a preview."""
    repo = tmp_path_factory.mktemp("purge-resume") / "repo"
    shutil.copytree(ROOT / "templates", repo / "templates")
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, repo / name)
    write_panel(repo, [person("PN-1", "Tomasz Wójcik", withdrawn="2026-05-01"), person("PN-2", "Tom Berg")])
    study = write_study(
        repo,
        "tiny",
        [
            ["R-1", "Tomasz Wójcik", "t.w@mail.example", "First-time buyer", "yes", "yes", "PN-1"],
            ["R-2", "Tom Berg", "tom@mail.example", "First-time buyer", "yes", "yes", "PN-2"],
            ["R-3", "Ann Lee", "ann@mail.example", "Returning buyer", "yes", "yes", ""],
        ],
        [
            ["S1", "R-1", "2026-04-01", "Sam Okafor", "", "", ""],
            ["S2", "R-2", "2026-04-02", "Sam Okafor", "", "", ""],
            ["S3", "R-3", "2026-04-03", "Sam Okafor", "", "", ""],
        ],
        start_date="2026-03-02",
        deadline="2026-04-30",
    )
    write_csv(
        study / "data" / "notes.csv", ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"], NOTES
    )
    write_csv(
        study / "data" / "tasks.csv",
        ["participant_id", "task", "success", "time_s", "seq"],
        [["R-1", "Pay", "1", "60", "6"], ["R-2", "Pay", "0", "90", "3"], ["R-3", "Pay", "1", "50", "5"]],
    )
    (study / "data" / "transcripts").mkdir()
    (study / "data" / "transcripts" / "S1.txt").write_text(
        "Tomasz Wójcik: I would pay if I knew the delivery cost.\n", encoding="utf-8"
    )
    (study / "insights.yml").write_text(INSIGHTS, encoding="utf-8")
    assert kit(repo, "run", "--jobs", "1").returncode == 0
    assert kit(repo, "site", "--no-quarto").returncode == 0
    return repo


def state(repo: Path) -> dict[str, object]:
    """What a purge must leave: data, panel and log bytes, stage outputs, site pages, the site's engine."""
    files = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for folder in ("notebooks", "panel")
        for p in sorted((repo / folder).rglob("*"))
        if p.is_file() and p.name != "purged-names.json"  # its salt is random
    }
    hashes = json.loads((repo / "panel" / "purged-names.json").read_text("utf-8"))
    synthesis = json.loads((repo / "reports" / "tiny" / "synthesis.json").read_text("utf-8"))
    insights = json.loads((repo / "reports" / "tiny" / "insights.json").read_text("utf-8"))["insights"]
    pages = sorted(p.relative_to(repo).as_posix() for p in (repo / "_site").rglob("*.html"))
    engine = json.loads((repo / "_site" / ".kit-site.json").read_text("utf-8"))["engine"]
    return {
        "files": files,
        "hashes": len(hashes["hashes"]),
        "synthesis": synthesis,
        "insights": insights,
        "pages": pages,
        "engine": engine,
    }


def published(repo: Path) -> str:
    return "\n".join(
        p.read_text("utf-8", errors="replace")
        for folder in ("reports", "_site")
        for p in (repo / folder).rglob("*")
        if p.is_file() and p.suffix in (".json", ".html", ".ipynb", ".csv")
    )


def test_a_purge_killed_after_any_write_is_completed_by_running_it_again(built: Path, tmp_path: Path):
    reference = tmp_path / "reference"
    shutil.copytree(built, reference, symlinks=True)
    done = kit(reference, "purge", "--withdrawn", "--on", DAY, "--jobs", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    expected = state(reference)
    assert expected["engine"] == "preview"  # the engine the site was last built with (point 4)
    assert [t["id"] for t in expected["synthesis"]["themes"]][:2] == ["T1", "T2"]
    assert not any(word in published(reference) for word in HIM)
    assert "[withdrawn] had told him" in (reference / "notebooks/tiny/data/notes.csv").read_text("utf-8")

    n = 0
    while True:
        n += 1
        repo = tmp_path / f"crash-{n}"
        shutil.copytree(built, repo, symlinks=True)
        killed = kit(repo, "purge", "--withdrawn", "--on", DAY, "--jobs", "1", crash_after=n)
        if killed.returncode == 0:
            break  # the purge has fewer writes than n: every one was a crash point
        assert killed.returncode == -9, (n, killed.stdout, killed.stderr)
        if (repo / "panel" / ".purge-journal.json").exists():
            refused = kit(repo, "run")
            assert refused.returncode == 2 and "interrupted" in refused.stderr, n
        again = kit(repo, "purge", "--withdrawn", "--on", DAY, "--jobs", "1")
        assert again.returncode == 0, (n, again.stdout, again.stderr)
        assert not (repo / "panel" / ".purge-journal.json").exists(), n
        assert state(repo) == expected, n
        assert not any(word in published(repo) for word in HIM), n
        log = (repo / "panel" / "purge-log.csv").read_text("utf-8")
        assert log.count(f"{DAY},withdrawn,PN-1,tiny") == 1, n
        shutil.rmtree(repo)
    assert n > 10, n  # journal, edits, log, run and site writes were all crash points
    check = kit(reference, "check", "--privacy")
    assert check.returncode == 0, check.stdout
