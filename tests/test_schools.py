"""School lookup on a consent list (bot/schools.py), on a list written here from real names."""
from pathlib import Path

import pytest

from bot.consentlist import ConsentList, School
from bot.schools import SchoolMatcher

LIST = [
    ("Cals College", "cals.magister.net", ""),
    ("Cals College IJsselstein", "cals.magister.net", ""),
    ("Stedelijk Gymnasium Breda", "gymnasiumbreda.magister.net", ""),
    ("Stedelijk Gymnasium Arnhem", "sga.magister.net", ""),
    ("St. Ignatiusgymnasium", "ignatius.magister.net", ""),
    ("Sint-Laurenscollege", "laurens.magister.net", ""),
    ("CSG Ulbe van Houten", "ulbevanhouten.magister.net", ""),
    ("RSG Enkhuizen", "rsgenkhuizen.magister.net", ""),
    ("Chr. Lyceum Veenendaal", "clv.magister.net", ""),
    ("Theresialyceum", "theresia.magister.net", ""),
    ("Koning Willem I College", "kw1c.magister.net", ""),
    ("Mgr. Frencken College", "frencken.magister.net", ""),
    ("Carré College", "carre.magister.net", ""),
    ("Montessori Lyceum Rotterdam", "rml.magister.net", ""),
    ("Montessori Lyceum Groningen", "o2g.magister.net", ""),
    ("Maerlant College Brielle", "maerlant.magister.net", ""),
    ("Karel de Grote College Nijmegen", "kdg.magister.net", ""),
    ("Grotius College Delft", "grotius.magister.net", ""),
    ("CSG Willem van Oranje", "wvo.magister.net", ""),
    ("Gymnasium Felisenum", "felisenum.magister.net", ""),
    ("Bogerman Sneek", "bogerman.magister.net", ""),
    ("Bogerman Koudum", "bogerman.magister.net", ""),
    ("Het Schoter", "schoter.magister.net", ""),
    ("Schoter SG", "schoter.magister.net", ""),
]
PLACES = ["Velsen", "Oosterwolde", "Maastricht", "Breda", "Arnhem", "Leiden", "Delft", "Rotterdam", "Groningen", "Brielle", "Nijmegen",
          "Sneek", "Koudum", "IJsselstein", "Veenendaal", "Enkhuizen", "Assen", "Amsterdam"]


@pytest.fixture(scope="module")
def m():
    consent = ConsentList(tuple(School(n, h, c, row=i) for i, (n, h, c) in enumerate(LIST, 1)), "test")
    return SchoolMatcher(consent, places=PLACES)


def granted(m, q):
    r = m.lookup(q)
    assert r.status == "granted", (q, r.status, [c.name for c in r.candidates])
    return r.match.name


@pytest.mark.parametrize("query,name", [
    ("cals college", "Cals College"),
    ("CALS COLLEGE", "Cals College"),
    ("st ignatius gymnasium", "St. Ignatiusgymnasium"),         # abbreviation, compound
    ("Sint Ignatiusgymnasium", "St. Ignatiusgymnasium"),
    ("st. laurens college", "Sint-Laurenscollege"),              # hyphen, compound
    ("sint-laurenscollege", "Sint-Laurenscollege"),
    ("ulbe van houten", "CSG Ulbe van Houten"),                  # abbreviation left out
    ("Christelijke Scholengemeenschap Ulbe van Houten", "CSG Ulbe van Houten"),
    ("Regionale Scholengemeenschap Enkhuizen", "RSG Enkhuizen"),
    ("christelijk lyceum veenendaal", "Chr. Lyceum Veenendaal"),
    ("Theresia lyceum", "Theresialyceum"),
    ("Mgr Frencken", "Mgr. Frencken College"),
    ("carre college", "Carré College"),                           # diacritics
    ("CarrÃ© College", "Carré College"),                          # mojibake
    ("montesori lyceum rotterdam", "Montessori Lyceum Rotterdam"),  # typo
    ("maerlant brielle", "Maerlant College Brielle"),
    ("Karel de Grote College", "Karel de Grote College Nijmegen"),  # city left out
    ("Ulbe van Houten Oosterwolde", "CSG Ulbe van Houten"),          # a place added
    ("koning willem 1 college", "Koning Willem I College"),
    ("theresia.magister.net", "Theresialyceum"),                      # host
    ("https://felisenum.magister.net/#/vandaag", "Gymnasium Felisenum"),  # URL
    ("het schoter", "Het Schoter"),                                   # two names, one host
    ("<@U123> cals college", "Cals College"),
])
def test_granted(m, query, name):
    assert granted(m, query) == name


