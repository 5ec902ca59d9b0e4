"""The vocabulary tables are consistent: canonical fields, no header or word
meaning two things unless the conflict is recorded, pipelines whose outcomes,
probabilities and kinds make sense, and every language with every list."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from sheetsync import config
from sheetsync.columns import SYNONYMS, normalize_header
from sheetsync.model import FIELDS, Outcome
from sheetsync.vocab import CRM_SOURCES, LANGUAGE_SOURCES, headers, pipelines, words
from sheetsync.vocab.headers import (
    BOOLEAN_MEANINGS,
    BOOLEAN_STATUS_HEADERS,
    CANONICAL_FIELDS,
    CONFLICTS,
    HEADER_SOURCES,
    NEW_FIELDS,
    OPT_IN_HEADERS,
)
from sheetsync.vocab.words import LIST_NAMES, REPORT_PHRASES, WORDS, normalize_word

# --------------------------------------------------------------------------- headers


def _all_lists(src: headers.HeaderSource):
    yield from ((f, h, True) for f, hs in src.headers.items() for h in hs)
    yield from ((f, h, False) for f, hs in src.unconfirmed.items() for h in hs)


def test_canonical_fields_are_the_models_plus_the_four_new_ones():
    assert CANONICAL_FIELDS[: len(FIELDS)] == FIELDS
    assert set(CANONICAL_FIELDS) == set(FIELDS) | set(NEW_FIELDS)
    assert len(CANONICAL_FIELDS) == len(set(CANONICAL_FIELDS))


def test_sources_are_the_crms_then_the_languages():
    assert tuple(HEADER_SOURCES) == CRM_SOURCES + LANGUAGE_SOURCES
    for key, src in HEADER_SOURCES.items():
        assert src.key == key
        assert src.kind == ("crm" if key in CRM_SOURCES else "language")


@pytest.mark.parametrize("key", list(HEADER_SOURCES))
def test_every_header_names_a_canonical_field(key):
    src = HEADER_SOURCES[key]
    assert set(src.headers) | set(src.unconfirmed) <= set(CANONICAL_FIELDS)
    for _f, h, _ in _all_lists(src):
        assert h == h.strip() and h, f"{key}: header {h!r} has stray spaces"
        assert normalize_header(h), f"{key}: header {h!r} normalizes to nothing"


@pytest.mark.parametrize("key", list(HEADER_SOURCES))
def test_every_source_cites_where_its_headers_come_from(key):
    src = HEADER_SOURCES[key]
    assert src.citations and all(c.strip() for c in src.citations)
    if not src.headers:
        # A source without confirmed headers must say why in its citation.
        assert "no public source" in src.citations[0]


@pytest.mark.parametrize("key", list(HEADER_SOURCES))
def test_no_header_is_listed_twice_within_a_source(key):
    """Within one source a spelling (as normalize_header sees it, which drops
    Thai vowel marks) belongs to one field only, and only once."""
    seen: dict[str, tuple[str, str]] = {}
    for f, h, _ in _all_lists(HEADER_SOURCES[key]):
        n = normalize_header(h)
        assert n not in seen, f"{key}: {h!r} ({f}) collides with {seen[n][1]!r} ({seen[n][0]})"
        seen[n] = (f, h)


def test_a_header_meaning_two_fields_across_sources_is_a_recorded_conflict():
    meanings: dict[str, set[str]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    for key, src in HEADER_SOURCES.items():
        for f, h, _ in _all_lists(src):
            meanings[normalize_header(h)].add(f)
            where[normalize_header(h)].add(key)
    for f, hs in SYNONYMS.items():
        for h in hs:
            meanings[normalize_header(h)].add(f)
            where[normalize_header(h)].add("columns.SYNONYMS")
    recorded = {normalize_header(c.header): set(c.fields) for c in CONFLICTS}
    for n, fields in meanings.items():
        if len(fields) > 1:
            assert n in recorded, (
                f"{n!r} means {sorted(fields)} in {sorted(where[n])}: add a Conflict"
            )
            assert fields <= recorded[n], (
                f"conflict {n!r} misses fields {sorted(fields - recorded[n])}"
            )


def test_conflicts_name_canonical_fields_and_say_how_to_tell():
    headers_seen = set()
    for c in CONFLICTS:
        n = normalize_header(c.header)
        assert n not in headers_seen, f"conflict {c.header!r} listed twice"
        headers_seen.add(n)
        assert c.fields and set(c.fields) <= set(CANONICAL_FIELDS)
        assert len(set(c.fields)) == len(c.fields)
        assert c.seen_in and len(c.how_to_tell) > 40


def test_status_conflict_covers_every_language_word_for_status():
    for word in ("Status", "Statut", "Estado", "Situação", "สถานะ"):
        c = headers.conflict(word, normalize_header)
        assert c is not None and set(c.fields) == {"stage", "status"}


def test_boolean_status_headers_are_mapped_to_status_and_say_what_each_value_means():
    for b in BOOLEAN_STATUS_HEADERS:
        assert b.if_true in BOOLEAN_MEANINGS and b.if_false in BOOLEAN_MEANINGS
        assert b.if_true != b.if_false
        src = HEADER_SOURCES[b.source]
        assert normalize_header(b.header) in {normalize_header(h) for h in src.headers["status"]}


def test_opt_in_headers_are_never_read_as_do_not_email():
    """A 'yes = may email' column read as do-not-email inverts every answer."""
    dne = {normalize_header(h) for h in SYNONYMS["do_not_email"]}
    for src in HEADER_SOURCES.values():
        dne |= {
            normalize_header(h) for h in src.for_field("do_not_email", include_unconfirmed=True)
        }
    assert set(OPT_IN_HEADERS) == set(LANGUAGE_SOURCES)
    for lang, hs in OPT_IN_HEADERS.items():
        for h in hs:
            assert normalize_header(h) not in dne, (
                f"{lang}: opt-in header {h!r} is also do-not-email"
            )


def test_every_language_names_the_core_fields():
    for key in ("de", "fr", "es", "pt", "th"):
        src = HEADER_SOURCES[key]
        missing = set(CANONICAL_FIELDS) - set(src.headers)
        assert not missing, f"{key} has no headers for {sorted(missing)}"


def test_crm_exports_map_the_required_fields_or_say_they_are_unconfirmed():
    for key in CRM_SOURCES:
        src = HEADER_SOURCES[key]
        for f in ("stage", "owner", "amount", "deal"):
            assert src.for_field(f, include_unconfirmed=True), f"{key} has no {f} header"


def test_real_export_headers_map_to_the_expected_fields():
    want = {
        ("pipedrive", "Deal - Status"): "status",
        ("pipedrive", "deal - won time"): "won_time",
        ("pipedrive", "DEAL - CURRENCY"): "currency",
        ("hubspot", "Deal owner"): "owner",
        ("hubspot", "Is Closed Won"): "status",
        ("salesforce", "Probability (%)"): "probability",
        ("salesforce", "Won"): "status",
        ("zoho", "Closing Date"): "close_date",
        ("dynamics365", "Est. Revenue"): "amount",
        ("dynamics365", "Status Reason"): "status",
        ("de", "Ansprechpartner"): "contact_name",
        ("th", "มูลค่า"): "amount",
    }
    for (key, header), field in want.items():
        src = HEADER_SOURCES[key]
        found = [
            f for f, h, _ in _all_lists(src) if normalize_header(h) == normalize_header(header)
        ]
        assert found == [field], (key, header, found)


def test_signature_headers_are_headers_of_their_source_and_tell_sources_apart():
    sigs = headers.SIGNATURE_HEADERS
    assert set(sigs) <= set(CRM_SOURCES)
    for key, hs in sigs.items():
        own = {normalize_header(h) for f, h, ok in _all_lists(HEADER_SOURCES[key]) if ok}
        assert {normalize_header(h) for h in hs} <= own, key
    for a in sigs:
        for b in sigs:
            if a != b:
                assert not {normalize_header(h) for h in sigs[a]} <= {
                    normalize_header(h) for f, h, _ in _all_lists(HEADER_SOURCES[b])
                }, f"{b}'s headers carry {a}'s whole signature"


def test_iter_headers_yields_every_header_once_with_its_rank():
    confirmed = list(headers.iter_headers())
    assert len(confirmed) == sum(
        len(hs) for s in HEADER_SOURCES.values() for hs in s.headers.values()
    )
    every = list(headers.iter_headers(include_unconfirmed=True))
    assert len(every) - len(confirmed) == sum(
        len(hs) for s in HEADER_SOURCES.values() for hs in s.unconfirmed.values()
    )
    assert ("pipedrive", "close_date", 1, "Deal - Closed on", True) in confirmed
    # Unconfirmed headers rank after the confirmed ones of their field.
    assert ("salesforce", "currency", 1, "Amount Currency", False) in every


def test_unknown_source_names_the_known_ones():
    with pytest.raises(KeyError, match="hubspot"):
        headers.source("sugarcrm")


# --------------------------------------------------------------------------- pipelines


def test_stage_kinds_are_sheetsyncs():
    assert pipelines.KINDS == config.STAGE_KINDS


@pytest.mark.parametrize("p", pipelines.pipelines(), ids=lambda p: p.crm)
def test_each_pipeline_marks_exactly_its_won_and_lost_stages(p):
    won = [s for s in p.stages if s.outcome is Outcome.WON]
    lost = [s for s in p.stages if s.outcome is Outcome.LOST]
    if p.outcome_in_stage:
        assert len(won) == 1, f"{p.crm}: {len(won)} won stages"
        assert lost, f"{p.crm}: no lost stage"
        assert all(s.probability == 1.0 for s in won)
        assert all(s.probability == 0.0 for s in lost)
        # Closed stages come after every open one.
        last_open = max(i for i, s in enumerate(p.stages) if s.outcome is Outcome.OPEN)
        assert all(p.stages.index(s) > last_open for s in won + lost)
    else:
        assert not won and not lost, f"{p.crm}: outcome is in {p.outcome_column!r}, not in stages"
        assert p.crm in pipelines.STATUS_VALUES


@pytest.mark.parametrize("p", pipelines.pipelines(), ids=lambda p: p.crm)
def test_probabilities_are_fractions_that_rise_along_the_pipeline(p):
    opens = [s.probability for s in p.stages if s.outcome is Outcome.OPEN]
    for s in p.stages:
        assert s.probability is None or 0.0 <= s.probability <= 1.0
        if s.outcome is Outcome.OPEN and s.probability is not None:
            assert 0.0 < s.probability < 1.0, f"{p.crm}: open stage {s.name} at {s.probability}"
    known = [x for x in opens if x is not None]
    assert known == sorted(known), f"{p.crm}: probabilities fall along the pipeline"
    assert not known or len(known) == len(opens), f"{p.crm}: some open stages lack a probability"


@pytest.mark.parametrize("p", pipelines.pipelines(), ids=lambda p: p.crm)
def test_stage_names_and_aliases_are_unique_within_a_pipeline(p):
    assert p.citation and p.name
    seen: dict[str, str] = {}
    for name, stage in pipelines.iter_stage_names(p):
        n = normalize_word(name)
        assert n not in seen or seen[n] == stage.name, f"{p.crm}: {name!r} names two stages"
        seen[n] = stage.name
        assert stage.kind is None or stage.kind in pipelines.KINDS


def test_hubspot_internal_ids_are_aliases_of_their_labels():
    for s in pipelines.HUBSPOT.stages:
        stage_id = re.sub(r"[^a-z]", "", s.name.casefold())
        assert stage_id in s.aliases, f"{s.name}: no alias {stage_id!r}"
    assert pipelines.HUBSPOT.stage("closedwon").outcome is Outcome.WON
    assert pipelines.HUBSPOT.stage("Abgeschlossen und verloren").outcome is Outcome.LOST


@pytest.mark.parametrize("p", pipelines.pipelines(), ids=lambda p: p.crm)
def test_won_and_lost_stage_names_are_outcome_words(p):
    for name, s in pipelines.iter_stage_names(p):
        if s.outcome is not Outcome.OPEN:
            assert words.outcome_of(name) is s.outcome, (
                f"{p.crm}: {name!r} is not a {s.outcome} word"
            )
        else:
            assert words.outcome_of(name) in (None, Outcome.OPEN), f"{p.crm}: open stage {name!r}"


def test_status_values_of_outcome_columns_are_outcome_words():
    for crm, values in pipelines.STATUS_VALUES.items():
        assert crm in pipelines.PIPELINES
        for value, outcome in values.items():
            assert words.outcome_of(value) is outcome, (crm, value)


def test_dynamics_close_stage_is_open():
    """'Close' is Dynamics' last *open* stage; only Status says won or lost."""
    assert pipelines.DYNAMICS365.stage("Close").outcome is Outcome.OPEN
    assert pipelines.DYNAMICS365.outcome_column == "Status"


