"""Answering questions from the knowledge base (bot/faq.py): the fitted model, its cache and
its decisions."""
import logging
import shutil

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bot import faq
from bot.errors import KnowledgeError
from bot.faq import CACHE_NAME, OUT_OF_SCOPE, FaqMatcher, FaqModel
from bot.knowledge import DEFAULT_DIR, load_knowledge


@pytest.fixture(scope="module")
def matcher():
    return FaqMatcher(load_knowledge())


@pytest.mark.parametrize("question,entry", [
    ("Wat is de deadline?", "deadline"),
    ("deadline?", "deadline"),
    ("<@U0123> wat is de deadlien", "deadline"),                      # mention + typo
    ("Is er een verwerkers overeenkomst?", "processing-agreement"),    # split compound
    ("verwerkingsovereenkomst", "processing-agreement"),
    ("Is Studyspace geaccrediteerd?", "studyspace-accredited"),
    ("geaccrediteerd studyspace is?", "studyspace-accredited"),        # word order
    ("Where can schools find more information?", "info-for-schools"),
    ("what happens if the school says no", "no-consent"),
    ("WAT GEBEURT ER ALS DE SCHOOL GEEN TOESTEMMING GEEFT", "no-consent"),
])
def test_answers_how_staff_write(matcher, question, entry):
    a = matcher.answer(question)
    assert a.status == "answered", (a.status, a.scores)
    assert a.entry.id == entry
    assert matcher.model.thresholds.answer_at <= a.score <= 1.0


def test_language_follows_the_question(matcher):
    assert matcher.answer("When is the deadline?").lang == "en"
    assert matcher.answer("Wanneer is de deadline?").lang == "nl"
    assert matcher.detect_lang("Could you tell me what the deadline was again?") == "en"
    assert matcher.detect_lang("") == "nl"  # Dutch first


@pytest.mark.parametrize("question", ["", "   \n ", "?!", "<@U123>", "&amp;", "👋🎉"])
def test_no_words_is_empty(matcher, question):
    a = matcher.answer(question)
    assert (a.status, a.entry, a.reason) == ("no_match", None, "empty")


@pytest.mark.parametrize("question", ["nee", "Nee.", "no thanks", "waarom?", "wanneer?", "why?", "hoi!", "ok, bedankt 👍"])
def test_a_message_without_a_topic_word_is_asked_back(matcher, question):
    a = matcher.answer(question)
    assert (a.status, a.entry, a.reason) == ("no_match", None, "no_topic")


@pytest.mark.parametrize("question", [
    "hoi!", "bedankt", "thanks!", "goedemorgen 👋", "wie ben jij?", "test",
    "Hoe laat is het?", "Wat is het weer morgen?", "Kun je mijn printer repareren?",
    "Hoe zet ik een rooster in Magister?", "Wie wint het WK voetbal?", "What is the capital of Spain?",
])
def test_out_of_scope_gets_no_answer(matcher, question):
    assert matcher.answer(question).status != "answered"


@pytest.mark.parametrize("negated,positive", [
    ("wanneer hoeft de school geen toestemming te geven", "school-consent"),
    ("when does a school not have to consent", "school-consent"),
])
def test_a_negated_question_is_not_answered_as_its_positive_twin(matcher, negated, positive):
    a = matcher.answer(negated)
    assert not (a.status == "answered" and a.entry.id == positive), a.scores


def test_close_entries_make_it_ambiguous_with_suggestions(matcher):
    a = matcher.answer("wat moet de school doen")  # fits two entries about equally
    assert a.status == "ambiguous" and a.entry is None and 2 <= len(a.suggestions) <= 3
    scores = [a.scores[e.id] for e in a.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= matcher.model.thresholds.suggest_at for s in scores)


def test_json_contract(matcher):
    j = matcher.answer("Wat is de deadline?").to_json()
    assert j["status"] == "answered" and j["entry_id"] == "deadline"
    assert isinstance(j["suggestions"], list) and j["answer"]["id"] == "deadline"


def test_very_long_message_is_handled(matcher):
    a = matcher.answer("Wat is de deadline? " + "bla " * 2500)
    assert a.status in ("answered", "ambiguous", "no_match")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_a_status(matcher, s):
    a = matcher.answer(s)
    assert a.status in ("answered", "ambiguous", "no_match")
    assert 0.0 <= a.score <= 1.0
    assert (a.entry is not None) == (a.status == "answered")
    assert abs(sum(matcher.model.probabilities(s)[0]) - 1.0) < 1e-6


def test_knows_the_knowledge_base_words(matcher):
    assert matcher.knows("verwerkersovereenkomst") and matcher.knows("leerling")
    assert not matcher.knows("rapportvergadering")


