"""Which backend reads a source string: a Google Sheet or a workbook file.

The one place that looks at the shape of ``SOURCE`` (the command line's or
``[source] path`` / ``[source] url``), so adding a backend touches
``sources/`` alone.  CSV and OpenDocument files are
recognised by their extension.  Google Sheets are recognised by URL
(``https://docs.google.com/spreadsheets/d/<id>/edit#gid=0`` and its usual
variants) or as ``gsheet:<id>``; anything else is a workbook path.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from ..config import Config
from ..errors import ConfigError
from .base import GOOGLE_PREFIX as PREFIX
from .base import Source, is_google_sheet

#: Google's spreadsheet ids: letters, digits, ``-`` and ``_`` (44 characters
#: today; older ones are shorter, so only a sane minimum is required).
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{10,200}$")
_PATH_ID_RE = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
#: Extensions read as CSV text and as OpenDocument (kept here, beside the
#: other shapes of SOURCE; the modules import only when such a file comes).
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
ODS_SUFFIXES = (".ods", ".ots", ".fods")


def parse_sheet_id(source: str) -> str | None:
    """The spreadsheet id in a Google Sheets URL or ``gsheet:<id>``; None otherwise.

    Accepted: ``https://docs.google.com/spreadsheets/d/<id>`` followed by
    anything (``/edit``, ``/edit?usp=sharing``, ``/edit#gid=0``,
    ``/view``…), the ``/u/0/d/<id>`` form of signed-in multi-account URLs,
    and ``gsheet:<id>``.  A URL whose id is malformed gives None.
    """
    s = source.strip()
    if s.lower().startswith(PREFIX):
        candidate = s[len(PREFIX) :].strip()
        return candidate if _ID_RE.match(candidate) else None
    if not is_google_sheet(s):
        return None
    m = _PATH_ID_RE.search(urlsplit(s).path)
    if m and _ID_RE.match(m.group(1)):
        return m.group(1)
    return None


def open_source(
    source: str, cfg: Config, *, credentials: str | None = None, output: str | None = None
) -> Source:
    """The backend for a source string.

    ``credentials`` is the ``--credentials FILE`` option (it wins over
    ``[google] credentials`` and ``GOOGLE_APPLICATION_CREDENTIALS``).
    ``output`` is the workbook a sync will write (``--output``): CSV and
    OpenDocument files read sheetsync's own tabs (history, drafts ledger)
    from it.  Files are chosen by their extension: ``.csv``/``.tsv``/``.txt``
    are CSV, ``.ods``/``.fods`` OpenDocument, anything else a workbook
    (whose contents the Excel reader checks).  Nothing is read from the
    network here: the first read does that.
    """
    if is_google_sheet(source):
        sheet_id = parse_sheet_id(source)
        if sheet_id is None:
            raise ConfigError(
                f"{source}: not a Google Sheets address sheetsync understands",
                hint="use the sheet's URL (https://docs.google.com/spreadsheets/d/<id>/edit) or gsheet:<id>",
            )
        from .gsheets import GoogleSettings, GoogleSheetsSource

        return GoogleSheetsSource(
            sheet_id,
            settings=GoogleSettings.from_config(cfg),
            credentials=credentials,
            name=source.strip(),
            read_tabs=_tabs_to_read(cfg),
        )
    suffix = Path(source).suffix.lower()
    if suffix in CSV_SUFFIXES:
        from ..config import section_settings
        from .csvfile import CsvSettings, CsvSource

        return CsvSource(source, settings=section_settings(cfg, "csv", CsvSettings), output=output)
    if suffix in ODS_SUFFIXES:
        from .ods import OdsSource

        return OdsSource(source, output=output)
    from ..config import SyncSettings, section_settings
    from .excel import ExcelSource

    return ExcelSource(
        Path(source),
        stale_lock_hours=section_settings(cfg, "sync", SyncSettings).stale_lock_hours,
    )


def _tabs_to_read(cfg: Config) -> tuple[str, ...] | None:
    """The tabs a run reads, when the configuration pins them; None: every tab may be.

    With ``[source] deals_tab`` set, only that tab and the stages and quotas
    tabs are needed, so the one values read skips a team's other (possibly
    large) tabs.  Without it the deals tab is found by looking at the tabs.
    """
    if not cfg.source.deals_tab:
        return None
    return tuple(
        t for t in (cfg.source.deals_tab, cfg.source.stages_tab, cfg.source.quotas_tab) if t
    )
