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
knowledge base, and every problem of a run is reported together. The checks ask the
knowledge base by index (``db.known``), so they cost what the files cost. Nothing is written
unless there are no errors; then what the files add is written into the file in place, in one
transaction under the build lock (``db.append``).

``--replace`` imports a changed version of sources already imported: in the same transaction,
the old version's evidence, the claims only it supported and the imported entities nothing
speaks of any more are taken out first (``remove_sources``), then the files are checked and
added as any import.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Mapping as AbcMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as with_fields
from pathlib import Path
from typing import Any

from claimscope.db.append import Addition, Removal, Transaction, append, changing, reading, remove_sources
from claimscope.db.files import describe, write_target
from claimscope.db.folding import compact, fold, mixes_scripts, skeleton
from claimscope.db.known import KnownBase, Lookup
from claimscope.db.records import AliasRecord, ClaimRecord, EvidenceRecord, SourceRecord
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

__all__ = ["STAGES", "ImportResult", "Interrupted", "RemoveResult", "import_files", "load_import", "remove_imported"]

#: What an import does, in order, as ``import_files`` reports it to its ``stage`` callback (a
#: slow import's progress bar shows them). The first shows only while another writer (an
#: import, a removal, a build) holds the lock: the next stage replaces it at once otherwise.
STAGES = ("waiting for another import or build to finish", "reading the knowledge base",
          "checking the files", "writing the knowledge base")

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
    addition: Addition | None = None  # what the import writes, when there are no errors
    files: int = 0
    added: dict[str, int] = field(default_factory=dict)
    coverage: list[Coverage] = field(default_factory=list)
    #: With ``replace``: what the old version of the sources took with it.
    removed: Removal | None = None
    #: With ``replace``: the imported entities the files define again, updated in place.
    updated: list[str] = field(default_factory=list)


def _known(mapping: dict[str, Any]) -> _Located:
    """A record of the knowledge base, in the shape the loader checks references against."""
    located = Mapping(mapping)
    located.line = 0
    located.key_lines = {}
    return _Located("(knowledge base)", located, dict(mapping))


class _Either(AbcMapping[str, Any]):
    """The files' records and the knowledge base's, as one mapping the loader checks references against.

    Only what is asked for is read from the knowledge base; ``suggest`` finds a close id in both.
    """

    def __init__(self, files: dict[str, Any], known: Lookup, shape: Callable[[str, Any], Any]) -> None:
        self.files = files
        self.known = known
        self.shape = shape
        self.shaped: dict[str, Any] = {}

    def __contains__(self, key: object) -> bool:
        return key in self.files or key in self.known

    def __getitem__(self, key: str) -> Any:
        if key in self.files:
            return self.files[key]
        if key not in self.shaped:
            self.shaped[key] = self.shape(key, self.known[key])
        return self.shaped[key]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.files, *self.known]))

    def __len__(self) -> int:
        return len(self.files) + len(self.known)

    def suggest(self, value: str) -> str | None:
        return _suggest(value, self.files) or self.known.suggest(value)


