"""kit check --privacy: finds every planted item in leaky output, nothing in redacted output."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.privacy.inventory import study_secrets, transcript_utterances
from kit.privacy.leak_check import (
    Leak,
    check_privacy_command,
    decode_line,
    quote_words,
    scan_for_leaks,
)
from pii_study import PLANTED, SLUG, seed_pii_study, seed_xss_study, write_outputs


@pytest.fixture
def pii_repo(tmp_path: Path) -> Path:
    seed_pii_study(tmp_path)
    return tmp_path


def found(leaks: list[Leak]) -> set[tuple[str, str]]:
    return {(leak.kind, leak.item) for leak in leaks}


def test_unredacted_copy_reveals_every_planted_item(pii_repo):
    written = write_outputs(pii_repo, redact=False)
    leaks = scan_for_leaks(pii_repo)
    assert PLANTED - found(leaks) == set()
    # every kind of published file is read: ASCII-escaped JSON, a notebook, a page, a search index
    assert {leak.file for leak in leaks} == {p.relative_to(pii_repo).as_posix() for p in written}
    leak = next(hit for hit in leaks if hit.item == "Kwame Mensah" and hit.file.endswith(".html"))
    assert leak.line > 1 and "Kwame Mensah" in leak.context and leak.study == SLUG


def test_each_planted_item_is_found_in_each_file_kind(pii_repo):
    write_outputs(pii_repo, redact=False)
    leaks = scan_for_leaks(pii_repo)
    for suffix in (".json", ".ipynb", ".html"):
        kinds = {hit.kind for hit in leaks if hit.file.endswith(suffix)}
        assert {"name", "email", "phone", "quote", "card", "address"} <= kinds, suffix


def test_redacted_outputs_are_clean(pii_repo):
    write_outputs(pii_repo, redact=True)
    assert scan_for_leaks(pii_repo) == []
    assert check_privacy_command(pii_repo, [SLUG], echo=lambda m: None) == 0


@pytest.mark.slow
def test_seeded_study_built_by_the_real_stages_publishes_nothing_private(tmp_path):
    """Issue 6's done-when: the PII study (plus script payloads) goes through papermill and the site."""
    from kit.run.runner import run_studies
    from kit.site.build import build_site

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "templates", tmp_path / "templates")
    seed_xss_study(tmp_path, root, SLUG)
    results = run_studies(tmp_path, [SLUG], jobs=1, timeout=300)
    assert [str(r.failure) for r in results if not r.ok] == []
    build_site(tmp_path, use_quarto=False, echo=lambda message: None)
    published = [p for p in (tmp_path / "_site").rglob("*.html")]
    assert any(SLUG in p.as_posix() for p in published)  # the study's pages were built and scanned
    leaks = scan_for_leaks(tmp_path)
    assert leaks == [], "\n".join(map(str, leaks))
    assert check_privacy_command(tmp_path, [SLUG], echo=lambda m: None) == 0


def test_command_prints_file_line_and_context_and_fails(pii_repo):
    write_outputs(pii_repo, redact=False)
    out: list[str] = []
    assert check_privacy_command(pii_repo, None, echo=out.append) == 1
    assert any(line.startswith("_site/pii-study/02-sessions.html:") and "Maria Gonzalez" in line for line in out)
    assert "FAILED" in out[-1]


def test_cli_check_privacy(pii_repo, monkeypatch):
    monkeypatch.setenv("KIT_REPO", str(pii_repo))
    runner = CliRunner()
    assert runner.invoke(cli, ["check", "--privacy"]).exit_code == 0  # nothing published yet
    write_outputs(pii_repo, redact=False)
    result = runner.invoke(cli, ["check", "--privacy", SLUG])
    assert result.exit_code == 1 and "reports/pii-study/synthesis.json" in result.output
    assert runner.invoke(cli, ["check", "--privacy", "no-such-study"]).exit_code == 2
    assert runner.invoke(cli, ["check"]).exit_code == 2


