"""Imports written in place: what they write is what a full build of the same records writes.

Each test changes a copy of the shipped knowledge base with an import, a ``--replace`` or a
``remove``, then builds the records read back from it into a new file and compares the two
table by table: every derived column (claim counts, an event's date and context, a claim's
time, its best grade and disputed flag), the disputes, the trigram counts and every full-text
index must be what a build from scratch gives.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claimscope.db.build import build_database
from claimscope.db.dump import read_records
from claimscope.db.models import ClaimQuery
from claimscope.db.queries import KnowledgeBase
from claimscope.tui.cli import main
from conftest import ROOT, digest

EXAMPLE = ROOT / "tests" / "data" / "import-example"
SECOND = ROOT / "tests" / "data" / "import-second"
FULL_TEXT = ("entities_fts", "claims_fts", "passages_fts", "aliases_fts", "aliases_trigram")


def run(*arguments: str, expect: int = 0) -> str:
    result = CliRunner().invoke(main, list(arguments), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


@pytest.fixture
def second(tmp_path: Path) -> Path:
    folder = tmp_path / "second"
    shutil.copytree(SECOND, folder)
    return folder


def snapshot(path: Path, stamps: bool = True) -> dict[str, Any]:
    """Everything a knowledge base holds, in a form two files can be compared by.

    Row ids that only number rows (aliases, evidence, passages) and the numbers of dispute
    groups are left out; disputes are compared as groups of (claim, reason). Without
    ``stamps``, the times an import wrote are left out too.
    """
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found: dict[str, Any] = {}
        for table, columns in (
            ("sources", "*"), ("predicates", "*"), ("entities", "*"), ("claims", "*"),
            ("aliases", "entity_id, alias, folded, compact, weak, note"),
            ("evidence", 'claim_id, source_id, paragraph, sentence, start, "end", grade, anaphora, paragraph_start,'
                         " paragraph_end, quote"),
            ("passages", 'source_id, paragraph, sentence, start, "end", text'), ("trigram_counts", "*"),
        ):
            cursor = connection.execute(f"SELECT {columns} FROM {table}")  # noqa: S608
            names = [description[0] for description in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
            if not stamps:
                for row in rows:
                    row.pop("imported", None)
            found[table] = sorted(map(repr, rows))
        groups: dict[int, set[tuple[str, str]]] = {}
        for dispute_id, claim_id, reason in connection.execute("SELECT dispute_id, claim_id, reason FROM disputes"):
            groups.setdefault(dispute_id, set()).add((claim_id, reason))
        found["disputes"] = sorted(sorted(group) for group in groups.values())
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        meta.pop("imports", None)
        meta["entity_counts"] = json.loads(meta["entity_counts"])
        found["meta"] = meta
        return found
    finally:
        connection.close()


def assert_whole(path: Path) -> None:
    """SQLite's integrity check and every full-text index's own check pass."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.execute("BEGIN")
        for table in FULL_TEXT:
            # 'integrity-check' with rank 1 compares the index with the content table it indexes.
            connection.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def assert_as_built(path: Path, tmp_path: Path) -> None:
    """``path`` holds what a build of its own records writes, and passes every check."""
    assert_whole(path)
    rebuilt = build_database(tmp_path / "rebuilt.db", read_records(path))
    ours, theirs = snapshot(path), snapshot(rebuilt)
    for key in theirs:
        assert ours[key] == theirs[key], key
    rebuilt.unlink()


