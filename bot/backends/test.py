"""An in-process backend that records every reply: play a conversation in a few lines.

    from bot.backends.test import TestBackend

    bot = TestBackend.from_settings(Settings(data_dir=tmp_path))
    [lookup] = bot.say("school Vossius Gymnasium Leiden")
    [draft] = bot.click(lookup, "draft_request")
    [note] = bot.click(draft, "draft_mark_sent")
    assert "Genoteerd als verstuurd" in bot.text(note)

Each call returns the :class:`Out` records it produced (and :attr:`TestBackend.outbox` keeps
them all): how the reply went (``reply``, ``private``, ``update``, ``send``, ``editor``),
the :class:`~bot.replies.Reply` (or the :class:`~bot.replies.DraftForm` for ``editor``) and
where it was sent. :meth:`TestBackend.text` renders a reply as the console shows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings
from ..conversation import Conversation
from ..core import Bot
from ..errors import CannotPost
from ..jobs import Jobs
from ..render import reply_text
from ..replies import DraftForm, KnowledgeForm, Message, Reply, Sent, Where
from ..store import Store
from .base import Backend


@dataclass(frozen=True)
class Out:
    """One thing the backend was asked to deliver: ``how`` (``reply``, ``private``,
    ``update``, ``send``, ``editor``, ``form``), ``reply`` (a :class:`Reply`; a
    :class:`DraftForm` for ``editor``, a :class:`KnowledgeForm` for ``form``), the ``msg``
    it answers (``None`` for ``send``) and ``where`` (``send``)."""

    how: str
    reply: Any
    msg: Message | None = None
    where: Where | None = None


class TestBackend(Backend):
    """The test backend around a :class:`Conversation`; ``jobs`` (background work) tell
    users through it too. ``names`` maps user ids to display names (the draft's signature);
    ``admins`` are the users :meth:`is_admin` allows (default: ``ADMIN_USER_IDS``);
    ``refuse_posts_in`` channels make :meth:`send` raise :class:`~bot.errors.CannotPost`."""

    __test__ = False  # not a pytest test class

    def __init__(self, conversation: Conversation, *, names: dict[str, str] | None = None,
                 admins: tuple[str, ...] | None = None, refuse_posts_in: tuple[str, ...] = ()):
        super().__init__(conversation)
        self.outbox: list[Out] = []
        self.names = dict(names or {})
        self.admins = admins
        self.refuse_posts_in = tuple(refuse_posts_in)
        self.jobs = Jobs(conversation, self)
        self._ts = 0

    @classmethod
    def from_settings(cls, settings: Settings, *, bot: Bot | None = None, store: Store | None | bool = True,
                      **kwargs: Any) -> "TestBackend":
        """A conversation for ``settings`` (``bot`` defaults to :meth:`Bot.from_settings`;
        ``store``: ``True`` opens ``DATA_DIR/bot.sqlite3``, ``None`` runs without one)."""
        bot = bot or Bot.from_settings(settings)
        if store is True:
            store = Store(Path(settings.data_dir) / "bot.sqlite3")
        return cls(Conversation(bot, store or None), **kwargs)

    @property
    def store(self) -> Store | None:
        return self.conversation.store

    # -- playing a conversation --------------------------------------------------------------
    def say(self, text: str, *, user: str = "U0ANNE01", channel: str = "C0TEAM01", kind: str = "mention",
            thread: str = "") -> list[Out]:
        """``user`` writes ``text`` (``kind``: ``mention``, ``dm``, ``slash``, ``console``);
        returns what the bot delivered."""
        channel_type = {"mention": "channel", "dm": "im", "slash": "slash"}.get(kind, "")
        return self._play(Message(text=text, user=user, channel=channel, thread=thread, kind=kind,
                                  channel_type=channel_type))

    def click(self, out: Out | Reply, action: str, *, user: str = "U0ANNE01", channel: str = "",
              option: str = "") -> list[Out]:
        """``user`` clicks the action ``action`` (an id, or a prefix ending in ``:`` for the
        first such) that ``out`` offers; for a choice, picks ``option`` (an option's label,
        or its value's ``e``). Raises ``LookupError`` when it offers none such."""
        reply = out.reply if isinstance(out, Out) else out
        for a in reply.actions:
            if a.id == action or (action.endswith(":") and a.id.startswith(action)):
                value = dict(a.value)
                if a.options:
                    picked = [o for o in a.options if option in (o.label, o.value.get("e"))]
                    if not picked:
                        raise LookupError(f"no option {option!r} in {[o.label for o in a.options]}")
                    value = dict(picked[0].value)
                where = channel or (out.msg.channel if isinstance(out, Out) and out.msg else "") or "C0TEAM01"
                thread = out.msg.thread if isinstance(out, Out) and out.msg else ""
                return self._play(Message(user=user, channel=where, thread=thread, kind="click", action=a.id,
                                          value=value))
        raise LookupError(f"no action {action!r} in {[a.id for a in reply.actions]}")

    def fill(self, form: Out, *, user: str = "U0ANNE01", **fields: str) -> list[Out]:
        """Save the form ``form`` (a ``form`` :class:`Out`) with ``fields`` (``q_nl``,
        ``a_nl``, ``q_en``, ``a_en``) changed."""
        f: KnowledgeForm = form.reply
        value = {"r": f.item_id, "e": f.entry_id, "q_nl": f.question_nl, "a_nl": f.answer_nl,
                 "q_en": f.question_en, "a_en": f.answer_en, **fields}
        return self._play(Message(user=user, channel=form.msg.channel if form.msg else "", kind="click",
                                  action="review_save", value=value))

    def save(self, editor: Out, *, user: str = "U0ANNE01", **fields: str) -> list[Out]:
        """Save the edit form ``editor`` (an ``editor`` :class:`Out`) with ``fields`` (``to``,
        ``subject``, ``body``) changed."""
        form: DraftForm = editor.reply
        value = {"id": form.draft_id, "s": form.school_query, "to": form.draft.to, "subject": form.draft.subject,
                 "body": form.draft.body, **fields}
        return self._play(Message(user=user, channel=form.channel, kind="click", action="draft_save", value=value))

    def text(self, out: Out | Reply) -> str:
        """A reply as text (what the console shows)."""
        reply = out.reply if isinstance(out, Out) else out
        return reply_text(reply, self.conversation.bot.kb, self.conversation.settings.help_contact)

    def _play(self, msg: Message) -> list[Out]:
        start = len(self.outbox)
        self.handle(msg)
        return self.outbox[start:]

    # -- Backend ---------------------------------------------------------------------------
    def reply(self, msg: Message, reply: Reply) -> None:
        self.outbox.append(Out("reply", reply, msg))

    def send_private(self, msg: Message, reply: Reply) -> None:
        self.outbox.append(Out("private", reply, msg))

    def update(self, msg: Message, reply: Reply) -> None:
        self.outbox.append(Out("update", reply, msg))

    def send(self, where: Where, reply: Reply) -> Sent:
        if where.channel in self.refuse_posts_in:
            raise CannotPost(f"not allowed to post in {where.channel}")
        self._ts += 1
        self.outbox.append(Out("send", reply, where=where))
        return Sent(where.channel or where.user, f"1.{self._ts:06d}")

    def open_editor(self, msg: Message, form: DraftForm) -> None:
        self.outbox.append(Out("editor", form, msg))

    def open_form(self, msg: Message, form: KnowledgeForm) -> None:
        self.outbox.append(Out("form", form, msg))

    def user_name(self, user: str) -> str:
        return self.names.get(user, "")

    def permalink(self, channel: str, ts: str) -> str:
        return f"test://{channel}/{ts}"

    def can_post_in(self, channel: str) -> bool:
        return bool(channel) and not channel.startswith("D")

    def is_admin(self, user: str) -> bool:
        return user in (self.admins if self.admins is not None else self.conversation.settings.admin_user_ids)
