"""Commands for curators: check and build from seed files, print a source's locators, import and remove notes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimscope.tui.cli.common import (
    Command,
    Stages,
    corpus_option,
    corpus_or_default,
    db_option,
    fail,
    given_on_command_line,
    print_problems,
    write_failure,
)

if TYPE_CHECKING:
    from claimscope.db.append import Removal
    from claimscope.seed.loader import Coverage


@click.command(cls=Command)
@click.option("--seed", "seed_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Seed folder (default: the shipped one).")
@click.option("--mentions", is_flag=True, help="List the entities a source names without evidence about them.")
@corpus_option
@db_option
def check(seed_dir: Path | None, mentions: bool, corpus: Path | None, db_path: Path | None) -> None:
    """Validate the seed files against the corpus; exit non-zero on any problem."""
    from claimscope.seed.loader import default_seed_dir, load_seed

    if given_on_command_line(click.get_current_context(), "db_path"):
        fail(f"check validates seed files (--seed) against the corpus and reads no knowledge base, so --db "
             f"{db_path} would be ignored; drop --db", 2)

    corpus_dir = corpus_or_default(corpus)
    seed_dir = seed_dir or default_seed_dir()
    result = load_seed(seed_dir, corpus_dir, require_corpus=True)
    print_problems([*result.problems, *result.uncited_sentences])
    records = result.records
    if records is not None:
        kinds: dict[str, int] = {}
        for entity in records.entities:
            kinds[entity.kind] = kinds.get(entity.kind, 0) + 1
        resolved = sum(1 for e in records.evidence if e.start is not None)
        click.echo(
            f"{len(records.sources)} sources, {len(records.entities)} entities "
            f"({', '.join(f'{count} {kind}' for kind, count in sorted(kinds.items()))}), "
            f"{len(records.aliases)} aliases, {len(records.predicates)} predicates, {len(records.claims)} claims, "
            f"{len(records.evidence)} pieces of evidence, {resolved}/{len(records.evidence)} locators resolved, "
            f"{result.anaphora} anaphora annotations"
        )
        unevidenced: dict[str, int] = {}
        for mention in result.mentions:
            unevidenced[mention.source_id] = unevidenced.get(mention.source_id, 0) + 1
        for coverage in result.coverage:
            share = 100 * coverage.cited / coverage.paragraphs if coverage.paragraphs else 0
            named = _count(unevidenced.get(coverage.source_id, 0), "entity", "entities")
            click.echo(f"  {coverage.source_id}: {coverage.cited}/{coverage.paragraphs} paragraphs cited"
                       f" ({share:.0f}%); {named} named without evidence")
            click.echo(f"    {_sentence_coverage(coverage)}")
        if mentions and result.mentions:
            click.echo("entities a source names that no claim citing that source is about:")
            for mention in result.mentions:
                paragraphs = ", ".join(str(number) for number in mention.paragraphs)
                click.echo(f"  {mention.source_id}: {mention.entity_id} (as {mention.alias!r}) in ¶ {paragraphs}")
        if result.curator_notes:
            click.echo(f"curators' notes ({len(result.curator_notes)}; kept in the seed files, not in the knowledge "
                       "base):")
            for note in result.curator_notes:
                click.echo(f"  {_seed_relative(note.file, seed_dir)}:{note.line} {note.record}: {note.text}")
    errors, warnings = len(result.errors), len(result.warnings) + len(result.uncited_sentences)
    if errors:
        fail(f"check failed: {_count(errors, 'error')}, {_count(warnings, 'warning')} in "
             f"{_count(result.files, 'file')}")
    click.echo(f"check passed: {_count(warnings, 'warning')} in {_count(result.files, 'file')}, corpus {corpus_dir}")


def _sentence_coverage(coverage: Coverage) -> str:
    """One source's sentences: how many are cited, skipped on purpose (by reason), and neither."""
    reasons: dict[str, int] = {}
    for _, _, reason in coverage.skipped:
        reasons[reason] = reasons.get(reason, 0) + 1
    share = 100 * coverage.sentences_cited / coverage.sentences if coverage.sentences else 0
    why = f" ({', '.join(f'{count} {reason}' for reason, count in sorted(reasons.items()))})" if reasons else ""
    return (f"{coverage.sentences_cited}/{coverage.sentences} sentences cited ({share:.0f}%), "
            f"{len(coverage.skipped)} skipped on purpose{why}, {len(coverage.uncited_sentences)} neither")


