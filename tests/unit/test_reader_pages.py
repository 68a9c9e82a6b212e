"""The reader's pages: what it reads a page at a time is what reading the source whole gives.

``open_source`` (the reader) reads a few paragraphs at a time; ``read_source`` (``claimscope
passages``) reads the source whole. These tests hold the first to the second on the shipped
sources, with the text, with only the sentences indexed at build, with neither, and without the
index but with the text (which the reader then segments a paragraph at a time).
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from claimscope.db.queries import KnowledgeBase
from claimscope.seed.knowledge_base import build
from claimscope.seed.loader import default_seed_dir
from claimscope.seed.segment import ParagraphLines, line_intervals, segment
from claimscope.tui import reading as reading_module
from claimscope.tui.reading import CitedParagraph, SourcePages, SourceReading, open_source, read_source


def whole(pages: SourcePages) -> list[CitedParagraph]:
    return pages.read(0, len(pages) - 1)


def assert_same(pages: SourcePages, reading: SourceReading, kb: KnowledgeBase) -> None:
    assert list(pages.numbers) == reading.paragraph_numbers()
    assert (pages.text_from, pages.text_problem, pages.text_note) == (reading.text_from, reading.text_problem,
                                                                      reading.text_note)
    eager = {paragraph.number: paragraph for paragraph in reading.paragraphs}
    for paragraph in whole(pages):
        number = paragraph.number
        expected = eager[number].sentences if number in eager else ()
        assert [(s[0], s[1]) for s in paragraph.sentences] == [(s.sentence, s.text) for s in expected]
        assert [s[2] for s in paragraph.sentences] == [len(reading.citations.get((number, s.sentence), []))
                                                      for s in expected]
        assert [paragraph.is_cited(j) for j in range(len(expected))] == [
            bool(reading.citing(number, s.sentence)) for s in expected]
        assert [paragraph.is_uncited(j) for j in range(len(expected))] == [
            not reading.citing(number, s.sentence) for s in expected]
        assert paragraph.whole == len(reading.citations.get((number, None), []))
        assert paragraph.cited == sum(len(found) for (p, _), found in reading.citations.items() if p == number)
        for sentence in [s.sentence for s in expected] or [None]:
            listed = [(claim.id, e.paragraph, e.sentence) for claim, e in kb.citing(pages.source.id, number, sentence)]
            if sentence is None:
                wanted = [(claim.id, e.paragraph, e.sentence) for (p, _), found in reading.citations.items()
                          if p == number for claim, e in found]
                assert Counter(listed) == Counter(wanted)
            else:
                assert listed == [(claim.id, e.paragraph, e.sentence) for claim, e in reading.citing(number, sentence)]


def brute_seek(paragraphs: list[CitedParagraph], start: tuple[int, int], direction: int,
               wanted) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    places = [(i, j) for i, p in enumerate(paragraphs) for j in range(p.positions)]
    if start == (0, -1):
        order = places
    else:
        at = places.index(start)
        order = places[at + 1:] if direction > 0 else list(reversed(places[:at]))
    return next((place for place in order if wanted(paragraphs[place[0]], place[1])), None)


def assert_seeks(pages: SourcePages, words: str) -> None:
    paragraphs = whole(pages)
    places = [(i, j) for i, p in enumerate(paragraphs) for j in range(p.positions)]
    starts = places[:: max(len(places) // 12, 1)] + [places[-1]]

    def holds(paragraph: CitedParagraph, position: int) -> bool:
        return bool(paragraph.sentences) and words in paragraph.sentences[position][1].lower()

    for start in [*starts, (0, -1)]:
        for direction in (1, -1) if start != (0, -1) else (1,):
            for wanted, cited in ((CitedParagraph.is_cited, True), (CitedParagraph.is_uncited, False),
                                  (holds, False)):
                assert pages.seek(start, direction, wanted, cited=cited) == brute_seek(paragraphs, start, direction,
                                                                                       wanted), (start, wanted)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 4 paragraphs, 2 of them kept, and searches 8 at a time, so that the shipped sources span many."""
    monkeypatch.setattr(reading_module, "PAGE", 4)
    monkeypatch.setattr(reading_module, "_KEEP_PAGES", 2)
    monkeypatch.setattr(reading_module, "_SCAN", 8)


