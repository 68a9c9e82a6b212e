"""Builds killed halfway, builds at the same time, many readers during a rebuild, files only read.

These run real processes against real files: the guarantees are about what the file system
and SQLite do when a process dies or another one is writing.
"""

from __future__ import annotations

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
from conftest import ROOT, damaged, digest, write_mini_seed


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "claimscope", *arguments]


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


def _big_note(folder: Path, claims: int) -> Path:
    """An invented note of ``claims`` claims, one paragraph each: an import whose commit takes a while."""
    folder.mkdir()
    paragraphs = [f"ISKP carried out {number} attacks in the test period {number}." for number in range(1, claims + 1)]
    (folder / "big.txt").write_text("Big test note\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    lines = ["sources:", "  - id: big-test-note", "    file: big.txt", "    title: Big test note",
             "    publisher: The tests", "    authors: [A. Tester]", "    published: '2024'", "    url: file:big.txt",
             "    grade: C", "    headings: [1]", "claims:"]
    for number in range(1, claims + 1):
        lines += ["  - subject: iskp", "    predicate: attack_count", f"    value: {number}", "    modality: reported",
                  "    evidence:", "      - source: big-test-note", f"        paragraph: {number}", "        grade: 4"]
    (folder / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _state(path: Path) -> tuple[int, int]:
    """(entities, claims) of the knowledge base, read as a reader reads it (rolling back a killed import)."""
    with KnowledgeBase.open(path) as knowledge_base:
        stats = knowledge_base.stats()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.execute("BEGIN")  # the full-text indexes' own checks, rolled back (they write nothing)
        for table in ("entities_fts", "claims_fts", "passages_fts", "aliases_fts", "aliases_trigram"):
            connection.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
        connection.execute("ROLLBACK")
    finally:
        connection.close()
    return sum(count for _, count in stats.entities_by_kind), stats.claims


def test_an_import_killed_at_every_stage_leaves_the_old_state_or_the_new_one_whole(tmp_path: Path,
                                                                                   shipped_db: Path) -> None:
    db = tmp_path / "kb.db"
    note = _big_note(tmp_path / "big", 3_000)
    imported = cli("import", "--db", str(db), str(note))
    shutil.copyfile(shipped_db, db)
    old = _state(db)
    subprocess.run(imported, check=True, capture_output=True, cwd=ROOT)
    new = _state(db)
    assert new == (old[0], old[1] + 3_000)
    # Named stages, then moments inside the writes and inside SQLite's commit.
    points = ["before-append", "before-commit", "after-commit"]
    points += [f"before-append+{delay}" for delay in (0.0, 0.01, 0.05, 0.1, 0.2)]
    points += [f"before-commit+{delay}" for delay in (0.0, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.007, 0.01, 0.015,
                                                      0.02, 0.03, 0.05)]
    hot = []
    for point in points:
        shutil.copyfile(shipped_db, db)
        before = digest(db)
        completed = subprocess.run(imported, capture_output=True, cwd=ROOT,
                                   env={**os.environ, "CLAIMSCOPE_KILL_AT": point})
        killed = completed.returncode == -signal.SIGKILL
        assert killed or (completed.returncode == 0 and "+" in point), f"{point}: {completed.stderr!r}"
        if _must_roll_back(db):
            hot.append(point)  # killed inside the commit: the file is half written until rolled back
        state = _state(db)  # read as any reader reads it, which rolls a half-written change back
        assert state in (old, new), f"killed at {point}: {state}"
        assert killed or state == new
        if state == old:
            assert digest(db) == before, f"killed at {point}: the old state is not byte for byte the old file"
        elif point in ("before-append", "before-commit"):
            # A timed point may land after the commit on a fast machine; a named one may not.
            raise AssertionError(f"killed at {point}, before its commit, yet it holds the import")
    assert hot, f"no kill came inside SQLite's commit (points {points}): the test proved less than it says"
    # A journal left by a kill before the commit is not hot (the file was not touched): the next
    # writer clears it, and nothing else is left beside the file.
    shutil.copyfile(shipped_db, db)
    subprocess.run(imported, check=True, capture_output=True, cwd=ROOT)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".kb.db.lock", "big", "kb.db"]


