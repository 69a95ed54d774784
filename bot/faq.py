"""Answer a staff question from the knowledge base.

``FaqMatcher(kb).answer(question) -> Answer``. The method, in short:

1. :func:`bot.text.tokens`, then per word: Dutch compounds split or joined against the
   knowledge base's own vocabulary ("verwerkers overeenkomst" = "verwerkersovereenkomst"),
   typos mapped to the nearest known word (one edit in a short word, two in a long one, same
   first letter), synonyms folded to one concept ("akkoord" = "toestemming" = "consent"),
   and the Snowball stemmers (English, then Dutch) for inflections ("gekoppeld" = "koppeling").
2. Stop words (Dutch and English), greetings and thanks carry no weight. A known word weighs
   its inverse document frequency over the entries. A word the knowledge base never uses
   weighs as much as the rarest known word, less the more common it is in everyday Dutch or
   English (wordfreq): "rapportvergadering" counts against an answer, "hierover" hardly.
3. Each entry scores the best weighted F-measure over its phrasings (question, alternates,
   keywords), blended with how much of the question's weight its whole vocabulary covers.
4. The best entry is the answer only when it clears :data:`ANSWER_AT`, beats the runner-up
   by :data:`MARGIN` and covers :data:`COVER_AT` of the question; otherwise the closest
   entries are offered ("bedoel je…?") or the bot says it does not know.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache


import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

from .knowledge import Entry, KnowledgeBase
from .text import tokens

ANSWER_AT = 0.5
"""Lowest score at which the best entry is given as the answer."""
SUGGEST_AT = 0.3
"""Lowest score at which an entry is offered as a suggestion ("bedoel je…?")."""
MARGIN = 0.05
COVER_AT = 0.6
"""The answer's entry must know words carrying at least this share of the question's weight."""
"""When the runner-up scores within this of the best, the question is ambiguous."""
UNKNOWN_WEIGHT_FACTOR = 1.0
"""A word the knowledge base never uses weighs this share of the rarest word's weight."""
FREQ_PIVOT, FREQ_SCALE = 7.0, 3.0
"""A word's weight falls linearly with its everyday frequency (Zipf 7 -> 0, 4 -> 1)."""
PHRASE_SHARE = 0.5
COMMON_WORD_ZIPF = 5.0
"""A one-word question whose word is this common in everyday language ("test") is not answered."""
"""Share of an entry's score from its best phrasing; the rest from its whole vocabulary."""

STOP_NL = frozenset("""
aan al alle alleen als altijd ander andere ben bij da dan dat de deze die dit doe doen doet
door dus een eens en er even ga gaan gaat had heb hebben heeft het hier hij hoe hun ik
in is ja je jij jou jouw juist kan kun kunnen maar me meer men met mij mijn moet moeten na naar
nog nou nu of om omdat on ons onze ook op over precies te toch toe tot u uit uw van veel voor
wat we wel welk welke wij wil willen word worden wordt ze zij zijn zo zou zouden zich
eigenlijk nou graag even dus eh ehm precies iemand iets weet weten zeg zeggen vraag vraagje
kunt zou zal zullen mag mogen allemaal iedereen
""".split())
STOP_EN = frozenset("""
a about all also am an and any are as at be been but by can could did do does done for from
get got had has have how i if in into is it its me my of on or our please should so
some than that the their them then there these they this to us was we were what which
will with would you your just really exactly everyone all
""".split())
# Greetings, thanks and chat: no topic in them. A question made only of these gets no answer.
SOCIAL = frozenset("""
hoi hallo hey hee hai hi hello yo goedemorgen goedemiddag goedenavond morgen middag dag doei
bedankt dank danku dankjewel dankje thanks thank thx ty tnx top super mooi cool ok oke okay prima
groet groeten cheers bye fijn yes nee sorry help
""".split())
STOP = STOP_NL | STOP_EN | SOCIAL

# Words that mean the same thing here, each mapped to one concept (the first word).
_SYNONYM_GROUPS = [
    "toestemming akkoord goedkeuring permissie consent permission approval approve toestaan "
    "instemming machtiging authorisation authorization",
    "koppeling koppelen gekoppeld verbinding connectie link integratie integration connection "
    "connect connected koppel",
    "school scholen schools",
    "accreditatie geaccrediteerd geaccrediteerde accreditation accredited accredit erkend erkenning certified",
    "verwerkersovereenkomst verwerkingsovereenkomst dpa verwerkersovereenkomsten",
    "gegevens data informatie info information",
    "deadline uiterlijk",
    "applicatiebeheerder beheerder administrator admin",
    "nieuwsbrief newsletter",
    "lijst list overzicht",
    "weigeren weigert refuse refuses refused decline declines",
    "waarom why",
    "wanneer when",
    "wie who",
    "controleren checken check nakijken verify verifieren",
    "niet geen not no zonder without nee never nooit niks niets nothing none",
    "ingelicht inlichten informeren geinformeerd inform informed tell told notified bericht",
    "partij partner party partijen derde third",
    "ontvangen ontvangt krijgen krijgt receive receives",
    "waar where",
]
# Question words: they shape a question but name no topic on their own.
QUESTION_WORDS = frozenset({"wie", "wanneer", "waarom", "waar"})
# Fixed expressions that name no topic ("hoe laat is het" asks the time).
STOP_PHRASES = ("hoe laat", "what time", "hoe gaat het", "how are you", "wat is dat", "what is that")
SYNONYMS = {w: g.split()[0] for g in _SYNONYM_GROUPS for w in g.split()}


