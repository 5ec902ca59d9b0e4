"""Golden files: the exact bytes of each kind of draft, for a fixed pipeline and clock.

``tests/golden/drafts/*.eml`` are what the built-in templates produce; a
diff shows precisely which words or headers changed.  After a deliberate
change to a template, regenerate them and review the diff:

    SHEETSYNC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_drafts_golden.py

``tests/golden/drafts/<language>/`` hold the same sample's emails (the digest too)
from each language set (``[team] locale`` de_DE, fr_FR, es_ES, pt_BR,
th_TH): its words, its greetings and CLDR's dates, times and money.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_drafts import NOW, T, at, day, deal, pipeline

from sheetsync.drafts import DraftSettings, Ledger, prepare_drafts
from sheetsync.followups import compute_followups
from sheetsync.metrics import compute_metrics
from sheetsync.model import Quota

GOLDEN = Path(__file__).resolve().parent / "golden" / "drafts"
UPDATE = os.environ.get("SHEETSYNC_UPDATE_GOLDEN") == "1"


def sample():
    p = pipeline(
        deal(
            "NW-2001",
            stage="Presentation",
            deal="Vision inspection line",
            company="Müller Lebensmittel GmbH",
            contact_name="Zoë Müller",
            contact_email=("zoe.mueller@mueller-lm.example",),
            next_appointment=at(1, 9, 30),
        ),
        deal(
            "NW-2002",
            deal="Depalletizer upgrade",
            company="Granite Peak Tooling",
            contact_name="Felix Okonkwo",
            contact_email=("felix@granite-peak.example",),
            next_appointment=at(-2, 14, 0),
            last_contact=day(-6),
        ),
        deal(
            "NW-2003",
            stage="Qualified",
            deal="AMR fleet pilot",
            company="Harrowgate Plastics",
            contact_name=None,
            contact_email=("purchasing@harrowgate.example", "cto@harrowgate.example"),
            next_appointment=None,
            last_contact=day(-12),
        ),
        deal(
            "NW-2004",
            stage="Presentation",
            deal="Bin-picking cell",
            company="Copperleaf Cosmetics",
            contact_name="Nadia Whitfield",
            contact_email=("nadia@copperleaf.example",),
            next_appointment=at(5, 11, 0),
            last_contact=day(-15),
            created=day(-40),
            trial=False,
            notes="Asked about leasing",
        ),
        deal("NW-2005", stage="Won", close_date=day(-20), amount=42000.0),
    )
    p.quotas = [Quota("Ana Lima", day(-56), day(35), 150000.0, "2026-Q4")]
    return p


def render_sample(tmp_path_factory, settings: DraftSettings) -> dict[str, bytes]:
    p = sample()
    # A relative out_dir, so the digest names the same folder on every machine.
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("golden-out"))
    try:
        run = prepare_drafts(
            p,
            compute_metrics(p, T),
            compute_followups(p, T),
            T,
            settings,
            Ledger(),
            out_dir="drafts",
            now=NOW,
        )
        assert run.error is None and run.problems == []
        return {
            Path(d.location or "").name: Path(d.location or "").read_bytes() for d in run.drafts
        }
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> dict[str, bytes]:
    settings = DraftSettings(
        sender_company="Northwind Robotics",
        meeting_place="Northwind Robotics, 12 Harbour Street, Bristol",
    )
    return render_sample(tmp_path_factory, settings)


EXPECTED = [
    "NW-2001_appointment-reminder_2026-11-27.eml",
    "NW-2002_follow-up_2026-11-24.eml",
    "NW-2003_follow-up_2026-11-21.eml",
    "NW-2004_trial-offer_2026-11-21.eml",
    "digest-Ana-Lima_rep-digest_2026-11-26.eml",
]


def test_the_drafts_made(drafts):
    assert sorted(drafts) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_golden_file(drafts, name):
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(drafts[name])
    assert path.exists(), "no golden file: run with SHEETSYNC_UPDATE_GOLDEN=1 to create it"
    assert drafts[name] == path.read_bytes(), f"{name} differs from tests/golden/drafts/{name}"


# --------------------------------------------------------------------------- languages

#: Template set → the team's locale, currency and time zone its golden files use.
TEAMS = {
    "de": ("de_DE", "EUR", "Europe/Berlin"),
    "fr": ("fr_FR", "EUR", ""),
    "es": ("es_ES", "EUR", ""),
    "pt_BR": ("pt_BR", "BRL", ""),
    "th": ("th_TH", "THB", "Asia/Bangkok"),
}
PROSPECT = EXPECTED  # the digest too: written in the team's language


@pytest.fixture(scope="module")
def language_drafts(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    out = {}
    for language, (locale, currency, tz) in TEAMS.items():
        settings = DraftSettings(
            sender_company="Northwind Robotics",
            meeting_place="Northwind Robotics, 12 Harbour Street, Bristol",
            locale=locale,
            currency_code=currency,
            timezone=tz,
        )
        out[language] = render_sample(tmp_path_factory, settings)
    return out


@pytest.mark.parametrize("language", sorted(TEAMS))
@pytest.mark.parametrize("name", PROSPECT)
def test_golden_file_in_each_language(language_drafts, language, name):
    made = language_drafts[language]
    assert sorted(made) == EXPECTED  # the same drafts in every language
    path = GOLDEN / language / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(made[name])
    assert path.exists(), "no golden file: run with SHEETSYNC_UPDATE_GOLDEN=1 to create it"
    assert made[name] == path.read_bytes(), f"{name} differs from tests/golden/drafts/{language}"
