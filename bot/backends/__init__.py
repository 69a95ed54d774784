"""Backends: what the conversation talks through (errbot's split is the model).

* :mod:`bot.backends.base`: the interface, :class:`~bot.backends.base.Backend`.
* :mod:`bot.backends.test`: an in-process backend that records every reply, for tests and
  for trying a flow in a few lines.
* :mod:`bot.backends.console`: the interactive console (``python -m bot``).
* The Slack backend is :mod:`bot.slack` (the only code that imports slack_bolt).
"""
