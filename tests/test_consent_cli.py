"""``python -m bot consent refresh|status|diff`` and the consent settings, end to end (in this
process, ``conftest.run_cli``) against a real HTTP server on 127.0.0.1:0."""
import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from conftest import run_cli
from consent_http import Answer, ListServer
GOOD = "naam;magister_host\nCals College;cals\nVossius Gymnasium;vossius\nHet Schoter;schoter\nCarré College;carre\n" \
       "Bonhoeffer College;bonhoeffer\n"


def run(*args, env=None, stdin=""):
    return run_cli(*args, env=env, stdin=stdin)


@pytest.fixture()
def srv():
    with ListServer() as s:
        s.set("/list.csv", Answer(body=GOOD.encode(), headers={"ETag": '"v1"'}))
        yield s


@pytest.fixture()
def env(srv, tmp_path):
    return {"CONSENT_LIST_URL": srv.url("/list.csv"), "DATA_DIR": str(tmp_path / "data")}


def test_refresh_status_and_lookups_from_the_kept_copy(srv, env):
    r = run("consent", "refresh", env=env)
    assert r.returncode == 0 and "Lijst opgehaald: 5 scholen" in r.stdout and r.stderr == ""
    r = run("consent", "refresh", env=env)
    assert r.returncode == 0 and "Lijst ongewijzigd: 5 scholen" in r.stdout
    assert srv.requests[-1][1].get("If-None-Match") == '"v1"'
    status = run("consent", "status", env=env).stdout
    assert f"Bron: {srv.url('/list.csv')} (URL)" in status and "5 scholen" in status
    assert "Laatste controle:" in status and "(ongewijzigd)" in status and "Laatste fout: geen" in status
    # The source goes away: lookups answer from the last good copy, without waiting on it.
    srv.close()
    lk = json.loads(run("school", "--json", "vossius gymnasium", env=env).stdout)
    assert lk["status"] == "granted" and lk["list"]["source"] == env["CONSENT_LIST_URL"] and lk["list"]["schools"] == 5


def test_a_failed_refresh_exits_1_says_why_and_keeps_the_list(srv, env):
    assert run("consent", "refresh", env=env).returncode == 0
    srv.set("/list.csv", Answer(403, b"forbidden"))
    r = run("consent", "refresh", env=env)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "Lijst niet opgehaald" in r.stdout and "HTTP 403" in r.stdout and "blijft in gebruik (5 scholen" in r.stdout
    status = run("consent", "status", "--json", env=env)
    got = json.loads(status.stdout)
    assert got["result"] == "failed" and "HTTP 403" in got["last_error"] and got["rows"] == 5
    text = run("school", "cals college", env=env).stdout
    assert "staat op de lijst" in text and "bijwerken mislukt" in text


def test_a_refused_list_and_force(srv, env):
    assert run("consent", "refresh", env=env).returncode == 0
    srv.set("/list.csv", Answer(body=b"naam\nCals College\n"))
    r = run("consent", "refresh", "--json", env=env)
    got = json.loads(r.stdout)
    assert r.returncode == 1 and got["status"] == "refused" and "drops 4 of 5" in got["error"]
    r = run("consent", "refresh", "--force", env=env)
    assert r.returncode == 0 and "Verdwenen: " in r.stdout and "Het Schoter" in r.stdout


def test_rows_skipped_are_listed_with_their_row_numbers(srv, env):
    srv.set("/list.csv", Answer(body=(GOOD + ";zonder-naam\n").encode()))
    r = run("consent", "refresh", env=env)
    assert r.returncode == 0 and "1 rijen overgeslagen:" in r.stdout and "row 6: no school name" in r.stdout


def test_the_token_is_sent_and_never_printed(srv, env):
    env = {**env, "CONSENT_LIST_TOKEN": "s3cret-token", "LOG_LEVEL": "DEBUG"}
    r = run("consent", "refresh", env=env)
    assert r.returncode == 0
    assert srv.requests[-1][1].get("Authorization") == "Bearer s3cret-token"
    assert "s3cret" not in r.stdout + r.stderr
    cache = Path(env["DATA_DIR"]) / "consent-cache.json"
    assert "s3cret" not in cache.read_text(encoding="utf-8")