def test_kit_build_fails_when_the_built_output_leaks(pii_repo, monkeypatch):
    import kit.cli.studies

    monkeypatch.setenv("KIT_REPO", str(pii_repo))
    monkeypatch.setattr(kit.cli.studies, "run_and_report", lambda *args, **kwargs: 0)  # the studies "ran"
    monkeypatch.setattr("kit.site.build.quarto_path", lambda: None)
    write_outputs(pii_repo, redact=True)
    clean = CliRunner().invoke(cli, ["build"])
    assert clean.exit_code == 0, clean.output
    assert "privacy check passed" in clean.output
    (pii_repo / "_site" / "previous.txt").write_text("the site that was published")
    write_outputs(pii_repo, redact=False)
    leaky = CliRunner().invoke(cli, ["build"])
    assert leaky.exit_code == 1
    assert "reports/pii-study/synthesis.json" in leaky.output and "privacy check FAILED" in leaky.output
    assert (pii_repo / "_site" / "previous.txt").is_file()  # the leaky site never replaced it
    assert not list(pii_repo.glob("_site.*"))  # and its staging folder is gone


def test_a_leak_in_the_staged_site_is_reported_under_site_and_keeps_the_old_one(pii_repo):
    from kit.errors import PrivacyLeakError
    from kit.privacy.leak_check import require_clean_site

    staged = pii_repo / "_site.abc123"
    staged.mkdir()
    (staged / "page.html").write_text("<p>Kwame Mensah</p>")
    out: list[str] = []
    with pytest.raises(PrivacyLeakError):
        require_clean_site(pii_repo, staged, echo=out.append)
    assert any(line.startswith("_site/page.html:1: name") for line in out)


def test_recording_links_are_leaks_only_without_consent(pii_repo):
    sessions = pii_repo / "notebooks" / SLUG / "data" / "sessions.csv"
    frame = pd.read_csv(sessions, dtype=str, keep_default_na=False)
    frame["recording"] = [f"https://rec.example.com/{s}?t=1" for s in frame["session_id"]]
    frame.to_csv(sessions, index=False)
    # S01 (R-3001) and S02 (R-3002) consented to recording links, S03 (R-3003) did not
    page(
        pii_repo, "<a href='https://rec.example.com/S01?t=1'>S01</a>\n<a href='https://rec.example.com/S03?t=1'>S03</a>"
    )
    assert found(scan_for_leaks(pii_repo)) == {("recording", "https://rec.example.com/S03?t=1")}


def test_unreadable_roster_fails_the_check(pii_repo):
    (pii_repo / "notebooks" / SLUG / "data" / "participants.csv").write_text(
        "participant_id,name\nR-1,A B\nR-1,C D\n", encoding="utf-8"
    )
    errors: list[str] = []
    assert check_privacy_command(pii_repo, None, echo=print, echo_err=errors.append) == 1
    assert "participants.csv:3" in errors[0]


# --- what counts as a hit --------------------------------------------------------------------


def page(repo: Path, body: str, name: str = "page.html") -> Path:
    path = repo / "_site" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def test_everyday_word_names_are_only_found_in_full(pii_repo):
    page(pii_repo, "<p>Walk in the park, Lee said</p>\n<p>LEE   PARK watched</p>")
    leaks = scan_for_leaks(pii_repo)
    assert found(leaks) == {("name", "Lee Park")} and leaks[0].line == 2


def test_names_match_as_words_in_any_case_and_without_accents(tmp_path):
    seed_pii_study(tmp_path)
    csv = tmp_path / "notebooks" / SLUG / "data" / "participants.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Priya Raghunathan", "Zoë Núñez"), encoding="utf-8")
    page(tmp_path, "maria and zoe nunez; Mariachi and Kwameh are not names")
    assert found(scan_for_leaks(tmp_path)) == {("name", "Maria"), ("name", "Zoë Núñez")}


def test_escaped_text_is_unescaped_before_matching():
    assert decode_line(r'"Kwame\u0027s \u003cb\u003e \"x\" a\nb"') == '"Kwame\'s <b> "x" a b"'
    assert decode_line("&amp;lt;script&amp;gt; Maria&#x27;s") == "<script> Maria's"
    assert decode_line("Maria%20Gonzalez") == "Maria Gonzalez"


