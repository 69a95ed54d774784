"""The command line end to end, as a subprocess (bot/cli.py)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, stdin="", env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONSENT_", "KNOWLEDGE_"))}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=e, timeout=60)


@pytest.fixture()
def listfile(tmp_path):
    p = tmp_path / "lijst.csv"
    p.write_text("naam;host\nCals College;cals.magister.net\nStedelijk Gymnasium Breda;gymnasiumbreda\n",
                 encoding="utf-8")
    return p


def test_ask_prints_the_answer():
    r = run("ask", "Wat is de deadline?")
    assert r.returncode == 0 and "18 december 2018" in r.stdout and r.stderr == ""


def test_ask_json_stream_one_line_per_question_in_order():
    qs = ["Wat is de deadline?", "", "hoe laat is het", "Is Studyspace geaccrediteerd?", "x" * 10_000]
    r = run("ask", "--json", "-", stdin="\n".join(qs) + "\n")
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and len(lines) == len(qs)
    got = [json.loads(line) for line in lines]
    assert got[0]["entry_id"] == "deadline" and got[3]["entry_id"] == "studyspace-accredited"
    assert got[1]["status"] == "no_match" and got[2]["status"] != "answered"
    assert all({"status", "entry_id", "suggestions"} <= set(g) for g in got)


def test_school_with_consent_list_option_before_or_after(listfile):
    for args in (("school", "cals college", "--consent-list", str(listfile)),
                 ("--consent-list", str(listfile), "school", "cals", "college")):
        r = run(*args)
        assert r.returncode == 0 and "Cals College" in r.stdout and "staat op de lijst" in r.stdout


def test_school_json_stream_and_env_variable(listfile):
    r = run("school", "--json", "-", stdin="cals college\nStedelijk Gymnasium Leiden\n<!channel>\n",
            env={"CONSENT_LIST_PATH": str(listfile)})
    got = [json.loads(x) for x in r.stdout.splitlines()]
    assert [g["status"] for g in got] == ["granted", "not_found", "not_found"]
    assert got[0]["match"]["name"] == "Cals College" and got[0]["list"]["source"] == str(listfile)


def test_default_list_is_the_marked_example():
    r = run("school", "--json", "cals college")
    assert json.loads(r.stdout)["list"]["example"] is True
    assert "VOORBEELDLIJST" in run("school", "cals college").stdout


def test_draft_text_and_json():
    r = run("draft", "Vossius Gymnasium", "--sender", "Anna", "--note", "Met dank!")
    assert r.returncode == 0 and "Geachte applicatiebeheerder van Vossius Gymnasium" in r.stdout
    j = json.loads(run("draft", "--json", "Vossius Gymnasium").stdout)
    assert j["subject"] and j["body"] and j["mailto"].startswith("mailto:")


@pytest.mark.parametrize("args,msg", [
    (("school", "x", "--consent-list", "/nonexistent/list.csv"), "No such file"),
    (("ask", "x", "--knowledge", "/nonexistent"), "no such directory"),
])
def test_errors_are_one_line_without_traceback(args, msg):
    r = run(*args)
    assert r.returncode == 1 and msg in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_broken_list_and_broken_knowledge_base(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("<html><body>login</body></html>", encoding="utf-8")
    r = run("school", "x", "--consent-list", str(bad))
    assert r.returncode == 1 and "HTML" in r.stderr and "Traceback" not in r.stderr
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "faq.yaml").write_text("entries:\n  - id: a\n    id: b\n", encoding="utf-8")
    (kb / "drafts.yaml").write_text("templates: []\n", encoding="utf-8")
    r = run("ask", "x", "--knowledge", str(kb))
    assert r.returncode == 1 and "faq.yaml:3: duplicate key 'id'" in r.stderr


def test_usage_error_exits_2():
    assert run("ask").returncode == 2


def test_console_conversation():
    r = run(stdin="Wat is de deadline?\nschool Cals College\nheeft het Cals College al toestemming gegeven?\n"
                  "verzoek Vossius Gymnasium\nhelp\n\nquit\nnot reached\n")
    out = r.stdout
    assert r.returncode == 0
    assert "18 december 2018" in out
    assert out.count("staat op de lijst") == 2  # command and question in words
    assert "Geachte applicatiebeheerder van Vossius Gymnasium" in out
    assert "`school <naam>`" in out and "Tot ziens!" in out


def test_console_ends_on_end_of_input():
    r = run("console", stdin="deadline?")
    assert r.returncode == 0 and "18 december 2018" in r.stdout
