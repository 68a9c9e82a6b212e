"""The README stays true: its figures are what check measures."""

from __future__ import annotations

import re
from pathlib import Path

from claimscope.seed.loader import default_seed_dir, load_seed

ROOT = Path(__file__).resolve().parent.parent.parent


def test_readme_coverage_table_matches_check(corpus_dir: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = {source_id: (int(cited), int(total))
              for source_id, cited, total in re.findall(r"\(`([a-z0-9-]+)`\) \| (\d+)/(\d+) \|", readme)}
    result = load_seed(default_seed_dir(), corpus_dir, require_corpus=True)
    measured = {c.source_id: (c.cited, c.paragraphs) for c in result.coverage}
    assert stated == measured


def test_readme_sentence_coverage_matches_check(corpus_dir: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = {source_id: tuple(int(n) for n in numbers)
              for source_id, *numbers in re.findall(
                  r"\(`([a-z0-9-]+)`\) \| \d+/\d+ \| (\d+)/(\d+) \| (\d+) \|", readme)}
    result = load_seed(default_seed_dir(), corpus_dir, require_corpus=True)
    measured = {c.source_id: (c.sentences_cited, c.sentences, len(c.skipped)) for c in result.coverage}
    assert stated == measured
    assert not result.uncited_sentences, "every sentence is cited or listed under skip: with a reason"


def test_readme_counts_match_check(corpus_dir: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    result = load_seed(default_seed_dir(), corpus_dir, require_corpus=True)
    records = result.records
    assert records is not None
    match = re.search(r"(\d+) sources, (\d+) entities .*?(\d+)\s+aliases, (\d+) claims, (\d+) pieces of evidence",
                      readme, re.S)
    assert match, "the README states the knowledge base's counts"
    assert tuple(int(n) for n in match.groups()) == (
        len(records.sources), len(records.entities), len(records.aliases), len(records.claims),
        len(records.evidence))


def test_readme_opens_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["python3 -m pip install -e . && claimscope",
                        "python3 -m pip install -e '.[test]' && python3 -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
