"""Commands that hand the knowledge base to others: export to files, serve the app to browsers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

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


@click.command(cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets other machines in, with no password.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--public-url", metavar="URL",
              help="The address browsers use to reach the server, when it differs (a proxy, a forwarded port).")
@click.option("--max-sessions", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="How many browser tabs may run the app at once (each runs a process of its own).")
@db_option
@corpus_option
def serve(host: str, port: int, public_url: str | None, max_sessions: int, db_path: Path | None,
          corpus: Path | None) -> None:
    """Serve the app to a web browser (textual-serve); each browser tab runs its own app."""
    from claimscope.tui.cli import serving

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
    try:
        serving.public_origin(public_url)
        # Before saying "serving": a port in use or a host that does not resolve is a message, not a traceback.
        serving.check_listen(host.strip("[]"), port)
    except serving.ServeError as error:
        fail(str(error), 2)
    if not serving.is_loopback(host):
        click.echo(f"claimscope: WARNING: listening on {host}: anyone who can reach port {port} can use the app "
                   "and read the knowledge base; there is no authentication.", err=True)
    click.echo(f"claimscope: serving {path} at {public_url}/ (at most {max_sessions} sessions; Ctrl+C stops)")
    server = serving.GuardedServer(command, host=host.strip("[]"), port=port, title="claimscope",
                                   public_url=public_url, max_sessions=max_sessions)
    try:
        server.serve()
    except OSError as error:  # taken between the check and the server's own bind
        fail(f"cannot listen on {host} port {port}: {error.strerror or error}", 2)


@click.command(cls=Command)
@click.option("--format", "export_format", type=click.Choice(["json", "csv", "stix"]), default="json",
              show_default=True, help="json: one document; csv: one file per table; stix: a STIX 2.1 bundle.")
@click.option("--output", "-o", metavar="PATH",
              help="File to write (default, or -: standard output); for csv a folder, or a file ending in .zip.")
@click.option("--entity", "entities", metavar="ID_OR_NAME", multiple=True, shell_complete=complete_entity,
              help="Export this entity's neighbourhood only (an id or a name; repeatable).")
@click.option("--where", metavar="SQL", help="Export the neighbourhood of the entities this SQL condition matches, "
                                             "e.g. \"kind = 'group'\" (one expression; it may read the knowledge "
                                             "tables only, for 10 s at most).")
@click.option("--depth", type=click.IntRange(0, 100), default=1, show_default=True,
              help="How many claim links away from the chosen entities to go.")
@click.option("--csv-formulas", is_flag=True,
              help="csv: leave cells that begin with = + - @ as they are (by default they get a leading ', "
                   "so that a spreadsheet does not run them as formulas).")
@db_option
@corpus_option
def export(export_format: str, output: str | None, entities: tuple[str, ...], where: str | None, depth: int,
           csv_formulas: bool, db_path: Path | None, corpus: Path | None) -> None:
    """Export the knowledge base, or a neighbourhood of it, as JSON, CSV or STIX 2.1."""
    import os
    import shlex
    import sqlite3
    from contextlib import nullcontext

    from claimscope.api import NotFound
    from claimscope.db.export import (
        ExportError,
        Scope,
        UnreadableKnowledgeBase,
        atomic_file,
        describe_counts,
        export_csv,
        export_target,
        is_damage,
        neighbourhood,
        write_json,
    )

    path = None if output is None or output == "-" else Path(output)
    # A trailing / says a folder was meant: csv writes one whatever its name, json and stix refuse it.
    as_folder = True if output is not None and path is not None and output.endswith(("/", os.sep)) else None
    if export_format == "csv" and path is None:
        fail("--format csv needs --output DIR (a folder) or --output FILE.zip; it cannot go to standard output", 2)
    if export_format != "csv" and as_folder:
        fail(f"--output {output} ends in /: give a file name for --format {export_format}", 2)
    if csv_formulas and export_format != "csv":
        fail("--csv-formulas applies to --format csv only", 2)
    context = click.get_current_context()
    depth_given = context.get_parameter_source("depth") != click.core.ParameterSource.DEFAULT
    if depth_given and not entities and where is None:
        fail("--depth needs --entity or --where: without them the whole knowledge base is exported", 2)
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        kb_path = Path(knowledge_base.path)

        def unreadable(error: Exception, written: str = "") -> NoReturn:
            """The file turned out damaged, or not the knowledge base it claims to be: say so, as ``show`` does."""
            advice = ""
            if isinstance(error, UnreadableKnowledgeBase) or (isinstance(error, sqlite3.Error) and is_damage(error)):
                rebuild = f"claimscope build --db {shlex.quote(str(kb_path))}"
                advice = f"; it may be damaged or cut short: rebuild it with `{rebuild}`"
            fail(f"{kb_path}: the knowledge base cannot be exported ({error}){advice}{written}", 2)

        target = None
        if path is not None:
            try:
                folder = export_format == "csv" and (as_folder or path.suffix.lower() != ".zip")
                target, note = export_target(path, folder=folder)
            except ExportError as error:
                fail(str(error), error.status)
            if target.resolve() == kb_path.resolve():
                fail(f"{output} is the knowledge base itself; give another --output", 2)
            if note:
                click.echo(f"claimscope: {note}", err=True)
        ids = []
        for id_or_name in entities:
            try:
                ids.append(knowledge_base.ref(id_or_name).id)
            except NotFound as error:
                fail(str(error))
        connection = knowledge_base.store.connection
        try:
            selection = neighbourhood(connection, ids, where, depth) if ids or where is not None else None
            scope = Scope(connection, selection)
        except UnreadableKnowledgeBase as error:
            unreadable(error)
        except ExportError as error:
            fail(str(error), error.status)
        except sqlite3.DatabaseError as error:
            unreadable(error)
        kept = ""
        if target is not None:
            kept = f"; {output} was left as it was" if target.exists() else f"; {output} was not written"
        try:
            if export_format == "csv":
                assert target is not None
                counts = export_csv(scope, target, guard_formulas=not csv_formulas, folder=as_folder)
            else:
                with atomic_file(target) if target else nullcontext(sys.stdout) as handle:
                    if export_format == "json":
                        counts = write_json(scope, handle)
                    else:
                        from claimscope.db.stix import write_stix

                        counts = write_stix(scope, handle, kb_path)
            summary = describe_counts(counts, scope)  # while the knowledge base is open
        except UnreadableKnowledgeBase as error:
            unreadable(error, kept or "; what was written to standard output is incomplete")
        except ExportError as error:
            fail(str(error), error.status)
        except BrokenPipeError:
            quiet_broken_pipe()
        except OSError as error:
            fail(f"cannot write {output if target else 'standard output'}: {error}"
                 f"{kept or '; the export is incomplete'}", 2)
        except sqlite3.DatabaseError as error:
            unreadable(error, kept or "; what was written to standard output is incomplete")
    if target is not None:
        click.echo(f"exported {summary} to {output}")
