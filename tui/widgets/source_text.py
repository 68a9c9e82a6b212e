"""A source's text, paragraph by paragraph, with a sentence cursor and the cited sentences marked.

The paragraphs come from a ``Paragraphs`` that need not hold them all: the view says which it
needs (``Wanted``, the ones on screen and a few screens around them) and shows one not read yet
as its number until ``loaded`` is called. Only the paragraphs on screen are laid out: the view
keeps the paragraph at its top and lays out from there down, wrapping each paragraph when it
first comes into view (and keeping a few wrapped), so a text of 50,000 paragraphs opens and
moves as quickly as one of ten. The scroll position is counted in paragraphs.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rich._wrap import divide_line
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from claimscope.tui.text import clean_line

__all__ = ["LAST", "ParagraphList", "Paragraphs", "SourceText", "TextParagraph"]

#: Wrapped paragraphs kept for redrawing.
_KEEP = 400
#: A position standing for a paragraph's last sentence, whatever their number.
LAST = -1


@dataclass(frozen=True, slots=True)
class TextParagraph:
    """A paragraph to show: its number, and its sentences as (sentence number, text, how many claims cite it)."""

    number: int
    sentences: tuple[tuple[int, str, int], ...]
    #: Claims citing the paragraph as a whole (no sentence), shown after its number.
    whole: int = 0
    #: Shown instead of the sentences when the text is not here.
    placeholder: str | None = None


class Paragraphs(Protocol):
    """The paragraphs a view shows, by index: each one's number always, the paragraph itself once read."""

    def __len__(self) -> int: ...

    def number(self, index: int) -> int:
        """The number of the paragraph at ``index``."""
        ...

    def index_of(self, number: int) -> int:
        """The index of paragraph ``number``, or of the first after it (the last, past the end)."""
        ...

    def get(self, index: int) -> TextParagraph | None:
        """The paragraph at ``index``, or None while it is not read."""
        ...


class ParagraphList:
    """Paragraphs all held at once."""

    def __init__(self, paragraphs: Sequence[TextParagraph] = ()) -> None:
        self._paragraphs = list(paragraphs)
        self._numbers = [paragraph.number for paragraph in self._paragraphs]

    def __len__(self) -> int:
        return len(self._paragraphs)

    def number(self, index: int) -> int:
        return self._numbers[index]

    def index_of(self, number: int) -> int:
        return min(bisect_left(self._numbers, number), max(len(self._numbers) - 1, 0))

    def get(self, index: int) -> TextParagraph | None:
        return self._paragraphs[index]


