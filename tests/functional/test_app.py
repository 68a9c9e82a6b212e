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


def cursor_in_view(rows: VirtualList) -> bool:
    """Whether the row under a list's cursor is on screen."""
    top = round(rows.scroll_y)
    return top <= rows.cursor < top + rows.scrollable_content_region.height


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
        assert "evidence 1 of" in provenance and "¶" in provenance
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
        assert "¶" in provenance and "http" in provenance


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
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen)
        events = app.screen.query_one("#events", OptionList)
        everything = events.option_count
        assert everything > 5
        await pilot.press(*"al-Mersaad")  # filtered as it is typed: no Enter needed
        await settle(app, pilot)
        assert 0 < events.option_count < everything
        await pilot.press("enter")  # from the actor filter to the events
        await settle(app, pilot)
        assert 0 < events.option_count < everything
        assert "involving al-Mersaad" in rendered(app, "#activity-label")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert card_of(app).kind == "event"
        # Typed on the events, a name goes to the actor filter, as on the lists: "s" does not open the sources.
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        await pilot.press(*"sadullah")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen) and screen.query_one("#actor").value == "sadullah"


@pytest.mark.parametrize(("key", "screen"), [("ctrl+s", SourcesScreen), ("ctrl+d", DisputesScreen)])
async def test_sources_and_disputes_open_an_entity(shipped_db: Path, key: str, screen: type) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert isinstance(app.screen, screen)
        if key == "ctrl+s":
            from claimscope.tui.render import card_claims

            await pilot.press("tab")  # into the source's claims (Enter on a source reads it)
            await settle(app, pilot)
            claims = app.screen.query_one("#source-claims", OptionList)
            # A claim that is not the first of its entity, which the entity would open at anyway.
            index = next(index for index in range(claims.option_count)
                         if (claim := app.screen.claims[claims.get_option_at_index(index).id]).id
                         != card_claims(app.knowledge_base.entity(claim.subject.id))[0][0].id)
            claims.highlighted = index
            claim_id = claims.get_option_at_index(index).id
        else:
            claim_id = next(iter(app.screen.disputes.values())).claims[0].id
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen) and card_of(app) is not None
        # At that claim, not at the entity's first.
        assert app.screen.query_one(EntityPane).current_claim().id == claim_id


async def test_help_lists_the_keys(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = " | ".join(description for _, description in app.screen.key_list)
        for described in ("search", "timeline", "citation", "read the source", "back", "the claims that disagree",
                          "sources", "this help", "quit"):
            assert described in descriptions, descriptions
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
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        await pilot.press(*"[bold]zzqx[", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen)
        assert "no entity matches “[bold]zzqx[”" in rendered(app, "#activity-label")


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_key_bar_keeps_help_and_quit_and_a_click_presses_the_key(shipped_db: Path, width: int) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(KeyBar)
        line = str(bar.render())
        assert len(line) <= width
        assert "? Help" in line and "^Q Quit" in line, line
        if width >= 120:
            assert "^D Disputes" in line and "^F Claims" in line, line  # nothing is dropped when there is room
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
        kinds = str(app.screen.query_one("#kind-tabs").render())
        for title in ("Groups", "Outlets", "People", "Places", "Events"):
            assert title in kinds and kinds.index(title) + len(title) <= size[0], f"the {title} tab is cut off"
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


# -- the issue of 16 items: each with the behaviour it asked for ---------------------------------------


def provenance_of(app):  # type: ignore[no-untyped-def]
    from claimscope.tui.widgets.provenance import ProvenancePane

    return app.screen.query_one(ProvenancePane)


def target_lines(pane) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The lines of the first evidence's facts, and of its cited sentence (or notice), as laid out."""
    from claimscope.tui.widgets.provenance import line_of

    target = pane._targets[0]
    width = pane.text_size()[0]
    return (line_of(pane._plain, target.block, width), line_of(pane._plain, target.start, width),
            line_of(pane._plain, target.end - 1, width))


def visible(pane, first: int, last: int) -> bool:  # type: ignore[no-untyped-def]
    top = round(pane.scroll_y)
    return top <= first and last < top + pane.scrollable_content_region.height


async def test_typing_on_a_list_filters_it_and_never_runs_a_command(shipped_db: Path) -> None:
    from textual.widgets import Input

    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        groups = app.screen.query_one("#list-group")
        box = groups.query_one(Input)
        assert app.focused is groups.query_one(VirtualList)
        await pilot.press(*"tal")  # t was the timeline
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen) and app.focused is box and box.value == "tal"
        assert "afghan-taliban" in [row_id for row_id, _ in groups.matches]
        await pilot.press(*"qari")  # q quit at once
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, MainScreen) and box.value == "talqari"
        assert "no groups match “talqari”" in drawn(groups.query_one(VirtualList))  # said, not a blank list
        # Esc empties the filter, then goes back to the list; from anywhere else it comes to the filter.
        await pilot.press("escape")
        assert box.value == ""
        await pilot.press("escape")
        assert app.focused is groups.query_one(VirtualList)
        await pilot.press("5")  # a digit is typed too: a filter may be a year
        await settle(app, pilot)
        assert app.focused is box and box.value == "5"
        await pilot.press("escape", "escape", "right")  # Left and Right on a list change the kind
        await settle(app, pilot)
        assert app.screen.query_one("#lists").current == "list-outlet"
        await pilot.press("left", "enter")
        await settle(app, pilot)
        assert card_of(app) is not None and app.focused is app.screen.query_one("#claims")
        for key in "qari":  # where letters are commands, no word quits either
            await pilot.press(key)
            await settle(app, pilot)
            while not isinstance(app.screen, MainScreen):
                app.pop_screen()
                await settle(app, pilot)
        assert app.is_running
        bar = str(app.screen.query_one(KeyBar).render())
        assert "Esc Filter" in bar and "^Q Quit" in bar and "q Quit" not in bar.replace("^Q Quit", ""), bar
        await pilot.press("escape")
        assert app.focused is box
        # The views are on keys typing cannot reach: they work from the filter too.
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen) and box.value == ""


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_provenance_opens_at_the_cited_sentence_with_its_source(shipped_db: Path, corpus_dir: Path,
                                                                         size: tuple[int, int]) -> None:
    app = make_app(shipped_db, corpus=corpus_dir, entity="iskp")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for _ in range(4):  # this claim and the next ones
            pane = provenance_of(app)
            block, start, end = target_lines(pane)
            assert visible(pane, start, end), (round(pane.scroll_y), block, start, end)
            assert visible(pane, block, block + 1), "the two lines of source facts are in view too"
            lines = pane._plain.split("\n")
            facts = [line for line in lines if line.startswith("─ evidence")]
            assert facts and all(len(line) <= pane.text_size()[0] for line in facts)
            await pilot.press("down")
            await settle(app, pilot)


