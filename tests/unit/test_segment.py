"""Segmentation: deterministic paragraphs and sentences, furniture never numbered."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimscope.seed.loader import default_seed_dir
from claimscope.seed.segment import parse_line_ranges, segment, split_sentences
from claimscope.seed.yamlfile import load_yaml

SOURCES = {source["id"]: source for source in load_yaml(default_seed_dir() / "sources.yaml")["sources"]}
# Body paragraphs per source under the documented rules (SOURCES.md describes the layouts).
EXPECTED_PARAGRAPHS = {
    "diplomat-2025-iskp-hts": 23,
    "idsa-2023-iskp-central-asia": 38,
    "specialeurasia-2021-dilemma": 28,
    "eurasianet-2023-almersaad": 24,  # 22 of article, 2 of the "About the authors" block
    "lossi36-2022-false-claims": 7,
}


def segmented(corpus_dir: Path, source_id: str):
    source = SOURCES[source_id]
    text = (corpus_dir / source["file"]).read_text(encoding="utf-8")
    return text, segment(
        text, parse_line_ranges(source["body"]), parse_line_ranges(source.get("headings") or []),
        parse_line_ranges(source.get("exclude") or []),
    )


def test_simple_sentences() -> None:
    text = "One sentence here. Another one follows! A third? Yes."
    assert [text[s.start:s.end] for s in split_sentences(text, 0, len(text))] == [
        "One sentence here.", "Another one follows!", "A third?", "Yes."]


@pytest.mark.parametrize("text", [
    "Gen. Kenneth F. McKenzie Jr. spoke in the U.S. Senate. He warned.",
    "On Dec. 8, 2024, people met. They spoke.",
])
def test_abbreviations_and_initials_do_not_split(text: str) -> None:
    assert len(split_sentences(text, 0, len(text))) == 2


def test_glued_endnote_numbers_end_the_sentence_without_joining_it() -> None:
    text = "It began in Kabul.1 Then it spread to Salafism8 and beyond.12"
    sentences = [text[s.start:s.end] for s in split_sentences(text, 0, len(text))]
    assert sentences == ["It began in Kabul.", "Then it spread to Salafism8 and beyond."]


def test_blank_lines_and_headings_are_not_paragraphs() -> None:
    text = "Title\n\nFirst para.\n\nHeading\n\nSecond para.\nFooter"
    result = segment(text, body={3, 4, 5, 6, 7}, headings={5})
    assert [(p.number, p.line, text[p.start:p.end]) for p in result.paragraphs] == [
        (1, 3, "First para."), (2, 7, "Second para.")]
    assert result.furniture_lines == {1, 2, 8}


def test_non_breaking_spaces_are_trimmed() -> None:
    text = "A paragraph ends here.\u00a0\u00a0"
    paragraph = segment(text).paragraphs[0]
    assert text[paragraph.start:paragraph.end] == "A paragraph ends here."


@pytest.mark.parametrize("source_id", sorted(EXPECTED_PARAGRAPHS))
def test_seed_texts_segment_as_documented(corpus_dir: Path, source_id: str) -> None:
    text, result = segmented(corpus_dir, source_id)
    assert len(result.paragraphs) == EXPECTED_PARAGRAPHS[source_id]
    for paragraph in result.paragraphs:
        assert paragraph.sentences, f"paragraph {paragraph.number} has no sentences"
        assert paragraph.line not in result.furniture_lines
        # Sentences tile the paragraph in order, within it.
        assert paragraph.sentences[0].start == paragraph.start
        assert all(a.end <= b.start for a, b in zip(paragraph.sentences, paragraph.sentences[1:], strict=False))
        assert paragraph.sentences[-1].end <= paragraph.end
        for sentence in paragraph.sentences:
            body = text[sentence.start:sentence.end]
            assert body == body.strip(" \u00a0\t")
    # Deterministic: the same text gives the same spans.
    assert segmented(corpus_dir, source_id)[1] == result


def test_idsa_endnotes_do_not_break_sentences(corpus_dir: Path) -> None:
    text, result = segmented(corpus_dir, "idsa-2023-iskp-central-asia")
    sentences = [text[s.start:s.end] for p in result.paragraphs for s in p.sentences]
    # No sentence starts with a stray endnote number, and none ends in one after its stop.
    stray = [s for s in sentences if s.split()[0].rstrip(".").isdigit() and len(s.split()[0]) <= 2]
    assert not stray
    assert not [s for s in sentences if s.rstrip("0123456789") != s and s.rstrip("0123456789")[-1:] in ".!?"]
    assert len(sentences) >= 118


def test_furniture_is_never_a_paragraph(corpus_dir: Path) -> None:
    _, diplomat = segmented(corpus_dir, "diplomat-2025-iskp-hts")
    assert diplomat.paragraphs[0].line == 19 and diplomat.paragraphs[-1].line == 69
    assert {1, 3, 9, 13, 15, 17, 71, 72, 73} <= diplomat.furniture_lines
    _, dilemma = segmented(corpus_dir, "specialeurasia-2021-dilemma")
    assert not {p.line for p in dilemma.paragraphs} & {1, 3, 4, 6, 7, 33, 34, 76}


def test_hyphenated_acronym_ends_a_sentence() -> None:
    text = "They joined IS-K. Notably, others stayed. Kenneth F. McKenzie spoke."
    assert len(split_sentences(text, 0, len(text))) == 3