def _must_roll_back(path: Path) -> bool:
    """Whether a read-only reader finds the journal of a change that was half written (a hot journal)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as error:
        return getattr(error, "sqlite_errorcode", None) == 776  # SQLITE_READONLY_ROLLBACK
    finally:
        connection.close()
    return False


def _unprivileged() -> list[str]:
    """The start of a command run as a user the permission bits apply to (skips the test without setpriv).

    Dropping these capabilities makes root such a user.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed: it runs a command without the right to write")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def test_a_reader_that_may_not_write_reads_through_a_killed_import_or_says_who_can_put_it_right(
        tmp_path: Path, shipped_db: Path) -> None:
    """A reader without the right to write (another user, a shared folder) during and after killed imports."""
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "kb.db"
    note = _big_note(tmp_path / "big", 3_000)
    reader = [*_unprivileged(), *cli("show", "iskp", "--json", "--db", str(db))]

    def read_as_another_user() -> subprocess.CompletedProcess[str]:
        db.chmod(0o444)
        folder.chmod(0o555)
        try:
            return subprocess.run(reader, capture_output=True, text=True, cwd=ROOT)
        finally:
            folder.chmod(0o755)
            db.chmod(0o644)

    # Killed before its commit: the file was not touched, and the reader reads the old state.
    shutil.copyfile(shipped_db, db)
    killed = subprocess.run(cli("import", "--db", str(db), str(note)), capture_output=True, cwd=ROOT,
                            env={**os.environ, "CLAIMSCOPE_KILL_AT": "before-commit"})
    assert killed.returncode == -signal.SIGKILL and (folder / "kb.db-journal").exists()
    completed = read_as_another_user()
    assert completed.returncode == 0, completed.stderr
    # Killed inside its commit: the file is half written until someone who may write rolls it back.
    for delay in (0.003, 0.005, 0.007, 0.01, 0.015, 0.02, 0.03, 0.002, 0.001):
        shutil.copyfile(shipped_db, db)
        subprocess.run(cli("import", "--db", str(db), str(note)), capture_output=True, cwd=ROOT,
                       env={**os.environ, "CLAIMSCOPE_KILL_AT": f"before-commit+{delay}"})
        if _must_roll_back(db):
            break
    else:
        pytest.fail("no kill came inside SQLite's commit, so the half-written case was not tried")
    completed = read_as_another_user()
    assert completed.returncode != 0 and "Traceback" not in completed.stderr
    assert "an import into it was interrupted" in completed.stderr and "must open it once" in completed.stderr
    # Whoever may write rolls it back by reading it; then everyone reads the old state again.
    assert _state(db) == _state(shipped_db)
    assert not (folder / "kb.db-journal").exists()
    assert read_as_another_user().returncode == 0


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


IMPORT_READER = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, {root!r})
    from claimscope.db.models import ClaimQuery
    from claimscope.db.queries import KnowledgeBase
    path, stop_file, states = sys.argv[1], sys.argv[2], {{tuple(state) for state in json.loads(sys.argv[3])}}
    seen, errors, queries = set(), [], 0
    kept = KnowledgeBase.open(path)  # open throughout, as the app keeps it
    while not os.path.exists(stop_file):
        for fresh in (False, True):
            try:
                kb = KnowledgeBase.open(path) if fresh else kept
                with kb.snapshot():  # several queries, one state
                    stats = kb.stats()
                    rally = kb.entity("kabul-rally-2024")
                    hits = kb.claims(ClaimQuery(text="rally Kabul"), limit=50)
                    state = (sum(count for _, count in stats.entities_by_kind), stats.claims, stats.evidence,
                             rally is not None, len(hits))
                kb.search("Kabul rally")
                queries += 4
                if state not in states:
                    errors.append(f"half an import? {{state}}")
                seen.add(state)
                if fresh:
                    kb.close()
            except Exception as error:
                errors.append(f"{{type(error).__name__}}: {{error}}")
    print(json.dumps({{"seen": sorted(seen), "errors": errors[:5], "queries": queries}}))
