"""Messages that travel up to the screens and the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

__all__ = ["OpenEntity", "Place"]


@dataclass(frozen=True, slots=True)
class Place:
    """Where to open the main screen: an entity, and the claim to highlight in it (None: its first)."""

    entity_id: str
    claim_id: str | None = None


class OpenEntity(Message):
    """Show this entity in the main screen, at ``claim_id`` when given (and remember it in the history)."""

    def __init__(self, entity_id: str, claim_id: str | None = None) -> None:
        super().__init__()
        self.entity_id = entity_id
        self.claim_id = claim_id
