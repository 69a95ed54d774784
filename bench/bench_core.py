"""Benchmark the core: FAQ answering, school lookup and start-up, each against a baseline.

Run from the project's root: ``.venv/bin/python bench/bench_core.py``. Prints per-query
median and 99th percentile (microseconds) for the bot and for a plain
``rapidfuzz.process.extractOne`` over the same strings in the same run, and their ratio.
School lookups run on the DUO lists in ``../shared/data/schools/`` (VO, and VO+PO as the
large list) when ``../shared`` exists, else on the bundled example list only. Start-up is
the wall time of ``python -m bot ask "Wat is de deadline?"`` against ``python -c pass``.
"""
from __future__ import annotations

import csv
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.consentlist import ConsentList, School, load  # noqa: E402
from bot.faq import FaqMatcher  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.schools import SchoolMatcher  # noqa: E402
from bot.text import normalize  # noqa: E402

SCHOOLS = ROOT.parent / "shared" / "data" / "schools"


def timed(fn, items, repeat=3) -> list[float]:
    """Per-call times in microseconds over ``items`` (best of ``repeat`` per item)."""
    out = []
    for it in items:
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            fn(it)
            best = min(best, time.perf_counter() - t)
        out.append(best * 1e6)
    return out


def summary(name: str, ours: list[float], base: list[float]) -> None:
    def p99(xs):
        return sorted(xs)[max(int(len(xs) * 0.99) - 1, 0)]

    om, bm = statistics.median(ours), statistics.median(base)
    print(f"{name:38} bot median {om:9.1f} µs p99 {p99(ours):9.1f} µs | extractOne median {bm:8.1f} µs "
          f"p99 {p99(base):8.1f} µs | ratio median {om / bm:5.1f}x p99 {p99(ours) / p99(base):5.1f}x")


def faq_bench() -> None:
    kb = load_knowledge()
    m = FaqMatcher(kb)
    phrasings = [(e.id, p) for e in kb.entries for _, p in e.phrasings()]
    choices = [normalize(p) for _, p in phrasings]
    rnd = random.Random(1)
    queries = []
    for _, p in rnd.sample(phrasings, 150):
        words = p.split()
        rnd.shuffle(words)  # unseen word order, like a new question
        queries.append(" ".join(words))
    queries += ["Hoe laat is het?", "Wat is de hoofdstad van Frankrijk?", "deadlien", "verwerkers overeenkomst"]
    m.answer("warm up")
    summary("FAQ answer (%d questions)" % len(queries), timed(m.answer, queries),
            timed(lambda q: process.extractOne(normalize(q), choices, scorer=fuzz.WRatio), queries))


def duo_list(*files: str) -> ConsentList:
    schools = []
    for f in files:
        with open(SCHOOLS / f, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                schools.append(School(row["name"], "", row["city"], row["brin"], row["vestigingscode"], len(schools) + 1))
    return ConsentList(tuple(schools), "+".join(files))


def lookup_bench(consent: ConsentList, label: str) -> None:
    t = time.perf_counter()
    m = SchoolMatcher(consent)
    build = time.perf_counter() - t
    rnd = random.Random(2)
    sample = rnd.sample(consent.schools, min(200, len(consent.schools)))
    # Queries as staff type them: lower case, a word dropped, sometimes a typo.
    queries = []
    for s in sample:
        words = s.name.lower().split()
        if len(words) > 2:
            words.pop(rnd.randrange(len(words)))
        q = " ".join(words)
        if len(q) > 6 and rnd.random() < 0.3:
            i = rnd.randrange(1, len(q) - 1)
            q = q[:i] + q[i + 1] + q[i] + q[i + 2:]
        queries.append(q)
    choices = [normalize(s.name) for s in consent.schools]
    m.lookup("warm up")
    print(f"  index build for {len(consent.schools)} names: {build * 1000:.0f} ms")
    summary(f"lookup, {label} ({len(consent.schools)} names)", timed(m.lookup, queries),
            timed(lambda q: process.extractOne(normalize(q), choices, scorer=fuzz.WRatio), queries))


def startup_bench(n: int = 5) -> None:
    def wall(cmd):
        ts = []
        for _ in range(n):
            t = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
            ts.append(time.perf_counter() - t)
        return statistics.median(ts)

    ours = wall([sys.executable, "-m", "bot", "ask", "Wat is de deadline?"])
    base = wall([sys.executable, "-c", "pass"])
    print(f"{'start-up: python -m bot ask':38} {ours * 1000:7.0f} ms | python -c pass {base * 1000:5.0f} ms | ratio {ours / base:5.1f}x")


def main() -> None:
    faq_bench()
    lookup_bench(load(), "bundled example list")
    shared_list = ROOT.parent / "shared" / "data" / "consent" / "consent-list.csv"
    if shared_list.exists():
        lookup_bench(load(shared_list), "fixture consent list")
    if SCHOOLS.exists():
        lookup_bench(duo_list("vo_vestigingen.csv"), "DUO VO")
        lookup_bench(duo_list("vo_vestigingen.csv", "po_vestigingen.csv"), "DUO VO+PO")
    else:
        print("../shared/data/schools not found: DUO benchmarks skipped")
    startup_bench()


if __name__ == "__main__":
    main()
