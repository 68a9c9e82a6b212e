"""What a path is before anything reads or writes it, and how a knowledge base file is opened to read.

A path a user gives may be a symlink, a FIFO, a device, a directory or a file of /proc; it
may hold ``#``, ``?`` or ``%``, which mean something in a SQLite URI. Reading a FIFO blocks,
writing over a device replaces it (as root), and a URI built from an unquoted path opens
another file. Everything here says what such a path is instead, and builds URIs quoted.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "UnusableFile",
    "connect_read_only",
    "connect_writable",
    "describe",
    "interrupted_write",
    "path_uri",
    "read_only_uri",
    "regular_file",
    "roll_back_interrupted",
    "stale_companions",
    "write_target",
]

#: The files SQLite keeps beside a database: a write-ahead log and its index, a rollback journal.
COMPANIONS = ("-wal", "-shm", "-journal")


class UnusableFile(Exception):
    """A path that is not what it must be (a regular file, a file that can be read); the message says what it is."""


def describe(path: Path) -> str:
    """What ``path`` is, in words: ``a regular file``, ``a FIFO (named pipe)``, ``missing``, ..."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"not readable ({error.strerror})"
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_file(path: Path, what: str) -> Path:
    """``path`` if it is a regular file (through symlinks), else UnusableFile saying what it is.

    A regular file that says it is empty but is not (a file of /proc) is refused too.
    """
    kind = describe(path)
    if kind != "a regular file":
        raise UnusableFile(f"{path}: {kind}, not {what}")
    if path.stat().st_size == 0 and _has_content(path):
        raise UnusableFile(f"{path}: a special file whose size is not known in advance (such as one of /proc), "
                           f"not {what}")
    return path


