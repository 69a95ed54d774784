"""The interactive console (``python -m bot`` without Slack tokens): the whole conversation in
a terminal, against the same request store as Slack.

Type a question, ``school <naam>``, ``verzoek <school>``, ``verzoeken``, ``lijst status``,
``help`` or ``quit``. A reply's actions are numbered ("bedoel je…?", a school among several,
"Verzoek opstellen", "Bewerken", "Markeer als verstuurd"): type the number to pick one.
"Bewerken" asks for each field on the next lines (Enter keeps it). Whoever runs the console
may refresh the list (``lijst vernieuwen``), as ``python -m bot consent refresh`` does, and
review the question log (``nakijken``): "Toevoegen aan…" lists the entries to pick from,
"Nieuwe vraag" and "Publiceren" ask for the texts on the next lines.
"""
from __future__ import annotations

import getpass
import logging
from typing import TextIO

from ..conversation import A_FEEDBACK, A_PICK_SCHOOL, A_SHOW_ENTRY, Conversation, validate_edit
from ..render import list_line, reply_text
from ..replies import Action, DraftForm, KnowledgeForm, Message, Reply, Sent, Where
from ..wording import CHAT, CONSOLE, REVIEW
from .base import Backend

log = logging.getLogger("bot.console")

QUIT = ("quit", "exit", "stop", "q", ":q", "bye", "doei")
"""Words that end the console."""


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        return "console"


