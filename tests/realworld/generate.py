"""Write the real-layouts corpus: one folder per case under ``tests/realworld/cases``.

Each case is a sheet laid out the way a team, a CRM export or another country
writes it (issue 9, item 13), with ``expected.json`` beside it holding the
numbers and findings **worked out by hand** from the rows below (the
arithmetic is in each case's ``why``), never copied from sheetsync's output.

Everything is decided here, deterministically (no randomness): running

    python tests/realworld/generate.py            # rewrite tests/realworld/cases
    python tests/realworld/generate.py OUT_DIR    # write the corpus elsewhere

gives byte-identical ``expected.json``, ``sheetsync.toml`` and ``.csv`` files
and workbooks with the same cell values (the save time an ``.xlsx`` stores is
fixed too, so with the same openpyxl they are byte-identical as well).

Books: ``.xlsx`` by openpyxl (real Excel Tables with a Total Row, formulas
saved without a calculated value, several tabs), ``.csv`` by the csv module,
``.ods`` by a small OpenDocument writer below (odfpy is not a dependency).

Header names of the CRM exports are the ones :mod:`sheetsync.vocab.headers`
cites for HubSpot, Pipedrive, Salesforce reports, Zoho CRM, Dynamics 365 and
monday.com; their stage names the default pipelines of
:mod:`sheetsync.vocab.pipelines`.  Every case's as-of date is 2026-11-26, so
the quota period is 2026-Q4 (1 October to 31 December 2026): won deals count
when closed in it on or before 26 November, open deals when expected to close
in it, weighted by their probability.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
AS_OF = "2026-11-26"
D = dt.date


@dataclass(frozen=True)
class F:
    """A formula cell, saved without a calculated value (as openpyxl writes it)."""

    text: str


@dataclass(frozen=True)
class Fmt:
    """A number shown through an Excel number format (``#,##0.00 [$€-407]``)."""

    value: float
    fmt: str


@dataclass(frozen=True)
class Cur:
    """An OpenDocument currency cell: ``value`` in ``code``, shown as ``shown``."""

    value: float
    code: str
    shown: str


@dataclass(frozen=True)
class Pct:
    """An OpenDocument percentage cell (``0.5`` shown as ``50%``)."""

    value: float


@dataclass(frozen=True)
class Table:
    """An Excel Table over ``ref`` on ``tab``; ``totals`` switches its Total Row on."""

    tab: str
    name: str
    ref: str
    totals: bool = True


@dataclass
class Case:
    name: str
    group: str
    problems: list[str]
    book: str
    tabs: dict[str, list[list[Any]]]
    expected: dict[str, Any]
    quotas: dict[str, float] = field(default_factory=dict)
    toml: str = ""
    tables: list[Table] = field(default_factory=list)
    csv_delimiter: str = ","
    csv_encoding: str = "utf-8"


def rep(won: float, expected: float, to_generate: float) -> dict[str, float]:
    return {"won": won, "expected": expected, "to_generate": to_generate}


def team(won: float, expected: float, to_generate: float, net_gap: float) -> dict[str, float]:
    return {"won": won, "expected": expected, "to_generate": to_generate, "net_gap": net_gap}


CASE_LIST: list[Case] = []


def case(**kw: Any) -> Case:
    c = Case(**kw)
    CASE_LIST.append(c)
    return c


# ============================================================================ CRM exports

case(
    name="crm-hubspot-csv",
    group="crm",
    problems=["crm-hubspot", "crm-default-pipeline", "csv"],
    book="hubspot-deals.csv",
    tabs={
        "hubspot-deals": [
            [
                "Record ID",
                "Deal Name",
                "Deal Stage",
                "Amount",
                "Deal owner",
                "Close Date",
                "Associated Company",
                "Create Date",
                "Pipeline",
            ],
            [
                "101",
                "Acme rollout",
                "Appointment Scheduled",
                "10000",
                "Ana",
                "2026-12-15",
                "Acme",
                "2026-09-01",
                "Sales Pipeline",
            ],
            [
                "102",
                "Birch renewal",
                "Contract Sent",
                "20000",
                "Ana",
                "2026-12-20",
                "Birch",
                "2026-08-14",
                "Sales Pipeline",
            ],
            [
                "103",
                "Cedar pilot",
                "Closed Won",
                "15000",
                "Ana",
                "2026-11-10",
                "Cedar",
                "2026-07-02",
                "Sales Pipeline",
            ],
            [
                "104",
                "Dune upgrade",
                "Qualified To Buy",
                "5000",
                "Ben",
                "2026-12-05",
                "Dune",
                "2026-10-01",
                "Sales Pipeline",
            ],
            [
                "105",
                "Elm licences",
                "Closed Lost",
                "8000",
                "Ben",
                "2026-11-12",
                "Elm",
                "2026-06-20",
                "Sales Pipeline",
            ],
            [
                "106",
                "Fir expansion",
                "Decision Maker Bought-In",
                "12500",
                "Ben",
                "2026-12-18",
                "Fir",
                "2026-09-09",
                "Sales Pipeline",
            ],
        ]
    },
    quotas={"Ana": 50000, "Ben": 30000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(15000, 20000, 15000), "Ben": rep(0, 12000, 18000)},
        "team": team(15000, 32000, 33000, 33000),
        "stages": {
            "Appointment Scheduled": 1,
            "Contract Sent": 1,
            "Closed Won": 1,
            "Qualified To Buy": 1,
            "Closed Lost": 1,
            "Decision Maker Bought-In": 1,
        },
        "findings": [],
        "why": "HubSpot's default pipeline probabilities (Appointment Scheduled 20 %, Qualified To Buy 40 %, "
        "Decision Maker Bought-In 80 %, Contract Sent 90 %). Ana: won = 15,000 (Cedar, 10 Nov); "
        "expected = 10,000 x 0.2 + 20,000 x 0.9 = 2,000 + 18,000 = 20,000; to generate = 50,000 - 15,000 - 20,000 = 15,000. "
        "Ben: won 0 (Elm is lost); expected = 5,000 x 0.4 + 12,500 x 0.8 = 2,000 + 10,000 = 12,000; "
        "to generate = 30,000 - 12,000 = 18,000. Team: won 15,000, expected 32,000, to generate 15,000 + 18,000 = 33,000, "
        "net gap 80,000 - 15,000 - 32,000 = 33,000.",
    },
)

case(
    name="crm-pipedrive-csv",
    group="crm",
    problems=["crm-pipedrive", "csv", "status-column", "won-time"],
    book="pipedrive-deals.csv",
    tabs={
        "pipedrive-deals": [
            [
                "Deal - ID",
                "Deal - Title",
                "Deal - Organization",
                "Deal - Owner",
                "Deal - Stage",
                "Deal - Value",
                "Deal - Currency",
                "Deal - Status",
                "Deal - Probability",
                "Deal - Expected close date",
                "Deal - Won time",
                "Deal - Lost time",
            ],
            [
                "1",
                "Acme deal",
                "Acme",
                "Ana",
                "Proposal Made",
                "10000",
                "EUR",
                "open",
                "50",
                "2026-12-10",
                "",
                "",
            ],
            [
                "2",
                "Birch deal",
                "Birch",
                "Ana",
                "Negotiations Started",
                "8000",
                "EUR",
                "won",
                "",
                "",
                "2026-11-05 14:02:11",
                "",
            ],
            [
                "3",
                "Cedar deal",
                "Cedar",
                "Ben",
                "Demo Scheduled",
                "6000",
                "EUR",
                "lost",
                "",
                "",
                "",
                "2026-11-06 09:15:00",
            ],
            [
                "4",
                "Dune deal",
                "Dune",
                "Ben",
                "Qualified",
                "4000",
                "EUR",
                "open",
                "25",
                "2026-12-12",
                "",
                "",
            ],
            [
                "5",
                "Elm deal",
                "Elm",
                "Ben",
                "Contact Made",
                "2000",
                "EUR",
                "won",
                "",
                "",
                "2026-10-20 10:00:00",
                "",
            ],
        ]
    },
    quotas={"Ana": 50000, "Ben": 30000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(8000, 5000, 37000), "Ben": rep(2000, 1000, 27000)},
        "team": team(10000, 6000, 64000, 64000),
        "stages": {
            "Proposal Made": 1,
            "Negotiations Started": 1,
            "Demo Scheduled": 1,
            "Qualified": 1,
            "Contact Made": 1,
        },
        "findings": [],
        "why": "Deal - Status decides the outcome, Deal - Won time is the close date. Ana: won = 8,000 (Birch, won 5 Nov); "
        "expected = 10,000 x 50 % = 5,000; to generate = 50,000 - 8,000 - 5,000 = 37,000. Ben: won = 2,000 (Elm, won 20 Oct); "
        "Cedar lost; expected = 4,000 x 25 % = 1,000; to generate = 30,000 - 2,000 - 1,000 = 27,000. "
        "Team: won 10,000, expected 6,000, to generate 37,000 + 27,000 = 64,000, net 80,000 - 16,000 = 64,000.",
    },
)

case(
    name="crm-salesforce-report",
    group="crm",
    problems=[
        "crm-salesforce",
        "report-header-footer",
        "grand-totals-row",
        "probability-percent",
        "team-gap",
    ],
    book="salesforce-report.xlsx",
    tabs={
        "Opportunity Report": [
            ["Opportunity Pipeline"],
            ["Filtered By: Close Date equals Current FQ"],
            ["Sorted By: Opportunity Owner"],
            [],
            [
                "Opportunity Owner",
                "Account Name",
                "Opportunity Name",
                "Stage",
                "Amount",
                "Probability (%)",
                "Close Date",
                "Created Date",
            ],
            [
                "Ana",
                "Acme",
                "Acme platform",
                "Prospecting",
                20000,
                10,
                D(2026, 12, 1),
                D(2026, 10, 2),
            ],
            [
                "Ana",
                "Birch",
                "Birch suite",
                "Negotiation/Review",
                30000,
                90,
                D(2026, 12, 15),
                D(2026, 8, 3),
            ],
            [
                "Ana",
                "Cedar",
                "Cedar seats",
                "Closed Won",
                25000,
                100,
                D(2026, 10, 15),
                D(2026, 7, 1),
            ],
            [
                "Ben",
                "Dune",
                "Dune support",
                "Value Proposition",
                10000,
                50,
                D(2026, 12, 20),
                D(2026, 9, 12),
            ],
            ["Ben", "Elm", "Elm migration", "Closed Lost", 9000, 0, D(2026, 11, 1), D(2026, 6, 5)],
            ["Grand Totals (5 records)", None, None, None, 94000],
            [],
            ["Confidential Information - Do Not Distribute"],
            ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."],
        ]
    },
    quotas={"Ana": 50000, "Ben": 30000},
    expected={
        "exit": 0,
        "deals_tab": "Opportunity Report",
        "owners": {"Ana": rep(25000, 29000, 0), "Ben": rep(0, 5000, 25000)},
        "team": team(25000, 34000, 25000, 21000),
        "stages": {
            "Prospecting": 1,
            "Negotiation/Review": 1,
            "Closed Won": 1,
            "Value Proposition": 1,
            "Closed Lost": 1,
        },
        "findings": [],
        "skipped_rows": [11, 13, 14],
        "why": "Header on row 5 under the report title block; row 11 'Grand Totals (5 records)' = 20,000 + 30,000 + 25,000 "
        "+ 10,000 + 9,000 = 94,000 is not a deal, nor the two footer lines. Ana: won 25,000; expected = 20,000 x 10 % + "
        "30,000 x 90 % = 2,000 + 27,000 = 29,000; 50,000 - 25,000 - 29,000 < 0 so to generate 0. Ben: expected = 10,000 x 50 % = "
        "5,000; to generate 30,000 - 5,000 = 25,000. Team: to generate 0 + 25,000 = 25,000; net 80,000 - 25,000 - 34,000 = 21,000.",
    },
)

case(
    name="crm-zoho",
    group="crm",
    problems=["crm-zoho", "crm-default-pipeline"],
    book="zoho-deals.xlsx",
    tabs={
        "Deals": [
            [
                "Deal Name",
                "Account Name",
                "Contact Name",
                "Deal Owner",
                "Stage",
                "Amount",
                "Closing Date",
                "Created Time",
            ],
            [
                "Acme",
                "Acme Ltd",
                "Ann Ray",
                "Ana",
                "Qualification",
                10000,
                D(2026, 12, 10),
                dt.datetime(2026, 9, 1, 9, 30),
            ],
            [
                "Birch",
                "Birch plc",
                "Bo Li",
                "Ana",
                "Proposal/Price Quote",
                20000,
                D(2026, 12, 11),
                dt.datetime(2026, 8, 1, 10, 0),
            ],
            [
                "Cedar",
                "Cedar AG",
                "Cy Ng",
                "Ana",
                "Closed Won",
                12000,
                D(2026, 11, 20),
                dt.datetime(2026, 7, 1, 11, 0),
            ],
            [
                "Dune",
                "Dune SA",
                "Di Fox",
                "Ben",
                "Value Proposition",
                5000,
                D(2026, 12, 12),
                dt.datetime(2026, 10, 1, 12, 0),
            ],
            [
                "Elm",
                "Elm BV",
                "Ed Poe",
                "Ben",
                "Negotiation/Review",
                10000,
                D(2026, 12, 13),
                dt.datetime(2026, 9, 3, 13, 0),
            ],
            [
                "Fir",
                "Fir Oy",
                "Fay Oz",
                "Ben",
                "Closed-Lost to Competition",
                3000,
                D(2026, 11, 2),
                dt.datetime(2026, 6, 1, 14, 0),
            ],
        ]
    },
    quotas={"Ana": 50000, "Ben": 30000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(12000, 16000, 22000), "Ben": rep(0, 11000, 19000)},
        "team": team(12000, 27000, 41000, 41000),
        "stages": {
            "Qualification": 1,
            "Proposal/Price Quote": 1,
            "Closed Won": 1,
            "Value Proposition": 1,
            "Negotiation/Review": 1,
            "Closed-Lost to Competition": 1,
        },
        "findings": [],
        "why": "No probability column: Zoho's standard pipeline gives Qualification 10 %, Value Proposition 40 %, "
        "Proposal/Price Quote 75 %, Negotiation/Review 90 %. Ana: won 12,000; expected = 10,000 x 0.1 + 20,000 x 0.75 = "
        "1,000 + 15,000 = 16,000; to generate 50,000 - 12,000 - 16,000 = 22,000. Ben: expected = 5,000 x 0.4 + 10,000 x 0.9 = "
        "2,000 + 9,000 = 11,000; to generate 30,000 - 11,000 = 19,000. Team: 22,000 + 19,000 = 41,000; net 80,000 - 39,000 = 41,000.",
    },
)

case(
    name="crm-dynamics365",
    group="crm",
    problems=["crm-dynamics365", "status-column", "team-gap"],
    book="dynamics-opportunities.xlsx",
    tabs={
        "Opportunities": [
            [
                "Topic",
                "Potential Customer",
                "Owner",
                "Sales Stage",
                "Status",
                "Est. Revenue",
                "Probability",
                "Est. Close Date",
                "Created On",
            ],
            [
                "Acme CRM",
                "Acme",
                "Ana",
                "Qualify",
                "Open",
                10000,
                20,
                D(2026, 12, 10),
                D(2026, 9, 1),
            ],
            [
                "Birch ERP",
                "Birch",
                "Ana",
                "Propose",
                "Open",
                40000,
                60,
                D(2026, 12, 15),
                D(2026, 8, 1),
            ],
            [
                "Cedar BI",
                "Cedar",
                "Ana",
                "Close",
                "Won",
                30000,
                100,
                D(2026, 11, 18),
                D(2026, 7, 1),
            ],
            ["Dune HR", "Dune", "Ben", "Develop", "Open", 8000, 40, D(2026, 12, 1), D(2026, 10, 1)],
            ["Elm Ops", "Elm", "Ben", "Close", "Lost", 5000, 0, D(2026, 11, 19), D(2026, 6, 1)],
        ]
    },
    quotas={"Ana": 50000, "Ben": 30000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(30000, 26000, 0), "Ben": rep(0, 3200, 26800)},
        "team": team(30000, 29200, 26800, 20800),
        "stages": {"Qualify": 1, "Propose": 1, "Close": 2, "Develop": 1},
        "findings": [],
        "why": "Status (Open/Won/Lost) decides; Sales Stage 'Close' is an open stage. Ana: won 30,000 (Cedar); expected = "
        "10,000 x 20 % + 40,000 x 60 % = 2,000 + 24,000 = 26,000; 50,000 - 56,000 < 0 so 0. Ben: expected = 8,000 x 40 % = 3,200; "
        "to generate 30,000 - 3,200 = 26,800. Team: to generate 0 + 26,800 = 26,800; net 80,000 - 30,000 - 29,200 = 20,800.",
    },
)