def test_find_stage_ignores_case_spacing_and_dashes():
    crms = {p.crm for p, _ in pipelines.find_stage("closed – WON")}
    assert crms == {"hubspot", "salesforce", "zoho"}
    assert [s.name for _, s in pipelines.find_stage("Proposal / Price Quote")] == [
        "Proposal/Price Quote",
        "Proposal/Price Quote",
    ]
    assert pipelines.find_stage("Angebot") == []
    assert pipelines.pipelines("monday") == ()


def test_localized_stages_agree_with_the_outcome_words_of_their_language():
    assert set(pipelines.LOCALIZED_STAGES) == set(LANGUAGE_SOURCES) - {"en"}
    assert set(pipelines.LOCALIZED_STAGE_CITATIONS) == set(pipelines.LOCALIZED_STAGES)
    for lang, stages in pipelines.LOCALIZED_STAGES.items():
        outcomes = {s.outcome for s in stages}
        assert outcomes == {Outcome.OPEN, Outcome.WON, Outcome.LOST}, lang
        assert {s.kind for s in stages if s.kind} == set(pipelines.KINDS), f"{lang} misses a kind"
        names = [normalize_word(s.name) for s in stages]
        assert len(names) == len(set(names)), f"{lang}: a stage name twice"
        for s in stages:
            expect = None if s.outcome is Outcome.OPEN else s.outcome
            got = words.outcome_of(s.name, lang)
            assert got in ((None, Outcome.OPEN) if expect is None else (expect,)), (
                lang,
                s.name,
                got,
            )