""")


def test_twenty_readers_during_imports_and_removals_see_the_old_state_or_the_new_never_an_error(
        tmp_path: Path, shipped_db: Path) -> None:
    """Half the readers may not write (another user, a read-only folder); one knowledge base stays open in each."""
    import json

    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "kb.db"
    shutil.copyfile(shipped_db, db)
    second = ROOT / "tests" / "data" / "import-second"
    imported = cli("import", "--db", str(db), str(second))
    removed = cli("remove", "--db", str(db), "test-note-8")

    def state() -> list[object]:
        with KnowledgeBase.open(db) as knowledge_base:
            from claimscope.db.models import ClaimQuery

            stats = knowledge_base.stats()
            return [sum(count for _, count in stats.entities_by_kind), stats.claims, stats.evidence,
                    knowledge_base.entity("kabul-rally-2024") is not None,
                    len(knowledge_base.claims(ClaimQuery(text="rally Kabul"), limit=50))]

    states = [state()]
    subprocess.run(imported, check=True, capture_output=True, cwd=ROOT)
    states.append(state())
    subprocess.run(removed, check=True, capture_output=True, cwd=ROOT)
    assert state() == states[0] and states[0] != states[1]
    setpriv = shutil.which("setpriv")
    limited = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if setpriv else []
    stop = tmp_path / "stop"
    script = IMPORT_READER.format(root=str(ROOT))
    db.chmod(0o444)  # the readers may not write here; the writer (root) still may
    folder.chmod(0o555)
    try:
        readers = [subprocess.Popen([*(limited if index % 2 else []), sys.executable, "-c", script, str(db), str(stop),
                                     json.dumps(states)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
                   for index in range(20)]
        try:
            time.sleep(1.5)  # let every reader start
            for _ in range(4):
                for command in (imported, removed):
                    completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
                    assert completed.returncode == 0, completed.stderr
                    time.sleep(0.3)
        finally:
            tmp_path.chmod(0o755)
            stop.touch()
        reports = []
        for reader in readers:
            out, err = reader.communicate(timeout=60)
            assert reader.returncode == 0, err.decode()
            reports.append(json.loads(out))
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    errors = [error for report in reports for error in report["errors"]]
    assert errors == [], errors
    assert all(report["queries"] > 0 for report in reports)
    assert {tuple(seen) for report in reports for seen in report["seen"]} == {tuple(s) for s in states}, \
        "the readers never saw an import"
    assert sorted(path.name for path in folder.iterdir()) == [".kb.db.lock", "kb.db"]


def test_an_import_or_remove_by_a_user_who_may_not_write_says_so_and_changes_nothing(
        tmp_path: Path, shipped_db: Path) -> None:
    """Another user's import into a shared knowledge base: a sentence saying why and what to do, not errno 13."""
    unprivileged = _unprivileged()
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "kb.db"
    shutil.copyfile(shipped_db, db)
    note = ROOT / "tests" / "data" / "import-example" / "notes.yaml"
    before = digest(db)
    (folder / ".kb.db.lock").touch()  # left by every earlier writer: writable while the folder is not
    for folder_mode, file_mode, what in ((0o555, 0o444, f"its folder {folder}"), (0o555, 0o644, f"its folder {folder}"),
                                         (0o755, 0o444, "the file")):
        folder.chmod(folder_mode)
        db.chmod(file_mode)
        try:
            for command in (["import", str(note)], ["remove", "my-note-7"]):
                result = subprocess.run([*unprivileged, *cli(*command, "--db", str(db))], capture_output=True,
                                        text=True, cwd=ROOT)
                assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
                assert f"this user may not change it ({what} is read-only to them)" in result.stderr
                assert "copy it to a folder of yours" in result.stderr
            # Checking a note needs no right to write.
            checked = subprocess.run([*unprivileged, *cli("import", "--dry-run", str(note), "--db", str(db))],
                                     capture_output=True, text=True, cwd=ROOT)
            assert checked.returncode == 0, checked.stderr
        finally:
            folder.chmod(0o755)
            db.chmod(0o644)
    assert digest(db) == before
    assert sorted(path.name for path in folder.iterdir()) == [".kb.db.lock", "kb.db"]


def test_a_lock_file_the_user_may_only_read_does_not_stop_their_import(tmp_path: Path, shipped_db: Path) -> None:
    """Another user's lock file in a shared folder: the lock is taken on it opened for reading."""
    unprivileged = _unprivileged()
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "kb.db"
    shutil.copyfile(shipped_db, db)
    lock = folder / ".kb.db.lock"
    lock.touch()
    lock.chmod(0o444)
    try:
        result = subprocess.run([*unprivileged, *cli("import", str(ROOT / "tests" / "data" / "import-example"),
                                                     "--db", str(db))], capture_output=True, text=True, cwd=ROOT)
    finally:
        lock.chmod(0o644)
    assert result.returncode == 0, result.stderr
    assert "imported into" in result.stdout


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
        path = damaged(shipped_db, tmp_path)
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
    app = make_app(damaged(shipped_db, tmp_path, table="evidence", name="damaged.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("enter", "3", "enter", "slash", "I", "S", "K", "P", "enter", "t", "s", "d"):
            if app.fatal_message:
                break
            await pilot.press(key)
            await pilot.pause(0.05)
    assert app.return_code == 2
    assert "damaged.db" in app.fatal_message and "rebuild it" in app.fatal_message
