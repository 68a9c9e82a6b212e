"""The build's fast paths write what the plain ones would: NULLs bound as NaN, full-text indexes built in bulk."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from claimscope.db.build import alias_row, build_database, evidence_row
from claimscope.db.records import Records
from claimscope.db.schema import CLAIM_FTS_TABLES, ENTITY_FTS_TABLES

ROOT = Path(__file__).resolve().parents[2]
FTS_TABLES = (*ENTITY_FTS_TABLES, *CLAIM_FTS_TABLES)


@pytest.fixture(scope="module")
def synthetic() -> Records:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import synthesize

    return synthesize(400, 4_000, 40, seed=7)


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory, synthetic: Records) -> Path:
    return build_database(tmp_path_factory.mktemp("synthetic") / "kb.db", synthetic)


def _check_full_text(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        for table in FTS_TABLES:
            # FTS5's own check: the index holds exactly the tokens of the content table's rows.
            connection.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
            settings = dict(connection.execute(f"SELECT k, v FROM {table}_config").fetchall())
            assert "hashsize" not in settings, f"{table} keeps the build's hash size"
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()


def test_full_text_indexes_of_the_shipped_seed_pass_fts5_checks(shipped_db: Path) -> None:
    _check_full_text(shipped_db)


def test_full_text_indexes_of_a_synthetic_build_pass_fts5_checks(synthetic_db: Path) -> None:
    _check_full_text(synthetic_db)


def test_full_text_index_is_the_one_fts5_rebuilds_from_the_table(synthetic_db: Path, tmp_path: Path) -> None:
    """Every word finds the same rows in the built index as in one FTS5 rebuilds from scratch."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(synthetic_db.read_bytes())
    built, rebuilt = sqlite3.connect(synthetic_db), sqlite3.connect(copy)
    try:
        for table in FTS_TABLES:
            rebuilt.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        rebuilt.commit()
        for table, probes in (("claims_fts", ("killed", "kill", "video", "convoy", "kabul")),
                              ("entities_fts", ("media", "attack", "province")),
                              ("aliases_fts", ("abu", "al")), ("aliases_trigram", ("abu", "kha"))):
            for probe in probes:
                query = f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid"
                assert built.execute(query, (probe,)).fetchall() == rebuilt.execute(query, (probe,)).fetchall()
        rebuilt.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab (main, aliases_trigram, row)")
        assert sorted(built.execute("SELECT trigram, aliases FROM trigram_counts")) == sorted(
            rebuilt.execute("SELECT term, doc FROM temp.vocabulary"))
    finally:
        built.close()
        rebuilt.close()


def test_none_is_written_as_null(synthetic_db: Path, synthetic: Records) -> None:
    """The build binds a NaN for None (SQLite stores it as NULL): the rows read back are the row functions'."""
    connection = sqlite3.connect(synthetic_db)
    try:
        evidence = connection.execute(
            'SELECT claim_id, source_id, paragraph, sentence, start, "end", grade, anaphora, paragraph_start,'
            " paragraph_end, quote FROM evidence ORDER BY id").fetchall()
        assert evidence == [evidence_row(e) for e in synthetic.evidence]
        aliases = connection.execute(
            "SELECT entity_id, alias, folded, compact, weak, note FROM aliases ORDER BY id").fetchall()
        assert aliases == [alias_row(a) for a in synthetic.aliases]
        claims = connection.execute(
            'SELECT id, subject_id, predicate_id, object_id, value_text, value_number, value_date, unit, qualifier,'
            ' start, "end", modality, claimant_id, statement, inferred, note, scope FROM claims ORDER BY rowid'
        ).fetchall()
        assert claims == [
            (c.id, c.subject, c.predicate, c.object, c.value_text, c.value_number, c.value_date, c.unit,
             c.qualifier, c.start, c.end, c.modality, c.claimant, c.statement, c.inferred, c.note, c.scope)
            for c in synthetic.claims
        ]
        # No column holds a value where the records had none, and none holds a NaN (SQLite cannot).
        assert connection.execute("SELECT count(*) FROM claims WHERE value_number IS NOT NULL").fetchone()[0] == sum(
            c.value_number is not None for c in synthetic.claims)
        assert connection.execute("SELECT count(*) FROM entities WHERE place_id IS NULL AND note IS NULL"
                                  " AND imported IS NULL").fetchone()[0] > 0
    finally:
        connection.close()


@pytest.mark.parametrize("broken", ["claim subject", "evidence claim", "claim object"])
def test_a_key_naming_no_row_fails_the_build_and_leaves_the_file(synthetic: Records, synthetic_db: Path,
                                                                   tmp_path: Path, broken: str) -> None:
    """The build's key check (each distinct key once) finds what foreign_key_check finds, which names the rows."""
    import dataclasses

    if broken == "claim subject":
        claims = list(synthetic.claims)
        claims[5] = dataclasses.replace(claims[5], subject="no-such-entity")
        records = dataclasses.replace(synthetic, claims=tuple(claims))
    elif broken == "evidence claim":
        evidence = list(synthetic.evidence)
        evidence[-1] = dataclasses.replace(evidence[-1], claim_id="c-none")
        records = dataclasses.replace(synthetic, evidence=tuple(evidence))
    else:
        claims = list(synthetic.claims)
        index = next(i for i, c in enumerate(claims) if c.object)
        claims[index] = dataclasses.replace(claims[index], object="pl-none")
        records = dataclasses.replace(synthetic, claims=tuple(claims))
    target = tmp_path / "kb.db"
    target.write_bytes(synthetic_db.read_bytes())
    before = target.read_bytes()
    with pytest.raises(ValueError, match="foreign key check failed on 1 rows"):
        build_database(target, records)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kb.db.lock", "kb.db"]
