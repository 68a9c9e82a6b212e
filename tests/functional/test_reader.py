"""The reader: a source with its claims beside it, reached from sources, provenance, the command line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from claimscope.db.models import ClaimQuery
from claimscope.seed.knowledge_base import build
from claimscope.tui.app import make_app
from claimscope.tui.messages import SourcePlace
from claimscope.tui.reading import PAGE, read_source
from claimscope.tui.screens.main import MainScreen
from claimscope.tui.screens.reader import ReaderScreen
from claimscope.tui.widgets.entity_pane import EntityPane
from claimscope.tui.widgets.source_text import SourceText
from conftest import MINI_SOURCES, write_mini_seed


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def drawn(widget) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def claims_listed(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [key.split("\t")[0] for key in app.screen.claims]


@pytest.fixture
def mini_kb(mini_seed: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    seed, corpus = mini_seed
    build(tmp_path / "kb.db", seed, corpus)
    return tmp_path / "kb.db", corpus


async def test_from_the_provenance_to_the_passage_and_its_claims_and_back(shipped_db: Path, corpus_dir: Path) -> None:
    app = make_app(shipped_db, corpus=corpus_dir, entity="iskp")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        claim = app.screen.query_one(EntityPane).current_claim()
        evidence = claim.evidence[0]
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        view = app.screen.query_one(SourceText)
        assert view.current() == (evidence.paragraph, evidence.sentence)
        assert claim.id in claims_listed(app)  # the claim is among those citing the sentence
        assert f"¶{evidence.paragraph} " in drawn(view)
        # Another sentence, then a claim there: its entity opens at that claim.
        await pilot.press("n")
        await settle(app, pilot)
        place = view.current()
        await pilot.press("tab")
        options = app.screen.query_one("#reader-claims", OptionList)
        options.highlighted = 1
        chosen = claims_listed(app)[0]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(EntityPane).current_claim().id == chosen
        # Back returns to the reader, at the same sentence.
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.query_one(SourceText).current() == place


async def test_sources_screen_enter_reads_the_source(shipped_db: Path, corpus_dir: Path) -> None:
    app = make_app(shipped_db, corpus=corpus_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        facts = str(app.screen.query_one("#reader-facts", Static).render())
        source = app.knowledge_base.sources(0, 1)[0]
        assert source.url in facts and f"grade {source.grade}" in facts
        assert app.screen.query_one(SourceText).current() == (1, 1)


async def test_cited_and_uncited_sentences_and_find(shipped_db: Path, corpus_dir: Path) -> None:
    source = "lossi36-2022-false-claims"
    app = make_app(shipped_db, corpus=corpus_dir, source=SourcePlace(source))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        reading = read_source(app.knowledge_base, source, corpus_dir)  # the source read whole, to compare with
        view = screen.query_one(SourceText)
        cited = [(p.number, s.sentence) for p in reading.paragraphs for s in p.sentences
                 if reading.citing(p.number, s.sentence)]
        uncited = [(p.number, s.sentence) for p in reading.paragraphs for s in p.sentences
                   if not reading.citing(p.number, s.sentence)]
        visited = [view.current()]
        for _ in range(len(cited) - 1):
            await pilot.press("n")
            visited.append(view.current())
        assert visited == cited
        await pilot.press("u", "home")
        await pilot.press("n")
        assert view.current() == next(place for place in uncited if place > (1, 1))
        assert "No claim cites" in str(screen.query_one("#reader-claims", OptionList).get_option_at_index(0).prompt)
        await pilot.press("slash", *"cyclists", "enter")
        await settle(app, pilot)
        paragraph, sentence = view.current()
        assert "cyclists" in next(s.text for p in reading.paragraphs for s in p.sentences
                                  if (p.number, s.sentence) == (paragraph, sentence))


async def test_without_the_text_the_paragraphs_are_listed_by_number_and_it_says_why(mini_kb: tuple[Path, Path],
                                                                                       tmp_path: Path) -> None:
    db, _ = mini_kb
    with_claims = make_app(db, corpus=tmp_path / "elsewhere", source=SourcePlace("example-times", 2))
    # The knowledge base was built with the text, so its sentences are indexed: they are shown...
    async with with_claims.run_test(size=(80, 24)) as pilot:
        await settle(with_claims, pilot)
        facts = str(with_claims.screen.query_one("#reader-facts", Static).render())
        assert "As indexed at build" in facts and "mini.txt is not in" in facts
    # ...and with neither the text nor the index, the paragraphs by number with their claims, and why.
    seed, _ = write_mini_seed(tmp_path / "again")
    bare = tmp_path / "bare.db"
    build(bare, seed, None)
    app = make_app(bare, corpus=tmp_path / "elsewhere", source=SourcePlace("example-times"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        facts = str(app.screen.query_one("#reader-facts", Static).render())
        assert "Text not shown" in facts and "not on this machine" in facts
        lines = drawn(app.screen.query_one(SourceText))
        assert "¶1 " in lines and "(text not shown)" in lines and "¶2 " in lines
        assert "cited by 2 claims " in lines and "cited by 1 claim " in lines  # singular and plural
        await pilot.press("right")
        assert app.screen.query_one(SourceText).current() == (2, None)
        assert claims_listed(app)  # paragraph 2's claims


async def test_a_long_text_lays_out_only_what_is_on_screen(tmp_path: Path) -> None:
    """10,000 paragraphs: opening and going to the end read and wrap only the paragraphs shown and near them."""
    paragraphs = [f"Paragraph {n} of the invented Example Front file names Sampletown again." for n in range(10_000)]
    text = "Example Times\n\n" + "\n".join(paragraphs)
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    sources = MINI_SOURCES.format(sha256=sha256).replace('body: ["3-7"]', 'body: ["3-10002"]').replace(
        "headings: [5]", "headings: []")
    seed, corpus = write_mini_seed(tmp_path, **{"sources.yaml": sources,
                                                "claims.yaml": "claims: []\n"})
    (corpus / "mini.txt").write_text(text, encoding="utf-8")
    build(tmp_path / "long.db", seed, corpus)
    app = make_app(tmp_path / "long.db", corpus=corpus, source=SourcePlace("example-times"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen.query_one(SourceText)
        assert len(view.paragraphs) == 10_000
        assert len(view._wrapped) < 40, "only the paragraphs on screen are laid out"
        assert app.screen.reading.kept <= 3 * PAGE, "only the paragraphs around them and the last are read"
        await pilot.press("end")
        await settle(app, pilot)
        assert view.current()[0] == 10_000 and len(view._wrapped) < 80 and app.screen.reading.kept <= 4 * PAGE
        assert "¶10000 Paragraph 9999 of" in drawn(view)


# An invented dispatch log of 3,000 paragraphs of three sentences each, cited near its start, in its
# middle (two claims on one sentence, one on the next) and near its end (a paragraph cited whole).
LOG_PARAGRAPHS = 3_000
LOG_CLAIMS = """\
claims:
  - subject: example-front
    predicate: operates_outlet
    object: radio-example
    evidence:
      - {source: example-times, paragraph: 1, sentence: 1, grade: 2}
      - {source: example-times, paragraph: 1777, sentence: 1, grade: 3}
  - subject: radio-example
    predicate: located_in
    object: sampletown
    evidence:
      - {source: example-times, paragraph: 1777, sentence: 2, grade: 2}
  - subject: example-front
    predicate: located_in
    object: sampletown
    evidence:
      - {source: example-times, paragraph: 1777, sentence: 2, grade: 4}
  - subject: example-front
    predicate: estimated_strength
    value: 300
    unit: fighters
    modality: reported
    evidence:
      - {source: example-times, paragraph: 2950, grade: 3}