def _seed_relative(file: str, seed_dir: Path) -> str:
    """A seed file's path relative to the seed folder, when it lies inside it."""
    try:
        return str(Path(file).resolve().relative_to(seed_dir.resolve()))
    except ValueError:
        return file


@click.command(cls=Command)
@click.option("--seed", "seed_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Seed folder (default: the shipped one).")
@click.option("--force", is_flag=True, help="Replace a knowledge base even if it holds imports.")
@corpus_option
@db_option
def build(seed_dir: Path | None, corpus: Path | None, db_path: Path | None, force: bool) -> None:
    """Build the knowledge base from seed files (atomically: a failed build changes nothing)."""
    from claimscope.db.files import UnusableFile, write_target
    from claimscope.db.queries import built_imports, imported_sources
    from claimscope.seed.knowledge_base import BuildFailed, default_db_path
    from claimscope.seed.knowledge_base import build as build_knowledge_base
    from claimscope.seed.loader import default_seed_dir

    try:
        target, note = write_target(db_path or default_db_path())
    except UnusableFile as error:
        fail(str(error), 2)
    if note:
        click.echo(f"claimscope: {note}", err=True)
    if built_imports(target) and not force:
        sources = imported_sources(target)
        held = (f"{sources} imported source(s), with what they added," if sources else
                "spellings that earlier imports merged into the seed's entities (their sources were removed since)")
        fail(f"{target} holds {held} that a build from the seed files would drop; "
              "build into another file with --db, or give --force")
    corpus_dir = corpus_or_default(corpus)
    try:
        result = build_knowledge_base(target, seed_dir or default_seed_dir(), corpus_dir)
    except BuildFailed as failure:
        print_problems(failure.result.problems)
        fail(f"build failed: {len(failure.result.errors)} errors; {target} was not changed")
    except (OSError, sqlite3.Error) as error:
        fail(f"build failed: {write_failure(error)}; {target} was not changed")
    print_problems(result.warnings)
    records = result.records
    assert records is not None
    click.echo(f"built {target}: {len(records.entities)} entities, {len(records.claims)} claims, "
               f"{len(records.evidence)} pieces of evidence")


