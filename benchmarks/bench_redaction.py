"""Redaction quality and throughput, and the privacy check's (prints figures; no assertions).

Quality: recall and precision over the marked corpus
(``benchmarks/redaction_corpus.yml``, scored by ``redaction_corpus.py``); the
misses and false replacements are listed. Throughput: redaction runs on every
note of every study inside the synthesis stage, whose benchmark must stay
under 10 s for 100k notes: this shows the share redaction takes. The check
figure is for a site of pages that each inline plotly.js.

    .venv/bin/python benchmarks/bench_redaction.py [N_NOTES]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from kit.privacy.roster import Roster

sys.path.insert(0, str(Path(__file__).resolve().parent))

FIRST = ["Maria", "Kwame", "Priya", "Jonas", "Aiko", "Tomasz", "Fatima", "Grace", "Wei", "Olivia"]
LAST = ["Gonzalez", "Mensah", "Raghunathan", "Lindqvist", "Tanaka", "Wojcik", "Al-Sayed", "O'Connor", "Chen", "Bennett"]
WORDS = (
    "the checkout total changed again after I entered my postcode so I went back to the basket "
    "and looked for the delivery charge which was not shown anywhere obvious"
).split()
EXTRAS = [
    "",
    "",
    "",
    "",
    " call 020 7946 0958",
    " mail me at someone@example.com",
    " card 4111 1111 1111 1111",
    " it was 12.99 on 2026-10-19",
    " https://shop.example.com/?ref=mail",
]


def roster(n_participants: int = 40) -> Roster:
    rows = [
        (
            f"R-{1000 + i}",
            f"{FIRST[i % 10]} {LAST[(i * 3) % 10]}{'' if i < 10 else i}",
            f"p{i}@example.com",
            "seg",
            "yes",
            "yes",
        )
        for i in range(n_participants)
    ]
    people = pd.DataFrame(
        rows, columns=["participant_id", "name", "email", "segment", "consent_quotes", "consent_recording"]
    )
    sessions = pd.DataFrame(
        [("S01", "R-1000", "2026-10-19", "Sam Okafor", "Dana Whitfield;Lee Park")],
        columns=["session_id", "participant_id", "date", "moderator", "observers"],
    )
    return Roster.from_frames(people, sessions)


def notes(n: int) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(n):
        words = rng.sample(WORDS, 14)
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(FIRST))
        out.append(" ".join(words) + rng.choice(EXTRAS))
    return out


def corpus() -> None:
    from redaction_corpus import CORPUS, load, score

    result = score(*load())
    print(
        f"redaction corpus: {result.sentences} sentences ({CORPUS.name}): roster names recall "
        f"{result.name_recall:.1%} ({result.names_found}/{result.names}), other personal data recall "
        f"{result.other_found}/{result.other}, overall recall {result.recall:.1%}, precision "
        f"{result.precision:.1%} ({result.right}/{result.replacements} replacements)"
    )
    for item in result.missed:
        print(f"  missed: {item}")
    for item in result.wrong:
        print(f"  replaced but not personal: {item}")


def main() -> None:
    corpus()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    r = roster()
    texts = notes(n)
    start = time.perf_counter()
    _ = r.redactor  # compile
    compiled = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        r.redact(text)
    seconds = time.perf_counter() - start
    chars = sum(map(len, texts))
    print(
        f"redaction: {n} notes ({chars / 1e6:.1f} M chars, {len(r.names)} names): "
        f"{seconds:.2f} s ({n / seconds:,.0f} notes/s), regex compiled in {compiled * 1000:.0f} ms"
    )

    from plotly.offline import get_plotlyjs

    from kit.privacy.leak_check import scan_for_leaks

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pii_study import seed_pii_study

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        seed_pii_study(repo)
        page = f"<script>{get_plotlyjs()}</script>\n" + "\n".join(f"<p>{t}</p>" for t in texts[:2000])
        for i in range(10):
            (repo / "_site").mkdir(exist_ok=True)
            (repo / "_site" / f"page{i}.html").write_text(page, encoding="utf-8")
        size = sum(p.stat().st_size for p in (repo / "_site").iterdir())
        start = time.perf_counter()
        leaks = scan_for_leaks(repo)
        print(
            f"privacy check: 10 pages, {size / 1e6:.0f} MB: {time.perf_counter() - start:.2f} s "
            f"({len(leaks)} hits: the pages hold unredacted test names)"
        )


if __name__ == "__main__":
    main()
