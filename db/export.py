"""Export a knowledge base, or the neighbourhood of some of its entities, as JSON, CSV or STIX 2.1.

Tables are read generically (``PRAGMA table_info`` and ``SELECT`` of the columns found), so
that a column added to the schema is exported without a change here. Rows are written as
they are read: a knowledge base of a million claims is never held in memory whole. Files
are written atomically: into a temporary file or folder beside the destination, then
renamed over it, so that a failed export leaves the destination as it was; an existing
CSV folder (empty, or an earlier export, which its marker file names) keeps its place and
has its files replaced. Only a regular file is ever replaced, and a symlink is written through.
A ``--where`` condition is checked to be one expression, and runs under an authorizer that
lets it read the knowledge tables only, for a limited time.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from claimscope.db.files import describe

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_FORMAT_VERSION",
    "FOLDER_MARKER",
    "TABLES",
    "WHERE_READABLE",
    "WHERE_TIME_LIMIT",
    "ExportError",
    "Scope",
    "Selection",
    "UnreadableKnowledgeBase",
    "atomic_file",
    "check_knowledge_base",
    "check_where",
    "describe_counts",
    "export_csv",
    "export_target",
    "is_damage",
    "neighbourhood",
    "write_json",
]

EXPORT_FORMAT = "claimscope-export"
#: Bumped when the shape of the JSON export changes in a way a reader must know about.
EXPORT_FORMAT_VERSION = 1

#: The tables exported, in this order; a table added to the schema follows them.
TABLES = ("sources", "predicates", "entities", "aliases", "claims", "evidence", "disputes")

# Derived columns that exist only for search and ordering; they are rebuilt from the others.
_DERIVED = {
    "entities": {"sort_name", "alias_text", "context"},
    "aliases": {"folded", "compact"},
    "claims": {"text", "best_grade", "time_lower", "time_upper"},
}
# Tables that are indexes, not knowledge: the meta table is exported as an object of its own.
# The passages are the source texts themselves, indexed on this machine: they never leave it.
_INTERNAL_TABLES = {"meta", "trigram_counts", "passages"}
# A column whose declaration carries a comment naming JSON holds JSON text ("-- JSON list").
_JSON_COMMENT = re.compile(r'^\s*"?(\w+)"?\s+\w+[^\n]*--[^\n]*\bJSON\b', re.MULTILINE)
# json.dumps escapes C0 controls but passes C1 controls and bidirectional overrides through;
# they are escaped too (still valid JSON) so that the export is safe to print to a terminal.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CHUNK = 500  # SQLite limits the number of bound parameters


class ExportError(Exception):
    """An export that cannot be done as asked; the message says why, ``status`` is the exit status to use."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


class UnreadableKnowledgeBase(ExportError):
    """The file opened as a knowledge base, but does not hold what the export reads (a table, a column, an entity)."""


# SQLite's primary result codes that mean the file itself is at fault (SQLITE_IOERR, _CORRUPT, _NOTADB).
_DAMAGE_CODES = {10, 11, 26}


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite's ``error`` says the file is damaged or cut short, rather than a query it refused."""
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in _DAMAGE_CODES


@functools.lru_cache(maxsize=1)
def _schema_columns() -> dict[str, frozenset[str]]:
    """The columns of every exported table (and ``meta``) in the schema this claimscope writes."""
    from claimscope.db.schema import TABLES as SCHEMA

    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(SCHEMA)
        return {name: frozenset(row[1] for row in connection.execute(f'PRAGMA table_info("{name}")'))
                for name in (*TABLES, "meta")}
    finally:
        connection.close()


