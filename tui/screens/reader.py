"""The reader: a source as a whole, with the claims the knowledge base took from it beside the text.

The view a researcher needs to judge whether a source was read fairly, and a curator to see
what is still uncited. The text comes from the corpus when it is there and unchanged, else
from the sentences indexed at build; without either, the paragraphs are listed by number
with their claims, and the top says why and where it looked. A wrong passage is never shown.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from claimscope.db.edtf import parse_edtf
from claimscope.db.models import Claim, Evidence
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.messages import Place, SourcePlace
from claimscope.tui.reading import SourceReading, read_source
from claimscope.tui.render import claim_line
from claimscope.tui.text import clean_line
from claimscope.tui.widgets.bars import KeyBar, TitleBar
from claimscope.tui.widgets.source_text import SourceText, TextParagraph

__all__ = ["ReaderScreen"]


class ReaderScreen(Screen[Place | None]):
    """A source with its claims: move by sentence and paragraph, jump between cited sentences, open a claim."""

    CSS_PATH = "reader.tcss"

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("n", "next_marked(1)", "Next cited"),
        Binding("N", "next_marked(-1)", "Previous cited"),
        Binding("u", "toggle_uncited", "Cited/uncited"),
        Binding("slash", "find", "Find in text"),
    ]
    HELP_KEYS = [
        ("down, up", "next, previous sentence"), ("right, left", "next, previous paragraph"),
        ("page down, page up", "a screen further, back"), ("n, N", "next, previous cited (or uncited) sentence"),
        ("u", "n and N jump to uncited sentences instead, and back"), ("/", "find text in the source"),
        ("tab", "to the claims of the sentence, and back"), ("enter", "on a claim: open its entity at it"),
    ]

    def __init__(self, knowledge_base: KnowledgeBase, place: SourcePlace) -> None:
        super().__init__()
        self.knowledge_base = knowledge_base
        self.source_id = place.source_id
        self.start = (place.paragraph, place.sentence)
        self.reading: SourceReading | None = None
        self.uncited = False
        self.claims: dict[str, tuple[Claim, Evidence]] = {}
        self.found_at: list[tuple[int, int | None]] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="reader-facts")
        with Vertical(id="reader-body"):
            yield SourceText(id="reader-text")
            yield OptionList(id="reader-claims")
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
        reading = read_source(self.knowledge_base, self.source_id, getattr(passages, "corpus", None))
        self.app.call_from_thread(self.show, reading)

    def show(self, reading: SourceReading | None) -> None:
        if reading is None:
            self.notify(f"No source {self.source_id!r} in this knowledge base.", severity="error")
            self.dismiss(None)
            return
        self.reading = reading
        source = reading.source
        self.sub_title = source.title
        self.show_facts()
        view = self.query_one("#reader-text", SourceText)
        view.set_paragraphs(self._paragraphs(reading), *self.start)
        view.focus()

    def show_facts(self) -> None:
        """Two lines of facts: who, where, when and how reliable (cut with an ellipsis when narrow), then the
        whole URL; one more when the text is not what is shown, saying why."""
        reading = self.reading
        if reading is None:
            return
        source = reading.source
        published = parse_edtf(source.published).describe() if source.published else "undated"
        authors = ", ".join(source.authors) or "no byline"
        # The date and the grade always show; the title, publisher and authors give way to them.
        tail = Text(f" · {published} · grade {source.grade}")
        if source.unconfirmed:
            tail.append(f" (unconfirmed: {', '.join(source.unconfirmed)})", style="italic")
        facts = Text(clean_line(source.title), style="bold")
        facts.append(f" · {clean_line(source.publisher)} · {clean_line(authors)}")
        facts.truncate(max(self.size.width - 2 - len(tail), 12), overflow="ellipsis")
        facts.append_text(tail)
        facts.truncate(max(self.size.width - 2, 12), overflow="ellipsis")
        facts.append("\n")
        facts.append(clean_line(source.url), style="underline")
        if reading.text_problem:
            facts.append(f"\nText not shown: {clean_line(reading.text_problem)}. The paragraphs are listed by "
                         "number with the claims that cite them.", style="bold")
        elif reading.text_note:
            facts.append(f"\nAs indexed at build ({clean_line(reading.text_note)}).", style="italic")
        self.query_one("#reader-facts", Static).update(facts)

    def _paragraphs(self, reading: SourceReading) -> list[TextParagraph]:
        by_number = {paragraph.number: paragraph for paragraph in reading.paragraphs}
        shown = []
        for number in reading.paragraph_numbers():
            whole = len(reading.citations.get((number, None), []))
            paragraph = by_number.get(number)
            if paragraph is None:
                cited = sum(len(found) for (p, _), found in reading.citations.items() if p == number)
                shown.append(TextParagraph(number, (), whole, f"(text not shown) · cited by {cited} claim(s)"))
                continue
            sentences = tuple((s.sentence, s.text, len(reading.citations.get((number, s.sentence), [])))
                              for s in paragraph.sentences)
            shown.append(TextParagraph(number, sentences, whole))
        return shown

    # -- the claims of the sentence under the cursor -------------------------------------------------

    @on(SourceText.Moved)
    def moved(self, message: SourceText.Moved) -> None:
        if self.reading is None:
            return
        citing = (self.reading.citing(message.paragraph, message.sentence) if message.sentence is not None else
                  [item for (p, _), found in self.reading.citations.items() if p == message.paragraph
                   for item in found])
        options = self.query_one("#reader-claims", OptionList)
        options.clear_options()
        self.claims = {}
        locator = f"¶{message.paragraph}" + (f".{message.sentence}" if message.sentence else "")
        if not citing:
            options.add_option(Option(Text(f"No claim cites {locator}.", style="italic"), disabled=True))
            return
        count = "1 claim cites" if len(citing) == 1 else f"{len(citing)} claims cite"
        options.add_option(Option(Text(f"{count} {locator}:", style="bold"), disabled=True))
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
        view = self.query_one("#reader-text", SourceText)

        def wanted(paragraph: TextParagraph, position: int) -> bool:
            if not paragraph.sentences:
                return not self.uncited and bool(paragraph.whole)
            cited = bool(paragraph.sentences[position][2]) or bool(paragraph.whole)
            return cited != self.uncited

        if not view.jump(direction, wanted):
            what = "uncited" if self.uncited else "cited"
            self.notify(f"No {what} sentence {'after' if direction > 0 else 'before'} this one.", severity="warning")

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
        view = self.query_one("#reader-text", SourceText)
        if not words:
            return


        def holds(paragraph: TextParagraph, position: int) -> bool:
            return bool(paragraph.sentences) and words in paragraph.sentences[position][1].lower()

        if not view.jump(1, holds):
            if not view.jump(1, holds, from_start=True):
                self.notify(f"{event.value!r} is not in this source's text.", severity="warning")
                return
            self.notify("No match further on: back to the first from the top.")

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#reader-find", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.display = False
            self.query_one("#reader-text", SourceText).focus()
