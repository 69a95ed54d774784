"""Loading and validating the knowledge base (bot/knowledge.py)."""
import re
import shutil
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.knowledge import DEFAULT_DIR, load_knowledge

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TOPIC_IDS = ["what-is-the-connection", "policy-change", "school-consent", "accreditation",
             "studyspace-accredited", "deadline", "magister-newsletter", "check-consent",
             "school-not-listed", "admin-memo", "info-for-schools", "data-register",
             "processing-agreement", "no-consent"]

ENTRY = '''  - id: "{id}"
    question: {{nl: "Vraag {id}?", en: "Question {id}?"}}
    alternates: {{nl: ["alt {id}"], en: ["alt {id} en"]}}
    answer:
      nl: "Antwoord {id}."
      en: "Answer {id}."
    related: [{related}]
'''


def kb_dir(tmp_path, faq_text, drafts_text=None):
    d = tmp_path / "kb"
    d.mkdir()
    (d / "faq.yaml").write_text(faq_text, encoding="utf-8")
    shutil.copy(DEFAULT_DIR / "drafts.yaml", d / "drafts.yaml")
    if drafts_text is not None:
        (d / "drafts.yaml").write_text(drafts_text, encoding="utf-8")
    return d


def two_entries(**changes):
    a = ENTRY.format(id="a", related='"b"')
    b = ENTRY.format(id="b", related="")
    text = "entries:\n" + a + b
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


def faults(tmp_path, text, drafts=None):
    with pytest.raises(KnowledgeError) as e:
        load_knowledge(kb_dir(tmp_path, text, drafts))
    return e.value.faults


def test_the_real_knowledge_base_covers_every_topic():
    kb = load_knowledge()
    ids = [e.id for e in kb.entries]
    assert sorted(ids) == sorted(TOPIC_IDS)
    topics = SHARED / "spec" / "knowledge-topics.md"
    if topics.exists():  # the spec's table is the source of truth where it is present
        assert set(re.findall(r"^\| `([a-z-]+)` \|", topics.read_text(), re.M)) == set(ids)
    for e in kb.entries:
        assert e.answer["nl"] != e.answer["en"]
        assert len(e.alternates["nl"]) >= 5 and len(e.alternates["en"]) >= 5
    assert "verzoek" in kb.templates


def test_answers_state_only_past_dates_in_the_past_tense():
    kb = load_knowledge()
    deadline = kb.entry("deadline").answer["nl"].lower()
    assert "18 december 2018" in deadline and "vanaf 18 december 2018 hebben" not in deadline


def test_processing_agreement_says_whom_to_ask_until_the_link_is_set():
    e = load_knowledge().entry("processing-agreement")
    assert e.operator_url == ""
    assert e.operator_note["nl"] in e.answer_text("nl")


def test_a_valid_small_knowledge_base_loads(tmp_path):
    kb = load_knowledge(kb_dir(tmp_path, two_entries()))
    assert [e.id for e in kb.entries] == ["a", "b"]
    assert kb.entry("a").related == ("b",)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    (f,) = faults(tmp_path, two_entries(**{'answer:\n      nl: "Antwoord a."': 'answer:\n      nl: "Antwoord a.\n  bad: ['}))
    assert re.search(r"faq\.yaml:\d+: YAML syntax", f)


def test_duplicate_keys_are_refused(tmp_path):
    text = two_entries(**{'      en: "Answer a."\n': '      en: "Answer a."\n      en: "Again."\n'})
    (f,) = faults(tmp_path, text)
    assert "duplicate key 'en'" in f and re.search(r"faq\.yaml:\d+:", f)


@pytest.mark.parametrize("value,kind", [("no", "a boolean"), ("off", "a boolean"), ("0123", "a number"),
                                        ("12:30", "a number"), ("2018-12-18", "date"), ("", "empty")])
def test_non_strings_where_text_is_expected(tmp_path, value, kind):
    text = two_entries(**{'nl: "Antwoord a."': f"nl: {value}"})
    fs = faults(tmp_path, text)
    assert any("entry 'a'" in f and "answer.'nl' must be text" in f and kind in f for f in fs), fs
    line = text.splitlines().index(f"      nl: {value}") + 1
    assert any(f":{line}:" in f for f in fs)


def test_missing_language(tmp_path):
    fs = faults(tmp_path, two_entries(**{'      en: "Answer b."\n': ""}))
    assert any("entry 'b'" in f and "missing 'en'" in f for f in fs)


def test_unknown_related_id(tmp_path):
    fs = faults(tmp_path, two_entries(**{'related: ["b"]': 'related: ["nope"]'}))
    assert any("unknown related id 'nope'" in f for f in fs)


