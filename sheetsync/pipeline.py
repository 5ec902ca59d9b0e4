"""Grids → a typed :class:`~sheetsync.model.Pipeline`, plus the findings met on the way.

This is the only place cells become values.  A cell that cannot be read
becomes ``None`` on the deal and a finding with its position; reading never
stops at the first problem, so one pass reports everything.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any

from . import numbers as N
from . import parse as P
from .column_read import read_date_column, read_opt_out_column, read_probability_column
from .columns import (
    VOCAB_RANK,
    Refined,
    find_header_row,
    header_qualifier,
    header_scale,
    map_headers,
    normalize_header,
    refine_headers,
)
from .config import DEFAULT_STAGES, STAGE_KINDS, Config
from .datewords import date_order_of
from .errors import ConfigError, SourceError
from .formulas import is_total_formula
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
    RowCells,
    RowValues,
    Severity,
    Stage,
    stage_key,
)
from .money import Rate, read_amount_column
from .outcomes import from_booleans, is_ambiguous, outcome_word
from .periods import parse_period
from .rows import classify_rows
from .rows import group as group_rows
from .sources.base import Source
from .stage_lists import StageChoice, choose_stage_list
from .vocab.headers import QUOTA_TAB_NAMES, quota_headers
from .vocab.messages import UNREADABLE_CELLS
from .vocab.tabs import QUOTAS_TAB, RATES_TAB, STAGES_TAB

E, W = Severity.ERROR, Severity.WARNING

#: Field → (finding code, what the cell should hold), for unreadable cells
#: (the wording is data: ``vocab/messages.toml``).
_BAD_CODES: dict[str, tuple[str, str]] = UNREADABLE_CELLS

_TEXT_FIELDS = (
    "id",
    "deal",
    "company",
    "contact_name",
    "owner",
    "lost_reason",
    "notes",
    "status",
    "currency",
)


@dataclass(slots=True)
class LoadResult:
    """A pipeline and every finding met while reading it."""

    pipeline: Pipeline
    findings: list[Finding] = field(default_factory=list)


def load_pipeline(source: Source, cfg: Config, as_of: dt.date | None = None) -> LoadResult:
    """Read the deals, stages and quotas tabs of ``source`` as ``cfg`` says."""
    names = source.tab_names()
    owned = source.owned_tabs()
    findings: list[Finding] = []

    stages_tab = _find_tab(names, cfg.source.stages_tab)
    quotas_tab = _find_tab(names, cfg.source.quotas_tab) or _localized_quotas_tab(
        source, cfg, names
    )

    stage_choice: StageChoice | None = None
    if cfg.stages is not None:
        stages = list(cfg.stages)
    elif stages_tab and stages_tab not in owned:
        stages = read_stages(source.read(stages_tab), findings) or list(DEFAULT_STAGES)
    else:
        stages = list(DEFAULT_STAGES)
        stage_choice = StageChoice(stages, "default", "")

    rates_tab = _find_tab(names, cfg.source.rates_tab)
    rates = read_rates(
        source.read(rates_tab) if rates_tab and rates_tab not in owned else None, cfg, findings
    )
    deals_grid, refined = _find_deals_tab(
        source, cfg, names, owned, {stages_tab, quotas_tab, rates_tab}
    )
    header = refined.header
    if stage_choice is not None and "stage" in header.fields:
        c = header.fields["stage"] - 1
        written = [
            P.parse_text(r[c]).value if c < len(r) else None for r in deals_grid.rows[header.row :]
        ]
        stage_choice = choose_stage_list(written, DEFAULT_STAGES)
        stages = stage_choice.stages
    pipeline = Pipeline(
        source=source.name,
        deals_tab=deals_grid.name,
        deals=[],
        stages=stages,
        header_row=header.row,
        tabs=names,
    )
    if stage_choice is not None:
        pipeline.stage_aliases = dict(stage_choice.aliases)
        if stage_choice.source != "default":
            pipeline.reading["stages"] = stage_choice.description
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
    for c in refined.opt_in:
        findings.append(
            Finding.at(
                "opt-in-column",
                W,
                f"column {header.headers[c]!r} says who may be emailed; sheetsync reads only "
                "do-not-email columns, so it is not used",
                CellRef(deals_grid.name, header.row, c),
                hint="add a 'Do Not Email' column (yes = never email), or map it in [columns] "
                "as do_not_email only if yes there means do not email",
                field="do_not_email",
                value=header.headers[c],
            )
        )
    pipeline.deals = read_deals(
        deals_grid,
        header.fields,
        header.row,
        pipeline,
        cfg,
        findings,
        rates,
        refined.boolean_status,
        as_of,
    )

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


def _localized_quotas_tab(source: Source, cfg: Config, names: Sequence[str]) -> str | None:
    """A Quotas tab named in the team's language (``Quoten``, ``Metas``, ``เป้าหมาย``).

    Only when ``[source] quotas_tab`` is the default and no tab is called
    that, and only a tab whose header row names a rep and a quota.
    """
    if cfg.source.quotas_tab != "Quotas":
        return None
    for wanted in QUOTA_TAB_NAMES:
        tab = _find_tab(names, wanted)
        if tab and _settings_header(source.read(tab), _QUOTA_SYNONYMS, ("owner", "quota")):
            return tab
    return None


def _find_deals_tab(source: Source, cfg: Config, names, owned, skip) -> tuple[Grid, Refined]:
    """The deals tab: the configured one, else the tab the evidence points at.

    Every tab with a header row that maps the required fields is a
    candidate; each is scored by how many fields it maps, how many rows of
    deals it holds and how well its values fit their fields
    (:func:`_evidence`), so a one-row cover tab that happens to say "Owner"
    and "Stage" never beats a thirty-row pipeline.  Two candidates within
    :data:`CLOSE_CALL` of each other stop the run (exit 2) naming both and
    the ``deals_tab`` setting, rather than picking one by position.
    """
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
        return grid, refine_headers(header, grid.rows[header.row :], configured)
    found = rank_deals_tabs(source, cfg, names, owned, skip)
    if not found:
        raise SourceError(
            f"{source.name}: no deals tab found: no tab has a header row with {_required_text(configured)}",
            hint=_mapping_hint(),
        )
    found.sort(key=lambda x: (-x[0], x[1]))
    best = found[0]
    if len(found) > 1 and found[1][0] >= best[0] * CLOSE_CALL:
        other = found[1]
        raise ConfigError(
            f"{source.name}: two tabs look like the deals tab: {best[2].name!r} "
            f"({_describe(best)}) and {other[2].name!r} ({_describe(other)})",
            hint=f'set deals_tab = "{best[2].name}" (or the other) in the [source] section of sheetsync.toml',
        )
    return best[2], best[3]


def rank_deals_tabs(
    source: Source, cfg: Config, names, owned, skip
) -> list[tuple[float, int, Grid, Refined]]:
    """Every tab that could hold the deals, best first: (score, position, grid, header).

    A lone candidate is not scored (its score is ``inf``): the score only
    ranks tabs against each other, and counting a 100k-row tab's deal rows
    for nothing costs a pass over it.
    """
    configured = cfg.columns
    candidates: list[tuple[int, Grid, Refined]] = []
    for order, tab in enumerate(names):
        if tab in owned or tab in skip:
            continue
        grid = source.read(tab)
        header = find_header_row(grid.rows, configured, header_row=cfg.source.header_row)
        if header is None:
            continue
        _check_configured_columns(cfg, source.name, grid, header)
        refined = refine_headers(header, grid.rows[header.row :], configured)
        candidates.append((order, grid, refined))
    if len(candidates) == 1:
        order, grid, refined = candidates[0]
        return [(math.inf, order, grid, refined)]
    found = [
        (_evidence(grid, refined), order, grid, refined) for order, grid, refined in candidates
    ]
    found.sort(key=lambda x: (-x[0], x[1]))
    return found


#: A runner-up scoring at least this share of the best tab's score is too close to call.
CLOSE_CALL = 0.85


def _deal_rows(grid: Grid, refined: Refined) -> int:
    """Rows under the header with an owner or a stage: the tab's deals, roughly."""
    cols = [refined.header.fields[f] - 1 for f in ("owner", "stage") if f in refined.header.fields]
    n = 0
    for r in grid.rows[refined.header.row :]:
        if any(c < len(r) and not P.is_blank(r[c]) for c in cols):
            n += 1
    return n


