"""Grids → a typed :class:`~sheetsync.model.Pipeline`, plus the findings met on the way.

This is the only place cells become values.  A cell that cannot be read
becomes ``None`` on the deal and a finding with its position; reading never
stops at the first problem, so one pass reports everything.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import parse as P
from .columns import find_header_row, map_headers, normalize_header
from .config import DEFAULT_STAGES, STAGE_KINDS, Config
from .errors import ConfigError, SourceError
from .model import (
    REQUIRED_FIELDS,
    CellRef,
    Deal,
    Finding,
    Grid,
    Outcome,
    Owner,
    Pipeline,
    Quota,
    Severity,
    Stage,
    stage_key,
)
from .periods import parse_period
from .sources.base import Source

E, W = Severity.ERROR, Severity.WARNING

#: Field → (finding code, what the cell should hold), for unreadable cells.
_BAD_CODES: dict[str, tuple[str, str]] = {
    "amount": ("bad-amount", "an amount such as 12500, $12,500 or 12.5k"),
    "probability": ("bad-probability", "a probability such as 40% or 0.4"),
    "created": ("bad-date", "a date such as 2026-11-26"),
    "close_date": ("bad-date", "a date such as 2026-11-26"),
    "last_contact": ("bad-date", "a date such as 2026-11-26"),
    "next_appointment": ("bad-date", "a date and time such as 2026-11-26 14:30"),
    "contact_email": ("bad-email", "an email address such as name@company.com"),
    "owner_email": ("bad-email", "an email address such as name@company.com"),
    "decision_maker": ("bad-boolean", "yes or no"),
    "trial": ("bad-boolean", "yes or no"),
    "do_not_email": ("bad-boolean", "yes or no (or x)"),
}

_TEXT_FIELDS = ("id", "deal", "company", "contact_name", "owner", "lost_reason", "notes")


@dataclass(slots=True)
class LoadResult:
    """A pipeline and every finding met while reading it."""

    pipeline: Pipeline
    findings: list[Finding] = field(default_factory=list)


def load_pipeline(source: Source, cfg: Config) -> LoadResult:
    """Read the deals, stages and quotas tabs of ``source`` as ``cfg`` says."""
    names = source.tab_names()
    owned = source.owned_tabs()
    findings: list[Finding] = []

    stages_tab = _find_tab(names, cfg.source.stages_tab)
    quotas_tab = _find_tab(names, cfg.source.quotas_tab)

    if cfg.stages is not None:
        stages = list(cfg.stages)
    elif stages_tab and stages_tab not in owned:
        stages = read_stages(source.read(stages_tab), findings) or list(DEFAULT_STAGES)
    else:
        stages = list(DEFAULT_STAGES)

    deals_grid, header = _find_deals_tab(source, cfg, names, owned, {stages_tab, quotas_tab})
    pipeline = Pipeline(
        source=source.name,
        deals_tab=deals_grid.name,
        deals=[],
        stages=stages,
        header_row=header.row,
        tabs=names,
    )
    pipeline.columns = {
        f: CellRef(deals_grid.name, header.row, c) for f, c in header.fields.items()
    }
    for fld, col, first in header.duplicates:
        ref = CellRef(deals_grid.name, header.row, col)
        findings.append(
            Finding.at(
                "duplicate-header",
                E,
                f"two columns are headed {header.headers[col]!r} (also column {CellRef('', 1, first).column}); "
                f"sheetsync reads the first as {fld}",
                ref,
                hint="rename or delete one of the two columns",
                field=fld,
                value=header.headers[col],
            )
        )
    pipeline.deals = read_deals(deals_grid, header.fields, header.row, pipeline, cfg, findings)

    quotas: list[Quota] = []
    for i, q in enumerate(cfg.quotas):
        span = parse_period(q.period)
        if span is None:
            raise ConfigError(
                f"{cfg.where(f'[[quotas]] #{i + 1} period')}: cannot read period {q.period!r}",
                hint="write a period like 2026-Q4, 2026-11 or 2026",
            )
        quotas.append(Quota(q.owner, span[0], span[1], q.quota, span[2]))
    if quotas_tab and quotas_tab not in owned:
        quotas.extend(read_quotas(source.read(quotas_tab), findings, cfg))
    pipeline.quotas = quotas
    pipeline.owners = _owners(pipeline.deals)
    return LoadResult(pipeline, findings)


# --------------------------------------------------------------------------- deals tab


def _find_tab(names: Sequence[str], wanted: str | None) -> str | None:
    if not wanted:
        return None
    if wanted in names:
        return wanted
    key = wanted.strip().casefold()
    return next((n for n in names if n.strip().casefold() == key), None)


def _find_deals_tab(source: Source, cfg: Config, names, owned, skip) -> tuple[Grid, Any]:
    configured = cfg.columns
    if cfg.source.deals_tab:
        tab = _find_tab(names, cfg.source.deals_tab)
        if tab is None:
            raise SourceError(
                f"{source.name}: no tab named {cfg.source.deals_tab!r} (tabs: {', '.join(names)})",
                hint="set [source] deals_tab in sheetsync.toml to the name of the tab that holds the deals",
            )
        grid = source.read(tab)
        header = find_header_row(grid.rows, configured, header_row=cfg.source.header_row)
        if header is None:
            raise SourceError(
                f"{source.name}: tab {tab!r} has no header row with {_required_text(configured)}",
                hint=_mapping_hint(),
            )
        _check_configured_columns(cfg, source.name, grid, header)
        return grid, header
    for tab in names:
        if tab in owned or tab in skip:
            continue
        grid = source.read(tab)
        header = find_header_row(grid.rows, configured, header_row=cfg.source.header_row)
        if header is not None:
            _check_configured_columns(cfg, source.name, grid, header)
            return grid, header
    raise SourceError(
        f"{source.name}: no deals tab found: no tab has a header row with {_required_text(configured)}",
        hint=_mapping_hint(),
    )


def _required_text(configured) -> str:
    parts = []
    for f in REQUIRED_FIELDS:
        parts.append(f"{configured[f]!r}" if f in configured else f)
    return "columns for " + " and ".join(parts)


def _mapping_hint() -> str:
    return (
        "name the columns with headers sheetsync knows (e.g. 'Stage' and 'Owner'; the README lists them) "
        "or map yours in [columns] of sheetsync.toml, and set [source] deals_tab"
    )


def _check_configured_columns(cfg: Config, name: str, grid: Grid, header) -> None:
    for fld, text in cfg.columns.items():
        if fld not in header.fields:
            found = ", ".join(repr(h) for h in header.headers.values())
            raise ConfigError(
                f"{cfg.where(f'[columns] {fld}')}: no column headed {text!r} in {grid.name!r} row {header.row} "
                f"of {name} (headers: {found})",
                hint="fix the header name in [columns] or in the sheet",
            )


def read_deals(
    grid: Grid,
    columns: dict[str, int],
    header_row: int,
    pipeline: Pipeline,
    cfg: Config,
    findings: list[Finding],
) -> list[Deal]:
    """Every non-blank row under the header as a :class:`Deal`."""
    tab = grid.name
    epoch1904 = grid.epoch1904
    order = cfg.parse.date_order
    decimal_comma = cfg.parse.decimal_comma
    stage_index = {stage_key(s.name): s for s in pipeline.stages}
    stage_names = [s.name for s in pipeline.stages]
    parsers: dict[str, Callable[[Any], P.Parsed]] = {
        "amount": lambda v: P.parse_amount(v, decimal_comma=decimal_comma),
        "probability": P.parse_probability,
        "created": lambda v: P.parse_date(v, date_order=order, epoch1904=epoch1904),
        "close_date": lambda v: P.parse_date(v, date_order=order, epoch1904=epoch1904),
        "last_contact": lambda v: P.parse_date(v, date_order=order, epoch1904=epoch1904),
        "next_appointment": lambda v: P.parse_datetime(v, date_order=order, epoch1904=epoch1904),
        "contact_email": P.parse_emails,
        "owner_email": P.parse_emails,
        "decision_maker": P.parse_bool,
        "trial": P.parse_bool,
        "do_not_email": P.parse_bool,
    }
    text_cols = [(f, c - 1) for f, c in columns.items() if f in _TEXT_FIELDS]
    typed_cols = [(f, c - 1, parsers[f]) for f, c in columns.items() if f in parsers]
    all_cols = sorted(c - 1 for c in columns.values())
    col_of = dict(columns)
    deals: list[Deal] = []
    for r_index in range(header_row, len(grid.rows)):
        row = grid.rows[r_index]
        sheet_row = r_index + 1
        width = len(row)
        if all(c >= width or P.is_blank(row[c]) for c in all_cols):
            continue
        first_finding = len(findings)
        raw = {f: (row[c - 1] if c - 1 < width else "") for f, c in col_of.items()}
        deal = Deal(row=sheet_row, key="")
        deal.raw = raw
        deal.cells = {f: CellRef(tab, sheet_row, c) for f, c in col_of.items()}
        for f, c in text_cols:
            v = row[c] if c < width else ""
            if v == "" or v is None:
                continue
            setattr(deal, f, P.parse_text(v).value)
        for f, c, parser in typed_cols:
            v = row[c] if c < width else ""
            if v == "" or v is None:
                continue
            result = parser(v)
            if result.error is not None:
                code, expected = _BAD_CODES[f]
                findings.append(
                    Finding.at(
                        code,
                        E if code != "bad-boolean" else W,
                        f"{_field_label(f)} {result.error}",
                        deal.cells[f],
                        hint=f"write {expected}",
                        field=f,
                        value=v,
                    )
                )
                continue
            value = result.value
            if f == "contact_email":
                deal.contact_email = value or ()
            elif f == "owner_email":
                deal.owner_email = value[0] if value else None
            elif f == "do_not_email":
                deal.do_not_email = bool(value)
            else:
                setattr(deal, f, value)
        if "stage" in col_of:
            _resolve_stage(deal, stage_index, stage_names, findings)
        if "lost_stage" in col_of and (text := P.parse_text(raw["lost_stage"]).value):
            st = stage_index.get(stage_key(text))
            deal.lost_stage = st.name if st else text
        deal.key = deal.id if deal.id else f"row {sheet_row}"
        if deal.id:
            for i in range(first_finding, len(findings)):
                findings[i] = replace(findings[i], deal=deal.id)
        deals.append(deal)
    return deals


def _field_label(f: str) -> str:
    return {"next_appointment": "next appointment:", "close_date": "close date:"}.get(
        f, f.replace("_", " ") + ":"
    )


def _resolve_stage(
    deal: Deal, index: dict[str, Stage], names: list[str], findings: list[Finding]
) -> None:
    text = P.parse_text(deal.raw.get("stage")).value
    if not text:
        deal.stage = None
        return
    st = index.get(stage_key(text))
    if st is None:
        deal.stage = text
        deal.stage_index = None
        guess = difflib.get_close_matches(
            text, names, n=1, cutoff=0.6
        ) or difflib.get_close_matches(text.title(), names, n=1, cutoff=0.6)
        hint = (f"write {guess[0]!r}" if guess else "use one of: " + ", ".join(names)) + (
            " (stages come from the Stages tab, [[stages]] in sheetsync.toml, or the default list)"
        )
        findings.append(
            Finding.at(
                "unknown-stage",
                E,
                f"unknown stage {text!r}" + (f"; did you mean {guess[0]!r}?" if guess else ""),
                deal.cells["stage"],
                hint=hint,
                field="stage",
                value=deal.raw.get("stage"),
            )
        )
        return
    deal.stage = st.name
    deal.stage_index = st.index
    deal.status = st.outcome


def _owners(deals: list[Deal]) -> dict[str, Owner]:
    owners: dict[str, Owner] = {}
    for d in deals:
        if not d.owner:
            continue
        known = owners.get(d.owner)
        if known is None or (known.email is None and d.owner_email):
            owners[d.owner] = Owner(d.owner, d.owner_email)
    return owners


# --------------------------------------------------------------------------- settings tabs

_STAGE_SYNONYMS = {
    normalize_header(h): (f, i)
    for f, hs in {
        "name": ("Stage", "Name", "Stage Name", "Deal Stage"),
        "probability": (
            "Probability",
            "Prob",
            "Probability %",
            "Win Probability",
            "Default Probability",
        ),
        "outcome": ("Outcome", "Result", "Type", "Status", "Closed"),
        "kind": ("Kind", "Category", "Role"),
        "rot_days": (
            "Rot Days",
            "Rotting Days",
            "Stale After",
            "Stale After Days",
            "Days Until Stale",
        ),
    }.items()
    for i, h in enumerate(hs)
}

_QUOTA_SYNONYMS = {
    normalize_header(h): (f, i)
    for f, hs in {
        "owner": (
            "Owner",
            "Sales Rep",
            "Rep",
            "Salesperson",
            "Sales Agent",
            "Agent",
            "Account Executive",
            "Name",
        ),
        "period": ("Period", "Quarter", "Month", "Year", "Quota Period"),
        "quota": ("Quota", "Target", "Goal", "Amount", "Quota Amount"),
        "email": ("Email", "Owner Email", "Rep Email", "E-mail"),
    }.items()
    for i, h in enumerate(hs)
}

_OUTCOMES = {
    "open": Outcome.OPEN,
    "": Outcome.OPEN,
    "won": Outcome.WON,
    "closedwon": Outcome.WON,
    "win": Outcome.WON,
    "lost": Outcome.LOST,
    "closedlost": Outcome.LOST,
    "loss": Outcome.LOST,
}


def _settings_header(grid: Grid, synonyms, required: Sequence[str]):
    for i, values in enumerate(grid.rows[:10], start=1):
        hm = map_headers(values, i, synonyms=synonyms)
        if not hm.missing(required):
            return hm
    return None


def read_stages(grid: Grid, findings: list[Finding]) -> list[Stage]:
    """The ``Stages`` tab: one stage a row, in pipeline order."""
    hm = _settings_header(grid, _STAGE_SYNONYMS, ("name",))
    if hm is None:
        findings.append(
            Finding.at(
                "bad-settings-tab",
                W,
                f"tab {grid.name!r} has no 'Stage' header; the default stage list applies",
                None,
                tab=grid.name,
                hint="give the tab a header row: Stage | Probability | Outcome | Kind | Rot Days",
            )
        )
        return []
    stages: list[Stage] = []
    seen: set[str] = set()
    cols = hm.fields
    for r in range(hm.row, grid.height):
        row_no = r + 1
        name = P.parse_text(grid.cell(row_no, cols["name"])).value
        if not name:
            continue
        if stage_key(name) in seen:
            findings.append(
                Finding.at(
                    "duplicate-stage",
                    E,
                    f"stage {name!r} is listed twice",
                    CellRef(grid.name, row_no, cols["name"]),
                    hint="delete one of the two rows",
                    field="stage",
                    value=name,
                )
            )
            continue
        seen.add(stage_key(name))
        prob = None
        if "probability" in cols:
            raw = grid.cell(row_no, cols["probability"])
            res = P.parse_probability(raw)
            if res.error:
                findings.append(
                    Finding.at(
                        "bad-probability",
                        E,
                        f"probability {res.error}",
                        CellRef(grid.name, row_no, cols["probability"]),
                        hint="write a probability such as 40% or 0.4",
                        field="probability",
                        value=raw,
                    )
                )
            prob = res.value
        outcome = Outcome.OPEN
        if "outcome" in cols:
            raw = grid.cell(row_no, cols["outcome"])
            key = normalize_header(raw)
            if key in _OUTCOMES:
                outcome = _OUTCOMES[key]
            else:
                findings.append(
                    Finding.at(
                        "bad-outcome",
                        E,
                        f"outcome must be open, won or lost, not {raw!r}",
                        CellRef(grid.name, row_no, cols["outcome"]),
                        hint="write open, won or lost",
                        field="outcome",
                        value=raw,
                    )
                )
        elif stage_key(name) in ("won", "closedwon"):
            outcome = Outcome.WON
        elif stage_key(name) in ("lost", "closedlost"):
            outcome = Outcome.LOST
        kind = None
        if "kind" in cols:
            raw_kind = P.parse_text(grid.cell(row_no, cols["kind"])).value
            if raw_kind:
                kind = raw_kind.strip().casefold()
                if kind not in STAGE_KINDS:
                    findings.append(
                        Finding.at(
                            "bad-stage-kind",
                            W,
                            f"unknown stage kind {raw_kind!r}",
                            CellRef(grid.name, row_no, cols["kind"]),
                            hint="use one of: " + ", ".join(STAGE_KINDS),
                            field="kind",
                            value=raw_kind,
                        )
                    )
                    kind = None
        rot = None
        if "rot_days" in cols:
            raw = grid.cell(row_no, cols["rot_days"])
            if not P.is_blank(raw):
                res = P.parse_amount(raw)
                if res.error or res.value is None or res.value < 0 or res.value != int(res.value):
                    findings.append(
                        Finding.at(
                            "bad-rot-days",
                            E,
                            f"rot days must be a whole number of days, not {raw!r}",
                            CellRef(grid.name, row_no, cols["rot_days"]),
                            hint="write a number of days such as 14 (0 turns staleness off)",
                            field="rot_days",
                            value=raw,
                        )
                    )
                else:
                    rot = int(res.value)
        stages.append(Stage(name, len(stages), prob, outcome, rot, kind))
    return stages


def read_quotas(grid: Grid, findings: list[Finding], cfg: Config) -> list[Quota]:
    """The ``Quotas`` tab: owner, period, quota (and optionally the rep's email)."""
    hm = _settings_header(grid, _QUOTA_SYNONYMS, ("owner", "quota"))
    if hm is None:
        findings.append(
            Finding.at(
                "bad-settings-tab",
                W,
                f"tab {grid.name!r} has no 'Owner' and 'Quota' headers; it is ignored",
                None,
                tab=grid.name,
                hint="give the tab a header row: Owner | Period | Quota",
            )
        )
        return []
    cols = hm.fields
    quotas: list[Quota] = []
    for r in range(hm.row, grid.height):
        row_no = r + 1
        owner = P.parse_text(grid.cell(row_no, cols["owner"])).value
        raw_q = grid.cell(row_no, cols["quota"])
        raw_p = grid.cell(row_no, cols["period"]) if "period" in cols else ""
        if not owner and P.is_blank(raw_q):
            continue
        q_ref = CellRef(grid.name, row_no, cols["quota"])
        amount = P.parse_amount(raw_q, decimal_comma=cfg.parse.decimal_comma)
        if not owner:
            findings.append(
                Finding.at(
                    "missing-required",
                    E,
                    "quota row has no owner",
                    CellRef(grid.name, row_no, cols["owner"]),
                    hint="write the rep's name exactly as in the deals tab",
                    field="owner",
                    value=None,
                )
            )
            continue
        if amount.error or amount.value is None or amount.value < 0:
            findings.append(
                Finding.at(
                    "bad-quota",
                    E,
                    f"quota for {owner} is not an amount: {raw_q!r}",
                    q_ref,
                    hint="write the quota as a number such as 250000",
                    field="quota",
                    value=raw_q,
                )
            )
            continue
        span = parse_period(raw_p)
        if span is None:
            findings.append(
                Finding.at(
                    "bad-period",
                    E,
                    f"quota period for {owner} cannot be read: {raw_p!r}",
                    CellRef(grid.name, row_no, cols["period"]) if "period" in cols else q_ref,
                    hint="write a period such as 2026-Q4, 2026-11 or 2026"
                    + ("" if "period" in cols else " in a 'Period' column"),
                    field="period",
                    value=raw_p,
                )
            )
            continue
        quotas.append(Quota(owner, span[0], span[1], float(amount.value), span[2], q_ref))
    return quotas
