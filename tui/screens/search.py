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
from claimscope.tui.messages import Place
from claimscope.tui.render import result_line

__all__ = ["SearchScreen"]


#: How many results the box shows.
LIMIT = 30


class SearchScreen(ModalScreen[str | Place | None]):
    """Type a name, acronym, misspelling, or words of what happened; Enter opens the highlighted result.

    A result found in a claim opens its entity at that claim; a passage opens the entity of the
    first claim that cites it. Escape goes back.
    """

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", tooltip="close the search"),
        Binding("down", "focus_results", "Results", show=False, tooltip="from the query: to the next result"),
    ]
    HELP_KEYS = [
        ("Typing", "the query: names, aliases, misspellings, or words of what happened"),
        ("Enter", "open the highlighted result (its entity; at the claim or passage its words are in)"),
        ("Up, Down", "move in the results; Down from the query: the next result"),
    ]

    def __init__(self, knowledge_base: KnowledgeBase, query: str = "") -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.initial_query = query
        self.generation = 0
        self.results: dict[str, SearchResult] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(value=self.initial_query, placeholder="a name, an alias, or words of what happened...",
                        id="query")
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
        if not query.strip():
            self.app.call_from_thread(self.show_results, generation, query, [], True)
            return
        # Names first, at once; then what the words find in summaries, claims and passages, which
        # costs more: the second pass never holds up the first, and is dropped if typing goes on.
        names = self.knowledge_base.search(query, limit=LIMIT, text=False)
        self.app.call_from_thread(self.show_results, generation, query, list(names), False)
        if generation != self.generation or len(names) >= LIMIT:
            self.app.call_from_thread(self.show_results, generation, query, list(names), True)
            return
        words = self.knowledge_base.text_hits(query, limit=LIMIT - len(names), exclude=names.matched_ids,
                                              prefix=True)
        self.app.call_from_thread(self.show_results, generation, query, [*names, *words], True)

    def show_results(self, generation: int, query: str, results: list[SearchResult], final: bool) -> None:
        if generation != self.generation:
            return  # typing went on: a newer search is coming
        options = self.query_one("#search-results", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        self.results = {result.id: result for result in results}
        options.add_options(Option(result_line(result), id=result.id) for result in results)
        if results:
            options.highlighted = highlighted if highlighted is not None and highlighted < len(results) else 0
        if not query.strip():
            status = ""
        elif not final:
            status = f"{len(results)} by name; looking in summaries, claims and passages..."
        else:
            status = f"{len(results)} found" if results else "nothing matches"
        self.query_one("#search-status", Static).update(status)

    def choose(self, result_id: str | None) -> None:
        """Open what a result points at: the entity, at the claim its words were found in."""
        result = self.results.get(result_id or "")
        if result is None:
            return
        if result.how == "claim" and result.claim:
            self.dismiss(Place(result.id, result.claim))
        elif result.how == "passage":
            if not result.citing:
                self.notify(f"No claim cites ¶{result.paragraph}.{result.sentence} of {result.name} yet.",
                            title="A passage no claim cites", severity="warning")
                return
            self.open_citing(result.citing[0])
        else:
            self.dismiss(result.id)

    @work(thread=True, exclusive=True, group="choose")
    def open_citing(self, claim_id: str) -> None:
        claim = self.knowledge_base.claim(claim_id)
        if claim is not None:
            self.app.call_from_thread(self.dismiss, Place(claim.subject.id, claim.id))

    @on(Input.Submitted, "#query")
    def submitted(self) -> None:
        options = self.query_one("#search-results", OptionList)
        if options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def action_focus_results(self) -> None:
        """Down from the query: into the results, on the one after the highlighted one (Enter opens it)."""
        options = self.query_one("#search-results", OptionList)
        options.focus()
        if options.highlighted is None:
            if options.option_count:
                options.highlighted = 0
            return
        options.action_cursor_down()
