"""Import a researcher's own sources and annotations into a knowledge base.

The files are in the seed format (``seed/FORMAT.md``) with four additions for imports:

* a source's text is looked for beside the YAML file, then in ``--corpus``; ``sha256`` and
  ``body`` may be left out (the text's hash is recorded at import, every line is body);
* evidence may give ``quote:``, an exact passage of the text, instead of a paragraph
  number; it is resolved to offsets at import. With ``paragraph:`` as well, the quote must
  be found in that paragraph: found elsewhere it is reported as *moved*, found nowhere as
  *orphaned*; it is never anchored anywhere else without the file saying so;
* an entity may say ``same_as: ID`` (merge it into an entity of the knowledge base: its
  name and aliases become aliases there) or ``distinct_from: [ID, ...]`` (it is not that
  one, although its name is alike).

A new entity whose name or strong alias is already an entity's of the same kind is an
error until the file says which it is; one whose name is merely alike is a warning with
the candidates. Everything else is checked as a build checks it, across the files and the
knowledge base, and every problem of a run is reported together. Nothing is written unless
there are no errors; then the whole file is written anew, atomically, under the build lock.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from claimscope.db.build import build_locked, writing
from claimscope.db.dump import read_alias_folds, read_records
from claimscope.db.files import write_target
from claimscope.db.folding import compact, fold, mixes_scripts, skeleton
from claimscope.db.records import AliasRecord, ClaimRecord, EvidenceRecord, Records, SourceRecord
from claimscope.seed.corpus import CorpusText, TextUnavailable, passage_records, source_text
from claimscope.seed.loader import (
    ENTITY_FIELDS,
    EVIDENCE_FIELDS,
    SOURCE_FIELDS,
    Coverage,
    Reported,
    _Field,
    _list_of_text,
    _Loader,
    _Located,
    _slug,
    _suggest,
    _text,
    seed_files,
)
from claimscope.seed.quotes import closest_passage, find_quote, normalise
from claimscope.seed.yamlfile import Mapping, Problem

__all__ = ["STAGES", "ImportResult", "import_files", "load_import"]

#: What an import does, in order, as ``import_files`` reports it to its ``stage`` callback.
STAGES = ("reading the knowledge base", "checking the files", "writing the knowledge base")

IMPORT_SOURCE_FIELDS = SOURCE_FIELDS | {
    "sha256": _Field(False, _text), "body": _Field(False, SOURCE_FIELDS["body"].check),
}
IMPORT_ENTITY_FIELDS = ENTITY_FIELDS | {"same_as": _Field(False, _slug), "distinct_from": _Field(False, _list_of_text)}
IMPORT_EVIDENCE_FIELDS = EVIDENCE_FIELDS | {
    "quote": _Field(False, _text), "prefix": _Field(False, _text), "suffix": _Field(False, _text),
}
#: How many paragraphs a quote found in several is said to be in, at most.
QUOTE_PLACES = 10
#: How alike (0-100, rapidfuzz ratio of folded spellings) a name must be to be flagged.
FUZZY_CUTOFF = 85
_CLAIM_CONTENT = ("subject", "predicate", "object", "value_text", "value_number", "value_date", "unit", "modality",
                  "claimant", "start", "end")


@dataclass
class ImportResult(Reported):
    """What an import found and did."""

    problems: list[Problem] = field(default_factory=list)
    records: Records | None = None  # the whole knowledge base after the import
    files: int = 0
    added: dict[str, int] = field(default_factory=dict)
    coverage: list[Coverage] = field(default_factory=list)


def _known(mapping: dict[str, Any]) -> _Located:
    """A record of the knowledge base, in the shape the loader checks references against."""
    located = Mapping(mapping)
    located.line = 0
    located.key_lines = {}
    return _Located("(knowledge base)", located, dict(mapping))


class _ImportLoader(_Loader):
    def __init__(self, paths: list[Path], corpus: Path | None, base: Records,
                 folds: list[tuple[str, str, str, str, bool]] | None = None) -> None:
        super().__init__(Path("."), corpus, require_corpus=True)
        self.paths = paths
        self.base = base
        self.source_fields = IMPORT_SOURCE_FIELDS
        self.entity_fields = IMPORT_ENTITY_FIELDS
        self.evidence_fields = IMPORT_EVIDENCE_FIELDS
        self.base_sources = {source.id: source for source in base.sources}
        self.base_claims = {claim.id: claim for claim in base.claims}
        self.base_kinds = {entity.id: entity.kind for entity in base.entities}
        self.base_names = {entity.id: entity.name for entity in base.entities}
        self.base_texts: set[str] = set()
        self.normalised: dict[str, tuple[str, list[int]]] = {}
        self.merges: dict[str, str] = {}
        self.merged_aliases: list[AliasRecord] = []
        self.quoted = 0
        self.links: list[tuple[str | None, ...]] | None = None
        # (entity id, alias, folded, compact, weak) of every alias there: read from the file, not folded again.
        self.folds = folds if folds is not None else [
            (a.entity_id, a.alias, fold(a.alias), compact(fold(a.alias)), a.weak) for a in base.aliases
        ]

    # -- where things are --------------------------------------------------------------------

    def input_files(self) -> list[Path]:
        files: list[Path] = []
        for path in self.paths:
            if path.is_dir():
                found = seed_files(path)
                if not found:
                    self.problem(str(path), None, "no *.yaml files in this folder")
                files.extend(found)
            elif path.is_file():
                files.append(path)
            else:
                self.problem(str(path), None, "no such file or folder")
        unique: dict[Path, Path] = {}
        for path in files:
            unique.setdefault(path.resolve(), path)
        return list(unique.values())

    def text_path(self, located: _Located) -> Path | None:
        name = located.fields["file"]
        beside = Path(located.file).parent / name
        if not beside.is_file() and self.corpus and (self.corpus / name).is_file():
            return self.corpus / name
        return beside

    def text_places(self, located: _Located) -> str:
        places = [str(Path(located.file).parent)] + ([str(self.corpus)] if self.corpus else [])
        return "beside the file (" + ") or in (".join(places) + ")"

    def text_dir(self, path: Path, name: str) -> str | None:
        # The folder the text's path was given from (its ``file:`` may hold subfolders, and a
        # symlink stays a symlink): that folder and ``file:`` find it again.
        base = Path(os.path.abspath(path))
        for _ in Path(name).parts:
            base = base.parent
        return str(base)

    def known_claim_ids(self) -> set[str]:
        return set(self.base_claims)

    def referenced(self) -> set[str]:
        """The entities the files' claims name."""
        return {value for located in self.claims for key in ("subject", "object", "claimant")
                if isinstance(value := located.fields.get(key), str)}

    def known_links(self) -> list[tuple[str | None, ...]]:
        # Only the knowledge base's claims that touch an entity the files name can matter.
        if self.links is None:
            named = self.referenced()
            self.links = [(c.subject, c.object, c.claimant) for c in self.base.claims
                          if c.subject in named or c.object in named or c.claimant in named]
        return self.links

    def base_text(self, source_id: str) -> None:
        """Read the text of a knowledge-base source the files cite, once."""
        if source_id in self.base_texts or source_id in self.texts:
            return
        self.base_texts.add(source_id)
        try:
            text = source_text(self.base_sources[source_id], self.corpus)
        except TextUnavailable as error:
            self.problem("(knowledge base)", None, f"{error}, so locators citing it cannot be checked",
                         "give --corpus DIR (the folder that holds it), or restore the text it was built from")
            return
        self.texts[source_id] = text

    # -- checks against the knowledge base ---------------------------------------------------

    def not_in_base(self, mapping: dict[str, _Located], known: Iterable[str], what: str, suggestion: str) -> None:
        known = set(known)
        for identifier in [identifier for identifier in mapping if identifier in known]:
            located = mapping.pop(identifier)
            self.problem(located.file, located.line("id"), f"{what} id {identifier!r} is already in the knowledge base",
                         suggestion)

    def split_merges(self, entities: dict[str, _Located]) -> None:
        """Take out the entities that say ``same_as``; their spellings go to the entity named."""
        for entity_id in [entity_id for entity_id, located in entities.items() if "same_as" in located.fields]:
            located = entities.pop(entity_id)
            target = located.fields["same_as"]
            if target not in self.base_kinds:
                self.problem(located.file, located.line("same_as"),
                             f"same_as: no entity {target!r} in the knowledge base",
                             _suggest(target, self.base_kinds) or "give the id of an entity already there")
                continue
            if self.base_kinds[target] != located.fields["kind"]:
                self.problem(located.file, located.line("same_as"),
                             f"same_as: {entity_id!r} is a {located.fields['kind']}, {target!r} is a "
                             f"{self.base_kinds[target]}", "merge only entities of one kind")
                continue
            self.merges[entity_id] = target
            known = {compact(fold(alias.alias)) for alias in self.base.aliases if alias.entity_id == target}
            spellings = [(located.fields["name"], False, None)]
            for alias in located.fields.get("aliases") or ():
                if isinstance(alias, Mapping):
                    spellings.append((alias.get("alias", ""), bool(alias.get("weak")), alias.get("note")))
                else:
                    spellings.append((alias, False, None))
            for text, weak, note in spellings:
                key = compact(fold(str(text)))
                if key and key not in known:
                    known.add(key)
                    self.merged_aliases.append(AliasRecord(target, str(text).strip(), weak, note))

    def collisions(self, entities: dict[str, _Located]) -> None:
        """Flag new entities that may be ones the knowledge base already has."""
        if not entities:
            return
        exact: dict[tuple[str, str], set[str]] = defaultdict(set)
        by_kind: dict[str, tuple[list[str], list[str], list[str]]] = defaultdict(lambda: ([], [], []))
        for owner, spelling, folded, compacted, weak in self.folds:
            kind = self.base_kinds[owner]
            if not weak:
                exact[(kind, compacted)].add(owner)
            choices, owners, spellings = by_kind[kind]
            choices.append(folded)
            owners.append(owner)
            spellings.append(spelling)
        for entity_id, located in entities.items():
            f = located.fields
            kind, apart = f["kind"], set(f.get("distinct_from") or ())
            for other in apart - set(self.base_kinds):
                self.problem(located.file, located.line("distinct_from"),
                             f"distinct_from: no entity {other!r} in the knowledge base",
                             _suggest(other, self.base_kinds) or "give ids of entities already there")
            names = [f["name"]] + [
                alias if isinstance(alias, str) else alias.get("alias", "")
                for alias in f.get("aliases") or () if isinstance(alias, str) or not alias.get("weak")
            ]
            same: dict[str, str] = {}
            disguised: dict[str, str] = {}
            for name in names:
                for owner in exact.get((kind, compact(fold(str(name)))), ()):
                    same.setdefault(owner, str(name))
                # A name that mixes scripts and reads as another's spelling once its look-alike
                # letters are taken for Latin ones ("ІSКР" in Cyrillic letters for ISKP).
                if mixes_scripts(str(name)):
                    for owner in exact.get((kind, compact(fold(skeleton(str(name))))), ()):
                        disguised.setdefault(owner, str(name))
            for owner, name in disguised.items():
                if owner not in same and owner not in apart:
                    self.problem(located.file, located.line("name"),
                                 f"entity {entity_id!r} is named {name!r}, which mixes scripts and looks like "
                                 f"{self.base_names[owner]} ({owner}): letters from another alphabet that look "
                                 "like Latin ones", f"type the name in one alphabet; if it is {owner}, add "
                                 f"same_as: {owner}; if not, distinct_from: [{owner}]")
            alike: dict[str, tuple[str, float]] = {}
            choices, owners, spellings = by_kind[kind]
            for name in names:
                for _, score, index in process.extract(fold(str(name)), choices, scorer=fuzz.ratio,
                                                       score_cutoff=FUZZY_CUTOFF, limit=20):
                    owner = owners[index]
                    if owner not in same and score > alike.get(owner, ("", 0.0))[1]:
                        alike[owner] = (spellings[index], score)
            same = {owner: name for owner, name in same.items() if owner not in apart}
            alike = {owner: found for owner, found in alike.items() if owner not in apart}
            ranked = sorted(alike.items(), key=lambda item: -item[1][1])[:3]
            listed = [f"{owner} ({self.base_names[owner]}; {name!r} is its spelling too)"
                      for owner, name in same.items()]
            listed += [f"{owner} ({self.base_names[owner]}; {spelling!r}, {score:.0f}% alike)"
                       for owner, (spelling, score) in ranked]
            if same:
                self.problem(located.file, located.line("name"),
                             f"entity {entity_id!r} may already be in the knowledge base: {'; '.join(listed)}",
                             f"add same_as: {next(iter(same))} to merge it, or distinct_from: "
                             f"[{', '.join(same)}] if it is another {kind}")
            elif alike:
                self.problem(located.file, located.line("name"),
                             f"entity {entity_id!r} has a name like {'; '.join(listed)}",
                             f"if it is the same, add same_as: {ranked[0][0]}; if not, add distinct_from: "
                             f"[{', '.join(owner for owner, _ in ranked)}] to say so", severity="warning")

    def alias_index(self) -> dict[str, list[str]]:
        index = super().alias_index()
        needed = self.referenced() | {entity for link in self.known_links() for entity in link if entity}
        for owner, _, folded, _, _ in self.folds:
            if owner in needed:
                index[owner].append(folded)
        for alias in self.merged_aliases:
            index[alias.entity_id].append(fold(alias.alias))
        return index

    # -- evidence by quote -------------------------------------------------------------------

    def evidence(self, claim: _Located, claim_id: str, item: Any, line: int, sources: dict[str, SourceRecord],
                 entity_ids: list[str], alias_words: dict[str, list[str]]) -> EvidenceRecord | None:
        source_id = item.get("source") if isinstance(item, Mapping) else None
        if source_id in self.base_sources:
            self.base_text(source_id)
        if not isinstance(item, Mapping) or "quote" not in item:
            for key in ("prefix", "suffix"):
                if isinstance(item, Mapping) and key in item:
                    self.problem(claim.file, item.line_of(key), f"{key}: goes with quote:, which is missing",
                                 "add quote: with the exact passage, or remove " + key)
                    return None
            return super().evidence(claim, claim_id, item, line, sources, entity_ids, alias_words)
        located = self.fields(claim.file, line, item, self.evidence_fields, "piece of evidence")
        if located is None:
            return None
        f = located.fields
        if f["source"] not in sources:
            self.reference(located, "source", sources, "source")
            return None
        for key in ("line", "sentence"):
            if key in f:
                self.problem(claim.file, located.line(key), f"a quote gives the passage itself; {key}: is not used "
                             "with it", "remove it (paragraph: may stay, to say where you expect the quote)")
                return None
        corpus_text = self.texts.get(f["source"])
        if corpus_text is None:
            return None  # the missing text is reported once, with the source
        return self.anchor(claim, claim_id, located, corpus_text, entity_ids, alias_words)

    def anchor(self, claim: _Located, claim_id: str, located: _Located, corpus_text: CorpusText,
               entity_ids: list[str], alias_words: dict[str, list[str]]) -> EvidenceRecord | None:
        f = located.fields
        source_id, quote, expected = f["source"], f["quote"], f.get("paragraph")
        paragraphs = corpus_text.segmentation.paragraphs
        if source_id not in self.normalised:
            self.normalised[source_id] = normalise(corpus_text.text)
        found = []
        for start, end in find_quote(corpus_text.text, quote, self.normalised[source_id], f.get("prefix") or "",
                                     f.get("suffix") or ""):
            paragraph = next((p for p in paragraphs if p.start <= start and end <= p.end), None)
            if paragraph is not None:
                found.append((start, end, paragraph))
        where = f"{source_id} ({corpus_text.path.name})"
        if not found:
            closest = closest_passage(quote, [(p.start, p.end) for p in paragraphs], corpus_text.text)
            hint = "check its wording against the text"
            if closest is not None and closest.score >= 60:
                excerpt = " ".join(corpus_text.text[closest.start:closest.end].split())
                excerpt = excerpt if len(excerpt) <= 70 else excerpt[:67] + "..."
                hint = (f"the closest passage is in paragraph {paragraphs[closest.index].number} "
                        f"({closest.score:.0f}% alike): {excerpt!r}")
            self.problem(claim.file, located.line("quote"), f"quote orphaned: not found in {where}", hint)
            return None
        numbers = list(dict.fromkeys(paragraph.number for _, _, paragraph in found))
        if expected is not None and expected not in numbers:
            self.problem(claim.file, located.line("quote"),
                         f"quote moved: it is in paragraph {' and '.join(map(str, numbers))} of {where}, "
                         f"not in paragraph {expected}",
                         f"if that is the passage you mean, set paragraph: {numbers[0]}; it is not re-anchored "
                         "without your say")
            return None
        if expected is None and len(numbers) > 1:
            shown = ", ".join(map(str, numbers[:QUOTE_PLACES]))
            if len(numbers) > QUOTE_PLACES:
                shown += f" and {len(numbers) - QUOTE_PLACES} more paragraphs"
            self.problem(claim.file, located.line("quote"),
                         f"quote found in paragraphs {shown} of {where}",
                         "add paragraph: N to say which one you mean, prefix: or suffix: (the words just before "
                         "or after it), or quote more of the passage")
            return None
        start, end, paragraph = next(hit for hit in found if expected is None or hit[2].number == expected)
        sentence = next((s.number for s in paragraph.sentences if s.start <= start and end <= s.end), None)
        self.check_named(claim.file, located.line("quote"), source_id, corpus_text, paragraph, entity_ids,
                         alias_words, bool(f.get("anaphora")))
        self.quoted += 1
        return EvidenceRecord(
            claim_id=claim_id, source_id=source_id, paragraph=paragraph.number, grade=f["grade"], sentence=sentence,
            start=start, end=end, anaphora=bool(f.get("anaphora")), paragraph_start=paragraph.start,
            paragraph_end=paragraph.end, quote=quote,
        )


