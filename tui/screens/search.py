"""Search across every kind and alias, with results as you type (the same ranking as the CLI)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from claimscope.db.models import SearchResult
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.render import result_line

__all__ = ["SearchScreen"]


class SearchScreen(ModalScreen[str | None]):
    """Type a name, acronym or misspelling; Enter opens the highlighted entity, Escape goes back."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close"), Binding("down", "focus_results", "Results", show=False)]

    def __init__(self, knowledge_base: KnowledgeBase, query: str = "") -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.initial_query = query
        self.generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(value=self.initial_query, placeholder="name, alias, acronym, transliteration...", id="query")
            yield OptionList(id="search-results")
            yield Static("", id="search-status")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        if self.initial_query:
            self.run_search(self.initial_query)

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        self.generation += 1
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        generation = self.generation
        results = self.knowledge_base.search(query, limit=30) if query.strip() else []
        self.app.call_from_thread(self.show_results, generation, query, results)

    def show_results(self, generation: int, query: str, results: list[SearchResult]) -> None:
        if generation != self.generation:
            return  # typing went on: a newer search is coming
        options = self.query_one("#search-results", OptionList)
        options.clear_options()
        options.add_options(Option(result_line(result), id=result.id) for result in results)
        if results:
            options.highlighted = 0
        status = "" if not query.strip() else f"{len(results)} found" if results else "nothing matches"
        self.query_one("#search-status", Static).update(status)

    @on(Input.Submitted, "#query")
    def submitted(self) -> None:
        options = self.query_one("#search-results", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_results(self) -> None:
        self.query_one("#search-results", OptionList).focus()
