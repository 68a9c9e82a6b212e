"""The claims view: claims found by words and filters, with counts per filter and the provenance of each.

A query box (searched as you type), a panel of facets (modality, predicate, source,
claimant, credibility, disputed; each value with how many claims it keeps), a list of the
matching claims read a page at a time, and the provenance pane for the highlighted claim.
Opened from an entity (``f`` on the main screen), the view starts scoped to the claims
its entity pane lists (it is their subject, object or claimant), shown as a filter that can
be switched off like the others.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from claimscope.db.models import Claim, ClaimHit, ClaimQuery, EntityRef, Facet
from claimscope.db.queries import KnowledgeBase
from claimscope.db.records import MODALITIES
from claimscope.tui.messages import Place, ViewPlace
from claimscope.tui.passages import PassageStore
from claimscope.tui.render import CREDIBILITY, MODALITY_STYLE, claim_line
from claimscope.tui.text import clean, clean_line
from claimscope.tui.widgets.bars import KeyBar, TitleBar
from claimscope.tui.widgets.cursor_list import CursorList
from claimscope.tui.widgets.provenance import ProvenancePane
from claimscope.tui.widgets.virtual_list import KEEP_PAGES, PAGE, VirtualList

__all__ = ["ClaimsScreen", "ClaimsState", "FacetList", "claim_row", "snippet_text"]

#: The facets in the order the panel shows them ("about" is the entity the view was opened on).
FACETS = ("about", "modality", "predicate", "source", "claimant", "grade", "disputed")
FACET_TITLES = {
    "about": "about", "modality": "modality (any of)", "predicate": "predicate", "source": "source",
    "claimant": "claimant (who says so)", "grade": "credibility (N or better)", "disputed": "disputed",
}
#: The facets whose values are a fixed scale: every value is listed, with 0 where no claim has it.
FIXED_VALUES = {
    "modality": tuple((modality, modality) for modality in MODALITIES),
    "grade": tuple((str(grade), f"{grade} {label}") for grade, label in CREDIBILITY.items()),
    "disputed": (("yes", "disputed"), ("no", "not disputed")),
}
#: What switching a facet off sets in the query.
FACET_OFF: dict[str, dict[str, object]] = {
    "about": {"involving": None}, "modality": {"modalities": ()}, "predicate": {"predicate": None},
    "source": {"source": None}, "claimant": {"claimant": None}, "grade": {"grade": None},
    "disputed": {"disputed": None},
}
#: Facets with many values show this many (and a row to show the rest).
FOLDED = 6
#: At most this many values of one facet are listed, unfolded (type words to narrow the rest).
UNFOLDED = 200
#: Cells of the matching words shown in a row, and how much of the text before them.
SNIPPET_CELLS = 30
SNIPPET_LEAD = 8
#: Cells of the source's name in a row (the locator and grades before it are never cut).
SOURCE_CELLS = 24
#: Lines of a row of the list: the claim, then its provenance.
ROW_LINES = 2
MARK_STYLE = "bold reverse"
#: Claims kept in memory for the provenance pane: the pages the list keeps, and a little more.
CLAIMS_KEPT = PAGE * (KEEP_PAGES + 2)
#: Fewer claims than this get a list just their height.
FEW = 6
#: Under this many columns the facets are shown only while they have the focus.
NARROW = 110
#: Under this many rows the query box loses its border.
SHORT = 30


def best_grade(claim: Claim) -> int | None:
    """The best (lowest) information-credibility grade of the claim's evidence."""
    return min((evidence.grade for evidence in claim.evidence), default=None)


