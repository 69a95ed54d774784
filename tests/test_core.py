"""Routing a message in the Slack-free core (bot/core.py)."""
import pytest

from bot.config import Settings
from bot.consentlist import ConsentList, School
from bot.core import Bot, parse_command, school_in_question
from bot.knowledge import load_knowledge


@pytest.fixture(scope="module")
def bot():
    schools = (School("Cals College", "cals.magister.net"), School("Bonhoeffer College", "bonhoeffer.magister.net"),
               School("Stedelijk Gymnasium Breda", "gymnasiumbreda.magister.net"))
    return Bot(Settings(institute_name="Huiswerkinstituut De Uil"), load_knowledge(), ConsentList(schools, "test"))


@pytest.mark.parametrize("text,kind,status", [
    ("Wat is de deadline?", "answer", "answered"),
    ("school Cals College", "lookup", "granted"),
    ("lookup cals", "lookup", "granted"),
    ("heeft het Cals College al toestemming gegeven?", "lookup", "granted"),
    ("Staat het Stedelijk Gymnasium Leiden er al tussen?", "lookup", "not_found"),
    ("is Bonhoeffer College already on the list?", "lookup", "granted"),
    ("Cals College toestemming?", "lookup", "granted"),
    ("bonhoeffer", "lookup", "granted"),
    ("Heeft de school toestemming nodig?", "answer", None),        # "de school" names no school
    ("staat de school er niet bij", "answer", "answered"),
    ("Is Studyspace geaccrediteerd?", "answer", "answered"),
    ("", "answer", "no_match"),
])
def test_routing(bot, text, kind, status):
    r = bot.handle(text)
    assert r.kind == kind
    if status:
        assert (r.lookup or r.answer).status == status


def test_commands_and_usage(bot):
    assert bot.handle("help").kind == "help"
    assert bot.handle("school").kind == "usage"
    assert bot.handle("verzoek   ").kind == "usage"
    d = bot.handle("verzoek Vossius Gymnasium")
    assert d.kind == "draft" and "Huiswerkinstituut De Uil" in d.draft.body
    assert d.lookup.status == "not_found"


def test_draft_for_a_listed_school_uses_its_host(bot):
    d = bot.draft_reply("cals college")
    assert d.lookup.status == "granted" and "cals.magister.net" in d.draft.body


def test_parse_command():
    assert parse_command("school  Cals College ") == ("school", "Cals College")
    assert parse_command("Request: Cals") == ("verzoek", "Cals")
    assert parse_command("Wat is de deadline?") == ("", "Wat is de deadline?")


@pytest.mark.parametrize("text,name", [
    ("Heeft het Cals College al toestemming gegeven?", "het cals college"),
    ("staat Bonhoeffer al op de lijst?", "bonhoeffer"),
    ("Is het Stedelijk Gymnasium al gekoppeld?", "het stedelijk gymnasium"),
    ("has Cals College granted access yet?", "cals college"),
    ("Wat is de deadline?", ""),
])
def test_school_in_question(text, name):
    assert school_in_question(text) == name


def test_swapping_the_consent_list(bot):
    b = Bot(bot.settings, bot.kb, bot.consent)
    b.set_consent_list(ConsentList((School("Vossius Gymnasium", "vossius.magister.net"),), "new"))
    assert b.lookup("vossius gymnasium").status == "granted"
    assert b.lookup("cals college").status == "not_found"


@pytest.fixture(scope="module")
def bot_with_directory():
    from bot.directory import Directory

    schools = (School("Cals College", "cals.magister.net"),)
    return Bot(Settings(), load_knowledge(), ConsentList(schools, "test"), Directory.embedded())


@pytest.mark.parametrize("text,kind,what", [
    ("heeft het Cals College al toestemming gegeven?", "lookup", "granted"),
    ("Heeft het Amadeus Lyceum al toestemming gegeven?", "lookup", "not_granted"),  # a DUO school
    # the shape of a school question, but no school of the list or the directory
    ("Heeft Magister de scholen laten weten dat ze Studyspace toegang moeten geven?", "answer", "magister-newsletter"),
    ("Heeft de GGD toegang tot gegevens uit Magister?", "answer", None),
])
def test_a_school_question_that_names_no_school_is_answered_from_the_knowledge_base(bot_with_directory, text, kind, what):
    r = bot_with_directory.handle(text)
    assert r.kind == kind, r
    if kind == "lookup":
        assert r.lookup.status == what
    elif what:
        assert r.answer.status == "answered" and r.answer.entry.id == what
