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
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["Fetch", "VirtualList"]

#: Rows asked for at a time, and how many such pages are kept.
PAGE = 100
KEEP_PAGES = 16

#: ``fetch(offset, limit)`` returns up to ``limit`` rows from ``offset``: (id, line) pairs.
Fetch = Callable[[int, int], list[tuple[str, Text]]]


def _no_rows(_offset: int, _limit: int) -> list[tuple[str, Text]]:
    return []


class VirtualList(ScrollView, can_focus=True):
    """Rows ``(id, line)`` from a fetch function; Enter or a click selects the row under the cursor."""

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

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual names it id
        super().__init__(id=id, classes=classes)
        self._fetch: Fetch = _no_rows
        self._total = 0
        self._pages: OrderedDict[int, list[tuple[str, Text]]] = OrderedDict()

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
        self.virtual_size = Size(self.size.width, self._total)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = 0
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

    @property
    def highlighted_id(self) -> str | None:
        found = self.row(self.cursor)
        return found[0] if found else None

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        found = self.row(index)
        if found is None:
            return Strip.blank(width, base)
        # A space before each row, and an ellipsis where a long name is cut.
        line = Text(" ", end="", no_wrap=True) + found[1]
        line.truncate(width, overflow="ellipsis")
        segments = list(line.render(self.app.console))
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style(
                "virtual-list--cursor" if self.has_focus else "virtual-list--cursor-blurred"
            )
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
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self._total)

    # -- keys and the mouse ----------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(self.scrollable_content_region.height - 1, 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self._total - 1

    def action_select(self) -> None:
        item = self.highlighted_id
        if item is not None:
            self.post_message(self.Selected(self, self.cursor, item))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < self._total:
            self.cursor = index
            self.action_select()