@lru_cache(maxsize=65536)
def general_zipf(word: str) -> float:
    """How common ``word`` is in everyday Dutch or English: wordfreq's Zipf value (log10 of
    the frequency per billion words; "de" 7.7, "koppeling" 3.8, an unseen word 0)."""
    return max(zipf_frequency(word, "nl"), zipf_frequency(word, "en"))


def commonness_factor(zipf: float) -> float:
    """Weight factor of a word by how common it is: everyday words ("zet", "wanneer") say
    less about the topic than rare ones ("verwerkersovereenkomst")."""
    return min(max((FREQ_PIVOT - zipf) / FREQ_SCALE, 0.2), 1.5)


_STEM_LOCK = threading.Lock()
_EN = snowballstemmer.stemmer("english")
_NL = snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=65536)
def _snowball(word: str) -> str:
    with _STEM_LOCK:  # snowballstemmer's stemmers keep state: one caller at a time
        return _NL.stemWord(_EN.stemWord(word))


_STEMMED_SYNONYMS = {}
for _g in _SYNONYM_GROUPS:
    for _w in _g.split():
        _STEMMED_SYNONYMS.setdefault(_snowball(_w), _g.split()[0])


def stem(word: str) -> str:
    """A word's concept: its synonym group's first word, else its Snowball stem (English,
    then Dutch: the same function on both sides, so "gekoppeld" meets "koppeling")."""
    if word in SYNONYMS:
        return SYNONYMS[word]
    s = _snowball(word)
    return _STEMMED_SYNONYMS.get(s, s)


