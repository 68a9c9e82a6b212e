"""Deterministic paragraph and sentence segmentation of corpus texts.

The rules (documented in the README, "Locators"):

* A text is split into lines on ``\\n`` (``\\r\\n`` is accepted, and a text with only ``\\r`` line
  ends is split on ``\\r``). Lines are numbered from 1.
* A source record declares which lines are body (``body``: ranges such as ``"19-69"``),
  which of those are subheadings (``headings``) and which are not body after all
  (``exclude``: captions and the like inside the body range).
* Every non-blank body line that is not a heading is one paragraph. Paragraphs are
  numbered from 1 in text order. A paragraph's span runs from its first to its last
  non-space character (non-breaking spaces count as space).
* A paragraph is split into sentences after ``.``, ``!`` or ``?`` (optionally followed by
  closing quotes or brackets and by an endnote number glued to the stop, as in
  ``Taliban.1``) when white space and then an opening quote, bracket, capital letter or
  digit follow, except after a known abbreviation (``U.S.``, ``Gen.``, ``Dec.``) or a
  single capital initial (``F.``). Sentences are numbered from 1 within their paragraph.

Nothing here depends on the content of a particular article, so the same rules apply
to a user's own corpus.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import methodcaller

__all__ = [
    "ABBREVIATIONS",
    "Paragraph",
    "ParagraphLines",
    "Segmentation",
    "Sentence",
    "line_intervals",
    "parse_line_ranges",
    "segment",
    "split_sentences",
]

#: Words that end with a full stop without ending a sentence (compared case-sensitively,
#: without the stop).
ABBREVIATIONS = frozenset(
    {
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Col", "Lt", "Maj", "Capt", "Sgt", "Adm",
        "Gov", "Sen", "Rep", "Pres", "Jr", "Sr", "St", "Mt", "No", "Nos", "Vol", "vol",
        "pp", "p", "ed", "eds", "al", "etc", "vs", "cf", "approx", "ca", "est", "Inc",
        "Ltd", "Co", "Corp", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep",
        "Sept", "Oct", "Nov", "Dec", "e.g", "i.e", "U.S", "U.N", "U.K", "E.U", "a.m",
        "p.m",
    }
)

_SPACE = " \t\u00a0\u2007\u202f\ufeff"
# A candidate boundary: a stop, closing punctuation, an optional glued endnote number,
# then white space, then something that can open a sentence.
_BOUNDARY = re.compile(
    r"(?P<stop>[.!?…])(?P<close>[\"'”’)\]»]*)(?P<note>\d{1,3})?(?P<gap>[\s\u00a0]+)"
    r"(?=[\"'“‘(\[«A-Z\d\u0400-\u04FF\u0600-\u06FF])"
)
# An endnote number glued to the stop that closes a paragraph ("to a large extent.12").
_TRAILING_NOTE = re.compile(r"[.!?…][\"'”’)\]»]*(\d{1,3})$")
_WORD_BEFORE = re.compile(r"([\w.\-]+)$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: its number in the paragraph and its span in the whole text."""

    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph: its number, its line in the file, its span and its sentences."""

    number: int
    line: int
    start: int
    end: int
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True, slots=True)
class Segmentation:
    """The paragraphs of one text, and the lines that are not body."""

    paragraphs: tuple[Paragraph, ...]
    line_count: int
    furniture_lines: frozenset[int]
    heading_lines: frozenset[int]

    def paragraph(self, number: int) -> Paragraph | None:
        """Return paragraph ``number`` (1-based), or None when there is no such paragraph."""
        if 1 <= number <= len(self.paragraphs):
            return self.paragraphs[number - 1]
        return None

    def paragraph_at_line(self, line: int) -> Paragraph | None:
        """Return the paragraph that occupies file line ``line``, if any."""
        for paragraph in self.paragraphs:
            if paragraph.line == line:
                return paragraph
        return None


def line_intervals(ranges: Sequence[str | int]) -> list[tuple[int, int]]:
    """Turn ``["19-69", 72]`` into the first and last line of each range, ``[(19, 69), (72, 72)]``.

    Raises:
        ValueError: when an item is not a number or an ``A-B`` range with A <= B.
    """
    intervals = []
    for item in ranges:
        text = str(item).strip()
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", text)
        if not match:
            raise ValueError(f"{text!r} is not a line number or a range like '19-69'")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1 or last < first:
            raise ValueError(f"{text!r} is not a range of lines counted from 1")
        intervals.append((first, last))
    return intervals


def parse_line_ranges(ranges: list[str | int]) -> set[int]:
    """Turn ``["19-69", 72]`` into the set of line numbers it names.

    Raises:
        ValueError: when an item is not a number or an ``A-B`` range with A <= B.
    """
    lines: set[int] = set()
    for first, last in line_intervals(ranges):
        lines.update(range(first, last + 1))
    return lines


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return start, end


def _is_abbreviation(text: str, stop_at: int, paragraph_start: int = 0) -> bool:
    """True when the stop at ``stop_at`` closes an abbreviation or an initial.

    The word before it is looked for from ``paragraph_start`` on (a line break ends a word
    anyway): searched from the start of the text, a text of 50,000 paragraphs took minutes.
    """
    if text[stop_at] != ".":
        return False
    match = _WORD_BEFORE.search(text, paragraph_start, stop_at)
    if not match:
        return False
    word = match.group(1).strip(".")
    if word in ABBREVIATIONS:
        return True
    # A single capital letter ("Kenneth F. McKenzie") or dotted initials ("U.S.").
    return bool(re.fullmatch(r"[A-Z]", word) or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))


def split_sentences(text: str, start: int, end: int) -> tuple[Sentence, ...]:
    """Split ``text[start:end]`` into sentences with spans in ``text``."""
    sentences: list[Sentence] = []
    sentence_start = start
    for match in _BOUNDARY.finditer(text, start, end):
        if _is_abbreviation(text, match.start("stop"), start):
            continue
        sentence_end = match.start("note") if match.group("note") else match.end("close")
        s, e = _strip_span(text, sentence_start, sentence_end)
        if e > s:
            sentences.append(Sentence(len(sentences) + 1, s, e))
        sentence_start = match.end("gap")
    s, e = _strip_span(text, sentence_start, end)
    trailing_note = _TRAILING_NOTE.search(text, s, e)
    if trailing_note:
        e = trailing_note.start(1)
    if e > s:
        sentences.append(Sentence(len(sentences) + 1, s, e))
    return tuple(sentences)


def segment(
    text: str,
    body: set[int] | None = None,
    headings: set[int] | frozenset[int] = frozenset(),
    exclude: set[int] | frozenset[int] = frozenset(),
) -> Segmentation:
    """Segment ``text`` into body paragraphs and sentences.

    Args:
        text: the whole corpus text.
        body: the line numbers that are body; None means every line.
        headings: body lines that are subheadings (not numbered as paragraphs).
        exclude: lines inside the body ranges that are not body (captions).
    """
    # Lines end in \n (a \r before it is dropped); a text with no \n at all but \r (old Mac
    # files) ends its lines in \r.
    separator = "\r" if "\n" not in text and "\r" in text else "\n"
    lines = text.split(separator)
    paragraphs: list[Paragraph] = []
    furniture: set[int] = set()
    offset = 0
    for number, line in enumerate(lines, start=1):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        if line.endswith("\r"):
            line_end -= 1
        s, e = _strip_span(text, line_start, line_end)
        in_body = (body is None or number in body) and number not in exclude
        if not in_body:
            furniture.add(number)
            continue
        if e == s or number in headings:
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, number, s, e, split_sentences(text, s, e)))
    return Segmentation(tuple(paragraphs), len(lines), frozenset(furniture), frozenset(headings))


class ParagraphLines:
    """The body paragraphs of a text found by their lines alone, each split into sentences only when asked.

    The paragraphs, numbers, spans and sentences of ``segment`` (a test holds the two together), for
    a reader that shows a few paragraphs of a long text: finding the lines of 50,000 paragraphs takes
    a few passes of string methods over the text, splitting them all into sentences about a second.
    """

    def __init__(self, text: str, body: Sequence[tuple[int, int]] | None = None,
                 headings: Collection[int] = (), exclude: Collection[int] = ()) -> None:
        """``body`` as ``line_intervals`` gives it (None: every line); the rest as ``segment`` takes it."""
        self.text = text
        separator = "\r" if "\n" not in text and "\r" in text else "\n"
        lines = text.split(separator)
        if separator == "\n" and "\r" in text:
            # Each line loses one \r before its \n, as segment() drops it.
            self._contents = [line[:-1] if line.endswith("\r") else line for line in lines]
        else:
            self._contents = lines
        # Where each line starts: the lengths summed, one separator per line before it.
        self._ends = list(accumulate(map(len, lines)))
        filled = list(compress(range(1, len(lines) + 1), map(methodcaller("strip", _SPACE), self._contents)))
        if body is not None:
            numbers: list[int] = []
            last_taken = 0
            for first, last in sorted(body):
                first = max(first, last_taken + 1)
                if first <= last:
                    numbers += filled[bisect_left(filled, first):bisect_right(filled, last)]
                    last_taken = max(last_taken, last)
            filled = numbers
        skipped = set(headings) | set(exclude)
        if skipped:
            filled = [number for number in filled if number not in skipped]
        #: The line of each paragraph, paragraph 1 first.
        self.lines: list[int] = filled

    def __len__(self) -> int:
        return len(self.lines)

    def paragraph(self, number: int) -> Paragraph:
        """Paragraph ``number`` (from 1) with its sentences, spans in the whole text."""
        line = self.lines[number - 1]
        offset = self._ends[line - 2] + line - 1 if line > 1 else 0
        content = self._contents[line - 1]
        start, end = _strip_span(content, 0, len(content))
        sentences = tuple(Sentence(s.number, s.start + offset, s.end + offset)
                          for s in split_sentences(content, start, end))
        return Paragraph(number, line, start + offset, end + offset, sentences)

    def sentence_texts(self, number: int) -> list[tuple[int, str]]:
        """The sentences of paragraph ``number`` as (sentence number, text with its white space closed up)."""
        content = self._contents[self.lines[number - 1] - 1]
        start, end = _strip_span(content, 0, len(content))
        return [(s.number, " ".join(content[s.start:s.end].split())) for s in split_sentences(content, start, end)]
