"""What CRM exports and sales teams in other languages write: plain data.

The reading code (``columns``, ``pipeline``, ``parse``) consults these
tables; nothing here reads a sheet or decides anything.  Each table cites
where it comes from next to it, and each module's docstring says what could
not be confirmed, because a guessed header or stage is a silent error waiting
for the one sheet that uses the word differently.

- :mod:`.headers` — header names per CRM export and per language, field by
  field and most specific first, plus the headers that mean different
  fields in different sources (:data:`.headers.CONFLICTS`).
- :mod:`.pipelines` — the CRMs' default pipelines (stages in order, internal
  ids, probabilities, outcomes) and common stage names per language.
- :mod:`.tabs` — the English headers of each tab sheetsync reads (deals,
  Stages, Quotas, Rates, the reps' addresses), from ``tabs.toml``.
- :mod:`.words` — cell vocabulary per language: outcome words for a status
  column, yes/no, opt-out phrasing, total-row labels, report header and
  footer phrases, and "don't know" words.
- :mod:`.messages` — not what sheets say but the words sheetsync's own
  messages use for them (an unreadable cell's expected content, the rows
  ``check`` left out, the follow-up counts), from ``messages.toml``.

The modules import only :mod:`sheetsync.model`, so any reading module can
import them without an import circle.
"""

from __future__ import annotations

#: Header sources: CRM exports first, then languages (ISO 639-1).
CRM_SOURCES: tuple[str, ...] = (
    "hubspot",
    "pipedrive",
    "salesforce",
    "zoho",
    "dynamics365",
    "monday",
)
LANGUAGE_SOURCES: tuple[str, ...] = ("en", "de", "fr", "es", "pt", "th")

__all__ = ["CRM_SOURCES", "LANGUAGE_SOURCES"]
