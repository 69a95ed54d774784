#!/usr/bin/env python3
"""The FAQ baseline of issue 8: a textbook classifier the bot's matcher must beat.

TF-IDF over word 1-2-grams and character 2-5-grams (``char_wb``), logistic regression
(scikit-learn defaults but ``C``), trained on ``knowledge/faq.yaml``'s own phrasings
(questions and alternates) with no out-of-scope class; it answers when the top probability
is at least 0.5 and 0.15 above the runner-up, else offers the top three entries.

Reads one question a line on stdin, writes one JSON object a line (the contract of
``../shared/eval/faq_eval.py``), so from the project's root::

    .venv/bin/python ../shared/eval/faq_eval.py ../shared/eval/faq-dev-2.yaml -- .venv/bin/python bench/faq_baseline.py

``--C`` sets the inverse regularisation (default 10: at scikit-learn's default of 1 the
probabilities stay below 0.5 for most questions and the baseline hardly answers).
"""
import argparse
import json
import sys
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.knowledge import load_knowledge  # noqa: E402


def fit(kb, C: float = 10.0):
    """The baseline fitted to ``kb``'s phrasings: a scikit-learn pipeline whose
    ``predict_proba`` gives one column per entry id (``classes_``)."""
    texts = [t for e in kb.entries for _, t in e.phrasings()]
    labels = [e.id for e in kb.entries for _ in e.phrasings()]
    return make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LogisticRegression(C=C, max_iter=3000),
    ).fit(texts, labels)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=10.0)
    args = ap.parse_args()
    model = fit(load_knowledge(), args.C)
    classes = list(model.classes_)
    questions = [line.rstrip("\n") for line in sys.stdin]
    for p in model.predict_proba(questions):
        order = p.argsort()[::-1]
        answered = p[order[0]] >= 0.5 and p[order[0]] - p[order[1]] >= 0.15
        print(json.dumps({"status": "answered" if answered else "ambiguous",
                          "entry_id": classes[order[0]] if answered else None,
                          "suggestions": [] if answered else [classes[i] for i in order[:3]]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