# -- a small knowledge base: fitting, the cache, and the model against scikit-learn ------
SMALL_FAQ = '''entries:
  - id: "deadline"
    question: {nl: "Wat is de deadline?", en: "What is the deadline?"}
    alternates:
      nl: ["wanneer moet het klaar zijn", "uiterste datum?", "tot wanneer hebben we", "sinds wanneer geldt het", "per wanneer moet het geregeld zijn", "is er een einddatum"]
      en: ["when is it due", "cut-off date?", "since when does it apply", "by when must it be done", "is there an end date", "what date was it again"]
    answer: {nl: "Sinds 18 december 2018.", en: "Since 18 December 2018."}
  - id: "accreditation"
    question: {nl: "Wat is een geaccrediteerde partij?", en: "What is an accredited party?"}
    alternates:
      nl: ["wat betekent accreditatie", "wat keurt magister", "erkende partij uitleg", "wat houdt de keuring in", "wanneer is een partij goedgekeurd", "accreditatie?"]
      en: ["what does accreditation mean", "what does magister check", "accredited party meaning", "what is the assessment", "when is a party approved", "accreditation?"]
    answer: {nl: "Magister beoordeelt de partij.", en: "Magister assesses the party."}
'''
SMALL_OOS = '''out_of_scope:
  nl: ["hoe laat is het", "ik kan niet inloggen", "wat kost studyspace", "wanneer is de kerstvakantie", "mijn rooster klopt niet", "waar staat de koffie", "deadline huiswerk wiskunde"]
  en: ["what time is it", "i cannot log in", "how much is studyspace", "when is the christmas break", "my timetable is wrong", "where is the coffee", "homework deadline maths"]
'''