def snippet_text(snippet: str, marks: tuple[tuple[int, int], ...], cells: int = SNIPPET_CELLS) -> Text:
    """The matching words of a snippet in a window of about ``cells`` cells, each marked (bold, reverse).

    The snippet came from a seed file or a source: it is cleaned piece by piece, so that the
    marks stay on the words they were found on.
    """
    text = Text(no_wrap=True, end="")
    position = 0
    first_mark: int | None = None
    last_mark = 0
    for start, end in sorted(marks):
        if start < position or end > len(snippet):
            continue
        text.append(_one_line(snippet[position:start]))
        if first_mark is None:
            first_mark = len(text)
        text.append(_one_line(snippet[start:end]), style=MARK_STYLE)
        last_mark = len(text)
        position = end
    text.append(_one_line(snippet[position:]))
    first = first_mark or 0
    begin = max(0, first - SNIPPET_LEAD)
    if begin:
        # Start at a word: the window opens on the words before the first match.
        space = text.plain.find(" ", begin - 1, first)
        begin = space + 1 if space >= 0 else first
    if last_mark - begin > cells - 2:
        # Matches far apart: the window starts nearer them, at the first match if need be.
        begin = min(first, max(begin, last_mark - (cells - 2)))
        if begin < first and text.plain[begin - 1:begin] not in ("", " "):
            space = text.plain.find(" ", begin, first)
            begin = space + 1 if space >= 0 else first
    window = text[begin:]
    if begin and not window.plain.startswith("…"):
        window = Text("…", end="") + window
    if window.cell_len > cells:
        window.truncate(cells, overflow="ellipsis")
    return window


def _one_line(piece: str) -> str:
    return clean(piece).replace("\n", " ").replace("\t", " ")


