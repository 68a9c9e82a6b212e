"""End to end: the installed `claimscope` in a real terminal (tmux), read back from the screen."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


def tmux(*arguments: str) -> str:
    return subprocess.run(["tmux", *arguments], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def terminal(shipped_db: Path, corpus_dir: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    claimscope = shutil.which("claimscope")
    if claimscope is None:
        pytest.skip("the claimscope command is not installed (pip install -e .)")
    session = f"claimscope-test-{uuid.uuid4().hex[:8]}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40",
         # COLUMNS/LINES inherited from the test's environment would override the pane's size.
         f"env -u COLUMNS -u LINES {claimscope} ui --db {shipped_db} --corpus {corpus_dir}")
    try:
        yield session, lambda: tmux("capture-pane", "-p", "-t", session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def wait_for(screen: Callable[[], str], text: str, seconds: float = 20.0) -> str:
    """Poll the terminal until ``text`` shows (a real process: there is no worker to wait on)."""
    deadline = time.monotonic() + seconds
    while True:
        captured = screen()
        if text in captured:
            return captured
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared; the screen was:\n{captured}")
        time.sleep(0.2)


def test_search_open_and_read_the_provenance(terminal: tuple[str, Callable[[], str]]) -> None:
    session, screen = terminal
    wait_for(screen, "Groups")
    tmux("send-keys", "-t", session, "/")
    wait_for(screen, "alias, acronym")
    tmux("send-keys", "-t", session, "-l", "ISIS-K")
    wait_for(screen, "found")
    tmux("send-keys", "-t", session, "Enter")
    captured = wait_for(screen, "evidence 1 of")
    assert "Islamic State Khorasan Province" in captured
    assert "paragraph" in captured and "credibility" in captured
