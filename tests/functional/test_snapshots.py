"""Snapshots of the screens at 80x24 and 120x40, on a small invented knowledge base that stays put.

The shipped knowledge base grows with curation; these screens are about layout, so they
use data that does not change. Update with ``pytest --snapshot-update`` after looking at
the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from claimscope.seed.knowledge_base import build
from claimscope.tui.app import make_app
from conftest import MINI_CLAIMS, MINI_ENTITIES, write_mini_seed

SIZES = [(80, 24), (120, 40)]

EXTRA_ENTITIES = MINI_ENTITIES + """\
  - id: founding-2019
    kind: event
    name: Founding of the Example Front (2019)
    subtype: launch
    summary: The invented group's founding.
"""
EXTRA_CLAIMS = MINI_CLAIMS + """\
  - subject: example-front
    predicate: estimated_strength
    value: 500
    unit: fighters
    modality: estimated
    claimant: ann-other
    evidence:
      - {source: example-times, paragraph: 2, sentence: 2, grade: 4, anaphora: true}
  - subject: founding-2019
    predicate: occurred_on
    value: "2019"
    evidence:
      - {source: example-times, paragraph: 1, sentence: 1, grade: 2, anaphora: true}
"""


@pytest.fixture(scope="module")
def snapshot_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("snapshot")
    seed, corpus = write_mini_seed(base, **{"entities.yaml": EXTRA_ENTITIES, "claims.yaml": EXTRA_CLAIMS})
    build(base / "kb.db", seed, corpus)
    return base / "kb.db", corpus


async def no_blink(pilot) -> None:  # type: ignore[no-untyped-def]
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_main_screen(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=no_blink)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_entity_with_a_dispute_and_highlighted_passage(snap_compare, snapshot_kb: tuple[Path, Path],  # type: ignore[no-untyped-def]
                                                        size: tuple[int, int]) -> None:
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus, entity="example-front"), terminal_size=size, run_before=no_blink)


def after(*keys: str):  # type: ignore[no-untyped-def]
    """A run_before that presses ``keys`` and then lets the screen settle."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*keys)
        await no_blink(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_timeline(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=after("ctrl+t"))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_help(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=after("question_mark"))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_claims_view(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Words typed, a modality chosen in the facets (Tab, Down, Space), then back to the list (Tab)."""
    db, corpus = snapshot_kb

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await after("ctrl+f", *"Front")(pilot)  # the claims and their counts are in before the facets are used
        await after("tab", "down", "space", "tab")(pilot)

    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=run_before)


def test_claims_view_facets_out_on_a_narrow_screen(snap_compare, snapshot_kb: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    """At 80 columns the facets come out while they have the focus, beside the list and the provenance."""
    db, corpus = snapshot_kb

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await no_blink(pilot)  # the entity is shown before f asks for the claims about it
        await after("f", "tab", "down", "down", "space")(pilot)  # f: the claims pane has the focus

    assert snap_compare(make_app(db, corpus=corpus, entity="example-front"), terminal_size=(80, 24),
                        run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_reader(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The source with its facts, the cursor on a cited sentence, and the claims citing it beside or below."""
    from claimscope.tui.messages import SourcePlace

    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus, source=SourcePlace("example-times", 2, 1)), terminal_size=size,
                        run_before=no_blink)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_typing_on_the_list_filters_it(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """A name typed at start-up goes to the list's filter (and runs no command)."""
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=after(*"tal"))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_events_list(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The events list: the date first, in a column of its own."""
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=after("left"))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_search(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Search: Down from the query is on the second result."""
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=after("slash", *"ex", "down"))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_disputes(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Disputes: the sides one above the other, each with its source, locator and sentence."""
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=after("ctrl+d"))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_sources(snap_compare, snapshot_kb: tuple[Path, Path], size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Sources: the whole URL on a line of its own, each claim with its paragraph and sentence."""
    db, corpus = snapshot_kb
    assert snap_compare(make_app(db, corpus=corpus), terminal_size=size, run_before=after("ctrl+s"))
