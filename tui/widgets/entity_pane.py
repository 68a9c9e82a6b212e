"""The entity pane: who or what the entity is, and its claims grouped by predicate."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from claimscope.db.models import Claim, EntityCard
from claimscope.tui.messages import OpenEntity
from claimscope.tui.render import card_claims, claim_line, render_header

__all__ = ["EntityPane"]


class EntityPane(Vertical):
    """Shows one entity card; Enter on a claim opens the entity at its other end."""

    @dataclass
    class ClaimHighlighted(Message):
        """The reader moved to a claim: show its provenance."""

        claim: Claim

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.card: EntityCard | None = None
        self.claims: dict[str, tuple[Claim, str]] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("Choose an entity from the lists, or press / to search."), id="entity-header")
        yield OptionList(id="claims")

    def show(self, card: EntityCard, claim_id: str | None = None) -> None:
        """Show ``card`` with ``claim_id`` highlighted (its first claim when None or not there)."""
        self.card = card
        self.query_one("#entity-header", Static).update(render_header(card))
        claims = self.query_one("#claims", OptionList)
        claims.clear_options()
        self.claims = {}
        heading = None
        options: list[Option] = []
        for claim, direction in card_claims(card):
            label = claim.label if direction == "outgoing" else (claim.inverse_label or claim.label)
            if direction == "claimant":
                label = "claims it makes"
            if label != heading:
                heading = label
                options.append(Option(Text(label, style="bold underline"), disabled=True))
            option_id = f"{direction}:{claim.id}"
            self.claims[option_id] = (claim, direction)
            options.append(Option(claim_line(claim, direction, compact=True), id=option_id))
        if not options:
            options.append(Option(Text("No claims about this entity yet.", style="italic"), disabled=True))
        claims.add_options(options)
        first = next((index for index, option in enumerate(options) if not option.disabled), None)
        chosen = next((index for index, option in enumerate(options)
                       if claim_id is not None and (option.id or "").endswith(f":{claim_id}")), first)
        claims.highlighted = chosen
        if chosen is not None:
            claims.scroll_to_highlight(top=False)

    def current_claim(self) -> Claim | None:
        """The highlighted claim, if any."""
        claims = self.query_one("#claims", OptionList)
        if claims.highlighted is None:
            return None
        option = claims.get_option_at_index(claims.highlighted)
        return self.claims[option.id][0] if option.id in self.claims else None

    @on(OptionList.OptionHighlighted, "#claims")
    def claim_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id in self.claims:
            self.post_message(self.ClaimHighlighted(self.claims[event.option.id][0]))

    @on(OptionList.OptionSelected, "#claims")
    def claim_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id not in self.claims or self.card is None:
            return
        claim, direction = self.claims[event.option.id]
        # Follow the link to the other end of the claim (the object, or the subject of an incoming claim).
        for end in (claim.subject, claim.object, claim.claimant) if direction != "outgoing" else (claim.object,):
            if end is not None and end.id != self.card.id:
                self.post_message(OpenEntity(end.id))
                return