def _evidence(grid: Grid, refined: Refined) -> float:
    """How strongly a tab looks like the deals: mapped fields, deal rows, fitting values.

    ``fit × (fields + 3 × log2(1 + rows))``: a field that maps counts one, a
    doubling of the rows counts three, and every field whose values do not
    fit its header (names under "Amount") weighs the whole score down.
    """
    fits = refined.fits.values()
    mean_fit = sum(max(0.0, x) for x in fits) / len(fits) if fits else 0.0
    rows = _deal_rows(grid, refined)
    return mean_fit * (len(refined.header.fields) + 3 * math.log2(1 + rows))


def _describe(found: tuple[float, int, Grid, Refined]) -> str:
    grid, refined = found[2], found[3]
    return (
        f"{len(refined.header.fields)} mapped columns, {_deal_rows(grid, refined)} rows "
        f"under the header in row {refined.header.row}"
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
    rates: dict[str, Rate] | None = None,
    boolean_status: Sequence[tuple[int, Any]] = (),
    as_of: dt.date | None = None,
) -> list[Deal]:
    """Every non-blank row under the header as a :class:`Deal`.

    Works column by column: each mapped column is converted with a fast path
    for the values spreadsheets usually hold (numbers in amount columns, date
    cells in date columns, plain text) and the full parser for the rest, so a
    100k-row sheet costs a fraction of a second on top of reading it.
    """
    tab = grid.name
    body = grid.rows[header_row:]
    col_of = dict(columns)
    mapped = sorted(set(col_of.values()))

    def column(c: int) -> list[Any]:
        i = c - 1
        try:
            return list(map(itemgetter(i), body))
        except IndexError:  # a row shorter than the column: blank there
            return [r[i] if i < len(r) else "" for r in body]

    raw_cols = {c: column(c) for c in mapped}
    unread = _formula_cells(grid, header_row, raw_cols, pipeline)
    keep = [
        i
        for i, vals in enumerate(zip(*(raw_cols[c] for c in mapped), strict=True))
        if any(
            not (v == "" or v is None or (type(v) is str and not v.strip(P.STRIP_CHARS)))
            for v in vals
        )
    ]
    # A totals row whose SUM/SUBTOTAL over the amount column was never
    # calculated holds no value yet, but it is not blank: keep it, so that it
    # is named with the other rows that are not deals instead of vanishing.
    amount_c = col_of.get("amount")
    unread_totals = {
        r - header_row - 1
        for (r, c), (kind, text) in unread.items()
        if c == amount_c and kind == "uncalculated" and text and is_total_formula(text)
    }
    if unread_totals:
        keep = sorted(set(keep) | unread_totals)
    # rows that are not deals: totals, report lines, section titles, separators
    status_c = col_of.get("status")
    not_deals = classify_rows(
        grid,
        [header_row + 1 + i for i in keep],
        col_of,
        is_total_formula=is_total_formula,
        status_of=(lambda r: _text_at(grid, r, status_c)) if status_c else None,
        header=grid.rows[header_row - 1] if header_row - 1 < len(grid.rows) else None,
    )
    if not_deals:
        pipeline.skipped = group_rows(not_deals, grid)
        keep = [i for i in keep if header_row + 1 + i not in not_deals]
    rows_no = [header_row + 1 + i for i in keep]
    n = len(keep)

    def kept(f: str) -> list[Any]:
        return list(map(raw_cols[col_of[f]].__getitem__, keep))

    values: dict[str, list[Any]] = {}
    errors: list[tuple[int, str, str]] = []  # (kept index, field, message)
    # (kept index, field, code, message, hint): problems the column readers name themselves
    coded: list[tuple[int, str, str, str, str]] = []
    locale = reading_locale(cfg)
    order = _date_order(cfg)
    for f in col_of:
        if f in _DATE_FIELDS:
            whole = f == "next_appointment"
            parser = P.parse_datetime if whole else P.parse_date
            res = read_date_column(
                kept(f),
                _date_parser(parser, grid.epoch1904, locale),
                order=order,
                calendar=cfg.parse.calendar,
                as_of=as_of,
                what=_field_label(f),
            )
            values[f] = [_as_datetime(v) if whole else _as_date(v) for v in res.values]
            coded.extend((i, f, code, msg, hint) for i, code, msg, hint in res.issues)
            if res.note:
                pipeline.reading[f] = res.note
            continue
        if f == "probability":
            res = read_probability_column(kept(f), _header_text(grid, header_row, col_of[f]))
            values[f] = res.values
            coded.extend((i, f, code, msg, hint) for i, code, msg, hint in res.issues)
            if (
                res.note
                and res.note.startswith("a percent")
                and any(v in (1, 1.0, "1") for v in kept(f))
            ):
                pipeline.reading[f] = res.note
            continue
        if f == "do_not_email":
            res = read_opt_out_column(kept(f))
            values[f] = res.values
            coded.extend((i, f, code, msg, hint) for i, code, msg, hint in res.issues)
            continue
        converter = _CONVERTERS.get(f)
        if converter is None:
            continue
        out, errs = converter(kept(f), cfg, grid.epoch1904)
        values[f] = out
        errors.extend((i, f, msg) for i, msg in errs)

    def get(f: str) -> list[Any]:
        return values.get(f) or [None] * n

    money = None
    if "amount" in col_of:
        amount_col = col_of["amount"]
        # "Amount (USD)": the header's currency is each bare amount's, as a
        # currency column's would be (a deal's own currency cell still wins)
        formatted = getattr(grid, "currencies", None) or {}  # cells formatted as a currency
        amount_header = _header_text(grid, header_row, amount_col)
        _, header_unit = header_qualifier(amount_header)
        # "Betrag (Tsd. €)": every amount of the column counts in thousands
        scale = header_scale(amount_header) if header_unit is None else None
        if scale is not None:
            header_unit = scale[2]
        currency_column = values.get("currency")
        currency_from = "the currency column"
        if header_unit is not None and header_unit != "%":
            if currency_column is None:
                currency_from = f"the header {P.quote(amount_header)}"
            currency_column = [c or header_unit for c in (currency_column or [None] * n)]
        money = read_amount_column(
            kept("amount"),
            decimal_comma=cfg.parse.decimal_comma,
            locale=reading_locale(cfg),
            locale_setting="[parse] locale" if cfg.parse.locale else "[team] locale",
            team_currency=cfg.team.default_currency,
            rates=rates,
            currency_column=currency_column,
            currency_from=currency_from,
            number_currencies=[formatted.get((r, amount_col)) for r in rows_no]
            if formatted
            else None,
            positions=_Positions(amount_col, rows_no),
        )
        values["amount"] = money.values
        if scale is not None and scale[1] != 1:
            factor = scale[1]
            # through the decimal text, so 1.2 x 1,000,000 is 1,200,000 exactly
            values["amount"] = [
                None if v is None else float(Decimal(repr(v)) * factor) for v in money.values
            ]
            head = CellRef(grid.name, header_row, amount_col)
            coded.extend(_scaled_twice(kept("amount"), values, amount_header, locale))
            pipeline.reading["amount_scale"] = (
                f"counted in {_SCALE_WORDS.get(factor, f'units of {factor:,}')}, as the header "
                f"{head} {P.quote(amount_header)} says: every amount is multiplied by {factor:,}"
            )
        unnamed = getattr(grid, "unnamed_currency", None) or frozenset()
        if unnamed and cfg.team.currency is None and currency_column is None:
            coded.extend(_unnamed_currency(kept("amount"), rows_no, amount_col, unnamed, values))
        pipeline.currency = money.team_currency
        pipeline.rates_used = money.rates_used
        if money.convention is not None and money.settled:
            mark = "a decimal comma" if money.convention == "comma" else "a decimal point"
            example = "12.500 is 12,500" if money.convention == "comma" else "12.500 is 12.5"
            pipeline.reading["numbers"] = (
                f"read with {mark} ({example}), as {money.convention_reason} shows; "
                f"{money.settled} cell{'s' if money.settled != 1 else ''} depended on it"
            )
    else:
        pipeline.currency = cfg.team.default_currency

    # Stages: resolved once per distinct spelling; a stage written as an
    # outcome ("Closed Won", "Gewonnen") is the list's won or lost stage.
    stage_by_key = {stage_key(s.name): s for s in pipeline.stages}
    for alias, name in pipeline.stage_aliases.items():
        target = next((st for st in pipeline.stages if st.name == name), None)
        if target is not None:
            stage_by_key.setdefault(alias, target)
    for text in {t for t in set(get("stage")) if t and stage_key(t) not in stage_by_key}:
        said = outcome_word(text)
        if said in (Outcome.WON, Outcome.LOST):
            target = next((st for st in pipeline.stages if st.outcome is said), None)
            if target is not None:
                stage_by_key[stage_key(text)] = target
    stage_names = [s.name for s in pipeline.stages]
    resolved: dict[str, Stage | None] = {}
    stage_col: list[Any] = [None] * n
    stage_idx: list[int | None] = [None] * n
    status: list[Outcome] = [Outcome.OPEN] * n
    unknown: list[tuple[int, str]] = []
    for k, text in enumerate(get("stage")):
        if not text:
            continue
        if text not in resolved:
            resolved[text] = stage_by_key.get(stage_key(text))
        st = resolved[text]
        if st is None:
            stage_col[k] = text
            unknown.append((k, text))
        else:
            stage_col[k], stage_idx[k], status[k] = st.name, st.index, st.outcome
    lost = [
        (st.name if (st := stage_by_key.get(stage_key(t))) else t) if t else None
        for t in get("lost_stage")
    ]
    status_issues = _apply_status(
        get("status") if "status" in values else None,
        [
            (
                c,
                b,
                [
                    grid_row[c - 1] if c - 1 < len(grid_row) else ""
                    for grid_row in (body[i] for i in keep)
                ],
            )
            for c, b in boolean_status
        ],
        stage_col,
        stage_idx,
        status,
        lost,
        pipeline.stages,
    )
    ids = get("id")
    keys = [rid if rid else f"row {r}" for rid, r in zip(ids, rows_no, strict=True)]
    emails = [v or () for v in get("contact_email")]
    owner_emails = [v[0] if v else None for v in get("owner_email")]
    no_email = [bool(v) for v in get("do_not_email")]
    raws = [RowValues(body[i], col_of) for i in keep]
    cells = [RowCells(tab, r, col_of) for r in rows_no]
    # Positional, in Deal's field order: one call per row, no per-field setattr.
    deals = [
        Deal(*args)
        for args in zip(
            rows_no, keys, ids, get("deal"), get("company"), get("contact_name"), emails,
            get("decision_maker"), get("owner"), owner_emails, stage_col, stage_idx, status,
            get("amount"), get("probability"), get("created"), get("close_date"),
            get("next_appointment"), get("last_contact"), get("trial"), get("lost_reason"), lost,
            no_email, get("notes"), raws, cells,
            strict=True,
        )
    ]  # fmt: skip
    if money is not None:
        for d, cur, w in zip(deals, money.currencies, money.written, strict=True):
            if w is not None:
                d.currency = cur
                d.amount_written = w
        for issue in money.issues:
            d = deals[issue.index]
            findings.append(
                Finding.at(
                    issue.code,
                    E,
                    issue.message,
                    d.cells["amount"],
                    hint=issue.hint,
                    field="amount",
                    value=d.raw["amount"],
                    deal=d.id,
                )
            )
    for f, outcome in (("won_time", Outcome.WON), ("lost_time", Outcome.LOST)):
        if f in values:
            for d, v in zip(deals, values[f], strict=True):
                if v is not None:
                    setattr(d, f, v)
                    # the day it was won or lost is the day it closed (Pipedrive
                    # keeps the expected close date beside it)
                    if d.status is outcome:
                        d.close_date = v
    for k, code, message, hint in status_issues:
        d = deals[k]
        f = "status" if "status" in d.cells else "stage"
        findings.append(
            Finding.at(
                code, W, message, d.cells[f], hint=hint, field=f, value=d.raw.get(f), deal=d.id
            )
        )
    for k, text in unknown:
        findings.append(_unknown_stage(deals[k], text, stage_names))
    if unread:
        findings.extend(_formula_findings(unread, deals, col_of))
    for k, f, code, msg, hint in coded:
        d = deals[k]
        findings.append(
            Finding.at(
                code,
                W if code in _WARNING_CODES else E,
                msg,
                d.cells[f],
                hint=hint or f"write {_BAD_CODES[f][1]}",
                field=f,
                value=d.raw[f],
                deal=d.id,
            )
        )
    for k, f, msg in errors:
        d = deals[k]
        code, expected = _BAD_CODES[f]
        findings.append(
            Finding.at(
                code,
                E if code != "bad-boolean" else W,
                f"{_field_label(f)} {msg}",
                d.cells[f],
                hint=f"write {expected}",
                field=f,
                value=d.raw[f],
                deal=d.id,
            )
        )
    return deals


