"""Answer a staff question from the knowledge base with a model fitted to it.

``FaqMatcher(kb).answer(question) -> Answer``. The method, in short:

1. **Features**: the question's words in matching form (:func:`bot.text.tokens`), each
   reduced to its stem (Snowball, English then Dutch) and marked when a negation governs
   it, as word 1- and 2-grams (:func:`word_features`), plus the character 2- to 5-grams of
   every word (:func:`char_features`, scikit-learn's ``char_wb``), which carry typos and
   compounds. Each block is TF-IDF weighted (sublinear tf, words in at least two texts)
   and L2-normalised. One more column, :func:`novelty`, is the share of the question's
   words that the knowledge base never uses (:class:`Features`).
2. **Model**: multinomial logistic regression over the knowledge base's entries plus one
   class for questions outside it (``knowledge/out-of-scope.yaml``), fitted with
   scikit-learn on every phrasing, answer and entry-specific keyword
   (:func:`training_data`). A second logistic regression on the same features tells Dutch
   from English.
3. **Decision**: the best entry is the answer when its probability is at least
   ``answer_at`` and beats the runner-up (an entry or "out of scope") by ``margin``; else
   the entries of at least ``suggest_at`` are offered ("bedoel je…?"); else no answer.
   The three thresholds are chosen by grouped cross-validation over the phrasings
   (:func:`choose_thresholds`): the most answers at an error rate of at most
   :data:`TARGET_ERROR`.

Fitting imports scikit-learn and takes about half a minute (the cross-validation is most of
it), so the fitted model is cached beside the knowledge base (``.faq-model.npz``), keyed by
the hash of everything it was fitted on; a stale or unreadable cache is refitted, never
trusted. Answering needs only numpy and reproduces scikit-learn's ``predict_proba``.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import logging
import math
import os
import re
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import snowballstemmer

from .errors import KnowledgeError
from .knowledge import Entry, KnowledgeBase
from .text import STOP_WORDS, clean, tokens

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "_out_of_scope"
"""The model's class for questions the knowledge base must not answer."""
FEATURE_VERSION = "4"
"""Part of the cache key: change it whenever the features or the fit change."""
C = 100.0
"""Inverse regularisation strength of the logistic regression, chosen by the grouped
cross-validation of ``bench/faq_curve.py --C 10 30 100 300 1000`` (most right answers at
:data:`TARGET_ERROR`)."""
TARGET_ERROR = 0.01
"""Highest cross-validated share of wrong answers the thresholds may give."""
NOVELTY_SCALE = 1.0
"""Weight of the :func:`novelty` column, chosen like :data:`C` (0, 1, 3 and 10 tried)."""
FOLDS = 5
ENGLISH_AT = 0.8
"""Dutch first: a question is answered in English only when the language model gives
English at least this probability ("deadline?" alone is Dutch)."""
CACHE_NAME = ".faq-model.npz"

_STEM_LOCK = threading.Lock()
_EN = snowballstemmer.stemmer("english")
_NL = snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word's Snowball stem, English then Dutch (the same function on both sides of the
    match, so "gekoppeld" meets "koppeling")."""
    with _STEM_LOCK:  # snowballstemmer's stemmers keep state: one caller at a time
        return _NL.stemWord(_EN.stemWord(word))


NEGATION_CUES = frozenset("""niet geen nooit zonder niks niets not no never without nobody none cannot
dont doesnt didnt isnt arent wasnt wont cant""".split())
"""Words that open a negation's scope (in matching form: "don't" is "dont")."""
_CLAUSE = re.compile(r"[.,;:!?]+")


def word_features(text: str) -> list[str]:
    """Stemmed word 1- and 2-grams of ``text``, each word after a negation cue marked
    ``not_`` up to the end of its clause (Das & Chen 2001; Pang, Lee & Vaithyanathan 2002),
    so that "not consent" is no evidence for "consent":
    ``"Is er geen deadline?"`` -> ``["is", "er", "geen", "not_deadlin", "is er", "er geen",
    "geen not_deadlin"]``."""
    ws: list[str] = []
    for clause in _CLAUSE.split(clean(text)):  # markup first: a URL's ":" ends no clause
        negated = False
        for w in tokens(clause):
            ws.append(f"not_{stem(w)}" if negated else stem(w))
            negated = negated or w in NEGATION_CUES
    return ws + [f"{a} {b}" for a, b in zip(ws, ws[1:])]


