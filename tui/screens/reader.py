"""The reader: a source as a whole, with the claims the knowledge base took from it beside the text.

The view a researcher needs to judge whether a source was read fairly, and a curator to see
what is still uncited. The text comes from the corpus when it is there and unchanged, else
from the sentences indexed at build; without either, the paragraphs are listed by number
with their claims, and the top says why and where it looked. A wrong passage is never shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from claimscope.db.edtf import parse_edtf
from claimscope.db.models import Claim, Evidence
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import Place, SourcePlace
from claimscope.tui.reading import CitedParagraph, Cursor, NotKept, SourcePages, open_source
from claimscope.tui.render import claim_line, lines_within
from claimscope.tui.text import clean_line
from claimscope.tui.widgets.bars import KeyBar, TitleBar
from claimscope.tui.widgets.cursor_list import CursorList
from claimscope.tui.widgets.source_text import SourceText, TextParagraph

__all__ = ["ReaderScreen"]

#: A search through the source from a place: where it lands (None: nowhere), and what to say, how firmly.
#: Given ``kept_only`` it looks only at the paragraphs kept (it raises NotKept when it needs more).
Search = Callable[[Cursor, bool], tuple[Cursor | None, str | None, SeverityLevel]]


#: The lines of the facts box (its height in reader.tcss, less the rule under it).
FACTS_LINES = 5


class _Shown:
    """The reader's paragraphs as the text view takes them: those read, as they are drawn."""

    def __init__(self, reading: SourcePages) -> None:
        self.reading = reading

    def __len__(self) -> int:
        return len(self.reading)

    def number(self, index: int) -> int:
        return self.reading.number(index)

    def index_of(self, number: int) -> int:
        return self.reading.index_of(number)

    def get(self, index: int) -> TextParagraph | None:
        paragraph = self.reading.cached(index)
        if paragraph is None:
            return None
        if not paragraph.sentences:
            return TextParagraph(paragraph.number, (), paragraph.whole,
                                 f"(text not shown) · cited by {paragraph.cited} "
                                 f"claim{'' if paragraph.cited == 1 else 's'}")
        return TextParagraph(paragraph.number, paragraph.sentences, paragraph.whole)


def _heading(place: tuple[int, int | None], cited: int | None) -> Text:
    """What stands above the claims citing ``place``: how many (None: not known yet), or that none does."""
    locator = f"¶{place[0]}" + (f".{place[1]}" if place[1] else "")
    if cited == 0:
        return Text(f"No claim cites {locator}.", style="italic")
    counted = "Claims citing" if cited is None else "1 claim cites" if cited == 1 else f"{cited} claims cite"
    return Text(f"{counted} {locator}:", style="bold")


