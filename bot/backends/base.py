"""The interface between the conversation and a chat surface.

:class:`~bot.conversation.Conversation` calls a :class:`Backend` for everything it says:
answer a message where it was said (:meth:`Backend.reply`), to its sender alone
(:meth:`Backend.send_private`), in place of the message a click came from
(:meth:`Backend.update`), post somewhere (:meth:`Backend.send`: a channel, a user's DM), and
let a user edit a draft (:meth:`Backend.open_editor`). A backend turns its own events into
:class:`~bot.replies.Message` objects and hands them to :meth:`Backend.handle`.
"""
from __future__ import annotations

from typing import Any

from ..replies import DraftForm, KnowledgeForm, Message, Reply, Sent, Where


class Backend:
    """Base class of every backend. Subclasses implement the five delivery methods; the
    identity helpers have defaults for a backend without users or channels.

    ``conversation`` is the :class:`~bot.conversation.Conversation` this backend serves.
    """

    def __init__(self, conversation: Any):
        self.conversation = conversation

    def handle(self, msg: Message) -> None:
        """Hand ``msg`` to the conversation, which answers through this backend."""
        self.conversation.handle(msg, self)

    # -- delivery (every backend) ------------------------------------------------------------
    def reply(self, msg: Message, reply: Reply) -> None:
        """Answer ``msg`` where it was said (everyone there sees it; a slash command's
        answer is private in Slack)."""
        raise NotImplementedError

    def send_private(self, msg: Message, reply: Reply) -> None:
        """Answer ``msg`` to its sender alone."""
        raise NotImplementedError

    def update(self, msg: Message, reply: Reply) -> None:
        """Show ``reply`` in place of the message ``msg`` (a click, a saved form) came from."""
        raise NotImplementedError

    def send(self, where: Where, reply: Reply) -> Sent:
        """Post ``reply`` in a channel or a user's DM; what was posted. Raises
        :class:`~bot.errors.CannotPost` when this backend may not post there, and
        :class:`~bot.errors.DeliveryFailed` (logged) when the post failed."""
        raise NotImplementedError

    def open_editor(self, msg: Message, form: DraftForm) -> None:
        """Let the sender of ``msg`` edit ``form``; saving comes back through :meth:`handle`
        as a click with action ``draft_save``."""
        raise NotImplementedError

    def open_form(self, msg: Message, form: KnowledgeForm) -> None:
        """Let the sender of ``msg`` (an admin) fill in ``form``, a new or a draft entry;
        saving comes back through :meth:`handle` as a click with action ``review_save``.
        A backend without forms says so (:meth:`send_private`)."""
        self.send_private(msg, Reply("review_note", msg.lang or "nl", key="no_forms"))

    def review_changed(self, user: str) -> None:
        """The review ``user`` sees changed (an item dealt with, a draft published): a backend
        that shows it somewhere lasting (Slack's App Home) shows it again. Default: nothing."""

    # -- identity (defaults for a backend without users) -------------------------------------------
    def user_name(self, user: str) -> str:
        """The user's display name, to sign a draft; ``""`` when unknown."""
        return ""

    def permalink(self, channel: str, ts: str) -> str:
        """A link to the message ``ts`` in ``channel``; ``""`` when there is none."""
        return ""

    def can_post_in(self, channel: str) -> bool:
        """Whether a draft can be posted in ``channel`` for colleagues (not in a DM)."""
        return bool(channel)

    def is_admin(self, user: str) -> bool:
        """Whether ``user`` may refresh the consent list and see its status."""
        return user in self.conversation.settings.admin_user_ids
