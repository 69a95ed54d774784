"""Every sentence in both languages: the tables of bot/wording.py have the same keys (and the
same placeholders) in Dutch and English."""
import string

import pytest

from bot import wording


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("name", ["REPLIES", "HELP", "LIST", "ROWS", "CHAT", "CONSOLE", "REPORT", "MONTHS", "REVIEW"])
def test_each_table_says_everything_in_both_languages(name):
    table = getattr(wording, name)
    assert set(table) == set(wording.LANGS)
    nl, en = table["nl"], table["en"]
    if isinstance(nl, dict):
        assert set(nl) == set(en)
        for key, text in nl.items():
            if isinstance(text, str):
                assert _fields(text) == _fields(en[key]), key
            elif isinstance(text, dict):
                assert set(text) == set(en[key]), key
            else:  # a row of column headings
                assert len(text) == len(en[key]), key
    elif isinstance(nl, str):
        assert nl.count("\n") == en.count("\n")  # the same lines
    else:
        assert len(nl) == len(en)