case(
    name="crm-monday",
    group="crm",
    problems=["crm-monday"],
    book="monday-deals.xlsx",
    tabs={
        "Deals": [
            [
                "Deal",
                "Accounts",
                "Contacts",
                "Owner",
                "Stage",
                "Deal Value",
                "Close Probability",
                "Expected Close Date",
            ],
            ["Acme", "Acme", "Ann", "Ana", "Proposal", 12000, 40, D(2026, 12, 10)],
            ["Birch", "Birch", "Bo", "Ana", "Won", 9000, 100, D(2026, 11, 3)],
            ["Cedar", "Cedar", "Cy", "Ben", "Negotiation", 20000, 80, D(2026, 12, 4)],
            ["Dune", "Dune", "Di", "Ben", "Lost", 4000, 0, D(2026, 10, 30)],
        ]
    },
    quotas={"Ana": 50000, "Ben": 30000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(9000, 4800, 36200), "Ben": rep(0, 16000, 14000)},
        "team": team(9000, 20800, 50200, 50200),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1, "Lost": 1},
        "findings": [],
        "why": "Ana: won 9,000; expected = 12,000 x 40 % = 4,800; to generate 50,000 - 9,000 - 4,800 = 36,200. Ben: expected = "
        "20,000 x 80 % = 16,000; to generate 30,000 - 16,000 = 14,000. Team: 36,200 + 14,000 = 50,200; net 80,000 - 29,800 = 50,200.",
    },
)

# ============================================================================ German

case(
    name="de-chancen-handgeschrieben",
    group="de",
    problems=["headers-de", "eu-thousands", "text-dates-dmy"],
    book="vertrieb.xlsx",
    tabs={
        "Chancen": [
            [
                "Verkaufschance",
                "Firma",
                "Vertriebsmitarbeiter",
                "Verkaufsphase",
                "Auftragswert",
                "Wahrscheinlichkeit",
                "Erwarteter Abschluss",
            ],
            ["Lager Nord", "Müller GmbH", "Ana", "Angebot", "12.500", 60, "15.12.2026"],
            ["Software", "Schmidt AG", "Ana", "Gewonnen", "7.250,50", 100, "03.11.2026"],
            ["Wartung", "Becker KG", "Ben", "Termin", "3.000", 30, "01.12.2026"],
            ["Umbau", "Wagner OHG", "Ben", "Verhandlung", "20.000", 80, "10.12.2026"],
            ["Schulung", "Hoffmann e.K.", "Ben", "Verloren", "4.000", 0, "12.11.2026"],
            ["Lizenzen", "Koch GmbH", "Ana", "Gewonnen", "5.000", 100, "20.10.2026"],
        ]
    },
    quotas={"Ana": 50000, "Ben": 30000},
    expected={
        "exit": 0,
        "deals_tab": "Chancen",
        "owners": {"Ana": rep(12250.5, 7500, 30249.5), "Ben": rep(0, 16900, 13100)},
        "team": team(12250.5, 24400, 43349.5, 43349.5),
        "stages": {"Angebot": 1, "Gewonnen": 2, "Termin": 1, "Verhandlung": 1, "Verloren": 1},
        "findings": [],
        "why": "E3 '7.250,50' reads only with a decimal comma, so the column's 12.500 is twelve thousand five hundred; "
        "'15.12.2026' makes the dates day-month-year. Ana: won = 7.250,50 + 5.000 = 12.250,50; expected = 12.500 x 60 % = 7.500; "
        "to generate 50.000 - 12.250,50 - 7.500 = 30.249,50. Ben: expected = 3.000 x 30 % + 20.000 x 80 % = 900 + 16.000 = 16.900; "
        "to generate 30.000 - 16.900 = 13.100. Team: 30.249,50 + 13.100 = 43.349,50; net 80.000 - 12.250,50 - 24.400 = 43.349,50.",
    },
)

case(
    name="de-mio-euro",
    group="de",
    problems=["headers-de", "mio-euro", "currency-suffix"],
    book="projekte.xlsx",
    tabs={
        "Projekte": [
            [
                "Projekt",
                "Kunde",
                "Verantwortlich",
                "Phase",
                "Volumen",
                "Abschlusswahrscheinlichkeit",
                "Abschlussdatum",
            ],
            [
                "Rechenzentrum",
                "Stadtwerke",
                "Ana",
                "Verhandlung",
                "1,5 Mio. €",
                50,
                D(2026, 12, 15),
            ],
            ["Netzausbau", "Landkreis", "Ana", "Gewonnen", "250.000 €", None, D(2026, 11, 2)],
            ["Beratung", "Spedition", "Ben", "Angebot", "12.500 €", 40, D(2026, 12, 18)],
            ["Cloud", "Versicherung", "Ben", "Gewonnen", "80.000,00 €", None, D(2026, 11, 20)],
        ]
    },
    quotas={"Ana": 2000000, "Ben": 500000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(250000, 750000, 1000000), "Ben": rep(80000, 5000, 415000)},
        "team": team(330000, 755000, 1415000, 1415000),
        "stages": {"Verhandlung": 1, "Gewonnen": 2, "Angebot": 1},
        "findings": [],
        "why": "'1,5 Mio. €' = 1.500.000 €; '250.000 €' and '12.500 €' cannot be 250 and 12.5 euro (three decimals). "
        "Ana: won 250.000; expected 1.500.000 x 50 % = 750.000; to generate 2.000.000 - 250.000 - 750.000 = 1.000.000. "
        "Ben: won 80.000; expected 12.500 x 40 % = 5.000; to generate 500.000 - 85.000 = 415.000. "
        "Team: 1.000.000 + 415.000 = 1.415.000; net 2.500.000 - 330.000 - 755.000 = 1.415.000.",
    },
)

case(
    name="de-summe-csv",
    group="de",
    problems=["headers-de", "csv", "semicolon-csv", "hand-totals-row", "eu-thousands"],
    book="pipeline.csv",
    csv_delimiter=";",
    csv_encoding="utf-8-sig",
    tabs={
        "pipeline": [
            [
                "Titel",
                "Kunde",
                "Verkäufer",
                "Phase",
                "Betrag",
                "Wahrscheinlichkeit (%)",
                "Abschlusstermin",
            ],
            ["Drucker", "Meier", "Ana", "Angebot", "1.200,50", "50", "15.12.2026"],
            ["Server", "Krause", "Ana", "Gewonnen", "8.000,00", "100", "05.11.2026"],
            ["Netz", "Lehmann", "Ben", "Präsentation", "2.500,00", "40", "11.12.2026"],
            ["Telefon", "Schulz", "Ben", "Gewonnen", "3.300,00", "100", "19.11.2026"],
            ["Summe", "", "", "", "15.000,50", "", ""],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(8000, 600.25, 11399.75), "Ben": rep(3300, 1000, 5700)},
        "team": team(11300, 1600.25, 17099.75, 17099.75),
        "stages": {"Angebot": 1, "Gewonnen": 2, "Präsentation": 1},
        "findings": [],
        "skipped_rows": [6],
        "why": "Row 6 'Summe' = 1.200,50 + 8.000 + 2.500 + 3.300 = 15.000,50 is not a deal. Ana: won 8.000; expected 1.200,50 x 50 % "
        "= 600,25; to generate 20.000 - 8.000 - 600,25 = 11.399,75. Ben: won 3.300; expected 2.500 x 40 % = 1.000; to generate "
        "10.000 - 4.300 = 5.700. Team: 11.399,75 + 5.700 = 17.099,75; net 30.000 - 11.300 - 1.600,25 = 17.099,75.",
    },
)

# ============================================================================ French

NNBSP = "\u202f"  # the narrow no-break space CLDR groups French thousands with
NBSP = "\u00a0"

case(
    name="fr-espaces-euros",
    group="fr",
    problems=["headers-fr", "space-thousands", "text-dates-dmy"],
    book="affaires.xlsx",
    tabs={
        "Affaires": [
            [
                "Client",
                "Commercial",
                "Étape",
                "Montant HT",
                "Probabilité (%)",
                "Date de clôture prévue",
            ],
            ["Dupont SARL", "Ana", "Proposition", f"12{NNBSP}500,00 €", 50, "15/12/2026"],
            ["Martin SA", "Ana", "Gagné", f"1{NBSP}234,50 €", 100, "04/11/2026"],
            ["Bernard & Fils", "Ben", "Négociation", "30 000 €", 70, "18/12/2026"],
            ["Petit SAS", "Ben", "Perdu", "5 000 €", 0, "13/11/2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 25000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(1234.5, 6250, 12515.5), "Ben": rep(0, 21000, 4000)},
        "team": team(1234.5, 27250, 16515.5, 16515.5),
        "stages": {"Proposition": 1, "Gagné": 1, "Négociation": 1, "Perdu": 1},
        "findings": [],
        "why": "Spaces group thousands, the comma is the decimal mark; 15/12 makes the dates day/month. Ana: won 1 234,50 (4 Nov); "
        "expected 12 500 x 50 % = 6 250; to generate 20 000 - 1 234,50 - 6 250 = 12 515,50. Ben: expected 30 000 x 70 % = 21 000; "
        "to generate 25 000 - 21 000 = 4 000. Team: 12 515,50 + 4 000 = 16 515,50; net 45 000 - 28 484,50 = 16 515,50.",
    },
)

case(
    name="fr-devise-mois",
    group="fr",
    problems=["headers-fr", "month-names", "currency-column"],
    book="opportunites.xlsx",
    tabs={
        "Opportunités": [
            [
                "Société",
                "Propriétaire de l'opportunité",
                "Étape de la vente",
                "Montant",
                "Devise",
                "Probabilité",
                "Date de clôture",
            ],
            ["Leroy", "Ana", "Rendez-vous", 10000, "EUR", 20, "15 déc. 2026"],
            ["Moreau", "Ana", "Devis envoyé", 20000, "EUR", 60, "20 décembre 2026"],
            ["Simon", "Ben", "Gagné", 15000, "EUR", 100, "3 nov. 2026"],
            ["Laurent", "Ben", "Qualifié", 4000, "EUR", 10, "1 déc. 2026"],
        ]
    },
    quotas={"Ana": 30000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(0, 14000, 16000), "Ben": rep(15000, 400, 4600)},
        "team": team(15000, 14400, 20600, 20600),
        "stages": {"Rendez-vous": 1, "Devis envoyé": 1, "Gagné": 1, "Qualifié": 1},
        "findings": [],
        "why": "Dates with French month names. Ana: expected = 10 000 x 20 % + 20 000 x 60 % = 2 000 + 12 000 = 14 000; to generate "
        "30 000 - 14 000 = 16 000. Ben: won 15 000 (3 nov.); expected 4 000 x 10 % = 400; to generate 20 000 - 15 400 = 4 600. "
        "Team: 16 000 + 4 600 = 20 600; net 50 000 - 29 400 = 20 600.",
    },
)

case(
    name="fr-libreoffice-ods",
    group="fr",
    problems=["headers-fr", "ods"],
    book="affaires.ods",
    tabs={
        "Affaires": [
            [
                "Client",
                "Commercial",
                "Étape",
                "Montant",
                "Probabilité (%)",
                "Date de clôture prévue",
            ],
            ["Roux", "Ana", "Présentation", 8000, 40, D(2026, 12, 9)],
            ["Fournier", "Ana", "Gagnée", 6000, 100, D(2026, 10, 28)],
            ["Girard", "Ben", "Devis", 9000, 50, D(2026, 12, 16)],
            ["Bonnet", "Ben", "Perdue", 2000, 0, D(2026, 11, 9)],
        ]
    },
    quotas={"Ana": 15000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(6000, 3200, 5800), "Ben": rep(0, 4500, 5500)},
        "team": team(6000, 7700, 11300, 11300),
        "stages": {"Présentation": 1, "Gagnée": 1, "Devis": 1, "Perdue": 1},
        "findings": [],
        "why": "Ana: won 6 000 (28 Oct); expected 8 000 x 40 % = 3 200; to generate 15 000 - 6 000 - 3 200 = 5 800. Ben: expected "
        "9 000 x 50 % = 4 500; to generate 10 000 - 4 500 = 5 500. Team 5 800 + 5 500 = 11 300; net 25 000 - 13 700 = 11 300.",
    },
)

# ============================================================================ Spanish

case(
    name="es-importe-euros",
    group="es",
    problems=["headers-es", "eu-thousands", "text-dates-dmy"],
    book="oportunidades.xlsx",
    tabs={
        "Oportunidades": [
            [
                "Oportunidad",
                "Empresa",
                "Vendedor",
                "Etapa",
                "Importe",
                "Probabilidad (%)",
                "Fecha de cierre",
            ],
            ["ERP", "García SL", "Ana", "Propuesta", "12.500,00 €", 50, "15/12/2026"],
            ["CRM", "López SA", "Ana", "Ganado", "9.750,25 €", 100, "06/11/2026"],
            ["BI", "Martínez SL", "Ben", "Negociación", "18.000,00 €", 75, "19/12/2026"],
            ["Web", "Sánchez SA", "Ben", "Perdido", "2.000,00 €", 0, "14/11/2026"],
        ]
    },
    quotas={"Ana": 30000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(9750.25, 6250, 13999.75), "Ben": rep(0, 13500, 6500)},
        "team": team(9750.25, 19750, 20499.75, 20499.75),
        "stages": {"Propuesta": 1, "Ganado": 1, "Negociación": 1, "Perdido": 1},
        "findings": [],
        "why": "Ana: won 9.750,25; expected 12.500 x 50 % = 6.250; to generate 30.000 - 9.750,25 - 6.250 = 13.999,75. Ben: expected "
        "18.000 x 75 % = 13.500; to generate 20.000 - 13.500 = 6.500. Team 13.999,75 + 6.500 = 20.499,75; net 50.000 - 29.500,25 = 20.499,75.",
    },
)

