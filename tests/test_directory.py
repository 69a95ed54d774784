"""The DUO school directory (bot/directory.py): import of raw and cleaned DUO files, storage,
the embedded snapshot, ``schools update`` from DUO's URLs (a real HTTP server on 127.0.0.1),
and lookups that answer ``not_granted`` for a real school that is not on the list.

Changed with issue 9: ``DirectoryMatcher`` is gone; ``SchoolMatcher(consent, directory=…)``
links the list to the directory once. Where a test's expectation changed, its comment says why."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.consentlist import ConsentList, School
from bot.core import Bot
from bot.directory import DIRECTORY_FILE, Directory, dutch_title, read_file
from bot.schools import SchoolMatcher
from bot.errors import ConsentListError
from bot.render import lookup_text
from conftest import run_cli
from consent_http import Answer, ListServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DUO_HEADER = ("PROVINCIE;BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;STRAATNAAM;"
              "HUISNUMMER-TOEVOEGING;POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE;TELEFOONNUMMER;"
              "INTERNETADRES;ONDERWIJSSTRUCTUUR;STRAATNAAM CORRESPONDENTIEADRES;PLAATSNAAM CORRESPONDENTIEADRES")
DUO_ROWS = [  # as DUO writes them: places in capitals, long legal names, "; ;" for empty
    "Zuid-Holland;1;20DP;20DP00;Stedelijk Gymnasium;Fruinlaan;15;2313 ER;LEIDEN;0546;LEIDEN;Openbaar; ; ;VWO;Postbus;LEIDEN",
    "Zuid-Holland;2;30GD;30GD00;Stedelijk Gymnasium Socrates;Straat;1;2300 AA;LEIDEN;0546;LEIDEN;Openbaar; ; ;VWO; ;LEIDEN",
    "Noord-Brabant;3;03AM;03AM00;Stedelijk Gymnasium Breda;Straat;1;4800 AA;BREDA;0758;BREDA;Openbaar; ; ;VWO; ;BREDA",
    "Noord-Holland;4;21AF;21AF00;Vossius Gymnasium;Straat;1;1000 AA;AMSTERDAM;0363;AMSTERDAM;Openbaar; ; ;VWO; ;AMSTERDAM",
    "Noord-Holland;5;21AB;21AB00;Barlaeus Gymnasium;Straat;1;1000 AA;AMSTERDAM;0363;AMSTERDAM;Openbaar; ; ;VWO; ;X",
    "Noord-Holland;6;21BH;21BH00;Dalton Scholengemeenschap Spinozalyceum voor Vwo Havo Mavo;Straat;1;1000 AA;AMSTERDAM;"
    "0363;AMSTERDAM;Openbaar; ; ;HAVO/VWO; ;X",
    "Noord-Holland;6;21BH;21BH02;Dalton Scholengemeenschap Spinozalyceum voor Vwo Havo Mavo;Straat;2;1000 AA;AMSTERDAM;"
    "0363;AMSTERDAM;Openbaar; ; ;VBO/MAVO; ;X",
    "Zuid-Holland;7;20LU;20LU00;Gymnasium Haganum;Straat;1;2500 AA;'S-GRAVENHAGE;0518;'S-GRAVENHAGE;Openbaar; ; ;VWO; ;X",
    "Gelderland;8;16YV;16YV00;Regionale Scholengemeenschap Pantarijn voor Lyc Havo Mavo Vbo Pro Lwoo;Straat;1;6700 AA;"
    "WAGENINGEN;0289;WAGENINGEN;Openbaar; ; ;VBO/MAVO/HAVO/VWO; ;X",
    "Gelderland;8;16YV;16YV02;Regionale Scholengemeenschap Pantarijn voor Lyc Havo Mavo Vbo Pro Lwoo;Straat;2;3910 AA;"
    "RHENEN;0340;RHENEN;Openbaar; ; ;VBO/MAVO; ;X",
    "Noord-Holland;9;00AA;00AA00;Het Schoter;Straat;1;2000 AA;HAARLEM;0392;HAARLEM;Openbaar; ; ;HAVO/VWO; ;X",
    "Utrecht;10;00VY;00VY00;Cals College Roomskatholiek Scholengemeenschap voor Lyceum Havo Mavo Vbo;Straat;1;3430 AA;"
    "NIEUWEGEIN;0356;NIEUWEGEIN;Bijzonder; ; ;VBO/MAVO/HAVO/VWO; ;X",
    "Utrecht;11;99ZZ;99ZZ00;Carré College voor Havo Vwo;Straat;1;3800 AA;AMERSFOORT;0307;AMERSFOORT;Bijzonder; ; ;HAVO/VWO; ;X",
    "Utrecht;12;98ZZ;98ZZ00; ;Straat;1;3800 AA;AMERSFOORT;0307;AMERSFOORT;Bijzonder; ; ;HAVO/VWO; ;X",
    "Utrecht;11;99ZZ;99ZZ00;Carré College (dubbel);Straat;1;3800 AA;AMERSFOORT;0307;AMERSFOORT;Bijzonder; ; ;HAVO; ;X",
]


@pytest.fixture()
def duo_file(tmp_path):
    p = tmp_path / "02.-alle-vestigingen-vo.csv"
    p.write_bytes(("\r\n".join([DUO_HEADER, *DUO_ROWS]) + "\r\n").encode("cp1252"))
    return p


@pytest.fixture()
def directory(duo_file):
    return Directory(read_file(duo_file).schools, "test")


def listed(*rows):
    """A consent list of (name, host, city, vestigingscode) rows."""
    return ConsentList(tuple(School(n, f"{h}.magister.net" if h else "", c, code[:4], code, i)
                             for i, (n, h, c, code) in enumerate(rows, 1)), "test")


LIST = listed(("Stedelijk Gymnasium Breda", "gymnasiumbreda", "", ""), ("Het Schoter", "schoter", "", ""),
              ("SG Dalton", "daltonvoorburg", "", ""), ("Cals College", "cals", "", ""))


# -- reading DUO files ---------------------------------------------------------------------------
def test_raw_duo_file(duo_file):
    got = read_file(duo_file)
    by_code = {s.vestigingscode: s for s in got.schools}
    assert len(got.schools) == 13
    assert by_code["20DP00"].name == "Stedelijk Gymnasium" and by_code["20DP00"].city == "Leiden"
    assert by_code["20DP00"].brin == "20DP" and by_code["20LU00"].city == "'s-Gravenhage"
    assert by_code["99ZZ00"].name == "Carré College voor Havo Vwo"  # Windows-1252 read right
    assert got.faults == ("row 14: no school name", "row 15: vestigingscode 99ZZ00 again (kept the first)")


@pytest.mark.skipif(not (SHARED / "data" / "schools").exists(), reason="../shared/data/schools not here")
@pytest.mark.parametrize("name,rows", [("vo_vestigingen.csv", 1619), ("so_sbo_vso_vestigingen.csv", 888)])
def test_cleaned_duo_files(name, rows):
    got = read_file(SHARED / "data" / "schools" / name)
    assert len(got.schools) == rows and got.faults == ()
    assert all(s.name and s.city and re.fullmatch(r"[0-9A-Z]{4}\d\d", s.vestigingscode) for s in got.schools)


def test_a_file_that_is_no_school_list(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ConsentListError, match="no name column"):
        read_file(p)
    with pytest.raises(ConsentListError, match="No such file"):
        read_file(tmp_path / "missing.csv")


@pytest.mark.parametrize("raw,title", [("ALPHEN AAN DEN RIJN", "Alphen aan den Rijn"), ("'S-GRAVENHAGE", "'s-Gravenhage"),
                                       ("IJMUIDEN", "IJmuiden"), ("BERGEN (NH)", "Bergen (NH)"), ("Den Haag", "Den Haag"),
                                       ("DEN HAAG", "Den Haag"), ("", "")])
def test_dutch_title(raw, title):
    assert dutch_title(raw) == title


def test_save_load_and_merge(directory, tmp_path):
    path = tmp_path / "data" / DIRECTORY_FILE
    directory.save(path)
    again = Directory.load(path)
    assert again.schools == directory.schools
    merged = again.merge([School("Vossius Gymnasium", city="Amsterdam-Zuid", brin="21AF", vestigingscode="21AF00"),
                          School("Nieuw Lyceum", city="Bilthoven", brin="01AB", vestigingscode="01AB00")])
    assert (merged.added, merged.updated, merged.unchanged) == (1, 1, 0) and len(merged.directory) == 14
    same = again.merge(directory.schools)
    assert (same.added, same.updated, same.unchanged) == (0, 0, 13)
    fresh = again.merge([School("Nieuw Lyceum", vestigingscode="01AB00")], replace_all=True)
    assert len(fresh.directory) == 1
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ConsentListError, match="not a directory file"):
        Directory.load(path)


# -- lookups with the directory ------------------------------------------------------------------
def test_a_real_school_not_on_the_list_is_not_granted(directory):
    m = SchoolMatcher(LIST, directory=directory)
    lk = m.lookup("Stedelijk Gymnasium Leiden")
    assert lk.status == "not_granted" and (lk.match.name, lk.match.city, lk.match.brin) == ("Stedelijk Gymnasium", "Leiden", "20DP")
    assert lk.reason == "" and lk.to_json()["match"]["vestigingscode"] == "20DP00"
    text = lookup_text(lk)
    assert "*Stedelijk Gymnasium* in Leiden (BRIN 20DP) staat niet op de lijst" in text
    assert "`verzoek Stedelijk Gymnasium Leiden`" in text
    assert m.lookup("vossius gymnasium").match.vestigingscode == "21AF00"
    assert m.lookup("Gymnasium Haganum Den Haag").match.name == "Gymnasium Haganum"
    # issue 9: the directory's name adds "Dalton Scholengemeenschap", so the one school is offered
    # as a question, never granted ("SG Dalton" on the list is another school).
    spinoza = m.lookup("spinoza lyceum")
    assert spinoza.status == "ambiguous" and spinoza.candidates[0].name == "Dalton Scholengemeenschap Spinozalyceum"
    assert not spinoza.is_listed(0)
    pantarijn = m.lookup("RSG Pantarijn")  # one institution in two places: still one school
    assert pantarijn.status == "not_granted" and pantarijn.match.brin == "16YV"
    assert m.lookup("21AB").match.name == "Barlaeus Gymnasium"


def test_what_the_list_grants_stays_granted_and_gains_a_place(directory):
    m = SchoolMatcher(LIST, directory=directory)
    lk = m.lookup("het schoter")
    assert lk.status == "granted" and lk.match.name == "Het Schoter" and lk.match.city == "Haarlem"
    assert "*Het Schoter* in Haarlem staat op de lijst" in lookup_text(lk)
    breda = m.lookup("Stedelijk Gymnasium Breda")
    assert breda.status == "granted" and breda.match.host == "gymnasiumbreda.magister.net" and breda.match.brin == "03AM"
    # issue 9: "Cals College" is the only school of that name in this directory (a strong link),
    # so it gains the place; a weak link never gives one.
    assert m.lookup("cals college").match.city == "Nieuwegein"


def test_not_found_stays_not_found(directory):
    m = SchoolMatcher(LIST, directory=directory)
    for q in ("Erasmiaans Gymnasium", "asdfgh", "lyceum", "lyceum amsterdam", "Stedelijk Gymnasium", "???",
              "kw1c.magister.net", "gymnasium wageningen"):
        assert m.lookup(q).status in ("not_found", "ambiguous"), q


def test_never_not_granted_for_a_school_the_list_may_hold(directory):
    # Listed by name without a place: the directory's "Vossius Gymnasium" may be it.
    m = SchoolMatcher(listed(("Vossius Gymnasium", "vossius", "", ""), ("Stedelijk Gymnasium", "sg", "", "")),
                      directory=directory)
    # issue 9: the list's Vossius Gymnasium is linked to the directory's by its whole name, so a
    # code is a question ("ambiguous", the entry offered) where it was not_found; never a verdict.
    assert m.lookup("21AF").status == "ambiguous" and m.lookup("21AF").candidates[0].name == "Vossius Gymnasium"
    assert m.lookup("20DP").status not in ("granted", "not_granted")
    assert m.lookup("Stedelijk Gymnasium Leiden").status not in ("granted", "not_granted")


def test_granted_only_through_a_clear_link(directory, tmp_path):
    # The same vestigingscode: the list's "SGL" is the directory's Stedelijk Gymnasium in Leiden.
    m = SchoolMatcher(listed(("SGL", "sgl", "", "20DP00")), directory=directory)
    lk = m.lookup("Stedelijk Gymnasium Leiden")
    assert lk.status == "granted" and lk.match.name == "SGL" and lk.match.city == "Leiden" and lk.reason == ""
    assert m.lookup("20DP").status == "granted"
    # The same name and place: a strong link, so the name is granted; a BRIN alone (issue 9) only
    # through an exact link (the list's own code, or an override), else it is a question.
    m = SchoolMatcher(listed(("Stedelijk Gymnasium Leiden", "sgleiden", "", "")), directory=directory)
    assert m.lookup("Stedelijk Gymnasium Leiden").status == "granted"
    assert m.lookup("20DP").status == "ambiguous"
    # The same Magister host, known to the directory: exact.
    with_host = directory.merge([School("Barlaeus Gymnasium", "barlaeus.magister.net", "Amsterdam", "21AB", "21AB00")])
    m = SchoolMatcher(listed(("Het Barlaeus", "barlaeus", "", "")), directory=with_host.directory)
    lk = m.lookup("21AB")
    assert lk.status == "granted" and lk.match.name == "Het Barlaeus"
    # A name alone is no link: another "Stedelijk Gymnasium" is not this one.
    m = SchoolMatcher(listed(("Stedelijk Gymnasium", "x", "Haarlem", "")), directory=directory)
    assert m.lookup("20DP").status != "granted"


def test_the_bot_loads_the_directory_from_data_dir(directory, tmp_path):
    directory.save(tmp_path / DIRECTORY_FILE)
    path = tmp_path / "lijst.csv"
    path.write_text("naam,host\nHet Schoter,schoter\n", encoding="utf-8")
    bot = Bot.from_settings(Settings(consent_list_path=path, data_dir=tmp_path))
    assert bot.lookup("Vossius Gymnasium").status == "not_granted"
    reply = bot.draft_reply("Vossius Gymnasium")
    assert reply.draft is not None and reply.lookup.status == "not_granted"
    # A new list keeps the directory.
    bot.set_consent_list(listed(("Vossius Gymnasium", "vossius", "Amsterdam", "")))
    assert bot.lookup("Vossius Gymnasium").status == "granted"
    # A broken directory is left out, not fatal.
    (tmp_path / DIRECTORY_FILE).write_text("\x00\x01", encoding="latin-1")
    assert Bot.from_settings(Settings(consent_list_path=path, data_dir=tmp_path)).directory is None


# -- the command line ----------------------------------------------------------------------------
def run(*args, env=None, stdin=""):
    return run_cli(*args, env=env, stdin=stdin)


def test_schools_import_then_lookups(duo_file, tmp_path):
    env = {"DATA_DIR": str(tmp_path / "data")}
    r = run("schools", "import", str(duo_file), env=env)
    assert r.returncode == 0, r.stderr
    assert "13 vestigingen gelezen" in r.stdout and "13 nieuw" in r.stdout and "2 rijen overgeslagen:" in r.stdout
    assert "row 14: no school name" in r.stdout
    again = json.loads(run("schools", "import", "--json", str(duo_file), env=env).stdout)
    assert (again["added"], again["unchanged"], again["total"]) == (0, 13, 13)
    lst = tmp_path / "lijst.csv"
    lst.write_text("naam,host\nHet Schoter,schoter\n", encoding="utf-8")
    text = run("school", "--consent-list", str(lst), "Stedelijk Gymnasium Leiden", env=env).stdout
    assert "*Stedelijk Gymnasium* in Leiden (BRIN 20DP) staat niet op de lijst" in text
    bad = run("schools", "import", str(tmp_path / "missing.csv"), env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("error: school directory") and "Traceback" not in bad.stderr


def _score(eval_set: str, env: dict) -> tuple[int, int, int, list[str]]:
    """``../shared/eval/lookup_eval.py`` on ``eval_set`` against the fixture list, with ``env``:
    (right, total, false-granted, misses)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(("CONSENT_", "DATA_DIR", "DIRECTORY_"))}
    out = subprocess.run([sys.executable, str(SHARED / "eval" / "lookup_eval.py"), str(SHARED / "eval" / eval_set),
                          str(SHARED / "data" / "consent" / "consent-list.csv")], capture_output=True, text=True,
                         cwd=ROOT, env={**e, **env}, timeout=300).stdout
    m = re.search(r"right (\d+)/(\d+).*false-granted (\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), [x for x in out.splitlines() if x.startswith("MISS")]


@pytest.mark.skipif(not (SHARED / "eval" / "lookup_eval.py").exists(), reason="../shared/eval not here")
@pytest.mark.parametrize("eval_set", ["lookup-dev.yaml", "lookup-dev-2.yaml"])
def test_lookup_eval_with_the_embedded_directory_and_without_any(eval_set, tmp_path):
    """Issue 9's bar: with only the embedded directory, right >= 95% and no false grant; with no
    directory at all (DIRECTORY_PATH an empty file), still no false grant. (This replaces the
    test of an imported VO directory: the embedded directory is always there now.)"""
    right, total, false_granted, misses = _score(eval_set, {"DATA_DIR": str(tmp_path / "data")})
    assert false_granted == 0 and right >= 0.95 * total, misses
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert _score(eval_set, {"DATA_DIR": str(tmp_path / "data"), "DIRECTORY_PATH": str(empty)})[2] == 0


def test_import_refuses_a_file_that_is_no_duo_school_list(tmp_path):
    env = {"DATA_DIR": str(tmp_path / "data")}
    consent = tmp_path / "consent-list.csv"
    consent.write_text("name,magister_host\nCals College,cals.magister.net\nVossius Gymnasium,vossius\n", encoding="utf-8")
    tenants = tmp_path / "magister_tenants_2022.csv"  # the shape of ../shared/data/schools/magister_tenants_2022.csv
    tenants.write_text("tenant_id,name,subdomain,url\n32b7e0f3,'t Atrium,atrium,https://atrium.magister.net\n",
                       encoding="utf-8")
    for f in (consent, tenants):
        r = run("schools", "import", str(f), env=env)
        assert r.returncode == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1
        assert r.stderr.startswith(f"error: {f}: not a DUO school file: no BRIN or vestigingscode column (")
        assert "INSTELLINGSCODE" in r.stderr and "VESTIGINGSCODE" in r.stderr
    assert not (tmp_path / "data" / DIRECTORY_FILE).exists()


def test_import_rows_without_a_code_are_skipped_and_rows_kept_with_a_warning_are_not(tmp_path):
    f = tmp_path / "scholen.csv"
    f.write_text("brin,vestigingscode,name,city,host\n20DP,20DP00,Stedelijk Gymnasium,Leiden,\n,,Zonder Code,Delft,\n"
                 "21AF,21AF00,Vossius Gymnasium,Amsterdam,geen host!\n", encoding="utf-8")
    got = read_file(f)
    assert [s.vestigingscode for s in got.schools] == ["20DP00", "21AF00"]
    assert got.faults == ("row 2: no BRIN or vestigingscode",)
    assert got.warnings == ("row 3: 'geen host!' is no Magister host (kept without host)",)
    env = {"DATA_DIR": str(tmp_path / "data")}
    r = run("schools", "import", str(f), env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["1 rijen overgeslagen:", "  row 2: no BRIN or vestigingscode",
                                         "Rijen ingelezen met een waarschuwing: 1",
                                         "  row 3: 'geen host!' is no Magister host (kept without host)"]
    got = json.loads(run("schools", "import", "--json", str(f), env=env).stdout)
    assert got["faults"] == ["row 2: no BRIN or vestigingscode"] and len(got["warnings"]) == 1 and got["total"] == 2
    only_bad = tmp_path / "zonder.csv"
    only_bad.write_text("brin,vestigingscode,name\n,,Zonder Code\n", encoding="utf-8")
    with pytest.raises(ConsentListError, match=r"no usable row \(1 rows skipped: row 1: no BRIN or vestigingscode\)"):
        read_file(only_bad)


# -- the embedded snapshot ------------------------------------------------------------------------
def test_the_embedded_directory_is_duo_s_with_its_date_and_attribution():
    d = Directory.embedded()
    assert d is Directory.embedded()  # read once per process
    info = d.info()
    assert len(d) > 8000 and info["as_of"].startswith("2024-11-22") and "CC0" in info["attribution"]
    sectors = {s.sector for s in d.schools}
    assert sectors == {"VO", "PO", "SPECIAAL"} and all(s.vestigingscode and s.city for s in d.schools)
    meta = json.loads((ROOT / "bot" / "data" / "duo-vestigingen.json").read_text(encoding="utf-8"))
    assert meta["locations"] == len(d) and "CC0" in meta["licence"] and len(meta["inputs"]) == 3


def test_replies_say_how_old_the_directory_is(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text("naam,host\nHet Schoter,schoter\n", encoding="utf-8")
    bot = Bot.from_settings(Settings(consent_list_path=path, data_dir=tmp_path / "data"))
    assert bot.directory is Directory.embedded()
    text = lookup_text(bot.lookup("Vossius Gymnasium"))
    assert "DUO-scholenlijst van 22-11-2024" in text and "*Vossius Gymnasium* in Amsterdam" in text


def test_an_empty_directory_path_is_no_directory(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    path = tmp_path / "lijst.csv"
    path.write_text("naam,host\nHet Schoter,schoter\n", encoding="utf-8")
    bot = Bot.from_settings(Settings(consent_list_path=path, data_dir=tmp_path, directory_path=empty))
    assert bot.schools.directory is None and "DUO" not in lookup_text(bot.lookup("Vossius Gymnasium"))
    assert bot.lookup("Vossius Gymnasium").status == "not_found" and bot.lookup("het schoter").status == "granted"


def test_the_build_script_writes_the_same_snapshot_from_the_same_files(duo_file, tmp_path):
    out = tmp_path / "snap" / "duo-vestigingen.csv.gz"
    cmd = [sys.executable, str(ROOT / "scripts" / "build_directory.py"), "--as-of", "2026-01-02", "--sector", "VO",
           "--out", str(out), str(duo_file)]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert first.returncode == 0, first.stderr
    data = out.read_bytes()
    assert subprocess.run(cmd, capture_output=True, cwd=ROOT, timeout=120).returncode == 0
    assert out.read_bytes() == data  # no timestamp in the gzip: reproducible
    meta = json.loads((out.parent / "duo-vestigingen.json").read_text(encoding="utf-8"))
    assert meta["as_of"] == "2026-01-02" and meta["locations"] == 13 and meta["sectors"] == {"VO": 13}
    assert meta["inputs"][0]["file"] == duo_file.name and len(meta["inputs"][0]["sha256"]) == 64
    bad = subprocess.run([*cmd[:-1], str(tmp_path / "missing.csv")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 1 and bad.stderr.startswith("error: ")


# -- schools update: DUO's files over HTTP ---------------------------------------------------------
def _duo_bytes(rows) -> bytes:
    return ("\r\n".join([DUO_HEADER, *rows]) + "\r\n").encode("cp1252")


@pytest.fixture()
def duo_server():
    with ListServer() as srv:
        yield srv


def _update_env(srv, tmp_path) -> dict:
    return {"DATA_DIR": str(tmp_path / "data"), "DIRECTORY_URLS": ",".join(srv.url(p) for p in (
        "/02.-alle-vestigingen-vo.csv", "/09.-alle-vestigingen-sbo-so-en-vso.csv"))}


def test_schools_update_fetches_validates_and_keeps_the_last_good_copy(duo_server, tmp_path):
    so = ["Gelderland;9;99SO;99SO00;De Bolster School voor Speciaal Onderwijs;Straat;1;7000 AA;VOORST;1;VOORST;"
          "Openbaar; ; ;SO; ;X"]
    duo_server.set("/02.-alle-vestigingen-vo.csv", Answer(body=_duo_bytes(DUO_ROWS), headers={"ETag": '"vo1"'},
                                                       etag_304='"vo1"'))
    duo_server.set("/09.-alle-vestigingen-sbo-so-en-vso.csv", Answer(body=_duo_bytes(so), headers={"ETag": '"so1"'},
                                                                   etag_304='"so1"'))
    env = _update_env(duo_server, tmp_path)
    r = run("schools", "update", "--json", env=env)
    got = json.loads(r.stdout)
    assert r.returncode == 0 and got["status"] == "updated" and got["directory"]["locations"] == 14, r.stderr
    saved = Directory.load(tmp_path / "data" / DIRECTORY_FILE)
    assert {s.sector for s in saved.schools} == {"VO", "SPECIAAL"} and saved.as_of is not None
    # Unchanged: both files answer 304 to the validators of the last update.
    again = run("schools", "update", env=env)
    assert again.returncode == 0 and again.stdout.startswith("✅ Scholenlijst ongewijzigd: 14 vestigingen")
    assert all(h.get("If-None-Match") for p, h in duo_server.requests[-2:])
    # An HTML page in place of a file: refused, the last good copy stays.
    duo_server.set("/02.-alle-vestigingen-vo.csv", Answer(body=b"<!doctype html><html>maintenance</html>"))
    refused = run("schools", "update", env=env)
    assert refused.returncode == 1 and "geweigerd" in refused.stdout and "HTML" in refused.stdout
    assert len(Directory.load(tmp_path / "data" / DIRECTORY_FILE)) == 14
    # A file that lost most of its rows: refused unless --force.
    duo_server.set("/02.-alle-vestigingen-vo.csv", Answer(body=_duo_bytes(DUO_ROWS[:2])))
    assert run("schools", "update", env=env).returncode == 1
    forced = json.loads(run("schools", "update", "--force", "--json", env=env).stdout)
    assert forced["status"] == "updated" and forced["directory"]["locations"] == 3 and forced["removed"] == 11
    # The server down: failed, the directory in use stays.
    duo_server.set("/02.-alle-vestigingen-vo.csv", Answer(status=404, body=b"gone"))
    failed = run("schools", "update", env=env)
    assert failed.returncode == 1 and "HTTP 404" in failed.stdout
    assert len(Directory.load(tmp_path / "data" / DIRECTORY_FILE)) == 3
