"""The matching engine and the one router: :class:`Bot` answers a question, looks a school up
and drafts a request; :func:`route` tells which of these (or which conversation command) a
message asks for.

``Bot.handle(text) -> Reply`` answers one text the way every front end used to: a command
(``school X``, ``verzoek X``, ``help``), a question about one school ("heeft het Cals College
al toestemming gegeven?"), or a question for the knowledge base. The conversation around it
(requests, grants, admin commands, buttons) is :class:`bot.conversation.Conversation`.
It takes and returns plain data; front ends render.
"""
from __future__ import annotations

import copy
import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .config import Settings
from .consent_source import ConsentSource
from .consentlist import ConsentList, School
from .directory import Directory
from .directory import load_default as load_directory
from .drafts import draft
from .errors import ConsentListError
from .faq import Answer, FaqMatcher
from .kblive import LiveKnowledge, Snapshot
from .replies import Reply
from .knowledge import DEFAULT_DIR, KnowledgeBase, load_knowledge
from .linking import OVERRIDES_FILE, Override, read_overrides
from .names import lexicon, words
from .schools import Lookup, SchoolMatcher, Status
from .text import STOP_WORDS as STOP, clean, fold

# Commands with an argument (the first word), Dutch first; English names are aliases.
COMMANDS = {
    "school": "school", "scholen": "school", "zoek": "school", "lookup": "school", "check": "school",
    "verzoek": "verzoek", "request": "verzoek", "draft": "verzoek", "aanvraag": "verzoek",
    "help": "help", "hulp": "help", "?": "help",
}
# Commands that are the whole message, with the language they are in.
WHOLE_COMMANDS = {
    ("verzoeken",): ("requests", "nl"), ("requests",): ("requests", "en"),
    ("lijst", "vernieuwen"): ("list_refresh", "nl"), ("lijst", "status"): ("list_status", "nl"),
    ("list", "refresh"): ("list_refresh", "en"), ("list", "status"): ("list_status", "en"),
    ("nakijken",): ("review", "nl"), ("vragen", "nakijken"): ("review", "nl"), ("review",): ("review", "en"),
}


@dataclass(frozen=True)
class Route:
    """What a message asks for: ``command`` (``help``, ``school``, ``verzoek``, ``requests``,
    ``list_refresh``, ``list_status``, ``review``, or ``""`` for a question), its ``arg`` (the rest of the
    text; the whole text for a question) and ``lang`` when the command's word says it
    (``"requests"`` is English), else ``""``."""

    command: str
    arg: str
    lang: str = ""


# "heeft het Cals College al toestemming gegeven?", "staat X op de lijst?", "is X al gekoppeld?",
# "has X granted consent?", "is X on the list?". The school is the named group.
_SCHOOL_QUESTIONS = [re.compile(p) for p in (
    r"^(?:heeft|geeft|gaf|hebben)\s+(?P<s>.+?)\s+(?:al\s+|nu\s+|ook\s+)*(?:toestemming|akkoord|goedkeuring|toegang)\b",
    r"^(?:staat|zit|staan)\s+(?P<s>.+?)\s+(?:al\s+|nu\s+|ook\s+)*(?:op|in)\s+(?:de|die)\s+lijst\b",
    r"^(?:staat|zit|staan)\s+(?P<s>.+?)\s+er\s+(?:al\s+|nu\s+|ook\s+)*(?:tussen|bij|op|in)\b",
    r"^(?:is|zijn)\s+(?P<s>.+?)\s+(?:al\s+|nu\s+|ook\s+)*(?:gekoppeld|aangesloten|verbonden|akkoord|toegevoegd)\b",
    r"^(?:werkt|doet)\s+(?:de\s+)?(?:koppeling|magister|het)\s+(?:al\s+|nu\s+|ook\s+)*(?:voor|bij|met)\s+(?P<s>.+)$",
    r"\btoestemming\s+(?:gekregen\s+)?(?:van|voor)\s+(?P<s>.+)$",
    r"^(?:has|have|did)\s+(?P<s>.+?)\s+(?:already\s+)?(?:granted|given|gave|consented|approved|agreed)\b",
    r"^(?:is|are)\s+(?P<s>.+?)\s+(?:already\s+)?(?:on\s+the\s+list|listed|connected|linked)\b",
    r"^(?:does|is)\s+(?:the\s+)?(?:connection|integration|magister|it)\s+work(?:ing)?\s+(?:for|with|at)\s+(?P<s>.+)$",
)]


