"""The ``claimscope`` command line: the group and the app; each group of commands has a module of its own.

Only ``ui`` (and ``claimscope`` with no command) imports Textual; the other commands load
what they use and nothing else, so that a lookup is quick from a shell script.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimscope.tui.cli.common import (
    Command,
    corpus_option,
    corpus_or_default,
    db_option,
    fail,
    json_text,
    open_knowledge_base,
    refuse_repeated_options,
    refuse_undecodable,
)
from claimscope.tui.cli.completion import complete_entity, complete_source
from claimscope.tui.cli.curate import build, check, import_, remove
from claimscope.tui.cli.lookup import claim_json, claims, disputes, search, show, sources, timeline
from claimscope.tui.cli.read import cite, passages
from claimscope.tui.cli.share import export, serve

if TYPE_CHECKING:
    from claimscope.tui.messages import SourcePlace

__all__ = ["claim_json", "json_text", "main"]


class _Commands(click.Group):
    """The command group; a knowledge base found damaged mid-command is a message, not a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        refuse_repeated_options(args, ctx)
        refuse_undecodable(args, ctx)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from claimscope.db.queries import KnowledgeBaseError

        try:
            return super().invoke(ctx)
        except KnowledgeBaseError as error:
            fail(str(error), 2)


@click.group(cls=_Commands, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@corpus_option
@click.version_option(package_name="claimscope")
@click.pass_context
def main(context: click.Context, db_path: Path | None, corpus: Path | None) -> None:
    """claimscope: browse a knowledge base of claims with provenance. Without a command, open the app.

    --db and --corpus may be given before the command or after it, to the same effect.
    """
    if context.invoked_subcommand is None:
        _run_app(db_path, corpus, None)


def _run_app(db_path: Path | None, corpus: Path | None, entity: str | None, source: str | None = None) -> None:
    from claimscope.api import NotFound

    place = None
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        try:
            start_entity = knowledge_base.ref(entity).id if entity else None
        except NotFound as error:
            fail(str(error))
        if source:
            place = _source_place(source)
            if not knowledge_base.store.has_id("sources", place.source_id):
                from claimscope.seed.loader import _suggest

                hint = _suggest(place.source_id, knowledge_base.store.ids("sources"))
                fail(f"no source {place.source_id!r} in the knowledge base" + (f"; {hint}" if hint else ""))
        path = knowledge_base.path
    from claimscope.tui.app import make_app

    app = make_app(path, corpus=corpus_or_default(corpus), entity=start_entity, source=place)
    app.run()
    if app.fatal_message:
        fail(app.fatal_message, app.return_code or 2)
    if app.return_code:
        sys.exit(app.return_code)


def _source_place(text: str) -> SourcePlace:
    """``ID``, ``ID:PARAGRAPH`` or ``ID:PARAGRAPH.SENTENCE`` as a place in a source; exits when it is not one."""
    import re

    from claimscope.tui.messages import SourcePlace

    match = re.fullmatch(r"([^:]+)(?::(\d+)(?:\.(\d+))?)?", text.strip())
    if match is None:
        fail(f"--source {text!r}: expected ID, ID:PARAGRAPH or ID:PARAGRAPH.SENTENCE "
             "(e.g. lossi36-2022-false-claims:3.2)", 2)
    source_id, paragraph, sentence = match.groups()
    return SourcePlace(source_id, int(paragraph) if paragraph else None, int(sentence) if sentence else None)


@click.command(cls=Command)
@click.option("--entity", metavar="ID", shell_complete=complete_entity, help="Open at this entity (an id or a name).")
@click.option("--source", metavar="ID[:P[.S]]", shell_complete=complete_source,
              help="Open the reader on this source, at paragraph P and sentence S.")
@db_option
@corpus_option
def ui(entity: str | None, source: str | None, db_path: Path | None, corpus: Path | None) -> None:
    """Open the terminal app (at an entity, or in the reader at a place in a source)."""
    _run_app(db_path, corpus, entity, source)


@click.command(cls=Command)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the script that makes SHELL complete commands, options, and entity and source ids.

    \b
    bash: eval "$(claimscope completion bash)"    in ~/.bashrc
    zsh:  eval "$(claimscope completion zsh)"     in ~/.zshrc
    fish: claimscope completion fish > ~/.config/fish/completions/claimscope.fish
    """
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    assert completion_class is not None  # the choice admits only the shells click knows
    click.echo(completion_class(main, {}, "claimscope", "_CLAIMSCOPE_COMPLETE").source())


for _command in (ui, search, show, claims, cite, timeline, sources, disputes, check, build, passages, import_, remove,
                 export, serve, completion):
    main.add_command(_command)
