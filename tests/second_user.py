"""A throwaway second user for the tests that run sheetsync as someone else.

The permission and locking tests need a user who is not root (root passes
every permission check).  Making one needs root and ``useradd``; without
them the test is skipped, saying why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest


@contextlib.contextmanager
def throwaway_user() -> Iterator[tuple[str, int, int]]:
    """A new system user (name, uid, gid) with no home and no shell, removed afterwards."""
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("needs root and useradd to make a second user")
    import pwd

    name = f"sstest{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    pw = pwd.getpwnam(name)
    try:
        yield name, pw.pw_uid, pw.pw_gid
    finally:
        subprocess.run(["userdel", name], capture_output=True)