case(
    name="es-meses-fracciones",
    group="es",
    problems=["headers-es", "month-names", "probability-fraction"],
    book="negocios.xlsx",
    tabs={
        "Negocios": [
            [
                "Negocio",
                "Cliente",
                "Ejecutivo de ventas",
                "Fase de venta",
                "Monto",
                "Probabilidad de cierre",
                "Fecha estimada de cierre",
            ],
            ["Portal", "Ruiz", "Ana", "Cita", 5000, 0.3, "10 de diciembre de 2026"],
            ["App", "Díaz", "Ana", "Cotización", 10000, 0.6, "26 de diciembre de 2026"],
            ["Soporte", "Moreno", "Ben", "Ganada", 7000, 1, "2 de noviembre de 2026"],
            ["Datos", "Muñoz", "Ben", "Presentación", 3000, 0.5, "15 de diciembre de 2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(0, 7500, 12500), "Ben": rep(7000, 1500, 1500)},
        "team": team(7000, 9000, 14000, 14000),
        "stages": {"Cita": 1, "Cotización": 1, "Ganada": 1, "Presentación": 1},
        "findings": [],
        "why": "A column of fractions: 1 is 100 %. Ana: expected 5.000 x 0,3 + 10.000 x 0,6 = 1.500 + 6.000 = 7.500; to generate "
        "20.000 - 7.500 = 12.500. Ben: won 7.000; expected 3.000 x 0,5 = 1.500; to generate 10.000 - 8.500 = 1.500. Team 12.500 + "
        "1.500 = 14.000; net 30.000 - 16.000 = 14.000.",
    },
)

case(
    name="es-csv-punto-y-coma",
    group="es",
    problems=["headers-es", "csv", "semicolon-csv", "eu-thousands"],
    book="negocios.csv",
    csv_delimiter=";",
    tabs={
        "negocios": [
            [
                "Título",
                "Cuenta",
                "Asesor comercial",
                "Etapa del negocio",
                "Valor del negocio",
                "Probabilidad (%)",
                "Cierre previsto",
            ],
            ["Nube", "Torres", "Ana", "Calificado", "4.500", "20", "2026-12-10"],
            ["Red", "Flores", "Ana", "Ganado", "12.000,50", "100", "2026-11-11"],
            ["Voz", "Rivera", "Ben", "Reunión", "6.000", "30", "2026-12-03"],
            ["Seguridad", "Gómez", "Ben", "Propuesta enviada", "10.000", "60", "2026-12-22"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 15000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(12000.5, 900, 7099.5), "Ben": rep(0, 7800, 7200)},
        "team": team(12000.5, 8700, 14299.5, 14299.5),
        "stages": {"Calificado": 1, "Ganado": 1, "Reunión": 1, "Propuesta enviada": 1},
        "findings": [],
        "why": "'12.000,50' settles the column: 4.500 is four thousand five hundred. Ana: won 12.000,50; expected 4.500 x 20 % = 900; "
        "to generate 20.000 - 12.900,50 = 7.099,50. Ben: expected 6.000 x 30 % + 10.000 x 60 % = 1.800 + 6.000 = 7.800; to generate "
        "15.000 - 7.800 = 7.200. Team 7.099,50 + 7.200 = 14.299,50; net 35.000 - 20.700,50 = 14.299,50.",
    },
)

# ============================================================================ Portuguese (Brazil)

case(
    name="pt-br-reais",
    group="pt",
    problems=["headers-pt", "eu-thousands", "currency-prefix"],
    book="funil.xlsx",
    tabs={
        "Funil": [
            [
                "Negócio",
                "Empresa",
                "Vendedor",
                "Etapa do funil",
                "Valor",
                "Probabilidade (%)",
                "Data prevista de fechamento",
            ],
            ["ERP", "Silva Ltda", "Ana", "Proposta", "R$ 15.000,00", 50, "15/12/2026"],
            ["CRM", "Souza SA", "Ana", "Ganho", "R$ 2.500,50", 100, "05/11/2026"],
            ["BI", "Costa ME", "Ben", "Negociação", "R$ 40.000,00", 80, "20/12/2026"],
            ["Site", "Oliveira", "Ben", "Perdido", "R$ 1.000,00", 0, "13/11/2026"],
        ]
    },
    quotas={"Ana": 30000, "Ben": 40000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(2500.5, 7500, 19999.5), "Ben": rep(0, 32000, 8000)},
        "team": team(2500.5, 39500, 27999.5, 27999.5),
        "stages": {"Proposta": 1, "Ganho": 1, "Negociação": 1, "Perdido": 1},
        "findings": [],
        "why": "Ana: won R$ 2.500,50; expected 15.000 x 50 % = 7.500; to generate 30.000 - 2.500,50 - 7.500 = 19.999,50. Ben: expected "
        "40.000 x 80 % = 32.000; to generate 40.000 - 32.000 = 8.000. Team 19.999,50 + 8.000 = 27.999,50; net 70.000 - 42.000,50 = 27.999,50.",
    },
)

case(
    name="pt-br-meses",
    group="pt",
    problems=["headers-pt", "month-names", "percent-text"],
    book="oportunidades.xlsx",
    tabs={
        "Oportunidades": [
            [
                "Oportunidade",
                "Cliente",
                "Responsável",
                "Fase",
                "Valor estimado",
                "Chance de fechamento",
                "Previsão de fechamento",
            ],
            ["Frota", "Almeida", "Ana", "Reunião agendada", 10000, "20%", "10 de dezembro de 2026"],
            ["Lojas", "Pereira", "Ana", "Vendido", 8000, "100%", "3 de novembro de 2026"],
            ["Galpão", "Ferreira", "Ben", "Apresentação", 6000, "50%", "15 de dezembro de 2026"],
            [
                "Clínica",
                "Rodrigues",
                "Ben",
                "Em negociação",
                12000,
                "70%",
                "18 de dezembro de 2026",
            ],
        ]
    },
    quotas={"Ana": 20000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(8000, 2000, 10000), "Ben": rep(0, 11400, 8600)},
        "team": team(8000, 13400, 18600, 18600),
        "stages": {"Reunião agendada": 1, "Vendido": 1, "Apresentação": 1, "Em negociação": 1},
        "findings": [],
        "why": "Ana: won 8.000 (3 de novembro); expected 10.000 x 20 % = 2.000; to generate 20.000 - 10.000 = 10.000. Ben: expected "
        "6.000 x 50 % + 12.000 x 70 % = 3.000 + 8.400 = 11.400; to generate 20.000 - 11.400 = 8.600. Team 10.000 + 8.600 = 18.600; "
        "net 40.000 - 21.400 = 18.600.",
    },
)

case(
    name="pt-br-resultado-csv",
    group="pt",
    problems=["headers-pt", "csv", "semicolon-csv", "status-column"],
    book="negocios.csv",
    csv_delimiter=";",
    tabs={
        "negocios": [
            [
                "Título",
                "Organização",
                "Vendedor",
                "Etapa",
                "Valor",
                "Resultado",
                "Probabilidade",
                "Data de fechamento",
            ],
            ["Frete", "Lima", "Ana", "Proposta", "5.000,00", "Aberto", "40", "10/12/2026"],
            ["Seguro", "Gomes", "Ana", "Negociação", "7.500,00", "Ganho", "", "12/11/2026"],
            ["Painel", "Ribeiro", "Ben", "Proposta", "3.000,00", "Perdido", "", "14/11/2026"],
            ["Curso", "Martins", "Ben", "Qualificado", "2.000,00", "Aberto", "10", "18/12/2026"],
        ]
    },
    quotas={"Ana": 15000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(7500, 2000, 5500), "Ben": rep(0, 200, 9800)},
        "team": team(7500, 2200, 15300, 15300),
        "stages": {"Proposta": 2, "Negociação": 1, "Qualificado": 1},
        "findings": [],
        "why": "Resultado decides (Ganho = won, Perdido = lost, Aberto = open). Ana: won 7.500 (12/11); expected 5.000 x 40 % = 2.000; "
        "to generate 15.000 - 9.500 = 5.500. Ben: expected 2.000 x 10 % = 200; to generate 10.000 - 200 = 9.800. Team 5.500 + 9.800 = "
        "15.300; net 25.000 - 9.700 = 15.300.",
    },
)

# ============================================================================ Thai

SOMCHAI, SOMYING = "สมชาย", "สมหญิง"

case(
    name="th-buddhist-era",
    group="th",
    problems=["headers-th", "buddhist-era"],
    book="ดีล.xlsx",
    tabs={
        "ดีล": [
            [
                "ชื่อดีล",
                "ชื่อลูกค้า",
                "พนักงานขาย",
                "ขั้นตอนการขาย",
                "มูลค่า",
                "ความน่าจะเป็น",
                "วันที่คาดว่าจะปิดการขาย",
            ],
            ["ระบบบัญชี", "บริษัท ก", SOMCHAI, "เสนอราคา", 100000, 50, "26/12/2569"],
            ["เครือข่าย", "บริษัท ข", SOMCHAI, "ปิดการขายได้", 80000, 100, "15/11/2569"],
            ["กล้องวงจรปิด", "บริษัท ค", SOMYING, "นัดหมาย", 50000, 20, "10/12/2569"],
            ["คลาวด์", "บริษัท ง", SOMYING, "เจรจาต่อรอง", 200000, 80, "20/12/2569"],
        ]
    },
    quotas={SOMCHAI: 300000, SOMYING: 200000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(80000, 50000, 170000), SOMYING: rep(0, 170000, 30000)},
        "team": team(80000, 220000, 200000, 200000),
        "stages": {"เสนอราคา": 1, "ปิดการขายได้": 1, "นัดหมาย": 1, "เจรจาต่อรอง": 1},
        "findings": [],
        "why": "Years 2569 are Buddhist era: 26/12/2569 = 26 Dec 2026, in Q4. สมชาย: won 80,000 (15 Nov 2026); expected 100,000 x 50 % "
        "= 50,000; to generate 300,000 - 130,000 = 170,000. สมหญิง: expected 50,000 x 20 % + 200,000 x 80 % = 10,000 + 160,000 = "
        "170,000; to generate 200,000 - 170,000 = 30,000. Team 170,000 + 30,000 = 200,000; net 500,000 - 300,000 = 200,000.",
    },
)

case(
    name="th-thai-digits-months",
    group="th",
    problems=["headers-th", "thai-digits", "thai-month-names", "buddhist-era"],
    book="ยอดขาย.xlsx",
    tabs={
        "ยอดขาย": [
            [
                "ชื่อโครงการ",
                "บริษัท",
                "ผู้รับผิดชอบ",
                "ขั้นตอน",
                "มูลค่าโครงการ",
                "โอกาสปิดการขาย",
                "กำหนดปิดการขาย",
            ],
            ["ระบบ POS", "ร้าน ก", SOMCHAI, "นำเสนอ", "๑๒๐,๐๐๐", 50, "๒๖ ธ.ค. ๒๕๖๙"],
            ["เว็บไซต์", "ร้าน ข", SOMCHAI, "ชนะ", "๔๕,๐๐๐", 100, "๓ พ.ย. ๒๕๖๙"],
            ["แอปมือถือ", "ร้าน ค", SOMYING, "เสนอราคา", "๖๐,๐๐๐", 40, "๑๕ ธันวาคม ๒๕๖๙"],
            ["ฝึกอบรม", "ร้าน ง", SOMYING, "แพ้", "๑๐,๐๐๐", 0, "๒๐ พ.ย. ๒๕๖๙"],
        ]
    },
    quotas={SOMCHAI: 200000, SOMYING: 100000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(45000, 60000, 95000), SOMYING: rep(0, 24000, 76000)},
        "team": team(45000, 84000, 171000, 171000),
        "stages": {"นำเสนอ": 1, "ชนะ": 1, "เสนอราคา": 1, "แพ้": 1},
        "findings": [],
        "why": "Thai digits: ๑๒๐,๐๐๐ = 120,000; '๒๖ ธ.ค. ๒๕๖๙' = 26 Dec 2569 BE = 26 Dec 2026. สมชาย: won 45,000 (3 Nov 2026); "
        "expected 120,000 x 50 % = 60,000; to generate 200,000 - 105,000 = 95,000. สมหญิง: expected 60,000 x 40 % = 24,000; to "
        "generate 100,000 - 24,000 = 76,000. Team 95,000 + 76,000 = 171,000; net 300,000 - 129,000 = 171,000.",
    },
)

case(
    name="th-baht-lan",
    group="th",
    problems=["headers-th", "baht-suffix", "lan-multiplier"],
    book="โอกาสการขาย.xlsx",
    tabs={
        "โอกาสการขาย": [
            ["ชื่อโอกาสการขาย", "ลูกค้า", "เจ้าของดีล", "ขั้นการขาย", "มูลค่าดีล", "โอกาสสำเร็จ", "วันปิดการขาย"],
            ["โรงงาน", "บริษัท จ", SOMCHAI, "เสนอราคา", "1,500,000 บาท", 40, D(2026, 12, 20)],
            ["คลังสินค้า", "บริษัท ฉ", SOMCHAI, "ปิดการขายได้", "1.2 ล้าน", 100, D(2026, 11, 10)],
            ["สำนักงาน", "บริษัท ช", SOMYING, "เจรจาต่อรอง", "350,000 บาท", 60, D(2026, 12, 5)],
            ["ร้านค้า", "บริษัท ซ", SOMYING, "ปิดการขายไม่ได้", "๘๐๐,๐๐๐ บาท", 0, D(2026, 11, 11)],
        ]
    },
    quotas={SOMCHAI: 3000000, SOMYING: 1000000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(1200000, 600000, 1200000), SOMYING: rep(0, 210000, 790000)},
        "team": team(1200000, 810000, 1990000, 1990000),
        "stages": {"เสนอราคา": 1, "ปิดการขายได้": 1, "เจรจาต่อรอง": 1, "ปิดการขายไม่ได้": 1},
        "findings": [],
        "why": "'1.2 ล้าน' = 1,200,000 (ล้าน is a million), 'บาท' is THB. สมชาย: won 1,200,000; expected 1,500,000 x 40 % = 600,000; "
        "to generate 3,000,000 - 1,800,000 = 1,200,000. สมหญิง: expected 350,000 x 60 % = 210,000; to generate 1,000,000 - 210,000 = "
        "790,000. Team 1,200,000 + 790,000 = 1,990,000; net 4,000,000 - 2,010,000 = 1,990,000.",
    },
)

# ============================================================================ issue 9's problems, one case each

H = ["Deal", "Owner", "Stage", "Amount", "Probability", "Close Date"]
DEC10, DEC11, DEC12 = D(2026, 12, 10), D(2026, 12, 11), D(2026, 12, 12)

case(
    name="problem-eu-thousands-locale",
    group="problem",
    problems=["eu-thousands", "team-locale", "team-gap"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Lager", "Ana", "Proposal", "12.500", 50, DEC10],
            ["Software", "Ana", "Won", "150.000", None, D(2026, 11, 2)],
            ["Wartung", "Ben", "Negotiation", "3.000", 80, DEC11],
        ]
    },
    toml='[team]\nlocale = "de_DE"\n',
    quotas={"Ana": 100000, "Ben": 50000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(150000, 6250, 0), "Ben": rep(0, 2400, 47600)},
        "team": team(150000, 8650, 47600, 0),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "why": "[team] locale de_DE: 12.500 is 12,500 (not 12.5). Ana: won 150,000; expected 12,500 x 50 % = 6,250; 100,000 - "
        "156,250 < 0 so 0. Ben: expected 3,000 x 80 % = 2,400; to generate 50,000 - 2,400 = 47,600. Team: to generate 0 + 47,600 = "
        "47,600 while the net team gap is max(0, 150,000 - 150,000 - 8,650) = 0.",
    },
)

case(
    name="problem-ambiguous-12500-alone",
    group="problem",
    problems=["ambiguous-number"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Lager", "Ana", "Proposal", "12.500", 50, DEC10],
            ["Software", "Ana", "Won", "150.000", None, D(2026, 11, 2)],
            ["Wartung", "Ben", "Negotiation", "3.000", 80, DEC11],
        ]
    },
    quotas={"Ana": 100000, "Ben": 50000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(0, 0, 100000), "Ben": rep(0, 0, 50000)},
        "team": team(0, 0, 150000, 150000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [
            ["ambiguous-number", "Deals!D2"],
            ["ambiguous-number", "Deals!D3"],
            ["ambiguous-number", "Deals!D4"],
        ],
        "fixes": {"ambiguous-number": ["locale", "decimal_comma"]},
        "why": "Every amount is 'digits.three digits': 12,500 or 12.5, and nothing in the column tells. Each is asked, none used: "
        "won 0 and expected 0 for both, so to generate = the quota: Ana 100,000, Ben 50,000; team 150,000 both ways.",
    },
)

MIXED = [
    H,
    ["Acme", "Ana", "Proposal", "$5,000", 50, DEC10],
    ["Birch", "Ana", "Won", "€5,000", None, D(2026, 11, 5)],
    ["Cedar", "Ben", "Won", "£5,000", None, D(2026, 11, 6)],
    ["Dune", "Ben", "Negotiation", "$10,000", 80, DEC12],
]

case(
    name="problem-mixed-currency",
    group="problem",
    problems=["mixed-currency"],
    book="pipeline.xlsx",
    tabs={"Deals": MIXED},
    quotas={"Ana": 20000, "Ben": 20000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(0, 2500, 17500), "Ben": rep(0, 8000, 12000)},
        "team": team(0, 10500, 29500, 29500),
        "stages": {"Proposal": 1, "Won": 2, "Negotiation": 1},
        "findings": [["mixed-currency", "Deals!D3"], ["mixed-currency", "Deals!D4"]],
        "fixes": {"mixed-currency": ["rates"]},
        "why": "The team's currency is the column's most common, USD ($ twice). €5,000 and £5,000 have no rate: each a finding, "
        "left out (never 5,000 + 5,000 + 5,000). Ana: won 0; expected $5,000 x 50 % = 2,500; to generate 20,000 - 2,500 = 17,500. "
        "Ben: won 0; expected $10,000 x 80 % = 8,000; to generate 12,000. Team 17,500 + 12,000 = 29,500; net 40,000 - 10,500 = 29,500.",
    },
)

