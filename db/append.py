"""Change a knowledge base in place: add what an import brings, remove what a source alone supports.

Both work inside the caller's transaction on a writable connection, and touch only the rows
of the note and what those rows change: the entities its claims name (their claim counts,
an event's date, place and context, their full-text rows), the disputes of the subjects and
predicates it speaks of, the trigram counts of its spellings. Every statement goes through an
index, so the cost follows the note, not the knowledge base. What they write is what a full
build of the same records writes (the dispute groups may be numbered otherwise).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimscope.db.build import (
    ALIAS_INSERT,
    CLAIM_COLUMNS,
    ENTITY_COLUMNS,
    EVIDENCE_INSERT,
    PASSAGE_INSERT,
    PREDICATE_COLUMNS,
    SOURCE_COLUMNS,
    _claim_time,
    _disputes,
    _event_context,
    _event_dates,
    _marks,
    _span,
    alias_row,
    bindable,
    claim_row,
    entity_row,
    event_columns,
    evidence_row,
    passage_row,
    predicate_row,
    source_row,
    writing,
)
from claimscope.db.dump import open_knowledge_base
from claimscope.db.files import UnusableFile
from claimscope.db.folding import fold
from claimscope.db.known import KnownBase, claim_records
from claimscope.db.records import (
    AliasRecord,
    ClaimRecord,
    EntityRecord,
    EvidenceRecord,
    PassageRecord,
    PredicateRecord,
    SourceRecord,
)

__all__ = ["Addition", "Removal", "Transaction", "append", "changing", "reading", "remove_sources"]

_CHUNK = 500
_DECLARED = ("contradicts", "contradicted")


@dataclass
class Addition:
    """What one import adds."""

    sources: list[SourceRecord] = field(default_factory=list)
    predicates: list[PredicateRecord] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)
    #: Imported entities that the files define again (``import --replace``): name, summary, note replaced.
    updated: list[EntityRecord] = field(default_factory=list)
    #: The new entities' spellings and those merged into entities already there.
    aliases: list[AliasRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    #: Evidence for the new claims and for claims already there (corroboration).
    evidence: list[EvidenceRecord] = field(default_factory=list)
    passages: list[PassageRecord] = field(default_factory=list)


@dataclass
class Removal:
    """What removing sources took out."""

    sources: list[str] = field(default_factory=list)
    evidence: int = 0
    claims: list[str] = field(default_factory=list)  # the claims no other source supports
    kept: int = 0  # claims that lost this evidence but keep another source's
    entities: list[str] = field(default_factory=list)  # imported entities nothing speaks of any more
    aliases: int = 0
    passages: int = 0


def _chunks(values: Iterable[object]) -> Iterator[list[object]]:
    ordered = sorted(set(values), key=str)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def _trigrams(text: str) -> set[str]:
    return {text[index:index + 3] for index in range(len(text) - 2)}


class _Change:
    """The bookkeeping of one change: which entities, trigrams and disputes must be worked out again."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.entities: set[str] = set()  # taken out of entities_fts; put back, refreshed, by finish()
        self.trigrams: set[str] = set()
        self.dispute_keys: set[tuple[str, str]] = set()
        self.flag: set[str] = set()  # claims whose disputed flag may change
        self.retime: set[str] = set()  # claims whose time may change
        self.records: dict[str, ClaimRecord] = {}  # claims at hand (the new ones): not read back
        self.kind_counts: dict[str, int] = defaultdict(int)

    def query(self, sql: str, values: Iterable[object], *extra: object) -> list[tuple[Any, ...]]:
        """``sql`` with ``{marks}`` for the chunk of ``values``, run chunk by chunk."""
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(values):
            rows += self.connection.execute(sql.format(marks=_marks(len(chunk))), (*chunk, *extra)).fetchall()
        return rows

    def execute(self, sql: str, values: Iterable[object]) -> None:
        for chunk in _chunks(values):
            self.connection.execute(sql.format(marks=_marks(len(chunk))), chunk)

    # -- entities --------------------------------------------------------------------------------------

    def touch(self, entity_ids: Iterable[str]) -> None:
        """Take these entities' rows out of the name index before anything of theirs changes."""
        fresh = set(entity_ids) - self.entities
        if fresh:
            self.execute(
                "INSERT INTO entities_fts (entities_fts, rowid, name, alias_text, summary, context)"
                " SELECT 'delete', rowid, name, alias_text, summary, context FROM entities WHERE id IN ({marks})",
                fresh)
            self.entities |= fresh

    def add_entities(self, entities: list[EntityRecord]) -> None:
        self.connection.executemany(f"INSERT INTO entities VALUES ({_marks(ENTITY_COLUMNS)})",
                                    (entity_row(e, None, "", "", 0) for e in entities))
        self.entities |= {e.id for e in entities}  # not indexed yet: finish() indexes them
        for entity in entities:
            self.kind_counts[entity.kind] += 1

    def update_entities(self, entities: list[EntityRecord]) -> None:
        self.touch(e.id for e in entities)
        self.connection.executemany(
            "UPDATE entities SET name = ?, sort_name = ?, summary = ?, note = ?, subtype = ? WHERE id = ?",
            ((e.name, fold(e.name), e.summary, e.note, e.subtype, e.id) for e in entities))

    def add_aliases(self, aliases: list[AliasRecord]) -> None:
        if not aliases:
            return
        self.touch(a.entity_id for a in aliases)
        last = self.connection.execute("SELECT COALESCE(MAX(id), 0) FROM aliases").fetchone()[0]
        rows = [alias_row(a) for a in aliases]
        self.connection.executemany(ALIAS_INSERT, rows)
        self.connection.execute("INSERT INTO aliases_fts (rowid, folded) SELECT id, folded FROM aliases WHERE id > ?",
                                (last,))
        self.connection.execute(
            "INSERT INTO aliases_trigram (rowid, compact) SELECT id, compact FROM aliases WHERE id > ?", (last,))
        self.trigrams |= {trigram for row in rows for trigram in _trigrams(str(row[3]))}

    def remove_entities(self, entity_ids: list[str]) -> int:
        """Delete entities nothing refers to any more, with their spellings; how many spellings went."""
        if not entity_ids:
            return 0
        self.touch(entity_ids)
        aliases = self.query("SELECT id, compact FROM aliases WHERE entity_id IN ({marks})", entity_ids)
        self.trigrams |= {trigram for _, compacted in aliases for trigram in _trigrams(str(compacted))}
        for table, column in (("aliases_fts", "folded"), ("aliases_trigram", "compact")):
            self.execute(f"INSERT INTO {table} ({table}, rowid, {column})"  # noqa: S608 - fixed names
                         f" SELECT 'delete', id, {column} FROM aliases WHERE entity_id IN ({{marks}})", entity_ids)
        self.execute("DELETE FROM aliases WHERE entity_id IN ({marks})", entity_ids)
        for (kind,) in self.query("SELECT kind FROM entities WHERE id IN ({marks})", entity_ids):
            self.kind_counts[str(kind)] -= 1
        self.execute("DELETE FROM entities WHERE id IN ({marks})", entity_ids)
        self.entities -= set(entity_ids)
        return len(aliases)

    def claim_count(self, entity_id: str) -> int:
        return int(self.connection.execute(
            "SELECT COUNT(*) FROM claims WHERE subject_id = ?1 OR object_id = ?1 OR claimant_id = ?1",
            (entity_id,)).fetchone()[0])

    def refresh_entities(self) -> None:
        """Work out again what the touched entities' claims and spellings decide, and index them again."""
        if not self.entities:
            return
        rows = self.query("SELECT id, kind, date_lower, date_upper FROM entities WHERE id IN ({marks})", self.entities)
        events = [str(row[0]) for row in rows if row[1] == "event"]
        old_spans = {row[0]: (row[2], row[3]) for row in rows if row[1] == "event"}
        claims: list[ClaimRecord] = []
        seen: set[str] = set()
        for chunk in _chunks(events):
            marks = _marks(len(chunk))
            for claim in claim_records(self.connection, f"subject_id IN ({marks}) OR object_id IN ({marks})"
                                       " ORDER BY rowid", (*chunk, *chunk)):
                if claim.id not in seen:
                    seen.add(claim.id)
                    claims.append(claim)
        facts = _event_dates(c for c in claims if c.subject in old_spans)
        linked = {entity_id for claim in claims for entity_id in (claim.subject, claim.object) if entity_id}
        linked |= {place for _, place, _ in facts.values() if place}
        found = self.query("SELECT id, kind, name FROM entities WHERE id IN ({marks})", linked)
        kinds = {str(row[0]): str(row[1]) for row in found}
        names = {str(row[0]): str(row[2]) for row in found}
        context = _event_context(claims, kinds, names, facts)
        alias_text = {str(row[0]): str(row[1]) for row in self.query(
            "SELECT entity_id, group_concat(alias, char(10)) FROM (SELECT entity_id, alias FROM aliases"
            " WHERE entity_id IN ({marks}) ORDER BY id) GROUP BY entity_id", self.entities)}
        self.connection.executemany(
            "UPDATE entities SET date = ?, date_lower = ?, date_upper = ?, date_precision = ?, date_sort = ?,"
            " date_inferred = ?, place_id = ?, alias_text = ?, context = ?, claim_count = ? WHERE id = ?",
            ((*event_columns(facts.get(entity_id)), alias_text.get(entity_id, ""), context.get(entity_id, ""),
              self.claim_count(entity_id), entity_id) for entity_id in sorted(self.entities)))
        self.execute("INSERT INTO entities_fts (rowid, name, alias_text, summary, context)"
                     " SELECT rowid, name, alias_text, summary, context FROM entities WHERE id IN ({marks})",
                     self.entities)
        # An event whose date changed changes the time of the claims about it that give none of their own.
        moved = [str(row[0]) for row in self.query(
            "SELECT id, date_lower, date_upper FROM entities WHERE id IN ({marks})", events)
            if old_spans.get(row[0]) != (row[1], row[2])]
        for chunk in _chunks(moved):
            marks = _marks(len(chunk))
            self.retime |= {str(row[0]) for row in self.connection.execute(
                f"SELECT id FROM claims WHERE (subject_id IN ({marks}) OR object_id IN ({marks}))"  # noqa: S608
                ' AND start IS NULL AND "end" IS NULL AND value_date IS NULL', (*chunk, *chunk))}
        self.entities.clear()

    def refresh_times(self) -> None:
        if not self.retime:
            return
        claims = [self.records[claim_id] for claim_id in self.retime if claim_id in self.records]
        claims += [claim for chunk in _chunks(self.retime - self.records.keys())
                   for claim in claim_records(self.connection, f"id IN ({_marks(len(chunk))})", chunk)]
        named = {entity_id for claim in claims for entity_id in (claim.subject, claim.object) if entity_id}
        spans = {str(row[0]): (str(row[1]), str(row[2])) for row in self.query(
            "SELECT id, date_lower, date_upper FROM entities WHERE id IN ({marks}) AND kind = 'event'"
            " AND date_lower IS NOT NULL", named)}
        self.connection.executemany("UPDATE claims SET time_lower = ?, time_upper = ? WHERE id = ?",
                                    ((*_claim_time(claim, spans), claim.id) for claim in claims))
        self.retime.clear()

    def refresh_trigrams(self) -> None:
        """Count again, in the trigram index, the aliases holding each trigram whose count changed."""
        if not self.trigrams:
            return
        self.connection.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.trigram_vocabulary USING fts5vocab (main, aliases_trigram, row)")
        counts: dict[str, int] = {}
        for trigram in sorted(self.trigrams):
            row = self.connection.execute("SELECT doc FROM temp.trigram_vocabulary WHERE term = ?",
                                          (trigram,)).fetchone()
            counts[trigram] = int(row[0]) if row else 0
        self.connection.execute("DROP TABLE temp.trigram_vocabulary")
        self.connection.executemany("DELETE FROM trigram_counts WHERE trigram = ?",
                                    [(trigram,) for trigram, count in counts.items() if not count])
        self.connection.executemany("INSERT OR REPLACE INTO trigram_counts VALUES (?, ?)",
                                    [(trigram, count) for trigram, count in counts.items() if count])
        self.trigrams.clear()

    # -- claims ------------------------------------------------------------------------------------------

    def best_grades(self, claim_ids: Iterable[str]) -> None:
        self.execute("UPDATE claims SET best_grade = (SELECT MIN(grade) FROM evidence WHERE claim_id = claims.id)"
                     " WHERE id IN ({marks})", claim_ids)

    def remove_claims(self, claims: list[ClaimRecord]) -> None:
        ids = [claim.id for claim in claims]
        if not ids:
            return
        self.touch(entity_id for claim in claims for entity_id in (claim.subject, claim.object, claim.claimant)
                   if entity_id)
        self.dispute_keys |= {(claim.subject, claim.predicate) for claim in claims}
        # A group a curator declared goes with the claim that declared it; the other side loses a member.
        groups = [row[0] for row in self.query("SELECT DISTINCT dispute_id FROM disputes WHERE claim_id IN ({marks})",
                                               ids)]
        self.flag |= {str(row[0]) for row in self.query(
            "SELECT claim_id FROM disputes WHERE dispute_id IN ({marks})", groups)}
        self.execute("DELETE FROM disputes WHERE claim_id IN ({marks})", ids)
        self._drop_broken_groups(groups)
        self.execute("INSERT INTO claims_fts (claims_fts, rowid, text) SELECT 'delete', rowid, text FROM claims"
                     " WHERE id IN ({marks})", ids)
        self.execute("DELETE FROM claims WHERE id IN ({marks})", ids)
        self.flag -= set(ids)
        self.retime -= set(ids)

    def _drop_broken_groups(self, groups: list[object]) -> None:
        """Delete groups left with one member, or declared groups that lost the claim declaring them."""
        for dispute_id in groups:
            reasons = [row[0] for row in self.connection.execute(
                "SELECT reason FROM disputes WHERE dispute_id = ?", (dispute_id,))]
            declared = any(reason in _DECLARED for reason in reasons)
            if len(reasons) < 2 or (declared and ("contradicts" not in reasons or "contradicted" not in reasons)):
                self.connection.execute("DELETE FROM disputes WHERE dispute_id = ?", (dispute_id,))

    def declare(self, claims: list[ClaimRecord]) -> None:
        """The disagreements new claims declare (``contradicts``)."""
        rows: list[tuple[int, str, str]] = []
        next_id = self._next_dispute()
        for claim in claims:
            if claim.contradicts:
                rows.append((next_id, claim.id, "contradicts"))
                rows += [(next_id, other, "contradicted") for other in sorted(set(claim.contradicts))]
                self.flag |= {claim.id, *claim.contradicts}
                next_id += 1
        self.connection.executemany("INSERT INTO disputes VALUES (?, ?, ?)", rows)

    def _next_dispute(self) -> int:
        return int(self.connection.execute("SELECT COALESCE(MAX(dispute_id), 0) + 1 FROM disputes").fetchone()[0])

    def refresh_disputes(self, predicates: dict[str, PredicateRecord]) -> None:
        """Group again the claims of every subject and predicate the change spoke of."""
        if not self.dispute_keys:
            return
        members: list[ClaimRecord] = []
        groups: set[object] = set()
        for subject, predicate in sorted(self.dispute_keys):
            if not predicates[predicate].functional and not self.connection.execute(
                    "SELECT 1 FROM claims WHERE subject_id = ? AND predicate_id = ? AND modality = 'denied' LIMIT 1",
                    (subject, predicate)).fetchone():
                groups.update(row[0] for row in self.connection.execute(
                    "SELECT DISTINCT d.dispute_id FROM disputes d JOIN claims c ON c.id = d.claim_id"
                    " WHERE c.subject_id = ? AND c.predicate_id = ? AND d.reason NOT IN (?, ?)",
                    (subject, predicate, *_DECLARED)))
                continue
            members += claim_records(self.connection, "subject_id = ? AND predicate_id = ? ORDER BY rowid",
                                     (subject, predicate))
            groups.update(row[0] for row in self.connection.execute(
                "SELECT DISTINCT d.dispute_id FROM disputes d JOIN claims c ON c.id = d.claim_id"
                " WHERE c.subject_id = ? AND c.predicate_id = ? AND d.reason NOT IN (?, ?)",
                (subject, predicate, *_DECLARED)))
        self.flag |= {str(row[0]) for row in self.query(
            "SELECT claim_id FROM disputes WHERE dispute_id IN ({marks})", groups)}
        self.execute("DELETE FROM disputes WHERE dispute_id IN ({marks})", groups)
        rows = _disputes(members, predicates, self._containment(c.object for c in members if c.object),
                         first_id=self._next_dispute(), declared=False)
        self.connection.executemany("INSERT INTO disputes VALUES (?, ?, ?)", rows)
        self.flag |= {claim_id for _, claim_id, _ in rows}
        self.dispute_keys.clear()

    def _containment(self, places: Iterable[str]) -> dict[str, set[str]]:
        """Every place each of ``places`` lies in (located_in, followed up the chain).

        Walked a level at a time with plain index lookups: SQLite plans the recursive join of
        ``claims`` with itself with a Bloom filter built by reading the whole table, which cost
        0.3 s and 280 MB at a million claims for a note that held one denial.
        """
        starts = set(places)
        parents: dict[str, set[str]] = defaultdict(set)  # place -> the places it directly lies in
        frontier, seen = set(starts), set()
        while frontier:
            seen |= frontier
            for chunk in _chunks(frontier):
                for place, parent in self.connection.execute(
                        "SELECT subject_id, object_id FROM claims WHERE subject_id IN"
                        f" ({_marks(len(chunk))}) AND predicate_id = 'located_in' AND modality != 'denied'"
                        " AND object_id IS NOT NULL", chunk):
                    parents[place].add(parent)
            frontier = {parent for place in frontier for parent in parents.get(place, ())} - seen
        found: dict[str, set[str]] = defaultdict(set)
        for place in starts:
            stack = list(parents.get(place, ()))
            while stack:
                parent = stack.pop()
                if parent not in found[place]:
                    found[place].add(parent)
                    stack.extend(parents.get(parent, ()))
        return found

    def refresh_flags(self) -> None:
        self.execute("UPDATE claims SET disputed = EXISTS (SELECT 1 FROM disputes d WHERE d.claim_id = claims.id)"
                     " WHERE id IN ({marks})", self.flag)
        self.flag.clear()

    # -- the end ------------------------------------------------------------------------------------------

    def finish(self, predicates: dict[str, PredicateRecord]) -> None:
        self.refresh_disputes(predicates)
        self.refresh_flags()
        self.refresh_entities()
        self.refresh_times()
        self.refresh_trigrams()
        if any(self.kind_counts.values()):
            row = self.connection.execute("SELECT value FROM meta WHERE key = 'entity_counts'").fetchone()
            counts: dict[str, int] = defaultdict(int, json.loads(row[0]) if row else {})
            for kind, change in self.kind_counts.items():
                counts[kind] += change
            self.connection.execute("INSERT OR REPLACE INTO meta VALUES ('entity_counts', ?)",
                                    (json.dumps({kind: count for kind, count in counts.items() if count}),))
            self.kind_counts.clear()


