"""Finding corpus texts, checking their hashes, and segmenting them."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claimscope.db.files import describe
from claimscope.db.records import PassageRecord
from claimscope.seed.segment import Segmentation, line_intervals, parse_line_ranges, segment

if TYPE_CHECKING:
    from claimscope.db.records import SourceRecord

__all__ = [
    "MAX_TEXT_BYTES",
    "CorpusText",
    "TextFileError",
    "TextUnavailable",
    "default_corpus",
    "passage_records",
    "read_text",
    "source_folder",
    "source_text",
    "verified_text",
]

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


#: The largest source text read (a long book is a few MB; a larger file is a mistake, or an attack).
MAX_TEXT_BYTES = 64 * 1024 * 1024


class TextFileError(OSError):
    """A source text's path that is not a readable text file of a sane size; the message says what it is."""


def read_text(path: Path) -> tuple[str, str]:
    """Read a corpus file as UTF-8; return its text and the SHA-256 of its bytes.

    The file is opened without blocking and checked before it is read: a FIFO (which would
    block the reader until something writes to it), a device, a directory or a file over
    ``MAX_TEXT_BYTES`` is refused with what it is.

    Raises:
        TextFileError: not a regular file, or too large.
        OSError, UnicodeDecodeError: when the file cannot be read as UTF-8 text.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise TextFileError(f"{path}: {describe(Path(path))}, not a text file")
        if info.st_size > MAX_TEXT_BYTES:
            raise TextFileError(f"{path}: {info.st_size / 1e6:,.0f} MB, more than the {MAX_TEXT_BYTES // 2**20} MB a "
                                "source text may have")
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            raw = handle.read(MAX_TEXT_BYTES + 1)
    finally:
        os.close(descriptor)
    if len(raw) > MAX_TEXT_BYTES:  # a file that grew, or says it is smaller than it is
        raise TextFileError(f"{path}: more than the {MAX_TEXT_BYTES // 2**20} MB a source text may have")
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


def load_corpus_text(path: Path, body: set[int] | None, headings: set[int], exclude: set[int]) -> CorpusText:
    """Read and segment one corpus text.

    Raises:
        OSError, UnicodeDecodeError: when the file cannot be read as UTF-8 text.
    """
    text, digest = read_text(path)
    return CorpusText(path, text, digest, segment(text, body, frozenset(headings), frozenset(exclude)))


class TextUnavailable(Exception):
    """A source's text is absent, unreadable or changed since the build; the message says which and where.

    ``reason`` says it in a few words (for a one-line notice): "notes.txt is not in /corpus".
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def source_text(source: SourceRecord, corpus: Path | None) -> CorpusText:
    """The text of a source already in a knowledge base, segmented as the build segmented it.

    Raises:
        TextUnavailable: when the text is not on this machine, cannot be read, or its SHA-256
            differs from the one recorded (its locators may then point elsewhere).
    """
    path = _source_path(source, corpus)
    try:
        text = load_corpus_text(path, *(parse_line_ranges(list(lines))
                                        for lines in (source.body, source.headings, source.exclude)))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _unreadable(source, path, error) from error
    _check_unchanged(source, path, text.sha256)
    return text


def verified_text(source: SourceRecord, corpus: Path | None) -> tuple[Path, str]:
    """The text of a source already in a knowledge base and where it is, checked as ``source_text`` checks it,
    but not segmented (a reader segments what it shows).

    Raises:
        TextUnavailable: as ``source_text``.
    """
    path = _source_path(source, corpus)
    try:
        for lines in (source.body, source.headings, source.exclude):
            line_intervals(list(lines))
        text, digest = read_text(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _unreadable(source, path, error) from error
    _check_unchanged(source, path, digest)
    return path, text


def _source_path(source: SourceRecord, corpus: Path | None) -> Path:
    folder = source_folder(source.corpus_dir, corpus)
    if folder is None:
        raise TextUnavailable(f"the text of source {source.id!r} ({source.file}) is not on this machine: "
                              "no corpus folder (give --corpus DIR or set CLAIMSCOPE_CORPUS)",
                              f"no corpus folder to find {source.file} in")
    path = folder / source.file
    kind = describe(path)
    if kind == "missing":
        raise TextUnavailable(f"the text of source {source.id!r} is not on this machine: {source.file} is not in "
                              f"{folder}", f"{source.file} is not in {folder}")
    if kind != "a regular file":
        raise TextUnavailable(f"the text of source {source.id!r} cannot be read: {path} is {kind}, not a text file",
                              f"{path} is {kind}")
    return path


def _unreadable(source: SourceRecord, path: Path, error: Exception) -> TextUnavailable:
    return TextUnavailable(f"the text of source {source.id!r} cannot be read ({path}: {error})",
                           f"{path} cannot be read")


def _check_unchanged(source: SourceRecord, path: Path, digest: str) -> None:
    if source.sha256 and digest != source.sha256:
        raise TextUnavailable(f"{path} has changed since source {source.id!r} entered the knowledge base "
                              "(its SHA-256 differs), so its locators may no longer point at the same passages",
                              f"{path} has changed since it entered the knowledge base")


def passage_records(source_id: str, corpus_text: CorpusText) -> list[PassageRecord]:
    """The body sentences of a text, numbered as locators number them, for the passage index of a build."""
    return [
        PassageRecord(source_id, paragraph.number, sentence.number, sentence.start, sentence.end,
                      " ".join(corpus_text.text[sentence.start:sentence.end].split()))
        for paragraph in corpus_text.segmentation.paragraphs
        for sentence in paragraph.sentences
    ]
