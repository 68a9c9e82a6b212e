"""The claimscope Textual app: wiring only; the screens hold the behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from claimscope.db.models import Claim
from claimscope.db.queries import KnowledgeBase, KnowledgeBaseError
from claimscope.tui.commands import EntityCommands
from claimscope.tui.messages import Place, SourcePlace
from claimscope.tui.passages import PassageStore
from claimscope.tui.screens.main import MainScreen
from claimscope.tui.text import clean
from claimscope.tui.widgets.entity_pane import EntityPane

# The search, timeline, sources, disputes and help screens are imported when first opened:
# start-up is measured against a bare Textual app, and they are not on the first frame.

__all__ = ["ClaimscopeApp", "dev_app", "make_app"]

T = TypeVar("T")


class ClaimscopeApp(App[None]):
    """Browse a knowledge base of claims with provenance."""

    TITLE = "claimscope"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {EntityCommands}
    BINDINGS = [
        Binding("slash", "search", "Search"),
        Binding("t", "timeline", "Timeline"),
        Binding("s", "sources", "Sources"),
        Binding("d", "disputes", "Disputes"),
        Binding("f", "find_claims", "Find claims"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]
    """Keys that work on every screen (the screens add their own)."""

    def __init__(self, knowledge_base: KnowledgeBase, passages: PassageStore, counts: dict[str, int],
                 entity: str | None = None, source: SourcePlace | None = None) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.passages = passages
        self.counts = counts
        self.start_entity = entity
        #: A place in a source to open the reader at, over the main screen, at start.
        self.start_source = source
        #: How ``c`` cites a claim: one of claimscope.db.cite.FORMATS (``C`` goes to the next).
        self.citation_format = "text"
        self.fatal_message: str | None = None
        """Why the app stopped, when it stopped because the knowledge base could not be read."""

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.knowledge_base, self.passages, self.counts, self.start_entity))
        if self.start_source is not None:
            self.open_reader(self.start_source)

    def on_unmount(self) -> None:
        self.knowledge_base.close()

    def _handle_exception(self, error: Exception) -> None:
        # A knowledge base found damaged while browsing ends the app with the reason, not a traceback.
        # (A worker's error arrives wrapped in WorkerFailed, which keeps it as ``error``.)
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, KnowledgeBaseError):
            cause = getattr(cause, "error", None) or cause.__cause__ or cause.__context__
        if isinstance(cause, KnowledgeBaseError):
            self.fatal_message = str(cause)
            self.exit(return_code=2)
            return
        super()._handle_exception(error)

    async def run_in_thread(self, function: Callable[..., T], *arguments: Any) -> T:
        """Run a blocking database call off the event loop."""
        return await asyncio.to_thread(function, *arguments)

    def main_screen(self) -> MainScreen:
        return next(screen for screen in self.screen_stack if isinstance(screen, MainScreen))

    def open_entity(self, target: str | Place | None) -> None:
        """Return to the main screen and show an entity there (at a claim, for a ``Place``)."""
        if not target:
            return
        place = target if isinstance(target, Place) else Place(target)
        while not isinstance(self.screen, MainScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        self.main_screen().open_entity(place.entity_id, place.claim_id, came_from=place.came_from)

    def open_reader(self, place: SourcePlace) -> None:
        """The reader on a source, at a paragraph and sentence; a claim chosen there opens its entity."""
        from claimscope.tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(self.knowledge_base, place), self.open_entity)

    def send_citation(self, claim: Claim) -> None:
        """Send a citation of ``claim``, in the format chosen, to the terminal's clipboard."""
        from claimscope.db.cite import cite

        self.copy_to_clipboard(clean(cite(claim, self.citation_format)))
        self.notify(f"Citation ({self.citation_format}) sent to the terminal's clipboard (OSC 52). Whether it "
                    "arrives depends on the terminal; in tmux it needs `set -g set-clipboard on`. C changes the "
                    "format.", title="Citation sent")

    def next_citation_format(self) -> None:
        from claimscope.db.cite import FORMATS

        self.citation_format = FORMATS[(FORMATS.index(self.citation_format) + 1) % len(FORMATS)]
        self.notify(f"c now sends citations as {self.citation_format} ({', '.join(FORMATS)}).")

    def action_search(self) -> None:
        from claimscope.tui.screens.search import SearchScreen

        self.push_screen(SearchScreen(self.knowledge_base), self.open_entity)

    def action_find_claims(self) -> None:
        if isinstance(self.screen, MainScreen):
            self.screen.action_find_claims()  # about the entity shown there
        else:
            self.find_claims()

    def find_claims(self) -> None:
        """The claims view over every claim."""
        from claimscope.tui.screens.claims import ClaimsScreen

        self.push_screen(ClaimsScreen(self.knowledge_base, self.passages))

    def action_timeline(self) -> None:
        from claimscope.tui.screens.views import TimelineScreen

        self.push_screen(TimelineScreen(self.knowledge_base), self.open_entity)

    def action_sources(self) -> None:
        from claimscope.tui.screens.views import SourcesScreen

        self.push_screen(SourcesScreen(self.knowledge_base), self.open_entity)

    def action_disputes(self) -> None:
        from claimscope.tui.screens.views import DisputesScreen

        self.push_screen(DisputesScreen(self.knowledge_base), self.open_entity)

    def action_help(self) -> None:
        keys: list[tuple[str, str]] = []
        seen: set[str] = set()
        for _, binding in [*self.screen._bindings, *self._bindings]:
            if binding.action in seen or binding.action.startswith("dismiss"):
                continue
            seen.add(binding.action)
            keys.append((self.get_key_display(binding), binding.description or binding.action))
        # Keys of the widgets inside a screen (a list's Enter, a panel's Space), which it lists itself.
        keys.extend(getattr(self.screen, "HELP_KEYS", ()))
        keys.append(("ctrl+p", "command palette: entities and actions"))
        from claimscope.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(keys))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Search", "Find an entity by any name or alias", self.action_search)
        yield SystemCommand("Find claims", "Claims by words and filters, with counts and provenance",
                            self.find_claims)
        if isinstance(screen, MainScreen) and screen.query_one(EntityPane).card is not None:
            yield SystemCommand("Find claims about this entity", "The claims view, scoped to the entity shown",
                                screen.action_find_claims)
        yield SystemCommand("Timeline", "Events in date order", self.action_timeline)
        yield SystemCommand("Sources", "The sources and the claims each supports", self.action_sources)
        yield SystemCommand("Disputes", "Claims that disagree, side by side", self.action_disputes)


