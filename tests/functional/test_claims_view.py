"""The claims view, driven with a pilot: words, filters and their counts, paging, and opening an entity at a claim."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from claimscope.db.models import ClaimQuery
from claimscope.tui.app import make_app
from claimscope.tui.render import card_claims
from claimscope.tui.screens.claims import MARK_STYLE, ClaimsScreen, FacetList, snippet_text
from claimscope.tui.screens.help import HelpScreen
from claimscope.tui.screens.main import MainScreen
from claimscope.tui.widgets.entity_pane import EntityPane
from claimscope.tui.widgets.provenance import ProvenancePane
from claimscope.tui.widgets.virtual_list import PAGE, VirtualList

WORDS = "intelligence in Idlib"


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for every worker and the messages they post, without sleeping."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def claim_list(app) -> VirtualList:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#claim-list", VirtualList)


def listed(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The ids of every row of the list (read a page at a time, as scrolling would)."""
    claims = claim_list(app)
    return [row[0] for index in range(claims.row_count) if (row := claims.row(index)) is not None]


def drawn(widget) -> str:  # type: ignore[no-untyped-def]
    """The lines a line-API widget draws on screen now."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#claim-status", Static).render())


async def toggle(app, pilot, facet: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Highlight a facet value in the panel and press Space on it, as a user would after moving there."""
    panel = app.screen.query_one("#claim-facets", FacetList)
    ids = [panel.get_option_at_index(index).id for index in range(panel.option_count)]
    panel.highlighted = ids.index(f"{facet}\t{value}")
    panel.focus()
    await pilot.pause()
    await pilot.press("space")
    await settle(app, pilot)


async def open_claims_view(app, pilot, words: str = "") -> ClaimsScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    await pilot.press("ctrl+f")  # f would be typed into the list's filter
    await settle(app, pilot)
    assert isinstance(app.screen, ClaimsScreen)
    if words:
        await pilot.press(*words)
        await settle(app, pilot)
    return app.screen


async def test_words_list_the_accusation_and_the_hts_claim_with_the_words_marked(shipped_db: Path,
                                                                               corpus_dir: Path) -> None:
    app = make_app(shipped_db, corpus=corpus_dir)
    knowledge_base = app.knowledge_base
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_claims_view(app, pilot, WORDS)
        ids = listed(app)
        assert len(ids) == knowledge_base.claim_count(ClaimQuery(text=WORDS))
        claims = [screen.claims[claim_id] for claim_id in ids]
        assert any(claim.subject.id == "iskp" and claim.predicate == "accused" for claim in claims), ids
        assert any(claim.subject.id == "hts" and claim.claimant is not None and claim.claimant.id == "iskp"
                   for claim in claims), ids
        assert f"{len(ids)} claims match" in status(app)
        # Each row shows the words that matched, marked, beside the claim with its modality and sources.
        for index in range(len(ids)):
            row = claim_list(app).row(index)
            assert row is not None
            marked = {row[1].plain[span.start:span.end] for span in row[1].spans if span.style == MARK_STYLE}
            assert {"intelligence", "Idlib"} <= marked, row[1].plain
            assert "¶" in row[1].plain
        rows = [row[1].plain for index in range(len(ids)) if (row := claim_list(app).row(index))]
        assert any("[alleged by Islamic State Khorasan Province]" in row for row in rows), rows
        assert "intelligence in Idlib" in drawn(claim_list(app))
        # The provenance of the highlighted claim, with its passage.
        provenance = str(screen.query_one("#provenance-body", Static).render())
        assert "evidence 1 of" in provenance and "¶" in provenance