# Words that refer to a school without naming one ("de school van mijn leerling").
_REFERENTS = frozenset("""leerling leerlingen ouder ouders kind kinderen student studenten instituut
klant klanten zoon dochter hun haar zijn jullie onze die deze dit dat student students parent parents
child kid their our this that""".split())


@dataclass(frozen=True)
class KnowledgeBot:
    """The part of :class:`Bot` that ``python -m bot ask`` needs: the knowledge base and its
    FAQ matcher, without the consent list, the school directory and their indexes (most of a
    :class:`Bot`'s start-up, and never used to answer a question). Read-only, thread-safe."""

    settings: Settings
    kb: KnowledgeBase
    faq: FaqMatcher

    @classmethod
    def from_settings(cls, settings: Settings) -> "KnowledgeBot":
        """Load the knowledge base ``settings`` name. Raises :class:`~bot.errors.KnowledgeError`."""
        kb = load_knowledge(settings.knowledge_dir)
        return cls(settings, kb, FaqMatcher(kb))

    def ask(self, question: str) -> Answer:
        """The knowledge base's answer to ``question``."""
        return self.faq.answer(question)


class Bot:
    """The core service: knowledge base, FAQ matcher, consent list and school matcher.

    Build with :meth:`from_settings`. Everything a question or a lookup needs (the FAQ model,
    the school index, the directory's index and links, the everyday words) is loaded by the
    constructor, so no message waits for a first-use load. Read-only after construction
    except for :meth:`set_consent_list`, which swaps the list in one assignment, so it is
    safe to share between threads.

    The knowledge base and its matcher are one :class:`~bot.kblive.Snapshot`
    (:attr:`knowledge`): ``live``'s current one when given (``kb`` is then its ``kb``; an
    edited knowledge base is swapped in by ``live``, see :meth:`check_knowledge`), else one
    made of ``kb``. Inside :meth:`pinned` a thread keeps the snapshot it started with, so one
    message is answered and rendered from one knowledge base.
    """

    def __init__(self, settings: Settings, kb: KnowledgeBase, consent: ConsentList,
                 directory: Directory | None = None, overrides: tuple[Override, ...] = (), *,
                 live: LiveKnowledge | None = None):
        self.settings = settings
        self.live = live
        self._fixed = None if live else Snapshot(kb, FaqMatcher(kb), "", 0)
        self._pin = threading.local()
        self.directory = directory
        self.overrides = tuple(overrides)
        self.schools = SchoolMatcher(consent, directory=directory, overrides=self.overrides).warm()
        self.consent_source: ConsentSource | None = None  # set by from_settings; refresh() swaps the list here

    @classmethod
    def from_settings(cls, settings: Settings, *, fetch_missing: bool = True, with_directory: bool = True) -> "Bot":
        """Load the knowledge base, the consent list, the school directory and the link
        overrides ``settings`` name.

        The list comes from :class:`~bot.consent_source.ConsentSource` (the URL's last good
        copy, a first fetch when there is none and ``fetch_missing``, the file, or the
        example); ``bot.consent_source.refresh()`` swaps a new list in. The directory is
        ``DIRECTORY_PATH``, ``DATA_DIR/schools.csv`` or the embedded snapshot
        (:func:`bot.directory.load_default`; ``with_directory=False`` leaves it out, for a
        command that looks no school up); an unreadable directory or overrides file is
        logged and left out. Raises :class:`~bot.errors.KnowledgeError` or
        :class:`~bot.errors.ConsentListError`.
        """
        live = LiveKnowledge(settings.knowledge_dir or DEFAULT_DIR)
        source = ConsentSource.from_settings(settings)
        consent = source.start(fetch_missing=fetch_missing)
        log = logging.getLogger(__name__)
        directory = None
        try:
            if with_directory:
                directory = load_directory(settings)
        except ConsentListError as e:
            log.error("school directory not loaded: %s", e)
        try:
            overrides = tuple(read_overrides(Path(settings.data_dir) / OVERRIDES_FILE))
        except ConsentListError as e:
            log.error("link overrides not loaded: %s", e)
            overrides = ()
        bot = cls(settings, live.kb, consent, directory, overrides, live=live)
        bot.consent_source = source
        source.add_listener(lambda result: bot.set_consent_list(result.consent))
        return bot

    # -- the knowledge base in use -----------------------------------------------------------
    @property
    def knowledge(self) -> Snapshot:
        """The knowledge base and matcher in use: this thread's pinned snapshot, else the newest."""
        pinned = getattr(self._pin, "snapshot", None)
        if pinned is not None:
            return pinned
        return self.live.current if self.live else self._fixed

    @property
    def kb(self) -> KnowledgeBase:
        return self.knowledge.kb

    @property
    def faq(self) -> FaqMatcher:
        return self.knowledge.matcher

    @contextmanager
    def pinned(self):
        """Keep this thread on the snapshot in use now until the block ends (nested: the
        outer block's snapshot)."""
        if getattr(self._pin, "snapshot", None) is not None:
            yield
            return
        self._pin.snapshot = self.knowledge
        try:
            yield
        finally:
            self._pin.snapshot = None

    def check_knowledge(self) -> bool:
        """Start reloading the knowledge base when its files changed (a cheap ``stat``; the
        refit runs in the background, see :meth:`bot.kblive.LiveKnowledge.check`); whether
        a reload started. ``False`` without a live knowledge base."""
        return self.live.check() if self.live else False

    @property
    def consent(self) -> ConsentList:
        """The consent list in use."""
        return self.schools.consent

    def set_consent_list(self, consent: ConsentList) -> None:
        """Use ``consent`` from now on: its links to the directory and its index are made
        before the swap (lookups never wait for them); a list with the same schools, e.g.
        newly confirmed or marked with an error, keeps them."""
        if consent.schools == self.schools.consent.schools:
            relabelled = copy.copy(self.schools)  # the links and the index depend on the schools alone
            relabelled.consent = consent
            self.schools = relabelled
        else:
            self.schools = SchoolMatcher(consent, directory=self.directory, overrides=self.overrides).warm()

    # -- entry points ---------------------------------------------------------------------
    def handle(self, text: str) -> Reply:
        """Answer one message (any ``str``; never raises for bad input): ``help``, ``school X``,
        ``verzoek X``, else :meth:`respond` (the conversation's own commands, such as
        ``verzoeken``, are questions here: :class:`~bot.conversation.Conversation` answers them)."""
        cleaned = clean(text)
        r = route(cleaned)
        if r.command == "help":
            return Reply("help", self.faq.detect_lang(cleaned))
        if r.command == "school":
            return self.lookup_reply(r.arg, lang=self.faq.detect_lang(cleaned))
        if r.command == "verzoek":
            return self.draft_reply(r.arg)
        return self.respond(cleaned)

    def respond(self, cleaned: str) -> Reply:
        """A question, already :func:`~bot.text.clean`: a lookup when it asks about one school
        ("heeft het Cals College al toestemming gegeven?", or a school's name alone), else the
        knowledge base's answer (``answer`` reply, ``question`` set)."""
        name = school_in_question(cleaned)
        if name and self._names_a_school(name):
            found = self.schools.lookup(name)
            # "Heeft de GGD toegang…?", "Heeft Magister de scholen laten weten…?": a question's
            # shape, but no school in the list or DUO's directory, not even a near miss: the
            # knowledge base answers it. (Without a directory or a list, an unknown name may
            # still be a school: the lookup says what it can.)
            no_school = (found.status == Status.NOT_FOUND and not found.candidates and self.directory
                         and not self.consent.unavailable)
            if not no_school:
                return Reply("lookup", self.faq.detect_lang(cleaned), lookup=found)
        # The answer's language is detect_lang(cleaned) (one run of the model, not two).
        answer = self.faq.answer(cleaned)
        if answer.status != "answered":
            # A school name, bare or among question words ("Cals College toestemming?"), is a lookup.
            rest = self._school_words(cleaned)
            found = self.schools.lookup(rest) if rest else None
            if found and (found.status == "granted" or (found.status == "ambiguous" and found.score >= 0.6)):
                return Reply("lookup", answer.lang, lookup=found)
        return Reply("answer", answer.lang, answer=answer, question=cleaned)

    def ask(self, question: str) -> Answer:
        """The knowledge base's answer to ``question``."""
        return self.faq.answer(question)

    def lookup(self, query: str) -> Lookup:
        """Whether the school ``query`` names has granted access."""
        return self.schools.lookup(query)

    def lookup_reply(self, query: str, lang: str = "nl") -> Reply:
        """A lookup as a :class:`Reply`; ``usage`` when ``query`` is empty."""
        if not query.strip():
            return Reply("usage", lang, text="school")
        return Reply("lookup", lang, lookup=self.schools.lookup(query))

    def chosen(self, name: str, host: str) -> Lookup:
        """The school picked from a "welke bedoel je?" list: granted when the list in use has
        exactly this name and host; otherwise (the list changed, or it was a school of the
        directory) an ordinary lookup of ``name``."""
        consent = self.consent
        exact = [s for s in consent.schools if s.name == name and s.host == host]
        if not exact:
            return self.lookup(name)
        school = exact[0]
        same = tuple(s for s in consent.schools if s.host and s.host == school.host and s is not school)
        return Lookup("granted", name, school, same, 1.0, "", consent.info())

    def listed_as(self, query: str) -> str:
        """The name the list in use gives the school ``query`` names when the bot calls it
        listed (granted), else ``""``."""
        lk = self.lookup(query)
        return lk.match.name if lk.status == "granted" and lk.match else ""

    def draft_reply(self, query: str, *, sender: str = "", sender_email: str = "", note: str = "",
                    today: date | None = None) -> Reply:
        """A request draft for the school ``query`` names.

        The school is looked up first: a listed school's host goes into the draft (and the
        reply says it is already on the list); a school of the directory that is not on the
        list is named as typed, with the directory's place and vestigingscode (so that the
        request is granted when the list links an entry to it); an unknown name is used as typed.
        ``usage`` when ``query`` is empty.
        """
        typed = clean(query)
        if not typed:
            return Reply("usage", "nl", text="verzoek")
        found = self.schools.lookup(typed)
        if found.status == "granted" and found.match:
            school = found.match
        elif found.status == "not_granted" and found.match:
            # a directory school: named as staff typed it, with DUO's place and codes
            school = replace(found.match, name=typed)
        else:
            school = School(typed)
        s = self.settings
        d = draft(self.kb, school, institute=s.institute_name, sender=sender or s.institute_name,
                  sender_email=sender_email or s.institute_email, sender_phone=s.institute_phone,
                  note=note, today=today)
        listed = found.match.name if found.status == "granted" and found.match else ""
        return Reply("draft", "nl", lookup=found, draft=d, school_query=query, listed_as=listed)

    # -- helpers ------------------------------------------------------------------------
    def _school_words(self, text: str) -> str:
        """``text`` without the words that only questions use (those of the knowledge base
        that no listed school name has, and stop words)."""
        school_vocab = self.schools.postings
        return " ".join(w for w in text.split()
                        if (t := fold(w).strip("?!.,;:'\"")) and t not in STOP
                        and (not self.faq.knows(t) or t in school_vocab))

    def _names_a_school(self, name: str) -> bool:
        """Whether ``name`` (from a question) holds a word that is no FAQ or generic word."""
        generic = lexicon().generic
        found = [w for w in words(name) if w not in generic and w not in STOP and w not in _REFERENTS]
        return any(not self.faq.knows(w) or w in self.schools.postings for w in found)


