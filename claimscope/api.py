"""The Python face of claimscope: what the command line answers, as frozen dataclasses.

The command line is built on these calls, so a notebook and a shell get the same answers.
"""

from __future__ import annotations

import difflib
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimscope.db.edtf import parse_edtf
from claimscope.db.files import UnusableFile
from claimscope.db.models import (
    ClaimFacets,
    ClaimHits,
    ClaimQuery,
    Dispute,
    EntityCard,
    EntityRef,
    SearchResult,
    Source,
    TimelineEvent,
)
from claimscope.db.queries import KnowledgeBase as _Store
from claimscope.db.queries import KnowledgeBaseError
from claimscope.db.records import KINDS

if TYPE_CHECKING:
    import sqlite_utils

    from claimscope.db.search import SearchResults

__all__ = ["ArgumentError", "KnowledgeBase", "KnowledgeBaseError", "NotFound", "open_knowledge_base"]

#: Some letter or digit, in any script: a text without one has nothing to search for.
_A_WORD = re.compile(r"\w")


class ArgumentError(ValueError):
    """An argument ``claim_query`` cannot take. The message names the arguments as Python
    calls them; ``for_command_line`` names them as the command line does (``--since``, ``TEXT``)."""

    _PYTHON = {"text": "the text", "since": "since", "until": "until"}
    _COMMAND_LINE = {"text": "TEXT", "since": "--since", "until": "--until"}

    def __init__(self, template: str, **values: object) -> None:
        self.template, self.values = template, values
        super().__init__(template.format(**self._PYTHON, **values))

    def for_command_line(self) -> str:
        return self.template.format(**self._COMMAND_LINE, **self.values)


