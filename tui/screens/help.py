"""The help screen: every key, from the bindings themselves so that it cannot go stale."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen"]

INTRO = (
    "claimscope shows claims with their provenance. Choose an entity in the lists (or search with /); "
    "its claims are grouped by predicate; the pane below shows where the highlighted claim comes from, "
    "with the cited sentence highlighted in its paragraph when the text is on this machine. "
    "Modalities: asserted (the author says so), reported, claimed (an actor about itself), "
    "alleged (an accusation), estimated (a figure), hedged, denied. "
    "c sends a citation to the terminal's clipboard as an OSC 52 sequence: it arrives only if the terminal "
    "accepts OSC 52 (in tmux: set -g set-clipboard on); C changes its format."
)


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the app and of the screen underneath."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.key_list = bindings

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for keys, description in self.key_list:
            table.add_row(keys, description)
        with VerticalScroll(id="help-box"):
            yield Static(INTRO, id="help-intro")
            yield Static(table, id="help-keys")