@pytest.mark.parametrize("query", [
    "Stedelijk Gymnasium Leiden",      # the costly one: Breda is on the list, Leiden is not
    "Stedelijk Gymnasium Nijmegen",
    "Montessori Lyceum Amsterdam",
    "Christelijk Lyceum Delft",        # only the place is shared with Grotius College Delft
    "Christelijk College Delft",
    "Koning Willem II College",        # Roman numerals tell schools apart
    "Gymnasium Celeanum",              # near Felisenum, but another school
    "Vossius Gymnasium",
    "Carré Lyceum",                    # another type of school
    "Grotius Lyceum Delft",
    "nope.magister.net",
    "Montessorischool Rotterdam",      # a primary school is not the Montessori Lyceum
    "Willem van Oranjeschool",         # nor is this CSG Willem van Oranje
    "Prins Willem van Oranjeschool Brakel",
])
def test_never_granted_for_another_school(m, query):
    assert m.lookup(query).status != "granted"


@pytest.mark.parametrize("query,name", [
    ("Gymnasium Felisenum Velsen", "Gymnasium Felisenum"),  # one word in common, a place the list doesn't confirm
    ("Mgr Frencken Lyceum", "Mgr. Frencken College"),          # near, but another type of school
])
def test_doubt_is_a_question_not_a_verdict(m, query, name):
    r = m.lookup(query)
    assert r.status in ("ambiguous", "not_found") and name in [c.name for c in r.candidates]


def test_host_not_on_list(m):
    r = m.lookup("https://nope.magister.net")
    assert r.status == "not_found" and r.reason == "host_not_listed"


@pytest.mark.parametrize("query,names", [
    ("Stedelijk Gymnasium", {"Stedelijk Gymnasium Breda", "Stedelijk Gymnasium Arnhem"}),
    ("Bogerman", {"Bogerman Sneek", "Bogerman Koudum"}),
    ("montessori lyceum", {"Montessori Lyceum Rotterdam", "Montessori Lyceum Groningen"}),
])
def test_ambiguous_asks_which(m, query, names):
    r = m.lookup(query)
    assert r.status == "ambiguous"
    assert names <= {c.name for c in r.candidates}


@pytest.mark.parametrize("query", ["", "   ", "???", "de", "het", "<@U123>", "<!channel>", "@channel", "🎉"])
def test_no_name_gets_no_verdict(m, query):
    r = m.lookup(query)
    assert r.status == "not_found" and r.reason in ("no_name", "no_match")


@pytest.mark.parametrize("query", ["lyceum", "school", "college", "gymnasium", "Delft"])
def test_generic_word_or_place_alone_gets_no_verdict(m, query):
    assert m.lookup(query).status in ("not_found", "ambiguous")


def test_not_found_offers_near_misses(m):
    r = m.lookup("Stedelijk Gymnasium Leiden")
    assert r.status == "not_found" and r.reason == "no_match"


def test_every_reply_says_which_list(m):
    r = m.lookup("cals college")
    assert r.list_info["source"] == "test" and r.list_info["schools"] == len(LIST)
    j = r.to_json()
    assert j["match"]["name"] == "Cals College" and j["list"]["schools"] == len(LIST)


def test_long_and_hostile_queries(m):
    assert m.lookup("cals college " * 2000).status in ("granted", "ambiguous", "not_found")
    assert m.lookup("\x00\x1b\u202e cals\u00a0college").status == "granted"


