"""The Python face of claimscope: what the command line answers, as frozen dataclasses.

The command line is built on these calls, so a notebook and a shell get the same answers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimscope.db.edtf import parse_edtf
from claimscope.db.models import Dispute, EntityCard, EntityRef, SearchResult, Source, TimelineEvent
from claimscope.db.queries import KnowledgeBase as _Store
from claimscope.db.queries import KnowledgeBaseError

if TYPE_CHECKING:
    import sqlite_utils

    from claimscope.db.search import SearchResults

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "NotFound", "open_knowledge_base"]


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

        The list's ``total`` says how many entities matched in all (at least that many when ``capped``).
        """
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
        actor_id = self.ref(actor).id if actor else None
        return self.store.timeline(actor=actor_id, since=since, until=until, limit=limit)

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
    """
    if path is None:
        from claimscope.seed.corpus import default_corpus
        from claimscope.seed.knowledge_base import BuildFailed, ensure_default

        try:
            path = ensure_default(Path(corpus) if corpus is not None else default_corpus())
        except BuildFailed as failure:
            raise KnowledgeBaseError(f"the shipped seed files do not build: {failure}") from failure
        except OSError as error:
            raise KnowledgeBaseError(f"cannot write the default knowledge base: {error}; give a path") from error
    return KnowledgeBase(_Store.open(path))
