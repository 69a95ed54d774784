"""``python -m bot knowledge …`` (bot/kbcli.py): export, import, history, drafts, publish."""
from __future__ import annotations

import io
import json

import pytest

from bot.config import Settings
from bot.kbcli import main
from kbfiles import small_kb, snapshot


@pytest.fixture
def env(tmp_path):
    return Settings(knowledge_dir=small_kb(tmp_path / "kb"), data_dir=tmp_path / "data")


def run(settings, *argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), settings=settings, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_export_import_history(env, tmp_path):
    target = tmp_path / "kb.csv"
    code, _, err = run(env, "export", "--csv", str(target))
    assert code == 0 and "rijen geschreven" in err
    assert target.read_bytes().startswith(b"\xef\xbb\xbfentry_id,language,kind,text\r\n")
    before = snapshot(env.knowledge_dir)
    assert run(env, "import", "--csv", str(target))[0] == 0 and snapshot(env.knowledge_dir) == before
    code, out, _ = run(env, "import", "--csv", "-", "--as", "U0ANNE01",
                       stdin="entry_id,language,kind,text\ndeadline,nl,alternate,tot welke datum?\n")
    assert code == 0 and "1 toegevoegd" in out
    code, out, _ = run(env, "history")
    assert code == 0 and "U0ANNE01  add_alternates  deadline (nl): tot welke datum?" in out
    code, out, _ = run(env, "history", "--json", "--limit", "1")
    assert code == 0 and json.loads(out)[0]["texts"] == ["tot welke datum?"]


def test_a_faulty_import_lists_its_rows_and_exits_1_with_one_line(env):
    before = snapshot(env.knowledge_dir)
    code, out, err = run(env, "import", "--csv", "-", stdin="entry_id,language,kind,text\nnope,nl,alternate,x y\n")
    assert code == 1 and out == "rij 2: onbekende entry-id 'nope' / unknown entry id\n"
    assert err.count("\n") == 1 and err.startswith("error: niets geïmporteerd")
    assert snapshot(env.knowledge_dir) == before


def test_drafts_and_publish(env):
    from bot.kbedit import KnowledgeEditor

    KnowledgeEditor(env.knowledge_dir).add_draft("Wat kost de koppeling?", "Niets.", who="U1")
    code, out, _ = run(env, "drafts")
    assert code == 0 and out == "kost-koppeling: Wat kost de koppeling?  (Engels ontbreekt / English missing)\n"
    code, out, err = run(env, "publish", "kost-koppeling")
    assert code == 1 and out == "" and "mist nog question (en), answer (en)" in err and err.count("\n") == 1
    assert run(env, "history")[1] == "nog geen wijzigingen / no changes yet\n"  # the draft was added without a log


def test_the_history_is_the_stores(env):
    from bot.store import Store

    run(env, "import", "--csv", "-", "--as", "U0ANNE01",
        stdin="entry_id,language,kind,text\ndeadline,en,alternate,due when?\n")
    with Store(env.data_dir / "bot.sqlite3") as store:
        [change] = store.knowledge_changes()
    assert (change.who, change.action, change.entry_id, change.texts) == ("U0ANNE01", "add_alternates", "deadline",
                                                                           ("due when?",))
    assert not (env.data_dir / "knowledge-history.jsonl").exists()


def test_python_m_bot_knowledge_forwards_here(env, tmp_path):
    from conftest import run_cli

    vars = {"KNOWLEDGE_DIR": str(env.knowledge_dir), "DATA_DIR": str(env.data_dir)}
    r = run_cli("knowledge", "drafts", env=vars)
    assert (r.returncode, r.stdout) == (0, "geen concepten / no drafts\n")
    r = run_cli("--knowledge", str(env.knowledge_dir), "knowledge", "export", "--csv", "-", env=vars)
    assert r.returncode == 0 and r.stdout.startswith("entry_id,language,kind,text")
    r = run_cli("knowledge", "history", "--consent-list", "x.csv", env=vars)
    assert r.returncode == 2 and "--consent-list does not apply to `knowledge`" in r.stderr
    assert run_cli("knowledge", env=vars).returncode == 2


@pytest.mark.parametrize("argv", [[], ["bogus"], ["export"], ["import", "--csv"], ["history", "--limit", "0"]])
def test_bad_usage_exits_2(env, argv):
    assert run(env, *argv)[0] == 2


def test_faults_exit_1_with_one_line(env, tmp_path):
    for argv in (["import", "--csv", str(tmp_path / "missing.csv")],
                 ["export", "--csv", str(env.knowledge_dir / "faq.yaml")],
                 ["export", "--csv", "-", "--knowledge", str(tmp_path / "nope")]):
        code, _, err = run(env, *argv)
        assert code == 1 and err.startswith("error: ") and err.count("\n") == 1, (argv, err)
    assert snapshot(env.knowledge_dir)["faq.yaml"].startswith(b"# A small knowledge base")


def test_knowledge_before_the_action_is_the_directory_used(env, tmp_path):
    # The settings point elsewhere: only --knowledge names the knowledge base with a draft in it.
    other = Settings(knowledge_dir=small_kb(tmp_path / "other"), data_dir=env.data_dir)
    code, out, _ = run(other, "--knowledge", str(env.knowledge_dir), "export", "--csv", "-")
    code2, out2, _ = run(other, "export", "--csv", "-", "--knowledge", str(env.knowledge_dir))
    assert code == code2 == 0 and out == out2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "faq.yaml").write_text("- id: [\n", encoding="utf-8")
    code, _, err = run(other, "--knowledge", str(broken), "drafts")
    assert code == 1 and "faq.yaml" in err


def test_an_export_cut_off_by_a_pipe_is_left_to_python_m_bot_which_ends_with_141(env):
    class Closed(io.StringIO):  # what `| head` leaves: a reader that went away
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    with pytest.raises(BrokenPipeError):
        main(["export", "--csv", "-"], settings=env, stdout=Closed(), stderr=err)
    assert "error" not in err.getvalue()
