"""The claimscope Textual app: wiring only; the screens hold the behaviour."""

# ruff: noqa: E402 - the collector is switched off before the modules below are imported

from __future__ import annotations

import gc

# The modules imported for the app (Textual's and its own) make objects that live as long as the process;
# collecting while they are made frees nothing, and cost about a tenth of the first frame. The collector
# is off while they load, and make_app turns it back on with them frozen, never to be walked again (the
# pattern the gc module's documentation gives for gc.freeze).
gc.disable()
_collector_held = True

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Provider
from textual.screen import ModalScreen, Screen

from claimscope.db.models import Claim
from claimscope.db.queries import KnowledgeBase, KnowledgeBaseError
from claimscope.tui.messages import Place, SourcePlace, ViewPlace
from claimscope.tui.passages import PassageStore
from claimscope.tui.screens.main import MainScreen
from claimscope.tui.text import clean

# The search, timeline, sources, disputes and help screens are imported when first opened:
# start-up is measured against a bare Textual app, and they are not on the first frame.

__all__ = ["ClaimscopeApp", "dev_app", "make_app"]

T = TypeVar("T")


def entity_commands() -> type[Provider]:
    """The palette's entity provider, imported when the palette first opens (not at start-up)."""
    from claimscope.tui.commands import EntityCommands

    return EntityCommands


