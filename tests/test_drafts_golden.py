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


# --------------------------------------------------------------------------- per-rep digest language

#: Two reps, two languages, in an English-speaking team: each digest in its rep's language.
REP_LANGUAGES = {"Somchai Ruangsri": "ไทย", "jonas  weber": "Deutsch"}  # names match as owners do
REP_DIGESTS = [
    "digest-Jonas-Weber_rep-digest_2026-11-26.eml",
    "digest-Somchai-Ruangsri_rep-digest_2026-11-26.eml",
]


def two_rep_sample():
    from test_drafts import STAGES

    from sheetsync.model import Owner

    p = sample()
    thai = dict(owner="Somchai Ruangsri", owner_email="somchai@northwind.example")
    german = dict(owner="Jonas Weber", owner_email="jonas@northwind.example")
    for d, who in zip(p.deals, [thai, german, thai, german, thai], strict=True):
        d.owner, d.owner_email = who["owner"], who["owner_email"]
    p.owners = {o["owner"]: Owner(o["owner"], o["owner_email"]) for o in (thai, german)}
    p.stages = STAGES
    p.quotas = [
        Quota("Somchai Ruangsri", day(-56), day(35), 150000.0, "2026-Q4"),
        Quota("Jonas Weber", day(-56), day(35), 120000.0, "2026-Q4"),
    ]
    return p


@pytest.fixture(scope="module")
def rep_digests(tmp_path_factory) -> dict[str, bytes]:
    from sheetsync.drafts.settings import rep_languages

    settings = DraftSettings(
        sender_company="Northwind Robotics",
        locale="en_GB",
        currency_code="GBP",
        timezone="Europe/London",
        kinds=("rep-digest",),
        languages=rep_languages(REP_LANGUAGES, "[drafts.languages]"),
    )
    p = two_rep_sample()
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("rep-digests"))
    try:
        run = prepare_drafts(
            p, compute_metrics(p, T), compute_followups(p, T), T, settings, Ledger(),
            out_dir="drafts", now=NOW,
        )  # fmt: skip
        assert run.error is None and run.problems == []
        return {
            Path(d.location or "").name: Path(d.location or "").read_bytes() for d in run.drafts
        }
    finally:
        os.chdir(here)


@pytest.mark.parametrize("name", REP_DIGESTS)
def test_each_rep_s_digest_is_in_that_rep_s_language(rep_digests, name):
    assert sorted(rep_digests) == REP_DIGESTS
    path = GOLDEN / "per_rep" / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rep_digests[name])
    assert path.exists(), "no golden file: run with SHEETSYNC_UPDATE_GOLDEN=1 to create it"
    assert rep_digests[name] == path.read_bytes(), (
        f"{name} differs from tests/golden/drafts/per_rep"
    )


def test_the_thai_rep_reads_thai_dates_and_the_german_rep_german_ones(rep_digests):
    import email

    def body(name: str) -> str:
        msg = email.message_from_bytes(rep_digests[name])
        part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
        return part.get_payload(decode=True).decode("utf-8")

    thai, german = body(REP_DIGESTS[1]), body(REP_DIGESTS[0])
    assert "พ.ย." in thai and "Nov" not in thai  # CLDR's Thai short month, not English
    assert "Nov." in german and "พ.ย." not in german  # "Fr., 27. Nov." (de in a GB team: de_DE)
    assert "£" in thai and "£" in german  # the team's currency, each in its own pattern
    assert "150.000" in german or "120.000" in german  # German digit grouping


def test_a_rep_language_naming_no_template_set_is_a_configuration_error():
    from sheetsync.drafts.settings import draft_settings_from_table
    from sheetsync.errors import ConfigError

    s = draft_settings_from_table({"languages": {"Ana Lima": "pt-BR"}})
    assert s.languages == {"Ana Lima": "pt_BR"}
    with pytest.raises(ConfigError, match=r"\[drafts.languages\] 'Ana Lima': 'Klingon'"):
        draft_settings_from_table({"languages": {"Ana Lima": "Klingon"}})


def test_a_rep_not_listed_reads_the_team_s_language():
    from sheetsync.drafts.digest import rep_language

    s = DraftSettings(locale="de_DE", languages={"Somchai Ruangsri": "th"})
    assert rep_language("somchai  RUANGSRI", s) == "th"
    assert rep_language("Ana Lima", s) == "de"
    assert rep_language(None, s) == "de"
