"""Ranked entity search over aliases.

The query and every alias are folded the same way (``db.folding``). Candidates come from
indexes only, never from a scan of the alias table:

1. *exact*: the compact folded query equals an alias's compact form (B-tree index);
2. *prefix*: an alias's compact form starts with the query (a range on the same index);
3. *word*: every word of the query starts a word of the alias (FTS5 prefix query), so
   that "Khurasan" finds "Islamic State Khurasan";
4. *fuzzy*: the query is cut into one more piece than the edits it may hold, and an
   alias holding every trigram of some piece is a candidate (FTS5 trigram index); only
   that short list is scored with rapidfuzz.

Strong aliases rank above weak ones within the first three kinds of match, and every
strong exact, prefix or word match ranks above any weak one; fuzzy matches come last.
Each entity appears once, under its best-matching alias.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from claimscope.db.folding import compact, fold
from claimscope.db.models import SearchResult

__all__ = [
    "FUZZY_CANDIDATES",
    "FUZZY_THRESHOLD",
    "SearchResults",
    "candidate_aliases",
    "closest",
    "search",
    "search_names",
    "text_hits",
]

#: How many trigram candidates each piece of the query contributes to rapidfuzz scoring.
FUZZY_CANDIDATES = 300
#: How many of the query's rarest trigrams narrow a piece that too many aliases hold.
RARE_TRIGRAMS = 4
#: The shortest query (letters, without spaces) that is also matched fuzzily.
MIN_FUZZY = 4
#: The lowest rapidfuzz score (0-100) that counts as a match.
FUZZY_THRESHOLD = 72.0
_HOW_RANK = {"exact": 0, "prefix": 1, "word": 2}


class SearchResults(list[SearchResult]):
    """The best results, and how many entities matched in all (``total``).

    ``total`` counts the entities among the candidates the indexes gave; when a kind of match
    gave as many candidates as it was allowed (``capped``), more may exist, and ``total`` is
    a lower bound.
    """

    total: int = 0
    capped: bool = False
    #: Every entity a name matched, beyond ``limit`` too (so that hits by words do not repeat one).
    matched_ids: tuple[str, ...] = ()


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
    # A lookup per candidate row: cheaper than gathering every id of the kind first.
    return " AND (SELECT kind FROM entities WHERE id = a.entity_id) = ?", (kind,)


def _trigrams(text: str) -> list[str]:
    return sorted({text[i:i + 3] for i in range(len(text) - 2)})


def search(connection: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 20,
           text: bool = True) -> SearchResults:
    """Entities whose names match ``query`` (see the module docstring), then, with ``text``, hits by words.

    Hits by words (``text_hits``: summaries, claims, passages) come after every name match and
    never repeat an entity a name found. ``total`` counts both.
    """
    names = search_names(connection, query, kind, limit)
    if not text:
        return names
    by_words = text_hits(connection, query, kind, limit, exclude=frozenset(names.matched_ids))
    results = SearchResults([*names, *by_words][:limit])
    results.total = names.total + by_words.total
    results.capped = names.capped or by_words.capped
    results.matched_ids = names.matched_ids
    return results


def search_names(connection: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 20
                 ) -> SearchResults:
    """Search entity aliases for ``query``; see the module docstring for the ranking."""
    folded_query = fold(query)
    compact_query = compact(folded_query)
    if not compact_query or limit <= 0:
        return SearchResults()
    kind_sql, kind_parameters = _kind_clause(kind)
    pool = max(limit * 5, 50)
    select = "SELECT a.entity_id, a.alias, a.folded, a.weak FROM aliases a"
    # Folded words hold only [a-z0-9], so quoting them makes a safe FTS5 query.
    match = " AND ".join(f'"{word}"*' for word in folded_query.split())
    stages = [
        _rows(connection, f"{select} WHERE a.compact = ?{kind_sql} LIMIT ?",
              (compact_query, *kind_parameters, pool), "exact"),
        _rows(connection,
              f"{select} WHERE a.compact > ? AND a.compact < ?{kind_sql} ORDER BY length(a.compact) LIMIT ?",
              (compact_query, compact_query + "\uffff", *kind_parameters, pool), "prefix"),
        _rows(connection,
              f"{select} JOIN aliases_fts f ON f.rowid = a.id WHERE aliases_fts MATCH ?{kind_sql} LIMIT ?",
              (match, *kind_parameters, pool), "word"),
    ]
    fuzzy, fuzzy_capped = _fuzzy(connection, folded_query, compact_query, kind_sql, kind_parameters)
    results = _rank(connection, [hit for stage in stages for hit in stage] + fuzzy, limit)
    results.capped = fuzzy_capped or any(len(stage) >= pool for stage in stages)
    return results


def _pieces(text: str) -> list[str]:
    """Cut ``text`` into contiguous pieces of at least three letters, one more than the edits allowed.

    One edit can spoil only the piece it falls in, so an alias within ``k`` edits of the
    query contains at least one of ``k + 1`` pieces intact (the pigeonhole principle).
    """
    if len(text) < 6:
        # Too short for two whole pieces: its first and last three letters, which overlap,
        # still find a name whose one edit lies at either end.
        return [text[:3], text[-3:]] if len(text) > 3 else [text]
    edits = 1 if len(text) < 10 else 2 if len(text) < 16 else 3
    count = max(1, min(edits + 1, len(text) // 3))
    size, extra = divmod(len(text), count)
    pieces, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def _candidates(connection: sqlite3.Connection, compact_query: str, kind_sql: str,
                kind_parameters: tuple[object, ...]) -> tuple[list[tuple[str, str, str, int]], bool]:
    """Aliases that may be within a few edits of ``compact_query``, and whether a piece gave as many as it may.

    Candidates are the aliases holding every trigram of at least one piece of the query. Each
    piece is an AND of a few trigrams, which the index answers by intersecting posting
    lists. A piece common enough to swamp the list (say "news" or "province") must also
    bring one of the rarest other trigrams of the query, so that the short list it gives
    holds the names that share the unusual part.
    """
    trigrams = _trigrams(compact_query)
    if not trigrams:
        return [], False
    marks = ",".join("?" * len(trigrams))
    counts = dict(connection.execute(
        f"SELECT trigram, aliases FROM trigram_counts WHERE trigram IN ({marks})", trigrams  # noqa: S608
    ).fetchall())
    candidate_ids: set[int] = set()
    capped = False
    for piece in _pieces(compact_query):
        own = _trigrams(piece)
        if not own or not all(counts.get(trigram) for trigram in own):
            continue  # some trigram of the piece is in no alias at all
        match = " AND ".join(f'"{trigram}"' for trigram in own)
        if min(counts[trigram] for trigram in own) > FUZZY_CANDIDATES:
            others = (trigram for trigram in trigrams if trigram not in own and counts.get(trigram))
            rare = sorted(others, key=counts.__getitem__)[:RARE_TRIGRAMS]
            if rare:
                match = f"({match}) AND (" + " OR ".join(f'"{trigram}"' for trigram in rare) + ")"
        found = connection.execute(
            "SELECT rowid FROM aliases_trigram WHERE aliases_trigram MATCH ? LIMIT ?", (match, FUZZY_CANDIDATES)
        ).fetchall()
        capped = capped or len(found) >= FUZZY_CANDIDATES
        candidate_ids.update(row[0] for row in found)
    if not candidate_ids:
        return [], capped
    ids = sorted(candidate_ids)
    marks = ",".join("?" * len(ids))
    rows = connection.execute(
        f"SELECT a.entity_id, a.alias, a.folded, a.weak FROM aliases a WHERE a.id IN ({marks}){kind_sql}",  # noqa: S608
        (*ids, *kind_parameters),
    ).fetchall()
    return rows, capped


def candidate_aliases(connection: sqlite3.Connection, compact_query: str, kind: str | None = None
                      ) -> list[tuple[str, str, str, int]]:
    """(entity id, alias, folded alias, weak) of the aliases that may be a few edits from ``compact_query``."""
    kind_sql, kind_parameters = _kind_clause(kind)
    return _candidates(connection, compact_query, kind_sql, kind_parameters)[0]


def _fuzzy(connection: sqlite3.Connection, folded_query: str, compact_query: str, kind_sql: str,
           kind_parameters: tuple[object, ...]) -> tuple[list[_Hit], bool]:
    """Fuzzy hits, and whether some piece of the query gave as many candidates as it may."""
    if len(compact_query) < MIN_FUZZY:
        return [], False
    from rapidfuzz import fuzz  # loaded on the first fuzzy search, not at start-up

    rows, capped = _candidates(connection, compact_query, kind_sql, kind_parameters)
    hits = []
    width = len(folded_query.split())
    for entity_id, alias, folded, weak in rows:
        # Compare the whole alias, and word by word so that a misspelt surname still finds
        # a long name; a part-match counts a little less than a whole one.
        similarity = fuzz.ratio(folded_query, folded, score_cutoff=FUZZY_THRESHOLD)
        words = folded.split()
        if len(words) > width:
            for index in range(len(words) - width + 1):
                part = fuzz.ratio(folded_query, " ".join(words[index:index + width]), score_cutoff=FUZZY_THRESHOLD)
                similarity = max(similarity, part * 0.95)
        if similarity >= FUZZY_THRESHOLD:
            hits.append(_Hit(entity_id, alias, folded, bool(weak), "fuzzy", similarity))
    return hits, capped


def _rank(connection: sqlite3.Connection, hits: list[_Hit], limit: int) -> SearchResults:
    best: dict[str, _Hit] = {}
    for hit in hits:
        current = best.get(hit.entity_id)
        if current is None or (hit.rank(), len(hit.folded)) < (current.rank(), len(current.folded)):
            best[hit.entity_id] = hit
    if not best:
        return SearchResults()
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
    results = SearchResults(
        SearchResult(
            id=hit.entity_id, kind=entities[hit.entity_id][1], name=entities[hit.entity_id][2],
            score=hit.score(), matched=hit.alias, weak=hit.weak, how=hit.how,
        )
        for hit in ordered[:limit]
    )
    results.total = len(ordered)
    results.matched_ids = tuple(hit.entity_id for hit in ordered)
    return results


#: How many aliases sharing the most trigrams with a query ``closest`` scores.
CLOSEST_CANDIDATES = 400
#: The lowest rapidfuzz score (0-100) at which ``closest`` still offers a name.
CLOSEST_THRESHOLD = 50.0


def closest(connection: sqlite3.Connection, query: str, limit: int = 5) -> list[SearchResult]:
    """Names to suggest when nothing matches ``query``: a looser fuzzy match than ``search`` allows.

    Candidates are the aliases that share the most trigrams with the query (FTS5 ranks an OR of
    them), scored with rapidfuzz; never a scan of the alias table.
    """
    compact_query = compact(fold(query))
    trigrams = _trigrams(compact_query)
    if not trigrams or limit <= 0:
        return []
    from rapidfuzz import fuzz

    match = " OR ".join(f'"{trigram}"' for trigram in trigrams)
    rows = connection.execute(
        "SELECT a.entity_id, a.alias, a.folded, a.weak FROM aliases_trigram t JOIN aliases a ON a.id = t.rowid"
        " WHERE aliases_trigram MATCH ? ORDER BY t.rank LIMIT ?",
        (match, CLOSEST_CANDIDATES),
    ).fetchall()
    hits = []
    for entity_id, alias, folded, weak in rows:
        similarity = fuzz.WRatio(compact_query, compact(folded), score_cutoff=CLOSEST_THRESHOLD)
        if similarity:
            hits.append(_Hit(entity_id, alias, folded, bool(weak), "fuzzy", similarity))
    return _rank(connection, hits, limit)


# -- hits by words: summaries, claims and passages ----------------------------------------------------

#: The score of the best hit by words; every name match scores more (a weak fuzzy one at least 52).
TEXT_SCORE = 50.0
#: How much a hit of each kind weighs against the best of its own kind (bm25 values of different
#: indexes cannot be compared): an entity described so first, then a claim, then a passage.
_TEXT_WEIGHT = {"summary": 1.0, "claim": 0.85, "passage": 0.7}
#: How many hits of each kind are considered (at least; twice the results asked for).
TEXT_POOL = 60
_SNIPPET_WORDS = 14


def _scored(rows: list[tuple[float, int]], held: dict[int, int] | None, units: int, how: str) -> dict[int, float]:
    """Each rowid's score: its bm25 against the best of its kind, times the share of the words it holds."""
    best = max((-rank for rank, _ in rows), default=0.0) or 1.0
    return {
        rowid: round(TEXT_SCORE * _TEXT_WEIGHT[how] * (-rank / best) * ((held or {}).get(rowid, units) / units), 1)
        for rank, rowid in rows
    }


