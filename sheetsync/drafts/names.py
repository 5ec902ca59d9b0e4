"""How to greet a contact: from a Salutation cell, else from the contact's name.

:func:`greeting` returns the name to write after the greeting word and
whether the greeting is formal ("Dear Dr. Müller," rather than "Hi Jane,");
``None`` means no usable name: the template writes a neutral "Hello,".

* A Salutation / Greeting name cell wins: written as a name ("Dr. Schmidt",
  "Khun Somchai", "Jane") it is used as written; a bare title ("Dr.", "Herr",
  "Ms.") is joined to the contact's family name.
* Else the contact's name: a leading title (Dr., Mr., Ms., Prof., Herr,
  Frau, Mme, Sr., Sra., คุณ, นาย, นางสาว…) makes it formal, title plus family
  name ("Herr Dr. Weber" → "Herr Dr. Weber", "Dr. Anna Weber" → "Dr. Weber");
  a Thai name is greeted คุณ plus the given name (Thai usage, whatever the
  title); a family-name-first name (Chinese, Japanese or Korean script,
  "TANAKA Hiroshi", "Tanaka, Hiroshi" is not: the comma says given name after)
  is greeted by the full name as written, formally, never by the family name
  as if it were a first name; otherwise the given name, informally.
* An address, initials or nothing: ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: Titles a name may start with, folded (case, dots): what follows is a name.
TITLES: frozenset[str] = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "sir",
        "dame",
        "herr",
        "frau",
        "m",
        "mme",
        "mlle",
        "sr",
        "sra",
        "srta",
        "dra",
        "don",
        "doña",
        "dona",
        "ing",
        "dipl",
        "mag",
        "khun",
    }
)

#: Thai titles, written before the name with or without a space.
THAI_TITLES: tuple[str, ...] = ("นางสาว", "ดร.", "คุณ", "นาย", "นาง", "น.ส.")

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _fold(token: str) -> str:
    return unicodedata.normalize("NFC", token).casefold().rstrip(".")


def _is_title(token: str) -> bool:
    return _fold(token) in TITLES


def _usable(name: str | None) -> str | None:
    if not name:
        return None
    text = " ".join(name.split())
    if not text or "@" in text or not any(ch.isalpha() for ch in text):
        return None
    return text


def _thai(name: str) -> tuple[str, ...] | None:
    """A Thai-script name without its title, as its words (given name first)."""
    if not _THAI.search(name):
        return None
    rest = name
    for title in THAI_TITLES:
        if rest.startswith(title):
            rest = rest[len(title) :].strip()
            break
    return tuple(rest.split()) or None


def _family_first(name: str, words: list[str]) -> bool:
    if _CJK.search(name):
        return True
    # "TANAKA Hiroshi": the family name in capitals, first (a common business convention)
    return (
        len(words) >= 2
        and len(words[0]) > 1
        and words[0].isupper()
        and words[0].isalpha()
        and not words[1].isupper()
    )


def given_name(name: str | None) -> str | None:
    """The given name to write after "Hi", or None (an address, a title alone, initials)."""
    g = greeting(name)
    return g[0] if g is not None and not g[1] else None


def greeting(name: str | None, salutation: str | None = None) -> tuple[str, bool] | None:
    """(name to greet, formal?) or None for a neutral greeting (see the module notes)."""
    sal = _usable(salutation)
    if sal is not None:
        words = sal.split()
        if all(_is_title(w) for w in words):  # "Dr." alone: the family name after it
            family = _family_name(name)
            return (f"{sal} {family}", True) if family else None
        if _thai(sal) is not None and not sal.startswith(THAI_TITLES):
            return f"คุณ{sal}", True
        return sal, _is_title(words[0]) or sal.startswith(THAI_TITLES)
    text = _usable(name)
    if text is None:
        return None
    thai = _thai(text)
    if thai is not None:
        return f"คุณ{thai[0]}", True
    if "," in text:  # "Müller, Zoë": family name, then given name
        family, _, given = text.partition(",")
        words = given.split()
        titles = [w for w in words if _is_title(w)]
        rest = [w for w in words if not _is_title(w)]
        if titles:
            return " ".join([*titles, family.strip()]), True
        return (rest[0], False) if rest and len(rest[0].rstrip(".")) > 1 else None
    words = text.split()
    titles: list[str] = []
    while words and _is_title(words[0]):
        titles.append(words.pop(0))
    if not words:
        return None
    if _family_first(text, words):
        return " ".join(titles + words), True
    if titles:
        spanish = {_fold(t) for t in titles} & {"sr", "sra", "srta", "don", "doña", "dona"}
        # "Sra. María López García": the first surname (Spanish usage)
        family = words[1] if spanish and len(words) >= 3 else words[-1]
        return " ".join([*titles, family]), True
    first = words[0]
    if len(first.rstrip(".")) <= 1:  # "J. Smith": initials are no name to greet
        return None
    return first, False


def _family_name(name: str | None) -> str | None:
    text = _usable(name)
    if text is None:
        return None
    if "," in text:
        return text.partition(",")[0].strip() or None
    words = [w for w in text.split() if not _is_title(w)]
    if not words:
        return None
    return words[0] if _family_first(text, words) else words[-1]


# --------------------------------------------------------------------------- greeting lines

#: Titles that say the contact is a woman or a man (folded), for the
#: languages whose greeting agrees with it (Sehr geehrte Frau / Sehr
#: geehrter Herr, Madame / Monsieur, Estimada / Estimado, Prezada / Prezado).
FEMALE: frozenset[str] = frozenset(
    {"ms", "mrs", "miss", "frau", "mme", "mlle", "sra", "srta", "dra", "doña", "dona", "dame"}
)
MALE: frozenset[str] = frozenset({"mr", "herr", "m", "sr", "don", "sir"})
THAI_FEMALE: tuple[str, ...] = ("นางสาว", "นาง", "น.ส.")
THAI_MALE: tuple[str, ...] = ("นาย",)

#: Academic titles kept after the honorific where the language keeps them
#: ("Sehr geehrte Frau Dr. Weber"; "Estimada Dra. López").
ACADEMIC: frozenset[str] = frozenset({"dr", "prof", "dra"})


def _split(greet_name: str) -> tuple[list[str], str]:
    """``"Herr Dr. Weber"`` → (["Herr", "Dr."], "Weber")."""
    words = greet_name.split()
    titles: list[str] = []
    while len(words) > 1 and _is_title(words[0]):
        titles.append(words.pop(0))
    return titles, " ".join(words)


def _gender(name: str | None, salutation: str | None, titles: list[str]) -> str | None:
    folded = {_fold(t) for t in titles}
    for text in (salutation, name):
        if text:
            first = text.split()[0] if text.split() else ""
            folded.add(_fold(first))
            if text.startswith(THAI_FEMALE):
                return "f"
            if text.startswith(THAI_MALE):
                return "m"
    if folded & FEMALE:
        return "f"
    if folded & MALE:
        return "m"
    return None


def _full_name(name: str | None) -> str | None:
    """The contact's name without titles, as written (``"Dr. Anna Weber"`` → ``Anna Weber``)."""
    text = _usable(name)
    if text is None:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        rest = [w for w in given.split() if not _is_title(w)]
        text = " ".join([*rest, family.strip()])
    words = [w for w in text.split() if not _is_title(w)]
    out = " ".join(words)
    return out if out and not all(len(w.rstrip(".")) <= 1 for w in words) else None