def _predicates(connection: sqlite3.Connection) -> dict[str, PredicateRecord]:
    return {predicate.id: predicate for predicate in KnownBase(connection).predicates}


def append(connection: sqlite3.Connection, addition: Addition) -> None:
    """Write ``addition`` into the knowledge base open on ``connection``, inside the caller's transaction.

    The records must have been checked against the knowledge base (``seed.importer`` does).
    """
    change = _Change(connection)
    new = {entity.id for entity in addition.entities}
    change.touch({entity_id for claim in addition.claims for entity_id in (claim.subject, claim.object,
                                                                          claim.claimant) if entity_id} - new)
    connection.executemany(f"INSERT INTO predicates VALUES ({_marks(PREDICATE_COLUMNS)})",
                           map(predicate_row, addition.predicates))
    connection.executemany(f"INSERT INTO sources VALUES ({_marks(SOURCE_COLUMNS)})", map(source_row, addition.sources))
    change.add_entities(addition.entities)
    change.update_entities(addition.updated)
    change.add_aliases(addition.aliases)

    predicates = _predicates(connection)
    labels = {predicate.id: predicate.label for predicate in predicates.values()}
    named = {entity_id for claim in addition.claims for entity_id in (claim.subject, claim.object, claim.claimant)
             if entity_id}
    names = {str(row[0]): str(row[1]) for row in change.query("SELECT id, name FROM entities WHERE id IN ({marks})",
                                                              named)}
    # Each claim's time from the dates its events have now (a new event's from the new claims);
    # an event whose date the import changes moves its claims again in finish().
    spans = {str(row[0]): (str(row[1]), str(row[2])) for row in change.query(
        "SELECT id, date_lower, date_upper FROM entities WHERE id IN ({marks}) AND kind = 'event'"
        " AND date_lower IS NOT NULL", named)}
    spans.update((event_id, _span(date)) for event_id, (date, _, _) in _event_dates(
        claim for claim in addition.claims if claim.subject in new).items() if date)
    best: dict[str, int] = {}
    for evidence in addition.evidence:
        best[evidence.claim_id] = min(evidence.grade, best.get(evidence.claim_id, evidence.grade))
    last = connection.execute("SELECT COALESCE(MAX(rowid), 0) FROM claims").fetchone()[0]
    # Rows bound with NaN for None (the same NULL, bound faster: see build.bindable).
    connection.executemany(f"INSERT INTO claims VALUES ({_marks(CLAIM_COLUMNS)})",
                           (bindable(claim_row(claim, names, labels, False, best.get(claim.id), spans))
                            for claim in sorted(addition.claims, key=lambda claim: claim.id)))
    connection.execute("INSERT INTO claims_fts (rowid, text) SELECT rowid, text FROM claims WHERE rowid > ?", (last,))
    change.records.update((claim.id, claim) for claim in addition.claims)
    change.flag |= {claim.id for claim in addition.claims}
    change.dispute_keys |= {(claim.subject, claim.predicate) for claim in addition.claims}
    change.declare(addition.claims)

    connection.executemany(EVIDENCE_INSERT, (bindable(evidence_row(e)) for e in addition.evidence))
    change.best_grades(claim_id for claim_id in best if claim_id not in change.records)  # claims already there
    last = connection.execute("SELECT COALESCE(MAX(id), 0) FROM passages").fetchone()[0]
    connection.executemany(PASSAGE_INSERT, map(passage_row, addition.passages))
    connection.execute("INSERT INTO passages_fts (rowid, text) SELECT id, text FROM passages WHERE id > ?", (last,))
    change.finish(predicates)


