"""Write a whole knowledge base atomically: one transaction in a temporary file, then rename.

A reader that has the old file open keeps reading the old file; a build that fails or
is killed leaves the previous file exactly as it was (at worst a ``.building`` file is
left beside it, which the next build removes).
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: builds are not serialised there
    fcntl = None  # type: ignore[assignment]

from claimscope.db.edtf import OPEN_LOWER, OPEN_UPPER, parse_edtf
from claimscope.db.files import path_uri, stale_companions, write_target
from claimscope.db.folding import compact, fold
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
from claimscope.db.schema import (
    APPLICATION_ID,
    CLAIM_FTS_TABLES,
    CLAIM_INDEXES,
    ENTITY_FTS_TABLES,
    ENTITY_INDEXES,
    FULL_TEXT,
    SCHEMA_VERSION,
    TABLES,
    VALIDATIONS,
)
from claimscope.db.values import value_display

__all__ = ["bindable", "build_database", "build_locked", "format_value", "writing"]

# Preference order when an event has several occurred_on claims.
_MODALITY_RANK = {
    "asserted": 0, "reported": 1, "hedged": 2, "estimated": 3, "claimed": 4, "alleged": 5, "denied": 9,
}


def format_value(claim: ClaimRecord) -> str | None:
    """A claim's literal value as people read it (with its scope, when it has one), or None for an object claim."""
    value = value_display(claim.value_text, claim.value_number, claim.value_date, claim.unit, claim.qualifier)
    return f"{value} ({claim.scope})" if value is not None and claim.scope else value


def _claim_text(claim: ClaimRecord, names: Mapping[str, str], labels: Mapping[str, str]) -> str:
    target = names.get(claim.object, claim.object) if claim.object else format_value(claim)
    reading = f"{names.get(claim.subject, claim.subject)} {labels.get(claim.predicate, claim.predicate)} {target}"
    if claim.claimant:
        reading += f" (per {names.get(claim.claimant, claim.claimant)})"
    return f"{reading}. {claim.statement}" if claim.statement else reading


def _value_key(claim: ClaimRecord) -> tuple[object, ...]:
    return (claim.object, claim.value_text, claim.value_number, claim.unit, claim.value_date)


