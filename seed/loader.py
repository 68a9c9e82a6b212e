"""Read a seed directory, validate it, resolve its locators, and produce records for ``db``.

Every problem is reported with file and line, what was expected and, where one can be
made, a suggestion; all problems of a run are collected, not only the first.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimscope.db.edtf import EDTFError, parse_edtf
from claimscope.db.files import describe
from claimscope.db.folding import compact, fold
from claimscope.db.records import (
    KINDS,
    MODALITIES,
    NEEDS_CLAIMANT,
    QUALIFIERS,
    SOURCE_GRADES,
    VALUE_TYPES,
    AliasRecord,
    ClaimRecord,
    EntityRecord,
    EvidenceRecord,
    PredicateRecord,
    Records,
    SourceRecord,
)
from claimscope.db.schema import FULL_TEXT, INDEXES, SCHEMA_VERSION, TABLES
from claimscope.seed.corpus import CorpusText, load_corpus_text, passage_records
from claimscope.seed.segment import Paragraph, parse_line_ranges
from claimscope.seed.yamlfile import Mapping, Problem, YamlError, load_yaml

__all__ = [
    "SKIP_REASONS", "Coverage", "CuratorNote", "LoadResult", "Mention", "Problem", "Reported", "default_seed_dir",
    "load_seed", "seed_fingerprint",
]

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_PREDICATE_ID = re.compile(r"[a-z][a-z0-9_]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TOP_LEVEL = ("sources", "predicates", "entities", "claims", "kind")
# Endnote numbers glued to words ("Salafism8") are not part of the words.
_GLUED_NOTE = re.compile(r"(?<=[a-z])\d{1,2}\b")
# A possessive ("ISKP's") still names ISKP.
_POSSESSIVE = re.compile(r"['’]s\b")
#: Why a body sentence may be left uncited on purpose (a source's ``skip:`` list).
SKIP_REASONS = {
    "furniture": "page furniture inside the body: a byline, a caption, a call to read on",
    "question": "a rhetorical question: it asks and asserts nothing",
    "repetition": "it restates what a cited sentence of the same source already says",
    "signpost": "it announces or links what follows and asserts nothing of its own",
    "comment": "the author's general remark or advice, which asserts no fact about an entity",
}


def default_seed_dir() -> Path:
    """The seed directory shipped with claimscope."""
    return Path(__file__).resolve().parent / "data"


def seed_files(seed_dir: Path) -> list[Path]:
    """The YAML files of a seed directory, in a fixed order."""
    return sorted(path for path in seed_dir.rglob("*") if path.suffix in (".yaml", ".yml") and path.is_file())


def seed_fingerprint(seed_dir: Path, corpus: Path | None) -> str:
    """A hash of the seed files and of the corpus texts present: when it changes, rebuild."""
    digest = hashlib.sha256()
    # The schema is part of what was built: a new schema means a rebuild, even from the same seed.
    digest.update(f"{SCHEMA_VERSION}\0{TABLES}{INDEXES}{FULL_TEXT}\0".encode())
    for path in seed_files(seed_dir):
        digest.update(str(path.relative_to(seed_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(b"corpus:" + str(corpus.resolve() if corpus else "").encode())
    if corpus and corpus.is_dir():
        for path in sorted(corpus.glob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of a source's paragraphs and sentences the knowledge base cites, and which it skips on purpose."""

    source_id: str
    paragraphs: int
    cited: int
    uncited: tuple[int, ...]
    #: Body sentences of the text, and how many of them some evidence cites (a paragraph cited
    #: without a sentence number cites each of its sentences).
    sentences: int = 0
    sentences_cited: int = 0
    #: Sentences no claim cites that the seed lists under ``skip:``: (paragraph, sentence, reason).
    skipped: tuple[tuple[int, int, str], ...] = ()
    #: Sentences neither cited nor skipped: (paragraph, sentence).
    uncited_sentences: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class CuratorNote:
    """A note for curators (``curator_note:``): kept in the seed and shown by ``check``, never built."""

    file: str
    line: int
    record: str
    text: str


class Reported:
    """The errors and warnings among the ``problems`` of a load or an import."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a build or an import."""
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems worth reading that stop nothing."""
        return [problem for problem in self.problems if problem.severity == "warning"]


@dataclass
class LoadResult(Reported):
    """The outcome of loading a seed directory."""

    records: Records | None
    problems: list[Problem] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    anaphora: int = 0
    files: int = 0
    mentions: list[Mention] = field(default_factory=list)
    #: Body sentences that no claim cites and no ``skip:`` entry explains, as warnings for ``check``
    #: (kept out of ``problems``: a build or an import of one's own text need not account for each).
    uncited_sentences: list[Problem] = field(default_factory=list)
    curator_notes: list[CuratorNote] = field(default_factory=list)


#: What one record of each section is called in messages.
_RECORD = {"sources": "source", "predicates": "predicate", "entities": "entity", "claims": "claim"}


def shown(value: Any, limit: int = 60) -> str:
    """A value from a file as a message quotes it: a text or a number as written (cut to ``limit``),
    a list or a mapping by what it is. Never the whole of a large or deeply nested value, whose
    ``repr`` could run to megabytes or past Python's recursion limit."""
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + "...'"


def _suggest(value: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=cutoff)
    return f"did you mean {matches[0]!r}?" if matches else None


@dataclass
class _Located:
    """A parsed record and where it came from."""

    file: str
    mapping: Mapping
    fields: dict[str, Any]

    def line(self, key: str | None = None) -> int:
        return self.mapping.line_of(key) if key else self.mapping.line


@dataclass(frozen=True)
class _Field:
    required: bool
    check: Callable[[Any], str | None]  # returns what was expected, or None when fine


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty text"


