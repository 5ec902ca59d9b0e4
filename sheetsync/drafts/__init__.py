"""Email drafts from the follow-up list: Jinja templates → each rep's own Drafts.

A library (no printing, no click): the CLI and ``jobs`` call
:func:`prepare_drafts` and show its :class:`DraftRun`.  Nothing here ever
sends an email; every message is a draft (``X-Unsent: 1`` in a file, a
draft in the rep's Gmail or Outlook, ``\\Draft`` in an IMAP folder) for the
rep to review and send.

Modules: ``settings`` (``[drafts]``), ``context`` (what templates see, and
the filters), ``templates`` (lookup, shadowing, preflight), ``rules`` (what
is due, whose mailbox), ``eml`` (building messages, the ``.eml`` folder),
``sinks`` (what every sink shares), ``gmail``, ``graph``, ``imap``,
``google_auth`` and ``microsoft_auth`` (tokens), ``rest`` (their HTTP, and
what the Gmail and Graph sinks share), ``secret`` (passwords and client
secrets), ``ledger`` (never the same draft twice), ``run`` (one run, end to
end), ``job`` and ``doctor``.
"""

from __future__ import annotations

import importlib
from typing import Any

# The names this package gathers for callers, and the module each is in.  They
# load on first use (PEP 562 module __getattr__), not when the package does:
# a sync of a workbook without [drafts] reads no template, mail or Google
# module (jinja2, imaplib, google-auth) just because it touched the ledger.
_WHERE = {
    "DEFAULT_AGENDA": "settings",
    "DRAFT_KINDS": "settings",
    "Draft": "run",
    "DraftRun": "run",
    "DraftSettings": "settings",
    "DraftSink": "run",
    "EmlDirSink": "eml",
    "Formats": "context",
    "GmailSettings": "settings",
    "GmailSink": "gmail",
    "GraphSettings": "settings",
    "GraphSink": "graph",
    "ImapSettings": "settings",
    "ImapSink": "imap",
    "LEDGER_HEADER": "ledger",
    "LEDGER_KIND": "ledger",
    "Ledger": "ledger",
    "LedgerEntry": "ledger",
    "MailboxError": "sinks",
    "MailboxFailure": "run",
    "PROBLEM_CODES": "rules",
    "SCHEMAS": "context",
    "Sender": "context",
    "Skipped": "rules",
    "TEMPLATE_FOR": "context",
    "TEMPLATE_NAMES": "templates",
    "TemplateInfo": "templates",
    "TemplateSet": "templates",
    "build_message": "eml",
    "check_templates": "templates",
    "default_templates_dir": "templates",
    "digest_key": "ledger",
    "draft_settings": "settings",
    "draft_settings_from_table": "settings",
    "event_of": "ledger",
    "header_text": "eml",
    "init_templates": "templates",
    "ledger_from_grid": "ledger",
    "list_templates": "templates",
    "make_sink": "run",
    "owner_emails_from_grid": "rules",
    "preflight": "templates",
    "prepare_drafts": "run",
    "read_ledger": "ledger",
    "read_owner_emails": "rules",
    "resolve_password": "imap",
    "show_template": "templates",
    "templates_text": "templates",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "DEFAULT_AGENDA",
    "DRAFT_KINDS",
    "LEDGER_HEADER",
    "LEDGER_KIND",
    "PROBLEM_CODES",
    "SCHEMAS",
    "TEMPLATE_FOR",
    "TEMPLATE_NAMES",
    "Draft",
    "DraftRun",
    "DraftSettings",
    "DraftSink",
    "EmlDirSink",
    "Formats",
    "GmailSettings",
    "GmailSink",
    "GraphSettings",
    "GraphSink",
    "ImapSettings",
    "ImapSink",
    "Ledger",
    "LedgerEntry",
    "MailboxError",
    "MailboxFailure",
    "Sender",
    "Skipped",
    "TemplateInfo",
    "TemplateSet",
    "build_message",
    "check_templates",
    "default_templates_dir",
    "digest_key",
    "draft_settings",
    "draft_settings_from_table",
    "event_of",
    "header_text",
    "init_templates",
    "ledger_from_grid",
    "list_templates",
    "make_sink",
    "owner_emails_from_grid",
    "preflight",
    "prepare_drafts",
    "read_ledger",
    "read_owner_emails",
    "resolve_password",
    "show_template",
    "templates_text",
]
