"""A source as a reader sees it: its paragraphs and sentences, and the claims that cite each one.

Shared by the reader screen and ``claimscope passages``. The sentences come from the source's
text on this machine when it is there and unchanged (with the line of each paragraph), else
from the sentences the knowledge base indexed when it was built or imported (the text its
locators were resolved against), else there are none and the reason is given: a wrong passage
is never shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from claimscope.db.models import Claim, Evidence
from claimscope.db.queries import KnowledgeBase
from claimscope.db.records import PassageRecord, SourceRecord
from claimscope.seed.corpus import TextUnavailable, passage_records, source_text

__all__ = ["ReadParagraph", "SourceReading", "read_source"]


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