def _optional_text(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else "a text"


def _slug(value: Any) -> str | None:
    return None if isinstance(value, str) and _SLUG.fullmatch(value) else "a slug of a-z, 0-9 and '-'"


def _int_at_least_one(value: Any) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else "a whole number from 1"


def _list_of_text(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
        return None
    return "a list of texts"


def _list_of_lines(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(item, (int, str)) and not isinstance(item, bool) for item in value):
        return None
    return "a list of line numbers or ranges such as \"19-69\""


def _names(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
        return None
    return "a list of names (empty when there is no byline)"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _anything(value: Any) -> str | None:
    return None


def _edtf(value: Any) -> str | None:
    try:
        parse_edtf(value)
    except EDTFError as error:
        return f"an EDTF date ({error})"
    return None


def _optional_edtf(value: Any) -> str | None:
    return None if value is None else _edtf(value)


def _one_of(choices: Iterable[str]) -> Callable[[Any], str | None]:
    options = tuple(choices)

    def check(value: Any) -> str | None:
        return None if value in options else f"one of {', '.join(options)}"

    return check


def _kinds(value: Any) -> str | None:
    if isinstance(value, list) and value and all(item in KINDS for item in value):
        return None
    return f"a list of entity kinds ({', '.join(KINDS)})"


REQ, OPT = True, False
SOURCE_FIELDS = {
    "id": _Field(REQ, _slug), "file": _Field(REQ, _text), "sha256": _Field(REQ, _text), "title": _Field(REQ, _text),
    "publisher": _Field(REQ, _text), "authors": _Field(REQ, _names),
    "published": _Field(REQ, _edtf), "url": _Field(REQ, _text), "language": _Field(OPT, _text),
    "grade": _Field(REQ, _one_of(SOURCE_GRADES)), "grade_note": _Field(OPT, _optional_text),
    "note": _Field(OPT, _optional_text), "unconfirmed": _Field(OPT, _list_of_text),
    "body": _Field(REQ, _list_of_lines), "headings": _Field(OPT, _list_of_lines),
    "exclude": _Field(OPT, _list_of_lines),
    "skip": _Field(OPT, lambda v: None if isinstance(v, list) else "a list of {paragraph, sentence, reason}"),
}
SKIP_FIELDS = {
    "paragraph": _Field(REQ, _int_at_least_one), "sentence": _Field(REQ, _int_at_least_one),
    "reason": _Field(REQ, _one_of(SKIP_REASONS)), "note": _Field(OPT, _optional_text),
}
PREDICATE_FIELDS = {
    "id": _Field(REQ, lambda v: None if isinstance(v, str) and _PREDICATE_ID.fullmatch(v) else "a snake_case name"),
    "label": _Field(REQ, _text), "inverse": _Field(OPT, _optional_text), "subject": _Field(REQ, _kinds),
    "object": _Field(OPT, _kinds), "value": _Field(OPT, _one_of(VALUE_TYPES)), "functional": _Field(OPT, _bool),
    "self_claim": _Field(OPT, _bool),
    "description": _Field(OPT, _optional_text),
}
ENTITY_FIELDS = {
    "id": _Field(REQ, _slug), "kind": _Field(OPT, _one_of(KINDS)), "name": _Field(REQ, _text),
    "aliases": _Field(OPT, lambda v: None if isinstance(v, list) else "a list of aliases"),
    "summary": _Field(REQ, _text), "note": _Field(OPT, _optional_text), "subtype": _Field(OPT, _optional_text),
    "curator_note": _Field(OPT, _optional_text),
}
ALIAS_FIELDS = {"alias": _Field(REQ, _text), "weak": _Field(OPT, _bool), "note": _Field(OPT, _optional_text)}
CLAIM_FIELDS = {
    "id": _Field(OPT, _slug), "subject": _Field(REQ, _text), "predicate": _Field(REQ, _text),
    "object": _Field(OPT, _optional_text), "value": _Field(OPT, _anything), "unit": _Field(OPT, _optional_text),
    "qualifier": _Field(OPT, _one_of(QUALIFIERS)),
    "start": _Field(OPT, _optional_edtf), "end": _Field(OPT, _optional_edtf),
    "modality": _Field(OPT, _one_of(MODALITIES)), "claimant": _Field(OPT, _optional_text),
    "statement": _Field(OPT, _optional_text), "inferred": _Field(OPT, _optional_text),
    "note": _Field(OPT, _optional_text), "contradicts": _Field(OPT, _list_of_text),
    "scope": _Field(OPT, _optional_text), "curator_note": _Field(OPT, _optional_text),
    "evidence": _Field(REQ, lambda v: None if isinstance(v, list) and v else "a list of at least one locator"),
}
EVIDENCE_FIELDS = {
    "source": _Field(REQ, _text), "paragraph": _Field(OPT, _int_at_least_one), "line": _Field(OPT, _int_at_least_one),
    "sentence": _Field(OPT, _int_at_least_one),
    "grade": _Field(REQ, lambda v: None if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 6
                    else "an information-credibility grade from 1 to 6"),
    "anaphora": _Field(OPT, _bool),
}


#: Each schema's required keys, by the schema's id (with the schema, so that a reused id is
#: noticed), worked out when first needed.
_REQUIRED: dict[int, tuple[dict[str, _Field], tuple[str, ...]]] = {}


class _Loader:
    def __init__(self, seed_dir: Path, corpus: Path | None, require_corpus: bool) -> None:
        self.seed_dir = seed_dir
        self.corpus = corpus
        self.require_corpus = require_corpus
        self.problems: list[Problem] = []
        self.folded_passages: dict[tuple[str, int], str] = {}  # (source, paragraph) -> folded
        self.broken: set[str] = set()  # ids of records left out for a reported problem
        self.sources: list[_Located] = []
        self.predicates: list[_Located] = []
        self.entities: list[_Located] = []
        self.claims: list[_Located] = []
        self.texts: dict[str, CorpusText] = {}
        #: Each source's deliberately uncited sentences: (paragraph, sentence) -> (reason, file, line).
        self.skips: dict[str, dict[tuple[int, int], tuple[str, str, int]]] = {}
        self.files = 0
        self.unreadable: list[str] = []
        self.source_fields = SOURCE_FIELDS
        self.entity_fields = ENTITY_FIELDS
        self.evidence_fields = EVIDENCE_FIELDS

    def problem(self, file: str, line: int | None, message: str, suggestion: str | None = None,
                severity: str = "error") -> None:
        self.problems.append(Problem(file, line, message, suggestion, severity))

    # -- reading ---------------------------------------------------------------------------

    def input_files(self) -> list[Path]:
        """The YAML files to read."""
        if not self.seed_dir.is_dir():
            self.problem(str(self.seed_dir), None, "not a directory of seed files",
                         "give the folder that holds sources.yaml, predicates.yaml, entities/ and claims/")
            return []
        return seed_files(self.seed_dir)

    def read(self) -> None:
        for path in self.input_files():
            self.files += 1
            name = str(path)
            try:
                document = load_yaml(path, name)
            except YamlError as error:
                self.problems.extend(error.problems)
                self.unreadable.append(name)
                continue
            except OSError as error:
                self.problem(name, None, f"cannot read the file ({error.strerror})")
                continue
            if document is None:
                continue
            if not isinstance(document, Mapping):
                self.problem(name, getattr(document, "line", 1),
                             f"expected a mapping with {', '.join(_TOP_LEVEL[:-1])}, found a {type(document).__name__}")
                continue
            for key in document:
                if key not in _TOP_LEVEL:
                    self.problem(name, document.line_of(key), f"unknown top-level key {key!r}",
                                 _suggest(key, _TOP_LEVEL) or f"expected one of {', '.join(_TOP_LEVEL)}")
            default_kind = document.get("kind")
            if default_kind is not None and default_kind not in KINDS:
                self.problem(name, document.line_of("kind"), f"kind {default_kind!r} is not an entity kind",
                             _suggest(str(default_kind), KINDS) or f"expected one of {', '.join(KINDS)}")
                default_kind = None
            for section, schema, bucket in (
                ("sources", self.source_fields, self.sources),
                ("predicates", PREDICATE_FIELDS, self.predicates),
                ("entities", self.entity_fields, self.entities),
                ("claims", CLAIM_FIELDS, self.claims),
            ):
                if section not in document:
                    continue
                items = document[section]
                if not isinstance(items, list):
                    self.problem(name, document.line_of(section), f"{section} must be a list of records")
                    continue
                for index, item in enumerate(items):
                    line = items.item_lines[index] if hasattr(items, "item_lines") else document.line_of(section)
                    located = self.fields(name, line, item, schema, _RECORD[section])
                    if located is None:
                        self.note_broken(item)
                        continue
                    if section == "entities" and "kind" not in located.fields:
                        if default_kind is None:
                            self.problem(name, located.line(), "entity without a kind",
                                         f"add kind: one of {', '.join(KINDS)} (or a top-level kind: for the file)")
                            self.note_broken(item)
                            continue
                        located.fields["kind"] = default_kind
                    bucket.append(located)

    def fields(self, file: str, line: int, item: Any, schema: dict[str, _Field], what: str) -> _Located | None:
        # The common case first, in one pass over the keys given: every key known, every value
        # of the expected type, nothing required missing. Anything else is worded below.
        if isinstance(item, Mapping):
            for key, value in item.items():
                spec = schema.get(key)
                if spec is None or (value is not None and spec.check(value) is not None):
                    break
            else:
                known = _REQUIRED.get(id(schema))
                if known is None or known[0] is not schema:
                    required = tuple(key for key, spec in schema.items() if spec.required)
                    known = _REQUIRED[id(schema)] = (schema, required)
                if all(item.get(key) is not None for key in known[1]):
                    return _Located(file, item, dict(item))
        return self.worded_fields(file, line, item, schema, what)

    def worded_fields(self, file: str, line: int, item: Any, schema: dict[str, _Field], what: str) -> _Located | None:
        """``fields`` for a record with something wrong: each problem, in the order of the schema."""
        if not isinstance(item, Mapping):
            self.problem(file, line, f"a {what} must be a mapping of keys to values, found {shown(item)}")
            return None
        ok = True
        for key in item:
            if key not in schema:
                self.problem(file, item.line_of(key), f"unknown key {key!r} in a {what}",
                             # A key is a word the user meant: a loose match ('confidence' for
                             # 'evidence') would mislead, so only a near one is suggested.
                             _suggest(key, schema, 0.75) or f"expected one of {', '.join(schema)}")
                ok = False
        for key, spec in schema.items():
            if key not in item or item[key] is None:
                if spec.required:  # said at the key when it is there with no value (key: or key: ~)
                    self.problem(file, item.line_of(key), f"a {what} needs {key!r}", f"add {key}: ...")
                    ok = False
                continue
            expected = spec.check(item[key])
            if expected:
                self.problem(file, item.line_of(key), f"{key}: expected {expected}, found {shown(item[key])}")
                ok = False
        return _Located(file, item, dict(item)) if ok else None

    # -- checking across files ---------------------------------------------------------------

    def unique(self, located: list[_Located], what: str) -> dict[str, _Located]:
        seen: dict[str, _Located] = {}
        for record in located:
            identifier = record.fields["id"]
            if identifier in seen:
                first = seen[identifier]
                self.problem(record.file, record.line("id"), f"duplicate {what} id {identifier!r}",
                             f"first defined at {first.file}:{first.line('id')}; rename one")
                continue
            seen[identifier] = record
        return seen

    def note_broken(self, item: Any) -> None:
        """Remember the id of a record left out for a problem already reported, so that what cites
        it is not reported as citing an unknown id as well."""
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            self.broken.add(item["id"])

    def reference(self, record: _Located, key: str, known: AbcMapping[str, Any], what: str) -> bool:
        value = record.fields.get(key)
        if value in known:
            return True
        if isinstance(value, str) and value in self.broken:
            return False  # its own problem is reported where it is defined
        # An import's mapping reads the knowledge base by index and suggests from it so.
        suggest = getattr(known, "suggest", None)
        hint = suggest(str(value)) if suggest else _suggest(str(value), known)
        self.problem(record.file, record.line(key), f"unknown {what} {value!r}",
                     hint or f"check the id, or define this {what}")
        return False

    def build_sources(self, sources: dict[str, _Located]) -> list[SourceRecord]:
        records = []
        for source_id, located in sources.items():
            f = located.fields
            text_present = False
            paragraph_count = None
            if f.get("sha256") is not None and not _SHA256.fullmatch(f["sha256"]):
                self.problem(located.file, located.line("sha256"), "sha256: expected 64 lower-case hex digits",
                             "run sha256sum on the corpus file")
            corpus_file = self.text_path(located)
            try:
                # No body lines (an import's own text): every line is body.
                body = parse_line_ranges(f["body"]) if f.get("body") is not None else None
                headings = parse_line_ranges(f.get("headings") or [])
                exclude = parse_line_ranges(f.get("exclude") or [])
            except ValueError as error:
                self.problem(located.file, located.line("body"), f"line ranges: {error}")
                continue
            kind = describe(corpus_file) if corpus_file is not None else "missing"
            if kind not in ("missing", "a regular file") and corpus_file is not None:
                self.problem(located.file, located.line("file"), f"{corpus_file} is {kind}, not a text file",
                             "point file: at the text itself")
                corpus_file = None
            elif corpus_file is None or kind == "missing":
                where = self.text_places(located)
                self.problem(
                    located.file, located.line("file"), f"corpus text {f['file']!r} not found {where}; "
                    "its locators are not verified",
                    "give --corpus DIR or set CLAIMSCOPE_CORPUS",
                    severity="error" if self.require_corpus else "warning",
                )
            else:
                try:
                    corpus_text = load_corpus_text(corpus_file, body, headings, exclude)
                except (OSError, UnicodeDecodeError) as error:
                    self.problem(located.file, located.line("file"), f"cannot read {corpus_file}: {error}")
                    corpus_text = None
                if corpus_text is not None and f.get("body") is None:
                    f["body"] = [f"1-{corpus_text.segmentation.line_count}"]
                if corpus_text is not None and f.get("sha256") is None:
                    f["sha256"] = corpus_text.sha256  # recorded at import: a later change is then noticed
                if corpus_text is not None and corpus_text.sha256 != f["sha256"]:
                    self.problem(
                        located.file, located.line("sha256"),
                        f"{corpus_file} does not match its source record (SHA-256 {corpus_text.sha256[:12]}..., "
                        f"expected {f['sha256'][:12]}...)",
                        "the text changed: restore the original or re-check every locator and update sha256",
                    )
                elif corpus_text is not None:
                    last_line = corpus_text.segmentation.line_count
                    beyond = sorted(line for line in (body or set()) | headings | exclude if line > last_line)
                    if beyond:
                        self.problem(located.file, located.line("body"),
                                     f"line {beyond[0]} is beyond the end of {f['file']} "
                                     f"({corpus_text.segmentation.line_count} lines)")
                    self.texts[source_id] = corpus_text
                    text_present = True
                    paragraph_count = len(corpus_text.segmentation.paragraphs)
            self.read_skips(source_id, located)
            records.append(
                SourceRecord(
                    id=source_id, file=f["file"], sha256=f.get("sha256") or "", title=f["title"].strip(),
                    publisher=f["publisher"].strip(), authors=tuple(f["authors"]), published=f["published"],
                    url=f["url"].strip(), grade=f["grade"], language=f.get("language") or "en",
                    grade_note=f.get("grade_note"), note=f.get("note"), unconfirmed=tuple(f.get("unconfirmed") or ()),
                    text_present=text_present, paragraph_count=paragraph_count,
                    body=tuple(str(item) for item in f.get("body") or ()),
                    headings=tuple(str(item) for item in f.get("headings") or ()),
                    exclude=tuple(str(item) for item in f.get("exclude") or ()),
                    corpus_dir=self.text_dir(corpus_file, f["file"]) if text_present and corpus_file else None,
                )
            )
        return records

    def read_skips(self, source_id: str, located: _Located) -> None:
        """Check a source's ``skip:`` list (sentences left uncited on purpose) and keep it for coverage."""
        items = located.fields.get("skip") or []
        corpus_text = self.texts.get(source_id)
        skips: dict[tuple[int, int], tuple[str, str, int]] = {}
        for index, item in enumerate(items):
            line = items.item_lines[index] if hasattr(items, "item_lines") else located.line("skip")
            entry = self.fields(located.file, line, item, SKIP_FIELDS, "skipped sentence")
            if entry is None:
                continue
            paragraph_number, sentence_number = entry.fields["paragraph"], entry.fields["sentence"]
            if corpus_text is not None:
                paragraph = corpus_text.segmentation.paragraph(paragraph_number)
                if paragraph is None or sentence_number > len(paragraph.sentences):
                    where = (f"paragraph {paragraph_number} does not exist" if paragraph is None else
                             f"paragraph {paragraph_number} has {len(paragraph.sentences)} sentences")
                    self.problem(located.file, line, f"skip: {where} in {source_id}",
                                 f"run `claimscope passages {source_id}` to see the numbering")
                    continue
            if (paragraph_number, sentence_number) in skips:
                self.problem(located.file, line, f"skip: sentence {paragraph_number}.{sentence_number} of "
                             f"{source_id} is listed twice", "keep one entry")
                continue
            skips[(paragraph_number, sentence_number)] = (entry.fields["reason"], located.file, line)
        self.skips[source_id] = skips

    def text_path(self, located: _Located) -> Path | None:
        """Where a source's text should be."""
        return self.corpus / located.fields["file"] if self.corpus else None

    def text_places(self, located: _Located) -> str:
        """Where a missing text was looked for, for the message."""
        return f"in {self.corpus}" if self.corpus else "(no corpus directory given)"

    def text_dir(self, path: Path, name: str) -> str | None:
        """The folder to record for a text ``name`` found at ``path`` (None: the corpus folder)."""
        return None

    def known_links(self) -> list[tuple[str | None, ...]]:
        """Subject, object and claimant of each claim defined outside the files being read."""
        return []

    def claim_known(self, claim_id: str) -> bool:
        """Whether a claim id is defined outside the files being read (in an import's knowledge base)."""
        return False

    def suggest_claim(self, claim_id: str, ids: Iterable[str]) -> str | None:
        """``did you mean`` for a claim id that is not defined."""
        return _suggest(claim_id, ids)

    def build_predicates(self, predicates: dict[str, _Located]) -> list[PredicateRecord]:
        records = []
        for predicate_id, located in predicates.items():
            f = located.fields
            has_object, has_value = "object" in f, "value" in f
            if has_object == has_value:
                self.problem(located.file, located.line(), f"predicate {predicate_id!r} needs exactly one of "
                             "object (entity kinds) or value (number, text, date)")
                continue
            records.append(
                PredicateRecord(
                    id=predicate_id, label=f["label"], subject_kinds=tuple(f["subject"]),
                    object_kinds=tuple(f.get("object") or ()), value_type=f.get("value"),
                    inverse_label=f.get("inverse"), functional=bool(f.get("functional")),
                    self_claim=bool(f.get("self_claim")), description=f.get("description"),
                )
            )
        return records

    def build_entities(self, entities: dict[str, _Located]) -> tuple[list[EntityRecord], list[AliasRecord]]:
        records, aliases = [], []
        strong_owner: dict[str, tuple[str, _Located]] = {}
        for entity_id, located in entities.items():
            f = located.fields
            records.append(EntityRecord(entity_id, f["kind"], f["name"].strip(), f["summary"].strip(), f.get("note"),
                                        f.get("subtype")))
            seen: set[str] = set()
            listed = [(f["name"], False, None, located.line("name"))]
            raw_aliases = f.get("aliases") or []
            for index, alias in enumerate(raw_aliases):
                line = raw_aliases.item_lines[index] if hasattr(raw_aliases, "item_lines") else located.line("aliases")
                if isinstance(alias, str) and alias.strip():
                    listed.append((alias, False, None, line))
                elif isinstance(alias, Mapping):
                    alias_fields = self.fields(located.file, line, alias, ALIAS_FIELDS, "alias")
                    if alias_fields:
                        listed.append((alias["alias"], bool(alias.get("weak")), alias.get("note"), line))
                else:
                    self.problem(located.file, line,
                                 f"an alias must be a text or a mapping with alias:, found {shown(alias)}")
            for text, weak, note, line in listed:
                key = compact(fold(text))
                if not key:
                    self.problem(located.file, line, f"alias {text!r} has no letters or digits to search by")
                    continue
                if key in seen:
                    continue
                seen.add(key)
                aliases.append(AliasRecord(entity_id, text.strip(), weak, note))
                if not weak:
                    owner = strong_owner.get(key)
                    if owner and owner[0] != entity_id:
                        self.problem(located.file, line,
                                     f"alias {text!r} also names {owner[0]!r} ({owner[1].file}:{owner[1].line()})",
                                     "mark it weak: true on one or both, or merge the entities", severity="warning")
                    else:
                        strong_owner[key] = (entity_id, located)
        return records, aliases

    def build_claims(self, entities: AbcMapping[str, _Located], predicates: dict[str, PredicateRecord],
                     sources: AbcMapping[str, SourceRecord]) -> tuple[list[ClaimRecord], list[EvidenceRecord], int]:
        claims: list[ClaimRecord] = []
        evidence: list[EvidenceRecord] = []
        anaphora = 0
        claim_places: dict[str, _Located] = {}
        alias_words = self.alias_index()
        # An event is rarely named: a passage names it by naming who or where it involves.
        event_links: dict[str, set[str]] = defaultdict(set)
        roles = ("subject", "object", "claimant")
        linked = [tuple(located.fields.get(key) for key in roles) for located in self.claims]
        for ids in [*linked, *self.known_links()]:
            involved = [entity_id for entity_id in ids if isinstance(entity_id, str) and entity_id in entities]
            for entity_id in involved:
                if entities[entity_id].fields["kind"] == "event":
                    event_links[entity_id].update(other for other in involved if other != entity_id)
        for located in self.claims:
            f = located.fields
            ok = self.reference(located, "subject", entities, "entity")
            ok = self.reference(located, "predicate", predicates, "predicate") and ok
            for key in ("object", "claimant"):
                if f.get(key) is not None:
                    ok = self.reference(located, key, entities, "entity") and ok
            if not ok:
                continue
            predicate = predicates[f["predicate"]]
            ok = self.kind_fits(located, "subject", entities, predicate) and ok
            value_text = value_date = None
            value_number: float | None = None
            if predicate.value_type is None:
                if f.get("object") is None:
                    self.problem(located.file, located.line(), f"{predicate.id} needs an object (an entity id)")
                    ok = False
                else:
                    ok = self.kind_fits(located, "object", entities, predicate) and ok
                if "value" in f:
                    self.problem(located.file, located.line("value"),
                                 f"{predicate.id} takes an object, not a value", "use object: ENTITY_ID")
                    ok = False
            else:
                value = f.get("value")
                if "object" in f:
                    self.problem(located.file, located.line("object"),
                                 f"{predicate.id} takes a {predicate.value_type} value, not an object",
                                 "use value: ...")
                    ok = False
                if value is None:
                    self.problem(located.file, located.line(), f"{predicate.id} needs a {predicate.value_type} value")
                    ok = False
                elif predicate.value_type == "number":
                    if isinstance(value, bool) or not isinstance(value, (int, float)):
                        self.problem(located.file, located.line("value"),
                                     f"{predicate.id} takes a number, found {shown(value)}",
                                     "write the figure as digits and put what it counts in unit:")
                        ok = False
                    else:
                        value_number = float(value)
                elif predicate.value_type == "date":
                    expected = _edtf(value)
                    if expected:
                        self.problem(located.file, located.line("value"), f"value: expected {expected}")
                        ok = False
                    else:
                        value_date = str(value).strip()
                elif not isinstance(value, str) or not value.strip():
                    self.problem(located.file, located.line("value"),
                                 f"{predicate.id} takes a text, found {shown(value)}")
                    ok = False
                else:
                    value_text = value.strip()
            if f.get("qualifier") and predicate.value_type != "number":
                self.problem(located.file, located.line("qualifier"), "qualifier: only a number can be qualified",
                             "remove qualifier:, or put the hedge in the statement")
                ok = False
            modality = f.get("modality") or "asserted"
            claimant = f.get("claimant")
            if modality in NEEDS_CLAIMANT and not claimant:
                self.problem(located.file, located.line("modality"),
                             f"a {modality} claim needs a claimant: who in the source makes it",
                             "add claimant: ENTITY_ID")
                ok = False
            if predicate.self_claim and (modality not in ("claimed", "denied") or claimant != f["subject"]):
                self.problem(located.file, located.line("modality"),
                             f"{predicate.id} states {f['subject']!r}'s own claim, so it is recorded as that claim",
                             f"set modality: claimed and claimant: {f['subject']}")
                ok = False
            if claimant and modality == "asserted":
                self.problem(located.file, located.line("claimant"),
                             "a claim with a claimant is that claimant's assertion, not the source author's",
                             "set modality: claimed, alleged, estimated, reported, hedged or denied")
                ok = False
            if not ok:
                continue
            claim_id = f.get("id") or _derived_id(f, value_number)
            if claim_id in claim_places:
                first = claim_places[claim_id]
                self.problem(located.file, located.line("id" if "id" in f else None), f"duplicate claim {claim_id!r}",
                             f"the same claim is at {first.file}:{first.line()}; merge their evidence")
                continue
            claim_places[claim_id] = located
            claims.append(
                ClaimRecord(
                    id=claim_id, subject=f["subject"], predicate=f["predicate"], object=f.get("object"),
                    value_text=value_text, value_number=value_number, value_date=value_date, unit=f.get("unit"),
                    qualifier=f.get("qualifier"),
                    start=f.get("start"), end=f.get("end"), modality=modality, claimant=claimant,
                    statement=f.get("statement"), inferred=f.get("inferred"), note=f.get("note"),
                    contradicts=tuple(f.get("contradicts") or ()), scope=f.get("scope"),
                )
            )
            names = [f["subject"], f.get("object"), claimant]
            names += [linked for name in names if name in event_links for linked in sorted(event_links[name])]
            for item, line in zip(f["evidence"], f["evidence"].item_lines, strict=True):
                found = self.evidence(located, claim_id, item, line, sources, [n for n in names if n], alias_words)  # noqa: E501
                if found:
                    evidence.append(found)
                    anaphora += found.anaphora
        defined = {claim.id for claim in claims}
        for claim in claims:
            for other in claim.contradicts:
                if other == claim.id or not (other in defined or self.claim_known(other)):
                    located = claim_places[claim.id]
                    self.problem(located.file, located.line("contradicts"),
                                 f"contradicts: no other claim has the id {other!r}",
                                 self.suggest_claim(other, defined)
                                 or "give the contradicted claim an id: and use that")
        return claims, evidence, anaphora

    def kind_fits(self, located: _Located, role: str, entities: AbcMapping[str, _Located],
                  predicate: PredicateRecord) -> bool:
        """Whether the claim's subject or object is of a kind the predicate accepts."""
        entity_id = located.fields[role]
        kind = entities[entity_id].fields["kind"]
        allowed = predicate.subject_kinds if role == "subject" else predicate.object_kinds
        if kind in allowed:
            return True
        self.problem(located.file, located.line(role),
                     f"{predicate.id} takes {'a' if role == 'subject' else 'an'} {role} of kind "
                     f"{' or '.join(allowed)}, but {entity_id!r} is {'an' if kind[0] in 'aeiou' else 'a'} {kind}",
                     "choose another predicate or swap subject and object")
        return False

    def alias_index(self) -> dict[str, list[str]]:
        """Folded aliases of every entity, for checking that a passage names them."""
        index: dict[str, list[str]] = defaultdict(list)
        for located in self.entities:
            f = located.fields
            spellings = [f["name"]]
            for alias in f.get("aliases") or []:
                spellings.append(alias["alias"] if isinstance(alias, Mapping) and "alias" in alias else alias)
            index[f["id"]] = [fold(s) for s in spellings if isinstance(s, str) and fold(s)]
        return index

    def evidence(self, claim: _Located, claim_id: str, item: Any, line: int, sources: AbcMapping[str, SourceRecord],
                 entity_ids: list[str], alias_words: dict[str, list[str]]) -> EvidenceRecord | None:
        located = self.fields(claim.file, line, item, self.evidence_fields, "piece of evidence")
        if located is None:
            return None
        f = located.fields
        if f["source"] not in sources:
            self.reference(located, "source", sources, "source")
            return None
        if ("paragraph" in f) == ("line" in f):
            self.problem(claim.file, line, "a locator needs exactly one of paragraph: N or line: N")
            return None
        corpus_text = self.texts.get(f["source"])
        paragraph_number: int = f.get("paragraph") or 0  # 0 only until a line locator resolves
        sentence_number: int | None = f.get("sentence")
        start = end = paragraph_start = paragraph_end = None
        if corpus_text is not None:
            segmentation = corpus_text.segmentation
            if "line" in f:
                file_line = f["line"]
                if file_line in segmentation.furniture_lines or file_line > segmentation.line_count:
                    self.problem(claim.file, located.line("line"),
                                 f"line {file_line} of {f['source']} is page furniture, not body",
                                 "cite a body paragraph")
                    return None
                if file_line in segmentation.heading_lines:
                    self.problem(claim.file, located.line("line"), f"line {file_line} of {f['source']} is a subheading",
                                 "cite the paragraph under it")
                    return None
                found = segmentation.paragraph_at_line(file_line)
                if found is None:
                    self.problem(claim.file, located.line("line"), f"line {file_line} of {f['source']} is blank")
                    return None
                paragraph_number = found.number
            paragraph = segmentation.paragraph(paragraph_number)
            if paragraph is None:
                self.problem(claim.file, located.line("paragraph"),
                             f"{f['source']} has {len(segmentation.paragraphs)} body paragraphs; "
                             f"paragraph {paragraph_number} does not exist",
                             "run `claimscope passages SOURCE_ID` to see the numbering")
                return None
            start, end = paragraph_start, paragraph_end = paragraph.start, paragraph.end
            if sentence_number is not None:
                if sentence_number > len(paragraph.sentences):
                    self.problem(claim.file, located.line("sentence"),
                                 f"paragraph {paragraph_number} of {f['source']} has {len(paragraph.sentences)} "
                                 f"sentences; sentence {sentence_number} does not exist",
                                 "run `claimscope passages SOURCE_ID` to see the numbering")
                    return None
                sentence = paragraph.sentences[sentence_number - 1]
                start, end = sentence.start, sentence.end
            self.check_named(claim.file, line, f["source"], corpus_text, paragraph, entity_ids, alias_words,
                             bool(f.get("anaphora")))
        elif "line" in f:
            self.problem(claim.file, located.line("line"), "a line locator needs the corpus text to resolve",
                         "give --corpus DIR", severity="warning")
            return None
        return EvidenceRecord(
            claim_id=claim_id, source_id=f["source"], paragraph=paragraph_number, grade=f["grade"],
            sentence=sentence_number, start=start, end=end, anaphora=bool(f.get("anaphora")),
            paragraph_start=paragraph_start, paragraph_end=paragraph_end,
        )

    def check_named(self, file: str, line: int, source_id: str, corpus_text: CorpusText, paragraph: Paragraph,
                    entity_ids: list[str], alias_words: dict[str, list[str]], anaphora: bool) -> None:
        """Report a cited paragraph that names none of the claim's entities (unless marked anaphora)."""
        aliases = [alias for entity_id in entity_ids for alias in alias_words.get(entity_id, ())]
        if _names_plainly(corpus_text.text[paragraph.start:paragraph.end], aliases):
            return
        # Claims often cite the same paragraph: it is folded once (a loader holds one text a source).
        passage = self.folded_passages.get((source_id, paragraph.number))
        if passage is None:
            passage = _folded_passage(corpus_text.text[paragraph.start:paragraph.end])
            self.folded_passages[(source_id, paragraph.number)] = passage
        if not any(f" {alias} " in passage for alias in aliases) and not anaphora:
            self.problem(file, line,
                         f"paragraph {paragraph.number} of {source_id} names none of "
                         f"{', '.join(dict.fromkeys(entity_ids))}",
                         "cite the passage that names them, add an alias, or mark anaphora: true if it refers "
                         "to them only by pronoun")

    def event_checks(self, entities: dict[str, _Located], claims: list[ClaimRecord]) -> None:
        dated = {claim.subject for claim in claims if claim.predicate == "occurred_on"}
        for entity_id, located in entities.items():
            if located.fields["kind"] == "event" and entity_id not in dated:
                self.problem(located.file, located.line(), f"event {entity_id!r} has no occurred_on claim",
                             "add a claim with predicate occurred_on and an EDTF value, with its evidence")

    def coverage(self, sources: list[SourceRecord], evidence: list[EvidenceRecord]) -> list[Coverage]:
        """Paragraph and sentence coverage of each source whose text is present.

        A skipped sentence that a claim cites is reported (as a warning): the skip is stale.
        """
        cited: dict[str, set[int]] = defaultdict(set)
        cited_sentences: dict[str, set[tuple[int, int | None]]] = defaultdict(set)
        for item in evidence:
            cited[item.source_id].add(item.paragraph)
            cited_sentences[item.source_id].add((item.paragraph, item.sentence))
        result = []
        for source in sources:
            if source.paragraph_count is None:
                continue
            numbers = set(range(1, source.paragraph_count + 1))
            corpus_text = self.texts.get(source.id)
            skips = self.skips.get(source.id, {})
            sentences = cited_count = 0
            skipped: list[tuple[int, int, str]] = []
            uncited: list[tuple[int, int]] = []
            for paragraph in corpus_text.segmentation.paragraphs if corpus_text else ():
                for sentence in paragraph.sentences:
                    locator = (paragraph.number, sentence.number)
                    sentences += 1
                    is_cited = bool({locator, (paragraph.number, None)} & cited_sentences[source.id])
                    skip = skips.get(locator)
                    if is_cited:
                        cited_count += 1
                        if skip:
                            self.problem(skip[1], skip[2], f"sentence {paragraph.number}.{sentence.number} of "
                                         f"{source.id} is listed under skip: but a claim cites it",
                                         "drop the skip entry", severity="warning")
                    elif skip:
                        skipped.append((*locator, skip[0]))
                    else:
                        uncited.append(locator)
            result.append(Coverage(source.id, source.paragraph_count, len(numbers & cited[source.id]),
                                   tuple(sorted(numbers - cited[source.id])), sentences, cited_count,
                                   tuple(skipped), tuple(uncited)))
        return result

    def uncited_sentences(self, coverage: list[Coverage]) -> list[Problem]:
        """A warning for each body sentence that no claim cites and no ``skip:`` entry explains."""
        places = {located.fields["id"]: located for located in self.sources}
        warnings: list[Problem] = []
        for item in coverage:
            located = places.get(item.source_id)
            if located is None:
                continue
            line = located.line("skip" if "skip" in located.fields else None)
            warnings.extend(
                Problem(located.file, line, f"sentence {paragraph}.{sentence} of {item.source_id} is cited by no "
                        "claim and not listed under skip:",
                        f"cite it, or add {{paragraph: {paragraph}, sentence: {sentence}, reason: ...}} to skip: "
                        f"({', '.join(SKIP_REASONS)})", "warning")
                for paragraph, sentence in item.uncited_sentences
            )
        return warnings

    def curator_notes(self) -> list[CuratorNote]:
        """The ``curator_note:`` of every entity and claim, in file order."""
        return [
            CuratorNote(located.file, located.line("curator_note"), str(located.fields.get("id") or
                        f"{located.fields.get('subject')} {located.fields.get('predicate')}"),
                        " ".join(str(located.fields["curator_note"]).split()))
            for located in [*self.entities, *self.claims] if located.fields.get("curator_note")
        ]


# A folded alias of plain words: a-z and single spaces, no digit, and not starting with an
# article (the passage's own leading article is dropped when folded).
_PLAIN_ALIAS = re.compile(r"(?!(?:al|el)(?: |\Z))[a-z]+(?: [a-z]+)*")
# What may stand either side of an alias found as it is: space and punctuation that folding
# turns into a space and no rule of folding reads (not an apostrophe, hyphen or digit).
_PLAIN_EDGES = frozenset(' \t\n.,;:!?()[]"')


@functools.lru_cache(maxsize=65536)
def _plain_alias(alias: str) -> bool:
    return _PLAIN_ALIAS.fullmatch(alias) is not None


def _names_plainly(text: str, aliases: list[str]) -> bool:
    """Whether ``text`` names one of these folded aliases as it stands, without folding it.

    Folding the passage costs more than anything else in checking a claim. An alias of plain
    words found in the lower-cased text, in ASCII, between a space or punctuation mark (or an
    end) on each side, is found in the folded passage too: no rule of folding changes ASCII
    letters and spaces, or such edges, or anything next to them (a rule that could, such as
    the leading article or a footnote number glued to a word, needs what the alias and its
    edges exclude). False means "not found this way"; the folded passage then decides.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: positions would not line up
        return False
    for alias in aliases:
        if not _plain_alias(alias):
            continue
        start = lowered.find(alias)
        while start >= 0:
            end = start + len(alias)
            if (text[start:end].isascii() and (start == 0 or text[start - 1] in _PLAIN_EDGES)
                    and (end == len(text) or text[end] in _PLAIN_EDGES)):
                return True
            start = lowered.find(alias, start + 1)
    return False


def _folded_passage(text: str) -> str:
    """A passage folded for matching aliases as whole words, with a space at each end."""
    if "'" in text or "’" in text:
        text = _POSSESSIVE.sub("", text)
    return " " + _GLUED_NOTE.sub("", fold(text)) + " "


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity named in a source's body that no evidence from that source is about."""

    source_id: str
    entity_id: str
    alias: str
    paragraphs: tuple[int, ...]


def unevidenced_mentions(records: Records, texts: dict[str, CorpusText]) -> list[Mention]:
    """Entities a source names (by a strong alias) without any claim citing that source about them.

    One entity should carry evidence from every article that mentions it; this lists the
    places where it does not yet. Longer aliases are matched first and blanked out, so
    that "Khorasan" inside "Voice of Khorasan" does not count as naming the region.
    """
    involved: dict[str, set[str]] = defaultdict(set)
    claim_entities = {c.id: {c.subject, c.object, c.claimant} - {None} for c in records.claims}
    for item in records.evidence:
        involved[item.source_id].update(claim_entities[item.claim_id])  # type: ignore[arg-type]
    spellings = sorted(
        {(f" {fold(alias.alias)} ", alias.entity_id, alias.alias) for alias in records.aliases
         if not alias.weak and len(fold(alias.alias)) >= 3},
        key=lambda spelling: (-len(spelling[0]), spelling[1]),
    )
    mentions: list[Mention] = []
    for source_id, corpus_text in sorted(texts.items()):
        found: dict[str, tuple[str, list[int]]] = {}
        for paragraph in corpus_text.segmentation.paragraphs:
            passage = _folded_passage(corpus_text.text[paragraph.start:paragraph.end])
            for needle, entity_id, alias_text in spellings:
                if needle in passage:
                    passage = passage.replace(needle, " | ")
                    entry = found.setdefault(entity_id, (alias_text, []))
                    if paragraph.number not in entry[1]:
                        entry[1].append(paragraph.number)
        mentions.extend(
            Mention(source_id, entity_id, alias_text, tuple(numbers))
            for entity_id, (alias_text, numbers) in sorted(found.items())
            if entity_id not in involved[source_id]
        )
    return mentions


def _derived_id(fields: dict[str, Any], value_number: float | None) -> str:
    value = value_number if value_number is not None else fields.get("value")
    key = "|".join(
        str(value if name == "value" else fields.get(name))
        for name in ("subject", "predicate", "object", "value", "unit", "modality", "claimant", "start", "end")
    )
    if fields.get("scope"):  # only then: the ids of claims without a scope stay as they were
        key += f"|{fields['scope']}"
    return f"{fields['subject']}--{fields['predicate'].replace('_', '-')}--{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def load_seed(seed_dir: Path, corpus: Path | None, require_corpus: bool = False) -> LoadResult:
    """Load and validate a seed directory; resolve locators against ``corpus`` when given.

    Args:
        seed_dir: the folder of YAML files.
        corpus: the folder of corpus texts, or None.
        require_corpus: make a missing corpus text an error (``check``) instead of a warning.
    """
    loader = _Loader(seed_dir, corpus, require_corpus)
    loader.read()
    if loader.unreadable:
        # Ids defined in a file that could not be read would all be reported as unknown:
        # report what was found so far, and leave the checks across files for the next run.
        loader.problem(str(seed_dir), None,
                       f"{len(loader.unreadable)} file(s) could not be read, so references between files "
                       "were not checked", "fix the syntax errors above and run again")
        return LoadResult(None, loader.problems, [], 0, loader.files)
    source_map = loader.unique(loader.sources, "source")
    predicate_map = loader.unique(loader.predicates, "predicate")
    entity_map = loader.unique(loader.entities, "entity")
    sources = loader.build_sources(source_map)
    predicates = loader.build_predicates(predicate_map)
    entities, aliases = loader.build_entities(entity_map)
    claims, evidence, anaphora = loader.build_claims(
        entity_map, {p.id: p for p in predicates}, {s.id: s for s in sources}
    )
    loader.event_checks(entity_map, claims)
    if not loader.files:
        loader.problem(str(seed_dir), None, "no seed files (*.yaml) found", "give the folder that holds sources.yaml")
    coverage = loader.coverage(sources, evidence)
    uncited_sentences = loader.uncited_sentences(coverage)
    errors = [problem for problem in loader.problems if problem.severity == "error"]
    records = None
    if not errors:
        records = Records(
            sources=tuple(sources), predicates=tuple(predicates), entities=tuple(entities), aliases=tuple(aliases),
            claims=tuple(claims), evidence=tuple(evidence),
            meta=(("seed_fingerprint", seed_fingerprint(seed_dir, corpus)), ("seed_dir", str(seed_dir.resolve())),
                  ("corpus", str(corpus.resolve()) if corpus else "")),
            passages=tuple(passage for source_id, text in sorted(loader.texts.items())
                           for passage in passage_records(source_id, text)),
        )
    mentions = unevidenced_mentions(records, loader.texts) if records is not None and require_corpus else []
    return LoadResult(records, loader.problems, coverage, anaphora, loader.files, mentions, uncited_sentences,
                      loader.curator_notes())
