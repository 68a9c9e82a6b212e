"""The main screen: lists of entities by kind, the entity pane, and the provenance pane.

Until the first entity is opened the right-hand side holds a line of help; the entity pane and
the provenance pane (and the code that lays them out) are made when the first entity opens, so
that start-up builds only what its first frame shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, OptionList, Static

from claimscope.db.models import Claim, EntityCard, EntityRef, EntitySummary
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import OpenEntity, Place, SourcePlace, ViewPlace
from claimscope.tui.passages import PassageStore
from claimscope.tui.widgets.bars import KeyBar, KindBar, TitleBar
from claimscope.tui.widgets.entity_list import EntityList
from claimscope.tui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from claimscope.tui.widgets.entity_pane import EntityPane
    from claimscope.tui.widgets.provenance import ProvenancePane, ProvenanceTexts

__all__ = ["MainScreen"]

KIND_TABS = (("group", "Groups"), ("outlet", "Outlets"), ("person", "People"), ("place", "Places"), ("event", "Events"))


class MainScreen(Screen[None]):
    """Browse entities, read their claims, and see where each claim comes from."""

    AUTO_FOCUS = ".entities"
    """The list has the focus from the start (what is typed there goes to its filter)."""

    BINDINGS = [
        Binding("escape", "filter", "Filter", tooltip="to the filter of the list (in the filter: empty it)"),
        # Written "Bksp" in the key bar: "[ Back ] Forward" would read as two bracketed buttons.
        Binding("backspace", "back", "Back", key_display="Bksp",
                tooltip="back, like a browser, to the claim (or the reader's sentence) you left"),
        Binding("left_square_bracket", "back", "Back", show=False),
        Binding("right_square_bracket", "forward", "Forward", tooltip="forward again"),
        Binding("c", "copy_citation", "Cite", tooltip="send a citation of the highlighted claim to the clipboard"),
        Binding("C", "citation_format", "Citation format", show=False,
                tooltip="the citation's format: text, Markdown, BibTeX, CSL-JSON"),
        Binding("r", "read_source", "Read", tooltip="read the source of the highlighted claim, at the cited sentence"),
        Binding("i", "describe", "About", show=False,
                tooltip="the entity's whole description: every alias, the summary, the note"),
        Binding("1", "kind('group')", "Groups", show=False, tooltip="the lists: groups"),
        Binding("2", "kind('outlet')", "Outlets", show=False, tooltip="outlets"),
        Binding("3", "kind('person')", "People", show=False, tooltip="people"),
        Binding("4", "kind('place')", "Places", show=False, tooltip="places"),
        Binding("5", "kind('event')", "Events", show=False, tooltip="events"),
        Binding("e", "focus_claims", "Claims", show=False, tooltip="to the claims"),
        Binding("p", "focus_provenance", "Provenance", show=False, tooltip="to the provenance (then Page Down)"),
    ]
    """Back and forward work like a browser's; the digits switch the entity lists. The letters and digits
    work where nothing is typed: on a list they go to its filter, in the filter they are typed."""

    HELP_KEYS = [
        ("Typing", "on a list: filters it as you type (what is typed goes to the filter above it)"),
        ("Esc", "to the filter of the list, from anywhere on this screen; in the filter: empty it, then back to "
                "the list"),
        ("Enter", "on a list or in its filter: open the entity under the cursor; on a claim: open the entity "
                  "at its other end (a value, such as a date, has none: it says so)"),
        ("Up, Down", "move in a list, the claims or the provenance; Down in the filter: to the list"),
        ("Page Up, Page Down", "a screenful up or down"),
        ("Home, End", "the first, the last row"),
        ("Left, Right", "on a list: the list of the previous, the next kind"),
        ("1, 2, 3, 4, 5", "off the lists: groups, outlets, people, places, events"),
        ("e, p", "off the lists: to the claims, to the provenance (Page Down reads on)"),
    ]
    """Keys of the widgets inside, for the help screen (which adds the screen's and the app's bindings)."""

    def __init__(self, knowledge_base: KnowledgeBase, passages: PassageStore, counts: dict[str, int],
                 entity: str | None = None) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.counts = counts
        self.passages = passages
        self.start_entity = entity
        #: The places visited: an entity and the claim last highlighted there, a place in the reader, or a view.
        self.history: list[Place | SourcePlace | ViewPlace] = []
        self.position = -1
        self.panes_lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        # The kinds span the screen so that all five fit even at 80 columns.
        yield KindBar([(kind, title, self.counts.get(kind, 0)) for kind, title in KIND_TABS], id="kind-tabs")
        with Horizontal(id="main"):
            # One list at start-up; the others are made when their tab is first chosen.
            with ContentSwitcher(initial="list-group", id="lists"):
                yield EntityList(self.knowledge_base, "group", self.counts.get("group", 0), id="list-group")
            with Vertical(id="reading"):
                if self.start_entity:
                    yield from self.panes()
                else:
                    yield Static("Choose an entity from the lists (type on a list to filter it), or press / to "
                                 "search. Its claims show here, and below them where the highlighted claim comes "
                                 "from.", id="reading-hint")
        yield KeyBar()

    def panes(self) -> list[Any]:
        """The entity pane and the provenance pane."""
        from claimscope.tui.widgets.entity_pane import EntityPane
        from claimscope.tui.widgets.provenance import ProvenancePane

        return [EntityPane(id="entity"), ProvenancePane(self.passages, id="provenance")]

    async def ensure_panes(self) -> None:
        """Make the entity and provenance panes in place of the first line of help, once.

        Two entities opened in one burst of keys can both arrive here before the panes are mounted: the
        lock keeps the second from making them again.
        """
        async with self.panes_lock:
            if self.query("#entity"):
                return
            await self.query("#reading-hint").remove()
            await self.query_one("#reading", Vertical).mount_all(self.panes())

    @property
    def entity_pane(self) -> EntityPane | None:
        """The entity pane, once an entity has been opened."""
        found = self.query("#entity")
        return found.first() if found else None  # type: ignore[return-value]

    @property
    def provenance_pane(self) -> ProvenancePane | None:
        found = self.query("#provenance")
        return found.first() if found else None  # type: ignore[return-value]

    @property
    def card(self) -> EntityCard | None:
        """The entity shown, if any."""
        pane = self.entity_pane
        return pane.card if pane is not None else None

    def current_claim(self) -> Claim | None:
        pane = self.entity_pane
        return pane.current_claim() if pane is not None else None

    def on_mount(self) -> None:
        if self.start_entity:
            self.open_entity(self.start_entity)
        elif self.focused is None:
            # At once, not after the next refresh: a key typed as the app opens must find the list focused.
            self.set_focus(self.query_one("#list-group").query_one(VirtualList))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Back and forward are in the key bar only when there is somewhere to go.
        if action == "back":
            return self.position > 0
        if action == "forward":
            return self.position < len(self.history) - 1
        return True

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < 70, "-narrow")
        self.set_class(event.size.height < 30, "-compact")
        self.set_class(event.size.height < 22, "-short")

    # -- opening entities, with history ------------------------------------------------------

    @on(OpenEntity)
    def open_requested(self, message: OpenEntity) -> None:
        message.stop()
        self.open_entity(message.entity_id, message.claim_id)

    def open_entity(self, entity_id: str, claim_id: str | None = None, remember: bool = True,
                    came_from: SourcePlace | ViewPlace | None = None, scroll: int | None = None) -> None:
        """Show an entity, at ``claim_id`` when given; ``remember`` adds it to the history (drops forward ones).

        ``came_from``, a place in a source the reader left or the view Enter was pressed in, goes into the
        history first.
        """
        if remember:
            self._note_claim()
            for place in (came_from, Place(entity_id, claim_id)):
                if place is None:
                    continue
                current = self.history[self.position] if self.position >= 0 else None
                if current is None or (not place.same_place(current) if isinstance(place, Place)
                                       else current != place):
                    del self.history[self.position + 1:]
                    self.history.append(place)
                    self.position = len(self.history) - 1
            self.refresh_bindings()  # back (and no longer forward) in the key bar
        self.load_entity(entity_id, claim_id, scroll)

    def _note_claim(self) -> None:
        """Remember the claim highlighted now, and the scroll of the claims, so that back returns to both."""
        pane = self.entity_pane
        claim = pane.current_claim() if pane is not None else None
        if 0 <= self.position < len(self.history) and claim is not None:
            current = self.history[self.position]
            if isinstance(current, Place) and current.entity_id == getattr(self.card, "id", None):
                scroll = round(self.query_one("#claims", OptionList).scroll_y)
                self.history[self.position] = Place(current.entity_id, claim.id, scroll=scroll)

    def go_to(self, place: Place | SourcePlace | ViewPlace) -> None:
        """Return to a place of the history: an entity at its claim and scroll, the reader or a view as left."""
        if isinstance(place, SourcePlace):
            self.app.open_reader(place)  # type: ignore[attr-defined]
        elif isinstance(place, ViewPlace):
            self.app.open_view(place)  # type: ignore[attr-defined]
        else:
            self.open_entity(place.entity_id, place.claim_id, remember=False, scroll=place.scroll)

    @work(thread=True, exclusive=True, group="entity")
    def load_entity(self, entity_id: str, claim_id: str | None = None, scroll: int | None = None) -> None:
        from claimscope.tui.render import card_claims
        from claimscope.tui.widgets.provenance import read_texts

        card = self.knowledge_base.entity(entity_id)
        if card is None:
            return
        # The claim's provenance is read here too, so that the card and its provenance
        # reach the screen in the same frame rather than one after the other.
        claims = [claim for claim, _direction in card_claims(card)]
        first = next((claim for claim in claims if claim.id == claim_id), claims[0] if claims else None)
        texts = read_texts(self.passages, first) if first is not None else None
        # Textual awaits a coroutine function given to call_from_thread; its type hint cannot say so (mypy).
        self.app.call_from_thread(cast("Callable[..., None]", self.show_card), card, first, texts, scroll)

    async def show_card(self, card: EntityCard, first: Claim | None = None, texts: ProvenanceTexts | None = None,
                        scroll: int | None = None) -> None:
        await self.ensure_panes()
        entity_pane, provenance_pane = self.entity_pane, self.provenance_pane
        assert entity_pane is not None and provenance_pane is not None
        if first is not None and texts is not None:
            provenance_pane.show(first, texts)
        entity_pane.show(card, first.id if first is not None else None, scroll)
        self.query_one("#claims").focus()
        self.sub_title = card.name  # the title bar cleans what it draws
        self.follow(card)

    def follow(self, card: EntityCard) -> None:
        """Put the lists' cursor on the entity shown: its kind's list, at its row (a filter that leaves it out goes)."""
        summary = EntitySummary(card.id, card.kind, card.name, card.date, card.date_display, 0)
        switcher = self.query_one("#lists", ContentSwitcher)
        ready = switcher.query(f"#list-{card.kind}")
        if switcher.current != f"list-{card.kind}":
            self.show_list(card.kind, focus=False)
        if not ready:
            return  # a list made just now: it opens at the entity shown
        entity_list = ready.first(EntityList)
        entity_list.followed, entity_list.followed_summary = card.id, summary
        if entity_list.matches is not None and not entity_list.follow(card.id):
            entity_list.clear_filter()  # the list then shows every entity, and finds this one in them
            return
        entity_list.locate(card.id, summary)

    def action_back(self) -> None:
        self._step(-1)

    def action_forward(self) -> None:
        self._step(1)

    def _step(self, step: int) -> None:
        """Back (-1) or forward (1) in the history; the keys are there only when there is somewhere to go."""
        if 0 <= self.position + step < len(self.history):
            self._note_claim()
            self.position += step
            self.refresh_bindings()
            self.go_to(self.history[self.position])

    # -- claims and provenance -----------------------------------------------------------------

    def on_entity_pane_claim_highlighted(self, message: EntityPane.ClaimHighlighted) -> None:
        pane = self.provenance_pane
        if pane is not None:
            pane.show(message.claim)

    def action_copy_citation(self) -> None:
        claim = self.current_claim()
        if claim is None:
            self.notify("Highlight a claim first.", severity="warning")
            return
        self.app.send_citation(claim)  # type: ignore[attr-defined]

    def action_citation_format(self) -> None:
        self.app.next_citation_format()  # type: ignore[attr-defined]

    def action_read_source(self) -> None:
        """The reader, at the sentence the highlighted claim's first piece of evidence cites."""
        claim = self.current_claim()
        if claim is None or not claim.evidence:
            self.notify("Highlight a claim first: the reader opens at the passage it cites.", severity="warning")
            return
        evidence = claim.evidence[0]
        self._note_claim()
        self.app.open_reader(SourcePlace(evidence.source.id, evidence.paragraph, evidence.sentence))  # type: ignore[attr-defined]

    def action_find_claims(self) -> None:
        """The claims view, about the entity shown (a filter it can drop), or about everything when none is.

        The app's ``f`` comes here when this screen is on top (the key stays in the app's bindings so that
        the key bar shows it after Search, as on every other screen).
        """
        from claimscope.tui.screens.claims import ClaimsScreen

        card = self.card
        entity = EntityRef(card.id, card.kind, card.name) if card is not None else None
        self.app.push_screen(ClaimsScreen(self.knowledge_base, self.passages, entity))

    def action_kind(self, kind: str) -> None:
        self.show_list(kind)

    def action_next_kind(self, step: int) -> None:
        """The list of the next (or previous) kind, in the order of the kind bar."""
        kinds = [kind for kind, _ in KIND_TABS]
        current = (self.query_one("#lists", ContentSwitcher).current or "list-group").removeprefix("list-")
        self.action_kind(kinds[(kinds.index(current) + step) % len(kinds)])

    @on(KindBar.Chosen)
    def kind_chosen(self, message: KindBar.Chosen) -> None:
        self.show_list(message.kind)

    def show_list(self, kind: str, focus: bool = True) -> None:
        """Show the list of ``kind`` (made the first time), and focus it unless ``focus`` is False.

        A list made now is shown at once, so that a second Left or Right read in the same write steps on
        from it; it takes the focus when it has been composed (see EntityList.on_mount), not before.
        """
        switcher = self.query_one("#lists", ContentSwitcher)
        found = switcher.query(f"#list-{kind}")
        if found:
            entity_list = found.first(EntityList)
        else:
            entity_list = EntityList(self.knowledge_base, kind, self.counts.get(kind, 0), id=f"list-{kind}")
            card = self.card
            if card is not None and card.kind == kind:  # it opens at the entity shown
                entity_list.followed = card.id
                entity_list.followed_summary = EntitySummary(card.id, card.kind, card.name, card.date,
                                                             card.date_display, 0)
            switcher.mount(entity_list)
        switcher.current = f"list-{kind}"
        # The events list is wider: a date column, then names that must be told apart.
        self.set_class(kind == "event", "-events")
        self.query_one("#kind-tabs", KindBar).show(kind)
        if focus:
            entity_list.focus_list()

    def typing_target(self, character: str) -> Widget | None:
        """With nothing focused yet (a key typed as the app opens), what is typed goes to the list's filter."""
        if self.focused is not None:
            return None
        return self.current_list().entities.typing_target(character)

    def current_list(self) -> EntityList:
        switcher = self.query_one("#lists", ContentSwitcher)
        return switcher.query_one(f"#{switcher.current or 'list-group'}", EntityList)

    def action_filter(self) -> None:
        """Esc: to the filter of the list shown; in the filter, empty it (and again: back to the list)."""
        entity_list = self.current_list()
        if self.focused is entity_list.filter_box:
            if not entity_list.clear_filter():
                entity_list.action_to_list()
            return
        entity_list.filter_box.focus()

    def action_describe(self) -> None:
        """The whole of the entity's header: every alias, the summary, the note, none of it cut."""
        from claimscope.tui.render import render_header
        from claimscope.tui.screens.help import TextScreen

        card = self.card
        if card is None:
            self.notify("Open an entity first.", severity="warning")
            return
        self.app.push_screen(TextScreen(render_header(card)))

    def action_focus_claims(self) -> None:
        if self.query("#claims"):
            self.query_one("#claims").focus()

    def action_focus_provenance(self) -> None:
        if self.provenance_pane is not None:
            self.provenance_pane.focus()
