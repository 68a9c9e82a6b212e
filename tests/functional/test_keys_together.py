"""Keys that arrive in one read (tmux send-keys with several keys, keys buffered over SSH).

The pilot's ``press`` waits for the app to be idle after every key; ``together`` hands the driver
every key at once, as a terminal read of several keys does, and only then lets the app run.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from textual import events
from textual.widgets import ContentSwitcher

from claimscope.tui.app import make_app
from claimscope.tui.screens.main import MainScreen


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def together(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Give the app every key in one go, without waiting between them."""
    for key in keys:
        try:
            character: str | None = unicodedata.lookup(key.upper().replace("_", " "))
        except KeyError:
            character = key if len(key) == 1 else None
        if key in {"enter", "tab", "escape", "backspace"} or key.startswith(("ctrl+", "f")) and len(key) > 1:
            character = None
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)


def shown_list(app) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#lists", ContentSwitcher).current


@pytest.mark.parametrize(("keys", "expected"), [
    (("right", "right"), "list-person"),
    (("right", "right", "right", "left"), "list-person"),
    (("left", "left", "left"), "list-person"),
    (("right",) * 6, "list-outlet"),
])
async def test_lists_not_drawn_yet_are_reached_by_keys_in_one_read(shipped_db: Path, keys: tuple[str, ...],
                                                                   expected: str) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        together(app, *keys)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown_list(app) == expected
        assert app.focused is not None and app.focused.parent is not None
        assert app.focused.parent.id == expected  # the list reached has the focus, once drawn


@pytest.mark.parametrize("keys", [
    ("enter", "down", "enter", "down", "enter", "down", "enter"),
    ("enter", "r", "j", "tab", "enter", "backspace"),
    ("enter", "e", "p", "pagedown", "i", "escape"),
    ("ctrl+t", "escape", "ctrl+s", "tab", "enter", "escape", "ctrl+d", "tab", "enter", "backspace"),
    ("ctrl+f", "i", "s", "down", "enter", "backspace"),
    ("right", "enter", "right", "enter", "5", "escape", "escape", "right"),
])
async def test_bursts_of_keys_over_panes_and_views_made_on_demand(shipped_db: Path, keys: tuple[str, ...]) -> None:
    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        together(app, *keys)
        await settle(app, pilot)
        assert app.is_running  # no crash on a widget not mounted yet
        assert len(app.screen.query("#entity")) <= 1


@pytest.mark.parametrize("in_one_read", [False, True])
async def test_a_name_typed_on_the_timeline_keeps_its_first_letter(shipped_db: Path, in_one_read: bool) -> None:
    """``a`` is a letter of a name like any other: "abu" filters by "abu", not by "bu"."""
    from textual.widgets import Input, Static

    from claimscope.tui.screens.views import TimelineScreen

    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        if in_one_read:
            together(app, "ctrl+t", *"abu")
        else:
            await pilot.press("ctrl+t")
            await settle(app, pilot)
            await pilot.press(*"abu")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        assert screen.query_one("#actor", Input).value == "abu"
        best = app.knowledge_base.search("abu", limit=1, text=False)[0]
        assert f"involving {best.name}" in str(screen.query_one("#activity-label", Static).render())


async def test_down_and_enter_typed_ahead_in_search_apply_to_the_results(shipped_db: Path) -> None:
    """``/iskp`` Down Enter in one write: Down moves to the second result when the results come, Enter opens it."""
    from claimscope.tui.widgets.entity_pane import EntityPane

    app = make_app(shipped_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        names = app.knowledge_base.search("iskp", limit=30, text=False)
        assert len(names) >= 2 and names[1].how not in ("claim", "passage")
        together(app, "slash", *"iskp", "down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen), "the dialog stayed open: Down and Enter were dropped"
        assert app.screen.query_one(EntityPane).card.id == names[1].id
