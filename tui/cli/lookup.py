"""Commands that answer from a knowledge base: search, show, timeline, sources, disputes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimscope.db.claims import FACET_NAMES
from claimscope.db.records import MODALITIES, SOURCE_GRADES
from claimscope.tui.cli.common import (
    KINDS,
    Command,
    console,
    corpus_option,
    db_option,
    emit_json,
    fail,
    json_option,
    open_knowledge_base,
    print_rows,
    text,
    to_terminal,
)
from claimscope.tui.cli.completion import complete_entity, complete_source

if TYPE_CHECKING:
    from claimscope.db.models import Claim, ClaimFacets, ClaimHit, EntityRef, SearchResult
    from claimscope.db.records import SourceRecord


def ref_json(ref: EntityRef | None) -> dict[str, str] | None:
    return {"id": ref.id, "kind": ref.kind, "name": ref.name} if ref else None


def claim_json(claim: Claim, direction: str) -> dict[str, Any]:
    """A claim in the documented ``--json`` shape."""
    return {
        "id": claim.id, "predicate": claim.predicate, "label": claim.label, "inverse_label": claim.inverse_label,
        "direction": direction, "subject": ref_json(claim.subject), "object": ref_json(claim.object),
        "value": claim.value, "unit": claim.unit, "qualifier": claim.qualifier, "value_display": claim.value_display,
        "start": claim.start, "end": claim.end, "modality": claim.modality, "claimant": ref_json(claim.claimant),
        "statement": claim.statement, "inferred": claim.inferred, "note": claim.note, "disputed": claim.disputed,
        "scope": claim.scope,
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


@click.command(cls=Command)
@click.argument("query")
@click.option("--kind", type=click.Choice(KINDS), help="Only entities of this kind.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many results to show (the best first).")
@json_option
@db_option
@corpus_option
def search(query: str, kind: str | None, limit: int, as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """Find entities by any name, alias, acronym or transliteration (typos allowed).

    To a terminal, a table; to a pipe, one tab-separated line per result: id, kind, name,
    the alias that matched, score.
    """
    with open_knowledge_base(db_path, corpus) as knowledge_base, knowledge_base.snapshot():
        results = knowledge_base.search(query, kind=kind, limit=limit)
        # No name matched: the closest names, in case the query was a misspelt name (a name is a
        # few words; a sentence's closest names are noise beside the hits by its words).
        name_like = not results or len(query.split()) <= 3
        closest = [] if results.matched_ids or not name_like else knowledge_base.store.closest(query)
        passages = knowledge_base.store.has_passages()
        # Every hit by words shows where it comes from: the claim's evidence, the passage's source.
        claims = knowledge_base.store.claims_by_id(r.claim for r in results if r.claim)
        sources = {source: knowledge_base.store.source_record(source)
                   for source in {r.source for r in results if r.how == "passage" and r.source}}
    names = "; ".join(f"{r.name} ({r.id})" for r in closest)
    if not results:
        if as_json:
            emit_json([])  # a script reads an empty list; the exit status still says nothing matched
        fail(f"nothing matches {query!r}" + (f"; the closest names: {names}" if names else ""))
    if names:
        click.echo(f"claimscope: no name matches {query!r}; the closest names: {names}", err=True)
    if as_json:
        emit_json([search_json(r, claims.get(r.claim or ""), sources.get(r.source or "")) for r in results])
    else:
        print_rows(
            ("id", "kind", "name", "matched", "score"),
            ([(r.id, "cyan"), (r.kind, ""), (r.name, "bold"),
              (_matched(r, claims.get(r.claim or ""), sources.get(r.source or "")),
               "dim" if r.matched == r.name else ""),
              (f"{r.score:g}", "")] for r in results),
            no_wrap=("id",), under={"id": "name"},
        )
    if not passages:
        click.echo("claimscope: this knowledge base was built without the source texts, so no passage can "
                   "match; build it with --corpus DIR to search them", err=True)
    if results.total > len(results):
        total, more = results.total, results.total - len(results)
        if results.capped:
            click.echo(f"claimscope: {len(results)} shown; at least {more} more match: raise --limit "
                       f"(up to 1000) to see them", err=True)
        else:
            click.echo(f"claimscope: {len(results)} shown; {more} more match: --limit {min(total, 1000)} "
                       f"shows {'them all' if total <= 1000 else 'the first 1000'}", err=True)


def _matched(result: SearchResult, claim: Claim | None = None, source: SourceRecord | None = None) -> str:
    """What matched, as the table shows it: the alias, or where the words are and where they come from."""
    if result.how == "passage":
        where = f"{source.id}, grade {source.grade}, " if source else ""
        return f"{where}¶{result.paragraph}.{result.sentence}: {result.snippet}"
    if result.how == "claim":
        return f"claim: {result.snippet}" + (f" [{_provenance(claim)}]" if claim else "")
    if result.how == "summary":
        return f"summary: {result.snippet}"
    return result.matched + (" (weak)" if result.weak else "")


def _provenance(claim: Claim) -> str:
    """Whose claim it is and where it is said, in a line: modality, claimant, then each source, locator and grade."""
    whose = claim.modality + (f" by {claim.claimant.name}" if claim.claimant else "")
    cited = "; ".join(f"{e.source.id} ¶{e.paragraph}" + (f".{e.sentence}" if e.sentence else "")
                      + f" grade {e.source.grade}{e.grade}" for e in claim.evidence)
    return f"{whose}; {cited}"


def search_json(result: SearchResult, claim: Claim | None = None, source: SourceRecord | None = None,
                ) -> dict[str, Any]:
    """A search result in the documented ``--json`` shape.

    A hit through a claim carries that claim's modality, claimant, statement and evidence (as
    in ``show``); a passage carries its source's title and grade.
    """
    shaped: dict[str, Any] = {"id": result.id, "kind": result.kind, "name": result.name, "score": result.score,
                              "matched": result.matched, "weak": result.weak, "how": result.how}
    if result.snippet is not None:
        shaped["snippet"] = result.snippet
        shaped["marks"] = [list(mark) for mark in result.marks]
    if result.claim is not None:
        shaped["claim"] = result.claim
        if claim is not None:
            detail = claim_json(claim, "outgoing")
            shaped |= {"statement": detail["statement"], "modality": detail["modality"],
                       "claimant": detail["claimant"], "evidence": detail["evidence"]}
    if result.how == "passage":
        shaped |= {"source": result.source, "paragraph": result.paragraph, "sentence": result.sentence,
                   "citing": list(result.citing)}
        if source is not None:
            shaped |= {"source_title": source.title, "source_grade": source.grade}
    return shaped


@click.command(cls=Command)
@click.argument("id_or_name", shell_complete=complete_entity)
@json_option
@db_option
@corpus_option
def show(id_or_name: str, as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """Show an entity with its aliases and every claim about it, with evidence."""
    from claimscope.api import NotFound

    with open_knowledge_base(db_path, corpus) as knowledge_base:
        try:
            card = knowledge_base.entity(id_or_name)
        except NotFound as error:
            fail(str(error))
    from claimscope.tui.render import card_claims, render_card

    if as_json:
        emit_json({
            "id": card.id, "kind": card.kind, "name": card.name,
            "aliases": [{"alias": a.alias, "weak": a.weak, "note": a.note} for a in card.aliases],
            "summary": card.summary, "note": card.note, "subtype": card.subtype, "date": card.date,
            "date_display": card.date_display, "date_precision": card.date_precision,
            "date_inferred": card.date_inferred, "place": ref_json(card.place),
            "claims": [claim_json(claim, direction) for claim, direction in card_claims(card)],
        })
        return
    console().print(render_card(card))


@click.command(cls=Command)
@click.option("--actor", metavar="ID", shell_complete=complete_entity,
              help="Only events linked to this entity by a claim (id or name).")
@click.option("--since", metavar="DATE", help="EDTF date: events that may have happened on or after it.")
@click.option("--until", metavar="DATE", help="EDTF date: events that may have happened on or before it.")
@json_option
@db_option
@corpus_option
def timeline(actor: str | None, since: str | None, until: str | None, as_json: bool, db_path: Path | None,
             corpus: Path | None) -> None:
    """List dated events in date order, imprecise dates shown as what they are.

    To a pipe, one tab-separated line per event: date, event, place, id.
    """
    from claimscope.api import NotFound
    from claimscope.db.edtf import EDTFError, parse_edtf

    for option, value in (("--since", since), ("--until", until)):
        if value is not None:
            try:
                parse_edtf(value)
            except EDTFError as error:
                fail(f"{option}: {error}", 2)
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        try:
            events = knowledge_base.timeline(actor=actor, since=since, until=until)
        except NotFound as error:
            fail(str(error))
    if as_json:
        emit_json([
            {"id": e.id, "name": e.name, "subtype": e.subtype, "date": e.date, "date_display": e.date_display,
             "precision": e.precision, "inferred": e.inferred, "lower": e.lower, "upper": e.upper, "sort": e.sort,
             "place": ref_json(e.place),
             "actors": [ref_json(a) for a in e.actors]}
            for e in events
        ])
        return
    print_rows(
        ("date (precision)", "event", "place", "id"),
        ([(e.date_display + (" (inferred)" if e.inferred else ""), ""), (e.name, "bold"),
          (e.place.name if e.place else "", ""), (e.id, "cyan")] for e in events),
        no_wrap=("id",), under={"id": "event"},
    )


@click.command(cls=Command)
@json_option
@db_option
@corpus_option
def sources(as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """List the sources with their bibliographic facts, grade, claim count and paragraph coverage."""
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        found = knowledge_base.sources()
    if as_json:
        emit_json([
            {"id": s.id, "title": s.title, "publisher": s.publisher, "authors": list(s.authors),
             "published": s.published, "published_display": s.published_display, "url": s.url,
             "language": s.language, "grade": s.grade, "grade_note": s.grade_note, "note": s.note,
             "unconfirmed": list(s.unconfirmed), "file": s.file, "sha256": s.sha256, "text_present": s.text_present,
             "paragraphs": s.paragraph_count, "cited_paragraphs": s.cited_paragraphs, "claims": s.claim_count,
             "evidence": s.evidence_count}
            for s in found
        ])
        return
    out = console()
    for s in found:
        out.print(text(s.title, "bold"))
        authors = ", ".join(s.authors) or "no byline"
        unconfirmed = f"  (unconfirmed: {', '.join(s.unconfirmed)})" if s.unconfirmed else ""
        out.print(text(f"  {authors}; {s.publisher}; {s.published_display}{unconfirmed}"))
        out.print(text(f"  {s.url}", "blue"))
        coverage = f"{s.cited_paragraphs}/{s.paragraph_count} paragraphs cited" if s.paragraph_count else "text absent"
        out.print(text(f"  id {s.id}; grade {s.grade}; {s.claim_count} claims; {coverage}", "dim"))


@click.command(cls=Command)
@json_option
@db_option
@corpus_option
def disputes(as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """List claims that disagree, side by side with their sources."""
    with open_knowledge_base(db_path, corpus) as knowledge_base:
        found = knowledge_base.disputes()
    if as_json:
        emit_json([
            {"id": d.id, "subject": ref_json(d.subject), "predicate": d.predicate, "label": d.label,
             "claims": [claim_json(claim, "outgoing") | {"reason": reason}
                        for claim, reason in zip(d.claims, d.reasons, strict=True)]}
            for d in found
        ])
        return
    from claimscope.tui.cli.common import console
    from claimscope.tui.render import claim_line, evidence_line

    out = console()
    if not found:
        out.print("No disputes.")
    for d in found:
        out.print(text(f"{d.subject.name}: {d.label}", "bold underline"))
        for claim in d.claims:
            out.print(claim_line(claim, "outgoing"))
            for evidence in claim.evidence:
                out.print(evidence_line(evidence))
        out.print()


def facets_json(facets: ClaimFacets) -> dict[str, Any]:
    return {name: [{"value": f.value, "label": f.label, "count": f.count} for f in getattr(facets, name)]
            for name in FACET_NAMES}


def _evidence_text(claim: Claim) -> str:
    """Where a claim comes from, on one line: each source id with its locator and the passage's grade."""
    return "; ".join(f"{e.source.id} ¶{e.paragraph}" + (f".{e.sentence}" if e.sentence else "") +
                     f" (source {e.source.grade}, credibility {e.grade})" for e in claim.evidence)


