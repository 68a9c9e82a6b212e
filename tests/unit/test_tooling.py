"""The linters the house style asks for run with the tests, so CI runs them too."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
#: Where each folder of the repository sits in the installed package (pyproject's package-dir).
PACKAGE_DIRS = {"claimscope": "claimscope", "claimscope/db": "db", "claimscope/seed": "seed", "claimscope/tui": "tui"}


def package_tree(base: Path) -> Path:
    """A tree of links under ``base`` laid out as the installed package ``claimscope`` is."""
    top = base / "claimscope"
    top.mkdir()
    for entry in (ROOT / "claimscope").iterdir():
        if entry.name != "__pycache__":
            (top / entry.name).symlink_to(entry)
    for installed, folder in PACKAGE_DIRS.items():
        if installed != "claimscope":
            (base / installed).symlink_to(ROOT / folder, target_is_directory=True)
    return base


def test_ruff() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    result = subprocess.run(["ruff", "check", "--output-format", "concise", "."], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_on_the_whole_package(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (it comes with the test extra)")
    tree = package_tree(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "claimscope"],
        cwd=tree, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Every module of the package is checked, the UI included: "Success: no issues found in N source files".
    modules = sum(len(list((ROOT / folder).rglob("*.py"))) for folder in PACKAGE_DIRS.values())
    checked = re.search(r"no issues found in (\d+) source files", result.stdout)
    assert checked and int(checked.group(1)) >= modules, result.stdout


def test_textual_run_dev_finds_the_app_factory(shipped_db: Path, corpus_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``textual run --dev claimscope.tui.app:dev_app`` runs textual-dev's loader script: run it, minus the terminal."""
    run_module = pytest.importorskip("textual_dev.tools.run", reason="textual-dev comes with the test extra")
    from textual.app import App

    from claimscope.tui.app import ClaimscopeApp

    script = run_module.EXEC_SCRIPT.substitute(MODULE="claimscope.tui.app", APP="dev_app")
    started: list[App[object]] = []
    monkeypatch.setattr(App, "run", lambda self, *_, **__: started.append(self))
    monkeypatch.setenv("CLAIMSCOPE_DB", str(shipped_db))
    monkeypatch.setenv("CLAIMSCOPE_CORPUS", str(corpus_dir))
    exec(compile(script, "textual-exec", "exec"), {})  # noqa: S102 - textual-dev's own loader script
    [app] = started
    assert isinstance(app, ClaimscopeApp) and app.knowledge_base.path == shipped_db
    app.knowledge_base.close()
