"""Knowledge bases on disk for the editing tests: the bundled one copied, or a small one
(comments, flow and block lists, blank lines) that validates and fits in seconds."""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from bot.knowledge import DEFAULT_DIR, FILES

SMALL_FAQ = '''# A small knowledge base for tests.
# All text values are double-quoted.
entries:
  - id: "deadline"
    question: {nl: "Wat is de deadline?", en: "What is the deadline?"}
    alternates:
      nl:
        - "wanneer moet het klaar zijn"
        - "uiterste datum?"
        - "tot wanneer hebben we"
        - "sinds wanneer geldt het"
        - "per wanneer moet het geregeld zijn"
        - "is er een einddatum"
        # English below
      en: ["when is it due", "cut-off date?", "since when does it apply", "by when must it be done", "is there an end date", "what date was it again"]
    answer: {nl: "Sinds 18 december 2018.", en: "Since 18 December 2018."}
    related: ["accreditation"]

  - id: "accreditation"
    question: {nl: "Wat is een geaccrediteerde partij?", en: "What is an accredited party?"}
    alternates:
      nl: ["wat betekent accreditatie", "wat keurt magister", "erkende partij uitleg", "wat houdt de keuring in", "wanneer is een partij goedgekeurd", "accreditatie?"]
      en:
        - "what does accreditation mean"
        - "what does magister check"
        - "accredited party meaning"
        - "what is the assessment"
        - "when is a party approved"
        - "accreditation?"
    keywords:
      nl: ["keuring"]
    answer:
      nl: "Magister beoordeelt de partij." # checked by Iddink
      en: "Magister assesses the party."
'''
SMALL_OOS = '''# out of scope
out_of_scope:
  nl: ["hoe laat is het", "ik kan niet inloggen", "wat kost studyspace", "wanneer is de kerstvakantie", "mijn rooster klopt niet", "waar staat de koffie", "deadline huiswerk wiskunde"]
  en: ["what time is it", "i cannot log in", "how much is studyspace", "when is the christmas break", "my timetable is wrong", "where is the coffee", "homework deadline maths"]
'''


def small_kb(directory: Path) -> Path:
    """Write the small knowledge base into ``directory`` (created); returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    (directory / "out-of-scope.yaml").write_text(SMALL_OOS, encoding="utf-8")
    shutil.copy(DEFAULT_DIR / "drafts.yaml", directory / "drafts.yaml")
    return directory


def bundled_kb(directory: Path) -> Path:
    """Copy the bundled knowledge base's files into ``directory`` (created); returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(DEFAULT_DIR / name, directory / name)
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    """The bytes of every file in ``directory`` but the lock and the model cache."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())
            if p.is_file() and not p.name.startswith(".")}


def changed_lines(before: bytes, after: bytes) -> list[str]:
    """The ``+``/``-`` lines of a unified diff of two versions of a file (``git diff`` counts these)."""
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    return [ln for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
