"""Editing the knowledge base's YAML in place (bot/kbedit.py) and its history (bot/kbhistory.py)."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.errors import BotError, KnowledgeError
from bot.faq import cache_key, training_data
from bot.kbedit import EditRefused, KnowledgeEditor, new_id
from bot.kbhistory import Change, ChangeLog, JsonlChangeLog
from bot.knowledge import load_knowledge
from kbfiles import bundled_kb, changed_lines, small_kb, snapshot

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kb(tmp_path):
    return small_kb(tmp_path / "kb")


@pytest.fixture
def history(tmp_path):
    return JsonlChangeLog.in_data_dir(tmp_path / "data")


@pytest.fixture
def editor(kb, history):
    return KnowledgeEditor(kb, history)


def test_one_new_phrasing_is_one_added_line_in_the_bundled_file(tmp_path):
    d = bundled_kb(tmp_path / "kb")
    before = snapshot(d)
    result = KnowledgeEditor(d).add_phrasings("deadline", "nl", ["tot welke datum hadden softwarepartijen?"], who="U1")
    after = snapshot(d)
    assert result.added == ["tot welke datum hadden softwarepartijen?"]
    assert changed_lines(before["faq.yaml"], after["faq.yaml"]) == ['+        - "tot welke datum hadden softwarepartijen?"']
    assert {n: b for n, b in after.items() if n != "faq.yaml"} == {n: b for n, b in before.items() if n != "faq.yaml"}
    assert "tot welke datum hadden softwarepartijen?" in load_knowledge(d).entry("deadline").alternates["nl"]


def test_a_phrasing_goes_before_the_comment_that_follows_its_list_and_into_a_flow_list(editor, kb):
    before = (kb / "faq.yaml").read_bytes()
    editor.add_phrasings("deadline", "nl", ["tot wanneer precies?"], who="U1")
    mid = (kb / "faq.yaml").read_bytes()
    assert changed_lines(before, mid) == ['+        - "tot wanneer precies?"']
    assert b'        - "tot wanneer precies?"\n        # English below\n' in mid
    editor.add_phrasings("deadline", "en", ["due when?"], who="U1")
    removed, added = changed_lines(mid, (kb / "faq.yaml").read_bytes())
    assert removed.startswith("-      en: [") and added == "+" + removed[1:-1] + ', "due when?"]'


def test_comments_and_quoting_survive(editor, kb):
    editor.add_phrasings("accreditation", "nl", ["wat is accreditatie precies"], who="U1")
    text = (kb / "faq.yaml").read_text()
    assert text.startswith("# A small knowledge base for tests.\n# All text values are double-quoted.\n")
    assert 'nl: "Magister beoordeelt de partij." # checked by Iddink' in text
    assert '\n\n  - id: "accreditation"' in text


def test_a_phrasing_already_there_after_normalisation_is_skipped(editor, kb):
    before = snapshot(kb)
    result = editor.add_phrasings("deadline", "nl", ["  UITERSTE   datum!! ", "Wat is de déadline"], who="U1")
    assert result.changes == () and result.written == ()
    assert [s.text for s in result.skipped] == ["  UITERSTE   datum!! ", "Wat is de déadline"]
    assert all("staat er al" in s.reason for s in result.skipped)
    assert snapshot(kb) == before


def test_a_phrasing_of_another_entry_or_out_of_scope_is_skipped_with_the_reason(editor, kb):
    result = editor.add_phrasings("deadline", "nl", ["Wat keurt Magister?", "hoe laat is het", "tot wanneer dan?"],
                                  who="U1")
    assert result.added == ["tot wanneer dan?"]
    reasons = {s.text: s.reason for s in result.skipped}
    assert "accreditation" in reasons["Wat keurt Magister?"]
    assert "out-of-scope" in reasons["hoe laat is het"]


def test_texts_without_words_or_with_control_characters_are_skipped(editor):
    result = editor.add_phrasings("deadline", "nl", ["👍", "", "   ", "tot\x07wanneer", "tot \ud83d wanneer",
                                                     "regel 1\nregel\t2"], who="U1")
    assert result.added == ["regel 1\nregel\t2"]  # a line break and a tab may be there
    reasons = [s.reason for s in result.skipped]
    assert "geen woorden" in reasons[0] and "lege tekst" in reasons[1] and "lege tekst" in reasons[2]
    assert "U+0007" in reasons[3] and "ongeldig teken (U+D83D)" in reasons[4]


@pytest.mark.parametrize("text", ["no", "off", "yes", "~", "null", "0123", "12:30", "2018-12-18", "- x", "a: b",
                                  "#hashtag", "'quoted'", '"double"', "back\\slash", "emoji 👋 ok", "{flow}"])
def test_yaml_look_alikes_are_written_as_text(editor, kb, text):
    editor.add_phrasings("deadline", "en", [f"{text} deadline"], who="U1")
    editor.add_out_of_scope("nl", [f"{text} lunch"], who="U1")
    loaded = load_knowledge(kb)
    assert loaded.entry("deadline").alternates["en"][-1] == f"{text} deadline"
    assert loaded.out_of_scope["nl"][-1] == f"{text} lunch"


def test_a_bare_no_is_text_not_a_boolean(editor, kb):
    editor.add_phrasings("deadline", "nl", ["no"], who="U1")
    assert '        - "no"\n' in (kb / "faq.yaml").read_text()
    assert load_knowledge(kb).entry("deadline").alternates["nl"][-1] == "no"


@pytest.mark.parametrize("edit", [
    lambda ed: ed.add_phrasings("nope", "nl", ["x y"], who="U1"),
    lambda ed: ed.add_phrasings("deadline", "fr", ["x y"], who="U1"),
    lambda ed: ed.add_phrasings("deadline", "nl", ["x y"], who="U1", kind="answer"),
    lambda ed: ed.add_draft("Nieuwe vraag?", "Antwoord.", who="U1", entry_id="Nieuwe_Vraag"),
    lambda ed: ed.add_draft("Nieuwe vraag?", "Antwoord.", who="U1", entry_id="deadline"),
    lambda ed: ed.add_draft("Wat is de deadline?", "Antwoord.", who="U1"),
    lambda ed: ed.add_draft("Nieuwe vraag?", "", who="U1"),
    lambda ed: ed.add_draft("Nieuwe vraag?", "Ant\x1bwoord", who="U1"),
    lambda ed: ed.publish("deadline", who="U1"),
    lambda ed: ed.publish("nope", who="U1"),
    lambda ed: ed.set_text("deadline", "nl", "question", "Wat keurt magister", who="U1"),
    lambda ed: ed.set_text("deadline", "nl", "alternate", "x y", who="U1"),
], ids=["unknown-entry", "language", "kind", "bad-id", "taken-id", "taken-question", "empty-answer",
        "control-character", "publish-published", "publish-unknown", "question-of-another", "set-a-list"])
def test_a_refused_edit_leaves_every_file_byte_for_byte(editor, kb, history, edit):
    before = snapshot(kb)
    with pytest.raises(EditRefused) as e:
        edit(editor)
    assert isinstance(e.value, KnowledgeError) and isinstance(e.value, BotError)
    assert str(e.value).startswith("niet opgeslagen / not saved: ") and "\n" not in str(e.value)
    assert snapshot(kb) == before
    assert history.changes() == []


def test_an_edit_the_whole_knowledge_base_would_not_validate_is_refused_with_file_and_line(editor, kb):
    # Drafts may relate to drafts; a published entry may not: the plan allows the publish,
    # the validation of the whole knowledge base refuses it.
    first = editor.add_draft("Wat kost de koppeling?", "Niets.", who="U1",
                             question_en="What does it cost?", answer_en="Nothing.").entry_id
    second = editor.add_draft("Wie betaalt de koppeling?", "Niemand.", who="U1").entry_id
    text = (kb / "faq.yaml").read_text()
    (kb / "faq.yaml").write_text(text.replace(f'  - id: "{first}"\n', f'  - id: "{first}"\n    related: ["{second}"]\n'))
    before = snapshot(kb)
    with pytest.raises(EditRefused) as e:
        editor.publish(first, who="U1")
    assert f"related id '{second}' is a draft" in str(e.value)
    assert any(f.startswith(f"{kb / 'faq.yaml'}:") and f"entry '{first}'" in f for f in e.value.faults)
    assert snapshot(kb) == before


def test_a_knowledge_base_broken_on_disk_is_not_edited(editor, kb):
    (kb / "faq.yaml").write_text((kb / "faq.yaml").read_text().replace('nl: "Sinds 18 december 2018."', "nl: no"))
    before = snapshot(kb)
    with pytest.raises(EditRefused, match="al kapot.*faq.yaml:\\d+: entry 'deadline'"):
        editor.add_phrasings("accreditation", "nl", ["x y z"], who="U1")
    assert snapshot(kb) == before


def test_a_draft_is_listed_but_neither_answered_nor_trained_on_until_published(editor, kb, history):
    key = cache_key(load_knowledge(kb))
    before = (kb / "faq.yaml").read_bytes()
    result = editor.add_draft("Hoe vraag ik toegang aan voor een nieuwe school?", "Via het formulier.", who="U7")
    assert result.entry_id == "toegang-nieuwe-school"
    added = changed_lines(before, (kb / "faq.yaml").read_bytes())
    assert added[:3] == ["+", '+  - id: "toegang-nieuwe-school"', "+    draft: true"]  # after a blank line, as the others
    loaded = load_knowledge(kb)
    assert [e.id for e in loaded.drafts] == ["toegang-nieuwe-school"]
    assert "toegang-nieuwe-school" not in [e.id for e in loaded.entries]
    assert loaded.draft("toegang-nieuwe-school").question == {"nl": "Hoe vraag ik toegang aan voor een nieuwe school?"}
    assert "Via het formulier." not in training_data(loaded)[0]
    assert cache_key(loaded) == key  # a draft needs no refit
    # Publishing needs the English too.
    with pytest.raises(EditRefused, match="question \\(en\\), answer \\(en\\)"):
        editor.publish("toegang-nieuwe-school", who="U7")
    editor.set_text("toegang-nieuwe-school", "en", "question", "How do I request access for a new school?", who="U7")
    editor.set_text("toegang-nieuwe-school", "en", "answer", "Through the form.", who="U7")
    before = (kb / "faq.yaml").read_bytes()
    editor.publish("toegang-nieuwe-school", who="U7")
    assert changed_lines(before, (kb / "faq.yaml").read_bytes()) == ["-    draft: true"]
    loaded = load_knowledge(kb)
    assert loaded.entry("toegang-nieuwe-school").answer_text("en") == "Through the form."
    assert "Through the form." in training_data(loaded)[0] and cache_key(loaded) != key
    assert [c.action for c in reversed(history.changes())] == ["add_draft", "set_question", "set_answer", "publish"]


def test_new_ids_come_from_the_question_and_are_unique():
    assert new_id("Hoe vraag ik toegang aan voor een nieuwe school?", set()) == "toegang-nieuwe-school"
    assert new_id("Wat is de déadline?", {"deadline"}) == "deadline-2"
    assert new_id("Wat is de deadline?", {"deadline", "deadline-2"}) == "deadline-3"
    assert new_id("Hoe?", set()) == "hoe"
    assert new_id("???", set()) == "vraag"
    long = new_id("verwerkersovereenkomst gegevensuitwisseling leerlingadministratie privacyreglement "
                  "toestemmingsverklaring", set())
    assert len(long) <= 48 and not long.endswith("-")


def test_out_of_scope_questions_are_added_and_the_file_made_when_missing(editor, kb):
    before = (kb / "out-of-scope.yaml").read_bytes()
    editor.add_out_of_scope("en", ["what is for lunch"], who="U1")
    assert changed_lines(before, (kb / "out-of-scope.yaml").read_bytes())[-1] == \
        '+  en: ["what time is it", "i cannot log in", "how much is studyspace", "when is the christmas break", ' \
        '"my timetable is wrong", "where is the coffee", "homework deadline maths", "what is for lunch"]'
    (kb / "out-of-scope.yaml").unlink()
    editor.add_out_of_scope("nl", ["wat eten we"], who="U1")
    assert load_knowledge(kb).out_of_scope == {"nl": ["wat eten we"], "en": []}


def test_the_file_keeps_its_permissions_and_no_temporary_file_is_left(editor, kb):
    os.chmod(kb / "faq.yaml", 0o640)
    editor.add_phrasings("deadline", "nl", ["tot wanneer dan?"], who="U1")
    assert stat.S_IMODE((kb / "faq.yaml").stat().st_mode) == 0o640
    assert sorted(p.name for p in kb.iterdir()) == [".kb-edit.lock", "drafts.yaml", "faq.yaml", "out-of-scope.yaml"]


def test_a_file_with_windows_line_breaks_and_a_byte_order_mark_keeps_them(editor, kb):
    (kb / "faq.yaml").write_bytes(b"\xef\xbb\xbf" + (kb / "faq.yaml").read_bytes().replace(b"\n", b"\r\n"))
    before = (kb / "faq.yaml").read_bytes()
    editor.add_phrasings("deadline", "nl", ["tot wanneer dan?"], who="U1")
    after = (kb / "faq.yaml").read_bytes()
    assert after.startswith(b"\xef\xbb\xbf# A small") and b'        - "tot wanneer dan?"\r\n' in after
    assert after.replace(b'        - "tot wanneer dan?"\r\n', b"") == before


def test_every_change_is_recorded_with_who_and_when(editor, history):
    editor.add_phrasings("deadline", "nl", ["tot wanneer dan?", "uiterste datum", "hoe lang nog?"], who="U1")
    editor.add_out_of_scope("nl", ["wat eten we"], who="U2")
    latest, first = history.changes()
    assert (first.who, first.action, first.entry_id, first.language, first.texts) == \
        ("U1", "add_alternates", "deadline", "nl", ("tot wanneer dan?", "hoe lang nog?"))
    assert first.when.tzinfo == timezone.utc
    assert (latest.who, latest.action, latest.entry_id) == ("U2", "add_out_of_scope", None)
    assert history.changes(limit=1) == [latest]
    assert isinstance(history, ChangeLog)


def test_the_history_skips_a_line_it_cannot_read(tmp_path, caplog):
    log = JsonlChangeLog(tmp_path / "h.jsonl")
    assert log.changes() == []
    log.record(Change("U1", datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc), "publish", "x", None))
    with open(tmp_path / "h.jsonl", "a") as f:
        f.write("{not json\n" + json.dumps({"who": "U2"}) + "\n")
    assert [c.who for c in log.changes()] == ["U1"]
    assert "unreadable history line" in caplog.text


_WORKER = """
import sys
from bot.kbedit import KnowledgeEditor
ed = KnowledgeEditor(sys.argv[1])
for i in range(int(sys.argv[3])):
    ed.add_phrasings("deadline", "nl", [f"vraag {sys.argv[2]} nummer {i}"], who=sys.argv[2])
"""


def test_two_processes_writing_at_once_lose_no_phrasing(kb):
    n = 8
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(kb), name, str(n)], cwd=ROOT)
             for name in ("een", "twee")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    alternates = load_knowledge(kb).entry("deadline").alternates["nl"]
    assert {f"vraag {w} nummer {i}" for w in ("een", "twee") for i in range(n)} <= set(alternates)
    assert len(alternates) == 6 + 2 * n


def test_a_history_that_cannot_be_written_keeps_the_edit_and_warns_in_one_line(kb, caplog):
    class Full:
        def record(self, change):
            raise OSError(30, "Read-only file system")

        def changes(self, limit=50):
            return []

    result = KnowledgeEditor(kb, Full()).add_phrasings("deadline", "nl", ["tot wanneer nog precies?"], who="U1")
    assert result.added and "tot wanneer nog precies?" in (kb / "faq.yaml").read_text(encoding="utf-8")
    [record] = [r for r in caplog.records if "history" in r.getMessage()]
    assert record.exc_info is None and "Read-only file system" in record.getMessage()
