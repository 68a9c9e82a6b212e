"""`claimscope export` counts disputes as the app and `claimscope disputes` do, and names the rows apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimscope.db.queries import KnowledgeBase
from claimscope.tui.cli import main


@pytest.mark.parametrize("export_format", ["json", "csv"])
def test_export_counts_the_disputes_the_app_shows(shipped_db: Path, tmp_path: Path, export_format: str) -> None:
    with KnowledgeBase.open(shipped_db) as knowledge_base:
        disputes = knowledge_base.dispute_count()
        rows = sum(len(dispute.claims) for dispute in knowledge_base.disputes())
    assert rows > disputes > 0, "a dispute has two claims or more: the rows outnumber the disputes"
    result = CliRunner().invoke(main, ["export", "--format", export_format, "--db", str(shipped_db),
                                       "-o", str(tmp_path / f"out.{export_format}")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    found = re.search(r"(\d+) disputes \((\d+) rows: one for each claim in a dispute\)", result.output)
    assert found, result.output
    assert (int(found[1]), int(found[2])) == (disputes, rows)
    shown = CliRunner().invoke(main, ["disputes", "--db", str(shipped_db), "--json"], catch_exceptions=False)
    assert len(json.loads(shown.stdout)) == disputes
