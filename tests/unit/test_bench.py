"""The benchmark runs: at size S only, asserting what it wrote, never how fast anything was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_at_size_s_and_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "S", "--runs", "1", "--build-runs", "1",
         "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    report = out.read_text(encoding="utf-8")
    assert "### Size S: 226 entities" in report
    for measure in ("build, claims per second", "search as you type, p95", "`claimscope search",
                    "`sqlite-utils search`", "start-up to the first complete frame", "app peak RSS",
                    "entity open with its claims and provenance"):
        assert measure in report, measure
    assert "- Machine: " in report and "- Versions: Python " in report


def test_bench_refuses_an_unknown_size(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "XL", "--out", str(tmp_path / "r.md")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert completed.returncode == 2
    assert "unknown size XL: expected S, M or L" in completed.stderr
    assert not (tmp_path / "r.md").exists()