def _content(claim: ClaimRecord) -> tuple[object, ...]:
    return tuple(getattr(claim, name) for name in _CLAIM_CONTENT)


def load_import(paths: list[Path], base: Records, corpus: Path | None,
                folds: list[tuple[str, str, str, str, bool]] | None = None) -> ImportResult:
    """Check ``paths`` against the knowledge base ``base``; on success, return the records of both together.

    ``folds`` are the folded spellings of ``base``'s aliases, when already at hand.
    """
    loader = _ImportLoader(paths, corpus, base, folds)
    loader.read()
    result = ImportResult(files=loader.files)
    if loader.unreadable:
        loader.problem(str(paths[0]) if len(paths) == 1 else "(import)", None,
                       f"{len(loader.unreadable)} file(s) could not be read, so nothing else was checked",
                       "fix the syntax errors above and run again")
        result.problems = loader.problems
        return result
    if not loader.files and not loader.problems:
        loader.problem(", ".join(map(str, paths)), None, "no *.yaml files to import")
    source_map = loader.unique(loader.sources, "source")
    predicate_map = loader.unique(loader.predicates, "predicate")
    entity_map = loader.unique(loader.entities, "entity")
    loader.not_in_base(source_map, loader.base_sources, "source",
                       "cite it in your claims without defining it again, or give your source another id")
    loader.not_in_base(predicate_map, (p.id for p in base.predicates), "predicate",
                       "use it without defining it again")
    loader.not_in_base(entity_map, loader.base_kinds, "entity",
                       "refer to it by id without defining it again, or define yours under another id with "
                       "same_as: to merge its spellings into it")
    loader.split_merges(entity_map)
    loader.collisions(entity_map)
    for located in loader.claims:
        for key in ("subject", "object", "claimant"):
            if located.fields.get(key) in loader.merges:
                located.fields[key] = loader.merges[located.fields[key]]
    sources = loader.build_sources(source_map)
    predicates = loader.build_predicates(predicate_map)
    entities, aliases = loader.build_entities(entity_map)
    all_entities = {entity.id: _known({"id": entity.id, "kind": entity.kind}) for entity in base.entities}
    all_entities.update(entity_map)
    claims, evidence, _ = loader.build_claims(
        all_entities, {p.id: p for p in (*base.predicates, *predicates)}, {s.id: s for s in (*base.sources, *sources)}
    )
    loader.event_checks(entity_map, claims)
    fresh, corroborated = [], 0
    explicit = {located.fields["id"]: located for located in loader.claims if "id" in located.fields}
    for claim in claims:
        existing = loader.base_claims.get(claim.id)
        if existing is None:
            fresh.append(claim)
        elif _content(existing) == _content(claim):
            corroborated += 1  # the same claim, from another source: its evidence is added
        else:
            place = explicit.get(claim.id)
            loader.problem(place.file if place else "(import)", place.line("id") if place else None,
                           f"claim id {claim.id!r} is already in the knowledge base, saying something else",
                           "give your claim another id")
    again = {claim.id for claim in claims if claim.id in loader.base_claims}
    have = {(e.claim_id, e.source_id, e.paragraph, e.sentence, e.start, e.end) for e in base.evidence
            if e.claim_id in again}
    new_evidence = [e for e in evidence if (e.claim_id, e.source_id, e.paragraph, e.sentence, e.start, e.end)
                    not in have]
    result.problems = loader.problems
    result.coverage = loader.coverage(sources, evidence)
    result.added = {
        "sources": len(sources), "entities": len(entities), "aliases": len(aliases) + len(loader.merged_aliases),
        "claims": len(fresh), "corroborated": corroborated, "evidence": len(new_evidence),
        "quotes": loader.quoted, "merged": len(loader.merges),
    }
    if result.errors:
        return result
    imports: list[dict[str, Any]] = next((json.loads(value) for key, value in base.meta if key == "imports"), [])
    imports.append({"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": [str(p.resolve()) for p in paths]}
                   | result.added)
    meta = tuple((key, value) for key, value in base.meta if key != "imports") + (("imports", json.dumps(imports)),)
    result.records = Records(
        sources=(*base.sources, *sources), predicates=(*base.predicates, *predicates),
        entities=(*base.entities, *entities), aliases=(*base.aliases, *aliases, *loader.merged_aliases),
        claims=(*base.claims, *fresh), evidence=(*base.evidence, *new_evidence), meta=meta,
        passages=(*base.passages, *(passage for source in sources if source.id in loader.texts
                                    for passage in passage_records(source.id, loader.texts[source.id]))),
    )
    return result


def import_files(db_path: Path, paths: list[Path], corpus: Path | None, dry_run: bool = False,
                 stage: Callable[[str], None] = lambda _: None) -> ImportResult:
    """Import ``paths`` into the knowledge base at ``db_path``, atomically; write nothing when there are errors.

    Raises:
        DumpError: when ``db_path`` is not a knowledge base this version can read.
        UnusableFile: when ``db_path`` is not a regular file (a symlink is written through).
        sqlite3.Error, ValueError, OSError: when writing fails; the file is then as it was.
    """
    if dry_run:
        # Nothing is written, so no write lock is taken: a dry run works on a knowledge base
        # in a folder it may not write (a shared, read-only one).
        stage(STAGES[0])
        base = read_records(db_path)
        stage(STAGES[1])
        result = load_import(paths, base, corpus, read_alias_folds(db_path))
        stage("done")
        return result
    target, _ = write_target(db_path)  # a symlink is written through, a device or FIFO refused
    with writing(target):
        stage(STAGES[0])
        base = read_records(target)
        stage(STAGES[1])
        result = load_import(paths, base, corpus, read_alias_folds(target))
        if result.records is not None:
            stage(STAGES[2])
            build_locked(target, result.records)
        stage("done")
    return result