def remove_sources(connection: sqlite3.Connection, source_ids: list[str], redefined: Iterable[str] = ()) -> Removal:
    """Take ``source_ids`` out of the knowledge base on ``connection``, inside the caller's transaction.

    Their evidence goes, and the claims no other source supports; imported entities that
    nothing speaks of afterwards go with their spellings (among those the removed claims
    named, and ``redefined``: the entities an ``import --replace`` is about to define again).
    Entities of the seed, spellings merged into other entities and other sources' evidence stay.
    """
    change = _Change(connection)
    removal = Removal(sources=list(source_ids))
    supported = [str(row[0]) for row in change.query(
        "SELECT DISTINCT claim_id FROM evidence WHERE source_id IN ({marks})", source_ids)]
    removal.evidence = int(sum(int(row[0]) for row in change.query(
        "SELECT COUNT(*) FROM evidence WHERE source_id IN ({marks})", source_ids)))
    change.execute("DELETE FROM evidence WHERE source_id IN ({marks})", source_ids)
    still = {str(row[0]) for row in change.query(
        "SELECT DISTINCT claim_id FROM evidence WHERE claim_id IN ({marks})", supported)}
    orphans = [claim for chunk in _chunks(set(supported) - still)
               for claim in claim_records(connection, f"id IN ({_marks(len(chunk))})", chunk)]
    removal.claims = sorted(claim.id for claim in orphans)
    removal.kept = len(still)
    change.best_grades(still)
    change.remove_claims(orphans)
    passages = change.query("SELECT COUNT(*) FROM passages WHERE source_id IN ({marks})", source_ids)
    removal.passages = int(sum(int(row[0]) for row in passages))
    change.execute("INSERT INTO passages_fts (passages_fts, rowid, text) SELECT 'delete', id, text FROM passages"
                   " WHERE source_id IN ({marks})", source_ids)
    change.execute("DELETE FROM passages WHERE source_id IN ({marks})", source_ids)
    change.execute("DELETE FROM sources WHERE id IN ({marks})", source_ids)
    # Imported entities left with no claim at all (a place an event was at goes with the event).
    candidates = {entity_id for claim in orphans for entity_id in (claim.subject, claim.object, claim.claimant)
                  if entity_id} | set(redefined)
    imported = [str(row[0]) for row in change.query(
        "SELECT id FROM entities WHERE id IN ({marks}) AND imported IS NOT NULL", candidates)]
    unused = [entity_id for entity_id in imported if not change.claim_count(entity_id)]
    # An event's place is kept by its place_id until the event is worked out again.
    change.touch(str(row[0]) for row in change.query("SELECT id FROM entities WHERE place_id IN ({marks})", unused))
    connection.executemany("UPDATE entities SET place_id = NULL WHERE place_id = ?", ((e,) for e in unused))
    removal.aliases = change.remove_entities(unused)
    removal.entities = sorted(unused)
    change.finish(_predicates(connection))
    return removal