@dataclass(frozen=True)
class Answer:
    """The outcome of :meth:`FaqMatcher.answer`.

    ``status``: ``"answered"`` (``entry`` is the answer), ``"ambiguous"`` (``suggestions``
    holds the closest entries, best first) or ``"no_match"``. ``score`` is the best entry's
    score in 0..1; ``lang`` is ``"nl"`` or ``"en"``, the language to answer in. ``reason``
    says why there is no answer: ``"empty"``, ``"no_topic"`` (only stop words, greetings,
    thanks) or ``"low_score"``; ``""`` otherwise.
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
    """Matches questions against a :class:`KnowledgeBase`; built once, then read-only
    (safe to share between threads)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        raw_vocab: set[str] = set()
        lang_words: dict[str, set[str]] = {"nl": set(), "en": set()}
        for e in kb.entries:
            for lang, text in e.phrasings() + [(lg, k) for lg in ("nl", "en") for k in e.keywords.get(lg, [])]:
                words = tokens(text)
                raw_vocab.update(words)
                lang_words[lang].update(words)
        self._raw_vocab = frozenset(raw_vocab)
        self.vocabulary = self._raw_vocab
        """Every word (matching form) the knowledge base's phrasings and keywords use."""
        self._stem_vocab = frozenset(stem(w) for w in raw_vocab if w not in STOP)
        self._fuzzy_vocab = sorted(w for w in raw_vocab if w not in STOP and len(w) >= 4)
        self._lang_only = {"nl": (lang_words["nl"] - lang_words["en"]) | STOP_NL,
                           "en": (lang_words["en"] - lang_words["nl"]) | STOP_EN}
        # Each entry: its phrasings as concept sets, and the union of them with its keywords.
        self._phrases: list[tuple[Entry, list[frozenset[str]], frozenset[str]]] = []
        df: dict[str, int] = {}
        for e in kb.entries:
            phrases = [frozenset(self._concepts(t)) for _, t in e.phrasings()]
            kws = [frozenset(self._concepts(k)) for lg in ("nl", "en") for k in e.keywords.get(lg, [])]
            vocab = frozenset().union(*phrases, *kws)
            self._phrases.append((e, [p for p in phrases + kws if p], vocab))
            for c in vocab:
                df[c] = df.get(c, 0) + 1
        n = max(len(kb.entries), 1)
        self._weights = {c: math.log(1 + n / d) for c, d in df.items()}  # idf
        self._unknown_base = UNKNOWN_WEIGHT_FACTOR * math.log(1 + n)

    # -- query analysis -------------------------------------------------------------
    def _words(self, text: str) -> list[str]:
        """Tokens with compounds split/joined and typos corrected against the vocabulary."""
        norm = f" {' '.join(tokens(text))} "
        for phrase in STOP_PHRASES:
            norm = norm.replace(f" {phrase} ", " ")
        words = norm.split()
        out: list[str] = []
        i = 0
        while i < len(words):
            w = words[i]
            if i + 1 < len(words) and w + words[i + 1] in self._raw_vocab and w not in STOP:
                out.append(w + words[i + 1])  # "verwerkers overeenkomst"
                i += 2
                continue
            out.extend(self._fix(w))
            i += 1
        return out

    @lru_cache(maxsize=4096)
    def _fix(self, w: str) -> tuple[str, ...]:
        if w in self._raw_vocab or w in STOP or stem(w) in self._stem_vocab or len(w) < 5 or w.isdigit():
            return (w,)
        for cut in range(3, len(w) - 2):  # an unknown compound of two known words
            a, b = w[:cut], w[cut:]
            if a in self._raw_vocab and b in self._raw_vocab and a not in STOP and b not in STOP:
                return (a, b)
        limit = 1 if len(w) < 8 else 2
        for cand, _, _ in process.extract(w, self._fuzzy_vocab, scorer=OSA.distance, score_cutoff=limit, limit=5):
            if cand[0] == w[0]:  # a typo in the first letter is rare; another word is not
                return (cand,)
        return (w,)

    def knows(self, word: str) -> bool:
        """Whether ``word`` (matching form) is a word of the knowledge base, inflected or not
        ("leerling" is known from "leerlingen")."""
        return word in self.vocabulary or stem(word) in self._weights

    def _concepts(self, text: str) -> list[str]:
        return [stem(w) for w in self._words(text) if w not in STOP]

    def _query(self, text: str) -> dict[str, float]:
        """The question's concepts with their weights. A word the knowledge base never uses
        weighs as a rare one would, less the more common it is in everyday language."""
        out: dict[str, float] = {}
        for w in self._words(text):
            if w in STOP:
                continue
            c = stem(w)
            out[c] = self._weights[c] if c in self._weights else self._unknown_base * commonness_factor(general_zipf(w))
        return out

    def detect_lang(self, text: str) -> str:
        """``"en"`` when the words of ``text`` are more English than Dutch, else ``"nl"``."""
        words = tokens(text)
        en = sum(w in self._lang_only["en"] for w in words)
        nl = sum(w in self._lang_only["nl"] for w in words)
        return "en" if en > nl else "nl"

    # -- scoring ----------------------------------------------------------------------
    def scores(self, question: str) -> dict[str, float]:
        """Every entry's score in 0..1 for ``question``, by entry id."""
        return self._rank(question)[0]

    def _rank(self, question: str) -> tuple[dict[str, float], dict[str, float]]:
        """Per entry id: its score, and the share of the question's weight its words cover."""
        q = self._query(question)
        if not q:
            return {e.id: 0.0 for e in self.kb.entries}, {e.id: 0.0 for e in self.kb.entries}
        wq = sum(q.values())
        keys = q.keys()
        scores, covers = {}, {}
        for e, phrases, vocab in self._phrases:
            best = 0.0
            for p in phrases:
                common = sum(q[c] for c in keys & p)
                if not common:
                    continue
                qcov = common / wq
                pcov = common / sum(self._weights[c] for c in p)
                best = max(best, 2 * qcov * pcov / (qcov + pcov))
            covers[e.id] = sum(q[c] for c in keys & vocab) / wq
            scores[e.id] = PHRASE_SHARE * best + (1 - PHRASE_SHARE) * covers[e.id]
        return scores, covers

    def answer(self, question: str) -> Answer:
        """Answer ``question`` (any ``str``, Slack markup allowed; never raises)."""
        lang = self.detect_lang(question)
        words = tokens(question)
        if not words:
            return Answer("no_match", None, 0.0, lang=lang, reason="empty")
        if all(w in STOP for w in words):
            return Answer("no_match", None, 0.0, lang=lang, reason="no_topic")
        content = [w for w in self._words(question) if w not in STOP]
        if content and all(stem(w) in QUESTION_WORDS for w in content):
            return Answer("no_match", None, 0.0, lang=lang, reason="no_topic")  # "wie ben jij?"
        scores, covers = self._rank(question)
        ranked = sorted(self.kb.entries, key=lambda e: -scores[e.id])
        best = ranked[0]
        s1 = scores[best.id]
        s2 = scores[ranked[1].id] if len(ranked) > 1 else 0.0
        suggestions = tuple(e for e in ranked[:3] if scores[e.id] >= SUGGEST_AT and scores[e.id] >= s1 - 0.2)
        # Answer only when the entry explains most of the question and clearly beats the rest;
        # one everyday word ("test") is too little to be sure of.
        one_common_word = len(content) == 1 and general_zipf(content[0]) >= COMMON_WORD_ZIPF
        if s1 >= ANSWER_AT and s1 - s2 >= MARGIN and covers[best.id] >= COVER_AT and not one_common_word:
            return Answer("answered", best, s1, suggestions[1:], lang, "", scores)
        if s1 >= SUGGEST_AT and len(suggestions) >= 1:
            return Answer("ambiguous", None, s1, suggestions, lang, "", scores)
        return Answer("no_match", None, s1, (), lang, "low_score", scores)
