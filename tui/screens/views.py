"""The timeline, sources and disputes views, each opened over the main screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from claimscope.db.models import Claim, Dispute, Source, TimelineEvent
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import Place, SourcePlace
from claimscope.tui.render import claim_line, evidence_line
from claimscope.tui.text import clean_line
from claimscope.tui.widgets.bars import KeyBar, TitleBar
from claimscope.tui.widgets.virtual_list import VirtualList

__all__ = ["DisputesScreen", "SourcesScreen", "TimelineScreen", "month_counts"]

TIMELINE_LIMIT = 2000


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


class TimelineScreen(Screen[str | None]):
    """Events in date order, imprecise dates shown as what they are; filter by actor."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back"), Binding("a", "focus_actor", "Filter by actor")]

    def __init__(self, knowledge_base: KnowledgeBase) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="timeline-view"):
            yield Input(placeholder="a: filter by actor (name or alias); empty for all", id="actor")
            yield Static("", id="activity-label")
            yield Sparkline([], id="activity")
            yield OptionList(id="events")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Timeline"
        self.load(None)
        self.query_one("#events").focus()

    def action_focus_actor(self) -> None:
        self.query_one("#actor").focus()

    @on(Input.Submitted, "#actor")
    def actor_submitted(self, event: Input.Submitted) -> None:
        self.load(event.value.strip() or None)
        self.query_one("#events").focus()

    @work(thread=True, exclusive=True, group="timeline")
    def load(self, actor_text: str | None) -> None:
        actor_id, actor_name = None, None
        if actor_text:
            results = self.knowledge_base.search(actor_text, limit=1, text=False)
            if not results:
                # The user's text is shown literally, never parsed as markup.
                self.app.call_from_thread(self.notify, f"No entity matches {clean_line(actor_text)!r}.",
                                          severity="warning", markup=False)
                return
            actor_id, actor_name = results[0].id, results[0].name
        events = self.knowledge_base.timeline(actor=actor_id, limit=TIMELINE_LIMIT)
        spans = self.knowledge_base.event_months(actor=actor_id)
        self.app.call_from_thread(self.show, events, spans, actor_name)

    def show(self, events: list[TimelineEvent], spans: list[tuple[str, str, int]], actor: str | None) -> None:
        counts, first, last = month_counts(spans)
        self.query_one("#activity", Sparkline).data = counts
        scope = f" involving {clean_line(actor)}" if actor else ""
        label = f"events per month{scope}, {first} to {last}" if counts else f"no dated events{scope}"
        self.query_one("#activity-label", Static).update(Text(label, style="dim"))
        options = self.query_one("#events", OptionList)
        options.clear_options()
        for event in events:
            line = Text(f"{event.date_display + (' (inf.)' if event.inferred else ''):<32}", style="cyan")
            line.append(clean_line(event.name), style="bold")
            if event.place:
                line.append(f"  {clean_line(event.place.name)}", style="dim")
            options.add_option(Option(line, id=event.id))
        if events:
            options.highlighted = 0
        if len(events) == TIMELINE_LIMIT:
            options.add_option(Option(Text(f"(first {TIMELINE_LIMIT} shown: filter by actor)", style="dim"),
                                      disabled=True))

    @on(OptionList.OptionSelected, "#events")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class SourcesScreen(Screen[str | Place | None]):
    """The sources with their facts, grade, claim count and coverage; Enter reads a source, Tab its claims."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, knowledge_base: KnowledgeBase) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.sources: dict[str, Source] = {}
        self.claims: dict[str, Claim] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="sources-view"):
            yield VirtualList(id="sources")
            with Vertical(id="source-detail"):
                yield Static("", id="source-facts")
                yield OptionList(id="source-claims")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Sources"
        sources = self.query_one("#sources", VirtualList)
        sources.set_rows(self.fetch, self.knowledge_base.source_count())
        sources.focus()

    def fetch(self, offset: int, limit: int) -> list[tuple[str, Text]]:
        """A page of sources, read as the list scrolls to it (10,000 sources cost no more than 5)."""
        rows = []
        for source in self.knowledge_base.sources(offset, limit):
            self.sources[source.id] = source
            line = Text(clean_line(source.title), style="bold")
            line.append(f"  {clean_line(source.publisher)} · {source.published_display} · grade {source.grade}",
                        style="dim")
            rows.append((source.id, line))
        return rows

    @on(VirtualList.Highlighted, "#sources")
    def source_highlighted(self, event: VirtualList.Highlighted) -> None:
        source = self.sources.get(event.item_id)
        if source is None:
            return
        facts = Table(box=None, show_header=False, pad_edge=False)
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column()
        coverage = (f"{source.cited_paragraphs}/{source.paragraph_count} paragraphs cited"
                    if source.paragraph_count else "text not present at build time")
        for label, value in (
            ("title", source.title), ("publisher", source.publisher),
            ("authors", ", ".join(source.authors) or "no byline"), ("published", source.published_display),
            ("url", source.url), ("grade", f"{source.grade} {source.grade_note or ''}"),
            ("unconfirmed", ", ".join(source.unconfirmed) or "-"), ("claims", f"{source.claim_count}; {coverage}"),
            ("note", source.note or "-"),
        ):
            facts.add_row(label, Text(clean_line(value)))
        self.query_one("#source-facts", Static).update(facts)
        self.load_claims(source.id)

    @work(thread=True, exclusive=True, group="source-claims")
    def load_claims(self, source_id: str) -> None:
        self.app.call_from_thread(self.show_claims, self.knowledge_base.source_claims(source_id))

    def show_claims(self, claims: list[Claim]) -> None:
        self.claims = {claim.id: claim for claim in claims}
        options = self.query_one("#source-claims", OptionList)
        options.clear_options()
        options.add_options(Option(claim_line(claim), id=claim.id) for claim in claims)
        if claims:
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


class DisputesScreen(Screen[str | None]):
    """Claims that disagree, side by side with their sources; Enter opens the subject."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, knowledge_base: KnowledgeBase) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.disputes: dict[str, Dispute] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="disputes-view"):
            yield VirtualList(id="disputes")
            with VerticalScroll(id="dispute-detail"):
                yield Static("", id="dispute-sides")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Disputes"
        disputes = self.query_one("#disputes", VirtualList)
        total = self.knowledge_base.dispute_count()
        disputes.set_rows(self.fetch, total)
        if not total:
            self.query_one("#dispute-sides", Static).update(Text("No disputes.", style="italic"))
        disputes.focus()

    def fetch(self, offset: int, limit: int) -> list[tuple[str, Text]]:
        """A page of disputes with their claims, read as the list scrolls to it."""
        rows = []
        for dispute in self.knowledge_base.disputes(offset, limit):
            self.disputes[str(dispute.id)] = dispute
            rows.append((str(dispute.id), Text(f"{clean_line(dispute.subject.name)}: {dispute.label}")))
        return rows

    @on(VirtualList.Highlighted, "#disputes")
    def dispute_highlighted(self, event: VirtualList.Highlighted) -> None:
        dispute = self.disputes.get(event.item_id)
        if dispute is None:
            return
        sides = Table(expand=True, show_lines=True)
        for number, reason in enumerate(dispute.reasons, start=1):
            sides.add_column(f"claim {number} ({reason})", ratio=1)
        cells = []
        for claim in dispute.claims:
            cell = claim_line(claim)
            for evidence in claim.evidence:
                cell.append("\n")
                cell.append_text(evidence_line(evidence, short=True))
            cells.append(cell)
        sides.add_row(*cells)
        self.query_one("#dispute-sides", Static).update(sides)

    @on(VirtualList.Selected, "#disputes")
    def chosen(self, event: VirtualList.Selected) -> None:
        dispute = self.disputes.get(event.item_id)
        if dispute is not None:
            self.dismiss(dispute.subject.id)