class SourceText(Widget, can_focus=True):
    """Paragraphs with a cursor on one sentence; the cited ones carry a count in brackets and a colour."""

    # Listed in the reader's help; the key bar keeps its room for the reader's own keys.
    BINDINGS = [
        Binding("down,j", "sentence(1)", "Next sentence", show=False),
        Binding("up,k", "sentence(-1)", "Previous sentence", show=False),
        Binding("right,l", "paragraph(1)", "Next paragraph", show=False),
        Binding("left,h", "paragraph(-1)", "Previous paragraph", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
    ]

    COMPONENT_CLASSES = {"source-text--cursor", "source-text--cited", "source-text--number", "source-text--count"}

    DEFAULT_CSS = """
    SourceText { height: 1fr; padding: 0 1; }
    SourceText > .source-text--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    SourceText:nocolor > .source-text--cursor { text-style: reverse; }
    SourceText > .source-text--cited { color: $text-accent; text-style: underline; }
    SourceText > .source-text--number { color: $text-muted; text-style: bold; }
    SourceText > .source-text--count { color: $text-accent; text-style: bold; }
    """

    #: The paragraph (index into the list) at the top of the view, and how many of its lines are above it.
    top: reactive[int] = reactive(0, always_update=True)
    skip: int = 0

    @dataclass
    class Moved(Message):
        """The cursor is on ``sentence`` (None: the paragraph as a whole) of paragraph ``paragraph``."""

        view: SourceText
        paragraph: int
        sentence: int | None

        @property
        def control(self) -> SourceText:
            return self.view

    @dataclass
    class Wanted(Message):
        """The view needs paragraphs ``first`` to ``last`` (indices): read those not read, then call ``loaded``."""

        view: SourceText
        first: int
        last: int

        @property
        def control(self) -> SourceText:
            return self.view

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id)
        self.paragraphs: Paragraphs = ParagraphList()
        #: The cursor: an index into ``paragraphs`` and one into that paragraph's sentences.
        self.at: tuple[int, int] = (0, 0)
        #: The cursor's paragraph is not read yet: where to put the cursor in it once it is (a sentence
        #: number, LAST, or None for its first).
        self._waiting = False
        self._waiting_for: int | None = None
        self._wrapped: OrderedDict[tuple[int, int, int], tuple[list[Text], list[tuple[int, int]]]] = OrderedDict()
        self._asked: tuple[int, int] | None = None
        self._asking = False

    # -- content ---------------------------------------------------------------------------------

    def set_paragraphs(self, paragraphs: Paragraphs, paragraph: int | None = None,
                       sentence: int | None = None) -> None:
        """Show ``paragraphs``, with the cursor on paragraph ``paragraph`` (a number), sentence ``sentence``."""
        self.paragraphs = paragraphs
        self._wrapped.clear()
        self._asked = None
        self.go_to(paragraph or (paragraphs.number(0) if len(paragraphs) else 1), sentence)

    def go_to(self, paragraph: int, sentence: int | None = None) -> None:
        """Put the cursor on a paragraph (by number) and sentence, and bring it into view."""
        if not len(self.paragraphs):
            self.refresh()
            return
        index = self.paragraphs.index_of(paragraph)
        # The paragraph gone to starts the view, after the one before it for context (the cursor is
        # then brought into view).
        self.top, self.skip = max(index - 1, 0), 0
        self.move_to(index, sentence=sentence or None)

    def move_to(self, index: int, position: int = 0, sentence: int | None = None) -> None:
        """Put the cursor on paragraph ``index`` at ``position`` (LAST: its last sentence), or on its sentence
        numbered ``sentence`` when given, and bring it into view."""
        paragraph = self.paragraphs.get(index)
        if paragraph is None:
            self._waiting, self._waiting_for = True, sentence if sentence is not None else (
                LAST if position == LAST else None)
            self.at = (index, 0)
        else:
            self._waiting = False
            self.at = (index, self._position(paragraph, position, sentence))
        self._scroll_to_cursor()
        self.refresh()
        self._ask()
        if paragraph is not None:
            self._moved()

    def loaded(self) -> None:
        """Paragraphs asked for have been read: show them, and put a cursor that waited for its paragraph in it."""
        paragraph = self.paragraphs.get(self.at[0]) if len(self.paragraphs) else None
        if self._waiting and paragraph is not None:
            self._waiting = False
            sentence = self._waiting_for if self._waiting_for != LAST else None
            self.at = (self.at[0], self._position(paragraph, LAST if self._waiting_for == LAST else 0, sentence))
            self._scroll_to_cursor()
            self._moved()
        self.refresh()

    @staticmethod
    def _position(paragraph: TextParagraph, position: int, sentence: int | None) -> int:
        if sentence is not None:
            return next((i for i, s in enumerate(paragraph.sentences) if s[0] == sentence), 0)
        last = max(len(paragraph.sentences) - 1, 0)
        return last if position == LAST else min(max(position, 0), last)

    def _moved(self) -> None:
        found = self.current()
        if found is not None:
            self.post_message(self.Moved(self, found[0], found[1]))

    def current(self) -> tuple[int, int | None] | None:
        """The paragraph number and sentence number under the cursor."""
        if not len(self.paragraphs):
            return None
        index, position = self.at
        paragraph = self.paragraphs.get(index)
        if paragraph is None:
            waited = self._waiting_for if self._waiting and self._waiting_for != LAST else None
            return self.paragraphs.number(index), waited
        sentence = paragraph.sentences[position][0] if paragraph.sentences else None
        return paragraph.number, sentence

    def waiting(self) -> bool:
        """Whether the paragraphs on screen, or the cursor's, are still being read."""
        if not len(self.paragraphs):
            return False
        if self._waiting:
            return True
        height = max(self.size.height, 1)
        return any(self.paragraphs.get(index) is None
                   for index in range(self.top, min(self.top + height, len(self.paragraphs))))

    def _ask(self) -> None:
        """Say which paragraphs the view needs: those on screen (the cursor is among them) and a few screens
        around them."""
        count = len(self.paragraphs)
        if not count:
            return
        height = max(self.size.height, 1)
        window = (max(self.top - height, 0), min(self.top + 2 * height, count - 1))
        if window != self._asked:
            self._asked = window
            self.post_message(self.Wanted(self, *window))

    def _ask_again(self) -> None:
        self._asking = False
        self._asked = None
        self._ask()

    def _scroll_to_cursor(self) -> None:
        """Bring the cursor's sentence into view, its first line at least, moving the view as little as needed."""
        height = max(self.size.height, 1)
        index, position = self.at
        first, last = self._sentence_lines(index, position)
        if (index, first) < (self.top, self.skip):
            self.top, self.skip = index, first
            return
        if index >= self.top + height:
            # Far below (every paragraph takes two lines at least): start the view at it, without
            # laying out the paragraphs in between.
            self.top, self.skip = index, 0
        # Lines from the top of the view to the end of the sentence: too many, and the view moves down.
        below = sum(len(self._lines(i)) for i in range(self.top, index)) - self.skip + last + 1
        while below > height and (self.top, self.skip) < (index, first):
            if self.skip + 1 < len(self._lines(self.top)):
                self.skip += 1
            else:
                self.top, self.skip = self.top + 1, 0
            below -= 1

    # -- layout ----------------------------------------------------------------------------------

    def _laid(self, index: int) -> tuple[list[Text], list[tuple[int, int]]]:
        """Paragraph ``index`` wrapped at the current width: its lines, and each sentence's first and last line."""
        width = max(self.content_region.width, 10)
        cursor = self.at[1] if self.at[0] == index else -1
        key = (index, width, cursor)
        found = self._wrapped.get(key)
        if found is None:
            paragraph = self.paragraphs.get(index)
            if paragraph is None:
                # Not read yet: its number, until it is (and ask again, in case it was read and let go).
                if not self._asking:
                    self._asking = True
                    self.call_later(self._ask_again)
                number = Text(f"¶{self.paragraphs.number(index)} …", style=self.get_component_rich_style(
                    "source-text--number"), end="")
                return [number, Text("")], [(0, 0)]
            found = self._lay_out(paragraph, width, cursor)
            self._wrapped[key] = found
            while len(self._wrapped) > _KEEP:
                self._wrapped.popitem(last=False)
        return found

    def _lines(self, index: int) -> list[Text]:
        return self._laid(index)[0]

    def _sentence_lines(self, index: int, position: int) -> tuple[int, int]:
        spans = self._laid(index)[1]
        return spans[position] if position < len(spans) else (0, max(len(self._lines(index)) - 2, 0))

    def _lay_out(self, paragraph: TextParagraph, width: int, cursor: int) -> tuple[list[Text], list[tuple[int, int]]]:
        text = Text(end="")
        text.append(f"¶{paragraph.number} ", style=self.get_component_rich_style("source-text--number"))
        if paragraph.whole:
            text.append(f"[{paragraph.whole} on the paragraph] ",
                        style=self.get_component_rich_style("source-text--count"))
        spans: list[tuple[int, int]] = []
        if paragraph.placeholder is not None:
            start = len(text)
            text.append(clean_line(paragraph.placeholder), style="italic")
            if cursor >= 0:
                text.stylize(self.get_component_rich_style("source-text--cursor"), start, len(text))
            spans.append((start, len(text)))
        for position, (_number, sentence, cited) in enumerate(paragraph.sentences):
            start = len(text)
            text.append(clean_line(sentence))
            if cited:
                text.stylize(self.get_component_rich_style("source-text--cited"), start, len(text))
                text.append(f" [{cited}]", style=self.get_component_rich_style("source-text--count"))
            if position == cursor:
                text.stylize(self.get_component_rich_style("source-text--cursor"), start, len(text))
            spans.append((start, len(text)))
            text.append(" ")
        breaks = divide_line(text.plain, width, fold=True)
        lines = list(text.divide(breaks))
        for line in lines:
            line.rstrip()
        starts = [0, *breaks]
        sentence_lines = [(bisect_right(starts, start) - 1, bisect_right(starts, max(end - 1, start)) - 1)
                          for start, end in spans]
        return [*lines, Text("")], sentence_lines  # a blank line between paragraphs

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        index, row = self.top, y + self.skip
        while index < len(self.paragraphs):
            lines = self._lines(index)
            if row < len(lines):
                segments = list(lines[row].render(self.app.console))
                return Strip(segments).extend_cell_length(width, self.rich_style).crop(0, width)
            row -= len(lines)
            index += 1
        return Strip.blank(width, self.rich_style)

    def watch_top(self) -> None:
        self.refresh()
        self._ask()

    def on_resize(self) -> None:
        self._wrapped.clear()
        self.refresh()
        self._ask_again()

    # -- keys and the mouse ------------------------------------------------------------------------

    def action_sentence(self, step: int) -> None:
        if not len(self.paragraphs):
            return
        index, position = self.at
        paragraph = self.paragraphs.get(index)
        if paragraph is None:
            return  # still being read: the key would not know where the next sentence is
        if step > 0:
            if position + 1 < max(len(paragraph.sentences), 1):
                self.move_to(index, position + 1)
            elif index + 1 < len(self.paragraphs):
                self.move_to(index + 1, 0)
            else:
                self.move_to(index, position)
        elif position > 0:
            self.move_to(index, position - 1)
        elif index > 0:
            self.move_to(index - 1, LAST)
        else:
            self.move_to(index, 0)

    def action_paragraph(self, step: int) -> None:
        if len(self.paragraphs):
            self.move_to(min(max(self.at[0] + step, 0), len(self.paragraphs) - 1), 0)

    def action_page(self, direction: int) -> None:
        if not len(self.paragraphs):
            return
        height = max(self.size.height, 1)
        index, seen = self.top, 0
        if direction > 0:
            while index < len(self.paragraphs) - 1 and seen + len(self._lines(index)) <= height:
                seen += len(self._lines(index))
                index += 1
            self.top, self.skip = index, 0
        else:
            while index > 0 and seen + len(self._lines(index - 1)) <= height:
                index -= 1
                seen += len(self._lines(index))
            self.top, self.skip = index, 0
        self.move_to(self.top, 0)

    def action_edge(self, end: int) -> None:
        if len(self.paragraphs):
            self.move_to(len(self.paragraphs) - 1 if end else 0, 0)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.top, self.skip = min(self.top + 1, max(len(self.paragraphs) - 1, 0)), 0

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.top, self.skip = max(self.top - 1, 0), 0

    def get_content_height(self, container, viewport, width) -> int:  # type: ignore[no-untyped-def]
        return viewport.height

    def cursor_style(self) -> Style:
        return self.get_component_rich_style("source-text--cursor")