async def test_without_the_corpus_the_notice_is_shown_whole(shipped_db: Path, tmp_path: Path) -> None:
    app = make_app(shipped_db, corpus=tmp_path / "nowhere", entity="iskp")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        pane = provenance_of(app)
        block, start, end = target_lines(pane)
        assert visible(pane, start, end) and "not on this machine" in pane._plain
        assert "http" in pane._plain.split("\n")[pane._plain[:pane._targets[0].start].count("\n")]
        # The view starts at the claim's first line or at the evidence's, not at the end of a wrapped sentence of
        # the claim's statement; for every claim (the next ones too).
        for _ in range(4):
            pane = provenance_of(app)
            block, start, end = target_lines(pane)
            assert round(pane.scroll_y) in (0, block), (round(pane.scroll_y), block, start, end)
            assert visible(pane, start, end)
            await pilot.press("down")
            await settle(app, pilot)


async def test_back_and_forward_return_to_the_claim_and_the_scroll(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="afghan-taliban")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(EntityPane)
        claims = app.screen.query_one("#claims", OptionList)
        index = next(i for i in range(claims.option_count)
                     if (claims.get_option_at_index(i).id or "").endswith("afghan-taliban--allied-with--802d075c"))
        claims.focus()
        claims.highlighted = index
        await settle(app, pilot)
        scroll = claims.scroll_y
        assert scroll > 0
        await pilot.press("enter")  # to Russia, at the same claim
        await settle(app, pilot)
        assert card_of(app).id == "russia" and pane.current_claim().id == "afghan-taliban--allied-with--802d075c"
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert card_of(app).id == "afghan-taliban"
        assert pane.current_claim().id == "afghan-taliban--allied-with--802d075c"
        assert claims.scroll_y == scroll
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert card_of(app).id == "russia" and pane.current_claim().id == "afghan-taliban--allied-with--802d075c"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_header_is_cut_with_an_ellipsis_and_i_shows_all_of_it(shipped_db: Path,
                                                                        size: tuple[int, int]) -> None:
    from claimscope.tui.screens.help import TextScreen

    app = make_app(shipped_db, entity="iskp")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        header = app.screen.query_one("#entity-header", Static)
        text = str(header.render())
        width = header.size.width - header.styles.gutter.width
        assert all(len(line) <= width for line in text.split("\n")), text
        assert text.rstrip().endswith("(i: all)") and "…" in text
        assert "The Afghanistan- and Pakistan-based province" in text  # the summary is never hidden
        shown = header.region.height
        assert shown == len(text.split("\n")), "nothing is clipped at the edge of the header"
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, TextScreen)
        whole = " ".join(str(app.screen.query_one("#text-body", Static).render()).split())
        card = app.knowledge_base.entity("iskp")
        assert " ".join(card.note.split()) in whole and card.aliases[-1].alias in whole
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_dates_come_first_in_a_column_one_row_per_event(shipped_db: Path) -> None:
    from claimscope.tui.widgets.entity_list import COMPACT_DATE_CELLS, DATE_CELLS

    # At 120 columns the dates are as precise as they are; at 80 a compact date column (and a wider pane for the
    # events) leaves the names room enough to tell rows apart.
    for size, cells, shown in (((120, 40), DATE_CELLS, "11 Sep 2001"), ((80, 24), COMPACT_DATE_CELLS, "Sep 2001 ")):
        app = make_app(shipped_db)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await pilot.press("right", "right", "right", "right")  # to the events list
            await settle(app, pilot)
            events = app.screen.query_one("#list-event").query_one(VirtualList)
            rows = [line for line in drawn(events).split("\n") if line.strip()]
            assert rows[0].startswith(" 1950–1970 ") and len(rows) == events.size.height
            for row in rows:
                assert row[1 + cells] == " ", row  # the name starts in the same column on every row
                assert len(row.rstrip()) <= events.size.width
                if row.rstrip().endswith("…"):  # a cut name has room (it was 11 cells at 80x24)
                    assert len(row[2 + cells:].rstrip()) >= 20, row
            assert any(row.rstrip().endswith("…") for row in rows), "long names are cut with an ellipsis"
            assert any(row.startswith(f" {shown}") for row in rows), shown
            names = [row[2 + cells:].rstrip() for row in rows if row[1:].startswith("2014 ")]
            assert len(names) >= 2 and len(set(names)) == len(names), names  # the rows of 2014 are told apart
            if size == (120, 40):  # shrunk to 80 columns, the rows are laid out again with the compact column
                await pilot.resize_terminal(80, 24)
                await settle(app, pilot)
                assert any(line.startswith(" Sep 2001  ") for line in drawn(events).split("\n"))
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        timeline = app.screen.query_one("#events", OptionList)
        assert timeline.virtual_size.height == timeline.option_count, "one line per event"
        first = str(timeline.get_option_at_index(0).prompt)
        assert first.startswith("1950–1970") and first.index("Rise of") == 20


