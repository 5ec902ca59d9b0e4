"""Won, lost or open: from the words exports and teams use, in several languages.

CRM exports keep a deal's outcome in different places: a status column
beside the stage (Pipedrive ``Deal - Status``: open / won / lost; Dynamics
365 ``Status``: Open / Won / Lost), a pair of yes/no columns (Salesforce
reports' ``Won`` and ``Closed``), or the stage name itself (HubSpot
``Closed Won``, ``Won - Signed``, ``Gewonnen``).  This module turns such
words into an :class:`~sheetsync.model.Outcome`; ``pipeline`` decides which
column wins (the status column: the stage is then where the deal was won or
lost).

Word lists: :mod:`sheetsync.vocab.words` (with their sources); a word is
matched as a whole word of the cell, ignoring case and accents, so ``Closed
Won`` and ``won - signed`` are won and ``Wonderful`` is nothing.  Thai is
written without spaces, so Thai words are matched inside the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .model import Outcome

__all__ = ["fold", "is_ambiguous", "outcome_word"]


def fold(text: str) -> str:
    """Casefold and drop accents (``Gagné`` → ``gagne``), Thai marks kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        c for c in decomposed if not (unicodedata.combining(c) and not "\u0e00" <= c <= "\u0e7f")
    )


_WORD = re.compile(r"[^\W\d_]+")


def _is_thai(word: str) -> bool:
    return any("\u0e00" <= c <= "\u0e7f" for c in word)


class _Words:
    """A set of outcome words compiled for whole-word (and Thai substring) matching."""

    def __init__(self, words: Iterable[str]) -> None:
        self.phrases: list[tuple[str, ...]] = []
        self.thai: list[str] = []
        for w in words:
            f = fold(w)
            if _is_thai(f):
                self.thai.append(f)
            else:
                tokens = tuple(_WORD.findall(f))
                if tokens:
                    self.phrases.append(tokens)

    def found_in(self, tokens: list[str], folded: str) -> bool:
        for phrase in self.phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if tuple(tokens[i : i + n]) == phrase:
                    return True
        return any(t in folded for t in self.thai)


_TABLES: tuple[dict[Outcome, _Words], _Words] | None = None


def _tables() -> tuple[dict[Outcome, _Words], _Words]:
    global _TABLES
    if _TABLES is None:
        from .vocab.words import WORDS

        _TABLES = (
            {o: _Words(w for lw in WORDS.values() for w in lw.outcome_words()[o]) for o in Outcome},
            _Words(w for lw in WORDS.values() for w in lw.ambiguous),
        )
    return _TABLES


def outcome_word(text: str | None) -> Outcome | None:
    """The outcome a status or stage text names, or None.

    ``Closed Won`` and ``Won - Signed`` are won, ``Closed Lost`` lost,
    ``In Progress`` open.  A text naming won and lost (``Won/Lost``) or only
    an ending without its outcome (``Closed``: see :func:`is_ambiguous`) is
    None; an open word beside a won or lost one yields to it.
    """
    if not text:
        return None
    folded = fold(str(text))
    tokens = _WORD.findall(folded)
    words, _ = _tables()
    found = {o for o, table in words.items() if table.found_in(tokens, folded)}
    closed = found - {Outcome.OPEN}
    if len(closed) == 1:
        return closed.pop()
    if not closed and found:
        return Outcome.OPEN
    return None


def is_ambiguous(text: str | None) -> bool:
    """True for words that say a deal ended but not how (``Closed``, ``Abgeschlossen``)."""
    if not text:
        return False
    folded = fold(str(text))
    return outcome_word(text) is None and _tables()[1].found_in(_WORD.findall(folded), folded)


def from_booleans(answers: Iterable[tuple[str, str, bool | None]]) -> Outcome | None:
    """The outcome yes/no status columns give together, or None when they do not settle it.

    Each answer is ``(meaning if true, meaning if false, value)`` with the
    meanings of :class:`sheetsync.vocab.headers.BooleanStatus` (``won``,
    ``lost``, ``open``, ``closed``, ``not won``, ``not lost``).  Salesforce's
    pair: Won = TRUE → won; Won = FALSE and Closed = TRUE → lost;
    Closed = FALSE → open.
    """
    possible = {Outcome.WON, Outcome.LOST, Outcome.OPEN}
    meaning_sets = {
        "won": {Outcome.WON},
        "lost": {Outcome.LOST},
        "open": {Outcome.OPEN},
        "closed": {Outcome.WON, Outcome.LOST},
        "not won": {Outcome.OPEN, Outcome.LOST},
        "not lost": {Outcome.OPEN, Outcome.WON},
    }
    seen = False
    for if_true, if_false, value in answers:
        if value is None:
            continue
        seen = True
        possible &= meaning_sets[if_true if value else if_false]
    if seen and len(possible) == 1:
        return possible.pop()
    return None