# --------------------------------------------------------------------------- words


def test_every_language_has_every_word_list():
    assert tuple(WORDS) == words.LANGUAGES == LANGUAGE_SOURCES
    for lang, w in WORDS.items():
        assert w.lang == lang
        for name in LIST_NAMES:
            got = getattr(w, name)
            assert got, f"{lang}.{name} is empty"
            assert all(isinstance(x, str) and x.strip() == x and x for x in got), (lang, name)


@pytest.mark.parametrize("lang", list(WORDS))
def test_no_word_is_listed_twice_in_one_list(lang):
    for name in LIST_NAMES:
        ws = [normalize_word(x) for x in getattr(WORDS[lang], name)]
        dups = {x for x in ws if ws.count(x) > 1}
        assert not dups, f"{lang}.{name}: {sorted(dups)}"


def _global(name: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for lang, w in WORDS.items():
        for x in getattr(w, name):
            out[normalize_word(x)].add(lang)
    return out


def _clash(a: str, b: str) -> list[str]:
    left, right = _global(a), _global(b)
    return sorted(
        f"{x!r}: {a} in {sorted(left[x])}, {b} in {sorted(right[x])}"
        for x in set(left) & set(right)
    )


def test_no_word_is_both_yes_and_no_in_any_two_languages():
    assert _clash("yes", "no") == []


def test_no_word_means_two_outcomes_and_ambiguous_words_mean_none():
    for a, b in (("won", "lost"), ("won", "open"), ("lost", "open")):
        assert _clash(a, b) == []
    for a in ("won", "lost", "open"):
        assert _clash(a, "ambiguous") == []


def test_opt_out_and_may_email_never_overlap():
    assert _clash("opt_out", "may_email") == []
    assert _clash("yes", "may_email") == []


@pytest.mark.parametrize("lang", list(WORDS))
def test_every_no_word_is_a_clear_may_email_answer(lang):
    w = WORDS[lang]
    may = {normalize_word(x) for x in w.may_email}
    assert {normalize_word(x) for x in w.no} <= may


def test_dont_know_words_are_not_answers():
    for other in (
        "yes",
        "no",
        "won",
        "lost",
        "open",
        "ambiguous",
        "opt_out",
        "may_email",
        "totals",
    ):
        assert _clash("unknown", other) == []


def test_total_labels_are_not_answers():
    for other in ("yes", "no", "won", "lost", "open", "opt_out", "may_email"):
        assert _clash("totals", other) == []


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Closed Won", Outcome.WON),
        ("closedwon", Outcome.WON),
        ("Won - Signed", Outcome.WON),
        ("Abgeschlossen gewonnen", Outcome.WON),
        ("Gagné", Outcome.WON),
        ("Ganado", Outcome.WON),
        ("Ganho", Outcome.WON),
        ("ปิดการขายได้", Outcome.WON),
        ("CLOSED - LOST", Outcome.LOST),
        ("Out-Sold", Outcome.LOST),
        ("Verloren", Outcome.LOST),
        ("Perdue", Outcome.LOST),
        ("Perdido", Outcome.LOST),
        ("แพ้", Outcome.LOST),
        ("In Progress", Outcome.OPEN),
        ("offen", Outcome.OPEN),
        ("En cours", Outcome.OPEN),
        ("Closed", None),
        ("Fermé", None),
        ("Abgeschlossen", None),
        ("ปิด", None),
        ("Proposal", None),
    ],
)
def test_outcome_words_read_status_cells(text, outcome):
    assert words.outcome_of(text) is outcome