# --------------------------------------------------------------------------- formulas

#: (sheet row, column) → ("uncalculated" | "error", what the cell holds)
_Unread = dict[tuple[int, int], tuple[str, str]]


def _formula_cells(
    grid: Grid, header_row: int, raw_cols: dict[int, list[Any]], pipeline: Pipeline
) -> _Unread:
    """Give uncalculated formulas in mapped columns their value, or mark them unread.

    A workbook written by a script and never opened in Excel holds formulas
    without results (:attr:`Grid.uncached`): read as they are, they would be
    blanks (an amount "unknown") or xlsxwriter's placeholder 0.  A formula
    :func:`sheetsync.formulas.evaluate` computes exactly is used with its
    value (and the check output says how many); any other becomes
    ``formula-not-calculated`` at its cell.  A cell holding an Excel error
    (``#N/A``, ``#DIV/0!``), which the reader gives as blank, becomes
    ``formula-error``.  The row's raw value shows the formula (or the
    error), so no rule mistakes such a cell for one left empty.
    """
    uncached = getattr(grid, "uncached", None) or ()
    errs = getattr(grid, "errors", None) or {}
    if not uncached and not errs:
        return {}
    formulas = getattr(grid, "formulas", None) or {}
    untranslated = getattr(grid, "untranslated", None) or frozenset()
    unread: _Unread = {}
    shown: list[tuple[int, int, Any]] = []  # applied after every formula is evaluated
    computed = 0
    evaluator = None
    for c, col in raw_cols.items():
        for i in range(len(col)):
            r = header_row + 1 + i
            pos = (r, c)
            if pos in errs:
                unread[pos] = ("error", errs[pos])
                col[i] = ""
                shown.append((r, c, errs[pos]))
                continue
            if pos not in uncached:
                continue
            text = formulas.get(pos, "")
            value = None
            if pos not in untranslated and text:
                if evaluator is None:
                    from .formulas import Evaluator

                    evaluator = Evaluator(grid)
                value = evaluator.formula(text, r, c)
            if value is not None:
                col[i] = value
                shown.append((r, c, value))
                computed += 1
            else:
                unread[pos] = ("uncalculated", text)
                col[i] = ""
                shown.append((r, c, "=" + text if text else "="))
    for r, c, v in shown:
        _show_raw(grid, r, c, v)
    if computed:
        pipeline.reading["formulas"] = (
            f"{computed} formula cell{'s' if computed != 1 else ''} never calculated in the file "
            f"{'were' if computed != 1 else 'was'} computed by sheetsync (simple arithmetic, "
            "SUM/MIN/MAX/AVERAGE/COUNT/ROUND/ABS of the same tab, exactly as Excel would)"
        )
    return unread