@click.command(cls=Command)
@click.argument("text", required=False)
@click.option("--entity", metavar="ID_OR_NAME", shell_complete=complete_entity,
              help="Claims about this entity (its subject or object).")
@click.option("--predicate", metavar="P", help="Only this predicate (an id such as accused or estimated_strength).")
@click.option("--modality", "modalities", multiple=True, type=click.Choice(MODALITIES),
              help="Only claims of this modality; repeat for several.")
@click.option("--claimant", metavar="ID_OR_NAME", shell_complete=complete_entity,
              help="Only claims this entity makes inside a source.")
@click.option("--source", metavar="ID", shell_complete=complete_source, help="Only claims this source supports.")
@click.option("--grade", type=click.IntRange(1, 6), help="Only claims with evidence graded N or better (1 best).")
@click.option("--source-grade", type=click.Choice(SOURCE_GRADES),
              help="Only claims with evidence from a source graded this or better (A best; F matches F).")
@click.option("--disputed/--undisputed", default=None, help="Only disputed claims, or only undisputed ones.")
@click.option("--since", metavar="DATE", help="EDTF date: claims about a time that ends on or after it.")
@click.option("--until", metavar="DATE", help="EDTF date: claims about a time that starts on or before it.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many claims (for paging).")
@click.option("--facets", "with_facets", is_flag=True,
              help="Also count the claims found by modality, predicate, source, claimant, grade and dispute.")
