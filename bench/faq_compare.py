#!/usr/bin/env python3
"""The bot's FAQ matcher against the issue-8 baseline (``bench/faq_baseline.py``), in one run.

Runs ``../shared/eval/faq_eval.py`` on each labelled set, once with the bot
(``python -m bot ask --json -``) and once with the baseline, and prints their summary
lines side by side. Then, since the two answer at different wrong-answer rates, it compares
them at equal rates: for each set, the most right answers each method gets over its whole
threshold grid (``answer_at`` x ``margin``, steps of 0.05, picked on that set for both
alike, so an optimistic figure for both) with at most as many wrong answers as the bot makes
at its own thresholds, and as the baseline makes at its own. From the project's root::

    .venv/bin/python bench/faq_compare.py            # every set in ../shared/eval and bench/
    .venv/bin/python bench/faq_compare.py SET.yaml   # just these

``bench/faq-holdout.yaml`` and ``bench/faq-holdout-2.yaml`` are this project's own unseen sets:
each written by a helper that saw neither the knowledge base nor the evaluation sets, only the
source text and the topic table, and never used for training.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bot.faq import FaqMatcher, Thresholds, decide  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
import faq_baseline  # noqa: E402

GRID = [(a / 20, m / 20) for a in range(0, 20) for m in range(0, 20)]


def summary(questions: Path, command: list[str]) -> str:
    out = subprocess.run([sys.executable, str(EVAL / "faq_eval.py"), str(questions), "--", *command],
                         cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return out.strip().splitlines()[-1] if out.strip() else "(no output)"


def counts(probs: np.ndarray, classes: list[str], expects: list[set], answer_at: float, margin: float):
    """``(right, wrong)``: questions answered with a right entry, and answered with any other
    (out-of-scope questions included), under the bot's own decision rule
    (:func:`bot.faq.decide`) at ``answer_at`` and ``margin``."""
    th = Thresholds(answer_at, margin, suggest_at=answer_at)  # suggestions do not count here
    right = wrong = 0
    for p, expect in zip(probs, expects):
        status, picked = decide(p, classes, th)
        if status == "answered":
            right += classes[picked[0]] in expect
            wrong += classes[picked[0]] not in expect
    return right, wrong


def best_right(probs, classes, expects, max_wrong: int) -> int:
    return max((r for r, w in (counts(probs, classes, expects, a, m) for a, m in GRID) if w <= max_wrong), default=0)


def main() -> int:
    if not (EVAL / "faq_eval.py").exists():
        print(f"{EVAL / 'faq_eval.py'} not found: this benchmark needs ../shared/eval")
        return 2
    sets = [Path(a) for a in sys.argv[1:]] or sorted(EVAL.glob("faq-*.yaml")) + sorted((ROOT / "bench").glob("faq-holdout*.yaml"))
    for s in sets:
        print(s.name)
        print("  bot      ", summary(s, [sys.executable, "-m", "bot", "ask", "--json", "-"]))
        print("  baseline ", summary(s, [sys.executable, str(ROOT / "bench" / "faq_baseline.py")]))

    kb = load_knowledge()
    bot, base = FaqMatcher(kb), faq_baseline.fit(kb)
    th = bot.model.thresholds
    print("\nat equal wrong-answer counts (best thresholds on each set, for both alike):")
    for s in sets:
        cases = yaml.safe_load(open(s, encoding="utf-8"))
        questions = [" ".join(str(c["q"]).split()) for c in cases]
        expects = [set(c["expect"] or []) for c in cases]
        inscope = sum(bool(e) for e in expects)
        pb = np.array([bot.model.probabilities(q)[0] for q in questions])
        pl = base.predict_proba(questions)
        cb, cl = bot.model.classes, list(base.classes_)
        wb = counts(pb, cb, expects, th.answer_at, th.margin)[1]
        wl = counts(pl, cl, expects, 0.5, 0.15)[1]
        line = "; ".join(f"at most {k} wrong ({who}'s): bot {best_right(pb, cb, expects, k)}, "
                         f"baseline {best_right(pl, cl, expects, k)}" for who, k in (("the bot", wb), ("the baseline", wl)))
        print(f"  {s.name} ({inscope} in scope): {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