def _containment(claims: Iterable[ClaimRecord]) -> dict[str, set[str]]:
    """For each place, every place it lies in (located_in, followed transitively)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        if claim.predicate == "located_in" and claim.object and claim.modality != "denied":
            parents[claim.subject].add(claim.object)
    closed: dict[str, set[str]] = {}

    def ancestors(place: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if place not in closed:
            found: set[str] = set()
            for parent in parents.get(place, ()):
                if parent not in seen:
                    found |= {parent} | ancestors(parent, seen | {place})
            closed[place] = found
        return closed[place]

    return {place: ancestors(place) for place in list(parents)}


def _compatible(a: ClaimRecord, b: ClaimRecord, containment: dict[str, set[str]]) -> bool:
    """Whether two values of a functional predicate can both be true.

    Dates agree when the intervals they stand for overlap (a year and a day in it); places
    agree when one lies in the other (Kabul and Afghanistan). Values of different scope (a
    count near one border, another for a wider area) measure different things, so they agree.
    """
    if _value_key(a) == _value_key(b) or a.scope != b.scope:
        return True
    if a.value_date and b.value_date:
        first, second = parse_edtf(a.value_date), parse_edtf(b.value_date)
        return first.lower <= second.upper and second.lower <= first.upper
    if a.object and b.object:
        return a.object in containment.get(b.object, ()) or b.object in containment.get(a.object, ())
    return False


def _disputes(claims: Iterable[ClaimRecord], predicates: dict[str, PredicateRecord],
              containment: dict[str, set[str]] | None = None, first_id: int = 1,
              declared: bool = True) -> list[tuple[int, str, str]]:
    """Groups of claims that disagree: incompatible values of a functional predicate, or a denial.

    ``containment`` (which place lies in which) is worked out from ``claims`` when not given;
    the groups are numbered from ``first_id``; with ``declared`` false, the disagreements a
    curator declared (``contradicts``) are left out.
    """
    claims = list(claims)
    if containment is None:
        containment = _containment(claims)
    # Only a functional predicate or a denial can make a dispute: the rest are never grouped.
    functional = {predicate_id for predicate_id, predicate in predicates.items() if predicate.functional}
    denied = {(claim.subject, claim.predicate) for claim in claims if claim.modality == "denied"}
    groups: dict[tuple[str, str], list[ClaimRecord]] = defaultdict(list)
    for claim in claims:
        key = (claim.subject, claim.predicate)
        if claim.predicate in functional or key in denied:
            groups[key].append(claim)
    rows: list[tuple[int, str, str]] = []
    dispute_id = first_id - 1
    for (_, predicate_id), members in sorted(item for item in groups.items() if len(item[1]) > 1):
        affirmed = [c for c in members if c.modality != "denied"]
        disputed: dict[str, str] = {}
        if predicates[predicate_id].functional:
            for index, first in enumerate(affirmed):
                for second in affirmed[index + 1:]:
                    if not _compatible(first, second, containment):
                        disputed[first.id] = disputed[second.id] = "differing values"
        for denial in (c for c in members if c.modality == "denied"):
            opposed = [c for c in affirmed if _value_key(c) == _value_key(denial)]
            if opposed:
                disputed[denial.id] = "denial"
                disputed.update((c.id, disputed.get(c.id, "denied by another claim")) for c in opposed)
        if disputed:
            dispute_id += 1
            rows.extend((dispute_id, claim_id, reason) for claim_id, reason in sorted(disputed.items()))
    # Disagreements across predicates, declared by the curator (an actor's claim against a finding).
    for claim in claims:
        if declared and claim.contradicts:
            dispute_id += 1
            rows.append((dispute_id, claim.id, "contradicts"))
            rows.extend((dispute_id, other, "contradicted") for other in sorted(set(claim.contradicts)))
    return rows


def _event_dates(claims: Iterable[ClaimRecord]) -> dict[str, tuple[str, str, bool]]:
    """For each event, its date, place, and whether the date was inferred: from its occurred_on / occurred_in claims."""
    best: dict[str, tuple[tuple[int, int, str], str]] = {}
    inferred: dict[str, bool] = {}
    places: dict[str, tuple[tuple[int, str], str]] = {}
    for claim in claims:
        rank = _MODALITY_RANK.get(claim.modality, 8)
        if claim.predicate == "occurred_on" and claim.value_date:
            parsed = parse_edtf(claim.value_date)
            # Prefer the firmest claim, then the narrowest date.
            span = (int(parsed.upper.replace("-", "")) - int(parsed.lower.replace("-", "")))
            key = (rank, span, claim.id)
            if claim.subject not in best or key < best[claim.subject][0]:
                best[claim.subject] = (key, claim.value_date)
                inferred[claim.subject] = bool(claim.inferred)
        elif claim.predicate == "occurred_in" and claim.object:
            place_key = (rank, claim.id)
            if claim.subject not in places or place_key < places[claim.subject][0]:
                places[claim.subject] = (place_key, claim.object)
    return {
        event_id: (best[event_id][1] if event_id in best else "", places[event_id][1] if event_id in places else "",
                   inferred.get(event_id, False))
        for event_id in set(best) | set(places)
    }


@functools.lru_cache(maxsize=4096)
def _span(date: str) -> tuple[str, str]:
    parsed = parse_edtf(date)
    return parsed.lower, parsed.upper


def _claim_time(claim: ClaimRecord, event_spans: Mapping[str, tuple[str, str]]) -> tuple[str | None, str | None]:
    """The days a claim speaks of: its start and end, else its date value, else the date of the event it is about."""
    if claim.start or claim.end:
        return (_span(claim.start)[0] if claim.start else OPEN_LOWER, _span(claim.end)[1] if claim.end else OPEN_UPPER)
    if claim.value_date:
        return _span(claim.value_date)
    for entity_id in (claim.subject, claim.object):
        if entity_id and entity_id in event_spans:
            return event_spans[entity_id]
    return None, None


def _event_context(claims: Iterable[ClaimRecord], kinds: Mapping[str, str], names: Mapping[str, str],
                   event_facts: dict[str, tuple[str, str, bool]]) -> dict[str, str]:
    """For each event, the names of its place and of the entities its claims link it to, for full-text search.

    "cyclists killed Tajikistan" then finds the attack whose place or actor is named so.
    """
    linked: dict[str, dict[str, None]] = defaultdict(dict)
    for event_id, (_, place_id, _) in event_facts.items():
        if place_id:
            linked[event_id][names.get(place_id, place_id)] = None
    for claim in claims:
        if claim.object is None or claim.modality == "denied":
            continue
        subject_kind, object_kind = kinds.get(claim.subject), kinds.get(claim.object)
        if object_kind == "event" and subject_kind != "event":
            linked[claim.object][names.get(claim.subject, claim.subject)] = None
        elif subject_kind == "event" and object_kind != "event":
            linked[claim.subject][names.get(claim.object, claim.object)] = None
    return {event_id: "\n".join(found) for event_id, found in linked.items()}


# -- one row of each table, as both a build and an import write it -----------------------------------

SOURCE_COLUMNS = 22
PREDICATE_COLUMNS = 9
ENTITY_COLUMNS = 18
CLAIM_COLUMNS = 23
ALIAS_INSERT = "INSERT INTO aliases (entity_id, alias, folded, compact, weak, note) VALUES (?,?,?,?,?,?)"
EVIDENCE_INSERT = ('INSERT INTO evidence (claim_id, source_id, paragraph, sentence, start, "end", grade, anaphora,'
                   " paragraph_start, paragraph_end, quote) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
PASSAGE_INSERT = 'INSERT INTO passages (source_id, paragraph, sentence, start, "end", text) VALUES (?,?,?,?,?,?)'


def _marks(count: int) -> str:
    return ",".join("?" * count)


def source_row(s: SourceRecord) -> tuple[object, ...]:
    published = parse_edtf(s.published)
    return (
        s.id, s.file, s.sha256, s.title, s.publisher, json.dumps(list(s.authors), ensure_ascii=False),
        s.published, published.lower, published.upper, s.url, s.language, s.grade, s.grade_note, s.note,
        json.dumps(list(s.unconfirmed)), int(s.text_present), s.paragraph_count, json.dumps(list(s.body)),
        json.dumps(list(s.headings)), json.dumps(list(s.exclude)), s.corpus_dir, s.imported,
    )


def predicate_row(p: PredicateRecord) -> tuple[object, ...]:
    return (p.id, p.label, p.inverse_label, json.dumps(list(p.subject_kinds)), json.dumps(list(p.object_kinds)),
            p.value_type, int(p.functional), p.description, int(p.self_claim))


def event_columns(facts: tuple[str, str, bool] | None) -> tuple[object, ...]:
    """The entity columns an event's claims decide: date, its bounds, precision, sort key, inferred, place."""
    date_text, place_id, date_inferred = facts or ("", "", False)
    parsed = parse_edtf(date_text) if date_text else None
    if parsed is None:
        return (None, None, None, None, None, int(date_inferred), place_id or None)
    return (parsed.text, parsed.lower, parsed.upper, parsed.precision,
            parsed.upper if parsed.lower == OPEN_LOWER else parsed.lower, int(date_inferred), place_id or None)


