"""House rule 1: the repository holds no passage of the source articles, only locators."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
WORD = re.compile(r"[^\W_]+")
RUN = 8  # words; the same measure as the before-stop check in ../shared/tools


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def runs(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + RUN]) for i in range(len(tokens) - RUN + 1)}


def repository_files() -> list[Path]:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout.split("\n")
    return [ROOT / name for name in listed if name]


def test_no_run_of_eight_words_from_a_source_article(corpus_dir: Path) -> None:
    from claimscope.seed.loader import default_seed_dir
    from claimscope.seed.yamlfile import load_yaml

    corpus: set[tuple[str, ...]] = set()
    for path in sorted(corpus_dir.glob("*.txt")):
        corpus |= runs(words(path.read_text(encoding="utf-8")))
    # Titles are bibliographic facts, recorded on purpose.
    for source in load_yaml(default_seed_dir() / "sources.yaml")["sources"]:
        corpus -= runs(words(source["title"]))
    copied = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        hits = runs(words(text)) & corpus
        copied.extend(f"{path.relative_to(ROOT)}: {' '.join(run)}" for run in sorted(hits)[:3])
    assert not copied, "text copied from the corpus:\n" + "\n".join(copied)


def test_the_check_itself_catches_a_copied_sentence(corpus_dir: Path) -> None:
    sample = next(iter(sorted(corpus_dir.glob("*.txt")))).read_text(encoding="utf-8").split("\n")[18]
    corpus = runs(words(sample))
    assert runs(words(f"note: {sample[:200]}")) & corpus