def test_outcome_lookup_can_be_limited_to_one_language():
    assert words.outcome_of("perdido", "es") is Outcome.LOST
    assert words.outcome_of("gagné", "de") is None
    with pytest.raises(KeyError, match="known"):
        words.words("it")


def test_opt_out_phrases_and_clear_noes():
    assert words.is_in("Unsubscribed", "opt_out")
    assert words.is_in("do not email", "opt_out", "en")
    assert words.is_in("Désabonné", "opt_out", "fr")
    assert words.is_in("dado de baixa", "opt_out", "pt")
    assert words.is_in("ยกเลิกการรับ", "opt_out", "th")
    assert words.is_in("Allow", "may_email")  # Dynamics "Do not allow Emails" = Allow
    assert not words.is_in("Do Not Allow", "may_email")
    assert words.is_in("ไม่ใช่", "no", "th") and words.is_in("ใช่", "yes", "th")
    with pytest.raises(KeyError, match="opt_out"):
        words.is_in("x", "optout")


def test_normalize_word_keeps_accents_and_thai_marks():
    assert normalize_word("  Fermé – Gagné ") == "fermé gagné"
    assert normalize_word("OPT-OUT") == normalize_word("opt out")
    assert normalize_word("Proposal / Price Quote") == "proposal/price quote"
    assert normalize_word("ไม่ใช่") == "ไม่ใช่"
    assert normalize_word("gagne") != normalize_word("gagné")