def make_app(db_path: Path, corpus: Path | None = None, entity: str | None = None,
             source: SourcePlace | None = None) -> ClaimscopeApp:
    """Open the knowledge base and build the app; the CLI and the tests both start here.

    ``entity`` opens the main screen at that entity; ``source`` opens the reader at that place.
    """
    knowledge_base = KnowledgeBase.open(db_path)
    built_with = knowledge_base.meta().get("corpus")
    if corpus is None and built_with:
        corpus = Path(built_with)  # the corpus the knowledge base was built from
    return ClaimscopeApp(knowledge_base, PassageStore(corpus), knowledge_base.count_by_kind(), entity=entity,
                         source=source)


def dev_app() -> ClaimscopeApp:
    """The app on ``CLAIMSCOPE_DB`` or the default knowledge base, for ``textual run --dev claimscope.tui.app:dev_app``.

    Textual's loader calls a factory with no arguments, so the knowledge base and corpus come
    from the environment (``CLAIMSCOPE_DB``, ``CLAIMSCOPE_CORPUS``), as they do for the command line.
    """
    import os

    from claimscope.seed.corpus import default_corpus
    from claimscope.seed.knowledge_base import ensure_default

    corpus = default_corpus()
    configured = os.environ.get("CLAIMSCOPE_DB")
    try:
        return make_app(Path(configured) if configured else ensure_default(corpus), corpus=corpus)
    except KnowledgeBaseError as error:
        raise SystemExit(f"claimscope: {error}") from None
