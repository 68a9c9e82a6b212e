"""Read a knowledge base file back into the records it was built from.

Everything a build writes must come back out unchanged: ``read_records(build(r)) == r`` up
to order, which a test checks on the shipped knowledge base (the export and the tests read
whole files this way; an import writes in place and reads only what it needs).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from claimscope.db.files import UnusableFile, connect_read_only, connect_writable, describe
from claimscope.db.records import (
    AliasRecord,
    ClaimRecord,
    EntityRecord,
    EvidenceRecord,
    PassageRecord,
    PredicateRecord,
    Records,
    SourceRecord,
)
from claimscope.db.schema import APPLICATION_ID, SCHEMA_VERSION

__all__ = ["DumpError", "open_knowledge_base", "read_alias_folds", "read_records"]


class DumpError(Exception):
    """The file is not a knowledge base this version can read back."""


def _connect(path: Path, writable: bool = False) -> sqlite3.Connection:
    kind = describe(path)
    if kind == "missing":
        raise DumpError(f"{path}: no such knowledge base (build one with `claimscope build --db {path}`)")
    try:
        connection = connect_writable(path) if writable else connect_read_only(path)
    except UnusableFile as error:
        raise DumpError(str(error)) from None
    except sqlite3.Error as error:
        raise DumpError(f"{path}: not a knowledge base ({error})") from error
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        connection.close()
        raise DumpError(f"{path}: not a knowledge base ({error})") from error
    if application_id != APPLICATION_ID:
        connection.close()
        raise DumpError(f"{path}: not a claimscope knowledge base")
    if version != SCHEMA_VERSION:
        connection.close()
        raise DumpError(f"{path}: built by another version of claimscope (schema {version}, this one reads "
                        f"{SCHEMA_VERSION}); rebuild it with `claimscope build --db {path}`")
    return connection


def open_knowledge_base(path: str | Path, writable: bool = False) -> sqlite3.Connection:
    """A connection to the knowledge base at ``path``, checked to be one this version reads.

    Writable, it is in rollback-journal mode with autocommit (the caller runs ``BEGIN IMMEDIATE``).

    Raises:
        DumpError: when the file is missing, foreign, of another schema version, or unreadable.
    """
    return _connect(Path(path), writable)


def read_records(path: str | Path) -> Records:
    """Every record of the knowledge base at ``path``.

    Raises:
        DumpError: when the file is missing, foreign, of another schema version, or damaged.
    """
    connection = _connect(Path(path))
    try:
        return _read(connection)
    except sqlite3.DatabaseError as error:
        raise DumpError(f"{path}: cannot be read ({error})") from error
    finally:
        connection.close()


def source_records(connection: sqlite3.Connection, source_id: str | None = None) -> list[SourceRecord]:
    """The sources as the build was given them (one, when ``source_id`` is given), in the order they were added."""
    where, parameters = ("WHERE id = ?", (source_id,)) if source_id is not None else ("", ())
    return [
        SourceRecord(
            id=row[0], file=row[1], sha256=row[2], title=row[3], publisher=row[4], authors=tuple(json.loads(row[5])),
            published=row[6], url=row[7], language=row[8], grade=row[9], grade_note=row[10], note=row[11],
            unconfirmed=tuple(json.loads(row[12])), text_present=bool(row[13]), paragraph_count=row[14],
            body=tuple(json.loads(row[15])), headings=tuple(json.loads(row[16])),
            exclude=tuple(json.loads(row[17])), corpus_dir=row[18], imported=row[19],
        )
        for row in connection.execute(
            "SELECT id, file, sha256, title, publisher, authors, published, url, language, grade, grade_note, note,"
            f" unconfirmed, text_present, paragraph_count, body_lines, heading_lines, excluded_lines, corpus_dir,"
            " imported"
            f" FROM sources {where} ORDER BY rowid",  # noqa: S608
            parameters,
        )
    ]


def _read(connection: sqlite3.Connection) -> Records:
    sources = tuple(source_records(connection))
    predicates = tuple(
        PredicateRecord(
            id=row[0], label=row[1], inverse_label=row[2], subject_kinds=tuple(json.loads(row[3])),
            object_kinds=tuple(json.loads(row[4])), value_type=row[5], functional=bool(row[6]), description=row[7],
            self_claim=bool(row[8]),
        )
        for row in connection.execute(
            "SELECT id, label, inverse_label, subject_kinds, object_kinds, value_type, functional, description,"
            " self_claim FROM predicates ORDER BY rowid"
        )
    )
    entities = tuple(
        EntityRecord(*row)
        for row in connection.execute(
            "SELECT id, kind, name, summary, note, subtype, imported FROM entities ORDER BY rowid")
    )
    aliases = tuple(
        AliasRecord(row[0], row[1], bool(row[2]), row[3])
        for row in connection.execute("SELECT entity_id, alias, weak, note FROM aliases ORDER BY id")
    )
    # The two large tables are read positionally, in the records' field order: a million
    # keyword-argument constructions cost a third more.
    claims = tuple(
        ClaimRecord(*row[:16], tuple(json.loads(row[16])) if row[16] else (), row[17])  # type: ignore[arg-type, call-arg]
        for row in connection.execute(
            "SELECT id, subject_id, predicate_id, object_id, value_text, value_number, value_date, unit, qualifier,"
            " start, \"end\", modality, claimant_id, statement, inferred, note, contradicts, scope FROM claims"
            " ORDER BY rowid"
        )
    )
    evidence = tuple(
        EvidenceRecord(*row)
        for row in connection.execute(
            "SELECT claim_id, source_id, paragraph, grade, sentence, start, \"end\", anaphora = 1, paragraph_start,"
            " paragraph_end, quote FROM evidence ORDER BY id"
        )
    )
    # Counts are computed again by the build; everything else in meta is carried over.
    meta = tuple(
        (key, value) for key, value in connection.execute("SELECT key, value FROM meta ORDER BY rowid")
        if key != "entity_counts"
    )
    passages = tuple(
        PassageRecord(*row)
        for row in connection.execute(
            'SELECT source_id, paragraph, sentence, start, "end", text FROM passages ORDER BY id'
        )
    )
    return Records(sources, predicates, entities, aliases, claims, evidence, meta, passages)


def read_alias_folds(path: str | Path) -> list[tuple[str, str, str, str, bool]]:
    """Each alias with the folded and compact forms the build stored: (entity id, alias, folded, compact, weak)."""
    connection = _connect(Path(path))
    try:
        return [(row[0], row[1], row[2], row[3], bool(row[4])) for row in
                connection.execute("SELECT entity_id, alias, folded, compact, weak FROM aliases ORDER BY id")]
    except sqlite3.DatabaseError as error:
        raise DumpError(f"{path}: cannot be read ({error})") from error
    finally:
        connection.close()
