"""Which language an email is written in: the deal's Language cell, else ``[team] locale``.

The rep digest has no deal: it is written in the rep's language,
``[drafts.languages]``, else the team's (:func:`team_language`;
:func:`sheetsync.drafts.digest.rep_language`).

Built-in template sets exist for :data:`LANGUAGES`: English (``templates/``),
and ``templates/<code>/`` for Thai, German, Spanish, Portuguese (Brazil) and
French.  A Language cell may hold a locale code (``de``, ``de-DE``,
``th_TH``, ``pt-BR``) or the language's name in any of those six languages
(``German``, ``Deutsch``, ``allemand``, ``ไทย``, ``ภาษาไทย``, ``Português``,
``Brazilian Portuguese``), matched against CLDR's language names through
Babel, never a hand-written list.  A value that names no language with a
template set is a ``draft-language`` finding at the cell and the draft is
written in the team's language.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sheetsync.model import Deal, Finding

#: Template-set code → the locale its dates and numbers use when the team's
#: locale is another language (a Thai deal in an en_US team: th_TH).
LANGUAGES: dict[str, str] = {
    "en": "en_US",
    "th": "th_TH",
    "de": "de_DE",
    "es": "es_ES",
    "pt_BR": "pt_BR",
    "fr": "fr_FR",
}

#: The default set, whose templates are ``templates/`` itself.
DEFAULT_LANGUAGE = "en"


def set_for_locale(locale: str | None) -> str | None:
    """The template set of a locale (``de_AT`` → ``de``; any Portuguese → ``pt_BR``), None if none."""
    if not locale:
        return None
    from babel import Locale, UnknownLocaleError

    try:
        loc = Locale.parse(str(locale).strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    if loc.language == "pt":
        return "pt_BR"
    return loc.language if loc.language in LANGUAGES else None


def team_language(locale: str) -> str:
    """The team's template set: its locale's, else English."""
    return set_for_locale(locale) or DEFAULT_LANGUAGE


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).casefold()


@functools.cache
def _names() -> dict[str, str]:
    """CLDR's name of each set's language, in each set's language, folded → set code."""
    from babel import Locale

    out: dict[str, str] = {}
    for display in LANGUAGES.values():
        names = Locale.parse(display).languages
        for code in LANGUAGES:
            for key in {code, code.split("_")[0]}:
                name = names.get(key)
                if name:
                    out.setdefault(_fold(name), code)
    return out


def parse_language(value: str | None) -> str | None:
    """A Language cell's set code (``Deutsch`` → ``de``), None when it names none we have."""
    if value is None:
        return None
    text = _fold(str(value))
    if not text:
        return None
    if text.startswith("ภาษา"):  # "ภาษาไทย": "the Thai language"
        text = text[len("ภาษา") :].strip()
    found = _names().get(text)
    if found is not None:
        return found
    return set_for_locale(text)


def format_locale(language: str, team_locale: str) -> str:
    """The locale a set's dates and numbers use: the team's when it is that language.

    Else the language as written in the team's territory when CLDR has it
    (English in a de_DE team: ``en_DE``, "Thursday, 26 November 2026, 14:00";
    French in a de_CH team: ``fr_CH``), else :data:`LANGUAGES`' locale.  So
    English text (an English deal in a German team) never carries German or
    Thai month names.  The rep digest follows the same rule for its rep's
    language (:func:`sheetsync.drafts.digest.rep_language`): the team's
    locale itself when the rep reads the team's language.
    """
    if set_for_locale(team_locale) == language:
        return team_locale
    from babel import Locale, localedata

    territory = Locale.parse(team_locale).territory
    if territory:
        candidate = f"{language.split('_')[0]}_{territory}"
        if localedata.exists(candidate):
            return candidate
    return LANGUAGES[language]