def check_knowledge_base(connection: sqlite3.Connection) -> None:
    """Check that every table and column the export reads is there, before anything is written.

    A file can carry the right application id and schema version and still hold other tables
    (written by another program, or by hand); it is refused here rather than half exported.

    Raises:
        UnreadableKnowledgeBase: naming what is missing.
        sqlite3.DatabaseError: when SQLite cannot read the schema (a damaged file).
    """
    missing: list[str] = []
    tables = {name for name, sql in connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
              if not (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
    for table, expected in _schema_columns().items():
        found = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')} if table in tables else set()
        if not found:
            missing.append(f"the table {table}")
        elif expected - found:
            columns = sorted(expected - found)
            more = f" and {len(columns) - 3} more" if len(columns) > 3 else ""
            missing.append(f"the column{'s' if len(columns) > 1 else ''} {', '.join(columns[:3])}{more} of {table}")
    if missing:
        shown = "; ".join(missing[:3]) + (f"; and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise UnreadableKnowledgeBase(f"it lacks {shown}, which the export reads")


def dumps(value: Any) -> str:
    """``value`` as one line of JSON, UTF-8 text kept, terminal-unsafe characters escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for offset in range(0, len(items), _CHUNK):
        yield items[offset:offset + _CHUNK]


def _marks(count: int) -> str:
    return ",".join("?" * count)


# -- what to export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """A neighbourhood: the entities asked for and every entity within ``depth`` claim links."""

    entity_ids: frozenset[str]
    requested: tuple[str, ...]  # the entities named (--entity), not those --where matched
    where: str | None
    depth: int

    def describe(self) -> dict[str, Any]:
        """How the selection was made, for the export's header."""
        return {"entities": list(self.requested), "where": self.where, "depth": self.depth,
                "entity_count": len(self.entity_ids)}


#: The tables a --where condition may read: the knowledge, not the schema, the indexes or the source texts.
WHERE_READABLE = frozenset({"entities", "aliases", "claims", "evidence", "sources", "predicates", "disputes"})
#: Seconds a --where condition may run before it is stopped.
WHERE_TIME_LIMIT = 10.0
# The longest string or blob a --where condition may make (randomblob(1e9) would take a gigabyte).
_WHERE_LENGTH_LIMIT = 10_000_000
# SQLite calls the progress handler every this many virtual-machine steps (about a millisecond).
_PROGRESS_STEPS = 10_000
_QUOTES = {"'": "'", '"': '"', "`": "`", "[": "]"}


def check_where(where: str) -> None:
    """Check that ``where`` is one SQL expression that cannot reach outside the query it is put in.

    Outside string literals and quoted names it may hold no ``;`` and no comment, and its
    parentheses must balance without ever closing one it did not open.

    Raises:
        ExportError: saying what is wrong (status 2).
    """

    def refuse(reason: str) -> ExportError:
        return ExportError(f"--where {where!r} is refused: {reason}; give one condition on the entities table, "
                           "such as \"kind = 'group'\"")

    if not where.strip():
        raise refuse("it is empty")
    depth = 0
    index = 0
    while index < len(where):
        character = where[index]
        if character in _QUOTES:
            closing = _QUOTES[character]
            end = index + 1
            while True:
                end = where.find(closing, end)
                if end < 0:
                    raise refuse(f"the {character} at character {index + 1} is never closed")
                # A doubled quote stands for itself inside a literal ([names] have no escape).
                if closing != "]" and where[end + 1:end + 2] == closing:
                    end += 2
                    continue
                break
            index = end + 1
            continue
        pair = where[index:index + 2]
        if character == ";":
            raise refuse("it holds a ';' (one condition, not statements)")
        if pair in ("--", "/*"):
            raise refuse(f"it holds a comment ({pair!r})")
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth < 0:
                raise refuse(f"the ')' at character {index + 1} closes a parenthesis it did not open")
        index += 1
    if depth:
        raise refuse(f"{depth} parenthes{'is is' if depth == 1 else 'es are'} left open")


class _Guard:
    """What a --where condition may do while it runs: read the knowledge tables, for a while, until Ctrl-C."""

    def __init__(self, time_limit: float) -> None:
        self.time_limit = time_limit
        self.deadline = 0.0
        self.refused: list[str] = []
        self.timed_out = False
        self.interrupted = False

    def authorize(self, action: int, first: str | None, second: str | None, database: str | None,
                  _source: str | None) -> int:
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            if first in WHERE_READABLE and database == "main":
                return sqlite3.SQLITE_OK
            self.refused.append(f"it reads {first}, and only {', '.join(sorted(WHERE_READABLE))} may be read")
        elif action == sqlite3.SQLITE_FUNCTION:
            if second != "load_extension":
                return sqlite3.SQLITE_OK
            self.refused.append("it loads an extension")
        elif action == sqlite3.SQLITE_RECURSIVE:
            self.refused.append("it holds a recursive WITH, which could run without end")
        elif action == sqlite3.SQLITE_PRAGMA:
            self.refused.append(f"it runs PRAGMA {first}")
        elif action == sqlite3.SQLITE_ATTACH:
            self.refused.append("it attaches a database")
        elif action in (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE) and first == "sqlite_master":
            # What SQLite asks when a virtual table declares itself, on its first use.
            self.refused.append("it uses a virtual table (a full-text index, json_each, pragma_...)")
        else:
            self.refused.append("it does more than read")
        return sqlite3.SQLITE_DENY

    def progress(self) -> int:
        if self.interrupted:
            return 1
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def on_interrupt(self, _signal: int, _frame: object) -> None:
        # Python runs this between two calls of the progress handler, which then stops SQLite.
        self.interrupted = True

    @contextmanager
    def installed(self, connection: sqlite3.Connection) -> Iterator[None]:
        connection.execute("SELECT 1 FROM entities LIMIT 0")  # the schema read now, before the authorizer
        previous_handler = None
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread:
            previous_handler = signal.signal(signal.SIGINT, self.on_interrupt)
        previous_length = connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _WHERE_LENGTH_LIMIT)
        connection.set_authorizer(self.authorize)
        connection.set_progress_handler(self.progress, _PROGRESS_STEPS)
        self.deadline = time.monotonic() + self.time_limit
        try:
            yield
        finally:
            connection.set_progress_handler(None, _PROGRESS_STEPS)
            connection.set_authorizer(None)
            connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, previous_length)
            if in_main_thread:
                signal.signal(signal.SIGINT, signal.SIG_DFL if previous_handler is None else previous_handler)
        if self.interrupted:
            raise KeyboardInterrupt


def _where_ids(connection: sqlite3.Connection, where: str, time_limit: float) -> list[str]:
    check_where(where)
    # Checked above, the condition cannot close the parentheses it is put in; the outer query
    # keeps the answer to ids of entities whatever it does inside them.
    sql = f"SELECT id FROM entities WHERE id IN (SELECT id FROM entities WHERE ({where}\n)) ORDER BY id"
    guard = _Guard(time_limit)
    try:
        with guard.installed(connection):
            return [row[0] for row in connection.execute(sql)]
    except (sqlite3.Error, sqlite3.Warning) as error:
        if guard.interrupted:
            raise KeyboardInterrupt from None
        if guard.timed_out:
            raise ExportError(f"--where {where!r} was stopped after {time_limit:g} s; give a condition that "
                              "takes less time") from None
        if guard.refused:
            raise ExportError(f"--where {where!r} is refused: {guard.refused[0]}") from None
        if isinstance(error, sqlite3.DatabaseError) and is_damage(error):
            raise
        raise ExportError(f"--where {where!r} is not a usable condition on the entities table: {error}") from None


def neighbourhood(connection: sqlite3.Connection, entity_ids: Iterable[str], where: str | None,
                  depth: int, time_limit: float | None = None) -> Selection:
    """The entities named or matching ``where`` (SQL on ``entities``) and those within ``depth`` claim links.

    A claim links its subject, its object and its claimant. The place of every entity chosen
    is added too, so that no exported ``place_id`` points outside the export. ``where`` must be
    one expression (see ``check_where``); it may read the knowledge tables only
    (``WHERE_READABLE``), and is stopped after ``time_limit`` seconds (``WHERE_TIME_LIMIT``) or
    at Ctrl-C, which raises KeyboardInterrupt.

    Raises:
        ExportError: for a ``where`` that is refused, stopped or that SQLite refuses, or a
            selection with no entity.
    """
    check_knowledge_base(connection)
    requested = tuple(dict.fromkeys(entity_ids))
    chosen = set(requested)
    if where is not None:
        chosen.update(_where_ids(connection, where, WHERE_TIME_LIMIT if time_limit is None else time_limit))
    if not chosen:
        raise ExportError(f"no entity matches --where {where!r}" if where is not None else "no entity to export", 1)
    frontier = set(chosen)
    for _ in range(depth):
        found: set[str] = set()
        for chunk in _chunks(sorted(frontier)):
            marks = _marks(len(chunk))
            for row in connection.execute(
                f"SELECT subject_id, object_id, claimant_id FROM claims WHERE subject_id IN ({marks})"
                f" UNION ALL SELECT subject_id, object_id, claimant_id FROM claims WHERE object_id IN ({marks})"
                f" UNION ALL SELECT subject_id, object_id, claimant_id FROM claims WHERE claimant_id IN ({marks})",
                [*chunk, *chunk, *chunk],
            ):
                found.update(entity_id for entity_id in row if entity_id)
        frontier = found - chosen
        if not frontier:
            break
        chosen |= frontier
    for chunk in _chunks(sorted(chosen)):
        chosen.update(row[0] for row in connection.execute(
            f"SELECT place_id FROM entities WHERE id IN ({_marks(len(chunk))}) AND place_id IS NOT NULL", chunk))
    return Selection(frozenset(chosen), requested, where, depth)


@dataclass
class _Table:
    name: str
    columns: list[str]
    exported: list[str]
    json_columns: set[str]
    references: dict[str, str] = field(default_factory=dict)  # column -> referenced table
    order: str = "rowid"  # the primary key, for a stable order


class Scope:
    """The rows of one export: the whole knowledge base, or a selection's neighbourhood.

    For a selection, the claims among the chosen entities (subject, object and claimant all
    chosen) are found first, then the sources their evidence cites and the predicates they use.
    """

    def __init__(self, connection: sqlite3.Connection, selection: Selection | None = None) -> None:
        """Read the tables to export.

        Raises:
            UnreadableKnowledgeBase: a table or column the export reads is missing.
        """
        check_knowledge_base(connection)
        self.connection = connection
        self.selection = selection
        self.tables = {table.name: table for table in self._read_tables()}
        self.entity_ids: list[str] | None = None
        self.claim_ids: list[str] | None = None
        self.source_ids: list[str] | None = None
        self.predicate_ids: list[str] | None = None
        if selection is not None:
            self._select(selection)

    # -- the schema, read generically --------------------------------------------------------

    def _read_tables(self) -> Iterator[_Table]:
        rows = self.connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
        names = [name for name, _ in rows]
        # FTS tables and their shadow tables (entities_fts_data, ...) are indexes, not knowledge.
        keep = [name for name in names
                if name not in _INTERNAL_TABLES and not any(name == v or name.startswith(f"{v}_") for v in virtual)]
        ordered = [name for name in TABLES if name in keep] + [name for name in keep if name not in TABLES]
        sql_by_name = dict(rows)
        for name in ordered:
            info = self.connection.execute(f'PRAGMA table_info("{name}")').fetchall()
            columns = [row[1] for row in info]
            primary_key = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]]
            derived = _DERIVED.get(name, set())
            references = {row[3]: row[2] for row in self.connection.execute(f'PRAGMA foreign_key_list("{name}")')}
            yield _Table(
                name, columns, [column for column in columns if column not in derived],
                set(_JSON_COMMENT.findall(sql_by_name.get(name) or "")) & set(columns), references,
                ", ".join(f'"{column}"' for column in primary_key) or "rowid",
            )

    def table_names(self) -> list[str]:
        """The exported tables, the known ones first."""
        return list(self.tables)

    # -- the neighbourhood ------------------------------------------------------------------------

    def _select(self, selection: Selection) -> None:
        chosen = selection.entity_ids
        claim_ids: list[str] = []
        predicates: set[str] = set()
        self.entity_ids = sorted(chosen)
        for chunk in _chunks(self.entity_ids):
            for claim_id, object_id, claimant_id, predicate_id in self.connection.execute(
                "SELECT id, object_id, claimant_id, predicate_id FROM claims"
                f" WHERE subject_id IN ({_marks(len(chunk))})",
                chunk,
            ):
                if (object_id is None or object_id in chosen) and (claimant_id is None or claimant_id in chosen):
                    claim_ids.append(claim_id)
                    predicates.add(predicate_id)
        self.claim_ids = sorted(claim_ids)
        sources: set[str] = set()
        for chunk in _chunks(self.claim_ids):
            sources.update(row[0] for row in self.connection.execute(
                f"SELECT DISTINCT source_id FROM evidence WHERE claim_id IN ({_marks(len(chunk))})", chunk))
        self.source_ids = sorted(sources)
        self.predicate_ids = sorted(predicates)

    def _ids_for(self, table: str) -> tuple[str, list[str] | None]:
        """The key column a table is filtered on, and the ids kept (None: all rows)."""
        return {
            "sources": ("id", self.source_ids),
            "predicates": ("id", self.predicate_ids),
            "entities": ("id", self.entity_ids),
            "aliases": ("entity_id", self.entity_ids),
            "claims": ("id", self.claim_ids),
            "evidence": ("claim_id", self.claim_ids),
        }.get(table, ("", None))

    # -- reading rows ------------------------------------------------------------------------------

    def rows(self, table: str, decode_json: bool = True) -> Iterator[dict[str, Any]]:
        """The exported columns of ``table``'s rows in the scope, in key order; JSON text decoded if asked."""
        spec = self.tables[table]
        columns = spec.exported
        decode = [column for column in columns if column in spec.json_columns] if decode_json else []
        for row in self._raw_rows(spec):
            record = dict(zip(columns, row, strict=True))
            for column in decode:
                if isinstance(record[column], str):
                    try:
                        record[column] = json.loads(record[column])
                    except ValueError:
                        pass  # not JSON after all: exported as the text it is
            yield record

    def _raw_rows(self, spec: _Table) -> Iterator[tuple[Any, ...]]:
        select = ", ".join(f'"{column}"' for column in spec.exported)
        key, ids = self._ids_for(spec.name)
        # Children (aliases, evidence) in the order of their parent's key, for the merge in nested().
        order = f'"{key}", {spec.order}' if key and key != "id" else spec.order
        # Rows are yielded one by one, not with "yield from" a cursor: a generator left unfinished
        # (a reader that went away) would close its cursor when collected, after the connection.
        if self.selection is None or (key and ids is None):
            for row in self.connection.execute(f'SELECT {select} FROM "{spec.name}" ORDER BY {order}'):
                yield row
            return
        if key and ids is not None:
            # Chunks of sorted ids, each read in key order: the whole stays in key order.
            for chunk in _chunks(ids):
                for row in self.connection.execute(
                    f'SELECT {select} FROM "{spec.name}" WHERE "{key}" IN ({_marks(len(chunk))}) ORDER BY {order}',
                    chunk,
                ):
                    yield row
            return
        for row in self._referencing_rows(spec, select):
            yield row

    def _referencing_rows(self, spec: _Table, select: str) -> Iterator[tuple[Any, ...]]:
        """Rows of a table without a key of its own: kept when every reference they hold is exported."""
        chosen = {
            "entities": set(self.entity_ids or ()), "claims": set(self.claim_ids or ()),
            "sources": set(self.source_ids or ()), "predicates": set(self.predicate_ids or ()),
        }
        checks = [(spec.exported.index(column), chosen[table]) for column, table in spec.references.items()
                  if table in chosen and column in spec.exported]
        for row in self.connection.execute(f'SELECT {select} FROM "{spec.name}" ORDER BY {spec.order}'):
            if all(row[index] is None or row[index] in ids for index, ids in checks):
                yield row

    def count(self, table: str) -> int:
        """How many rows of ``table`` the scope holds."""
        key, ids = self._ids_for(table)
        if self.selection is None or (key and ids is None):
            return int(self.connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        return sum(1 for _ in self._raw_rows(self.tables[table]))

    def dispute_count(self) -> int:
        """How many disputes the scope holds, as ``claimscope disputes`` and the app count them.

        The disputes table has a row for each claim in a dispute, so it holds more rows than disputes.
        """
        if "disputes" not in self.tables:
            return 0
        return len({record["dispute_id"] for record in self.rows("disputes", decode_json=False)})

    def nested(self, parent: str, child: str, key: str, name: str) -> Iterator[dict[str, Any]]:
        """``parent`` rows, each with its ``child`` rows (joined on ``child.key``) as a list under ``name``.

        Both sides are read in key order and merged, so that neither is held in memory.
        """
        children = self.rows(child)
        pending = next(children, None)
        for record in self.rows(parent):
            found = []
            while pending is not None and pending[key] < record["id"]:
                pending = next(children, None)  # an orphan child: it has no parent to go with
            while pending is not None and pending[key] == record["id"]:
                found.append({column: value for column, value in pending.items() if column != key})
                pending = next(children, None)
            record[name] = found
            yield record

    def meta(self) -> dict[str, Any]:
        """The build's metadata, JSON values decoded."""
        found: dict[str, Any] = {}
        for key, value in self.connection.execute("SELECT key, value FROM meta ORDER BY key"):
            found[key] = value
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    found[key] = json.loads(value)
                except ValueError:
                    pass
        return found

    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])


