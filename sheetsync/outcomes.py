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

__all__ = ["outcome_word", "fold"]


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


_TABLES: dict[Outcome, _Words] | None = None


def _tables() -> dict[Outcome, _Words]:
    global _TABLES
    if _TABLES is None:
        from .vocab.words import outcome_words

        _TABLES = {o: _Words(outcome_words(o.value)) for o in Outcome}
    return _TABLES


def outcome_word(text: str | None) -> Outcome | None:
    """The outcome a status or stage text names, or None.

    ``None`` also when the text names two outcomes (``won/lost``): that is a
    header, not a value.
    """
    if not text:
        return None
    folded = fold(str(text))
    tokens = _WORD.findall(folded)
    found = [o for o, words in _tables().items() if words.found_in(tokens, folded)]
    if len(found) == 1:
        return found[0]
    if set(found) == {Outcome.WON, Outcome.OPEN} or set(found) == {Outcome.LOST, Outcome.OPEN}:
        # "Closed Won" holds "closed" (an open-word in no list) — but "not won yet"?
        # an open word beside a won/lost word: the closing word decides
        return next(o for o in found if o is not Outcome.OPEN)
    return None