def _show_raw(grid: Grid, row: int, col: int, value: Any) -> None:
    """Put ``value`` in the grid's row as the cell's raw value (padding a short row)."""
    cells = grid.rows[row - 1]
    while len(cells) < col:
        cells.append("")
    cells[col - 1] = value


def _formula_findings(unread: _Unread, deals: list[Deal], col_of: dict[str, int]) -> list[Finding]:
    field_of = {c: f for f, c in col_of.items()}
    by_row = {d.row: d for d in deals}
    out: list[Finding] = []
    for (r, c), (kind, text) in sorted(unread.items()):
        d = by_row.get(r)
        if d is None:  # a row that is not a deal (a total, a title)
            continue
        f = field_of.get(c)
        if f is None:
            continue
        label = _field_label(f).rstrip(":").capitalize()
        if kind == "error":
            out.append(
                Finding.at(
                    "formula-error",
                    E,
                    f"{label} is a formula whose result is the error {text}; its value is not known",
                    d.cells[f],
                    hint="correct the formula (or write the value itself) so the cell shows a value",
                    field=f,
                    value=text,
                    deal=d.id,
                )
            )
            continue
        out.append(
            Finding.at(
                "formula-not-calculated",
                E,
                f"{label} is a formula ={text} that was never calculated "
                "(the file was written by a program that does not calculate), "
                "so its value is not known",
                d.cells[f],
                hint="open the file in Excel or LibreOffice and save it, so each formula "
                "keeps its result; or write the value itself",
                field=f,
                value="=" + text,
                deal=d.id,
            )
        )
    return out


