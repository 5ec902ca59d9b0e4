"""Prospect emails in six languages: the sets, how one is picked, and the greetings.

Each language set (``templates/<code>/``) has every prospect kind, uses the
same context as the English set (the same variables, checked under
StrictUndefined by the preflight), and is chosen by the deal's Language cell
or ``[team] locale``.  The words themselves are pinned by the golden files
(``tests/golden/drafts/<code>/``).
"""

from __future__ import annotations

import pytest
from jinja2 import nodes
from test_drafts import at, day, deal, draft, pipeline

from sheetsync.drafts import DraftSettings, TemplateSet, preflight
from sheetsync.drafts.context import sample_contexts
from sheetsync.drafts.languages import LANGUAGES, deal_language, parse_language
from sheetsync.drafts.names import greeting_line
from sheetsync.drafts.templates import LANGUAGE_TEMPLATE_NAMES, PARTS, render_file


def paths_used(ts: TemplateSet, name: str) -> set[str]:
    """Every ``a.b.c`` a template's files read from the context (all parts together)."""
    out: set[str] = set()
    for part in PARTS:
        f = ts.info(name).parts[part]
        source, _, _ = ts.env.loader.get_source(ts.env, f.name)  # type: ignore[union-attr]
        for node in ts.env.parse(source).find_all((nodes.Getattr, nodes.Name)):
            chain = []
            n = node
            while isinstance(n, nodes.Getattr):
                chain.append(n.attr)
                n = n.node
            if isinstance(n, nodes.Name) and n.ctx == "load":
                out.add(".".join([n.name, *reversed(chain)]))
    return {p for p in out if not any(q.startswith(p + ".") for q in out)}


def test_every_kind_exists_in_every_language_with_the_same_variables():
    root = TemplateSet()
    preflight(root)  # every language set too: parses, known variables, renders strictly
    for name in LANGUAGE_TEMPLATE_NAMES:
        english = paths_used(root, name)
        for language in LANGUAGES:
            ts = root.for_language(language)
            info = ts.info(name)
            assert set(info.parts) == {"subject", "txt", "html"}, (language, name)
            assert all(f.builtin for f in info.parts.values())
            if language != "en":
                assert f"/templates/{language}/" in info.parts["txt"].path.replace("\\", "/")
            assert paths_used(ts, name) == english, (language, name)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_language_renders_its_own_words(language):
    ts = TemplateSet().for_language(language)
    ctx = sample_contexts("appointment_reminder", ts.settings, language)[0]
    text = render_file(ts, "appointment_reminder.txt.j2", ctx)
    expected = {
        "en": ("Hi Jo,", "Friday, November 27 at 9:30 AM", "Best regards,"),
        "de": ("Guten Tag Jo Buyer,", "Freitag, 27. November um 09:30 Uhr", "Mit freundlichen"),
        "fr": ("Bonjour Jo Buyer,", "vendredi 27 novembre à 09:30", "Bien cordialement,"),
        "es": ("Buenos días, Jo Buyer:", "viernes, 27 de noviembre a las 9:30", "Un cordial"),
        "pt_BR": ("Olá, Jo,", "sexta-feira, 27 de novembro, às 09:30", "Atenciosamente,"),
        "th": ("เรียน คุณ Jo", "วันศุกร์ที่ 27 พฤศจิกายน เวลา 09:30 น.", "ขอแสดงความนับถือ"),
    }[language]
    for words in expected:
        assert words in text, (language, words, text)
    if language != "en":  # the agenda's default, in the language too
        assert "presentation and live demo" not in text


@pytest.mark.parametrize(
    "cell,language",
    [
        ("de", "de"),
        ("German", "de"),
        ("Deutsch", "de"),
        ("de-AT", "de"),
        ("th_TH", "th"),
        ("ไทย", "th"),
        ("ภาษาไทย", "th"),
        ("Thai", "th"),
        ("français", "fr"),
        ("Español", "es"),
        ("Portuguese", "pt_BR"),
        ("Português", "pt_BR"),
        ("pt-BR", "pt_BR"),
        ("Brazilian Portuguese", "pt_BR"),
        ("  english ", "en"),
        ("Klingon", None),
        ("ja", None),
    ],
)
def test_a_language_cell_is_a_name_or_a_code(cell, language):
    assert parse_language(cell) == language


