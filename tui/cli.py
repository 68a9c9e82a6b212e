"""The ``claimscope`` command line.

Only ``ui`` (and ``claimscope`` with no command) imports Textual; the other commands load
what they use and nothing else, so that a lookup is quick from a shell script.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from claimscope.db.models import Claim, EntityRef
    from claimscope.db.queries import KnowledgeBase

KINDS = ("group", "outlet", "person", "place", "event")
_db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="CLAIMSCOPE_DB",
    help="Knowledge base file (default: built from the shipped seed files in the user data directory).",
)
_corpus_option = click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), envvar="CLAIMSCOPE_CORPUS",
    help="Folder of corpus texts (default: ../shared/seeds beside a checkout, when present).",
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")


def _fail(message: str, status: int = 1) -> NoReturn:
    from claimscope.tui.text import clean

    click.echo(f"claimscope: {clean(message)}", err=True)
    sys.exit(status)


def _corpus(corpus: Path | None) -> Path | None:
    if corpus is not None:
        return corpus
    from claimscope.seed.corpus import default_corpus

    return default_corpus()


def _open(db_path: Path | None, corpus: Path | None) -> KnowledgeBase:
    from claimscope.db.queries import KnowledgeBase, KnowledgeBaseError

    if db_path is None:
        from claimscope.seed.knowledge_base import BuildFailed, ensure_default

        try:
            db_path = ensure_default(_corpus(corpus))
        except BuildFailed as failure:
            _print_problems(failure.result.problems)
            _fail("the shipped seed files do not build; see the problems above")
        except OSError as error:
            _fail(f"cannot write the default knowledge base: {error}; give --db PATH")
    try:
        return KnowledgeBase.open(db_path)
    except KnowledgeBaseError as error:
        _fail(str(error), 2)


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _text(value: object, style: str = "") -> Any:
    """Untrusted text as a rich Text (never parsed as markup)."""
    from rich.text import Text

    from claimscope.tui.text import clean

    return Text(clean("" if value is None else str(value)), style=style)


# json.dumps escapes C0 controls but passes C1 controls (U+009B is a CSI to some terminals) and
# bidirectional overrides through; these are escaped too, which keeps the output valid JSON.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_text(value: Any) -> str:
    """``value`` as indented JSON that is safe to print to a terminal."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _emit_json(value: Any) -> None:
    click.echo(json_text(value))


def _print_problems(problems: list[Any]) -> None:
    from claimscope.tui.text import clean

    for problem in problems:
        click.echo(clean(str(problem)), err=True)


# -- the command group ---------------------------------------------------------------------