async def test_modality_and_grade_filters_narrow_the_list_and_the_counts(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    knowledge_base = app.knowledge_base
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_claims_view(app, pilot)
        everything = knowledge_base.claim_count(ClaimQuery())
        assert claim_list(app).row_count == everything
        assert f"{everything} claims match" in status(app)

        await toggle(app, pilot, "modality", "claimed")
        claimed = knowledge_base.claim_count(ClaimQuery(modalities=("claimed",)))
        assert claim_list(app).row_count == claimed < everything
        await toggle(app, pilot, "modality", "alleged")  # modalities add up: claimed or alleged
        either = ClaimQuery(modalities=("claimed", "alleged"))
        assert claim_list(app).row_count == knowledge_base.claim_count(either) > claimed
        await toggle(app, pilot, "grade", "2")
        narrowed = ClaimQuery(modalities=("claimed", "alleged"), grade=2)
        expected = knowledge_base.claim_count(narrowed)
        assert claim_list(app).row_count == expected < knowledge_base.claim_count(either)
        assert f"{expected} claim" in status(app)
        assert "claimed or alleged" in status(app) and "credibility 2 or better" in status(app)
        assert all(screen.claims[claim_id].modality in ("claimed", "alleged")
                   and min(evidence.grade for evidence in screen.claims[claim_id].evidence) <= 2
                   for claim_id in listed(app))

        # The counts: a facet's values are counted under every filter but its own, so that more can be added;
        # a grade counts the claims graded that or better.
        modality = {facet.value: facet.count for facet in screen.facet_values("modality")}
        for value in ("asserted", "claimed", "alleged", "hedged"):
            assert modality[value] == knowledge_base.claim_count(ClaimQuery(modalities=(value,), grade=2)), value
        grade = {facet.value: facet.count for facet in screen.facet_values("grade")}
        for value in ("1", "2", "3", "6"):
            assert grade[value] == knowledge_base.claim_count(replace_grade(narrowed, int(value))), value
        panel = drawn(screen.query_one("#claim-facets", FacetList))
        assert "[x] claimed" in panel and "[x] alleged" in panel and "[ ] asserted" in panel

        # A single-valued facet: choosing another value replaces the first.
        predicates = [facet.value for facet in screen.facet_values("predicate") if facet.count]
        await toggle(app, pilot, "predicate", predicates[0])
        assert screen.claim_query.predicate == predicates[0]
        if len(predicates) > 1:
            await toggle(app, pilot, "predicate", predicates[1])
            assert screen.claim_query.predicate == predicates[1]
        # Space again switches a value off; x clears them all.
        await toggle(app, pilot, "grade", "2")
        assert screen.claim_query.grade is None
        claim_list(app).focus()
        await pilot.press("x")
        await settle(app, pilot)
        assert screen.claim_query == ClaimQuery()
        assert claim_list(app).row_count == everything


def replace_grade(query: ClaimQuery, grade: int) -> ClaimQuery:
    from dataclasses import replace

    return replace(query, grade=grade)


async def test_the_judged_path_with_words_says_why_nothing_is_left(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    knowledge_base = app.knowledge_base
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claims_view(app, pilot, WORDS)
        await pilot.press("tab")
        await settle(app, pilot)
        assert screen.focused is screen.query_one("#claim-facets")
        for facet, value in (("modality", "claimed"), ("modality", "alleged"), ("grade", "2")):
            await toggle(app, pilot, facet, value)
        query = ClaimQuery(text=WORDS, modalities=("claimed", "alleged"), grade=2)
        expected = knowledge_base.claim_count(query)
        assert claim_list(app).row_count == expected
        if expected == 0:
            # Nothing left: the screen says so, and what each filter alone takes away.
            empty = str(screen.query_one("#claim-empty", Static).render())
            assert "No claim matches" in empty
            without_grade = knowledge_base.claim_count(ClaimQuery(text=WORDS, modalities=("claimed", "alleged")))
            assert f"without “credibility 2 or better”: {without_grade} claim" in empty
        else:
            assert all(screen.claims[claim_id].modality in ("claimed", "alleged") for claim_id in listed(app))


async def test_enter_opens_the_main_screen_at_that_claim(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_claims_view(app, pilot, WORDS)
        await pilot.press("enter")  # from the query box to the claims
        await settle(app, pilot)
        assert screen.focused is claim_list(app)
        ids = listed(app)
        target = next(claim_id for claim_id in ids if screen.claims[claim_id].subject.id == "hts")
        while claim_list(app).highlighted_id != target:
            await pilot.press("down")
        await settle(app, pilot)
        assert screen.query_one("#claim-provenance", ProvenancePane).claim.id == target
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        pane = app.screen.query_one(EntityPane)
        assert pane.card.id == "hts"
        assert pane.current_claim().id == target


async def test_the_view_scoped_to_iskp_lists_only_its_claims_and_the_scope_can_be_dropped(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="iskp")
    knowledge_base = app.knowledge_base
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_claims_view(app, pilot)
        assert screen.scope is not None and screen.scope.id == "iskp"
        about = knowledge_base.claim_count(ClaimQuery(involving="iskp"))
        card = knowledge_base.entity("iskp")
        assert about == len(card_claims(card))  # the claims ISKP's entity pane lists, made by it too
        ids = listed(app)
        assert len(ids) == about > PAGE  # more than one page, read as the list needs them
        for claim_id in ids:
            claim = screen.claims[claim_id]
            assert "iskp" in (claim.subject.id, claim.object.id if claim.object else None,
                              claim.claimant.id if claim.claimant else None), claim_id
        assert "about Islamic State Khorasan Province" in status(app)
        assert "[x] Islamic State Khorasan" in drawn(screen.query_one("#claim-facets", FacetList))
        # The entity's claims get the same filters.
        await toggle(app, pilot, "modality", "alleged")
        assert claim_list(app).row_count == knowledge_base.claim_count(ClaimQuery(involving="iskp",
                                                                                   modalities=("alleged",)))
        # x keeps the scope; Space on it drops it.
        await pilot.press("x")
        await settle(app, pilot)
        assert claim_list(app).row_count == about
        await toggle(app, pilot, "about", "iskp")
        assert claim_list(app).row_count == knowledge_base.claim_count(ClaimQuery())
        await toggle(app, pilot, "about", "iskp")
        assert claim_list(app).row_count == about
        # Enter on a claim whose subject is another entity opens ISKP at that claim.
        claim_list(app).focus()
        target = next(claim_id for claim_id in listed(app) if screen.claims[claim_id].subject.id != "iskp")
        claim_list(app).cursor = listed(app).index(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        pane = app.screen.query_one(EntityPane)
        assert pane.card.id == "iskp" and pane.current_claim().id == target


async def test_end_reaches_the_last_claim_without_reading_every_row(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    knowledge_base = app.knowledge_base
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claims_view(app, pilot)
        total = knowledge_base.claim_count(ClaimQuery())
        assert total > 3 * PAGE
        claims = claim_list(app)
        assert claims.row_count == total and claims.pages_held == 1
        await pilot.press("down")  # from the query box to the list
        assert screen.focused is claims
        await pilot.press("end")
        await settle(app, pilot)
        last = knowledge_base.claims(ClaimQuery(), total - 1, 1)[0].claim
        assert claims.highlighted_id == last.id
        assert claims.pages_held == 2, "the first page and the last: nothing between was read"
        assert len(screen.claims) <= 2 * PAGE
        assert last.subject.name in drawn(claims)
        assert f"{total} of {total}" in drawn(screen.query_one("#claim-header", Static))
        assert screen.query_one("#claim-provenance", ProvenancePane).claim.id == last.id
        await pilot.press("home")
        await settle(app, pilot)
        assert claims.cursor == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_list_and_provenance_are_both_visible_and_facets_come_out_on_a_narrow_screen(
        shipped_db: Path, size: tuple[int, int]) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=size) as pilot:
        screen = await open_claims_view(app, pilot)
        claims, provenance = claim_list(app), screen.query_one("#claim-provenance")
        facets = screen.query_one("#claim-facets")
        for widget in (claims, provenance):
            assert widget.region.height >= 5 and widget.region.width >= 60, widget
        narrow = size[0] < 110
        assert (facets.region.width == 0) is narrow
        await pilot.press("tab")
        await settle(app, pilot)
        assert screen.focused is facets and facets.region.width > 0
        assert claims.region.height >= 5 and provenance.region.height >= 5
        await pilot.press("tab")
        await settle(app, pilot)
        assert screen.focused is claims
        assert (facets.region.width == 0) is narrow
        await pilot.press("tab", "tab")
        assert screen.focused is screen.query_one("#claim-query")
        await pilot.press("shift+tab")
        assert screen.focused is provenance
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_keys_are_in_the_help_the_key_bar_and_the_palette(shipped_db: Path) -> None:
    from claimscope.tui.widgets.bars import KeyBar

    app = make_app(shipped_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "^F Claims" in str(app.screen.query_one(KeyBar).render())
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Find claims" in titles
        screen = await open_claims_view(app, pilot)
        await pilot.press("tab")
        await settle(app, pilot)
        bar = str(screen.query_one(KeyBar).render())
        for shown in ("Space Toggle", "Esc Back", "x Clear filters", "Tab Next pane"):
            assert shown in bar, bar
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = " | ".join(description for _, description in app.screen.key_list)
        for described in ("clear the filters", "next pane", "citation", "switch the highlighted value",
                          "open the entity at that claim"):
            assert described in descriptions, descriptions


async def test_the_palette_offers_the_view_about_the_entity_shown(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="al-mersaad")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Find claims about this entity"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, ClaimsScreen) and app.screen.scope.id == "al-mersaad"


async def test_hostile_words_are_searched_and_shown_literally(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claims_view(app, pilot)
        query = screen.query_one("#claim-query", Input)
        for hostile in ("[bold]", "[/]", "[link=x", '"AND (', "NEAR(", "\x1b]52;c;aGk=\x07", "x" * 5_000, "ولایت"):
            query.value = hostile
            await settle(app, pilot)
            assert isinstance(app.screen, ClaimsScreen)
        query.value = "[bold]Idlib"
        await settle(app, pilot)
        assert claim_list(app).row_count == app.knowledge_base.claim_count(ClaimQuery(text="[bold]Idlib"))


def test_snippet_window_keeps_the_marks_on_their_words_and_drops_control_characters() -> None:
    snippet = "…ISKP charged HTS with passing intelligence in Idlib to the U.S. and the coalition, which…"
    window = snippet_text(snippet, ((31, 43), (47, 52)))
    marked = [window.plain[span.start:span.end] for span in window.spans if span.style == MARK_STYLE]
    assert marked == ["intelligence", "Idlib"]
    assert window.cell_len <= 30 and window.plain.startswith("…")
    hostile = "say \x1b]52;c;aGk=\x07[red]Idlib[/]"
    start = hostile.index("Idlib")
    window = snippet_text(hostile, ((start, start + 5),))
    assert "\x1b" not in window.plain and "\x07" not in window.plain
    assert [window.plain[span.start:span.end] for span in window.spans] == ["Idlib"]
    assert "[red]" in window.plain


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_each_row_shows_its_source_locator_claimant_and_grade(shipped_db: Path, size: tuple[int, int]) -> None:
    """Rows of two lines: the claim, then the locator, grades and source with whose claim it is."""
    app = make_app(shipped_db, entity="iskp")
    async with app.run_test(size=size) as pilot:
        screen = await open_claims_view(app, pilot, "attack")
        claims = claim_list(app)
        lines = drawn(claims).splitlines()
        shown = min(claims.row_count, claims.size.height // 2)
        assert shown >= 3
        for index in range(shown):
            claim = screen.claims[claims.row(index)[0]]
            evidence = min(claim.evidence, key=lambda item: item.grade)
            first, second = lines[2 * index], lines[2 * index + 1]
            assert claim.subject.name[:10] in first
            place = f"¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else "")
            assert f"{place} {evidence.source.grade}{evidence.grade} " in second, second
            assert f"[{claim.modality}" in second, second
            if claim.claimant is not None and size[0] >= 120:
                assert f"by {claim.claimant.name}" in second, second
        # Rows whose claims read alike are told apart by their second line.
        assert len({lines[2 * index + 1] for index in range(shown)}) == shown


async def test_back_from_the_entity_returns_to_the_view_as_it_was(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="iskp")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claims_view(app, pilot, "attack")
        await toggle(app, pilot, "modality", "asserted")
        query = screen.claim_query
        claim_list(app).focus()
        await pilot.press("down", "down")
        await settle(app, pilot)
        chosen = claim_list(app).highlighted_id
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("backspace")
        await settle(app, pilot)
        back = app.screen
        assert isinstance(back, ClaimsScreen) and back is not screen
        assert back.claim_query == query
        assert back.query_one("#claim-query", Input).value == "attack"
        assert claim_list(app).cursor == 2 and claim_list(app).highlighted_id == chosen
        assert back.focused is claim_list(app)
        assert "· asserted" in status(app)  # the filter is on again
        assert back.query_one("#claim-provenance", ProvenancePane).claim.id == chosen
        await pilot.press("escape", "right_square_bracket")  # and forward again, from the main screen
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(EntityPane).current_claim().id == chosen
