"""Commands that hand the knowledge base to others: export to files, serve the app to browsers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimscope.tui.cli.common import (
    Command,
    corpus_option,
    corpus_or_default,
    db_option,
    fail,
    open_knowledge_base,
    quiet_broken_pipe,
)
from claimscope.tui.cli.completion import complete_entity


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command(cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets other machines in, with no password.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--public-url", metavar="URL",
              help="The address browsers use to reach the server, when it differs (a proxy, a forwarded port).")
@db_option
@corpus_option
def serve(host: str, port: int, public_url: str | None, db_path: Path | None, corpus: Path | None) -> None:
    """Serve the app to a web browser (textual-serve); each browser tab runs its own app."""
    import shlex

    # Resolve (and build, for the default) the knowledge base now, so that a bad file is
    # reported here and not in every browser tab.
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        path = Path(knowledge_base.path).resolve()
    corpus_dir = corpus_or_default(corpus)
    # -P: the tab's app must not import a claimscope.py (or anything else) from the folder serve runs in.
    command = [sys.executable, "-P", "-m", "claimscope", "ui", "--db", str(path)]
    if corpus_dir is not None:
        command += ["--corpus", str(corpus_dir.resolve())]
    if public_url is None:
        # The page tells the browser where the app's websocket is, so the URL must name a
        # reachable host: a wildcard address is not one.
        url_host = host.strip("[]")
        if url_host in ("0.0.0.0", "::", ""):
            import socket

            url_host = socket.gethostname()
            click.echo(f"claimscope: browsers will be sent to {url_host}; if they reach this machine by another "
                       "name, give --public-url", err=True)
        public_url = f"http://[{url_host}]:{port}" if ":" in url_host else f"http://{url_host}:{port}"
    public_url = public_url.rstrip("/")
    if not _is_loopback(host):
        click.echo(f"claimscope: WARNING: listening on {host}: anyone who can reach port {port} can use the app "
                   "and read the knowledge base; there is no authentication.", err=True)
    click.echo(f"claimscope: serving {path} at {public_url}/ (Ctrl+C stops)")
    from textual_serve.server import Server

    Server(shlex.join(command), host=host.strip("[]"), port=port, title="claimscope", public_url=public_url).serve()


@click.command(cls=Command)
@click.option("--format", "export_format", type=click.Choice(["json", "csv", "stix"]), default="json",
              show_default=True, help="json: one document; csv: one file per table; stix: a STIX 2.1 bundle.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="File to write (default: standard output); for csv a folder, or a file ending in .zip.")
@click.option("--entity", "entities", metavar="ID_OR_NAME", multiple=True, shell_complete=complete_entity,
              help="Export this entity's neighbourhood only (an id or a name; repeatable).")
@click.option("--where", metavar="SQL", help="Export the neighbourhood of the entities this SQL condition matches, "
                                             "e.g. \"kind = 'group'\".")
@click.option("--depth", type=click.IntRange(0, 100), default=1, show_default=True,
              help="How many claim links away from the chosen entities to go.")
@db_option
@corpus_option
def export(export_format: str, output: Path | None, entities: tuple[str, ...], where: str | None, depth: int,
           db_path: Path | None, corpus: Path | None) -> None:
    """Export the knowledge base, or a neighbourhood of it, as JSON, CSV or STIX 2.1."""
    from contextlib import nullcontext

    from claimscope.api import NotFound
    from claimscope.db.export import ExportError, Scope, atomic_file, export_csv, neighbourhood, write_json

    if export_format == "csv" and output is None:
        fail("--format csv needs --output DIR (a folder) or --output FILE.zip", 2)
    depth_given = click.get_current_context().get_parameter_source("depth") != click.core.ParameterSource.DEFAULT
    if depth_given and not entities and where is None:
        fail("--depth needs --entity or --where: without them the whole knowledge base is exported", 2)
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        ids = []
        for id_or_name in entities:
            try:
                ids.append(knowledge_base.ref(id_or_name).id)
            except NotFound as error:
                fail(str(error))
        if output is not None and output.resolve() == Path(knowledge_base.path).resolve():
            fail(f"{output} is the knowledge base itself; give another --output", 2)
        selection = None
        try:
            if ids or where is not None:
                selection = neighbourhood(knowledge_base.store.connection, ids, where, depth)
        except ExportError as error:
            fail(str(error), error.status)
        scope = Scope(knowledge_base.store.connection, selection)
        try:
            if export_format == "csv":
                assert output is not None
                counts = export_csv(scope, output)
            else:
                with atomic_file(output) if output else nullcontext(sys.stdout) as handle:
                    if export_format == "json":
                        counts = write_json(scope, handle)
                    else:
                        from claimscope.db.stix import write_stix

                        counts = write_stix(scope, handle, knowledge_base.path)
        except ExportError as error:
            fail(str(error), error.status)
        except BrokenPipeError:
            quiet_broken_pipe()
        except OSError as error:
            fail(f"cannot write {output or 'standard output'}: {error}; it was left as it was", 2)
    if output is not None:
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        click.echo(f"exported {summary} to {output}")
