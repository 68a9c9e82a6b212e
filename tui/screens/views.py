"""The timeline, sources and disputes views, each opened over the main screen.

Each is a list on top (events, sources, disputes), read a page at a time or filtered, with what
the highlighted row holds below it at the full width of the screen; rows are cut with an
ellipsis, never wrapped back under their first column.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from claimscope.db.edtf import parse_edtf
from claimscope.db.models import Claim, Dispute, Evidence, Source, TimelineEvent
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import Place, SourcePlace, ViewPlace
from claimscope.tui.passages import PassageStore
from claimscope.tui.render import CREDIBILITY, RELIABILITY, claim_line, short_date
from claimscope.tui.text import clean, clean_line
from claimscope.tui.widgets.bars import KeyBar, TitleBar
from claimscope.tui.widgets.cursor_list import CursorList
from claimscope.tui.widgets.virtual_list import VirtualList

__all__ = ["DisputesScreen", "DisputesState", "SourcesScreen", "TimelineScreen", "locator", "month_counts"]

TIMELINE_LIMIT = 2000
#: The date column of the timeline: wide enough for "15 Aug–4 Nov 2021" (a date longer is read less precisely).
TIMELINE_DATE_CELLS = 17
#: Rows the sources and disputes lists take at most; what they hold is shown below them.
LIST_ROWS = 8


def locator(evidence: Evidence) -> str:
    """``¶8.1`` (a paragraph and a sentence), ``¶8`` (a paragraph as a whole)."""
    return f"¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else "")


def month_counts(spans: list[tuple[str, str, int]]) -> tuple[list[float], str, str]:
    """Events per month, an imprecise date spread evenly over the months it may stand for.

    Returns:
        The counts, and the first and last month they cover.
    """
    if not spans:
        return [], "", ""

    def index(month: str) -> int:
        year, number = month.split("-")
        return int(year) * 12 + int(number) - 1

    # Open-ended intervals would stretch the chart over centuries: clip to the dated range.
    starts = [index(first) for first, _, _ in spans if first > "0001-01"]
    ends = [index(last) for _, last, _ in spans if last < "9999-12"]
    low, high = min(starts or ends), max(ends or starts)
    counts = [0.0] * (high - low + 1)
    for first, last, count in spans:
        a, b = max(index(first), low), min(index(last), high)
        if b < a:
            continue
        share = count / (b - a + 1)
        for month in range(a, b + 1):
            counts[month - low] += share

    def name(month_index: int) -> str:
        return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"

    return counts, name(low), name(high)


class EventsList(CursorList):
    """The timeline's events; what is typed on them goes to the actor filter (type-to-filter), as on the lists.

    ``/`` and ``?`` keep their keys; every letter goes to the filter, so that the first letter of a name
    typed there is never taken for a command.
    """

    KEPT = frozenset("/?")

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.filter_box: Widget | None = None

    def typing_target(self, character: str) -> Widget | None:
        """Where ``character`` typed on the events goes: the actor filter (the app moves the focus there first)."""
        return None if character in self.KEPT else self.filter_box

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable() and self.typing_target(character) is not None


class TimelineScreen(Screen[str | None]):
    """Events in date order, imprecise dates shown as what they are; filter by actor as you type."""

    CSS_PATH = "views.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", tooltip="back to the main screen"),
        Binding("down", "to_events", "To the events", show=False),
    ]
    HELP_KEYS = [
        ("Typing", "on the events: filters them by actor as you type (what is typed goes to the actor filter)"),
        ("Enter", "on an event: open it; in the actor filter: to the events"),
        ("Up, Down", "move in the events; Down in the actor filter: to the events"),
        ("Page Up, Page Down", "a screenful up or down"),
        ("Home, End", "the first, the last event"),
    ]

    def __init__(self, knowledge_base: KnowledgeBase) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.actor_text = ""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="timeline-view"):
            actor = Input(placeholder="type to filter by actor: a name or an alias; empty for all",
                          id="actor")
            events = EventsList(id="events")
            events.filter_box = actor
            yield actor
            yield Static("", id="activity-label")
            yield Sparkline([], id="activity")
            yield events
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Timeline"
        self.load("")
        self.query_one("#events").focus()

    def action_to_events(self) -> None:
        self.query_one("#events").focus()

    @on(Input.Changed, "#actor")
    def actor_changed(self, event: Input.Changed) -> None:
        self.actor_text = event.value
        self.load(event.value)

    @on(Input.Submitted, "#actor")
    def actor_submitted(self) -> None:
        self.query_one("#events").focus()

    @work(thread=True, exclusive=True, group="timeline")
    def load(self, actor_text: str) -> None:
        actor_id, actor_name = None, None
        if actor_text.strip():
            results = self.knowledge_base.search(actor_text, limit=1, text=False)
            if not results:
                self.app.call_from_thread(self.show, actor_text, [], [], None)
                return
            actor_id, actor_name = results[0].id, results[0].name
        found = self.knowledge_base.timeline(actor=actor_id, limit=TIMELINE_LIMIT)
        spans = self.knowledge_base.event_months(actor=actor_id)
        self.app.call_from_thread(self.show, actor_text, found, spans, actor_name)

    def show(self, actor_text: str, found: list[TimelineEvent], spans: list[tuple[str, str, int]],
             actor: str | None) -> None:
        if actor_text != self.actor_text:
            return  # typing went on: a newer list is coming
        counts, first, last = month_counts(spans)
        self.query_one("#activity", Sparkline).data = counts
        label = Text(style="dim")
        if actor_text.strip() and actor is None:
            # The user's text is shown literally, never parsed as markup.
            label.append(f"no entity matches “{clean_line(actor_text)}”", style="bold")
        else:
            scope = f" involving {clean_line(actor)}" if actor else ""
            shown = f"the first {len(found)} events" if len(found) == TIMELINE_LIMIT else \
                f"{len(found)} event{'s' if len(found) != 1 else ''}"
            label.append(f"{shown}{scope}")
            if counts:
                label.append(f", by month from {first} to {last}")
            if any(event.inferred for event in found):
                label.append(" · * inferred from the wording")
        self.query_one("#activity-label", Static).update(label)
        options = self.query_one("#events", OptionList)
        options.clear_options()
        options.add_options(Option(self.row(event), id=event.id) for event in found)
        if found:
            options.highlighted = 0
        if len(found) == TIMELINE_LIMIT:
            options.add_option(Option(Text(f"(first {TIMELINE_LIMIT} shown: filter by actor)", style="dim"),
                                      disabled=True))

    @staticmethod
    def row(event: TimelineEvent) -> Text:
        """The date in a column of its own (as precise as fits; ``*`` when inferred), the name, the place."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{short_date(event.date, TIMELINE_DATE_CELLS):<{TIMELINE_DATE_CELLS}}", style="cyan")
        line.append(" * " if event.inferred else "   ", style="bold")
        line.append(clean_line(event.name), style="bold")
        if event.place:
            line.append(f"  {clean_line(event.place.name)}", style="dim")
        return line

    @on(OptionList.OptionSelected, "#events")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class SourcesScreen(Screen[str | Place | None]):
    """The sources with their facts, grade, claim count and coverage; Enter reads a source, Tab its claims."""

    CSS_PATH = "views.tcss"

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", tooltip="back to the main screen")]
    HELP_KEYS = [
        ("Enter", "on a source: read it, with its claims beside the text; on a claim: open its entity at it"),
        ("Tab", "from the sources to the claims of the highlighted one, and back"),
        ("Up, Down", "move in the sources or the claims"),
        ("Page Up, Page Down", "a screenful up or down"),
    ]

    def __init__(self, knowledge_base: KnowledgeBase) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.sources: dict[str, Source] = {}
        self.claims: dict[str, Claim] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="sources-view"):
            yield VirtualList(id="sources")
            yield Static("", id="source-facts")
            yield CursorList(id="source-claims")
        yield KeyBar()

    def on_mount(self) -> None:
        sources = self.query_one("#sources", VirtualList)
        total = self.knowledge_base.source_count()
        self.sub_title = f"Sources ({total})"
        sources.styles.height = max(min(total, LIST_ROWS, self.app.size.height // 4), 1) + 1  # and its border
        sources.set_rows(self.fetch, total)
        sources.focus()

    def fetch(self, offset: int, limit: int) -> list[tuple[str, Text]]:
        """A page of sources, read as the list scrolls to it (10,000 sources cost no more than 5)."""
        rows = []
        for source in self.knowledge_base.sources(offset, limit):
            self.sources[source.id] = source
            line = Text(f"{short_date(source.published, 11):<11} ", style="cyan")
            line.append(clean_line(source.title), style="bold")
            line.append(f"  {clean_line(source.publisher)} · grade {source.grade}", style="dim")
            rows.append((source.id, line))
        return rows

    @on(VirtualList.Highlighted, "#sources")
    def source_highlighted(self, event: VirtualList.Highlighted) -> None:
        source = self.sources.get(event.item_id)
        if source is None:
            return
        self.query_one("#source-facts", Static).update(source_facts(source))
        self.load_claims(source.id)

    @work(thread=True, exclusive=True, group="source-claims")
    def load_claims(self, source_id: str) -> None:
        self.app.call_from_thread(self.show_claims, source_id, self.knowledge_base.source_claims(source_id))

    def show_claims(self, source_id: str, claims: list[Claim]) -> None:
        """The claims the source supports, in the order of the text, each with its paragraph and sentence."""

        def where(claim: Claim) -> tuple[int, int]:
            here = [evidence for evidence in claim.evidence if evidence.source.id == source_id]
            return min(((evidence.paragraph, evidence.sentence or 0) for evidence in here), default=(0, 0))

        ordered = sorted(claims, key=where)
        self.claims = {claim.id: claim for claim in ordered}
        options = self.query_one("#source-claims", OptionList)
        options.clear_options()
        for claim in ordered:
            here = [locator(evidence) for evidence in claim.evidence if evidence.source.id == source_id]
            row = Text(no_wrap=True, overflow="ellipsis")
            # The first place in the text, and how many more (the provenance lists them all).
            row.append(f"{here[0] if here else '':<6}", style="cyan")
            row.append(f"{f'+{len(here) - 1}' if len(here) > 1 else '':<4}", style="dim")
            row.append_text(claim_line(claim))
            options.add_option(Option(row, id=claim.id))
        if ordered:
            options.highlighted = 0

    @on(VirtualList.Selected, "#sources")
    def source_chosen(self, event: VirtualList.Selected) -> None:
        """Enter on a source: read it, with its claims beside the text."""
        self.app.open_reader(SourcePlace(event.item_id))  # type: ignore[attr-defined]

    @on(OptionList.OptionSelected, "#source-claims")
    def claim_chosen(self, event: OptionList.OptionSelected) -> None:
        claim = self.claims.get(event.option.id or "")
        if claim is not None:
            self.dismiss(Place(claim.subject.id, claim.id))


#: What ``+N`` after a claim's locator in the sources view means (said under the source's facts).
MORE_PLACES = "+N after ¶: cited at N more places too"


def source_facts(source: Source) -> Text:
    """A source's facts, none of them cut: title, who and when, the grade, the whole URL on a line of its own."""
    facts = Text()
    facts.append(clean_line(source.title) + "\n", style="bold")
    authors = ", ".join(source.authors) or "no byline"
    facts.append(f"{clean_line(source.publisher)} · {clean_line(authors)} · {source.published_display}")
    if source.unconfirmed:
        facts.append(f" (unconfirmed: {', '.join(source.unconfirmed)})", style="italic")
    facts.append("\n")
    facts.append(clean_line(source.url) + "\n", style="underline")
    facts.append(f"grade {source.grade} ({RELIABILITY.get(source.grade, '?')})", style="bold")
    if source.grade_note:
        facts.append(f": {clean_line(source.grade_note)}")
    facts.append("\n")
    coverage = (f"{source.cited_paragraphs}/{source.paragraph_count} paragraphs cited"
                if source.paragraph_count else "text not present at build time")
    facts.append(f"{source.claim_count} claims; {coverage}", style="dim")
    if source.claim_count:
        # The legend of the claims below: each at the first place in the text that supports it, and how many more.
        facts.append(" · ", style="dim")
        facts.append(MORE_PLACES, style="dim italic")
    if source.note:
        facts.append(f"\nnote: {clean_line(source.note)}", style="dim")
    return facts


@dataclass(frozen=True)
class DisputesState:
    """The disputes as they were left for an entity, for back to open them so again."""

    #: The dispute under the cursor, and the side Enter was pressed on (None: Enter on the dispute).
    cursor: int = 0
    side: str | None = None


class DisputesScreen(Screen[str | Place | None]):
    """Claims that disagree: each side under the other, with its source, locator and cited sentence."""

    CSS_PATH = "views.tcss"

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", tooltip="back to the main screen")]
    HELP_KEYS = [
        ("Enter", "on a dispute: open its subject at the first claim; on a side: open its entity at that claim"),
        ("Tab", "from the disputes to their sides, and back"),
        ("Up, Down", "move in the disputes or the sides"),
        ("Page Up, Page Down", "a screenful up or down"),
    ]

    def __init__(self, knowledge_base: KnowledgeBase, passages: PassageStore | None = None,
                 left: DisputesState | None = None) -> None:
        """The disputes; ``left``: as they were left for an entity, to open them so again."""
        super().__init__()
        self.knowledge_base = knowledge_base
        self.passages = passages or PassageStore(None)
        self.left = left
        self.disputes: dict[str, Dispute] = {}
        #: The claims of the dispute shown, by id (its sides).
        self.sides: dict[str, Claim] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="disputes-view"):
            yield VirtualList(id="disputes")
            yield Static("", id="dispute-heading")
            yield CursorList(id="dispute-sides")
        yield KeyBar()

    def on_mount(self) -> None:
        disputes = self.query_one("#disputes", VirtualList)
        total = self.knowledge_base.dispute_count()
        # A dispute is a group of claims that disagree (`claimscope disputes` counts the same).
        self.sub_title = f"Disputes ({total})"
        disputes.styles.height = max(min(total, LIST_ROWS, self.app.size.height // 5), 1) + 1  # and its border
        disputes.set_rows(self.fetch, total)
        if not total:
            self.query_one("#dispute-heading", Static).update(Text("No disputes.", style="italic"))
        disputes.focus()
        if self.left is not None and total:
            disputes.move_to(min(self.left.cursor, total - 1))

    def fetch(self, offset: int, limit: int) -> list[tuple[str, Text]]:
        """A page of disputes with their claims, read as the list scrolls to it."""
        rows = []
        for dispute in self.knowledge_base.disputes(offset, limit):
            self.disputes[str(dispute.id)] = dispute
            line = Text(clean_line(dispute.subject.name), style="bold")
            line.append(f": {dispute.label}")
            line.append(f"  {len(dispute.claims)} claims", style="dim")
            rows.append((str(dispute.id), line))
        return rows

    @on(VirtualList.Highlighted, "#disputes")
    def dispute_highlighted(self, event: VirtualList.Highlighted) -> None:
        dispute = self.disputes.get(event.item_id)
        if dispute is None:
            return
        heading = Text(clean_line(dispute.subject.name), style="bold")
        heading.append(f": {dispute.label} — {len(dispute.claims)} claims that disagree", style="bold")
        self.query_one("#dispute-heading", Static).update(heading)
        self.load_sides(dispute)

    @work(thread=True, exclusive=True, group="dispute-sides")
    def load_sides(self, dispute: Dispute) -> None:
        """Each side with its evidence and, when the text is here, the sentence it cites (read off the loop)."""
        sides = [dispute_side(number, len(dispute.claims), reason, claim, self.passages)
                 for number, (reason, claim) in enumerate(zip(dispute.reasons, dispute.claims, strict=False), 1)]
        self.app.call_from_thread(self.show_sides, dispute, sides)

    def show_sides(self, dispute: Dispute, sides: list[Group]) -> None:
        if self.query_one("#disputes", VirtualList).highlighted_id != str(dispute.id):
            return  # the cursor moved on
        options = self.query_one("#dispute-sides", OptionList)
        options.clear_options()
        options.add_options(Option(side, id=claim.id) for side, claim in zip(sides, dispute.claims, strict=False))
        self.sides = {claim.id: claim for claim in dispute.claims}
        if sides:
            options.highlighted = 0
        left, self.left = self.left, None
        if left is not None and left.side in self.sides:
            # Back from the entity a side opened: on that side again.
            options.highlighted = list(self.sides).index(left.side)
            options.focus()

    @on(VirtualList.Selected, "#disputes")
    def chosen(self, event: VirtualList.Selected) -> None:
        """Enter on a dispute: its subject, at the dispute's first claim."""
        dispute = self.disputes.get(event.item_id)
        if dispute is not None and dispute.claims:
            self.dismiss(Place(dispute.subject.id, dispute.claims[0].id, came_from=self.here(None)))

    @on(OptionList.OptionSelected, "#dispute-sides")
    def side_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a side: its entity, at that claim."""
        claim = self.sides.get(event.option.id or "")
        if claim is not None:
            self.dismiss(Place(claim.subject.id, claim.id, came_from=self.here(claim.id)))

    def here(self, side: str | None) -> ViewPlace:
        """The disputes as they are now, at ``side``: where back returns from the entity opened."""
        return ViewPlace("disputes", DisputesState(self.query_one("#disputes", VirtualList).cursor, side))


def dispute_side(number: int, count: int, reason: str, claim: Claim, passages: PassageStore) -> Group:
    """One side of a dispute: the claim, then each piece of evidence (locator, source, grades) and its sentence.

    The lines under the claim hang indented, so that a wrapped line does not run back under the claim.
    """
    cited = Text()
    for evidence in claim.evidence:
        source = evidence.source
        published = parse_edtf(source.published).describe()
        publisher = source.publisher.split("(")[0].split(",")[0].strip()
        if cited:
            cited.append("\n")
        cited.append(f"{locator(evidence)} ", style="bold")
        cited.append(clean_line(f"{publisher}, {published}"))
        cited.append(f" · source {source.grade}, credibility {evidence.grade} "
                     f"({CREDIBILITY.get(evidence.grade, '?')})", style="dim")
        text = passages.text_of(source).text
        if text is not None and evidence.start is not None and evidence.end is not None:
            cited.append("\n“")
            cited.append(" ".join(clean(text[evidence.start:evidence.end]).split()), style="italic")
            cited.append("”")
    return Group(Text(f"claim {number} of {count} · {reason}", style="bold underline"), claim_line(claim),
                 Padding(cited, (0, 0, 1, 2)))