class ReaderScreen(Screen[Place | None]):
    """A source with its claims: move by sentence and paragraph, jump between cited sentences, open a claim."""

    CSS_PATH = "reader.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", tooltip="back to where the reader was opened from"),
        Binding("i", "facts", "Facts",
                tooltip="the source's facts whole: title, publisher, authors, date, grade, URL, why no text"),
        Binding("n", "next_marked(1)", "Next cited"),
        Binding("N", "next_marked(-1)", "Previous cited"),
        Binding("u", "toggle_uncited", "Cited/uncited"),
        Binding("slash", "find", "Find in text"),
    ]
    HELP_KEYS = [
        ("Down, Up, j, k", "next, previous sentence"), ("Right, Left, l, h", "next, previous paragraph"),
        ("Page Down, Space, Page Up", "a screen further, back"), ("Home, End", "the first, the last paragraph"),
        ("n, N", "next, previous cited (or uncited) sentence"),
        ("u", "n and N jump to uncited sentences instead, and back"), ("/", "find text in the source"),
        ("Tab", "to the claims of the sentence, and back"), ("Enter", "on a claim: open its entity at it"),
    ]
    """The keys of the text and the claims beside it (SourceText's bindings), as the main screen's help words
    them; the screen's own bindings (Esc, i) follow from their tooltips."""

    def __init__(self, knowledge_base: KnowledgeBase, place: SourcePlace) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.source_id = place.source_id
        self.start = (place.paragraph, place.sentence)
        self.reading: SourcePages | None = None
        self.uncited = False
        self.claims: dict[str, tuple[Claim, Evidence]] = {}
        #: The place whose claims are listed in full (None while they are being read).
        self.claims_for: tuple[int, int | None] | None = None
        self._pages_asked: set[int] = set()
        # Searches (n, N, find) run one after another, each from where the one before it landed.
        self._searching = asyncio.Lock()
        self._searches = 0

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="reader-facts")
        with Vertical(id="reader-body"):
            yield SourceText(id="reader-text")
            yield CursorList(id="reader-claims")
        yield Input(placeholder="find in this source: Enter for the next match, Esc to close", id="reader-find")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "Reader"
        self.query_one("#reader-find", Input).display = False
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        # Claims beside the text when there is room for both, below it otherwise.
        self.set_class(event.size.width >= 110, "-wide")
        self.show_facts()

    # -- loading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reader")
    def load(self) -> None:
        passages = getattr(self.app, "passages", None)
        reading = open_source(self.knowledge_base, self.source_id, getattr(passages, "corpus", None))
        if reading is not None and len(reading):
            # The paragraphs around the start, and the last page for End.
            reading.load_around(reading.index_of(self.start[0] or reading.number(0)))
            reading.load_around(len(reading) - 1)
        self.app.call_from_thread(self.show, reading)

    def show(self, reading: SourcePages | None) -> None:
        if reading is None:
            self.notify(f"No source {self.source_id!r} in this knowledge base.", severity="error")
            self.dismiss(None)
            return
        self.reading = reading
        source = reading.source
        self.sub_title = source.title
        self.show_facts()
        view = self.query_one("#reader-text", SourceText)
        view.set_paragraphs(_Shown(reading), *self.start)
        view.focus()

    def ready(self) -> bool:
        """Whether the reader is drawn whole: the source read, the paragraphs on screen shown, and the claims of
        the sentence under the cursor listed."""
        if self.reading is None:
            return False
        view = self.query_one("#reader-text", SourceText)
        return not view.waiting() and (view.current() is None or self.claims_for == view.current())

    @on(SourceText.Wanted)
    def wanted(self, message: SourceText.Wanted) -> None:
        if self.reading is None:
            return
        pages = [page for page in self.reading.missing_pages(message.first, message.last)
                 if page not in self._pages_asked]
        if pages:
            self._pages_asked.update(pages)
            self.load_pages(self.reading, pages)

    @work(thread=True, group="reader-pages")
    def load_pages(self, reading: SourcePages, pages: list[int]) -> None:
        try:
            reading.load_pages(pages)
        finally:
            self.app.call_from_thread(self.pages_loaded, pages)

    def pages_loaded(self, pages: list[int]) -> None:
        self._pages_asked.difference_update(pages)
        self.query_one("#reader-text", SourceText).loaded()

    def show_facts(self) -> None:
        """Two lines of facts: who, where, when and how reliable (cut with an ellipsis when narrow), then the
        whole URL; then, when the text is not what is shown, why (cut to the lines left, ending with ``(i: all)``).
        ``i`` shows all of it (``action_facts``)."""
        reading = self.reading
        if reading is None:
            return
        source = reading.source
        width = max(self.size.width - 2, 12)
        # The date and the grade always show; the title, publisher and authors give way to them.
        tail = Text(f" · {self._published()} · grade {source.grade}")
        if source.unconfirmed:
            tail.append(f" (unconfirmed: {', '.join(source.unconfirmed)})", style="italic")
        facts = Text(clean_line(source.title), style="bold")
        facts.append(f" · {clean_line(source.publisher)} · {clean_line(self._authors())}")
        facts.truncate(max(width - len(tail), 12), overflow="ellipsis")
        facts.append_text(tail)
        facts.truncate(width, overflow="ellipsis")
        url = Text(clean_line(source.url), style="underline")
        facts.append("\n")
        facts.append_text(url)
        notice = self._notice()
        if notice is not None:
            # The box holds FACTS_LINES lines: the facts, the URL (wrapped), and what is left for the notice.
            url_lines = -(-max(url.cell_len, 1) // width)
            facts.append("\n")
            facts.append_text(lines_within(notice, width, FACTS_LINES - 1 - url_lines))
        self.query_one("#reader-facts", Static).update(facts)

    def _published(self) -> str:
        assert self.reading is not None
        published = self.reading.source.published
        return parse_edtf(published).describe() if published else "undated"

    def _authors(self) -> str:
        assert self.reading is not None
        return ", ".join(self.reading.source.authors) or "no byline"

    def _notice(self) -> Text | None:
        """Why the text shown is not the source's own, in full (None: it is)."""
        reading = self.reading
        assert reading is not None
        if reading.text_problem:
            return Text(f"Text not shown: {clean_line(reading.text_problem)}. The paragraphs are listed by "
                        "number with the claims that cite them.", style="bold")
        if reading.text_note:
            return Text(f"As indexed at build ({clean_line(reading.text_note)}).", style="italic")
        return None

    def action_facts(self) -> None:
        """The source's facts whole, none of them cut: title, publisher, authors, date, grade, URL, and why the
        text is not shown when it is not."""
        from claimscope.tui.screens.help import TextScreen

        reading = self.reading
        if reading is None:
            return
        source = reading.source
        text = Text(clean_line(source.title), style="bold")
        text.append(f"\nsource: {source.id}", style="dim")
        text.append(f"\npublisher: {clean_line(source.publisher)}")
        text.append(f"\nauthors: {clean_line(self._authors())}")
        text.append(f"\npublished: {self._published()}")
        text.append(f"\ngrade: {source.grade}" + (f" ({clean_line(source.grade_note)})" if source.grade_note else ""))
        if source.unconfirmed:
            text.append(f"\nunconfirmed: {', '.join(source.unconfirmed)}", style="italic")
        text.append("\n")
        text.append(clean_line(source.url), style="underline")
        if source.note:
            text.append(f"\nnote: {clean_line(source.note)}", style="dim")
        notice = self._notice()
        if notice is not None:
            text.append("\n\n")
            text.append_text(notice)
        self.app.push_screen(TextScreen(text))

    # -- the claims of the sentence under the cursor -------------------------------------------------

    @on(SourceText.Moved)
    def moved(self, message: SourceText.Moved) -> None:
        reading = self.reading
        if reading is None:
            return
        place = (message.paragraph, message.sentence)
        # How many cite it is on the page: none, and the list is complete; else the claims are read (for
        # this sentence only) and how many stands above the list meanwhile.
        paragraph = reading.cached(reading.index_of(message.paragraph))
        cited = None if paragraph is None else paragraph.cited if message.sentence is None else paragraph.whole + next(
            (count for number, _, count in paragraph.sentences if number == message.sentence), 0)
        self.claims_for = None
        if cited == 0:
            self.show_claims(place, [])
            return
        options = self.query_one("#reader-claims", OptionList)
        options.clear_options()
        self.claims = {}
        options.add_option(Option(_heading(place, cited), disabled=True))
        self.load_claims(place)

    @work(thread=True, exclusive=True, group="reader-claims")
    def load_claims(self, place: tuple[int, int | None]) -> None:
        citing = self.knowledge_base.citing(self.source_id, *place)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_claims, place, citing)

    def show_claims(self, place: tuple[int, int | None], citing: list[tuple[Claim, Evidence]]) -> None:
        """List the claims ``citing`` the sentence at ``place``, if the cursor is still there."""
        if self.query_one("#reader-text", SourceText).current() != place or self.claims_for == place:
            return  # the cursor has moved on
        options = self.query_one("#reader-claims", OptionList)
        options.clear_options()
        self.claims = {}
        options.add_option(Option(_heading(place, len(citing)), disabled=True))
        self.claims_for = place
        if not citing:
            return
        for claim, evidence in citing:
            key = f"{claim.id}\t{evidence.paragraph}.{evidence.sentence}"
            self.claims[key] = (claim, evidence)
            line = claim_line(claim)
            line.append(f"  ¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else "")
                        + f" credibility {evidence.grade}", style="dim")
            options.add_option(Option(line, id=key))
        options.highlighted = 1  # the first claim, ready for Enter once Tab is pressed

    @on(OptionList.OptionSelected, "#reader-claims")
    def claim_chosen(self, event: OptionList.OptionSelected) -> None:
        found = self.claims.get(event.option.id or "")
        if found is None:
            return
        claim, _ = found
        here = self.query_one("#reader-text", SourceText).current()
        # The reader's place goes into the main screen's history, so that back returns here.
        back = SourcePlace(self.source_id, *here) if here else SourcePlace(self.source_id)
        self.dismiss(Place(claim.subject.id, claim.id, back))

    # -- moving -------------------------------------------------------------------------------------------

    def action_next_marked(self, direction: int) -> None:
        reading = self.reading
        if reading is None:
            return
        uncited = self.uncited
        wanted = CitedParagraph.is_uncited if uncited else CitedParagraph.is_cited
        missing = f"No {'uncited' if uncited else 'cited'} sentence {'after' if direction > 0 else 'before'} this one."

        def search(start: Cursor, kept_only: bool) -> tuple[Cursor | None, str | None, SeverityLevel]:
            found = reading.seek(start, direction, wanted, cited=not uncited, kept_only=kept_only)
            return found, None if found else missing, "warning"

        self.search(search)

    def action_toggle_uncited(self) -> None:
        self.uncited = not self.uncited
        self.notify("n and N now jump to sentences no claim cites." if self.uncited else
                    "n and N now jump to cited sentences.")

    def action_find(self) -> None:
        box = self.query_one("#reader-find", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#reader-find")
    def find_next(self, event: Input.Submitted) -> None:
        words = event.value.strip().lower()
        reading = self.reading
        if not words or reading is None:
            return

        def holds(paragraph: CitedParagraph, position: int) -> bool:
            return bool(paragraph.sentences) and words in paragraph.sentences[position][1].lower()

        def search(start: Cursor, kept_only: bool) -> tuple[Cursor | None, str | None, SeverityLevel]:
            found = reading.seek(start, 1, holds, kept_only=kept_only)
            if found:
                return found, None, "information"
            found = reading.seek((0, -1), 1, holds, kept_only=kept_only)
            if found is None:
                return None, f"{event.value!r} is not in this source's text.", "warning"
            return found, "No match further on: back to the first from the top.", "information"

        self.search(search)

    def search(self, search: Search) -> None:
        """Run ``search`` from the cursor and go where it lands: at once when the paragraphs kept answer it,
        else in a worker, after the searches before it."""
        view = self.query_one("#reader-text", SourceText)
        if not self._searches and not view.waiting():
            try:
                outcome = search(view.at, True)
            except NotKept:
                pass
            else:
                self.arrive(*outcome)
                return
        self._searches += 1
        self.search_further(search)

    @work(group="reader-search")
    async def search_further(self, search: Search) -> None:
        try:
            async with self._searching:
                reading = self.reading
                assert reading is not None
                start = self.query_one("#reader-text", SourceText).at

                def run() -> tuple[Cursor | None, str | None, SeverityLevel]:
                    outcome = search(start, False)
                    if outcome[0] is not None:
                        reading.load_around(outcome[0][0])  # the view there is read before it is shown
                    return outcome

                self.arrive(*await asyncio.to_thread(run))
        finally:
            self._searches -= 1

    def arrive(self, place: Cursor | None, notice: str | None, severity: SeverityLevel) -> None:
        if place is not None:
            self.query_one("#reader-text", SourceText).move_to(*place)
        if notice:
            self.notify(notice, severity=severity)

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#reader-find", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.display = False
            self.query_one("#reader-text", SourceText).focus()