def entity_row(e: EntityRecord, facts: tuple[str, str, bool] | None, alias_text: str, context: str,
               claim_count: int) -> tuple[object, ...]:
    return (e.id, e.kind, e.name, fold(e.name), e.summary, e.note, e.subtype, *event_columns(facts), alias_text,
            context, claim_count, e.imported)


def alias_row(a: AliasRecord) -> tuple[object, ...]:
    folded = fold(a.alias)
    return (a.entity_id, a.alias, folded, compact(folded), int(a.weak), a.note)


def claim_row(c: ClaimRecord, names: Mapping[str, str], labels: Mapping[str, str], disputed: bool,
              best_grade: int | None, event_spans: Mapping[str, tuple[str, str]]) -> tuple[object, ...]:
    return (
        c.id, c.subject, c.predicate, c.object, c.value_text, c.value_number, c.value_date, c.unit,
        c.qualifier, c.start, c.end, c.modality, c.claimant, c.statement, c.inferred, c.note,
        _claim_text(c, names, labels), int(disputed), json.dumps(list(c.contradicts)) if c.contradicts else None,
        best_grade, *_claim_time(c, event_spans), c.scope,
    )


def evidence_row(e: EvidenceRecord) -> tuple[object, ...]:
    return (e.claim_id, e.source_id, e.paragraph, e.sentence, e.start, e.end, e.grade, int(e.anaphora),
            e.paragraph_start, e.paragraph_end, e.quote)


