"""The claimscope Textual app: wiring only; the screens hold the behaviour."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from tui.screens.main import MainScreen

__all__ = ["ClaimscopeApp", "make_app"]


class ClaimscopeApp(App[None]):
    """Browse a knowledge base of claims with provenance."""

    TITLE = "claimscope"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("ctrl+c", "quit", "Quit", show=False)]

    def __init__(self, db_path: Path, corpus: Path | None = None, entity: str | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.corpus = corpus
        self.start_entity = entity

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.db_path, self.start_entity))


def make_app(db_path: Path, corpus: Path | None = None, entity: str | None = None) -> ClaimscopeApp:
    """Build the app; the CLI and the tests both start here."""
    return ClaimscopeApp(Path(db_path), corpus=corpus, entity=entity)
