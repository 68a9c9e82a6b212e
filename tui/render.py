"""Rich renderings of knowledge-base records, shared by the app and the command line.

Every piece of text that came from a seed file, a source or a user is added as plain
text (after ``clean``), never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich._wrap import divide_line
from rich.text import Text

from claimscope.db.edtf import parse_edtf
from claimscope.db.models import Claim, EntityCard, Evidence
from claimscope.tui.dates import short_date
from claimscope.tui.rows import result_line, snippet_text
from claimscope.tui.text import clean, clean_line

__all__ = ["MODALITY_STYLE", "claim_line", "evidence_line", "render_card", "result_line", "short_date", "snippet_text"]

MODALITY_STYLE = {
    "asserted": "", "reported": "cyan", "claimed": "magenta", "alleged": "red", "estimated": "yellow",
    "hedged": "italic", "denied": "bold red",
}


def claim_line(claim: Claim, direction: str = "outgoing", compact: bool = False, counts: bool = True) -> Text:
    """A claim as one line: who, what, whom; its modality, claimant, sources and dispute mark.

    ``direction`` is the side of the claim the reader stands on: the entity they are
    looking at is shown plain, the other end in bold. ``compact`` leaves that entity and
    the predicate out (a heading above says them), keeping only the other end. Without
    ``counts``, the modality, claimant and number of sources are left to the caller.
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
    if claim.modality != "asserted" and counts:
        line.append(f"  [{claim.modality}", style=style)
        if claim.claimant:
            line.append(" by " + clean_line(claim.claimant.name), style=style)
        line.append("]", style=style)
    if claim.disputed:
        line.append("  DISPUTED", style="bold reverse")
    if counts:
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
    """The top of an entity card, whole: name, kind, date, place, aliases, summary and note."""
    text = Text()
    text.append_text(_title_line(card))
    text.append("\n")
    for line in _dated_lines(card):
        text.append_text(line)
        text.append("\n")
    aliases = _aliases_text(card)
    if aliases is not None:
        text.append_text(aliases)
        text.append("\n")
    text.append(clean(card.summary) + "\n")
    if card.note:
        text.append(f"note: {clean(card.note)}\n", style="dim")
    text.rstrip()
    return text


#: The sign at the end of a header cut to fit: the key that shows the whole of it.
MORE = " (i: all)"


def header_lines(card: EntityCard, width: int, budget: int) -> Text:
    """The top of an entity card in at most ``budget`` lines of ``width`` cells; what is cut ends with an ellipsis.

    The name, kind and date take a line each; the aliases, the summary and the note share the rest,
    the summary first. The last line cut says which key shows the whole header (``MORE``).
    """
    width = max(width, 12)
    fixed = [_title_line(card), *_dated_lines(card)]
    fields = [(name, text) for name, text in (
        ("aliases", _aliases_text(card)),
        ("summary", Text(clean(card.summary).strip())),
        ("note", Text(f"note: {clean(card.note).strip()}", style="dim") if card.note else None),
    ) if text is not None and text.plain.strip()]
    wrapped = {name: _wrap(text, width) for name, text in fields}
    room = max(budget - len(fixed), 1)
    given = dict.fromkeys(wrapped, 0)
    # Each round raises a field to at least that many lines, while there is room: the summary first.
    rounds = [("summary", 2), ("aliases", 1), ("note", 1), ("summary", 10_000), ("aliases", 2), ("note", 10_000),
              ("aliases", 10_000)]
    for name, wanted in rounds:
        if name not in wrapped:
            continue
        raised = min(wanted, len(wrapped[name]), given[name] + room)
        room -= max(raised - given[name], 0)
        given[name] = max(given[name], raised)
    lines = [_cut_line(line, width) for line in fixed]
    cut = False
    for name in wrapped:
        shown = wrapped[name][:given[name]]
        if given[name] < len(wrapped[name]):
            cut = True
            if shown:
                shown = [*shown[:-1], _ellipsis(shown[-1], width)]
        lines.extend(shown)
    if cut:
        # The last line says which key shows what was cut (a field may be left out altogether).
        last = lines[-1].copy()
        last.rstrip()
        if last.plain.endswith("…"):
            last.right_crop(1)
        lines[-1] = _ending_with_more(last, width)
    return Text("\n").join(lines)


def _ending_with_more(line: Text, width: int) -> Text:
    """``line`` (a copy) cut to leave room for an ellipsis and ``MORE``, the key that shows the whole, then both."""
    line.rstrip()
    line.truncate(max(width - 1 - len(MORE), 1))
    line.rstrip()
    line.append("…")
    line.append(MORE, style="dim")
    return line


