"""Export a knowledge base, or the neighbourhood of some of its entities, as JSON, CSV or STIX 2.1.

Tables are read generically (``PRAGMA table_info`` and ``SELECT`` of the columns found), so
that a column added to the schema is exported without a change here. Rows are written as
they are read: a knowledge base of a million claims is never held in memory whole. Files
are written atomically: into a temporary file or folder beside the destination, then
renamed over it, so that a failed export leaves the destination as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_FORMAT_VERSION",
    "TABLES",
    "ExportError",
    "Scope",
    "Selection",
    "atomic_file",
    "export_csv",
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


def _where_ids(connection: sqlite3.Connection, where: str) -> list[str]:
    # The newline keeps a trailing "-- comment" in the condition from swallowing the parenthesis;
    # the outer query keeps whatever the condition does (a UNION, say) to ids of entities.
    sql = f"SELECT id FROM entities WHERE id IN (SELECT id FROM entities WHERE ({where}\n)) ORDER BY id"
    try:
        return [row[0] for row in connection.execute(sql)]
    except (sqlite3.Error, sqlite3.Warning) as error:
        raise ExportError(f"--where {where!r} is not a usable condition on the entities table: {error}") from None


def neighbourhood(connection: sqlite3.Connection, entity_ids: Iterable[str], where: str | None,
                  depth: int) -> Selection:
    """The entities named or matching ``where`` (SQL on ``entities``) and those within ``depth`` claim links.

    A claim links its subject, its object and its claimant. The place of every entity chosen
    is added too, so that no exported ``place_id`` points outside the export.

    Raises:
        ExportError: for a ``where`` that SQLite refuses, or a selection with no entity.
    """
    requested = tuple(dict.fromkeys(entity_ids))
    chosen = set(requested)
    if where is not None:
        chosen.update(_where_ids(connection, where))
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
                if name not in _INTERNAL_TABLES and not any(name.startswith(v) for v in virtual)]
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


def _csv_value(value: Any) -> Any:
    return "" if value is None else value


def write_csv_tables(scope: Scope, open_table: Callable[[str], Any]) -> dict[str, int]:
    """Write each table as ``<table>.csv`` through ``open_table(name)`` (a context manager of a text file).

    The header row names the columns; JSON columns stay the JSON text they are in the database.
    """
    counts: dict[str, int] = {}
    for table in scope.table_names():
        with open_table(f"{table}.csv") as handle:
            writer = csv.writer(handle)
            writer.writerow(scope.tables[table].exported)
            count = 0
            for record in scope.rows(table, decode_json=False):
                writer.writerow([_csv_value(value) for value in record.values()])
                count += 1
        counts[table] = count
    return counts


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_file(target: Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write that replaces ``target`` only when the block ends without an error.

    Raises:
        ExportError: when ``target`` is a folder or its folder does not exist.
    """
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name")
    parent = target.parent
    if not parent.is_dir():
        raise ExportError(f"{parent} does not exist; create it first")
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


def _export_zip(scope: Scope, target: Path) -> dict[str, int]:
    with atomic_file(target, binary=True) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:

        @contextmanager
        def open_entry(name: str) -> Iterator[TextIO]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                yield text

        return write_csv_tables(scope, open_entry)


def _export_folder(scope: Scope, target: Path) -> dict[str, int]:
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} exists and is not a folder")
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent} does not exist; create it first")
    ours = {f"{table}.csv" for table in scope.table_names()}
    if target.is_dir():
        others = sorted(entry.name for entry in target.iterdir() if entry.name not in ours or not entry.is_file())
        if others:
            raise ExportError(f"{target} holds other files ({', '.join(others[:3])}); give a new or empty folder")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:

        @contextmanager
        def open_file(name: str) -> Iterator[TextIO]:
            with open(staging / name, "w", encoding="utf-8", newline="") as handle:
                yield handle

        counts = write_csv_tables(scope, open_file)
        mode = 0o777 & ~_umask()
        os.chmod(staging, mode)
        for entry in staging.iterdir():
            os.chmod(entry, mode & 0o666)
        if target.is_dir():
            # A folder cannot be renamed over a non-empty one: move the old export aside first.
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, retired / "export")
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(retired / "export", target)
                raise
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts


def export_csv(scope: Scope, target: Path) -> dict[str, int]:
    """One CSV file per table into the folder ``target``, or into a zip if ``target`` ends in ``.zip``.

    Raises:
        ExportError: for a destination that cannot be used (nothing is changed then).
    """
    if target.suffix.lower() == ".zip":
        return _export_zip(scope, target)
    return _export_folder(scope, target)
