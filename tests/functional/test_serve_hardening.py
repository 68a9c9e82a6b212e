"""`claimscope serve` against hostile browsers and clients: other sites, other names, many tabs, huge sizes.

Each test runs a real server on a free port and talks to it as an attacker would: aiohttp
with forged Host and Origin headers, a raw socket that vanishes without a goodbye. The app
processes a session starts are found in /proc by their command line (``ui --db <this file>``),
and their end is awaited through a pidfd, without sleeping.
"""

from __future__ import annotations

import asyncio
import base64
import os
import select
import shutil
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claimscope.seed.knowledge_base import build
from claimscope.tui.cli import main
from conftest import free_port, running_server

aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve (pip install -e .)")
serving = pytest.importorskip("claimscope.tui.cli.serving")

#: How long a session's app may take to draw its first screen on a busy test machine.
DRAW_SECONDS = 30.0
#: How long the server may take to end an app whose browser went: quit, terminate, then kill.
END_SECONDS = serving.QUIT_GRACE + serving.TERMINATE_GRACE + 10.0


@pytest.fixture
def mini_db(mini_seed: tuple[Path, Path], tmp_path: Path) -> Path:
    seed, corpus = mini_seed
    build(tmp_path / "mini.db", seed, corpus)
    return tmp_path / "mini.db"


def start(db: Path, tmp_path: Path, *options: str) -> tuple[int, Any]:
    claimscope = shutil.which("claimscope")
    if claimscope is None:
        pytest.skip("the claimscope command is not installed (pip install -e .)")
    port = free_port()
    argv = [claimscope, "serve", "--db", str(db), "--port", str(port), *options]
    return port, running_server(argv, f"http://127.0.0.1:{port}/", tmp_path / f"serve-{port}.log")


@pytest.fixture
def served(mini_db: Path, tmp_path: Path) -> Iterator[int]:
    port, server = start(mini_db, tmp_path, "--max-sessions", "2")
    with server:
        yield port


def app_processes(db: Path) -> set[int]:
    """The processes running ``claimscope ui --db <db>``: the apps of this test's sessions."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"ui" in argv and os.fsencode(str(db.resolve())) in argv:
            found.add(int(entry.name))
    return found


def environment_of(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode("utf-8", "replace").split("=", 1) for pair in pairs if b"=" in pair)


def wait_for_end(pids: set[int], seconds: float) -> set[int]:
    """Those of ``pids`` that have ended, once one has or ``seconds`` have passed (a pidfd turns readable)."""
    descriptors: dict[int, int] = {}
    ended = set()
    try:
        for pid in pids:
            try:
                descriptors[os.pidfd_open(pid)] = pid
            except ProcessLookupError:
                ended.add(pid)
        if ended or not descriptors:
            return ended
        readable, _, _ = select.select(list(descriptors), [], [], seconds)
        return {descriptors[descriptor] for descriptor in readable}
    finally:
        for descriptor in descriptors:
            os.close(descriptor)


async def first_screen(websocket: Any) -> bytes:
    """What the app draws first: proof that its process runs."""
    message = await websocket.receive(timeout=DRAW_SECONDS)
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return bytes(message.data)


# -- Host and Origin --------------------------------------------------------------------------------


async def test_a_page_under_another_name_is_refused(served: int) -> None:
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 sends its own Host."""
    port = served
    async with aiohttp.ClientSession() as session:
        for host in (f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", f"127.0.0.1:{port + 1}",
                     "127.0.0.1", f"localhost.:{port}", "", f"127.0.0.1:{port}@evil.example"):
            async with session.get(f"http://127.0.0.1:{port}/", headers={"Host": host}) as response:
                assert response.status == 403, host
                assert "only to its own address" in await response.text()
            async with session.get(f"http://127.0.0.1:{port}/static/js/textual.js", headers={"Host": host}) as response:
                assert response.status == 403, host
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"ws://127.0.0.1:{port}/ws", headers={"Host": host})
            assert refused.value.status == 403, host
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
            async with session.get(f"http://127.0.0.1:{port}/", headers={"Host": host}) as response:
                assert response.status == 200, host


async def test_a_websocket_from_another_origin_is_refused_and_starts_nothing(served: int, mini_db: Path) -> None:
    port = served
    async with aiohttp.ClientSession() as session:
        for origin in ("http://evil.example", "null", f"http://127.0.0.1:{port}.evil.example",
                       f"https://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}", "http://127.0.0.1", ""):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"ws://127.0.0.1:{port}/ws", headers={"Origin": origin})
            assert refused.value.status == 403, origin
            # A script on another site cannot read the page either.
            async with session.get(f"http://127.0.0.1:{port}/", headers={"Origin": origin}) as response:
                assert response.status == 403, origin
        assert not app_processes(mini_db)
        # The page's own origin opens the app, which draws the knowledge base.
        async with session.ws_connect(f"ws://127.0.0.1:{port}/ws",
                                      headers={"Origin": f"http://127.0.0.1:{port}"}) as websocket:
            await first_screen(websocket)


async def test_the_public_url_is_answered_too(mini_db: Path, tmp_path: Path) -> None:
    """Behind `ssh -L 9000:127.0.0.1:<port>`, the browser names the server by the forwarded port."""
    port, server = start(mini_db, tmp_path, "--public-url", "http://127.0.0.1:9000/")
    with server:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/", headers={"Host": "127.0.0.1:9000"}) as response:
                assert response.status == 200
                assert 'data-session-websocket-url="ws://127.0.0.1:9000/ws"' in await response.text()
            async with session.ws_connect(f"ws://127.0.0.1:{port}/ws", headers={
                    "Host": "127.0.0.1:9000", "Origin": "http://127.0.0.1:9000"}) as websocket:
                await first_screen(websocket)
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await session.ws_connect(f"ws://127.0.0.1:{port}/ws", headers={"Origin": "http://127.0.0.1:9001"})


