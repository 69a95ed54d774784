"""A running bot picks up an edited knowledge base without a restart (bot/kblive.py).

A small knowledge base in a temporary folder, so that a refit takes seconds; every wait is
on the swap (or on the reload being done), never a fixed sleep."""
from __future__ import annotations

import io
import itertools
import logging

import pytest

from bot.backends.console import ConsoleBackend
from bot.config import Settings
from bot.conversation import Conversation
from bot.core import Bot
from bot.errors import KnowledgeError
from bot.faq import FaqMatcher, cache_key, training_data
from bot.kbedit import KnowledgeEditor
from bot.kblive import LiveKnowledge
from kbfiles import small_kb

WAIT = 180  # seconds: a refit on a busy machine; the tests do not normally come near it


@pytest.fixture
def kb(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # every model fitted here, none from before
    return small_kb(tmp_path / "kb")


@pytest.fixture
def live(kb):
    swaps = []
    live = LiveKnowledge(kb, on_swap=swaps.append)
    live.swaps = swaps
    yield live
    live.close()
    live.wait_idle(WAIT)


def test_nothing_changed_nothing_reloads(live):
    assert live.check() is False and live.current.generation == 0


def test_a_new_phrasing_is_answered_from_after_the_swap_while_the_old_matcher_kept_answering(live, kb):
    old = live.current
    KnowledgeEditor(kb).add_phrasings("accreditation", "nl", ["wat is een keurmerk voor software"], who="U1")
    assert live.check() is True
    assert old.matcher.answer("wat is de deadline").status  # the old one still answers meanwhile
    assert live.wait_for(1, WAIT)
    new = live.current
    assert new.generation == 1 and live.swaps == [new]
    texts, labels, _ = training_data(new.kb)
    assert ("wat is een keurmerk voor software", "accreditation") in zip(texts, labels)
    assert isinstance(new.matcher, FaqMatcher) and new.matcher.model.key == cache_key(new.kb) != old.matcher.model.key
    assert live.check() is False  # done: the same files


def test_a_broken_file_keeps_the_old_knowledge_base_and_logs_the_fault(live, kb, caplog):
    caplog.set_level(logging.ERROR, logger="bot.kblive")
    good = (kb / "faq.yaml").read_text()
    (kb / "faq.yaml").write_text(good.replace('nl: "Sinds 18 december 2018."', "nl: no"))
    assert live.check() and live.wait_idle(WAIT)
    assert live.current.generation == 0 and live.swaps == []
    assert "faq.yaml:" in live.last_error and "still answering from the previous one" in caplog.text
    assert live.matcher.answer("Wat is de deadline?").status  # answering as before
    (kb / "faq.yaml").write_text(good.replace('"is er een einddatum"', '"is er een einddatum"\n        - "einddatum?"'))
    assert live.check() and live.wait_for(1, WAIT)
    assert "einddatum?" in live.kb.entry("deadline").alternates["nl"] and live.last_error == ""


def test_a_new_draft_swaps_in_without_a_refit(live, kb, caplog):
    caplog.set_level(logging.INFO, logger="bot.faq")
    KnowledgeEditor(kb).add_draft("Wat kost de koppeling?", "Niets.", who="U1")
    assert live.check() and live.wait_for(1, WAIT)
    assert [e.id for e in live.kb.drafts] == ["kost-koppeling"]
    assert "fitting the FAQ model" not in caplog.text  # the model's training data did not change


def test_another_worker_on_the_same_folder_picks_the_change_up(live, kb):
    other = LiveKnowledge(kb)  # as a second process would: its own state, the same files
    KnowledgeEditor(kb).add_phrasings("deadline", "en", ["due by which date"], who="U1")
    assert live.check() and other.check()
    assert live.wait_for(1, WAIT) and other.wait_for(1, WAIT)
    assert other.kb.entry("deadline").alternates["en"][-1] == "due by which date"
    assert other.matcher.model.key == live.matcher.model.key


def test_polling_notices_a_change_by_itself(live, kb):
    live.start(interval=0.05)
    KnowledgeEditor(kb).add_out_of_scope("nl", ["wat eten we vanavond"], who="U1")
    assert live.wait_for(1, WAIT)
    assert "wat eten we vanavond" in live.kb.out_of_scope["nl"]


def test_a_knowledge_base_broken_at_start_is_an_error(kb):
    (kb / "faq.yaml").write_text("entries: [")
    with pytest.raises(KnowledgeError, match=r"faq\.yaml:\d+: YAML syntax"):
        LiveKnowledge(kb)


def test_the_console_answers_from_a_knowledge_base_edited_while_it_runs(kb):
    """A `knowledge import` by another process while the console runs: the console, which has
    no timer, looks before each message, so the question after the refit gets the new entry."""
    bot = Bot.from_settings(Settings(knowledge_dir=kb))
    question = "mag ik de zebra op het plein voeren"
    reads = itertools.count()

    class Typing(io.StringIO):  # the same question three times; the edit lands before the second
        def readline(self, *_):
            n = next(reads)
            if n == 1:
                (kb / "faq.yaml").write_text((kb / "faq.yaml").read_text().replace(
                    '"is er een einddatum"', f'"is er een einddatum"\n        - "{question}"'))
            if n == 2:
                assert bot.live.wait_for(1, WAIT)  # the reload that the second message started
            return question + "\n" if n < 3 else ""

    out = io.StringIO()
    try:
        assert ConsoleBackend(Conversation(bot, None), Typing(), out).run() == 0
    finally:
        bot.live.close()
    first, second, third = [a for a in out.getvalue().split("\n\n") if a.strip()]
    assert "Dat weet ik niet" in first and "Dat weet ik niet" in second  # before the refit
    assert third.startswith("Sinds 18 december 2018.")
