"""A list of entities of one kind, drawn a screenful at a time and filtered as you type.

What is typed on the list goes to its filter (the app moves the focus there with the first
character), so that a name typed on the list never runs a command; ``/``, ``?``, ``[`` and
``]`` keep their keys. Down goes from the filter to the list, Enter opens the entity under
the cursor, Left and Right go to the list of the previous or next kind.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from claimscope.db.models import EntitySummary, SearchResult
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import OpenEntity
from claimscope.tui.rows import result_line
from claimscope.tui.text import clean_line
from claimscope.tui.widgets.virtual_list import PAGE, VirtualList

__all__ = ["DATE_CELLS", "SEARCH_LIMIT", "EntityList"]

#: How many matches a filter shows (best first).
SEARCH_LIMIT = 200
PLURAL = {"person": "people"}
#: The width of the date column of the events list (the dates are read as precisely as fits).
DATE_CELLS = 12
#: The date column of a narrow events list (under WIDE_CELLS): ``Sep 2001``, ``1994–1996``, ``from 2013``.
COMPACT_DATE_CELLS = 9
WIDE_CELLS = 44


class EntityList(Vertical):
    """Entities of one kind by name (events by date), or the best matches for the filter text."""

    DEFAULT_CSS = """
    EntityList { height: 1fr; }
    EntityList > Input { margin: 0; padding: 0 0 0 1; border: tall $surface-lighten-1; }
    EntityList > Input:focus { border: tall $accent; }
    EntityList > VirtualList { height: 1fr; }
    """

    BINDINGS = [
        Binding("down", "to_list", "To the list", show=False),
        Binding("left", "screen.next_kind(-1)", "Previous list", show=False),
        Binding("right", "screen.next_kind(1)", "Next list", show=False),
    ]
    """Down in the filter goes to the list (the list's own Down moves its cursor); Left and Right
    on the list change the kind (in the filter they move the text cursor)."""

    def __init__(self, knowledge_base: KnowledgeBase, kind: str, total: int, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.knowledge_base = knowledge_base
        self.kind = kind
        self.total = total
        self.filter_text = ""
        #: The rows of the filter's matches, when the list is filtered, and the text they match.
        self.matches: list[tuple[str, Text]] | None = None
        self.matched_text: str | None = None
        #: Enter was pressed in the filter before its matches arrived: open the first when they do.
        self.open_when_shown = False
        #: The entity to put the cursor on when it comes into the list (the one the main screen shows).
        self.followed: str | None = None
        self.followed_summary: EntitySummary | None = None
        #: Focus the rows once they are composed (the list was chosen before it was drawn).
        self.focus_when_mounted = False
        #: The width of the date column the rows were laid out for (events).
        self._cells: int | None = None

    def compose(self) -> ComposeResult:
        box = Input(placeholder=f"type to filter {PLURAL.get(self.kind, self.kind + 's')}", classes="filter",
                    select_on_focus=False)
        entities = VirtualList(self.fetch_all, self.total, classes="entities")
        entities.filter_box = box  # from the start: a key typed as the app opens goes to the filter too
        entities.empty_text = Text(f"no {PLURAL.get(self.kind, self.kind + 's')}", style="italic")
        yield box
        yield entities

    def on_mount(self) -> None:
        if self.followed:
            self.locate(self.followed, self.followed_summary)
        if self.focus_when_mounted and self.display:  # still the list shown (keys may have moved on)
            self.entities.focus()
        self.focus_when_mounted = False

    def focus_list(self) -> None:
        """Focus the rows; a list not composed yet takes the focus when it is."""
        if self.is_mounted and self.query(VirtualList):
            self.entities.focus()
        else:
            self.focus_when_mounted = True

    def fetch_all(self, offset: int, limit: int) -> list[tuple[str, Text]]:
        """A page of every entity of the kind, read as the list scrolls to it."""
        return [(item.id, self.line(item)) for item in self.knowledge_base.entities(self.kind, offset, limit)]

    @property
    def entities(self) -> VirtualList:
        return self.query_one(VirtualList)

    @property
    def filter_box(self) -> Input:
        return self.query_one(Input)

    def show_all(self) -> None:
        """Every entity of the kind; rows are read from the database as they come into view."""
        self.matches = self.matched_text = None
        self.entities.set_rows(self.fetch_all, self.total)
        if self.followed:
            self.locate(self.followed, self.followed_summary)

    @on(Input.Changed, ".filter")
    def filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value
        if event.value.strip():
            self.search(event.value)
        else:
            self.show_all()

    @on(Input.Submitted, ".filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter opens the entity under the cursor (the best match, unless the cursor moved)."""
        event.stop()
        if self.filter_text.strip() and self.matched_text != self.filter_text:
            self.open_when_shown = True  # the matches are on their way
            return
        self.entities.action_select()

    def action_to_list(self) -> None:
        if self.entities.row_count:
            self.entities.focus()

    def clear_filter(self) -> bool:
        """Empty the filter; False when it was empty already."""
        if not self.filter_box.value:
            return False
        self.filter_box.value = ""
        return True

    @work(thread=True, exclusive=True, group="entity-list")
    def search(self, text: str) -> None:
        """The best matches for ``text``; a newer request cancels an older one."""
        found = self.knowledge_base.search(text, kind=self.kind, limit=SEARCH_LIMIT, text=False)
        dates = self.event_dates(found) if self.kind == "event" else {}
        rows = [(item.id, self.line(item, dates.get(item.id))) for item in found]
        self.app.call_from_thread(self.show_matches, text, rows)

    def event_dates(self, found: list[SearchResult]) -> dict[str, str | None]:
        """The dates of the events a filter found (a search result has none), read by each one's name."""
        from claimscope.db.folding import fold

        dates: dict[str, str | None] = {}
        for item in found:
            for entity in self.knowledge_base.entities("event", 0, PAGE, name_prefix=fold(item.name)):
                if entity.id == item.id:
                    dates[item.id] = entity.date
                    break
        return dates

    def show_matches(self, text: str, rows: list[tuple[str, Text]]) -> None:
        if text != self.filter_text:
            return  # typing went on: a newer search is coming
        self.matches, self.matched_text = rows, text
        # The user's text, shown literally (never parsed as markup), when nothing matches it.
        self.entities.empty_text = Text(f"no {PLURAL.get(self.kind, self.kind + 's')} match “{clean_line(text)}”",
                                        style="italic")
        self.entities.set_rows(lambda offset, limit: rows[offset:offset + limit], len(rows))
        if self.followed:
            self.follow(self.followed)
        if self.open_when_shown:
            self.open_when_shown = False
            self.entities.action_select()

    def line(self, item: EntitySummary | SearchResult, date: str | None = None) -> Text:
        """A row: the name (and the alias that matched); for events, the date first in a column of its own."""
        name = result_line(item, show_kind=False)
        if self.kind != "event":
            return name
        from claimscope.tui.dates import short_date

        if isinstance(item, EntitySummary):
            date = item.date
        cells = self.date_cells
        line = Text(f"{short_date(date, cells):<{cells}} ", style="cyan", no_wrap=True)
        line.append_text(name)
        return line

    @property
    def date_cells(self) -> int:
        """The width of the date column: narrower on a narrow list, so that the names keep room."""
        return DATE_CELLS if self.size.width >= WIDE_CELLS or not self.size.width else COMPACT_DATE_CELLS

    def on_resize(self) -> None:
        # The date column changes with the width: the rows are laid out again (the cursor stays where it is).
        if self.kind != "event" or not self.query(VirtualList):
            return
        cells = self.date_cells
        if cells != self._cells:
            self._cells = cells
            self.entities.lay_out_again()
            if self.matches is not None and self.filter_text.strip():
                self.search(self.filter_text)

    def follow(self, entity_id: str) -> bool:
        """Put the cursor on ``entity_id`` if it is among the rows read (without opening it again)."""
        self.followed = entity_id
        if not self.query(VirtualList):
            return False  # not composed yet: on_mount follows it
        index = self.entities.index_of(entity_id)
        if index is None and self.matches is not None:
            index = next((number for number, (row_id, _) in enumerate(self.matches) if row_id == entity_id), None)
        if index is None:
            return False
        self.entities.move_to(index, quiet=True)
        return True

    def locate(self, entity_id: str, summary: EntitySummary | None) -> None:
        """Follow ``entity_id`` in the whole list: found among the rows read, or looked up by its place in the order."""
        if self.follow(entity_id) or self.matches is not None or summary is None:
            return
        self.find_position(summary)

    @work(thread=True, exclusive=True, group="entity-list-position")
    def find_position(self, summary: EntitySummary) -> None:
        """Where ``summary`` sorts in the list, found by halving (a few reads of one row each)."""
        low, high = 0, self.total
        key = _sort_key(summary)
        while low < high:
            middle = (low + high) // 2
            row = self.knowledge_base.entities(self.kind, middle, 1)
            if not row:
                break
            if _sort_key(row[0]) < key:
                low = middle + 1
            else:
                high = middle
        found = self.knowledge_base.entities(self.kind, low, 1)
        if found and found[0].id == summary.id:
            self.app.call_from_thread(self._moved_to, summary.id, low)

    def _moved_to(self, entity_id: str, index: int) -> None:
        if self.followed == entity_id and self.matches is None:
            self.entities.move_to(index, quiet=True)

    @on(VirtualList.Selected, ".entities")
    def selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        self.followed = event.item_id
        self.post_message(OpenEntity(event.item_id))


def _sort_key(entity: EntitySummary) -> tuple[object, ...]:
    """The order the entity lists are in (by name; events by date, then name), to find a row by halving."""
    from claimscope.db.edtf import OPEN_LOWER, parse_edtf
    from claimscope.db.folding import fold

    name = (fold(entity.name), entity.id)
    if entity.kind != "event":
        return name
    if not entity.date:
        return (0, "", "", *name)
    parsed = parse_edtf(entity.date)
    return (1, parsed.upper if parsed.lower == OPEN_LOWER else parsed.lower, parsed.upper, *name)