@click.command("import", cls=Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the files against the knowledge base; write nothing.")
@click.option("--replace", is_flag=True,
              help="Put this version of sources imported before in place of the old one (its evidence and the "
                   "claims only it supports go first).")
@corpus_option
@db_option
def import_(paths: tuple[Path, ...], dry_run: bool, replace: bool, corpus: Path | None, db_path: Path | None) -> None:
    """Add your own sources, entities and claims (seed-format YAML files or folders) to a knowledge base.

    Evidence may be anchored by an exact quote of your text instead of a paragraph number.
    What the files add is written into the knowledge base in place, in one transaction: on any
    error nothing is written.
    """
    from claimscope.db.dump import DumpError
    from claimscope.db.files import UnusableFile
    from claimscope.seed.importer import STAGES, import_files

    db_path = _writable_default(db_path, corpus, announce=not dry_run or replace)
    try:
        with Stages(STAGES) as stages:
            result = import_files(db_path, list(paths), corpus_or_default(corpus), dry_run=dry_run, stage=stages,
                                  replace=replace)
    except (DumpError, UnusableFile) as error:
        fail(str(error), 2)
    except (OSError, sqlite3.Error) as error:
        fail(f"import failed: {write_failure(error)}; {db_path} was not changed")
    except KeyboardInterrupt as interrupt:
        fail(_interrupted("import", db_path, interrupt), 130)
    print_problems(result.problems)
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        fail(f"import failed: {_count(errors, 'error')}, {_count(warnings, 'warning')} in "
             f"{_count(result.files, 'file')}; {db_path} was not changed")
    added = result.added
    summary = (f"{_count(added['sources'], 'source')}, {_count(added['entities'], 'new entity', 'new entities')} "
               f"and {added['merged']} merged into an existing one, {_count(added['aliases'], 'alias', 'aliases')}, "
               f"{_count(added['claims'], 'new claim')} (and {added['corroborated']} already there, now with more "
               f"evidence), {_count(added['evidence'], 'piece', 'pieces')} of evidence "
               f"({added['quotes']} anchored by quote)")
    if result.updated:
        summary += f"; updated {', '.join(result.updated)} (defined again by the files)"
    for coverage in result.coverage:
        summary += f"\n  {coverage.source_id}: {coverage.cited}/{coverage.paragraphs} paragraphs cited"
    prefix = ""
    if result.removed is not None and result.removed.sources:
        prefix = f"{_removal(result.removed, 'would replace' if dry_run else 'replaced')}; then "
    elif result.removed is not None:
        prefix = f"nothing {'would be ' if dry_run else ''}replaced (no source the files define was in the " \
                 "knowledge base); "
    if dry_run:
        click.echo(f"check passed ({warnings} warnings); {prefix}would import {summary}; nothing written")
    else:
        click.echo(f"imported into {db_path}: {prefix}{summary}")


@click.command("remove", cls=Command)
@click.argument("source_ids", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Say what would be removed; write nothing.")
@click.option("--force", is_flag=True, help="Remove a source of the shipped seed too.")
@corpus_option
@db_option
def remove(source_ids: tuple[str, ...], dry_run: bool, force: bool, corpus: Path | None,
           db_path: Path | None) -> None:
    """Remove imported sources, the claims only they support and the imported entities left with no claim.

    Other sources' evidence, spellings merged into other entities and entities of the seed
    stay. One transaction: all of it or nothing. Sources of the shipped seed need --force.
    """
    from claimscope.db.dump import DumpError
    from claimscope.db.files import UnusableFile
    from claimscope.seed.importer import remove_imported

    db_path = _writable_default(db_path, corpus, announce=True)
    try:
        result = remove_imported(db_path, list(source_ids), force=force, dry_run=dry_run)
    except (DumpError, UnusableFile) as error:
        fail(str(error), 2)
    except (OSError, sqlite3.Error) as error:
        fail(f"remove failed: {write_failure(error)}; {db_path} was not changed")
    except KeyboardInterrupt as interrupt:
        fail(_interrupted("removal", db_path, interrupt), 130)
    print_problems(result.problems)
    if result.problems:
        fail(f"remove failed: {_count(len(result.problems), 'error')}; {db_path} was not changed")
    if dry_run:
        click.echo(f"{_removal(result.removal, 'would remove')}; nothing written")
    else:
        click.echo(f"{_removal(result.removal, 'removed')} from {db_path}")


def _interrupted(what: str, db_path: Path, interrupt: KeyboardInterrupt) -> str:
    """What an interrupted (Ctrl-C) import or removal left: one transaction, so all of it or nothing."""
    written = getattr(interrupt, "written", None)
    if written is True:
        return f"{what} interrupted after it was written: {db_path} holds the whole {what} (`claimscope sources`)"
    if written is False:
        return f"{what} interrupted: {db_path} was not changed"
    return (f"{what} interrupted: {db_path} is as it was, or holds the whole {what} if it had been written "
            "(one transaction; `claimscope sources` shows which)")


def _writable_default(db_path: Path | None, corpus: Path | None, announce: bool) -> Path:
    """The knowledge base to change: ``--db``, else the default one (built first if need be), checked writable."""
    from claimscope.db.files import UnusableFile, write_target

    if db_path is None:
        from claimscope.seed.knowledge_base import BuildFailed, ensure_default

        try:
            db_path = ensure_default(corpus_or_default(corpus))
        except (BuildFailed, OSError, sqlite3.Error, UnusableFile) as error:
            fail(f"cannot prepare the default knowledge base: {write_failure(error)}; give --db PATH")
    if announce:
        try:
            _, note = write_target(db_path)
        except UnusableFile as error:
            fail(str(error), 2)
        if note:
            click.echo(f"claimscope: {note}", err=True)
    return db_path


def _removal(removal: Removal, verb: str) -> str:
    """What a removal took out, in a line: ``removed test-note-8: 6 claims ...``."""
    supporters = "it" if len(removal.sources) == 1 else "they"
    text = (f"{verb} {', '.join(removal.sources)}: {_count(len(removal.claims), 'claim')} only {supporters} "
            f"supported, {_count(removal.evidence, 'piece', 'pieces')} of evidence "
            f"({_count(removal.kept, 'claim keeps', 'claims keep')} other sources), "
            f"{_count(removal.passages, 'indexed sentence')}, {_count(len(removal.entities), 'entity', 'entities')}")
    if removal.entities:
        shown = ", ".join(removal.entities[:8]) + (f" and {len(removal.entities) - 8} more"
                                                   if len(removal.entities) > 8 else "")
        text += f" ({shown})"
    return text


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"
