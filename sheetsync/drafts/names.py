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