def describe_counts(counts: dict[str, int], scope: Scope) -> str:
    """What an export wrote, for the line that reports it: ``5 sources, ..., 13 disputes (34 rows: ...)``.

    The rows of the disputes table are told apart from the disputes they make up, which is what the app
    and ``claimscope disputes`` count.
    """
    parts = []
    for name, count in counts.items():
        if name == "disputes":
            parts.append(f"{scope.dispute_count()} disputes ({count} rows: one for each claim in a dispute)")
        else:
            parts.append(f"{count} {name}")
    return ", ".join(parts)


# -- JSON -------------------------------------------------------------------------------------------


def write_json(scope: Scope, out: IO[str]) -> dict[str, int]:
    """Write the scope as one JSON document, one record a line; return the count of each list.

    Entities carry their aliases and claims their evidence, nested; the other tables are lists
    of their rows. Columns that hold JSON text are decoded; derived search columns are left out.
    """
    counts: dict[str, int] = {}
    out.write(f'{{"format": "{EXPORT_FORMAT}", "format_version": {EXPORT_FORMAT_VERSION}, '
              f'"schema_version": {scope.schema_version()},\n')
    selection = scope.selection.describe() if scope.selection else None
    out.write(f'"selection": {dumps(selection)},\n"meta": {dumps(scope.meta())}')
    sections: list[tuple[str, Iterator[dict[str, Any]]]] = []
    for table in scope.table_names():
        if table == "aliases" and "entities" in scope.tables:
            continue
        if table == "evidence" and "claims" in scope.tables:
            continue
        if table == "entities" and "aliases" in scope.tables:
            sections.append((table, scope.nested("entities", "aliases", "entity_id", "aliases")))
        elif table == "claims" and "evidence" in scope.tables:
            sections.append((table, scope.nested("claims", "evidence", "claim_id", "evidence")))
        else:
            sections.append((table, scope.rows(table)))
    for name, records in sections:
        out.write(f",\n{dumps(name)}: [")
        count = 0
        for record in records:
            out.write(("\n" if count == 0 else ",\n") + dumps(record))
            count += 1
            if name == "entities":
                counts["aliases"] = counts.get("aliases", 0) + len(record.get("aliases", ()))
            elif name == "claims":
                counts["evidence"] = counts.get("evidence", 0) + len(record.get("evidence", ()))
        out.write("\n]" if count else "]")
        counts[name] = count
    out.write("\n}\n")
    return counts


