"""kit.lock: a second run or site build in the same repository is refused at once, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import RunLockedError
from kit.lock import repository_lock


def test_a_second_holder_is_refused_and_the_lock_is_free_again_after(tmp_path: Path):
    with repository_lock(tmp_path):
        with pytest.raises(RunLockedError, match="another 'kit run'") as err:
            with repository_lock(tmp_path):
                pass
        assert err.value.exit_code == 2
    with repository_lock(tmp_path):  # released on exit
        pass


def test_a_pending_purge_journal_refuses_everyone_but_the_purge_which_lends_its_lock(tmp_path: Path):
    from kit.layout import purge_journal_path

    journal = purge_journal_path(tmp_path)
    journal.parent.mkdir()
    journal.write_text("{}", encoding="utf-8")
    with pytest.raises(RunLockedError, match=r"'kit purge' was interrupted \(panel/.purge-journal.json\)"):
        with repository_lock(tmp_path):
            pass
    with repository_lock(tmp_path, purge=True):
        with repository_lock(tmp_path):  # the run and the site build the purge starts itself
            pass
    journal.unlink()
    with repository_lock(tmp_path):  # released, and no journal left
        pass
