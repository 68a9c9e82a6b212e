"""The app, driven as a user would with a pilot: search as you type, open an entity."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, Static

from tui.app import make_app


async def test_search_as_you_type_and_open_an_entity(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"IS-K")
        await app.workers.wait_for_complete()
        await pilot.pause()
        results = app.screen.query_one("#results", OptionList)
        assert results.option_count > 0
        assert results.get_option_at_index(0).id == "iskp"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        card = app.screen.query_one("#card", Static)
        assert "Islamic State Khorasan Province" in str(card.render())


async def test_opens_at_an_entity(shipped_db: Path) -> None:
    app = make_app(shipped_db, entity="al-mersaad")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "al-Mersaad" in str(app.screen.query_one("#card", Static).render())


async def test_hostile_text_in_the_search_box_does_not_crash(shipped_db: Path) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        for hostile in ("[bold]", "[/]", "[link=x", '"AND (', "NEAR(", "\x1b]52;c;aGk=\x07"):
            app.screen.query_one("#query").value = hostile
            await app.workers.wait_for_complete()
            await pilot.pause()
