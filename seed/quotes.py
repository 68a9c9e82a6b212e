"""Finding a researcher's exact quote in a text, forgiving how it was copied.

A quote copied from a browser or a PDF differs from the text file in ways that do not
change what it says: line breaks and runs of spaces, curly or straight quotation marks,
the kind of dash, a non-breaking space, a soft hyphen. Both sides are brought to one form
before comparing, and every match is mapped back to offsets in the original text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

__all__ = ["Closest", "closest_passage", "find_quote", "normalise"]

_SAME = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
# Characters that vanish when copied: soft hyphen, zero-width space, joiners, BOM.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` in the comparable form, and for each of its characters the offset it came from.

    Accented letters are compared decomposed (NFD), so that a quote pasted in one Unicode
    form finds a text written in the other.
    """
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, whole in enumerate(text):
        for char in (unicodedata.normalize("NFD", whole) if not whole.isascii() else whole):
            in_space = _add(char, index, out, origin, in_space)
    return "".join(out), origin


def _add(char: str, index: int, out: list[str], origin: list[int], in_space: bool) -> bool:
    """Append ``char`` (from offset ``index``) in its comparable form; return whether it ended in a space."""
    if char in _INVISIBLE:
        return in_space
    if char.isspace():
        if not in_space:
            out.append(" ")
            origin.append(index)
        return True
    if char == "\u2026":  # an ellipsis character reads as three dots
        out.extend("...")
        origin.extend((index, index, index))
        return False
    out.append(_SAME.get(char, char))
    origin.append(index)
    return False


def find_quote(text: str, quote: str, normalised: tuple[str, list[int]] | None = None, prefix: str = "",
               suffix: str = "") -> list[tuple[int, int]]:
    """Every place ``quote`` occurs in ``text``, as (start, end) offsets of the original text.

    ``prefix`` and ``suffix`` (as in a W3C TextQuoteSelector) keep only the places where the
    quote comes right after and before them.
    """
    needle = normalise(quote)[0].strip()
    before, after = normalise(prefix)[0].strip(), normalise(suffix)[0].strip()
    if not needle:
        return []
    haystack, origin = normalised or normalise(text)
    found = []
    at = haystack.find(needle)
    while at != -1:
        end = at + len(needle)
        if haystack[:at].rstrip().endswith(before) and haystack[end:].lstrip().startswith(after):
            found.append((origin[at], origin[end - 1] + 1))
        at = haystack.find(needle, at + 1)
    return found


@dataclass(frozen=True, slots=True)
class Closest:
    """The passage most like a quote that was not found, to help correct it."""

    index: int
    score: float
    start: int
    end: int


def closest_passage(quote: str, passages: list[tuple[int, int]], text: str) -> Closest | None:
    """Of ``passages`` (start, end offsets in ``text``), the one holding the best partial match of ``quote``."""
    needle = normalise(quote)[0].strip()
    best: Closest | None = None
    for index, (start, end) in enumerate(passages):
        passage, origin = normalise(text[start:end])
        if not passage:
            continue
        alignment = fuzz.partial_ratio_alignment(needle, passage)
        if alignment is None:
            continue
        if best is None or alignment.score > best.score:
            span_end = origin[min(alignment.dest_end, len(origin)) - 1] + 1 if alignment.dest_end else 0
            best = Closest(index, alignment.score, start + origin[alignment.dest_start], start + span_end)
    return best