def route(cleaned: str) -> Route:
    """The one router: what the text (already :func:`~bot.text.clean`) asks for.

    A whole-message command first (``verzoeken``, ``lijst vernieuwen``, ``list status``: these
    words in a longer question stay a question), then a first-word command (``school X``,
    ``verzoek X``, ``help``; see :func:`parse_command`), else a question (``command`` ``""``).
    """
    words = tuple(w.strip("?!.,:;") for w in fold(cleaned).split())
    whole = WHOLE_COMMANDS.get(words)
    if whole:
        return Route(whole[0], "", whole[1])
    command, arg = parse_command(cleaned)
    return Route(command, arg)


def parse_command(text: str) -> tuple[str, str]:
    """``"school Cals College"`` -> ``("school", "Cals College")``; ``("", text)`` when the
    first word is no command. ``"help"`` alone or ``"?"`` -> ``("help", "")``."""
    first, _, rest = text.strip().partition(" ")
    command = COMMANDS.get(fold(first).strip(":,"))
    if command is None:
        return "", text
    if command == "school" and fold(first) in ("check",) and not rest:
        return "", text
    return command, rest.strip()


def school_in_question(text: str) -> str:
    """The school named in a question about its consent, or ``""``.

    ``"Heeft het Cals College al toestemming gegeven?"`` -> ``"het Cals College"``.
    """
    folded = " ".join(re.sub(r"[?!.,;:]+", " ", fold(text)).split())
    for pattern in _SCHOOL_QUESTIONS:
        m = pattern.search(folded)
        if m:
            return m.group("s").strip()
    return ""
