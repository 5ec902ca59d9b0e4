"""``python -m sheetsync``: the same command as ``sheetsync``."""

from .cli import entry

entry()