def test_quotes_found_across_lines_escapes_and_tags(pii_repo):
    quote = "The total jumped at the very last step and nobody told me why it changed."
    escaped = html.escape(quote).replace(" last ", "\n<em>last</em> ")
    page(pii_repo, f"<blockquote>{escaped}</blockquote>")
    leaks = scan_for_leaks(pii_repo)
    assert found(leaks) == {("quote", "S02.txt utterance 1")} and leaks[0].line == 1


def test_eight_words_of_a_quote_are_a_hit_fewer_are_not(pii_repo):
    page(pii_repo, "they said: would never hand over my card details to a", "a.html")
    page(pii_repo, "never hand over my card details to", "b.html")  # 7 words
    assert [(hit.file, hit.item) for hit in scan_for_leaks(pii_repo)] == [("_site/a.html", "N003")]


def test_consented_and_staff_speech_are_not_unconsented_quotes(pii_repo):
    secrets = study_secrets(pii_repo / "notebooks" / SLUG)
    assert set(secrets.quotes) == {"N003", "N007", "S02.txt utterance 1", "S02.txt utterance 2"}
    assert quote_words("It's <b>fine</b>, &amp; OK") == ["it", "s", "fine", "ok"]


def test_transcript_speakers_are_read_from_vtt_and_txt(pii_repo):
    data = pii_repo / "notebooks" / SLUG / "data" / "transcripts"
    assert transcript_utterances(data / "S01.vtt")[0] == ("Sam Okafor", "Thanks for joining, Maria.")
    assert transcript_utterances(data / "S02.txt")[2] == ("Kwame Mensah", "Fine.")


def test_phones_and_cards_match_whatever_the_separators(pii_repo):
    page(pii_repo, "call 020-7946-0958 or 0044 20 79460958; card 4111111111111111; 5550132 0151 4960000")
    assert found(scan_for_leaks(pii_repo)) == {
        ("phone", "+44 20 7946 0958"),
        ("card", "4111 1111 1111 1111"),
        ("phone", "0151 496 0000"),
    }


def test_inlined_plotly_and_quarto_site_libs_are_not_scanned(tmp_path):
    from plotly.offline import get_plotlyjs

    seed_pii_study(tmp_path)
    csv = tmp_path / "notebooks" / SLUG / "data" / "participants.csv"
    # plotly.js ships "Costa Rica" among its country names
    csv.write_text(csv.read_text(encoding="utf-8").replace("Priya Raghunathan", "Rafael Costa"), encoding="utf-8")
    bundle = get_plotlyjs()
    assert "Costa" in bundle
    page(tmp_path, f"<script>{bundle}</script>")
    nb = {"cells": [{"cell_type": "code", "outputs": [{"data": {"text/html": bundle.splitlines(True)}}]}]}
    page(tmp_path, json.dumps(nb, indent=1), "nb.ipynb")
    page(tmp_path, "var people = ['Costa'];", "site_libs/quarto/x.js")
    assert scan_for_leaks(tmp_path) == []
    page(tmp_path, f"<script>{bundle}</script>\n<p>Costa said</p>")
    assert found(scan_for_leaks(tmp_path)) == {("name", "Costa")}


def test_file_names_are_checked_and_binaries_skipped(pii_repo):
    page(pii_repo, "nothing here", "maria-gonzalez/index.html")
    (pii_repo / "_site" / "photo.png").write_bytes(b"\x89PNG\0\0Maria Gonzalez")
    leaks = scan_for_leaks(pii_repo)
    assert sorted((hit.file, hit.line, hit.item) for hit in leaks) == [
        ("_site/maria-gonzalez/index.html", 0, "Gonzalez"),
        ("_site/maria-gonzalez/index.html", 0, "Maria"),
    ]


