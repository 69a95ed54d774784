"""Stress the school lookup with queries nobody labelled: how often does it say "granted"?

Run from the project's root: ``.venv/bin/python bench/stress_lookup.py [--examples N]``. Needs
``../shared/data`` (the fixture consent list, the 2022 Magister tenant list and DUO's files);
reads them, copies nothing. Three sets of queries, each run with the embedded DUO directory
and with no directory at all (``DIRECTORY_PATH`` an empty file):

1. **Tenants not on the list**: every Magister tenant (2022) whose host is not on the list,
   written six ways (as is, lower case, upper case, the first word left out, the last word left
   out, one letter swapped). A grant is wrong, except when a listed entry has the very same
   name (another tenant of that name: no name can tell them apart); those are counted apart.
2. **Listed names with a wrong city**: every listed name with two big cities where the
   school is not (not its linked place, not a place in its name). A grant without the caveat
   "de lijst noemt geen plaats" is a wrong grant; one with it says the place is unconfirmed.
3. **DUO names that are not VO schools**: every primary and special-education location's
   name as DUO writes it, its short name, and its short name with its place. A grant is wrong
   unless the listed entry is that school (the list has a few special-education tenants):
   counted apart when the granted entry is linked to the very location.

Prints the counts per set and mode, and up to ``--examples`` (default 5) grants of each kind.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.consentlist import load  # noqa: E402
from bot.directory import Directory  # noqa: E402
from bot.names import identity_key, short_name  # noqa: E402
from bot.schools import SchoolMatcher  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
CITIES = ["Amsterdam", "Rotterdam", "Utrecht", "Groningen", "Maastricht", "Eindhoven", "Zwolle", "Leeuwarden",
          "Middelburg", "Enschede", "Nijmegen", "Tilburg", "Haarlem", "Almere", "Breda", "Leiden"]


def variants(name: str, rnd: random.Random) -> list[str]:
    words = name.split()
    out = [name, name.lower(), name.upper()]
    if len(words) >= 3:
        out += [" ".join(words[1:]), " ".join(words[:-1])]
    if len(name) > 6:
        i = rnd.randrange(1, len(name) - 2)
        out.append(name[:i] + name[i + 1] + name[i] + name[i + 2:])
    return out


def tenant_queries(consent, rnd) -> list[str]:
    hosts = consent.hosts
    out = []
    with open(SHARED / "schools" / "magister_tenants_2022.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if f"{row['subdomain'].lower()}.magister.net" not in hosts:
                out += variants(row["name"], rnd)
    return out


def wrong_city_queries(consent, matcher, rnd) -> list[tuple[str, int]]:
    groups = matcher.directory.groups() if matcher.directory else []
    out = []
    for i, s in enumerate(consent.schools):
        lk = matcher.links.of(i)
        known = {groups[g].city.casefold() for g in lk.groups} | {s.city.casefold()}
        cities = [c for c in CITIES if c.casefold() not in known and c.casefold() not in s.name.casefold()]
        for c in rnd.sample(cities, 2):
            out.append((f"{s.name} {c}", i))
    return out


def duo_queries() -> list[tuple[str, str]]:
    out = []
    for f in ("po_vestigingen.csv", "so_sbo_vso_vestigingen.csv"):
        with open(SHARED / "schools" / f, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                short = short_name(row["name"])
                for q in dict.fromkeys([row["name"], short, f"{short} {row['city']}"]):
                    out.append((q, row["vestigingscode"]))
    return out


def run(matcher, label: str, consent, examples: int, rnd_seed: int = 7) -> None:
    rnd = random.Random(rnd_seed)
    keys = {identity_key(s.name) for s in consent.schools}
    print(f"== {label}")

    tq = tenant_queries(consent, rnd)
    granted = [(q, r.match.name) for q in tq if (r := matcher.lookup(q)).status == "granted"]
    same = [g for g in granted if identity_key(g[0]) in keys or identity_key(g[1]) == identity_key(g[0])]
    print(f"1. tenants not on the list: {len(granted)} grants in {len(tq)} queries "
          f"({len(same)} of them the very name of a listed entry)")
    for q, name in [g for g in granted if g not in same][:examples]:
        print(f"     {q!r} -> {name!r}")

    wq = wrong_city_queries(consent, matcher, rnd)
    results = [(q, matcher.lookup(q)) for q, _ in wq]
    plain = [(q, r.match.name, r.match.city) for q, r in results if r.status == "granted" and not r.reason]
    caveat = [q for q, r in results if r.status == "granted" and r.reason]
    print(f"2. listed names with a wrong city: {len(plain) + len(caveat)} grants in {len(wq)} queries "
          f"({len(caveat)} with the caveat that the list names no place, {len(plain)} without)")
    for q, name, city in plain[:examples]:
        print(f"     {q!r} -> {name!r} ({city})")

    dq = duo_queries()
    groups = matcher.directory.groups() if matcher.directory else []
    wrong, right = [], 0
    for q, code in dq:
        r = matcher.lookup(q)
        if r.status != "granted":
            continue
        entry = next((i for i, s in enumerate(consent.schools) if s is r.match or s.name == r.match.name), None)
        linked = entry is not None and any(code in groups[g].codes for g in matcher.links.of(entry).groups)
        if linked:
            right += 1
        else:
            wrong.append((q, r.match.name))
    print(f"3. DUO names that are not VO schools: {len(wrong) + right} grants in {len(dq)} queries "
          f"({right} for a listed entry linked to that very location)")
    for q, name in wrong[:examples]:
        print(f"     {q!r} -> {name!r}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--examples", type=int, default=5)
    args = p.parse_args()
    if not SHARED.exists():
        print("../shared/data not found")
        return 2
    consent = load(SHARED / "consent" / "consent-list.csv")
    run(SchoolMatcher(consent, directory=Directory.embedded()).warm(), "with the embedded directory", consent,
        args.examples)
    run(SchoolMatcher(consent).warm(), "without a directory", consent, args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
