"""Builds killed halfway, builds at the same time, many readers during a rebuild, files only read.

These run real processes against real files: the guarantees are about what the file system
and SQLite do when a process dies or another one is writing.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from claimscope.db.queries import KnowledgeBase
from claimscope.seed.loader import default_seed_dir
from conftest import ROOT, write_mini_seed


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "claimscope", *arguments]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kill_after(command: list[str], seconds: float) -> None:
    """Start ``command`` and SIGKILL it ``seconds`` later (it may have finished by then)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()


def assert_whole(path: Path) -> int:
    """The file passes SQLite's integrity check and opens as a knowledge base; returns its entity count."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()
    with KnowledgeBase.open(path) as knowledge_base:
        return sum(knowledge_base.count_by_kind().values())


def test_a_build_killed_at_random_moments_leaves_the_previous_file_whole(tmp_path: Path, corpus_dir: Path) -> None:
    db = tmp_path / "kb.db"
    build = cli("build", "--db", str(db), "--corpus", str(corpus_dir))
    started = time.monotonic()
    subprocess.run(build, check=True, capture_output=True, cwd=ROOT)
    duration = time.monotonic() - started
    entities = assert_whole(db)
    rng = random.Random(20261121)
    replaced = 0
    for attempt in range(12):
        before = (digest(db), db.stat().st_ino)
        kill_after(build, rng.uniform(0.05, duration))
        if db.stat().st_ino == before[1]:
            assert digest(db) == before[0], f"kill {attempt}: the file was changed in place"
        else:
            replaced += 1  # the kill came after the rename: the new file is a whole build
        assert assert_whole(db) == entities, f"kill {attempt}"
    # The temporary files of killed builds are cleared by the next build; nothing else is left.
    subprocess.run(build, check=True, capture_output=True, cwd=ROOT)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".kb.db.lock", "kb.db"]
    assert replaced < 12, "every kill came after the build had finished: the test proved nothing"


def test_an_import_killed_at_random_moments_leaves_the_knowledge_base_whole(tmp_path: Path, shipped_db: Path) -> None:
    db = tmp_path / "kb.db"
    example = ROOT / "tests" / "data" / "import-example"
    imported = cli("import", "--db", str(db), str(example))
    shutil.copyfile(shipped_db, db)
    entities = assert_whole(db)
    started = time.monotonic()
    subprocess.run(imported, check=True, capture_output=True, cwd=ROOT)
    duration = time.monotonic() - started
    assert assert_whole(db) == entities + 1
    rng = random.Random(20261122)
    replaced = 0
    for attempt in range(12):
        shutil.copyfile(shipped_db, db)
        before = (digest(db), db.stat().st_ino)
        kill_after(imported, rng.uniform(0.05, duration))
        if db.stat().st_ino == before[1]:
            assert digest(db) == before[0], f"kill {attempt}: the file was changed in place"
            assert assert_whole(db) == entities, f"kill {attempt}"
        else:
            replaced += 1  # the kill came after the rename: the file holds the whole import
            assert assert_whole(db) == entities + 1, f"kill {attempt}"
    assert replaced < 12, "every kill came after the import had finished: the test proved nothing"
    # The next writer clears what a killed import left; nothing else is left beside the file.
    shutil.copyfile(shipped_db, db)
    subprocess.run(imported, check=True, capture_output=True, cwd=ROOT)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".kb.db.lock", "kb.db"]


def test_two_builds_at_once_both_finish_and_leave_one_whole_file(tmp_path: Path, corpus_dir: Path) -> None:
    db = tmp_path / "kb.db"
    build = cli("build", "--db", str(db), "--corpus", str(corpus_dir))
    processes = [subprocess.Popen(build, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) for _ in range(3)]
    for process in processes:
        _, error = process.communicate(timeout=120)
        assert process.returncode == 0, error.decode()
    assert assert_whole(db) > 200


READER = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {root!r})
    from claimscope.db.queries import KnowledgeBase
    path, stop_file, expected = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    seen, errors, queries = set(), [], 0
    import os
    while not os.path.exists(stop_file):
        try:
            with KnowledgeBase.open(path) as kb:
                fingerprint = kb.meta()["seed_fingerprint"]
                count = sum(kb.count_by_kind().values())
                if expected.get(fingerprint) != count:
                    errors.append(f"half-built? fingerprint {{fingerprint[:8]}} with {{count}} entities")
                kb.search("Front" if count < 10 else "ISKP")
                kb.timeline(limit=5)
                queries += 3
                seen.add(fingerprint)
        except Exception as error:
            errors.append(f"{{type(error).__name__}}: {{error}}")
    print(json.dumps({{"seen": sorted(seen), "errors": errors[:5], "queries": queries}}))
""")


