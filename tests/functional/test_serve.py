"""`claimscope serve`: the app in a web browser through textual-serve."""

from __future__ import annotations

import json
import re
import shutil
import socket
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claimscope.seed.knowledge_base import build
from claimscope.tui.cli import main
from conftest import free_port, running_server

aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve (pip install -e .)")
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def mini_kb(mini_seed: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """The invented mini knowledge base, at a path with a space and a quote in it, and its corpus."""
    seed, corpus = mini_seed
    folder = tmp_path / "it's here"
    folder.mkdir()
    build(folder / "mini kb.db", seed, corpus)
    return folder / "mini kb.db", corpus


def serve(db: Path, corpus: Path, port: int, log: Path, cwd: Path | None = None) -> Any:
    claimscope = shutil.which("claimscope")
    if claimscope is None:
        pytest.skip("the claimscope command is not installed (pip install -e .)")
    argv = [claimscope, "serve", "--db", str(db), "--corpus", str(corpus), "--port", str(port)]
    return running_server(argv, f"http://127.0.0.1:{port}/", log, cwd=cwd)


def shadowing_folder(base: Path) -> Path:
    """A folder whose modules would break claimscope if anything imported them from the current directory."""
    folder = base / "work folder"
    for name in ("db", "seed", "tui", "claimscope"):
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text(f"raise SystemExit('imported {name} from the current folder')\n")
        (folder / f"{name}.py").write_text(f"raise SystemExit('imported {name}.py from the current folder')\n")
    return folder


@pytest.fixture
def served(mini_kb: tuple[Path, Path], tmp_path: Path) -> Iterator[int]:
    """``claimscope serve`` on the mini knowledge base, started in a folder holding db.py, tui/ and the like."""
    port = free_port()
    with serve(*mini_kb, port, tmp_path / "serve.log", cwd=shadowing_folder(tmp_path)):
        yield port


def test_the_page_is_textual_serves(served: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{served}/", timeout=10) as response:
        assert response.status == 200
        page = response.read().decode("utf-8")
    assert "<div>claimscope</div>" in page  # the title textual-serve shows until the app draws
    assert f'data-session-websocket-url="ws://127.0.0.1:{served}/ws"' in page
    with urllib.request.urlopen(f"http://127.0.0.1:{served}/static/js/textual.js", timeout=10) as response:
        assert response.status == 200


async def test_the_app_runs_in_the_browser_on_the_chosen_knowledge_base(served: int) -> None:
    """Through textual-serve's websocket: the app draws the mini knowledge base and its corpus, and takes keys."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"ws://127.0.0.1:{served}/ws?width=120&height=40") as websocket:
            output = ""

            async def expect(text: str, seconds: float = 15.0) -> None:
                """Read the terminal's output until ``text`` shows in what arrived since the last call."""
                nonlocal output
                output = ""
                deadline = time.monotonic() + seconds
                while text not in _ESCAPES.sub("", output):
                    remaining = deadline - time.monotonic()
                    assert remaining > 0, f"{text!r} never arrived; the app wrote:\n{_ESCAPES.sub('', output)}"
                    message = await websocket.receive(timeout=remaining)
                    assert message.type == aiohttp.WSMsgType.BINARY, f"the app stopped: {message}"
                    output += message.data.decode("utf-8", "replace")

            async def press(keys: str) -> None:
                await websocket.send_str(json.dumps(["stdin", keys]))

            await expect("Example Front")  # in the mini knowledge base only: --db reached the app
            await press("\r")
            # The cited passage comes from the mini corpus: --corpus reached the app.
            await expect("Officials said the Example Front has about 300 fighters.")
            await press("\x11")  # Ctrl+Q: a typed q goes to the list's filter
            message = await websocket.receive(timeout=10)
            while message.type == aiohttp.WSMsgType.BINARY:
                message = await websocket.receive(timeout=10)
            assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), message


class _Server:
    """Stands in for claimscope's GuardedServer: records what it was given."""

    made: list[dict[str, Any]] = []

    def __init__(self, argv: list[str], **options: Any) -> None:
        self.made.append({"argv": list(argv), **options})

    def serve(self) -> None:
        pass


@pytest.mark.parametrize("host, warned, public_url", [
    ("127.0.0.1", False, "http://127.0.0.1:{port}"),
    ("localhost", False, "http://localhost:{port}"),
    ("::1", False, "http://[::1]:{port}"),
    ("192.0.2.7", True, "http://192.0.2.7:{port}"),
    ("0.0.0.0", True, f"http://{socket.gethostname()}:{{port}}"),  # a wildcard is no address for a browser
])
def test_serve_runs_the_app_on_the_file_and_warns_off_loopback(mini_kb: tuple[Path, Path],
                                                               monkeypatch: pytest.MonkeyPatch, host: str,
                                                               warned: bool, public_url: str) -> None:
    from claimscope.tui.cli import serving

    monkeypatch.setattr(serving, "GuardedServer", _Server)
    # 192.0.2.7 is no address of this machine: binding it is test_serve_hardening.py's business.
    monkeypatch.setattr(serving, "check_listen", lambda host, port: None)
    _Server.made.clear()
    db, corpus = mini_kb
    port = free_port()
    public_url = public_url.format(port=port)
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--corpus", str(corpus), "--host", host,
                                       "--port", str(port)])
    assert result.exit_code == 0, result.output
    [made] = _Server.made
    # Each tab's app is started from this list, without a shell: the quote and the space in the path are safe.
    assert made["argv"] == [sys.executable, "-P", "-m", "claimscope", "ui", "--db", str(db.resolve()),
                            "--corpus", str(corpus.resolve())]
    assert made["public_url"] == public_url and made["port"] == port and made["max_sessions"] == 8
    assert ("no authentication" in result.stderr) == warned
    assert f"{public_url}/" in result.stdout


def test_serve_refuses_a_file_that_is_not_a_knowledge_base(tmp_path: Path) -> None:
    (tmp_path / "not.db").write_text("hello")
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "not.db")])
    assert result.exit_code == 2 and "not.db" in result.stderr