def char_features(text: str) -> list[str]:
    """Character 2- to 5-grams of each word padded with spaces (scikit-learn's ``char_wb``)."""
    out: list[str] = []
    for w in tokens(text):
        w = f" {w} "
        for n in range(2, 6):
            out.extend(w[i:i + n] for i in range(len(w) - n + 1))
    return out


ANALYZERS = (word_features, char_features)
"""One TF-IDF block per analyzer, concatenated in this order."""


def training_data(kb: KnowledgeBase) -> tuple[list[str], list[str], list[str]]:
    """``(texts, labels, langs)``: for every entry its phrasings, its answers and the
    keywords no other entry has, labelled with its id; every out-of-scope question labelled
    :data:`OUT_OF_SCOPE`. A keyword of several entries is left out: it names no one entry."""
    owners: dict[str, set[str]] = {}
    for e in kb.entries:
        for lg in ("nl", "en"):
            for k in e.keywords.get(lg, []):
                owners.setdefault(" ".join(tokens(k)), set()).add(e.id)
    texts, labels, langs = [], [], []
    for e in kb.entries:
        items = e.phrasings() + [(lg, e.answer[lg]) for lg in ("nl", "en")]
        items += [(lg, k) for lg in ("nl", "en") for k in e.keywords.get(lg, [])
                  if len(owners[" ".join(tokens(k))]) == 1]
        for lang, t in items:
            texts.append(t)
            labels.append(e.id)
            langs.append(lang)
    for lang, qs in kb.out_of_scope.items():
        for t in qs:
            texts.append(t)
            labels.append(OUT_OF_SCOPE)
            langs.append(lang)
    return texts, labels, langs