def deal_language(deal: Deal | None, team_locale: str) -> tuple[str, Finding | None]:
    """The set a deal's prospect emails use, and a ``draft-language`` finding for a bad cell.

    An empty or missing Language cell: the team's language, no finding.  A
    value naming no language we have a set for (``Klingon``, ``ja``): the
    team's language, and a warning at the cell so the sheet can be fixed.
    """
    team = team_language(team_locale)
    if deal is None or "language" not in deal.raw:
        return team, None
    raw = deal.raw["language"]
    if raw is None or isinstance(raw, bool) or not str(raw).strip():
        return team, None
    found = parse_language(str(raw))
    if found is not None:
        return found, None
    from sheetsync.model import Finding, Severity

    names = ", ".join(_display(code) for code in LANGUAGES)
    finding = Finding.at(
        "draft-language",
        Severity.WARNING,
        f"{deal.key}: language {str(raw).strip()!r} has no email templates; "
        f"drafted in {_display(team)}",
        deal.cells.get("language"),
        hint=f"write one of {names} (a name or a code such as de, th_TH), or leave it empty "
        "for the team's language",
        field="language",
        value=raw,
        deal=deal.key,
        row=deal.row,
    )
    return team, finding


def _display(code: str) -> str:
    from babel import Locale

    return f"{Locale.parse('en').languages.get(code) or code} ({code})"


#: ``[drafts.agenda]``'s defaults (:data:`~.settings.DEFAULT_AGENDA`) in each
#: language set, used when the team kept the default for that stage kind (a
#: team's own agenda text is used as written, in whatever language it is).
AGENDAS: dict[str, dict[str, str]] = {
    "de": {
        "prospecting": "ein erstes Gespräch über Ihren Bedarf",
        "qualification": "Ihr Bedarf, Budget und Zeitplan – und ob wir gut zusammenpassen",
        "appointment": "Ihr Bedarf im Detail und wie wir Sie unterstützen können",
        "presentation": "eine auf Ihren Bedarf zugeschnittene Präsentation mit Live-Demo",
        "proposal": "unser Angebot Schritt für Schritt und Ihre Fragen",
        "negotiation": "die abschließenden Konditionen, damit wir die nächsten Schritte vereinbaren",
    },
    "fr": {
        "prospecting": "un premier échange sur vos besoins",
        "qualification": "vos besoins, votre budget et votre calendrier, et si nous sommes le bon "
        "partenaire",
        "appointment": "vos besoins en détail, et comment nous pouvons vous aider",
        "presentation": "une présentation et une démonstration en direct adaptées à vos besoins",
        "proposal": "notre proposition, point par point, et vos questions",
        "negotiation": "les conditions finales, pour convenir des prochaines étapes",
    },
    "es": {
        "prospecting": "una primera conversación sobre sus necesidades",
        "qualification": "sus necesidades, presupuesto y plazos, y si encajamos",
        "appointment": "sus necesidades en detalle y cómo podemos ayudarle",
        "presentation": "una presentación y una demostración en directo adaptadas a sus "
        "necesidades",
        "proposal": "nuestra propuesta, paso a paso, y sus preguntas",
        "negotiation": "las condiciones finales, para acordar los próximos pasos",
    },
    "pt_BR": {
        "prospecting": "uma primeira conversa sobre as suas necessidades",
        "qualification": "suas necessidades, orçamento e prazos, e se somos a escolha certa",
        "appointment": "suas necessidades em detalhe e como podemos ajudar",
        "presentation": "uma apresentação e uma demonstração ao vivo sob medida para você",
        "proposal": "nossa proposta, passo a passo, e suas dúvidas",
        "negotiation": "as condições finais, para combinarmos os próximos passos",
    },
    "th": {
        "prospecting": "การพูดคุยครั้งแรกเกี่ยวกับความต้องการของท่าน",
        "qualification": "ความต้องการ งบประมาณ และกรอบเวลาของท่าน รวมถึงความเหมาะสมในการทำงานร่วมกัน",
        "appointment": "รายละเอียดความต้องการของท่าน และแนวทางที่เราจะช่วยได้",
        "presentation": "การนำเสนอและสาธิตระบบจริงตามความต้องการของท่าน",
        "proposal": "รายละเอียดข้อเสนอของเราทีละขั้นตอน และตอบข้อซักถาม",
        "negotiation": "เงื่อนไขสุดท้าย เพื่อตกลงขั้นตอนต่อไปร่วมกัน",
    },
}


def agenda_in(language: str, text: str | None, defaults: Mapping[str, str]) -> str | None:
    """``text`` (the agenda in force) in ``language`` when it is one of the English ``defaults``.

    ``defaults`` is :data:`~.settings.DEFAULT_AGENDA`, passed in: the settings
    module reads language names through this one, so this one does not import it.
    """
    for kind, default in defaults.items():
        if text and text == default and kind in AGENDAS.get(language, {}):
            return AGENDAS[language][kind]
    return text
