"""What a school name says (bot/names.py): words, acronyms, the identity key, places, DUO names,
web labels, and the word lists in knowledge/schoolnamen.yaml."""
import pytest
from hypothesis import given, settings, strategies as st

from bot.errors import KnowledgeError
from bot.names import (Places, analyse, bare_place, identity_key, initials, labels_agree, lexicon, place_key,
                       raw_words, read_lexicon, short_name, split_duo_name, web_label, words)
from bot.text import normalize


# -- words and acronyms ---------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [
    ("St. Ignatiusgymnasium", "sint ignatius gymnasium"),
    ("Regionale Scholengemeenschap Enkhuizen", "RSG Enkhuizen"),
    ("Sint-Laurenscollege", "St Laurens college"),
    ("Chr. Lyceum", "Christelijk lyceum"),
    ("O.S.G. De Hogeberg", "OSG De Hogeberg"),                      # acronyms in any spelling
    ("o s g de hogeberg", "Openbare Scholengemeenschap De Hogeberg"),
    ("C.S.G. Willem van Oranje", "csg willem van oranje"),
    ("R.K. Basisschool", "rk basisschool"),
    ("Koning Willem 2", "Koning Willem II"),
    ("Interconf. Scholengroep Westland", "Interconfessionele Scholengroep Westland"),
])
def test_one_spelling_one_set_of_words(a, b):
    assert words(a) == words(b)


@pytest.mark.parametrize("a,b", [("Koning Willem I", "Koning Willem II"), ("Jac. P. Thijsse", "J.P. Thijsse")])
def test_what_stays_apart(a, b):
    assert words(a) != words(b)


def test_raw_words_join_runs_of_single_letters_but_not_an_elision():
    assert raw_words("O.S.G.") == raw_words("o s g") == raw_words("OSG") == ["osg"]
    assert raw_words("C.S.G. 't Hooghe") == ["csg", "t", "hooghe"]
    assert raw_words("Meridiaan College `t Hooghe Landt") == ["meridiaan", "college", "t", "hooghe", "landt"]
    assert raw_words("Jac. P. Thijsse") == ["jac", "p", "thijsse"]


@pytest.mark.parametrize("a,b,same", [
    ("Het Cals College", "cals  college", True),
    ("'t Schoter", "Het Schoter", True),
    ("Cals College", "Cals College Nieuwegein", False),
    ("Thorbecke VO", "Thorbecke SG", False),
    ("A", "B", False),
    ("De", "de", True),
])
def test_identity_key(a, b, same):
    assert (identity_key(a) == identity_key(b)) is same
    assert identity_key(a)  # never empty for a name with words


# -- places ---------------------------------------------------------------------------------------
def test_places_canonical_keys_articles_and_aliases():
    p = Places(["De Bilt", "Den Haag", "'s-Gravenhage", "Bergen op Zoom", "Den Bosch", "Houten"])
    assert p.key("De Bilt") == p.key("Bilt") == "debilt"
    assert p.key("'s-Gravenhage") == p.key("Den Haag") == "denhaag"
    assert "bosch" not in p  # "Den Bosch" is never just "Bosch" (Jeroen Bosch College)
    assert p.join(["bergen", "op", "zoom", "lyceum"]) == ["bergenopzoom", "lyceum"]
    assert place_key("Bergen op Zoom") == "bergenopzoom"


@pytest.mark.parametrize("raw,bare", [("Bergen (NH)", "Bergen"), ("Driehuis NH", "Driehuis"), ("Den Haag", "Den Haag"),
                                      ("Beek (L)", "Beek"), ("Hengelo (Gld)", "Hengelo")])
def test_bare_place(raw, bare):
    assert bare_place(raw) == bare


def test_analyse_splits_generic_places_and_distinctive_words():
    p = Places(["Houten", "Oosterwolde", "Amsterdam", "Arnhem"])
    n = analyse("CSG Ulbe van Houten Oosterwolde", p)
    assert n.tokens == ("csg", "ulbe", "vanhouten", "oosterwolde")  # "van Houten" is a surname
    assert n.distinct == ("ulbe", "vanhouten", "oosterwolde") and n.places == frozenset({"oosterwolde"})
    assert "christelijk" in n.generic  # a CSG is christelijk
    assert analyse("GGCA - Geert Groote College Amsterdam", p).tokens == ("geert", "groote", "college", "amsterdam")
    assert analyse("Montessori College Arnhem (MCA)", p).tokens == ("montessori", "college", "arnhem")
    assert analyse("J.C. Pleysierschool", p).tokens == ("pleysier", "school")  # a person's initials
    assert analyse("R.K. Basisschool", p).tokens == ("rk", "basisschool")        # not an abbreviation


