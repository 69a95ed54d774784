#!/usr/bin/env python3
"""Build the school directory snapshot that ships in the package.

Usage (from the project's root)::

    .venv/bin/python scripts/build_directory.py --as-of 2024-11-22 \\
        ../shared/data/schools/vo_vestigingen.csv ../shared/data/schools/po_vestigingen.csv \\
        ../shared/data/schools/so_sbo_vso_vestigingen.csv

Input: DUO's files of school locations (https://duo.nl/open_onderwijsdata/, CC0 1.0), raw
(Windows-1252, semicolons, ``VESTIGINGSCODE``, ``VESTIGINGSNAAM``, …) or cleaned (``brin``,
``vestigingscode``, ``name``, ``city``, ``website``, ``sector``, …); a raw file's sector
comes from ``--sector`` (one per file, in order) or its name (``vo``, ``basisonderwijs``,
``sbo``/``so``/``vso``).

Output: ``bot/data/duo-vestigingen.csv.gz`` (UTF-8 CSV, gzip without a timestamp so the same
input gives the same bytes: vestigingscode, name, city, gemeente, website without scheme or
``www.``, denomination, sector) and ``bot/data/duo-vestigingen.json`` (its date, sources,
licence and attribution, locations per sector, and the SHA-256 of each input). Exit status 1
with one line on standard error when an input is unreadable.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.directory import (ATTRIBUTION, DUO_URLS, SNAPSHOT, SNAPSHOT_FIELDS, SNAPSHOT_META,  # noqa: E402
                           compact_website, read_file, sector_of)
from bot.errors import ConsentListError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("files", nargs="+", type=Path, help="DUO location files (raw or cleaned CSV)")
    p.add_argument("--as-of", required=True, help="the date of DUO's data, YYYY-MM-DD")
    p.add_argument("--sector", action="append", default=[], help="the sector of each file, in order (VO, PO, SPECIAAL)")
    p.add_argument("--out", type=Path, default=SNAPSHOT, help=f"the snapshot to write (default {SNAPSHOT})")
    args = p.parse_args(argv)
    rows: dict[str, list[str]] = {}
    inputs = []
    counts: dict[str, int] = {}
    for i, f in enumerate(args.files):
        sector = args.sector[i] if i < len(args.sector) else sector_of(f.name)
        try:
            read = read_file(f, sector=sector)
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
        except (ConsentListError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        inputs.append({"file": f.name, "sha256": digest, "locations": len(read.schools), "skipped": len(read.faults)})
        for s in read.schools:
            if s.vestigingscode and s.vestigingscode not in rows:
                rows[s.vestigingscode] = [s.vestigingscode, s.name, s.city, s.gemeente, compact_website(s.website),
                                          s.denomination, s.sector]
                counts[s.sector or "?"] = counts.get(s.sector or "?", 0) + 1
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(SNAPSHOT_FIELDS)
    for code in sorted(rows):
        w.writerow(rows[code])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gzip.compress(out.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    meta = {"name": f"DUO {args.as_of}", "as_of": args.as_of, "locations": len(rows), "sectors": counts,
            "attribution": ATTRIBUTION,
            "licence": "CC0 1.0: DUO's open education data (https://duo.nl/open_onderwijsdata/footer/"
                       "veelgestelde-vragen/hergebruik.jsp)",
            "sources": [url for _, url in DUO_URLS], "inputs": inputs,
            "built_by": "scripts/build_directory.py"}
    meta_path = SNAPSHOT_META if args.out == SNAPSHOT else args.out.with_name(args.out.name.split(".")[0] + ".json")
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} locations ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}) -> {args.out} "
          f"({args.out.stat().st_size:,} bytes), {meta_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
