"""Commands for reading a source and citing a claim: passages and cite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimscope.tui.cli.common import (
    Command,
    corpus_option,
    corpus_or_default,
    db_option,
    emit_json,
    fail,
    given_on_command_line,
    json_option,
    open_knowledge_base,
)
from claimscope.tui.cli.completion import complete_source

if TYPE_CHECKING:
    from claimscope.db.models import Claim, Evidence
    from claimscope.db.records import SourceRecord
    from claimscope.tui.reading import SourceReading


@click.command(cls=Command)
@click.argument("source_id", shell_complete=complete_source)
@click.option("--claims", "with_claims", is_flag=True,
              help="Under each paragraph, the claims that cite it: id, locator, modality, claimant, grade.")
@click.option("--uncited", is_flag=True, help="Only the body sentences no claim cites: a curator's to-do list.")
@click.option("--seed", "seed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Read the source from these seed files instead of a knowledge base (for a source not built yet).")
@json_option
@db_option
@corpus_option
def passages(source_id: str, with_claims: bool, uncited: bool, seed_dir: Path | None, as_json: bool,
             db_path: Path | None, corpus: Path | None) -> None:
    """Print a source's numbered paragraphs and sentences (the locators), and what cites them.

    The source is looked up in the knowledge base (imported ones too), or with --seed in seed
    files. Its text is read from the corpus (or, when that copy is absent or changed, from the
    sentences the knowledge base indexed at build); without either, --claims still lists the
    paragraphs by number with their claims, and says why the text is not shown.
    """
    from claimscope.tui.reading import read_source
    from claimscope.tui.text import clean_line

    context = click.get_current_context()
    if seed_dir is not None:
        if given_on_command_line(context, "db_path"):
            fail("give --seed (seed files) or --db (a knowledge base), not both", 2)
        if with_claims or uncited:
            fail("--claims and --uncited read the claims of a knowledge base: leave out --seed", 2)
        _print_seed_source(_seed_source(seed_dir, source_id), corpus_or_default(corpus), as_json)
        return
    if with_claims and uncited:
        fail("give --claims or --uncited, not both", 2)
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        reading = read_source(knowledge_base.store, source_id, corpus_or_default(corpus))
        known = [] if reading else knowledge_base.store.ids("sources")
    if reading is None:
        from claimscope.seed.loader import _suggest

        hint = _suggest(source_id, known)
        fail(f"no source {source_id!r} in the knowledge base" + (f"; {hint}" if hint else ""))
    if not reading.paragraphs and not with_claims:
        fail(str(reading.text_problem))
    if reading.text_problem:
        click.echo(f"claimscope: {clean_line(reading.text_problem)}; the paragraphs are listed by number with "
                   "their claims", err=True)
    elif reading.text_note:
        click.echo(f"claimscope: {clean_line(reading.text_note)}: from {reading.text_from}", err=True)
    if as_json:
        emit_json(_reading_json(reading, with_claims, uncited))
        return
    for number in reading.paragraph_numbers():
        paragraph = next((p for p in reading.paragraphs if p.number == number), None)
        sentences = paragraph.sentences if paragraph else ()
        line = f" (line {paragraph.line})" if paragraph and paragraph.line else ""
        for sentence in sentences:
            if uncited and reading.citing(number, sentence.sentence):
                continue
            click.echo(f"p{number} s{sentence.sentence}{line}: {clean_line(sentence.text)}")
        if with_claims:
            if not sentences:
                click.echo(f"p{number}: (text not shown)")
            cited = [(claim, evidence) for key, found in sorted(reading.citations.items(),
                                                                key=lambda item: (item[0][0], item[0][1] or 0))
                     if key[0] == number for claim, evidence in found]
            for claim, evidence in cited:
                click.echo(f"    ↳ {_citation_line(claim, evidence)}")


def _citation_line(claim: Claim, evidence: Evidence) -> str:
    from claimscope.db.cite import reading
    from claimscope.tui.text import clean_line

    locator = f"¶{evidence.paragraph}" + (f".{evidence.sentence}" if evidence.sentence else "")
    claimant = f" by {claim.claimant.name}" if claim.claimant else ""
    return clean_line(f"{claim.id} {locator} {claim.modality}{claimant}, credibility {evidence.grade}: "
                      f"{reading(claim)}")


def _reading_json(reading: SourceReading, with_claims: bool, uncited: bool) -> dict[str, Any]:
    def claim_ref(claim: Claim, evidence: Evidence) -> dict[str, Any]:
        return {"id": claim.id, "paragraph": evidence.paragraph, "sentence": evidence.sentence,
                "modality": claim.modality,
                "claimant": {"id": claim.claimant.id, "name": claim.claimant.name} if claim.claimant else None,
                "grade": evidence.grade, "label": claim.label, "subject": claim.subject.id,
                "object": claim.object.id if claim.object else None, "value": claim.value_display}

    shaped: dict[str, Any] = {"source": reading.source.id, "text_from": reading.text_from or None,
                              "text_problem": reading.text_problem}
    if uncited:
        shaped["uncited"] = [
            {"paragraph": paragraph.number, "sentence": sentence.sentence, "line": paragraph.line,
             "start": sentence.start, "end": sentence.end, "text": sentence.text}
            for paragraph in reading.paragraphs for sentence in paragraph.sentences
            if not reading.citing(paragraph.number, sentence.sentence)
        ]
        return shaped
    by_number = {paragraph.number: paragraph for paragraph in reading.paragraphs}
    shaped["paragraphs"] = []
    for number in reading.paragraph_numbers():
        paragraph = by_number.get(number)
        entry: dict[str, Any] = {
            "paragraph": number, "line": paragraph.line if paragraph else None,
            "sentences": [{"sentence": s.sentence, "start": s.start, "end": s.end, "text": s.text,
                           "claims": sorted({claim.id for claim, _ in reading.citing(number, s.sentence)})}
                          for s in (paragraph.sentences if paragraph else ())],
        }
        if with_claims:
            entry["claims"] = [claim_ref(claim, evidence) for key, found in sorted(
                reading.citations.items(), key=lambda item: (item[0][0], item[0][1] or 0))
                if key[0] == number for claim, evidence in found]
        shaped["paragraphs"].append(entry)
    return shaped


def _print_seed_source(record: SourceRecord, corpus: Path | None, as_json: bool) -> None:
    from claimscope.seed.corpus import TextUnavailable, source_text
    from claimscope.tui.text import clean_line

    try:
        corpus_text = source_text(record, corpus)
    except TextUnavailable as error:
        fail(str(error))
    rows = [(paragraph, sentence) for paragraph in corpus_text.segmentation.paragraphs
            for sentence in paragraph.sentences]
    if as_json:
        emit_json({"source": record.id, "text_from": str(corpus_text.path), "text_problem": None, "paragraphs": [
            {"paragraph": p.number, "line": p.line, "sentences": [
                {"sentence": s.number, "start": s.start, "end": s.end,
                 "text": " ".join(corpus_text.text[s.start:s.end].split()), "claims": []} for s in p.sentences]}
            for p in corpus_text.segmentation.paragraphs]})
        return
    for paragraph, sentence in rows:
        click.echo(f"p{paragraph.number} s{sentence.number} (line {paragraph.line}): "
                   f"{clean_line(corpus_text.text[sentence.start:sentence.end])}")


def _seed_source(seed_dir: Path, source_id: str) -> SourceRecord:
    """The source ``source_id`` as the seed files in ``seed_dir`` describe it; exits when it is not there."""
    from claimscope.db.records import SourceRecord
    from claimscope.seed.loader import seed_files
    from claimscope.seed.yamlfile import YamlError, load_yaml

    for path in seed_files(seed_dir):
        try:
            document = load_yaml(path)
        except YamlError as error:
            fail(str(error))
        for source in (document or {}).get("sources", []) if isinstance(document, dict) else []:
            if isinstance(source, dict) and source.get("id") == source_id:
                return SourceRecord(
                    id=source_id, file=str(source.get("file", "")), sha256="", title="", publisher="", authors=(),
                    published="", url="", grade="F", body=tuple(source.get("body") or ()),
                    headings=tuple(source.get("headings") or ()), exclude=tuple(source.get("exclude") or ()),
                )
    fail(f"no source {source_id!r} in the seed files of {seed_dir}")


@click.command(cls=Command)
@click.argument("claim_id")
@click.option("--format", "form", type=click.Choice(["text", "markdown", "bibtex", "csl-json"]), default="text",
              show_default=True,
              help="text or markdown: the claim, whose it is, each source with locator and URL; bibtex or "
                   "csl-json: the sources, for a reference manager, with the locators in a note.")
@db_option
@corpus_option
def cite(claim_id: str, form: str, db_path: Path | None, corpus: Path | None) -> None:
    """Print a citation of a claim (its id, as `show --json` and `claims` list them)."""
    from claimscope.db.cite import cite as citation
    from claimscope.tui.text import clean

    with open_knowledge_base(db_path, corpus) as knowledge_base:
        claim = knowledge_base.store.claim(claim_id)
        if claim is None:
            hits = knowledge_base.store.claims_starting(claim_id, 5)
            fail(f"no claim {claim_id!r}" + (f"; claims whose id starts so: {', '.join(hits)}" if hits else
                                             "; `claimscope claims TEXT` finds claims by their words"))
    click.echo(clean(citation(claim, form)))