def _has_content(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return bool(handle.read(1))
    except OSError:
        return False


def write_target(path: Path) -> tuple[Path, str | None]:
    """Where writing ``path`` must go, and a note when it is not ``path`` itself.

    A symlink is written through to the file it points at (the link stays a link); a path
    that exists and is not a regular file (a device, a FIFO, a directory, a socket) is
    refused, so that nothing but a regular file is ever replaced.

    Raises:
        UnusableFile: the path, or its folder, cannot be written as a regular file.
    """
    target = path
    note = None
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        note = f"{path} is a symlink: writing through it to {target}"
    kind = describe(target)
    if kind not in ("missing", "a regular file"):
        raise UnusableFile(f"{path}: {kind}; only a regular file is ever written or replaced")
    folder = target.parent
    if not folder.is_dir():
        raise UnusableFile(f"{folder} does not exist (or is not a folder); create it first")
    return target, note


def stale_companions(target: Path) -> list[Path]:
    """The -wal, -shm and -journal files beside ``target``: SQLite would lay them over a new file put there."""
    return [Path(f"{target}{suffix}") for suffix in COMPANIONS if Path(f"{target}{suffix}").exists()]


def path_uri(path: Path, mode: str) -> str:
    """A SQLite URI that opens exactly ``path`` in ``mode`` (``ro``, ``rwc``).

    ``#``, ``?``, ``%`` and spaces are quoted, and a path that is not UTF-8 (Linux allows any
    bytes but ``/`` and NUL) is passed as its bytes.
    """
    return f"file:{quote(os.fsencode(path.absolute()), safe='/')}?mode={mode}"


def read_only_uri(path: Path, immutable: bool = False) -> str:
    """A SQLite URI that opens exactly ``path``, read-only."""
    uri = path_uri(path.resolve(), "ro")
    return uri + "&immutable=1" if immutable else uri


def _in_wal_mode(path: Path) -> bool:
    """Whether the file's header says write-ahead logging (bytes 18 and 19 are 2)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header.startswith(b"SQLite format 3\x00") and header[18] == 2 and header[19] == 2


#: SQLite's answer when a read-only connection finds the journal of a writer that was killed.
_READONLY_ROLLBACK = 776


def interrupted_write(error: BaseException) -> bool:
    """Whether ``error`` says a writer was killed mid-change and its journal must be rolled back first."""
    return getattr(error, "sqlite_errorcode", None) == _READONLY_ROLLBACK


def roll_back_interrupted(path: Path) -> None:
    """Undo an interrupted change of ``path`` (the journal of a killed writer lies beside it).

    Opening the file for writing makes SQLite roll the journal back, under its own lock; a
    reader that may not write there gets the reason and who can put it right.

    Raises:
        UnusableFile: the file or its folder cannot be written by this user.
    """
    try:
        connection = sqlite3.connect(path_uri(path.resolve(), "rw"), uri=True, timeout=30)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise UnusableFile(
            f"{path}: an import into it was interrupted and its journal ({path.name}-journal) must be rolled back "
            f"before it can be read, which this user may not do ({error}); someone who can write "
            f"{path.resolve().parent} must open it once (any claimscope command does), then it reads again") from None


def _refuse_unfolded_log(path: Path) -> bool:
    """Whether ``path`` is in write-ahead mode with nothing in its log; refuse it when its log holds changes.

    Raises:
        UnusableFile: the -wal file beside it holds changes not yet written into it.
    """
    if not _in_wal_mode(path):
        return False
    log = Path(f"{path}-wal")
    if log.exists() and log.stat().st_size > 0:
        raise UnusableFile(
            f"{path}: another program switched it to write-ahead logging, and {log.name} beside it holds "
            f"changes not yet written into it; fold them in with `sqlite3 {path} 'PRAGMA "
            "wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE'` (or rebuild it), then open it again")
    return True


def connect_read_only(path: Path, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open ``path`` read-only without writing anything beside it.

    A knowledge base is written in rollback mode and read so: no journal appears beside it
    for a reader. A reader that meets a change in progress waits for it (up to 10 s) and then
    sees the whole change; one that meets the journal of a writer that was killed rolls it
    back first (``roll_back_interrupted``). A file another program switched to write-ahead
    logging would make every reader create -wal and -shm files beside it; such a file is read
    as immutable when its log is empty, and refused (with the command that folds the log in)
    when the log holds changes.

    Raises:
        UnusableFile: the path is not a regular file, holds uncommitted write-ahead changes, or
            was left mid-change by a killed writer and this user cannot roll it back.
        sqlite3.Error: SQLite could not open it.
    """
    regular_file(path, "a knowledge base file")
    immutable = _refuse_unfolded_log(path)  # nothing in a log: the file is whole, and read as it is
    connection = sqlite3.connect(read_only_uri(path, immutable), uri=True, check_same_thread=check_same_thread,
                                 timeout=10)
    try:
        connection.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError as error:
        connection.close()
        if not interrupted_write(error):
            raise
        roll_back_interrupted(path)
        connection = sqlite3.connect(read_only_uri(path, immutable), uri=True,
                                     check_same_thread=check_same_thread, timeout=10)
    connection.execute("PRAGMA query_only = ON")
    return connection


def connect_writable(path: Path) -> sqlite3.Connection:
    """Open ``path`` to change it in place, in rollback-journal mode (see the README on why not WAL).

    The caller holds the build lock and runs ``BEGIN IMMEDIATE``: readers keep reading the
    old state until the commit, which waits (up to 30 s) for the reads in progress to end.
    """
    regular_file(path, "a knowledge base file")
    _refuse_unfolded_log(path)  # folding another program's changes in is not an import's business
    connection = sqlite3.connect(path_uri(path.resolve(), "rw"), uri=True, isolation_level=None, timeout=30)
    try:
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise UnusableFile(f"{path}: could not switch it to rollback-journal mode (it is in {mode} mode)")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # A change held in memory to the end: spilling it early would lock readers out sooner.
        connection.execute("PRAGMA cache_size = -262144")
        connection.execute("PRAGMA cache_spill = OFF")
        connection.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        connection.close()
        raise
    return connection
