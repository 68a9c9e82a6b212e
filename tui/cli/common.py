"""What every command shares: the knowledge-base and corpus options, errors, and output.

Output goes to a terminal as rich tables and wrapped text; to a pipe or a file as one line
per row with tab-separated columns and nothing wrapped, so that ``grep``, ``cut`` and
``sort`` work on it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

if TYPE_CHECKING:
    from claimscope.api import KnowledgeBase

KINDS = ("group", "outlet", "person", "place", "event")


def fail(message: str, status: int = 1) -> NoReturn:
    """Print ``claimscope: message`` on standard error and exit with ``status``."""
    from claimscope.tui.text import clean

    click.echo(f"claimscope: {clean(message)}", err=True)
    sys.exit(status)


def write_failure(error: BaseException) -> str:
    """Why writing failed, in words: a full disk said as such (SQLite and the OS say it differently)."""
    import errno

    if getattr(error, "errno", None) == errno.ENOSPC or "disk is full" in str(error) or "No space left" in str(error):
        return "no space left on the device"
    return str(error)


def print_problems(problems: Iterable[Any]) -> None:
    from claimscope.tui.text import clean

    for problem in problems:
        click.echo(clean(str(problem)), err=True)


# -- options that may stand before the command or after it ------------------------------------

_PRECEDENCE = {ParameterSource.COMMANDLINE: 0, ParameterSource.PROMPT: 0, ParameterSource.ENVIRONMENT: 1,
               ParameterSource.DEFAULT_MAP: 2, ParameterSource.DEFAULT: 3}


#: The options a user may give before the command as well as after it.
GROUP_OPTIONS = ("db_path", "corpus")


def _merge_with_group(context: click.Context) -> None:
    """An option given before the command applies exactly as if given after it.

    Given in both places with different values, it is refused: which one the user meant
    cannot be guessed, and answering from the wrong knowledge base is the worst outcome.
    """
    group = context.parent
    if group is None:
        return
    for name in GROUP_OPTIONS:
        if name not in group.params:
            continue
        if name not in context.params:
            if group.get_parameter_source(name) == ParameterSource.COMMANDLINE:
                flag = next(p.opts[0] for p in group.command.params if p.name == name)
                raise click.UsageError(f"{flag} does not apply to {context.info_name}; drop it", context)
            continue
        own_source = context.get_parameter_source(name) or ParameterSource.DEFAULT
        group_source = group.get_parameter_source(name) or ParameterSource.DEFAULT
        value, group_value = context.params[name], group.params[name]
        if own_source == group_source == ParameterSource.COMMANDLINE and value != group_value:
            flag = next(p.opts[0] for p in context.command.params if p.name == name)
            raise click.UsageError(
                f"{flag} is given twice, as {group_value} before the command and as {value} after it; give it once",
                context,
            )
        if _PRECEDENCE[group_source] < _PRECEDENCE[own_source]:
            context.params[name] = group_value


class Command(click.Command):
    """A command whose --db and --corpus may also stand before its name, to the same effect."""

    def invoke(self, ctx: click.Context) -> Any:
        # By now click has recorded where each value came from (typed, environment, default).
        _merge_with_group(ctx)
        return super().invoke(ctx)


def refuse_repeated_options(args: list[str], context: click.Context) -> None:
    """--db or --corpus given twice with different values, on either side of the command, is refused.

    Click would keep the last one without a word: a script that adds ``--db`` to a line that
    already has one would then read another file than its author meant.
    """
    for flag in ("--db", "--corpus"):
        values: list[str] = []
        for index, word in enumerate(args):
            if word == "--":
                break
            if word == flag and index + 1 < len(args):
                values.append(args[index + 1])
            elif word.startswith(flag + "="):
                values.append(word.removeprefix(flag + "="))
        if len(set(values)) > 1:
            raise click.UsageError(f"{flag} is given more than once ({', '.join(values)}); give it once", context)


#: Options whose values are paths: a path may hold bytes that are not UTF-8 (Linux allows it).
PATH_OPTIONS = ("--db", "--corpus", "--output", "-o", "--seed")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def refuse_undecodable(args: list[str], context: click.Context) -> None:
    """An argument that is not UTF-8 text (a name, a query, a condition) is refused before anything runs.

    Python hands such bytes over as lone surrogates, which SQLite cannot take. Paths are
    exempt: the values of path options, and the files ``import`` is given.
    """
    command = None
    for index, word in enumerate(args):
        if word == "--":
            break
        previous = args[index - 1] if index else ""
        is_path = previous in PATH_OPTIONS or any(word.startswith(f"{option}=") for option in PATH_OPTIONS)
        if _UNDECODABLE.search(word) and not is_path and not (command == "import" and not word.startswith("-")):
            shown = word.encode("utf-8", "surrogateescape")
            raise click.UsageError(f"argument {index + 1} ({shown!r}) is not UTF-8 text; names, ids, queries "
                                   "and conditions must be UTF-8 (only paths may hold other bytes)", context)
        if command is None and not word.startswith("-") and previous not in PATH_OPTIONS:
            command = word


def given_on_command_line(context: click.Context, name: str) -> bool:
    """Whether the user typed option ``name`` (before or after the command), not took it from the environment."""
    contexts = [context, context.parent] if context.parent else [context]
    return any(c.get_parameter_source(name) == ParameterSource.COMMANDLINE for c in contexts)


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="CLAIMSCOPE_DB",
        help="Knowledge base file (default: built from the shipped seed files in the user data directory). "
             "May come before or after the command.",
    )(function)


def corpus_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), envvar="CLAIMSCOPE_CORPUS",
        help="Folder of corpus texts (default: ../shared/seeds beside a checkout, when present). "
             "May come before or after the command.",
    )(function)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def corpus_or_default(corpus: Path | None) -> Path | None:
    if corpus is not None:
        return corpus
    from claimscope.seed.corpus import default_corpus

    return default_corpus()


def open_knowledge_base(db_path: Path | None, corpus: Path | None) -> KnowledgeBase:
    """The knowledge base at ``db_path``, or the default one (built first if it must be); exits on failure."""
    from claimscope.api import KnowledgeBase
    from claimscope.db.files import UnusableFile
    from claimscope.db.queries import KnowledgeBase as Store
    from claimscope.db.queries import KnowledgeBaseError

    if db_path is None:
        from claimscope.seed.knowledge_base import BuildFailed, ensure_default

        try:
            db_path = ensure_default(corpus_or_default(corpus))
        except BuildFailed as failure:
            print_problems(failure.result.problems)
            fail("the shipped seed files do not build; see the problems above")
        except (OSError, sqlite3.Error, UnusableFile) as error:
            fail(f"cannot write the default knowledge base: {write_failure(error)}; give --db PATH")
    try:
        return KnowledgeBase(Store.open(db_path))
    except KnowledgeBaseError as error:
        fail(str(error), 2)


# -- output ------------------------------------------------------------------------------------------

# json.dumps escapes C0 controls but passes C1 controls (U+009B is a CSI to some terminals) and
# bidirectional overrides through; these are escaped too, which keeps the output valid JSON.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_text(value: Any) -> str:
    """``value`` as indented JSON that is safe to print to a terminal."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def emit_json(value: Any) -> None:
    click.echo(json_text(value))