# --------------------------------------------------------------------------- report furniture


def test_report_phrases_are_well_formed():
    for p in REPORT_PHRASES:
        assert p.where in ("header", "footer", "any")
        assert p.match in ("exact", "prefix", "contains", "regex")
        assert p.citation
        if p.match == "regex":
            re.compile(p.text)
        if p.confirmed:
            assert p.crm != "generic"


def _furniture(line: str) -> list[words.ReportPhrase]:
    key = normalize_word(line)
    hits = []
    for p in REPORT_PHRASES:
        text = normalize_word(p.text)
        if (
            (p.match == "exact" and key == text)
            or (p.match == "prefix" and key.startswith(text))
            or (p.match == "contains" and text in key)
            or (p.match == "regex" and re.fullmatch(p.text, key))
        ):
            hits.append(p)
    return hits


@pytest.mark.parametrize(
    "line",
    [
        "Confidential Information - Do Not Distribute",
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
        "Copyright © 2000-2025 salesforce.com, inc. All rights reserved.",
        "© Copyright 2000–2016 salesforce.com, inc. Tous droits réservés.",
        "Grand Totals (5,700 records)",
        "Report generated on 2026-11-26",
        "Seite 1 von 3",
    ],
)
def test_report_furniture_lines_are_recognised(line):
    assert _furniture(line)


