"""Messages that travel up to the screens and the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

__all__ = ["OpenEntity", "Place", "SourcePlace", "ViewPlace"]


@dataclass(frozen=True, slots=True)
class SourcePlace:
    """A place in a source, as the reader shows it: a paragraph and a sentence (None: its first)."""

    source_id: str
    paragraph: int | None = None
    sentence: int | None = None


@dataclass(frozen=True, slots=True)
class ViewPlace:
    """A view over the main screen as it was left (the claims view, the disputes): back opens it so again.

    ``view`` names it (``claims``, ``disputes``); ``state`` is the view's own frozen record of what it
    showed (its query and filters, where its cursor was).
    """

    view: str
    state: object = None


@dataclass(frozen=True, slots=True)
class Place:
    """Where to open the main screen: an entity, and the claim to highlight in it (None: its first).

    ``came_from`` is the place in a source the reader left to come here, or the view Enter was
    pressed in: it goes into the history before the entity, so that back returns there.
    """

    entity_id: str
    claim_id: str | None = None
    came_from: SourcePlace | ViewPlace | None = None
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
