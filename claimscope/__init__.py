"""claimscope: a knowledge base of claims with provenance, for the shell and for notebooks.

>>> import claimscope
>>> with claimscope.open() as kb:            # the default knowledge base, read-only
...     card = kb.entity("ISIS-K")           # an id, a name, an alias or a transliteration
...     [claim.to_dict() for claim in card.outgoing][:1]

Every answer is a frozen dataclass with ``to_dict()``; ``dataclasses.asdict`` works too.
"""

from __future__ import annotations

from typing import Any

from claimscope.api import KnowledgeBase, NotFound
from claimscope.api import open_knowledge_base as open  # noqa: A004 - the API reads as claimscope.open(...)
from claimscope.db.models import (
    Alias,
    Claim,
    Dispute,
    EntityCard,
    EntityRef,
    Evidence,
    SearchResult,
    Source,
    SourceRef,
    TimelineEvent,
)
from claimscope.db.queries import KnowledgeBaseError


def __getattr__(name: str) -> Any:
    # importlib.metadata costs a few milliseconds: read the version only when asked.
    if name == "__version__":
        from importlib.metadata import version

        return version("claimscope")
    raise AttributeError(f"module 'claimscope' has no attribute {name!r}")

__all__ = [
    "Alias",
    "Claim",
    "Dispute",
    "EntityCard",
    "EntityRef",
    "Evidence",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "NotFound",
    "SearchResult",
    "Source",
    "SourceRef",
    "TimelineEvent",
    "__version__",
    "open",
]
