"""REFI-QDA export at scale: the 100,000-note study as a .qdpx (prints figures; no assertions).

Target (issue 17): under 30 s and under 1.5 GiB peak memory. Builds the synthetic study of
bench_synthesis.py (100,000 notes, 1,000 participants and sessions, names in 20% of the notes) plus a
second coder's file and the shared codebook, then times ``kit export --qdpx`` (pseudonymised:
every note is redacted) including writing and zipping the file, and checks that the XML parses.

    .venv/bin/python benchmarks/bench_qdpx.py [N_NOTES] [N_PARTICIPANTS]
"""

from __future__ import annotations

import csv
import os
import random
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench_synthesis import TAGS, build


def main() -> None:
    n_notes = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_people = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    from kit.qda import export_qdpx

    with tempfile.TemporaryDirectory() as tmp:
        study = build(Path(tmp), n_notes, n_people)
        (Path(tmp) / "codebook.yml").write_text(
            "codes:\n" + "".join(f"  - name: {t}\n    definition: Bench code {t}.\n" for t in TAGS)
        )
        rng = random.Random(3)
        out = study / "data" / "coding" / "pm.csv"
        out.parent.mkdir()
        with (study / "data" / "notes.csv").open(encoding="utf-8") as fh:
            rows = [
                (r["note_id"], r["tags"] if rng.random() < 0.85 else ";".join(rng.sample(TAGS, 2)))
                for r in csv.DictReader(fh)
            ]
        with out.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([("note_id", "tags"), *rows])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        summary = export_qdpx(tmp, "bench", Path(tmp) / "bench.qdpx")
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = summary.path.stat().st_size
        with zipfile.ZipFile(summary.path) as zf:
            qde = zf.getinfo("project.qde").file_size
            valid = validate(zf.read("project.qde"))
    print(
        f"qdpx export: {n_notes:,} notes, {n_people:,} sessions: {seconds:.2f} s wall (target < 30 s); "
        f"peak RSS {peak / 1024:.0f} MiB (before the export {before / 1024:.0f} MiB; target < 1536 MiB); "
        f".qdpx {size / 1e6:.1f} MB (project.qde {qde / 1e6:.1f} MB); {summary.codes} codes, "
        f"{summary.selections:,} selections, {summary.codings:,} codings "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); {valid}"
    )


def validate(xml: bytes) -> str:
    """Whether project.qde is valid against the REFI-QDA schema (../shared/refi-qda/Project.xsd), untimed."""
    from lxml import etree

    xsd = Path(__file__).resolve().parents[2] / "shared" / "refi-qda" / "Project.xsd"
    if not xsd.is_file():
        return f"not validated ({xsd} absent)"
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.fromstring(xml, etree.XMLParser(huge_tree=True))
    return "valid against Project.xsd" if schema.validate(doc) else f"INVALID: {schema.error_log.last_error}"


if __name__ == "__main__":
    main()