case(
    name="problem-mixed-currency-rates",
    group="problem",
    problems=["mixed-currency-rates"],
    book="pipeline.xlsx",
    tabs={"Deals": MIXED},
    toml='[team]\ncurrency = "USD"\n\n[[rates]]\ncurrency = "EUR"\nrate = 1.10\n\n[[rates]]\ncurrency = "GBP"\nrate = 1.25\n',
    quotas={"Ana": 20000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(5500, 2500, 12000), "Ben": rep(6250, 8000, 5750)},
        "team": team(11750, 10500, 17750, 17750),
        "stages": {"Proposal": 1, "Won": 2, "Negotiation": 1},
        "findings": [],
        "rates_used": ["EUR", "GBP"],
        "why": "[[rates]] EUR 1.10 and GBP 1.25 USD per unit. Ana: won €5,000 x 1.10 = $5,500; expected $5,000 x 50 % = 2,500; "
        "to generate 20,000 - 5,500 - 2,500 = 12,000. Ben: won £5,000 x 1.25 = $6,250; expected $10,000 x 80 % = 8,000; to generate "
        "20,000 - 14,250 = 5,750. Team: won 11,750, expected 10,500, to generate 12,000 + 5,750 = 17,750; net 40,000 - 22,250 = 17,750.",
    },
)

case(
    name="problem-cover-tab",
    group="problem",
    problems=["cover-tab"],
    book="q4-review.xlsx",
    tabs={
        "Cover": [
            ["Q4 pipeline review"],
            ["Owner", "Stage"],
            ["Sales ops", "Draft"],
        ],
        "Pipeline": [
            H,
            ["A1", "Ana", "Proposal", 1000, 50, D(2026, 12, 1)],
            ["A2", "Ana", "Proposal", 2000, 50, D(2026, 12, 2)],
            ["A3", "Ana", "Proposal", 3000, 50, D(2026, 12, 3)],
            ["A4", "Ana", "Proposal", 4000, 50, D(2026, 12, 4)],
            ["A5", "Ana", "Proposal", 5000, 50, D(2026, 12, 5)],
            ["B1", "Ben", "Won", 2500, None, D(2026, 11, 2)],
            ["B2", "Ben", "Won", 2500, None, D(2026, 11, 4)],
            ["B3", "Ben", "Won", 2500, None, D(2026, 11, 6)],
            ["B4", "Ben", "Won", 2500, None, D(2026, 11, 8)],
            ["B5", "Ben", "Lost", 3000, None, D(2026, 11, 9)],
        ],
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "deals_tab": "Pipeline",
        "owners": {"Ana": rep(0, 7500, 12500), "Ben": rep(10000, 0, 0)},
        "team": team(10000, 7500, 12500, 12500),
        "stages": {"Proposal": 5, "Won": 4, "Lost": 1},
        "findings": [],
        "why": "The one-row Cover tab says Owner and Stage but the ten-deal Pipeline tab is the deals. Ana: expected (1,000 + 2,000 + "
        "3,000 + 4,000 + 5,000) x 50 % = 15,000 x 0.5 = 7,500; to generate 20,000 - 7,500 = 12,500. Ben: won 4 x 2,500 = 10,000 = "
        "quota, to generate 0. Team 12,500 + 0 = 12,500; net 30,000 - 17,500 = 12,500.",
    },
)

case(
    name="problem-excel-table-total-row",
    group="problem",
    problems=["excel-table-total-row", "formula-not-calculated-in-total"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ana", "Won", 4000, 100, D(2026, 11, 4)],
            ["Cedar", "Ben", "Negotiation", 6000, 80, DEC11],
            ["Dune", "Ben", "Lead", 1000, 10, DEC12],
            ["Total", None, None, F("=SUBTOTAL(109,Pipeline[Amount])"), None, None],
        ]
    },
    tables=[Table("Deals", "Pipeline", "A1:F6", totals=True)],
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 4900, 5100)},
        "team": team(4000, 9900, 16100, 16100),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1, "Lead": 1},
        "findings": [],
        "skipped_rows": [6],
        "why": "Row 6 is the Table's Total Row (totalsRowCount=1), not a deal with no owner. Ana: won 4,000; expected 10,000 x 50 % = "
        "5,000; to generate 20,000 - 9,000 = 11,000. Ben: expected 6,000 x 80 % + 1,000 x 10 % = 4,800 + 100 = 4,900; to generate "
        "10,000 - 4,900 = 5,100. Team 11,000 + 5,100 = 16,100; net 30,000 - 13,900 = 16,100.",
    },
)

case(
    name="problem-hand-totals-rows",
    group="problem",
    problems=["hand-totals-row", "subtotal-rows"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ana", "Won", 4000, None, D(2026, 11, 4)],
            ["Subtotal", None, None, 14000, None, None],
            ["Cedar", "Ben", "Negotiation", 6000, 80, DEC11],
            ["Dune", "Ben", "Won", 1000, None, D(2026, 11, 5)],
            ["Subtotal", None, None, 7000, None, None],
            ["Grand Total", None, None, 21000, None, None],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(1000, 4800, 4200)},
        "team": team(5000, 9800, 15200, 15200),
        "stages": {"Proposal": 1, "Won": 2, "Negotiation": 1},
        "findings": [],
        "skipped_rows": [4, 7, 8],
        "why": "Rows 4 and 7 (Subtotal 10,000 + 4,000 = 14,000; 6,000 + 1,000 = 7,000) and 8 (Grand Total 21,000) are not deals. "
        "Ana: won 4,000; expected 5,000; to generate 20,000 - 9,000 = 11,000. Ben: won 1,000; expected 6,000 x 80 % = 4,800; to "
        "generate 10,000 - 5,800 = 4,200. Team 11,000 + 4,200 = 15,200; net 30,000 - 14,800 = 15,200.",
    },
)

case(
    name="problem-pipedrive-status",
    group="problem",
    problems=["status-column", "crm-pipedrive"],
    book="deals.xlsx",
    tabs={
        "Deals": [
            [
                "Deal - Title",
                "Deal - Owner",
                "Deal - Stage",
                "Deal - Value",
                "Deal - Status",
                "Deal - Probability",
                "Deal - Expected close date",
            ],
            ["Acme", "Ana", "Proposal Made", 10000, "open", 50, DEC10],
            ["Birch", "Ana", "Negotiations Started", 20000, "won", None, D(2026, 11, 3)],
            ["Cedar", "Ben", "Proposal Made", 15000, "lost", None, D(2026, 11, 4)],
            ["Dune", "Ben", "Demo Scheduled", 8000, "open", 25, D(2026, 12, 15)],
            ["Elm", "Ben", "Qualified", 3000, "won", None, D(2026, 10, 15)],
        ]
    },
    quotas={"Ana": 30000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(20000, 5000, 5000), "Ben": rep(3000, 2000, 15000)},
        "team": team(23000, 7000, 20000, 20000),
        "stages": {
            "Proposal Made": 2,
            "Negotiations Started": 1,
            "Demo Scheduled": 1,
            "Qualified": 1,
        },
        "findings": [],
        "why": "Won and lost deals are not open pipeline. Ana: won 20,000 (Birch); expected 10,000 x 50 % = 5,000; to generate "
        "30,000 - 25,000 = 5,000. Ben: won 3,000 (Elm); Cedar lost; expected 8,000 x 25 % = 2,000; to generate 20,000 - 5,000 = "
        "15,000. Team 5,000 + 15,000 = 20,000; net 50,000 - 30,000 = 20,000.",
    },
)

case(
    name="problem-buddhist-era-dates",
    group="problem",
    problems=["buddhist-era"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", 10000, 50, "26/12/2569"],
            ["Birch", "Ana", "Won", 6000, None, "15/11/2569"],
            ["Cedar", "Ben", "Negotiation", 8000, 75, "20/12/2569"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(6000, 5000, 9000), "Ben": rep(0, 6000, 4000)},
        "team": team(6000, 11000, 13000, 13000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "why": "26/12/2569 BE = 26 Dec 2026 (2569 - 543), in the quarter. Ana: won 6,000; expected 10,000 x 50 % = 5,000; to generate "
        "20,000 - 11,000 = 9,000. Ben: expected 8,000 x 75 % = 6,000; to generate 4,000. Team 13,000; net 30,000 - 17,000 = 13,000.",
    },
)

case(
    name="problem-probability-percent-column",
    group="problem",
    problems=["probability-percent"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            ["Deal", "Owner", "Stage", "Amount", "Probability (%)", "Close Date"],
            ["Acme", "Ana", "Proposal", 10000, 1, DEC10],
            ["Birch", "Ana", "Negotiation", 20000, 50, DEC11],
            ["Cedar", "Ben", "Proposal", 5000, 80, DEC12],
            ["Dune", "Ben", "Won", 3000, 100, D(2026, 11, 2)],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(0, 10100, 9900), "Ben": rep(3000, 4000, 3000)},
        "team": team(3000, 14100, 12900, 12900),
        "stages": {"Proposal": 2, "Negotiation": 1, "Won": 1},
        "findings": [],
        "why": "A percent column: 1 is 1 %, not 100 %. Ana: expected 10,000 x 1 % + 20,000 x 50 % = 100 + 10,000 = 10,100; to "
        "generate 20,000 - 10,100 = 9,900. Ben: won 3,000; expected 5,000 x 80 % = 4,000; to generate 10,000 - 7,000 = 3,000. "
        "Team 9,900 + 3,000 = 12,900; net 30,000 - 17,100 = 12,900.",
    },
)

case(
    name="problem-opt-outs",
    group="problem",
    problems=["opt-out"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            [
                "Deal",
                "Owner",
                "Stage",
                "Amount",
                "Probability",
                "Close Date",
                "Contact Email",
                "Do Not Email",
            ],
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10, "ann@acme.example", "Unsubscribed"],
            ["Birch", "Ana", "Won", 5000, None, D(2026, 11, 2), "bo@birch.example", "no"],
            ["Cedar", "Ben", "Negotiation", 8000, 50, DEC11, "cy@cedar.example", "do not email!"],
            ["Dune", "Ben", "Proposal", 2000, 50, DEC12, "di@dune.example", None],
            ["Elm", "Ben", "Appointment", 4000, 25, DEC12, "ed@elm.example", "yes"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(5000, 5000, 10000), "Ben": rep(0, 6000, 14000)},
        "team": team(5000, 11000, 24000, 24000),
        "stages": {"Proposal": 2, "Won": 1, "Negotiation": 1, "Appointment": 1},
        "findings": [["opt-out-assumed", "Deals!H2"], ["opt-out-assumed", "Deals!H4"]],
        "fixes": {"opt-out-assumed": ["opt-out"]},
        "do_not_email_rows": [2, 4, 6],
        "why": "'Unsubscribed' (H2) and 'do not email!' (H4) are neither a plain yes nor no: read as opt-outs and said; 'yes' (H6) "
        "blocks too; 'no' and a blank do not. Ana: won 5,000; expected 10,000 x 50 % = 5,000; to generate 10,000. Ben: expected "
        "8,000 x 50 % + 2,000 x 50 % + 4,000 x 25 % = 4,000 + 1,000 + 1,000 = 6,000; to generate 14,000. Team 24,000; net 40,000 - "
        "16,000 = 24,000.",
    },
)

case(
    name="problem-formula-not-calculated",
    group="problem",
    problems=["formula-not-calculated"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ana", "Negotiation", F("=Prices!B2*4"), 80, DEC11],
            ["Cedar", "Ben", "Won", 3000, None, D(2026, 11, 2)],
        ],
        "Prices": [["Product", "Price"], ["Seat", 2500]],
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(0, 5000, 15000), "Ben": rep(3000, 0, 7000)},
        "team": team(3000, 5000, 22000, 22000),
        "stages": {"Proposal": 1, "Negotiation": 1, "Won": 1},
        "findings": [["formula-not-calculated", "Deals!D3"]],
        "fixes": {"formula-not-calculated": ["Excel", "LibreOffice"]},
        "why": "D3 =Prices!B2*4 reads another tab and was never calculated: a finding at D3 (not 'ask about budget'), left out. "
        "Ana: expected 10,000 x 50 % = 5,000; to generate 20,000 - 5,000 = 15,000. Ben: won 3,000; to generate 7,000. Team 22,000; "
        "net 30,000 - 8,000 = 22,000.",
    },
)

case(
    name="problem-formula-evaluated-exactly",
    group="problem",
    problems=["formula-evaluated"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            [
                "Deal",
                "Owner",
                "Stage",
                "Units",
                "Unit Price",
                "Amount",
                "Probability",
                "Close Date",
            ],
            ["Acme", "Ana", "Proposal", 4, 2500, F("=D2*E2"), 50, DEC10],
            ["Birch", "Ana", "Won", 3, 1250.5, F("=D3*E3"), None, D(2026, 11, 3)],
            ["Cedar", "Ben", "Negotiation", 10, 800, F("=D4*E4"), 75, DEC11],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(3751.5, 5000, 11248.5), "Ben": rep(0, 6000, 4000)},
        "team": team(3751.5, 11000, 15248.5, 15248.5),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "why": "=D*E on the same row is computed exactly: 4 x 2,500 = 10,000; 3 x 1,250.50 = 3,751.50; 10 x 800 = 8,000. Ana: won "
        "3,751.50; expected 10,000 x 50 % = 5,000; to generate 20,000 - 8,751.50 = 11,248.50. Ben: expected 8,000 x 75 % = 6,000; "
        "to generate 4,000. Team 15,248.50; net 30,000 - 14,751.50 = 15,248.50.",
    },
)

case(
    name="problem-team-gap",
    group="problem",
    problems=["team-gap"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Won", 300000, None, D(2026, 11, 2)],
            ["Birch", "Ana", "Proposal", 50000, 50, DEC10],
            ["Cedar", "Ben", "Proposal", 100000, 50, DEC11],
        ]
    },
    quotas={"Ana": 200000, "Ben": 200000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(300000, 25000, 0), "Ben": rep(0, 50000, 150000)},
        "team": team(300000, 75000, 150000, 25000),
        "stages": {"Won": 1, "Proposal": 2},
        "findings": [],
        "why": "Ana is 125,000 ahead (300,000 + 25,000 - 200,000), Ben still needs 200,000 - 50,000 = 150,000. Team still to "
        "generate = 0 + 150,000 = 150,000 (not 0); net team gap = 400,000 - 300,000 - 75,000 = 25,000.",
    },
)

case(
    name="problem-mio-euro",
    group="problem",
    problems=["mio-euro"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Rechenzentrum", "Ana", "Negotiation", "1,5 Mio. €", 60, DEC10],
            ["Netz", "Ana", "Won", "2 Mio. €", None, D(2026, 11, 3)],
            ["Beratung", "Ben", "Proposal", "750.000 €", 40, DEC11],
        ]
    },
    quotas={"Ana": 3000000, "Ben": 1000000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(2000000, 900000, 100000), "Ben": rep(0, 300000, 700000)},
        "team": team(2000000, 1200000, 800000, 800000),
        "stages": {"Negotiation": 1, "Won": 1, "Proposal": 1},
        "findings": [],
        "why": "1,5 Mio. € = 1,500,000; 2 Mio. € = 2,000,000; 750.000 € = 750,000. Ana: won 2,000,000; expected 1,500,000 x 60 % = "
        "900,000; to generate 3,000,000 - 2,900,000 = 100,000. Ben: expected 750,000 x 40 % = 300,000; to generate 700,000. Team "
        "800,000; net 4,000,000 - 3,200,000 = 800,000.",
    },
)

case(
    name="problem-million-words",
    group="problem",
    problems=["million-words"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", "1.2 million", 50, DEC10],
            ["Birch", "Ana", "Won", "350,000", None, D(2026, 11, 4)],
            ["Cedar", "Ben", "Negotiation", "2.5 million", 80, DEC11],
        ]
    },
    quotas={"Ana": 1000000, "Ben": 3000000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(350000, 600000, 50000), "Ben": rep(0, 2000000, 1000000)},
        "team": team(350000, 2600000, 1050000, 1050000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "why": "1.2 million = 1,200,000; 2.5 million = 2,500,000. Ana: won 350,000; expected 1,200,000 x 50 % = 600,000; to generate "
        "1,000,000 - 950,000 = 50,000. Ben: expected 2,500,000 x 80 % = 2,000,000; to generate 1,000,000. Team 1,050,000; net "
        "4,000,000 - 2,950,000 = 1,050,000.",
    },
)