def test_team_names_the_plan_publishes_are_not_leaks(pii_repo):
    study = pii_repo / "notebooks" / SLUG
    (study / "study.yml").write_text(
        "title: T\npm_owner: Dana Whitfield (PM)\nobservers:\n  - name: Dana Whitfield\n    role: PM\n",
        encoding="utf-8",
    )
    csv = study / "data" / "participants.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Priya Raghunathan", "Dana Raghunathan"), encoding="utf-8")
    page(pii_repo, "<p>PM: Dana Whitfield; WHITFIELD</p>\n<p>Lee Park observed</p>")
    assert found(scan_for_leaks(pii_repo)) == {("name", "Lee Park")}  # not named by the plan
    page(pii_repo, "<p>PM: Dana Whitfield</p>\n<p>Dana said it was slow</p>")  # participant Dana
    leaks = scan_for_leaks(pii_repo)
    assert [(hit.kind, hit.item, hit.line) for hit in leaks] == [("name", "Dana", 2)]


def test_curly_apostrophes_are_found(tmp_path):
    seed_pii_study(tmp_path)
    csv = tmp_path / "notebooks" / SLUG / "data" / "participants.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Priya Raghunathan", "Grace O'Connor"), encoding="utf-8")
    page(tmp_path, "<p>O\u2019Connor said</p>")
    assert found(scan_for_leaks(tmp_path)) == {("name", "O'Connor")}


def test_a_windows_1252_roster_is_read_and_its_names_found(pii_repo):
    csv = pii_repo / "notebooks" / SLUG / "data" / "participants.csv"
    csv.write_bytes(
        csv.read_text(encoding="utf-8").replace("Maria Gonzalez", "María González").encode("cp1252")
    )  # as Excel saves "CSV" on Windows
    page(pii_repo, "<p>María González said it twice</p>")
    assert ("name", "María González") in found(scan_for_leaks(pii_repo))


def test_an_unreadable_roster_is_one_clear_line_not_a_traceback(pii_repo):
    data = pii_repo / "notebooks" / SLUG / "data"
    (data / "participants.csv").unlink()
    (data / "participants.xlsx").write_bytes(b"not a workbook")
    errors: list[str] = []
    code = check_privacy_command(pii_repo, None, echo=lambda m: None, echo_err=errors.append)
    assert code == 1 and len(errors) == 1
    assert "participants.xlsx" in errors[0] and "privacy check cannot run" in errors[0]


def test_rows_with_extra_cells_are_still_scanned(pii_repo):
    notes = pii_repo / "notebooks" / SLUG / "data" / "notes.csv"
    with notes.open("a", encoding="utf-8") as f:  # an unquoted comma: 8 cells under 7 columns
        f.write("N010,S01,R-3001,Checkout,Call me, Maria Gonzalez,basket,observation\n")
    page(pii_repo, "<p>Maria Gonzalez</p>")
    assert ("name", "Maria Gonzalez") in found(scan_for_leaks(pii_repo))


def test_panel_people_are_looked_for_but_a_panel_person_who_is_published_staff_is_not(tmp_path):
    from kit.privacy.leak_check import scan_for_leaks
    from panel_fixture import person, write_panel, write_study

    # Dana Whitfield observes sessions, study.yml names her (published on purpose), and she is in the panel.
    write_panel(tmp_path, [person("PN-1", "Maria Lopez"), person("PN-9", "Dana Whitfield", owner="PM")])
    write_study(
        tmp_path,
        "demo",
        [["R-1", "Tom Berg", "t@x.org", "First-time buyer", "yes", "yes", ""]],
        [["S1", "R-1", "2026-03-01", "Sam Okafor", "Dana Whitfield", "", ""]],
    )
    page = tmp_path / "reports" / "demo" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>Observed by Dana Whitfield (PM).</p>\n<p>Invite Maria Lopez at maria.lopez@example.com</p>\n")
    leaks = scan_for_leaks(tmp_path)
    assert {(leak.line, leak.kind, leak.study, leak.item) for leak in leaks} == {
        (2, "name", "panel", "Maria Lopez"),
        (2, "email", "panel", "maria.lopez@example.com"),
    }