@pytest.mark.parametrize(
    "line", ["Acme Confidential Holdings", "Copyright notice", "Total Quality Ltd"]
)
def test_ordinary_cells_are_not_report_furniture(line):
    assert _furniture(line) == []


def test_salesforce_footer_regex_matches_only_the_copyright_line():
    rx = next(p for p in REPORT_PHRASES if p.match == "regex" and "copyright" in p.text)
    assert rx.confirmed
    assert re.fullmatch(rx.text, normalize_word("Copyright (c) 2000-2026 salesforce.com, inc."))
    assert not re.fullmatch(rx.text, normalize_word("Salesforce renewal 2026"))


def test_german_closed_on_header_is_the_close_date():
    # "Abschluss am" (closed on), written like "Gewonnen am": a sheet with it and no
    # other date column had every won deal outside every quota period
    from sheetsync.columns import map_headers

    hm = map_headers(["Projekt", "Verkäufer", "Phase", "Betrag", "Abschluss am"], 1)
    assert hm.fields["close_date"] == 5


# --------------------------------------------------------------------------- the Quotas tab


@pytest.mark.parametrize(
    "row",
    [
        ("Verkäufer", "Zeitraum", "Soll"),
        ("Vertriebsmitarbeiter", "Quartal", "Umsatzziel"),
        ("Commercial", "Période", "Objectif"),
        ("Vendedor", "Periodo", "Cuota"),
        ("Ejecutivo de ventas", "Trimestre", "Meta"),
        ("Vendedor", "Período", "Meta"),
        ("Responsável", "Mês", "Cota"),
        ("พนักงานขาย", "ไตรมาส", "เป้าหมาย"),
        ("ผู้รับผิดชอบ", "งวด", "เป้า"),
    ],
)
def test_a_quotas_tab_in_each_language_maps_rep_period_and_quota(row):
    from sheetsync import pipeline

    hm = pipeline.map_headers(list(row), 1, synonyms=pipeline._QUOTA_SYNONYMS)
    assert hm.fields == {"owner": 1, "period": 2, "quota": 3}


def test_quota_headers_never_name_two_fields_and_english_stays_most_specific():
    from sheetsync import pipeline

    seen: dict[str, str] = {}
    for f in ("owner", "email", "period", "quota"):
        for h in headers.quota_headers(f):
            key = normalize_header(h)
            assert seen.setdefault(key, f) == f, (h, f, seen[key])
    assert pipeline._QUOTA_SYNONYMS[normalize_header("Quota")] == ("quota", 0)
    assert set(headers.QUOTA_HEADERS) == set(LANGUAGE_SOURCES) - {"en"}
