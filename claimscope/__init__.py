"""claimscope: a knowledge base of claims with provenance, for the shell and for notebooks.

>>> import claimscope
>>> with claimscope.open() as kb:            # the default knowledge base, read-only
...     card = kb.entity("ISIS-K")           # an id, a name, an alias or a transliteration
...     [claim.to_dict() for claim in card.outgoing][:1]

Every answer is a frozen dataclass with ``to_dict()``; ``dataclasses.asdict`` works too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and editors; at run time each name is imported when first used
    from claimscope.api import ArgumentError, KnowledgeBase, NotFound
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

# Where each public name lives. Importing the package imports none of them: the command line
# and the app (which import ``claimscope.tui`` through this package) do not pay for the API.
_LAZY = {
    "KnowledgeBase": ("claimscope.api", "KnowledgeBase"),
    "NotFound": ("claimscope.api", "NotFound"),
    "ArgumentError": ("claimscope.api", "ArgumentError"),
    "open": ("claimscope.api", "open_knowledge_base"),
    "KnowledgeBaseError": ("claimscope.db.queries", "KnowledgeBaseError"),
    **{name: ("claimscope.db.models", name) for name in (
        "Alias", "Claim", "Dispute", "EntityCard", "EntityRef", "Evidence", "SearchResult", "Source", "SourceRef",
        "TimelineEvent")},
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value  # the next use is a plain attribute
        return value
    # importlib.metadata costs a few milliseconds: read the version only when asked.
    if name == "__version__":
        from importlib.metadata import version

        return version("claimscope")
    raise AttributeError(f"module 'claimscope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Alias",
    "ArgumentError",
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
