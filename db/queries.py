"""Read-only access to a knowledge base file. Every answer is a frozen dataclass."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimscope.db.edtf import parse_edtf
from claimscope.db.files import (
    UnusableFile,
    connect_read_only,
    describe,
    interrupted_write,
    regular_file,
    roll_back_interrupted,
)
from claimscope.db.models import (
    Alias,
    Claim,
    ClaimFacets,
    ClaimHit,
    ClaimHits,
    ClaimQuery,
    Dispute,
    EntityCard,
    EntityRef,
    EntitySummary,
    Evidence,
    SearchResult,
    Source,
    SourceRef,
    Stats,
    TimelineEvent,
)
from claimscope.db.schema import APPLICATION_ID, SCHEMA_VERSION
from claimscope.db.values import value_display

if TYPE_CHECKING:
    from claimscope.db.records import PassageRecord, SourceRecord
    from claimscope.db.search import SearchResults

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "built_fingerprint"]


class KnowledgeBaseError(Exception):
    """A file that cannot be used as a knowledge base; the message says why and what to do."""


_CLAIM_SELECT = """
SELECT c.id, c.predicate_id, p.label, p.inverse_label,
       s.id, s.kind, s.name,
       o.id, o.kind, o.name,
       c.value_text, c.value_number, c.value_date, c.unit,
       c.start, c."end", c.modality,
       k.id, k.kind, k.name,
       c.statement, c.inferred, c.note, c.disputed, c.qualifier, c.scope
FROM claims c
JOIN predicates p ON p.id = c.predicate_id
JOIN entities s ON s.id = c.subject_id
LEFT JOIN entities o ON o.id = c.object_id
LEFT JOIN entities k ON k.id = c.claimant_id
"""


def _ref(entity_id: str | None, kind: str | None, name: str | None) -> EntityRef | None:
    return EntityRef(entity_id, kind, name) if entity_id and kind and name else None


def _describe(date: str | None) -> str | None:
    return parse_edtf(date).describe() if date else None


def _built_value(path: str | os.PathLike[str], sql: str, parameters: tuple[object, ...] = (),
                 this_version: bool = False) -> Any:
    """The first column of the first row ``sql`` gives on a knowledge base file, or None when it
    cannot tell (or, with ``this_version``, when the file is of another schema version)."""
    target = Path(path)
    if not target.is_file():
        return None
    try:
        connection = connect_read_only(target)
        try:
            if this_version and connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                return None
            row = connection.execute(sql, parameters).fetchone()
        finally:
            connection.close()
    except (sqlite3.Error, UnusableFile):
        return None
    return row[0] if row else None


def _built_meta(path: str | os.PathLike[str], key: str, this_version: bool = False) -> str | None:
    """The ``meta`` value ``key`` of a knowledge base file, or None when it cannot tell (or, with
    ``this_version``, when the file is of another schema version)."""
    value = _built_value(path, "SELECT value FROM meta WHERE key = ?", (key,), this_version)
    return str(value) if value else None


def built_fingerprint(path: str | os.PathLike[str]) -> str | None:
    """The seed fingerprint a knowledge base file was built from, or None if it cannot tell.

    None also for a file of another schema version, which must be rebuilt anyway.
    """
    return _built_meta(path, "seed_fingerprint", this_version=True)


def built_corpus(path: str | os.PathLike[str]) -> Path | None:
    """The corpus folder a knowledge base file was built with, when it recorded one (None when it cannot tell)."""
    found = _built_meta(path, "corpus")
    return Path(found) if found else None


def built_imports(path: str | os.PathLike[str]) -> int:
    """How many imports and removals a knowledge base file records in its log (0 when it cannot tell).

    Not zero once anything was imported, even when every imported source was removed since:
    spellings an import merged into the seed's entities stay.
    """
    found = _built_meta(path, "imports")
    try:
        return len(json.loads(found)) if found else 0
    except ValueError:
        return 0


def imported_sources(path: str | os.PathLike[str]) -> int:
    """How many sources an import added to a knowledge base file holds now (0 when it cannot tell)."""
    return int(_built_value(path, "SELECT COUNT(*) FROM sources WHERE imported IS NOT NULL") or 0)


def _reports_damage(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run a query method inside one read transaction, and turn SQLite's errors into a KnowledgeBaseError.

    One read transaction: every statement of the method sees the same state, even when an
    import commits in between (it waits for the read to end). A read that meets a change
    a killed import left half written rolls it back first and tries once more.
    """

    @functools.wraps(method)
    def reading(self: KnowledgeBase, *arguments: Any, **options: Any) -> Any:
        for attempt in (1, 2):
            try:
                with self.snapshot():
                    return method(self, *arguments, **options)
            except sqlite3.ProgrammingError:
                raise  # a misuse, such as a query after close(): not damage to the file
            except sqlite3.DatabaseError as error:
                if attempt == 1 and interrupted_write(error) and self._depth == 0:
                    try:
                        roll_back_interrupted(self.path)
                    except UnusableFile as unusable:
                        raise KnowledgeBaseError(str(unusable)) from None
                    continue
                raise KnowledgeBaseError(
                    f"{self.path}: the knowledge base cannot be read ({error}); it may be damaged or cut short: "
                    f"rebuild it with `claimscope build --db {self.path}`"
                ) from error
        raise AssertionError("unreachable")  # pragma: no cover

    return reading