def greeting_line(name: str | None, salutation: str | None = None, language: str = "en") -> str:
    """The greeting line of a prospect email in ``language`` (a template-set code).

    Each language's business-letter convention:

    ``en``  ``Dear Dr. Weber,`` (formal), ``Hi Jane,``, ``Hello,``.
    ``de``  ``Sehr geehrte Frau Dr. Weber,`` / ``Sehr geehrter Herr Weber,`` when
            a title says which; else ``Guten Tag Anna Weber,`` (DIN 5008's
            gender-neutral form); ``Hallo Anna,`` only for a Salutation cell
            written as a first name; ``Guten Tag,``.
    ``fr``  ``Bonjour Madame Martin,`` / ``Bonjour Monsieur Martin,``; else
            ``Bonjour Anne Martin,``; ``Bonjour,``.
    ``es``  ``Estimada Sra. López:`` / ``Estimado Sr. López:`` (the colon of a
            Spanish letter); else ``Buenos días, Ana López:``; ``Buenos días:``.
    ``pt_BR`` ``Prezada Sra. Souza,`` / ``Prezado Sr. Souza,``; else
            ``Olá, Ana,`` (Brazilian business email uses the given name);
            ``Olá,``.
    ``th``  ``เรียน คุณสมชาย`` (คุณ and the given name, Thai usage; no comma);
            a foreign name ``เรียน คุณ Jane``; else ``เรียน ท่านผู้เกี่ยวข้อง``.
    """
    greet = greeting(name, salutation)
    if language == "en" or language not in _LINES:
        if greet is None:
            return "Hello,"
        return f"Dear {greet[0]}," if greet[1] else f"Hi {greet[0]},"
    return _LINES[language](name, salutation, greet)