@json_option
@db_option
@corpus_option
def claims(text: str | None, entity: str | None, predicate: str | None, modalities: tuple[str, ...],
           claimant: str | None, source: str | None, grade: int | None, source_grade: str | None,
           disputed: bool | None, since: str | None, until: str | None, limit: int, offset: int, with_facets: bool,
           as_json: bool, db_path: Path | None, corpus: Path | None) -> None:
    """Find claims by their words and filters, each with its evidence (source, locator, claimant, grade).

    With TEXT, the claims whose words match it come best first (stemmed: killed finds
    killing), with a snippet; without, every claim the filters keep, by id. To a pipe, one
    tab-separated line per claim: id, the claim read as a sentence, modality, claimant,
    best grade, evidence.
    """
    from claimscope.api import ArgumentError, NotFound
    from claimscope.db.edtf import EDTFError

    with open_knowledge_base(db_path, corpus) as knowledge_base:
        try:
            query = knowledge_base.claim_query(
                text, entity=entity, predicate=predicate, modality=modalities, claimant=claimant, source=source,
                grade=grade, source_grade=source_grade, disputed=disputed, since=since, until=until)
        except NotFound as error:
            fail(str(error))
        except EDTFError as error:
            fail(f"--since/--until: {error}", 2)
        except LookupError as error:
            fail(str(error), 2)
        except ArgumentError as error:
            fail(error.for_command_line(), 2)
        hits = knowledge_base.store.claims(query, offset=offset, limit=limit)
        total = knowledge_base.store.claim_count(query)
        facets = knowledge_base.store.claim_facets(query) if with_facets else None
        filtered = query != type(query)(text=query.text)
        # Nothing with the filters: how many the words alone find, so that the filter to loosen is plain.
        unfiltered = (knowledge_base.store.claim_count(type(query)(text=query.text))
                      if not total and filtered and query.text else 0)
    if as_json:
        shaped: dict[str, Any] = {
            "total": total, "offset": offset, "ranked_among": hits.ranked_among,
            "claims": [claim_json(hit.claim, "outgoing") | {"snippet": hit.snippet,
                                                            "marks": [list(mark) for mark in hit.marks],
                                                            "score": hit.score} for hit in hits],
        }
        if facets is not None:
            shaped["facets"] = facets_json(facets)
        emit_json(shaped)
    else:
        _print_claims(hits, facets)
    if not hits and not as_json:
        if total:
            click.echo(f"claimscope: --offset {offset} is past the last of the {total} claims that match", err=True)
        else:
            click.echo("claimscope: no claim matches" + (f" {text!r}" if text else "")
                       + (" with these filters" if filtered else "")
                       + (f"; {unfiltered} match without them" if unfiltered else ""), err=True)
    if hits.ranked_among:
        click.echo(f"claimscope: {total:,} claims match; the first {hits.ranked_among:,} (in the index's order) were "
                   "ranked by relevance, not all of them: add words or filters to rank every match", err=True)
    if hits and offset + len(hits) < total:
        click.echo(f"claimscope: claims {offset + 1}-{offset + len(hits)} of {total} shown; "
                   f"--offset {offset + len(hits)} shows the next, --limit {min(total, 10_000)} them all", err=True)