class ClaimscopeApp(App[None]):
    """Browse a knowledge base of claims with provenance."""

    TITLE = "claimscope"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {entity_commands}
    BINDINGS = [
        Binding("slash", "search", "Search", tooltip="search every name, alias and word"),
        # The views are on Ctrl keys, which typing cannot reach: they work from a list or a text box too.
        # Their letters are kept for where nothing is typed (the claims, the provenance, the views).
        Binding("ctrl+t", "timeline", "Timeline", priority=True, tooltip="the timeline: events in date order"),
        Binding("ctrl+s", "sources", "Sources", priority=True, tooltip="the sources, their facts and claims"),
        Binding("ctrl+d", "disputes", "Disputes", priority=True, tooltip="the claims that disagree"),
        Binding("ctrl+f", "find_claims", "Claims", priority=True,
                tooltip="find claims by words and filters (from an entity: its claims)"),
        Binding("t", "timeline", "Timeline", show=False),
        Binding("s", "sources", "Sources", show=False),
        Binding("d", "disputes", "Disputes", show=False),
        Binding("f", "find_claims", "Claims", show=False),
        Binding("question_mark", "help", "Help", tooltip="this help: every key of the screen"),
        Binding("f1", "help", "Help", show=False),
        # Quit only on Ctrl+Q: a word typed where a list or a box was expected never quits.
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="quit"),
    ]
    """Keys that work on every screen (the screens add their own)."""

    VIEWS = frozenset({"search", "timeline", "sources", "disputes", "find_claims"})
    """Actions that open a view: not over a dialog (the help, search, the palette)."""

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

    async def on_event(self, event: events.Event) -> None:
        # Type-to-filter: a character typed on a list that filters as you type moves the focus to its
        # filter before the key is delivered, so that this key and every one after it reach the filter in
        # order, and none of them runs a command.
        if isinstance(event, events.Key) and not event.is_forwarded and event.is_printable and event.character:
            typing_target = getattr(self.focused or self.screen, "typing_target", None)
            target = typing_target(event.character) if typing_target is not None else None
            if target is not None:
                self.screen.set_focus(target)
        if isinstance(event, events.Key) and not event.is_forwarded and self.opens_at_once(event):
            # Search opens before the next key is read: the keys typed after / in one write (or buffered over
            # SSH) go to its query, not to the list (the app's own bindings otherwise run after the key bubbles).
            await self.run_action("search")
            return
        await super().on_event(event)

    def opens_at_once(self, event: events.Key) -> bool:
        """Whether ``event`` would run the app's own search, and nothing nearer the focus takes it first."""
        if event.key != "slash":
            return False
        active = self.screen.active_bindings.get(event.key)
        focused = self.focused
        if active is None or active.node is not self or not active.enabled or active.binding.action != "search":
            return False
        return focused is None or not focused.check_consume_key(event.key, event.character)

    def get_key_display(self, binding: Binding) -> str:
        # Keys as most terminal programs write them: Esc, Tab, F1, ^Q (Textual writes esc, tab, f1, ^q).
        display = super().get_key_display(binding)
        if len(display) == 2 and display.startswith("^"):
            return display.upper()
        return display[:1].upper() + display[1:] if len(display) > 1 else display

    #: The view each action opens: its key is left out of the key bar while that view is on top.
    VIEW_SCREENS = {"timeline": "TimelineScreen", "sources": "SourcesScreen", "disputes": "DisputesScreen"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.VIEWS and isinstance(self.screen, ModalScreen):
            return False
        if action in self.VIEW_SCREENS and self.on_top(self.VIEW_SCREENS[action]):
            return False
        return True

    def get_default_screen(self) -> Screen[Any]:
        # The main screen is the first screen itself: one screen to compose and draw at start-up, not a
        # blank default screen under it.
        return MainScreen(self.knowledge_base, self.passages, self.counts, self.start_entity)

    def on_mount(self) -> None:
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

    def open_view(self, place: ViewPlace) -> None:
        """A view again as it was left (back to the claims view or the disputes from the entity opened there)."""
        from claimscope.tui.screens.claims import ClaimsScreen, ClaimsState
        from claimscope.tui.screens.views import DisputesScreen, DisputesState

        if isinstance(place.state, ClaimsState):
            self.push_screen(ClaimsScreen(self.knowledge_base, self.passages, place.state.scope, left=place.state))
        elif isinstance(place.state, DisputesState):
            self.push_screen(DisputesScreen(self.knowledge_base, self.passages, left=place.state), self.open_entity)

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

    def on_top(self, screen_name: str) -> bool:
        """Whether the screen on top is the one named: a view is not opened over itself."""
        return type(self.screen).__name__ == screen_name

    def action_search(self) -> None:
        from claimscope.tui.screens.search import SearchScreen

        self.push_screen(SearchScreen(self.knowledge_base), self.open_entity)

    def action_find_claims(self) -> None:
        find_claims = getattr(self.screen, "action_find_claims", None)
        if find_claims is not None:
            find_claims()  # on the main screen, about the entity shown there; in the claims view, its query box
        else:
            self.find_claims()

    def find_claims(self) -> None:
        """The claims view over every claim."""
        from claimscope.tui.screens.claims import ClaimsScreen

        self.push_screen(ClaimsScreen(self.knowledge_base, self.passages))

    def action_timeline(self) -> None:
        from claimscope.tui.screens.views import TimelineScreen

        if not self.on_top("TimelineScreen"):
            self.push_screen(TimelineScreen(self.knowledge_base), self.open_entity)

    def action_sources(self) -> None:
        from claimscope.tui.screens.views import SourcesScreen

        if not self.on_top("SourcesScreen"):
            self.push_screen(SourcesScreen(self.knowledge_base), self.open_entity)

    def action_disputes(self) -> None:
        from claimscope.tui.screens.views import DisputesScreen

        if not self.on_top("DisputesScreen"):
            self.push_screen(DisputesScreen(self.knowledge_base, self.passages), self.open_entity)

    def action_help(self) -> None:
        from claimscope.tui.screens.help import HelpScreen, help_sections

        if not self.on_top("HelpScreen"):
            self.push_screen(HelpScreen(help_sections(self, self.screen)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Search", "Find an entity by any name or alias", self.action_search)
        yield SystemCommand("Find claims", "Claims by words and filters, with counts and provenance",
                            self.find_claims)
        if isinstance(screen, MainScreen) and screen.card is not None:
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
    global _collector_held
    if _collector_held:
        # What the imports made is frozen, and the collector back on (see the top of the module): unfrozen, a
        # full collection of those objects fell inside the first frame. Once only: a later app's objects are
        # collected as usual.
        gc.freeze()
        gc.enable()
        _collector_held = False
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