# -- CSV ----------------------------------------------------------------------------------------------

# A cell that begins with one of these is read as a formula by spreadsheets (OWASP, "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any, guard_formulas: bool) -> Any:
    if value is None:
        return ""
    if guard_formulas and isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # shown as text by a spreadsheet; the apostrophe is the usual sign of it
    return value


def write_csv_tables(scope: Scope, open_table: Callable[[str], Any], guard_formulas: bool = True) -> dict[str, int]:
    """Write each table as ``<table>.csv`` through ``open_table(name)`` (a context manager of a text file).

    The header row names the columns; JSON columns stay the JSON text they are in the database.
    With ``guard_formulas``, a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'``, so that a spreadsheet shows it instead of running it.
    """
    counts: dict[str, int] = {}
    for table in scope.table_names():
        with open_table(f"{table}.csv") as handle:
            writer = csv.writer(handle)
            writer.writerow(scope.tables[table].exported)
            count = 0
            for record in scope.rows(table, decode_json=False):
                writer.writerow([_csv_value(value, guard_formulas) for value in record.values()])
                count += 1
        counts[table] = count
    return counts


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- where an export goes ------------------------------------------------------------------------------


def export_target(path: Path, folder: bool = False) -> tuple[Path, str | None]:
    """Where an export to ``path`` is written, and a note when that is not ``path`` itself.

    A symlink is written through to what it points at (the link stays a link). Anything but a
    regular file (for a folder export: a folder) is refused, never replaced: a device, a FIFO,
    a socket.

    Raises:
        ExportError: saying what ``path`` is (status 2).
    """
    target = Path(os.path.abspath(path))
    note = None
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        note = f"{path} is a symlink: writing through it to {target}"
    kind = describe(target)
    if folder:
        if kind not in ("missing", "a directory"):
            raise ExportError(f"{path}: {kind}; a CSV export goes into a folder (new, empty, or an earlier export)")
    elif kind == "a directory":
        raise ExportError(f"{path}: a directory; give a file name")
    elif kind == "a FIFO (named pipe)":
        raise ExportError(f"{path}: {kind}; an export replaces only a regular file. To write into the pipe, "
                          "leave out --output and redirect standard output into it")
    elif kind not in ("missing", "a regular file"):
        raise ExportError(f"{path}: {kind}; an export replaces only a regular file, never anything else")
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent} does not exist; create it first")
    return target, note