class _Commands(click.Group):
    """The command group; a knowledge base found damaged mid-command is a message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from claimscope.db.queries import KnowledgeBaseError

        try:
            return super().invoke(ctx)
        except KnowledgeBaseError as error:
            _fail(str(error), 2)


@click.group(cls=_Commands, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@_db_option
@_corpus_option
@click.version_option(package_name="claimscope")
@click.pass_context
def main(context: click.Context, db_path: Path | None, corpus: Path | None) -> None:
    """claimscope: browse a knowledge base of claims with provenance. Without a command, open the app."""
    if context.invoked_subcommand is None:
        _run_app(db_path, corpus, None)


def _run_app(db_path: Path | None, corpus: Path | None, entity: str | None) -> None:
    knowledge_base = _open(db_path, corpus)
    start_entity = None
    if entity:
        ref, results = knowledge_base.resolve(entity)
        if ref is None:
            _fail(_not_found(entity, results))
        start_entity = ref.id
    path = knowledge_base.path
    knowledge_base.close()
    from claimscope.tui.app import make_app

    app = make_app(path, corpus=_corpus(corpus), entity=start_entity)
    app.run()
    if app.fatal_message:
        _fail(app.fatal_message, app.return_code or 2)
    if app.return_code:
        sys.exit(app.return_code)


@main.command()
@click.option("--entity", metavar="ID", help="Open at this entity (an id or a name).")
@_db_option
@_corpus_option
def ui(entity: str | None, db_path: Path | None, corpus: Path | None) -> None:
    """Open the terminal app."""
    _run_app(db_path, corpus, entity)


@main.command()
@click.argument("query")
@click.option("--kind", type=click.Choice(KINDS), help="Only entities of this kind.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@_json_option
@_db_option
@_corpus_option
def search(query: str, kind: str | None, limit: int, as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """Find entities by any name, alias, acronym or transliteration (typos allowed)."""
    with _open(db_path, corpus) as knowledge_base:
        results = knowledge_base.search(query, kind=kind, limit=limit)
    if as_json:
        _emit_json([
            {"id": r.id, "kind": r.kind, "name": r.name, "score": r.score, "matched": r.matched, "weak": r.weak,
             "how": r.how}
            for r in results
        ])
        return
    if not results:
        _fail(f"nothing matches {query!r}")
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    # Ids are what scripts and `show` take: never cut them short.
    table.add_column("id", no_wrap=True, min_width=max(len(r.id) for r in results))
    for column in ("kind", "name", "matched", "score"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for r in results:
        matched = _text(r.matched + (" (weak)" if r.weak else ""), "dim" if r.matched == r.name else "")
        table.add_row(_text(r.id, "cyan"), _text(r.kind), _text(r.name, "bold"), matched, _text(f"{r.score:g}"))
    _console().print(table)


def _not_found(id_or_name: str, results: list[Any]) -> str:
    if not results:
        return f"no entity matches {id_or_name!r}"
    options = ", ".join(f"{r.id} ({r.name}, via {r.matched!r})" for r in results[:5])
    return f"{id_or_name!r} is not an id and does not name one entity clearly; candidates: {options}"


def _ref_json(ref: EntityRef | None) -> dict[str, str] | None:
    return {"id": ref.id, "kind": ref.kind, "name": ref.name} if ref else None


def claim_json(claim: Claim, direction: str) -> dict[str, Any]:
    """A claim in the documented ``--json`` shape."""
    return {
        "id": claim.id, "predicate": claim.predicate, "label": claim.label, "inverse_label": claim.inverse_label,
        "direction": direction, "subject": _ref_json(claim.subject), "object": _ref_json(claim.object),
        "value": claim.value, "unit": claim.unit, "qualifier": claim.qualifier, "value_display": claim.value_display,
        "start": claim.start, "end": claim.end, "modality": claim.modality, "claimant": _ref_json(claim.claimant),
        "statement": claim.statement, "inferred": claim.inferred, "note": claim.note, "disputed": claim.disputed,
        "evidence": [
            {
                "source": {"id": e.source.id, "title": e.source.title, "publisher": e.source.publisher,
                           "authors": list(e.source.authors), "published": e.source.published, "url": e.source.url,
                           "grade": e.source.grade},
                "paragraph": e.paragraph, "sentence": e.sentence, "start": e.start, "end": e.end,
                "grade": e.grade, "anaphora": e.anaphora,
            }
            for e in claim.evidence
        ],
    }


@main.command()
@click.argument("id_or_name")
@_json_option
@_db_option
@_corpus_option
def show(id_or_name: str, as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """Show an entity with its aliases and every claim about it, with evidence."""
    with _open(db_path, corpus) as knowledge_base:
        ref, results = knowledge_base.resolve(id_or_name)
        if ref is None:
            _fail(_not_found(id_or_name, results))
        card = knowledge_base.entity(ref.id)
    assert card is not None
    from claimscope.tui.render import card_claims, render_card

    claims = card_claims(card)
    if as_json:
        _emit_json({
            "id": card.id, "kind": card.kind, "name": card.name,
            "aliases": [{"alias": a.alias, "weak": a.weak, "note": a.note} for a in card.aliases],
            "summary": card.summary, "note": card.note, "subtype": card.subtype, "date": card.date,
            "date_display": card.date_display, "date_precision": card.date_precision,
            "date_inferred": card.date_inferred, "place": _ref_json(card.place),
            "claims": [claim_json(claim, direction) for claim, direction in claims],
        })
        return
    _console().print(render_card(card))


@main.command()
@click.option("--actor", metavar="ID", help="Only events linked to this entity by a claim (id or name).")
@click.option("--since", metavar="DATE", help="EDTF date: events that may have happened on or after it.")
@click.option("--until", metavar="DATE", help="EDTF date: events that may have happened on or before it.")
@_json_option
@_db_option
@_corpus_option
def timeline(actor: str | None, since: str | None, until: str | None, as_json: bool, db_path: Path | None,
             corpus: Path | None) -> None:
    """List dated events in date order, imprecise dates shown as what they are."""
    from claimscope.db.edtf import EDTFError, parse_edtf

    for option, value in (("--since", since), ("--until", until)):
        if value is not None:
            try:
                parse_edtf(value)
            except EDTFError as error:
                _fail(f"{option}: {error}", 2)
    with _open(db_path, corpus) as knowledge_base:
        actor_id = None
        if actor:
            ref, results = knowledge_base.resolve(actor)
            if ref is None:
                _fail(_not_found(actor, results))
            actor_id = ref.id
        events = knowledge_base.timeline(actor=actor_id, since=since, until=until)
    if as_json:
        _emit_json([
            {"id": e.id, "name": e.name, "subtype": e.subtype, "date": e.date, "date_display": e.date_display,
             "precision": e.precision, "inferred": e.inferred, "lower": e.lower, "upper": e.upper, "sort": e.sort,
             "place": _ref_json(e.place),
             "actors": [_ref_json(a) for a in e.actors]}
            for e in events
        ])
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    table.add_column("date (precision)")
    table.add_column("event")
    table.add_column("place")
    table.add_column("id", no_wrap=True, min_width=max((len(e.id) for e in events), default=2))
    for e in events:
        date = e.date_display + (" (inferred)" if e.inferred else "")
        table.add_row(_text(date), _text(e.name, "bold"), _text(e.place.name if e.place else ""),
                      _text(e.id, "cyan"))
    _console().print(table)


@main.command()
@_json_option
@_db_option
@_corpus_option
def sources(as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """List the sources with their bibliographic facts, grade, claim count and paragraph coverage."""
    with _open(db_path, corpus) as knowledge_base:
        found = knowledge_base.sources()
    if as_json:
        _emit_json([
            {"id": s.id, "title": s.title, "publisher": s.publisher, "authors": list(s.authors),
             "published": s.published, "published_display": s.published_display, "url": s.url,
             "language": s.language, "grade": s.grade, "grade_note": s.grade_note, "note": s.note,
             "unconfirmed": list(s.unconfirmed), "file": s.file, "sha256": s.sha256, "text_present": s.text_present,
             "paragraphs": s.paragraph_count, "cited_paragraphs": s.cited_paragraphs, "claims": s.claim_count,
             "evidence": s.evidence_count}
            for s in found
        ])
        return
    console = _console()
    for s in found:
        console.print(_text(f"{s.title}", "bold"))
        authors = ", ".join(s.authors) or "no byline"
        unconfirmed = f"  (unconfirmed: {', '.join(s.unconfirmed)})" if s.unconfirmed else ""
        console.print(_text(f"  {authors}; {s.publisher}; {s.published_display}{unconfirmed}"))
        console.print(_text(f"  {s.url}", "blue"))
        coverage = f"{s.cited_paragraphs}/{s.paragraph_count} paragraphs cited" if s.paragraph_count else "text absent"
        console.print(_text(f"  id {s.id}; grade {s.grade}; {s.claim_count} claims; {coverage}", "dim"))


@main.command()
@_json_option
@_db_option
@_corpus_option
def disputes(as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """List claims that disagree, side by side with their sources."""
    with _open(db_path, corpus) as knowledge_base:
        found = knowledge_base.disputes()
    if as_json:
        _emit_json([
            {"id": d.id, "subject": _ref_json(d.subject), "predicate": d.predicate, "label": d.label,
             "claims": [claim_json(claim, "outgoing") | {"reason": reason} for claim, reason in zip(d.claims, d.reasons,
                                                                                                     strict=True)]}
            for d in found
        ])
        return
    from claimscope.tui.render import claim_line, evidence_line

    console = _console()
    if not found:
        console.print("No disputes.")
    for d in found:
        console.print(_text(f"{d.subject.name}: {d.label}", "bold underline"))
        for claim in d.claims:
            console.print(claim_line(claim, "outgoing"))
            for evidence in claim.evidence:
                console.print(evidence_line(evidence))
        console.print()


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets other machines in, with no password.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--public-url", metavar="URL",
              help="The address browsers use to reach the server, when it differs (a proxy, a forwarded port).")
@_db_option
@_corpus_option
def serve(host: str, port: int, public_url: str | None, db_path: Path | None, corpus: Path | None) -> None:
    """Serve the app to a web browser (textual-serve); each browser tab runs its own app."""
    import shlex

    # Resolve (and build, for the default) the knowledge base now, so that a bad file is
    # reported here and not in every browser tab.
    with _open(db_path, corpus) as knowledge_base:
        path = Path(knowledge_base.path).resolve()
    corpus_dir = _corpus(corpus)
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


@main.command()
@click.option("--seed", "seed_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Seed folder (default: the shipped one).")
@click.option("--mentions", is_flag=True, help="List the entities a source names without evidence about them.")
@_corpus_option
@_db_option
def check(seed_dir: Path | None, mentions: bool, corpus: Path | None, db_path: Path | None) -> None:
    """Validate the seed files against the corpus; exit non-zero on any problem."""
    from claimscope.seed.loader import default_seed_dir, load_seed

    corpus_dir = _corpus(corpus)
    result = load_seed(seed_dir or default_seed_dir(), corpus_dir, require_corpus=True)
    _print_problems(result.problems)
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
            click.echo(f"  {coverage.source_id}: {coverage.cited}/{coverage.paragraphs} paragraphs cited"
                       f" ({share:.0f}%); {unevidenced.get(coverage.source_id, 0)} entities named without evidence")
        if mentions and result.mentions:
            click.echo("entities a source names that no claim citing that source is about:")
            for mention in result.mentions:
                paragraphs = ", ".join(str(number) for number in mention.paragraphs)
                click.echo(f"  {mention.source_id}: {mention.entity_id} (as {mention.alias!r}) in ¶ {paragraphs}")
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        _fail(f"check failed: {errors} errors, {warnings} warnings in {result.files} files")
    click.echo(f"check passed: {warnings} warnings in {result.files} files, corpus {corpus_dir}")


@main.command()
@click.option("--seed", "seed_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Seed folder (default: the shipped one).")
@click.option("--force", is_flag=True, help="Replace a knowledge base even if it holds imports.")
@_corpus_option
@_db_option
def build(seed_dir: Path | None, corpus: Path | None, db_path: Path | None, force: bool) -> None:
    """Build the knowledge base from seed files (atomically: a failed build changes nothing)."""
    from claimscope.db.queries import built_imports
    from claimscope.seed.knowledge_base import BuildFailed, default_db_path
    from claimscope.seed.knowledge_base import build as build_knowledge_base
    from claimscope.seed.loader import default_seed_dir

    target = db_path or default_db_path()
    imports = built_imports(target)
    if imports and not force:
        _fail(f"{target} holds {imports} import(s) that a build from the seed files would drop; "
              "build into another file with --db, or give --force")
    corpus_dir = _corpus(corpus)
    try:
        result = build_knowledge_base(target, seed_dir or default_seed_dir(), corpus_dir)
    except BuildFailed as failure:
        _print_problems(failure.result.problems)
        _fail(f"build failed: {len(failure.result.errors)} errors; {target} was not changed")
    except OSError as error:
        _fail(f"build failed: {error}; {target} was not changed")
    _print_problems(result.warnings)
    records = result.records
    assert records is not None
    click.echo(f"built {target}: {len(records.entities)} entities, {len(records.claims)} claims, "
               f"{len(records.evidence)} pieces of evidence")


class _Stages:
    """A progress bar on standard error for the stages of a slow command, shown only once it is slow."""

    def __init__(self, names: tuple[str, ...], delay: float = 0.5) -> None:
        import threading

        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TimeElapsedColumn(), console=console, transient=True)
        self.names = names
        self.task = self.progress.add_task("starting", total=len(names))
        self.timer = threading.Timer(delay, self.progress.start) if console.is_terminal else None

    def __enter__(self) -> _Stages:
        if self.timer:
            self.timer.start()
        return self

    def __call__(self, name: str) -> None:
        done = self.names.index(name) if name in self.names else len(self.names)
        self.progress.update(self.task, description=name, completed=done)

    def __exit__(self, *_: object) -> None:
        if self.timer:
            self.timer.cancel()
        self.progress.stop()


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the files against the knowledge base; write nothing.")
@_corpus_option
@_db_option
def import_(paths: tuple[Path, ...], dry_run: bool, corpus: Path | None, db_path: Path | None) -> None:
    """Add your own sources, entities and claims (seed-format YAML files or folders) to a knowledge base.

    Evidence may be anchored by an exact quote of your text instead of a paragraph number.
    Atomic: on any error nothing is written.
    """
    from claimscope.db.dump import DumpError
    from claimscope.seed.importer import STAGES, import_files

    if db_path is None:
        from claimscope.seed.knowledge_base import BuildFailed, ensure_default

        try:
            db_path = ensure_default(_corpus(corpus))
        except (BuildFailed, OSError) as error:
            _fail(f"cannot prepare the default knowledge base: {error}; give --db PATH")
    try:
        with _Stages(STAGES) as stages:
            result = import_files(db_path, list(paths), _corpus(corpus), dry_run=dry_run, stage=stages)
    except DumpError as error:
        _fail(str(error), 2)
    except OSError as error:
        _fail(f"import failed: {error}; {db_path} was not changed")
    _print_problems(result.problems)
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        _fail(f"import failed: {errors} errors, {warnings} warnings in {result.files} files; "
              f"{db_path} was not changed")
    added = result.added
    summary = (f"{added['sources']} sources, {added['entities']} entities ({added['merged']} merged into existing "
               f"ones), {added['aliases']} aliases, {added['claims']} claims (and {added['corroborated']} that "
               f"were already there, now with more evidence), {added['evidence']} pieces of evidence "
               f"({added['quotes']} anchored by quote)")
    for coverage in result.coverage:
        summary += f"\n  {coverage.source_id}: {coverage.cited}/{coverage.paragraphs} paragraphs cited"
    if dry_run:
        click.echo(f"check passed ({warnings} warnings); would import {summary}; nothing written")
    else:
        click.echo(f"imported into {db_path}: {summary}")


@main.command()
@click.argument("source_id")
@click.option("--seed", "seed_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Seed folder (default: the shipped one).")
@_corpus_option
def passages(source_id: str, seed_dir: Path | None, corpus: Path | None) -> None:
    """Print a source text's numbered paragraphs and sentences (the locators), for curators."""
    from claimscope.seed.corpus import load_corpus_text
    from claimscope.seed.loader import default_seed_dir, seed_files
    from claimscope.seed.segment import parse_line_ranges
    from claimscope.seed.yamlfile import YamlError, load_yaml

    corpus_dir = _corpus(corpus)
    if corpus_dir is None:
        _fail("no corpus: give --corpus DIR or set CLAIMSCOPE_CORPUS")
    for path in seed_files(seed_dir or default_seed_dir()):
        try:
            document = load_yaml(path)
        except YamlError as error:
            _fail(str(error))
        for source in (document or {}).get("sources", []) if isinstance(document, dict) else []:
            if isinstance(source, dict) and source.get("id") == source_id:
                corpus_text = load_corpus_text(
                    corpus_dir / source["file"], parse_line_ranges(source["body"]),
                    parse_line_ranges(source.get("headings") or []), parse_line_ranges(source.get("exclude") or []),
                )
                from claimscope.tui.text import clean_line

                for paragraph in corpus_text.segmentation.paragraphs:
                    for sentence in paragraph.sentences:
                        click.echo(f"p{paragraph.number} s{sentence.number} (line {paragraph.line}): "
                                   f"{clean_line(corpus_text.text[sentence.start:sentence.end])}")
                return
    _fail(f"no source {source_id!r} in the seed files")


