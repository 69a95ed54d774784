"""How a query fits one name (bot/matching.py): one row per rule of RULES, and the index."""
import pytest

from bot.matching import RULES, Fit, NameIndex, Place, correct_types
from bot.names import Places

PLACES = Places(["Breda", "Delft", "Leiden", "Maastricht", "Volendam", "Groningen", "Assen", "Enkhuizen",
                 "Veenendaal", "Zutphen", "Alkmaar"])
NAMES = [  # (name, places where the school is known to be, extra kinds, board words)
    ("Stedelijk Gymnasium Breda", {"breda"}, set(), set()),                 # 0
    ("Grotius College Delft", {"delft"}, set(), set()),                    # 1
    ("CSG Willem van Oranje", set(), set(), set()),                        # 2
    ("Gerrit Rietveld College", set(), set(), set()),                      # 3
    ("Hendrik Pierson College", set(), set(), set()),                      # 4
    ("College de Meer", set(), set(), set()),                              # 5
    ("OSG Willem Blaeu", set(), set(), set()),                             # 6
    ("Esprit Scholen Het 4e Gymnasium", set(), set(), {"esprit"}),         # 7
    ("Don Bosco College", {"volendam"}, set(), set()),                     # 8
    ("RSG Enkhuizen", set(), set(), set()),                                # 9
    ("Willem Lodewijk Gymnasium", set(), set(), set()),                    # 10
    ("Christelijk Lyceum", {"veenendaal"}, set(), set()),                  # 11
    ("Willem van Oranje", {"groningen"}, {"@PO", "basisschool", "school"}, set()),  # 12: a primary school
    ("Baudartius College", set(), set(), set()),                           # 13
    ("Tromp Meesters", set(), set(), set()),                               # 14
    ("Bonhoeffer College voor Mavo", {"delft"}, {"mavo", "havo"}, set()),  # 15
    ("SG Tongerlo Norbertus", {"breda"}, {"lyceum", "havo"}, set()),       # 16: types only from DUO's list
]


@pytest.fixture(scope="module")
def index():
    return NameIndex([(n, i) for i, (n, *_) in enumerate(NAMES)], PLACES,
                     boards=[frozenset(b) for *_, b in NAMES], known=[frozenset(k) for _, k, _, _ in NAMES],
                     extra=[frozenset(e) for _, _, e, _ in NAMES])


def fit(index, query, i):
    q = index.analyse(query)
    return index.fit(q, {t: index.near(t) for t in q.distinct}, i)


@pytest.mark.parametrize("query,i,expected,rule", [
    ("Don Bosco College Maastricht", 8, Fit.NEAR_MISS, "place_elsewhere"),
    ("Stedelijk Gymnasium Leiden", 0, Fit.NEAR_MISS, "place_elsewhere"),       # the name gives Breda
    ("Willem Lodewijk Gymnasium Groningen Assen", 10, Fit.NEAR_MISS, "several_unconfirmed_places"),
    ("Christelijk Lyceum Delft", 1, Fit.NEAR_MISS, "only_a_place_in_common"),
    ("Christelijk Grotius College", 1, Fit.NEAR_MISS, "qualifier_not_in_name"),
    ("Willem van Oranje Lyceum", 12, Fit.NEAR_MISS, "other_sector"),           # a lyceum is no primary school
    ("Gerrit Rietveld Academie", 3, Fit.NEAR_MISS, "other_type"),
    ("Bonhoeffer Lyceum", 15, Fit.NEAR_MISS, "other_type"),                   # DUO's list says mavo and havo
    ("Willem van Oranjeschool", 2, Fit.OFFER, "type_unconfirmed"),
    ("Hendrik de Keyser College", 4, Fit.NEAR_MISS, "both_add_words"),
    ("De Meer", 5, Fit.OFFER, "one_everyday_word"),
    ("OSG Willem Jansz Blaeu", 6, Fit.QUERY_ADDS_WORD, "query_adds_a_word"),
    ("Baudartius Zutphen", 13, Fit.OFFER, "thin_with_unconfirmed_place"),
    ("Hendrik College", 4, Fit.OFFER, "name_adds_words"),
    ("Het 4e Gymnasium", 7, Fit.NAME_ADDS_BOARD, "name_adds_words"),          # the board's words
    ("Baudartuis College", 13, Fit.NAME_ADDS_BOARD, "typo_only"),
    ("Don Bosco College Volendam", 8, Fit.SAME, "what_is_left"),
    ("Willem Lodewijk Gymnasium Groningen", 10, Fit.QUERY_ADDS_PLACE, "what_is_left"),
    ("Regionale Scholengemeenschap Enkhuizen", 9, Fit.SAME, "what_is_left"),
    ("christelijk lyceum veenendaal", 11, Fit.SAME, "what_is_left"),          # generic words, at a confirmed place
    ("OMO SG Tongerlo Norbertus College", 16, Fit.QUERY_ADDS_WORD, "query_adds_a_word"),  # a college may offer lyceum
    ("Trompmeesters", 14, Fit.SAME, "what_is_left"),                          # a compound of two words
])
def test_one_row_per_rule(index, query, i, expected, rule):
    m = fit(index, query, i)
    assert (m.fit, m.rule) == (expected, rule), (query, m)


def test_every_rule_has_a_row():
    rows = {r[3] for r in test_one_row_per_rule.pytestmark[0].args[1]}
    assert {r.__name__ for r in RULES} <= rows


def test_place_says_what_the_query_place_did(index):
    assert fit(index, "Don Bosco College Volendam", 8).place == Place.CONFIRMED
    assert fit(index, "Willem Lodewijk Gymnasium Groningen", 10).place == Place.UNCONFIRMED
    assert fit(index, "Don Bosco College Maastricht", 8).place == Place.ELSEWHERE
    assert fit(index, "Don Bosco College", 8).place == Place.NONE


def test_a_maybe_place_confirms_only_a_whole_fit():
    idx = NameIndex([("Hyperion Lyceum", 0), ("Esprit Scholen Wissel", 1)], PLACES,
                    boards=[frozenset(), frozenset({"esprit"})], maybe=[frozenset({"leiden"}), frozenset({"leiden"})])
    assert fit(idx, "Hyperion Lyceum Leiden", 0).fit == Fit.SAME
    assert fit(idx, "Wissel Leiden", 1).fit == Fit.OFFER          # the board's words plus a weak link's place
    assert fit(idx, "Hyperion Lyceum Delft", 0).fit == Fit.OFFER  # a weak link never refutes: unconfirmed


def test_the_index_finds_candidates_by_rare_words_compounds_and_typos(index):
    found = {m.ref for m in index.search(index.analyse("montesori baudartius"))}
    assert 13 in found
    assert index.near("baudartuis") == {"baudartius": 1}  # a transposition is one edit
    assert index.near("grotius") == {"grotius": 0}           # a word of the index is itself, never a typo
    assert index.near("grotius", known_too=True)["grotius"] == 0
    assert index.splits("trompmeesters") == [("tromp", "meesters")]
    assert {m.ref for m in index.search(index.analyse("RSG Trompmeesters"))} == {14}


@pytest.mark.parametrize("query,fixed", [("Baudartius Colege", "baudartius college"),
                                         ("Vathorst Collage", "vathorst college"), ("Gerrit Rietveld", "gerrit rietveld")])
def test_a_misspelt_type_is_corrected(index, query, fixed):
    assert correct_types(index.analyse(query), lambda w: w in index.postings, PLACES).key == fixed
