"""Everything a message needs is loaded when the bot is built, once (issue 10).

The first burst after a start used to find wordfreq's frequency lists unloaded: wordfreq
loads them lazily and without a lock, so each of 16 listener threads loaded them again while
Slack's acks queued. These tests count the loads (a recorded event, never a time): many
threads asking the first questions and lookups of a freshly built bot all get the right
answer, and no list is loaded while they ask.
"""
import threading

import pytest
import wordfreq

from bot import schools
from bot.config import Settings
from bot.consentlist import School, load
from bot.core import Bot, KnowledgeBot
from bot.directory import DIRECTORY_FILE, Directory
from bot.schools import SchoolMatcher, common_words, is_common

THREADS = 16

# (message, kind, status, entry id or school name): questions, lookups on the bundled
# example list, and one that only the directory answers.
EXPECTED = [
    ("Wat is de deadline?", "answer", "answered", "deadline"),
    ("What is the deadline?", "answer", "answered", "deadline"),
    ("Is Studyspace geaccrediteerd?", "answer", "answered", "studyspace-accredited"),
    ("school cals college", "lookup", "granted", "Cals College"),
    ("heeft het Theresialyceum al toestemming gegeven?", "lookup", "granted", "Theresialyceum"),
    ("school st ignatius gymnasium", "lookup", "granted", "St. Ignatiusgymnasium"),
    ("school Vossius Gymnasium", "lookup", "not_granted", "Vossius Gymnasium"),
    ("school De Meer", "lookup", "not_found", None),  # an everyday word alone: no verdict
]


@pytest.fixture()
def list_loads(monkeypatch):
    """Forget the everyday words this process made, and count wordfreq's list loads by
    language from now on (the real loader still does the work)."""
    loads: dict[str, int] = {}
    lock = threading.Lock()
    real = wordfreq.get_frequency_list

    def counting(lang, *args, **kwargs):
        with lock:
            loads[lang] = loads.get(lang, 0) + 1
        return real(lang, *args, **kwargs)

    counting.cache_clear = real.cache_clear  # what common_words() releases after use
    monkeypatch.setattr(wordfreq, "get_frequency_list", counting)
    monkeypatch.setattr(schools, "_common", None)
    real.cache_clear()
    return loads


def at_once(fn, items):
    """``fn`` over ``items``, one thread each (:data:`THREADS`), all released together."""
    gate = threading.Barrier(len(items))
    results: list = [None] * len(items)

    def run(i):
        gate.wait()
        results[i] = fn(items[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(items))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_the_first_messages_at_once_get_right_answers_and_load_nothing(list_loads, tmp_path):
    Directory([School("Vossius Gymnasium", "", "Amsterdam", "21AF", "21AF00", 1),
               School("Stedelijk Gymnasium", "", "Leiden", "20DP", "20DP00", 2)]).save(tmp_path / DIRECTORY_FILE)
    bot = Bot.from_settings(Settings(data_dir=tmp_path))
    assert bot.directory is not None
    built = dict(list_loads)
    assert built == {"nl": 1, "en": 1}  # loaded by the constructor, each list once
    index = bot.directory._index
    assert index is not None  # the directory's index too

    messages = [EXPECTED[i % len(EXPECTED)] for i in range(THREADS)]
    replies = at_once(lambda m: bot.handle(m[0]), messages)

    for (text, kind, status, what), reply in zip(messages, replies):
        assert reply.kind == kind, text
        if kind == "answer":
            assert (reply.answer.status, reply.answer.entry.id) == (status, what), text
        else:
            assert (reply.lookup.status, reply.lookup.match.name if reply.lookup.match else None) == (status, what), text
    assert list_loads == built  # nothing loaded while the messages were answered
    assert bot.directory._index is index


def test_many_threads_needing_the_everyday_words_first_load_them_once(list_loads):
    words = at_once(lambda _: common_words(), list(range(THREADS)))
    assert list_loads == {"nl": 1, "en": 1}
    assert all(w is words[0] for w in words) and "meer" in words[0] and "bonhoeffer" not in words[0]


def test_a_school_matcher_is_built_with_the_everyday_words(list_loads):
    matchers = at_once(lambda _: SchoolMatcher(load()), list(range(4)))
    assert list_loads == {"nl": 1, "en": 1}
    assert all(m.common is matchers[0].common for m in matchers)


def test_everyday_words():
    assert is_common("meer") and is_common("plein") and is_common("de")
    assert not is_common("bonhoeffer") and not is_common("felisenum")
    assert is_common("2e") and not is_common("4e")  # as wordfreq has them ("2e" 4.75, "4e" 4.27)
    assert is_common("18")  # a number counts as common as numbers of its length ("00")
    assert not is_common("dok12")


def test_questions_alone_load_no_word_lists(list_loads):
    bot = KnowledgeBot.from_settings(Settings())  # what `python -m bot ask` builds
    assert bot.ask("Wat is de deadline?").entry.id == "deadline"
    assert list_loads == {}