async def test_help_lists_each_key_once_in_words(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="iskp")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.key_list
        keys = [key.strip() for keys, _ in rows for part in keys.split(" or ") for key in part.split(",")]
        assert len(keys) == len(set(keys)), sorted(key for key in keys if keys.count(key) > 1)
        assert not any("_" in description for _, description in rows), rows  # no raw action names
        for key in ("Enter", "Backspace", "Page Down", "Esc", "Ctrl+Q", "Ctrl+P", "Ctrl+T", "Typing", "i"):
            assert key in keys, key
        assert "q" not in keys  # q does not quit


async def test_search_down_goes_to_the_second_result_and_long_results_are_cut(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"isk")
        await settle(app, pilot)
        results = app.screen.query_one("#search-results", OptionList)
        assert results.highlighted == 0
        await pilot.press("down")
        assert results.has_focus and results.highlighted == 1
        second = results.get_option_at_index(1).id
        assert results.virtual_size.height == results.option_count, "one line per result"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen) and card_of(app).id == second


async def test_disputes_show_each_side_under_the_other_with_its_sentence(shipped_db: Path, corpus_dir: Path) -> None:
    app = make_app(shipped_db, corpus=corpus_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DisputesScreen)
        assert f"({app.knowledge_base.dispute_count()})" in screen.sub_title
        dispute = next(iter(screen.disputes.values()))
        sides = screen.query_one("#dispute-sides", OptionList)
        assert sides.option_count == len(dispute.claims) and sides.region.width >= 78
        from rich.console import Console

        console = Console(width=76, record=True)
        for index in range(sides.option_count):
            console.print(sides.get_option_at_index(index).prompt)
        text = console.export_text()
        assert text.count("¶") >= len(dispute.claims) and text.count("“") >= len(dispute.claims), text
        await pilot.press("tab", "down", "enter")  # the second side: its entity, at that claim
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(EntityPane).current_claim().id == dispute.claims[1].id