def test_duplicate_id(tmp_path):
    fs = faults(tmp_path, two_entries(**{'id: "b"': 'id: "a"'}))
    assert any("duplicate id" in f for f in fs)


def test_every_fault_is_reported_and_nothing_half_loads(tmp_path):
    text = two_entries(**{'id: "b"': 'id: "a"', 'nl: "Antwoord a."': "nl: no"})
    fs = faults(tmp_path, text)
    assert len(fs) >= 2


def test_bad_template_placeholder(tmp_path):
    drafts = 'templates:\n  - id: "verzoek"\n    subject: "Hallo $schol"\n    body: "x $ y"\n'
    fs = faults(tmp_path, two_entries(), drafts)
    assert any("unknown placeholder(s) schol" in f for f in fs)
    assert any("stray '$'" in f for f in fs)


def test_missing_directory_and_file(tmp_path):
    with pytest.raises(KnowledgeError, match="no such directory"):
        load_knowledge(tmp_path / "nope")
    d = tmp_path / "empty"
    d.mkdir()
    with pytest.raises(KnowledgeError, match="cannot read"):
        load_knowledge(d)


def test_out_of_scope_questions_are_validated_like_the_rest(tmp_path):
    d = kb_dir(tmp_path, two_entries())
    (d / "out-of-scope.yaml").write_text('out_of_scope:\n  nl: ["hoe laat is het", no]\n  en: []\n  fr: []\n')
    with pytest.raises(KnowledgeError) as e:
        load_knowledge(d)
    fs = e.value.faults
    assert any("out-of-scope.yaml:2:" in f and "must be non-empty text" in f for f in fs), fs
    assert any("out-of-scope.yaml" in f and "fr" in f for f in fs), fs
    (d / "out-of-scope.yaml").write_text('out_of_scope:\n  nl: ["hoe laat is het"]\n  en: ["what time is it"]\n')
    assert load_knowledge(d).out_of_scope == {"nl": ["hoe laat is het"], "en": ["what time is it"]}
    (d / "out-of-scope.yaml").unlink()
    assert load_knowledge(d).out_of_scope == {}


# -- drafts --------------------------------------------------------------------------------------
DRAFT = '''  - id: "c"
    draft: true
    question: {nl: "Vraag c?"}
    answer: {nl: "Antwoord c."}
'''


def test_a_draft_needs_only_dutch_and_is_kept_apart(tmp_path):
    kb = load_knowledge(kb_dir(tmp_path, two_entries() + DRAFT))
    assert [e.id for e in kb.entries] == ["a", "b"] and [e.id for e in kb.drafts] == ["c"]
    assert kb.draft("c").draft and kb.draft("c").phrasings() == [("nl", "Vraag c?")]
    assert [e.id for e in kb.all_entries()] == ["a", "b", "c"]
    with pytest.raises(KeyError):
        kb.entry("c")


def test_a_draft_is_validated_like_any_entry(tmp_path):
    fs = faults(tmp_path, two_entries() + DRAFT.replace('answer: {nl: "Antwoord c."}', 'answer: {en: "Answer c."}'))
    assert any("entry 'c'" in f and "missing 'nl'" in f for f in fs), fs


def test_draft_must_be_a_boolean(tmp_path):
    fs = faults(tmp_path, two_entries() + DRAFT.replace("draft: true", 'draft: "ja"'))
    assert any("entry 'c'" in f and "'draft' must be true or false" in f for f in fs), fs


def test_a_published_entry_cannot_relate_to_a_draft(tmp_path):
    fs = faults(tmp_path, two_entries(**{'related: ["b"]': 'related: ["c"]'}) + DRAFT)
    assert any("entry 'a'" in f and "related id 'c' is a draft" in f for f in fs), fs


def test_control_characters_are_refused_with_their_code_point(tmp_path):
    fs = faults(tmp_path, two_entries(**{'"Antwoord a."': '"Antwoord\\u0007 a."', '"alt b"': '"alt\\x1b b"'}))
    assert any("entry 'a'" in f and "answer.'nl' holds a control character (U+0007)" in f for f in fs), fs
    assert any("entry 'b'" in f and "alternates.nl[0]' holds a control character (U+001B)" in f for f in fs), fs


def test_texts_can_stand_in_for_the_files(tmp_path):
    d = kb_dir(tmp_path, two_entries())
    kb = load_knowledge(d, texts={"faq.yaml": two_entries(**{'"Antwoord a."': '"Nieuw antwoord a."'})})
    assert kb.entry("a").answer["nl"] == "Nieuw antwoord a." and kb.directory == d
    with pytest.raises(KnowledgeError, match=re.escape(str(d / "faq.yaml")) + r":\d+: entry 'a'"):
        load_knowledge(d, texts={"faq.yaml": two_entries(**{'"Antwoord a."': "no"})})