class _ImportLoader(_Loader):
    def __init__(self, paths: list[Path], corpus: Path | None, known: KnownBase, replacing: bool = False) -> None:
        super().__init__(Path("."), corpus, require_corpus=True)
        self.paths = paths
        self.known = known
        self.replacing = replacing
        self.source_fields = IMPORT_SOURCE_FIELDS
        self.entity_fields = IMPORT_ENTITY_FIELDS
        self.evidence_fields = IMPORT_EVIDENCE_FIELDS
        self.base_texts: set[str] = set()
        self.normalised: dict[str, tuple[str, list[int]]] = {}
        self.merges: dict[str, str] = {}
        self.merged_aliases: list[AliasRecord] = []
        self.updated: dict[str, _Located] = {}
        self.quoted = 0
        self.links: list[tuple[str | None, ...]] | None = None

    def kind(self, entity_id: str) -> str:
        return str(self.known.entities[entity_id][0])

    def name(self, entity_id: str) -> str:
        return str(self.known.entities[entity_id][1])

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
                kind = describe(path)
                self.problem(str(path), None, "no such file or folder" if kind == "missing" else
                             f"{kind}, not a YAML file or a folder of them", "give the path of a .yaml file")
        unique: dict[Path, Path] = {}
        for path in files:
            resolved = path.resolve()
            try:
                str(resolved).encode("utf-8")
            except UnicodeEncodeError:
                # The knowledge base records where a note and its text came from, as text.
                shown = os.fsencode(resolved).decode("utf-8", "backslashreplace")
                self.problem(shown, None, "this path is not UTF-8 text (a byte such as \\xe9 in a file or folder "
                             "name), so the knowledge base cannot record where the note came from",
                             "rename the file or folder with UTF-8 characters")
                continue
            unique.setdefault(resolved, path)
        return list(unique.values())

    def text_path(self, located: _Located) -> Path | None:
        name = located.fields["file"]
        for folder in self.text_folders(located):
            if (folder / name).is_file():
                return folder / name
        return Path(located.file).parent / name

    def text_folders(self, located: _Located) -> list[Path]:
        """Where a source's text is looked for: beside the YAML file as named, beside the file it
        links to when it is a symlink, then in ``--corpus``."""
        given = Path(located.file)
        folders = [given.parent]
        if given.resolve().parent != given.parent.resolve():
            folders.append(given.resolve().parent)
        return list(dict.fromkeys([*folders, *([self.corpus] if self.corpus else [])]))

    def text_places(self, located: _Located) -> str:
        return "beside the file (" + ") or in (".join(map(str, self.text_folders(located))) + ")"

    def text_dir(self, path: Path, name: str) -> str | None:
        # The folder the text's path was given from (its ``file:`` may hold subfolders, and a
        # symlink stays a symlink): that folder and ``file:`` find it again.
        base = Path(os.path.abspath(path))
        for _ in Path(name).parts:
            base = base.parent
        return str(base)

    def claim_known(self, claim_id: str) -> bool:
        return claim_id in self.known.claims

    def suggest_claim(self, claim_id: str, ids: Iterable[str]) -> str | None:
        return _suggest(claim_id, ids) or self.known.claims.suggest(claim_id)

    def referenced(self) -> set[str]:
        """The entities the files' claims name."""
        return {value for located in self.claims for key in ("subject", "object", "claimant")
                if isinstance(value := located.fields.get(key), str)}

    def known_links(self) -> list[tuple[str | None, ...]]:
        # Only the knowledge base's claims about an event the files name can matter (a passage
        # names an event by naming who or where it involves): read by index.
        if self.links is None:
            named = self.referenced()
            self.known.entities.preload(named)
            events = [entity_id for entity_id in named if entity_id in self.known.entities
                      and self.kind(entity_id) == "event"]
            self.links = list(self.known.links(events))
            self.known.entities.preload(entity_id for link in self.links for entity_id in link if entity_id)
        return self.links

    def base_text(self, source_id: str) -> None:
        """Read the text of a knowledge-base source the files cite, once."""
        if source_id in self.base_texts or source_id in self.texts:
            return
        self.base_texts.add(source_id)
        try:
            text = source_text(self.known.sources[source_id], self.corpus)
        except TextUnavailable as error:
            self.problem("(knowledge base)", None, f"{error}, so locators citing it cannot be checked",
                         "give --corpus DIR (the folder that holds it), or restore the text it was built from")
            return
        self.texts[source_id] = text

    # -- checks against the knowledge base ---------------------------------------------------

    def not_in_base(self, mapping: dict[str, _Located], known: Iterable[str] | Lookup, what: str,
                    suggestion: str) -> None:
        for identifier in [identifier for identifier in mapping if identifier in known]:
            located = mapping.pop(identifier)
            self.problem(located.file, located.line("id"), f"{what} id {identifier!r} is already in the knowledge base",
                         suggestion)

    def split_redefined(self, entities: dict[str, _Located]) -> None:
        """With ``replace``: take out the imported entities the files define again; they are updated in place."""
        if not self.replacing:
            return
        self.known.entities.preload(entities)
        for entity_id in [entity_id for entity_id in entities if entity_id in self.known.entities]:
            kind, _, imported = self.known.entities[entity_id]
            if not imported:
                continue  # an entity of the seed: reported as already there
            located = entities.pop(entity_id)
            if kind != located.fields["kind"]:
                self.problem(located.file, located.line("kind"),
                             f"entity {entity_id!r} is a {kind} in the knowledge base, not a {located.fields['kind']}",
                             "an entity keeps its kind: give this one another id")
                continue
            self.updated[entity_id] = located
            self.add_spellings(entity_id, located)

    def add_spellings(self, target: str, located: _Located) -> None:
        """Give ``target`` the spellings of ``located`` that it does not have yet."""
        known = {compact(fold(alias)) for _, alias, _, _, _ in self.known.aliases_of([target])}
        known |= {compact(fold(alias.alias)) for alias in self.merged_aliases if alias.entity_id == target}
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

    def split_merges(self, entities: dict[str, _Located]) -> None:
        """Take out the entities that say ``same_as``; their spellings go to the entity named."""
        for entity_id in [entity_id for entity_id, located in entities.items() if "same_as" in located.fields]:
            located = entities.pop(entity_id)
            target = located.fields["same_as"]
            if target not in self.known.entities:
                self.problem(located.file, located.line("same_as"),
                             f"same_as: no entity {target!r} in the knowledge base",
                             self.known.entities.suggest(target) or "give the id of an entity already there")
                continue
            if self.kind(target) != located.fields["kind"]:
                self.problem(located.file, located.line("same_as"),
                             f"same_as: {entity_id!r} is a {located.fields['kind']}, {target!r} is a "
                             f"{self.kind(target)}", "merge only entities of one kind")
                continue
            self.merges[entity_id] = target
            self.add_spellings(target, located)

    def collisions(self, entities: dict[str, _Located]) -> None:
        """Flag new entities that may be ones the knowledge base already has (asked of its name indexes)."""
        for entity_id, located in entities.items():
            f = located.fields
            kind, apart = f["kind"], set(f.get("distinct_from") or ())
            for other in sorted(apart):
                if other not in self.known.entities:
                    self.problem(located.file, located.line("distinct_from"),
                                 f"distinct_from: no entity {other!r} in the knowledge base",
                                 self.known.entities.suggest(other) or "give ids of entities already there")
            names = [f["name"]] + [
                alias if isinstance(alias, str) else alias.get("alias", "")
                for alias in f.get("aliases") or () if isinstance(alias, str) or not alias.get("weak")
            ]
            same: dict[str, str] = {}
            disguised: dict[str, str] = {}
            alike: dict[str, tuple[str, float]] = {}
            for name in map(str, names):
                for owner in self.known.same_spelling(kind, name):
                    same.setdefault(owner, name)
                # A name that mixes scripts and reads as another's spelling once its look-alike
                # letters are taken for Latin ones ("ІSКР" in Cyrillic letters for ISKP).
                if mixes_scripts(name):
                    for owner in self.known.same_spelling(kind, skeleton(name)):
                        disguised.setdefault(owner, name)
            for name in map(str, names):
                for owner, spelling, score in self.known.alike(kind, name, FUZZY_CUTOFF):
                    if owner not in same and score > alike.get(owner, ("", 0.0))[1]:
                        alike[owner] = (spelling, score)
            self.known.entities.preload([*same, *disguised, *alike])
            for owner, name in disguised.items():
                if owner not in same and owner not in apart:
                    self.problem(located.file, located.line("name"),
                                 f"entity {entity_id!r} is named {name!r}, which mixes scripts and looks like "
                                 f"{self.name(owner)} ({owner}): letters from another alphabet that look "
                                 "like Latin ones", f"type the name in one alphabet; if it is {owner}, add "
                                 f"same_as: {owner}; if not, distinct_from: [{owner}]")
            same = {owner: name for owner, name in same.items() if owner not in apart}
            alike = {owner: found for owner, found in alike.items() if owner not in apart}
            ranked = sorted(alike.items(), key=lambda item: -item[1][1])[:3]
            listed = [f"{owner} ({self.name(owner)}; {name!r} is its spelling too)" for owner, name in same.items()]
            listed += [f"{owner} ({self.name(owner)}; {spelling!r}, {score:.0f}% alike)"
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
        for owner, _, folded, _, _ in self.known.aliases_of(needed - set(index)):
            index[owner].append(folded)
        for entity_id in self.updated:
            index[entity_id] += [folded for owner, _, folded, _, _ in self.known.aliases_of([entity_id])]
        for alias in self.merged_aliases:
            index[alias.entity_id].append(fold(alias.alias))
        return index

    # -- evidence by quote -------------------------------------------------------------------

    def evidence(self, claim: _Located, claim_id: str, item: Any, line: int, sources: AbcMapping[str, SourceRecord],
                 entity_ids: list[str], alias_words: dict[str, list[str]]) -> EvidenceRecord | None:
        source_id = item.get("source") if isinstance(item, Mapping) else None
        if isinstance(source_id, str) and source_id not in self.texts and source_id in self.known.sources:
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
                excerpt = _whole_words(corpus_text.text, closest.start, closest.end, paragraphs[closest.index])
                hint = (f"the closest passage is in paragraph {paragraphs[closest.index].number} "
                        f"({closest.score:.0f}% alike): {excerpt!r}")
            self.problem(claim.file, located.line("quote"), f"quote orphaned: not found in {where}", hint)
            return None
        numbers = list(dict.fromkeys(paragraph.number for _, _, paragraph in found))
        if expected is not None and expected not in numbers and not any(p.number == expected for p in paragraphs):
            self.problem(claim.file, located.line("paragraph"),
                         f"{source_id} has {len(paragraphs)} body paragraphs; paragraph {expected} does not exist "
                         f"(the quote is in paragraph {' and '.join(map(str, numbers))})",
                         f"set paragraph: {numbers[0]}, or leave paragraph: out and let the quote say where")
            return None
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


def _whole_words(text: str, start: int, end: int, paragraph: Any, limit: int = 70) -> str:
    """``text[start:end]`` widened to whole words within ``paragraph``, on one line, cut at a word
    to about ``limit`` characters with an ellipsis."""
    while start > paragraph.start and not text[start - 1].isspace():
        start -= 1
    while end < paragraph.end and not text[end].isspace():
        end += 1
    excerpt = " ".join(text[start:end].split())
    if len(excerpt) <= limit:
        return excerpt
    cut = excerpt.rfind(" ", 0, limit - 3)
    return excerpt[:cut if cut > 0 else limit - 3] + "..."


def _content(claim: ClaimRecord) -> tuple[object, ...]:
    return tuple(getattr(claim, name) for name in _CLAIM_CONTENT)


def load_import(paths: list[Path], known: KnownBase, corpus: Path | None, replacing: bool = False) -> ImportResult:
    """Check ``paths`` against the knowledge base ``known``; on success, ``addition`` is what to write.

    With ``replacing``, imported entities the files define again are updates, not clashes.
    """
    loader = _ImportLoader(paths, corpus, known, replacing)
    loader.read()
    result = ImportResult(files=loader.files)
    if loader.unreadable:
        loader.problem(str(paths[0]) if len(paths) == 1 else "(import)", None,
                       f"{len(loader.unreadable)} file(s) could not be read, so nothing else was checked",
                       "fix the syntax errors above and run again", severity="note")
        result.problems = loader.problems
        return result
    if not loader.files and not loader.problems:
        loader.problem(", ".join(map(str, paths)), None, "no *.yaml files to import")
    source_map = loader.unique(loader.sources, "source")
    predicate_map = loader.unique(loader.predicates, "predicate")
    entity_map = loader.unique(loader.entities, "entity")
    known.sources.preload(source_map)
    loader.not_in_base(source_map, known.sources, "source",
                       "cite it in your claims without defining it again, give your source another id, or import "
                       "with --replace to put this version in place of the one there")
    loader.not_in_base(predicate_map, {p.id for p in known.predicates}, "predicate",
                       "use it without defining it again")
    loader.split_redefined(entity_map)
    known.entities.preload(entity_map)
    loader.not_in_base(entity_map, known.entities, "entity",
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
    updated, _ = loader.build_entities(dict(loader.updated))
    known_entities = _Either(entity_map, known.entities, lambda entity_id, row: _known({"id": entity_id,
                                                                                       "kind": row[0]}))
    all_sources = _Either({source.id: source for source in sources}, known.sources, lambda _, row: row)
    claims, evidence, _ = loader.build_claims(
        known_entities, {p.id: p for p in (*known.predicates, *predicates)}, all_sources,  # type: ignore[arg-type]
    )
    loader.event_checks(entity_map, claims)
    fresh, corroborated = [], 0
    explicit = {located.fields["id"]: located for located in loader.claims if "id" in located.fields}
    known.claims.preload(claim.id for claim in claims)
    for claim in claims:
        existing = known.claims.get(claim.id)
        if existing is None:
            fresh.append(claim)
        elif _content(existing) == _content(claim):
            corroborated += 1  # the same claim, from another source: its evidence is added
        else:
            place = explicit.get(claim.id)
            loader.problem(place.file if place else "(import)", place.line("id") if place else None,
                           f"claim id {claim.id!r} is already in the knowledge base, saying something else",
                           "give your claim another id")
    have = known.evidence_keys(claim.id for claim in claims if claim.id in known.claims)
    new_evidence = [e for e in evidence if (e.claim_id, e.source_id, e.paragraph, e.sentence, e.start, e.end)
                    not in have]
    result.problems = loader.problems
    result.coverage = loader.coverage(sources, evidence)
    result.updated = sorted(loader.updated)
    result.added = {
        "sources": len(sources), "entities": len(entities), "aliases": len(aliases) + len(loader.merged_aliases),
        "claims": len(fresh), "corroborated": corroborated, "evidence": len(new_evidence),
        "quotes": loader.quoted, "merged": len(loader.merges), "updated": len(loader.updated),
    }
    if result.errors:
        return result
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result.addition = Addition(
        sources=[with_fields(source, imported=now) for source in sources],
        predicates=predicates,
        entities=[with_fields(entity, imported=now) for entity in entities],
        updated=updated,
        aliases=[*aliases, *loader.merged_aliases],
        claims=fresh,
        evidence=new_evidence,
        passages=[passage for source in sources if source.id in loader.texts
                  for passage in passage_records(source.id, loader.texts[source.id])],
    )
    return result


def _defined_sources(paths: list[Path]) -> tuple[dict[str, tuple[str, int]], list[str], int]:
    """The source ids the files define, each with its file and line; the entity ids they define; how many files.

    Read before the files are checked (for ``replace``).
    """
    loader = _ImportLoader(paths, None, None)  # type: ignore[arg-type]
    loader.read()
    sources = {located.fields["id"]: (located.file, located.line("id")) for located in loader.sources
               if isinstance(located.fields.get("id"), str)}
    entities = [located.fields["id"] for located in loader.entities if isinstance(located.fields.get("id"), str)]
    return sources, entities, loader.files


def _checkpoint(name: str) -> None:
    """Where the interruption tests kill an import; nothing otherwise.

    ``CLAIMSCOPE_KILL_AT=name`` kills the process here; ``name+SECONDS`` kills it that long
    after, wherever it then is (inside the writes, inside SQLite's commit).
    """
    wanted = os.environ.get("CLAIMSCOPE_KILL_AT", "")
    point, _, delay = wanted.partition("+")
    if point != name:
        return
    import signal
    import threading

    def kill() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    if not delay:
        kill()
    timer = threading.Timer(float(delay), kill)
    timer.daemon = True
    timer.start()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a note is read, checked and written.

    A large note makes hundreds of thousands of small objects that live to the end, and
    the collector walked them again and again: about a tenth of a 50,000-claim import.
    What is read and checked holds no reference cycles to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_files(db_path: Path, paths: list[Path], corpus: Path | None, dry_run: bool = False,
                 stage: Callable[[str], None] = lambda _: None, replace: bool = False) -> ImportResult:
    """Import ``paths`` into the knowledge base at ``db_path`` in one transaction; write nothing on errors.

    With ``replace``, sources the files define that an import already added are taken out
    first (with what only they support) and put in again as the files now give them.

    Raises:
        DumpError: when ``db_path`` is not a knowledge base this version can read.
        UnusableFile: when ``db_path`` is not a regular file (a symlink is written through).
        sqlite3.Error, ValueError, OSError: when writing fails; the file is then as it was.
    """
    with _collector_paused():
        return _import_files(db_path, paths, corpus, dry_run, stage, replace)


class Interrupted(KeyboardInterrupt):
    """A Ctrl-C during an import or removal, saying whether the change had been committed."""

    def __init__(self, written: bool) -> None:
        super().__init__()
        self.written = written


@contextmanager
def _interruptible(target: Path) -> Iterator[Transaction]:
    """``changing(target)``, with a Ctrl-C turned into ``Interrupted``, which says whether it was written."""
    begun: list[Transaction] = []
    try:
        with changing(target) as transaction:
            begun.append(transaction)
            yield transaction
    except KeyboardInterrupt:
        raise Interrupted(bool(begun) and begun[0].committed) from None


def _import_files(db_path: Path, paths: list[Path], corpus: Path | None, dry_run: bool = False,
                  stage: Callable[[str], None] = lambda _: None, replace: bool = False) -> ImportResult:
    if dry_run and not replace:
        # Nothing is written, so no write lock is taken: a dry run works on a knowledge base
        # in a folder it may not write (a shared, read-only one).
        stage(STAGES[1])
        with reading(db_path) as known:
            stage(STAGES[2])
            result = load_import(paths, known, corpus)
        stage("done")
        return result
    target, _ = write_target(db_path)  # a symlink is written through, a device or FIFO refused
    stage(STAGES[0])
    with _interruptible(target) as transaction:
        stage(STAGES[1])
        removed: Removal | None = None
        if replace:
            removed, problems, files = _take_out_old_versions(transaction, paths)
            if problems:
                return ImportResult(problems=problems, files=files)
        stage(STAGES[2])
        result = load_import(paths, transaction.known(), corpus, replacing=replace)
        result.removed = removed
        if result.addition is None or dry_run:
            stage("done")
            return result  # rolled back
        stage(STAGES[3])
        _checkpoint("before-append")
        append(transaction.connection, result.addition)
        _checkpoint("before-commit")
        entry: dict[str, Any] = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                 "files": [str(p.resolve()) for p in paths]} | result.added
        if removed is not None:
            entry["replaced"] = removed.sources
        transaction.known().record(entry)
        transaction.commit()
        _checkpoint("after-commit")
    stage("done")
    return result


def _take_out_old_versions(transaction: Transaction, paths: list[Path]) -> tuple[Removal, list[Problem], int]:
    """For ``replace``: remove the sources the files define that an import added; refuse seed sources.

    Returns what was removed, the problems (nothing is removed when there are any) and how many files were read.
    """
    known = transaction.known()
    source_ids, entity_ids, files = _defined_sources(paths)
    known.sources.preload(source_ids)
    present = [source_id for source_id in source_ids if source_id in known.sources]
    problems = [Problem(*source_ids[source_id], f"source {source_id!r} comes from the shipped seed, not an import; "
                        "--replace only puts a new version in place of an imported source",
                        "give your source another id")
                for source_id in present if known.sources[source_id].imported is None]
    if problems:
        return Removal(), problems, files
    return remove_sources(transaction.connection, present, redefined=entity_ids), [], files


@dataclass
class RemoveResult:
    """What ``remove_imported`` took out."""

    removal: Removal
    problems: list[Problem] = field(default_factory=list)


def remove_imported(db_path: Path, source_ids: list[str], force: bool = False, dry_run: bool = False) -> RemoveResult:
    """Remove sources from the knowledge base at ``db_path``, with what only they support, in one transaction.

    A source of the shipped seed is refused unless ``force``; an unknown id gets a suggestion.
    With ``dry_run`` the change is worked out and rolled back.
    """
    target, _ = write_target(db_path)
    with _interruptible(target) as transaction:
        known = transaction.known()
        known.sources.preload(source_ids)
        problems: list[Problem] = []
        for source_id in dict.fromkeys(source_ids):
            if source_id not in known.sources:
                problems.append(Problem("(remove)", None, f"no source {source_id!r} in {db_path}",
                                        known.sources.suggest(source_id) or "`claimscope sources` lists them"))
            elif known.sources[source_id].imported is None and not force:
                problems.append(Problem("(remove)", None, f"source {source_id!r} comes from the shipped seed",
                                        "give --force to remove it all the same (a build from the seed "
                                        "brings it back)"))
        if problems:
            return RemoveResult(Removal(), problems)
        removal = remove_sources(transaction.connection, list(dict.fromkeys(source_ids)))
        if dry_run:
            return RemoveResult(removal)  # rolled back
        _checkpoint("before-commit")
        known.record({"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "removed": removal.sources,
                      "claims": len(removal.claims), "evidence": removal.evidence,
                      "entities": len(removal.entities)})
        transaction.commit()
    return RemoveResult(removal)
