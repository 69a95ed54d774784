#!/usr/bin/env python3
"""The bot's FAQ matcher against the issue-8 baseline (``bench/faq_baseline.py``), in one run.

Runs ``../shared/eval/faq_eval.py`` on each labelled set, once with the bot
(``python -m bot ask --json -``) and once with the baseline, and prints their summary
lines side by side. From the project's root::

    .venv/bin/python bench/faq_compare.py            # every set in ../shared/eval and bench/
    .venv/bin/python bench/faq_compare.py SET.yaml   # just these

``bench/faq-holdout.yaml`` and ``bench/faq-holdout-2.yaml`` are this project's own unseen sets:
each written by a helper that saw neither the knowledge base nor the evaluation sets, only the
source text and the topic table, and never used for training.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"


def summary(questions: Path, command: list[str]) -> str:
    out = subprocess.run([sys.executable, str(EVAL / "faq_eval.py"), str(questions), "--", *command],
                         cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return out.strip().splitlines()[-1] if out.strip() else "(no output)"


def main() -> int:
    if not (EVAL / "faq_eval.py").exists():
        print(f"{EVAL / 'faq_eval.py'} not found: this benchmark needs ../shared/eval")
        return 2
    sets = [Path(a) for a in sys.argv[1:]] or sorted(EVAL.glob("faq-*.yaml")) + sorted((ROOT / "bench").glob("faq-holdout*.yaml"))
    for s in sets:
        print(s.name)
        print("  bot      ", summary(s, [sys.executable, "-m", "bot", "ask", "--json", "-"]))
        print("  baseline ", summary(s, [sys.executable, str(ROOT / "bench" / "faq_baseline.py")]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
