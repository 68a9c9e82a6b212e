"""One-line renderings for the lists: a search result or an entity.

Kept apart from ``render`` (which lays out cards and provenance) so that start-up, which draws
only a list, reads no more code than that. Untrusted text is added as plain text, cleaned.
"""

from __future__ import annotations

from rich.text import Text

from claimscope.db.models import EntitySummary, SearchResult
from claimscope.tui.text import clean_line

__all__ = ["result_line", "snippet_text"]


#: How each kind of hit by words is introduced in a result line (words, not only colour, for NO_COLOR).
_FOUND_IN = {"summary": "described:", "claim": "in a claim:", "passage": "in the text:"}


def snippet_text(snippet: str, marks: tuple[tuple[int, int], ...], style: str = "italic") -> Text:
    """A snippet, cleaned, on one line, with its matching words in bold reverse video.

    Each stretch between marks is cleaned on its own, so that the marks still fall on the words.
    """
    text = Text(style=style)
    position = 0
    for start, end in sorted(marks):
        if start < position or end > len(snippet):
            continue
        text.append(_stretch(snippet[position:start]))
        text.append(_stretch(snippet[start:end]), style="bold reverse")
        position = end
    text.append(_stretch(snippet[position:]))
    return text


def _stretch(part: str) -> str:
    """``clean_line`` of part of a line, keeping one space where it began or ended with white space."""
    cleaned = clean_line(part)
    if not cleaned:
        return " " if part[:1].isspace() else ""
    return (" " if part[:1].isspace() else "") + cleaned + (" " if part[-1:].isspace() else "")


def result_line(item: SearchResult | EntitySummary, show_kind: bool = True) -> Text:
    """One line of a result list: the name, the kind, and the alias (or the words) that matched."""
    passage = isinstance(item, SearchResult) and item.how == "passage"
    line = Text()
    if isinstance(item, SearchResult) and passage:
        # The locator first: after a long title it would be cut off at the edge.
        line.append(f"¶{item.paragraph}.{item.sentence}  ", style="cyan")
    line.append(clean_line(item.name), style="bold")
    if show_kind and not passage:
        line.append(f"  {item.kind}", style="cyan")
    if isinstance(item, SearchResult) and item.how in _FOUND_IN and item.snippet:
        line.append(f"  {_FOUND_IN[item.how]} ", style="dim")
        line.append_text(snippet_text(item.snippet, item.marks, "dim italic"))
    elif isinstance(item, SearchResult) and item.matched != item.name:
        line.append("  ")
        line.append(clean_line(item.matched) + (" (weak)" if item.weak else ""), style="dim italic")
    return line