def passage_row(p: PassageRecord) -> tuple[object, ...]:
    return (p.source_id, p.paragraph, p.sentence, p.start, p.end, p.text)


#: What a build binds in place of None. Binding None costs sqlite3 an adapter look-up that
#: fails (two attribute look-ups raising AttributeError, about 0.6 us a value: a third of a
#: build of the claims went there); a float needs none, and SQLite stores a NaN as NULL, so
#: the row written is the same. The row functions above still return None, as imports want.
_NULL = float("nan")
_null_for_none: Callable[[object, object], object] = {None: _NULL}.get  # type: ignore[assignment]


def bindable(row: Sequence[object]) -> tuple[object, ...]:
    """``row`` with every None as a NaN, which SQLite stores as the same NULL (see ``_NULL``)."""
    return tuple(map(_null_for_none, row, row))


def _write(connection: sqlite3.Connection, records: Records) -> None:
    names = {entity.id: entity.name for entity in records.entities}
    predicates = {predicate.id: predicate for predicate in records.predicates}
    labels = {predicate.id: predicate.label for predicate in records.predicates}
    aliases_by_entity: dict[str, list[str]] = defaultdict(list)
    for alias in records.aliases:
        aliases_by_entity[alias.entity_id].append(alias.alias)
    claim_count: dict[str, int] = defaultdict(int)
    for claim in records.claims:
        claim_count[claim.subject] += 1
        if claim.object and claim.object != claim.subject:
            claim_count[claim.object] += 1
        if claim.claimant and claim.claimant not in (claim.subject, claim.object):
            claim_count[claim.claimant] += 1
    event_facts = _event_dates(records.claims)
    kinds = {entity.id: entity.kind for entity in records.entities}
    context = _event_context(records.claims, kinds, names, event_facts)

    entity_rows = [
        bindable(entity_row(e, event_facts.get(e.id), "\n".join(aliases_by_entity.get(e.id, ())),
                             context.get(e.id, ""), claim_count.get(e.id, 0)))
        for e in records.entities
    ]
    alias_rows = [bindable(alias_row(a)) for a in records.aliases]

    connection.executemany(f"INSERT INTO sources VALUES ({_marks(SOURCE_COLUMNS)})",
                           [bindable(source_row(s)) for s in records.sources])
    connection.executemany(f"INSERT INTO predicates VALUES ({_marks(PREDICATE_COLUMNS)})",
                           [bindable(predicate_row(p)) for p in records.predicates])
    connection.executemany(f"INSERT INTO entities VALUES ({_marks(ENTITY_COLUMNS)})", entity_rows)
    connection.executemany(ALIAS_INSERT, alias_rows)
    del entity_rows, alias_rows
    counts: dict[str, int] = defaultdict(int)
    for entity in records.entities:
        counts[entity.kind] += 1
    # Stored so that a reader gets them without counting a large table.
    connection.executemany("INSERT INTO meta VALUES (?,?)", [*records.meta, ("entity_counts", json.dumps(counts))])

    # Two things at once: SQLite indexes the names (C code that lets go of the GIL) while a
    # thread turns the claims into rows (Python). Neither touches the other's data.
    prepared: dict[str, list[tuple[object, ...]]] = {}
    failure: list[BaseException] = []

    def prepare() -> None:
        try:
            disputes = _disputes(records.claims, predicates)
            disputed_ids = {claim_id for _, claim_id, _ in disputes}
            prepared["disputes"] = disputes  # type: ignore[assignment]
            best_grade: dict[str, int] = {}
            for e in records.evidence:
                if e.grade < best_grade.get(e.claim_id, 99):
                    best_grade[e.claim_id] = e.grade
            event_spans = {event_id: _span(date) for event_id, (date, _, _) in event_facts.items() if date}
            prepared["claims"] = [
                bindable(claim_row(c, names, labels, c.id in disputed_ids, best_grade.get(c.id), event_spans))
                for c in records.claims
            ]
            prepared["evidence"] = [bindable(evidence_row(e)) for e in records.evidence]
        except BaseException as error:  # handed to the building thread, which raises it
            failure.append(error)

    worker = threading.Thread(target=prepare, name="claimscope-build-rows")
    worker.start()
    try:
        # The full-text indexes first: FTS5 reads its texts with a plain SELECT, which an index on
        # aliases (compact) would answer in the order of the texts; rows that come out of rowid
        # order make FTS5 write out what it has gathered at each step back (0.6 s, not 0.09 s).
        _rebuild_full_text(connection, ENTITY_FTS_TABLES)
        connection.execute("CREATE VIRTUAL TABLE temp.trigram_vocabulary USING fts5vocab (main, aliases_trigram, row)")
        connection.execute("INSERT INTO trigram_counts SELECT term, doc FROM temp.trigram_vocabulary")
        connection.execute("DROP TABLE temp.trigram_vocabulary")
        _execute_script(connection, ENTITY_INDEXES)
    finally:
        worker.join()
    if failure:
        raise failure[0]

    connection.executemany(f"INSERT INTO claims VALUES ({_marks(CLAIM_COLUMNS)})", prepared.pop("claims"))
    connection.executemany(PASSAGE_INSERT, map(passage_row, records.passages))
    connection.executemany(EVIDENCE_INSERT, prepared.pop("evidence"))
    connection.executemany("INSERT INTO disputes VALUES (?,?,?)", prepared.pop("disputes"))
    _execute_script(connection, CLAIM_INDEXES)
    _rebuild_full_text(connection, CLAIM_FTS_TABLES)


