"""Links from the consent list to the school directory (bot/linking.py), the overrides file and
``python -m bot consent links``."""
import json
from pathlib import Path

import pytest

from bot.consentlist import ConsentList, School, load
from bot.directory import Directory
from bot.linking import Evidence, LinkKind, board_prefixes, link, read_overrides
from bot.names import Places, analyse
from bot.schools import SchoolMatcher
from conftest import run_cli

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def duo(*rows):
    """A directory of (name, city, vestigingscode, website, sector) rows."""
    return Directory([School(n, "", c, code[:4], code, i, website=w, sector=sec)
                      for i, (n, c, code, w, sec) in enumerate(rows, 1)], "test")


def entries(*rows):
    return ConsentList(tuple(School(n, f"{h}.magister.net" if h else "", c, row=i)
                             for i, (n, h, c) in enumerate(rows, 1)), "test")


DIRECTORY = duo(
    ("Bonhoeffer College Scholengemeenschap voor Mavo Havo Vwo", "Castricum", "00ZD00", "www.bonhoeffer.nl", "VO"),
    ("Bonhoeffer College voor Gymnasium, Atheneum, Havo", "Enschede", "17VN00", "www.bc-enschede.nl", "VO"),
    ("Esloo VO voor bijzonder vwo, havo, mavo, vmbo, pro - Corbulo College", "Voorburg", "21GU04",
     "www.corbulocollege.nl", "VO"),
    ("Esloo VO voor bijzonder vwo, havo, mavo, vmbo, pro - Diamant College", "'s-Gravenhage", "21GU06",
     "www.diamantcollege.nl", "VO"),
    ("Nijmeegse Scholengemeenschap Groenewoud", "Nijmegen", "01ZZ00", "www.nsg-groenewoud.nl", "VO"),
    ("Agnieten College", "Zwolle", "02VT00", "www.agnietencollege.nl", "VO"),
    ("Agnieten College", "Wezep", "02VT01", "www.agnietencollege.nl", "VO"),
    ("De Wissel", "Goes", "30CC00", "", "PO"),
    ("De Wissel", "Leiden", "31CC00", "", "PO"),
    ("Openbare Scholengemeensschap Texel", "Den Burg", "16KP00", "www.dehogeberg.nl", "VO"),
)
LIST = entries(("Bonhoeffer College", "bonhoeffer", ""), ("Esloo Onderwijsgroep Corbulo College", "esloo", ""),
               ("Esloo Onderwijsgroep Diamant College", "esloo", ""), ("NSG", "nsggroenewoud", ""),
               ("Agnieten College", "landstedevo", ""), ("Esprit Scholen Wissel", "esprit", ""),
               ("Esprit Scholen Het 4e Gymnasium", "esprit", ""), ("OSG De Hogeberg", "dehogeberg", ""),
               ("Cals College", "cals", "Utrecht"))


@pytest.fixture(scope="module")
def links():
    return link(LIST, DIRECTORY)


def of(links, name):
    i = next(i for i, s in enumerate(LIST.schools) if s.name == name)
    lk = links.of(i)
    groups = DIRECTORY.groups()
    return lk, [groups[g].codes[0] for g in lk.groups], [groups[g].codes[0] for g in lk.candidates]


@pytest.mark.parametrize("name,kind,codes,evidence", [
    # the host agrees with one of two same-named schools' website
    ("Bonhoeffer College", LinkKind.STRONG, ["00ZD00"], {Evidence.NAME, Evidence.HOST_WEBSITE}),
    # the board's words left out, the school's own website named like it
    ("Esloo Onderwijsgroep Corbulo College", LinkKind.STRONG, ["21GU04"], {Evidence.NAME, Evidence.NAME_WEBSITE}),
    ("NSG", LinkKind.STRONG, ["01ZZ00"], {Evidence.INITIALS, Evidence.HOST_WEBSITE}),  # initials and website
    ("Agnieten College", LinkKind.STRONG, ["02VT00", "02VT01"], {Evidence.NAME, Evidence.UNIQUE}),  # one institution
    ("OSG De Hogeberg", LinkKind.STRONG, ["16KP00"], {Evidence.HOST_WEBSITE}),          # the host's only name
])
def test_links_with_their_kind_and_evidence(links, name, kind, codes, evidence):
    lk, got, _ = of(links, name)
    assert (lk.kind, got) == (kind, codes) and evidence <= set(lk.evidence), lk


def test_unclear_stays_unlinked_with_the_schools_it_fits(links):
    lk, got, candidates = of(links, "Esprit Scholen Wissel")  # two schools called De Wissel, nothing to choose
    assert lk.kind is None and got == [] and candidates == ["30CC00", "31CC00"]
    lk, _, _ = of(links, "Cals College")                    # not in this directory at all
    assert lk.kind is None and lk.candidates == ()
    assert links.counts()["none"] == 3 and sum(links.counts().values()) == len(LIST.schools)


