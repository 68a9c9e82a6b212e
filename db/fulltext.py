"""Turning what a researcher types into FTS5 queries over claims, summaries and passages.

The indexes stem English words (FTS5's porter tokenizer: killed, killing -> kill) and ignore
diacritics. On top of that a query is read as follows:

* words are runs of letters and digits; small words (``in``, ``the``, ``al``) are dropped
  unless nothing else is left;
* a word with a synonym in ``SYNONYMS`` matches any of its group (stemming cannot tell
  that an assassination is a killing);
* words that spell a strong alias of an entity (``ISKP``, ``IS-K``, ``Daesh``) also match
  the entity's name, since claims are written with names;
* every word is quoted before it reaches ``MATCH``, so FTS5 syntax typed into a query is
  searched for as text.

``all_words`` requires every word (or one of its alternatives); ``any_word`` any of them,
for when no text holds them all.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from claimscope.db.folding import compact, fold

__all__ = ["MARK_CLOSE", "MARK_OPEN", "STOPWORDS", "SYNONYMS", "TextQuery", "by_coverage", "split_snippet",
           "text_query"]

#: Words that say little on their own; dropped from a query unless nothing else is left.
STOPWORDS = frozenset(
    "a an and are as at be been but by did do does for from had has have how in into is it its of on or "
    "that the their them there they this to was were what when where which who whom whose why with "
    "many much some any all also about al el ad as an ar".split()
)

#: Words that stemming does not bring together but a researcher means alike. Each group is
#: symmetric: a word of a group matches every word of it. Documented in the README.
SYNONYMS: tuple[frozenset[str], ...] = tuple(frozenset(group.split()) for group in (
    "assassination assassinated assassinate killing killed murder murdered",
    "death died dead killed killing",
    "founding founded established establishment formation formed created",
    "bombing bomb bomber blast explosion suicide",
    "takeover capture captured seized seizure",
    "leader leaders lead leads led leading head heads headed chief emir amir commander",
    "fighters militants members strength",
    "arrest arrested detained detention",
    "launch launched began started",
    "bounty reward",
    "executed execution killed killing",
))
_SYNONYM_OF: dict[str, frozenset[str]] = {}
for _group in SYNONYMS:
    for _word in _group:
        _SYNONYM_OF[_word] = _SYNONYM_OF.get(_word, frozenset()) | _group

#: Marks FTS5's snippet() puts around matching words (private-use characters, never in text).
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
_WORD = re.compile(r"\w+")
#: How many different words of a query are used (the first ones); the rest are left out.
MAX_WORDS = 32
#: Up to how many words a phrase typed in the query may have to be taken for an alias.
_ALIAS_SPAN = 4


@dataclass(frozen=True, slots=True)
class TextQuery:
    """A query ready for ``MATCH``: every word required, or any word enough."""

    all_words: str
    any_word: str
    words: tuple[str, ...]
    #: One expression per word of the query (with its alternatives), for counting how many a text holds.
    units: tuple[str, ...] = ()


def _quoted(text: str) -> str:
    return '"' + text + '"'  # text holds only \w characters and spaces: nothing FTS5 would parse


def _alias_names(connection: sqlite3.Connection | None, words: list[str]) -> dict[tuple[int, int], list[str]]:
    """Spans of ``words`` that spell a strong alias, with the names of the entities they stand for."""
    found: dict[tuple[int, int], list[str]] = {}
    if connection is None:
        return found
    for size in range(min(_ALIAS_SPAN, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(start < end and begin < start + size for begin, end in found):
                continue  # inside a longer alias already found
            key = compact(fold(" ".join(words[start:start + size])))
            if len(key) < 2:
                continue
            names = [
                row[0] for row in connection.execute(
                    "SELECT DISTINCT e.name FROM aliases a JOIN entities e ON e.id = a.entity_id"
                    " WHERE a.compact = ? AND a.weak = 0 LIMIT 3", (key,))
            ]
            names = [name for name in names if _WORD.findall(name.lower()) != words[start:start + size]]
            if names:
                found[(start, start + size)] = names
    return found


def text_query(query: str, connection: sqlite3.Connection | None = None, prefix: bool = False) -> TextQuery | None:
    """The FTS5 expressions for ``query``, or None when it holds no word.

    Args:
        query: what the user typed.
        connection: a knowledge base, to recognise aliases in the query (None: do not).
        prefix: let the last word be the start of a longer one (search as you type).
    """
    # Each word once, and no more than MAX_WORDS of them: a pasted article would otherwise cost
    # seconds (every span of up to four words is looked up as an alias) and rank no better.
    words = list(dict.fromkeys(_WORD.findall(query.lower().replace("_", " "))))[:MAX_WORDS]
    if not words:
        return None
    # Aliases first, on every word: "IS-K" is the words "is" and "k", and "is" alone says nothing.
    aliases = _alias_names(connection, words)
    keep_small = all(word in STOPWORDS for word in words)
    units: list[str] = []
    kept: list[str] = []
    index = 0
    while index < len(words):
        span = next(((start, end) for start, end in aliases if start == index), None)
        if span is not None:
            phrase = " ".join(words[span[0]:span[1]])
            names = [" ".join(_WORD.findall(name.lower())) for name in aliases[span]]
            units.append("(" + " OR ".join(_quoted(text) for text in dict.fromkeys([phrase, *names]) if text) + ")")
            kept.append(phrase)
            index = span[1]
            continue
        word = words[index]
        index += 1
        if word in STOPWORDS and not keep_small:
            continue
        kept.append(word)
        alternatives = sorted(_SYNONYM_OF.get(word, frozenset()) | {word})
        if prefix and index == len(words) and len(word) >= 2 and len(alternatives) == 1:
            units.append(_quoted(word) + "*")
        elif len(alternatives) > 1:
            units.append("(" + " OR ".join(_quoted(w) for w in alternatives) + ")")
        else:
            units.append(_quoted(word))
    if not units:
        return None
    return TextQuery(" AND ".join(units), " OR ".join(units), tuple(kept), tuple(units))


#: How many of the best texts holding any word are ordered by how many of the words they hold.
COVERAGE_POOL = 400


#: How many matches of a query are ranked by bm25 at most. Ranking is work for every match
#: (about 2 microseconds each): a word held by 130,000 claims of a million cost 0.3 s a
#: keystroke. Past this many, the matches ranked are the first this many in the index's
#: order (rowid), and the result says so (``ranked_among``).
RANK_POOL = 5_000


def best_ranked(connection: sqlite3.Connection, source: str, where: str, parameters: tuple[object, ...],
                limit: int, offset: int = 0) -> tuple[list[tuple[int, float]], int | None]:
    """(rowid, rank) of the matches ``SELECT ... FROM source WHERE where`` selects, best first.

    ``source`` names the full-text table as ``f``; the rowid and rank are ``f``'s. All matches
    are ranked when there are at most ``RANK_POOL``; otherwise the first ``RANK_POOL`` are,
    and the second value is that number (else None). The page runs from ``offset``; past the
    ranked ones it goes on in rowid order.
    """
    rows = connection.execute(
        f"SELECT f.rowid, f.rank FROM {source} WHERE {where} LIMIT ?",  # noqa: S608 - fixed SQL
        (*parameters, RANK_POOL + 1)).fetchall()
    if len(rows) <= RANK_POOL:
        rows.sort(key=lambda row: (row[1], row[0]))
        return [(int(rowid), float(rank)) for rowid, rank in rows[offset:offset + limit]], None
    ranked = sorted(rows[:RANK_POOL], key=lambda row: (row[1], row[0]))[offset:offset + limit]
    if len(ranked) < limit:
        ranked += connection.execute(
            f"SELECT f.rowid, f.rank FROM {source} WHERE {where} LIMIT ? OFFSET ?",  # noqa: S608
            (*parameters, limit - len(ranked), max(offset, RANK_POOL))).fetchall()
    return [(int(rowid), float(rank)) for rowid, rank in ranked], RANK_POOL


def by_coverage(connection: sqlite3.Connection, table: str, query: TextQuery, ranked: list[int]
                ) -> tuple[list[int], dict[int, int]]:
    """``ranked`` (rowids of ``table`` in bm25 order, for the any-word query) reordered: most words held first.

    bm25 adds up the words a text holds, so a text that repeats one common word (or several
    synonyms of it) can outrank one that holds every rare word but one; a researcher expects
    the second first. Only the first ``COVERAGE_POOL`` are reordered; ties keep bm25's order.

    Returns:
        The new order, and how many of the query's words each reordered rowid holds.
    """
    head = ranked[:COVERAGE_POOL]
    held = dict.fromkeys(head, 1)
    if len(query.units) < 2 or len(head) < 2:
        return ranked, held
    held = dict.fromkeys(head, 0)
    marks = ",".join("?" * len(head))
    for unit in query.units:
        # FTS5 takes neither an IN list of rowids nor a join as a constraint: given the list it
        # read every text holding the word (2.6 s for a common one at a million claims). A
        # rowid = ? it seeks, which is cheap for words; a prefix (the word being typed) it
        # expands again at every query, so that one is given the rowids' range instead.
        if unit.endswith("*"):
            rows = connection.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid >= ? AND rowid <= ?"  # noqa: S608
                f" AND +rowid IN ({marks})", (unit, min(head), max(head), *head)).fetchall()
        else:
            single = f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid = ?"  # noqa: S608
            rows = [row for rowid in head for row in connection.execute(single, (unit, rowid))]
        for (rowid,) in rows:
            held[rowid] += 1
    position = {rowid: index for index, rowid in enumerate(head)}
    return sorted(head, key=lambda rowid: (-held[rowid], position[rowid])) + ranked[COVERAGE_POOL:], held


def split_snippet(snippet: str | None) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet as plain text, and the spans of its matching words (start, end offsets in that text)."""
    if not snippet:
        return "", ()
    text: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    opened: int | None = None
    for part in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", snippet):
        if part == MARK_OPEN:
            opened = length
        elif part == MARK_CLOSE:
            if opened is not None and length > opened:
                marks.append((opened, length))
            opened = None
        else:
            part = part.replace("\n", " ")
            text.append(part)
            length += len(part)
    return "".join(text), tuple(marks)
