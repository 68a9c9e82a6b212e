"""The help screen: every key of the screen underneath, once each, in words, from the bindings themselves.

The keys of the screen come first (its bindings, and the keys of the widgets inside it, which the
screen lists in ``HELP_KEYS``), then the keys that work everywhere. A key is listed once, with
everything it does; Textual's own keys are named in words too (Tab, Ctrl+C, Ctrl+P).
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from claimscope.tui.widgets.bars import key_words

__all__ = ["HelpScreen", "TextScreen", "help_sections"]

INTRO = (
    "claimscope shows claims with their provenance. Choose an entity in the lists (type on a list to filter "
    "it, or search with /); its claims are grouped by predicate; the pane below shows where the highlighted "
    "claim comes from, scrolled to the cited sentence, highlighted in its paragraph when the text is on this "
    "machine. Modalities: asserted (the author says so), reported, claimed (an actor about itself), "
    "alleged (an accusation), estimated (a figure), hedged, denied. "
    "c sends a citation to the terminal's clipboard as an OSC 52 sequence: it arrives only if the terminal "
    "accepts OSC 52 (in tmux: set -g set-clipboard on); C changes its format."
)

#: What Textual's own actions do, in words (they come with names, not descriptions).
TEXTUAL_ACTIONS = {
    "app.focus_next": "the next pane", "app.focus_previous": "the previous pane",
    "screen.copy_text": "copy the text selected with the mouse",
    "command_palette": "the command palette: entities by name, and actions",
}
#: Textual's keys left out: Ctrl+C also asks "press Ctrl+Q to quit", which the Quit line says.
LEFT_OUT = frozenset({"help_quit"})


#: Actions listed last, in this order, where they are in the key bar too.
LAST = ("help", "quit", "command_palette")


def _rows(bindings: list[tuple[str, Binding]], seen: set[str]) -> list[tuple[str, str]]:
    """One row per action: its keys in words (those not listed yet) and what it does."""
    bindings = sorted(bindings, key=lambda pair: LAST.index(pair[1].action) + 1 if pair[1].action in LAST else 0)
    by_action: dict[str, tuple[list[str], Binding]] = {}
    for key, binding in bindings:
        if binding.action in LEFT_OUT or key.startswith("super+"):
            continue
        keys, _ = by_action.setdefault(binding.action, ([], binding))
        words = key_words(key)
        if words.lower() not in seen and words not in keys:
            keys.append(words)
    rows = []
    for action, (keys, binding) in by_action.items():
        if not keys:
            continue
        seen.update(key.lower() for key in keys)
        description = TEXTUAL_ACTIONS.get(action) or binding.tooltip or binding.description or action
        # A letter that doubles a Ctrl key (t for Ctrl+T) goes to a list's filter when typed on a list: the
        # Ctrl key is the key, and the letter is said to work off the lists.
        letters = [key for key in keys if len(key) == 1 and key.isalpha() and f"Ctrl+{key.upper()}" in keys]
        if letters:
            keys = [key for key in keys if key not in letters]
            description += f" ({', '.join(letters)} off the lists)"
        rows.append((" or ".join(keys), description))
    return rows


def help_sections(app: App[Any], screen: Screen[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The keys of ``screen``, then those of the app, each key once: (heading, [(keys, what they do)])."""
    seen: set[str] = set()
    here: list[tuple[str, str]] = []
    # The widgets' keys, as the screen words them: "Enter", "Page Up, Page Down".
    for keys, description in getattr(screen, "HELP_KEYS", ()):
        fresh = [key for key in (part.strip() for part in keys.split(",")) if key.lower() not in seen]
        if fresh:
            seen.update(key.lower() for key in fresh)
            here.append((", ".join(fresh), description))
    # Textual's own keys (Tab, Ctrl+C) work on every screen: they are listed with the app's.
    textual = [(key, binding) for key, binding in screen._bindings
               if binding.action.startswith(("app.", "screen."))]
    own = [(key, binding) for key, binding in screen._bindings if (key, binding) not in textual]
    here.extend(_rows(own, seen))
    everywhere = _rows([*app._bindings, *textual], seen)
    return [("On this screen", here), ("Everywhere", everywhere)]


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen underneath and of the app."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    @property
    def key_list(self) -> list[tuple[str, str]]:
        """Every (keys, description) row, in order."""
        return [row for _, rows in self.sections for row in rows]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for number, (heading, rows) in enumerate(self.sections):
            if not rows:
                continue
            if number:
                table.add_row("", "")
            table.add_row(Text(heading, style="underline"), "")
            for keys, description in rows:
                table.add_row(keys, description)
        with VerticalScroll(id="help-box"):
            yield Static(table, id="help-keys")
            yield Static(INTRO, id="help-intro")
            yield Static(Text("Esc closes this help.", style="dim"), id="help-close")


class TextScreen(ModalScreen[None]):
    """A box of text over the screen, scrolled with the keys; Esc closes it (an entity's whole description)."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS = [Binding("escape,q,i", "dismiss", "Close")]

    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self.text, id="text-body")
            yield Static(Text("Esc closes this.", style="dim"), id="help-close")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
