"""The study's timeline: recruit, sessions, synthesis, readout from start to deadline.

Phase lengths come from the method table (``data/methods.csv``: typical
calendar weeks per phase). When the cycle is long enough, recruit, sessions
and synthesis take their typical length from the start date, the readout ends
on the deadline, and any slack shows as a buffer before the readout. When it
is too short, every phase is compressed by the same factor so the plan still
ends on the deadline, and a warning gives the numbers: weeks needed, weeks
available, the shortfall, and the deadline that would fit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kit.study.methods import PHASES, Method

_EPS = 1e-9


@dataclass
class Milestone:
    phase: str  # recruit | sessions | synthesis | buffer | readout
    start: dt.date
    end: dt.date  # the day the next phase starts (exclusive)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def to_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


def _boundaries(start: dt.date, weeks: list[float], scale: float) -> list[dt.date]:
    # Round cumulative lengths, not each phase, so rounding never drifts the end.
    dates, total = [start], 0.0
    for w in weeks:
        total += w
        dates.append(start + dt.timedelta(days=round(total * 7 * scale)))
    return dates


def build_timeline(
    start: dt.date, deadline: dt.date, method: Method, alternatives: list[str] | None = None
) -> dict[str, Any]:
    """Milestones from ``start`` to ``deadline`` for ``method``, with a warning when it cannot fit.

    ``alternatives`` are ids of methods that do fit, named in the warning.
    """
    available = (deadline - start).days / 7
    needed = method.weeks
    phase_weeks = [method.phase_weeks[p] for p in PHASES]
    milestones: list[Milestone] = []
    warning = None
    if needed <= available + _EPS:
        scale = 1.0
        work = _boundaries(start, phase_weeks[:-1], 1.0)  # recruit, sessions, synthesis
        readout_start = deadline - dt.timedelta(days=round(phase_weeks[-1] * 7))
        for phase, a, b in zip(PHASES[:-1], work, work[1:]):
            milestones.append(Milestone(phase, a, b))
        if readout_start > work[-1]:
            milestones.append(Milestone("buffer", work[-1], readout_start))
        milestones.append(Milestone("readout", max(readout_start, work[-1]), deadline))
    else:
        scale = available / needed if needed else 1.0
        bounds = _boundaries(start, phase_weeks, scale)
        bounds[-1] = deadline
        for phase, a, b in zip(PHASES, bounds, bounds[1:]):
            milestones.append(Milestone(phase, a, b))
        parts = ", ".join(f"{p} {w:g}" for p, w in zip(PHASES, phase_weeks))
        fits_by = start + dt.timedelta(days=round(needed * 7))
        instead = f"choose a method that fits ({', '.join(alternatives)}) or " if alternatives else ""
        warning = (
            f"{method.name} typically needs {needed:.1f} weeks ({parts}); "
            f"{start.isoformat()} to {deadline.isoformat()} gives {available:.1f} weeks, "
            f"{needed - available:.1f} weeks short. The timeline below squeezes every phase "
            f"to {scale:.0%} of its usual length: {instead}move the deadline to "
            f"{fits_by.isoformat()}."
        )
    return {
        "method": method.id,
        "method_name": method.name,
        "start": start.isoformat(),
        "deadline": deadline.isoformat(),
        "weeks_available": round(available, 2),
        "weeks_needed": round(needed, 2),
        "fits": warning is None,
        "scale": round(scale, 3),
        "milestones": [m.to_dict() for m in milestones],
        "warning": warning,
    }


def deadline_for(start: dt.date, deadline: dt.date | None, weeks_available: float | None) -> dt.date:
    """The deadline, or start + weeks_available when the plan gives weeks only."""
    if deadline is not None:
        return deadline
    return start + dt.timedelta(days=round(float(weeks_available or 0) * 7))