SHARED_LIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "consent" / "consent-list.csv"


@pytest.mark.skipif(not SHARED_LIST.exists(), reason="../shared not present")
def test_real_list_costly_cases():
    from bot.consentlist import load

    m = SchoolMatcher(load(SHARED_LIST))
    assert m.lookup("cals college").match.name == "Cals College"
    for q in ("Stedelijk Gymnasium Leiden", "Het Amsterdams Lyceum", "Christelijk Lyceum Delft"):
        assert m.lookup(q).status != "granted", q


@pytest.mark.parametrize("query", [
    "Karel de Grote College Nijmegen Maastricht",   # the name's own place is Nijmegen
    "anything.nl.magister.net",                     # a host is the whole host, not its last label
    "cals.magister.net.evil.example",
    "foo.cals.magister.net",
])
def test_places_and_hosts_are_taken_whole(m, query):
    assert m.lookup(query).status != "granted"


def test_the_lists_city_column_confirms_or_refutes_a_place():
    consent = ConsentList((School("Don Bosco College", "donbosco.magister.net", "Volendam"),
                           School("Willem Lodewijk Gymnasium", "wlg.magister.net")), "test")
    m = SchoolMatcher(consent, places=["Volendam", "Maastricht", "Groningen"])
    assert m.lookup("Don Bosco College Volendam").status == "granted"
    assert m.lookup("Don Bosco College Maastricht").status != "granted"
    # Without a place on the list, an added place is granted but the reply says it is unconfirmed.
    r = m.lookup("Willem Lodewijk Gymnasium Groningen")
    assert r.status == "granted" and r.reason == "place_unconfirmed"
    assert m.lookup("Willem Lodewijk Gymnasium").reason == ""


def test_a_place_after_van_is_a_surname():
    consent = ConsentList((School("CSG Ulbe van Houten", "ulbe.magister.net"),), "test")
    m = SchoolMatcher(consent, places=["Houten", "Oosterwolde"])
    assert m.lookup("ulbe van houten").status == "granted"
    assert m.lookup("Ulbe van Houten Oosterwolde").status == "granted"


def test_the_directory_turns_a_guess_into_a_question():
    from bot.directory import Directory, DirectoryMatcher

    consent = ConsentList((School("Willem Lodewijk Gymnasium", "wlg.magister.net"),
                           School("Esprit Scholen Wissel", "esprit.magister.net"),
                           School("Esprit Scholen Het 4e Gymnasium", "esprit.magister.net")), "test")
    directory = Directory([
        School("Willem Lodewijk Gymnasium", "", "Groningen", "20AA", "20AA00"),
        School("Het 4e Gymnasium", "", "Amsterdam", "20BB", "20BB00"),
        School("De Wissel", "", "Goes", "30CC", "30CC00"),
    ], "test")
    m = DirectoryMatcher(consent, directory, places=["Groningen", "Maastricht", "Amsterdam", "Goes"])
    assert m.lookup("Willem Lodewijk Gymnasium Groningen").status == "granted"
    assert m.lookup("Willem Lodewijk Gymnasium Maastricht").status == "ambiguous"  # not where the school is
    assert m.lookup("het 4e gymnasium").status == "granted"     # the directory's school is the entry
    r = m.lookup("De Wissel Goes")                               # a primary school, not Esprit's Wissel
    assert r.status != "granted"


def test_an_everyday_word_or_another_kind_of_school_is_a_question():
    consent = ConsentList((School("College de Meer", "zaam.magister.net"), School("Nieuwe School", "ns.magister.net"),
                           School("Gerrit Rietveld College", "grc.magister.net")), "test")
    m = SchoolMatcher(consent, places=[])
    assert m.lookup("Meerscholen").status != "granted"       # "meer" is an everyday word
    assert m.lookup("De Meer").status != "granted"
    assert m.lookup("nieuwe school").status == "granted"     # ...but the whole name is the name
    assert m.lookup("Gerrit Rietveld Academie").status != "granted"  # an academy is not a college
    assert m.lookup("Gerrit Rietveld").status == "granted"
