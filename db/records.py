"""What the builder writes: plain frozen records, produced by ``seed`` (or a generator)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AliasRecord",
    "ClaimRecord",
    "EntityRecord",
    "EvidenceRecord",
    "PassageRecord",
    "PredicateRecord",
    "Records",
    "SourceRecord",
]

KINDS = ("group", "outlet", "person", "place", "event")
MODALITIES = ("asserted", "reported", "claimed", "alleged", "estimated", "hedged", "denied")
#: Modalities in which somebody inside the source, not its author, makes the assertion.
NEEDS_CLAIMANT = frozenset({"claimed", "alleged", "estimated", "denied"})
VALUE_TYPES = ("number", "text", "date")
#: How a figure is hedged in its source: "about 100", "at least 55", "more than 140".
QUALIFIERS = ("about", "at least", "more than", "at most", "fewer than", "up to")
SOURCE_GRADES = ("A", "B", "C", "D", "E", "F")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A source text and its bibliographic facts."""

    id: str
    file: str
    sha256: str
    title: str
    publisher: str
    authors: tuple[str, ...]
    published: str
    url: str
    grade: str
    language: str = "en"
    grade_note: str | None = None
    note: str | None = None
    unconfirmed: tuple[str, ...] = ()
    text_present: bool = False
    paragraph_count: int | None = None
    body: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: The folder an imported text was found in; None for a text of the corpus folder.
    corpus_dir: str | None = None
    #: When an import added the source (ISO time); None for a source of the seed files.
    imported: str | None = None


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """A group, outlet, person, place or event."""

    id: str
    kind: str
    name: str
    summary: str
    note: str | None = None
    subtype: str | None = None
    #: When an import added the entity (ISO time); None for an entity of the seed files.
    imported: str | None = None


@dataclass(frozen=True, slots=True)
class AliasRecord:
    """One spelling under which an entity appears."""

    entity_id: str
    alias: str
    weak: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PredicateRecord:
    """One word of the claim vocabulary."""

    id: str
    label: str
    subject_kinds: tuple[str, ...]
    object_kinds: tuple[str, ...] = ()
    value_type: str | None = None
    inverse_label: str | None = None
    functional: bool = False
    self_claim: bool = False
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """A claim: subject, predicate, object or value, and who asserts it how firmly."""

    id: str
    subject: str
    predicate: str
    object: str | None = None
    value_text: str | None = None
    value_number: float | None = None
    value_date: str | None = None
    unit: str | None = None
    qualifier: str | None = None
    start: str | None = None
    end: str | None = None
    modality: str = "asserted"
    claimant: str | None = None
    statement: str | None = None
    inferred: str | None = None
    note: str | None = None
    contradicts: tuple[str, ...] = ()
    #: What a figure or value covers when it is narrower than the subject as a whole ("near the
    #: Tajik border"); values of different scope are not a dispute.
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """A locator that ties a claim to a passage of a source."""

    claim_id: str
    source_id: str
    paragraph: int
    grade: int
    sentence: int | None = None
    start: int | None = None
    end: int | None = None
    anaphora: bool = False
    paragraph_start: int | None = None
    paragraph_end: int | None = None
    #: The exact quote the researcher anchored this evidence by (imports), or None.
    quote: str | None = None


@dataclass(frozen=True, slots=True)
class PassageRecord:
    """A body sentence of a source text present at build or import, indexed for passage search."""

    source_id: str
    paragraph: int
    sentence: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Records:
    """Everything one build writes."""

    sources: tuple[SourceRecord, ...] = ()
    predicates: tuple[PredicateRecord, ...] = ()
    entities: tuple[EntityRecord, ...] = ()
    aliases: tuple[AliasRecord, ...] = ()
    claims: tuple[ClaimRecord, ...] = ()
    evidence: tuple[EvidenceRecord, ...] = ()
    meta: tuple[tuple[str, str], ...] = field(default=())
    passages: tuple[PassageRecord, ...] = ()
