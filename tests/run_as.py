"""Run sheetsync as another (non-root) user, for the tests that need a second user.

``python run_as.py UID GID WARM_BOOK -- ARGS…`` runs the CLI with ARGS as UID:GID;
``python run_as.py UID GID WARM_BOOK --hold SOURCE`` takes the source's lock,
prints ``held`` and sleeps until killed.

The test interpreter lives under root's home (mode 0700), which another user
may not read, so everything sheetsync imports lazily is imported first, as
root, by a dry run on a scratch copy (WARM_BOOK: nothing is written), and only
then does the process give up root (``setgroups``, ``setgid``, ``setuid``:
the order POSIX requires, the group before the user).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time


def main() -> int:
    uid, gid, warm = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rest = sys.argv[4:]
    from sheetsync.cli import main as cli_main
    from sheetsync.locking import source_lock

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        cli_main(["sync", warm, "--as-of", "2026-11-26", "--dry-run"])
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if rest[0] == "--hold":
        with source_lock(rest[1]):
            print("held", flush=True)
            time.sleep(60)
        return 0
    assert rest[0] == "--"
    return cli_main(rest[1:])


if __name__ == "__main__":
    sys.exit(main())
