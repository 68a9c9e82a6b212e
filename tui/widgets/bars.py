"""The title bar, the kind bar and the key bar: one line each, drawn as text rather than built from widgets.

Textual's Header, Tabs and Footer are made of a widget per part (a Footer holds one widget per
key, Tabs one per tab and an underline), and laying those out was a large part of the app's
start-up. These draw the same information as a single line of text each.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import ActiveBinding, Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from claimscope.tui.text import clean_line

__all__ = ["KeyBar", "KindBar", "TitleBar", "character_of", "key_words", "reaches"]

# -- keys as people read them, and whether a key pressed now reaches its binding ------------------------
# The key bar shows only the keys that work where the focus is, and the help screen names every
# key in words. A key that types (a letter, a digit, ``/``) does nothing but type in a text box,
# and on a list that filters as you type it goes to the filter.

#: Keys whose names are not their characters.
_CHARACTERS = {
    "slash": "/", "question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]", "space": " ",
    "full_stop": ".", "comma": ",", "minus": "-", "plus": "+", "colon": ":", "semicolon": ";",
    "exclamation_mark": "!", "number_sign": "#", "apostrophe": "'", "quotation_mark": '"',
}

#: How the help screen and the README name keys that are not characters.
_WORDS = {
    "escape": "Esc", "enter": "Enter", "backspace": "Backspace", "delete": "Delete", "tab": "Tab",
    "space": "Space", "up": "Up", "down": "Down", "left": "Left", "right": "Right", "home": "Home", "end": "End",
    "pageup": "Page Up", "pagedown": "Page Down", "insert": "Insert",
}


def character_of(key: str) -> str | None:
    """The character a key types (``t``, ``/``, a space), or None for keys that type nothing (Enter, Ctrl+T)."""
    if len(key) == 1:
        return key if key.isprintable() else None
    return _CHARACTERS.get(key)


def key_words(key: str) -> str:
    """A key as the help screen writes it: ``Ctrl+T``, ``Page Down``, ``Esc``, ``[``, ``C``."""
    *modifiers, name = key.split("+")
    if name in _CHARACTERS and not modifiers:
        return _CHARACTERS[name] if name != "space" else "Space"
    word = _WORDS.get(name) or (name.upper() if len(name) == 1 and modifiers else name)
    if name.startswith("f") and name[1:].isdigit():
        word = name.upper()
    return "+".join([*(modifier.capitalize() for modifier in modifiers), word])


def reaches(screen: Screen[object], active: ActiveBinding, key: str) -> bool:
    """Whether pressing ``key`` now, with the focus where it is on ``screen``, runs ``active``'s binding.

    (``screen.active_bindings`` already gives each key to the binding nearest the focus.)
    """
    if active.binding.priority:
        return True  # checked before the focused widget sees the key
    focused = screen.focused
    character = character_of(key)
    if character is None or focused is None:
        return True
    if isinstance(focused, Input):
        return False  # a text box types every character
    typing_target = getattr(focused, "typing_target", None)
    # A list that filters as you type sends the character to its filter.
    return typing_target is None or typing_target(character) is None


def _capitalized(label: str) -> str:
    """A label of the key bar as the others read ("Palette", where Textual writes "palette")."""
    return label[:1].upper() + label[1:]


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

    KEEP = frozenset({"help", "quit", "command_palette", "dismiss", "filter"})
    LAST = ("help", "quit", "command_palette")
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
        """The bindings to show, one per action, in the order the screen and app declare them.

        Only keys that work where the focus is are shown: not a letter while a text box or a list
        that filters as you type has the focus (it would be typed), nor a key a widget nearer the
        focus takes for itself. An action shown in the bar whose shown key does not work there is
        shown with another of its keys that does (Help: ``?``, or F1 in a text box).
        """
        active = self.screen.active_bindings
        chain = self.screen._modal_binding_chain
        # Actions meant for the bar: shown by one of their bindings, even one that does not work here.
        for_the_bar = {binding.action for node, _ in chain for _, binding in node._bindings if binding.show}
        by_action: dict[str, list[tuple[str, Binding, bool]]] = {}
        for _node, bindings in chain:
            for key, binding in bindings:
                found = active.get(key)
                if found is None or found.binding is not binding:
                    continue  # left out by check_action, or taken by a binding nearer the focus
                works = reaches(self.screen, found, key)
                by_action.setdefault(binding.action, []).append((key, binding, works and found.enabled))
        shown: list[tuple[Binding, bool]] = []
        last: dict[str, tuple[Binding, bool]] = {}
        for action, keys in by_action.items():
            palette = any(binding.key == self.app.COMMAND_PALETTE_BINDING for _, binding, _ in keys)
            if not palette and action not in for_the_bar:
                continue
            working = [binding for _, binding, works in keys if works]
            if not working:
                continue
            binding = next((binding for binding in working if binding.show), working[0])
            if action in self.LAST:
                last[action] = (binding, True)
            else:
                shown.append((binding, True))
        # Help, quit and the palette close the bar, always in the same place.
        shown.extend(last[action] for action in self.LAST if action in last)
        return shown

    DROP_FIRST = ("find_claims", "disputes", "sources", "timeline", "citation_format", "forward")
    """Actions dropped first from a bar too narrow for all (then the rest, from the right)."""

    def render(self) -> Content:
        shown = self.shown_bindings()
        items = [(self.app.get_key_display(binding), _capitalized(binding.description or binding.action), enabled,
                  binding.key.split(",")[0], binding.action in self.KEEP)
                 for binding, enabled in shown]
        actions = [binding.action for binding, _ in shown]
        width = self.size.width or 80
        # Too wide: first drop the keys the help screen lists anyway, then the padding between keys (without it,
        # key and label run together: "r Read / Search").
        padding = " "
        while self._width(items, padding) > width and any(not keep for *_, keep in items):
            droppable = [index for index, (*_, keep) in enumerate(items) if not keep]
            ranked = [index for action in self.DROP_FIRST for index in droppable if actions[index] == action]
            dropped = ranked[0] if ranked else max(droppable)
            del items[dropped]
            del actions[dropped]
        if self._width(items, padding) > width:
            padding = ""
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


class KindBar(Widget):
    """The kinds of entity with their counts, the one shown marked; a click chooses one.

    Drawn as one line of text; the kind shown is in reverse video and between ``[`` ``]``-free
    markers of its own (``▸ Groups 33``), so that it stands out without colour too.
    """

    DEFAULT_CSS = """
    KindBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text-muted;
    }
    """

    class Chosen(Message):
        """The kind ``kind`` was chosen with a click."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def __init__(self, kinds: list[tuple[str, str, int]], *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        #: (kind, title, count) in the order shown.
        self.kinds = kinds
        self.current = kinds[0][0] if kinds else ""
        self._spans: list[tuple[int, int, str]] = []

    def show(self, kind: str) -> None:
        """Mark ``kind`` as the one shown."""
        if kind != self.current:
            self.current = kind
            self.refresh()

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for kind, title, count in self.kinds:
            start = len(line)
            if kind == self.current:
                line.append(f" ▸{title} {count} ", style="bold reverse")
            else:
                line.append(f"  {title} {count} ")
            self._spans.append((start, len(line), kind))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, kind in self._spans:
            if start <= event.x < end:
                event.stop()
                self.post_message(self.Chosen(kind))
                return
