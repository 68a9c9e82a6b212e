"""The data layers never import the UI, and a CLI lookup never loads Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("package", ["db", "seed"])
def test_data_layers_do_not_import_textual_or_tui(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"textual", "tui", "rich"}, f"{path}: imports {name}"


@pytest.mark.parametrize("folder", ["claimscope", "db", "seed", "tui", "bench", "tests"])
def test_code_imports_the_package_never_the_folders_by_their_own_names(folder: str) -> None:
    """``db``, ``seed`` and ``tui`` install as claimscope.db, .seed and .tui: ``import db`` works only in a checkout."""
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"db", "seed", "tui"}, f"{path}:{node.lineno}: imports {name}"


def test_sql_lives_only_in_db() -> None:
    for package in ("seed", "tui", "claimscope"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for keyword in ("SELECT ", "INSERT INTO", "CREATE TABLE", ".execute("):
                assert keyword not in text, f"{path} holds SQL ({keyword})"


def test_cli_lookup_does_not_import_textual(shipped_db: Path) -> None:
    probe = (
        "import sys\n"
        "from claimscope.tui.cli import main\n"
        "try:\n"
        f"    main(['search', 'ISKP', '--json', '--db', {str(shipped_db)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlite_utils'))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "LOADED []" in result.stderr, result.stderr
