"""The title bar and the key bar: one line each, drawn as text rather than built from widgets.

Textual's Header and Footer are made of a widget per part (a Footer holds one widget per
key), and laying those out was a fifth of the app's start-up. These two draw the same
information as a single line of text each.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

from claimscope.tui.text import clean_line

__all__ = ["KeyBar", "TitleBar"]


class TitleBar(Widget):
    """The app's title and the screen's subtitle (the entity or view being read)."""

    DEFAULT_CSS = """
    TitleBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        text-align: center;
    }
    """

    def on_mount(self) -> None:
        for name in ("title", "sub_title"):
            self.watch(self.screen, name, self._redraw, init=False)

    def _redraw(self) -> None:
        self.refresh()

    def render(self) -> Text:
        # A Text, so never parsed as markup; cleaned, because a Text keeps escape sequences.
        title = Text(clean_line(self.screen.title or self.app.title), style="bold")
        if self.screen.sub_title:
            title.append(" — ")
            title.append(clean_line(self.screen.sub_title), style="italic")
        title.truncate(max(1, self.size.width), overflow="ellipsis")
        return title


class KeyBar(Widget):
    """The keys that work here, each with what it does; clicking one presses it."""

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
    }
    """

    KEEP = frozenset({"help", "quit", "command_palette", "dismiss"})
    """Actions shown however narrow the screen: the rest are on the help screen."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def shown_bindings(self) -> list[tuple[Binding, bool]]:
        """The bindings to show, one per action, in the order the screen and app declare them."""
        seen: set[str] = set()
        shown: list[tuple[Binding, bool]] = []
        palette: tuple[Binding, bool] | None = None
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.key == self.app.COMMAND_PALETTE_BINDING and self.app.ENABLE_COMMAND_PALETTE:
                palette = (binding, active.enabled)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            shown.append((binding, active.enabled))
        if palette is not None:
            shown.append(palette)
        return shown

    def render(self) -> Content:
        items = [(self.app.get_key_display(binding), binding.description or binding.action, enabled,
                  binding.key.split(",")[0], binding.action in self.KEEP)
                 for binding, enabled in self.shown_bindings()]
        width = self.size.width or 80
        # Too wide: first drop the padding, then the keys the help screen lists anyway.
        padding = " "
        if self._width(items, padding) > width:
            padding = ""
        while self._width(items, padding) > width and any(not keep for *_, keep in items):
            dropped = max(index for index, (*_, keep) in enumerate(items) if not keep)
            del items[dropped]
        parts: list[tuple[str, str]] = []
        self._spans = []
        column = 0
        for key_display, label, enabled, key, _keep in items:
            key_part, label_part = f"{padding}{key_display} ", f"{label} "
            parts += [(key_part, "bold $accent" if enabled else "dim"), (label_part, "" if enabled else "dim")]
            self._spans.append((column, column + len(key_part) + len(label_part), key))
            column += len(key_part) + len(label_part)
        return Content.assemble(*parts)

    @staticmethod
    def _width(items: list[tuple[str, str, bool, str, bool]], padding: str) -> int:
        return sum(len(padding) + len(key) + len(label) + 2 for key, label, *_ in items)

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
