"""The DUO school directory (bot/directory.py): import of raw and cleaned DUO files, storage,
and lookups that answer ``not_granted`` for a real school that is not on the list."""
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
from bot.directory import (DIRECTORY_FILE, Directory, DirectoryMatcher, dutch_title, read_file, short_name)
from bot.errors import ConsentListError
from bot.render import lookup_text
from conftest import run_cli

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


@pytest.mark.parametrize("name,short", [
    ("Het Stedelijk Kottenpark praktijkonderwijs, vmbo, havo, atheneum en gymnasium", "Het Stedelijk Kottenpark"),
    ("Openbare Scholengemeenschap voor Lyceum Havo Mavo Vbo Lwoo Esdal College", "Openbare Scholengemeenschap Esdal College"),
    ("Hondsrug College Christelijke SGM voor LYC HAVO MAVO VBO LWOO", "Hondsrug College Christelijke Scholengemeenschap"),
    ("Utrechts Stedelijk Gymnasium, openbare school voor vwo", "Utrechts Stedelijk Gymnasium, openbare school"),
    ("Carmelcollege Gouda voor tto gym ath havo mavo vmbo lwoo eoa", "Carmelcollege Gouda"),
    ("Stedelijk Gymnasium", "Stedelijk Gymnasium"),
    ("School voor Praktijkonderwijs Assen", "School voor Praktijkonderwijs Assen"),
    ("Havo Vwo", "Havo Vwo"),
])
def test_short_name(name, short):
    assert short_name(name) == short


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
    m = DirectoryMatcher(LIST, directory)
    lk = m.lookup("Stedelijk Gymnasium Leiden")
    assert lk.status == "not_granted" and (lk.match.name, lk.match.city, lk.match.brin) == ("Stedelijk Gymnasium", "Leiden", "20DP")
    assert lk.reason == "" and lk.to_json()["match"]["vestigingscode"] == "20DP00"
    text = lookup_text(lk)
    assert "*Stedelijk Gymnasium* in Leiden (BRIN 20DP) staat niet op de lijst" in text
    assert "`verzoek Stedelijk Gymnasium Leiden`" in text
    assert m.lookup("vossius gymnasium").match.vestigingscode == "21AF00"
    assert m.lookup("Gymnasium Haganum Den Haag").match.name == "Gymnasium Haganum"
    assert m.lookup("spinoza lyceum").status == "not_granted"  # "SG Dalton" on the list is another school
    pantarijn = m.lookup("RSG Pantarijn")  # one institution in two places: still one school
    assert pantarijn.status == "not_granted" and pantarijn.match.brin == "16YV"
    assert m.lookup("21AB").match.name == "Barlaeus Gymnasium"


def test_what_the_list_grants_stays_granted_and_gains_a_place(directory):
    m = DirectoryMatcher(LIST, directory)
    lk = m.lookup("het schoter")
    assert lk.status == "granted" and lk.match.name == "Het Schoter" and lk.match.city == "Haarlem"
    assert "*Het Schoter* in Haarlem staat op de lijst" in lookup_text(lk)
    breda = m.lookup("Stedelijk Gymnasium Breda")
    assert breda.status == "granted" and breda.match.host == "gymnasiumbreda.magister.net" and breda.match.brin == "03AM"
    assert m.lookup("cals college").match.city == ""  # no clear link: no place made up


def test_not_found_stays_not_found(directory):
    m = DirectoryMatcher(LIST, directory)
    for q in ("Erasmiaans Gymnasium", "asdfgh", "lyceum", "lyceum amsterdam", "Stedelijk Gymnasium", "???",
              "kw1c.magister.net", "gymnasium wageningen"):
        assert m.lookup(q).status in ("not_found", "ambiguous"), q


def test_never_not_granted_for_a_school_the_list_may_hold(directory):
    # Listed by name without a place: the directory's "Vossius Gymnasium" may be it.
    m = DirectoryMatcher(listed(("Vossius Gymnasium", "vossius", "", ""), ("Stedelijk Gymnasium", "sg", "", "")), directory)
    assert m.lookup("21AF").status == "not_found"
    assert m.lookup("20DP").status == "not_found"
    assert m.lookup("Stedelijk Gymnasium Leiden").status != "not_granted"


def test_granted_only_through_a_clear_link(directory, tmp_path):
    # The same vestigingscode: the list's "SGL" is the directory's Stedelijk Gymnasium in Leiden.
    m = DirectoryMatcher(listed(("SGL", "sgl", "", "20DP00")), directory)
    lk = m.lookup("Stedelijk Gymnasium Leiden")
    assert lk.status == "granted" and lk.match.name == "SGL" and lk.match.city == "Leiden" and lk.reason == ""
    # The same name and place.
    m = DirectoryMatcher(listed(("Stedelijk Gymnasium Leiden", "sgleiden", "", "")), directory)
    assert m.lookup("20DP").status == "granted"
    # The same Magister host, known to the directory.
    with_host = directory.merge([School("Barlaeus Gymnasium", "barlaeus.magister.net", "Amsterdam", "21AB", "21AB00")])
    m = DirectoryMatcher(listed(("Het Barlaeus", "barlaeus", "", "")), with_host.directory)
    lk = m.lookup("21AB")
    assert lk.status == "granted" and lk.match.name == "Het Barlaeus"
    # A name alone is no link: another "Stedelijk Gymnasium" is not this one.
    m = DirectoryMatcher(listed(("Stedelijk Gymnasium", "x", "Haarlem", "")), directory)
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


@pytest.mark.skipif(not (SHARED / "eval" / "lookup_eval.py").exists(), reason="../shared/eval not here")
def test_lookup_eval_with_the_vo_directory_never_wrongly_granted(tmp_path):
    """With the directory, a lookup may turn a grant into a question (two real Bonhoeffer
    Colleges, one listed), never into a wrong verdict: every miss is granted -> ambiguous."""
    data = tmp_path / "data"
    assert run("schools", "import", str(SHARED / "data" / "schools" / "vo_vestigingen.csv"),
               env={"DATA_DIR": str(data)}).returncode == 0

    def score(env):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("CONSENT_", "DATA_DIR", "DIRECTORY_"))}
        out = subprocess.run([sys.executable, str(SHARED / "eval" / "lookup_eval.py"), str(SHARED / "eval" / "lookup-dev.yaml"),
                              str(SHARED / "data" / "consent" / "consent-list.csv")], capture_output=True, text=True,
                             cwd=ROOT, env={**e, **env}, timeout=300).stdout
        m = re.search(r"right (\d+)/(\d+).*false-granted (\d+)", out)
        assert m, out
        misses = [line for line in out.splitlines() if line.startswith("MISS")]
        return int(m.group(1)), int(m.group(3)), misses

    without = score({"DATA_DIR": str(tmp_path / "empty")})
    with_dir = score({"DATA_DIR": str(data)})
    assert with_dir[1] == 0 and without[1] == 0
    assert all(re.match(r"MISS granted\s+.*: got ambiguous", m) for m in with_dir[2]), with_dir[2]
    assert with_dir[0] >= without[0] - 2


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
