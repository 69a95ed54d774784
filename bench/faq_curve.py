#!/usr/bin/env python3
"""The FAQ model's precision/coverage curve under grouped cross-validation, and the
thresholds the bot takes from it.

For each candidate ``answer_at`` x ``margin`` it prints the share of in-scope phrasings
answered right and the share of all phrasings answered wrong, from 5-fold cross-validation
grouped so that a phrasing and its near copies never sit on both sides
(``bot.faq.cross_validated``). The bot's thresholds are the point with the most right
answers at no more than ``TARGET_ERROR`` wrong (``bot.faq.choose_thresholds``). From the
project's root::

    .venv/bin/python bench/faq_curve.py               # the curve at the bot's C
    .venv/bin/python bench/faq_curve.py --C 10 30 100  # how C was chosen

Takes about a minute per C on this machine.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot import faq  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, nargs="+", default=[faq.C])
    args = ap.parse_args()
    kb = load_knowledge()
    texts, labels, _ = faq.training_data(kb)
    classes = sorted(set(labels))
    print(f"{len(texts)} phrasings, {sum(lab != faq.OUT_OF_SCOPE for lab in labels)} in scope, "
          f"{len(set(faq.near_copy_groups(texts, labels)))} near-copy groups; target error {faq.TARGET_ERROR:.1%}")
    for c in args.C:
        faq.C = c
        t = time.perf_counter()
        oof = faq.cross_validated(texts, labels)
        th = faq.choose_thresholds(oof, classes, labels)
        rows = faq.curve(oof, classes, labels)
        best = next(r for r in rows if (r[0], r[1]) == (th.answer_at, th.margin))
        print(f"\nC={c:g} ({time.perf_counter() - t:.0f} s): answer_at={th.answer_at:.2f} margin={th.margin:.2f} "
              f"suggest_at={th.suggest_at:.2f} -> right {best[2]:.1%}, wrong {best[3]:.2%}")
        print("answer_at  margin  right   wrong")
        for a, m, right, wrong in rows:
            if m in (0.0, 0.15, 0.3, 0.5) and round(a * 20) % 2 == 0:
                print(f"   {a:4.2f}    {m:4.2f}   {right:5.1%}  {wrong:5.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