def _european(
    name: str | None,
    salutation: str | None,
    greet: tuple[str, bool] | None,
    *,
    female: str,
    male: str,
    neutral: str,
    informal: str,
    nobody: str,
    end: str,
    academic: bool,
    given_informal: bool = False,
) -> str:
    if greet is None:
        return nobody
    if _THAI.search(greet[0]):  # a Thai name: its words, no European title
        words = _thai(_usable(salutation) or name or greet[0]) or (greet[0],)
        return neutral.format(" ".join(words)) + end
    titles, family = _split(greet[0]) if greet[1] else ([], greet[0])
    gender = _gender(name, salutation, titles) if greet[1] else None
    if gender is not None:
        acad = [t for t in titles if _fold(t) in ACADEMIC and _fold(t) != "dra"] if academic else []
        words = " ".join([*acad, family])
        return (female if gender == "f" else male).format(words) + end
    sal = _usable(salutation)
    if sal is not None and not greet[1]:  # a Salutation cell written as a first name
        return informal.format(greet[0]) + end
    if greet[1]:
        return neutral.format(greet[0]) + end
    if given_informal:
        return neutral.format(greet[0]) + end
    full = _full_name(name) or greet[0]
    return neutral.format(full) + end


#: The forms of each European language's greeting line (see :func:`_european`):
#: a business letter's usual opening in each (DIN 5008 for German; the
#: colon after a Spanish salutation).
_EUROPEAN_FORMS: dict[str, dict[str, Any]] = {
    "de": {
        "female": "Sehr geehrte Frau {}",
        "male": "Sehr geehrter Herr {}",
        "neutral": "Guten Tag {}",
        "informal": "Hallo {}",
        "nobody": "Guten Tag,",
        "end": ",",
        "academic": True,
    },
    "fr": {
        "female": "Bonjour Madame {}",
        "male": "Bonjour Monsieur {}",
        "neutral": "Bonjour {}",
        "informal": "Bonjour {}",
        "nobody": "Bonjour,",
        "end": ",",
        "academic": False,
    },
    "es": {
        "female": "Estimada Sra. {}",
        "male": "Estimado Sr. {}",
        "neutral": "Buenos días, {}",
        "informal": "Hola, {}",
        "nobody": "Buenos días:",
        "end": ":",
        "academic": False,
    },
    "pt": {
        "female": "Prezada Sra. {}",
        "male": "Prezado Sr. {}",
        "neutral": "Olá, {}",
        "informal": "Olá, {}",
        "nobody": "Olá,",
        "end": ",",
        "academic": False,
        "given_informal": True,
    },
}


def _de(name: str | None, sal: str | None, greet: tuple[str, bool] | None) -> str:
    return _european(name, sal, greet, **_EUROPEAN_FORMS["de"])


def _fr(name: str | None, sal: str | None, greet: tuple[str, bool] | None) -> str:
    return _european(name, sal, greet, **_EUROPEAN_FORMS["fr"])


def _es(name: str | None, sal: str | None, greet: tuple[str, bool] | None) -> str:
    if greet is not None and greet[1]:
        titles, family = _split(greet[0])
        if {_fold(t) for t in titles} & {"dra"}:
            return f"Estimada Dra. {family}:"
    return _european(name, sal, greet, **_EUROPEAN_FORMS["es"])


def _pt(name: str | None, sal: str | None, greet: tuple[str, bool] | None) -> str:
    return _european(name, sal, greet, **_EUROPEAN_FORMS["pt"])


def _th(name: str | None, sal: str | None, greet: tuple[str, bool] | None) -> str:
    if greet is None:
        return "เรียน ท่านผู้เกี่ยวข้อง"
    text = greet[0]
    if text.startswith("คุณ"):
        return f"เรียน {text}"
    if _thai(text) is not None and text.startswith(THAI_TITLES):
        return f"เรียน {text}"
    who = text if not greet[1] else (_full_name(name) or _split(text)[1])
    return f"เรียน คุณ{who}" if _THAI.search(who[:1]) else f"เรียน คุณ {who}"


_LINES = {"de": _de, "fr": _fr, "es": _es, "pt_BR": _pt, "th": _th}
