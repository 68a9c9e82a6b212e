"""Ranked entity search over aliases.

The query and every alias are folded the same way (``db.folding``). Candidates come from
indexes only, never from a scan of the alias table:

1. *exact*: the compact folded query equals an alias's compact form (B-tree index);
2. *prefix*: an alias's compact form starts with the query (a range on the same index);
3. *word*: every word of the query starts a word of the alias (FTS5 prefix query), so
   that "Khurasan" finds "Islamic State Khurasan";
4. *fuzzy*: aliases sharing trigrams with the query (FTS5 trigram index), best first,
   scored with rapidfuzz; only a short list is ever scored.

Strong aliases rank above weak ones within the first three kinds of match, and every
strong exact, prefix or word match ranks above any weak one; fuzzy matches come last.
Each entity appears once, under its best-matching alias.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from db.folding import compact, fold
from db.models import SearchResult

__all__ = ["FUZZY_CANDIDATES", "FUZZY_THRESHOLD", "search"]

#: How many trigram candidates are scored with rapidfuzz.
FUZZY_CANDIDATES = 200
#: The lowest rapidfuzz score (0-100) that counts as a match.
FUZZY_THRESHOLD = 72.0
_HOW_RANK = {"exact": 0, "prefix": 1, "word": 2}


@dataclass(frozen=True, slots=True)
class _Hit:
    entity_id: str
    alias: str
    folded: str
    weak: bool
    how: str
    similarity: float  # rapidfuzz score for fuzzy hits, 100 otherwise

    def rank(self) -> tuple[int, float]:
        if self.how == "fuzzy":
            return (6, -self.similarity + (10 if self.weak else 0))
        return (_HOW_RANK[self.how] + (3 if self.weak else 0), 0.0)

    def score(self) -> float:
        if self.how == "fuzzy":
            return round(max(self.similarity * 0.8 - (5 if self.weak else 0), 0.0), 1)
        return 100.0 - 3 * self.rank()[0]


def _rows(connection: sqlite3.Connection, sql: str, parameters: tuple[object, ...], how: str) -> list[_Hit]:
    return [
        _Hit(entity_id, alias, folded, bool(weak), how, 100.0)
        for entity_id, alias, folded, weak in connection.execute(sql, parameters)
    ]


def _kind_clause(kind: str | None) -> tuple[str, tuple[object, ...]]:
    if kind is None:
        return "", ()
    return " AND a.entity_id IN (SELECT id FROM entities WHERE kind = ?)", (kind,)


def _trigrams(text: str) -> list[str]:
    return sorted({text[i:i + 3] for i in range(len(text) - 2)})


def search(connection: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 20) -> list[SearchResult]:
    """Search entity aliases for ``query``; see the module docstring for the ranking."""
    folded_query = fold(query)
    compact_query = compact(folded_query)
    if not compact_query or limit <= 0:
        return []
    kind_sql, kind_parameters = _kind_clause(kind)
    pool = max(limit * 5, 50)
    select = "SELECT a.entity_id, a.alias, a.folded, a.weak FROM aliases a"
    hits = _rows(connection, f"{select} WHERE a.compact = ?{kind_sql} LIMIT ?",
                 (compact_query, *kind_parameters, pool), "exact")
    hits += _rows(
        connection,
        f"{select} WHERE a.compact > ? AND a.compact < ?{kind_sql} ORDER BY length(a.compact) LIMIT ?",
        (compact_query, compact_query + "\uffff", *kind_parameters, pool), "prefix",
    )
    # Folded words hold only [a-z0-9], so quoting them makes a safe FTS5 query.
    match = " AND ".join(f'"{word}"*' for word in folded_query.split())
    hits += _rows(
        connection,
        f"{select} JOIN aliases_fts f ON f.rowid = a.id WHERE aliases_fts MATCH ?{kind_sql}"
        " ORDER BY f.rank LIMIT ?",
        (match, *kind_parameters, pool), "word",
    )
    hits += _fuzzy(connection, folded_query, compact_query, kind_sql, kind_parameters)
    return _rank(connection, hits, limit)


def _fuzzy(connection: sqlite3.Connection, folded_query: str, compact_query: str, kind_sql: str,
           kind_parameters: tuple[object, ...]) -> list[_Hit]:
    trigrams = _trigrams(compact_query)
    if not trigrams:
        return []
    from rapidfuzz import fuzz  # loaded on the first fuzzy search, not at start-up

    match = " OR ".join(f'"{trigram}"' for trigram in trigrams)
    rows = connection.execute(
        "SELECT a.entity_id, a.alias, a.folded, a.weak FROM aliases a"
        f" JOIN aliases_trigram t ON t.rowid = a.id WHERE aliases_trigram MATCH ?{kind_sql}"
        " ORDER BY t.rank LIMIT ?",
        (match, *kind_parameters, FUZZY_CANDIDATES),
    ).fetchall()
    hits = []
    for entity_id, alias, folded, weak in rows:
        # Compare the whole alias, and word by word so that a misspelt surname still finds
        # a long name; a part-match counts a little less than a whole one.
        whole = fuzz.ratio(folded_query, folded)
        words = folded.split()
        width = len(folded_query.split())
        parts = max(
            (fuzz.ratio(folded_query, " ".join(words[i:i + width])) for i in range(max(len(words) - width + 1, 1))),
            default=0.0,
        )
        similarity = max(whole, parts * 0.95 if len(words) > width else parts)
        if similarity >= FUZZY_THRESHOLD:
            hits.append(_Hit(entity_id, alias, folded, bool(weak), "fuzzy", similarity))
    return hits


def _rank(connection: sqlite3.Connection, hits: list[_Hit], limit: int) -> list[SearchResult]:
    best: dict[str, _Hit] = {}
    for hit in hits:
        current = best.get(hit.entity_id)
        if current is None or (hit.rank(), len(hit.folded)) < (current.rank(), len(current.folded)):
            best[hit.entity_id] = hit
    if not best:
        return []
    ids = list(best)
    marks = ",".join("?" * len(ids))
    entities = {
        row[0]: row
        for row in connection.execute(
            f"SELECT id, kind, name, claim_count FROM entities WHERE id IN ({marks})", ids  # noqa: S608
        )
    }
    # Ties are broken by how much the knowledge base says about the entity, then by name.
    ordered = sorted(
        best.values(),
        key=lambda hit: (hit.rank(), -entities[hit.entity_id][3], entities[hit.entity_id][2].lower(), hit.entity_id),
    )
    return [
        SearchResult(
            id=hit.entity_id, kind=entities[hit.entity_id][1], name=entities[hit.entity_id][2],
            score=hit.score(), matched=hit.alias, weak=hit.weak, how=hit.how,
        )
        for hit in ordered[:limit]
    ]
