"""The passages behind evidence: read from the corpus on this machine, when it is there and unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimscope.db.models import SourceRef

__all__ = ["PassageStore", "SourceText"]


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source's text, or why it cannot be shown."""

    text: str | None
    problem: str | None
    #: The text as it is now, when it has changed since the build (to look for a quote in it).
    changed: str | None = None


class PassageStore:
    """Reads each source text once, checks its SHA-256 against the source record, and keeps it."""

    def __init__(self, corpus: Path | None) -> None:
        self.corpus = corpus
        self._texts: dict[str, SourceText] = {}
        self._lock = Lock()

    def text_of(self, source: SourceRef) -> SourceText:
        """The text of ``source`` (call from a worker: it reads a file the first time)."""
        with self._lock:
            if source.id not in self._texts:
                self._texts[source.id] = self._read(source)
            return self._texts[source.id]

    def _read(self, source: SourceRef) -> SourceText:
        # Read when a claim's provenance is first asked for, not at start-up (the segmenter and the
        # records it imports are not on the first frame).
        from claimscope.seed.corpus import read_text, source_folder

        folder = source_folder(source.corpus_dir, self.corpus)
        if folder is None:
            return SourceText(None, "The text is not on this machine (no corpus folder: use --corpus or "
                                    "CLAIMSCOPE_CORPUS).")
        path = folder / source.file
        try:
            text, digest = read_text(path)
        except FileNotFoundError:
            return SourceText(None, f"The text is not on this machine ({source.file} is not in {folder}).")
        except (OSError, UnicodeDecodeError) as error:
            return SourceText(None, f"The text cannot be read ({path}: {error}).")
        if source.sha256 and digest != source.sha256:
            return SourceText(None, f"{path} has changed since the knowledge base was built (SHA-256 differs): "
                                    "the passage is not shown, because its locator may no longer point at it.",
                              changed=text)
        return SourceText(text, None)