def lines_within(text: Text, width: int, budget: int) -> Text:
    """``text`` wrapped at ``width`` cells in at most ``budget`` lines; cut, it ends with an ellipsis and ``MORE``
    (the key that shows it whole)."""
    width = max(width, 12)
    lines = _wrap(text, width)
    if len(lines) <= max(budget, 1):
        return Text("\n").join(lines)
    lines = lines[:max(budget, 1)]
    lines[-1] = _ending_with_more(lines[-1].copy(), width)
    return Text("\n").join(lines)


def _ellipsis(line: Text, width: int) -> Text:
    """``line`` ended with an ellipsis, within ``width`` cells."""
    cut = line.copy()
    cut.rstrip()
    cut.truncate(max(width - 1, 1))
    cut.rstrip()
    cut.append("…")
    return cut


def _title_line(card: EntityCard) -> Text:
    line = Text(clean_line(card.name), style="bold")
    line.append(f"  {card.kind}" + (f" ({clean_line(card.subtype)})" if card.subtype else ""), style="cyan")
    line.append(f"  {card.id}", style="dim")
    return line


def _dated_lines(card: EntityCard) -> list[Text]:
    lines = []
    if card.date_display:
        line = Text(f"date: {card.date_display} [{card.date_precision}]")
        if card.date_inferred:
            line.append(" (inferred from the source's relative wording)")
        lines.append(line)
    if card.place:
        lines.append(Text(f"place: {clean_line(card.place.name)}"))
    return lines


def _aliases_text(card: EntityCard) -> Text | None:
    if len(card.aliases) <= 1:
        return None
    return Text("also: " + "; ".join(clean_line(a.alias) + (" (weak)" if a.weak else "") for a in card.aliases[1:]))


def _wrap(text: Text, width: int) -> list[Text]:
    """``text`` (one paragraph) wrapped at ``width`` cells, as lines."""
    lines = []
    for paragraph in text.split("\n", allow_blank=False):
        for line in paragraph.divide(divide_line(paragraph.plain, width, fold=True)):
            line.rstrip()
            lines.append(line)
    return lines


def _cut_line(line: Text, width: int) -> Text:
    cut = line.copy()
    cut.truncate(width, overflow="ellipsis")
    return cut


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


@dataclass(frozen=True, slots=True)
class Target:
    """Where, in a rendered provenance, a piece of evidence begins and what in it should be in view.

    ``start``/``end`` span the cited sentence (or the paragraph, or the notice that says why the
    text is not shown); ``block`` is where the evidence's facts begin.
    """

    block: int
    start: int
    end: int


def render_provenance(claim: Claim, texts: dict[str, tuple[str | None, str | None]],
                      notes: dict[int, str] | None = None, width: int | None = None) -> Text:
    """The provenance of a claim: each piece of evidence with its source facts and passage (``layout_provenance``)."""
    return layout_provenance(claim, texts, notes, width)[0]


