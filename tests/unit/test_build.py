"""The build: schema, indexes, full-text search, derived facts, and all-or-nothing writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from claimscope.db.build import build_database
from claimscope.db.queries import KnowledgeBase, KnowledgeBaseError
from claimscope.db.records import ClaimRecord, Records
from claimscope.db.schema import SCHEMA_VERSION
from claimscope.seed.knowledge_base import BuildFailed, build
from claimscope.seed.loader import load_seed
from conftest import MINI_CLAIMS, digest, write_mini_seed


@pytest.fixture
def mini_db(tmp_path: Path) -> Path:
    seed, corpus = write_mini_seed(tmp_path)
    path = tmp_path / "kb.db"
    build(path, seed, corpus)
    return path


def test_schema_version_foreign_keys_and_indexes(mini_db: Path) -> None:
    connection = sqlite3.connect(mini_db)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sources", "entities", "aliases", "predicates", "claims", "evidence", "disputes", "meta",
            "entities_fts", "claims_fts", "aliases_fts"} <= tables
    # Every foreign key column has an index that starts with it.
    indexed = {
        (table, connection.execute(f"PRAGMA index_info('{index}')").fetchone()[2])
        for table in ("entities", "aliases", "claims", "evidence", "disputes")
        for index in [row[1] for row in connection.execute(f"PRAGMA index_list('{table}')")]
    }
    for table in ("entities", "aliases", "claims", "evidence", "disputes"):
        for foreign_key in connection.execute(f"PRAGMA foreign_key_list('{table}')"):
            assert (table, foreign_key[3]) in indexed, f"{table}.{foreign_key[3]} has no index"


def test_full_text_search_over_entities_and_claims(mini_db: Path) -> None:
    connection = sqlite3.connect(mini_db)
    hits = connection.execute(
        "SELECT e.id FROM entities_fts JOIN entities e ON e.rowid = entities_fts.rowid"
        " WHERE entities_fts MATCH 'station'"
    ).fetchall()
    assert hits == [("radio-example",)]
    claims = connection.execute("SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'operates'").fetchall()
    assert len(claims) == 1


def test_locators_resolve_to_spans_in_the_text(mini_db: Path, tmp_path: Path) -> None:
    text = (tmp_path / "corpus" / "mini.txt").read_text(encoding="utf-8")
    with KnowledgeBase.open(mini_db) as knowledge_base:
        card = knowledge_base.entity("example-front")
    assert card is not None
    operates = next(claim for claim in card.outgoing if claim.predicate == "operates_outlet")
    evidence = operates.evidence[0]
    assert text[evidence.start:evidence.end] == "It runs Radio Example, a station in Sampletown."


def test_failed_build_leaves_the_previous_file_byte_for_byte(mini_db: Path, tmp_path: Path) -> None:
    before = digest(mini_db)
    seed, corpus = write_mini_seed(tmp_path / "broken", **{"claims.yaml": MINI_CLAIMS.replace("radio-example",
                                                                                             "radio-exampel")})
    with pytest.raises(BuildFailed):
        build(mini_db, seed, corpus)
    assert digest(mini_db) == before
    assert not list(mini_db.parent.glob("*.building"))


def test_build_that_fails_inside_the_transaction_leaves_the_file(mini_db: Path, tmp_path: Path) -> None:
    before = digest(mini_db)
    seed, corpus = write_mini_seed(tmp_path / "again")
    records = load_seed(seed, corpus).records
    assert records is not None
    # A claim pointing at an entity that does not exist breaks a foreign key at the end of the build.
    broken = Records(**{**{f: getattr(records, f) for f in records.__dataclass_fields__},
                        "claims": records.claims + (ClaimRecord("x", "ghost", "located_in", object="sampletown"),)})
    with pytest.raises((ValueError, sqlite3.Error)):
        build_database(mini_db, broken)
    assert digest(mini_db) == before
    assert not list(mini_db.parent.glob("*.building"))


def test_rebuild_replaces_the_file_atomically(mini_db: Path, tmp_path: Path) -> None:
    reader = KnowledgeBase.open(mini_db)
    first_claim_only = MINI_CLAIMS.split("  - subject: radio-example")[0]
    seed, corpus = write_mini_seed(tmp_path / "v2", **{"claims.yaml": first_claim_only})
    build(mini_db, seed, corpus)
    # The open reader still sees the old file whole; a new reader sees the new one.
    assert reader.stats().claims == 3
    reader.close()
    with KnowledgeBase.open(mini_db) as fresh:
        assert fresh.stats().claims == 1


def test_readers_open_read_only(mini_db: Path) -> None:
    with KnowledgeBase.open(mini_db) as knowledge_base, pytest.raises(sqlite3.OperationalError):
        knowledge_base.connection.execute("DELETE FROM claims")


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_unusable_files_get_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(KnowledgeBaseError, match="bad.db"):
        KnowledgeBase.open(path)


def test_foreign_and_newer_files_are_refused(tmp_path: Path, mini_db: Path) -> None:
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)")
    with pytest.raises(KnowledgeBaseError, match="not a claimscope knowledge base"):
        KnowledgeBase.open(foreign)
    connection = sqlite3.connect(mini_db)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(KnowledgeBaseError, match="newer"):
        KnowledgeBase.open(mini_db)


def test_disputes_and_event_dates(tmp_path: Path) -> None:
    claims = MINI_CLAIMS + (
        "  - subject: example-front\n    predicate: estimated_strength\n    value: 500\n    unit: fighters\n"
        "    modality: estimated\n    claimant: ann-other\n"
        "    evidence:\n      - {source: example-times, paragraph: 2, sentence: 2, grade: 4, anaphora: true}\n"
    )
    seed, corpus = write_mini_seed(tmp_path, **{"claims.yaml": claims})
    build(tmp_path / "kb.db", seed, corpus)
    with KnowledgeBase.open(tmp_path / "kb.db") as knowledge_base:
        disputes = knowledge_base.disputes()
        assert len(disputes) == 1
        assert sorted(claim.value for claim in disputes[0].claims) == [300.0, 500.0]
        assert all(claim.disputed for claim in disputes[0].claims)


def test_shipped_knowledge_base_builds_with_every_locator_resolved(shipped_db: Path) -> None:
    with KnowledgeBase.open(shipped_db) as knowledge_base:
        stats = knowledge_base.stats()
        kinds = dict(stats.entities_by_kind)
        assert set(kinds) == {"group", "outlet", "person", "place", "event"}
        assert stats.resolved_locators == stats.evidence > 0
        assert stats.disputes >= 1
        assert len(knowledge_base.sources()) == 5
        assert all(source.claim_count > 0 for source in knowledge_base.sources())
        events = knowledge_base.timeline()
        assert events and [e.sort for e in events] == sorted(e.sort for e in events)
        assert {e.precision for e in events} > {"day"}


def test_sqlite_utils_detects_and_searches_the_full_text_indexes(mini_db: Path) -> None:
    import sqlite_utils

    database = sqlite_utils.Database(mini_db)
    assert database["entities"].detect_fts() == "entities_fts"
    assert database["claims"].detect_fts() == "claims_fts"
    assert database["aliases"].detect_fts() == "aliases_fts"
    assert [row["id"] for row in database["entities"].search("Sampletown", columns=["id"])] == ["sampletown"]


def test_compatible_values_are_not_disputes(tmp_path: Path) -> None:
    # A year and a day within it agree; two days do not. A town and the country it lies in agree.
    from claimscope.db.build import _disputes
    from claimscope.db.records import PredicateRecord

    predicates = {
        "occurred_on": PredicateRecord("occurred_on", "occurred on", ("event",), value_type="date", functional=True),
        "occurred_in": PredicateRecord("occurred_in", "occurred in", ("event",), ("place",), functional=True),
        "located_in": PredicateRecord("located_in", "located in", ("place",), ("place",)),
    }
    claims = [
        ClaimRecord("year", "e", "occurred_on", value_date="2022"),
        ClaimRecord("day", "e", "occurred_on", value_date="2022-04-18"),
        ClaimRecord("town", "e", "occurred_in", object="termez"),
        ClaimRecord("country", "e", "occurred_in", object="uzbekistan"),
        ClaimRecord("where", "termez", "located_in", object="surkhandarya"),
        ClaimRecord("region", "surkhandarya", "located_in", object="uzbekistan"),
    ]
    assert _disputes(claims, predicates) == []
    claims.append(ClaimRecord("other-day", "e", "occurred_on", value_date="2022-05-01"))
    claims.append(ClaimRecord("elsewhere", "e", "occurred_in", object="kabul"))
    disputed = {claim_id for _, claim_id, _ in _disputes(claims, predicates)}
    assert disputed == {"day", "other-day", "town", "country", "elsewhere"}


def test_build_rejects_a_claim_that_breaks_a_rule_of_the_schema(mini_db: Path, tmp_path: Path) -> None:
    before = digest(mini_db)
    seed, corpus = write_mini_seed(tmp_path / "rules")
    records = load_seed(seed, corpus).records
    assert records is not None
    # The loader would refuse this; the builder must too, for records that come from elsewhere.
    subject = records.claims[0].subject
    broken = Records(**{**{f: getattr(records, f) for f in records.__dataclass_fields__},
                        "claims": records.claims + (ClaimRecord("x", subject, "located_in", object=subject,
                                                                modality="claimed"),)})
    with pytest.raises(ValueError, match="names its claimant: broken by x"):
        build_database(mini_db, broken)
    assert digest(mini_db) == before
