"""Shell completion of entity and source ids, from the knowledge base the command line names.

Completion reads only: it never builds the default knowledge base, and says nothing when
there is no file to read, so that a Tab key never writes or waits.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.shell_completion import CompletionItem

#: How many ids a Tab offers at most.
MAX_ITEMS = 50


def _db_path(context: click.Context) -> Path | None:
    """The --db the command line has so far (after or before the command), else CLAIMSCOPE_DB, else the default."""
    for each in (context, context.parent):
        if each is not None and each.params.get("db_path"):
            return Path(each.params["db_path"])
    # Click parses only the words before the cursor; the shell gives the whole line, where
    # --db may stand after the word being completed.
    words = _split(os.environ.get("COMP_WORDS", ""))
    for index, word in enumerate(words):
        if word == "--db" and index + 1 < len(words):
            return Path(words[index + 1]).expanduser()
        if word.startswith("--db="):
            return Path(word.removeprefix("--db=")).expanduser()
    if os.environ.get("CLAIMSCOPE_DB"):
        return Path(os.environ["CLAIMSCOPE_DB"])
    from claimscope.seed.knowledge_base import default_db_path

    return default_db_path()


def _split(line: str) -> list[str]:
    import shlex

    try:
        return shlex.split(line)
    except ValueError:  # an open quote on the line being typed
        return line.split()


def _complete(context: click.Context, table: str, incomplete: str) -> list[CompletionItem]:
    from claimscope.db.queries import KnowledgeBase, KnowledgeBaseError

    path = _db_path(context)
    if path is None or not path.is_file():
        return []
    try:
        with KnowledgeBase.open(path) as knowledge_base:
            found = knowledge_base.ids_starting(table, incomplete, MAX_ITEMS)
            if not found and table == "entities" and incomplete:
                # Not the start of an id: offer the ids of the entities the word names. Bash puts
                # the longest common start of what is offered in place of the word, which for
                # several ids is a stub ("is" for islamic-state and iskp): it gets the best one only.
                bash = os.environ.get("_CLAIMSCOPE_COMPLETE", "").startswith("bash")
                found = [(r.id, r.name) for r in knowledge_base.search(incomplete, limit=1 if bash else 10,
                                                                        text=False)]
    except (KnowledgeBaseError, OSError):
        return []
    from claimscope.tui.text import clean_line

    return [CompletionItem(item_id, help=clean_line(name)) for item_id, name in found]


def complete_entity(context: click.Context, _parameter: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Entity ids starting with what was typed, or the ids of the entities a typed name finds."""
    return _complete(context, "entities", incomplete)


def complete_source(context: click.Context, _parameter: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Source ids starting with what was typed."""
    return _complete(context, "sources", incomplete)