@main.command()
@click.option("--format", "export_format", type=click.Choice(["json", "csv", "stix"]), default="json",
              show_default=True, help="json: one document; csv: one file per table; stix: a STIX 2.1 bundle.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="File to write (default: standard output); for csv a folder, or a file ending in .zip.")
@click.option("--entity", "entities", metavar="ID_OR_NAME", multiple=True,
              help="Export this entity's neighbourhood only (an id or a name; repeatable).")
@click.option("--where", metavar="SQL", help="Export the neighbourhood of the entities this SQL condition matches, "
                                             "e.g. \"kind = 'group'\".")
@click.option("--depth", type=click.IntRange(0, 100), default=1, show_default=True,
              help="How many claim links away from the chosen entities to go.")
@_db_option
@_corpus_option
def export(export_format: str, output: Path | None, entities: tuple[str, ...], where: str | None, depth: int,
           db_path: Path | None, corpus: Path | None) -> None:
    """Export the knowledge base, or a neighbourhood of it, as JSON, CSV or STIX 2.1."""
    from contextlib import nullcontext

    from claimscope.db.export import ExportError, Scope, atomic_file, export_csv, neighbourhood, write_json

    if export_format == "csv" and output is None:
        _fail("--format csv needs --output DIR (a folder) or --output FILE.zip", 2)
    depth_given = click.get_current_context().get_parameter_source("depth") != click.core.ParameterSource.DEFAULT
    if depth_given and not entities and where is None:
        _fail("--depth needs --entity or --where: without them the whole knowledge base is exported", 2)
    with _open(db_path, corpus) as knowledge_base:
        ids = []
        for id_or_name in entities:
            ref, results = knowledge_base.resolve(id_or_name)
            if ref is None:
                _fail(_not_found(id_or_name, results))
            ids.append(ref.id)
        if output is not None and output.resolve() == Path(knowledge_base.path).resolve():
            _fail(f"{output} is the knowledge base itself; give another --output", 2)
        selection = None
        try:
            if ids or where is not None:
                selection = neighbourhood(knowledge_base.connection, ids, where, depth)
        except ExportError as error:
            _fail(str(error), error.status)
        scope = Scope(knowledge_base.connection, selection)
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
            _fail(str(error), error.status)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except OSError as error:
            _fail(f"cannot write {output or 'standard output'}: {error}; it was left as it was", 2)
    if output is not None:
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        click.echo(f"exported {summary} to {output}")


def _quiet_broken_pipe() -> NoReturn:
    """The reader of standard output went away (``| head``): stop without a traceback."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(1)


if __name__ == "__main__":
    main()
