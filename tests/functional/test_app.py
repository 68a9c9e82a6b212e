"""The app, driven as a user would with a pilot: each view and flow."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from claimscope.tui.app import make_app
from claimscope.tui.screens.help import HelpScreen
from claimscope.tui.screens.main import MainScreen
from claimscope.tui.screens.search import SearchScreen
from claimscope.tui.screens.views import DisputesScreen, SourcesScreen, TimelineScreen
from claimscope.tui.widgets.bars import KeyBar
from claimscope.tui.widgets.entity_pane import EntityPane
from claimscope.tui.widgets.virtual_list import VirtualList
from conftest import HOSTILE_NAME, OSC52, build_hostile_kb


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for every worker and the messages they post, without sleeping."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def rendered(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).render())


def drawn(widget) -> str:  # type: ignore[no-untyped-def]
    """The lines a line-API widget draws on screen now."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def card_of(app):  # type: ignore[no-untyped-def]
    return app.screen.query_one(EntityPane).card


async def test_search_to_entity_to_provenance(shipped_db: Path, corpus_dir: Path) -> None:
    app = make_app(shipped_db, corpus=corpus_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"ISIS-K")
        await settle(app, pilot)
        results = app.screen.query_one("#search-results", OptionList)
        assert results.get_option_at_index(0).id == "iskp"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert card_of(app).id == "iskp"
        provenance = rendered(app, "#provenance-body")
        assert "evidence 1 of" in provenance and "paragraph" in provenance
        assert "not on this machine" not in provenance


async def test_misspelling_in_search_finds_the_person(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"Emomali Rakhmon")
        await settle(app, pilot)
        assert app.screen.query_one("#search-results", OptionList).get_option_at_index(0).id == "emomali-rahmon"


async def test_follow_a_claim_then_back_and_forward(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="al-mersaad")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert card_of(app).id == "al-mersaad"
        claims = app.screen.query_one("#claims", OptionList)
        pane = app.screen.query_one(EntityPane)
        # Move to a claim whose other end is an entity, and follow it.
        target = next(
            (index for index in range(claims.option_count)
             if (option := claims.get_option_at_index(index)).id in pane.claims
             and pane.claims[option.id][0].object is not None
             and pane.claims[option.id][1] == "outgoing"),
        )
        claims.highlighted = target
        followed = pane.claims[claims.get_option_at_index(target).id][0].object.id
        await pilot.press("enter")
        await settle(app, pilot)
        assert card_of(app).id == followed
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert card_of(app).id == "al-mersaad"
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert card_of(app).id == followed


async def test_provenance_without_a_corpus_says_so(shipped_db: Path, tmp_path: Path) -> None:
    app = make_app(shipped_db, corpus=tmp_path / "nowhere", entity="iskp")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        provenance = rendered(app, "#provenance-body")
        assert "not on this machine" in provenance
        assert "paragraph" in provenance and "http" in provenance


async def test_copy_citation(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="al-mersaad")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        citation = app.clipboard
        assert "al-Mersaad" in citation and "paragraph" in citation and "http" in citation


async def test_timeline_with_actor_filter(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen)
        events = app.screen.query_one("#events", OptionList)
        everything = events.option_count
        assert everything > 5
        await pilot.press("a", *"al-Mersaad", "enter")
        await settle(app, pilot)
        assert 0 < events.option_count < everything
        assert "involving al-Mersaad" in rendered(app, "#activity-label")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert card_of(app).kind == "event"


@pytest.mark.parametrize(("key", "screen"), [("s", SourcesScreen), ("d", DisputesScreen)])
async def test_sources_and_disputes_open_an_entity(shipped_db: Path, key: str, screen: type) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, screen)
        if key == "s":
            await pilot.press("tab")  # into the source's claims (Enter on a source reads it)
            await settle(app, pilot)
            claim_id = app.screen.query_one("#source-claims", OptionList).get_option_at_index(0).id
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen) and card_of(app) is not None
        if key == "s":  # at that claim, not at the entity's first
            assert app.screen.query_one(EntityPane).current_claim().id == claim_id


