"""Benchmarks: claimscope against its peers, measured in one run, written to bench/RESULTS.md.

    python3 bench/run.py                       # sizes S, M and L, five runs each
    python3 bench/run.py --sizes S --runs 1    # quick: the shipped knowledge base only

For each size: build throughput (beside the last report's); whole-process CLI lookups beside
``sqlite-utils search`` and the ``sqlite3`` shell; search-as-you-type latency per keystroke in
process, names alone and names then words; claims found by their words (a page, its count,
its facet counts) in process, and whole-process ``claimscope claims`` beside ``sqlite-utils
search`` and Datasette's ``_search``; app start-up to the first complete frame beside a
minimal Textual app; the time to open an entity with about 50 claims and show its provenance.
Every figure is the median of the runs with its spread (lowest-highest); nothing is hidden
when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from claimscope.db import claims as claim_finder  # noqa: E402
from claimscope.db.build import build_database  # noqa: E402
from claimscope.db.models import ClaimQuery  # noqa: E402
from claimscope.db.queries import KnowledgeBase  # noqa: E402
from claimscope.db.records import Records  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
CLAIMSCOPE = [sys.executable, "-m", "claimscope"]
KEYSTROKE_QUERIES = 24
#: What the search box asks for (``tui/screens/search.py``): this many names, then hits by words.
SEARCH_BOX_LIMIT = 30
#: A first page of claims as ``claimscope claims`` and ``kb.claims`` give it by default.
CLAIM_PAGE = 20
#: Build throughput in the last report before claims were found by their words (bench/RESULTS.md
#: of 2026-11-21, claims without statements, schema 9), so that a fall shows.
LAST_BUILD = {"S": 16_979, "M": 32_557, "L": 29_573}
LAST_BUILD_DATE = "2026-11-21"


@dataclass
class Figure:
    """One measured quantity: its runs, and how it reads in the table."""

    name: str
    values: list[float] = field(default_factory=list)
    unit: str = "s"
    note: str = ""

    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def percentile(self, share: float) -> float:
        """The value below which ``share`` of the values lie (0.95: the p95), as the keystroke rows count it."""
        if not self.values:
            return float("nan")
        ordered = sorted(self.values)
        return ordered[min(int(len(ordered) * share), len(ordered) - 1)]

    def cell(self) -> str:
        if not self.values:
            return f"n/a{f' ({self.note})' if self.note else ''}"
        low, high = min(self.values), max(self.values)
        text = f"{_fmt(self.median(), self.unit)} ({_fmt(low, self.unit)}-{_fmt(high, self.unit)})"
        return text if len(self.values) > 1 else _fmt(self.median(), self.unit)


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:.2f}{unit}"


# -- knowledge bases of each size -----------------------------------------------------------


def records_for(size: str) -> Records:
    if size == "S":
        from claimscope.seed.corpus import default_corpus
        from claimscope.seed.loader import default_seed_dir, load_seed

        loaded = load_seed(default_seed_dir(), default_corpus())
        if loaded.records is None:
            sys.exit("the shipped seed does not load: run `claimscope check`")
        return loaded.records
    from synth import SIZES, synthesize

    return synthesize(*SIZES[size])


def measure_build(records: Records, path: Path, runs: int) -> Figure:
    figure = Figure("build throughput (claims per second, all indexes)", unit="/s")
    for _ in range(runs):
        started = time.perf_counter()
        build_database(path, records)
        figure.values.append(len(records.claims) / (time.perf_counter() - started))
    return figure


def without_statements(records: Records) -> Records:
    """The same records with no claim statement: the data the last report's builds were measured on."""
    return replace(records, claims=tuple(replace(claim, statement=None) for claim in records.claims))


# -- whole processes ------------------------------------------------------------------------------


#: GNU time reports a child's own peak RSS. Read with wait4 from here instead, a child's
#: peak would include this process's memory image at the fork (Linux keeps it across exec).
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
_RSS_MARK = "CLAIMSCOPE-BENCH-MAXRSS-KB"


def timed_process(command: Sequence[str]) -> tuple[float, float, str]:
    """Wall time, peak RSS (MB) and standard output of one process."""
    wrapped = [GNU_TIME, "-f", f"{_RSS_MARK} %M", *command] if GNU_TIME else list(command)
    started = time.perf_counter()
    process = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        detail = err.decode(errors="replace")[-400:]
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}: {detail}")
    peak = float("nan")
    for line in err.decode(errors="replace").splitlines():
        if line.startswith(_RSS_MARK):
            peak = int(line.split()[1]) / 1024
    return elapsed, peak, out.decode(errors="replace")


def pick_lookup(kb: KnowledgeBase, size: str) -> tuple[str, str]:
    """A name to search for and an id to show: an entity with about 50 claims."""
    if size == "S":
        return "ISKP", "iskp"
    row = kb.connection.execute(
        "SELECT id, name FROM entities WHERE kind = 'group' ORDER BY abs(claim_count - 50), id LIMIT 1"
    ).fetchone()
    return row[1], row[0]


