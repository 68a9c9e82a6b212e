"""A source as a reader sees it: its paragraphs and sentences, and the claims that cite each one.

``read_source`` reads a source whole, for ``claimscope passages`` (which prints it whole);
``open_source`` opens it for the reader screen, which pages through it: opening reads the
source's record, checks its text and counts its paragraphs, and the paragraphs, what cites
them and the claims citing a sentence are read when they are shown, so that a source of 50,000
paragraphs opens as quickly as one of five.

The sentences come from the source's text on this machine when it is there and unchanged, else
from the sentences the knowledge base indexed when it was built or imported (the text its
locators were resolved against), else there are none and the reason is given: a wrong passage
is never shown.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claimscope.db.models import Claim, Evidence
from claimscope.db.queries import KnowledgeBase
from claimscope.db.records import PassageRecord, SourceRecord
from claimscope.seed.corpus import TextUnavailable, passage_records, source_text, verified_text
from claimscope.seed.segment import ParagraphLines, line_intervals, parse_line_ranges

__all__ = ["CitedParagraph", "Cursor", "NotKept", "ReadParagraph", "SourcePages", "SourceReading", "open_source",
           "read_source"]


@dataclass(frozen=True, slots=True)
class ReadParagraph:
    """A body paragraph: its number, its line in the file (when known) and its sentences."""

    number: int
    line: int | None
    sentences: tuple[PassageRecord, ...]


@dataclass(frozen=True, slots=True)
class SourceReading:
    """A source, its text as sentences (or why there is none), and the claims citing each place of it."""

    source: SourceRecord
    paragraphs: tuple[ReadParagraph, ...]
    #: (paragraph, sentence) -> the claims citing that sentence; sentence None: the whole paragraph.
    citations: dict[tuple[int, int | None], list[tuple[Claim, Evidence]]] = field(default_factory=dict)
    #: Where the sentences come from: a file, or the index made at build (then ``text_note`` says why).
    text_from: str = ""
    #: Why no sentence can be shown (the whole message, with where it looked).
    text_problem: str | None = None
    #: Why the sentences come from the index and not the file, in a few words.
    text_note: str | None = None

    def citing(self, paragraph: int, sentence: int | None) -> list[tuple[Claim, Evidence]]:
        """The claims citing a sentence: those citing it, and those citing its whole paragraph."""
        found = list(self.citations.get((paragraph, sentence), []))
        if sentence is not None:
            found += self.citations.get((paragraph, None), [])
        return found

    def paragraph_numbers(self) -> list[int]:
        """Every paragraph number the reader has: from the text, else from what the claims cite."""
        if self.paragraphs:
            return [paragraph.number for paragraph in self.paragraphs]
        count = self.source.paragraph_count or 0
        return sorted({number for number, _ in self.citations} | set(range(1, count + 1)))


def read_source(store: KnowledgeBase, source_id: str, corpus: Path | None) -> SourceReading | None:
    """The reading of ``source_id`` (None when the knowledge base holds no such source)."""
    record = store.source_record(source_id)
    if record is None:
        return None
    citations: dict[tuple[int, int | None], list[tuple[Claim, Evidence]]] = defaultdict(list)
    for claim in store.source_claims(source_id):
        for evidence in claim.evidence:
            if evidence.source.id == source_id:
                citations[(evidence.paragraph, evidence.sentence)].append((claim, evidence))
    built_with = store.meta().get("corpus")
    folder = corpus or (Path(built_with) if built_with else None)
    problem = reason = None
    try:
        text = source_text(record, folder)
    except TextUnavailable as error:
        problem, reason = str(error), error.reason
    else:
        lines = {paragraph.number: paragraph.line for paragraph in text.segmentation.paragraphs}
        return SourceReading(record, _paragraphs(passage_records(source_id, text), lines), dict(citations),
                             f"{text.path}")
    indexed = store.source_passages(source_id)
    if indexed:
        return SourceReading(record, _paragraphs(indexed, {}), dict(citations),
                             "the sentences indexed when the knowledge base was built", text_note=reason)
    return SourceReading(record, (), dict(citations), "", problem)


def _paragraphs(sentences: list[PassageRecord], lines: dict[int, int]) -> tuple[ReadParagraph, ...]:
    grouped: dict[int, list[PassageRecord]] = defaultdict(list)
    for sentence in sentences:
        grouped[sentence.paragraph].append(sentence)
    return tuple(ReadParagraph(number, lines.get(number), tuple(grouped[number])) for number in sorted(grouped))


# -- the reader's pages ------------------------------------------------------------------------------

#: Paragraphs read and kept together; pages kept (the rest are read again when shown again).
PAGE = 128
_KEEP_PAGES = 48
#: Paragraphs read at a time by a search that runs through the text (and not kept).
_SCAN = 1024


@dataclass(frozen=True, slots=True)
class CitedParagraph:
    """A paragraph as the reader shows it: its sentences, each with how many pieces of evidence cite it."""

    number: int
    #: (sentence number, text, how many pieces of evidence cite it); none when the text is not shown.
    sentences: tuple[tuple[int, str, int], ...]
    #: Evidence citing the paragraph as a whole.
    whole: int = 0
    #: Every piece of evidence citing the paragraph: its sentences and the whole.
    cited: int = 0

    @property
    def positions(self) -> int:
        """Where a cursor can stand: on each sentence, or on the paragraph when it has none."""
        return max(len(self.sentences), 1)

    def is_cited(self, position: int) -> bool:
        """Whether a claim cites the sentence at ``position`` (or its paragraph); without sentences, any of it."""
        if not self.sentences:
            return self.cited > 0
        return self.sentences[position][2] > 0 or self.whole > 0

    def is_uncited(self, position: int) -> bool:
        """Whether the sentence at ``position`` is one no claim cites (a paragraph without sentences is not)."""
        return bool(self.sentences) and not self.is_cited(position)


#: Where the reader's cursor stands: a paragraph (an index into the source's paragraphs) and a position in it.
Cursor = tuple[int, int]


class NotKept(LookupError):
    """A search that may only look at the pages kept came to one that is not."""


class SourcePages:
    """A source as the reader pages through it: its paragraph numbers, pages of paragraphs read when
    shown (and a few dozen kept), and searches that run from a place.

    Reading methods ask the knowledge base: call them from a worker. ``cached`` does not.
    """

    def __init__(self, store: KnowledgeBase, source: SourceRecord, numbers: Sequence[int],
                 sentences: Callable[[int, int], dict[int, list[tuple[int, str]]]] | None, text_from: str = "",
                 text_problem: str | None = None, text_note: str | None = None) -> None:
        self.store = store
        self.source = source
        #: The number of each paragraph, in order (1 to N with the text; what is cited without it).
        self.numbers = numbers
        self._sentences = sentences
        #: Where the sentences come from: a file, or the index made at build (then ``text_note`` says why).
        self.text_from = text_from
        #: Why no sentence can be shown (the whole message, with where it looked).
        self.text_problem = text_problem
        #: Why the sentences come from the index and not the file, in a few words.
        self.text_note = text_note
        self._pages: OrderedDict[int, list[CitedParagraph]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.numbers)

    def number(self, index: int) -> int:
        """The number of the paragraph at ``index``."""
        return self.numbers[index]

    def index_of(self, number: int) -> int:
        """The index of paragraph ``number``, or of the first after it (the last, past the end)."""
        return min(bisect_left(self.numbers, number), max(len(self.numbers) - 1, 0))

    # -- pages ------------------------------------------------------------------------------------

    @property
    def kept(self) -> int:
        """How many paragraphs are read and kept."""
        with self._lock:
            return sum(len(page) for page in self._pages.values())

    def cached(self, index: int) -> CitedParagraph | None:
        """The paragraph at ``index`` when its page is kept (asks nothing of the knowledge base)."""
        with self._lock:
            page = self._pages.get(index // PAGE)
            if page is None:
                return None
            self._pages.move_to_end(index // PAGE)
            return page[index % PAGE]

    def missing_pages(self, first: int, last: int) -> list[int]:
        """The pages holding paragraphs ``first`` to ``last`` (indices) that are not kept; those kept become
        the last to go."""
        last = min(last, len(self.numbers) - 1)
        missing = []
        with self._lock:
            for page in range(max(first, 0) // PAGE, last // PAGE + 1):
                if page in self._pages:
                    self._pages.move_to_end(page)
                else:
                    missing.append(page)
        return missing

    def load_pages(self, pages: Sequence[int]) -> None:
        """Read ``pages`` and keep them (the oldest kept go when there are too many)."""
        for page in pages:
            paragraphs = self.read(page * PAGE, min((page + 1) * PAGE, len(self.numbers)) - 1)
            with self._lock:
                self._pages[page] = paragraphs
                self._pages.move_to_end(page)
                while len(self._pages) > _KEEP_PAGES:
                    self._pages.popitem(last=False)

    def load_around(self, index: int, before: int = 8, after: int = 2 * PAGE // 3) -> None:
        """Read and keep the pages a view of paragraph ``index`` needs."""
        self.load_pages(self.missing_pages(index - before, index + after))

    def paragraph(self, index: int) -> CitedParagraph:
        """The paragraph at ``index``, its page read and kept when it is not."""
        found = self.cached(index)
        if found is None:
            self.load_pages([index // PAGE])
            found = self.cached(index)
        assert found is not None
        return found

    def read(self, first: int, last: int) -> list[CitedParagraph]:
        """Paragraphs ``first`` to ``last`` (indices) with what cites them, read and not kept."""
        if last < first:
            return []
        low, high = self.numbers[first], self.numbers[last]
        with self.store.snapshot():
            counts = self.store.citation_counts(self.source.id, low, high)
            texts = self._sentences(low, high) if self._sentences else {}
        totals: dict[int, int] = defaultdict(int)
        for (paragraph, _), count in counts.items():
            totals[paragraph] += count
        shown = []
        for index in range(first, last + 1):
            number = self.numbers[index]
            sentences = tuple((sentence, text, counts.get((number, sentence), 0))
                              for sentence, text in texts.get(number, ()))
            shown.append(CitedParagraph(number, sentences, counts.get((number, None), 0), totals.get(number, 0)))
        return shown

    # -- searching ----------------------------------------------------------------------------------

    def seek(self, start: Cursor, direction: int, wanted: Callable[[CitedParagraph, int], bool], *,
             cited: bool = False, kept_only: bool = False) -> Cursor | None:
        """The first place after ``start`` (direction 1) or before it (-1) where ``wanted`` holds, or None.

        ``start`` may be (0, -1): from the first place on, that one included. ``cited`` says that
        ``wanted`` holds only where something is cited: the search then asks the knowledge base for
        the next cited paragraph instead of reading those between. ``kept_only`` looks only at the
        pages kept (asking nothing of the knowledge base) and raises NotKept when it needs another.
        """
        if not self.numbers:
            return None
        chunk: dict[int, CitedParagraph] = {}

        def fetch(index: int) -> CitedParagraph:
            found = self.cached(index)
            if found is not None:
                return found
            if kept_only:
                raise NotKept(index)
            if cited:
                return self.paragraph(index)
            if index not in chunk:
                first, last = (index, index + _SCAN - 1) if direction > 0 else (index - _SCAN + 1, index)
                first, last = max(first, 0), min(last, len(self.numbers) - 1)
                chunk.clear()
                chunk.update(zip(range(first, last + 1), self.read(first, last), strict=True))
            return chunk[index]

        def following(index: int) -> int | None:
            if cited and not kept_only:
                near: int | None = self.numbers[index]
                while near is not None:
                    near = self.store.cited_paragraph_near(self.source.id, near, direction)
                    found = len(self.numbers) if near is None else bisect_left(self.numbers, near)
                    if found < len(self.numbers) and self.numbers[found] == near:
                        return found
                return None
            index += direction
            return index if 0 <= index < len(self.numbers) else None

        index, position = start
        paragraph = fetch(index)
        rest = range(position + 1, paragraph.positions) if direction > 0 else range(position - 1, -1, -1)
        for place in rest:
            if wanted(paragraph, place):
                return index, place
        next_index = following(index)
        while next_index is not None:
            paragraph = fetch(next_index)
            places = range(paragraph.positions) if direction > 0 else range(paragraph.positions - 1, -1, -1)
            for place in places:
                if wanted(paragraph, place):
                    return next_index, place
            next_index = following(next_index)
        return None


def open_source(store: KnowledgeBase, source_id: str, corpus: Path | None) -> SourcePages | None:
    """``source_id`` opened for the reader (None when the knowledge base holds no such source).

    Reads the source's record, checks its text (present, readable, unchanged since the build) and
    counts its paragraphs; no paragraph is read. The sentences come from the index made at build
    when there is one (the text it was made from is the one checked), else from the text.
    """
    with store.snapshot():
        record = store.source_record(source_id)
        if record is None:
            return None
        built_with = store.meta().get("corpus")
        indexed = store.passage_paragraphs(source_id)
    folder = corpus or (Path(built_with) if built_with else None)

    def from_index(low: int, high: int) -> dict[int, list[tuple[int, str]]]:
        grouped: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for passage in store.passage_page(source_id, low, high):
            grouped[passage.paragraph].append((passage.sentence, passage.text))
        return grouped

    try:
        path, text = verified_text(record, folder)
    except TextUnavailable as error:
        problem, reason = str(error), error.reason
    else:
        if indexed:
            return SourcePages(store, record, range(1, indexed + 1), from_index, f"{path}")
        lines = ParagraphLines(text, line_intervals(list(record.body)),
                               parse_line_ranges(list(record.headings)), parse_line_ranges(list(record.exclude)))

        def from_text(low: int, high: int) -> dict[int, list[tuple[int, str]]]:
            return {number: lines.sentence_texts(number) for number in range(low, high + 1)}

        return SourcePages(store, record, range(1, len(lines) + 1), from_text, f"{path}")
    if indexed:
        return SourcePages(store, record, range(1, indexed + 1), from_index,
                           "the sentences indexed when the knowledge base was built", text_note=reason)
    numbers = sorted(set(store.cited_paragraphs(source_id)) | set(range(1, (record.paragraph_count or 0) + 1)))
    return SourcePages(store, record, numbers, None, "", problem)
