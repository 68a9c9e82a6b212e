"""Folding of names for search: one spelling for the many transliterations of a name.

``fold`` turns a name into lower-case ASCII words: anyascii transliterates Cyrillic,
Arabic and Latin letters with diacritics; apostrophes, ayn and hamza marks disappear
(``Da'esh`` and ``Daesh`` meet); every other punctuation mark, hyphens included,
separates words; an Arabic article glued by a hyphen (``al-``, ``el-``, ``ad-``, ...)
is dropped wherever it stands, and a leading free-standing ``al``/``el`` too, so that
``al-Mersaad``, ``Al Mersaad`` and ``Mersaad`` fold alike. ``compact`` joins the words,
so that ``IS-K``, ``IS K`` and ``ISK`` meet as well.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["compact", "fold", "fold_compact", "words"]

_APOSTROPHES = re.compile(r"['`´ʹʻʼʽʾʿˈ‘’‛′]")
_GLUED_ARTICLE = re.compile(r"\b(?:al|el|ad|ar|as|at|an|ash|az|ud|ul|ur|ut)-(?=\w)")
_LEADING_ARTICLE = re.compile(r"^(?:(?:al|el) )+(?=\w)")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Fold ``text`` to lower-case ASCII words separated by single spaces."""
    from anyascii import (
        anyascii,  # imported here: loading its tables costs start-up time
    )

    # NFKC first so that full-width letters and ligatures become ordinary letters.
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    ascii_text = _APOSTROPHES.sub("", ascii_text)
    ascii_text = _GLUED_ARTICLE.sub("", ascii_text)
    folded = _NON_WORD.sub(" ", ascii_text).strip()
    return _LEADING_ARTICLE.sub("", folded)


def compact(folded: str) -> str:
    """Join the words of an already folded text: ``"is k"`` -> ``"isk"``."""
    return folded.replace(" ", "")


def fold_compact(text: str) -> str:
    """``compact(fold(text))``."""
    return compact(fold(text))


def words(folded: str) -> list[str]:
    """The words of an already folded text."""
    return folded.split()