@contextmanager
def atomic_file(target: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write that replaces ``target`` only when the block ends without an error.

    A symlink is written through; ``target`` must otherwise be a regular file or missing.

    Raises:
        ExportError: when ``target`` is not a regular file, or its folder does not exist.
    """
    target, _ = export_target(target)
    parent = target.parent
    mode = (target.stat().st_mode & 0o777) if target.exists() else (0o666 & ~_umask())
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=parent)
    try:
        if binary:
            handle: IO[Any] = open(descriptor, "wb")
        else:
            handle = open(descriptor, "w", encoding="utf-8", newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# Zip entries carry a fixed date, so that two exports of one knowledge base are byte for byte equal.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _export_zip(scope: Scope, target: Path, guard_formulas: bool) -> dict[str, int]:
    with atomic_file(target, binary=True) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:

        @contextmanager
        def open_entry(name: str) -> Iterator[TextIO]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                yield text

        return write_csv_tables(scope, open_entry, guard_formulas)


#: The file that marks a folder as a claimscope CSV export: the next export into it may replace it.
FOLDER_MARKER = ".claimscope-export"
# Where an export into an existing folder is written before it is moved into place; one left by a
# killed export is recognised by its name and removed by the next.
_STAGING_PREFIX = ".claimscope-export."
_STAGING_SUFFIX = ".part"


def _marker_text(files: Iterable[str]) -> str:
    return json.dumps({"format": f"{EXPORT_FORMAT}-csv", "files": sorted(files),
                       "note": "claimscope wrote this folder; the next CSV export into it replaces these files"},
                      indent=1) + "\n"


def _marked_files(marker: Path) -> set[str] | None:
    """The files an earlier export wrote, from its marker; None if ``marker`` is not one of ours."""
    try:
        if not stat.S_ISREG(marker.lstat().st_mode) or marker.lstat().st_size > 1_000_000:
            return None
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("format") != f"{EXPORT_FORMAT}-csv":
        return None
    files = content.get("files")
    if not isinstance(files, list) or not all(isinstance(name, str) and name.endswith(".csv") and "/" not in name
                                              and not name.startswith(".") and "\x00" not in name for name in files):
        return None
    return set(files)


def _describe_entries(names: Sequence[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _earlier_export(folder: Path) -> tuple[set[str], list[Path]]:
    """The files of the earlier export ``folder`` holds (none for an empty folder), and stale staging folders.

    Raises:
        ExportError: the folder holds anything an export did not write (status 2).
    """
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise ExportError(f"{folder}: cannot be read ({error.strerror}); give another folder") from None
    staging = [entry for entry in entries if entry.name.startswith(_STAGING_PREFIX)
               and entry.name.endswith(_STAGING_SUFFIX) and stat.S_ISDIR(entry.lstat().st_mode)]
    entries = [entry for entry in entries if entry not in staging]
    if not entries:
        return set(), staging
    names = [entry.name for entry in entries]
    marked = _marked_files(folder / FOLDER_MARKER) if FOLDER_MARKER in names else None
    if marked is None:
        raise ExportError(f"{folder} is not empty and is not an earlier claimscope export (it holds "
                          f"{_describe_entries(names)}); give a new or empty folder")
    others = [entry.name for entry in entries if entry.name != FOLDER_MARKER
              and (entry.name not in marked or not stat.S_ISREG(entry.lstat().st_mode))]
    if others:
        raise ExportError(f"{folder} is an earlier export, but it also holds {_describe_entries(others)}, which "
                          "the export did not write; move them out or give another folder")
    return marked & set(names), staging


def _write_folder(scope: Scope, folder: Path, guard_formulas: bool) -> dict[str, int]:
    """Write the tables and the marker into the new folder ``folder``."""

    @contextmanager
    def open_file(name: str) -> Iterator[TextIO]:
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            yield handle

    counts = write_csv_tables(scope, open_file, guard_formulas)
    (folder / FOLDER_MARKER).write_text(_marker_text(f"{table}.csv" for table in counts), encoding="utf-8")
    mode = 0o666 & ~_umask()
    for entry in folder.iterdir():
        os.chmod(entry, mode)
    return counts


def _export_new_folder(scope: Scope, target: Path, guard_formulas: bool) -> dict[str, int]:
    # Written beside it and renamed: the folder appears whole or not at all.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=_STAGING_SUFFIX, dir=target.parent))
    try:
        counts = _write_folder(scope, staging, guard_formulas)
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts


def _export_into_folder(scope: Scope, target: Path, guard_formulas: bool) -> dict[str, int]:
    """Replace the earlier export in ``target`` (or fill the empty folder), keeping the folder itself.

    The folder stays (its owner, its mode, a shell's working directory in it): the new files
    are written into a staging folder inside it, then each is renamed over its old one, and
    the earlier export's other files removed. A failed export leaves the folder as it was.
    """
    earlier, stale = _earlier_export(target)
    for leftover in stale:
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, suffix=_STAGING_SUFFIX, dir=target))
    try:
        counts = _write_folder(scope, staging, guard_formulas)
        written = {f"{table}.csv" for table in counts}
        # The marker first, naming old and new files, so that an export stopped between two
        # renames leaves a folder the next export still knows as its own.
        (staging / "both").write_text(_marker_text(earlier | written), encoding="utf-8")
        os.replace(staging / "both", target / FOLDER_MARKER)
        for name in sorted(written):
            os.replace(staging / name, target / name)
        for name in sorted(earlier - written):
            (target / name).unlink(missing_ok=True)
        os.replace(staging / FOLDER_MARKER, target / FOLDER_MARKER)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def export_csv(scope: Scope, target: Path, guard_formulas: bool = True, folder: bool | None = None) -> dict[str, int]:
    """One CSV file per table into the folder ``target``, or into a zip if ``target`` ends in ``.zip``.

    A folder must be new, empty, or an earlier export (marked by ``FOLDER_MARKER``); it gets
    the marker too. ``folder`` forces a folder (a path given with a trailing ``/``). See
    ``write_csv_tables`` for ``guard_formulas``.

    Raises:
        ExportError: for a destination that cannot be used (nothing is changed then).
    """
    if folder is None:
        folder = target.suffix.lower() != ".zip"
    if not folder:
        return _export_zip(scope, target, guard_formulas)
    target, _ = export_target(target, folder=True)
    if target.is_dir():
        return _export_into_folder(scope, target, guard_formulas)
    return _export_new_folder(scope, target, guard_formulas)
