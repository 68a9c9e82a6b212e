"""A list of entities of one kind, drawn a screenful at a time and filtered as you type."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from claimscope.db.models import EntitySummary, SearchResult
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import OpenEntity
from claimscope.tui.render import result_line
from claimscope.tui.widgets.virtual_list import VirtualList

__all__ = ["SEARCH_LIMIT", "EntityList"]

#: How many matches a filter shows (best first).
SEARCH_LIMIT = 200
PLURAL = {"person": "people"}


class EntityList(Vertical):
    """Entities of one kind by name (events by date), or the best matches for the filter text."""

    DEFAULT_CSS = """
    EntityList { height: 1fr; }
    EntityList > Input { margin: 0; border: tall $surface-lighten-1; }
    EntityList > VirtualList { height: 1fr; }
    """

    def __init__(self, knowledge_base: KnowledgeBase, kind: str, total: int, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.knowledge_base = knowledge_base
        self.kind = kind
        self.total = total
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"filter {PLURAL.get(self.kind, self.kind + 's')}", classes="filter")
        yield VirtualList(classes="entities")

    def on_mount(self) -> None:
        self.show_all()

    def show_all(self) -> None:
        """Every entity of the kind; rows are read from the database as they come into view."""

        def fetch(offset: int, limit: int) -> list[tuple[str, Text]]:
            return [(item.id, self.line(item)) for item in self.knowledge_base.entities(self.kind, offset, limit)]

        self.query_one(VirtualList).set_rows(fetch, self.total)

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
        event.stop()
        entities = self.query_one(VirtualList)
        if entities.row_count:
            entities.cursor = 0
            entities.focus()

    @work(thread=True, exclusive=True, group="entity-list")
    def search(self, text: str) -> None:
        """The best matches for ``text``; a newer request cancels an older one."""
        found = self.knowledge_base.search(text, kind=self.kind, limit=SEARCH_LIMIT, text=False)
        self.app.call_from_thread(self.show_matches, text, found)

    def show_matches(self, text: str, found: list[SearchResult]) -> None:
        if text != self.filter_text:
            return  # typing went on: a newer search is coming
        rows = [(item.id, self.line(item)) for item in found]
        self.query_one(VirtualList).set_rows(lambda offset, limit: rows[offset:offset + limit], len(rows))

    def line(self, item: EntitySummary | SearchResult) -> Text:
        line = result_line(item, show_kind=False)
        if isinstance(item, EntitySummary) and item.date_display:
            line.append(f"  {item.date_display}", style="dim")
        return line

    @on(VirtualList.Selected, ".entities")
    def selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        self.post_message(OpenEntity(event.item_id))