def _print_claims(hits: list[ClaimHit], facets: ClaimFacets | None) -> None:
    from rich.text import Text

    from claimscope.tui.render import claim_line, claim_reading, evidence_line, snippet_text
    from claimscope.tui.text import clean_line

    if not to_terminal():
        for hit in hits:
            claim = hit.claim
            best = min((e.grade for e in claim.evidence), default="")
            print_rows((), [[(claim.id, ""), (claim_reading(claim), ""), (claim.modality, ""),
                             (claim.claimant.name if claim.claimant else "", ""), (best, ""),
                             (_evidence_text(claim), "")]])
        if facets is not None:
            for name in FACET_NAMES:
                for facet in getattr(facets, name):
                    print_rows((), [[("facet", ""), (name, ""), (facet.value, ""), (facet.label, ""),
                                     (facet.count, "")]])
        return
    out = console()
    for hit in hits:
        out.print(Text(clean_line(hit.claim.id), style="cyan"))
        out.print(claim_line(hit.claim, "outgoing"))
        if hit.snippet:
            out.print(Text("    ", style="italic") + snippet_text(hit.snippet, hit.marks))
        elif hit.claim.statement:
            out.print(Text("    " + clean_line(hit.claim.statement), style="italic"))
        for evidence in hit.claim.evidence:
            out.print(evidence_line(evidence))
    if facets is not None:
        out.print()
        for name in FACET_NAMES:
            values = getattr(facets, name)
            line = Text(f"{name}: ", style="bold")
            line.append(" · ".join(f"{clean_line(f.label)} {f.count}" for f in values) or "none")
            out.print(line)
