"""Benchmarks: claimscope against its peers, measured in one run, written to bench/RESULTS.md.

    python3 bench/run.py                       # sizes S, M and L, five runs each
    python3 bench/run.py --sizes S --runs 1    # quick: the shipped knowledge base only

For each size: build throughput; whole-process CLI lookups beside ``sqlite-utils search``
and the ``sqlite3`` shell; search-as-you-type latency per keystroke in process; app
start-up to the first complete frame beside a minimal Textual app; the time to open an
entity with about 50 claims and show its provenance. Every figure is the median of the
runs with its spread (lowest-highest); nothing is hidden when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from claimscope.db.build import build_database  # noqa: E402
from claimscope.db.queries import KnowledgeBase  # noqa: E402
from claimscope.db.records import Records  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
CLAIMSCOPE = [sys.executable, "-m", "claimscope"]
KEYSTROKE_QUERIES = 24


@dataclass
class Figure:
    """One measured quantity: its runs, and how it reads in the table."""

    name: str
    values: list[float] = field(default_factory=list)
    unit: str = "s"
    note: str = ""

    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

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
                kb.search(query[:end], limit=30)  # what the search box asks for at each keystroke
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


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def bench_size(size: str, runs: int, build_runs: int, work: Path, log: Callable[[str], None]) -> list[str]:
    log(f"size {size}: generating records")
    records = records_for(size)
    db = work / f"{size.lower()}.db"
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
        f"| build, claims per second with all indexes | {build.cell()} | at least 100,000/s | "
        f"{verdict(build.median() >= 100_000)} |",
    ]
    with KnowledgeBase.open(db) as kb:
        name, entity_id = pick_lookup(kb, size)
        log(f"size {size}: keystrokes")
        p50, p95, worst, recall, keystrokes = measure_typing(kb, runs)
    lines += [
        f"| search as you type, p50 per keystroke ({keystrokes} keystrokes, half the names misspelt) | "
        f"{p50.cell()} | | |",
        f"| search as you type, p95 per keystroke | {p95.cell()} | at most 30 ms | {verdict(p95.median() <= 30)} |",
        f"| search as you type, slowest keystroke | {worst.cell()} | | |",
        f"| misspelt names found in the top 10 | {recall.median():.0%} | | |",
    ]
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
        print(message, file=sys.stderr, flush=True)

    work = arguments.work or Path(tempfile.mkdtemp(prefix="claimscope-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    body: list[str] = []
    summary: list[str] = []
    try:
        for size in sizes:
            body += bench_size(size, arguments.runs, arguments.build_runs, work, log)
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
    header = [
        "# Benchmark results",
        "",
        f"Written by `python3 bench/run.py --sizes {','.join(sizes)} --runs {arguments.runs} "
        f"--build-runs {arguments.build_runs}` on {time.strftime('%Y-%m-%d', time.localtime(started))}, "
        f"in {time.time() - started:.0f} s.",
        "",
        f"- Machine: {machine()}",
        f"- Versions: {versions()}",
        "- Each figure is the median of the runs, with the lowest and highest in brackets. Peers run in the",
        "  same loop as claimscope, one after the other, on the same file.",
        "- Build: records go straight into the builder (the synthetic generator's time is not counted);",
        "  size S is the shipped seed as loaded and checked.",
        "- Search as you type: every prefix of each query, as the search box asks for it, in process.",
        "- Start-up: from the moment the process is started to the first frame with the main screen and its",
        "  entity list drawn, headless, 120x40.",
        "- Entity open: in the headless app, from asking for the entity to the frame that shows its card and",
        "  the provenance of its first claim.",
        f"- Peak RSS: {'GNU time (`/usr/bin/time -f %M`)' if GNU_TIME else 'not measured (GNU time is absent)'}.",
        "",
    ]
    text = "\n".join(header + summary + [line for line in body if not line.startswith("<!-- startup ")])
    arguments.out.write_text(text.rstrip() + "\n", encoding="utf-8")
    log(f"written to {arguments.out}")
    print(json.dumps({"out": str(arguments.out), "sizes": sizes}))


if __name__ == "__main__":
    main()
