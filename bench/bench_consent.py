"""Benchmark keeping the consent list current, each figure against a simple baseline in the same run.

Run from the project's root: ``.venv/bin/python bench/bench_consent.py``. Prints medians and
the ratio ours / baseline:

* parse a 10,000-row CSV list (``consentlist.parse``: decoding, header aliases, clean-up,
  row checks) against ``csv.DictReader`` over the same bytes;
* index it (``SchoolMatcher(…).warm()``, no directory) against a dict from normalised name to school;
* read + index the DUO directory and look up names that are not on the list, with the
  directory (``SchoolMatcher(consent, directory=…)``, links made first) and without;
* a refresh whose list is unchanged: ``ConsentSource.refresh()`` answered 304 by a local
  server on 127.0.0.1, against a bare ``httpx.get`` of the same URL with the same
  ``If-None-Match``; and the same with a 200 of identical bytes (no validators).

The list is made of the DUO school names in ``../shared/data/schools/`` when that exists,
topped up with made-up names to 10,000 rows; without ``../shared``, made-up names only (the
directory figures are then skipped).
"""
from __future__ import annotations

import csv
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bot import consentlist  # noqa: E402
from bot.consent_source import ConsentSource, FetchPolicy  # noqa: E402
from bot.directory import Directory, read_file  # noqa: E402
from bot.schools import SchoolMatcher  # noqa: E402
from bot.text import normalize  # noqa: E402
from consent_http import Answer, ListServer  # noqa: E402

SCHOOLS = ROOT.parent / "shared" / "data" / "schools"
ROWS = 10_000


def median_time(fn, repeat: int) -> float:
    """Median seconds of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def line(label: str, ours: float, base: float, unit: str = "ms", base_label: str = "baseline") -> None:
    scale = 1000 if unit == "ms" else 1e6
    print(f"{label:44} ours {ours * scale:9.2f} {unit} | {base_label} {base * scale:9.2f} {unit} | ratio {ours / base:6.1f}x")


def list_bytes() -> bytes:
    rnd = random.Random(4)
    names: list[tuple[str, str]] = []
    if SCHOOLS.exists():
        for f in ("vo_vestigingen.csv", "po_vestigingen.csv", "so_sbo_vso_vestigingen.csv"):
            with open(SCHOOLS / f, encoding="utf-8", newline="") as fh:
                names += [(r["name"], r["city"]) for r in csv.DictReader(fh)]
    words = "Willem Oranje Regenboog Klimop Vlinder Horizon Kompas Sterren Esdoorn Linde Eik Mozaiek".split()
    while len(names) < ROWS:
        names.append((f"{rnd.choice(['OBS', 'CBS', 'De', 'Het'])} {rnd.choice(words)} {len(names)}", "Utrecht"))
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(["naam", "magister_host", "plaats"])
    for i, (name, city) in enumerate(names[:ROWS]):
        w.writerow([name, f"school{i % 3000}.magister.net", city])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def parse_and_index(data: bytes) -> consentlist.ConsentList:
    consent = consentlist.parse(data, source="bench.csv")
    assert len(consent.schools) == ROWS
    ours = median_time(lambda: consentlist.parse(data, source="bench.csv"), 5)
    base = median_time(lambda: list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")), 5)
    line(f"parse a {ROWS:,}-row list", ours, base, base_label="csv.DictReader")
    ours_i = median_time(lambda: SchoolMatcher(consent).warm(), 3)
    base_i = median_time(lambda: {normalize(s.name): s for s in consent.schools}, 3)
    line(f"index a {ROWS:,}-row list", ours_i, base_i, base_label="dict by name")
    line(f"parse + index a {ROWS:,}-row list", ours + ours_i, base + base_i, base_label="both baselines")
    return consent


def directory_bench() -> None:
    if not SCHOOLS.exists():
        print("../shared/data/schools not found: directory figures skipped")
        return
    files = ("vo_vestigingen.csv", "po_vestigingen.csv", "so_sbo_vso_vestigingen.csv")
    t = time.perf_counter()
    schools = [s for f in files for s in read_file(SCHOOLS / f).schools]
    read = time.perf_counter() - t
    directory = Directory(schools)
    t = time.perf_counter()
    directory.groups()
    built = time.perf_counter() - t
    print(f"{'DUO directory':44} read {len(schools):,} locations {read * 1000:7.0f} ms | index {built * 1000:7.0f} ms")
    shared_list = ROOT.parent / "shared" / "data" / "consent" / "consent-list.csv"
    consent = consentlist.load(shared_list) if shared_list.exists() else consentlist.load()
    plain, linked = SchoolMatcher(consent).warm(), SchoolMatcher(consent, directory=directory).warm()
    rnd = random.Random(5)
    queries = [f"{g.name} {g.city}" for g in rnd.sample(directory.groups(), 200)]
    linked.lookup("warm up")
    linked.lookup(queries[0])
    ours = statistics.median(median_time(lambda q=q: linked.lookup(q), 3) for q in queries)
    base = statistics.median(median_time(lambda q=q: plain.lookup(q), 3) for q in queries)
    verdicts = [linked.lookup(q).status for q in queries]
    line("lookup of a DUO school, with directory", ours, base, unit="µs", base_label="list only")
    print(f"{'':44} verdicts: " + ", ".join(f"{k} {verdicts.count(k)}" for k in sorted(set(verdicts))))


def refresh_bench(data: bytes, n: int = 100) -> None:
    with ListServer() as srv, tempfile.TemporaryDirectory() as tmp:
        srv.set("/list.csv", Answer(body=data, headers={"ETag": '"v1"', "Content-Type": "text/csv"}, etag_304='"v1"'))
        src = ConsentSource(url=srv.url("/list.csv"), data_dir=tmp, policy=FetchPolicy(attempts=1))
        src.start()
        assert src.refresh().status == "unchanged"
        url = srv.url("/list.csv")
        ours = median_time(src.refresh, n)
        base = median_time(lambda: httpx.get(url, headers={"If-None-Match": '"v1"'}), n)
        line("refresh, unchanged list (304)", ours, base, base_label="httpx.get 304")
        srv.set("/list.csv", Answer(body=data))  # no validators: the bytes come again
        src = ConsentSource(url=url, data_dir=Path(tmp) / "b", policy=FetchPolicy(attempts=1))
        src.start()
        assert src.refresh().status == "unchanged"
        ours = median_time(src.refresh, 20)
        base = median_time(lambda: httpx.get(url), 20)
        line(f"refresh, same {len(data) // 1024} KiB again (200)", ours, base, base_label="httpx.get 200")


def main() -> None:
    data = list_bytes()
    parse_and_index(data)
    directory_bench()
    refresh_bench(data)


if __name__ == "__main__":
    main()
