"""The main screen: search on the left, the selected entity's card on the right."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from db.models import EntityCard, EntitySummary, SearchResult
from db.queries import KnowledgeBase
from tui.render import render_card, result_line

__all__ = ["MainScreen"]


class MainScreen(Screen[None]):
    """Search entities as you type; show the highlighted one with its claims and evidence."""

    BINDINGS = [Binding("slash", "focus_search", "Search"), Binding("escape", "focus_results", "Results", show=False)]

    def __init__(self, db_path: Path, entity: str | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.start_entity = entity
        self.knowledge_base = KnowledgeBase.open(db_path)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sidebar"):
            yield Input(placeholder="/ search names, aliases, acronyms", id="query")
            yield OptionList(id="results")
        with VerticalScroll(id="card-scroll"):
            yield Static(id="card")
        yield Footer()

    def on_mount(self) -> None:
        self.run_search("")
        if self.start_entity:
            self.load_entity(self.start_entity)
        else:
            self.query_one("#query", Input).focus()

    def on_unmount(self) -> None:
        self.knowledge_base.close()

    def action_focus_search(self) -> None:
        self.query_one("#query", Input).focus()

    def action_focus_results(self) -> None:
        self.query_one("#results", OptionList).focus()

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#query")
    def query_submitted(self) -> None:
        results = self.query_one("#results", OptionList)
        if results.option_count:
            results.highlighted = 0
            results.focus()

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        found: list[SearchResult] | list[EntitySummary]
        found = self.knowledge_base.search(query, limit=50) if query.strip() else self.knowledge_base.entities(limit=50)
        self.app.call_from_thread(self.show_results, found)

    def show_results(self, found: list[SearchResult] | list[EntitySummary]) -> None:
        results = self.query_one("#results", OptionList)
        results.clear_options()
        results.add_options(Option(result_line(item), id=item.id) for item in found)

    @on(OptionList.OptionHighlighted, "#results")
    def result_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.load_entity(event.option.id)

    @work(thread=True, exclusive=True, group="entity")
    def load_entity(self, entity_id: str) -> None:
        card = self.knowledge_base.entity(entity_id)
        self.app.call_from_thread(self.show_card, card)

    def show_card(self, card: EntityCard | None) -> None:
        self.query_one("#card", Static).update(render_card(card) if card else Text("No such entity."))