# --------------------------------------------------------------------------- column converters
# Each takes a column's raw values and returns (typed values, [(index, message)]).

Converted = tuple[list[Any], list[tuple[int, str]]]


def _convert(
    values: list[Any], parser: Callable[[Any], P.Parsed], fast: Callable[[Any], Any]
) -> Converted:
    out: list[Any] = []
    errs: list[tuple[int, str]] = []
    # the same text reads the same way: a rep's address or a "yes" is parsed once
    seen: dict[tuple[type, Any], P.Parsed] = {}
    for i, v in enumerate(values):
        r = fast(v)
        if r is not _SLOW:
            out.append(r)
            continue
        key = (type(v), v)
        try:
            res = seen.get(key)
            if res is None:
                res = seen[key] = parser(v)
        except TypeError:  # an unhashable value
            res = parser(v)
        if res.error is not None:
            errs.append((i, res.error))
            out.append(None)
        else:
            out.append(res.value)
    return out, errs


_SLOW = object()


def _fast_text(v: Any) -> Any:
    if type(v) is str:
        return v.strip(P.STRIP_CHARS) or None
    return _SLOW


def _fast_date(v: Any) -> Any:
    t = type(v)
    if t is dt.date:
        return v
    if t is dt.datetime:
        return v.date()
    if v == "" or v is None:
        return None
    return _SLOW


def _fast_datetime(v: Any) -> Any:
    t = type(v)
    if t is dt.datetime:
        return v.replace(tzinfo=None) if v.tzinfo else v
    if t is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    if v == "" or v is None:
        return None
    return _SLOW


def _fast_blank(v: Any) -> Any:
    return None if (v == "" or v is None) else _SLOW


_INF = float("inf")


def _text_converter(values: list[Any], cfg: Config, epoch1904: bool) -> Converted:
    """A text column: text cells stripped in one pass, the rest (numbers, dates) parsed.

    The same answers as ``_convert(values, P.parse_text, _fast_text)``, without
    a function call per cell for the text nearly every cell of such a column is.
    """
    strip = P.STRIP_CHARS
    try:
        stripped = list(map(str.strip, values, repeat(strip)))
    except TypeError:  # a number or a date among the text: cell by cell below
        pass
    else:
        return ([s or None for s in stripped] if "" in stripped else stripped), []
    out: list[Any] = [(v.strip(strip) or None) if type(v) is str else _SLOW for v in values]
    others = [i for i, v in enumerate(values) if type(v) is not str]
    return _rest_parsed(values, out, others, P.parse_text, _fast_text)


def _email_converter(values: list[Any], cfg: Config, epoch1904: bool) -> Converted:
    """An address column: the one plain address nearly every cell holds matched, the rest parsed.

    The same answers as ``_convert(values, P.parse_emails, _fast_blank)``.
    """
    plain = P.plain_address
    out: list[Any] = [plain(v) for v in values]
    others = [i for i, v in enumerate(out) if v is None]
    return _rest_parsed(values, out, others, P.parse_emails, _fast_blank)


def _rest_parsed(
    values: list[Any],
    out: list[Any],
    others: list[int],
    parser: Callable[[Any], P.Parsed],
    fast: Callable[[Any], Any],
) -> Converted:
    """``out`` with the cells at ``others`` (those a column's fast path left) read in full."""
    if not others:
        return out, []
    read, errs = _convert([values[i] for i in others], parser, fast)
    for i, value in zip(others, read, strict=True):
        out[i] = value
    return out, [(others[j], msg) for j, msg in errs]