# -- DUO's names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,board,location", [
    ("Esloo VO voor bijzonder vwo, havo, mavo, vmbo, pro - Corbulo College", "Esloo VO", "Corbulo College"),
    ("Alberdingk Thijm Scholen Vwo, Havo, Mavo, Vbo, LWOO loc. Groot Goylant", "Alberdingk Thijm Scholen", "Groot Goylant"),
    ("Alberdingk Thijm Scholen Vwo, Havo, Mavo, Vbo, LWOO Loc.Alberdingk Thijm College", "Alberdingk Thijm Scholen",
     "Alberdingk Thijm College"),
    ("Cals College RK SGM voor Lyceum Havo Mavo Vbo", "Cals College RK SGM", ""),
    ("Montessori Scholengemeenschap Amsterdam locatie Metis Montessori Lyceum", "Montessori Scholengemeenschap Amsterdam",
     "Metis Montessori Lyceum"),
    ("SGM Tongerlo voor lyceum, havo, mavo, vmbo, praktijkonderwijs, Norbertus", "SGM Tongerlo", "Norbertus"),
    ("Het Stedelijk Kottenpark praktijkonderwijs, vmbo, havo, atheneum en gymnasium", "Het Stedelijk Kottenpark", ""),
    ("Scholengemeenschap Eerste Christelijk Lyceum Vwo en Havo", "Scholengemeenschap Eerste Christelijk Lyceum", ""),
    ("DaCapo College locatie Havikstraat", "DaCapo College", ""),                 # a street is no name of its own
    ("Nautilus college - Paul Kleestraat", "Nautilus college", ""),
    ("Meerscholen v Lyc Havo Mavo Vbo Lwoo- 't Hooghe Landt", "Meerscholen", "'t Hooghe Landt"),
    ("Stedelijk Gymnasium", "Stedelijk Gymnasium", ""),
])
def test_split_duo_name(name, board, location):
    assert split_duo_name(name) == (board, location)


@pytest.mark.parametrize("name,short", [
    ("Het Stedelijk Kottenpark praktijkonderwijs, vmbo, havo, atheneum en gymnasium", "Het Stedelijk Kottenpark"),
    ("Openbare Scholengemeenschap voor Lyceum Havo Mavo Vbo Lwoo Esdal College", "Openbare Scholengemeenschap Esdal College"),
    ("Hondsrug College Christelijke SGM voor LYC HAVO MAVO VBO LWOO", "Hondsrug College Christelijke Scholengemeenschap"),
    ("Havo Vwo", "Havo Vwo"),
])
def test_short_name(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize("text,acronym", [("Nijmeegse Scholengemeenschap Groenewoud", "nsg"),
                                          ("Geert Groote College Amsterdam", "ggca"), ("Theresialyceum", "")])
def test_initials(text, acronym):
    assert initials(text) == acronym


@pytest.mark.parametrize("url,label", [("www.bc-enschede.nl", "bcenschede"), ("https://www.Cals.nl/", "cals"),
                                       ("cals.magister.net", "cals"), ("gaudi.psg.nl", "psg"), ("", "")])
def test_web_label(url, label):
    assert web_label(url) == label


@pytest.mark.parametrize("a,b,agree", [("bonhoeffer", "bonhoeffer", True), ("slingerbos", "rsgslingerbos", True),
                                       ("cals", "calscollege", False), ("msa", "montessorilyceumamsterdam", False)])
def test_labels_agree(a, b, agree):
    assert labels_agree(a, b) is agree


# -- the word lists -------------------------------------------------------------------------------
def test_the_word_lists_are_data():
    lex = lexicon()
    assert {"college", "lyceum"} <= lex.types and "csg" in lex.qualifiers and lex.implies["osg"] == ("openbaar",)
    assert lex.words["st"] == "sint" and lex.phrases["regionale scholengemeenschap"] == "rsg"


def test_a_broken_word_list_names_the_file_and_line(tmp_path):
    bad = tmp_path / "schoolnamen.yaml"
    bad.write_text("words: {st: sint}\nwords: {x: y}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"schoolnamen.yaml:2: duplicate key 'words'"):
        read_lexicon(bad)
    bad.write_text("words: {'1': 2}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as e:
        read_lexicon(bad)
    assert any("'words' must map text to text" in f for f in e.value.faults)


# -- any text -------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_words_never_raise_and_are_in_matching_form(s):
    assert all(w and w == normalize(w) for w in words(s))
    assert identity_key(s) == normalize(identity_key(s))
    n = analyse(s, Places(["Leiden"]))
    assert set(n.distinct) | n.generic >= set(n.tokens) - n.places


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz .'-", max_size=40))
def test_dotted_and_spaced_acronyms_are_one_word(s):
    letters = [c for c in s if c.isalpha()][:5]
    if len(letters) >= 2:
        assert raw_words(".".join(letters) + ".") == raw_words(" ".join(letters)) == ["".join(letters)]
