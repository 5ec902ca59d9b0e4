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
``google_auth`` and ``microsoft_auth`` (tokens), ``rest`` (their HTTP),
``secret`` (passwords and client secrets), ``ledger`` (never the same
draft twice), ``run`` (one run, end to end), ``job`` and ``doctor``.
"""

from __future__ import annotations

from .context import SCHEMAS, TEMPLATE_FOR, Formats, Sender
from .eml import EmlDirSink, build_message, header_text
from .gmail import GmailSink
from .graph import GraphSink
from .imap import ImapSink, resolve_password
from .ledger import (
    LEDGER_HEADER,
    LEDGER_KIND,
    Ledger,
    LedgerEntry,
    digest_key,
    event_of,
    ledger_from_grid,
    read_ledger,
)
from .rules import PROBLEM_CODES, Skipped, owner_emails_from_grid, read_owner_emails
from .run import Draft, DraftRun, DraftSink, MailboxFailure, make_sink, prepare_drafts
from .settings import (
    DEFAULT_AGENDA,
    DRAFT_KINDS,
    DraftSettings,
    GmailSettings,
    GraphSettings,
    ImapSettings,
    draft_settings,
    draft_settings_from_table,
)
from .sinks import MailboxError
from .templates import (
    TEMPLATE_NAMES,
    TemplateInfo,
    TemplateSet,
    check_templates,
    default_templates_dir,
    init_templates,
    list_templates,
    preflight,
    show_template,
    templates_text,
)

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