case(
    name="problem-thai-lan",
    group="problem",
    problems=["lan-multiplier"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["โรงงาน", SOMCHAI, "Proposal", "1.2 ล้าน", 50, DEC10],
            ["คลัง", SOMCHAI, "Won", "3 ล้าน", None, D(2026, 11, 5)],
            ["ร้าน", SOMYING, "Negotiation", "500,000", 40, DEC11],
        ]
    },
    quotas={SOMCHAI: 4000000, SOMYING: 1000000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(3000000, 600000, 400000), SOMYING: rep(0, 200000, 800000)},
        "team": team(3000000, 800000, 1200000, 1200000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "why": "1.2 ล้าน = 1,200,000; 3 ล้าน = 3,000,000. สมชาย: won 3,000,000; expected 1,200,000 x 50 % = 600,000; to generate "
        "4,000,000 - 3,600,000 = 400,000. สมหญิง: expected 500,000 x 40 % = 200,000; to generate 800,000. Team 1,200,000; net "
        "5,000,000 - 3,800,000 = 1,200,000.",
    },
)

case(
    name="problem-baht",
    group="problem",
    problems=["baht-suffix"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["โรงงาน", SOMCHAI, "Proposal", "1,500,000 บาท", 20, DEC10],
            ["คลัง", SOMCHAI, "Won", "250,000 บาท", None, D(2026, 11, 5)],
            ["ร้าน", SOMYING, "Appointment", "80,000 บาท", 10, DEC11],
        ]
    },
    quotas={SOMCHAI: 1000000, SOMYING: 500000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(250000, 300000, 450000), SOMYING: rep(0, 8000, 492000)},
        "team": team(250000, 308000, 942000, 942000),
        "stages": {"Proposal": 1, "Won": 1, "Appointment": 1},
        "findings": [],
        "why": "บาท is THB, the team's currency. สมชาย: won 250,000; expected 1,500,000 x 20 % = 300,000; to generate 1,000,000 - "
        "550,000 = 450,000. สมหญิง: expected 80,000 x 10 % = 8,000; to generate 492,000. Team 942,000; net 1,500,000 - 558,000 = 942,000.",
    },
)

case(
    name="problem-implausible-dates",
    group="problem",
    problems=["implausible-date"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ana", "Negotiation", 20000, 80, D(2062, 12, 15)],
            ["Cedar", "Ben", "Won", 5000, None, D(2026, 11, 3)],
            ["Dune", "Ben", "Proposal", 4000, 50, D(1926, 12, 1)],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(0, 5000, 15000), "Ben": rep(5000, 0, 5000)},
        "team": team(5000, 5000, 20000, 20000),
        "stages": {"Proposal": 2, "Negotiation": 1, "Won": 1},
        "findings": [["implausible-date", "Deals!F3"], ["implausible-date", "Deals!F5"]],
        "fixes": {"implausible-date": ["year", "left out"]},
        "why": "2062-12-15 is 36 years after the as-of date and 1926-12-01 is 100 years before: both findings, left out, so those "
        "deals are not in the quarter. Ana: expected 10,000 x 50 % = 5,000; to generate 15,000. Ben: won 5,000; to generate 5,000. "
        "Team 20,000; net 30,000 - 10,000 = 20,000.",
    },
)

TWIN = [
    H,
    ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
    ["Birch", "Ana", "Won", 4000, None, D(2026, 11, 4)],
    ["Cedar", "Ben", "Negotiation", 6000, 80, DEC11],
    ["Dune", "Ben", "Lost", 1000, None, D(2026, 11, 5)],
]

case(
    name="problem-two-close-tabs",
    group="problem",
    problems=["two-candidate-tabs"],
    book="pipeline.xlsx",
    tabs={"Pipeline": TWIN, "Pipeline (copy)": TWIN},
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 2,
        "error_mentions": ["Pipeline", "Pipeline (copy)", "deals_tab"],
        "why": "Two tabs with the same four deals score the same: sheetsync cannot tell which is the pipeline and stops (exit 2) "
        "naming both tabs and the deals_tab setting.",
    },
)


# ============================================================================ more layouts seen in the field

case(
    name="crm-hubspot-api-ids",
    group="crm",
    problems=["crm-hubspot", "crm-stage-ids", "iso-timestamps", "csv"],
    book="hubspot-api-dump.csv",
    tabs={
        "hubspot-api-dump": [
            ["Record ID", "Deal Name", "Deal Stage", "Amount", "Deal owner", "Close Date"],
            ["201", "Acme", "appointmentscheduled", "10000", "Ana", "2026-12-15T17:00:00.000Z"],
            ["202", "Birch", "closedwon", "7000", "Ana", "2026-11-20T09:30:00.000Z"],
            ["203", "Cedar", "contractsent", "5000", "Ben", "2026-12-01T12:00:00.000Z"],
            ["204", "Dune", "closedlost", "2000", "Ben", "2026-11-21T08:00:00.000Z"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(7000, 2000, 11000), "Ben": rep(0, 4500, 5500)},
        "team": team(7000, 6500, 16500, 16500),
        "stages": {
            "Appointment Scheduled": 1,
            "Closed Won": 1,
            "Contract Sent": 1,
            "Closed Lost": 1,
        },
        "findings": [],
        "why": "An API dump writes HubSpot's internal stage ids (appointmentscheduled = Appointment Scheduled 20 %, "
        "contractsent = Contract Sent 90 %) and ISO timestamps. Ana: won 7,000; expected 10,000 x 0.2 = 2,000; to generate "
        "20,000 - 9,000 = 11,000. Ben: expected 5,000 x 0.9 = 4,500; to generate 5,500. Team 16,500; net 30,000 - 13,500 = 16,500.",
    },
)

case(
    name="crm-salesforce-won-closed-booleans",
    group="crm",
    problems=["crm-salesforce", "status-column", "boolean-status"],
    book="opportunities.xlsx",
    tabs={
        "Report": [
            [
                "Opportunity Owner",
                "Opportunity Name",
                "Stage",
                "Amount",
                "Probability (%)",
                "Close Date",
                "Won",
                "Closed",
            ],
            ["Ana", "Acme", "Proposal/Price Quote", 10000, 75, DEC10, False, False],
            ["Ana", "Birch", "Negotiation/Review", 8000, 90, D(2026, 11, 12), True, True],
            ["Ben", "Cedar", "Value Proposition", 6000, 50, D(2026, 11, 13), False, True],
            ["Ben", "Dune", "Prospecting", 4000, 10, D(2026, 12, 20), False, False],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(8000, 7500, 4500), "Ben": rep(0, 400, 9600)},
        "team": team(8000, 7900, 14100, 14100),
        "stages": {
            "Proposal/Price Quote": 1,
            "Negotiation/Review": 1,
            "Value Proposition": 1,
            "Prospecting": 1,
        },
        "findings": [],
        "why": "Won and Closed (IsWon, IsClosed) together: TRUE/TRUE won, FALSE/TRUE lost, FALSE/FALSE open. Ana: won 8,000 "
        "(Birch); expected 10,000 x 75 % = 7,500; to generate 20,000 - 15,500 = 4,500. Ben: Cedar lost; expected 4,000 x 10 % = "
        "400; to generate 9,600. Team 14,100; net 30,000 - 15,900 = 14,100.",
    },
)

case(
    name="de-excel-csv-cp1252",
    group="de",
    problems=["headers-de", "csv", "semicolon-csv", "cp1252", "percent-text"],
    book="export.csv",
    csv_delimiter=";",
    csv_encoding="cp1252",
    tabs={
        "export": [
            [
                "Bezeichnung",
                "Kunde",
                "Verkäufer",
                "Phase",
                "Auftragswert",
                "Wahrscheinlichkeit",
                "Abschlusstermin",
            ],
            ["Lager", "Müller", "Ana", "Angebot", "12.500,00 €", "50 %", "15.12.2026"],
            ["Kasse", "Weiß", "Ana", "Gewonnen", "3.250,00 €", "100 %", "02.11.2026"],
            ["Flotte", "Groß", "Ben", "Verhandlung", "8.000,00 €", "75 %", "18.12.2026"],
            ["Büro", "Jäger", "Ben", "Verloren", "1.000,00 €", "0 %", "03.11.2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(3250, 6250, 10500), "Ben": rep(0, 6000, 4000)},
        "team": team(3250, 12250, 14500, 14500),
        "stages": {"Angebot": 1, "Gewonnen": 1, "Verhandlung": 1, "Verloren": 1},
        "findings": [],
        "why": "Excel's German 'CSV (Trennzeichen-getrennt)': Windows-1252, semicolons, '12.500,00 €', '50 %'. Ana: won 3.250; "
        "expected 12.500 x 50 % = 6.250; to generate 20.000 - 9.500 = 10.500. Ben: expected 8.000 x 75 % = 6.000; to generate "
        "4.000. Team 14.500; net 30.000 - 15.500 = 14.500.",
    },
)

case(
    name="en-us-dates-csv",
    group="en",
    problems=["text-dates-mdy", "csv", "currency-prefix"],
    book="pipeline.csv",
    tabs={
        "pipeline": [
            ["Deal", "Owner", "Stage", "Amount", "Probability", "Close Date"],
            ["Acme", "Ana", "Proposal", "$12,500.00", "50", "12/15/2026"],
            ["Birch", "Ana", "Won", "$3,000.00", "", "11/03/2026"],
            ["Cedar", "Ben", "Negotiation", "$4,000.00", "80", "12/01/2026"],
            ["Dune", "Ben", "Won", "$1,500.00", "", "10/05/2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(3000, 6250, 10750), "Ben": rep(1500, 3200, 5300)},
        "team": team(4500, 9450, 16050, 16050),
        "stages": {"Proposal": 1, "Won": 2, "Negotiation": 1},
        "findings": [],
        "why": "12/15/2026 makes the column month/day: 11/03 is 3 November, 12/01 is 1 December, 10/05 is 5 October (read day "
        "first they would leave the quarter). Ana: won 3,000; expected 12,500 x 50 % = 6,250; to generate 20,000 - 9,250 = 10,750. "
        "Ben: won 1,500; expected 4,000 x 80 % = 3,200; to generate 10,000 - 4,700 = 5,300. Team 16,050; net 30,000 - 13,950 = 16,050.",
    },
)

case(
    name="problem-sections-and-separators",
    group="problem",
    problems=["section-rows", "separator-rows"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Region North"],
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ana", "Won", 2000, None, D(2026, 11, 2)],
            [],
            ["Region South"],
            ["Cedar", "Ben", "Negotiation", 5000, 60, DEC11],
            ["-----"],
            ["Dune", "Ben", "Lead", 1000, 10, DEC12],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(2000, 5000, 13000), "Ben": rep(0, 3100, 6900)},
        "team": team(2000, 8100, 19900, 19900),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1, "Lead": 1},
        "findings": [],
        "skipped_rows": [2, 6, 8],
        "why": "Rows 2 and 6 are section titles, row 8 a separator, row 5 blank: none is a deal. Ana: won 2,000; expected 10,000 "
        "x 50 % = 5,000; to generate 20,000 - 7,000 = 13,000. Ben: expected 5,000 x 60 % + 1,000 x 10 % = 3,000 + 100 = 3,100; "
        "to generate 6,900. Team 19,900; net 30,000 - 10,100 = 19,900.",
    },
)

case(
    name="problem-stages-tab-by-probability",
    group="problem",
    problems=["stages-tab-probability-outcome"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            ["Deal", "Owner", "Stage", "Amount", "Close Date"],
            ["Acme", "Ana", "Offer", 10000, DEC10],
            ["Birch", "Ana", "Signed", 4000, D(2026, 11, 4)],
            ["Cedar", "Ben", "Intro", 3000, DEC11],
            ["Dune", "Ben", "Dropped", 2000, D(2026, 11, 5)],
        ],
        "Stages": [
            ["Stage", "Probability"],
            ["Intro", "10%"],
            ["Offer", "50%"],
            ["Signed", "100%"],
            ["Dropped", "0%"],
        ],
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 300, 9700)},
        "team": team(4000, 5300, 20700, 20700),
        "stages": {"Offer": 1, "Signed": 1, "Intro": 1, "Dropped": 1},
        "findings": [],
        "why": "A Stages tab with no Outcome column: Signed at 100 % is won, Dropped at 0 % (after the first stage) lost. Ana: "
        "won 4,000; expected 10,000 x 50 % = 5,000; to generate 20,000 - 9,000 = 11,000. Ben: expected 3,000 x 10 % = 300; to "
        "generate 9,700. Team 20,700; net 30,000 - 9,300 = 20,700.",
    },
)

case(
    name="problem-rates-tab",
    group="problem",
    problems=["mixed-currency-rates", "rates-tab"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", "$10,000", 50, DEC10],
            ["Birch", "Ana", "Won", "€2,000", None, D(2026, 11, 3)],
            ["Cedar", "Ben", "Negotiation", "$5,000", 80, DEC11],
        ],
        "Rates": [["Currency", "Rate"], ["EUR", 1.1]],
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(2200, 5000, 12800), "Ben": rep(0, 4000, 6000)},
        "team": team(2200, 9000, 18800, 18800),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "rates_used": ["EUR"],
        "why": "USD is the column's most common currency; the Rates tab gives 1.1 USD per EUR. Ana: won €2,000 x 1.1 = 2,200; "
        "expected $10,000 x 50 % = 5,000; to generate 20,000 - 7,200 = 12,800. Ben: expected 5,000 x 80 % = 4,000; to generate "
        "6,000. Team 18,800; net 30,000 - 11,200 = 18,800.",
    },
)

case(
    name="problem-currency-column-without-rate",
    group="problem",
    problems=["mixed-currency", "currency-column", "crm-pipedrive"],
    book="deals.xlsx",
    tabs={
        "Deals": [
            [
                "Deal - Title",
                "Deal - Owner",
                "Deal - Stage",
                "Deal - Value",
                "Deal - Currency",
                "Deal - Status",
                "Deal - Probability",
                "Deal - Expected close date",
            ],
            ["Acme", "Ana", "Proposal Made", 10000, "EUR", "open", 50, DEC10],
            ["Birch", "Ana", "Negotiations Started", 6000, "EUR", "won", None, D(2026, 11, 3)],
            ["Cedar", "Ben", "Proposal Made", 4000, "USD", "open", 50, DEC11],
            ["Dune", "Ben", "Qualified", 2000, "EUR", "open", 25, DEC12],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(6000, 5000, 9000), "Ben": rep(0, 500, 9500)},
        "team": team(6000, 5500, 18500, 18500),
        "stages": {"Proposal Made": 2, "Negotiations Started": 1, "Qualified": 1},
        "findings": [["mixed-currency", "Deals!D4"]],
        "fixes": {"mixed-currency": ["rates", "USD"]},
        "why": "EUR is the most common currency (three deals); Cedar's 4,000 is USD with no rate: a finding at D4, left out. "
        "Ana: won 6,000; expected 10,000 x 50 % = 5,000; to generate 20,000 - 11,000 = 9,000. Ben: expected 2,000 x 25 % = 500; "
        "to generate 9,500. Team 18,500; net 30,000 - 11,500 = 18,500.",
    },
)