@pytest.fixture
def small_kb(tmp_path):
    d = tmp_path / "kb"
    d.mkdir()
    (d / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    (d / "out-of-scope.yaml").write_text(SMALL_OOS, encoding="utf-8")
    shutil.copy(DEFAULT_DIR / "drafts.yaml", d / "drafts.yaml")
    return d


def best(m: FaqMatcher, question: str) -> str:
    """The entry the model finds likeliest (a tiny knowledge base gives strict thresholds)."""
    scores = m.scores(question)
    return max(scores, key=scores.get)


def fits(caplog) -> int:
    return sum("fitting the FAQ model" in r.getMessage() for r in caplog.records)


def test_the_fitted_model_is_cached_and_reused(small_kb, caplog):
    caplog.set_level(logging.INFO, logger="bot.faq")
    first = FaqMatcher(load_knowledge(small_kb))
    assert fits(caplog) == 1 and (small_kb / CACHE_NAME).is_file()
    second = FaqMatcher(load_knowledge(small_kb))
    assert fits(caplog) == 1  # loaded, not fitted again
    q = "wat is de uiterste datum?"
    assert np.allclose(first.model.probabilities(q)[0], second.model.probabilities(q)[0])
    assert best(second, "Wat is de deadline?") == "deadline"


def test_a_changed_knowledge_base_is_refitted(small_kb, caplog):
    caplog.set_level(logging.INFO, logger="bot.faq")
    old = FaqMatcher(load_knowledge(small_kb)).model.key
    faq_file = small_kb / "faq.yaml"
    faq_file.write_text(faq_file.read_text().replace('"is er een einddatum"', '"einddatum?"'))
    new = FaqMatcher(load_knowledge(small_kb)).model.key
    assert fits(caplog) == 2 and new != old


@pytest.mark.parametrize("garbage", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_a_corrupt_cache_is_refitted_never_loaded(small_kb, caplog, garbage):
    caplog.set_level(logging.INFO, logger="bot.faq")
    (small_kb / CACHE_NAME).write_bytes(garbage)
    m = FaqMatcher(load_knowledge(small_kb))
    assert fits(caplog) == 1 and best(m, "Wat is de deadline?") == "deadline"
    assert FaqModel.load(small_kb / CACHE_NAME, m.model.key) is not None  # replaced by a good one


@pytest.mark.parametrize("damage", ["nan", "thresholds", "shape"])
def test_a_readable_but_damaged_cache_is_refitted(small_kb, caplog, damage):
    caplog.set_level(logging.INFO, logger="bot.faq")
    m = FaqMatcher(load_knowledge(small_kb))
    arrays = dict(m.model.arrays)
    if damage == "nan":
        arrays["coef"] = arrays["coef"] * np.nan
    elif damage == "thresholds":
        arrays["thresholds"] = np.array([0.0, 0.0, 0.0])
    else:
        arrays["intercept"] = arrays["intercept"][:1]
    np.savez(small_kb / CACHE_NAME, **arrays)
    again = FaqMatcher(load_knowledge(small_kb))
    assert fits(caplog) == 2 and np.isfinite(again.model.probabilities("deadline")[0]).all()


def test_a_cache_holding_pickled_objects_is_refused(small_kb, caplog):
    caplog.set_level(logging.INFO, logger="bot.faq")
    kb = load_knowledge(small_kb)
    np.savez(small_kb / CACHE_NAME, key=np.array(faq.cache_key(kb)), classes=np.array([{"x": 1}], dtype=object))
    FaqMatcher(kb)
    assert fits(caplog) == 1


def test_a_knowledge_dir_that_cannot_hold_the_cache_uses_the_user_cache(small_kb, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="bot.faq")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (small_kb / CACHE_NAME).mkdir()  # unwritable as a file, even for root
    FaqMatcher(load_knowledge(small_kb))
    assert list((tmp_path / "xdg" / "magister-koppeling-bot").glob("faq-model-*.npz"))
    FaqMatcher(load_knowledge(small_kb))
    assert fits(caplog) == 1  # and found there next time


@pytest.mark.parametrize("out_of_scope", [True, False])  # 3 classes, and the binary case
def test_probabilities_equal_scikit_learn(small_kb, out_of_scope):
    """The numpy inference reproduces scikit-learn's TF-IDF + logistic regression."""
    from sklearn.linear_model import LogisticRegression

    if not out_of_scope:
        (small_kb / "out-of-scope.yaml").unlink()
    kb = load_knowledge(small_kb)
    model = FaqModel.fit(kb)
    texts, labels, _ = faq.training_data(kb)
    features = faq.Features()
    clf = LogisticRegression(C=faq.C, max_iter=5000).fit(features.fit_transform(texts), labels)
    assert list(clf.classes_) == model.classes and (OUT_OF_SCOPE in model.classes) == out_of_scope

    @settings(max_examples=100, deadline=None)
    @given(st.text(max_size=200) | st.sampled_from(texts) | st.sampled_from(["Wat is de hoofdstad van Spanje?"]))
    def same(text):
        want = clf.predict_proba(features.transform([text]))[0]
        assert np.allclose(model.probabilities(text)[0], want, atol=1e-4)

    same()


def test_novelty_is_the_share_of_words_the_knowledge_base_never_uses():
    assert faq.novelty("wat is de deadline", {"wat", "is", "de", "deadlin"}) == 0.0
    assert faq.novelty("wat is de hoofdstad van spanje", {"wat", "is", "de"}) == 0.5
    assert faq.novelty("?!", set()) == 0.0


def test_thresholds_come_from_cross_validation(small_kb):
    kb = load_knowledge(small_kb)
    texts, labels, _ = faq.training_data(kb)
    oof = faq.cross_validated(texts, labels)
    assert oof.shape == (len(texts), 3) and np.allclose(oof.sum(axis=1), 1.0)
    th = faq.choose_thresholds(oof, sorted(set(labels)), labels)
    assert 0 < th.suggest_at <= th.answer_at < 1
    rows = faq.curve(oof, sorted(set(labels)), labels)
    chosen = [r for r in rows if (r[0], r[1]) == (th.answer_at, th.margin)]
    assert chosen and chosen[0][3] <= faq.TARGET_ERROR


def test_a_knowledge_base_too_small_to_fit_says_so(small_kb):
    (small_kb / "out-of-scope.yaml").unlink()
    text = (small_kb / "faq.yaml").read_text()
    (small_kb / "faq.yaml").write_text(text[: text.index('  - id: "accreditation"')])
    with pytest.raises(KnowledgeError, match="needs two entries"):
        FaqMatcher(load_knowledge(small_kb))


def test_two_entries_of_one_phrasing_each_still_fit(small_kb):
    (small_kb / "out-of-scope.yaml").unlink()
    (small_kb / "faq.yaml").write_text(SMALL_FAQ.replace(
        SMALL_FAQ[SMALL_FAQ.index("    alternates:"):SMALL_FAQ.index("    answer:")], "").replace(
        SMALL_FAQ[SMALL_FAQ.rindex("    alternates:"):SMALL_FAQ.rindex("    answer:")], ""))
    m = FaqMatcher(load_knowledge(small_kb))
    assert m.answer("Wat is de deadline?").status in ("answered", "ambiguous", "no_match")


def test_one_out_of_scope_question_fits_without_a_warning(small_kb, recwarn):
    (small_kb / "out-of-scope.yaml").write_text('out_of_scope:\n  nl: ["hoe laat is het"]\n', encoding="utf-8")
    m = FaqMatcher(load_knowledge(small_kb))
    assert OUT_OF_SCOPE in m.model.classes
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)], [str(w.message) for w in recwarn]


def test_a_knowledge_base_without_out_of_scope_questions_is_logged(small_kb, caplog):
    caplog.set_level(logging.WARNING, logger="bot.faq")
    FaqMatcher(load_knowledge(small_kb))
    assert "no out-of-scope questions" not in caplog.text
    (small_kb / "out-of-scope.yaml").unlink()
    FaqMatcher(load_knowledge(small_kb))
    assert "no out-of-scope questions (out-of-scope.yaml missing or empty)" in caplog.text


def test_near_copies_share_a_cross_validation_group():
    g = faq.near_copy_groups(["wat is de deadline", "wat is de deadline?", "wat is de deadlien",
                              "hoe controleer ik de lijst"], ["a", "a", "a", "a"])
    assert g[0] == g[1] == g[2] != g[3]
    g = faq.near_copy_groups(["wat is de deadline", "wat is de deadline"], ["a", "b"])
    assert g[0] != g[1]  # groups never span labels
