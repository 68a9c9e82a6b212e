"""Finding claims by their words and by filters, and counting them by facet.

Every filter is a bound parameter; the words go through ``db.fulltext`` and are quoted. A
query with words is ranked by bm25 over ``claims_fts`` (each claim read as a sentence with
its statement, stemmed): every word when some claim of the selection has them all, else
any of them. Without words, claims come in the order of their ids, which begin with the
subject's id and the predicate.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from claimscope.db.edtf import parse_edtf
from claimscope.db.fulltext import (
    COVERAGE_POOL,
    MARK_CLOSE,
    MARK_OPEN,
    TextQuery,
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
    #: The words, when a claim may hold only some of them (then the most held come first).
    partial: TextQuery | None = None


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
    if query.predicate:
        clauses.append("c.predicate_id = ?")
        parameters.append(query.predicate)
    if query.modalities:
        unknown = sorted(set(query.modalities) - set(MODALITIES))
        if unknown:
            raise ValueError(f"unknown modality {unknown[0]!r}: one of {', '.join(MODALITIES)}")
        clauses.append(f"c.modality IN ({','.join('?' * len(query.modalities))})")
        parameters += list(query.modalities)
    if query.claimant:
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
    words = text_query(query.text, connection) if query.text else None
    if words is None:
        return Selection("claims c", where, tuple(parameters), None)
    source = "claims_fts f JOIN claims c ON c.rowid = f.rowid"
    every = connection.execute(
        f"SELECT 1 FROM {source} WHERE claims_fts MATCH ? AND {where} LIMIT 1",  # noqa: S608 - fixed SQL
        (words.all_words, *parameters),
    ).fetchone()
    match = words.all_words if every else words.any_word
    return Selection(source, f"claims_fts MATCH ? AND {where}", (match, *parameters), match,
                     None if every else words)


def page(connection: sqlite3.Connection, selection: Selection, offset: int, limit: int
         ) -> list[tuple[str, str | None, tuple[tuple[int, int], ...], float | None]]:
    """A page of the selection: (claim id, snippet, marks, relevance) in order."""
    if selection.match is None:
        rows = connection.execute(
            f"SELECT c.id FROM {selection.source} WHERE {selection.where} ORDER BY c.id LIMIT ? OFFSET ?",  # noqa: S608
            (*selection.parameters, limit, offset),
        ).fetchall()
        return [(row[0], None, (), None) for row in rows]
    select_hits = (f"SELECT c.rowid, c.id, snippet(claims_fts, 0, ?, ?, '…', ?), f.rank FROM {selection.source}"
                   f" WHERE {selection.where}")
    snippet_parameters = (MARK_OPEN, MARK_CLOSE, SNIPPET_WORDS, *selection.parameters)
    if selection.partial is not None and offset < COVERAGE_POOL:
        # Any word will do: the claims holding most of the words first, among the best by bm25.
        pool = connection.execute(f"{select_hits} ORDER BY f.rank, c.id LIMIT ?",  # noqa: S608 - fixed SQL
                                  (*snippet_parameters, COVERAGE_POOL)).fetchall()
        order, _ = by_coverage(connection, "claims_fts", selection.partial, [row[0] for row in pool])
        by_rowid = {row[0]: row for row in pool}
        rows = [by_rowid[rowid] for rowid in order][offset:offset + limit]
    else:
        rows = connection.execute(f"{select_hits} ORDER BY f.rank, c.id LIMIT ? OFFSET ?",  # noqa: S608
                                  (*snippet_parameters, limit, offset)).fetchall()
    hits: list[tuple[str, str | None, tuple[tuple[int, int], ...], float | None]] = []
    for _, claim_id, snippet, rank in rows:
        text, marks = split_snippet(snippet)
        hits.append((claim_id, text, marks, round(-rank, 3)))
    return hits


def count(connection: sqlite3.Connection, selection: Selection) -> int:
    """How many claims the selection holds."""
    return int(connection.execute(
        f"SELECT count(*) FROM {selection.source} WHERE {selection.where}",  # noqa: S608 - fixed SQL
        selection.parameters,
    ).fetchone()[0])


_CREDIBILITY = {1: "1 confirmed", 2: "2 probably true", 3: "3 possibly true", 4: "4 doubtful", 5: "5 improbable",
                6: "6 cannot be judged"}


def facets(connection: sqlite3.Connection, selection: Selection) -> ClaimFacets:
    """The selection's claims counted by modality, predicate, source, claimant, best grade and dispute.

    The selection is read once (a materialised CTE) and counted six ways in one statement.
    A claim with evidence from several sources counts once under each of them.
    """
    rows = connection.execute(
        f"WITH sel AS MATERIALIZED (SELECT c.id, c.modality, c.predicate_id, c.claimant_id, c.best_grade,"  # noqa: S608
        f" c.disputed FROM {selection.source} WHERE {selection.where})"
        " SELECT 'total', NULL, NULL, count(*) FROM sel"
        " UNION ALL SELECT 'modality', modality, NULL, count(*) FROM sel GROUP BY modality"
        " UNION ALL SELECT 'predicate', s.predicate_id, p.label, count(*) FROM sel s"
        "  JOIN predicates p ON p.id = s.predicate_id GROUP BY s.predicate_id"
        " UNION ALL SELECT 'claimant', s.claimant_id, k.name, count(*) FROM sel s"
        "  LEFT JOIN entities k ON k.id = s.claimant_id GROUP BY s.claimant_id"
        " UNION ALL SELECT 'grade', best_grade, NULL, count(*) FROM sel GROUP BY best_grade"
        " UNION ALL SELECT 'disputed', disputed, NULL, count(*) FROM sel GROUP BY disputed"
        " UNION ALL SELECT 'source', e.source_id, src.title, count(DISTINCT e.claim_id) FROM sel s"
        "  JOIN evidence e ON e.claim_id = s.id JOIN sources src ON src.id = e.source_id GROUP BY e.source_id",
        selection.parameters,
    ).fetchall()
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
