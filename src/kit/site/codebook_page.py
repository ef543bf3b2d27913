"""The site's Codebook page: every code's definition and how often each study used it.

Generated from ``codebook.yml`` (:mod:`kit.study.codebook`; team-written, no
participant data) and each study's ``synthesis.json`` (its notes' tags, already
redacted), so the page never reads ``notebooks/<slug>/data/``. A tag counts
for the code it stands for: a synonym or a retired code counts for the code to
use. Codes are listed in hierarchy order (children indented under their
parent); tags the studies use that the codebook lacks are listed after them,
so the drift is visible. Each study's inter-coder agreement (Krippendorff's
alpha, overall) is shown where it was measured.

The output is Markdown, like the playbook: Quarto includes it in
``codebook.qmd``; the preview converts it with mistune. Every value passes
:func:`kit.display.markdown_text`, so no text can become a link or HTML.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from kit.display import markdown_text as md
from kit.display import reader_word
from kit.errors import KitError
from kit.site.synthesis_facts import SynthesisFacts, read_synthesis_facts
from kit.study.codebook import Codebook, load_codebook


def codebook_data(repo_root: Path, slugs: list[str], facts: dict[str, SynthesisFacts] | None = None) -> dict[str, Any]:
    """Codes in hierarchy order with usage per study; tags outside the codebook; agreement per study.

    ``facts``: each study's synthesis facts when the build has them already
    (:func:`kit.site.synthesis_facts.read_synthesis_facts`), else read here.
    """
    try:
        book = load_codebook(repo_root)
    except KitError as exc:
        return {"error": str(exc), "codes": [], "studies": [], "unknown": {}, "agreement": {}}
    book = book or Codebook()
    if facts is None:
        facts, _ = read_synthesis_facts(repo_root, slugs, reuse=False)
    usage: dict[str, Counter[str]] = {}
    agreement: dict[str, Any] = {}
    for slug in slugs:
        if slug not in facts:
            continue
        counts: Counter[str] = Counter()
        for tags, notes in facts[slug].tag_sets:
            # a note counts once per code, also when two of its tags mean the same code
            for code in {book.canonical(t) for t in tags}:
                counts[code] += notes
        usage[slug] = counts
        coding = facts[slug].agreement or {}
        overall = coding.get("overall") or {}
        if overall:
            agreement[slug] = {
                "alpha": overall.get("alpha"),
                "band": overall.get("alpha_band"),
                "coders": len(coding.get("coders") or []),
            }
    studies = sorted(usage)
    rows = []

    def add(name: str, depth: int) -> None:
        code = book.codes[name]
        rows.append(
            {
                "name": name,
                "depth": depth,
                "definition": code.definition,
                "include": code.include,
                "exclude": code.exclude,
                "synonyms": code.synonyms,
                "status": code.status,
                "merged_into": code.merged_into,
                "uses": {s: usage[s][name] for s in studies},
            }
        )
        for child in sorted(book.children(name)):
            add(child, depth + 1)

    for name in sorted(n for n, c in book.codes.items() if c.parent is None):
        add(name, 0)
    unknown = {
        t: {s: usage[s][t] for s in studies if usage[s][t]}
        for t in sorted({t for s in studies for t in usage[s]} - set(book.codes))
    }
    return {
        "codes": rows,
        "studies": studies,
        "unknown": unknown,
        "agreement": agreement,
        "has_codebook": bool(book.codes),
    }


def codebook_markdown(data: dict[str, Any]) -> str:
    """The Codebook page's generated part as Markdown (headings level 2)."""
    if data.get("error"):
        return f"The codebook cannot be read: {md(data['error'])}\n"
    if not data.get("has_codebook"):
        return (
            "No `codebook.yml` yet: add one at the repository root to give every study's tags one "
            "definition (see the README, 'The codebook').\n"
        )
    studies = data["studies"]
    out = [
        "## Codes",
        "",
        "Each code's definition, what it includes and excludes, its synonyms (tags that mean the same: "
        "use the code instead) and how many notes of each study carry it.",
        "",
        "| Code | Definition | Include | Exclude | Synonyms | "
        + " | ".join(md(s) for s in studies)
        + (" |" if studies else "")
        + (" Total |" if studies else ""),
        "|---|---|---|---|---|" + "---|" * (len(studies) + (1 if studies else 0)),
    ]
    for row in data["codes"]:
        name = ("↳ " * row["depth"]) + md(row["name"])
        if row["status"] == "retired":
            name += f" (retired: use {md(row['merged_into'])})"
        uses = [row["uses"].get(s, 0) for s in studies]
        cells = [
            name,
            md(row["definition"]) or "–",
            md("; ".join(row["include"])) or "–",
            md("; ".join(row["exclude"])) or "–",
            md(", ".join(row["synonyms"])) or "–",
            *[str(n) for n in uses],
        ]
        if studies:
            cells.append(str(sum(uses)))
        out.append("| " + " | ".join(cells) + " |")
    if data["unknown"]:
        out += [
            "",
            "## Tags outside the codebook",
            "",
            "Tags the studies use that are neither a code nor a synonym: add them to `codebook.yml` "
            "(or as a synonym of the code they mean) so cross-study search finds their evidence.",
            "",
            "| Tag | Used in |",
            "|---|---|",
        ]
        for tag, where in data["unknown"].items():
            out.append(f"| {md(tag)} | {md(', '.join(f'{s} ({n})' for s, n in where.items()))} |")
    if data["agreement"]:
        out += [
            "",
            "## Agreement between coders",
            "",
            "Where two or more people coded a study's notes: how far their codes agree beyond chance, "
            "from 1 (they always agree) down to 0 (no more than chance). It is high from 0.800, "
            "tentative from 0.667 (enough for tentative conclusions only) and low below that. "
            "Researchers: Krippendorff's alpha over every note and code decision (Krippendorff 2004).",
            "",
            "| Study | Coders | Agreement | Reading |",
            "|---|---|---|---|",
        ]
        for slug, a in data["agreement"].items():
            alpha = "–" if a["alpha"] is None else f"{a['alpha']:.3f}"
            band = reader_word(f"agreement.{a['band'] or 'none'}", a["band"] or "not measurable")[0]
            out.append(f"| {md(slug)} | {a['coders']} | {alpha} | {md(band)} |")
    return "\n".join(out) + "\n"