class NotFound(LookupError):
    """No entity, or no one entity, answers to a name; ``candidates`` holds the closest ones."""

    def __init__(self, id_or_name: str, candidates: list[SearchResult], ambiguous: bool) -> None:
        self.id_or_name = id_or_name
        self.candidates = candidates
        self.ambiguous = ambiguous
        if ambiguous:
            options = "; ".join(f"{c.id} ({c.name}, via {c.matched!r})" for c in candidates[:5])
            message = f"{id_or_name!r} is not an id and does not name one entity clearly; candidates: {options}"
        else:
            message = f"no entity matches {id_or_name!r}"
            if candidates:
                message += "; the closest names: " + "; ".join(f"{c.name} ({c.id})" for c in candidates[:5])
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class KnowledgeBase:
    """A knowledge base opened read-only; use it as a context manager, or call ``close()``.

    Entities may be named by id or by any name, alias or transliteration, as on the command line.
    """

    def __init__(self, store: _Store) -> None:
        self.store = store
        """The query layer underneath, for what this class does not wrap."""
        self._database: Any = None

    @property
    def path(self) -> Path:
        """The knowledge base file."""
        return self.store.path

    def close(self) -> None:
        """Close the file."""
        self.store.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<claimscope.KnowledgeBase {str(self.path)!r}>"

    @contextmanager
    def snapshot(self) -> Iterator[KnowledgeBase]:
        """Every call inside the ``with`` block reads the same state of the file.

        Each call reads one state on its own; an import that commits between two calls is
        seen by the second. Inside a snapshot it is not, and it waits for the block to end
        before it commits: keep the block short.
        """
        with self.store.snapshot():
            yield self

    @property
    def database(self) -> sqlite_utils.Database:
        """The file as a read-only ``sqlite_utils.Database``, for queries this class does not wrap.

        For instance ``kb.database["claims"].search("Idlib")`` (full-text, through ``claims_fts``) or
        ``kb.database.query(sql)``. sqlite-utils is imported on first use only: it costs
        more to import than a whole search does.
        """
        if self._database is None:
            from sqlite_utils import Database

            self._database = Database(self.store.connection, recursive_triggers=False, execute_plugins=False)
        return self._database

    def ref(self, id_or_name: str) -> EntityRef:
        """The entity an id or a name means.

        Raises:
            NotFound: no entity, or several equally, answer to it; the exception carries candidates.
        """
        if not isinstance(id_or_name, str):
            raise TypeError(f"an entity is named by an id or a name (text), not {type(id_or_name).__name__}")
        ref, results = self.store.resolve(id_or_name)
        if ref is not None:
            return ref
        if any(result.how != "fuzzy" for result in results):
            raise NotFound(id_or_name, results, ambiguous=True)
        if results:  # only misspellings: offer them as suggestions, never pick one
            raise NotFound(id_or_name, results, ambiguous=False)
        raise NotFound(id_or_name, self.store.closest(id_or_name), ambiguous=False)

    def search(self, query: str, kind: str | None = None, limit: int = 20) -> SearchResults:
        """Entities by any name, alias, acronym or transliteration, best first (typos allowed).

        After every name match come the hits by words (``how`` is ``summary``, ``claim`` or
        ``passage``), each with a ``snippet``. The list's ``total`` says how many matched in all
        (at least that many when ``capped``).

        Raises:
            ValueError: an unknown kind, or a negative limit.
        """
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind is one of {', '.join(KINDS)}, not {kind!r}")
        if limit < 0:
            raise ValueError(f"limit cannot be negative ({limit})")
        return self.store.search(query, kind=kind, limit=limit)

    def entity(self, id_or_name: str) -> EntityCard:
        """An entity with its aliases and every claim about it or by it, each with its evidence.

        Raises:
            NotFound: as ``ref``.
        """
        card = self.store.entity(self.ref(id_or_name).id)
        assert card is not None  # the id came from the file just now
        return card

    def timeline(self, actor: str | None = None, since: str | None = None, until: str | None = None,
                 limit: int | None = None) -> list[TimelineEvent]:
        """Dated events in date order; ``since`` and ``until`` are EDTF dates, ``actor`` an id or a name.

        Raises:
            ValueError: a date that is not EDTF (``claimscope.db.edtf.EDTFError``).
            NotFound: an actor no entity answers to.
        """
        for value in (since, until):
            if value is not None:
                parse_edtf(value)
        if limit is not None and limit < 0:
            raise ValueError(f"limit cannot be negative ({limit})")
        actor_id = self.ref(actor).id if actor else None
        return self.store.timeline(actor=actor_id, since=since, until=until, limit=limit)

    def claim_query(self, text: str | None = None, *, entity: str | None = None, predicate: str | None = None,
                    modality: str | Iterable[str] = (), claimant: str | None = None, source: str | None = None,
                    grade: int | None = None, source_grade: str | None = None, disputed: bool | None = None,
                    since: str | None = None, until: str | None = None) -> ClaimQuery:
        """The query ``claims`` and ``claim_facets`` run, with names resolved to ids and every filter checked.

        Raises:
            NotFound: an entity or claimant no entity answers to.
            LookupError: an unknown predicate or source id (the message names the closest).
            ValueError: an unknown modality, a grade out of range, a date that is not EDTF;
                ArgumentError (a ValueError) for a text without a word or a since after until.
        """
        if text is not None and not isinstance(text, str):
            raise TypeError(f"text must be a string or None, not {type(text).__name__}")
        if text and not _A_WORD.search(text):
            # Quotes or brackets alone would otherwise select every claim without a word said.
            raise ArgumentError("{text} {value!r} holds no word to search for: give a word, or no text to list "
                                "every claim the filters keep", value=text)
        if grade is not None and (isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 6):
            raise ValueError(f"grade must be a whole number from 1 (best) to 6, not {grade!r}")
        modalities = (modality,) if isinstance(modality, str) else tuple(modality)
        query = ClaimQuery(
            text=text or None, entity=self.ref(entity).id if entity else None, predicate=predicate,
            modalities=modalities, claimant=self.ref(claimant).id if claimant else None, source=source,
            grade=grade, source_grade=source_grade, disputed=disputed, since=since, until=until,
        )
        for value, table, what in ((predicate, "predicates", "predicate"), (source, "sources", "source")):
            if value is not None and not self.store.has_id(table, value):
                known = self.store.ids(table)
                close = [k for k in known if k.startswith(value)][:3] or difflib.get_close_matches(value, known, n=3,
                                                                                                  cutoff=0.5)
                raise LookupError(f"no {what} {value!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
        bounds = {option: parse_edtf(value) for option, value in (("since", since), ("until", until))
                  if value is not None}
        if len(bounds) == 2 and bounds["since"].lower > bounds["until"].upper:
            raise ArgumentError("{since} {first!r} is after {until} {last!r}: no time is both; swap them",
                                first=since, last=until)
        return query

    def claims(self, text: str | None = None, *, limit: int = 20, offset: int = 0, **filters: Any) -> ClaimHits:
        """Claims found by their words (best first, with a snippet) and by filters, each with its evidence.

        ``filters`` are those of ``claim_query``: ``entity`` (claims about it), ``predicate``,
        ``modality`` (one or several), ``claimant``, ``source``, ``grade`` (some evidence graded
        that or better, 1 best), ``source_grade`` (A best), ``disputed``, ``since``, ``until``.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset cannot be negative")
        return self.store.claims(self.claim_query(text, **filters), offset=offset, limit=limit)

    def claim_count(self, text: str | None = None, **filters: Any) -> int:
        """How many claims ``claims`` would find with no limit."""
        return self.store.claim_count(self.claim_query(text, **filters))

    def claim_facets(self, text: str | None = None, **filters: Any) -> ClaimFacets:
        """The claims found, counted by modality, predicate, source, claimant, best grade and dispute."""
        return self.store.claim_facets(self.claim_query(text, **filters))

    def sources(self) -> list[Source]:
        """The sources, by publication date, with claim counts and paragraph coverage."""
        return self.store.sources()

    def disputes(self) -> list[Dispute]:
        """Claims that disagree, grouped, each with its sources."""
        return self.store.disputes()


def open_knowledge_base(path: str | os.PathLike[str] | None = None, corpus: str | os.PathLike[str] | None = None,
                        ) -> KnowledgeBase:
    """Open a knowledge base read-only: ``path``, or the default one built from the shipped seed files.

    The default knowledge base is built on first use (and when the seed files change) into the
    user data directory, with the corpus texts of ``corpus`` (or ``CLAIMSCOPE_CORPUS``) when given.

    Raises:
        KnowledgeBaseError: a file that is missing, damaged, or not a knowledge base of this version.
        ValueError: ``corpus`` given with ``path`` (it only says how to build the default one).
        FileNotFoundError: a ``corpus`` folder that does not exist.
    """
    if corpus is not None:
        if path is not None:
            raise ValueError("corpus= says which texts the default knowledge base is built with; a knowledge base "
                             "given by path was built already (the app and the command line take --corpus)")
        if not Path(corpus).is_dir():
            raise FileNotFoundError(f"{corpus}: no such folder of corpus texts")
    if path is None:
        from claimscope.seed.corpus import default_corpus
        from claimscope.seed.knowledge_base import BuildFailed, ensure_default

        try:
            path = ensure_default(Path(corpus) if corpus is not None else default_corpus())
        except BuildFailed as failure:
            raise KnowledgeBaseError(f"the shipped seed files do not build: {failure}") from failure
        except (OSError, sqlite3.Error, UnusableFile) as error:
            raise KnowledgeBaseError(f"cannot write the default knowledge base: {error}; give a path") from error
    return KnowledgeBase(_Store.open(path))
