"""Shared fixtures: the reference corpus, the shipped knowledge base, and a small seed to break."""

from __future__ import annotations

import hashlib
import os
import pty
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from claimscope.seed.knowledge_base import build
from claimscope.seed.loader import default_seed_dir

ROOT = Path(__file__).resolve().parent.parent


def reference_corpus() -> Path | None:
    """``CLAIMSCOPE_CORPUS`` or ``../shared/seeds`` beside the checkout, when it holds texts."""
    configured = os.environ.get("CLAIMSCOPE_CORPUS")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() and any(candidate.glob("*.txt")) else None


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    corpus = reference_corpus()
    if corpus is None:
        pytest.skip("reference corpus absent: set CLAIMSCOPE_CORPUS or put the texts in ../shared/seeds")
    return corpus


@pytest.fixture(scope="session")
def shipped_db(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """The shipped seed files built, with the corpus, into a temporary knowledge base."""
    path = tmp_path_factory.mktemp("kb") / "claimscope.db"
    build(path, default_seed_dir(), corpus_dir)
    return path


# -- the command line as a user runs it ----------------------------------------------------------------


def digest(path: Path) -> str:
    """The file's SHA-256: a test compares it before and after to prove nothing was written."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def kb(tmp_path: Path, shipped_db: Path) -> Path:
    """A copy of the shipped knowledge base that a test may change."""
    copy = tmp_path / "kb.db"
    shutil.copyfile(shipped_db, copy)
    return copy


def damaged(shipped_db: Path, folder: Path, table: str | None = None, name: str | None = None) -> Path:
    """A copy of ``shipped_db`` in ``folder`` whose header is intact and whose pages are garbage:
    all after the first four, or only those of ``table``. Named ``name``, else after what is damaged."""
    path = folder / (name or ("damaged.db" if table is None else f"damaged-{table}.db"))
    data = bytearray(shipped_db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    if table is None:
        pages: range | list[int] = range(5, len(data) // page_size + 1)
    else:
        with sqlite3.connect(f"file:{shipped_db}?mode=ro", uri=True) as connection:
            pages = [row[0] for row in connection.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    rng = random.Random(7)
    for page in pages:
        offset = (page - 1) * page_size
        data[offset:offset + 64] = bytes(rng.randrange(256) for _ in range(64))
    path.write_bytes(bytes(data))
    return path


def run_cli(*arguments: str, environment: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the CLI with a pseudo-terminal as its stdout and another as its stderr, as a user at a terminal would.

    Through a pipe, click strips ANSI sequences itself, which would hide a leak from the test.

    Returns:
        The exit status, and what reached each terminal.
    """
    import select

    terminals = [pty.openpty() for _ in range(2)]
    process = subprocess.Popen([sys.executable, "-m", "claimscope", *arguments], stdout=terminals[0][1],
                               stderr=terminals[1][1], stdin=subprocess.DEVNULL, cwd=ROOT,
                               env={**os.environ, "COLUMNS": "200", **(environment or {})})
    for _, follower in terminals:
        os.close(follower)
    chunks: dict[int, list[bytes]] = {leader: [] for leader, _ in terminals}
    open_leaders = set(chunks)
    while open_leaders:
        ready, _, _ = select.select(list(open_leaders), [], [], 60)
        if not ready:
            break
        for leader in ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process ends
                chunk = b""
            if chunk:
                chunks[leader].append(chunk)
            else:
                open_leaders.discard(leader)
    for leader in chunks:
        os.close(leader)
    out, err = (b"".join(chunks[leader]).decode("utf-8", "replace") for leader, _ in terminals)
    return process.wait(timeout=60), out, err


def run_piped(*arguments: str, environment: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI with its standard output and error into pipes, as a script (``| cut``, ``| grep``) would."""
    return subprocess.run([sys.executable, "-m", "claimscope", *arguments], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=ROOT, env={**os.environ, **(environment or {})}, timeout=120)


# -- servers started by a test ---------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(argv: list[str], ready_url: str, log: Path, seconds: float = 30.0,
                   cwd: Path | None = None) -> Iterator[None]:
    """Run ``argv`` until the block ends, once ``ready_url`` answers 200.

    The server gets a process group of its own, so that whatever it started (an app per
    browser tab) is ended with it, on failure too. A server that exits or never answers
    fails the test with what it printed.
    """
    with log.open("wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                raise AssertionError(f"{argv[0]} exited with status {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{ready_url} did not answer within {seconds:.0f} s; the server printed:\n"
                                     f"{log.read_text()}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # anything it started and left behind
        except ProcessLookupError:
            pass


# A tiny knowledge base of invented facts, written for the tests, with its own corpus text.
MINI_TEXT = (
    "Example Times\n"
    "\n"
    "The Example Front was founded in 2019. It runs Radio Example, a station in Sampletown.\n"
    "\n"
    "Section heading\n"
    "\n"
    "Officials said the Example Front has about 300 fighters. Dr. Ann Other disagreed.\n"
    "Read more at the jobs board"
)

MINI_SOURCES = """\
sources:
  - id: example-times
    file: mini.txt
    sha256: {sha256}
    title: The Example Front
    publisher: Example Times
    authors: [A. Writer]
    published: "2024-05"
    url: https://example.org/front
    grade: B
    body: ["3-7"]
    headings: [5]
"""

MINI_PREDICATES = """\
predicates:
  - id: operates_outlet
    label: operates
    inverse: operated by
    subject: [group]
    object: [outlet]
  - id: located_in
    label: located in
    inverse: contains
    subject: [outlet, group]
    object: [place]
  - id: estimated_strength
    label: estimated strength
    subject: [group]
    value: number
    functional: true
  - id: occurred_on
    label: occurred on
    subject: [event]
    value: date
    functional: true
"""

MINI_ENTITIES = """\
entities:
  - id: example-front
    kind: group
    name: Example Front
    aliases: [EF, {alias: The Front, weak: true}]
    summary: An invented group for tests.
  - id: radio-example
    kind: outlet
    name: Radio Example
    summary: An invented station.
  - id: sampletown
    kind: place
    name: Sampletown
    summary: An invented town.
  - id: ann-other
    kind: person
    name: Ann Other
    summary: An invented official.
"""

MINI_CLAIMS = """\
claims:
  - subject: example-front
    predicate: operates_outlet
    object: radio-example
    evidence:
      - {source: example-times, paragraph: 1, sentence: 2, grade: 2}
  - subject: radio-example
    predicate: located_in
    object: sampletown
    evidence:
      - {source: example-times, paragraph: 1, grade: 2}
  - subject: example-front
    predicate: estimated_strength
    value: 300
    unit: fighters
    modality: reported
    evidence:
      - {source: example-times, paragraph: 2, sentence: 1, grade: 3}
"""


def write_mini_seed(base: Path, **replace: str) -> tuple[Path, Path]:
    """Write the mini seed and corpus under ``base``; ``replace`` swaps whole files by name.

    Returns:
        (seed directory, corpus directory)
    """
    corpus = base / "corpus"
    seed = base / "seed"
    corpus.mkdir(parents=True, exist_ok=True)
    seed.mkdir(parents=True, exist_ok=True)
    (corpus / "mini.txt").write_text(MINI_TEXT, encoding="utf-8")
    sha256 = hashlib.sha256(MINI_TEXT.encode()).hexdigest()
    files = {
        "sources.yaml": MINI_SOURCES.format(sha256=sha256),
        "predicates.yaml": MINI_PREDICATES,
        "entities.yaml": MINI_ENTITIES,
        "claims.yaml": MINI_CLAIMS,
    }
    files.update(replace)
    for name, content in files.items():
        (seed / name).write_text(content, encoding="utf-8")
    return seed, corpus


@pytest.fixture
def mini_seed(tmp_path: Path) -> tuple[Path, Path]:
    return write_mini_seed(tmp_path)


# -- a knowledge base whose text fights back -------------------------------------------------------

HOSTILE_NAME = "[bold]Front[/] [link=https://x.example]click"
"""Markup in a name: it must be shown as written, never interpreted."""

OSC52 = "\x1b]52;c;aGlqYWNrZWQ=\x07"  # would put "hijacked" on the clipboard
SET_TITLE = "\x1b]0;pwned\x07"  # would set the terminal's title


def build_hostile_kb(base: Path) -> tuple[Path, Path]:
    """The mini seed with markup, escape sequences, right-to-left and long text in its fields and corpus.

    The seed loader refuses control characters, so they are put into the records after loading:
    a knowledge base built by another tool, or an older one, could hold them.

    Returns:
        (knowledge base file, corpus directory)
    """
    import dataclasses

    from claimscope.db.build import build_database
    from claimscope.seed.loader import load_seed

    text = MINI_TEXT.replace("was founded in 2019.", f"was founded{OSC52} in 2019{SET_TITLE} [red]x[/].")
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    seed, corpus = write_mini_seed(base, **{"sources.yaml": MINI_SOURCES.format(sha256=sha256)})
    (corpus / "mini.txt").write_text(text, encoding="utf-8")
    result = load_seed(seed, corpus, require_corpus=True)
    assert result.records is not None, [str(problem) for problem in result.errors]
    records = result.records
    hostile = {
        "example-front": dict(name=HOSTILE_NAME + SET_TITLE,
                              summary=f"ولایت خراسان {OSC52} Вилояти Хуросон \x9b31m Z\u0336a\u0336l\u0336g\u0336o 🔥 "
                                      + "long " * 2000,
                              note="[/] [unterminated \x00 nul"),
    }
    entities = tuple(dataclasses.replace(entity, **hostile.get(entity.id, {})) for entity in records.entities)
    aliases = tuple(dataclasses.replace(alias, alias=hostile["example-front"]["name"]) if alias.alias == "Example Front"
                    else alias for alias in records.aliases)
    claims = tuple(dataclasses.replace(claim, statement=f"said {OSC52}[i]so[/i]") if index == 0 else claim
                   for index, claim in enumerate(records.claims))
    path = base / "hostile.db"
    build_database(path, dataclasses.replace(records, entities=entities, aliases=aliases, claims=claims))
    return path, corpus
