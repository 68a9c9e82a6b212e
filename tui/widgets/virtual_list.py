"""A list that draws only the rows on screen and fetches them a page at a time.

Textual's OptionList holds every option as a widget-side object: filled with 100,000
rows it takes seconds and well over 100 MB to mount. This list knows only how many rows
there are; it asks for a page of rows when one comes into view and keeps a few pages, so
the first row and the last one of a 35,000-entity list are equally quick to reach.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["Fetch", "VirtualList"]

#: Rows asked for at a time, and how many such pages are kept.
PAGE = 100
KEEP_PAGES = 16

#: ``fetch(offset, limit)`` returns up to ``limit`` rows from ``offset``: (id, line) pairs.
Fetch = Callable[[int, int], list[tuple[str, Text]]]

#: Characters a list that filters as you type leaves to the keys bound to them: search, help, back, forward.
KEPT_CHARACTERS = frozenset("/?[]")


def _no_rows(_offset: int, _limit: int) -> list[tuple[str, Text]]:
    return []


class VirtualList(ScrollView, can_focus=True):
    """Rows ``(id, line)`` from a fetch function; Enter or a click selects the row under the cursor.

    A row may take several lines (``lines``): its text holds them separated by newlines, each cut to the width.
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--cursor-blurred"}

    DEFAULT_CSS = """
    VirtualList { height: 1fr; overflow-x: hidden; overflow-y: auto; }
    VirtualList > .virtual-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground;
                                         text-style: $block-cursor-text-style; }
    VirtualList > .virtual-list--cursor-blurred { background: $block-cursor-blurred-background; }
    VirtualList:nocolor > .virtual-list--cursor { text-style: reverse bold; }
    VirtualList:nocolor > .virtual-list--cursor-blurred { text-style: underline; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to the row ``index`` whose id is ``item_id``."""

        def __init__(self, virtual_list: VirtualList, index: int, item_id: str) -> None:
            super().__init__()
            self.virtual_list = virtual_list
            self.index = index
            self.item_id = item_id

        @property
        def control(self) -> VirtualList:
            return self.virtual_list

    class Selected(Highlighted):
        """The row ``index`` was chosen with Enter or a click."""

    def __init__(self, fetch: Fetch = _no_rows, total: int = 0, *, id: str | None = None,  # noqa: A002 - Textual's name
                 classes: str | None = None, lines: int = 1) -> None:
        """A list of ``total`` rows served by ``fetch`` (``set_rows`` changes them), each ``lines`` lines high.

        Rows given here are in the list's first layout, its scroll bar included: one layout, not two.
        """
        super().__init__(id=id, classes=classes)
        self._fetch: Fetch = fetch
        self._total = max(total, 0)
        self.lines = max(lines, 1)
        if self._total:
            self.virtual_size = Size(0, self._total * self.lines)
        self._pages: OrderedDict[int, list[tuple[str, Text]]] = OrderedDict()
        #: The text box that what is typed on the list goes to (type-to-filter), if the list has one.
        self.filter_box: Widget | None = None
        #: What the list says when it has no rows (a filter that matches nothing), on its first line.
        self.empty_text: Text | None = None
        self._line_styles: tuple[Style, Style] | None = None
        #: The cursor was moved from outside the list: bring it to the middle when it is out of view.
        self._center_cursor = False

    def typing_target(self, character: str) -> Widget | None:
        """Where ``character`` typed on the list goes: its filter (the app moves the focus there first)."""
        if self.filter_box is None or character in KEPT_CHARACTERS:
            return None
        return self.filter_box

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # What is typed goes to the filter: the bindings of those keys are left out of the key bar.
        return character is not None and character.isprintable() and self.typing_target(character) is not None

    # -- the rows ------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._total

    @property
    def pages_held(self) -> int:
        """How many pages of rows are in memory (never more than a few)."""
        return len(self._pages)

    def set_rows(self, fetch: Fetch, total: int) -> None:
        """Show ``total`` rows served by ``fetch``, with the cursor on the first."""
        self._fetch = fetch
        self._total = max(total, 0)
        self._pages.clear()
        self.virtual_size = Size(0, self._total * self.lines)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = 0
        self.refresh()

    def lay_out_again(self) -> None:
        """Read the rows again (their layout has changed), keeping the cursor and the scroll where they are."""
        self._pages.clear()
        self.refresh()

    def row(self, index: int) -> tuple[str, Text] | None:
        """The row at ``index``, fetched with its page if it is not held."""
        if not 0 <= index < self._total:
            return None
        page_number, position = divmod(index, PAGE)
        page = self._pages.get(page_number)
        if page is None:
            page = self._fetch(page_number * PAGE, PAGE)
            self._pages[page_number] = page
            while len(self._pages) > KEEP_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[position] if position < len(page) else None

    def index_of(self, item_id: str) -> int | None:
        """The row of ``item_id`` among the pages held (None when it is not in them)."""
        for page_number, page in self._pages.items():
            for position, (row_id, _line) in enumerate(page):
                if row_id == item_id:
                    return page_number * PAGE + position
        return None

    def move_to(self, index: int, quiet: bool = False) -> None:
        """Put the cursor on row ``index``; ``quiet`` moves it without saying so (no Highlighted message)."""
        if quiet:
            # Moved from elsewhere (the list follows the entity shown): out of view, the row comes to the middle.
            self.set_reactive(VirtualList.cursor, min(max(index, 0), max(self._total - 1, 0)))
            self._center_cursor = True
            self._scroll_to_cursor()
            self.refresh()
        else:
            self.cursor = index

    @property
    def highlighted_id(self) -> str | None:
        found = self.row(self.cursor)
        return found[0] if found else None

    # -- drawing -------------------------------------------------------------------------------

    def render_lines(self, crop):  # type: ignore[no-untyped-def]
        # The styles are the same for every line of one drawing: worked out once, not per line.
        self._line_styles = None
        return super().render_lines(crop)

    def line_styles(self) -> tuple[Style, Style]:
        """The style of a row, and of the row under the cursor (as focused or not)."""
        if self._line_styles is None:
            base = self.rich_style
            cursor = base + self.get_component_rich_style(
                "virtual-list--cursor" if self.has_focus else "virtual-list--cursor-blurred")
            self._line_styles = (base, cursor)
        return self._line_styles

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index, part = divmod(scroll_y + y, self.lines)
        width = self.scrollable_content_region.width
        base, cursor = self.line_styles()
        found = self.row(index)
        if found is None and index == 0 and not self._total and self.empty_text is not None:
            found = ("", self.empty_text)
        if found is None:
            return Strip.blank(width, base)
        text = found[1]
        if self.lines > 1:
            parts = text.split("\n", allow_blank=True)
            text = parts[part] if part < len(parts) else Text("")
            text.no_wrap, text.end = True, ""
        # A space before each row, and an ellipsis where a long name is cut.
        line = Text(" ", end="", no_wrap=True) + text
        line.truncate(width, overflow="ellipsis")
        segments = list(line.render(self.app.console))
        style = cursor if index == self.cursor and self._total else base
        strip = Strip(Segment.apply_style(segments, style)).extend_cell_length(width, style)
        return strip.crop(scroll_x, scroll_x + width)

    def watch_cursor(self, old: int, new: int) -> None:
        if self._total == 0:
            return
        clamped = min(max(new, 0), self._total - 1)
        if clamped != new:
            self.cursor = clamped
            return
        self._scroll_to_cursor()
        self.refresh()
        item = self.highlighted_id
        if item is not None:
            self.post_message(self.Highlighted(self, clamped, item))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height // self.lines  # in rows
        if not height:
            return  # not laid out yet: on_resize scrolls
        top = -(-int(self.scroll_y) // self.lines)  # the first row on screen whole
        if top <= self.cursor < top + height:
            self._center_cursor = False
            return
        if self._center_cursor:
            y = self.cursor - height // 2
        else:
            y = self.cursor if self.cursor < top else self.cursor - height + 1
        self._center_cursor = False
        self.scroll_to(y=max(y, 0) * self.lines, animate=False, immediate=True)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        # The rows are as wide as the list (cut with an ellipsis): the virtual size has no width of its own, so a
        # new size changes no layout; the cursor is kept in view (a list first laid out after it moved).
        self._scroll_to_cursor()

    # -- keys and the mouse ----------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(self.scrollable_content_region.height // self.lines - 1, 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self._total - 1

    def action_select(self) -> None:
        item = self.highlighted_id
        if item is not None:
            self.post_message(self.Selected(self, self.cursor, item))

    def on_click(self, event: events.Click) -> None:
        index = (int(self.scroll_y) + event.y) // self.lines
        if 0 <= index < self._total:
            self.cursor = index
            self.action_select()