case(
    name="de-opt-outs-keine-email",
    group="de",
    problems=["headers-de", "opt-out"],
    book="kontakte.xlsx",
    tabs={
        "Chancen": [
            [
                "Projekt",
                "Verkäufer",
                "Phase",
                "Betrag",
                "Wahrscheinlichkeit",
                "Abschlussdatum",
                "E-Mail",
                "Keine E-Mail",
            ],
            ["Lager", "Ana", "Angebot", 10000, 50, DEC10, "a@lager.example", "ja"],
            ["Kasse", "Ana", "Gewonnen", 2000, None, D(2026, 11, 2), "b@kasse.example", "nein"],
            ["Flotte", "Ben", "Verhandlung", 6000, 50, DEC11, "c@flotte.example", "Abgemeldet"],
            ["Büro", "Ben", "Angebot", 4000, 25, DEC12, "d@buero.example", None],
            ["Netz", "Ben", "Termin", 2000, 50, DEC12, "e@netz.example", "x"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(2000, 5000, 13000), "Ben": rep(0, 5000, 5000)},
        "team": team(2000, 10000, 18000, 18000),
        "stages": {"Angebot": 2, "Gewonnen": 1, "Verhandlung": 1, "Termin": 1},
        "findings": [["opt-out-assumed", "Chancen!H4"]],
        "fixes": {"opt-out-assumed": ["opt-out"]},
        "do_not_email_rows": [2, 4, 6],
        "why": "'ja' and 'x' are a plain yes, 'nein' and a blank a plain no; 'Abgemeldet' (unsubscribed) is read as an opt-out "
        "and said (H4). Ana: won 2.000; expected 10.000 x 50 % = 5.000; to generate 13.000. Ben: expected 6.000 x 50 % + 4.000 x "
        "25 % + 2.000 x 50 % = 3.000 + 1.000 + 1.000 = 5.000; to generate 5.000. Team 18.000; net 30.000 - 12.000 = 18.000.",
    },
)

case(
    name="problem-status-stage-disagree",
    group="problem",
    problems=["status-column", "status-stage-disagree"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            ["Deal", "Owner", "Stage", "Amount", "Probability", "Close Date", "Won/Lost"],
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10, "Open"],
            ["Birch", "Ana", "Won", 3000, None, D(2026, 11, 2), "Lost"],
            ["Cedar", "Ben", "Negotiation", 6000, None, D(2026, 11, 3), "Won"],
            ["Dune", "Ben", "Lost", 1000, None, D(2026, 11, 4), "Lost"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(0, 5000, 15000), "Ben": rep(6000, 0, 4000)},
        "team": team(6000, 5000, 19000, 19000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1, "Lost": 1},
        "findings": [["status-stage-disagree", "Deals!G3"]],
        "why": "The status column decides: Birch's stage says Won but Won/Lost says Lost (a warning at G3), so it is lost; Cedar "
        "was won at Negotiation. Ana: expected 10,000 x 50 % = 5,000; to generate 15,000. Ben: won 6,000; to generate 4,000. "
        "Team 19,000; net 30,000 - 11,000 = 19,000.",
    },
)

case(
    name="es-mx-pesos",
    group="es",
    problems=["headers-es", "team-locale", "dollar-sign-peso"],
    book="negocios-mx.xlsx",
    tabs={
        "Negocios": [
            [
                "Negocio",
                "Cliente",
                "Vendedor",
                "Etapa",
                "Monto",
                "Probabilidad (%)",
                "Fecha de cierre",
            ],
            ["Portal", "Hernández", "Ana", "Propuesta", "$12,500.00", 50, "15/12/2026"],
            ["Nómina", "Ramírez", "Ana", "Ganado", "$8,000.00", 100, "03/11/2026"],
            ["Flotilla", "Cruz", "Ben", "Negociación", "$20,000.00", 70, "20/12/2026"],
        ]
    },
    toml='[team]\nlocale = "es_MX"\n',
    quotas={"Ana": 30000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(8000, 6250, 15750), "Ben": rep(0, 14000, 6000)},
        "team": team(8000, 20250, 21750, 21750),
        "stages": {"Propuesta": 1, "Ganado": 1, "Negociación": 1},
        "findings": [],
        "currency": "MXN",
        "why": "[team] locale es_MX: $ is the peso (MXN), the decimal mark a point, dates day/month. Ana: won 8,000; expected "
        "12,500 x 50 % = 6,250; to generate 30,000 - 14,250 = 15,750. Ben: expected 20,000 x 70 % = 14,000; to generate 6,000. "
        "Team 21,750; net 50,000 - 28,250 = 21,750.",
    },
)


# ============================================================================ the edges a careful person checks

case(
    name="problem-sum-formula-rows",
    group="problem",
    problems=["hand-totals-row", "total-formula-rows"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ana", "Won", 4000, None, D(2026, 11, 4)],
            [None, None, None, F("=SUBTOTAL(9,D2:D3)")],
            ["Cedar", "Ben", "Negotiation", 6000, 80, DEC11],
            ["Dune", "Ben", "Won", 1000, None, D(2026, 11, 5)],
            ["Gesamt", None, None, F("=SUM(D2:D3,D5:D6)")],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(1000, 4800, 4200)},
        "team": team(5000, 9800, 15200, 15200),
        "stages": {"Proposal": 1, "Won": 2, "Negotiation": 1},
        "findings": [],
        "skipped_rows": [4, 7],
        "why": "Row 4 has no label but =SUBTOTAL(9,D2:D3) over the amount column, row 7 'Gesamt' =SUM(...): totals, not deals, "
        "and never calculated formulas there are no finding. Ana: won 4,000; expected 10,000 x 50 % = 5,000; to generate 11,000. "
        "Ben: won 1,000; expected 6,000 x 80 % = 4,800; to generate 10,000 - 5,800 = 4,200. Team 15,200; net 30,000 - 14,800 = 15,200.",
    },
)

case(
    name="problem-owner-spacing",
    group="problem",
    problems=["owner-spacing"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana ", "Proposal", 10000, 50, DEC10],
            ["Birch", " Ana", "Won", 3000, None, D(2026, 11, 3)],
            ["Cedar", "Ben", "Negotiation", 5000, 60, DEC11],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(3000, 5000, 12000), "Ben": rep(0, 3000, 7000)},
        "team": team(3000, 8000, 19000, 19000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "why": "'Ana ' and ' Ana' are Ana (spaces around a name are typing, not another rep) and meet her quota. Ana: won 3,000; "
        "expected 10,000 x 50 % = 5,000; to generate 20,000 - 8,000 = 12,000. Ben: expected 5,000 x 60 % = 3,000; to generate "
        "7,000. Team 19,000; net 30,000 - 11,000 = 19,000.",
    },
)

case(
    name="problem-quarter-boundaries",
    group="problem",
    problems=["quarter-boundaries"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Won", 5000, None, D(2026, 10, 1)],
            ["Birch", "Ana", "Won", 7000, None, D(2026, 9, 30)],
            ["Cedar", "Ana", "Won", 2000, None, D(2026, 11, 26)],
            ["Dune", "Ben", "Proposal", 10000, 50, D(2026, 12, 31)],
            ["Elm", "Ben", "Proposal", 8000, 50, D(2027, 1, 1)],
            ["Fir", "Ben", "Won", 3000, None, D(2026, 11, 27)],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(7000, 0, 13000), "Ben": rep(0, 5000, 5000)},
        "team": team(7000, 5000, 18000, 18000),
        "stages": {"Won": 4, "Proposal": 2},
        "findings": [["won-close-date-future", "Deals!F7"]],
        "why": "Q4 is 1 Oct - 31 Dec and won counts up to the as-of date 26 Nov. Ana: won 5,000 (1 Oct) + 2,000 (26 Nov) = 7,000; "
        "Birch (30 Sep) is last quarter; to generate 20,000 - 7,000 = 13,000. Ben: expected 10,000 x 50 % = 5,000 (31 Dec); Elm "
        "(1 Jan 2027) is next quarter; Fir won 'on 27 Nov' is after the as-of date: a warning at F7, not counted; to generate "
        "10,000 - 5,000 = 5,000. Team 18,000; net 30,000 - 12,000 = 18,000.",
    },
)

case(
    name="problem-pipedrive-deleted",
    group="problem",
    problems=["crm-pipedrive", "status-column", "deleted-deals", "csv"],
    book="deals.csv",
    tabs={
        "deals": [
            [
                "Deal - Title",
                "Deal - Owner",
                "Deal - Stage",
                "Deal - Value",
                "Deal - Status",
                "Deal - Probability",
                "Deal - Expected close date",
            ],
            ["Acme", "Ana", "Proposal Made", "10000", "open", "50", "2026-12-10"],
            ["Birch", "Ana", "Qualified", "9000", "deleted", "50", "2026-12-11"],
            ["Cedar", "Ben", "Negotiations Started", "4000", "won", "", "2026-11-02"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(0, 5000, 15000), "Ben": rep(4000, 0, 6000)},
        "team": team(4000, 5000, 21000, 21000),
        "stages": {"Proposal Made": 1, "Negotiations Started": 1},
        "findings": [],
        "skipped_rows": [3],
        "why": "A deleted deal (row 3) is no deal. Ana: expected 10,000 x 50 % = 5,000; to generate 15,000. Ben: won 4,000; to "
        "generate 6,000. Team 21,000; net 30,000 - 9,000 = 21,000.",
    },
)

case(
    name="crm-salesforce-formatted-export",
    group="crm",
    problems=["crm-salesforce", "text-dates-mdy", "iso-code-amounts", "percent-text"],
    book="report-formatted.xlsx",
    tabs={
        "Report": [
            [
                "Opportunity Owner",
                "Opportunity Name",
                "Stage",
                "Amount",
                "Probability (%)",
                "Close Date",
            ],
            ["Ana", "Acme", "Prospecting", "USD 20,000.00", "10%", "12/1/2026"],
            ["Ana", "Birch", "Closed Won", "USD 6,000.00", "100%", "11/3/2026"],
            ["Ben", "Cedar", "Negotiation/Review", "USD 10,000.00", "90%", "12/18/2026"],
            ["Ben", "Dune", "Closed Won", "USD 1,000.00", "100%", "10/15/2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(6000, 2000, 12000), "Ben": rep(1000, 9000, 0)},
        "team": team(7000, 11000, 12000, 12000),
        "stages": {"Prospecting": 1, "Closed Won": 2, "Negotiation/Review": 1},
        "findings": [],
        "why": "A formatted export: 'USD 20,000.00', '10%', M/D/YYYY dates (12/18 and 10/15 make 12/1 the first of December and "
        "11/3 the third of November). Ana: won 6,000; expected 20,000 x 10 % = 2,000; to generate 20,000 - 8,000 = 12,000. Ben: "
        "won 1,000; expected 10,000 x 90 % = 9,000; 10,000 - 10,000 = 0. Team 12,000; net 30,000 - 18,000 = 12,000.",
    },
)

case(
    name="crm-dynamics365-status-reason",
    group="crm",
    problems=["crm-dynamics365", "status-column"],
    book="opportunities.xlsx",
    tabs={
        "Opportunities": [
            [
                "Topic",
                "Owner",
                "Sales Stage",
                "Status Reason",
                "Est. Revenue",
                "Probability",
                "Est. Close Date",
            ],
            ["Acme", "Ana", "Qualify", "In Progress", 10000, 20, DEC10],
            ["Birch", "Ana", "Propose", "On Hold", 5000, 40, DEC11],
            ["Cedar", "Ana", "Close", "Won", 8000, 100, D(2026, 11, 10)],
            ["Dune", "Ben", "Develop", "Out-Sold", 6000, 0, D(2026, 11, 11)],
            ["Elm", "Ben", "Propose", "Canceled", 3000, 0, D(2026, 11, 12)],
            ["Fir", "Ben", "Close", "In Progress", 12000, 80, DEC12],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(8000, 4000, 8000), "Ben": rep(0, 9600, 400)},
        "team": team(8000, 13600, 8400, 8400),
        "stages": {"Qualify": 1, "Propose": 2, "Close": 2, "Develop": 1},
        "findings": [],
        "why": "Status Reason: In Progress and On Hold are open, Won won, Out-Sold and Canceled lost. Ana: won 8,000; expected "
        "10,000 x 20 % + 5,000 x 40 % = 2,000 + 2,000 = 4,000; to generate 20,000 - 12,000 = 8,000. Ben: expected 12,000 x 80 % = "
        "9,600; to generate 400. Team 8,400; net 30,000 - 21,600 = 8,400.",
    },
)

case(
    name="crm-zoho-text-dates",
    group="crm",
    problems=["crm-zoho", "crm-default-pipeline", "month-names"],
    book="zoho-export.csv",
    tabs={
        "zoho-export": [
            ["Deal Name", "Deal Owner", "Stage", "Amount", "Closing Date"],
            ["Acme", "Ana", "Needs Analysis", "10000", "Dec 10, 2026"],
            ["Birch", "Ana", "Closed Won", "5000", "Nov 20, 2026"],
            ["Cedar", "Ben", "Identify Decision Makers", "10000", "Dec 15, 2026"],
            ["Dune", "Ben", "Closed Lost", "2000", "Nov 2, 2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(5000, 2000, 13000), "Ben": rep(0, 6000, 4000)},
        "team": team(5000, 8000, 17000, 17000),
        "stages": {
            "Needs Analysis": 1,
            "Closed Won": 1,
            "Identify Decision Makers": 1,
            "Closed Lost": 1,
        },
        "findings": [],
        "why": "Zoho's standard pipeline (Identify Decision Makers is Zoho's alone): Needs Analysis 20 %, Identify Decision "
        "Makers 60 %. Ana: won 5,000; expected 10,000 x 0.2 = 2,000; to generate 20,000 - 7,000 = 13,000. Ben: expected 10,000 "
        "x 0.6 = 6,000; to generate 4,000. Team 17,000; net 30,000 - 13,000 = 17,000.",
    },
)

case(
    name="de-zweistellige-jahre",
    group="de",
    problems=["headers-de", "two-digit-years"],
    book="chancen.xlsx",
    tabs={
        "Chancen": [
            ["Projekt", "Verkäufer", "Phase", "Betrag", "Wahrscheinlichkeit", "Abschlussdatum"],
            ["Lager", "Ana", "Angebot", 10000, 50, "15.12.26"],
            ["Kasse", "Ana", "Gewonnen", 4000, 100, "03.11.26"],
            ["Flotte", "Ben", "Verhandlung", 6000, 80, "01.12.26"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 4800, 5200)},
        "team": team(4000, 9800, 16200, 16200),
        "stages": {"Angebot": 1, "Gewonnen": 1, "Verhandlung": 1},
        "findings": [],
        "why": "15.12.26 is how German writes 15 December 2026 (CLDR de short date dd.MM.yy). Ana: won 4.000; expected 10.000 x "
        "50 % = 5.000; to generate 11.000. Ben: expected 6.000 x 80 % = 4.800; to generate 5.200. Team 16.200; net 30.000 - "
        "13.800 = 16.200.",
    },
)

case(
    name="fr-k-euros",
    group="fr",
    problems=["headers-fr", "multiplier-k"],
    book="affaires.xlsx",
    tabs={
        "Affaires": [
            [
                "Client",
                "Commercial",
                "Étape",
                "Montant",
                "Probabilité (%)",
                "Date de clôture prévue",
            ],
            ["Dupont", "Ana", "Proposition", "12,5 k€", 40, "15/12/2026"],
            ["Martin", "Ana", "Gagné", "8 k€", 100, "04/11/2026"],
            ["Bernard", "Ben", "Négociation", "1,2 M€", 50, "18/12/2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 1000000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(8000, 5000, 7000), "Ben": rep(0, 600000, 400000)},
        "team": team(8000, 605000, 407000, 407000),
        "stages": {"Proposition": 1, "Gagné": 1, "Négociation": 1},
        "findings": [],
        "why": "12,5 k€ = 12 500 €, 8 k€ = 8 000 €, 1,2 M€ = 1 200 000 €. Ana: won 8 000; expected 12 500 x 40 % = 5 000; to "
        "generate 20 000 - 13 000 = 7 000. Ben: expected 1 200 000 x 50 % = 600 000; to generate 400 000. Team 407 000; net "
        "1 020 000 - 613 000 = 407 000.",
    },
)

case(
    name="problem-stage-spelling",
    group="problem",
    problems=["stage-spelling"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "proposal ", 10000, 50, DEC10],
            ["Birch", "Ana", "WON", 3000, None, D(2026, 11, 2)],
            ["Cedar", "Ben", "Negotiation  ", 6000, None, DEC11],
            ["Dune", "Ben", "PROPOSAL", 2000, None, DEC12],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(3000, 5000, 12000), "Ben": rep(0, 6500, 3500)},
        "team": team(3000, 11500, 15500, 15500),
        "stages": {"Proposal": 2, "Won": 1, "Negotiation": 1},
        "findings": [],
        "why": "Case and spaces do not make another stage. Default list: Proposal 70 %, Negotiation 85 %. Ana: won 3,000; "
        "expected 10,000 x 50 % = 5,000; to generate 12,000. Ben: expected 6,000 x 85 % + 2,000 x 70 % = 5,100 + 1,400 = 6,500; "
        "to generate 3,500. Team 15,500; net 30,000 - 14,500 = 15,500.",
    },
)


case(
    name="problem-unit-in-header",
    group="problem",
    problems=["unit-in-header", "headers-de"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            ["Deal", "Owner", "Stage", "Amount (EUR)", "Probability %", "Expected\nClose Date"],
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ana", "Won", 4000, None, D(2026, 11, 4)],
            ["Cedar", "Ben", "Negotiation", 6000, 80, DEC11],
        ],
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 4800, 5200)},
        "team": team(4000, 9800, 16200, 16200),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "currency": "EUR",
        "why": "'Amount (EUR)' is the amount, in euros; 'Expected<line break>Close Date' (a wrapped header) the close date. "
        "Ana: won 4,000; expected 10,000 x 50 % = 5,000; to generate 20,000 - 9,000 = 11,000. Ben: expected 6,000 x 80 % = "
        "4,800; to generate 5,200. Team 16,200; net 30,000 - 13,800 = 16,200.",
    },
)

case(
    name="pt-br-valor-em-reais",
    group="pt",
    problems=["headers-pt", "unit-in-header"],
    book="funil.xlsx",
    tabs={
        "Funil": [
            [
                "Negócio",
                "Vendedor",
                "Etapa",
                "Valor (R$)",
                "Probabilidade (%)",
                "Data de fechamento",
            ],
            ["Frota", "Ana", "Proposta", 20000, 40, DEC10],
            ["Lojas", "Ana", "Ganho", 12000, 100, D(2026, 11, 9)],
            ["Galpão", "Ben", "Negociação", 30000, 70, DEC11],
            ["Clínica", "Ben", "Perdido", 5000, 0, D(2026, 11, 10)],
        ],
    },
    quotas={"Ana": 30000, "Ben": 25000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(12000, 8000, 10000), "Ben": rep(0, 21000, 4000)},
        "team": team(12000, 29000, 14000, 14000),
        "stages": {"Proposta": 1, "Ganho": 1, "Negociação": 1, "Perdido": 1},
        "findings": [],
        "currency": "BRL",
        "why": "'Valor (R$)': amounts in reais. Ana: won 12.000; expected 20.000 x 40 % = 8.000; to generate 30.000 - 20.000 = "
        "10.000. Ben: expected 30.000 x 70 % = 21.000; to generate 4.000. Team 14.000; net 55.000 - 41.000 = 14.000.",
    },
)

case(
    name="th-baht-in-header",
    group="th",
    problems=["headers-th", "unit-in-header", "thai-digits"],
    book="ดีล.xlsx",
    tabs={
        "ดีล": [
            ["ชื่อดีล", "พนักงานขาย", "ขั้นตอนการขาย", "มูลค่า (บาท)", "ความน่าจะเป็น", "วันที่คาดว่าจะปิดการขาย"],
            ["ระบบ", SOMCHAI, "เสนอราคา", "๒๕๐,๐๐๐", 40, "10/12/2569"],
            ["เว็บ", SOMCHAI, "ปิดการขายได้", "๑๕๐,๐๐๐", 100, "05/11/2569"],
            ["แอป", SOMYING, "นำเสนอ", "๘๐,๐๐๐", 50, "20/12/2569"],
        ],
    },
    quotas={SOMCHAI: 400000, SOMYING: 100000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(150000, 100000, 150000), SOMYING: rep(0, 40000, 60000)},
        "team": team(150000, 140000, 210000, 210000),
        "stages": {"เสนอราคา": 1, "ปิดการขายได้": 1, "นำเสนอ": 1},
        "findings": [],
        "currency": "THB",
        "why": "'มูลค่า (บาท)': amounts in baht, written in Thai digits (๒๕๐,๐๐๐ = 250,000); 20/12/2569 makes the dates "
        "day/month in the Buddhist era. สมชาย: won 150,000; expected 250,000 x 40 % = 100,000; to generate 400,000 - 250,000 = "
        "150,000. สมหญิง: expected 80,000 x 50 % = 40,000; to generate 60,000. Team 210,000; net 500,000 - 290,000 = 210,000.",
    },
)


