"""Email templates: the built-ins, shadowing by name, list/show/init, and the preflight.

Every preflight failure must name the template file and line, and stop the
run before anything is rendered or saved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_drafts import NOW, T, at, day, deal, draft, only, parsed, pipeline

from sheetsync.drafts import (
    SCHEMAS,
    TEMPLATE_NAMES,
    DraftSettings,
    TemplateSet,
    default_templates_dir,
    init_templates,
    list_templates,
    preflight,
    show_template,
)
from sheetsync.drafts.context import conforms, sample_contexts
from sheetsync.drafts.languages import LANGUAGES
from sheetsync.drafts.templates import LANGUAGE_TEMPLATE_NAMES
from sheetsync.errors import ConfigError, TemplateError

ROOT = Path(__file__).resolve().parents[1]


def custom(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


GOOD_SUBJECT = "Hello {{ contact.first_name or 'there' }}\n"
GOOD_TEXT = "Hi {{ contact.first_name }},\n\nCustom follow-up from {{ sender.name }}.\n"


def preflight_error(tmp_path: Path, files: dict[str, str]) -> str:
    folder = custom(tmp_path, files)
    with pytest.raises(TemplateError) as err:
        preflight(TemplateSet(templates_dir=folder))
    return str(err.value)


# --------------------------------------------------------------------------- built-ins


def test_builtin_templates_ship_with_the_package():
    folder = default_templates_dir()
    names = sorted(e.name for e in folder.iterdir() if e.name.endswith(".j2"))
    assert names == sorted(
        f"{n}.{p}.j2" for n in TEMPLATE_NAMES for p in ("subject", "txt", "html")
    )
    # The repository's templates/ folder is the source of those files.
    for name in names:
        assert folder.joinpath(name).read_text(encoding="utf-8") == (
            ROOT / "templates" / name
        ).read_text(encoding="utf-8")


def test_builtin_templates_pass_the_preflight():
    preflight(TemplateSet())


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_sample_contexts_match_the_documented_schema(name):
    for ctx in sample_contexts(name, DraftSettings()):
        assert conforms(ctx, SCHEMAS[name]) == []


def test_real_contexts_match_the_documented_schema():
    from sheetsync.drafts.context import Sender, digest_context, prospect_context
    from sheetsync.followups import compute_followups
    from sheetsync.metrics import compute_metrics

    p = pipeline(
        deal("R", next_appointment=at(1)), deal("F", next_appointment=None, last_contact=day(-9))
    )
    acts = compute_followups(p, T)
    for a in acts:
        ctx = prospect_context(
            a, p.deals[0], p.stage(a.stage), Sender("Ana", "a@x.example"), T, DraftSettings()
        )
        assert conforms(ctx, SCHEMAS["follow_up"]) == []
    m = compute_metrics(p, T).to_dict()
    ctx = digest_context(
        Sender("Ana", "a@x.example"), acts, m["owners"][0], m["period"], T, DraftSettings()
    )
    assert conforms(ctx, SCHEMAS["rep_digest"]) == []


# --------------------------------------------------------------------------- list / show / init


def test_list_templates_says_where_each_file_comes_from(tmp_path):
    infos = {i.name: i for i in list_templates()}
    assert list(infos)[:4] == list(TEMPLATE_NAMES)  # English, then each language's set
    assert list(infos)[4:] == [
        f"{lang}/{n}" for lang in LANGUAGES if lang != "en" for n in LANGUAGE_TEMPLATE_NAMES
    ]
    assert all(not i.custom and set(i.parts) == {"subject", "txt", "html"} for i in infos.values())
    folder = custom(tmp_path, {"follow_up.subject.j2": GOOD_SUBJECT, "follow_up.txt.j2": GOOD_TEXT})
    infos = {i.name: i for i in list_templates(folder)}
    assert infos["follow_up"].custom and set(infos["follow_up"].parts) == {"subject", "txt"}
    assert infos["follow_up"].parts["txt"].path == str(folder / "follow_up.txt.j2")
    assert not infos["trial_offer"].custom


def test_show_template_prints_the_files_in_effect(tmp_path):
    text = show_template("appointment_reminder")
    assert text.startswith("==> ") and "appointment_reminder.subject.j2 (built-in) <==" in text
    assert "appointment_reminder.html.j2 (built-in) <==" in text
    assert "Reminder: our meeting" in text
    folder = custom(tmp_path, {"follow_up.subject.j2": GOOD_SUBJECT, "follow_up.txt.j2": GOOD_TEXT})
    shown = show_template("follow_up", folder)
    assert f"==> {folder / 'follow_up.txt.j2'} (custom) <==\n{GOOD_TEXT}" in shown
    assert "html" not in shown
    with pytest.raises(ConfigError, match="no template named 'folow_up'"):
        show_template("folow_up")


def test_init_copies_the_defaults_and_never_overwrites(tmp_path):
    target = tmp_path / "my-templates"
    written = init_templates(target)
    assert (
        len(written) == 12 + 5 * 12
    )  # English, then de, es, fr, pt_BR, th in folders (the digest too)
    assert {p.parent.name for p in written} == {"my-templates", "de", "es", "fr", "pt_BR", "th"}
    assert (target / "rep_digest.txt.j2").read_text(encoding="utf-8") == (
        ROOT / "templates" / "rep_digest.txt.j2"
    ).read_text(encoding="utf-8")
    (target / "follow_up.txt.j2").write_text("edited\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nothing was copied"):
        init_templates(target)
    assert (target / "follow_up.txt.j2").read_text(encoding="utf-8") == "edited\n"
    other = tmp_path / "other"
    other.mkdir()
    (other / "trial_offer.html.j2").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError, match="trial_offer.html.j2"):
        init_templates(other)
    assert sorted(p.name for p in other.iterdir()) == ["trial_offer.html.j2"]
    # The copies pass the preflight as they are.
    preflight(TemplateSet(templates_dir=target))


# --------------------------------------------------------------------------- shadowing


def test_templates_dir_shadows_a_builtin_by_name(tmp_path):
    folder = custom(tmp_path, {"follow_up.subject.j2": GOOD_SUBJECT, "follow_up.txt.j2": GOOD_TEXT})
    p = pipeline(
        deal("F", next_appointment=None, last_contact=day(-9)),
        deal("R", next_appointment=at(1)),
    )
    run = draft(p, s=DraftSettings(templates_dir=str(folder)))
    follow = parsed(only(run, "follow-up").message)
    assert follow["Subject"] == "Hello Ann"
    assert follow.get_content_type() == "text/plain"  # the built-in HTML does not tag along
    assert "Custom follow-up from Ana Lima." in follow.get_content()
    reminder = parsed(only(run, "appointment-reminder").message)
    assert reminder["Subject"].startswith("Reminder: our meeting on Friday, November 27")
    assert reminder.get_content_type() == "multipart/alternative"


def test_custom_templates_can_include_partials(tmp_path):
    folder = custom(
        tmp_path,
        {
            "_signature.txt.j2": "-- \n{{ sender.name }}, {{ sender.email }}\n",
            "follow_up.subject.j2": GOOD_SUBJECT,
            "follow_up.txt.j2": "Hi,\n{% include '_signature.txt.j2' %}",
        },
    )
    p = pipeline(deal("F", next_appointment=None, last_contact=day(-9)))
    run = draft(p, s=DraftSettings(templates_dir=str(folder)))
    text = parsed(only(run, "follow-up").message).get_content().replace("\r\n", "\n")
    assert text == "Hi,\n-- \nAna Lima, ana@northwind.example\n"


def test_a_missing_templates_dir_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="is not a folder"):
        TemplateSet(templates_dir=tmp_path / "nope")


# --------------------------------------------------------------------------- preflight


def test_syntax_error_names_file_and_line(tmp_path):
    msg = preflight_error(
        tmp_path,
        {
            "follow_up.subject.j2": GOOD_SUBJECT,
            "follow_up.txt.j2": "Hi,\n\n{% if contact.first_name %}\nno end\n",
        },
    )
    assert f"{tmp_path / 'tpl' / 'follow_up.txt.j2'}:" in msg
    assert "follow_up.txt.j2:4:" in msg or "follow_up.txt.j2:5:" in msg
    assert "endif" in msg


def test_unknown_variable_names_file_and_line(tmp_path):
    msg = preflight_error(
        tmp_path,
        {
            "trial_offer.subject.j2": GOOD_SUBJECT,
            "trial_offer.txt.j2": "Hi,\n\nline two\n{{ dael.name }}\n",
        },
    )
    assert msg.startswith(f"{tmp_path / 'tpl' / 'trial_offer.txt.j2'}:4: unknown variable 'dael'")
    assert "hint:" in msg and "deal" in msg


def test_unknown_attribute_names_file_and_line(tmp_path):
    msg = preflight_error(
        tmp_path,
        {
            "follow_up.subject.j2": "Hi {{ deal.compnay }}",
            "follow_up.txt.j2": GOOD_TEXT,
        },
    )
    assert msg.startswith(
        f"{tmp_path / 'tpl' / 'follow_up.subject.j2'}:1: unknown attribute 'compnay'"
    )
    assert "company" in msg  # the hint lists the known ones


def test_attributes_of_loop_items_are_checked(tmp_path):
    msg = preflight_error(
        tmp_path,
        {
            "rep_digest.subject.j2": "Digest",
            "rep_digest.txt.j2": "{% for g in groups %}\n{% for a in g.actions %}\n{{ a.dael }}\n{% endfor %}\n{% endfor %}\n",
        },
    )
    assert "rep_digest.txt.j2:3: unknown attribute 'dael'" in msg


def test_attributes_of_values_are_checked(tmp_path):
    msg = preflight_error(
        tmp_path,
        {"follow_up.subject.j2": "{{ as_of.yeer }}", "follow_up.txt.j2": GOOD_TEXT},
    )
    assert "follow_up.subject.j2:1: unknown attribute 'yeer' on a date value" in msg
    # Real attributes and methods of a value are fine.
    folder = custom(
        tmp_path,
        {
            "follow_up.subject.j2": "{{ as_of.year }} {{ sender.name.upper() }}",
            "follow_up.txt.j2": GOOD_TEXT,
        },
    )
    preflight(TemplateSet(templates_dir=folder))


def test_a_template_that_breaks_on_missing_values_fails_the_preflight(tmp_path):
    msg = preflight_error(
        tmp_path,
        {
            "appointment_reminder.subject.j2": "Meeting",
            "appointment_reminder.txt.j2": "Hi,\n{{ contact.first_name.upper() }}\n",
        },
    )
    assert "appointment_reminder.txt.j2:2:" in msg


def test_misnamed_and_incomplete_templates_are_refused(tmp_path):
    msg = preflight_error(tmp_path, {"folow_up.txt.j2": GOOD_TEXT})
    assert "folow_up.txt.j2: unknown template name 'folow_up'" in msg
    msg = preflight_error(tmp_path / "b", {"follow_up.txt.j2": GOOD_TEXT})
    assert "follow_up.subject.j2: missing" in msg
    msg = preflight_error(tmp_path / "c", {"follow_up.text.j2": "x"})
    assert "follow_up.text.j2: not a template file name" in msg


def test_a_partial_that_does_not_exist_is_reported(tmp_path):
    msg = preflight_error(
        tmp_path,
        {"follow_up.subject.j2": GOOD_SUBJECT, "follow_up.txt.j2": "Hi\n{% include '_sig.j2' %}\n"},
    )
    assert "follow_up.txt.j2:2: includes '_sig.j2', which does not exist" in msg


def test_a_broken_template_renders_and_saves_nothing(tmp_path):
    folder = custom(
        tmp_path,
        {"follow_up.subject.j2": GOOD_SUBJECT, "follow_up.txt.j2": "{{ deal.nmae }}\n"},
    )
    out = tmp_path / "out"
    p = pipeline(deal("R", next_appointment=at(1)))
    with pytest.raises(TemplateError, match="follow_up.txt.j2:1"):
        draft(p, out, s=DraftSettings(templates_dir=str(folder)))
    assert not out.exists()


def test_an_unknown_filter_is_a_preflight_error(tmp_path):
    msg = preflight_error(
        tmp_path,
        {"follow_up.subject.j2": GOOD_SUBJECT, "follow_up.txt.j2": "\n{{ deal.amount|moneyy }}\n"},
    )
    assert "follow_up.txt.j2:2:" in msg and "moneyy" in msg


def test_run_time_error_on_real_data_names_the_template_and_the_deal(tmp_path):
    # Passes the preflight (no sample deal is worth exactly 7) but one real deal is.
    folder = custom(
        tmp_path,
        {
            "appointment_reminder.subject.j2": "Meeting",
            "appointment_reminder.txt.j2": "Hi\n{{ deal.name }}\n{{ 1 // ((deal.amount or 0)|int - 7) }}\n",
        },
    )
    p = pipeline(deal("Z", next_appointment=at(1), amount=7.0))
    with pytest.raises(TemplateError) as err:
        draft(p, tmp_path / "out", s=DraftSettings(templates_dir=str(folder)))
    assert "appointment_reminder.txt.j2:3: ZeroDivisionError" in str(err.value)
    assert "(rendering appointment-reminder for Deal Z)" in str(err.value)
    assert not (tmp_path / "out").exists()


_ = (NOW, dt)