def claim_row(hit: ClaimHit, words: bool) -> Text:
    """A row of two lines: the best grade and the claim; then whose claim it is, and where it is said.

    The second line starts with the locator and grades of the best evidence (what tells two rows
    apart), then the source, the modality and claimant, and the matching words when the query
    has some; each line is cut to the list's width.
    """
    claim = hit.claim
    row = Text(no_wrap=True, end="")
    grade = best_grade(claim)
    row.append(f"{grade if grade is not None else '-':>3}  ", style="bold" if grade is not None and grade <= 2 else "")
    row.append_text(claim_line(claim, counts=False))
    row.append("\n     ")
    evidence = min(claim.evidence, key=lambda item: item.grade, default=None)
    if evidence is not None:
        source = evidence.source
        row.append(f"¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else ""), style="bold")
        row.append(f" {source.grade}{evidence.grade} ", style="bold")
        name = Text(clean_line(source.publisher.split("(")[0].split(",")[0].strip() or source.title))
        name.truncate(SOURCE_CELLS, overflow="ellipsis")
        row.append_text(name)
        others = claim.source_count - 1
        if others > 0:
            row.append(f" +{others} source{'s' if others != 1 else ''}", style="dim")
    else:
        row.append("no source", style="italic")
    style = MODALITY_STYLE[claim.modality]
    who = f" by {clean_line(claim.claimant.name)}" if claim.claimant else ""
    row.append(" · ", style="dim")
    row.append(f"[{claim.modality}{who}]", style=style)
    if words and hit.snippet:
        row.append(" · ", style="dim")
        row.append_text(snippet_text(hit.snippet, hit.marks))
    return row


def facet_row(mark: str, label: str, count: int | None, dim: bool = False) -> Table:
    """One value of a facet: its mark, its label (cut to fit) and its count at the right."""
    row = Table.grid(expand=True)
    row.add_column(no_wrap=True, width=4)
    row.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    row.add_column(no_wrap=True, justify="right")
    style = "dim" if dim else ""
    row.add_row(Text(mark, style="bold" if mark == "[x]" else style),
                Text(clean_line(label), style=style),
                Text("" if count is None else f" {count}", style="dim"))
    return row


@dataclass(frozen=True)
class Found:
    """What one run of the worker found: the claims a query selects, their counts, and the first page."""

    generation: int
    query: ClaimQuery
    total: int
    #: For each facet, its values counted with every filter but its own (so that others can be added).
    facets: dict[str, tuple[Facet, ...]]
    #: For each filter in use, how many claims there would be without it.
    without: dict[str, int]
    first_page: list[ClaimHit] = field(default_factory=list)
    #: How many claims there are about the scope entity (with the other filters), when the view has one.
    about_count: int | None = None


@dataclass(frozen=True)
class ClaimsState:
    """The claims view as it was left for an entity, for back to open it so again."""

    scope: EntityRef | None
    query: ClaimQuery
    #: The row under the cursor, and whether the claims had the focus.
    cursor: int = 0
    on_claims: bool = True
    unfolded: frozenset[str] = frozenset()


class FacetList(CursorList):
    """The facets and their values; Space or Enter toggles the highlighted value."""

    BINDINGS = [
        Binding("space", "select", "Toggle"),
        Binding("right", "facet(1)", "Next facet", show=False),
        Binding("left", "facet(-1)", "Previous facet", show=False),
    ]

    def action_facet(self, step: int) -> None:
        """Move to the first value of the next (or previous) facet."""
        starts = [index + 1 for index in range(self.option_count - 1)
                  if (self.get_option_at_index(index).id or "").startswith("head\t")]
        if not starts:
            return
        current = self.highlighted if self.highlighted is not None else -1
        if step > 0:
            target = next((start for start in starts if start > current), starts[0])
        else:
            # From inside a facet, back to its first value; from its first value, to the facet before.
            earlier = [start for start in starts if start < current]
            target = earlier[-1] if earlier else starts[-1]
        self.highlighted = target
        self.scroll_to_highlight()


class ClaimsScreen(Screen[None]):
    """Find claims by words and filters; read the provenance of each; Enter opens the entity at it."""

    CSS_PATH = "claims.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", tooltip="back to the main screen"),
        Binding("x", "clear_filters", "Clear filters", tooltip="clear the filters (the words stay)"),
        Binding("tab", "next_pane(1)", "Next pane", tooltip="the next pane: query, filters, claims, provenance"),
        Binding("shift+tab", "next_pane(-1)", "Previous pane", show=False, tooltip="the previous pane"),
        Binding("f", "find_claims", "Query box", show=False, tooltip="to the query box"),
        Binding("c", "copy_citation", "Copy citation",
                tooltip="send a citation of the highlighted claim to the clipboard"),
        Binding("p", "focus_provenance", "Provenance", show=False, tooltip="to the provenance"),
    ]
    """Tab goes from the query box to the filters, the claims and their provenance, and round again."""

    HELP_KEYS = [
        ("Typing", "in the query box: words to find in claims and their statements"),
        ("Space", "in the filters: switch the highlighted value on or off"),
        ("Enter", "in the filters: the same; in the claims: open the entity at that claim (the subject, or the "
                  "entity the view is about); in the query box: on to the claims"),
        ("Right, Left", "in the filters: the next facet, the previous one"),
        ("Up, Down", "move in the filters or the claims; Down in the query box: on to the claims"),
        ("Home, End, Page Up, Page Down", "in the claims: the first, the last, a page up or down"),
    ]
    """Keys of the widgets inside, for the help screen (which lists the screen's and the app's bindings)."""

    PANES = ("#claim-query", "#claim-facets", "#claim-list", "#claim-provenance")

    def __init__(self, knowledge_base: KnowledgeBase, passages: PassageStore, entity: EntityRef | None = None,
                 left: ClaimsState | None = None) -> None:
        """The view about ``entity`` (or every claim); ``left``: the view as it was left, to open it so again."""
        super().__init__()
        self.knowledge_base = knowledge_base
        self.passages = passages
        self.scope = entity
        self.claim_query = left.query if left is not None else ClaimQuery(involving=entity.id if entity else None)
        #: The view as it was left, until its first answer puts the cursor back.
        self.left = left
        self.generation = 0
        self.found: Found | None = None
        #: Labels of the facet values seen, to name the filters in use: (facet, value) -> label.
        self.labels: dict[tuple[str, str], str] = {}
        #: Facets whose values are all listed, not only the first few.
        self.unfolded: set[str] = set()
        #: The claims of the rows read lately, by id, for the provenance pane and Enter.
        self.claims: OrderedDict[str, Claim] = OrderedDict()
        if left is not None:
            self.unfolded = set(left.unfolded)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Input(self.claim_query.text or "", placeholder="words in claims and their statements; empty for every "
                    "claim", id="claim-query")
        yield Static("", id="claim-status")
        with Horizontal(id="claims-view"):
            yield FacetList(id="claim-facets")
            with Vertical(id="claim-reading"):
                yield Static("", id="claim-header")
                yield VirtualList(id="claim-list", lines=ROW_LINES)
                yield Static("", id="claim-empty")
                yield ProvenancePane(self.passages, id="claim-provenance")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.scope is not None:
            self.labels[("about", self.scope.id)] = f"about {self.scope.name}"
        self.query_one("#claim-empty").display = False
        self.query_one("#claim-query", Input).focus()
        self.search()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self.set_class(event.size.height < SHORT, "-short")

    # -- the query and its results -----------------------------------------------------------------

    @on(Input.Changed, "#claim-query")
    def query_changed(self, event: Input.Changed) -> None:
        self.claim_query = replace(self.claim_query, text=event.value.strip() or None)
        self.search()

    def search(self) -> None:
        """Find the claims of the current query; an answer to an older query is dropped when it arrives."""
        self.generation += 1
        about = self.scope is not None and self.claim_query.involving == self.scope.id
        self.sub_title = f"Claims about {clean_line(self.scope.name)}" if about and self.scope else "Claims"
        self.show_status()
        self.load(self.generation, self.claim_query)

    @work(thread=True, exclusive=True, group="claims")
    def load(self, generation: int, query: ClaimQuery) -> None:
        counted = self.knowledge_base.claim_facets(query)
        facets = {name: getattr(counted, name) for name in FACETS if name != "about"}
        without: dict[str, int] = {}
        for name in self.filters_in_use(query):
            relaxed = replace(query, **FACET_OFF[name])  # type: ignore[arg-type]
            if name == "about":
                without[name] = self.knowledge_base.claim_count(relaxed)
                continue
            # A facet's own values are counted without its own filter: other modalities can be added.
            relaxed_facets = self.knowledge_base.claim_facets(relaxed)
            facets[name] = getattr(relaxed_facets, name)
            without[name] = relaxed_facets.total
        about_count = None
        if self.scope is not None:
            about_count = counted.total if query.involving else self.knowledge_base.claim_count(
                replace(query, involving=self.scope.id))
        first_page = self.knowledge_base.claims(query, 0, PAGE) if counted.total else []
        self.app.call_from_thread(self.show_found, Found(generation, query, counted.total, facets, without,
                                                         first_page, about_count))

    @staticmethod
    def filters_in_use(query: ClaimQuery) -> list[str]:
        """The facets that filter ``query``, in the panel's order."""
        return [name for name in FACETS if replace(query, **FACET_OFF[name]) != query]  # type: ignore[arg-type]

    def show_found(self, found: Found) -> None:
        if found.generation != self.generation:
            return  # typing or toggling went on: a newer answer is coming
        self.found = found
        for name, values in found.facets.items():
            for facet in values:
                self.labels[(name, facet.value)] = facet.label
        words = found.query.text is not None
        claims = self.query_one("#claim-list", VirtualList)

        def fetch(offset: int, limit: int) -> list[tuple[str, Text]]:
            # The first page came with the counts; later ones are read as the list scrolls to them.
            hits = found.first_page if offset == 0 else self.knowledge_base.claims(found.query, offset, limit)
            rows = []
            for hit in hits:
                self.remember(hit.claim)
                rows.append((hit.claim.id, claim_row(hit, words)))
            return rows

        claims.set_rows(fetch, found.total)
        left, self.left = self.left, None
        if left is not None and found.total:
            # Back from the entity opened here: the cursor where it was, the focus on the claims.
            claims.move_to(min(left.cursor, found.total - 1))
            if left.on_claims:
                claims.focus()
        # A few claims take only the rows they need, and leave the rest to the provenance.
        claims.styles.height = max(found.total, 1) * ROW_LINES if found.total < FEW else "1fr"
        empty = found.total == 0
        self.query_one("#claim-empty").display = empty
        self.query_one("#claim-provenance").display = not empty
        claims.display = not empty
        if empty:
            self.query_one("#claim-empty", Static).update(self.empty_text(found))
        self.show_header()
        self.show_status()
        self.show_facets()

    def remember(self, claim: Claim) -> None:
        self.claims[claim.id] = claim
        self.claims.move_to_end(claim.id)
        while len(self.claims) > CLAIMS_KEPT:
            self.claims.popitem(last=False)

    # -- what the filters are and what they keep ---------------------------------------------------

    def describe(self, name: str, query: ClaimQuery) -> str:
        """A filter in use, in words."""
        if name == "modality":
            return " or ".join(query.modalities)
        if name == "grade":
            return f"credibility {query.grade} or better"
        if name == "disputed":
            return "disputed" if query.disputed else "not disputed"
        if name == "about":
            return f"about {self.scope.name}" if self.scope else "about an entity"
        if name == "claimant" and query.claimant == "":
            return "stated by the source's author"
        value = str(getattr(query, name))
        label = self.labels.get((name, value), value)
        return {"source": f"from {label}", "claimant": f"claimed by {label}"}.get(name, label)

    def show_status(self) -> None:
        query = self.claim_query
        status = Text(no_wrap=True, overflow="ellipsis")
        found = self.found
        if found is None:
            status.append("searching…", style="italic")
        else:
            # Until a newer answer arrives the last count stays, rather than flickering at each key.
            status.append(f"{found.total} claim{'s' if found.total != 1 else ''}", style="bold")
            status.append(" match" if found.total != 1 else " matches")
        in_use = self.filters_in_use(query)
        if in_use:
            status.append(" · ")
            for number, name in enumerate(in_use):
                if number:
                    status.append(" · ")
                status.append(clean_line(self.describe(name, query)), style="bold")
            # x keeps the entity the view is about (Space on it in the facets drops it).
            status.append("  (x clears)" if in_use != ["about"] else "  (Tab: filters)", style="dim")
        else:
            status.append(" · no filters (Tab: filters)", style="dim")
        self.query_one("#claim-status", Static).update(status)

    def empty_text(self, found: Found) -> Text:
        """Why nothing matches: how many claims each filter's absence would give."""
        text = Text("No claim matches these words and filters.", style="bold")
        if found.without:
            text.append("\nWith one filter fewer there would be:")
            for name, count in found.without.items():
                text.append(f"\n  without “{clean_line(self.describe(name, found.query))}”: ")
                text.append(f"{count} claim{'s' if count != 1 else ''}", style="bold")
            text.append("\nTab to the filters and Space to switch one off, or x to clear them.", style="dim")
        elif found.query.text:
            text.append("\nNo claim has these words; try fewer or other words.", style="dim")
        return text

    def show_header(self) -> None:
        claims = self.query_one("#claim-list", VirtualList)
        header = Table.grid(expand=True)
        header.add_column(no_wrap=True, ratio=1)
        header.add_column(no_wrap=True, justify="right")
        words = " matching words" if self.claim_query.text else ""
        columns = f"cred  claim; ¶locator grades source [whose claim]{words}"
        position = f"{claims.cursor + 1} of {claims.row_count}" if claims.row_count else ""
        header.add_row(Text(f"{columns}", style="dim"), Text(position, style="dim"))
        self.query_one("#claim-header", Static).update(header)

    # -- the facet panel ------------------------------------------------------------------------------

    def is_on(self, name: str, value: str) -> bool:
        query = self.claim_query
        if name == "modality":
            return value in query.modalities
        if name == "grade":
            return query.grade is not None and str(query.grade) == value
        if name == "disputed":
            return query.disputed is not None and query.disputed == (value == "yes")
        if name == "about":
            return query.involving is not None
        return getattr(query, name) == value

    def facet_values(self, name: str) -> list[Facet]:
        """A facet's values with their counts; values in use are listed even when they keep nothing."""
        found = self.found
        if name == "about":
            if self.scope is None:
                return []
            count = found.about_count if found is not None else 0
            return [Facet(self.scope.id, self.scope.name, count or 0)]
        values = list(found.facets.get(name, ())) if found is not None else []
        if name in FIXED_VALUES:
            # A fixed scale is listed whole, in its order, so that the rows stay put as the counts change.
            counts = {facet.value: facet.count for facet in values}
            values = [Facet(value, label, counts.get(value, 0)) for value, label in FIXED_VALUES[name]]
        if name == "grade":
            # Choosing a grade keeps it and every better one: count the same way.
            running = 0
            cumulative = []
            for facet in values:
                running += facet.count
                cumulative.append(Facet(facet.value, facet.label, running))
            values = cumulative
        present = {facet.value for facet in values}
        for value in self.values_in_use(name):
            if value not in present:
                values.append(Facet(value, self.labels.get((name, value), value), 0))
        return values

    def values_in_use(self, name: str) -> list[str]:
        query = self.claim_query
        if name == "modality":
            return list(query.modalities)
        if name == "grade":
            return [str(query.grade)] if query.grade is not None else []
        if name == "disputed":
            return [] if query.disputed is None else ["yes" if query.disputed else "no"]
        if name == "about":
            return []
        value = getattr(query, name)
        return [value] if value else []

    def facet_options(self) -> list[Option]:
        options: list[Option] = []
        for name in FACETS:
            values = self.facet_values(name)
            if not values:
                continue
            options.append(Option(Text(FACET_TITLES[name], style="bold underline"), id=f"head\t{name}",
                                  disabled=True))
            if name == "claimant":
                # The source's own author (no claimant inside the source) comes last, after the actors.
                values = [facet for facet in values if facet.value] + [facet for facet in values if not facet.value]
            shown = values
            folded = name in ("predicate", "source", "claimant") and len(values) > FOLDED + 1
            if folded and name not in self.unfolded:
                shown = values[:FOLDED] + [facet for facet in values[FOLDED:] if self.is_on(name, facet.value)]
            elif folded:
                shown = values[:UNFOLDED] + [facet for facet in values[UNFOLDED:] if self.is_on(name, facet.value)]
            for facet in shown:
                mark = "[x]" if self.is_on(name, facet.value) else "[ ]"
                options.append(Option(facet_row(mark, facet.label, facet.count, dim=not facet.count),
                                      id=f"{name}\t{facet.value}"))
            if folded and name not in self.unfolded:
                options.append(Option(Text(f"    … {len(values) - FOLDED} more: Enter", style="italic"),
                                      id=f"unfold\t{name}"))
            elif folded:
                hidden = max(len(values) - UNFOLDED, 0)
                more = f"{hidden} more not listed (type words to narrow). " if hidden else ""
                options.append(Option(Text(f"    {more}Fewer: Enter", style="italic"), id=f"fold\t{name}"))
        return options

    def show_facets(self) -> None:
        panel = self.query_one("#claim-facets", FacetList)
        highlighted = panel.highlighted
        kept_id = panel.get_option_at_index(highlighted).id if highlighted is not None else None
        options = self.facet_options()
        ids = [option.id for option in options]
        same_rows = ids == [panel.get_option_at_index(index).id for index in range(panel.option_count)]
        if same_rows:
            # The same values: redraw their marks and counts in place, keeping the panel where it was.
            for index, option in enumerate(options):
                panel.replace_option_prompt_at_index(index, option.prompt)
            return
        panel.clear_options()
        panel.add_options(options)
        selectable = [index for index, option in enumerate(options) if not option.disabled]
        if not selectable:
            return
        if kept_id is not None and kept_id in ids:
            panel.highlighted = ids.index(kept_id)
        else:
            panel.highlighted = min(selectable, key=lambda index: abs(index - (highlighted or 0)))
        panel.scroll_to_highlight()

    @on(OptionList.OptionSelected, "#claim-facets")
    def facet_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        name, _, value = (event.option.id or "").partition("\t")
        if name == "unfold":
            self.unfolded.add(value)
            self.show_facets()
            return
        if name == "fold":
            self.unfolded.discard(value)
            self.show_facets()
            return
        if name not in FACET_OFF:
            return
        self.claim_query = self.toggled(name, value)
        self.show_facets()  # the marks at once; the counts when the worker has them
        self.search()

    def toggled(self, name: str, value: str) -> ClaimQuery:
        """The query with a facet value switched: modalities add up, a grade means that or better, the rest replace."""
        query = self.claim_query
        on = self.is_on(name, value)
        if name == "modality":
            modalities = [modality for modality in query.modalities if modality != value]
            if not on:
                modalities.append(value)
            return replace(query, modalities=tuple(modalities))
        if on:
            return replace(query, **FACET_OFF[name])  # type: ignore[arg-type]
        if name == "grade":
            return replace(query, grade=int(value))
        if name == "disputed":
            return replace(query, disputed=value == "yes")
        if name == "about":
            return replace(query, involving=self.scope.id if self.scope else None)
        if name == "predicate":
            return replace(query, predicate=value)
        if name == "source":
            return replace(query, source=value)
        return replace(query, claimant=value)

    def action_clear_filters(self) -> None:
        """Every filter off; the words stay, and so does the entity the view is about (Space there removes it)."""
        kept = ClaimQuery(text=self.claim_query.text, involving=self.claim_query.involving)
        if kept == self.claim_query:
            self.notify("No filters to clear." if not kept.involving else
                        "Only the entity remains: switch it off in the filters (Tab, then Space).")
            return
        self.claim_query = kept
        self.show_facets()
        self.search()

    # -- the claims and their provenance -----------------------------------------------------------

    @on(VirtualList.Highlighted, "#claim-list")
    def claim_highlighted(self, event: VirtualList.Highlighted) -> None:
        self.show_header()
        claim = self.claims.get(event.item_id)
        if claim is not None:
            self.query_one("#claim-provenance", ProvenancePane).show(claim)
        else:
            self.load_claim(event.item_id, open_it=False)

    @on(VirtualList.Selected, "#claim-list")
    def claim_chosen(self, event: VirtualList.Selected) -> None:
        claim = self.claims.get(event.item_id)
        if claim is None:
            self.load_claim(event.item_id, open_it=True)
            return
        self.open_claim(claim)

    @work(thread=True, exclusive=True, group="claim")
    def load_claim(self, claim_id: str, open_it: bool) -> None:
        """A claim whose row was read long ago (and forgotten here), read again."""
        claim = self.knowledge_base.claim(claim_id)
        if claim is not None:
            self.app.call_from_thread(self.claim_loaded, claim, open_it)

    def claim_loaded(self, claim: Claim, open_it: bool) -> None:
        self.remember(claim)
        if open_it:
            self.open_claim(claim)
        elif self.query_one("#claim-list", VirtualList).highlighted_id == claim.id:
            self.query_one("#claim-provenance", ProvenancePane).show(claim)

    def open_claim(self, claim: Claim) -> None:
        """The main screen, at the claim, in the entity the view is about (else the claim's subject)."""
        in_scope = self.scope is not None and self.claim_query.involving == self.scope.id
        entity_id = self.scope.id if in_scope and self.scope is not None else claim.subject.id
        claims = self.query_one("#claim-list", VirtualList)
        here = ViewPlace("claims", ClaimsState(self.scope, self.claim_query, claims.cursor, self.focused is claims,
                                               frozenset(self.unfolded)))
        self.app.open_entity(Place(entity_id, claim.id, came_from=here))  # type: ignore[attr-defined]

    @on(Input.Submitted, "#claim-query")
    def query_submitted(self) -> None:
        self.query_one("#claim-list").focus()

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and self.focused is self.query_one("#claim-query"):
            event.stop()
            self.query_one("#claim-list").focus()

    def current_claim(self) -> Claim | None:
        item = self.query_one("#claim-list", VirtualList).highlighted_id
        return self.claims.get(item) if item is not None else None

    def action_copy_citation(self) -> None:
        claim = self.current_claim()
        if claim is None:
            self.notify("Highlight a claim first.", severity="warning")
            return
        self.app.send_citation(claim)  # type: ignore[attr-defined]

    # -- moving between the panes --------------------------------------------------------------------

    def action_next_pane(self, step: int) -> None:
        panes = [pane for pane in self.PANES if self.query_one(pane).display or pane == "#claim-facets"]
        current = next((index for index, pane in enumerate(panes)
                        if self.focused is not None and (self.focused is self.query_one(pane)
                                                         or self.query_one(pane) in self.focused.ancestors)), -1)
        self.focus_pane(panes[(current + step) % len(panes)])

    def focus_pane(self, pane: str) -> None:
        if pane == "#claim-facets":
            # On a narrow screen the facets come out only while they are in use.
            self.add_class("-facets-open")
            self.call_after_refresh(self.query_one(pane).focus)
        else:
            self.query_one(pane).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is not self.query_one("#claim-facets"):
            self.remove_class("-facets-open")

    def action_find_claims(self) -> None:
        self.query_one("#claim-query").focus()

    def action_focus_provenance(self) -> None:
        if self.query_one("#claim-provenance").display:
            self.query_one("#claim-provenance").focus()
