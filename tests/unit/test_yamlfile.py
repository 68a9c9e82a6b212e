"""The YAML reader builds values straight from the parser's events: it must agree with PyYAML's own composer.

PyYAML composes nodes and the test turns them into values and lines the way the reader
promises; the reader must give the same for every YAML file in the repository and for
snippets that stress scalars, nesting, flow collections and quoting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from claimscope.seed import yamlfile
from claimscope.seed.yamlfile import Mapping, Sequence, YamlError, load_yaml
from conftest import ROOT


def composed(text: str) -> Any:
    """What PyYAML's composer gives, as (value, line) trees the reader's values can be compared with."""
    def convert(node: yaml.Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return ("map", line, [(key.value, key.start_mark.line + 1, convert(value)) for key, value in node.value])
        if isinstance(node, yaml.SequenceNode):
            return ("seq", line, [(item.start_mark.line + 1, convert(item)) for item in node.value])
        value = node.value if node.style else yamlfile._scalar(node.tag, node.value)
        return ("scalar", value)

    node = yaml.compose(text, Loader=yamlfile._LOADER)
    return None if node is None else convert(node)


def shape(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("map", value.line, [(key, value.key_lines[key], shape(item)) for key, item in value.items()])
    if isinstance(value, Sequence):
        return ("seq", value.line, [(line, shape(item)) for line, item in zip(value.item_lines, value, strict=True)])
    return ("scalar", value)


def read(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    return load_yaml(path)


def yaml_files() -> list[Path]:
    return sorted(path for folder in ("seed", "tests/data") for path in (ROOT / folder).rglob("*.yaml"))


@pytest.mark.parametrize("path", yaml_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_reads_as_pyyaml_composes_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert shape(load_yaml(path)) == composed(text)


SNIPPETS = [
    "a: 1\nb: 1.5\nc: -3\nd: 0x1F\ne: 1_000\nf: .inf\ng: ~\nh: null\ni: true\nj: False\nk: yes\nl: NO\nm: on\n",
    "date: 2024-05-01\nyear: 2024\nmonth: '2024-05'\nedtf: 2024-05\ninterval: 2019/2021\napprox: 2020~\n",
    "quoted: \"a \\u00e9 \\\"b\\\"\"\nsingle: 'it''s'\nblock: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
    "list: [a, 'b', 1, {c: d, e: [f, g]}]\nnested:\n  - - x\n    - y\n  - z: 1\n    w: [2, 3]\n",
    "- plain\n- 12\n- {k: v}\n- [1, [2, [3]]]\n",
    "empty_map: {}\nempty_list: []\nempty_value:\nlast: end\n",
    "key with spaces: value, with a comma\n'quoted key': 1\n? explicit\n: value\n",
    "just a scalar\n",
    "",
    "# only a comment\n",
    "multi: \"line one\n  line two\"\nplain multi: first\n  second\n",
    "names: [\u0418\u0413\u0418\u041b-\u0425\u043e\u0440\u0430\u0441\u0430\u043d,"
    " \u0648\u0644\u0627\u064a\u0629 \u062e\u0631\u0627\u0633\u0627\u0646]\n",
    "tagged: !!str 123\nint: !!int '7'\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_read_as_pyyaml_composes_them(tmp_path: Path, text: str) -> None:
    value = read(tmp_path, text)
    assert (None if value is None else shape(value)) == composed(text)


def test_duplicate_keys_keys_that_are_not_names_and_aliases_are_problems_with_their_lines(tmp_path: Path) -> None:
    with pytest.raises(YamlError) as raised:
        read(tmp_path, "a: 1\nb: 2\na: 3\n[x, y]: 4\n5: six\nc: &anchor [1]\nd: *anchor\ne: ok\n")
    problems = [(problem.line, problem.message) for problem in raised.value.problems]
    assert problems == [(3, "duplicate key 'a' (first at line 1)"), (4, "a key must be a name, not a list"),
                        (5, "a key must be a name, not 5"),
                        (6, "a YAML anchor (&name) is used again through an alias (*name); seed files do not accept "
                            "them")]


def test_a_second_document_is_a_syntax_error_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(YamlError) as raised:
        read(tmp_path, "a: 1\n---\nb: 2\n")
    (problem,) = raised.value.problems
    assert problem.line == 2 and "single document" in problem.message


def test_values_after_a_dropped_key_do_not_shift_into_the_next_key(tmp_path: Path) -> None:
    with pytest.raises(YamlError):
        read(tmp_path, "a: {[1]: {x: 1}, b: 2}\n")
    text = "outer:\n  a: 1\n  inner: {p: [1, 2], q: {r: s}}\n  z: last\n"
    assert read(tmp_path, text) == {"outer": {"a": 1, "inner": {"p": [1, 2], "q": {"r": "s"}}, "z": "last"}}