def text_hits(connection: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 20,
              exclude: frozenset[str] = frozenset(), prefix: bool = False) -> SearchResults:
    """Entities and passages whose words match ``query``, best first: summaries, claims, passages.

    Every word is required when some text holds them all; otherwise any will do, and the
    texts holding the most words come first. ``exclude`` holds entity ids already found by
    name. A passage (a sentence of a source text) is a result of its own, kind ``passage``.
    """
    from claimscope.db.fulltext import MARK_CLOSE, MARK_OPEN, best_ranked, by_coverage, text_query

    words = text_query(query, connection, prefix=prefix)
    if words is None or limit <= 0:
        return SearchResults()
    marks = (MARK_OPEN, MARK_CLOSE, _SNIPPET_WORDS)
    pool = max(TEXT_POOL, 2 * limit)
    kind_sql, kind_parameters = ("AND e.kind = ?", (kind,)) if kind else ("", ())
    # Per index: what it is joined to for filtering, and the query that reads the chosen rows
    # with their snippets (only for the few rows chosen: ranking and snippets cost per row).
    statements = {
        "summary": (
            "entities_fts",
            "entities_fts f JOIN entities e ON e.rowid = f.rowid", f"entities_fts MATCH ? {kind_sql}",
            "SELECT 0, e.rowid, e.id, e.kind, e.name, snippet(entities_fts, -1, ?, ?, '…', ?)"
            " FROM entities_fts f JOIN entities e ON e.rowid = f.rowid WHERE entities_fts MATCH ?"
            " AND f.rowid >= ? AND f.rowid <= ? AND +f.rowid IN ({})",
        ),
        "claim": (
            "claims_fts",
            "claims_fts f", "claims_fts MATCH ?",
            "SELECT 0, c.rowid, c.id, c.subject_id, c.object_id, snippet(claims_fts, 0, ?, ?, '…', ?)"
            " FROM claims_fts f JOIN claims c ON c.rowid = f.rowid WHERE claims_fts MATCH ?"
            " AND f.rowid >= ? AND f.rowid <= ? AND +f.rowid IN ({})",
        ),
        "passage": (
            "passages_fts",
            "passages_fts f", "passages_fts MATCH ?",
            "SELECT 0, p.id, p.source_id, p.paragraph, p.sentence, snippet(passages_fts, 0, ?, ?, '…', ?)"
            " FROM passages_fts f JOIN passages p ON p.id = f.rowid WHERE passages_fts MATCH ?"
            " AND f.rowid >= ? AND f.rowid <= ? AND +f.rowid IN ({})",
        ),
    }
    if kind is not None:
        del statements["passage"]  # a passage is of no entity kind
    ranked_among: list[int] = []

    def run(expression: str) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for how, (_, source, where, sql) in statements.items():
            ranked, among = best_ranked(connection, source, where,
                                        (expression, *(kind_parameters if how == "summary" else ())), pool)
            if among:
                ranked_among.append(among)
            position = {rowid: index for index, (rowid, _) in enumerate(ranked)}
            rank = dict(ranked)
            # The snippets of the chosen rows only. FTS5 does not take a rowid IN list as a
            # constraint, so it is given their range (which it seeks) and the list is applied
            # after (the unary +): without the range it read every match, and computed the rank
            # of each when asked for it (3.8 s for a keystroke at a million claims, now 20 ms).
            rows = connection.execute(sql.format(",".join("?" * len(position))),
                                      (*marks, expression, min(position, default=0), max(position, default=0),
                                       *position)) if position else []
            found[how] = sorted(((rank[row[1]], *row[1:]) for row in rows), key=lambda row: position[row[1]])
        return found

    results: dict[str, tuple[int, SearchResult]] = {}
    found = run(words.all_words)
    capped = any(len(rows) >= pool for rows in found.values())
    _collect(connection, found, dict.fromkeys(statements), 1, kind, exclude, results, tier=0)
    if len(results) < limit and len(words.units) > 1:
        # Too few texts hold every word: add, after them, those that hold the most of the words.
        partial = run(words.any_word)
        held: dict[str, dict[int, int] | None] = {}
        for how, (table, *_) in statements.items():
            order, held[how] = by_coverage(connection, table, words, [int(row[1]) for row in partial[how]])
            by_rowid = {row[1]: row for row in partial[how]}
            partial[how] = [by_rowid[rowid] for rowid in order]
        capped = capped or any(len(rows) >= pool for rows in partial.values())
        _collect(connection, partial, held, len(words.units), kind, exclude, results, tier=1)
    ordered = SearchResults(result for _, result in sorted(
        results.values(), key=lambda item: (item[0], -item[1].score, item[1].how != "summary", item[1].id)))
    ordered.total = len(ordered)
    del ordered[limit:]
    ordered.capped = capped or bool(ranked_among)
    return ordered