class _Positions:
    """``E14``-style names of a column's kept cells, made only when a message asks."""

    __slots__ = ("col", "rows")

    def __init__(self, col: int, rows: list[int]) -> None:
        self.col = col
        self.rows = rows

    def __getitem__(self, i: int) -> str:
        return CellRef("", self.rows[i], self.col).a1

    def __len__(self) -> int:
        return len(self.rows)


def reading_locale(cfg: Config) -> str | None:
    """The locale cells are read in: ``[parse] locale``, else ``[team] locale``."""
    return cfg.parse.locale or cfg.team.locale


_DATE_FIELDS = frozenset(
    {"created", "close_date", "last_contact", "won_time", "lost_time", "next_appointment"}
)
#: Codes the column readers give that are warnings (the rest are errors).
_WARNING_CODES = frozenset({"opt-out-assumed"})
_SCALE_WORDS = {1_000: "thousands", 1_000_000: "millions", 1_000_000_000: "billions"}


def _scaled_twice(
    raw: Sequence[Any], values: dict[str, list[Any]], header: str, locale: str | None
) -> list[tuple[int, str, str, str, str]]:
    """Cells that carry their own multiplier (``1,2 Mio.``) under a header that names one.

    ``1,2 Mio.`` in a ``Betrag (Tsd. €)`` column is 1.2 million, or 1.2
    million thousands: the sheet says both, so the cell is left out and asked
    about rather than read 1,000 times off either way.
    """
    out = []
    for i, v in enumerate(raw):
        if not isinstance(v, str) or values["amount"][i] is None:
            continue
        parts = N.split_amount(N.ascii_digits(v.strip(P.STRIP_CHARS)), locale)
        if parts is None or parts.power <= 0:
            continue
        values["amount"][i] = None
        out.append(
            (
                i,
                "amount",
                "multiplier-conflict",
                f"amount {P.quote(v)} names its own multiplier ({parts.multiplier_word}) in a column whose "
                f"header {P.quote(header)} names one too; it is left out",
                "write the amount in the header's unit (a plain number), or take the multiplier out of the header",
            )
        )
    return out


def _unnamed_currency(
    raw: Sequence[Any],
    rows_no: Sequence[int],
    amount_col: int,
    unnamed: frozenset[tuple[int, int]],
    values: dict[str, list[Any]],
) -> list[tuple[int, str, str, str, str]]:
    """Amounts shown through one of Excel's built-in currency formats (ids 5-8).

    Such a format stores no currency: Excel shows ``$`` on an American
    machine and ``€`` on a German one, so the number's currency is whoever
    opened the file's.  With no ``[team] currency`` (nor a currency column or
    header) sheetsync cannot know it: each such amount is left out and asks
    for the setting, rather than being counted in a guessed currency.
    """
    out = []
    for i, (v, r) in enumerate(zip(raw, rows_no, strict=True)):
        if (r, amount_col) not in unnamed or type(v) not in (int, float):
            continue
        if values["amount"][i] is None:
            continue
        values["amount"][i] = None
        out.append(
            (
                i,
                "amount",
                "unnamed-currency",
                f"amount {P.quote(int(v) if float(v).is_integer() else v)} is formatted with one of Excel's built-in currency formats, "
                "which shows the currency of whoever opens the file and names none; it is left out",
                'set currency = "EUR" (your team\'s ISO 4217 code) in the [team] section, '
                "or give the column a format that names its currency ([$€-407], [$$-409])",
            )
        )
    return out


def _date_parser(parser, epoch1904: bool, locale: str | None):
    """A factory: date order → a one-cell parser (``read_date_column`` settles the order)."""

    def make(order: str) -> Callable[[Any], P.Parsed]:
        return lambda v: parser(v, date_order=order, epoch1904=epoch1904, locale=locale)

    return make


def _date_order(cfg: Config) -> str:
    """``[parse] date_order``, else the reading locale's (CLDR short date), else auto."""
    if cfg.parse.date_order != "auto":
        return cfg.parse.date_order
    locale = reading_locale(cfg)
    if locale:
        order = date_order_of(locale)
        return order if order in ("dmy", "mdy") else "auto"
    return "auto"


def _as_date(v: Any) -> Any:
    return v.date() if isinstance(v, dt.datetime) else v


def _as_datetime(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None) if v.tzinfo else v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _header_text(grid: Grid, header_row: int, col: int) -> str:
    v = grid.cell(header_row, col)
    return v if isinstance(v, str) else str(v)


def _text_at(grid: Grid, row: int, col: int | None) -> str | None:
    if col is None:
        return None
    v = grid.cell(row, col)
    return v if isinstance(v, str) else None


def _parser_converter(parser: Callable[[Any], P.Parsed]):
    def convert(values: list[Any], cfg: Config, epoch1904: bool) -> Converted:
        return _convert(values, parser, _fast_blank)

    return convert


_CONVERTERS = {
    **dict.fromkeys(_TEXT_FIELDS + ("stage", "lost_stage"), _text_converter),
    "contact_email": _email_converter,
    "owner_email": _email_converter,
    "decision_maker": _parser_converter(P.parse_bool),
    "trial": _parser_converter(P.parse_bool),
}