def measure_cli(db: Path, name: str, entity_id: str, runs: int) -> list[tuple[Figure, Figure]]:
    folded_words = " ".join(f'"{word}"' for word in name.replace('"', " ").split())
    floor_sql = (
        "SELECT e.id, e.name FROM entities_fts f JOIN entities e ON e.rowid = f.rowid"
        f" WHERE entities_fts MATCH '{folded_words.replace(chr(39), chr(39) * 2)}' ORDER BY f.rank LIMIT 20"
    )
    commands: list[tuple[str, list[str] | None]] = [
        (f"`claimscope search \"{name}\" --json`", [*CLAIMSCOPE, "search", name, "--json", "--db", str(db)]),
        (f"`claimscope show {entity_id} --json`", [*CLAIMSCOPE, "show", entity_id, "--json", "--db", str(db)]),
        (f"`sqlite-utils search` entities \"{name}\"",
         [shutil.which("sqlite-utils") or "sqlite-utils", "search", str(db), "entities", name, "--quote",
          "--limit", "20"] if shutil.which("sqlite-utils") else None),
        ("`sqlite3` shell, one FTS5 query (the floor)",
         [shutil.which("sqlite3") or "sqlite3", str(db), floor_sql] if shutil.which("sqlite3") else None),
    ]
    rows = []
    for label, command in commands:
        wall, rss = Figure(label), Figure(label, unit="MB")
        if command is None:
            wall.note = rss.note = "not installed"
        rows.append((wall, rss, command))
    for _ in range(runs):
        for wall, rss, command in rows:  # interleaved, so that a busy moment hurts every tool alike
            if command is None:
                continue
            elapsed, peak, _ = timed_process(command)
            wall.values.append(elapsed)
            rss.values.append(peak)
    return [(wall, rss) for wall, rss, _ in rows]


def _fresh_copy(db: Path, copy: Path) -> None:
    """``db`` copied to ``copy`` and flushed to disk, so that an import's fsync does not pay for the copy."""
    shutil.copyfile(db, copy)
    with open(copy, "rb+") as handle:
        os.fsync(handle.fileno())


@dataclass
class ImportFigures:
    note: Figure
    note_rss: Figure
    search_rss: Figure
    bulk: Figure
    bulk_rss: Figure
    replace: Figure
    replace_rss: Figure
    remove: Figure
    bulk_claims: int
    replace_claims: int
    #: The reader opened on the bulk source and on the note beside it, and their paragraphs.
    reader_bulk: Figure = field(default_factory=lambda: Figure("reader, bulk"))
    reader_note: Figure = field(default_factory=lambda: Figure("reader, note"))
    reader_paragraphs: tuple[int, int] = (0, 0)


