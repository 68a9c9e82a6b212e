"""The main screen: lists of entities by kind, the entity pane, and the provenance pane."""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Tab, Tabs

from claimscope.db.models import Claim, EntityCard, EntityRef
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import OpenEntity, Place, SourcePlace
from claimscope.tui.passages import PassageStore
from claimscope.tui.render import card_claims
from claimscope.tui.widgets.bars import KeyBar, TitleBar
from claimscope.tui.widgets.entity_list import EntityList
from claimscope.tui.widgets.entity_pane import EntityPane
from claimscope.tui.widgets.provenance import ProvenancePane, prepare_provenance
from claimscope.tui.widgets.virtual_list import VirtualList

__all__ = ["MainScreen"]

KIND_TABS = (("group", "Groups"), ("outlet", "Outlets"), ("person", "People"), ("place", "Places"), ("event", "Events"))


class MainScreen(Screen[None]):
    """Browse entities, read their claims, and see where each claim comes from."""

    BINDINGS = [
        Binding("left_square_bracket,backspace", "back", "Back"),
        Binding("right_square_bracket", "forward", "Forward"),
        Binding("c", "copy_citation", "Cite"),
        Binding("C", "citation_format", "Citation format", show=False),
        Binding("r", "read_source", "Read"),
        Binding("1", "kind('group')", "Groups", show=False),
        Binding("2", "kind('outlet')", "Outlets", show=False),
        Binding("3", "kind('person')", "People", show=False),
        Binding("4", "kind('place')", "Places", show=False),
        Binding("5", "kind('event')", "Events", show=False),
        Binding("e", "focus_claims", "Claims", show=False),
        Binding("p", "focus_provenance", "Provenance", show=False),
    ]
    """Back and forward work like a browser's; the digits switch the entity lists."""

    def __init__(self, knowledge_base: KnowledgeBase, passages: PassageStore, counts: dict[str, int],
                 entity: str | None = None) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.counts = counts
        self.passages = passages
        self.start_entity = entity
        #: The places visited: an entity and the claim last highlighted there, or a place in the reader.
        self.history: list[Place | SourcePlace] = []
        self.position = -1

    def compose(self) -> ComposeResult:
        yield TitleBar()
        # The kind tabs span the screen so that all five fit even at 80 columns.
        yield Tabs(*(Tab(f"{title} {self.counts.get(kind, 0)}", id=f"tab-{kind}") for kind, title in KIND_TABS),
                   id="kind-tabs")
        with Horizontal(id="main"):
            # One list at start-up; the others are made when their tab is first chosen.
            with ContentSwitcher(initial="list-group", id="lists"):
                yield EntityList(self.knowledge_base, "group", self.counts.get("group", 0), id="list-group")
            with Vertical(id="reading"):
                yield EntityPane(id="entity")
                yield ProvenancePane(self.passages, id="provenance")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.start_entity:
            self.open_entity(self.start_entity)
        else:
            self.query_one("#list-group").query_one(VirtualList).focus()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < 70, "-narrow")
        self.set_class(event.size.height < 22, "-short")

    # -- opening entities, with history ------------------------------------------------------

    @on(OpenEntity)
    def open_requested(self, message: OpenEntity) -> None:
        message.stop()
        self.open_entity(message.entity_id, message.claim_id)

    def open_entity(self, entity_id: str, claim_id: str | None = None, remember: bool = True,
                    came_from: SourcePlace | None = None) -> None:
        """Show an entity, at ``claim_id`` when given; ``remember`` adds it to the history (drops forward ones).

        ``came_from``, a place in a source the reader left, goes into the history first.
        """
        if remember:
            self._note_claim()
            for place in (came_from, Place(entity_id, claim_id)):
                if place is not None and (self.position < 0 or self.history[self.position] != place):
                    del self.history[self.position + 1:]
                    self.history.append(place)
                    self.position = len(self.history) - 1
        self.load_entity(entity_id, claim_id)

    def _note_claim(self) -> None:
        """Remember the claim highlighted now in the current history entry, so that back returns to it."""
        claim = self.query_one(EntityPane).current_claim()
        if 0 <= self.position < len(self.history) and claim is not None:
            current = self.history[self.position]
            if isinstance(current, Place) and current.entity_id == getattr(self.query_one(EntityPane).card, "id", None):
                self.history[self.position] = Place(current.entity_id, claim.id)

    def go_to(self, place: Place | SourcePlace) -> None:
        """Return to a place of the history: an entity at its claim, or the reader where it was left."""
        if isinstance(place, SourcePlace):
            self.app.open_reader(place)  # type: ignore[attr-defined]
        else:
            self.open_entity(place.entity_id, place.claim_id, remember=False)

    @work(thread=True, exclusive=True, group="entity")
    def load_entity(self, entity_id: str, claim_id: str | None = None) -> None:
        card = self.knowledge_base.entity(entity_id)
        if card is None:
            return
        # The claim's provenance is read here too, so that the card and its provenance
        # reach the screen in the same frame rather than one after the other.
        claims = [claim for claim, _direction in card_claims(card)]
        first = next((claim for claim in claims if claim.id == claim_id), claims[0] if claims else None)
        rendered = prepare_provenance(self.passages, first) if first is not None else None
        self.app.call_from_thread(self.show_card, card, first, rendered)

    def show_card(self, card: EntityCard, first: Claim | None = None, rendered: Text | None = None) -> None:
        if first is not None and rendered is not None:
            self.query_one(ProvenancePane).show(first, rendered)
        self.query_one(EntityPane).show(card, first.id if first is not None else None)
        self.query_one("#claims").focus()
        self.sub_title = card.name  # the title bar cleans what it draws

    def action_back(self) -> None:
        if self.position > 0:
            self._note_claim()
            self.position -= 1
            self.go_to(self.history[self.position])
        else:
            self.notify("Nothing further back.", severity="warning")

    def action_forward(self) -> None:
        if self.position < len(self.history) - 1:
            self._note_claim()
            self.position += 1
            self.go_to(self.history[self.position])
        else:
            self.notify("Nothing further forward.", severity="warning")

    # -- claims and provenance -----------------------------------------------------------------

    @on(EntityPane.ClaimHighlighted)
    def claim_highlighted(self, message: EntityPane.ClaimHighlighted) -> None:
        self.query_one(ProvenancePane).show(message.claim)

    def action_copy_citation(self) -> None:
        claim = self.query_one(EntityPane).current_claim()
        if claim is None:
            self.notify("Highlight a claim first.", severity="warning")
            return
        self.app.send_citation(claim)  # type: ignore[attr-defined]

    def action_citation_format(self) -> None:
        self.app.next_citation_format()  # type: ignore[attr-defined]

    def action_read_source(self) -> None:
        """The reader, at the sentence the highlighted claim's first piece of evidence cites."""
        claim = self.query_one(EntityPane).current_claim()
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

        card = self.query_one(EntityPane).card
        entity = EntityRef(card.id, card.kind, card.name) if card is not None else None
        self.app.push_screen(ClaimsScreen(self.knowledge_base, self.passages, entity))

    def action_kind(self, kind: str) -> None:
        self.query_one("#kind-tabs", Tabs).active = f"tab-{kind}"

    @on(Tabs.TabActivated, "#kind-tabs")
    def kind_activated(self, event: Tabs.TabActivated) -> None:
        kind = (event.tab.id or "tab-group").removeprefix("tab-")
        self.show_list(kind)

    def show_list(self, kind: str) -> None:
        switcher = self.query_one("#lists", ContentSwitcher)
        if not switcher.query(f"#list-{kind}"):
            entity_list = EntityList(self.knowledge_base, kind, self.counts.get(kind, 0), id=f"list-{kind}")
            switcher.mount(entity_list)
            entity_list.call_after_refresh(lambda: self.show_list(kind))
            return
        switcher.current = f"list-{kind}"
        switcher.query_one(f"#list-{kind}").query_one(VirtualList).focus()

    def action_focus_claims(self) -> None:
        self.query_one("#claims").focus()

    def action_focus_provenance(self) -> None:
        self.query_one(ProvenancePane).focus()