"""


def log_sentences(number: int) -> tuple[str, str, str]:
    return (f"Dispatch {number} puts Radio Example on the air in Sampletown.",
            f"The Example Front answered dispatch {number} from Sampletown a day later.",
            f"Ann Other filed note {number}.")


@pytest.fixture
def log_kb(tmp_path: Path) -> tuple[Path, Path]:
    text = "Example Times\n\n" + "\n".join(" ".join(log_sentences(n)) for n in range(1, LOG_PARAGRAPHS + 1))
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    sources = MINI_SOURCES.format(sha256=sha256).replace('body: ["3-7"]', f'body: ["3-{LOG_PARAGRAPHS + 2}"]').replace(
        "headings: [5]", "headings: []")
    seed, corpus = write_mini_seed(tmp_path, **{"sources.yaml": sources, "claims.yaml": LOG_CLAIMS})
    (corpus / "mini.txt").write_text(text, encoding="utf-8")
    build(tmp_path / "log.db", seed, corpus)
    return tmp_path / "log.db", corpus


def under_cursor(app) -> tuple[tuple[int, int | None], str, set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """Where the cursor is, the sentence it is on, and the claims listed beside it (predicate, subject)."""
    view = app.screen.query_one(SourceText)
    index, position = view.at
    sentence = view.paragraphs.get(index).sentences[position][1]
    claims = {(claim.predicate, claim.subject.id) for claim, _ in app.screen.claims.values()}
    return view.current(), sentence, claims


async def test_a_long_source_shows_the_right_sentence_and_claims_at_the_start_far_in_and_after_n(
        log_kb: tuple[Path, Path]) -> None:
    db, corpus = log_kb
    operates, strength = {("operates_outlet", "example-front")}, {("estimated_strength", "example-front")}
    located = {("located_in", "radio-example"), ("located_in", "example-front")}
    app = make_app(db, corpus=corpus, source=SourcePlace("example-times"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert under_cursor(app) == ((1, 1), log_sentences(1)[0], operates)
    # As `ui --source example-times:1777.2` opens it: far into the text, two claims on the sentence.
    app = make_app(db, corpus=corpus, source=SourcePlace("example-times", 1777, 2))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen.query_one(SourceText)
        assert under_cursor(app) == ((1777, 2), log_sentences(1777)[1], located)
        assert "¶1777 " in drawn(view) and "¶1776 " in drawn(view) and "¶1 " not in drawn(view)
        assert app.screen.reading.kept <= 3 * PAGE  # the paragraphs around, not those before
        expected = [((1777, 2), log_sentences(1777)[1], located)] + [
            ((2950, s), log_sentences(2950)[s - 1], strength) for s in (1, 2, 3)]
        for place in expected[1:]:
            await pilot.press("n")
            await settle(app, pilot)
            assert under_cursor(app) == place
        assert "¶2950 [1 on the paragraph] Dispatch 2950" in drawn(view)
        await pilot.press("n")  # nothing cited after the last: the cursor stays
        await settle(app, pilot)
        assert under_cursor(app) == expected[-1]
        for place in [*reversed(expected[:-1]), ((1777, 1), log_sentences(1777)[0], operates),
                      ((1, 1), log_sentences(1)[0], operates)]:
            await pilot.press("N")
            await settle(app, pilot)
            assert under_cursor(app) == place
        assert "¶1 " in drawn(view) and "¶1777 " not in drawn(view)
        # End, then Up into the paragraph before, to its last sentence; u and n find what is not cited.
        await pilot.press("down", "right", "end")
        await settle(app, pilot)
        assert under_cursor(app) == ((LOG_PARAGRAPHS, 1), log_sentences(LOG_PARAGRAPHS)[0], set())
        await pilot.press("up")
        await settle(app, pilot)
        assert under_cursor(app) == ((LOG_PARAGRAPHS - 1, 3), log_sentences(LOG_PARAGRAPHS - 1)[2], set())
        await pilot.press("home", "u", "n")
        await settle(app, pilot)
        assert under_cursor(app) == ((1, 2), log_sentences(1)[1], set())


async def test_the_claims_view_and_the_reader_agree_with_passages(shipped_db: Path, corpus_dir: Path) -> None:
    """What the reader lists under a sentence is what the claims of that source cite there."""
    source = "idsa-2023-iskp-central-asia"
    app = make_app(shipped_db, corpus=corpus_dir, source=SourcePlace(source, 7, 1))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        listed = set(claims_listed(app))
        expected = {hit.claim.id for hit in app.knowledge_base.claims(ClaimQuery(source=source), limit=10_000)
                    if any(e.source.id == source and e.paragraph == 7 and e.sentence in (1, None)
                           for e in hit.claim.evidence)}
        assert listed == expected and listed


async def test_i_shows_the_facts_whole_and_a_long_notice_is_cut_with_an_ellipsis(tmp_path: Path) -> None:
    from claimscope.tui.screens.help import TextScreen

    # A source with a long title and two authors, built without its text (so no sentences are indexed).
    seed, _ = write_mini_seed(tmp_path / "long")
    sources = seed / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8")
                       .replace("title: The Example Front", "title: The Example Front, a Title Long Enough to Be Cut")
                       .replace("authors: [A. Writer]", "authors: [A. Writer, B. Other Writer]"), encoding="utf-8")
    bare = tmp_path / "bare.db"
    build(bare, seed, None)
    # Without the corpus, at 80x24: the notice ends with an ellipsis and says which key shows it all.
    app = make_app(bare, corpus=tmp_path / ("elsewhere-" + "x" * 60), source=SourcePlace("example-times"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        facts = drawn(reader.query_one("#reader-facts", Static))
        lines = [line.rstrip() for line in facts.splitlines() if line.strip()]
        assert lines[-1].endswith("… (i: all)"), facts
        assert "Other Writer" not in facts  # the facts line is cut at 80 columns...
        assert "i Facts" in drawn(reader.query_one("KeyBar"))
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, TextScreen)
        whole = app.screen.text.plain
        # ...and i shows all of it: the title, publisher, every author, the URL and the notice to its end.
        for fact in ("The Example Front, a Title Long Enough to Be Cut", "Example Times", "A. Writer, B. Other Writer",
                     "https://example.org/front", "listed by number with the claims that cite them."):
            assert fact in whole, fact
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)


async def test_the_reader_help_names_every_key_it_binds_in_words(shipped_db: Path, corpus_dir: Path) -> None:
    from claimscope.tui.screens.help import HelpScreen
    from claimscope.tui.widgets.bars import key_words

    app = make_app(shipped_db, corpus=corpus_dir, source=SourcePlace("eurasianet-2023-almersaad"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.key_list
        listed = {key.strip() for keys, _ in rows for part in keys.split(" or ") for key in part.split(",")}
    # Every key the text and the screen bind, as the main screen's help writes them ("Page Down", not "pagedown").
    for binding in [*SourceText.BINDINGS, *ReaderScreen.BINDINGS]:
        for key in binding.key.split(","):  # type: ignore[union-attr]
            assert key_words(key) in listed, key
    assert {"Down", "Up", "j", "k", "Page Down", "Home", "End", "Tab", "Enter", "i"} <= listed
    assert not {"down", "up", "right", "left", "page down", "page up", "tab", "enter"} & listed
    # A view's letter goes to the filter on a list: the Ctrl key is the key, the letter is said to work off the lists.
    timeline = next(description for keys, description in rows if keys == "Ctrl+T")
    assert "(t off the lists)" in timeline
    assert not any(keys.endswith(" or t") for keys, _ in rows)