def test_twenty_readers_during_rebuilds_see_no_error_and_no_half_built_file(tmp_path: Path, corpus_dir: Path) -> None:
    import json

    db = tmp_path / "kb.db"
    mini_seed, mini_corpus = write_mini_seed(tmp_path / "mini")
    builds = {
        "shipped": cli("build", "--db", str(db), "--corpus", str(corpus_dir), "--seed", str(default_seed_dir())),
        "mini": cli("build", "--db", str(db), "--corpus", str(mini_corpus), "--seed", str(mini_seed)),
    }
    expected = {}
    for name in ("mini", "shipped"):
        subprocess.run(builds[name], check=True, capture_output=True, cwd=ROOT)
        with KnowledgeBase.open(db) as knowledge_base:
            expected[knowledge_base.meta()["seed_fingerprint"]] = sum(knowledge_base.count_by_kind().values())
    assert len(expected) == 2
    stop = tmp_path / "stop"
    script = READER.format(root=str(ROOT))
    readers = [subprocess.Popen([sys.executable, "-c", script, str(db), str(stop), json.dumps(expected)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) for _ in range(20)]
    try:
        time.sleep(1.0)  # let every reader start
        for name in ("mini", "shipped", "mini", "shipped"):
            subprocess.run(builds[name], check=True, capture_output=True, cwd=ROOT)
            time.sleep(0.3)
    finally:
        stop.touch()
    reports = []
    for reader in readers:
        out, err = reader.communicate(timeout=60)
        assert reader.returncode == 0, err.decode()
        reports.append(json.loads(out))
    errors = [error for report in reports for error in report["errors"]]
    assert errors == [], errors
    assert all(report["queries"] > 0 for report in reports)
    assert set().union(*(report["seen"] for report in reports)) == set(expected), "readers never saw a rebuild"


# -- files that are only read -------------------------------------------------------------------


@pytest.fixture
def read_only_copy(tmp_path: Path, shipped_db: Path) -> Path:
    """The shipped knowledge base in a folder of its own, file and folder without write permission."""
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "kb.db"
    db.write_bytes(shipped_db.read_bytes())
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    yield db
    folder.chmod(stat.S_IRWXU)


async def test_a_read_only_knowledge_base_browses_and_nothing_is_written_beside_it(read_only_copy: Path,
                                                                                  corpus_dir: Path) -> None:
    # As root, permissions are not enforced; what is checked is the stronger promise that
    # reading never creates or changes a file beside the knowledge base (no journal, no WAL).
    folder = read_only_copy.parent
    before = {path.name: (path.stat().st_mtime_ns, digest(path)) for path in folder.iterdir()}
    for arguments in (["search", "ISKP"], ["show", "iskp"], ["timeline"], ["sources"], ["disputes"]):
        result = subprocess.run(cli(*arguments, "--db", str(read_only_copy), "--json"), capture_output=True,
                                cwd=ROOT)
        assert result.returncode == 0, result.stderr.decode()
    from claimscope.tui.app import make_app

    app = make_app(read_only_copy, corpus=corpus_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "down", "slash", *"ISKP", "enter", "t", "escape", "s", "escape", "d", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
    after = {path.name: (path.stat().st_mtime_ns, digest(path)) for path in folder.iterdir()}
    assert after == before
    with sqlite3.connect(f"file:{read_only_copy}?mode=ro", uri=True) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal"


# -- files that are not knowledge bases -------------------------------------------------------------


def damaged(tmp_path: Path, shipped_db: Path, table: str | None = None) -> Path:
    """A knowledge base whose header is intact and whose pages are garbage: all after the first
    four, or only those of ``table``."""
    path = tmp_path / "damaged.db"
    data = bytearray(shipped_db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    if table is None:
        pages = range(5, len(data) // page_size + 1)
    else:
        with sqlite3.connect(f"file:{shipped_db}?mode=ro", uri=True) as connection:
            pages = [row[0] for row in connection.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    rng = random.Random(7)
    for page in pages:
        offset = (page - 1) * page_size
        data[offset:offset + 64] = bytes(rng.randrange(256) for _ in range(64))
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["empty", "text", "foreign", "newer", "damaged", "directory"])
@pytest.mark.parametrize("command", [["search", "ISKP"], ["show", "iskp"], ["timeline"], ["ui"]])
def test_a_file_that_is_not_a_usable_knowledge_base_gets_a_message_not_a_traceback(
        tmp_path: Path, shipped_db: Path, kind: str, command: list[str]) -> None:
    path = tmp_path / f"{kind}.db"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("id,name\n1,ISKP\n" * 200)
    elif kind == "foreign":
        sqlite3.connect(path).execute("CREATE TABLE t (x)")
    elif kind == "newer":
        path.write_bytes(shipped_db.read_bytes())
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA user_version = 999")
    elif kind == "damaged":
        path = damaged(tmp_path, shipped_db)
    else:
        path.mkdir()
    result = subprocess.run(cli(*command, "--db", str(path)), capture_output=True, text=True, cwd=ROOT,
                            timeout=60, stdin=subprocess.DEVNULL, env={**os.environ, "TERM": "dumb"})
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode != 0
    assert path.name in result.stderr, result.stderr
    assert "claimscope:" in result.stderr or "Error: Invalid value for '--db'" in result.stderr, result.stderr


async def test_a_knowledge_base_found_damaged_while_browsing_ends_the_app_with_the_reason(
        tmp_path: Path, shipped_db: Path) -> None:
    from claimscope.tui.app import make_app

    # Only the evidence is damaged: the file opens, and the damage is met on the first card.
    app = make_app(damaged(tmp_path, shipped_db, table="evidence"))
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("enter", "3", "enter", "slash", "I", "S", "K", "P", "enter", "t", "s", "d"):
            if app.fatal_message:
                break
            await pilot.press(key)
            await pilot.pause(0.05)
    assert app.return_code == 2
    assert "damaged.db" in app.fatal_message and "rebuild it" in app.fatal_message
