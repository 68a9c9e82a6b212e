"""Where the knowledge base lives, and building it from seed files when they change."""

from __future__ import annotations

import os
from pathlib import Path

from claimscope.db.build import build_database
from claimscope.db.queries import built_corpus, built_fingerprint, built_imports
from claimscope.seed.loader import LoadResult, default_seed_dir, load_seed, seed_fingerprint

__all__ = ["BuildFailed", "DB_ENV", "build", "default_db_path", "ensure_default"]

DB_ENV = "CLAIMSCOPE_DB"


class BuildFailed(Exception):
    """The seed files have errors; nothing was written."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(f"{len(result.errors)} problems in the seed files")
        self.result = result


def default_db_path() -> Path:
    """The knowledge base built from the shipped seed files, in the user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("claimscope", appauthor=False)) / "claimscope.db"


def build(db_path: Path, seed_dir: Path, corpus: Path | None) -> LoadResult:
    """Load, validate and write a knowledge base; raise BuildFailed (writing nothing) on errors."""
    result = load_seed(seed_dir, corpus)
    if result.records is None:
        raise BuildFailed(result)
    build_database(db_path, result.records)
    return result


def ensure_default(corpus: Path | None, db_path: Path | None = None) -> Path:
    """The default knowledge base, built on first use and rebuilt when the seed files change."""
    target = db_path or default_db_path()
    seed_dir = default_seed_dir()
    if corpus is None:
        # No corpus named now: keep the one the file was built with, rather than rebuild it
        # without the texts (and so without passages) because one command was run without it.
        previous = built_corpus(target)
        corpus = previous if previous is not None and previous.is_dir() else None
    if built_fingerprint(target) != seed_fingerprint(seed_dir, corpus):
        if target.exists() and not os.access(target.parent, os.W_OK):
            return target  # a shared read-only copy: use it as it is
        if built_imports(target):
            # Rebuilding from the new seed files would drop what the user imported: keep the file.
            return target
        build(target, seed_dir, corpus)
    return target
