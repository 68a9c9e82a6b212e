"""Rich renderings of knowledge-base records, shared by the app and the command line.

Every piece of text that came from a seed file, a source or a user is added as plain
text (after ``clean``), never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text

from claimscope.db.edtf import parse_edtf
from claimscope.db.models import Claim, EntityCard, EntitySummary, Evidence, SearchResult
from claimscope.tui.text import clean, clean_line

__all__ = ["MODALITY_STYLE", "claim_line", "evidence_line", "render_card", "result_line", "snippet_text"]

MODALITY_STYLE = {
    "asserted": "", "reported": "cyan", "claimed": "magenta", "alleged": "red", "estimated": "yellow",
    "hedged": "italic", "denied": "bold red",
}


#: How each kind of hit by words is introduced in a result line (words, not only colour, for NO_COLOR).
_FOUND_IN = {"summary": "described:", "claim": "in a claim:", "passage": "in the text:"}


def snippet_text(snippet: str, marks: tuple[tuple[int, int], ...], style: str = "italic") -> Text:
    """A snippet, cleaned, on one line, with its matching words in bold reverse video.

    Each stretch between marks is cleaned on its own, so that the marks still fall on the words.
    """
    text = Text(style=style)
    position = 0
    for start, end in sorted(marks):
        if start < position or end > len(snippet):
            continue
        text.append(_stretch(snippet[position:start]))
        text.append(_stretch(snippet[start:end]), style="bold reverse")
        position = end
    text.append(_stretch(snippet[position:]))
    return text


def _stretch(part: str) -> str:
    """``clean_line`` of part of a line, keeping one space where it began or ended with white space."""
    cleaned = clean_line(part)
    if not cleaned:
        return " " if part[:1].isspace() else ""
    return (" " if part[:1].isspace() else "") + cleaned + (" " if part[-1:].isspace() else "")


def result_line(item: SearchResult | EntitySummary, show_kind: bool = True) -> Text:
    """One line of a result list: the name, the kind, and the alias (or the words) that matched."""
    line = Text(clean_line(item.name), style="bold")
    if isinstance(item, SearchResult) and item.how == "passage":
        line.append(f"  ¶{item.paragraph}.{item.sentence}", style="cyan")
    elif show_kind:
        line.append(f"  {item.kind}", style="cyan")
    if isinstance(item, SearchResult) and item.how in _FOUND_IN and item.snippet:
        line.append(f"  {_FOUND_IN[item.how]} ", style="dim")
        line.append_text(snippet_text(item.snippet, item.marks, "dim italic"))
    elif isinstance(item, SearchResult) and item.matched != item.name:
        line.append("  ")
        line.append(clean_line(item.matched) + (" (weak)" if item.weak else ""), style="dim italic")
    return line


def claim_line(claim: Claim, direction: str = "outgoing", compact: bool = False) -> Text:
    """A claim as one line: who, what, whom; its modality, claimant, sources and dispute mark.

    ``direction`` is the side of the claim the reader stands on: the entity they are
    looking at is shown plain, the other end in bold. ``compact`` leaves that entity and
    the predicate out (a heading above says them), keeping only the other end.
    """
    line = Text()
    target = claim.object.name if claim.object else scoped_value(claim)
    if compact and direction == "outgoing":
        line.append(clean_line(target), style="bold")
    elif compact and direction == "incoming":
        line.append(clean_line(claim.subject.name), style="bold")
    else:
        line.append(clean_line(claim.subject.name), style="" if direction == "outgoing" else "bold")
        line.append(f" {claim.label} ")
        line.append(clean_line(target), style="bold" if direction != "incoming" else "")
    period = _period(claim)
    if period:
        line.append(f" ({period})")
    if claim.inferred:
        line.append(" (inferred)", style="italic")
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


def scoped_value(claim: Claim) -> str | None:
    """A claim's value as people read it, with what it covers when that is narrower than the subject."""
    if claim.value_display is not None and claim.scope:
        return f"{claim.value_display} ({claim.scope})"
    return claim.value_display


def _period(claim: Claim) -> str:
    """When the claim holds, if the source says: ``since 2015``, ``until 2013``, ``2013 – 2015``."""
    start = parse_edtf(claim.start).describe(labelled=False) if claim.start else None
    end = parse_edtf(claim.end).describe(labelled=False) if claim.end else None
    if start and end:
        return f"{start} – {end}"
    return f"since {start}" if start else f"until {end}" if end else ""


def evidence_line(evidence: Evidence, short: bool = False) -> Text:
    """The citation of one piece of evidence: locator, source, date, grades.

    ``short`` names the source by its publisher alone (up to a bracket or comma), for
    narrow places such as the columns of a dispute.
    """
    source = evidence.source
    locator = f"¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else "")
    published = parse_edtf(source.published).describe()
    if short:
        publisher = source.publisher.split("(")[0].split(",")[0].strip()
        citation = clean_line(f"{locator} {publisher}, {published}; "
                              f"source {source.grade}, credibility {evidence.grade}")
    else:
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