def test_an_import_writes_in_place_what_a_build_of_the_same_records_writes(kb: Path, second: Path,
                                                                           tmp_path: Path) -> None:
    run("import", "--db", str(kb), str(EXAMPLE))
    assert_as_built(kb, tmp_path)
    run("import", "--db", str(kb), str(second))
    assert_as_built(kb, tmp_path)
    with KnowledgeBase.open(kb) as knowledge_base:
        # A second founding date disagrees with the first; the group's denial disputes a claim already there.
        disputes = [{claim.id for claim in dispute.claims} for dispute in knowledge_base.disputes()]
        assert any({"test-iskp-founded-2013", "iskp--founded-on--41ddabd6"} <= group for group in disputes)
        founded = knowledge_base.claim("iskp--founded-on--41ddabd6")
        assert founded is not None and founded.disputed
        # The new event has its date and place; the older event its narrower date.
        rally = knowledge_base.entity("kabul-rally-2024")
        assert rally is not None and rally.date == "2024-03" and rally.place is not None and rally.place.id == "kabul"
        collapse = knowledge_base.entity("soviet-collapse-1991")
        assert collapse is not None and collapse.date == "1991-12-26"
        # Words of the note find its claims and its passages; the rally is found by its place.
        assert any(hit.claim.id == "test-iskp-founded-2013"
                   for hit in knowledge_base.claims(ClaimQuery(text="founded 2013"), limit=20))
        assert any(result.id == "kabul-rally-2024" for result in knowledge_base.search("rally Kabul", limit=20))


def test_remove_takes_out_a_source_and_what_only_it_supports(kb: Path, second: Path, shipped_db: Path,
                                                             tmp_path: Path) -> None:
    run("import", "--db", str(kb), str(EXAMPLE))
    after_example = snapshot(kb)
    run("import", "--db", str(kb), str(second))
    output = run("remove", "--db", str(kb), "test-note-8")
    assert "test-note-8" in output and "6 claims" in output and "kabul-rally-2024" in output
    assert_as_built(kb, tmp_path)
    assert snapshot(kb) == after_example
    output = run("remove", "--db", str(kb), "my-note-7")
    assert_as_built(kb, tmp_path)
    # Back to the shipped knowledge base: the example's entity goes with its claims (ISKP had
    # the spelling its same_as: brings already, so no merged spelling stays behind).
    assert "1 entity" in output and "sada-archive" in output
    assert snapshot(kb) == snapshot(shipped_db)


def test_remove_refuses_a_seed_source_without_force_and_an_unknown_id_with_a_suggestion(kb: Path) -> None:
    before = digest(kb)
    output = run("remove", "--db", str(kb), "idsa-2023-iskp-central-asia", expect=1)
    assert "comes from the shipped seed" in output and "--force" in output
    output = run("remove", "--db", str(kb), "my-note-8", expect=1)
    assert "no source 'my-note-8'" in output
    assert digest(kb) == before


def test_remove_and_replace_dry_runs_say_what_they_would_do_and_write_nothing(kb: Path, second: Path) -> None:
    run("import", "--db", str(kb), str(second))
    before = digest(kb)
    output = run("remove", "--dry-run", "--db", str(kb), "test-note-8")
    assert "would remove" in output and "nothing written" in output
    output = run("import", "--replace", "--dry-run", "--db", str(kb), str(second))
    assert "; would replace test-note-8: " in output and "; then would import 1 source" in output
    assert "nothing written" in output
    assert digest(kb) == before


def _third_note(tmp_path: Path) -> Path:
    """Another invented note, whose claim about the rally keeps that entity when note 8 is replaced."""
    folder = tmp_path / "third"
    folder.mkdir()
    (folder / "note9.txt").write_text("Test note 9\n\nThe Kabul rally drew a few hundred people.\n", encoding="utf-8")
    (folder / "note9.yaml").write_text(
        "sources:\n  - id: test-note-9\n    file: note9.txt\n    title: Test note 9\n    publisher: The tests\n"
        "    authors: [A. Tester]\n    published: '2024-05'\n    url: file:note9.txt\n    grade: C\n"
        "    headings: [1]\nclaims:\n  - subject: kabul-rally-2024\n    predicate: quantity\n    value: 300\n"
        "    qualifier: about\n    unit: people\n    evidence:\n      - source: test-note-9\n"
        "        quote: \"The Kabul rally drew a few hundred people\"\n        grade: 4\n", encoding="utf-8")
    return folder