async def test_sources_show_the_whole_url_and_each_claim_with_its_locator(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        source = app.knowledge_base.sources(0, 1)[0]
        facts = str(app.screen.query_one("#source-facts", Static).render())
        assert source.url in facts.replace("\n", "")
        claims = app.screen.query_one("#source-claims", OptionList)
        prompts = [str(claims.get_option_at_index(index).prompt) for index in range(claims.option_count)]
        assert prompts and all(prompt.startswith("¶") for prompt in prompts)
        assert claims.virtual_size.height == claims.option_count


async def test_a_value_claim_says_there_is_no_entity_and_the_list_follows_the_entity(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="al-mersaad")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        claims = app.screen.query_one("#claims", OptionList)
        index = next(i for i in range(claims.option_count)
                     if (claims.get_option_at_index(i).id or "").endswith("al-mersaad--founded-on--d052f0e0"))
        claims.highlighted = index
        await pilot.press("enter")
        await settle(app, pilot)
        assert card_of(app).id == "al-mersaad"
        assert any("No entity at the other end" in str(n.message) for n in app._notifications)
        # The lists follow the entity shown: its kind's list, its row.
        outlets = app.screen.query_one("#list-outlet").query_one(VirtualList)
        assert app.screen.query_one("#lists").current == "list-outlet" and outlets.highlighted_id == "al-mersaad"
        await pilot.press("slash", *"Russia", "enter")
        await settle(app, pilot)
        assert card_of(app).id == "russia"
        places = app.screen.query_one("#list-place").query_one(VirtualList)
        assert app.screen.query_one("#lists").current == "list-place" and places.highlighted_id == "russia"
        assert cursor_in_view(places), "the list made just now scrolls to the entity shown"
        bar = str(app.screen.query_one(KeyBar).render())
        assert "Bksp Back" in bar and "[ Back" not in bar


async def test_the_list_follows_an_entity_far_down_a_long_list(tmp_path: Path) -> None:
    from claimscope.db.build import build_database
    from claimscope.db.records import AliasRecord, EntityRecord, PredicateRecord, Records
    from claimscope.tui.widgets.virtual_list import PAGE

    count = PAGE * 7 + 3
    entities = tuple(EntityRecord(f"g{n:05d}", "group", f"Group {n:05d}", "Synthetic.") for n in range(count))
    build_database(tmp_path / "big.db", Records(
        predicates=(PredicateRecord("rival_of", "rival of", ("group",), ("group",)),),
        entities=entities, aliases=tuple(AliasRecord(entity.id, entity.name) for entity in entities)))
    app = make_app(tmp_path / "big.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.open_entity("g00650")
        await settle(app, pilot)
        groups = app.screen.query_one("#list-group").query_one(VirtualList)
        assert groups.highlighted_id == "g00650" and groups.pages_held <= 3
        assert cursor_in_view(groups)


async def test_the_readme_keys_table_is_the_keys_of_the_main_screen(shipped_db: Path) -> None:
    """Every key in the README's table is a key of the main screen (as its help names it), and the other way round."""
    import re

    from claimscope.tui.screens.help import help_sections

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The app"):readme.index("## What is in the shipped knowledge base")]
    table = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    documented = {"Typing"} if "typing" in table else set()
    for cell in table[1:]:  # after the header
        if cell == "`1`-`5`":
            documented.update(str(number) for number in range(1, 6))
        else:
            documented.update(re.findall(r"`([^`]+)`", cell))

    def words(key: str) -> str:
        return key if len(key) == 1 else key.replace(" ", "").lower()

    app = make_app(shipped_db, entity="iskp")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        rows = [row for _, section in help_sections(app, app.screen) for row in section]
        keys = {key.strip() for keys, _ in rows for part in keys.split(" or ") for key in part.split(",")}
        # The letters that double a Ctrl key are said in words: "(t off the lists)".
        keys |= {letter for _, description in rows for found in re.findall(r"\(([^()]*) off the lists\)", description)
                 for letter in found.split(", ")}
    # Textual's own keys for moving between panes and copying a selection are left to the help screen.
    keys -= {"Tab", "Shift+Tab", "Ctrl+C"}
    assert {words(key) for key in documented} == {words(key) for key in keys}


def test_start_up_reads_only_what_the_first_frame_shows(shipped_db: Path) -> None:
    """The first frame imports no module it does not draw, and the collector does not walk what the imports made.

    (Collections while the modules loaded, and a full one of every object they made inside the first frame,
    took about a tenth of it.) The collector is on again once the app is made.
    """
    import subprocess
    import sys

    probe = (
        "import gc, sys\n"
        "from pathlib import Path\n"
        "from claimscope.tui.app import make_app\n"
        f"app = make_app(Path({str(shipped_db)!r}))\n"
        "def report():\n"
        "    loaded = sorted(m for m in sys.modules if m.startswith('claimscope'))\n"
        "    print('FROZEN', gc.get_freeze_count() > 0, 'COLLECTING', gc.isenabled())\n"
        "    print('LOADED', ' '.join(loaded))\n"
        "    app.exit()\n"
        "app.call_after_refresh(report)\n"
        "app.run(headless=True, size=(120, 40))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2])
    assert "FROZEN True COLLECTING True" in result.stdout, result.stdout + result.stderr
    loaded = next(line for line in result.stdout.splitlines() if line.startswith("LOADED")).split()[1:]
    assert "claimscope.tui.screens.main" in loaded
    for later in ("claimscope.tui.render", "claimscope.tui.dates", "claimscope.tui.widgets.entity_pane",
                  "claimscope.tui.widgets.provenance", "claimscope.tui.screens.views", "claimscope.tui.commands",
                  "claimscope.db.folding", "claimscope.seed"):
        assert later not in loaded, f"{later} is imported before the first frame"


async def test_back_from_a_side_of_a_dispute_returns_to_the_disputes_there(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="iskp")  # an entity opened before: back must not stop there
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        await pilot.press("tab", "down")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DisputesScreen)
        sides = screen.query_one("#dispute-sides", OptionList)
        side = sides.get_option_at_index(sides.highlighted).id
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("backspace")
        await settle(app, pilot)
        back = app.screen
        assert isinstance(back, DisputesScreen)
        assert back.query_one("#disputes", VirtualList).cursor == 1
        sides = back.query_one("#dispute-sides", OptionList)
        assert back.focused is sides and sides.get_option_at_index(sides.highlighted).id == side


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_search_rows_are_cut_at_the_edge_and_keep_a_passage_locator(shipped_db: Path,
                                                                          size: tuple[int, int]) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"intelligence idlib")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        options = screen.query_one("#search-results", OptionList)
        prompts = [str(options.get_option_at_index(index).prompt) for index in range(options.option_count)]
        passages = [prompt for prompt in prompts if "in the text:" in prompt]
        assert passages and all(prompt.startswith("¶") for prompt in passages), passages
        width = options.scrollable_content_region.width
        cut = [line.rstrip() for y in range(options.size.height)
               if (line := options.render_line(y).text).rstrip().endswith("…")]
        assert cut and all(len(line) >= width - 2 for line in cut), (width, cut)
        # The key bar under the dialog says what Esc does there.
        bar = str(screen.query_one(KeyBar).render())
        assert "Esc Close" in bar and "Filter" not in bar


async def test_no_color_draws_the_highlighted_claim_in_reverse_video(shipped_db: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual drops reverse from an option list's cursor style: the claims (and the other option lists) put it back."""
    from textual.widgets import OptionList

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(shipped_db, entity="iskp")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.no_color
        claims = app.screen.query_one("#claims", OptionList)
        for focused in (False, True):
            if focused:
                await pilot.press("e")
                await settle(app, pilot)
            assert claims.highlighted is not None
            row = claims.highlighted - round(claims.scroll_y)
            cursor = [segment for segment in claims.render_line(row) if segment.text.strip()]
            assert cursor and all(segment.style and segment.style.reverse for segment in cursor), cursor
            other = [segment for y in range(claims.size.height) if y != row
                     for segment in claims.render_line(y) if segment.text.strip()]
            assert other and not any(segment.style and segment.style.reverse for segment in other)


async def test_the_sources_view_says_what_its_more_places_markers_mean(shipped_db: Path) -> None:
    from textual.widgets import OptionList

    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        facts = str(app.screen.query_one("#source-facts", Static).render())
        assert "+N after ¶: cited at N more places too" in facts
        # On one line at 80 columns with the counts, so that the claims keep their rows.
        assert any("claims;" in line and "+N after ¶" in line for line in facts.splitlines())
        options = app.screen.query_one("#source-claims", OptionList)
        source_id = app.screen.query_one("#sources").highlighted_id
        marked = 0
        for index in range(options.option_count):
            option = options.get_option_at_index(index)
            prompt = str(option.prompt)
            places = [e for e in app.screen.claims[option.id].evidence if e.source.id == source_id]
            if prompt[6:10].strip():  # the marker: as many more places as the source supports the claim at
                marked += 1
                assert prompt[6:10].strip() == f"+{len(places) - 1}", prompt
            else:
                assert len(places) == 1, prompt
        assert marked
