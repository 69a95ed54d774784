"""Magister-koppeling bot: answers staff questions about Studyspace's Magister koppeling,
looks up whether a school granted access, and drafts the request a school needs.

The core (:mod:`bot.core`) is Slack-free; :mod:`bot.slack` adapts it to Slack.
"""
__version__ = "0.1.0"
