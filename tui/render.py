"""Rich renderings of knowledge-base records, shared by the app and the command line.

Every piece of text that came from a seed file, a source or a user is added as plain
text (after ``clean``), never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text

from db.edtf import parse_edtf
from db.models import Claim, EntityCard, EntitySummary, Evidence, SearchResult
from tui.text import clean, clean_line

__all__ = ["MODALITY_STYLE", "claim_line", "evidence_line", "render_card", "result_line"]

MODALITY_STYLE = {
    "asserted": "", "reported": "cyan", "claimed": "magenta", "alleged": "red", "estimated": "yellow",
    "hedged": "italic", "denied": "bold red",
}


def result_line(item: SearchResult | EntitySummary) -> Text:
    """One line of a result list: the name, the kind, and the alias that matched."""
    line = Text(clean_line(item.name), style="bold")
    line.append(f"  {item.kind}", style="cyan")
    if isinstance(item, SearchResult) and item.matched != item.name:
        line.append("  ")
        line.append(clean_line(item.matched) + (" (weak)" if item.weak else ""), style="dim italic")
    return line


def claim_line(claim: Claim, direction: str = "outgoing") -> Text:
    """A claim as one line: who, what, whom; its modality, claimant, sources and dispute mark.

    ``direction`` is the side of the claim the reader stands on: the entity they are
    looking at is shown plain, the other end in bold.
    """
    line = Text()
    line.append(clean_line(claim.subject.name), style="" if direction == "outgoing" else "bold")
    line.append(f" {claim.label} ")
    target = claim.object.name if claim.object else claim.value_display
    line.append(clean_line(target), style="bold" if direction != "incoming" else "")
    style = MODALITY_STYLE[claim.modality]
    if claim.modality != "asserted":
        line.append(f"  [{claim.modality}", style=style)
        if claim.claimant:
            line.append(" by " + clean_line(claim.claimant.name), style=style)
        line.append("]", style=style)
    if claim.disputed:
        line.append("  DISPUTED", style="bold reverse")
    count = claim.source_count
    line.append(f"  {count} source{'s' if count != 1 else ''}", style="dim")
    return line


def evidence_line(evidence: Evidence) -> Text:
    """The citation of one piece of evidence: locator, source, date, grades."""
    source = evidence.source
    locator = f"¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else "")
    published = parse_edtf(source.published).describe()
    citation = clean_line(f"{locator} {source.title} ({source.publisher}, {published}); "
                          f"source {source.grade}, credibility {evidence.grade}")
    return Text(f"    ↳ {citation}", style="dim")


def card_claims(card: EntityCard) -> list[tuple[Claim, str]]:
    """The card's claims, each once: outgoing, then incoming, then those the entity asserts."""
    seen: set[str] = set()
    claims: list[tuple[Claim, str]] = []
    for direction, group in (("outgoing", card.outgoing), ("incoming", card.incoming), ("claimant", card.asserted)):
        for claim in group:
            if claim.id not in seen:
                seen.add(claim.id)
                claims.append((claim, direction))
    return claims


def render_card(card: EntityCard) -> Text:
    """An entity card: name, kind, date, aliases, summary, then claims grouped by predicate."""
    text = Text()
    text.append(clean_line(card.name), style="bold")
    text.append(f"  {card.kind}" + (f" ({clean_line(card.subtype)})" if card.subtype else ""), style="cyan")
    text.append(f"  {card.id}\n", style="dim")
    if card.date_display:
        text.append(f"date: {card.date_display} [{card.date_precision}]\n")
    if card.place:
        text.append(f"place: {clean_line(card.place.name)}\n")
    if len(card.aliases) > 1:
        text.append("also: " + "; ".join(clean_line(a.alias) + (" (weak)" if a.weak else "") for a in card.aliases[1:]))
        text.append("\n")
    text.append(clean(card.summary) + "\n")
    if card.note:
        text.append(f"note: {clean(card.note)}\n", style="dim")
    current = None
    for claim, direction in card_claims(card):
        heading = claim.label if direction != "incoming" else (claim.inverse_label or claim.label)
        if direction == "claimant":
            heading = f"claims made by {clean_line(card.name)}"
        if heading != current:
            text.append(f"\n{heading}\n", style="underline")
            current = heading
        text.append_text(claim_line(claim, direction))
        text.append("\n")
        for evidence in claim.evidence:
            text.append_text(evidence_line(evidence))
            text.append("\n")
    return text