def test_the_deal_language_picks_the_set_and_a_bad_one_is_a_finding_at_the_cell():
    p = pipeline(
        deal("DE", next_appointment=at(1, 9, 30), contact_name="Frau Dr. Anna Weber"),
        deal("TH", next_appointment=at(1, 11, 0), contact_name="สมชาย ใจดี"),
        deal("XX", next_appointment=at(1, 14, 0), contact_name="Jane Doe"),
        deal("NO", next_appointment=at(1, 15, 0), contact_name="Jane Roe"),
    )
    by_key = {d.key: d for d in p.deals}
    by_key["DE"].raw["language"] = "Deutsch"
    by_key["TH"].raw["language"] = "ไทย"
    by_key["XX"].raw["language"] = "Klingon"
    run = draft(p)
    texts = {d.key: d.text for d in run.drafts if d.kind == "appointment-reminder"}
    assert texts["DE"].startswith("Sehr geehrte Frau Dr. Weber,")
    assert "um 09:30 Uhr" in texts["DE"]
    assert texts["TH"].startswith("เรียน คุณสมชาย")
    assert texts["XX"].startswith("Hi Jane,") and texts["NO"].startswith("Hi Jane,")
    bad = [f for f in run.problems if f.code == "draft-language"]
    assert len(bad) == 1 and bad[0].deal == "XX" and bad[0].value == "Klingon"
    ref = by_key["XX"].cells["language"]
    assert (bad[0].tab, bad[0].column) == (ref.tab, ref.column)  # at the Language cell
    assert "English (en)" in bad[0].message and "German (de)" in bad[0].hint


def test_the_team_locale_picks_the_set_when_the_deal_has_no_language():
    p = pipeline(deal("R", next_appointment=at(1, 9, 30), contact_name="Herr Klaus Weber"))
    run = draft(p, s=DraftSettings(locale="de_DE", currency_code="EUR"))
    (d,) = [d for d in run.drafts if d.kind == "appointment-reminder"]
    assert d.text.startswith("Sehr geehrter Herr Weber,")
    assert d.subject.startswith("Erinnerung: unser Termin am Freitag, 27. November um 09:30 Uhr")


def test_deal_language_without_a_cell_is_the_team_language():
    assert deal_language(None, "fr_CA") == ("fr", None)
    assert deal_language(None, "ja_JP") == ("en", None)  # no Japanese set: English


def test_a_language_folder_in_templates_dir_shadows_that_language(tmp_path):
    folder = tmp_path / "tpl"
    (folder / "de").mkdir(parents=True)
    (folder / "de" / "follow_up.subject.j2").write_text("Unser Gespräch\n", encoding="utf-8")
    (folder / "de" / "follow_up.txt.j2").write_text(
        "{{ contact.greeting }}\n\nEigener Text.\n", encoding="utf-8"
    )
    root = TemplateSet(templates_dir=folder)
    preflight(root)
    de = root.for_language("de")
    assert de.info("follow_up").custom and not de.info("trial_offer").custom
    assert not root.for_language("fr").info("follow_up").custom


def test_the_team_language_reads_templates_dir_itself_without_a_subfolder(tmp_path):
    # A German team that had translated the English templates in place keeps them.
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "follow_up.subject.j2").write_text("Unser Gespräch\n", encoding="utf-8")
    (folder / "follow_up.txt.j2").write_text("Eigener Text.\n", encoding="utf-8")
    root = TemplateSet(DraftSettings(locale="de_DE"), templates_dir=folder)
    assert root.for_language("de").info("follow_up").custom
    assert not root.for_language("fr").info("follow_up").custom