def to_terminal() -> bool:
    """Whether standard output is a terminal (rich tables and wrapping) rather than a pipe or a file."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def console() -> Any:
    """A rich console for standard output: wrapped to a terminal's width, never wrapped into a pipe."""
    from rich.console import Console

    if to_terminal():
        return Console(highlight=False, soft_wrap=False)
    return Console(highlight=False, soft_wrap=True)


def text(value: object, style: str = "") -> Any:
    """Untrusted text as a rich Text on one line (never parsed as markup)."""
    from rich.text import Text

    from claimscope.tui.text import clean_line

    return Text(clean_line("" if value is None else str(value)), style=style)


#: The width up to which a column of text is worth keeping on one line, when judging whether a table fits.
_READABLE = 24
#: A column no wider than this (a kind, a date with its precision) is never wrapped.
_SHORT = 18


def print_rows(columns: Sequence[str], rows: Iterable[Sequence[tuple[object, str]]], no_wrap: Sequence[str] = (),
               under: dict[str, str] | None = None) -> None:
    """Rows as a table to a terminal, or as tab-separated lines (no header) to a pipe.

    Each cell is ``(value, style)``; the style is used on a terminal only. Columns named in
    ``no_wrap`` (ids, which scripts and other commands take) are never cut on a terminal.
    ``under`` maps such a column to another one: when the terminal is too narrow for both
    side by side, the first is written on its own line under the second, whole.
    """
    if not to_terminal():
        from claimscope.tui.text import clean_line

        out = sys.stdout
        for row in rows:
            out.write("\t".join(clean_line("" if value is None else str(value)) for value, _ in row) + "\n")
        return
    from rich.table import Table

    out_console = console()
    materialised = [list(row) for row in rows]
    widths = [max((len(str(row[index][0] or "")) for row in materialised), default=0) for index in range(len(columns))]
    shown = list(range(len(columns)))
    moved: dict[int, int] = {}
    # Room for the ids whole, and for each other column up to a readable width?
    needed = sum((max(width, len(column)) if column in no_wrap else min(max(width, len(column)), _READABLE)) + 1
                 for width, column in zip(widths, columns, strict=True))
    if under and needed > out_console.width:
        for column, host_column in under.items():
            moved[columns.index(column)] = columns.index(host_column)
        shown = [index for index in shown if index not in moved]
    # Squeezed (ids moved under their names), the table takes the terminal's width exactly, shared by ratio.
    table = Table(box=None, pad_edge=False, expand=bool(moved))
    for index in shown:
        column = columns[index]
        guests = [guest for guest, host in moved.items() if host == index]
        if column in no_wrap:
            table.add_column(column, no_wrap=True, min_width=max(widths[index], len(column)))
        elif guests:  # wide enough for the ids it holds
            table.add_column(column, ratio=2, min_width=max(widths[guest] for guest in guests))
        elif column == "score":
            table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
        elif max(widths[index], len(column)) <= _SHORT:  # a kind, a short date: as wide as it is
            table.add_column(column, no_wrap=True)
        else:  # a long unbroken word (a claim id in a snippet) folds rather than widen the table
            table.add_column(column, ratio=1 if moved else None, overflow="fold")
    for row in materialised:
        cells = {index: text(*row[index]) for index in range(len(columns))}
        for guest, host in moved.items():
            cells[host].append("\n")
            cells[host].append_text(text(row[guest][0], row[guest][1] or "dim"))
        table.add_row(*(cells[index] for index in shown))
    out_console.print(table)


def quiet_broken_pipe() -> NoReturn:
    """The reader of standard output went away (``| head``): stop without a traceback."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(1)


class Stages:
    """A progress bar on standard error for the stages of a slow command, shown only once it is slow."""

    def __init__(self, names: tuple[str, ...], delay: float = 0.5) -> None:
        import threading

        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        err_console = Console(stderr=True)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TimeElapsedColumn(), console=err_console, transient=True)
        self.names = names
        self.task = self.progress.add_task("starting", total=len(names))
        self.timer = threading.Timer(delay, self.progress.start) if err_console.is_terminal else None

    def __enter__(self) -> Stages:
        if self.timer:
            self.timer.start()
        return self

    def __call__(self, name: str) -> None:
        done = self.names.index(name) if name in self.names else len(self.names)
        self.progress.update(self.task, description=name, completed=done)

    def __exit__(self, *_: object) -> None:
        if self.timer:
            self.timer.cancel()
            # Stopping a bar that never started would still write a blank line.
            if self.progress.live.is_started:
                self.progress.stop()