def test_diff_of_two_files_and_of_the_kept_copy(srv, env, tmp_path):
    assert run("consent", "refresh", env=env).returncode == 0
    new = tmp_path / "nieuw.csv"
    new.write_text("name,host,city\nCals College,cals,Nieuwegein\nVossius Gymnasium,vossius,\nHet Schoter,schoter,\n"
                   "Carré College,carre,\nBarlaeus Gymnasium,barlaeus,\n,zonder-naam,\n", encoding="utf-8")
    r = run("consent", "diff", str(Path(env["DATA_DIR"]) / "consent-cache.json"), str(new), env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "1 nieuw, 1 verdwenen, 1 gewijzigd" in lines[0]
    assert "+ Barlaeus Gymnasium (barlaeus.magister.net)" in lines and "- Bonhoeffer College (bonhoeffer.magister.net)" in lines
    assert any(x.startswith("~ Cals College") and "Nieuwegein" in x for x in lines)
    assert any("row 6: no school name" in x for x in lines)
    got = json.loads(run("consent", "diff", "--json", str(new), str(new), env=env).stdout)
    assert got["added"] == got["removed"] == [] and got["kept"] == 5


def test_diff_of_a_missing_file_is_one_line(env, tmp_path):
    r = run("consent", "diff", str(tmp_path / "nope.csv"), str(tmp_path / "nope2.csv"), env=env)
    assert r.returncode == 1 and r.stderr.startswith("error: consent list") and "Traceback" not in r.stderr


def test_status_without_a_url_names_the_file_or_the_example(tmp_path):
    r = run("consent", "status", env={"DATA_DIR": str(tmp_path)})
    assert r.returncode == 0 and "(voorbeeldlijst)" in r.stdout and "VOORBEELDLIJST" in r.stdout
    r = run("consent", "refresh", env={"DATA_DIR": str(tmp_path)})
    assert r.returncode == 0 and "Geen bron ingesteld" in r.stdout


def test_first_start_with_the_source_down_never_answers_from_the_example(tmp_path):
    with ListServer() as s:
        s.set("/list.csv", Answer(503, b"down"))
        env = {"CONSENT_LIST_URL": s.url("/list.csv"), "DATA_DIR": str(tmp_path)}
        r = run("school", "--json", "cals college", env=env)
        assert (r.returncode, r.stdout) == (1, "") and s.count("/list.csv") == 1  # one attempt: no retry, no backoff
        assert r.stderr.strip() == (f"error: consent list unavailable: {env['CONSENT_LIST_URL']}: HTTP 503 Service "
                                    "Unavailable; run `python -m bot consent refresh` when the source is back")
        r = run("draft", "Cals College", env=env)
        assert r.returncode == 1 and "consent list unavailable" in r.stderr and "Cals College" not in r.stdout
        # The console starts, as Slack does: questions answered, a lookup gives no verdict.
        r = run("console", env=env, stdin="school cals college\nquit\n")
        assert r.returncode == 0 and "consent list unavailable" in r.stderr
        assert "niet beschikbaar" in r.stdout and "✅" not in r.stdout and "voorbeeld" not in r.stdout.lower()
        # A question needs no list: answered, and nothing fetched for it.
        n = s.count("/list.csv")
        r = run("ask", "Wat is de deadline?", env=env)
        assert r.returncode == 0 and "18 december 2018" in r.stdout and s.count("/list.csv") == n
        status = run("consent", "status", env=env)
        assert status.returncode == 0 and "Geen lijst in gebruik" in status.stdout and "HTTP 503" in status.stdout
        # CONSENT_LIST_PATH, when set too, stands in, and the reply names it.
        path = tmp_path / "eigen.csv"
        path.write_text("naam\nCals College\n", encoding="utf-8")
        got = json.loads(run("school", "--json", "cals college", env={**env, "CONSENT_LIST_PATH": str(path)}).stdout)
        assert got["status"] == "granted" and got["list"]["source"] == str(path) and "HTTP 503" in got["list"]["error"]
        # The source is back: a refresh gets the list, and lookups answer from it.
        s.set("/list.csv", Answer(body=GOOD.encode()))
        r = run("consent", "refresh", env=env)
        assert r.returncode == 0 and "Lijst opgehaald: 5 scholen" in r.stdout
        got = json.loads(run("school", "--json", "cals college", env=env).stdout)
        assert got["status"] == "granted" and not got["list"]["example"] and got["list"]["source"] == env["CONSENT_LIST_URL"]


def test_a_failed_refresh_with_no_good_list_says_so(tmp_path):
    with ListServer() as s:
        s.set("/list.csv", Answer(404))
        r = run("consent", "refresh", env={"CONSENT_LIST_URL": s.url("/list.csv"), "DATA_DIR": str(tmp_path)})
    assert r.returncode == 1 and "Lijst niet opgehaald" in r.stdout and "HTTP 404" in r.stdout
    assert "Er is nog geen goede lijst" in r.stdout and "blijft in gebruik" not in r.stdout


def test_a_list_on_the_command_line_beats_the_url(env, tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("naam\nHet Schoter\n", encoding="utf-8")
    got = json.loads(run("school", "--json", "het schoter", "--consent-list", str(path), env=env).stdout)
    assert got["status"] == "granted" and got["list"]["source"] == str(path)


# -- settings -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,value,message", [
    ("CONSENT_REFRESH_MINUTES", "hourly", "CONSENT_REFRESH_MINUTES must be a number"),
    ("CONSENT_REFRESH_MINUTES", "-5", "CONSENT_REFRESH_MINUTES must be a number of at least 0"),
    ("CONSENT_STALE_DAYS", "nan", "CONSENT_STALE_DAYS"),
    ("CONSENT_MAX_DROP", "1.5", "CONSENT_MAX_DROP must be a share"),
    ("CONSENT_MAX_DROP", "x%", "CONSENT_MAX_DROP must be a number"),
    ("CONSENT_LIST_URL", "ftp://x.nl/l.csv", "CONSENT_LIST_URL must be an http(s) URL"),
    ("ADMIN_USER_IDS", "U123,bob", "ADMIN_USER_IDS must be Slack user ids"),
])
def test_malformed_settings_name_the_variable(name, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env({name: value})


def test_settings_defaults_and_values():
    s = Settings.from_env({})
    assert (s.consent_refresh_minutes, s.consent_max_drop, s.consent_stale_days) == (60.0, 0.2, 14.0)
    s = Settings.from_env({"CONSENT_MAX_DROP": "35%", "CONSENT_REFRESH_MINUTES": "15", "CONSENT_STALE_DAYS": "7,5",
                           "ADMIN_USER_IDS": " U01ABC , W02DEF ", "ANNOUNCE_CHANNEL": "C0123", "DIRECTORY_PATH": "/x/s.csv"})
    assert s.consent_max_drop == 0.35 and s.consent_refresh_minutes == 15 and s.consent_stale_days == 7.5
    assert s.admin_user_ids == ("U01ABC", "W02DEF") and s.announce_channel == "C0123" and str(s.directory_path) == "/x/s.csv"


def test_the_token_is_hidden_and_needs_https():
    s = Settings.from_env({"CONSENT_LIST_URL": "https://lists.example.nl/l.csv", "CONSENT_LIST_TOKEN": "s3cret"})
    assert "s3cret" not in repr(s) and s.consent_list_token == "s3cret"
    with pytest.raises(ConfigError, match="https"):
        Settings.from_env({"CONSENT_LIST_URL": "http://lists.example.nl/l.csv", "CONSENT_LIST_TOKEN": "s3cret"})


def test_a_bad_setting_on_the_command_line_is_one_line():
    r = run("consent", "status", env={"CONSENT_MAX_DROP": "veel"})
    assert r.returncode == 1 and r.stderr.strip() == "error: CONSENT_MAX_DROP must be a number, got 'veel'"


def test_the_name_replies_give_the_list_is_a_setting():
    assert Settings.from_env({"CONSENT_LIST_NAME": "  Studyspace-export  "}).consent_list_name == "Studyspace-export"
    assert Settings.from_env({}).consent_list_name == ""