#: The terms FTS5 gathers in memory before it writes them out as a segment (its default: 1 MB).
#: Fewer, larger segments are merged less often: at a million claims the claims' index builds
#: in half the time (12.7 s, 6.5 s). Set for the build only; the file keeps FTS5's default.
_BUILD_HASH_SIZE = 64 << 20


def _rebuild_full_text(connection: sqlite3.Connection, tables: Iterable[str]) -> None:
    for table in tables:
        connection.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)",  # noqa: S608 - fixed names
                           (_BUILD_HASH_SIZE,))
        connection.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")  # noqa: S608
        # The setting is a row of the index's own settings; without it FTS5 uses its default.
        # (The terms gathered are written out at the commit, which is the same transaction's.)
        connection.execute(f"DELETE FROM {table}_config WHERE k = 'hashsize'")  # noqa: S608


def _execute_script(connection: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements inside the open transaction (executescript would commit it)."""
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _keys_resolve(connection: sqlite3.Connection) -> bool:
    """Whether every foreign key of the file names a row that exists: what foreign_key_check proves, with less work.

    foreign_key_check looks up the parent of every row (a million claims: 2.6 s); each
    distinct key once, read in order from the index every key column has, is enough (1.3 s).
    False when a key is missing, or cannot be checked so (a key of several columns): the
    caller then runs foreign_key_check, which names the rows.
    """
    tables = [row[0] for row in connection.execute("SELECT name FROM main.sqlite_schema WHERE type = 'table'")]
    for table in tables:
        for key in connection.execute("SELECT * FROM pragma_foreign_key_list(?)", (table,)).fetchall():
            _, seq, parent, column, parent_column = key[:5]
            if seq or parent_column is None:
                return False
            query = (f'SELECT 1 FROM (SELECT DISTINCT "{column}" AS k FROM main."{table}" WHERE k IS NOT NULL)'  # noqa: S608
                     f' WHERE k NOT IN (SELECT "{parent_column}" FROM main."{parent}") LIMIT 1')
            if connection.execute(query).fetchone():
                return False
    return True


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: Up to 2 GB, which is most SQLite builds' ceiling (SQLITE_MAX_MMAP_SIZE); a larger file maps in part.
_MMAP_SIZE = 0x7FFF0000


def build_database(path: str | os.PathLike[str], records: Records) -> Path:
    """Write ``records`` as a new knowledge base at ``path``, replacing any file there atomically.

    A symlink is written through to its target; a path that is not a regular file is refused.

    Returns:
        The path written.

    Raises:
        sqlite3.Error, ValueError: when the records break a constraint; ``path`` is untouched.
        UnusableFile: ``path`` is a device, a FIFO, a directory or a socket.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    target, _ = write_target(Path(path))
    with writing(target):
        return build_locked(target, records)


@contextmanager
def writing(target: Path) -> Iterator[None]:
    """Hold the file's write lock: one build or import at a time, a second one waits.

    Holding the lock also means any temporary file left beside the target is from a writer
    that was killed, so it is removed here.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    path = target.parent / f".{target.name}.lock"
    lock: IO[bytes]
    try:
        lock = open(path, "a+b")  # noqa: SIM115 - closed by the with below
    except PermissionError:
        # Another user's lock file in a shared folder, or one made read-only: a lock is taken on
        # a file opened for reading as well, and nothing is ever written to it.
        lock = open(path, "rb")  # noqa: SIM115
    with lock:
        if fcntl is not None:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        for stale in target.parent.glob(f".{target.name}.*.building"):
            try:
                stale.unlink()
            except OSError:
                pass
        yield


def build_locked(target: Path, records: Records) -> Path:
    """``build_database`` for a caller that already holds ``writing(target)``.

    ``target`` is where the file goes: a path ``write_target`` has checked (a symlink resolved).
    """
    handle, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        connection = sqlite3.connect(path_uri(temporary, "rwc"), uri=True, isolation_level=None)
        try:
            # The temporary file is thrown away on any failure, so no journal is needed.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            # Enforcing keys row by row costs a lookup per insert; one foreign_key_check at the
            # end finds the same problems. A large page cache keeps index building in memory.
            connection.execute("PRAGMA foreign_keys = OFF")
            connection.execute("PRAGMA cache_size = -262144")
            connection.execute("PRAGMA temp_store = MEMORY")
            # Index building and the key check read the tables back: through a mapping of the file
            # they are read without a copy into the page cache (at a million claims, 12 s -> 10 s).
            connection.execute(f"PRAGMA mmap_size = {_MMAP_SIZE}")
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("BEGIN")
            _execute_script(connection, TABLES + FULL_TEXT)
            _write(connection, records)
            problems = [] if _keys_resolve(connection) else connection.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise ValueError(f"foreign key check failed on {len(problems)} rows, e.g. {problems[0]}")
            for rule, query in VALIDATIONS:
                offending = [row[0] for row in connection.execute(query + " LIMIT 5")]
                if offending:
                    raise ValueError(f"{rule}: broken by {', '.join(map(str, offending))}")
            connection.execute("COMMIT")
            connection.execute("PRAGMA optimize")
        finally:
            connection.close()
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o644)
        # A -wal, -shm or -journal file left beside the old file would be laid over the new one
        # by the next reader (SQLite applies a log it finds beside a database): they go first.
        for companion in stale_companions(target):
            companion.unlink(missing_ok=True)
        os.replace(temporary, target)
        _fsync_directory(target.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