def _collect(connection: sqlite3.Connection, found: dict[str, list[Any]], held: dict[str, dict[int, int] | None],
             units: int, kind: str | None, exclude: frozenset[str], results: dict[str, tuple[int, SearchResult]],
             tier: int) -> None:
    """Add the rows ``found`` in each index to ``results`` (each entity and passage once, at its best)."""
    from claimscope.db.fulltext import split_snippet

    def keep(key: str, result: SearchResult) -> None:
        if key not in results or (tier, -result.score) < (results[key][0], -results[key][1].score):
            results[key] = (tier, result)

    scores = _scored([(float(row[0]), int(row[1])) for row in found["summary"]], held.get("summary"), units,
                     "summary")
    for _, rowid, entity_id, entity_kind, name, snippet in found["summary"]:
        if entity_id in exclude:
            continue
        text, spans = split_snippet(snippet)
        keep(entity_id, SearchResult(entity_id, entity_kind, name, scores[rowid], text, False, "summary", text, spans))
    claim_rows = found["claim"]
    scores = _scored([(float(row[0]), int(row[1])) for row in claim_rows], held.get("claim"), units, "claim")
    entities = _entity_rows(connection, {entity for row in claim_rows for entity in row[3:5] if entity})
    for _, rowid, claim_id, subject_id, object_id, snippet in claim_rows:
        text, spans = split_snippet(snippet)
        # Both ends of the claim: the subject (or the event, when one end is one: what happened)
        # first, the other end a little after.
        ends = [end for end in (subject_id, object_id) if end in entities]
        ends.sort(key=lambda end: entities[end][1] != "event")
        for rank, entity_id in enumerate(ends):
            if entity_id in exclude or (kind and entities[entity_id][1] != kind):
                continue
            _, entity_kind, name = entities[entity_id]
            keep(entity_id, SearchResult(entity_id, entity_kind, name, round(scores[rowid] * (1 - 0.1 * rank), 1),
                                         text, False, "claim", text, spans, claim=claim_id))
    passage_rows = found.get("passage", [])
    scores = _scored([(float(row[0]), int(row[1])) for row in passage_rows], held.get("passage"), units, "passage")
    sources = sorted({str(row[2]) for row in passage_rows})
    titles = dict(connection.execute(
        f"SELECT id, title FROM sources WHERE id IN ({','.join('?' * len(sources))})", sources,  # noqa: S608
    )) if sources else {}
    for _, rowid, source_id, paragraph, sentence, snippet in passage_rows:
        text, spans = split_snippet(snippet)
        citing = tuple(row[0] for row in connection.execute(
            "SELECT DISTINCT claim_id FROM evidence WHERE source_id = ? AND paragraph = ?"
            " AND (sentence = ? OR sentence IS NULL) ORDER BY claim_id", (source_id, paragraph, sentence)))
        locator = f"{source_id}:{paragraph}.{sentence}"
        keep(locator, SearchResult(locator, "passage", titles.get(source_id, str(source_id)), scores[rowid], text,
                                   False, "passage", text, spans, source=str(source_id), paragraph=int(paragraph),
                                   sentence=int(sentence), citing=citing))


def _entity_rows(connection: sqlite3.Connection, ids: set[str]) -> dict[str, tuple[str, str, str]]:
    found: dict[str, tuple[str, str, str]] = {}
    ordered = sorted(ids)
    for offset in range(0, len(ordered), 500):
        chunk = ordered[offset:offset + 500]
        for row in connection.execute(
            f"SELECT id, kind, name FROM entities WHERE id IN ({','.join('?' * len(chunk))})", chunk  # noqa: S608
        ):
            found[row[0]] = row
    return found