class Transaction:
    """One change of a knowledge base in place: its connection, inside ``BEGIN IMMEDIATE``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        #: Whether the change is in the file: read from SQLite after the commit (see ``commit``).
        self.committed = False

    def known(self) -> KnownBase:
        """The knowledge base as this transaction sees it (its own changes included)."""
        return KnownBase(self.connection)

    def commit(self) -> None:
        try:
            self.connection.execute("COMMIT")
        finally:
            # Said by SQLite, so that a Ctrl-C that lands just after the commit still finds it done.
            self.committed = not self.connection.in_transaction

    def rollback(self) -> None:
        self.connection.execute("ROLLBACK")


@contextmanager
def changing(target: Path) -> Iterator[Transaction]:
    """Hold the build lock and a write transaction on ``target``; what is not committed is rolled back.

    Raises:
        DumpError: when ``target`` is not a knowledge base this version can read.
        UnusableFile: when it is not a regular file, or another program's log holds changes.
    """
    _may_change(target)
    with writing(target):
        connection = open_knowledge_base(target, writable=True)
        try:
            connection.execute("BEGIN IMMEDIATE")
            transaction = Transaction(connection)
            yield transaction
        finally:
            try:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
            finally:
                connection.close()


def _may_change(target: Path) -> None:
    """Refuse, in words, a knowledge base this user may not change: its folder (where the lock
    and the journal are made) or the file itself read-only to them, as a shared one is.

    Raises:
        UnusableFile: saying which of the two and what to do instead.
    """

    def refuse(what: str) -> UnusableFile:
        return UnusableFile(
            f"{target}: this user may not change it ({what} is read-only to them). A shared knowledge base can be "
            "read, searched and checked with import --dry-run by anyone, but imported into or removed from only by "
            f"a user who may write there; to add your notes, copy it to a folder of yours (cp {target} "
            "~/my-kb.db) and give --db with the copy")

    try:
        # The journal is made beside the file, so the folder must take a new file: try one
        # (a lock file there may be writable while the folder is not).
        with tempfile.TemporaryFile(dir=target.parent):
            pass
    except PermissionError:
        raise refuse(f"its folder {target.parent}") from None
    except OSError:
        return  # a missing folder and the like: the usual checks word these
    if target.is_file():  # not a FIFO or a device, which opening could block on
        try:
            with open(target, "r+b"):
                pass
        except PermissionError:
            raise refuse("the file") from None
        except OSError:
            return


@contextmanager
def reading(path: Path) -> Iterator[KnownBase]:
    """The knowledge base at ``path`` read-only, one state throughout (a read transaction), no lock taken."""
    connection = open_knowledge_base(path)
    try:
        connection.execute("BEGIN")
        yield KnownBase(connection)
    finally:
        connection.close()
