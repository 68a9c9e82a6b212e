"""What an import checks its files against, asked of the knowledge base by index.

An import of a note into a million-claim knowledge base must cost what the note costs: every
question here (is this id taken, which entities share this spelling, is this claim already
there) is one indexed query, and nothing reads a whole table but the predicates (a few dozen
rows).
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from claimscope.db.dump import source_records
from claimscope.db.folding import compact, fold
from claimscope.db.records import ClaimRecord, PredicateRecord, SourceRecord

__all__ = ["KnownBase", "Lookup"]

_CHUNK = 500


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


class Lookup(Mapping[str, Any]):
    """A read-only mapping from id to a row of the knowledge base, read on demand and kept.

    ``suggest`` names the closest id for one that is not there, from the ids that share its
    first letters (never by reading every id).
    """

    def __init__(self, fetch: Any, near: Any, extra: Mapping[str, Any] | None = None) -> None:
        self._fetch = fetch
        self._near = near
        self._found: dict[str, Any] = dict(extra or {})
        self._missing: set[str] = set()

    def _load(self, keys: Iterable[str]) -> None:
        wanted = [key for key in keys if key not in self._found and key not in self._missing]
        if wanted:
            fetched = self._fetch(wanted)
            self._found.update(fetched)
            self._missing.update(key for key in wanted if key not in fetched)

    def preload(self, keys: Iterable[str]) -> None:
        """Read these ids in a few queries rather than one at a time."""
        self._load([key for key in keys if isinstance(key, str)])

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or key in self._missing:
            return False
        if key in self._found:
            return True
        self._load([key])
        return key in self._found

    def __getitem__(self, key: str) -> Any:
        if key not in self:
            raise KeyError(key)
        return self._found[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found)  # only what has been read: never the whole table

    def __len__(self) -> int:
        return len(self._found)

    def add(self, key: str, value: Any) -> None:
        self._found[key] = value
        self._missing.discard(key)

    def suggest(self, value: str) -> str | None:
        """``did you mean 'x'?`` for an id that is not there, or None."""
        candidates = list(dict.fromkeys([*self._near(value), *self._found]))
        matches = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
        return f"did you mean {matches[0]!r}?" if matches else None


class KnownBase:
    """The knowledge base an import is checked against, on ``connection`` (read-only or the writer's own)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.predicates: list[PredicateRecord] = [
            PredicateRecord(
                id=row[0], label=row[1], inverse_label=row[2], subject_kinds=tuple(json.loads(row[3])),
                object_kinds=tuple(json.loads(row[4])), value_type=row[5], functional=bool(row[6]),
                description=row[7], self_claim=bool(row[8]),
            )
            for row in connection.execute(
                "SELECT id, label, inverse_label, subject_kinds, object_kinds, value_type, functional, description,"
                " self_claim FROM predicates ORDER BY rowid")
        ]
        self.sources = Lookup(self._sources, lambda value: self._near("sources", value))
        self.entities = Lookup(self._entities, lambda value: self._near("entities", value))
        self.claims = Lookup(self._claims, lambda value: self._near("claims", value))

    # -- rows by id ---------------------------------------------------------------------------------

    def _near(self, table: str, value: str) -> list[str]:
        """Ids of ``table`` that share the first letters of ``value`` (for a suggestion)."""
        start = value[:3]
        return [row[0] for row in self.connection.execute(
            f"SELECT id FROM {table} WHERE id >= ? AND id < ? LIMIT 200",  # noqa: S608 - fixed table names
            (start, start + "\uffff"))]

    def _sources(self, ids: list[str]) -> dict[str, SourceRecord]:
        return {record.id: record for chunk in _chunks(ids) for source_id in chunk
                for record in source_records(self.connection, source_id)}

    def _entities(self, ids: list[str]) -> dict[str, tuple[str, str, bool]]:
        """(kind, name, whether an import added it) by id."""
        found: dict[str, tuple[str, str, bool]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            found.update((row[0], (row[1], row[2], row[3] is not None)) for row in self.connection.execute(
                f"SELECT id, kind, name, imported FROM entities WHERE id IN ({marks})", chunk))  # noqa: S608
        return found

    def _claims(self, ids: list[str]) -> dict[str, ClaimRecord]:
        found: dict[str, ClaimRecord] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            found.update((claim.id, claim) for claim in claim_records(
                self.connection, f"id IN ({marks})", chunk))
        return found

    # -- spellings --------------------------------------------------------------------------------------

    def aliases_of(self, entity_ids: Iterable[str]) -> list[tuple[str, str, str, str, bool]]:
        """(entity id, alias, folded, compact, weak) of every alias of these entities."""
        found = []
        for chunk in _chunks(entity_ids):
            marks = ",".join("?" * len(chunk))
            found += [(row[0], row[1], row[2], row[3], bool(row[4])) for row in self.connection.execute(
                f"SELECT entity_id, alias, folded, compact, weak FROM aliases WHERE entity_id IN ({marks})"  # noqa: S608
                " ORDER BY id", chunk)]
        return found

    def same_spelling(self, kind: str, text: str) -> list[str]:
        """The entities of ``kind`` with a strong alias spelled as ``text`` (compared folded and compact)."""
        key = compact(fold(text))
        if not key:
            return []
        return [row[0] for row in self.connection.execute(
            "SELECT DISTINCT a.entity_id FROM aliases a JOIN entities e ON e.id = a.entity_id"
            " WHERE a.compact = ? AND a.weak = 0 AND e.kind = ? ORDER BY a.entity_id", (key, kind))]

    def alike(self, kind: str, text: str, cutoff: float, limit: int = 20) -> list[tuple[str, str, float]]:
        """Entities of ``kind`` whose spelling is alike ``text`` (rapidfuzz ratio of folded forms, at least
        ``cutoff``): (entity id, the alike spelling, its score), from the trigram index's candidates."""
        from rapidfuzz import fuzz

        from claimscope.db.search import candidate_aliases

        folded = fold(text)
        found: dict[str, tuple[str, float]] = {}
        for entity_id, alias, alias_folded, _weak in candidate_aliases(self.connection, compact(folded), kind):
            score = fuzz.ratio(folded, alias_folded, score_cutoff=cutoff)
            if score and score > found.get(entity_id, ("", 0.0))[1]:
                found[entity_id] = (alias, score)
        ranked = sorted(found.items(), key=lambda item: -item[1][1])[:limit]
        return [(entity_id, alias, score) for entity_id, (alias, score) in ranked]

    # -- claims ----------------------------------------------------------------------------------------------

    def links(self, entity_ids: Iterable[str]) -> list[tuple[str | None, str | None, str | None]]:
        """(subject, object, claimant) of every claim one of these entities takes part in."""
        found: dict[str, tuple[str | None, str | None, str | None]] = {}
        for chunk in _chunks(entity_ids):
            marks = ",".join("?" * len(chunk))
            for column in ("subject_id", "object_id", "claimant_id"):
                found.update((row[0], (row[1], row[2], row[3])) for row in self.connection.execute(
                    f"SELECT id, subject_id, object_id, claimant_id FROM claims WHERE {column} IN ({marks})",  # noqa: S608
                    chunk))
        return list(found.values())

    def evidence_keys(self, claim_ids: Iterable[str]) -> set[tuple[Any, ...]]:
        """(claim, source, paragraph, sentence, start, end) of the evidence these claims have."""
        found: set[tuple[Any, ...]] = set()
        for chunk in _chunks(claim_ids):
            marks = ",".join("?" * len(chunk))
            found.update(tuple(row) for row in self.connection.execute(
                f'SELECT claim_id, source_id, paragraph, sentence, start, "end" FROM evidence'  # noqa: S608
                f" WHERE claim_id IN ({marks})", chunk))
        return found

    def imports(self) -> list[dict[str, Any]]:
        """The record of every import (and removal) into this knowledge base, oldest first."""
        row = self.connection.execute("SELECT value FROM meta WHERE key = 'imports'").fetchone()
        return list(json.loads(row[0])) if row else []

    def record(self, entry: dict[str, Any]) -> None:
        """Add ``entry`` to the record of imports (on a writable connection, inside its transaction)."""
        self.connection.execute("INSERT OR REPLACE INTO meta VALUES ('imports', ?)",
                                (json.dumps([*self.imports(), entry], ensure_ascii=False),))


_CLAIM_COLUMNS = ("id, subject_id, predicate_id, object_id, value_text, value_number, value_date, unit, qualifier,"
                  ' start, "end", modality, claimant_id, statement, inferred, note, contradicts, scope')


def claim_records(connection: sqlite3.Connection, where: str, parameters: Iterable[object]) -> list[ClaimRecord]:
    """The claims ``where`` selects, as the records they were built from."""
    return [
        ClaimRecord(id=row[0], subject=row[1], predicate=row[2], object=row[3], value_text=row[4],
                    value_number=row[5], value_date=row[6], unit=row[7], qualifier=row[8], start=row[9], end=row[10],
                    modality=row[11], claimant=row[12], statement=row[13], inferred=row[14], note=row[15],
                    contradicts=tuple(json.loads(row[16])) if row[16] else (), scope=row[17])
        for row in connection.execute(f"SELECT {_CLAIM_COLUMNS} FROM claims WHERE {where}", tuple(parameters))  # noqa: S608
    ]
