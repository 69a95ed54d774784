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

from bot import names
from bot.config import Settings
from bot.consentlist import load
from bot.core import Bot, KnowledgeBot
from bot.names import common_words, is_everyday as is_common
from bot.schools import SchoolMatcher

THREADS = 16

# Questions and lookups on the bundled example list with the embedded directory: each
# message's reply in a quiet, one-thread run is the right one for the burst.
MESSAGES = ["Wat is de deadline?", "What is the deadline?", "Is Studyspace geaccrediteerd?",
            "school cals college", "heeft het Theresialyceum al toestemming gegeven?",
            "school st ignatius gymnasium", "school Vossius Gymnasium", "school De Meer"]


def summary(reply):
    if reply.kind == "answer":
        return reply.kind, reply.answer.status, reply.answer.entry.id if reply.answer.entry else None
    return reply.kind, reply.lookup.status, reply.lookup.match.name if reply.lookup.match else None


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
    monkeypatch.setattr(names, "_common", None)
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
    bot = Bot.from_settings(Settings(data_dir=tmp_path))
    assert bot.directory is not None
    built = dict(list_loads)
    assert built == {"nl": 1, "en": 1}  # loaded by the constructor, each list once
    index = bot.schools._built
    assert index is not None  # the links and the index too

    messages = [MESSAGES[i % len(MESSAGES)] for i in range(THREADS)]
    replies = at_once(bot.handle, messages)
    assert list_loads == built  # nothing loaded while the messages were answered
    assert bot.schools._built is index
    for text, reply in zip(messages, replies):
        assert summary(reply) == summary(bot.handle(text)), text
    assert summary(bot.handle("Wat is de deadline?")) == ("answer", "answered", "deadline")
    assert summary(bot.handle("school cals college")) == ("lookup", "granted", "Cals College")


def test_many_threads_needing_the_everyday_words_first_load_them_once(list_loads):
    words = at_once(lambda _: common_words(), list(range(THREADS)))
    assert list_loads == {"nl": 1, "en": 1}
    assert all(w is words[0] for w in words) and "meer" in words[0] and "bonhoeffer" not in words[0]


def test_a_school_matcher_is_built_with_the_everyday_words(list_loads):
    at_once(lambda _: SchoolMatcher(load()).warm(), list(range(4)))
    assert list_loads == {"nl": 1, "en": 1}


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