case(
    name="problem-currency-number-formats",
    group="problem",
    problems=["mixed-currency", "currency-number-formats"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", Fmt(5000, "[$$-409]#,##0.00"), 50, DEC10],
            ["Birch", "Ana", "Won", Fmt(5000, "#,##0.00 [$€-407]"), None, D(2026, 11, 5)],
            ["Cedar", "Ben", "Won", Fmt(5000, "[$£-809]#,##0.00"), None, D(2026, 11, 6)],
            ["Dune", "Ben", "Negotiation", Fmt(10000, '"$"#,##0.00'), 80, DEC12],
        ]
    },
    quotas={"Ana": 20000, "Ben": 20000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(0, 2500, 17500), "Ben": rep(0, 8000, 12000)},
        "team": team(0, 10500, 29500, 29500),
        "stages": {"Proposal": 1, "Won": 2, "Negotiation": 1},
        "findings": [["mixed-currency", "Deals!D3"], ["mixed-currency", "Deals!D4"]],
        "fixes": {"mixed-currency": ["rates"]},
        "currency": "USD",
        "why": "The same sheet as problem-mixed-currency, but the amounts are numbers shown through currency formats "
        "($5,000.00, 5.000,00 €, £5,000.00, $10,000.00), as Excel users format them: USD is the most common, the euro and "
        "pound cells have no rate and are left out (never 5,000 + 5,000 + 5,000). Ana: expected 5,000 x 50 % = 2,500; to "
        "generate 17,500. Ben: expected 10,000 x 80 % = 8,000; to generate 12,000. Team 29,500; net 40,000 - 10,500 = 29,500.",
    },
)

case(
    name="problem-currency-number-formats-rates",
    group="problem",
    problems=["mixed-currency-rates", "currency-number-formats"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            H,
            ["Acme", "Ana", "Proposal", Fmt(5000, "[$$-409]#,##0.00"), 50, DEC10],
            ["Birch", "Ana", "Won", Fmt(5000, "#,##0.00 [$€-407]"), None, D(2026, 11, 5)],
            ["Cedar", "Ben", "Won", Fmt(5000, "[$£-809]#,##0.00"), None, D(2026, 11, 6)],
            ["Dune", "Ben", "Negotiation", Fmt(10000, '"$"#,##0.00'), 80, DEC12],
        ]
    },
    toml='[team]\ncurrency = "USD"\n\n[[rates]]\ncurrency = "EUR"\nrate = 1.10\n\n[[rates]]\ncurrency = "GBP"\nrate = 1.25\n',
    quotas={"Ana": 20000, "Ben": 20000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(5500, 2500, 12000), "Ben": rep(6250, 8000, 5750)},
        "team": team(11750, 10500, 17750, 17750),
        "stages": {"Proposal": 1, "Won": 2, "Negotiation": 1},
        "findings": [],
        "rates_used": ["EUR", "GBP"],
        "why": "Formatted euros and pounds converted at [[rates]]: Ana won 5,000 EUR x 1.10 = 5,500; expected 2,500; to "
        "generate 20,000 - 8,000 = 12,000. Ben: won 5,000 GBP x 1.25 = 6,250; expected 8,000; to generate 20,000 - 14,250 = "
        "5,750. Team 17,750; net 40,000 - 22,250 = 17,750.",
    },
)

case(
    name="pt-br-libreoffice-moedas",
    group="pt",
    problems=["headers-pt", "ods", "mixed-currency", "currency-cells-ods"],
    book="funil.ods",
    tabs={
        "Funil": [
            ["Negócio", "Vendedor", "Etapa", "Valor", "Probabilidade", "Data de fechamento"],
            ["Frota", "Ana", "Proposta", Cur(10000, "BRL", "R$ 10.000,00"), Pct(0.5), DEC10],
            ["Lojas", "Ana", "Ganho", Cur(5000, "USD", "US$ 5.000,00"), Pct(1), D(2026, 11, 3)],
            ["Galpão", "Ben", "Negociação", Cur(8000, "BRL", "R$ 8.000,00"), Pct(0.8), DEC11],
            ["Clínica", "Ben", "Ganho", Cur(3000, "BRL", "R$ 3.000,00"), Pct(1), D(2026, 11, 4)],
        ]
    },
    quotas={"Ana": 20000, "Ben": 15000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(0, 5000, 15000), "Ben": rep(3000, 6400, 5600)},
        "team": team(3000, 11400, 20600, 20600),
        "stages": {"Proposta": 1, "Ganho": 2, "Negociação": 1},
        "findings": [["mixed-currency", "Funil!D3"]],
        "fixes": {"mixed-currency": ["rates", "USD"]},
        "currency": "BRL",
        "why": "LibreOffice currency cells: three in BRL, Lojas in USD with no rate (a finding at D3, left out, never 5.000 "
        "more reais). Ana: expected 10.000 x 50 % = 5.000; to generate 20.000 - 5.000 = 15.000. Ben: won 3.000; expected "
        "8.000 x 80 % = 6.400; to generate 15.000 - 9.400 = 5.600. Team 20.600; net 35.000 - 14.400 = 20.600.",
    },
)

MONDAY_H = ["Deal", "Owner", "Stage", "Deal Value", "Close Probability", "Expected Close Date"]

case(
    name="crm-monday-board-groups",
    group="crm",
    problems=["crm-monday", "repeated-header-rows", "section-rows"],
    book="monday-board.xlsx",
    tabs={
        "Deals": [
            ["Deals"],
            ["Active deals"],
            MONDAY_H,
            ["Acme", "Ana", "Proposal", 10000, 50, DEC10],
            ["Birch", "Ben", "Negotiation", 6000, 80, DEC11],
            [],
            ["Closed deals"],
            MONDAY_H,
            ["Cedar", "Ana", "Won", 4000, 100, D(2026, 11, 4)],
            ["Dune", "Ben", "Lost", 2000, 0, D(2026, 11, 5)],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 4800, 5200)},
        "team": team(4000, 9800, 16200, 16200),
        "stages": {"Proposal": 1, "Negotiation": 1, "Won": 1, "Lost": 1},
        "findings": [],
        "skipped_rows": [7, 8],
        "why": "A board export: the board's and first group's titles above the header (row 3), then each group under its "
        "title with the headers again (row 8 repeats row 3, row 7 is the group title): neither is a deal. Ana: won 4,000; "
        "expected 10,000 x 50 % = 5,000; to generate 11,000. Ben: expected 6,000 x 80 % = 4,800; to generate 5,200. Team "
        "16,200; net 30,000 - 13,800 = 16,200.",
    },
)

case(
    name="de-abschluss-am",
    group="de",
    problems=["headers-de"],
    book="chancen.xlsx",
    tabs={
        "Chancen": [
            ["Projekt", "Verkäufer", "Phase", "Betrag", "Wahrscheinlichkeit", "Abschluss am"],
            ["Lager", "Ana", "Angebot", 10000, 50, DEC10],
            ["Kasse", "Ana", "Gewonnen", 4000, None, D(2026, 11, 4)],
            ["Flotte", "Ben", "Verhandlung", 6000, 80, DEC11],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 4800, 5200)},
        "team": team(4000, 9800, 16200, 16200),
        "stages": {"Angebot": 1, "Gewonnen": 1, "Verhandlung": 1},
        "findings": [],
        "why": "'Abschluss am' (closed on) is the close date. Ana: won 4.000 (4 Nov); expected 10.000 x 50 % = 5.000; to "
        "generate 20.000 - 9.000 = 11.000. Ben: expected 6.000 x 80 % = 4.800; to generate 5.200. Team 16.200; net 30.000 - "
        "13.800 = 16.200.",
    },
)

case(
    name="problem-no-close-date-column",
    group="problem",
    problems=["no-close-date-column"],
    book="pipeline.xlsx",
    tabs={
        "Deals": [
            ["Deal", "Owner", "Stage", "Amount", "Probability", "Datum"],
            ["Acme", "Ana", "Proposal", 10000, 50, "10.12.2026"],
            ["Birch", "Ana", "Won", 4000, None, "04.11.2026"],
            ["Cedar", "Ben", "Negotiation", 6000, 80, "11.12.2026"],
        ]
    },
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(0, 0, 20000), "Ben": rep(0, 0, 10000)},
        "team": team(0, 0, 30000, 30000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "notes_mention": ["no won deal counts toward a quota period", "[columns] close_date"],
        "why": "'Datum' (date) could be the close date or the day the deal was entered: nothing says which, so no deal is "
        "placed in the quarter (won 0, expected 0, to generate = the quota: Ana 20,000, Ben 10,000, team 30,000) and check "
        "says once why and how to name the column. Read as close dates they would give Ana won 4,000 and expected 5,000.",
    },
)

# ============================================================================ headers that name a multiplier

#: (case suffix, amount header, factor, currency, quotas): the amount column
#: counts in thousands or millions and says so in its header.
SCALED_HEADERS = (
    ("de-tsd-eur", "Betrag (Tsd. €)", 1_000, "EUR", (20_000, 10_000)),
    ("usd-k", "Amount ($k)", 1_000, "USD", (20_000, 10_000)),
    ("pt-mil-brl", "Valor (mil R$)", 1_000, "BRL", (20_000, 10_000)),
    ("in-thousands", "Amount (in thousands)", 1_000, None, (20_000, 10_000)),
    ("th-lan-baht", "มูลค่า (ล้านบาท)", 1_000_000, "THB", (20_000_000, 10_000_000)),
)

for _suffix, _header, _factor, _currency, (_qa, _qb) in SCALED_HEADERS:
    _k = _factor
    case(
        name=f"problem-header-multiplier-{_suffix}",
        group="problem",
        problems=["header-multiplier"],
        book="pipeline.xlsx",
        tabs={
            "Deals": [
                ["Deal", "Owner", "Stage", _header, "Probability", "Close Date"],
                ["Acme", "Ana", "Proposal", 12.5, 50, D(2026, 12, 10)],
                ["Birch", "Ana", "Won", 4, None, D(2026, 11, 4)],
                ["Cedar", "Ben", "Negotiation", 6, 80, D(2026, 12, 11)],
            ]
        },
        quotas={"Ana": _qa, "Ben": _qb},
        expected={
            "exit": 0,
            "owners": {
                "Ana": rep(4 * _k, 6.25 * _k, _qa - 4 * _k - 6.25 * _k),
                "Ben": rep(0, 4.8 * _k, _qb - 4.8 * _k),
            },
            "team": team(
                4 * _k,
                11.05 * _k,
                (_qa - 10.25 * _k) + (_qb - 4.8 * _k),
                _qa + _qb - 4 * _k - 11.05 * _k,
            ),
            "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
            "findings": [],
            "notes_mention": [f"multiplied by {_factor:,}", "Deals!D1"],
            **({"currency": _currency} if _currency else {}),
            "why": f"The header {_header!r} says the column counts in units of {_factor:,}: 12.5, 4 and 6 are "
            f"{12.5 * _factor:,.0f}, {4 * _factor:,} and {6 * _factor:,}"
            + (f" {_currency}" if _currency else "")
            + f". Ana: won {4 * _factor:,} (4 Nov); expected {12.5 * _factor:,.0f} x 50 % = {6.25 * _factor:,.0f}; "
            f"to generate {_qa:,} - {4 * _factor:,} - {6.25 * _factor:,.0f} = {_qa - 10.25 * _factor:,.0f}. Ben: expected "
            f"{6 * _factor:,} x 80 % = {4.8 * _factor:,.0f}; to generate {_qb - 4.8 * _factor:,.0f}. Team: won "
            f"{4 * _factor:,}, expected {11.05 * _factor:,.0f}; net {_qa + _qb:,} - {15.05 * _factor:,.0f} = "
            f"{_qa + _qb - 15.05 * _factor:,.0f}. Read as the numbers are written, every amount would be {_factor:,} times too small.",
        },
    )

# ============================================================================ Excel's built-in currency formats

#: Excel's built-in format 7 (ECMA-376 Part 1 §18.8.30): openpyxl stores it as
#: numFmtId 7 with no format code, as Excel does; it names no currency.
BUILTIN_7 = '"$"#,##0.00_);("$"#,##0.00)'
_BUILTIN_ROWS = [
    ["Deal", "Owner", "Stage", "Amount", "Probability", "Close Date"],
    ["Acme", "Ana", "Proposal", Fmt(10000, BUILTIN_7), 50, D(2026, 12, 10)],
    ["Birch", "Ana", "Won", Fmt(4000, BUILTIN_7), None, D(2026, 11, 4)],
    ["Cedar", "Ben", "Negotiation", Fmt(6000, BUILTIN_7), 80, D(2026, 12, 11)],
]