# -- limits -----------------------------------------------------------------------------------------


async def test_sessions_are_capped_and_the_browser_is_told(served: int, mini_db: Path) -> None:
    port = served
    url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
    async with aiohttp.ClientSession() as session:
        first = await session.ws_connect(url)
        second = await session.ws_connect(url)
        await first_screen(first)
        await first_screen(second)
        assert len(app_processes(mini_db)) == 2
        async with session.get(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 503
            assert "all 2 sessions are in use" in await response.text()
        async with session.ws_connect(url) as third:
            message = await third.receive(timeout=10)
            assert message.type == aiohttp.WSMsgType.BINARY and b"all 2 sessions are in use" in message.data
            message = await third.receive(timeout=10)
            assert message.type == aiohttp.WSMsgType.CLOSE and message.data == aiohttp.WSCloseCode.TRY_AGAIN_LATER
        running = app_processes(mini_db)
        assert len(running) == 2  # the third started nothing
        await first.close()
        assert len(await asyncio.to_thread(wait_for_end, running, END_SECONDS)) == 1
        # The server frees the session once it has seen its app end, a moment after the app has ended.
        assert await page_status(session, port, until=200) == 200
        async with session.ws_connect(url) as fourth:
            await first_screen(fourth)
        await second.close()


async def page_status(session: Any, port: int, until: int, seconds: float = 10.0) -> int:
    """The status of the page, asked again (as conftest's running_server does) until it is ``until``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        async with session.get(f"http://127.0.0.1:{port}/") as response:
            if response.status == until or asyncio.get_running_loop().time() > deadline:
                return int(response.status)
        await asyncio.sleep(0.05)


def raw_websocket(port: int, query: str) -> socket.socket:
    """A websocket opened by hand, so that the test can drop it as a crashed browser would."""
    client = socket.create_connection(("127.0.0.1", port), timeout=DRAW_SECONDS)
    key = base64.b64encode(os.urandom(16)).decode()
    client.sendall((f"GET /ws?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = client.recv(4096)
        assert chunk, "the server closed the connection"
        received += chunk
    assert received.startswith(b"HTTP/1.1 101"), received
    head, _, rest = received.partition(b"\r\n\r\n")
    while len(rest) < 64:  # a frame of the app's first screen
        chunk = client.recv(65536)
        assert chunk, "the server closed the websocket before the app drew"
        rest += chunk
    return client


def test_a_huge_terminal_is_clamped_and_an_app_is_ended_when_its_browser_vanishes(served: int,
                                                                                    mini_db: Path) -> None:
    client = raw_websocket(served, "width=4000&height=4000")
    [pid] = app_processes(mini_db)
    environment = environment_of(pid)
    assert (environment["COLUMNS"], environment["ROWS"]) == ("500", "200")
    # An app that no longer answers (stopped: it cannot read "quit", and SIGTERM waits while it is
    # stopped) must still end: the server kills it after its grace periods.
    os.kill(pid, signal.SIGSTOP)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    client.close()  # a reset, not a goodbye: the browser crashed or the network went
    assert wait_for_end({pid}, END_SECONDS) == {pid}, f"the app {pid} still runs after its browser went"
    assert not app_processes(mini_db)


def test_sizes_out_of_bounds_are_clamped_in_resizes_too() -> None:
    """The browser resizes the terminal with a message: its width and height are clamped like the query's."""
    sent: list[tuple[int, int]] = []

    class Service:
        async def set_terminal_size(self, width: int, height: int) -> None:
            sent.append((width, height))

    class Message:
        def __init__(self, data: str) -> None:
            self.type, self.data = aiohttp.WSMsgType.TEXT, data

    class Socket:
        def __init__(self, messages: list[str]) -> None:
            self.messages = messages

        def __aiter__(self) -> Any:
            return self._messages()

        async def _messages(self) -> Any:
            for data in self.messages:
                yield Message(data)

    server = serving.GuardedServer(["true"], host="127.0.0.1", port=8000, title="t", public_url="http://127.0.0.1:8000",
                                   max_sessions=1)
    messages = ['["resize", {"width": 4000, "height": 4000}]', '["resize", {"width": -1, "height": "x"}]',
                '["resize", {"width": 1e400, "height": null}]', "not json", "[]", '["resize", 5]',
                '["stdin", 5]', '["resize", {"width": 120, "height": 40}]']
    asyncio.run(server._process_messages(Socket(messages), Service()))  # type: ignore[arg-type]
    assert sent == [(500, 200), (20, 24), (80, 24), (120, 40)]


# -- starting -----------------------------------------------------------------------------------------


def test_a_port_in_use_or_a_bad_host_is_a_message_not_a_traceback(mini_db: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--db", str(mini_db), "--port", str(port)])
        assert result.exit_code == 2, result.output
        assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
        assert "serving" not in result.stdout and "Traceback" not in result.output
    for host, said in (("nosuch.invalid", "does not resolve"), ("192.0.2.7", "not an address of this machine")):
        result = CliRunner().invoke(main, ["serve", "--db", str(mini_db), "--host", host, "--port", str(free_port())])
        assert result.exit_code == 2 and said in result.stderr, result.output
        assert "serving" not in result.stdout and "Traceback" not in result.output
    for url in ("ftp://127.0.0.1:9000", "127.0.0.1:9000", "http://", "http://127.0.0.1:99999"):
        result = CliRunner().invoke(main, ["serve", "--db", str(mini_db), "--public-url", url,
                                           "--port", str(free_port())])
        assert result.exit_code == 2 and "--public-url" in result.stderr, (url, result.output)
