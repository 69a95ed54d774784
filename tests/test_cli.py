"""The command line end to end (bot/cli.py): in this process through ``conftest.run_cli``, and
as a child process where the process boundary is the point (output cut off by its reader)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]


def run(*args, stdin="", env=None):
    return run_cli(*args, stdin=stdin, env=env)


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
    # issue 9: the embedded DUO directory knows the Stedelijk Gymnasium in Leiden (was not_found)
    assert [g["status"] for g in got] == ["granted", "not_granted", "not_found"]
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


# -- output cut off, bad lists, skipped rows, options, settings ----------------------------------------
def _env():
    return {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONSENT_", "KNOWLEDGE_"))}


@pytest.mark.parametrize("argv, item", [(["school", "--json", "-"], "cals college"),
                                        (["ask", "--json", "-"], "Wat is de deadline?"),
                                        (["console"], "Wat is de deadline?")])
def test_output_cut_off_by_its_reader_ends_quietly_with_141(tmp_path, argv, item):
    """`… | head -1`: no BrokenPipeError traceback; 141 (128 + SIGPIPE) as for any filter."""
    items = tmp_path / "items.txt"
    items.write_text((item + "\n") * 3000, encoding="utf-8")
    with items.open("rb") as stdin:
        bot = subprocess.Popen([sys.executable, "-m", "bot", *argv], stdin=stdin,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=_env())
        head = subprocess.Popen(["head", "-1"], stdin=bot.stdout, stdout=subprocess.PIPE)
        bot.stdout.close()  # head alone reads it
        first, _ = head.communicate(timeout=60)
        err = bot.stderr.read().decode()
        bot.wait(timeout=60)
    assert json.loads(first)["status"] if "--json" in argv else first.startswith(b"Magister-koppeling bot")
    assert bot.returncode == 141 and err == ""


def test_a_list_with_an_unclosed_quote_is_refused_naming_the_row(tmp_path):
    bad = tmp_path / "lijst.csv"
    bad.write_text('name,host\n"Cals College,cals.magister.net\nVossius Gymnasium,vossius\n', encoding="utf-8")
    r = run("school", "cals college", "--consent-list", str(bad))
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (f"error: {bad}: no valid school in the list (1 rows skipped: row 1: the name runs over "
                        "lines 2-3: a quote that is not closed?)\n")


def test_skipped_rows_are_shown_where_the_list_is_used(tmp_path):
    lst = tmp_path / "lijst.csv"
    rows = ["naam;host", "Cals College;cals"] + [f";zonder-naam-{i}" for i in range(12)] + ["Vossius Gymnasium;geen host!"]
    lst.write_text("\n".join(rows) + "\n", encoding="utf-8")
    # school: stdout keeps its JSON contract; one line on stderr per run, not per item
    r = run("school", "--json", "-", "--consent-list", str(lst), stdin="cals college\nvossius gymnasium\n")
    assert r.returncode == 0 and [json.loads(x)["status"] for x in r.stdout.splitlines()] == ["granted", "granted"]
    assert r.stderr.splitlines() == [
        f"let op: {lst}: 12 rijen overgeslagen (row 2: no school name; row 3: no school name; row 4: no school name; "
        "… en 9 meer); 1 rijen ingelezen met een waarschuwing (row 14: 'geen host!' is no Magister host (kept "
        f"without host)); zie `python -m bot consent status --consent-list {lst}`"]
    # consent status (the option after the action, as before it) lists the first ten, then how many more
    for args in (("consent", "status", "--consent-list", str(lst)), ("consent", "--consent-list", str(lst), "status")):
        r = run(*args)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        i = lines.index("Rijen overgeslagen in deze lijst: 12")
        assert lines[i + 1:i + 12] == [f"  row {n}: no school name" for n in range(2, 12)] + ["  … en 2 meer"]
        assert lines[i + 12:] == ["Rijen ingelezen met een waarschuwing: 1",
                                  "  row 14: 'geen host!' is no Magister host (kept without host)"]
    got = json.loads(run("consent", "status", "--json", "--consent-list", str(lst)).stdout)
    assert got["rows_skipped"] == 12 and len(got["faults"]) == 12 and got["warnings"] == [lines[-1].strip()]
    assert got["source"] == str(lst) and got["kind"] == "path"


def test_common_options_after_any_command_are_taken_or_refused_with_a_reason(listfile, tmp_path):
    env = {"DATA_DIR": str(tmp_path / "data")}
    r = run("consent", "refresh", "--consent-list", str(listfile), env=env)
    assert r.returncode == 0 and "2 scholen" in r.stdout
    for args, message in (
            (("requests", "list", "--consent-list", str(listfile)), "--consent-list does not apply to `requests list`"),
            (("--consent-list", str(listfile), "requests", "list"), "--consent-list does not apply to `requests list`"),
            (("report", "questions", "--knowledge", "knowledge"), "--knowledge does not apply to `report questions`"),
            (("consent", "status", "--knowledge", "knowledge"), "--knowledge does not apply to `consent status`"),
            (("consent", "diff", "a.csv", "b.csv", "--consent-list", "c.csv"),
             "--consent-list does not apply to `consent diff`: it compares the two files it is given"),
            (("schools", "import", "x.csv", "--consent-list", "c.csv"), "--consent-list does not apply to `schools import`"),
            (("ask", "Wat is de deadline?", "--consent-list", "c.csv"),
             "--consent-list does not apply to `ask`: it answers from the knowledge base alone"),
    ):
        r = run(*args, env=env)
        assert r.returncode == 2 and r.stdout == "" and message in r.stderr.splitlines()[-1], (args, r.stderr)
    assert not (tmp_path / "data" / "bot.sqlite3").exists()


def test_a_malformed_log_level_is_one_line_naming_the_variable():
    from bot.config import Settings
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'"):
        Settings.from_env({"LOG_LEVEL": "LOUD"})
    assert Settings.from_env({"LOG_LEVEL": "debug"}).log_level == "DEBUG"
    assert Settings.from_env({"LOG_LEVEL": "warn"}).log_level == "WARNING"
    assert Settings.from_env({}).log_level == "INFO"
    r = run("ask", "deadline", env={"LOG_LEVEL": "LOUD"})
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == "error: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'\n"


def test_console_drafts_edits_marks_sent_and_lists_requests_with_numbered_choices(tmp_path):
    """The console plays the whole request flow against the same store as `requests list`."""
    env = {"DATA_DIR": str(tmp_path)}
    script = ("toestemming\n1\n"                       # "bedoel je…?": pick the first by its number
              "school Vossius Gymnasium Leiden\n1\n"   # not listed: 1 = Verzoek opstellen
              "1\nbeheer@vossius.example\n\n\n"         # 1 = Bewerken: a recipient, subject and text kept
              "7\n2\nverzoeken\nquit\n")               # no choice 7; 2 = Markeer als verstuurd
    r = run(stdin=script, env=env)
    out = r.stdout
    assert r.returncode == 0, r.stderr
    assert "Bedoel je een van deze vragen?" in out and "Kies met een nummer:" in out
    assert "Concept-verzoek aan de applicatiebeheerder van *Vossius Gymnasium Leiden*" in out
    assert "Aan: beheer@vossius.example" in out
    assert "Er is geen keuze 7" in out
    assert "Genoteerd als verstuurd" in out and "*Open verzoeken* (1, oudste eerst)" in out
    listed = run("requests", "list", "--json", env=env)
    [req] = json.loads(listed.stdout)
    assert (req["school_name"], req["status"]) == ("Vossius Gymnasium Leiden", "sent")


def test_the_console_starts_without_a_list_answers_questions_and_gives_lookups_no_verdict(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on: connection refused, no network needed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = run_cli("console", env={"CONSENT_LIST_URL": f"http://127.0.0.1:{port}/lijst.csv", "DATA_DIR": str(tmp_path)},
                stdin="wat is de deadline?\nschool cals college\nquit\n")
    assert r.returncode == 0, r.stderr
    assert "consent list unavailable" in r.stderr and "Traceback" not in r.stderr
    assert "18 december 2018" in r.stdout
    assert "niet beschikbaar" in r.stdout and "✅" not in r.stdout
    # a one-shot lookup still refuses to answer from no list
    assert run_cli("school", "cals college", env={"CONSENT_LIST_URL": f"http://127.0.0.1:{port}/lijst.csv",
                                                  "DATA_DIR": str(tmp_path)}).returncode == 1


def test_a_question_typed_in_the_console_is_logged_so_nakijken_can_review_it(tmp_path):
    r = run_cli("console", env={"DATA_DIR": str(tmp_path)},
                stdin="hoe laat gaat de kantine dicht\nnakijken\nquit\n")
    assert r.returncode == 0, r.stderr
    review = r.stdout.split("Vragen om na te kijken", 1)
    assert len(review) == 2 and "hoe laat gaat de kantine dicht" in review[1]