@pytest.fixture(scope="module")
def bare_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped seed built without its texts: no sentence indexed."""
    path = tmp_path_factory.mktemp("bare") / "bare.db"
    build(path, default_seed_dir(), None)
    return path


def sources(kb: KnowledgeBase) -> list[str]:
    return kb.ids("sources")


def test_with_the_text_the_pages_are_the_source_read_whole(shipped_db: Path, corpus_dir: Path,
                                                           small_pages: None) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        for source_id in sources(kb):
            pages = open_source(kb, source_id, corpus_dir)
            reading = read_source(kb, source_id, corpus_dir)
            assert pages is not None and reading is not None and pages.text_from.endswith(reading.source.file)
            assert_same(pages, reading, kb)
            assert_seeks(pages, "the")


def test_a_sentence_cited_alone_and_with_its_whole_paragraph(mini_seed: tuple[Path, Path], tmp_path: Path,
                                                              small_pages: None) -> None:
    """The invented mini source: paragraph 1 is cited whole and its sentence 2 alone, paragraph 2 by sentence."""
    seed, corpus = mini_seed
    build(tmp_path / "mini.db", seed, corpus)
    with KnowledgeBase.open(tmp_path / "mini.db") as kb:
        for where in (corpus, tmp_path / "nowhere"):
            pages = open_source(kb, "example-times", where)
            reading = read_source(kb, "example-times", where)
            assert pages is not None and reading is not None
            assert_same(pages, reading, kb)
            assert_seeks(pages, "example")
        # The claims citing 1.2: the one citing the sentence first, then the one citing the paragraph.
        assert [(e.paragraph, e.sentence) for _, e in kb.citing("example-times", 1, 2)] == [(1, 2), (1, None)]
        assert [(e.paragraph, e.sentence) for _, e in kb.citing("example-times", 1, None)] == [(1, None), (1, 2)]


def test_a_changed_or_absent_text_pages_through_the_index_and_says_why(shipped_db: Path, corpus_dir: Path,
                                                                       tmp_path: Path, small_pages: None) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        source_id = sources(kb)[0]
        record = kb.source_record(source_id)
        assert record is not None
        (tmp_path / record.file).write_text("Something else. Not the article at all.", encoding="utf-8")
        for corpus, reason in ((tmp_path, "has changed"), (tmp_path / "nowhere", "is not in")):
            pages = open_source(kb, source_id, corpus)
            reading = read_source(kb, source_id, corpus)
            assert pages is not None and reading is not None and reason in str(pages.text_note)
            assert_same(pages, reading, kb)


def test_without_the_index_the_text_is_segmented_a_page_at_a_time(bare_db: Path, corpus_dir: Path,
                                                                  small_pages: None) -> None:
    with KnowledgeBase.open(bare_db) as kb:
        for source_id in sources(kb):
            assert kb.passage_paragraphs(source_id) == 0
            pages = open_source(kb, source_id, corpus_dir)
            reading = read_source(kb, source_id, corpus_dir)
            assert pages is not None and reading is not None and pages.text_from == reading.text_from
            assert_same(pages, reading, kb)
            assert_seeks(pages, "islamic state")


def test_with_neither_the_paragraphs_cited_are_listed_with_their_claims(bare_db: Path, tmp_path: Path,
                                                                         small_pages: None) -> None:
    with KnowledgeBase.open(bare_db) as kb:
        for source_id in sources(kb):
            pages = open_source(kb, source_id, tmp_path)
            reading = read_source(kb, source_id, tmp_path)
            assert pages is not None and reading is not None and "not on this machine" in str(pages.text_problem)
            assert_same(pages, reading, kb)
            paragraphs = whole(pages)
            # n stops at every paragraph something cites (there are no sentences to stop at).
            assert pages.seek((0, -1), 1, CitedParagraph.is_cited, cited=True) == (
                next(i for i, p in enumerate(paragraphs) if p.cited), 0)
            assert pages.seek((0, 0), 1, CitedParagraph.is_uncited) is None


def test_an_unknown_source_opens_nothing(shipped_db: Path) -> None:
    with KnowledgeBase.open(shipped_db) as kb:
        assert open_source(kb, "no-such-source", None) is None


# -- finding paragraphs by their lines ------------------------------------------------------------------

TRICKY = [
    "Title\n\nFirst para. It goes on.\n\nHeading\n\nSecond para.\nFooter",
    "Title\r\n\r\nFirst para, Windows ends.\r\n \r\nA second. And more!\r\n",
    "Old Mac\r\rFirst para.\r\rSecond para. Yes.\r",
    "\u00a0Lead space.\u00a0\n\t\n\ufeff\n  Indented. Two sentences?  \n\r \r\nOdd \r line.\n\r\n",
    "No newline at all. Just one line.",
    "",
    "\n\n\n",
    "Ends with a note.12\nGen. Smith spoke. He left.\n(Aside.) Then \u201cquoted.\u201d Next one.",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("layout", [
    (None, set(), set()), (["1-100"], set(), set()), (["3-7"], {5}, set()), (["2-4", "3-9", "1-1"], {3}, {6}),
    ([], set(), set()),
])
def test_paragraph_lines_are_the_paragraphs_segment_finds(text: str, layout) -> None:  # type: ignore[no-untyped-def]
    body, headings, exclude = layout
    expected = segment(text, None if body is None else {line for first, last in line_intervals(body)
                                                        for line in range(first, last + 1)}, headings, exclude)
    found = ParagraphLines(text, None if body is None else line_intervals(body), headings, exclude)
    assert len(found) == len(expected.paragraphs)
    assert [found.paragraph(number) for number in range(1, len(found) + 1)] == list(expected.paragraphs)
    for paragraph in expected.paragraphs:
        assert found.sentence_texts(paragraph.number) == [
            (s.number, " ".join(text[s.start:s.end].split())) for s in paragraph.sentences]


def test_paragraph_lines_agree_with_segment_on_random_texts() -> None:
    rng = random.Random(7)
    pieces = ["Word", "word", " ", "  ", ". ", "! ", "? ", ".1 ", "\n", "\n", "\r\n", "\r", "\u00a0", "\t",
              "Dr. ", "U.S. ", "\u201c", "\u201d", "(", ")", "F. ", "7", "\ufeff"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
        lines = text.count("\n") + 2
        body = None if rng.random() < 0.3 else [f"{a}-{a + rng.randint(0, lines)}" for a in
                                                (rng.randint(1, lines) for _ in range(rng.randint(0, 3)))]
        headings = {rng.randint(1, lines) for _ in range(rng.randint(0, 2))}
        exclude = {rng.randint(1, lines) for _ in range(rng.randint(0, 2))}
        expected = segment(text, None if body is None else {line for first, last in line_intervals(body)
                                                            for line in range(first, last + 1)}, headings, exclude)
        found = ParagraphLines(text, None if body is None else line_intervals(body), headings, exclude)
        assert [found.paragraph(number) for number in range(1, len(found) + 1)] == list(expected.paragraphs), text
