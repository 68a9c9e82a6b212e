"""What the queries return: frozen dataclasses, never rows or dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "Alias",
    "Claim",
    "ClaimFacets",
    "ClaimHit",
    "ClaimHits",
    "ClaimQuery",
    "Dispute",
    "EntityCard",
    "EntityRef",
    "EntitySummary",
    "Evidence",
    "Facet",
    "SearchResult",
    "Source",
    "SourceRef",
    "Stats",
    "TimelineEvent",
]


class _Record:
    """What every returned record can do besides hold its fields."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as plain dicts, lists and values, nested records included (for JSON or pandas)."""
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class EntityRef(_Record):
    """Enough of an entity to show and follow a link to it."""

    id: str
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class SourceRef(_Record):
    """The citation facts of a source, as evidence carries them."""

    id: str
    title: str
    publisher: str
    authors: tuple[str, ...]
    published: str
    url: str
    grade: str
    file: str
    text_present: bool
    unconfirmed: tuple[str, ...]
    sha256: str = ""
    #: The folder an imported text was found in at import; None for a text of the corpus folder.
    corpus_dir: str | None = None


@dataclass(frozen=True, slots=True)
class Source(_Record):
    """A source with its bibliographic facts and how much of it the knowledge base cites."""

    id: str
    title: str
    publisher: str
    authors: tuple[str, ...]
    published: str
    published_display: str
    url: str
    language: str
    grade: str
    grade_note: str | None
    note: str | None
    unconfirmed: tuple[str, ...]
    file: str
    sha256: str
    text_present: bool
    paragraph_count: int | None
    claim_count: int
    evidence_count: int
    cited_paragraphs: int


@dataclass(frozen=True, slots=True)
class Evidence(_Record):
    """One locator of a claim in a source."""

    source: SourceRef
    paragraph: int
    sentence: int | None
    start: int | None
    end: int | None
    grade: int
    anaphora: bool
    paragraph_start: int | None = None
    paragraph_end: int | None = None
    #: The researcher's exact quote, for evidence an import anchored by quote.
    quote: str | None = None


@dataclass(frozen=True, slots=True)
class Claim(_Record):
    """A claim with its provenance."""

    id: str
    predicate: str
    label: str
    inverse_label: str | None
    subject: EntityRef
    object: EntityRef | None
    value: str | float | None
    unit: str | None
    value_display: str | None
    qualifier: str | None
    start: str | None
    end: str | None
    modality: str
    claimant: EntityRef | None
    statement: str | None
    inferred: str | None
    note: str | None
    disputed: bool
    evidence: tuple[Evidence, ...]
    #: What the value covers when narrower than the subject ("near the Tajik border"), or None.
    scope: str | None = None

    @property
    def source_count(self) -> int:
        """How many distinct sources support the claim."""
        return len({evidence.source.id for evidence in self.evidence})


@dataclass(frozen=True, slots=True)
class Alias(_Record):
    """A spelling of an entity's name."""

    alias: str
    weak: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class EntityCard(_Record):
    """Everything about one entity: its names, and the claims about it and by it."""

    id: str
    kind: str
    name: str
    summary: str
    note: str | None
    subtype: str | None
    date: str | None
    date_display: str | None
    date_precision: str | None
    date_inferred: bool
    place: EntityRef | None
    aliases: tuple[Alias, ...]
    outgoing: tuple[Claim, ...]
    incoming: tuple[Claim, ...]
    asserted: tuple[Claim, ...]


@dataclass(frozen=True, slots=True)
class EntitySummary(_Record):
    """A line of an entity list."""

    id: str
    kind: str
    name: str
    date: str | None
    date_display: str | None
    claim_count: int


@dataclass(frozen=True, slots=True)
class SearchResult(_Record):
    """A search hit: the entity (or passage), how well it matched, and what matched.

    ``how`` is ``exact``, ``prefix``, ``word`` or ``fuzzy`` for a name (``matched`` is the
    alias); ``summary`` when the words are in the entity's name, summary or, for an event,
    its place and actors; ``claim`` when they are in a claim about the entity (``claim`` names
    it); ``passage`` when they are in a sentence of a source text (then ``kind`` is
    ``passage``, ``id`` is ``SOURCE:PARAGRAPH.SENTENCE`` and ``citing`` the claims that cite it).
    ``snippet`` shows the matching words, at the offsets ``marks``.
    """

    id: str
    kind: str
    name: str
    score: float
    matched: str
    weak: bool
    how: str
    snippet: str | None = None
    marks: tuple[tuple[int, int], ...] = ()
    claim: str | None = None
    source: str | None = None
    paragraph: int | None = None
    sentence: int | None = None
    citing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimQuery(_Record):
    """Which claims to find: words, and filters that all apply (ids, not names, at this layer)."""

    text: str | None = None
    #: Claims about this entity: it is their subject or their object.
    entity: str | None = None
    #: Claims this entity is the subject, object or claimant of: what its entity pane lists.
    involving: str | None = None
    predicate: str | None = None
    modalities: tuple[str, ...] = ()
    #: Claims this entity makes inside a source; ``""``: those the source's own author makes (no claimant).
    claimant: str | None = None
    #: Claims with evidence from this source.
    source: str | None = None
    #: Claims with some evidence graded this or better (1 is best).
    grade: int | None = None
    #: Claims with evidence from a source graded this or better (A is best; F, cannot be judged, only F).
    source_grade: str | None = None
    disputed: bool | None = None
    #: EDTF dates: claims whose time (start and end, date value, or event date) overlaps.
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimHit(_Record):
    """A claim found by a query, with the matching words when the query had some."""

    claim: Claim
    snippet: str | None = None
    marks: tuple[tuple[int, int], ...] = ()
    #: bm25 relevance when the query had words (higher is better), else None.
    score: float | None = None


class ClaimHits(list[ClaimHit]):
    """A page of claims, best first.

    ``ranked_among``: when the words matched more claims than are ranked by relevance
    (``db.fulltext.RANK_POOL``), how many were ranked (the first ones in the index's order);
    None when every match was.
    """

    ranked_among: int | None = None


@dataclass(frozen=True, slots=True)
class Facet(_Record):
    """One value of a facet and how many claims of the selection have it."""

    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ClaimFacets(_Record):
    """Counts of the claims a query selects, by modality, predicate, source, claimant, grade and dispute."""

    total: int
    modality: tuple[Facet, ...]
    predicate: tuple[Facet, ...]
    source: tuple[Facet, ...]
    claimant: tuple[Facet, ...]
    grade: tuple[Facet, ...]
    disputed: tuple[Facet, ...]


@dataclass(frozen=True, slots=True)
class TimelineEvent(_Record):
    """An event on the timeline."""

    id: str
    name: str
    subtype: str | None
    date: str
    date_display: str
    lower: str
    upper: str
    precision: str
    place: EntityRef | None
    actors: tuple[EntityRef, ...]
    sort: str = ""
    inferred: bool = False
    """The date was resolved from a relative expression in the source."""
    """Where the event sorts: its first day, or its last day when its start is open ("before X")."""


@dataclass(frozen=True, slots=True)
class Dispute(_Record):
    """Claims on one subject and predicate that disagree."""

    id: int
    subject: EntityRef
    predicate: str
    label: str
    claims: tuple[Claim, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stats(_Record):
    """Counts of what a knowledge base holds."""

    sources: int
    entities_by_kind: tuple[tuple[str, int], ...]
    aliases: int
    claims: int
    evidence: int
    resolved_locators: int
    disputes: int