def measure_imports(db: Path, runs: int, work: Path, log: Callable[[str], None]) -> ImportFigures:
    """Whole ``claimscope import`` processes into a copy of ``db``: a note, 50,000 claims, a ``--replace``.

    Each run starts from a fresh copy of the knowledge base (not timed); ``claimscope search`` on
    the same copy is the peer whose peak RSS a note's import is held to.
    """
    from notes import write_note

    copy = work / "import-target.db"
    notes = work / "notes"
    shutil.rmtree(notes, ignore_errors=True)
    bulk_claims, replace_claims = 50_000, 1_000
    note = write_note(db, notes / "note", 5, seed=1, source_id="bench-note")
    bulk = write_note(db, notes / "bulk", bulk_claims, seed=2, source_id="bench-bulk")
    source = notes / "replace"
    figures = ImportFigures(Figure("note"), Figure("note", unit="MB"), Figure("search", unit="MB"), Figure("bulk"),
                            Figure("bulk", unit="MB"), Figure("replace"), Figure("replace", unit="MB"),
                            Figure("remove"), bulk_claims, replace_claims)
    importing = [*CLAIMSCOPE, "import", "--db", str(copy)]
    for run in range(runs):
        log(f"  imports, run {run + 1}: a note")
        _fresh_copy(db, copy)
        _, peak, _ = timed_process([*CLAIMSCOPE, "search", "Front", "--json", "--db", str(copy)])
        figures.search_rss.values.append(peak)
        elapsed, peak, _ = timed_process([*importing, str(note)])
        figures.note.values.append(elapsed)
        figures.note_rss.values.append(peak)
        log(f"  imports, run {run + 1}: a changed source with --replace, then removed")
        write_note(db, source, replace_claims, seed=3, source_id="bench-replace", grade=3)
        timed_process([*importing, str(source)])
        write_note(db, source, replace_claims, seed=3, source_id="bench-replace", grade=2)  # every grade changed
        with open(copy, "rb+") as handle:
            os.fsync(handle.fileno())
        elapsed, peak, _ = timed_process([*importing, "--replace", str(source)])
        figures.replace.values.append(elapsed)
        figures.replace_rss.values.append(peak)
        elapsed, _, _ = timed_process([*CLAIMSCOPE, "remove", "--db", str(copy), "bench-replace"])
        figures.remove.values.append(elapsed)
        if run < max(1, runs // 2):  # the longest: half the runs
            log(f"  imports, run {run + 1}: {bulk_claims:,} claims")
            _fresh_copy(db, copy)
            elapsed, peak, _ = timed_process([*importing, str(bulk)])
            figures.bulk.values.append(elapsed)
            figures.bulk_rss.values.append(peak)
            if run == 0:
                log(f"  imports, run {run + 1}: the reader on those {bulk_claims:,} claims' source and on the note")
                measure_reader(copy, note, figures, runs)
    copy.unlink()
    shutil.rmtree(notes, ignore_errors=True)
    return figures


def measure_reader(copy: Path, note: Path, figures: ImportFigures, runs: int) -> None:
    """The reader opened on the bulk source in ``copy`` and on the note imported beside it, alternating."""
    timed_process([*CLAIMSCOPE, "import", "--db", str(copy), str(note)])
    with KnowledgeBase.open(copy) as kb:
        bulk, short = ((record.paragraph_count or 0) if record else 0
                       for record in map(kb.source_record, ("bench-bulk", "bench-note")))
    figures.reader_paragraphs = (bulk, short)
    for _ in range(runs):
        for figure, source_id in ((figures.reader_bulk, "bench-bulk"), (figures.reader_note, "bench-note")):
            figure.values.append(first_frame(["reader", "--db", str(copy), "--source", source_id])[0])


def import_rows(figures: ImportFigures) -> list[str]:
    rss_ratio = figures.note_rss.median() / figures.search_rss.median()
    reader_ratio = figures.reader_bulk.median() / figures.reader_note.median()
    bulk_paragraphs, note_paragraphs = figures.reader_paragraphs
    return [
        f"| `claimscope import` of a note (one source, a new person, 5 claims), whole process | "
        f"{figures.note.cell()} | at most 1 s | {verdict(figures.note.median() <= 1)} |",
        f"| its peak RSS | {figures.note_rss.cell()} | at most 1.5x `claimscope search` on the same file "
        f"({figures.search_rss.cell()}) | {verdict(rss_ratio <= 1.5)} ({rss_ratio:.2f}x) |",
        f"| `claimscope import` of {figures.bulk_claims:,} claims (one source, one paragraph each) | "
        f"{figures.bulk.cell()}, peak RSS {figures.bulk_rss.cell()} | at most 10 s | "
        f"{verdict(figures.bulk.median() <= 10)} |",
        f"| `claimscope import --replace` of a changed {figures.replace_claims:,}-claim source | "
        f"{figures.replace.cell()}, peak RSS {figures.replace_rss.cell()} | at most 2 s | "
        f"{verdict(figures.replace.median() <= 2)} |",
        f"| `claimscope remove` of that source | {figures.remove.cell()} | | |",
        f"| reader open on a source of {bulk_paragraphs:,} paragraphs, first complete frame | "
        f"{figures.reader_bulk.cell()} | at most 1.2x the same on a {note_paragraphs}-paragraph source | "
        f"{verdict(reader_ratio <= 1.2)} ({reader_ratio:.2f}x) |",
        f"| reader open on a source of {note_paragraphs} paragraphs, first complete frame | "
        f"{figures.reader_note.cell()} | | |",
    ]


PROBE = str(ROOT / "bench" / "probe.py")


def first_frame(arguments: Sequence[str]) -> tuple[float, float]:
    """Run ``bench/probe.py`` with ``arguments``: seconds from process start to its first frame, and peak RSS."""
    started = time.time()
    _, peak, out = timed_process([sys.executable, PROBE, *arguments])
    ready = next((float(line.split()[1]) for line in out.splitlines() if line.startswith("READY ")), None)
    if ready is None:
        raise RuntimeError(f"probe.py {' '.join(arguments)} never reported its first frame")
    return ready - started, peak


def measure_startup_s_against_l(small: Path, large: Path, runs: int) -> tuple[Figure, Figure]:
    """Start-up on two knowledge bases, alternating run by run so that both see the same machine."""
    figures = (Figure("size S"), Figure("size L"))
    for _ in range(runs):
        for figure, db in zip(figures, (small, large), strict=True):
            figure.values.append(first_frame(["app", "--db", str(db)])[0])
    return figures


def measure_startup(db: Path, runs: int) -> tuple[Figure, Figure, Figure, Figure]:
    app_time, app_rss = Figure("claimscope app"), Figure("claimscope app", unit="MB")
    floor_time, floor_rss = Figure("minimal Textual app"), Figure("minimal Textual app", unit="MB")
    for _ in range(runs):
        for (wall, rss), arguments in (((app_time, app_rss), ["app", "--db", str(db)]),
                                       ((floor_time, floor_rss), ["minimal"])):
            elapsed, peak = first_frame(arguments)
            wall.values.append(elapsed)
            rss.values.append(peak)
    return app_time, app_rss, floor_time, floor_rss


# -- in process -------------------------------------------------------------------------------------


def _typo(text: str, rng: random.Random) -> str:
    index = rng.randrange(1, len(text) - 1)
    operation = rng.choice("sdti")
    if operation == "s":
        return text[:index] + rng.choice("aeiouktr") + text[index + 1:]
    if operation == "d":
        return text[:index] + text[index + 1:]
    if operation == "i":
        return text[:index] + rng.choice("aeiouh") + text[index:]
    return text[:index] + text[index + 1] + text[index] + text[index + 2:]


def keystroke_queries(kb: KnowledgeBase, seed: int = 5) -> list[tuple[str, str, bool]]:
    """(target entity, full query, misspelt?) for names drawn from the knowledge base: half misspelt."""
    rng = random.Random(seed)
    rows = kb.connection.execute(
        "SELECT entity_id, alias FROM aliases WHERE weak = 0 AND length(alias) >= 6 ORDER BY id"
    ).fetchall()
    chosen = rng.sample(rows, min(KEYSTROKE_QUERIES, len(rows)))
    return [(entity_id, _typo(alias, rng) if n % 2 else alias, bool(n % 2))
            for n, (entity_id, alias) in enumerate(chosen)]


def measure_typing(kb: KnowledgeBase, runs: int) -> tuple[Figure, Figure, Figure, Figure, int]:
    cases = keystroke_queries(kb)
    p50, p95, worst = Figure("p50", unit="ms"), Figure("p95", unit="ms"), Figure("max", unit="ms")
    recall = Figure("recall", unit="")
    keystrokes = 0
    for _ in range(runs):
        times: list[float] = []
        for _, query, _ in cases:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                # The names pass, which the search box shows at once at each keystroke.
                kb.search(query[:end], limit=SEARCH_BOX_LIMIT, text=False)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        keystrokes = len(times)
        p50.values.append(times[len(times) // 2])
        p95.values.append(times[min(int(len(times) * 0.95), len(times) - 1)])
        worst.values.append(times[-1])
    misspelt = [(target, query) for target, query, typo in cases if typo]
    found = sum(target in [r.id for r in kb.search(query, limit=10)] for target, query in misspelt)
    recall.values.append(found / len(misspelt) if misspelt else float("nan"))
    return p50, p95, worst, recall, keystrokes


def search_box(kb: KnowledgeBase, typed: str) -> None:
    """What the search box asks for at one keystroke: names, then hits by words when names leave room."""
    names = kb.search(typed, limit=SEARCH_BOX_LIMIT, text=False)
    if len(names) < SEARCH_BOX_LIMIT:
        kb.text_hits(typed, limit=SEARCH_BOX_LIMIT - len(names), exclude=names.matched_ids, prefix=True)


def measure_typing_with_words(kb: KnowledgeBase, typed: Sequence[str], runs: int) -> tuple[Figure, int]:
    """Per keystroke, names then hits by words, over every prefix of each of ``typed``: all timings pooled (ms)."""
    figure = Figure("names then words", unit="ms")
    for _ in range(runs):
        for query in typed:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                search_box(kb, query[:end])
                figure.values.append((time.perf_counter() - started) * 1000)
    return figure, sum(len(query) for query in typed)


# -- claims found by their words -------------------------------------------------------------------


#: Words of the statements that stand for what a slot of the vocabulary is about (not places or numbers).
_CONTENT_SLOTS = ("actor", "did", "target", "media", "topic", "area")


def claim_queries(kb: KnowledgeBase, seed: int = 11) -> list[str]:
    """Fifteen queries of one to three words, chosen by ``seed`` from the synthetic vocabulary and the names.

    Common words are the two most frequent of each slot of ``synth.VOCABULARY``, middling ones
    ranks 6 to 10, rare ones the last three; a name word is a word of five letters or more of an
    entity of this knowledge base (at size S a real one). The same vocabulary serves every size,
    so that a word the shipped knowledge base lacks finds no claim there.
    """
    from synth import EVENT_WORDS, GROUP_WORDS, OUTLET_WORDS, PLACE_WORDS, VOCABULARY

    rng = random.Random(seed)
    common = [VOCABULARY[slot][rank] for slot in _CONTENT_SLOTS for rank in (0, 1)]
    middling = [word for slot in _CONTENT_SLOTS for word in VOCABULARY[slot][5:10]]
    rare = [word for slot in _CONTENT_SLOTS for word in VOCABULARY[slot][-3:]]
    places = list(VOCABULARY["place"][:10])
    generic = {word.lower() for phrase in (*EVENT_WORDS, *GROUP_WORDS, *OUTLET_WORDS, *PLACE_WORDS)
               for word in phrase.split()}
    name_words = sorted({
        word for (name,) in kb.connection.execute("SELECT name FROM entities WHERE kind IN ('person', 'place')")
        for word in re.findall(r"\b[A-Za-z]{5,}\b", name) if word.lower() not in generic
    })
    c, m, r = rng.sample(common, 8), rng.sample(middling, 7), rng.sample(rare, 5)
    n = rng.sample(name_words, 2) if len(name_words) >= 2 else ["Kabul", "Kunduz"]
    return [
        c[0], c[1], m[0], m[1], r[0], r[1], n[0],
        f"{c[2]} {c[3]}", f"{c[4]} {m[2]}", f"{m[3]} {r[2]}", f"{rng.choice(places)} {c[5]}", f"{n[1]} {c[6]}",
        f"{c[7]} {m[4]} {r[3]}", f"{c[0]} {c[4]} {m[5]}", f"{m[6]} {m[2]} {r[4]}",
    ]


@dataclass
class ClaimQueryFigures:
    """One claim query measured every way, in milliseconds for the in-process parts and seconds for processes."""

    query: str
    matched: int
    every_word: bool
    page: Figure = field(default_factory=lambda: Figure("first page", unit="ms"))
    count: Figure = field(default_factory=lambda: Figure("count", unit="ms"))
    facets: Figure = field(default_factory=lambda: Figure("facets and first page", unit="ms"))
    cli: Figure = field(default_factory=lambda: Figure("claimscope claims"))
    cli_rss: Figure = field(default_factory=lambda: Figure("claimscope claims", unit="MB"))
    peer: Figure = field(default_factory=lambda: Figure("sqlite-utils search"))
    peer_rss: Figure = field(default_factory=lambda: Figure("sqlite-utils search", unit="MB"))
    datasette: Figure = field(default_factory=lambda: Figure("Datasette _search"))
    datasette_bare: Figure = field(default_factory=lambda: Figure("Datasette _search, _nosuggest=1"))


def _elapsed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure_claim_queries(kb: KnowledgeBase, queries: Sequence[str], runs: int, screen_page: int
                          ) -> list[ClaimQueryFigures]:
    """In process, for each query: its first page, its count, and its facet counts with the claims screen's first page.

    No query is warmed up: the first run of each pays for reading its pages, as a first query does.
    """
    measured = []
    for text in queries:
        query = ClaimQuery(text=text)
        every_word = claim_finder.select(kb.connection, query).partial is None
        measured.append(ClaimQueryFigures(text, kb.claim_count(query), every_word))
    for _ in range(runs):
        for figures in measured:
            query = ClaimQuery(text=figures.query)

            def facets_and_first_page(query: ClaimQuery = query) -> None:
                # As the claims screen loads a query: the counts, then its first page if any.
                if kb.claim_facets(query).total:
                    kb.claims(query, 0, screen_page)

            figures.page.values.append(_elapsed_ms(lambda query=query: kb.claims(query, 0, CLAIM_PAGE)))
            figures.count.values.append(_elapsed_ms(lambda query=query: kb.claim_count(query)))
            figures.facets.values.append(_elapsed_ms(facets_and_first_page))
    return measured


@contextmanager
def datasette_server(db: Path, log: Path) -> Iterator[Callable[[str], float] | None]:
    """``datasette -i FILE`` on a free loopback port; yields a function timing one GET (seconds), or None if absent."""
    import importlib.util
    import socket

    if importlib.util.find_spec("datasette") is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "datasette", "serve", "-i", str(db), "-h", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as output:
        server = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"datasette exited with {server.returncode}: {log.read_text()[-400:]}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"datasette did not answer within 120 s: {log.read_text()[-400:]}")
            time.sleep(0.1)

        def get(path: str) -> float:
            started = time.perf_counter()
            with urllib.request.urlopen(base + path, timeout=60) as response:
                body = response.read()
            elapsed = time.perf_counter() - started
            if "rows" not in json.loads(body):
                raise RuntimeError(f"datasette answered {path} without rows: {body[:200]!r}")
            return elapsed

        yield get
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure_claims_cli(db: Path, measured: Sequence[ClaimQueryFigures], runs: int, work: Path) -> str:
    """Whole processes per query, interleaved: ``claimscope claims --json``, ``sqlite-utils search``, Datasette.

    Returns a note on the tools that could not be measured (empty when all were).
    """
    sqlite_utils = shutil.which("sqlite-utils")
    notes = [] if sqlite_utils else ["sqlite-utils is not installed"]
    with datasette_server(db, work / f"datasette-{db.stem}.log") as datasette:
        if datasette is None:
            notes.append("datasette is not installed")
        else:
            datasette(f"/{db.stem}/claims.json?_size=1")  # its first answer opens the file
        for _ in range(runs):
            for figures in measured:
                elapsed, peak, _ = timed_process([*CLAIMSCOPE, "claims", figures.query, "--json", "--db", str(db)])
                figures.cli.values.append(elapsed)
                figures.cli_rss.values.append(peak)
                if sqlite_utils:
                    elapsed, peak, _ = timed_process([sqlite_utils, "search", str(db), "claims", figures.query,
                                                      "--quote", "--limit", str(CLAIM_PAGE)])
                    figures.peer.values.append(elapsed)
                    figures.peer_rss.values.append(peak)
                if datasette is not None:
                    search = urllib.parse.quote(figures.query)
                    for figure, extra in ((figures.datasette, ""), (figures.datasette_bare, "&_nosuggest=1")):
                        try:
                            figure.values.append(
                                datasette(f"/{db.stem}/claims.json?_search={search}&_size={CLAIM_PAGE}{extra}"))
                        except urllib.error.HTTPError as error:  # its time limit, say: shown, never dropped
                            figure.note = f"HTTP {error.code}"
                            notes.append(f"Datasette answered HTTP {error.code} to `{figures.query}`{extra}: "
                                         f"{error.read().decode(errors='replace')[:160]}")
    return "; ".join(dict.fromkeys(notes))


def pooled(figures: Sequence[Figure], name: str, unit: str) -> Figure:
    """Every timing of ``figures`` in one figure: a median and a p95 over all queries and runs."""
    return Figure(name, [value for figure in figures for value in figure.values], unit=unit)


def measure_entity_open(db: Path, runs: int) -> tuple[Figure, int, float]:
    """Open entities with about 50 claims in the headless app: from the request to the card and provenance shown."""
    from claimscope.tui.app import make_app
    from claimscope.tui.screens.main import MainScreen
    from claimscope.tui.widgets.entity_pane import EntityPane
    from claimscope.tui.widgets.provenance import ProvenancePane

    with KnowledgeBase.open(db) as kb:
        rows = kb.connection.execute(
            "SELECT id, claim_count FROM entities ORDER BY abs(claim_count - 50), id LIMIT 10"
        ).fetchall()
    ids = [row[0] for row in rows]
    mean_claims = statistics.mean(row[1] for row in rows)
    figure = Figure("entity open", unit="ms")

    async def drive() -> None:
        app = make_app(db)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await screen.ensure_panes()  # mounted at the first entity opened (not timed: once per app)
            provenance = screen.query_one(ProvenancePane)
            painted: dict[str, float] = {}
            update = provenance._update

            def mark_if_shown() -> None:
                card = screen.query_one(EntityPane).card
                claim = provenance.claim
                if card is not None and claim is not None and claim.id in {
                    shown.id for shown in (*card.outgoing, *card.incoming, *card.asserted)
                }:
                    painted.setdefault(card.id, time.perf_counter())

            def update_and_mark(claim, rendered):  # type: ignore[no-untyped-def]
                update(claim, rendered)
                # The next frame is the first that can show this provenance; by then the card
                # must be on screen too for the entity to count as open.
                provenance.call_after_refresh(mark_if_shown)

            provenance._update = update_and_mark  # type: ignore[method-assign]
            for _ in range(runs):
                for entity_id in ids:
                    painted.clear()
                    started = time.perf_counter()
                    screen.open_entity(entity_id)
                    while entity_id not in painted:
                        if time.perf_counter() - started > 10:
                            raise RuntimeError(f"{entity_id} was not shown with its provenance")
                        await asyncio.sleep(0.0005)
                    figure.values.append((painted[entity_id] - started) * 1000)
                    await pilot.pause()

    asyncio.run(drive())
    return figure, len(ids), mean_claims


# -- the report ---------------------------------------------------------------------------------------


def versions() -> str:
    names = ("textual", "rich", "rapidfuzz", "sqlite-utils")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (absent)")
    shell = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[:1] \
        if shutil.which("sqlite3") else ["absent"]
    return (f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} (Python's), sqlite3 shell "
            f"{shell[0] if shell else '?'}, " + ", ".join(found))


def code_measured() -> str:
    """The commit the tree is at, and how many of the package's files differ from it."""
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--",
                                  "claimscope", "db", "seed", "tui"], capture_output=True, text=True,
                                 check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"commit {commit}" + (f", with uncommitted changes to {len(changed)} files" if changed else "")


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{memory}"


def _load(averages: tuple[float, float, float]) -> str:
    return ", ".join(f"{average:.2f}" for average in averages)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _ms_p95(figure: Figure) -> str:
    return f"{_fmt(figure.percentile(0.95), 'ms')} (over {len(figure.values)} timings)"


def _ms_median(figure: Figure) -> str:
    low, high = min(figure.values), max(figure.values)
    return f"{_fmt(figure.median(), 'ms')} ({_fmt(low, 'ms')}-{_fmt(high, 'ms')})"


def build_rows(size: str, build: Figure, bare: Figure | None) -> list[str]:
    last = LAST_BUILD.get(size)
    rows = [f"| build, claims per second with all indexes | {build.cell()} | at least 100,000/s | "
            f"{verdict(build.median() >= 100_000)} |"]
    if last:
        ratio = build.median() / last
        data = "the same shipped seed" if bare is None else "claims without statements"
        rows.append(f"| build against the last report ({last:,}/s on {LAST_BUILD_DATE}, {data}) | {ratio:.2f}x | "
                    f"does not fall | {verdict(ratio >= 1)} ({ratio:.2f}x) |")
        if bare is not None:
            rows.append(f"| build of the same records without statements (the last report's data, today's code) | "
                        f"{bare.cell()} | | {bare.median() / last:.2f}x the last report |")
    return rows


def claim_rows(measured: Sequence[ClaimQueryFigures], screen_page: int, cli_note: str) -> list[str]:
    count = len(measured)
    page = pooled([m.page for m in measured], "page", "ms")
    counted = pooled([m.count for m in measured], "count", "ms")
    facets = pooled([m.facets for m in measured], "facets", "ms")
    rows = [
        f"| claims by words, first page of {CLAIM_PAGE}, p50 ({count} queries, every run) | {_ms_median(page)} | | |",
        f"| claims by words, first page of {CLAIM_PAGE}, p95 | {_ms_p95(page)} | at most 50 ms | "
        f"{verdict(page.percentile(0.95) <= 50)} |",
        f"| claims by words, their count, p50 and p95 | {_fmt(counted.median(), 'ms')}, "
        f"p95 {_fmt(counted.percentile(0.95), 'ms')} | | |",
        f"| claims by words, facet counts with the first page of {screen_page} (as the claims screen loads), p50 | "
        f"{_ms_median(facets)} | at most 150 ms | {verdict(facets.median() <= 150)} |",
        f"| claims by words, facet counts with the first page, p95 | {_ms_p95(facets)} | | "
        f"{'over 150 ms' if facets.percentile(0.95) > 150 else ''} |",
    ]
    cli = pooled([m.cli for m in measured], "cli", "s")
    cli_rss = pooled([m.cli_rss for m in measured], "cli", "MB")
    peer = pooled([m.peer for m in measured], "peer", "s")
    peer_rss = pooled([m.peer_rss for m in measured], "peer", "MB")
    datasette = pooled([m.datasette for m in measured], "datasette", "s")
    datasette_bare = pooled([m.datasette_bare for m in measured], "datasette", "s")
    target, mark = "at most 0.8x `sqlite-utils search`", "n/a (no peer)"
    if peer.values:
        ratio = cli.median() / peer.median()
        ratios = {m.query: m.cli.median() / m.peer.median() for m in measured}
        highest = max(ratios, key=ratios.__getitem__)
        mark = (f"{verdict(ratio <= 0.8)} ({ratio:.2f}x; per query {min(ratios.values()):.2f}x-"
                f"{ratios[highest]:.2f}x, the highest for `{highest}`)")
    rows += [
        f"| whole process: `claimscope claims TEXT --json` ({count} queries, every run) | {cli.cell()}, peak RSS "
        f"{cli_rss.cell()} | {target} | {mark} |",
        f"| whole process: `sqlite-utils search FILE claims TEXT --quote --limit {CLAIM_PAGE}` | "
        f"{peer.cell() if peer.values else 'n/a'}, peak RSS {peer_rss.cell() if peer_rss.values else 'n/a'} | | |",
        f"| Datasette `_search`, JSON API: one GET of `claims.json?_search=TEXT&_size={CLAIM_PAGE}` to a warm "
        f"`datasette -i` server (not a whole process) | {datasette.cell() if datasette.values else 'n/a'} | | "
        f"{'beside' if datasette.values else ''} |",
        f"| Datasette `_search` with `&_nosuggest=1` (no facet suggestions: the page and the count) | "
        f"{datasette_bare.cell() if datasette_bare.values else 'n/a'} | | |",
    ]
    if cli_note:
        rows.append(f"| not measured | {cli_note} | | |")
    return rows


def claim_query_table(measured: Sequence[ClaimQueryFigures], screen_page: int) -> list[str]:
    def median(figure: Figure) -> str:
        return _fmt(figure.median(), figure.unit) if figure.values else f"n/a {figure.note}".strip()

    lines = [
        "Claim queries (medians of the runs; \"every word\": some claim holds every word, else the claims "
        "holding any word and those about entities the words describe):",
        "",
        f"| query | claims matched | every word | first page of {CLAIM_PAGE} | count | facets and first page of "
        f"{screen_page} | `claimscope claims` | `sqlite-utils search` | Datasette `_search` |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in measured:
        lines.append(f"| `{m.query}` | {m.matched:,} | {'yes' if m.every_word else 'no'} | {median(m.page)} | "
                     f"{median(m.count)} | {median(m.facets)} | {median(m.cli)} | {median(m.peer)} | "
                     f"{median(m.datasette)} |")
    return [*lines, ""]


def bench_size(size: str, runs: int, build_runs: int, work: Path, log: Callable[[str], None]) -> list[str]:
    from claimscope.tui.widgets.virtual_list import PAGE as screen_page

    log(f"size {size}: generating records")
    records = records_for(size)
    db = work / f"{size.lower()}.db"
    bare = None
    if size != "S":  # the shipped seed had its statements in the last report too
        log(f"size {size}: building {len(records.claims):,} claims without statements x{build_runs}")
        bare_db = work / f"{size.lower()}-without-statements.db"
        bare = measure_build(without_statements(records), bare_db, build_runs)
        bare_db.unlink()
    log(f"size {size}: building {len(records.claims):,} claims x{build_runs}")
    build = measure_build(records, db, build_runs)
    counts = (len(records.entities), len(records.aliases), len(records.claims), len(records.evidence),
              len(records.sources))
    del records
    lines = [
        f"### Size {size}: {counts[0]:,} entities, {counts[1]:,} aliases, {counts[2]:,} claims, "
        f"{counts[3]:,} pieces of evidence, {counts[4]:,} sources ({db.stat().st_size / 1e6:,.0f} MB file)",
        "",
        "| measure | median (lowest-highest) | target | |",
        "|---|---|---|---|",
        *build_rows(size, build, bare),
    ]
    with KnowledgeBase.open(db) as kb:
        name, entity_id = pick_lookup(kb, size)
        queries = claim_queries(kb)
        log(f"size {size}: keystrokes, names")
        p50, p95, worst, recall, keystrokes = measure_typing(kb, runs)
        log(f"size {size}: keystrokes, names then words")
        typed_names, name_keystrokes = measure_typing_with_words(kb, [query for _, query, _ in keystroke_queries(kb)],
                                                                 runs)
        typed_words, word_keystrokes = measure_typing_with_words(kb, queries, runs)
        log(f"size {size}: claims by words, in process")
        measured = measure_claim_queries(kb, queries, runs, screen_page)
    lines += [
        f"| search as you type, names (shown at once), p50 per keystroke ({keystrokes} keystrokes, half the names "
        f"misspelt) | {p50.cell()} | | |",
        f"| search as you type, names, p95 per keystroke | {p95.cell()} | at most 30 ms | "
        f"{verdict(p95.median() <= 30)} |",
        f"| search as you type, names, slowest keystroke | {worst.cell()} | | |",
        f"| misspelt names found in the top 10 | {recall.median():.0%} | | |",
        f"| search as you type, names then words, p50 per keystroke, typing the same names ({name_keystrokes} "
        f"keystrokes) | {_ms_median(typed_names)} | | |",
        f"| search as you type, names then words, p95 per keystroke, typing the names | {_ms_p95(typed_names)} | "
        f"at most 30 ms | {verdict(typed_names.percentile(0.95) <= 30)} |",
        f"| search as you type, names then words, p50 per keystroke, typing the claim queries below "
        f"({word_keystrokes} keystrokes) | {_ms_median(typed_words)} | | |",
        f"| search as you type, names then words, p95 per keystroke, typing the claim queries | "
        f"{_ms_p95(typed_words)} | at most 30 ms | {verdict(typed_words.percentile(0.95) <= 30)} |",
    ]
    log(f"size {size}: claims by words, whole processes")
    cli_note = measure_claims_cli(db, measured, runs, work)
    lines += claim_rows(measured, screen_page, cli_note)
    log(f"size {size}: command-line lookups")
    cli = measure_cli(db, name, entity_id, runs)
    search_wall = cli[0][0].median()
    peer_wall = cli[2][0].median()
    for wall, rss in cli:
        target, mark = "", ""
        if wall is cli[0][0] and cli[2][0].values:
            ratio = search_wall / peer_wall
            target, mark = "at most 0.8x `sqlite-utils search`", f"{verdict(ratio <= 0.8)} ({ratio:.2f}x)"
        lines.append(f"| whole process: {wall.name} | {wall.cell()}, peak RSS {rss.cell()} | {target} | {mark} |")
    log(f"size {size}: imports")
    lines += import_rows(measure_imports(db, runs, work, log))
    log(f"size {size}: start-up")
    app_time, app_rss, floor_time, floor_rss = measure_startup(db, runs)
    ratio = app_time.median() / floor_time.median()
    rss_ratio = app_rss.median() / floor_rss.median()
    lines += [
        f"| start-up to the first complete frame: claimscope | {app_time.cell()} | at most 1.3x the minimal app | "
        f"{verdict(ratio <= 1.3)} ({ratio:.2f}x) |",
        f"| start-up to the first frame: minimal Textual app, one 50-item list | {floor_time.cell()} | | |",
        f"| app peak RSS: claimscope | {app_rss.cell()} | at most 2x the minimal app | "
        f"{verdict(rss_ratio <= 2)} ({rss_ratio:.2f}x) |",
        f"| app peak RSS: minimal Textual app | {floor_rss.cell()} | | |",
    ]
    log(f"size {size}: entity open")
    opened, entities, mean_claims = measure_entity_open(db, runs)
    lines += [
        f"| entity open with its claims and provenance ({entities} entities, {mean_claims:.0f} claims on average) | "
        f"{opened.cell()} | under 50 ms | {verdict(opened.median() < 50)} |",
        "",
        f"Lookups used: search `{name}`, show `{entity_id}`.",
        "",
        *claim_query_table(measured, screen_page),
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated sizes among S, M, L (default S,M,L)")
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each measure (default 5)")
    parser.add_argument("--build-runs", type=int, default=3, help="repetitions of each build (default 3)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"Markdown report (default {RESULTS})")
    parser.add_argument("--work", type=Path, help="keep the knowledge bases in this folder (default: a temporary one)")
    arguments = parser.parse_args(argv)
    sizes = [size.strip().upper() for size in arguments.sizes.split(",") if size.strip()]
    unknown = [size for size in sizes if size not in ("S", "M", "L")]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}: expected S, M or L")

    def log(message: str) -> None:
        print(f"{time.time() - started:7.1f} s  {message}", file=sys.stderr, flush=True)

    work = arguments.work or Path(tempfile.mkdtemp(prefix="claimscope-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    load_before = os.getloadavg()
    tree_before = source_tree()
    body: list[str] = []
    summary: list[str] = []
    stopped: list[str] = []
    try:
        for size in sizes:
            try:
                body += bench_size(size, arguments.runs, arguments.build_runs, work, log)
            except Exception as error:
                # What was measured is written all the same, and says where and why the run stopped.
                stopped = [f"**The run stopped at size {size}**: {type(error).__name__}: "
                           f"{' '.join(str(error).split())[:600]}", ""]
                raise
        if "S" in sizes and "L" in sizes:
            log("start-up: size S against size L, alternating")
            small, large = measure_startup_s_against_l(work / "s.db", work / "l.db", arguments.runs)
            spread = (large.median() - small.median()) / small.median()
            summary = [f"Start-up at size L against size S, measured alternately in one loop: {large.median():.3f} s "
                       f"against {small.median():.3f} s, {spread:+.1%} (target: within 10%, "
                       f"{verdict(abs(spread) <= 0.10)}).", ""]
    finally:
        if arguments.work is None:
            shutil.rmtree(work, ignore_errors=True)
        tree_after = source_tree()
        changed = sorted(path for path in set(tree_before) | set(tree_after)
                         if tree_before.get(path) != tree_after.get(path))
        if changed:
            stopped += [f"**The source changed while the run went on** ({len(changed)} files, e.g. "
                        f"{', '.join(changed[:5])}): the figures may mix two versions of the code.", ""]
        write_report(arguments, sizes, started, load_before, stopped + summary + body)
        log(f"written to {arguments.out}")
    print(json.dumps({"out": str(arguments.out), "sizes": sizes}))


def source_tree() -> dict[str, float]:
    """The code and seed the run measures, each file with its modification time."""
    return {str(path.relative_to(ROOT)): path.stat().st_mtime
            for folder in ("claimscope", "db", "seed", "tui") for path in sorted((ROOT / folder).rglob("*"))
            if path.suffix in (".py", ".yaml", ".tcss") and path.is_file()}


def write_report(arguments: argparse.Namespace, sizes: Sequence[str], started: float,
                 load_before: tuple[float, float, float], body: Sequence[str]) -> None:
    header = [
        "# Benchmark results",
        "",
        f"Written by `python3 bench/run.py --sizes {','.join(sizes)} --runs {arguments.runs} "
        f"--build-runs {arguments.build_runs}` on {time.strftime('%Y-%m-%d', time.localtime(started))}, "
        f"in {time.time() - started:.0f} s.",
        "",
        f"- Machine: {machine()}",
        f"- Versions: {versions()}",
        f"- Code measured: {code_measured()}",
        "- Each figure is the median of the runs, with the lowest and highest in brackets. Peers run in the",
        "  same loop as claimscope, one after the other, on the same file.",
        "- Build: records go straight into the builder (the synthetic generator's time is not counted);",
        "  size S is the shipped seed as loaded and checked.",
        "- Build: at M and L also of the same records with every claim's statement removed, which is the",
        f"  data the last report ({LAST_BUILD_DATE}) measured, so that a fall from the code and one from the",
        "  longer texts can be told apart (at S the shipped seed had its statements then too).",
        "- Search as you type: every prefix of each query, as the search box asks for it, in process: the",
        "  names pass, which the box shows at once, and the names pass followed by the hits by words",
        f"  (`text_hits`, when the names leave room among {SEARCH_BOX_LIMIT}), which the box shows after it.",
        "- Claims by words: fifteen queries of one to three words drawn from the synthetic vocabulary",
        "  (`bench/synth.py`: common, middling and rare words, and words of names), in process through",
        "  `KnowledgeBase` (no warm-up) and as whole processes; p50 and p95 are over every query and run.",
        "  Datasette's figure is one HTTP request to a server started once per size (`datasette -i`),",
        "  not a whole process; by default it also counts the matches and tries facet suggestions, and",
        "  orders the matches by id, not by relevance.",
        "- Start-up: from the moment the process is started to the first frame with the main screen and its",
        "  entity list drawn, headless, 120x40.",
        "- Entity open: in the headless app, from asking for the entity to the frame that shows its card and",
        "  the provenance of its first claim.",
        f"- Peak RSS: {'GNU time (`/usr/bin/time -f %M`)' if GNU_TIME else 'not measured (GNU time is absent)'}.",
        f"- Load average (1, 5, 15 min) when the run began: {_load(load_before)}; when it ended: "
        f"{_load(os.getloadavg())}. Anything else running on the machine slows every tool alike.",
        "",
    ]
    text = "\n".join(header + [line for line in body if not line.startswith("<!-- startup ")])
    arguments.out.write_text(text.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
