"""``kit new``: create a study folder from the templates.

The folder is assembled in a temporary sibling and renamed into place, so a
failure leaves nothing behind, and an existing folder is never touched.
"""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

from kit.errors import StudyExistsError, UsageError
from kit.iorw import staged_dir
from kit.layout import (
    DATA_DIR,
    INSIGHTS_FILE,
    STAGES,
    STUDY_FILE,
    TRANSCRIPTS_DIR,
    kit_data,
    study_folder,
    templates_root,
)
from kit.study.tables import scaffold_headers

DEFAULT_WEEKS = 6


def _scaffold(name: str) -> str:
    return resources.files("kit").joinpath("scaffold", name).read_text(encoding="utf-8")


def study_yml_text(title: str, today: dt.date | None = None) -> str:
    """The commented study.yml skeleton holding every plan key."""
    start = today or dt.date.today()
    deadline = start + dt.timedelta(weeks=DEFAULT_WEEKS)
    safe_title = title.replace("\\", "\\\\").replace('"', '\\"')
    return _scaffold("study.yml").format(title=safe_title, start_date=start.isoformat(), deadline=deadline.isoformat())


def insights_yml_text() -> str:
    """The commented insights.yml skeleton (owned by the insights stage)."""
    return kit_data("insights_skeleton.yml")


def new_study(repo_root: Path, slug: str, title: str | None = None) -> Path:
    """Create ``notebooks/<slug>/``; refuse bad slugs and existing folders (exit 2)."""
    repo_root = Path(repo_root)
    target = study_folder(repo_root, slug, must_exist=False)
    if target.exists():
        raise StudyExistsError(f"{target.relative_to(repo_root)} already exists; nothing was changed")
    templates = [templates_root(repo_root) / s for s in STAGES]
    missing = [str(t.relative_to(repo_root)) for t in templates if not t.is_file()]
    if missing:
        raise UsageError(f"templates missing: {', '.join(missing)} (run kit new from the repository root)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with staged_dir(target, replace=False) as staging:
        (staging / STUDY_FILE).write_text(
            study_yml_text(title or slug.replace("-", " ").capitalize()), encoding="utf-8"
        )
        (staging / INSIGHTS_FILE).write_text(insights_yml_text(), encoding="utf-8")
        data = staging / DATA_DIR
        (data / TRANSCRIPTS_DIR).mkdir(parents=True)
        for table, header in scaffold_headers().items():
            (data / f"{table}.csv").write_text(",".join(header) + "\n", encoding="utf-8")
        for t in templates:
            shutil.copy2(t, staging / t.name)
    return target