def _apply_status(
    texts: list[Any] | None,
    booleans: list[tuple[int, Any, list[Any]]],
    stage_col: list[Any],
    stage_idx: list[int | None],
    status: list[Outcome],
    lost: list[Any],
    stages: list[Stage],
) -> list[tuple[int, str, str, str]]:
    """Let a status column (or yes/no status columns) decide each deal's outcome.

    The status decides; the stage is then where the deal was won or lost (a
    lost deal with no lost-at stage was lost at its stage).  A stage that is
    itself a won or lost stage and disagrees with the status is reported.
    Returns ``(index, code, message, hint)`` for the findings.
    """
    issues: list[tuple[int, str, str, str]] = []
    if texts is None and not booleans:
        return issues
    n = len(status)
    decided: dict[str, Outcome | None] = {}
    for k in range(n):
        said: Outcome | None = None
        if texts is not None and texts[k]:
            text = texts[k]
            if text not in decided:
                decided[text] = outcome_word(text)
            said = decided[text]
            if said is None:
                issues.append(
                    (
                        k,
                        "bad-status",
                        f"status {text!r} says neither won, lost nor open"
                        + (" (it says the deal ended, not how)" if is_ambiguous(text) else ""),
                        "write won, lost or open (the stage decides until then)",
                    )
                )
        if said is None and booleans:
            said = from_booleans(
                (b.if_true, b.if_false, P.parse_bool(vals[k]).value) for _c, b, vals in booleans
            )
        if said is None or said is status[k]:
            continue
        i = stage_idx[k]
        st = stages[i] if i is not None else None
        if st is not None and st.outcome is not Outcome.OPEN:
            issues.append(
                (
                    k,
                    "status-stage-disagree",
                    f"the status says {said.value} but the stage is {st.name!r}; the status decides",
                    "make the stage and the status agree",
                )
            )
        status[k] = said
        if (
            said is Outcome.LOST
            and lost[k] is None
            and st is not None
            and st.outcome is Outcome.OPEN
        ):
            lost[k] = st.name
    return issues


def _unknown_stage(deal: Deal, text: str, names: list[str]) -> Finding:
    guess = difflib.get_close_matches(text, names, n=1, cutoff=0.6) or difflib.get_close_matches(
        text.title(), names, n=1, cutoff=0.6
    )
    hint = (f"write {guess[0]!r}" if guess else "use one of: " + ", ".join(names)) + (
        " (stages come from the Stages tab, [[stages]] in sheetsync.toml, or the default list)"
    )
    return Finding.at(
        "unknown-stage",
        E,
        f"unknown stage {text!r}" + (f"; did you mean {guess[0]!r}?" if guess else ""),
        deal.cells["stage"],
        hint=hint,
        field="stage",
        value=deal.raw["stage"],
        deal=deal.id,
    )


def _field_label(f: str) -> str:
    return {"next_appointment": "next appointment:", "close_date": "close date:"}.get(
        f, f.replace("_", " ") + ":"
    )


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


def _synonyms(table: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, int]]:
    """Normalized header → (field, rank): a settings tab's headers from ``vocab/tabs.toml``."""
    return {normalize_header(h): (f, i) for f, hs in table.items() for i, h in enumerate(hs)}


_STAGE_SYNONYMS = _synonyms(STAGES_TAB)

_QUOTA_SYNONYMS = _synonyms(QUOTAS_TAB)
# The same tab in German, French, Spanish, Portuguese and Thai: the vocabulary's
# Quotas-tab headers, after (less specific than) every English one.
for _f in ("owner", "period", "quota", "email"):
    for _i, _h in enumerate(quota_headers(_f), start=VOCAB_RANK):
        _QUOTA_SYNONYMS.setdefault(normalize_header(_h), (_f, _i))

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


class _SettingsFindings:
    """The findings about one settings tab (Stages, Quotas, Rates), as the readers make them."""

    __slots__ = ("grid", "findings")

    def __init__(self, grid: Grid, findings: list[Finding]) -> None:
        self.grid = grid
        self.findings = findings

    def no_header(self, missing: str, hint: str) -> None:
        """The tab has no header row the reader recognises (``missing`` says which, and so what)."""
        self.findings.append(
            Finding.at(
                "bad-settings-tab",
                W,
                f"tab {self.grid.name!r} has no {missing}",
                None,
                tab=self.grid.name,
                hint=hint,
            )
        )

    def at(
        self,
        code: str,
        severity: Severity,
        ref: CellRef,
        field: str,
        value: Any,
        message: str,
        hint: str,
    ) -> None:
        """A finding at one cell of the tab."""
        self.findings.append(
            Finding.at(code, severity, message, ref, hint=hint, field=field, value=value)
        )