class ConsoleBackend(Backend):
    """The console around a :class:`Conversation`, reading ``stdin`` and writing ``out``
    (an interactive terminal gets a ``>`` prompt); the user is the login name."""

    def __init__(self, conversation: Conversation, stdin: TextIO, out: TextIO, *, user: str = ""):
        super().__init__(conversation)
        self.stdin = stdin
        self.out = out
        self.user = user or _user()
        self.interactive = stdin.isatty()
        self.choices: list[Action] = []  # the numbered actions of the last reply

    def run(self) -> int:
        """Read and answer lines until ``quit`` or the end of input; returns the exit status
        (0). A message that fails is logged and answered with one sentence; the console goes
        on. ``BrokenPipeError`` (the reader went away) propagates."""
        t = CONSOLE["nl"]
        self.out.write(t["hello"] + "\n")
        self.out.write(list_line(self.conversation.bot.consent.info(), "nl").strip("_") + "\n")
        while True:
            line = self._read("\n> " if self.interactive else "")
            if line is None:
                self.out.write("\n")
                return 0
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT:
                self.out.write(t["bye"] + "\n")
                return 0
            try:
                msg = self._message(text)
            except _NoChoice as e:
                self.out.write(t["no_choice"].format(n=e.n) + "\n")
                continue
            if msg is None:  # a choice of several: its options are numbered now
                continue
            # Slack's processes notice an edit on a timer (Jobs.knowledge_tick); the console,
            # which has no threads of its own, looks before each message.
            self.conversation.bot.check_knowledge()
            try:
                self.handle(msg)
            except BrokenPipeError:  # the reader is gone: main() ends the run quietly
                raise
            except Exception:  # the console keeps going, whatever one message does
                log.exception("failed on %r", text[:80])
                self.out.write(t["failed"] + "\n")
            if not self.interactive:
                self.out.write("\n")

    def _read(self, prompt: str = "") -> str | None:
        if prompt:
            self.out.write(prompt)
        self.out.flush()
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None

    def _message(self, text: str) -> Message | None:
        """A typed line, or the numbered action it picks (``None``: a choice of several,
        whose options are numbered next)."""
        if text.isdigit() and self.choices:
            n = int(text)
            if not 1 <= n <= len(self.choices):
                raise _NoChoice(n)
            a = self.choices[n - 1]
            if a.options:
                self.choices = [Action(a.id, o.label, o.value) for o in a.options]
                self.out.write(REVIEW["nl"]["pick_entry"] + "\n")
                for i, o in enumerate(self.choices, 1):
                    self.out.write(f"{i}. {o.label}\n")
                return None
            return Message(user=self.user, kind="click", action=a.id, value=dict(a.value))
        return Message(text=text, user=self.user, kind="console", channel_type="console")  # logged: `nakijken` reviews it

    # -- Backend ---------------------------------------------------------------------------
    def _show(self, reply: Reply) -> None:
        conv = self.conversation
        # The knowledge base speaks Slack ("/magister school <naam>"); here it is "school <naam>".
        text = reply_text(reply, conv.bot.kb, conv.settings.help_contact).replace("`/magister ", "`")
        self.out.write(text + "\n")
        picks = [a for a in reply.actions if not a.url and not a.id.startswith(A_FEEDBACK)]
        if not picks:
            return  # the choices of an earlier reply stay valid
        # "bedoel je…?" and "welke bedoel je?" are numbered in the text already; the rest follow
        listed = [a for a in picks if a.group == "suggestions" and a.id.startswith(A_SHOW_ENTRY)
                  or a.id.startswith(A_PICK_SCHOOL)]
        rest = [a for a in picks if a not in listed]
        self.choices = listed + rest
        if rest:
            self.out.write(CONSOLE[reply.lang if reply.lang in CONSOLE else "nl"]["choices"] + "\n")
            for i, a in enumerate(rest, len(listed) + 1):
                item = f" [{int(a.group.split(':')[1]) + 1}]" if a.group.startswith("review:") else ""
                self.out.write(f"{i}. {a.label}{item}\n")

    def reply(self, msg: Message, reply: Reply) -> None:
        self._show(reply)

    def send_private(self, msg: Message, reply: Reply) -> None:
        self._show(reply)

    def update(self, msg: Message, reply: Reply) -> None:
        self._show(reply)

    def send(self, where: Where, reply: Reply) -> Sent:
        self._show(reply)
        return Sent()

    def open_editor(self, msg: Message, form: DraftForm) -> None:
        """Ask for the recipient, the subject and the text on the next lines (Enter keeps a
        field; the text ends with a line holding a single dot); then save."""
        t, d = CONSOLE["nl"], form.draft
        self.out.write(t["edit_head"] + "\n")
        to = self._read(t["edit_to"].format(value=d.to))
        subject = self._read(t["edit_subject"].format(value=d.subject))
        self.out.write(t["edit_body"] + "\n")
        body: list[str] = []
        line = self._read()
        while line is not None and line.strip() != "." and (body or line.strip()):  # Enter first: unchanged
            body.append(line)
            line = self._read()
        values = {"to": to or d.to, "subject": subject or d.subject, "body": "\n".join(body) or d.body}
        _, errors = validate_edit(values)
        if errors:
            self.out.write(CHAT["nl"]["edit_invalid"].format(errors=" ".join(errors.values())) + "\n")
            return
        self.handle(Message(user=self.user, kind="click", action="draft_save",
                               value={"id": form.draft_id, "s": form.school_query, **values}))

    def open_form(self, msg: Message, form: KnowledgeForm) -> None:
        """Ask for the question and the answer, Dutch then English, on the next lines (Enter
        keeps what is shown); then save."""
        w = REVIEW["nl"]
        fields = (("q_nl", w["label_q_nl"], form.question_nl), ("a_nl", w["label_a_nl"], form.answer_nl),
                  ("q_en", w["label_q_en"], form.question_en), ("a_en", w["label_a_en"], form.answer_en))
        values = {}
        for key, label, value in fields:
            line = self._read(f"{label} [{value}]: " if value else f"{label}: ")
            values[key] = (line or "").strip() or value
        self.handle(Message(user=self.user, kind="click", action="review_save",
                            value={"r": form.item_id, "e": form.entry_id, **values}))

    def can_post_in(self, channel: str) -> bool:
        return False  # no channel here: a draft is edited, mailed and marked as sent

    def is_admin(self, user: str) -> bool:
        return True  # whoever runs the console can run `python -m bot consent refresh` too

    def user_name(self, user: str) -> str:
        return ""  # the draft is signed with INSTITUTE_NAME


class _NoChoice(Exception):
    def __init__(self, n: int):
        super().__init__(n)
        self.n = n


def console(conversation: Conversation, stdin: TextIO, out: TextIO) -> int:
    """Run the console on ``conversation`` (see :class:`ConsoleBackend`); the exit status."""
    return ConsoleBackend(conversation, stdin, out).run()
