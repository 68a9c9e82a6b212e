"""The fast line-by-line reader of the plain YAML subset: it agrees with PyYAML's composer or gives way.

``read_plain`` reads block mappings and lists, one-line plain and quoted values and one-line
flow lists and mappings; on anything else it gives way (``_FULL_WAY``) and ``load_yaml``
reads the file through libyaml's events, which also words every problem. So for any text
the fast reader must either give way or give exactly what PyYAML composes (values, types
and lines), and it must give way on every text that has a problem to report.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from test_yamlfile import SNIPPETS, composed, shape, yaml_files

from claimscope.seed import yamlfile
from claimscope.seed.yamlfile import YamlError, read_plain, read_text
from conftest import ROOT

FULL_WAY = yamlfile._FULL_WAY

# Texts inside the subset: the fast reader must read each (not give way) as PyYAML does.
PLAIN = [
    "a: 1\nb: 1.5\nc: -3\nd: 0x1F\ne: 1_000\nf: .inf\ng: ~\nh: null\ni: true\nj: False\nk: yes\nl: NO\nm: on\n",
    "n: 0123\no: 089\np: 12345678901234567890123\nq: +7\nr: 1e3\ns: 2024-05-01\nt: 2024-05\nu: 2019/2021\n",
    "sources:\n  - id: a-1\n    title: \"Note 7: spring\"\n    authors: [A. Researcher, 'B, C']\n"
    "    headings: [1]\n    url: file:notes.txt    # beside it\n\n# a comment\nentities: []\n",
    "claims:\n- subject: x\n  evidence:\n  - {source: s, paragraph: 2, grade: 3, note: 'it''s, here'}\n"
    "  - source: t\n    quote: \"a 'quoted' word\"\n- subject: y\n  evidence: []\n",
    "top:\n    deep:\n        deeper:\n            - one\n            - 2\n    next: value with # inside\n",
    "empty: {}\nnone:\nafter: 'x'   # c\nlist:\n  -   spaced: 1\n      more: 2\n",
    "text: The group's name, C#, 50% and a:b tail\nurl: https://example.org/a?b=c#frag\n",
    "names: [\u0418\u0413\u0418\u041b-\u0425\u043e\u0440\u0430\u0441\u0430\u043d, \u0648\u0644\u0627\u064a\u0629]\n",
    "key_with-dash_2: v\n_private: w\n",
    "a: >-\n  one\n  two\nb: |\n  x\n  # not a comment\n\n\nc: >\n    deep\n    more\n\nd: |-\n  z\n",
    "- a: >-\n    folded under an item\n  b: 1\n",
]

# Texts outside it: the fast reader must give way (PyYAML reads some, refuses others).
OUTSIDE = [
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |+\n  kept\n",
    "a: >2\n  indicated\n",
    "a: >- # comment\n  x\n",
    "a: >\n\n  after a blank line\n",
    "a: >-\n  one\n\n  two\n",
    "a: >-\n  one\n    deeper\n",
    "a: |\n  x\n  \n",
    "a: |\n  no line break at the end",
    "- >-\n  an item\n",
    "a: first\n  second\n",
    "a: \"line one\n  line two\"\n",
    "a: \"escaped \\u00e9\"\n",
    "a:\tb\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "a: 1\na: 2\n",
    "a: b: c\n",
    "- - x\n",
    "-\n",
    "a: [1, [2]]\n",
    "a: {b: {c: d}}\n",
    "a: [1,\n  2]\n",
    "a: [1, 2,]\n",
    "a: [?x]\n",
    "? x\n: y\n",
    "'quoted key': 1\n",
    "key with spaces: 1\n",
    "5: five\n",
    "true: t\n",
    "null: n\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.1\n---\na: 1\n",
    "  a: 1\n",
    "a: 1\n b: 2\n",
    "a: `x`\n",
    "a: @x\n",
    "a: 'unclosed\n",
    "a: 'x' trailing\n",
    "a: [x] trailing\n",
    "a: x:\n",
    "a: \x85b\n",
    "a: \u2028b\n",
    "just a scalar\n",
    "",
    "# only a comment\n",
]


def test_the_subset_is_read_by_the_fast_reader_as_pyyaml_composes_it() -> None:
    for text in PLAIN:
        value = read_plain(text)
        assert value is not FULL_WAY, text
        assert shape(value) == composed(text), text


@pytest.mark.parametrize("text", OUTSIDE)
def test_the_fast_reader_gives_way_outside_the_subset(text: str) -> None:
    assert read_plain(text) is FULL_WAY


@pytest.mark.parametrize("text", SNIPPETS + OUTSIDE)
def test_where_the_fast_reader_reads_a_snippet_it_agrees_with_pyyaml(text: str) -> None:
    value = read_plain(text)
    if value is not FULL_WAY:
        assert shape(value) == composed(text)


@pytest.mark.parametrize("path", yaml_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_where_the_fast_reader_reads_a_repository_file_it_agrees_with_pyyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    value = read_plain(text)
    if value is not FULL_WAY:
        assert shape(value) == composed(text)


@pytest.mark.parametrize("name", ["tests/data/import-example/notes.yaml", "seed/data/sources.yaml",
                                  "seed/data/claims/idsa-2023.yaml", "seed/data/entities/groups.yaml"])
def test_the_import_example_and_the_seed_files_are_in_the_subset(name: str) -> None:
    """The README's example note and the seed's files (folded >- texts) are read the fast way: notes like them too."""
    assert read_plain((ROOT / name).read_text(encoding="utf-8")) is not FULL_WAY


# What a mutation may put into a line: the characters that change how YAML reads it.
_MARKS = list(" :-#'\"[]{},&*!|>?%@`\t\\x1") + [": ", " #", "- ", "''", "\n", "\n  ", "\n    - "]


def _mutations(text: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    lines = text.split("\n")
    found = []
    for _ in range(count):
        changed = list(lines)
        for _ in range(rng.randint(1, 3)):
            if not changed:
                break
            index = rng.randrange(len(changed))
            line = changed[index]
            action = rng.randrange(5)
            at = rng.randint(0, len(line))
            if action == 0:
                changed[index] = line[:at] + rng.choice(_MARKS) + line[at:]
            elif action == 1 and line:
                changed[index] = line[:at] + line[at + 1:]
            elif action == 2:
                changed.insert(index, line)
            elif action == 3:
                changed[index] = " " * rng.randint(0, 6) + line.lstrip(" ")
            else:
                del changed[index]
        found.append("\n".join(changed))
    return found


@pytest.mark.parametrize("name", ["tests/data/import-example/notes.yaml", "tests/data/import-second/note8.yaml",
                                  "seed/data/entities/outlets.yaml"])
def test_mutated_notes_are_read_as_pyyaml_reads_them_or_given_way(name: str) -> None:
    """A thousand random edits of a note: the fast reader never reads one differently, nor past a problem."""
    text = (ROOT / name).read_text(encoding="utf-8")
    fast_reads = 0
    for mutated in _mutations(text, 1000, seed=len(name)):
        value = read_plain(mutated)
        if value is FULL_WAY:
            continue
        fast_reads += 1
        try:
            full = read_text(mutated, "note.yaml")
        except YamlError as error:
            pytest.fail(f"the fast reader read a text the full way refuses ({error}):\n{mutated}")
        assert shape(value) == shape(full) == composed(mutated), mutated
    assert fast_reads > 100  # the edits that keep a note plain are read the fast way


@pytest.mark.parametrize("index", range(len(PLAIN)))
def test_mutated_snippets_of_the_subset_are_read_as_pyyaml_reads_them_or_given_way(index: int) -> None:
    for mutated in _mutations(PLAIN[index], 300, seed=index):
        value = read_plain(mutated)
        if value is FULL_WAY:
            continue
        try:
            full = read_text(mutated, "snippet.yaml")
        except YamlError as error:
            pytest.fail(f"the fast reader read a text the full way refuses ({error}):\n{mutated}")
        assert shape(value) == shape(full) == composed(mutated), mutated


def test_the_hint_for_a_quote_left_open_reads_escapes() -> None:
    from claimscope.seed.yamlfile import _unclosed_quote

    assert _unclosed_quote(['a: "C:\\\\notes\\\\"'], 1) is None  # closed after two escaped backslashes
    assert _unclosed_quote(['a: "an escaped \\" quote'], 1) == 1
    assert _unclosed_quote(["b: 'it''s", "c: 1"], 2) == 1
