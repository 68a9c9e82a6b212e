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
from claimscope.tui.widgets.bars import KeyBar
from claimscope.tui.widgets.cursor_list import CursorList

__all__ = ["SearchScreen"]


#: How many results the box shows.
LIMIT = 30


class SearchScreen(ModalScreen[str | Place | None]):
    """Type a name, acronym, misspelling, or words of what happened; Enter opens the highlighted result.

    A result found in a claim opens its entity at that claim; a passage opens the entity of the
    first claim that cites it. Escape goes back. Down and Enter typed before the results came
    (keys typed ahead, or buffered over SSH) are kept and apply to the results when they come.
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
        #: The generation of the results on screen: behind ``generation`` while a search is on its way.
        self.shown_generation = 0
        self.results: dict[str, SearchResult] = {}
        #: Down and Enter pressed in the query before its results came, to apply when they do.
        self.downs_ahead = 0
        self.enter_ahead = False

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(value=self.initial_query, placeholder="a name, an alias, or words of what happened...",
                        id="query")
            yield CursorList(id="search-results")
            yield Static("", id="search-status")
        yield KeyBar()  # this dialog's keys (Esc closes), over the main screen's

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        if self.initial_query:
            self.run_search(self.initial_query)

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        self.generation += 1
        self.downs_ahead, self.enter_ahead = 0, False
        self.run_search(event.value)

    @property
    def waiting(self) -> bool:
        """Whether the results of the query typed are still on their way."""
        return self.shown_generation != self.generation and bool(self.query_one("#query", Input).value.strip())

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
        self.shown_generation = generation
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
        if results or final:
            self.apply_keys_ahead()

    def apply_keys_ahead(self) -> None:
        """Down and Enter pressed before these results came: move, then open, as if pressed now."""
        downs, enter = self.downs_ahead, self.enter_ahead
        self.downs_ahead, self.enter_ahead = 0, False
        options = self.query_one("#search-results", OptionList)
        if downs and options.option_count:
            options.focus()
            options.highlighted = min((options.highlighted or 0) + downs, options.option_count - 1)
        if enter and options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

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
        if self.waiting:
            self.enter_ahead = True
            return
        options = self.query_one("#search-results", OptionList)
        if options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def action_focus_results(self) -> None:
        """Down from the query: into the results, on the one after the highlighted one (Enter opens it)."""
        if self.waiting:
            self.downs_ahead += 1  # the results are on their way: Down applies to them
            return
        options = self.query_one("#search-results", OptionList)
        options.focus()
        if options.highlighted is None:
            if options.option_count:
                options.highlighted = 0
            return
        options.action_cursor_down()
