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
# Every ASCII byte but a-z and 0-9 (upper case is gone by then) to a space, for bytes.translate.
_SPACES = bytes(code if chr(code) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for code in range(256))
# Arabic-script vowel marks (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks) and tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# The Arabic article al- joined to the start of a word of two letters or more.
_ARABIC_ARTICLE = re.compile("(?<![\u0600-\u06ff])\u0627\u0644(?=[\u0600-\u06ff]{2})")


# Any letter or mark of the Arabic block: the two rules above only apply where there is one.
_ARABIC = re.compile("[\u0600-\u06ff]")
# Runs of characters outside ASCII: only they need transliterating.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _transliterate(match: re.Match[str]) -> str:
    return _ascii(match.group())


@lru_cache(maxsize=65536)
def _ascii(run: str) -> str:
    """A run of non-ASCII letters in ASCII: names recur, and anyascii goes letter by letter in Python."""
    from anyascii import anyascii  # imported here: loading its tables costs start-up time

    return anyascii(run)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Fold ``text`` to lower-case ASCII words separated by single spaces."""
    # NFKC first so that full-width letters and ligatures become ordinary letters; Arabic vowel
    # marks and the elongating tatweel go (they are written or not at will), and so does the
    # Arabic article joined to a word (القاعدة and قاعدة meet, as al-Qaida and Qaida do).
    # ASCII text is its own NFKC form and holds no Arabic: only the steps after apply to it.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if _ARABIC.search(text):
            text = _ARABIC_ARTICLE.sub("", _ARABIC_MARKS.sub("", text))
        # anyascii goes letter by letter in Python: only the runs outside ASCII go through it.
        text = text if text.isascii() else _NON_ASCII.sub(_transliterate, text)
    # From here the text is ASCII: each step is skipped when its mark is absent, and the
    # words are split by a table (C code) rather than a regular expression.
    ascii_text = text.lower()
    if "'" in ascii_text or "`" in ascii_text:
        ascii_text = _APOSTROPHES.sub("", ascii_text)
    if "-" in ascii_text:
        ascii_text = _GLUED_ARTICLE.sub("", ascii_text)
    folded = " ".join(ascii_text.encode("ascii").translate(_SPACES).decode("ascii").split())
    return _LEADING_ARTICLE.sub("", folded) if folded[:3] in ("al ", "el ") else folded


def compact(folded: str) -> str:
    """Join the words of an already folded text: ``"is k"`` -> ``"isk"``."""
    return folded.replace(" ", "")


def fold_compact(text: str) -> str:
    """``compact(fold(text))``."""
    return compact(fold(text))


def words(folded: str) -> list[str]:
    """The words of an already folded text."""
    return folded.split()


# Letters of other alphabets that look like Latin ones (after Unicode's confusables, TR39).
_LOOK_ALIKE = str.maketrans(
    "АВЕКМНОРСТУХаеорсухіІјЈѕЅԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοινρτυχ",
    "ABEKMHOPCTYXaeopcyxiIjJsSdqwABEZHIKMNOPTYXoivptux",
)
_SCRIPTS = (("LATIN", "latin"), ("CYRILLIC", "cyrillic"), ("GREEK", "greek"))


def mixes_scripts(text: str) -> bool:
    """Whether ``text`` holds letters of more than one of the Latin, Cyrillic and Greek alphabets."""
    found: set[str] = set()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.update(script for prefix, script in _SCRIPTS if name.startswith(prefix))
    return len(found) > 1


def skeleton(text: str) -> str:
    """``text`` with Cyrillic and Greek letters that look like Latin ones replaced by those."""
    return text.translate(_LOOK_ALIKE)