case(
    name="problem-builtin-currency-format",
    group="problem",
    problems=["builtin-currency-format", "unnamed-currency"],
    book="pipeline.xlsx",
    tabs={"Deals": _BUILTIN_ROWS},
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 1,
        "owners": {"Ana": rep(0, 0, 20000), "Ben": rep(0, 0, 10000)},
        "team": team(0, 0, 30000, 30000),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [
            ["unnamed-currency", "Deals!D2"],
            ["unnamed-currency", "Deals!D3"],
            ["unnamed-currency", "Deals!D4"],
        ],
        "fixes": {"unnamed-currency": ["[team]", "currency", "built-in"]},
        "why": "Every amount is shown through Excel's built-in currency format 7, which stores no currency (Excel "
        "shows $ on an American machine, € on a German one) and no [team] currency is set: D2, D3, D4 are "
        "unnamed-currency and left out, so won 0 and expected 0; to generate = the quota (Ana 20,000, Ben 10,000; "
        "team 30,000 = net gap). Guessing dollars would give Ana won 4,000 and expected 5,000.",
    },
)

case(
    name="problem-builtin-currency-format-team-currency",
    group="problem",
    problems=["builtin-currency-format"],
    book="pipeline.xlsx",
    tabs={"Deals": _BUILTIN_ROWS},
    toml='[team]\ncurrency = "USD"\n',
    quotas={"Ana": 20000, "Ben": 10000},
    expected={
        "exit": 0,
        "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 4800, 5200)},
        "team": team(4000, 9800, 16200, 16200),
        "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
        "findings": [],
        "currency": "USD",
        "why": 'The same built-in-format amounts with [team] currency = "USD": the team says what its sheet\'s '
        "currency is. Ana: won 4,000 (4 Nov); expected 10,000 x 50 % = 5,000; to generate 20,000 - 9,000 = 11,000. "
        "Ben: expected 6,000 x 80 % = 4,800; to generate 5,200. Team 16,200; net 30,000 - 13,800 = 16,200.",
    },
)

# ============================================================================ Thai two-digit years

#: The deals tab of the three two-digit-year cases (Thai teams write ``69``
#: for 2569 BE = 2026 CE); ``years`` gives each row's close date.
_TH_2DIGIT_HEADER = [
    "ชื่อดีล",
    "พนักงานขาย",
    "ขั้นตอนการขาย",
    "มูลค่า",
    "ความน่าจะเป็น",
    "วันที่คาดว่าจะปิดการขาย",
]

case(
    name="th-two-digit-years-inferred",
    group="th",
    problems=["headers-th", "buddhist-era", "two-digit-buddhist-year"],
    book="ดีล.xlsx",
    tabs={
        "ดีล": [
            _TH_2DIGIT_HEADER,
            ["ระบบบัญชี", SOMCHAI, "เสนอราคา", 100000, 50, "26/12/69"],
            ["เครือข่าย", SOMCHAI, "ปิดการขายได้", 80000, 100, "3 พ.ย. 69"],
            ["กล้องวงจรปิด", SOMYING, "นัดหมาย", 50000, 20, "10/12/2569"],
            ["คลาวด์", SOMYING, "เจรจาต่อรอง", 200000, 80, "20/12/2569"],
        ]
    },
    quotas={SOMCHAI: 300000, SOMYING: 200000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(80000, 50000, 170000), SOMYING: rep(0, 170000, 30000)},
        "team": team(80000, 220000, 200000, 200000),
        "stages": {"เสนอราคา": 1, "ปิดการขายได้": 1, "นัดหมาย": 1, "เจรจาต่อรอง": 1},
        "findings": [],
        "why": "The column's four-digit years (10/12/2569, 20/12/2569) are Buddhist era, so its two-digit ones are too: "
        "26/12/69 = 26 Dec 2569 BE = 26 Dec 2026 and 3 พ.ย. 69 = 3 Nov 2026 (read as 2069 they would be implausible-date "
        "findings and both deals would leave the quarter). สมชาย: won 80,000 (3 Nov); expected 100,000 x 50 % = 50,000; to "
        "generate 300,000 - 130,000 = 170,000. สมหญิง: expected 50,000 x 20 % + 200,000 x 80 % = 170,000; to generate "
        "30,000. Team 200,000; net 500,000 - 300,000 = 200,000.",
    },
)

_TH_2DIGIT_ROWS = [
    _TH_2DIGIT_HEADER,
    ["ระบบบัญชี", SOMCHAI, "เสนอราคา", 100000, 50, "26/12/69"],
    ["เครือข่าย", SOMCHAI, "ปิดการขายได้", 80000, 100, "3 พ.ย. 69"],
    ["คลาวด์", SOMYING, "เจรจาต่อรอง", 200000, 80, "20/12/69"],
]

case(
    name="th-two-digit-years-asked",
    group="th",
    problems=["headers-th", "two-digit-buddhist-year", "ambiguous-year"],
    book="ดีล.xlsx",
    tabs={"ดีล": _TH_2DIGIT_ROWS},
    quotas={SOMCHAI: 300000, SOMYING: 200000},
    expected={
        "exit": 1,
        "owners": {SOMCHAI: rep(0, 0, 300000), SOMYING: rep(0, 0, 200000)},
        "team": team(0, 0, 500000, 500000),
        "stages": {"เสนอราคา": 1, "ปิดการขายได้": 1, "เจรจาต่อรอง": 1},
        "findings": [
            ["ambiguous-year", "'ดีล'!F2"],
            ["ambiguous-year", "'ดีล'!F3"],
            ["ambiguous-year", "'ดีล'!F4"],
        ],
        "fixes": {"ambiguous-year": ["[parse]", 'calendar = "buddhist"', "four digits"]},
        "why": "Every year is written with two digits and nothing sets the calendar: 69 is 2069 in the Common Era (15+ "
        "years ahead: implausible) or 2569 BE = 2026 (plausible). The column cannot tell, so each of F2, F3, F4 is "
        "ambiguous-year naming [parse] calendar and left out: no deal has a close date, so won 0 and expected 0; to "
        "generate = the quota (สมชาย 300,000, สมหญิง 200,000; team 500,000 = net gap).",
    },
)

case(
    name="th-two-digit-years-calendar-set",
    group="th",
    problems=["headers-th", "two-digit-buddhist-year", "buddhist-era"],
    book="ดีล.xlsx",
    tabs={"ดีล": _TH_2DIGIT_ROWS},
    toml='[parse]\ncalendar = "buddhist"\n',
    quotas={SOMCHAI: 300000, SOMYING: 200000},
    expected={
        "exit": 0,
        "owners": {SOMCHAI: rep(80000, 50000, 170000), SOMYING: rep(0, 160000, 40000)},
        "team": team(80000, 210000, 210000, 210000),
        "stages": {"เสนอราคา": 1, "ปิดการขายได้": 1, "เจรจาต่อรอง": 1},
        "findings": [],
        "why": 'The same sheet with [parse] calendar = "buddhist": 69 is 2569 BE = 2026. สมชาย: won 80,000 (3 Nov 2026); '
        "expected 100,000 x 50 % = 50,000; to generate 300,000 - 130,000 = 170,000. สมหญิง: expected 200,000 x 80 % = "
        "160,000; to generate 200,000 - 160,000 = 40,000. Team won 80,000, expected 210,000, to generate 170,000 + "
        "40,000 = 210,000; net 500,000 - 290,000 = 210,000.",
    },
)

# ============================================================================ Quotas tabs in five languages

#: (language, deals tab name, deal / owner / stage / amount / probability / close
#: headers, Quotas tab headers owner / period / quota): written by hand, the
#: words a team in that language types (issue 9 leftover: the Quotas tab was
#: read with English headers only).
QUOTA_TABS = (
    (
        "de",
        (
            "Verkaufschance",
            "Vertriebsmitarbeiter",
            "Verkaufsphase",
            "Auftragswert",
            "Wahrscheinlichkeit",
            "Erwartetes Abschlussdatum",
        ),
        ("Verkäufer", "Zeitraum", "Soll"),
    ),
    (
        "fr",
        (
            "Nom de l'opportunité",
            "Commercial",
            "Étape de la vente",
            "Montant de l'affaire",
            "Probabilité de gain",
            "Date de clôture prévue",
        ),
        ("Commercial", "Période", "Objectif"),
    ),
    (
        "es",
        (
            "Nombre de la oportunidad",
            "Vendedor",
            "Etapa del negocio",
            "Valor del negocio",
            "Probabilidad de cierre",
            "Fecha estimada de cierre",
        ),
        ("Vendedor", "Periodo", "Cuota"),
    ),
    (
        "pt",
        (
            "Nome da oportunidade",
            "Vendedor",
            "Etapa do funil",
            "Valor do negócio",
            "Chance de fechamento",
            "Data prevista de fechamento",
        ),
        ("Vendedor", "Período", "Meta"),
    ),
    (
        "th",
        (
            "ชื่อโอกาสการขาย",
            "พนักงานขาย",
            "ขั้นตอนการขาย",
            "มูลค่าดีล",
            "ความน่าจะเป็น",
            "วันที่คาดว่าจะปิดการขาย",
        ),
        ("พนักงานขาย", "ไตรมาส", "เป้าหมาย"),
    ),
)

#: What each language's team calls the tab (vocab.headers.QUOTA_TAB_NAMES).
QUOTA_TAB_NAMES = {
    "de": "Quoten",
    "fr": "Objectifs",
    "es": "Cuotas",
    "pt": "Metas",
    "th": "เป้าหมาย",
}

for _lang, _deal_headers, _quota_headers in QUOTA_TABS:
    case(
        name=f"quotas-tab-{_lang}",
        group=_lang,
        problems=[f"quotas-tab-{_lang}", f"headers-{_lang}"],
        book="pipeline.xlsx",
        tabs={
            "Deals": [
                list(_deal_headers),
                ["Acme", "Ana", "Proposal", 10000, 50, D(2026, 12, 10)],
                ["Birch", "Ana", "Won", 4000, None, D(2026, 11, 4)],
                ["Cedar", "Ben", "Negotiation", 6000, 80, D(2026, 12, 11)],
            ],
            QUOTA_TAB_NAMES[_lang]: [
                list(_quota_headers),
                ["Ana", "2026-Q4", 20000],
                ["Ben", "2026-Q4", 10000],
            ],
        },
        expected={
            "exit": 0,
            "owners": {"Ana": rep(4000, 5000, 11000), "Ben": rep(0, 4800, 5200)},
            "team": team(4000, 9800, 16200, 16200),
            "stages": {"Proposal": 1, "Won": 1, "Negotiation": 1},
            "findings": [],
            "why": f"The quotas come only from the quotas tab {QUOTA_TAB_NAMES[_lang]!r}, whose headers are "
            f"{' | '.join(_quota_headers)} ({_lang}): Ana 20,000 and Ben 10,000 for 2026-Q4. Ana: won 4,000 (4 Nov); expected 10,000 x 50 % = "
            "5,000; to generate 20,000 - 4,000 - 5,000 = 11,000. Ben: expected 6,000 x 80 % = 4,800; to generate "
            "10,000 - 4,800 = 5,200. Team: won 4,000, expected 9,800, to generate 16,200; net 30,000 - 13,800 = 16,200. "
            "Read with English headers and tab name only, the tab would be ignored and every quota empty.",
        },
    )

# ============================================================================ writers

FIXED_TIME = dt.datetime(2026, 11, 1, 12, 0, 0)


def write_xlsx(path: Path, c: Case) -> None:
    """An .xlsx as a script writes it: openpyxl, formulas with no calculated value."""
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table as XlTable
    from openpyxl.worksheet.table import TableColumn, TableStyleInfo

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "sheetsync tests/realworld/generate.py"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    for name, rows in c.tabs.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for col, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=col)
                if isinstance(v, F):
                    cell.value = v.text
                elif isinstance(v, Fmt):
                    cell.value = v.value
                    cell.number_format = v.fmt
                elif isinstance(v, str):
                    cell.value = v
                    cell.data_type = "s"  # text stays text, even '=...' or digits
                elif isinstance(v, dt.datetime):
                    cell.value = v
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(v, dt.date):
                    cell.value = v
                    cell.number_format = "yyyy-mm-dd"
                else:
                    cell.value = v
    for t in c.tables:
        ws = wb[t.tab]
        header = c.tabs[t.tab][0]
        cols = []
        for i, h in enumerate(header, start=1):
            tc = TableColumn(id=i, name=str(h))
            if t.totals:
                if i == 1:
                    tc.totalsRowLabel = "Total"
                elif str(h) == "Amount":
                    tc.totalsRowFunction = "sum"
            cols.append(tc)
        xt = XlTable(displayName=t.name, ref=t.ref, tableColumns=cols)
        if t.totals:
            xt.totalsRowCount = 1
        xt.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(xt)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same package with fixed member times and save time, so regenerating gives the same bytes.

    openpyxl stamps ``dcterms:modified`` (docProps/core.xml) and every zip
    member with the time of saving; nothing else in the file depends on it.
    """
    stamp = FIXED_TIME.timetuple()[:6]
    iso = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    body,
                )
            dst.writestr(zipfile.ZipInfo(info.filename, stamp), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def csv_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def write_csv(path: Path, c: Case) -> None:
    (rows,) = c.tabs.values()
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=c.csv_delimiter, lineterminator="\r\n")
    for row in rows:
        w.writerow([csv_text(v) for v in row])
    path.write_bytes(buf.getvalue().encode(c.csv_encoding))


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ods_cell(v: Any) -> str:
    if v is None:
        return "<table:table-cell/>"
    if isinstance(v, Cur):
        return (
            f'<table:table-cell office:value-type="currency" office:currency="{v.code}" '
            f'office:value="{v.value}"><text:p>{escape(v.shown)}</text:p></table:table-cell>'
        )
    if isinstance(v, Pct):
        return (
            f'<table:table-cell office:value-type="percentage" office:value="{v.value}">'
            f"<text:p>{round(v.value * 100)}%</text:p></table:table-cell>"
        )
    if isinstance(v, dt.date):
        iso = v.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{iso}</text:p></table:table-cell>"
        )
    if isinstance(v, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{v}">'
            f"<text:p>{v}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def ods_content(c: Case) -> str:
    """content.xml of an OpenDocument spreadsheet (ODF 1.3 part 3 §9.1: table, rows, cells)."""
    tables = []
    for name, rows in c.tabs.items():
        body = "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        tables.append(f'<table:table table:name="{escape(name)}">{body}</table:table>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODS_NS} office:version="1.3">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )


def write_ods(path: Path, c: Case) -> None:
    stamp = FIXED_TIME.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as zf:
        # mimetype first and stored (ODF 1.3 part 2 §3.3)
        zf.writestr(
            zipfile.ZipInfo("mimetype", stamp), "application/vnd.oasis.opendocument.spreadsheet"
        )
        zf.writestr(zipfile.ZipInfo("content.xml", stamp), ods_content(c), zipfile.ZIP_DEFLATED)
        zf.writestr(
            zipfile.ZipInfo("META-INF/manifest.xml", stamp), _ODS_MANIFEST, zipfile.ZIP_DEFLATED
        )


def toml_text(c: Case) -> str:
    parts = [c.toml] if c.toml else []
    for owner, quota in c.quotas.items():
        parts.append(f'[[quotas]]\nowner = "{owner}"\nperiod = "2026-Q4"\nquota = {quota}\n')
    return "\n".join(parts)


def expected_json(c: Case) -> str:
    doc = {
        "name": c.name,
        "group": c.group,
        "book": c.book,
        "as_of": AS_OF,
        "problems": c.problems,
        **c.expected,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_case(base: Path, c: Case) -> Path:
    folder = base / c.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    book = folder / c.book
    suffix = book.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(book, c)
    elif suffix == ".csv":
        write_csv(book, c)
    elif suffix == ".ods":
        write_ods(book, c)
    else:  # pragma: no cover - a typo in CASE_LIST
        raise ValueError(f"{c.name}: unknown book type {book.name}")
    toml = toml_text(c)
    if toml:
        (folder / "sheetsync.toml").write_text(toml, encoding="utf-8")
    (folder / "expected.json").write_text(expected_json(c), encoding="utf-8")
    return folder


def generate(base: Path = CASES) -> list[Path]:
    names = [c.name for c in CASE_LIST]
    if len(names) != len(set(names)):
        raise ValueError("two cases share a name")
    base.mkdir(parents=True, exist_ok=True)
    for old in base.iterdir():
        if old.is_dir() and old.name not in names:
            shutil.rmtree(old)
    return [write_case(base, c) for c in CASE_LIST]


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else CASES
    made = generate(out)
    print(f"{len(made)} cases written to {out}")
