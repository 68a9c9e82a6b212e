"""Messages that travel up to the screens and the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

__all__ = ["OpenEntity", "Place", "SourcePlace"]


@dataclass(frozen=True, slots=True)
class SourcePlace:
    """A place in a source, as the reader shows it: a paragraph and a sentence (None: its first)."""

    source_id: str
    paragraph: int | None = None
    sentence: int | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """Where to open the main screen: an entity, and the claim to highlight in it (None: its first).

    ``came_from`` is the place in a source the reader left to come here: it goes into the
    history before the entity, so that back returns to the reader there.
    """

    entity_id: str
    claim_id: str | None = None
    came_from: SourcePlace | None = None
    #: How far the claims were scrolled when the place was left (back and forward return there).
    scroll: int | None = None

    def same_place(self, other: object) -> bool:
        """The same entity at the same claim (however scrolled)."""
        return isinstance(other, Place) and (other.entity_id, other.claim_id) == (self.entity_id, self.claim_id)


class OpenEntity(Message):
    """Show this entity in the main screen, at ``claim_id`` when given (and remember it in the history)."""

    def __init__(self, entity_id: str, claim_id: str | None = None) -> None:
        super().__init__()
        self.entity_id = entity_id
        self.claim_id = claim_id