def cache_key(kb: KnowledgeBase) -> str:
    """The hash of everything the model depends on: the training data, the features' and
    the fit's version, :data:`C` and :data:`TARGET_ERROR`."""
    h = hashlib.sha256(f"{FEATURE_VERSION}|{C}|{NOVELTY_SCALE}|{TARGET_ERROR}|{FOLDS}".encode())
    for t, lab, lg in zip(*training_data(kb)):
        h.update(f"\x00{lab}\x01{lg}\x01{t}".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on the model's probabilities (0..1)."""

    answer_at: float
    margin: float
    suggest_at: float


class FaqModel:
    """A fitted model, as plain arrays: per TF-IDF block a vocabulary and idf vector, then
    the logistic regression's ``coef`` (classes x features) and ``intercept``, the
    ``classes``, a language model (``lang_coef``, ``lang_intercept``: positive = English)
    and the :class:`Thresholds`. Read-only; safe to share between threads."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self.key = str(arrays["key"])
        self.classes = [str(c) for c in arrays["classes"]]
        self.vocabs: list[dict[str, int]] = []  # feature -> column within its block
        self.offsets: list[int] = []  # first column of each block
        offset = 0
        for i in range(len(ANALYZERS)):
            words = arrays[f"vocab{i}"].tolist()
            self.vocabs.append({w: j for j, w in enumerate(words)})
            self.offsets.append(offset)
            offset += len(words)
        self.idf = [arrays[f"idf{i}"] for i in range(len(ANALYZERS))]
        self.novelty_col = offset
        self.known = frozenset(arrays["known"].tolist())
        self.coef_t = np.ascontiguousarray(arrays["coef"].T)  # features x classes
        self.intercept = arrays["intercept"]
        self.lang_coef = arrays["lang_coef"]
        self.lang_intercept = float(arrays["lang_intercept"])
        a, m, s = (float(x) for x in arrays["thresholds"])
        self.thresholds = Thresholds(a, m, s)
        n, k = offset + 1, len(self.classes)  # features (the blocks and novelty), classes
        shapes = [(self.coef_t.shape, (n, k)), (self.intercept.shape, (k,)), (self.lang_coef.shape, (n,))]
        shapes += [(idf.shape, (len(v),)) for idf, v in zip(self.idf, self.vocabs)]
        finite = all(np.isfinite(x).all() for x in (self.coef_t, self.intercept, self.lang_coef, *self.idf))
        if not (finite and all(a == b for a, b in shapes) and 0 < s <= a <= 1 and 0 <= m <= 1):
            raise ValueError("inconsistent FAQ model arrays")

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """``text``'s features as ``(column indices, values)``: each TF-IDF block
        L2-normalised as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` does, then
        the novelty column (as :meth:`Features.transform`)."""
        cols: list[int] = []
        vals: list[float] = []
        for i, analyze in enumerate(ANALYZERS):
            counts: dict[int, int] = {}
            vocab = self.vocabs[i]
            for f in analyze(text):
                j = vocab.get(f)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
            v = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[i][idx]
            v /= math.sqrt(float(v @ v))
            cols.extend((idx + self.offsets[i]).tolist())
            vals.extend(v.tolist())
        nov = novelty(text, self.known)
        if nov:
            cols.append(self.novelty_col)
            vals.append(nov * NOVELTY_SCALE)
        return np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float64)

    def probabilities(self, text: str) -> tuple[np.ndarray, float]:
        """Class probabilities (in :attr:`classes` order, summing to 1) and the probability
        that ``text`` is English."""
        cols, vals = self.vector(text)
        logits = self.intercept + vals @ self.coef_t[cols] if len(cols) else self.intercept.copy()
        logits = np.exp(logits - logits.max())
        lang = self.lang_intercept + float(vals @ self.lang_coef[cols]) if len(cols) else self.lang_intercept
        return logits / logits.sum(), 1.0 / (1.0 + math.exp(-lang))

    # -- fitting and the cache ------------------------------------------------------------
    @classmethod
    def fit(cls, kb: KnowledgeBase) -> "FaqModel":
        """Fit the model to ``kb`` (imports scikit-learn; about two minutes for the bundled
        knowledge base). The thresholds come from :func:`choose_thresholds` over grouped
        cross-validated predictions. Raises
        :class:`~bot.errors.KnowledgeError` when ``kb`` gives fewer than two classes."""
        from sklearn.linear_model import LogisticRegression

        texts, labels, langs = training_data(kb)
        if len(set(labels)) < 2:
            raise KnowledgeError([f"{kb.directory}: the FAQ model needs two entries, or an entry and "
                                  "out-of-scope questions (out-of-scope.yaml)"])
        features = Features()
        x = features.fit_transform(texts)
        clf = LogisticRegression(C=C, max_iter=5000).fit(x, labels)
        lang_clf = LogisticRegression(C=C, max_iter=5000).fit(x, [lg == "en" for lg in langs])
        oof = cross_validated(texts, labels)
        th = choose_thresholds(oof, list(clf.classes_), labels)
        coef, intercept = clf.coef_, clf.intercept_
        if len(clf.classes_) == 2:  # binary: one row w, and softmax(-z/2, z/2) = (1 - sigmoid(z), sigmoid(z))
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
        arrays = {"key": np.array(cache_key(kb)), "classes": np.array(clf.classes_),
                  "coef": coef.astype(np.float32), "intercept": intercept,
                  "lang_coef": lang_clf.coef_[0].astype(np.float32), "lang_intercept": lang_clf.intercept_[0],
                  "thresholds": np.array([th.answer_at, th.margin, th.suggest_at]),
                  "known": np.array(sorted(features.known), dtype=str)}
        for i, v in enumerate(features.vectorizers):
            arrays[f"vocab{i}"] = np.array(v.get_feature_names_out(), dtype=str)
            arrays[f"idf{i}"] = v.idf_
        return cls(arrays)

    def save(self, path: Path) -> None:
        """Write the model to ``path`` (``.npz``, no pickled objects) atomically."""
        from .fileio import atomic_write

        buf = io.BytesIO()
        np.savez(buf, **self.arrays)
        atomic_write(path, buf.getvalue())

    @classmethod
    def load(cls, path: Path, key: str, *, quiet: bool = False) -> "FaqModel | None":
        """The model cached at ``path`` when it was fitted for ``key``; ``None`` when the
        file is missing, unreadable, corrupt (numbers that are not finite, thresholds out of
        range, shapes that disagree) or stale. Never loads pickled objects. A corrupt file is
        logged unless ``quiet``."""
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            model = cls(arrays)
        except FileNotFoundError:
            return None
        except Exception as e:  # a corrupt cache is refitted, whatever its fault
            if not quiet:
                log.warning("FAQ model cache %s unreadable (%s): refitting", path, type(e).__name__)
            return None
        return model if model.key == key else None

    @classmethod
    def for_knowledge(cls, kb: KnowledgeBase) -> "FaqModel":
        """The cached model for ``kb``, fitted and cached first when there is none for this
        content. The cache is ``kb.directory / .faq-model.npz``, or, where that folder is
        read-only, the same name in ``$XDG_CACHE_HOME/magister-koppeling-bot`` (default
        ``~/.cache``) under the key; a cache that cannot be written at all is logged and the
        model used all the same."""
        key = cache_key(kb)
        paths = [Path(kb.directory) / CACHE_NAME, _user_cache_dir() / f"faq-model-{key[:16]}.npz"]
        for path in paths:
            model = cls.load(path, key, quiet=True)  # said once, below, if it comes to fitting
            if model is not None:
                return model
        with _fit_lock(paths):  # another process fitting the same model: wait, then load its
            for path in paths:
                model = cls.load(path, key)
                if model is not None:
                    return model
            log.warning("fitting the FAQ model: the knowledge base changed or is not cached yet (up to about two minutes, once)")
            model = cls.fit(kb)
            faults = []
            for path in paths:
                try:
                    model.save(path)
                    break
                except OSError as e:
                    faults.append(f"{path}: {e}")
            else:
                log.warning("FAQ model not cached, so every start fits it again: %s", "; ".join(faults))
        return model


@contextmanager
def _fit_lock(paths: list[Path]):
    """An exclusive ``flock`` on ``<cache>.lock`` beside the first writable cache path, so
    that workers starting together fit once; no lock where none can be made."""
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            f = open(path.with_suffix(".lock"), "a")
        except OSError:
            continue
        with f:
            fcntl.flock(f, fcntl.LOCK_EX)
            yield
        return
    yield


def _user_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "magister-koppeling-bot"


def _stems(text: str) -> set[str]:
    return {stem(w) for w in tokens(text)}


def novelty(text: str, known: frozenset[str] | set[str]) -> float:
    """The share (0..1) of ``text``'s distinct stemmed words outside ``known``; 0 for no words.
    A question that is mostly words the knowledge base never uses is likely outside it
    ("What is the capital of Spain?"), which bag-of-words features alone cannot see."""
    words = _stems(text)
    return sum(w not in known for w in words) / len(words) if words else 0.0


class Features:
    """The model's input: one TF-IDF block per analyzer (scikit-learn's ``TfidfVectorizer``,
    sublinear tf, features in at least two texts), then one column, :func:`novelty` times
    :data:`NOVELTY_SCALE`. Fitted texts get their leave-one-out novelty (words no other
    fitted text has), so that training sees the novelty a new question would have."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizers = [TfidfVectorizer(analyzer=a, sublinear_tf=True, min_df=2) for a in ANALYZERS]
        self.known: frozenset[str] = frozenset()

    def fit_transform(self, texts: list[str]):
        """The matrix (texts x features, CSR) of ``texts``, fitting the vocabulary to them."""
        from collections import Counter

        df = Counter(w for t in texts for w in _stems(t))
        self.known = frozenset(df)
        once = {w for w, n in df.items() if n == 1}
        return self._stack([v.fit_transform(texts) for v in self.vectorizers], [novelty(t, self.known - once) for t in texts])

    def transform(self, texts: list[str]):
        """The matrix of new ``texts`` (CSR)."""
        return self._stack([v.transform(texts) for v in self.vectorizers], [novelty(t, self.known) for t in texts])

    @staticmethod
    def _stack(blocks, nov: list[float]):
        from scipy.sparse import csr_matrix, hstack

        return hstack(blocks + [csr_matrix(np.array(nov)[:, None] * NOVELTY_SCALE)]).tocsr()


def near_copy_groups(texts: list[str], labels: list[str], similar: float = 0.6) -> list[int]:
    """A group number per text: texts of one label whose character-3-gram sets overlap by at
    least ``similar`` (Jaccard) share a group, transitively (connected components), so that
    cross-validation never trains on a near copy of what it tests."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    grams = [sorted({g for g in char_features(t) if len(g) == 3}) for t in texts]
    index: dict[str, int] = {}
    rows, cols = [], []
    for i, gs in enumerate(grams):
        for g in gs:
            rows.append(i)
            cols.append(index.setdefault(g, len(index)))
    sets = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(len(index), 1)))
    sizes = np.asarray(sets.sum(axis=1)).ravel()
    groups = np.zeros(len(texts), dtype=np.int64)
    next_group = 0
    for lab in sorted(set(labels)):
        idx = np.array([i for i, x in enumerate(labels) if x == lab])
        sub = sets[idx]
        inter = (sub @ sub.T).toarray()
        union = sizes[idx][:, None] + sizes[idx][None, :] - inter
        linked = (inter >= similar * union) & (inter > 0)
        n, comp = connected_components(csr_matrix(linked), directed=False)
        groups[idx] = comp + next_group
        next_group += n
    return groups.tolist()


def cross_validated(texts: list[str], labels: list[str], folds: int = FOLDS) -> np.ndarray:
    """Out-of-fold class probabilities (rows in ``texts`` order, columns in sorted label
    order) from :data:`FOLDS`-fold cross-validation grouped by :func:`near_copy_groups`. A
    class with fewer groups than folds sits in fewer folds (scikit-learn's warning about it
    is silenced: it would reach the console of whoever edited the knowledge base)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold

    classes = sorted(set(labels))
    out = np.zeros((len(texts), len(classes)))
    groups = near_copy_groups(texts, labels)
    y = np.array(labels)
    # A small knowledge base: no more folds than its sparsest class has groups (at least 2).
    folds = max(2, min([folds] + [len({g for g, lab in zip(groups, labels) if lab == c}) for c in classes]))
    with warnings.catch_warnings():  # "the least populated class has only 1 member"
        warnings.simplefilter("ignore", UserWarning)
        splits = list(StratifiedGroupKFold(folds, shuffle=True, random_state=0).split(texts, y, groups))
    for train, test in splits:
        features = Features()
        clf = LogisticRegression(C=C, max_iter=5000).fit(features.fit_transform([texts[i] for i in train]), y[train])
        cols = [classes.index(c) for c in clf.classes_]
        out[np.ix_(test, cols)] = clf.predict_proba(features.transform([texts[i] for i in test]))
    return out


def decide(p: np.ndarray, classes: list[str], th: Thresholds) -> tuple[str, list[int]]:
    """``("answered", [i])``, ``("ambiguous", [i, ...])`` (suggested entries, best first, at
    most 3) or ``("no_match", [])`` for one row of probabilities ``p``."""
    order = np.argsort(-p)
    top = order[0]
    if classes[top] != OUT_OF_SCOPE and p[top] >= th.answer_at and p[top] - p[order[1]] >= th.margin:
        return "answered", [int(top)]
    entries = [int(i) for i in order[:4] if classes[i] != OUT_OF_SCOPE and p[i] >= th.suggest_at][:3]
    return ("ambiguous", entries) if entries else ("no_match", [])


def curve(probs: np.ndarray, classes: list[str], labels: list[str], grid=None):
    """Rows ``(answer_at, margin, answered_right, wrong)`` over a grid of thresholds, as
    shares of the in-scope texts (right) and of all texts (wrong), for ``probs`` (one row
    per text) against the true ``labels``."""
    grid = grid or [(a / 20, m / 20) for a in range(4, 20) for m in range(0, 19)]
    y = np.array([classes.index(lab) for lab in labels])
    inscope = np.array([lab != OUT_OF_SCOPE for lab in labels])
    order = np.argsort(-probs, axis=1)
    top, second = order[:, 0], order[:, 1]
    p1 = probs[np.arange(len(y)), top]
    p2 = probs[np.arange(len(y)), second]
    oos = classes.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in classes else -1
    rows = []
    for a, m in grid:
        answered = (p1 >= a) & (p1 - p2 >= m) & (top != oos)
        right = answered & (top == y)
        rows.append((a, m, right.sum() / max(inscope.sum(), 1), (answered & ~right).sum() / len(y)))
    return rows


def choose_thresholds(probs: np.ndarray, classes: list[str], labels: list[str]) -> Thresholds:
    """The thresholds that answer the most in-scope texts right while the wrong answers stay
    at most :data:`TARGET_ERROR` of all texts (ties: the stricter). ``suggest_at`` then
    makes "bedoel je…?" most useful: each unanswered text offered entries counts +1 when
    the right one is among them and -1 when not (out-of-scope texts included)."""
    rows = curve(probs, classes, labels)
    ok = [r for r in rows if r[3] <= TARGET_ERROR]
    a, m, _, _ = max(ok, key=lambda r: (r[2], r[0], r[1])) if ok else (0.95, 0.9, 0, 0)

    def net(s: float) -> int:
        total = 0
        for p, lab in zip(probs, labels):
            status, picked = decide(p, classes, Thresholds(a, m, s))
            if status == "ambiguous":
                total += 1 if lab in [classes[i] for i in picked] else -1
        return total

    suggest_at = max((x / 20 for x in range(1, int(round(a * 20)) + 1)), key=lambda s: (net(s), s))
    return Thresholds(float(a), float(m), float(suggest_at))


@dataclass(frozen=True)
class Answer:
    """The outcome of :meth:`FaqMatcher.answer`.

    ``status``: ``"answered"`` (``entry`` is the answer), ``"ambiguous"`` (``suggestions``
    holds the closest entries, best first) or ``"no_match"``. ``score`` is the best entry's
    probability in 0..1; ``lang`` is ``"nl"`` or ``"en"``, the language to answer in.
    ``reason`` says why there is no answer: ``"empty"`` (no words), ``"no_topic"`` (only
    :data:`bot.text.STOP_WORDS`: greetings, thanks, "nee", "waarom?"), ``"out_of_scope"``
    (the model's out-of-scope class wins) or ``"low_score"``; ``""`` otherwise. ``scores`` maps
    every entry id to its probability.
    """

    status: str
    entry: Entry | None
    score: float
    suggestions: tuple[Entry, ...] = ()
    lang: str = "nl"
    reason: str = ""
    scores: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> dict:
        """The JSON contract of ``python -m bot ask --json`` (``../shared/eval/faq_eval.py``)."""
        from .knowledge import as_dict

        return {
            "status": self.status,
            "entry_id": self.entry.id if self.entry else None,
            "score": round(self.score, 3),
            "suggestions": [e.id for e in self.suggestions],
            "lang": self.lang,
            "reason": self.reason,
            "answer": as_dict(self.entry, self.lang) if self.entry else None,
        }


class FaqMatcher:
    """Answers questions from a :class:`KnowledgeBase` with its :class:`FaqModel` (cached
    or fitted on construction); read-only afterwards, safe to share between threads."""

    def __init__(self, kb: KnowledgeBase, model: FaqModel | None = None):
        self.kb = kb
        self.model = model or FaqModel.for_knowledge(kb)
        self._entries = [kb.entry(c) if c != OUT_OF_SCOPE else None for c in self.model.classes]
        if OUT_OF_SCOPE not in self.model.classes:
            log.warning("%s: no out-of-scope questions (out-of-scope.yaml missing or empty): every question "
                        "close to an entry gets an answer", kb.directory)
        own = [t for e in kb.entries for lg in ("nl", "en")
               for t in (e.question[lg], e.answer[lg], *e.keywords.get(lg, []))]
        self.vocabulary = frozenset(w for t in own for w in tokens(t))
        """The knowledge base's own words (matching form): those of its questions, answers
        and keywords, not of the alternates, which staff write with school names in them."""
        self._stems = frozenset(stem(w) for w in self.vocabulary)

    def knows(self, word: str) -> bool:
        """Whether ``word`` (matching form) is a word of the knowledge base, inflected or not
        ("leerling" is known from "leerlingen")."""
        return word in self.vocabulary or stem(word) in self._stems

    def detect_lang(self, text: str) -> str:
        """``"en"`` when the language model gives ``text`` English at least
        :data:`ENGLISH_AT`, else ``"nl"`` (Dutch first)."""
        return "en" if self.model.probabilities(text)[1] >= ENGLISH_AT else "nl"

    def scores(self, question: str) -> dict[str, float]:
        """Every entry's probability in 0..1 for ``question``, by entry id."""
        return self._by_entry(self.model.probabilities(question)[0])

    def _by_entry(self, p: np.ndarray) -> dict[str, float]:
        return {c: float(x) for c, x in zip(self.model.classes, p) if c != OUT_OF_SCOPE}

    def answer(self, question: str) -> Answer:
        """Answer ``question`` (any ``str``, Slack markup allowed; never raises)."""
        words = tokens(question)
        if not words:
            return Answer("no_match", None, 0.0, reason="empty")
        p, p_en = self.model.probabilities(question)
        lang = "en" if p_en >= ENGLISH_AT else "nl"
        if all(w in STOP_WORDS for w in words):  # "nee", "waarom?", "thanks!": no topic to weigh
            return Answer("no_match", None, 0.0, (), lang, "no_topic")
        scores = self._by_entry(p)
        status, picked = decide(p, self.model.classes, self.model.thresholds)
        best = max(scores.values(), default=0.0)
        if status == "answered":
            others = tuple(e for e in (self._entries[i] for i in np.argsort(-p)[1:3]
                                       if p[i] >= self.model.thresholds.suggest_at) if e)
            return Answer("answered", self._entries[picked[0]], float(p[picked[0]]), others, lang, "", scores)
        if status == "ambiguous":
            return Answer("ambiguous", None, best, tuple(self._entries[i] for i in picked), lang, "", scores)
        oos = self.model.classes[int(np.argmax(p))] == OUT_OF_SCOPE
        return Answer("no_match", None, best, (), lang, "out_of_scope" if oos else "low_score", scores)