def test_a_place_the_list_gives_rules_out_a_school_elsewhere():
    lk = link(entries(("Bonhoeffer College", "", "Enschede")), DIRECTORY).of(0)
    assert [DIRECTORY.groups()[g].codes[0] for g in lk.groups] == ["17VN00"] and Evidence.PLACE in lk.evidence


def test_board_prefixes_are_the_words_names_on_a_host_start_with():
    p = Places([])
    got = board_prefixes(LIST.schools, lambda t: analyse(t, p))
    assert got[1] == got[2] == ("esloo", "onderwijsgroep") and got[0] == ()


def test_overrides_fix_a_link_or_forbid_one(tmp_path):
    path = tmp_path / "link-overrides.csv"
    path.write_text("name,host,vestigingscodes\nEsprit Scholen Wissel,esprit.magister.net,31CC00\n"
                    "Bonhoeffer College,,-\n", encoding="utf-8")
    overrides = read_overrides(path)
    got = link(LIST, DIRECTORY, overrides)
    lk = got.of(5)
    assert lk.kind == LinkKind.EXACT and lk.evidence == (Evidence.OVERRIDE,)
    assert [DIRECTORY.groups()[g].codes[0] for g in lk.groups] == ["31CC00"]
    assert got.of(0).kind is None and got.of(0).evidence == (Evidence.OVERRIDE,)  # never linked
    m = SchoolMatcher(LIST, directory=DIRECTORY, overrides=overrides)
    assert m.lookup("De Wissel Leiden").status == "granted"   # the override confirms the place
    assert read_overrides(tmp_path / "none.csv") == []
    (tmp_path / "bad.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="no name column"):
        read_overrides(tmp_path / "bad.csv")


def test_consent_links_command(tmp_path):
    lst = tmp_path / "lijst.csv"
    lst.write_text("naam,host\nBonhoeffer College,bonhoeffer\nDe Regenboog,regenboogxyz\nGeen Bestaande School,xyz\n",
                   encoding="utf-8")
    env = {"DATA_DIR": str(tmp_path / "data")}
    r = run_cli("consent", "links", "--consent-list", str(lst), env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Koppelingen van lijst.csv (3 scholen) met de scholenlijst 22-11-2024")
    assert any(x.startswith("✓ sterk  Bonhoeffer College (bonhoeffer.magister.net) → Bonhoeffer College") and
               "Castricum" in x and "host = website" in x for x in lines)
    assert any(x.startswith("? geen   De Regenboog") and "onduidelijk, past bij:" in x and "… en nog" in x for x in lines)
    assert any(x.startswith("? geen   Geen Bestaande School") and "geen school" in x for x in lines)
    assert "link-overrides.csv" in lines[-1]
    only = run_cli("consent", "links", "--unlinked", "--consent-list", str(lst), env=env).stdout
    assert "Bonhoeffer" not in only and "De Regenboog" in only
    got = json.loads(run_cli("consent", "links", "--json", "--consent-list", str(lst), env=env).stdout)
    assert got["counts"]["strong"] >= 1 and got["directory"]["attribution"].startswith("DUO")
    first = got["links"][0]
    assert first["kind"] == "strong" and first["schools"][0]["city"] == "Castricum" and "host_website" in first["evidence"]
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    r = run_cli("consent", "links", "--consent-list", str(lst), env={**env, "DIRECTORY_PATH": str(empty)})
    assert r.returncode == 0 and "geen scholenlijst" in r.stdout


@pytest.mark.skipif(not (SHARED / "data" / "consent" / "consent-list.csv").exists(), reason="../shared not here")
def test_the_fixture_list_against_the_embedded_directory():
    consent = load(SHARED / "data" / "consent" / "consent-list.csv")
    d = Directory.embedded()
    got = link(consent, d)
    counts = got.counts()
    assert counts["strong"] + counts["exact"] > len(consent.schools) / 2  # most are linked, surely
    groups = d.groups()

    def where(name):
        i = next(i for i, s in enumerate(consent.schools) if s.name == name)
        return {groups[g].city for g in got.of(i).groups}, got.of(i).kind

    assert where("Bonhoeffer College") == ({"Castricum"}, LinkKind.STRONG)  # bonhoeffer.nl, not bc-enschede.nl
    assert where("Cals College IJsselstein") == ({"IJsselstein"}, LinkKind.STRONG)
    assert where("Esloo Onderwijsgroep Corbulo College") == ({"Voorburg"}, LinkKind.STRONG)
    assert where("IVO Deurne Alfrinkcollege")[1] != LinkKind.STRONG or "Zoetermeer" not in where("IVO Deurne Alfrinkcollege")[0]
