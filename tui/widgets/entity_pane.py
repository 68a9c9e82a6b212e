"""The entity pane: who or what the entity is, and its claims grouped by predicate."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from claimscope.db.models import Claim, EntityCard
from claimscope.tui.messages import OpenEntity
from claimscope.tui.render import card_claims, claim_line, header_lines, scoped_value
from claimscope.tui.text import clean_line
from claimscope.tui.widgets.cursor_list import CursorList

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
        yield CursorList(id="claims")

    #: The share of the pane's height the header may take; what does not fit is cut with an ellipsis.
    HEADER_SHARE = 0.45

    def show(self, card: EntityCard, claim_id: str | None = None, scroll: int | None = None) -> None:
        """Show ``card`` with ``claim_id`` highlighted (its first claim when None or not there).

        ``scroll``, the claims' scroll when the place was left, is restored (with the claim kept in view).
        """
        self.card = card
        self.show_header()
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
        if scroll is not None:
            claims.call_after_refresh(self._restore_scroll, scroll)

    def _restore_scroll(self, scroll: int) -> None:
        claims = self.query_one("#claims", OptionList)
        claims.scroll_to(y=scroll, animate=False, immediate=True)
        claims.scroll_to_highlight()  # the claim stays in view if the pane is smaller now

    def show_header(self) -> None:
        """The header at the pane's size: a line each for the name and date, the aliases, summary and note after."""
        if self.card is None:
            return
        header = self.query_one("#entity-header", Static)
        width = (header.size.width - header.styles.gutter.width) if header.size.width else self.size.width - 2
        budget = max(int(self.size.height * self.HEADER_SHARE), 3) if self.size.height else 5
        header.update(header_lines(self.card, width or 60, budget))

    def on_resize(self, event: events.Resize) -> None:
        self.show_header()

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
        # Follow the link to the other end of the claim (the object, or the subject of an incoming claim),
        # and open it at this claim, so that the claim stays highlighted there too.
        for end in (claim.subject, claim.object, claim.claimant) if direction != "outgoing" else (claim.object,):
            if end is not None and end.id != self.card.id:
                self.post_message(OpenEntity(end.id, claim.id))
                return
        value = scoped_value(claim)
        what = f"its value, {clean_line(value)}," if value else "it"
        self.notify(f"No entity at the other end of this claim: {what} is not an entity.",
                    title="Nothing to open", severity="information", markup=False)
