"""Timeline: milestones from start to deadline, scaled by the method's phases."""

from __future__ import annotations

import datetime as dt

from kit.plan.timeline import build_timeline, deadline_for
from kit.study.methods import get_method

START = dt.date(2026, 10, 5)  # a Monday


def test_enough_time_keeps_typical_lengths_and_ends_readout_on_deadline():
    m = get_method("usability-test-moderated")  # 1.5 + 1 + 1 + 0.5 weeks
    tl = build_timeline(START, START + dt.timedelta(days=42), m)
    phases = {x["phase"]: x for x in tl["milestones"]}
    assert tl["fits"] and tl["warning"] is None
    assert [x["phase"] for x in tl["milestones"]] == ["recruit", "sessions", "synthesis", "buffer", "readout"]
    assert phases["recruit"]["days"] == 10  # 1.5 weeks, rounded half to even
    assert phases["sessions"]["days"] + phases["recruit"]["days"] == round(2.5 * 7)
    assert phases["readout"]["end"] == "2026-11-16" and phases["readout"]["days"] == round(0.5 * 7)
    assert phases["buffer"]["days"] == 42 - 28
    # contiguous: each phase starts where the previous ended
    for a, b in zip(tl["milestones"], tl["milestones"][1:]):
        assert a["end"] == b["start"]


def test_exact_fit_has_no_buffer():
    tl = build_timeline(START, START + dt.timedelta(days=28), get_method("usability-test-moderated"))
    assert tl["fits"] and "buffer" not in [x["phase"] for x in tl["milestones"]]


def test_too_short_compresses_and_warns_with_the_numbers():
    m = get_method("usability-test-moderated")
    tl = build_timeline(START, START + dt.timedelta(days=7), m, ["unmoderated-test"])
    assert not tl["fits"] and tl["scale"] == 0.25
    w = tl["warning"]
    assert "needs 4.0 weeks" in w and "gives 1.0 weeks" in w and "3.0 weeks short" in w
    assert "unmoderated-test" in w and "move the deadline to 2026-11-02" in w
    assert tl["milestones"][0]["start"] == "2026-10-05"
    assert tl["milestones"][-1]["end"] == "2026-10-12"
    assert sum(x["days"] for x in tl["milestones"]) == 7


def test_weeks_available_sets_the_deadline():
    assert deadline_for(START, None, 2) == dt.date(2026, 10, 19)
    assert deadline_for(START, dt.date(2026, 11, 1), 2) == dt.date(2026, 11, 1)
