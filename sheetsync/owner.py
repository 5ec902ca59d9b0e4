"""Who this run is: the user, host and process a lock or lease names.

A small module below :mod:`sheetsync.locking`, the Google lease
(:mod:`sheetsync.sources.gsheets_lease`) and the error advice in
:mod:`sheetsync.errors`, so each can name the running user the same way
without importing the others (no import circle).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Any


def user_name() -> str:
    """The running user's login name (POSIX ``getpwuid``), else ``$USER``, else the uid."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):  # pragma: no cover - Windows, or a uid with no name
        return os.environ.get("USER", str(os.geteuid()))


def owner_info() -> dict[str, Any]:
    """Who this run is: written in the lock so a second run can name it."""
    return {
        "host": socket.gethostname(),
        "user": user_name(),
        "pid": os.getpid(),
        "started": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
    }
