"""``kit new``: create a study folder from the templates.

The folder is assembled in a temporary sibling and renamed into place, so a
failure leaves nothing behind, and an existing folder is never touched.
"""
from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

from .errors import StudyExistsError, UsageError
from .iorw import staging_dir
from .runner import STAGES
from .study import SLUG_RE

DATA_HEADERS: dict[str, list[str]] = {
    "participants.csv": ["participant_id", "name", "email", "segment", "consent_quotes",
                         "consent_recording"],
    "sessions.csv": ["session_id", "participant_id", "date", "moderator", "observers"],
    "notes.csv": ["note_id", "session_id", "participant_id", "task", "text", "tags", "kind"],
    "tasks.csv": ["participant_id", "task", "success", "time_s", "seq"],
    "sus.csv": ["participant_id"] + [f"q{i}" for i in range(1, 11)],
}
"""Header row of every data file ``kit new`` creates (the study-folder contract)."""

DEFAULT_WEEKS = 6


def _scaffold(name: str) -> str:
    return resources.files("kit").joinpath("scaffold", name).read_text(encoding="utf-8")


def study_yml_text(title: str, today: dt.date | None = None) -> str:
    """The commented study.yml skeleton holding every plan key."""
    start = today or dt.date.today()
    deadline = start + dt.timedelta(weeks=DEFAULT_WEEKS)
    safe_title = title.replace("\\", "\\\\").replace('"', '\\"')
    return _scaffold("study.yml").format(title=safe_title, start_date=start.isoformat(),
                                         deadline=deadline.isoformat())


def insights_yml_text() -> str:
    """The commented insights.yml skeleton (owned by the insights stage)."""
    packaged = resources.files("kit").joinpath("data", "insights_skeleton.yml")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return "insights: []\nopen_questions: []\n"


def new_study(repo_root: Path, slug: str, title: str | None = None) -> Path:
    """Create ``notebooks/<slug>/``; refuse bad slugs and existing folders (exit 2)."""
    if not SLUG_RE.match(slug):
        raise UsageError(
            f"invalid slug {slug!r}: expected 2-63 lower-case letters, digits and '-', "
            "starting with a letter or digit (e.g. checkout-2026)"
        )
    repo_root = Path(repo_root)
    target = repo_root / "notebooks" / slug
    if target.exists():
        raise StudyExistsError(f"{target.relative_to(repo_root)} already exists; nothing was changed")
    templates = [repo_root / "templates" / s for s in STAGES]
    missing = [str(t.relative_to(repo_root)) for t in templates if not t.is_file()]
    if missing:
        raise UsageError(f"templates missing: {', '.join(missing)} (run kit new from the repository root)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(target.parent, f".{slug}.")
    try:
        (staging / "study.yml").write_text(study_yml_text(title or slug.replace("-", " ").capitalize()),
                                           encoding="utf-8")
        (staging / "insights.yml").write_text(insights_yml_text(), encoding="utf-8")
        data = staging / "data"
        (data / "transcripts").mkdir(parents=True)
        for name, header in DATA_HEADERS.items():
            (data / name).write_text(",".join(header) + "\n", encoding="utf-8")
        for t in templates:
            shutil.copy2(t, staging / t.name)
        staging.rename(target)  # atomic; fails if target appeared meanwhile
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