def layout_provenance(claim: Claim, texts: dict[str, tuple[str | None, str | None]],
                      notes: dict[int, str] | None = None, width: int | None = None,
                      height: int | None = None) -> tuple[Text, list[Target]]:
    """The provenance of a claim, and where each piece of evidence and its cited sentence are in it.

    Each piece of evidence has two lines of facts (the locator and the grades; the source: publisher,
    date, title, authors, URL), cut with an ellipsis at ``width`` when one is given, then the
    paragraph with the cited sentence in reverse video, or why the text is not shown.

    Args:
        claim: the claim.
        texts: for each source id, its text (or None) and why it is missing (or None).
        notes: for a piece of evidence (by index), what else to say when its passage is not shown.
        width: the width the lines of facts are cut to (None: not cut).
        height: the height of the pane: a paragraph longer than it holds with its facts is cut around
            the cited sentence (None: whole).
    """
    out = Text()
    targets: list[Target] = []
    out.append_text(claim_line(claim))
    out.append("\n")
    if claim.statement:
        out.append(clean(claim.statement) + "\n")
    if claim.inferred:
        out.append("inferred: " + clean(claim.inferred) + "\n", style="italic")
    if claim.note:
        out.append("note: " + clean(claim.note) + "\n", style="dim")

    def fact_line(line: Text) -> None:
        if width is not None:
            line.truncate(max(width, 1), overflow="ellipsis")
        out.append_text(line)
        out.append("\n")

    for number, evidence in enumerate(claim.evidence, start=1):
        source = evidence.source
        out.append("\n")
        block = len(out)
        locator = f"¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else "")
        first = Text(f"─ evidence {number} of {len(claim.evidence)} · ", style="dim")
        first.append(locator + (" (by quote)" if evidence.quote else ""), style="bold")
        first.append(f" · source {source.grade} · credibility {evidence.grade}", style="bold")
        first.append(f" · {RELIABILITY.get(source.grade, '?')}, {CREDIBILITY.get(evidence.grade, '?')}", style="dim")
        if evidence.anaphora:
            first.append(" · names the entity only by reference", style="italic")
        fact_line(first)
        authors = ", ".join(source.authors) or "no byline"
        published = parse_edtf(source.published).describe()
        publisher = source.publisher.split("(")[0].split(",")[0].strip() if width is not None else source.publisher
        second = Text(clean_line(publisher), style="bold")
        second.append(f" · {published}")
        if source.unconfirmed:
            second.append(f" (unconfirmed: {', '.join(source.unconfirmed)})", style="italic")
        second.append(" · ")
        second.append(clean_line(source.title), style="italic")
        second.append(f" · {clean_line(authors)}")
        text, problem = texts.get(source.id, (None, "The text was not looked up."))
        paragraph = ((evidence.paragraph_start, evidence.paragraph_end)
                     if evidence.paragraph_start is not None and evidence.paragraph_end is not None else None)
        shown = text is not None and paragraph is not None
        if shown:
            second.append(" · ")
            second.append(clean_line(source.url), style="underline")
        fact_line(second)
        if text is None or paragraph is None:
            # Without the passage, where to read it: the whole URL, then why it is not shown.
            start = len(out)
            out.append(clean_line(source.url) + "\n", style="underline")
            out.append(problem or "The passage was not located when the knowledge base was built.", style="italic")
            out.append("\n")
            if notes and number - 1 in notes:
                out.append(notes[number - 1] + "\n", style="bold")
            targets.append(Target(block, start, len(out) - 1))
            continue
        paragraph_start, paragraph_end = paragraph
        cited_start, cited_end = evidence.start or paragraph_start, evidence.end or paragraph_end
        before, cited, after = (clean(text[paragraph_start:cited_start]), clean(text[cited_start:cited_end]),
                                clean(text[cited_end:paragraph_end]))
        if width and height:
            before, after = _fit_context(before, cited, after, width, height - 2)
        out.append(before)
        start = len(out)
        out.append(cited, style="reverse")
        targets.append(Target(block, start, len(out)))
        out.append(after)
        out.append("\n")
    return out, targets


def _fit_context(before: str, cited: str, after: str, width: int, room: int) -> tuple[str, str]:
    """The paragraph around a cited sentence cut (with an ellipsis) to what ``room`` lines hold with the sentence.

    A pane a few lines high then shows the source's facts and the whole sentence together; the
    reader (``r``) has the whole paragraph.
    """

    def lines(part: str) -> int:
        return len(divide_line(part, width, fold=True)) + 1 if part else 0

    if lines(before + cited + after) <= room:
        return before, after
    # Cut the text after the sentence to a line, then the text before it, half a line at a time, until it fits.
    after_cells = width - 4 if after.strip() else 0
    before_cells = max(room - lines(cited), 0) * width
    while True:
        shown_before, shown_after = _tail(before, before_cells), _head(after, after_cells)
        if lines(shown_before + cited + shown_after) <= room or (before_cells <= 0 and after_cells <= 0):
            return shown_before, shown_after
        if before_cells > 0:
            before_cells = max(before_cells - width // 2, 0) if before_cells > width // 2 else 0
        else:
            after_cells = 0


def _tail(part: str, cells: int) -> str:
    """The end of ``part`` in about ``cells`` characters, from a word, after an ellipsis."""
    if len(part) <= max(cells, 0):
        return part
    if cells <= 0:
        return "… " if part.strip() else part
    cut = part[-cells:]
    space = cut.find(" ")
    return "…" + (cut[space:] if 0 <= space < len(cut) - 1 else " " + cut)


def _head(part: str, cells: int) -> str:
    """The start of ``part`` in about ``cells`` characters, to a word, before an ellipsis."""
    if len(part) <= max(cells, 0):
        return part
    if cells <= 0:
        return " …" if part.strip() else part
    cut = part[:cells]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut) + " …"