def render_header(card: EntityCard) -> Text:
    """The top of an entity card: name, kind, date, place, aliases, summary and note."""
    text = Text()
    text.append(clean_line(card.name), style="bold")
    text.append(f"  {card.kind}" + (f" ({clean_line(card.subtype)})" if card.subtype else ""), style="cyan")
    text.append(f"  {card.id}\n", style="dim")
    if card.date_display:
        text.append(f"date: {card.date_display} [{card.date_precision}]")
        text.append(" (inferred from the source's relative wording)\n" if card.date_inferred else "\n")
    if card.place:
        text.append(f"place: {clean_line(card.place.name)}\n")
    if len(card.aliases) > 1:
        text.append("also: " + "; ".join(clean_line(a.alias) + (" (weak)" if a.weak else "") for a in card.aliases[1:]))
        text.append("\n")
    text.append(clean(card.summary) + "\n")
    if card.note:
        text.append(f"note: {clean(card.note)}\n", style="dim")
    text.rstrip()
    return text


def render_card(card: EntityCard) -> Text:
    """An entity card: the header, then claims grouped by predicate with their citations."""
    text = render_header(card)
    text.append("\n")
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
        if claim.statement:
            text.append(f"    {clean_line(claim.statement)}\n", style="italic")
        for evidence in claim.evidence:
            text.append_text(evidence_line(evidence))
            text.append("\n")
    return text


CREDIBILITY = {1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
               6: "cannot be judged"}
RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable", "D": "not usually reliable",
               "E": "unreliable", "F": "reliability cannot be judged"}


def claim_reading(claim: Claim) -> str:
    """The claim as one plain sentence, with whose assertion it is."""
    target = claim.object.name if claim.object else scoped_value(claim)
    reading = f"{claim.subject.name} {claim.label} {target}"
    if claim.modality != "asserted":
        reading += f" ({claim.modality}" + (f" by {claim.claimant.name}" if claim.claimant else "") + ")"
    return clean_line(reading)


def locator_text(evidence: Evidence) -> str:
    """``paragraph 8, sentence 1``."""
    return f"paragraph {evidence.paragraph}" + (f", sentence {evidence.sentence}" if evidence.sentence else "")


def citation(claim: Claim) -> str:
    """A citation of the claim to paste into notes: the claim, then each source with locator and URL."""
    lines = [claim_reading(claim) + "."]
    for evidence in claim.evidence:
        source = evidence.source
        authors = "; ".join(source.authors) or "no byline"
        published = parse_edtf(source.published).describe()
        lines.append(clean_line(
            f"{authors}, \"{source.title}\", {source.publisher}, {published}, {locator_text(evidence)}. {source.url}"
        ))
    return "\n".join(lines)


def render_provenance(claim: Claim, texts: dict[str, tuple[str | None, str | None]],
                      notes: dict[int, str] | None = None) -> Text:
    """The provenance of a claim: every piece of evidence with its source facts and passage.

    Args:
        claim: the claim.
        texts: for each source id, its text (or None) and why it is missing (or None).
        notes: for a piece of evidence (by index), what else to say when its passage is not shown.
    """
    out = Text()
    out.append_text(claim_line(claim))
    out.append("\n")
    if claim.statement:
        out.append(clean(claim.statement) + "\n")
    if claim.inferred:
        out.append("inferred: " + clean(claim.inferred) + "\n", style="italic")
    if claim.note:
        out.append("note: " + clean(claim.note) + "\n", style="dim")
    for number, evidence in enumerate(claim.evidence, start=1):
        source = evidence.source
        out.append(f"\n─ evidence {number} of {len(claim.evidence)} ─\n", style="dim")
        out.append(clean_line(source.title) + "\n", style="bold")
        authors = ", ".join(source.authors) or "no byline"
        published = parse_edtf(source.published).describe()
        facts = f"{clean_line(source.publisher)} · {clean_line(authors)} · {published}"
        if source.unconfirmed:
            facts += f" (unconfirmed: {', '.join(source.unconfirmed)})"
        out.append(facts + "\n")
        out.append(clean_line(source.url) + "\n", style="underline")
        by_quote = " (by quote)" if evidence.quote else ""
        out.append(f"{locator_text(evidence)}{by_quote} · source {source.grade} ({RELIABILITY.get(source.grade, '?')})"
                   f" · credibility {evidence.grade} ({CREDIBILITY.get(evidence.grade, '?')})")
        if evidence.anaphora:
            out.append(" · names the entity only by reference", style="italic")
        out.append("\n")
        text, problem = texts.get(source.id, (None, "The text was not looked up."))
        if text is None or evidence.paragraph_start is None or evidence.paragraph_end is None:
            out.append(problem or "The passage was not located when the knowledge base was built.", style="italic")
            out.append("\n")
            if notes and number - 1 in notes:
                out.append(notes[number - 1] + "\n", style="bold")
            continue
        start, end = evidence.start or evidence.paragraph_start, evidence.end or evidence.paragraph_end
        out.append(clean(text[evidence.paragraph_start:start]))
        out.append(clean(text[start:end]), style="reverse")
        out.append(clean(text[end:evidence.paragraph_end]))
        out.append("\n")
    return out
