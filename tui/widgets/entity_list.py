"""A list of entities of one kind, paged from the database and filtered as you type."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from db.models import EntitySummary, SearchResult
from db.queries import KnowledgeBase
from tui.messages import OpenEntity
from tui.render import result_line

__all__ = ["EntityList"]

PAGE = 100


class EntityList(Vertical):
    """Entities of one kind: a page at a time by name (events by date), or search results when filtered."""

    DEFAULT_CSS = """
    EntityList { height: 1fr; }
    EntityList > Input { margin: 0; border: tall $surface-lighten-1; }
    EntityList > OptionList { height: 1fr; border: none; }
    """

    def __init__(self, knowledge_base: KnowledgeBase, kind: str, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.knowledge_base = knowledge_base
        self.kind = kind
        self.filter_text = ""
        self.loaded = 0
        self.exhausted = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"filter {self.kind}s", classes="filter")
        yield OptionList(classes="entities")

    def on_mount(self) -> None:
        self.load_page(0)

    @on(Input.Changed, ".filter")
    def filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value
        self.load_page(0)

    @on(Input.Submitted, ".filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        entities = self.query_one(OptionList)
        if entities.option_count:
            entities.highlighted = 0
            entities.focus()

    @work(thread=True, exclusive=True, group="entity-list")
    def load_page(self, offset: int) -> None:
        """Load a page (offset 0 replaces the list); a newer request cancels an older one."""
        found: list[EntitySummary] | list[SearchResult]
        if self.filter_text.strip():
            found = self.knowledge_base.search(self.filter_text, kind=self.kind, limit=PAGE) if offset == 0 else []
        else:
            found = self.knowledge_base.entities(self.kind, offset=offset, limit=PAGE)
        self.app.call_from_thread(self.show_page, offset, found)

    def show_page(self, offset: int, found: list[EntitySummary] | list[SearchResult]) -> None:
        entities = self.query_one(OptionList)
        if offset == 0:
            entities.clear_options()
        entities.add_options(Option(self.line(item), id=item.id) for item in found)
        if offset == 0 and found:
            entities.highlighted = 0
        self.loaded = offset + len(found)
        self.exhausted = bool(self.filter_text.strip()) or len(found) < PAGE

    def line(self, item: EntitySummary | SearchResult):  # type: ignore[no-untyped-def]
        line = result_line(item, show_kind=False)
        if isinstance(item, EntitySummary) and item.date_display:
            line.append(f"  {item.date_display}", style="dim")
        return line

    @on(OptionList.OptionHighlighted, ".entities")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        # Page in more when the cursor nears the end of what is loaded.
        if not self.exhausted and event.option_index >= self.loaded - 10:
            self.exhausted = True  # until the page arrives
            self.load_page(self.loaded)

    @on(OptionList.OptionSelected, ".entities")
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(OpenEntity(event.option.id))