def _reading_methods(cls: type[KnowledgeBase]) -> type[KnowledgeBase]:
    """Apply ``_reports_damage`` to every public query method of ``cls``."""
    for name, member in list(vars(cls).items()):
        if callable(member) and not name.startswith("_") and name not in ("open", "close", "snapshot"):
            setattr(cls, name, _reports_damage(member))
    return cls


@_reading_methods
class KnowledgeBase:
    """A knowledge base opened read-only. Safe to share between threads (one query at a time).

    Each query sees one state of the file; ``snapshot()`` makes several queries see the same
    one. A read that fails inside SQLite (a damaged or truncated file) raises KnowledgeBaseError.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self._sources: dict[str, SourceRef] = {}
        self._lock = threading.RLock()
        self._depth = 0
        self._version: int | None = None

    @contextmanager
    def snapshot(self) -> Iterator[KnowledgeBase]:
        """Hold one read transaction: every query inside sees the same state of the file.

        An import waits for it to end before it commits, so keep it short. Nested snapshots
        are the outer one. Threads take turns.
        """
        with self._lock:
            if self._depth == 0:
                self.connection.execute("BEGIN")
                # Another process changed the file since the last read: what is kept goes.
                version = self.connection.execute("PRAGMA data_version").fetchone()[0]
                if version != self._version:
                    self._sources.clear()
                    self._version = version
            self._depth += 1
            failed = True
            try:
                yield self
                failed = False
            finally:
                self._depth -= 1
                if self._depth == 0 and self.connection.in_transaction:
                    if not failed:
                        self.connection.execute("COMMIT")
                    else:
                        try:  # ending a read on a damaged file can fail too: the error under way says more
                            self.connection.execute("ROLLBACK")
                        except sqlite3.Error:
                            pass

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> KnowledgeBase:
        """Open ``path`` read-only, checking that it is a knowledge base of this version.

        Raises:
            KnowledgeBaseError: for a missing, empty, corrupt, foreign or newer file.
        """
        target = Path(path)
        kind = describe(target)
        if kind == "missing":
            raise KnowledgeBaseError(f"{target}: no such file; build one with `claimscope build --db {target}`")
        if kind != "a regular file":
            raise KnowledgeBaseError(f"{target}: {kind}, not a knowledge base file")
        if target.stat().st_size == 0:
            try:
                regular_file(target, "a knowledge base file")
            except UnusableFile as error:
                raise KnowledgeBaseError(str(error)) from None
            raise KnowledgeBaseError(f"{target}: the file is empty; rebuild it with `claimscope build --db {target}`")
        try:
            connection = connect_read_only(target, check_same_thread=False)
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        except UnusableFile as error:
            raise KnowledgeBaseError(str(error)) from None
        except sqlite3.DatabaseError as error:
            raise KnowledgeBaseError(f"{target}: not a readable SQLite file ({error})") from None
        if application_id != APPLICATION_ID:
            connection.close()
            raise KnowledgeBaseError(f"{target}: a SQLite file, but not a claimscope knowledge base")
        if version > SCHEMA_VERSION:
            connection.close()
            raise KnowledgeBaseError(
                f"{target}: written by a newer claimscope (schema {version}, this one reads {SCHEMA_VERSION});"
                " upgrade claimscope or rebuild the file"
            )
        if version < SCHEMA_VERSION:
            connection.close()
            raise KnowledgeBaseError(
                f"{target}: written by an older claimscope (schema {version}); rebuild it with `claimscope build`"
            )
        return cls(connection, target)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- small helpers ---------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        """The build's metadata (seed fingerprint, corpus, build time)."""
        return dict(self.connection.execute("SELECT key, value FROM meta"))

    def _source_refs(self, source_ids: Iterable[str]) -> dict[str, SourceRef]:
        """The sources with these ids, read once each and kept (never the whole table at once)."""
        missing = sorted(set(source_ids) - self._sources.keys())
        for offset in range(0, len(missing), 500):
            chunk = missing[offset:offset + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.connection.execute(
                "SELECT id, title, publisher, authors, published, url, grade, file, text_present, unconfirmed,"
                f" sha256, corpus_dir FROM sources WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ):
                self._sources[row[0]] = SourceRef(
                    row[0], row[1], row[2], tuple(json.loads(row[3])), row[4], row[5], row[6], row[7],
                    bool(row[8]), tuple(json.loads(row[9])), row[10], row[11],
                )
        return self._sources

    def _evidence_for(self, claim_ids: Sequence[str]) -> dict[str, list[Evidence]]:
        found: dict[str, list[Evidence]] = defaultdict(list)
        rows: list[tuple[Any, ...]] = []
        # Chunked: SQLite limits the number of bound parameters.
        for offset in range(0, len(claim_ids), 500):
            chunk = claim_ids[offset:offset + 500]
            marks = ",".join("?" * len(chunk))
            rows += self.connection.execute(
                'SELECT claim_id, source_id, paragraph, sentence, start, "end", grade, anaphora, paragraph_start,'
                f' paragraph_end, quote FROM evidence'
                f" WHERE claim_id IN ({marks}) ORDER BY claim_id, source_id, paragraph, sentence",  # noqa: S608
                chunk,
            ).fetchall()
        sources = self._source_refs(row[1] for row in rows)
        for claim_id, source_id, paragraph, sentence, start, end, grade, anaphora, p_start, p_end, quoted in rows:
            found[claim_id].append(
                Evidence(sources[source_id], paragraph, sentence, start, end, grade, bool(anaphora), p_start, p_end,
                         quoted)
            )
        return found

    def _claims(self, where: str, parameters: Iterable[object]) -> list[Claim]:
        sql = f"{_CLAIM_SELECT} WHERE {where} ORDER BY p.label, c.id"
        rows = self.connection.execute(sql, tuple(parameters)).fetchall()
        evidence = self._evidence_for([row[0] for row in rows])
        claims = []
        for row in rows:
            value_text, value_number, value_date, unit = row[10:14]
            claims.append(
                Claim(
                    id=row[0], predicate=row[1], label=row[2], inverse_label=row[3],
                    subject=EntityRef(row[4], row[5], row[6]), object=_ref(row[7], row[8], row[9]),
                    value=next((v for v in (value_number, value_date, value_text) if v is not None), None),
                    unit=unit, value_display=value_display(value_text, value_number, value_date, unit, row[24]),
                    qualifier=row[24],
                    start=row[14], end=row[15], modality=row[16], claimant=_ref(row[17], row[18], row[19]),
                    statement=row[20], inferred=row[21], note=row[22], disputed=bool(row[23]),
                    evidence=tuple(evidence.get(row[0], ())), scope=row[25],
                )
            )
        return claims

    # -- entities --------------------------------------------------------------------------

    def count_by_kind(self) -> dict[str, int]:
        """How many entities of each kind (recorded at build time, so this costs one lookup)."""
        row = self.connection.execute("SELECT value FROM meta WHERE key = 'entity_counts'").fetchone()
        return {str(kind): int(count) for kind, count in json.loads(row[0]).items()} if row else {}

    def entity_ref(self, entity_id: str) -> EntityRef | None:
        """The id, kind and name of an entity, or None."""
        row = self.connection.execute("SELECT id, kind, name FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return EntityRef(*row) if row else None

    def ids_starting(self, table: str, prefix: str, limit: int = 50) -> list[tuple[str, str]]:
        """Ids (with names or titles) of ``entities`` or ``sources`` that start with ``prefix``, for completion."""
        column = {"entities": "name", "sources": "title"}[table]
        return [
            (str(row[0]), str(row[1]))
            for row in self.connection.execute(
                f"SELECT id, {column} FROM {table} WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",  # noqa: S608
                (prefix, prefix + "\uffff", limit),
            )
        ]

    def entity(self, entity_id: str) -> EntityCard | None:
        """The entity card: names, summary, and claims about the entity and by it."""
        row = self.connection.execute(
            "SELECT e.id, e.kind, e.name, e.summary, e.note, e.subtype, e.date, e.date_precision,"
            " p.id, p.kind, p.name, e.date_inferred FROM entities e LEFT JOIN entities p ON p.id = e.place_id"
            " WHERE e.id = ?",
            (entity_id,),
        ).fetchone()
        if row is None:
            return None
        aliases = tuple(
            Alias(alias, bool(weak), note)
            for alias, weak, note in self.connection.execute(
                "SELECT alias, weak, note FROM aliases WHERE entity_id = ? ORDER BY weak, id", (entity_id,)
            )
        )
        return EntityCard(
            id=row[0], kind=row[1], name=row[2], summary=row[3], note=row[4], subtype=row[5],
            date=row[6], date_display=_describe(row[6]), date_precision=row[7], date_inferred=bool(row[11]),
            place=_ref(row[8], row[9], row[10]),
            aliases=aliases,
            outgoing=tuple(self._claims("c.subject_id = ?", (entity_id,))),
            incoming=tuple(self._claims("c.object_id = ?", (entity_id,))),
            asserted=tuple(self._claims("c.claimant_id = ?", (entity_id,))),
        )

    def entities(self, kind: str | None = None, offset: int = 0, limit: int = 100,
                 name_prefix: str | None = None) -> list[EntitySummary]:
        """A page of entities, by name (events by date), optionally of one kind."""
        clauses, parameters = [], []
        if kind:
            clauses.append("kind = ?")
            parameters.append(kind)
        if name_prefix:
            from claimscope.db.folding import fold

            folded = fold(name_prefix)
            clauses.append("sort_name >= ? AND sort_name < ?")
            parameters.extend([folded, folded + "\uffff"])
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # Both orders end in the id, so that pages never overlap; both are served by an index.
        order = "date_sort, date_upper, sort_name, id" if kind == "event" else "sort_name, id"
        rows = self.connection.execute(
            f"SELECT id, kind, name, date, claim_count FROM entities {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*parameters, limit, offset),
        )
        return [EntitySummary(r[0], r[1], r[2], r[3], _describe(r[3]), r[4]) for r in rows]

    def search(self, query: str, kind: str | None = None, limit: int = 20, text: bool = True) -> SearchResults:
        """Entities whose names match ``query`` (exact, prefix, word prefix, fuzzy), then, with ``text``,
        entities and passages whose words match it (summaries, claims, source sentences).

        The list also says how many matched in all (``total``, a lower bound when ``capped``).
        """
        from claimscope.db.search import search

        return search(self.connection, query, kind=kind, limit=limit, text=text)

    def text_hits(self, query: str, kind: str | None = None, limit: int = 20, exclude: Iterable[str] = (),
                  prefix: bool = False) -> SearchResults:
        """Only the hits by words of ``search`` (summaries, claims, passages), for a second pass after the names.

        ``exclude`` holds the entity ids the names found; ``prefix`` lets the last word be unfinished.
        """
        from claimscope.db.search import text_hits

        return text_hits(self.connection, query, kind, limit, frozenset(exclude), prefix)

    def closest(self, query: str, limit: int = 5) -> list[SearchResult]:
        """Names to suggest when ``search`` finds nothing: looser, and only for suggestions."""
        from claimscope.db.search import closest

        return closest(self.connection, query, limit=limit)

    def resolve(self, id_or_name: str) -> tuple[EntityRef | None, list[SearchResult]]:
        """Find the entity a user means: an id, or a name or alias that matches clearly.

        Returns:
            The entity (or None) and the search results considered, for suggestions.
        """
        ref = self.entity_ref(id_or_name.strip())
        if ref:
            return ref, []
        results = self.search(id_or_name, limit=5, text=False)
        if results and results[0].how in ("exact", "prefix", "word") and not results[0].weak:
            tied = [r for r in results if r.score == results[0].score]
            if len(tied) == 1 or results[0].how == "exact" and sum(r.how == "exact" for r in results) == 1:
                return self.entity_ref(results[0].id), results
        return None, results

    # -- views -----------------------------------------------------------------------------

    def event_months(self, actor: str | None = None) -> list[tuple[str, str, int]]:
        """Counts of dated events by the months their dates span: (first month, last month, count)."""
        clause, parameters = "", []
        if actor:
            clause = (" AND id IN (SELECT object_id FROM claims WHERE subject_id = ?"
                      " UNION SELECT subject_id FROM claims WHERE object_id = ?)")
            parameters = [actor, actor]
        return [
            (first, last, count)
            for first, last, count in self.connection.execute(
                "SELECT substr(date_lower, 1, 7), substr(date_upper, 1, 7), count(*) FROM entities"
                f" WHERE kind = 'event' AND date IS NOT NULL{clause} GROUP BY 1, 2 ORDER BY 1, 2",
                parameters,
            )
        ]

    def timeline(self, actor: str | None = None, since: str | None = None, until: str | None = None,
                 limit: int | None = None) -> list[TimelineEvent]:
        """Dated events in date order; ``actor`` keeps those linked to that entity by a claim.

        ``since`` and ``until`` are EDTF dates; an event is kept when the interval its date
        stands for overlaps theirs.
        """
        clauses = ["e.kind = 'event'", "e.date IS NOT NULL"]
        parameters: list[object] = []
        if since:
            clauses.append("e.date_upper >= ?")
            parameters.append(parse_edtf(since).lower)
        if until:
            clauses.append("e.date_lower <= ?")
            parameters.append(parse_edtf(until).upper)
        if actor:
            clauses.append(
                "e.id IN (SELECT object_id FROM claims WHERE subject_id = ?"
                " UNION SELECT subject_id FROM claims WHERE object_id = ?)"
            )
            parameters.extend([actor, actor])
        sql = (
            "SELECT e.id, e.name, e.subtype, e.date, e.date_lower, e.date_upper, e.date_precision,"
            " p.id, p.kind, p.name, e.date_sort, e.date_inferred"
            " FROM entities e LEFT JOIN entities p ON p.id = e.place_id"
            f" WHERE {' AND '.join(clauses)} ORDER BY e.date_sort, e.date_upper, e.sort_name"
        )
        if limit is not None:
            sql += f" LIMIT {max(int(limit), 0)}"
        rows = self.connection.execute(sql, parameters).fetchall()
        actors: dict[str, list[EntityRef]] = defaultdict(list)
        ids = [row[0] for row in rows]
        for offset in range(0, len(ids), 500):
            chunk = ids[offset:offset + 500]
            marks = ",".join("?" * len(chunk))
            for event_id, entity_id, kind, name in self.connection.execute(
                "SELECT DISTINCT c.object_id, s.id, s.kind, s.name FROM claims c JOIN entities s ON s.id = c.subject_id"
                f" WHERE c.object_id IN ({marks}) AND s.kind <> 'event' ORDER BY s.name",  # noqa: S608
                chunk,
            ):
                actors[event_id].append(EntityRef(entity_id, kind, name))
        return [
            TimelineEvent(
                id=row[0], name=row[1], subtype=row[2], date=row[3], date_display=parse_edtf(row[3]).describe(),
                lower=row[4], upper=row[5], precision=row[6], place=_ref(row[7], row[8], row[9]),
                actors=tuple(actors.get(row[0], ())), sort=row[10], inferred=bool(row[11]),
            )
            for row in rows
        ]

    def source_count(self) -> int:
        return int(self.connection.execute("SELECT count(*) FROM sources").fetchone()[0])

    def sources(self, offset: int = 0, limit: int = -1) -> list[Source]:
        """Sources by publication date, with claim counts and how many paragraphs are cited; a page or all."""
        rows = self.connection.execute(
            "SELECT s.id, s.title, s.publisher, s.authors, s.published, s.url, s.language, s.grade, s.grade_note,"
            " s.note, s.unconfirmed, s.file, s.sha256, s.text_present, s.paragraph_count,"
            " (SELECT count(DISTINCT claim_id) FROM evidence WHERE source_id = s.id),"
            " (SELECT count(*) FROM evidence WHERE source_id = s.id),"
            " (SELECT count(DISTINCT paragraph) FROM evidence WHERE source_id = s.id)"
            " FROM (SELECT * FROM sources ORDER BY published_lower, id LIMIT ? OFFSET ?) s"
            " ORDER BY s.published_lower, s.id",
            (limit, offset),
        )
        return [
            Source(
                id=r[0], title=r[1], publisher=r[2], authors=tuple(json.loads(r[3])), published=r[4],
                published_display=parse_edtf(r[4]).describe(), url=r[5], language=r[6], grade=r[7],
                grade_note=r[8], note=r[9], unconfirmed=tuple(json.loads(r[10])), file=r[11], sha256=r[12],
                text_present=bool(r[13]), paragraph_count=r[14], claim_count=r[15], evidence_count=r[16],
                cited_paragraphs=r[17],
            )
            for r in rows
        ]

    # -- claims by their words and filters ----------------------------------------------------

    def claims(self, query: ClaimQuery, offset: int = 0, limit: int = 20) -> ClaimHits:
        """A page of the claims ``query`` selects, best first when it has words, else by id.

        Raises:
            ValueError: a filter that cannot be (an unknown modality, a grade out of range, a bad date).
        """
        from claimscope.db import claims as finder

        found = finder.page(self.connection, finder.select(self.connection, query), offset, limit)
        by_id = self._claims_by_id([claim_id for claim_id, *_ in found])
        hits = ClaimHits(ClaimHit(by_id[claim_id], snippet, marks, score) for claim_id, snippet, marks, score in found
                         if claim_id in by_id)
        hits.ranked_among = getattr(found, "ranked_among", None)
        return hits

    def claim_count(self, query: ClaimQuery) -> int:
        """How many claims ``query`` selects."""
        from claimscope.db import claims as finder

        return finder.count(self.connection, finder.select(self.connection, query))

    def claim_facets(self, query: ClaimQuery) -> ClaimFacets:
        """The claims ``query`` selects, counted by modality, predicate, source, claimant, grade and dispute."""
        from claimscope.db import claims as finder

        return finder.facets(self.connection, finder.select(self.connection, query))

    def claims_starting(self, prefix: str, limit: int = 5) -> list[str]:
        """Ids of claims that start with ``prefix`` (for suggestions)."""
        return [row[0] for row in self.connection.execute(
            "SELECT id FROM claims WHERE id >= ? AND id < ? ORDER BY id LIMIT ?", (prefix, prefix + "\uffff", limit))]

    def claim(self, claim_id: str) -> Claim | None:
        """One claim with its evidence, or None."""
        return self._claims_by_id([claim_id]).get(claim_id)

    def claims_by_id(self, claim_ids: Iterable[str]) -> dict[str, Claim]:
        """The claims with these ids (those that exist), each with its evidence, read together."""
        return self._claims_by_id(sorted(set(claim_ids)))

    def _claims_by_id(self, claim_ids: Sequence[str]) -> dict[str, Claim]:
        found: dict[str, Claim] = {}
        for offset in range(0, len(claim_ids), 500):
            chunk = list(claim_ids[offset:offset + 500])
            marks = ",".join("?" * len(chunk))
            found.update((claim.id, claim) for claim in self._claims(f"c.id IN ({marks})", chunk))
        return found

    def has_id(self, table: str, identifier: str) -> bool:
        """Whether ``predicates`` or ``sources`` holds ``identifier``."""
        if table not in ("predicates", "sources", "entities"):
            raise ValueError(table)
        return self.connection.execute(f"SELECT 1 FROM {table} WHERE id = ?", (identifier,)).fetchone() is not None

    def ids(self, table: str) -> list[str]:
        """Every id of ``predicates`` or ``sources`` (small tables: for suggestions)."""
        if table not in ("predicates", "sources"):
            raise ValueError(table)
        return [row[0] for row in self.connection.execute(f"SELECT id FROM {table} ORDER BY id")]  # noqa: S608

    def source_passages(self, source_id: str) -> list[PassageRecord]:
        """The body sentences of a source, as indexed at build or import (none when its text was absent)."""
        from claimscope.db.records import PassageRecord

        return [PassageRecord(*row) for row in self.connection.execute(
            'SELECT source_id, paragraph, sentence, start, "end", text FROM passages WHERE source_id = ?'
            " ORDER BY paragraph, sentence", (source_id,))]

    def passage_paragraphs(self, source_id: str) -> int:
        """The number of the last paragraph of a source whose sentences are indexed (0: none are)."""
        row = self.connection.execute("SELECT max(paragraph) FROM passages WHERE source_id = ?",
                                      (source_id,)).fetchone()
        return int(row[0] or 0)

    def passage_page(self, source_id: str, first: int, last: int) -> list[PassageRecord]:
        """The indexed sentences of paragraphs ``first`` to ``last`` of a source, in order (a reader's page)."""
        from claimscope.db.records import PassageRecord

        return [PassageRecord(*row) for row in self.connection.execute(
            'SELECT source_id, paragraph, sentence, start, "end", text FROM passages'
            " WHERE source_id = ? AND paragraph BETWEEN ? AND ? ORDER BY paragraph, sentence",
            (source_id, first, last))]

    def citation_counts(self, source_id: str, first: int, last: int) -> dict[tuple[int, int | None], int]:
        """How many pieces of evidence cite each sentence of paragraphs ``first`` to ``last`` of a source.

        Keyed by (paragraph, sentence); sentence None counts the evidence citing the paragraph as a whole.
        """
        return {(paragraph, sentence): count for paragraph, sentence, count in self.connection.execute(
            "SELECT paragraph, sentence, count(*) FROM evidence WHERE source_id = ? AND paragraph BETWEEN ? AND ?"
            " GROUP BY paragraph, sentence", (source_id, first, last))}

    def cited_paragraphs(self, source_id: str) -> list[int]:
        """Every paragraph of a source that some evidence cites, in order."""
        return [row[0] for row in self.connection.execute(
            "SELECT DISTINCT paragraph FROM evidence WHERE source_id = ? ORDER BY paragraph", (source_id,))]

    def cited_paragraph_near(self, source_id: str, paragraph: int, direction: int) -> int | None:
        """The first paragraph after ``paragraph`` (direction 1) or before it (-1) that some evidence of a source
        cites, or None."""
        if direction > 0:
            sql = "SELECT min(paragraph) FROM evidence WHERE source_id = ? AND paragraph > ?"
        else:
            sql = "SELECT max(paragraph) FROM evidence WHERE source_id = ? AND paragraph < ?"
        row = self.connection.execute(sql, (source_id, paragraph)).fetchone()
        return None if row[0] is None else int(row[0])

    def citing(self, source_id: str, paragraph: int, sentence: int | None) -> list[tuple[Claim, Evidence]]:
        """The claims citing a sentence of a source, each with the evidence that cites it there.

        Those citing the sentence come first, then those citing its whole paragraph; sentence None
        gives every claim citing the paragraph (the whole paragraph first, then sentence by sentence).
        Within each, claims come in the order of the paragraph that first cites them, then by id.
        """
        if sentence is None:
            rows = self.connection.execute(
                "SELECT claim_id, sentence FROM evidence WHERE source_id = ? AND paragraph = ?",
                (source_id, paragraph)).fetchall()
        else:
            rows = self.connection.execute(
                "SELECT claim_id, sentence FROM evidence WHERE source_id = ? AND paragraph = ?"
                " AND (sentence = ? OR sentence IS NULL)", (source_id, paragraph, sentence)).fetchall()
        claims = sorted(self._claims_by_id(sorted({claim_id for claim_id, _ in rows})).values(),
                        key=lambda claim: (min(e.paragraph for e in claim.evidence if e.source.id == source_id),
                                           claim.id))
        sentences = {cited for _, cited in rows}
        order = [sentence, None] if sentence is not None else [None, *sorted(s for s in sentences if s is not None)]
        return [(claim, evidence) for cited in order if cited in sentences for claim in claims
                for evidence in claim.evidence
                if evidence.source.id == source_id and evidence.paragraph == paragraph and evidence.sentence == cited]

    def has_passages(self) -> bool:
        """Whether the source texts were present at build or import, so that passages can be searched."""
        return self.connection.execute("SELECT 1 FROM passages LIMIT 1").fetchone() is not None

    def source_record(self, source_id: str) -> SourceRecord | None:
        """A source as the build was given it, with where its text lives and how it is laid out."""
        from claimscope.db.dump import source_records

        found = source_records(self.connection, source_id)
        return found[0] if found else None

    def source_claims(self, source_id: str) -> list[Claim]:
        """The claims a source supports, in the order of the paragraphs that support them."""
        order_rows = self.connection.execute(
            "SELECT claim_id, min(paragraph) FROM evidence WHERE source_id = ? GROUP BY claim_id", (source_id,)
        ).fetchall()
        first_paragraph = dict(order_rows)
        claims = self._claims("c.id IN (SELECT claim_id FROM evidence WHERE source_id = ?)", (source_id,))
        return sorted(claims, key=lambda claim: (first_paragraph.get(claim.id, 0), claim.id))

    def dispute_count(self) -> int:
        return int(self.connection.execute("SELECT count(DISTINCT dispute_id) FROM disputes").fetchone()[0])

    def disputes(self, offset: int = 0, limit: int = -1) -> list[Dispute]:
        """Groups of claims that disagree, each with its claims and their sources; a page or all."""
        members = self.connection.execute(
            "SELECT dispute_id, claim_id, reason FROM disputes WHERE dispute_id IN"
            " (SELECT DISTINCT dispute_id FROM disputes ORDER BY dispute_id LIMIT ? OFFSET ?)"
            " ORDER BY dispute_id, claim_id",
            (limit, offset),
        ).fetchall()
        claims: dict[str, Claim] = {}
        claim_ids = sorted({claim_id for _, claim_id, _ in members})
        for start in range(0, len(claim_ids), 500):
            chunk = claim_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            claims.update((claim.id, claim) for claim in self._claims(f"c.id IN ({marks})", chunk))
        grouped: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for dispute_id, claim_id, reason in members:
            grouped[dispute_id].append((claim_id, reason))
        disputes = []
        for dispute_id, pairs in grouped.items():
            dispute_claims = tuple(claims[claim_id] for claim_id, _ in pairs)
            first = dispute_claims[0]
            # A declared contradiction may join claims of different predicates: name them all.
            label = " vs ".join(dict.fromkeys(claim.label for claim in dispute_claims))
            disputes.append(
                Dispute(dispute_id, first.subject, first.predicate, label, dispute_claims,
                        tuple(reason for _, reason in pairs))
            )
        return disputes

    def stats(self) -> Stats:
        """Counts of sources, entities by kind, aliases, claims, evidence and resolved locators."""
        one = self.connection.execute
        return Stats(
            sources=one("SELECT count(*) FROM sources").fetchone()[0],
            entities_by_kind=tuple(one("SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY kind").fetchall()),
            aliases=one("SELECT count(*) FROM aliases").fetchone()[0],
            claims=one("SELECT count(*) FROM claims").fetchone()[0],
            evidence=one("SELECT count(*) FROM evidence").fetchone()[0],
            resolved_locators=one("SELECT count(*) FROM evidence WHERE start IS NOT NULL").fetchone()[0],
            disputes=one("SELECT count(DISTINCT dispute_id) FROM disputes").fetchone()[0],
        )

