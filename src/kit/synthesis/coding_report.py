"""Notebook displays of the synthesis' coding: inter-coder agreement and feature requests.

Shown on the 02-sessions page: agreement per code and overall (share agreed,
Cohen's kappa, Krippendorff's alpha with their bands, see
:mod:`kit.synthesis.agreement`), the notes the coders disagree on for a
consensus pass, and the feature requests the insights may cite. All text comes
from synthesis.json (already redacted) and is escaped by :mod:`kit.display`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kit import display
from kit.synthesis.agreement import ALPHA_TENTATIVE

DISAGREEMENTS_SHOWN = 200


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def show_agreement(s: dict[str, Any]) -> None:
    """Agreement per code and overall, and the notes to settle in a consensus pass."""
    a = s.get("agreement")
    display.heading("Agreement between coders")
    if not a:
        display.note(
            "Coded by one person only: add a second coder's data/coding/<role or initials>.csv "
            "(columns note_id, tags) to measure agreement.",
            "info",
        )
        return
    coders = [c["label"] for c in a["coders"]]
    o = a["overall"]
    # Plain words first, the measure in brackets (data/reader_words.csv): the page is read by PMs too.
    who = ", ".join(
        f"{display.reader_word('coder.' + c['label'], c['label'])[0]} ({c['notes_coded']} notes)" for c in a["coders"]
    )
    band = o.get("alpha_band") or "undefined"
    display.note(
        f"Agreement between coders (Krippendorff's α {_num(o.get('alpha'), 2)}: "
        f"{display.reader_word('agreement.' + band, band)[0]}), "
        f"pooled over {o.get('decisions', 0)} note x code decisions"
        + (f"; Cohen's κ {_num(o.get('kappa'), 2)} ({o.get('kappa_band')})" if len(coders) == 2 else "")
        + f"; {_pct(o.get('share_agreed'))} of {o.get('notes', 0)} notes carry the same codes from "
        f"every coder. Coders: {who}.",
        "ok" if (o.get("alpha") or 0) >= ALPHA_TENTATIVE else "warning",
    )
    rows = [
        {
            "code": r["code"],
            "notes": r["units"],
            "share agreed": _pct(r["share_agreed"]),
            **({"Cohen's kappa": _num(r["kappa"]), "kappa band": r["kappa_band"] or "–"} if len(coders) == 2 else {}),
            "agreement (Krippendorff's α)": _num(r["alpha"]),
            "agreement": display.reader_word(f"agreement.{r['alpha_band']}", r["alpha_band"] or "no variation")[0],
            **{
                f"applied by {display.reader_word('coder.' + c['label'], c['label'])[0]}": r["applied"].get(c["id"], 0)
                for c in a["coders"]
            },
        }
        for r in a["codes"]
    ]
    display.table(
        pd.DataFrame(rows),
        caption="Agreement per code (bands: Landis & Koch 1977 for kappa; "
        "Krippendorff: alpha >= 0.800 reliable, >= 0.667 tentative)",
    )
    low = [r["code"] for r in a["codes"] if r["alpha"] is not None and r["alpha"] < ALPHA_TENTATIVE]
    if low:
        display.note(
            f"Low agreement between coders (Krippendorff's α below {ALPHA_TENTATIVE}) for {', '.join(low)}: "
            "insights resting on these codes get "
            "lower confidence until the coders agree (sharpen the definitions in codebook.yml, "
            "then recode).",
            "warning",
        )
    display.heading("Notes the coders disagree on", level=3)
    if not a["disagreements"]:
        display.note("None: every double-coded note carries the same codes.", "ok")
        return
    text = {n["id"]: n["text"] for n in s.get("notes", [])}
    by_id = {c["id"]: display.reader_word("coder." + c["label"], c["label"])[0] for c in a["coders"]}
    shown = a["disagreements"][:DISAGREEMENTS_SHOWN]
    frame = pd.DataFrame(
        [
            {
                "note": d["note"],
                "codes in dispute": ", ".join(d["codes"]),
                **{
                    by_id[c]: "(not coded)" if tags is None else (", ".join(tags) or "(none)")
                    for c, tags in d["by_coder"].items()
                },
                "text": text.get(d["note"], ""),
            }
            for d in shown
        ]
    )
    more = a["disagreement_count"] - len(shown)
    caption = f"{a['disagreement_count']} notes for the consensus pass"
    if more > 0:
        caption += f" (first {len(shown)} shown; synthesis.json lists up to 1000)"
    display.table(frame, caption=caption)


def show_requests(s: dict[str, Any]) -> None:
    """The feature requests the insights may cite (attitudinal: expressed interest)."""
    reqs = s.get("requests") or []
    display.heading("Feature requests")
    if not reqs:
        display.note("No feature requests (data/requests.csv or the repository's requests/ folder).", "info")
        return
    display.note(
        "Requests are expressed interest (attitudinal): what customers say they want. Cite them "
        "as R-<request_id> beside behavioural evidence, never instead of it.",
        "info",
    )
    display.table(
        pd.DataFrame(
            [
                {
                    "id": r["id"],
                    "date": r["date"],
                    "request": r["text"],
                    "votes": "" if r["votes"] is None else r["votes"],
                    "status": r["status"],
                    "source": r["source"],
                    "tags": ", ".join(r["tags"]),
                }
                for r in reqs
            ]
        ),
        caption=f"{len(reqs)} requests",
    )
