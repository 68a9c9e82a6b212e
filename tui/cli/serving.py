"""textual-serve's server, held to what `claimscope serve` promises: its own address only, a few sessions, no strays.

textual-serve answers any ``Host`` and any websocket ``Origin``, starts an app process for every
websocket, at any size, and waits without end for a process that does not quit. Here:

- a request must name the server (``Host``) by the address it listens on or by ``--public-url``'s,
  so that a page of another site cannot reach it through a name it points at 127.0.0.1 (DNS
  rebinding); a request from a page (``Origin``) must come from the served page's own origin;
- at most ``max_sessions`` apps run at once; the page and the websocket say so past that;
- the terminal's size is clamped; a session's process is asked to quit when its browser goes,
  then terminated, then killed;
- ``check_listen`` finds a port in use, or a host that does not resolve, before anything is served.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import logging
import shlex
import socket
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, hdrs, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

__all__ = ["HEIGHTS", "WIDTHS", "GuardedServer", "ServeError", "check_listen", "is_loopback", "public_origin"]

log = logging.getLogger("textual-serve")

#: The terminal sizes a browser may ask for (columns, rows); a size outside is brought inside.
WIDTHS = (20, 500)
HEIGHTS = (10, 200)
#: Seconds a session's app has to quit when asked, then to end when terminated, before it is killed.
QUIT_GRACE = 2.0
TERMINATE_GRACE = 3.0

_WILDCARDS = ("0.0.0.0", "::", "")
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ServeError(Exception):
    """The server cannot run as asked; the message says why and what to give instead."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``): only this machine can reach it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def public_origin(url: str) -> tuple[str, str, int]:
    """The scheme, host name and port of ``--public-url``.

    Raises:
        ServeError: for anything but an http:// or https:// address with a host.
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or port == -1:
        raise ServeError(f"--public-url {url!r} is not an http:// or https:// address, "
                         "such as http://127.0.0.1:9000")
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def _host_headers(name: str, port: int, default_port: int) -> set[str]:
    """How a browser writes ``name``:``port`` in a Host header (no port when it is the scheme's own)."""
    shown = f"[{name}]" if ":" in name else name
    return {f"{shown}:{port}"} | ({shown} if port == default_port else set())


def check_listen(host: str, port: int) -> None:
    """Bind every address ``host`` resolves to, at ``port``, as the server will, and let go at once.

    Raises:
        ServeError: the name does not resolve, the port is taken or not permitted, the address
            is not this machine's.
    """
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ServeError(f"cannot listen on {host}: the name does not resolve ({error.strerror}); "
                         "give --host an address of this machine") from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, protocol, _, address in addresses:
            listener = socket.socket(family, kind, protocol)
            sockets.append(listener)
            # As asyncio's create_server does, so that the answer here is the server's.
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                listener.bind(address)
            except OSError as error:
                raise ServeError(_bind_failure(host, port, error)) from None
    finally:
        for listener in sockets:
            listener.close()


def _bind_failure(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; give another --port"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; give --host one of its addresses (default 127.0.0.1)"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"port {port} on {host} is not permitted to this user; give a --port above 1023"
    return f"cannot listen on {host} port {port}: {error.strerror or error}"


def _clamp(value: object, bounds: tuple[int, int], default: int) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default
    return max(bounds[0], min(bounds[1], number))


class GuardedAppService(AppService):
    """One session's app, started without a shell, and ended for certain when its session ends."""

    def __init__(self, argv: Sequence[str], **options: Any) -> None:
        super().__init__(shlex.join(argv), **options)
        self.argv = list(argv)
        self._ending: asyncio.Future[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        # No shell between the server and the app: the process ended is the app itself.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=environment,
        )
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit; terminate it, then kill it, if it does not. Safe to call more than once."""
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        process, task = self._process, self._task
        if process is None:
            return
        if task is not None and process.returncode is None:
            with suppress(Exception):
                await asyncio.wait_for(self._download_manager.cancel_app_downloads(self.app_service_id), QUIT_GRACE)
            with suppress(Exception):
                # Writing to an app that reads nothing would wait as long as the app.
                await asyncio.wait_for(self.send_meta({"type": "quit"}), QUIT_GRACE)
        for signal_it, grace in ((None, QUIT_GRACE), (process.terminate, TERMINATE_GRACE), (process.kill, None)):
            if signal_it is not None:
                with suppress(ProcessLookupError):
                    signal_it()
            try:
                await asyncio.wait_for(process.wait(), grace)
                break
            except TimeoutError:
                continue
        if task is not None:
            try:
                await asyncio.wait_for(task, QUIT_GRACE)  # its output ends with the process
            except TimeoutError:
                task.cancel()
            self._task = None


class GuardedServer(Server):
    """textual-serve's Server with checks on every request and on every session (see the module docstring)."""

    def __init__(self, argv: Sequence[str], *, host: str, port: int, public_url: str, title: str,
                 max_sessions: int) -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title=title, public_url=public_url)
        self.argv = list(argv)
        self.max_sessions = max_sessions
        self.sessions: dict[web.WebSocketResponse, GuardedAppService | None] = {}
        bound = host.strip("[]").lower()
        hosts: set[str] = set()
        if bound not in _WILDCARDS:
            hosts |= _host_headers(bound, port, 80)
        if is_loopback(bound):
            for name in _LOOPBACK_NAMES:
                hosts |= _host_headers(name, port, 80)
        origins = {f"http://{name}" for name in hosts}
        scheme, public_host, public_port = public_origin(public_url)
        public_hosts = _host_headers(public_host, public_port, _DEFAULT_PORTS[scheme])
        #: The Host headers answered: the address listened on (and loopback's names), and --public-url's.
        self.hosts = frozenset(hosts | public_hosts)
        #: The origins a page may open the websocket from: the served page's own.
        self.origins = frozenset(origins | {f"{scheme}://{name}" for name in public_hosts})

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()

        @web.middleware
        async def check_request(request: web.Request,
                                handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
            refusal = self.refusal(request.headers.get(hdrs.HOST), request.headers.get(hdrs.ORIGIN))
            if refusal:
                log.warning("refused a request: %s", refusal)  # its path is the sender's text: not shown
                return web.Response(status=403, text=f"claimscope: {refusal}\n")
            return await handler(request)

        app.middlewares.append(check_request)
        app.on_shutdown.append(self._end_sessions)
        return app

    def refusal(self, host: str | None, origin: str | None) -> str | None:
        """Why a request with these ``Host`` and ``Origin`` headers is refused; None when it is not."""
        if host is None or host.strip().lower() not in self.hosts:
            return ("this server answers only to its own address; a browser that reaches it by another "
                    "name needs `claimscope serve --public-url`")
        # Browsers send Origin with a websocket and with requests from scripts: only the page's own passes.
        if origin is not None and origin.strip().lower().rstrip("/") not in self.origins:
            return "requests from other sites' pages are refused"
        return None

    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def _full_message(self) -> str:
        return (f"claimscope: all {self.max_sessions} sessions are in use (--max-sessions); close another tab "
                "or try again later.")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if self.full():
            return web.Response(status=503, text=self._full_message() + "\n")
        response: web.StreamResponse = await super().handle_index(request)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with a cap on sessions, a clamped size and an app that always ends."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.full():
            # Shown in the browser's terminal, before the page says the session ended.
            await websocket.send_bytes((self._full_message() + "\r\n").encode("utf-8"))
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too many sessions")
            return websocket
        self.sessions[websocket] = None  # counted before the first await: no race past the cap
        width = _clamp(request.query.get("width"), WIDTHS, 80)
        height = _clamp(request.query.get("height"), HEIGHTS, 24)
        service: GuardedAppService | None = None
        try:
            service = GuardedAppService(
                self.argv, write_bytes=websocket.send_bytes, write_str=websocket.send_str, close=websocket.close,
                download_manager=self.download_manager, debug=self.debug,
            )
            self.sessions[websocket] = service
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
            raise
        except Exception as error:  # a session's failure must not end the server
            log.error("session ended by an error: %r", error)
        finally:
            try:
                if service is not None:
                    await service.stop()
            finally:
                self.sessions.pop(websocket, None)
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """Pass the browser's keys, sizes (clamped) and focus to the app; ignore what is not a message of these."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, payload = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(payload, str):
                await app_service.send_bytes(payload.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(payload, dict):
                await app_service.set_terminal_size(_clamp(payload.get("width"), WIDTHS, 80),
                                                    _clamp(payload.get("height"), HEIGHTS, 24))
            elif kind == "ping":
                await websocket.send_json(["pong", payload])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def _end_sessions(self, _app: web.Application) -> None:
        """On shutdown: close every browser's websocket and end every app."""
        sessions = list(self.sessions.items())
        for websocket, _ in sessions:
            with suppress(Exception):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
        await asyncio.gather(*(service.stop() for _, service in sessions if service is not None),
                             return_exceptions=True)
