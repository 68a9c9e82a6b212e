"""The provenance pane: the evidence of one claim, with its passages when the texts are here.

The pane opens scrolled to the cited sentence (or, without the text, to the notice that says
why), with the two lines of source facts above it when they fit: in a pane a few lines high the
sentence would otherwise be below the claim's statement, out of view.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from rich._wrap import divide_line
from rich.text import Text
from textual import events, work
from textual.containers import VerticalScroll
from textual.widgets import Static

from claimscope.db.models import Claim, Evidence
from claimscope.tui.passages import PassageStore
from claimscope.tui.render import Target, layout_provenance

__all__ = ["ProvenancePane", "ProvenanceTexts", "line_of", "prepare_provenance", "read_texts"]


@dataclass(frozen=True)
class ProvenanceTexts:
    """What the provenance of a claim needs from the corpus: each source's text (or why not), and notes."""

    texts: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


def read_texts(passages: PassageStore, claim: Claim) -> ProvenanceTexts:
    """Read the texts ``claim`` cites; call it from a worker thread (it may read files)."""
    texts = {}
    notes = {}
    for index, evidence in enumerate(claim.evidence):
        source_text = passages.text_of(evidence.source)
        texts[evidence.source.id] = (source_text.text, source_text.problem)
        if evidence.quote and source_text.changed is not None:
            notes[index] = quote_status(source_text.changed, evidence)
    return ProvenanceTexts(texts, notes)


def prepare_provenance(passages: PassageStore, claim: Claim) -> Text:
    """Read the texts ``claim`` cites and render its provenance whole (no line cut); call it from a worker."""
    read = read_texts(passages, claim)
    return layout_provenance(claim, read.texts, read.notes)[0]


def quote_status(changed: str, evidence: Evidence) -> str:
    """Where an imported quote is in its text as changed since the import; never re-anchored here."""
    from claimscope.seed.quotes import find_quote  # rapidfuzz: only for a quote in a changed text

    found = find_quote(changed, evidence.quote or "")
    if not found:
        return "Its quote is no longer in the text: orphaned."
    if (evidence.start, evidence.end) in found:
        return "Its quote is still at the same place in the changed text."
    return ("Its quote is in the changed text, but elsewhere: moved. The knowledge base keeps the anchor it was "
            "imported with.")


def line_of(plain: str, offset: int, width: int) -> int:
    """The line ``offset`` of ``plain`` falls on when it is wrapped at ``width`` cells, as a Static wraps it."""
    y = 0
    position = 0
    for line in plain.split("\n"):
        if offset <= position + len(line):
            breaks = divide_line(line, max(width, 1), fold=True)
            return y + bisect_right(breaks, offset - position)
        y += len(divide_line(line, max(width, 1), fold=True)) + 1
        position += len(line) + 1
    return max(y - 1, 0)


def scroll_for(block: int, start: int, end: int, height: int) -> int:
    """The scroll that shows lines ``start``-``end`` (a sentence, a notice) whole, with as little scrolling as may be.

    The lines of facts from ``block`` stay in view when they fit with it, and one line after it when there is
    room; a target taller than the pane shows from its first line. The view starts at the claim's first line or at
    the evidence's, never inside the claim's statement (a stray end of a sentence on top).
    """
    bound = block if end - block + 1 <= height else start
    margin = 1 if end - bound + 2 <= height else 0
    y = max(0, min(end + 1 + margin - height, bound))
    return block if 0 < y < block else y


class ProvenancePane(VerticalScroll):
    """Where a claim comes from: sources, locators, grades, and the cited span in its paragraph."""

    DEFAULT_CSS = """
    ProvenancePane { scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    """

    def __init__(self, passages: PassageStore, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.passages = passages
        self.claim: Claim | None = None
        self._texts: ProvenanceTexts | None = None
        self._width = self._height = 0
        self._targets: list[Target] = []
        self._plain = ""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("The provenance of the highlighted claim shows here.", style="dim"), id="provenance-body")

    def show(self, claim: Claim, texts: ProvenanceTexts | None = None) -> None:
        """Show ``claim``'s provenance: from ``texts`` if the caller read them, else read in a worker."""
        if claim is self.claim and texts is None:
            return  # already shown or on its way
        self.claim = claim
        if texts is not None:
            self._update(claim, texts)
        else:
            self.load(claim)

    @work(thread=True, exclusive=True, group="provenance")
    def load(self, claim: Claim) -> None:
        self.app.call_from_thread(self._update, claim, read_texts(self.passages, claim))

    def _update(self, claim: Claim, texts: ProvenanceTexts) -> None:
        if claim is not self.claim:
            return  # a newer claim was highlighted meanwhile
        self._texts = texts
        self._lay_out()

    def _lay_out(self) -> None:
        """Lay the provenance out at the pane's width (its lines of facts cut to it), then scroll to the sentence."""
        if self.claim is None or self._texts is None:
            return
        self._width, self._height = self.text_size()
        rendered, self._targets = layout_provenance(self.claim, self._texts.texts, self._texts.notes,
                                                    self._width or None, self._height or None)
        self._plain = rendered.plain
        body = self.query_one("#provenance-body", Static)
        body.styles.min_height = None  # the room added below the last layout's text (see scroll_to_cited)
        body.update(rendered)
        self.scroll_home(animate=False, immediate=True)
        self.call_after_refresh(self.scroll_to_cited)

    def text_size(self) -> tuple[int, int]:
        """The cells the text is laid out in: the pane's, less its padding and its scroll bar (always kept)."""
        region = self.scrollable_content_region
        return region.width, region.height

    def scroll_to_cited(self) -> None:
        """Scroll so that the first piece of evidence's cited sentence (or its notice) is in view, whole."""
        if not self._targets or not self._width:
            return
        target = self._targets[0]
        width = self._width
        block, start = line_of(self._plain, target.block, width), line_of(self._plain, target.start, width)
        end = line_of(self._plain, max(target.end - 1, target.start), width)
        y = scroll_for(block, start, end, self.scrollable_content_region.height)
        if y > self.max_scroll_y:
            # The text ends before the pane does when its evidence is on top: room below, so that it can be.
            body = self.query_one("#provenance-body", Static)
            body.styles.min_height = body.outer_size.height + round(y - self.max_scroll_y)
            self.call_after_refresh(self.scroll_to, y=y, animate=False, immediate=True)
            return
        self.scroll_to(y=y, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        if self._texts is not None and self.text_size() != (self._width, self._height):
            self._lay_out()
        elif self._targets:
            self.call_after_refresh(self.scroll_to_cited)
