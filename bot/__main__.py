"""``python -m bot``: see :mod:`bot.cli`."""
import sys

from .cli import main

sys.exit(main())