def test_replace_puts_the_changed_version_in_place_as_if_it_had_been_imported_so(kb: Path, second: Path,
                                                                                   shipped_db: Path,
                                                                                   tmp_path: Path) -> None:
    third = _third_note(tmp_path)
    run("import", "--db", str(kb), str(EXAMPLE))
    run("import", "--db", str(kb), str(second))
    run("import", "--db", str(kb), str(third))
    note = second / "note8.yaml"
    text = note.read_text(encoding="utf-8")
    # The note changes: the founding-date claim goes, a grade changes, the rally's summary is reworded.
    start = text.index("  - id: test-iskp-founded-2013")
    end = text.index("  - subject: kabul-rally-2024")
    text = text[:start] + text[end:]
    rally = "quote: \"a rally in Kabul\"\n        grade: "
    text = text.replace(rally + "3", rally + "2")
    text = text.replace("A rally in Kabul that a test note reports.", "A rally in Kabul, as a test note has it.")
    note.write_text(text, encoding="utf-8")
    output = run("import", "--db", str(kb), str(second), expect=1)
    assert "already in the knowledge base" in output and "--replace" in output
    output = run("import", "--replace", "--db", str(kb), str(second))
    # The rally stays (note 9 speaks of it) and is updated; the founding claim and its dispute go.
    assert "replaced test-note-8" in output and "updated kabul-rally-2024" in output
    assert_as_built(kb, tmp_path)
    with KnowledgeBase.open(kb) as knowledge_base:
        assert knowledge_base.claim("test-iskp-founded-2013") is None
        assert not knowledge_base.claim("iskp--founded-on--41ddabd6").disputed
        rally = knowledge_base.entity("kabul-rally-2024")
        assert rally is not None and rally.summary == "A rally in Kabul, as a test note has it."
    # The same as importing the example, the changed note and note 9 into the shipped knowledge base.
    fresh = tmp_path / "fresh.db"
    shutil.copyfile(shipped_db, fresh)
    run("import", "--db", str(fresh), str(EXAMPLE))
    run("import", "--db", str(fresh), str(second))
    run("import", "--db", str(fresh), str(third))
    assert snapshot(kb, stamps=False) == snapshot(fresh, stamps=False)


def test_replace_refuses_a_seed_source(kb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("Title\n\nISKP is a group.\n", encoding="utf-8")
    (folder / "notes.yaml").write_text(
        "sources:\n  - id: idsa-2023-iskp-central-asia\n    file: notes.txt\n    title: T\n    publisher: P\n"
        "    authors: [A]\n    published: '2024'\n    url: file:notes.txt\n    grade: B\n    headings: [1]\n",
        encoding="utf-8")
    before = digest(kb)
    output = run("import", "--replace", "--db", str(kb), str(folder), expect=1)
    # Said at the line that defines the source, as any problem of a note is.
    assert f"{folder / 'notes.yaml'}:2: error: source 'idsa-2023-iskp-central-asia' comes from the shipped seed" \
        in output
    assert "in 1 file;" in output
    assert digest(kb) == before


def test_replace_of_a_source_not_there_says_it_replaced_nothing(kb: Path, second: Path) -> None:
    output = run("import", "--replace", "--db", str(kb), str(second))
    assert "nothing replaced (no source the files define was in the knowledge base)" in output


def test_readers_keep_a_knowledge_base_open_across_an_import(kb: Path, second: Path) -> None:
    """A reader open before an import sees the new state after it, with nothing stale or broken."""
    with KnowledgeBase.open(kb) as knowledge_base:
        assert knowledge_base.entity("kabul-rally-2024") is None
        run("import", "--db", str(kb), str(second))
        rally = knowledge_base.entity("kabul-rally-2024")
        assert rally is not None and rally.name == "Kabul rally of March 2024"
        assert knowledge_base.count_by_kind()["event"] == json.loads(knowledge_base.meta()["entity_counts"])["event"]


def test_a_note_imported_through_a_symlink_finds_its_text_beside_the_file_linked_to(kb: Path, tmp_path: Path) -> None:
    real = tmp_path / "notes"
    shutil.copytree(SECOND, real)
    links = tmp_path / "links"
    links.mkdir()
    (links / "note8.yaml").symlink_to(real / "note8.yaml")
    output = run("import", "--db", str(kb), str(links / "note8.yaml"))
    assert "imported into" in output and "paragraphs cited" in output
