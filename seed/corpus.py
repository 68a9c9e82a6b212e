"""Finding corpus texts, checking their hashes, and segmenting them."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from claimscope.seed.segment import Segmentation, segment

__all__ = ["CorpusText", "default_corpus", "read_text", "source_folder"]

CORPUS_ENV = "CLAIMSCOPE_CORPUS"


def default_corpus() -> Path | None:
    """The corpus directory to use when none is given.

    ``CLAIMSCOPE_CORPUS`` when set; otherwise ``../shared/seeds`` beside a source checkout
    of claimscope, when it exists; otherwise None (texts are then not on this machine).
    """
    configured = os.environ.get(CORPUS_ENV)
    if configured:
        return Path(configured).expanduser()
    beside_checkout = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
    return beside_checkout if beside_checkout.is_dir() else None


def source_folder(corpus_dir: str | None, corpus: Path | None) -> Path | None:
    """Where a source's text is: the folder an import found it in, else the corpus folder."""
    return Path(corpus_dir) if corpus_dir else corpus


@dataclass(frozen=True, slots=True)
class CorpusText:
    """A corpus text read from disk, its hash, and its segmentation."""

    path: Path
    text: str
    sha256: str
    segmentation: Segmentation


def read_text(path: Path) -> tuple[str, str]:
    """Read a corpus file as UTF-8; return its text and the SHA-256 of its bytes."""
    raw = path.read_bytes()
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


def load_corpus_text(path: Path, body: set[int] | None, headings: set[int], exclude: set[int]) -> CorpusText:
    """Read and segment one corpus text.

    Raises:
        OSError, UnicodeDecodeError: when the file cannot be read as UTF-8 text.
    """
    text, digest = read_text(path)
    return CorpusText(path, text, digest, segment(text, body, frozenset(headings), frozenset(exclude)))
