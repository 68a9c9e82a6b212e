"""End to end: the installed `claimscope` in a real terminal (tmux), read back from the screen."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import HOSTILE_NAME, build_hostile_kb

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


def tmux(*arguments: str) -> str:
    return subprocess.run(["tmux", *arguments], capture_output=True, text=True, check=True).stdout


Terminal = tuple[str, Callable[[], str]]


@contextmanager
def app_in_tmux(db: Path, corpus: Path | None, width: int = 120, height: int = 40, env: str = "",
                arguments: str = "", server_options: tuple[tuple[str, str], ...] = ()) -> Iterator[Terminal]:
    """``claimscope ui`` in a tmux pane of the given size; yields the session and a screen reader.

    ``server_options`` are set in the same tmux command as the session starts, before the app
    can write anything.
    """
    claimscope = shutil.which("claimscope")
    if claimscope is None:
        pytest.skip("the claimscope command is not installed (pip install -e .)")
    session = f"claimscope-test-{uuid.uuid4().hex[:8]}"
    corpus_option = f"--corpus {corpus}" if corpus else ""
    tmux("new-session", "-d", "-s", session, "-x", str(width), "-y", str(height),
         # COLUMNS/LINES inherited from the test's environment would override the pane's size.
         f"env -u COLUMNS -u LINES {env} {claimscope} ui --db {db} {corpus_option} {arguments}",
         *(part for name, value in server_options for part in (";", "set-option", "-s", name, value)))
    try:
        yield session, lambda: tmux("capture-pane", "-p", "-t", session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


@pytest.fixture
def terminal(shipped_db: Path, corpus_dir: Path) -> Iterator[Terminal]:
    with app_in_tmux(shipped_db, corpus_dir) as started:
        yield started


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


def test_search_open_and_read_the_provenance(terminal: Terminal) -> None:
    session, screen = terminal
    wait_for(screen, "Groups")
    tmux("send-keys", "-t", session, "/")
    wait_for(screen, "words of what happened")
    tmux("send-keys", "-t", session, "-l", "ISIS-K")
    wait_for(screen, "found")
    tmux("send-keys", "-t", session, "Enter")
    captured = wait_for(screen, "evidence 1 of")
    assert "Islamic State Khorasan Province" in captured
    assert "¶" in captured and "credibility" in captured


def test_hostile_text_reaches_the_terminal_as_text_only(tmp_path: Path) -> None:
    """Markup is shown as written; OSC 52 and title sequences in the data never reach the terminal."""
    db, corpus = build_hostile_kb(tmp_path)
    # With set-clipboard on, an OSC 52 that got through would become a tmux paste buffer.
    with app_in_tmux(db, corpus, 80, 24, arguments="--entity example-front",
                     server_options=(("set-clipboard", "on"),)) as (session, screen):
        captured = wait_for(screen, "evidence 1 of")
        assert HOSTILE_NAME in captured.replace("\n", "")[:400] or "[bold]Front[/]" in captured
        tmux("send-keys", "-t", session, "Down")  # the next claims and the passage with escapes in it
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "Up")
        time.sleep(0.5)
        title = tmux("display-message", "-p", "-t", session, "#{pane_title}").strip()
        assert "pwned" not in title
        assert "hijacked" not in tmux("list-buffers", "-F", "#{buffer_sample}"), "an OSC 52 reached the terminal"
        captured = screen()
        assert "pwned" not in captured and "52;c" not in captured
        assert "Вилояти Хуросон" in captured or "ولایت" in captured or "long long" in captured


@pytest.mark.parametrize("env", ["NO_COLOR=1 TERM=xterm-256color", "TERM=xterm-256color"])
def test_plain_and_256_colour_terminals_render_legibly(shipped_db: Path, corpus_dir: Path, env: str) -> None:
    with app_in_tmux(shipped_db, corpus_dir, 80, 24, env=env) as (session, screen):
        captured = wait_for(screen, "Groups")
        assert "? Help" in captured and "^Q Quit" in captured
        tmux("send-keys", "-t", session, "Down")
        time.sleep(0.5)
        styled = tmux("capture-pane", "-p", "-e", "-t", session)
        cursor_row = next(line for line in styled.splitlines() if "Afghan Taliban" in line)
        if "NO_COLOR" in env:
            # Textual turns colours to greys under NO_COLOR; the cursor row is in reverse video as well.
            assert re.search(r"\x1b\[[0-9;]*\b7m", cursor_row), repr(cursor_row)
        else:
            assert "38;5;" in styled  # 256 colours are used when the terminal has them
        tmux("send-keys", "-t", session, "Enter")
        wait_for(screen, "evidence 1 of")


def test_a_small_terminal_and_a_resize_to_tiny_and_back(shipped_db: Path, corpus_dir: Path) -> None:
    with app_in_tmux(shipped_db, corpus_dir, 60, 20) as (session, screen):
        captured = wait_for(screen, "Groups")
        assert "Events" in captured and "? Help" in captured and "^Q Quit" in captured
        tmux("send-keys", "-t", session, "Enter")
        wait_for(screen, "portrayed by")
        before = wait_for(screen, "conspiracy")  # the provenance is scrolled to the cited sentence
        tmux("resize-window", "-t", session, "-x", "20", "-y", "10")
        wait_for(screen, "Help")  # still drawing, still saying where help is
        tmux("resize-window", "-t", session, "-x", "60", "-y", "20")
        deadline = time.monotonic() + 20  # a loaded machine may take a while to redraw
        while screen() != before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert screen() == before
        # The provenance opens at the cited sentence; its top (the claim, then the evidence) is a Home away.
        tmux("send-keys", "-t", session, "p")
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "Home")
        wait_for(screen, "evidence 1 of")
        tmux("send-keys", "-t", session, "/")
        wait_for(screen, "words of what happened")