def read_stages(grid: Grid, findings: list[Finding]) -> list[Stage]:
    """The ``Stages`` tab: one stage a row, in pipeline order."""
    tab = _SettingsFindings(grid, findings)
    hm = _settings_header(grid, _STAGE_SYNONYMS, ("name",))
    if hm is None:
        tab.no_header(
            "'Stage' header; the default stage list applies",
            "give the tab a header row: Stage | Probability | Outcome | Kind | Rot Days",
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
            tab.at(
                "duplicate-stage",
                E,
                CellRef(grid.name, row_no, cols["name"]),
                "stage",
                name,
                f"stage {name!r} is listed twice",
                "delete one of the two rows",
            )
            continue
        seen.add(stage_key(name))
        prob = None
        if "probability" in cols:
            raw = grid.cell(row_no, cols["probability"])
            res = P.parse_probability(raw)
            if res.error:
                tab.at(
                    "bad-probability",
                    E,
                    CellRef(grid.name, row_no, cols["probability"]),
                    "probability",
                    raw,
                    f"probability {res.error}",
                    "write a probability such as 40% or 0.4",
                )
            prob = res.value
        outcome = Outcome.OPEN
        if "outcome" in cols:
            raw = grid.cell(row_no, cols["outcome"])
            key = normalize_header(raw)
            if key in _OUTCOMES:
                outcome = _OUTCOMES[key]
            else:
                tab.at(
                    "bad-outcome",
                    E,
                    CellRef(grid.name, row_no, cols["outcome"]),
                    "outcome",
                    raw,
                    f"outcome must be open, won or lost, not {raw!r}",
                    "write open, won or lost",
                )
        else:
            # no outcome column: the name says it ("Closed Won", "Gewonnen"), or a
            # 100 % / 0 % probability does (not for the first stage: a 0 % lead
            # bucket is open)
            said = outcome_word(name)
            if said in (Outcome.WON, Outcome.LOST):
                outcome = said
            elif prob == 1.0 and stages:
                outcome = Outcome.WON
            elif prob == 0.0 and stages:
                outcome = Outcome.LOST
        kind = None
        if "kind" in cols:
            raw_kind = P.parse_text(grid.cell(row_no, cols["kind"])).value
            if raw_kind:
                kind = raw_kind.strip().casefold()
                if kind not in STAGE_KINDS:
                    tab.at(
                        "bad-stage-kind",
                        W,
                        CellRef(grid.name, row_no, cols["kind"]),
                        "kind",
                        raw_kind,
                        f"unknown stage kind {raw_kind!r}",
                        "use one of: " + ", ".join(STAGE_KINDS),
                    )
                    kind = None
        rot = None
        if "rot_days" in cols:
            raw = grid.cell(row_no, cols["rot_days"])
            if not P.is_blank(raw):
                res = P.parse_amount(raw)
                if res.error or res.value is None or res.value < 0 or res.value != int(res.value):
                    tab.at(
                        "bad-rot-days",
                        E,
                        CellRef(grid.name, row_no, cols["rot_days"]),
                        "rot_days",
                        raw,
                        f"rot days must be a whole number of days, not {raw!r}",
                        "write a number of days such as 14 (0 turns staleness off)",
                    )
                else:
                    rot = int(res.value)
        stages.append(Stage(name, len(stages), prob, outcome, rot, kind))
    return stages


def read_quotas(grid: Grid, findings: list[Finding], cfg: Config) -> list[Quota]:
    """The ``Quotas`` tab: owner, period, quota (and optionally the rep's email)."""
    tab = _SettingsFindings(grid, findings)
    hm = _settings_header(grid, _QUOTA_SYNONYMS, ("owner", "quota"))
    if hm is None:
        tab.no_header(
            "'Owner' and 'Quota' headers; it is ignored",
            "give the tab a header row: Owner | Period | Quota",
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
        amount = P.parse_amount(
            raw_q, decimal_comma=cfg.parse.decimal_comma, locale=reading_locale(cfg)
        )
        if not owner:
            tab.at(
                "missing-required",
                E,
                CellRef(grid.name, row_no, cols["owner"]),
                "owner",
                None,
                "quota row has no owner",
                "write the rep's name exactly as in the deals tab",
            )
            continue
        if amount.error or amount.value is None or amount.value < 0:
            tab.at(
                "bad-quota",
                E,
                q_ref,
                "quota",
                raw_q,
                f"quota for {owner} is not an amount: {raw_q!r}",
                "write the quota as a number such as 250000",
            )
            continue
        span = parse_period(raw_p)
        if span is None:
            tab.at(
                "bad-period",
                E,
                CellRef(grid.name, row_no, cols["period"]) if "period" in cols else q_ref,
                "period",
                raw_p,
                f"quota period for {owner} cannot be read: {raw_p!r}",
                "write a period such as 2026-Q4, 2026-11 or 2026"
                + ("" if "period" in cols else " in a 'Period' column"),
            )
            continue
        quotas.append(Quota(owner, span[0], span[1], float(amount.value), span[2], q_ref))
    return quotas


_RATE_SYNONYMS = _synonyms(RATES_TAB)


def read_rates(grid: Grid | None, cfg: Config, findings: list[Finding]) -> dict[str, Rate]:
    """Exchange rates to the team's currency: ``[[rates]]`` first, then a ``Rates`` tab.

    A tab row is ``Currency | Rate`` (``EUR | 1.08``: one euro is 1.08 of the
    team's currency); an optional ``To`` column must name the team's currency.
    """
    rates: dict[str, Rate] = {
        r.currency: Rate(
            r.currency, r.rate, f"{cfg.file.name if cfg.file else 'sheetsync.toml'} [[rates]]"
        )
        for r in cfg.rates
    }
    if grid is None:
        return rates
    tab = _SettingsFindings(grid, findings)
    hm = _settings_header(grid, _RATE_SYNONYMS, ("currency", "rate"))
    if hm is None:
        tab.no_header(
            "'Currency' and 'Rate' headers; it is ignored",
            "give the tab a header row: Currency | Rate",
        )
        return rates
    cols = hm.fields
    team = cfg.team.default_currency
    for r in range(hm.row, grid.height):
        row_no = r + 1
        raw_c = grid.cell(row_no, cols["currency"])
        raw_r = grid.cell(row_no, cols["rate"])
        if P.is_blank(raw_c) and P.is_blank(raw_r):
            continue
        code = (
            N.currency_for_token(str(raw_c), reading_locale(cfg)) if not P.is_blank(raw_c) else None
        )
        ref = CellRef(grid.name, row_no, cols["rate"])
        value = P.parse_amount(
            raw_r, decimal_comma=cfg.parse.decimal_comma, locale=reading_locale(cfg)
        )
        to = grid.cell(row_no, cols["to"]) if "to" in cols else ""
        to_code = N.currency_for_token(str(to)) if not P.is_blank(to) else None
        problem = None
        if code is None:
            problem = f"{P.quote(raw_c)} is not a currency (write an ISO code such as EUR)"
            ref = CellRef(grid.name, row_no, cols["currency"])
        elif value.error or value.value is None or not value.value > 0:
            problem = f"the rate for {code} must be a number above 0, not {P.quote(raw_r)}"
        elif to_code is not None and team is not None and to_code != team:
            problem = f"the rate for {code} is to {to_code}, but the team's currency is {team}"
        if problem:
            tab.at(
                "bad-rate",
                E,
                ref,
                "rate",
                raw_r,
                problem,
                "write one row per currency: Currency | Rate (units of the team's currency per one)",
            )
            continue
        assert code is not None and value.value is not None
        if code in rates:
            continue  # the configuration wins
        rates[code] = Rate(code, float(value.value), f"{grid.name}!{ref.a1}")
    return rates
