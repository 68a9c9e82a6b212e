"""The benchmark runs: at size S only, asserting what it wrote, never how fast anything was."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of one quick run at size S."""
    out = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "S", "--runs", "1", "--build-runs", "1",
         "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    return out.read_text(encoding="utf-8")


def test_bench_runs_at_size_s_and_writes_its_table(report: str) -> None:
    # The shipped knowledge base grows; its size is read, not pinned.
    assert re.search(r"^### Size S: [\d,]+ entities, [\d,]+ aliases, [\d,]+ claims", report, re.MULTILINE)
    assert "The run stopped" not in report
    for measure in ("build, claims per second", "search as you type, names, p95", "`claimscope search",
                    "`sqlite-utils search`", "start-up to the first complete frame", "app peak RSS",
                    "entity open with its claims and provenance", "`claimscope import` of a note",
                    "`claimscope import` of 50,000 claims", "`claimscope import --replace` of a changed 1,000-claim",
                    "`claimscope remove` of that source",
                    "reader open on a source of 50,000 paragraphs, first complete frame",
                    "reader open on a source of 5 paragraphs, first complete frame"):
        assert measure in report, measure
    assert "- Machine: " in report and "- Versions: Python " in report


def test_bench_measures_claims_by_words_beside_the_peers(report: str) -> None:
    for measure in ("build against the last report (16,979/s on 2026-11-21, the same shipped seed)",
                    "search as you type, names then words, p95 per keystroke, typing the names",
                    "search as you type, names then words, p95 per keystroke, typing the claim queries",
                    "claims by words, first page of 20, p95", "claims by words, their count",
                    "claims by words, facet counts with the first page of 100", "`claimscope claims TEXT --json`",
                    "`sqlite-utils search FILE claims TEXT", "Datasette `_search`"):
        assert measure in report, measure
    # Every row with a target has a verdict: a miss is written, never left blank.
    for line in report.splitlines():
        if "| at most " in line or "| does not fall |" in line:
            assert "met" in line or "**missed**" in line or "n/a" in line, line


def test_bench_lists_each_claim_query_with_every_tool(report: str) -> None:
    lines = report.splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith("| query | claims matched |"))
    header = lines[start]
    table = lines[start + 2:]
    rows = table[:next((number for number, line in enumerate(table) if not line.startswith("|")), len(table))]
    assert len(rows) == 15, rows
    for row in rows:
        cells = row.strip("|").split("|")
        assert len(cells) == header.strip("|").count("|") + 1, row
        assert all(cell.strip() for cell in cells), row


def test_bench_refuses_an_unknown_size(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "XL", "--out", str(tmp_path / "r.md")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert completed.returncode == 2
    assert "unknown size XL: expected S, M or L" in completed.stderr
    assert not (tmp_path / "r.md").exists()


def test_synthetic_statements_are_deterministic_with_common_and_rare_words() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import VOCABULARY, synthetic_statements

    names, places = ["Qadir al-Wazir", "Lashkar Tūbar"], ["Ghorband Valley"]
    statements = synthetic_statements(4_000, names, places, seed=3)
    assert statements == synthetic_statements(4_000, names, places, seed=3)
    assert statements != synthetic_statements(4_000, names, places, seed=4)
    assert all(statement and statement[0].isupper() for statement in statements)
    held = Counter(word for statement in statements for word in set(statement.lower().replace(",", " ").split()))
    for words in VOCABULARY.values():
        # Zipf within a slot: the first word is in several times as many statements as the last.
        assert held[words[0].lower()] > 4 * max(held[words[-1].lower()], 1), words
    assert held["ghorband"] > 0 and held["qadir"] > 0
