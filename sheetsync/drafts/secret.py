"""Secrets for mail sign-in (an IMAP password, a Graph client secret), never in the sheet.

Each comes from an environment variable (``*_env``: its name), a command's
standard output (``*_command``, run without a shell: ``pass show mail/sales``),
or, with a warning on every run, written in the configuration file: a
nightly config file is copied around, and a secret in it leaks.  Nothing
here logs a secret's value.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from typing import Any

from sheetsync.errors import ConfigError


def resolve_secret(
    section: str,
    what: str,
    *,
    env_name: str | None,
    command: str | None,
    value: str | None,
    key: str,
    timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, list[str]]:
    """The secret and any warnings about how it was given.

    ``section`` (``[drafts.imap]``) and ``key`` (``password``) name the
    setting in messages; ``what`` says what it is ("the IMAP password").
    """
    env = os.environ if environ is None else environ
    if env_name:
        found = env.get(env_name)
        if found is None:
            raise ConfigError(
                f"{section} {key}_env: the environment variable {env_name} is not set",
                hint=f"export {env_name}=… in the job's environment (e.g. the crontab line)",
            )
        return found, []
    if command:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise ConfigError(f"{section} {key}_command cannot be read: {exc}") from None
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"{section} {key}_command failed: {exc}") from None
        if done.returncode != 0:
            tail = (done.stderr or "").strip().splitlines()[-1:] or [""]
            raise ConfigError(
                f"{section} {key}_command exited with {done.returncode}: {tail[0]}".rstrip(": ")
            )
        out = done.stdout
        out = out[:-1] if out.endswith("\n") else out
        out = out[:-1] if out.endswith("\r") else out
        if not out:
            raise ConfigError(f"{section} {key}_command printed nothing")
        return out, []
    if value is not None:
        return value, [
            f"{section} {key} is written in the configuration file; "
            f"use {key}_env or {key}_command instead"
        ]
    raise ConfigError(
        f"{section} needs {what}: set {key}_env (an environment variable's name) or {key}_command"
    )


def secret_setting(
    settings: Any,
    section: str,
    what: str,
    key: str,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, list[str]]:
    """:func:`resolve_secret` for a settings section whose fields are named
    after ``key``, as its messages name them: ``{key}_env``, ``{key}_command``,
    ``{key}`` (the value written in the file) and ``timeout`` for the command."""
    return resolve_secret(
        section,
        what,
        env_name=getattr(settings, f"{key}_env"),
        command=getattr(settings, f"{key}_command"),
        value=getattr(settings, key),
        key=key,
        timeout=settings.timeout,
        environ=environ,
    )
