"""Messages that travel up to the screens and the app."""

from __future__ import annotations

from textual.message import Message

__all__ = ["OpenEntity"]


class OpenEntity(Message):
    """Show this entity in the main screen (and remember it in the history)."""

    def __init__(self, entity_id: str) -> None:
        super().__init__()
        self.entity_id = entity_id