async def test_help_lists_the_keys(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = {description for _, description in app.screen.key_list}
        assert {"Search", "Timeline", "Cite", "Read", "Back", "Disputes", "Sources", "Help"} <= descriptions
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_hostile_text_in_the_search_box_does_not_crash(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        for hostile in ("[bold]", "[/]", "[link=x", '"AND (', "NEAR(", "\x1b]52;c;aGk=\x07", "x" * 10_000):
            app.screen.query_one("#query").value = hostile
            await settle(app, pilot)


async def test_command_palette_offers_entities(shipped_db: Path) -> None:
    from textual.command import CommandPalette

    app = make_app(shipped_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"al-Mersaad")
        await settle(app, pilot)
        await pilot.pause(0.5)  # the palette gathers hits asynchronously
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert card_of(app).id == "al-mersaad"


async def test_lists_draw_a_screenful_and_reach_the_end_at_once(tmp_path: Path) -> None:
    from claimscope.db.build import build_database
    from claimscope.db.records import AliasRecord, EntityRecord, PredicateRecord, Records
    from claimscope.tui.widgets.virtual_list import KEEP_PAGES, PAGE, VirtualList

    count = PAGE * (KEEP_PAGES + 4) + 17
    entities = tuple(EntityRecord(f"g{n:05d}", "group", f"Group {n:05d}", "Synthetic.") for n in range(count))
    records = Records(
        predicates=(PredicateRecord("rival_of", "rival of", ("group",), ("group",)),),
        entities=entities,
        aliases=tuple(AliasRecord(entity.id, entity.name) for entity in entities),
    )
    build_database(tmp_path / "big.db", records)
    app = make_app(tmp_path / "big.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        groups = app.screen.query_one("#list-group VirtualList", VirtualList)
        assert groups.row_count == count
        assert groups.pages_held == 1, "only the page on screen is read"
        assert "Group 00000" in drawn(groups)
        groups.focus()
        await pilot.press("end")
        await settle(app, pilot)
        assert groups.highlighted_id == f"g{count - 1:05d}"
        assert f"Group {count - 1:05d}" in drawn(groups)
        for _ in range(KEEP_PAGES + 3):
            await pilot.press("pageup", "pageup", "pageup", "pageup", "pageup")
        await settle(app, pilot)
        assert groups.pages_held <= KEEP_PAGES, "pages far off screen are dropped"
        await pilot.press("home", "down", "enter")
        await settle(app, pilot)
        assert card_of(app).id == "g00001"


async def test_markup_typed_into_the_actor_filter_is_shown_literally(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press("a", *"[bold]zzqx[", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen)


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_key_bar_keeps_help_and_quit_and_a_click_presses_the_key(shipped_db: Path, width: int) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(KeyBar)
        line = str(bar.render())
        assert len(line) <= width
        assert "? Help" in line and "q Quit" in line, line
        if width >= 120:
            assert "d Disputes" in line, line  # nothing is dropped when there is room
        start = line.index("? Help")
        await pilot.click(KeyBar, offset=(start + 1, 0))
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_an_entity_whose_fields_are_hostile_renders_literally(tmp_path: Path) -> None:
    db, corpus = build_hostile_kb(tmp_path)
    app = make_app(db, corpus=corpus)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.open_entity("example-front")
        await settle(app, pilot)
        header = rendered(app, "#entity-header")
        assert header.startswith(HOSTILE_NAME), header[:120]  # the markup is text, and the title escape is gone
        assert "\x1b" not in header and "\x9b" not in header and "\x00" not in header
        assert "ولایت خراسان" in header and "Вилояти Хуросон" in header
        # Walk every claim: the passages and statements with escapes in them are shown without them.
        claims = app.screen.query_one("#claims", OptionList)
        seen = []
        for index in range(claims.option_count):
            if claims.get_option_at_index(index).disabled:
                continue
            claims.highlighted = index
            await settle(app, pilot)
            provenance = rendered(app, "#provenance-body")
            assert not any(character in provenance for character in "\x1b\x07\x9b\x00"), provenance[:200]
            seen.append(provenance)
        shown = "\n".join(seen)
        assert "[red]x[/]" in shown and "[i]so[/i]" in shown
        # (What reaches a real terminal is checked in tmux: tests/functional/test_terminal.py.)
        # Hostile strings typed into the list filter and the search box.
        list_filter = app.screen.query_one("#list-group").query_one("Input")
        for hostile in ("[bold]", "[/]", "[link=x", '"AND (', "NEAR(", OSC52, "x" * 10_000, "ولایت"):
            list_filter.value = hostile
            await settle(app, pilot)
        list_filter.value = "[bold]Fr"
        await settle(app, pilot)
        assert "[bold]Front[/]" in drawn(app.screen.query_one("#list-group").query_one(VirtualList))


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_small_terminals_keep_the_essentials_and_survive_a_tiny_resize(shipped_db: Path,
                                                                             size: tuple[int, int]) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for kind in ("group", "outlet", "person", "place", "event"):
            assert app.screen.query_one(f"#tab-{kind}").region.width > 0, f"the {kind} tab is cut off"
            assert app.screen.query_one(f"#tab-{kind}").region.right <= size[0]
        await pilot.press("enter")
        await settle(app, pilot)
        assert card_of(app) is not None
        assert "evidence 1 of" in rendered(app, "#provenance-body")
        await pilot.resize_terminal(20, 10)
        await settle(app, pilot)
        await pilot.press("down", "up", "slash")
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.resize_terminal(*size)
        await settle(app, pilot)
        assert card_of(app) is not None


@pytest.mark.parametrize("damage", ["changed", "unreadable"])
async def test_provenance_says_when_a_corpus_text_changed_or_cannot_be_read(shipped_db: Path, corpus_dir: Path,
                                                                          tmp_path: Path, damage: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for text in corpus_dir.glob("*.txt"):
        target = corpus / text.name
        if damage == "changed":
            target.write_text(text.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        else:
            target.mkdir()  # reading it fails, as an unreadable file would (root reads any file)
    app = make_app(shipped_db, corpus=corpus, entity="iskp")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        provenance = rendered(app, "#provenance-body")
        expected = "has changed since the knowledge base was built" if damage == "changed" else "cannot be read"
        assert expected in provenance, provenance
        assert "evidence 1 of" in provenance  # the locator and the source are still shown
        await pilot.press("down")  # and the app goes on working
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
