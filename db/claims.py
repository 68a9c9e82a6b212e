"""Finding claims by their words and by filters, and counting them by facet.

Every filter is a bound parameter; the words go through ``db.fulltext`` and are quoted. A
query with words is ranked by bm25 over ``claims_fts`` (each claim read as a sentence with
its statement, stemmed) when some claim of the selection holds every word. When none does,
the words may describe an entity rather than a claim ("Taliban commander assassinated
Mazar-i-Sharif" is an event's summary): the claims about the entities whose name, summary,
place or actors hold every word (or whose name the query spells, even misspelt) come first,
then the claims holding the most of the words. Without words, claims come in the order of
their ids, which begin with the subject's id and the predicate.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from claimscope.db.edtf import parse_edtf
from claimscope.db.fulltext import (
    COVERAGE_POOL,
    MARK_CLOSE,
    MARK_OPEN,
    TextQuery,
    best_ranked,
    by_coverage,
    split_snippet,
    text_query,
)
from claimscope.db.models import ClaimFacets, ClaimQuery, Facet
from claimscope.db.records import MODALITIES, SOURCE_GRADES

__all__ = ["FACET_NAMES", "Selection", "count", "facets", "page", "select"]

#: The facets, in the order they are shown.
FACET_NAMES = ("modality", "predicate", "source", "claimant", "grade", "disputed")
#: How many words of a claim its snippet shows.
SNIPPET_WORDS = 16


@dataclass(frozen=True, slots=True)
class Selection:
    """A claim query as SQL: the FROM clause, the WHERE clause and its parameters."""

    source: str
    where: str
    parameters: tuple[object, ...]
    #: The FTS5 expression the claims match, when the query has words.
    match: str | None
    #: The words, when no claim holds them all (the claims about ``entities`` come first, then
    #: those holding most of the words).
    partial: TextQuery | None = None
    entities: tuple[str, ...] = ()
    #: The filters alone, and their parameters.
    filters: str = "1"
    filter_parameters: tuple[object, ...] = ()


#: How many entities described by every word of a query lend their claims to it.
DESCRIBED_ENTITIES = 5


def _grades_up_to(grade: str) -> tuple[str, ...]:
    if grade == "F":
        return ("F",)
    return tuple(g for g in SOURCE_GRADES if g != "F" and g <= grade)


def select(connection: sqlite3.Connection, query: ClaimQuery) -> Selection:
    """The SQL for ``query``.

    Raises:
        ValueError: a modality, grade or date that cannot be (an EDTF error for a date).
    """
    clauses: list[str] = []
    parameters: list[object] = []
    if query.entity:
        clauses.append("c.rowid IN (SELECT rowid FROM claims WHERE subject_id = ?"
                       " UNION ALL SELECT rowid FROM claims WHERE object_id = ?)")
        parameters += [query.entity, query.entity]
    if query.involving:
        clauses.append("c.rowid IN (SELECT rowid FROM claims WHERE subject_id = ? UNION ALL SELECT rowid FROM claims"
                       " WHERE object_id = ? UNION ALL SELECT rowid FROM claims WHERE claimant_id = ?)")
        parameters += [query.involving] * 3
    if query.predicate:
        clauses.append("c.predicate_id = ?")
        parameters.append(query.predicate)
    if query.modalities:
        unknown = sorted(set(query.modalities) - set(MODALITIES))
        if unknown:
            raise ValueError(f"unknown modality {unknown[0]!r}: one of {', '.join(MODALITIES)}")
        clauses.append(f"c.modality IN ({','.join('?' * len(query.modalities))})")
        parameters += list(query.modalities)
    if query.claimant == "":
        clauses.append("c.claimant_id IS NULL")
    elif query.claimant:
        clauses.append("c.claimant_id = ?")
        parameters.append(query.claimant)
    if query.source:
        clauses.append("c.id IN (SELECT claim_id FROM evidence WHERE source_id = ?)")
        parameters.append(query.source)
    if query.grade is not None:
        if not 1 <= query.grade <= 6:
            raise ValueError(f"an information grade runs from 1 (confirmed) to 6 (cannot be judged), not {query.grade}")
        clauses.append("c.best_grade <= ?")
        parameters.append(query.grade)
    if query.source_grade is not None:
        if query.source_grade not in SOURCE_GRADES:
            raise ValueError(f"a source grade is one of {', '.join(SOURCE_GRADES)}, not {query.source_grade!r}")
        grades = _grades_up_to(query.source_grade)
        clauses.append("EXISTS (SELECT 1 FROM evidence e JOIN sources s ON s.id = e.source_id"
                       f" WHERE e.claim_id = c.id AND s.grade IN ({','.join('?' * len(grades))}))")
        parameters += list(grades)
    if query.disputed is not None:
        clauses.append("c.disputed = ?")
        parameters.append(int(query.disputed))
    if query.since:
        clauses.append("c.time_upper >= ?")
        parameters.append(parse_edtf(query.since).lower)
    if query.until:
        clauses.append("c.time_lower <= ?")
        parameters.append(parse_edtf(query.until).upper)
    where = " AND ".join(clauses) or "1"
    filters = tuple(parameters)
    words = text_query(query.text, connection) if query.text else None
    if words is None:
        return Selection("claims c", where, filters, None, filters=where, filter_parameters=filters)
    source = "claims_fts f JOIN claims c ON c.rowid = f.rowid"
    every = connection.execute(
        f"SELECT 1 FROM {source} WHERE claims_fts MATCH ? AND {where} LIMIT 1",  # noqa: S608 - fixed SQL
        (words.all_words, *filters),
    ).fetchone()
    if every:
        return Selection(source, f"claims_fts MATCH ? AND {where}", (words.all_words, *filters), words.all_words,
                         filters=where, filter_parameters=filters)
    described = _described(connection, query.text or "", words)
    marks = ",".join("?" * len(described))
    about = f" OR c.subject_id IN ({marks}) OR c.object_id IN ({marks})" if described else ""
    return Selection(
        "claims c", f"(c.rowid IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?){about}) AND {where}",
        (words.any_word, *described, *described, *filters), words.any_word, words, described,
        filters=where, filter_parameters=filters,
    )


def _described(connection: sqlite3.Connection, text: str, words: TextQuery) -> tuple[str, ...]:
    """The entities a query describes: every word in their name, summary, place or actors, or their name misspelt."""
    from claimscope.db.search import search_names

    found = [row[0] for row in connection.execute(
        "SELECT e.id FROM entities_fts f JOIN entities e ON e.rowid = f.rowid WHERE entities_fts MATCH ?"
        " ORDER BY f.rank LIMIT ?", (words.all_words, DESCRIBED_ENTITIES))]
    named = [result.id for result in search_names(connection, text, limit=3) if not result.weak]
    return tuple(dict.fromkeys([*found, *named]))


def page(connection: sqlite3.Connection, selection: Selection, offset: int, limit: int
         ) -> list[tuple[str, str | None, tuple[tuple[int, int], ...], float | None]]:
    """A page of the selection: (claim id, snippet, marks, relevance) in order."""
    if selection.match is None:
        rows = connection.execute(
            f"SELECT c.id FROM {selection.source} WHERE {selection.where} ORDER BY c.id LIMIT ? OFFSET ?",  # noqa: S608
            (*selection.parameters, limit, offset),
        ).fetchall()
        return [(row[0], None, (), None) for row in rows]
    if selection.partial is not None:
        return _partial_page(connection, selection, offset, limit)
    ranked, among = best_ranked(connection, selection.source, selection.where, selection.parameters, limit, offset)
    hits = Page(_with_snippets(connection, selection.match, ranked))
    hits.ranked_among = among
    return hits


class Page(list[tuple[str, "str | None", tuple[tuple[int, int], ...], "float | None"]]):
    """A page of claims; ``ranked_among`` says how many of the matches were ranked when not all were."""

    ranked_among: int | None = None


def _with_snippets(connection: sqlite3.Connection, match: str, ranked: list[tuple[int, float]]
                   ) -> list[tuple[str, str | None, tuple[tuple[int, int], ...], float | None]]:
    """(claim id, snippet, marks, relevance) of the claims ``ranked`` (rowid, rank), in that order."""
    if not ranked:
        return []
    marks = ",".join("?" * len(ranked))
    found = {row[0]: row[1:] for row in connection.execute(
        f"SELECT c.rowid, c.id, snippet(claims_fts, 0, ?, ?, '…', ?) FROM claims_fts f"  # noqa: S608
        f" JOIN claims c ON c.rowid = f.rowid WHERE claims_fts MATCH ? AND f.rowid >= ? AND f.rowid <= ?"
        f" AND +f.rowid IN ({marks})",  # the range FTS5 seeks, then the list (see db.search.text_hits)
        (MARK_OPEN, MARK_CLOSE, SNIPPET_WORDS, match, min(rowid for rowid, _ in ranked),
         max(rowid for rowid, _ in ranked), *(rowid for rowid, _ in ranked)))}
    return [(found[rowid][0], *split_snippet(found[rowid][1]), round(-rank, 3)) for rowid, rank in ranked
            if rowid in found]


def _partial_page(connection: sqlite3.Connection, selection: Selection, offset: int, limit: int
                  ) -> list[tuple[str, str | None, tuple[tuple[int, int], ...], float | None]]:
    """A page of a query no claim holds every word of: claims about the entities it describes, then most words."""
    assert selection.partial is not None
    described = selection.entities
    about: list[tuple[int, str]] = []
    if described:
        marks = ",".join("?" * len(described))
        rank = {entity_id: index for index, entity_id in enumerate(described)}
        rows = connection.execute(
            f"SELECT c.rowid, c.id, c.subject_id, c.object_id FROM claims c WHERE (c.subject_id IN ({marks})"  # noqa: S608
            f" OR c.object_id IN ({marks})) AND {selection.filters}",
            (*described, *described, *selection.filter_parameters),
        ).fetchall()
        rows.sort(key=lambda row: (min(rank.get(row[2], 99), rank.get(row[3], 99)), row[1]))
        about = [(row[0], row[1]) for row in rows]
    # The best of the claims holding any word, ranked among the first RANK_POOL of them as a
    # page is: ranking every claim that holds a common word took 3 s at a million claims.
    best, _ = best_ranked(connection, "claims_fts f JOIN claims c ON c.rowid = f.rowid",
                          f"claims_fts MATCH ? AND {selection.filters}",
                          (selection.match, *selection.filter_parameters), COVERAGE_POOL)
    claim_ids = dict(connection.execute(
        f"SELECT rowid, id FROM claims WHERE rowid IN ({','.join('?' * len(best))})",  # noqa: S608
        [rowid for rowid, _ in best])) if best else {}
    pool = [(rowid, claim_ids[rowid], rank) for rowid, rank in best]
    order, _ = by_coverage(connection, "claims_fts", selection.partial, [row[0] for row in pool])
    ranks = {row[0]: row[2] for row in pool}
    ids = {row[0]: row[1] for row in pool}
    listed = {rowid for rowid, _ in about}
    combined = about + [(rowid, ids[rowid]) for rowid in order if rowid not in listed]
    chosen = combined[offset:offset + limit]
    need = limit - len(chosen)
    if len(pool) >= COVERAGE_POOL and need > 0:
        # Past the reordered pool: the other claims holding any word, in bm25 order (the claims
        # about the described entities are listed already).
        marks = ",".join("?" * len(described))
        outside = (f" AND c.subject_id NOT IN ({marks}) AND (c.object_id IS NULL OR c.object_id NOT IN ({marks}))"
                   if described else "")
        rest = connection.execute(
            "SELECT c.rowid, c.id, f.rank FROM claims_fts f JOIN claims c ON c.rowid = f.rowid"  # noqa: S608
            f" WHERE claims_fts MATCH ? AND {selection.filters}{outside} ORDER BY f.rank, c.id LIMIT ? OFFSET ?",
            (selection.match, *selection.filter_parameters, *described, *described, need,
             len(combined) - len(about) + max(offset - len(combined), 0)),
        ).fetchall()
        ranks.update((row[0], row[2]) for row in rest)
        chosen += [(row[0], row[1]) for row in rest]
    rowids = [rowid for rowid, _ in chosen]
    snippets: dict[int, str] = {}
    if rowids:
        marks = ",".join("?" * len(rowids))
        snippets = dict(connection.execute(
            f"SELECT rowid, snippet(claims_fts, 0, ?, ?, '…', ?) FROM claims_fts WHERE claims_fts MATCH ?"  # noqa: S608
            f" AND rowid >= ? AND rowid <= ? AND +rowid IN ({marks})",
            (MARK_OPEN, MARK_CLOSE, SNIPPET_WORDS, selection.match, min(rowids), max(rowids), *rowids)))
    hits: list[tuple[str, str | None, tuple[tuple[int, int], ...], float | None]] = []
    for rowid, claim_id in chosen:
        text, spans = split_snippet(snippets.get(rowid))
        hits.append((claim_id, text or None, spans, round(-ranks[rowid], 3) if rowid in ranks else None))
    return hits


def count(connection: sqlite3.Connection, selection: Selection) -> int:
    """How many claims the selection holds."""
    return int(connection.execute(
        f"SELECT count(*) FROM {selection.source} WHERE {selection.where}",  # noqa: S608 - fixed SQL
        selection.parameters,
    ).fetchone()[0])


def _labels(connection: sqlite3.Connection, table: str, column: str, ids: Iterable[object]) -> dict[str, str]:
    """``column`` of the rows of ``table`` with these ids."""
    wanted = sorted({str(value) for value in ids})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(connection.execute(
            f"SELECT id, {column} FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk))  # noqa: S608
    return found


_CREDIBILITY = {1: "1 confirmed", 2: "2 probably true", 3: "3 possibly true", 4: "4 doubtful", 5: "5 improbable",
                6: "6 cannot be judged"}


def facets(connection: sqlite3.Connection, selection: Selection) -> ClaimFacets:
    """The selection's claims counted by modality, predicate, source, claimant, best grade and dispute.

    The selection is read once and counted five ways as it is read; the sources are counted
    from the evidence of the same selection. (One statement of six grouped unions read the
    selection once per union: eight times as long.) A claim with evidence from several
    sources counts once under each of them.
    """
    counters: dict[str, Counter[object]] = {name: Counter() for name in ("modality", "predicate", "claimant",
                                                                          "grade", "disputed")}
    total = 0
    for modality, predicate, claimant, grade, disputed in connection.execute(
            f"SELECT c.modality, c.predicate_id, c.claimant_id, c.best_grade, c.disputed"  # noqa: S608 - fixed SQL
            f" FROM {selection.source} WHERE {selection.where}", selection.parameters):
        total += 1
        counters["modality"][modality] += 1
        counters["predicate"][predicate] += 1
        counters["claimant"][claimant] += 1
        counters["grade"][grade] += 1
        counters["disputed"][disputed] += 1
    by_source = connection.execute(
        "SELECT e.source_id, count(DISTINCT e.claim_id) FROM evidence e WHERE e.claim_id IN"  # noqa: S608
        f" (SELECT c.id FROM {selection.source} WHERE {selection.where}) GROUP BY e.source_id",
        selection.parameters).fetchall()
    labels = _labels(connection, "predicates", "label", counters["predicate"])
    names = _labels(connection, "entities", "name", (key for key in counters["claimant"] if key))
    titles = _labels(connection, "sources", "title", (source_id for source_id, _ in by_source))
    rows: list[tuple[str, Any, Any, int]] = [("total", None, None, total)]
    rows += [("modality", value, None, number) for value, number in counters["modality"].items()]
    rows += [("predicate", value, labels.get(str(value), value), number)
             for value, number in counters["predicate"].items()]
    rows += [("claimant", value, names.get(str(value)) if value else None, number)
             for value, number in counters["claimant"].items()]
    rows += [("grade", value, None, number) for value, number in counters["grade"].items()]
    rows += [("disputed", value, None, number) for value, number in counters["disputed"].items()]
    rows += [("source", value, titles.get(str(value), value), number) for value, number in by_source]
    found: dict[str, list[Facet]] = {name: [] for name in FACET_NAMES}
    total = 0
    for facet, value, label, number in rows:
        if facet == "total":
            total = int(number)
        elif facet == "modality":
            found[facet].append(Facet(str(value), str(value), number))
        elif facet == "claimant":
            found[facet].append(Facet(value or "", label or "the source's author", number))
        elif facet == "grade":
            found[facet].append(Facet(str(value), _CREDIBILITY.get(value, "ungraded"), number))
        elif facet == "disputed":
            found[facet].append(Facet("yes" if value else "no", "disputed" if value else "not disputed", number))
        else:
            found[facet].append(Facet(str(value), str(label), number))
    order = {name: index for index, name in enumerate(MODALITIES)}
    found["modality"].sort(key=lambda f: order.get(f.value, 99))
    found["grade"].sort(key=lambda f: f.value)
    for name in ("predicate", "source", "claimant"):
        found[name].sort(key=lambda f: (-f.count, f.label.lower()))
    return ClaimFacets(total, *(tuple(found[name]) for name in FACET_NAMES))