@pytest.mark.parametrize(
    "name,salutation,language,line",
    [
        ("Frau Dr. Anna Weber", None, "de", "Sehr geehrte Frau Dr. Weber,"),
        ("Herr Klaus Weber", None, "de", "Sehr geehrter Herr Weber,"),
        ("Anna Weber", None, "de", "Guten Tag Anna Weber,"),
        ("Anna Weber", "Anna", "de", "Hallo Anna,"),
        ("Anna Weber", "Frau", "de", "Sehr geehrte Frau Weber,"),
        (None, None, "de", "Guten Tag,"),
        ("Mme Anne Martin", None, "fr", "Bonjour Madame Martin,"),
        ("M. Paul Martin", None, "fr", "Bonjour Monsieur Martin,"),
        ("jane.doe@acme.com", None, "fr", "Bonjour,"),
        ("Sra. María López García", None, "es", "Estimada Sra. López:"),
        ("Sr. Juan Pérez", None, "es", "Estimado Sr. Pérez:"),
        ("Dra. Ana Ruiz", None, "es", "Estimada Dra. Ruiz:"),
        ("Ana Ruiz", None, "es", "Buenos días, Ana Ruiz:"),
        ("Sra. Ana Souza", None, "pt_BR", "Prezada Sra. Souza,"),
        ("Sr. João Souza", None, "pt_BR", "Prezado Sr. Souza,"),
        ("João Souza", None, "pt_BR", "Olá, João,"),
        ("สมชาย ใจดี", None, "th", "เรียน คุณสมชาย"),
        ("นางสาว สมศรี ดี", None, "th", "เรียน คุณสมศรี"),
        ("Jane Doe", None, "th", "เรียน คุณ Jane"),
        (None, None, "th", "เรียน ท่านผู้เกี่ยวข้อง"),
        ("สมชาย ใจดี", None, "de", "Guten Tag สมชาย ใจดี,"),  # no European title on a Thai name
        ("Dr. Anna Weber", None, "en", "Dear Dr. Weber,"),
        ("TANAKA Hiroshi", None, "de", "Guten Tag TANAKA Hiroshi,"),
    ],
)
def test_greetings_follow_each_language_s_business_letter(name, salutation, language, line):
    assert greeting_line(name, salutation, language) == line


def test_the_first_of_the_month_is_written_the_language_s_way():
    from sheetsync.drafts.localize import Formats

    assert Formats("fr_FR").day(day(5)) == "mardi 1er décembre"
    assert Formats("pt_BR").day(day(5)) == "terça-feira, 1º de dezembro"
    assert Formats("es_ES").day(day(5)) == "martes, 1 de diciembre"


def test_a_broken_language_template_stops_the_run_before_anything_is_rendered(tmp_path):
    from sheetsync.errors import TemplateError

    folder = tmp_path / "tpl"
    (folder / "fr").mkdir(parents=True)
    (folder / "fr" / "trial_offer.subject.j2").write_text("Essai\n", encoding="utf-8")
    (folder / "fr" / "trial_offer.txt.j2").write_text(
        "{{ contact.greeting }}\n\n{{ deal.compagnie }}\n", encoding="utf-8"
    )
    with pytest.raises(TemplateError) as err:
        preflight(TemplateSet(templates_dir=folder))  # an English team: French checked too
    assert "fr/trial_offer.txt.j2:3" in str(err.value).replace("\\", "/")
    assert "compagnie" in str(err.value)


def test_english_text_in_a_german_or_thai_team_has_english_dates():
    # the root set (the rep digest, English deals) never mixes in German or Thai month names
    german = TemplateSet(DraftSettings(locale="de_DE", currency_code="EUR")).formats
    assert german.locale == "en_DE"
    assert german.date(day(0)) == "Thursday, 26 November 2026"
    assert german.money(162500.0) == "162.500\xa0€"  # the team's currency, en_DE's pattern
    thai = TemplateSet(DraftSettings(locale="th_TH", currency_code="THB")).formats
    assert thai.date(day(0)) == "Thursday, November 26, 2026"  # CLDR has no en_TH: en_US
    assert thai.money(5.0) == "THB5"  # CLDR English writes the baht THB
    assert (
        TemplateSet(DraftSettings(locale="th_TH"))
        .for_language("th")
        .formats.date(day(0))
        .endswith("พ.ศ. 2569")
    )
