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
