"""The Python API: claimscope.open(), the calls a notebook makes, and records that become dicts."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import claimscope
from conftest import ROOT


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## In Python", 1)[1].split("```python", 1)[1].split("```", 1)[0]


def test_the_readme_example_runs_on_the_default_knowledge_base(tmp_path: Path, corpus_dir: Path) -> None:
    pytest.importorskip("pandas", reason="pandas comes with the test extra (pip install -e '.[test]')")
    environment = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "CLAIMSCOPE_CORPUS": str(corpus_dir)}
    environment.pop("CLAIMSCOPE_DB", None)
    result = subprocess.run([sys.executable, "-c", readme_example()], capture_output=True, text=True,
                            env=environment, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "iskp Islamic State Khorasan Province via" in result.stdout
    assert "5 sources;" in result.stdout
    assert list((tmp_path / "data").rglob("claimscope.db")), "open() built the default knowledge base"


def test_open_is_read_only_and_a_context_manager(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        assert kb.path == shipped_db
        with pytest.raises(Exception, match="readonly"):
            kb.database.execute("DELETE FROM claims")
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        kb.search("ISKP")


def test_entities_by_name_and_records_as_dicts(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        card = kb.entity("Wilayat Khurasan")
        assert card.id == "iskp" and kb.entity("iskp") == card
        claim = card.outgoing[0]
        as_dict = claim.to_dict()
        assert as_dict == dataclasses.asdict(claim)
        assert as_dict["evidence"][0]["source"]["id"] == claim.evidence[0].source.id
        json.dumps(card.to_dict())  # nested all the way down to plain values
        pandas = pytest.importorskip("pandas", reason="pandas comes with the test extra")
        frame = pandas.DataFrame(card.outgoing)
        assert len(frame) == len(card.outgoing) and {"label", "modality", "claimant", "evidence"} <= set(frame)


def test_search_says_how_many_matched(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        few = kb.search("ISKP", limit=2)
        every = kb.search("ISKP", limit=1000)
    assert len(few) == 2 and every.total == len(every) > 2 and not every.capped
    assert few.total == every.total or (few.capped and few.total < every.total)
    assert [r.id for r in every[:2]] == [r.id for r in few]


def test_names_that_do_not_resolve_raise_with_candidates(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        with pytest.raises(claimscope.NotFound) as misspelt:
            kb.entity("Islamic Stat Korasan Provnce")
        assert not misspelt.value.ambiguous and misspelt.value.candidates[0].id == "iskp"
        with pytest.raises(claimscope.NotFound) as unknown:
            kb.entity("Abu Umar Khorsani")
        assert "the closest names" in str(unknown.value) and unknown.value.candidates
        with pytest.raises(LookupError):
            kb.timeline(actor="zzqx blorf")
        with pytest.raises(ValueError):
            kb.timeline(since="spring 2022")
        assert kb.timeline(actor="al-Mersaad", since="2023")


def test_a_file_that_is_not_a_knowledge_base(tmp_path: Path) -> None:
    with pytest.raises(claimscope.KnowledgeBaseError, match="no such file"):
        claimscope.open(tmp_path / "missing.db")
    (tmp_path / "text.db").write_text("not sqlite")
    with pytest.raises(claimscope.KnowledgeBaseError):
        claimscope.open(tmp_path / "text.db")


def test_the_database_is_sqlite_utils_on_the_same_file(shipped_db: Path) -> None:
    with claimscope.open(shipped_db) as kb:
        database = kb.database
        assert database.table("claims").detect_fts() == "claims_fts"
        found = list(database.table("claims").search("Idlib", columns=["id"]))
        assert found and database.query("SELECT count(*) AS n FROM claims").__next__()["n"] > 600


def test_a_snapshot_reads_one_state_while_an_import_commits_after_it(tmp_path: Path, shipped_db: Path) -> None:
    import shutil
    import time

    db = tmp_path / "kb.db"
    shutil.copyfile(shipped_db, db)
    note = ROOT / "tests" / "data" / "import-second"
    with claimscope.open(db) as kb:
        with kb.snapshot():
            before = len(kb.sources())
            # An import started now waits for the snapshot to end before it commits.
            process = subprocess.Popen([sys.executable, "-m", "claimscope", "import", "--db", str(db), str(note)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
            time.sleep(1.5)
            assert process.poll() is None, "the import committed inside a snapshot"
            assert len(kb.sources()) == before
        _, error = process.communicate(timeout=60)
        assert process.returncode == 0, error.decode()
        assert len(kb.sources()) == before + 1
